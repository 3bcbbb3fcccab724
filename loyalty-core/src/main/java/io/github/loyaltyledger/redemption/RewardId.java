package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.internal.Ids;
import java.util.Objects;

/**
 * The identifier of a {@link Reward} in a program's catalogue, e.g. {@code "free-coffee"}. It is
 * recorded on the ledger entries of every redemption and names the reward's stock and limit
 * counters, so it should stay stable across program versions.
 *
 * @param value 1 to 40 lower-case letters, digits and hyphens, starting with a letter or digit
 */
public record RewardId(String value) implements Comparable<RewardId> {

  /**
   * Validates the identifier.
   *
   * @param value 1 to 40 lower-case letters, digits and hyphens, starting with a letter or digit
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is not 1 to 40 lower-case letters, digits
   *     and hyphens, starting with a letter or digit
   */
  public RewardId {
    Objects.requireNonNull(value, "value");
    Ids.requireId("reward id", value);
  }

  /**
   * Obtains a reward id.
   *
   * @param value the identifier, not null
   * @return the id
   * @throws IllegalArgumentException if {@code value} is not a valid reward id
   */
  public static RewardId of(String value) {
    return new RewardId(value);
  }

  @Override
  public int compareTo(RewardId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
