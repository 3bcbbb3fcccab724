package io.github.loyaltyledger.occasion;

import java.time.LocalDate;
import java.time.MonthDay;
import java.util.Objects;

/**
 * Where an occasion on 29 February falls in a non-leap year. The default of the rules is
 * {@link #FEBRUARY_28}: the member is celebrated on the last day of their birth month.
 */
public enum LeapDayPolicy {
  /** On 28 February (the default). */
  FEBRUARY_28,
  /** On 1 March. */
  MARCH_1;

  /**
   * Computes the date of an occasion in a year.
   *
   * @param day the occasion's month and day, not null
   * @param year the year
   * @return the date; for 29 February in a non-leap year, 28 February or 1 March by this policy
   */
  public LocalDate occurrence(MonthDay day, int year) {
    Objects.requireNonNull(day, "day");
    if (day.getMonthValue() == 2 && day.getDayOfMonth() == 29 && !java.time.Year.isLeap(year)) {
      return this == FEBRUARY_28 ? LocalDate.of(year, 2, 28) : LocalDate.of(year, 3, 1);
    }
    return day.atYear(year);
  }
}
