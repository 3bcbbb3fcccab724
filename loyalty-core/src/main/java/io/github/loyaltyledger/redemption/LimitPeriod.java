package io.github.loyaltyledger.redemption;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * The calendar period over which a {@link RedemptionLimit} counts a member's redemptions, in the
 * member's time zone (falling back to the program's).
 */
public enum LimitPeriod {
  /** One calendar day. */
  DAY,
  /** One ISO week (Monday to Sunday). */
  WEEK,
  /** One calendar month. */
  MONTH,
  /** One calendar year. */
  YEAR,
  /** The member's whole membership. */
  EVER;

  /**
   * Names the period containing a date, as used in counter names.
   *
   * @param date the member's local date, not null
   * @return e.g. {@code "2026-03-01"}, {@code "2026-W09"}, {@code "2026-03"}, {@code "2026"} or
   *     {@code "ever"}
   */
  public String label(LocalDate date) {
    switch (this) {
      case DAY:
        return date.toString();
      case WEEK:
        return String.format(Locale.ROOT, "%d-W%02d", date.get(IsoFields.WEEK_BASED_YEAR), date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
      case MONTH:
        return YearMonth.from(date).toString();
      case YEAR:
        return Integer.toString(date.getYear());
      default:
        return "ever";
    }
  }
}
