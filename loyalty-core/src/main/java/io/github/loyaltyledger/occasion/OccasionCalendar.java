package io.github.loyaltyledger.occasion;

import io.vavr.control.Option;
import java.time.LocalDate;
import java.time.MonthDay;

/** Finds the occurrence of a yearly occasion whose window covers a day. */
final class OccasionCalendar {

  private OccasionCalendar() {}

  /**
   * The occasion's date in the year whose window contains {@code today}; windows of consecutive
   * years never overlap (they are at most 365 days long, and two occurrences are at least 365 days
   * apart), so there is at most one.
   */
  static Option<LocalDate> occurrenceCovering(MonthDay day, LeapDayPolicy leapDay, OccasionWindow window, LocalDate today) {
    for (int year = today.getYear() - 1; year <= today.getYear() + 1; year++) {
      LocalDate occurrence = leapDay.occurrence(day, year);
      if (window.contains(occurrence, today)) {
        return Option.some(occurrence);
      }
    }
    return Option.none();
  }
}
