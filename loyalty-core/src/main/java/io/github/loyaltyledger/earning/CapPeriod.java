package io.github.loyaltyledger.earning;

import java.time.LocalDate;
import java.time.temporal.IsoFields;

/** The calendar period a per-member cap or limit counts over, in the program's zone. */
public enum CapPeriod {
  /** A calendar day. */
  DAY,
  /** An ISO week (Monday to Sunday). */
  WEEK,
  /** A calendar month. */
  MONTH,
  /** A calendar year. */
  YEAR;

  /**
   * Names the period a date falls in, for counter keys.
   *
   * @param date a date in the program's zone, not null
   * @return e.g. {@code 2026-03-01}, {@code 2026-W09}, {@code 2026-03}, {@code 2026}
   */
  public String key(LocalDate date) {
    switch (this) {
      case DAY:
        return date.toString();
      case WEEK:
        return String.format("%d-W%02d", date.get(IsoFields.WEEK_BASED_YEAR), date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
      case MONTH:
        return date.toString().substring(0, 7);
      case YEAR:
        return Integer.toString(date.getYear());
      default:
        throw new IllegalStateException("unknown period " + this);
    }
  }
}
