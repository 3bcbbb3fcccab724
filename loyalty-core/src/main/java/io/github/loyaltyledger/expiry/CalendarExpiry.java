package io.github.loyaltyledger.expiry;

import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.Period;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Points expire on a calendar date, e.g. every 31 December: the last valid day is the first
 * occurrence of the date on or after the earning day plus a minimum holding period (in the
 * member's zone); the points expire at the start of the following day. A 29 February date falls on
 * 28 February in non-leap years.
 *
 * <p>{@code CalendarExpiry.every(MonthDay.of(12, 31)).heldAtLeast(Period.ofYears(1))} makes points
 * earned in 2027 valid until 31 December 2028.
 *
 * @param day the date in the year on which points expire (at its end)
 * @param minimumHolding how long points are kept at least before the date can apply, not negative,
 *     shorter than 9,999 years, and short enough that points earned on 1 January of year 1 expire
 *     within year 9999
 */
public record CalendarExpiry(MonthDay day, Period minimumHolding) implements ExpiryPolicy {

  /**
   * Validates the policy.
   *
   * @param day the date in the year on which points expire (at its end)
   * @param minimumHolding how long points are kept at least before the date can apply, not negative,
   *     shorter than 9,999 years
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the minimum holding period is negative, not shorter than
   *     9,999 years (as a {@link FixedTermExpiry}'s term), or so long that even points earned on
   *     1 January of year 1 would stay valid until a date after year 9999 (a holding of 9,998 years
   *     and a day before every 1 January)
   */
  public CalendarExpiry {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(minimumHolding, "minimumHolding");
    if (minimumHolding.isNegative()) {
      throw new IllegalArgumentException("a minimum holding period cannot be negative, was " + minimumHolding);
    }
    FixedTermExpiry.requireSupported("a minimum holding period", minimumHolding, "use ExpiryPolicy.never()");
    // A holding that ends within year 9999 after that year's date moves the date into year 10000.
    LocalDate earliest = lastValidDay(day, minimumHolding, FixedTermExpiry.FIRST_SUPPORTED_DAY);
    if (earliest.getYear() > FixedTermExpiry.LAST_SUPPORTED_YEAR) {
      throw new IllegalArgumentException("a minimum holding period of " + minimumHolding + " before the date " + day
          + " makes even points earned on 1 January of year 1 valid until " + earliest + ", after year "
          + FixedTermExpiry.LAST_SUPPORTED_YEAR + ", the last the ledger supports: give a shorter holding period;"
          + " for points that never expire use ExpiryPolicy.never()");
    }
  }

  /**
   * Points expire at the end of the next occurrence of a date.
   *
   * @param day the date in the year, not null
   * @return the policy, with no minimum holding period
   */
  public static CalendarExpiry every(MonthDay day) {
    return new CalendarExpiry(day, Period.ZERO);
  }

  /**
   * @param period how long points are kept at least, not null, not negative, shorter than 9,999 years,
   *     and short enough that points earned on 1 January of year 1 expire within year 9999
   * @return a copy with this minimum holding period
   * @throws IllegalArgumentException if the period is negative or too long (see the constructor)
   */
  public CalendarExpiry heldAtLeast(Period period) {
    return new CalendarExpiry(day, period);
  }

  /**
   * Computes the last day on which points earned on a day can be spent.
   *
   * @param earnedOn the earning day, not null
   * @return the first occurrence of the date on or after {@code earnedOn} plus the minimum holding
   */
  public LocalDate lastValidDay(LocalDate earnedOn) {
    return lastValidDay(day, minimumHolding, earnedOn);
  }

  private static LocalDate lastValidDay(MonthDay day, Period minimumHolding, LocalDate earnedOn) {
    LocalDate earliest = earnedOn.plus(minimumHolding);
    LocalDate candidate = day.atYear(earliest.getYear());
    return candidate.isBefore(earliest) ? day.atYear(earliest.getYear() + 1) : candidate;
  }

  @Override
  public Option<Instant> expiresAt(Instant earnedAt, ZoneId zone) {
    return Option.some(ExpiryPolicy.endOf(lastValidDay(LocalDate.ofInstant(earnedAt, zone)), zone));
  }
}
