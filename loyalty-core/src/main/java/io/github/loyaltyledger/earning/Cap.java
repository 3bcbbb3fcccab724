package io.github.loyaltyledger.earning;

import java.util.Objects;

/**
 * A limit per member per calendar period: at most {@code amount} points (a cap) or awards (a
 * frequency limit) per {@code period}.
 *
 * @param amount the most allowed per period, positive
 * @param period the calendar period, counted in the program's zone
 */
public record Cap(long amount, CapPeriod period) {

  /**
   * Validates the cap.
   *
   * @param amount the most allowed per period, positive
   * @param period the calendar period, counted in the program's zone
   * @throws NullPointerException if {@code period} is null
   * @throws IllegalArgumentException if {@code amount} is not positive
   */
  public Cap {
    Objects.requireNonNull(period, "period");
    if (amount < 1) {
      throw new IllegalArgumentException("a cap must be positive, was " + amount);
    }
  }
}
