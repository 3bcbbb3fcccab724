package io.github.loyaltyledger.tier;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identifier of a tier on a {@link TierLadder}, e.g. {@code "gold"}: 1 to 40 lower-case
 * letters, digits and hyphens. It is what ledger entries, events and the earning engine's tier
 * lookups carry.
 *
 * @param value the identifier
 */
public record TierId(String value) {

  private static final Pattern FORM = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  /**
   * Validates the identifier.
   *
   * @param value the identifier
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if it is not 1 to 40 lower-case letters, digits and hyphens
   */
  public TierId {
    Objects.requireNonNull(value, "value");
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "tier id must be 1 to 40 lower-case letters, digits or hyphens, was '" + value + "'");
    }
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
