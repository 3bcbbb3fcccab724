package io.github.loyaltyledger.occasion;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

/**
 * The days on which an occasion can be rewarded, relative to its date in the year: on the day, in
 * its week (Monday to Sunday, ISO), in its calendar month, or on the day and the {@code days}
 * following. The reward is granted on the first daily run inside the window at which the member is
 * eligible.
 *
 * @param kind the shape of the window
 * @param days for {@link Kind#DAYS_FROM}, how many days after the occasion the window stays open
 *     (0 to 300); 0 otherwise
 */
public record OccasionWindow(Kind kind, int days) {

  /** The shapes of a window. */
  public enum Kind {
    /** Only the day itself. */
    ON_THE_DAY,
    /** Monday to Sunday of the ISO week containing the day. */
    WEEK,
    /** The calendar month of the day. */
    MONTH,
    /** The day and the following {@code days} days. */
    DAYS_FROM
  }

  /**
   * Validates the window.
   *
   * @param kind the shape of the window
   * @param days for {@link Kind#DAYS_FROM}, how many days after the occasion the window stays open
   *     (0 to 300); 0 otherwise
   * @throws NullPointerException if {@code kind} is null
   * @throws IllegalArgumentException if {@code days} is outside 0..300, or not 0 for a window other
   *     than {@link Kind#DAYS_FROM}
   */
  public OccasionWindow {
    Objects.requireNonNull(kind, "kind");
    if (days < 0 || days > 300 || (kind != Kind.DAYS_FROM && days != 0)) {
      throw new IllegalArgumentException("days must be 0..300 for DAYS_FROM and 0 otherwise, was " + days);
    }
  }

  /** @return the window of the day itself */
  public static OccasionWindow onTheDay() {
    return new OccasionWindow(Kind.ON_THE_DAY, 0);
  }

  /** @return the window of the ISO week (Monday to Sunday) containing the day */
  public static OccasionWindow inTheWeek() {
    return new OccasionWindow(Kind.WEEK, 0);
  }

  /** @return the window of the calendar month of the day */
  public static OccasionWindow inTheMonth() {
    return new OccasionWindow(Kind.MONTH, 0);
  }

  /**
   * @param n how many days after the occasion the window stays open, 0 to 300
   * @return the window from the day to {@code n} days after it
   * @throws IllegalArgumentException if {@code n} is outside 0..300
   */
  public static OccasionWindow daysFrom(int n) {
    return new OccasionWindow(Kind.DAYS_FROM, n);
  }

  /**
   * @param occasion the occasion's date, not null
   * @return the first day of the window
   */
  public LocalDate start(LocalDate occasion) {
    switch (kind) {
      case WEEK:
        return occasion.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH:
        return occasion.withDayOfMonth(1);
      default:
        return occasion;
    }
  }

  /**
   * @param occasion the occasion's date, not null
   * @return the last day of the window
   */
  public LocalDate end(LocalDate occasion) {
    switch (kind) {
      case WEEK:
        return occasion.with(TemporalAdjusters.nextOrSame(DayOfWeek.SUNDAY));
      case MONTH:
        return occasion.with(TemporalAdjusters.lastDayOfMonth());
      case DAYS_FROM:
        return occasion.plusDays(days);
      default:
        return occasion;
    }
  }

  /**
   * @param occasion the occasion's date, not null
   * @param day a day, not null
   * @return true if {@code day} is in the window of the occasion
   */
  public boolean contains(LocalDate occasion, LocalDate day) {
    return !day.isBefore(start(occasion)) && !day.isAfter(end(occasion));
  }

  /** @return the most days a day in the window can be away from the occasion, either side */
  public int reach() {
    switch (kind) {
      case WEEK:
        return 6;
      case MONTH:
        return 30;
      case DAYS_FROM:
        return days;
      default:
        return 0;
    }
  }
}
