package io.github.loyaltyledger.insight;

/**
 * When outstanding points expire, counted in calendar days in the report's zone from the
 * report's instant to the date of the expiry instant, for a {@link Liability} split. Points that
 * expire at the start of a day count to that day, not to the day before, the last on which they
 * can be spent (which a statement's "expiring" line names): points whose last day is 30 days away
 * expire in 31 days, {@link #WITHIN_90_DAYS}.
 */
public enum ExpiryBucket {
  /** Past their expiry, waiting for the expiry run to write them off. */
  OVERDUE,
  /** Expiring within 30 days. */
  WITHIN_30_DAYS,
  /** Expiring in 31 to 90 days. */
  WITHIN_90_DAYS,
  /** Expiring in 91 to 180 days. */
  WITHIN_180_DAYS,
  /** Expiring in 181 to 365 days. */
  WITHIN_365_DAYS,
  /** Expiring in more than 365 days. */
  LATER,
  /** Never expiring. */
  NEVER,
  /** Reserved by open holds at the till (their lots are known only when the hold resolves). */
  HELD;

  /**
   * Chooses the bucket for points expiring a number of calendar days from now.
   *
   * @param days the days until expiry, zero or negative if already due
   * @return the bucket
   */
  static ExpiryBucket ofDays(long days) {
    if (days <= 0) {
      return OVERDUE;
    }
    if (days <= 30) {
      return WITHIN_30_DAYS;
    }
    if (days <= 90) {
      return WITHIN_90_DAYS;
    }
    if (days <= 180) {
      return WITHIN_180_DAYS;
    }
    return days <= 365 ? WITHIN_365_DAYS : LATER;
  }
}
