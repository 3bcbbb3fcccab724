package io.github.loyaltyledger.expiry;

import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Points expire a fixed term after they were earned: the last valid day is the earning day (in the
 * member's zone) plus the term, optionally rounded up to the end of its month, quarter or year;
 * the points expire at the start of the following day.
 *
 * <p>Adding months keeps the day of the month where it exists and otherwise takes the month's
 * last day (31 January plus one month is 28 or 29 February). "Six months after the calendar month
 * in which they were earned" is {@code FixedTermExpiry.months(6).roundedUpTo(END_OF_MONTH)}:
 * points earned on any day of January can be spent until 31 July.
 *
 * @param term how long the points stay valid after the earning day, not negative, shorter than
 *     9,999 years
 * @param rounding how the last valid day is rounded up
 */
public record FixedTermExpiry(Period term, ExpiryRounding rounding) implements ExpiryPolicy {

  /** The first day of the years the ledger supports (1 to 9999). */
  static final LocalDate FIRST_SUPPORTED_DAY = LocalDate.of(1, 1, 1);

  /** The last year the ledger supports. */
  static final int LAST_SUPPORTED_YEAR = 9999;

  /**
   * Validates the policy.
   *
   * @param term how long the points stay valid after the earning day, not negative, shorter than
   *     9,999 years
   * @param rounding how the last valid day is rounded up
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the term is negative, or not shorter than 9,999 years (see
   *     {@link #days(int)})
   */
  public FixedTermExpiry {
    Objects.requireNonNull(term, "term");
    Objects.requireNonNull(rounding, "rounding");
    if (term.isNegative()) {
      throw new IllegalArgumentException("an expiry term cannot be negative, was " + term);
    }
    requireSupported("an expiry term", term, "use ExpiryPolicy.never()");
  }

  /**
   * Refuses a period that, added to the first day the ledger supports, reaches past its last year.
   * An expiry so far off dates no points within the supported years (every purchase failed its
   * rules, every occasion grant the daily run; beyond what {@code java.time} counts it threw), and
   * an inactivity so long never expires any.
   *
   * @param what the period's name, for the message
   * @param period the period, not negative
   * @param instead what to configure for points that never expire, for the message
   */
  static void requireSupported(String what, Period period, String instead) {
    // The months first: a date cannot add a billion years.
    if (period.toTotalMonths() >= LAST_SUPPORTED_YEAR * 12L
        || FIRST_SUPPORTED_DAY.plus(period).getYear() > LAST_SUPPORTED_YEAR) {
      throw new IllegalArgumentException(what + " must be shorter than 9,999 years, was " + period + ": added to"
          + " 1 January of year 1 it must stay within year " + LAST_SUPPORTED_YEAR + ", the last the ledger supports;"
          + " for points that never expire " + instead);
    }
  }

  /**
   * Points valid for {@code n} days after the earning day.
   *
   * <p>A term is shorter than 9,999 years, the years the ledger supports: added to 1 January of
   * year 1 it stays within year 9999 (so at most 3,652,058 days, or 119,987 months). For points
   * that never expire use {@link ExpiryPolicy#never()}.
   *
   * @param n the number of days, not negative, at most 3,652,058
   * @return the policy, not rounded
   * @throws IllegalArgumentException if {@code n} is negative or too large
   */
  public static FixedTermExpiry days(int n) {
    return new FixedTermExpiry(Period.ofDays(n), ExpiryRounding.NONE);
  }

  /**
   * Points valid for {@code n} months after the earning day.
   *
   * @param n the number of months, not negative, at most 119,987 (see {@link #days(int)})
   * @return the policy, not rounded
   * @throws IllegalArgumentException if {@code n} is negative or too large
   */
  public static FixedTermExpiry months(int n) {
    return new FixedTermExpiry(Period.ofMonths(n), ExpiryRounding.NONE);
  }

  /**
   * @param to how to round the last valid day up, not null
   * @return a copy with this rounding
   */
  public FixedTermExpiry roundedUpTo(ExpiryRounding to) {
    return new FixedTermExpiry(term, to);
  }

  /**
   * Computes the last day on which points earned on a day can be spent.
   *
   * @param earnedOn the earning day, not null
   * @return the earning day plus the term, rounded up
   */
  public LocalDate lastValidDay(LocalDate earnedOn) {
    return rounding.roundUp(earnedOn.plus(term));
  }

  @Override
  public Option<Instant> expiresAt(Instant earnedAt, ZoneId zone) {
    return Option.some(ExpiryPolicy.endOf(lastValidDay(LocalDate.ofInstant(earnedAt, zone)), zone));
  }
}
