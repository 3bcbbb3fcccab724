package io.github.loyaltyledger.earning;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * The calendar period a per-member cap or limit counts over, in the program's zone, or the member's
 * whole membership ({@link #EVER}: a once-only award such as an app sign-up bonus is {@code
 * limitedTo(1, CapPeriod.EVER)}).
 */
public enum CapPeriod {
  /** A calendar day, however long: 23 or 25 hours on the days the clocks change. */
  DAY,
  /**
   * An ISO week (Monday to Sunday), named by its week-based year: 28 December 2026 to 3 January 2027
   * is week 53 of 2026 ({@code 2026-W53}), and 30 December 2024 the first day of {@code 2025-W01}.
   */
  WEEK,
  /** A calendar month. */
  MONTH,
  /** A calendar year. */
  YEAR,
  /** The member's whole membership: the counter never starts again. */
  EVER;

  /**
   * Names the period a date falls in, for counter keys.
   *
   * @param date a date in the program's zone, not null
   * @return e.g. {@code 2026-03-01}, {@code 2026-W09}, {@code 2026-03}, {@code 2026}, in ASCII
   *     digits whatever the default locale, or {@code ever}
   */
  public String key(LocalDate date) {
    switch (this) {
      case DAY:
        return date.toString();
      case WEEK:
        // Built by hand, not with String.format, whose digits follow the default locale (Thai or
        // Eastern Arabic digits on some nodes): one week must have one counter on every node.
        int week = date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        return date.get(IsoFields.WEEK_BASED_YEAR) + (week < 10 ? "-W0" : "-W") + week;
      case MONTH:
        // Not the date's text cut short: a year past 9999 is written with a sign, '+10000-01-01'.
        return YearMonth.from(date).toString();
      case YEAR:
        return Integer.toString(date.getYear());
      case EVER:
        return "ever";
      default:
        throw new IllegalStateException("unknown period " + this);
    }
  }

  /** How explanations name the period: {@code this month}, or {@code ever}. */
  String phrase() {
    return this == EVER ? "ever" : "this " + name().toLowerCase(Locale.ROOT);
  }
}
