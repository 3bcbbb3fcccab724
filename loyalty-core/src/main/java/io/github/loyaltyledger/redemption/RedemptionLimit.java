package io.github.loyaltyledger.redemption;

import java.util.Objects;

/**
 * How often one member may redeem a reward: at most {@code count} times per {@code period}.
 * Redemptions and open holds for the reward count; cancelled redemptions and released holds give
 * their use back.
 *
 * @param count the most redemptions per period, positive
 * @param period the calendar period, not null
 */
public record RedemptionLimit(int count, LimitPeriod period) {

  /**
   * Validates the limit.
   *
   * @param count the most redemptions per period, positive
   * @param period the calendar period, not null
   * @throws NullPointerException if {@code period} is null
   * @throws IllegalArgumentException if {@code count} is not positive
   */
  public RedemptionLimit {
    Objects.requireNonNull(period, "period");
    if (count < 1) {
      throw new IllegalArgumentException("a redemption limit must be positive, was " + count);
    }
  }
}
