package io.github.loyaltyledger.tier;

import io.github.loyaltyledger.internal.Ids;
import java.util.Objects;

/**
 * The identifier of a tier on a {@link TierLadder}, e.g. {@code "gold"}: 1 to 40 lower-case
 * letters, digits and hyphens, starting with a letter or digit. It is what ledger entries, events
 * and the earning engine's tier lookups carry.
 *
 * @param value the identifier
 */
public record TierId(String value) {

  /**
   * Validates the identifier.
   *
   * @param value the identifier
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if it is not 1 to 40 lower-case letters, digits and hyphens,
   *     starting with a letter or digit
   */
  public TierId {
    Objects.requireNonNull(value, "value");
    Ids.requireId("tier id", value);
  }

  /**
   * @param value the identifier, not null
   * @return the tier id
   * @throws IllegalArgumentException if the identifier is malformed
   */
  public static TierId of(String value) {
    return new TierId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
