package io.github.loyaltyledger.expiry;

import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;

/**
 * How a {@link FixedTermExpiry} rounds the last valid day up: not at all, or to the last day of
 * its month, calendar quarter or year.
 */
public enum ExpiryRounding {
  /** The last valid day is the earning day plus the term. */
  NONE,
  /** Rounded up to the last day of its month. */
  END_OF_MONTH,
  /** Rounded up to the last day of its calendar quarter (31 March, 30 June, 30 September, 31 December). */
  END_OF_QUARTER,
  /** Rounded up to 31 December. */
  END_OF_YEAR;

  /**
   * Rounds a day up.
   *
   * @param day the day, not null
   * @return the last day of the period containing {@code day}, or {@code day} for {@link #NONE}
   */
  public LocalDate roundUp(LocalDate day) {
    switch (this) {
      case END_OF_MONTH:
        return day.with(TemporalAdjusters.lastDayOfMonth());
      case END_OF_QUARTER:
        int lastMonthOfQuarter = ((day.getMonthValue() - 1) / 3) * 3 + 3;
        return day.withDayOfMonth(1).withMonth(lastMonthOfQuarter).with(TemporalAdjusters.lastDayOfMonth());
      case END_OF_YEAR:
        return day.with(TemporalAdjusters.lastDayOfYear());
      default:
        return day;
    }
  }
}
