package io.github.loyaltyledger.occasion;

import io.github.loyaltyledger.ledger.Fingerprint;
import io.vavr.control.Option;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;

/** Finds the occurrence of a yearly occasion whose window covers a day, and checks occasion rules' ids. */
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

  /**
   * Refuses an occasion rule's id that no entry can record, saying what is wrong with it: blank, or
   * with an unpaired UTF-16 surrogate or a NUL ({@link Fingerprint#isStorable}).
   *
   * @param rule the rule's kind, for the message, e.g. {@code "a birthday rule"}
   * @param id the id, not null
   * @throws IllegalArgumentException if the id is blank or has such a character
   */
  static void requireId(String rule, String id) {
    if (id.isBlank()) {
      throw new IllegalArgumentException(rule + "'s id must not be blank, was '" + id + "'");
    }
    Fingerprint.unstorable(id).forEach(problem -> {
      throw new IllegalArgumentException(rule + "'s id has " + problem
          + ", which no entry can record; send well-formed text without NUL characters");
    });
  }

  /**
   * As {@link #occurrenceCovering(MonthDay, LeapDayPolicy, OccasionWindow, LocalDate)}, for a day
   * that also stands for the days {@code zone} skipped just before it: no instant has such a date
   * (Samoa went from 29 to 31 December 2011, {@code Pacific/Apia}), so no run falls on it, and a
   * window of that day alone would never open; the day after opens it instead, as 28 February or
   * 1 March stands for 29 February in other years. Today's own occasion comes first.
   */
  static Option<LocalDate> occurrenceCovering(MonthDay day, LeapDayPolicy leapDay, OccasionWindow window, LocalDate today,
      ZoneId zone) {
    Option<LocalDate> found = occurrenceCovering(day, leapDay, window, today);
    if (found.isDefined()) {
      return found;
    }
    LocalDate dayBefore = LocalDate.ofInstant(today.atStartOfDay(zone).toInstant().minusNanos(1), zone);
    for (LocalDate skipped = dayBefore.plusDays(1); found.isEmpty() && skipped.isBefore(today); skipped = skipped.plusDays(1)) {
      found = occurrenceCovering(day, leapDay, window, skipped);
    }
    return found;
  }
}
