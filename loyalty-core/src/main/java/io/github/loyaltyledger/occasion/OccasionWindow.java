package io.github.loyaltyledger.occasion;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

/**
 * The days on which an occasion can be rewarded, relative to its date in the year: on the day, in
 * its week (Monday to Sunday, ISO), in its calendar month, on the day and the {@code days}
 * following, or from {@code days} days before the day to {@code days} days after it. The reward is
 * granted on the first daily run inside the window at which the member is eligible or, when runs
 * were missed, by the first run within its catch-up days after the window (seven local days by
 * default, {@code DailyRun.Builder.catchUpDays}). Days are the member's local dates; a date their
 * zone skipped (30 December 2011 in {@code Pacific/Apia}), which no instant has, is stood for by
 * the day after it.
 *
 * @param kind the shape of the window
 * @param days for {@link Kind#DAYS_FROM}, how many days after the occasion the window stays open
 *     (0 to 300); for {@link Kind#AROUND}, how many days it opens before the occasion and stays
 *     open after it (0 to 182, so that the windows of two years never meet); 0 otherwise
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
    DAYS_FROM,
    /** The {@code days} days before the day, the day, and the {@code days} days after it. */
    AROUND
  }

  /** The most days a window {@link Kind#AROUND} the day reaches either side: the windows of two years never meet. */
  public static final int MAX_DAYS_AROUND = 182;

  /**
   * Validates the window.
   *
   * @param kind the shape of the window
   * @param days for {@link Kind#DAYS_FROM}, how many days after the occasion the window stays open
   *     (0 to 300); for {@link Kind#AROUND}, how many days it opens before the occasion and stays
   *     open after it (0 to {@value #MAX_DAYS_AROUND}); 0 otherwise
   * @throws NullPointerException if {@code kind} is null
   * @throws IllegalArgumentException if {@code days} is outside 0..300 for {@link Kind#DAYS_FROM},
   *     outside 0..{@value #MAX_DAYS_AROUND} for {@link Kind#AROUND}, or not 0 for another window
   */
  public OccasionWindow {
    Objects.requireNonNull(kind, "kind");
    int most = kind == Kind.DAYS_FROM ? 300 : kind == Kind.AROUND ? MAX_DAYS_AROUND : 0;
    if (days < 0 || days > most) {
      throw new IllegalArgumentException("days must be 0..300 for DAYS_FROM, 0.." + MAX_DAYS_AROUND
          + " for AROUND and 0 otherwise, was " + days + " for " + kind);
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
   * @param n how many days before the occasion the window opens and after it it stays open, 0 to
   *     {@value #MAX_DAYS_AROUND}
   * @return the window from {@code n} days before the day to {@code n} days after it
   * @throws IllegalArgumentException if {@code n} is outside 0..{@value #MAX_DAYS_AROUND}
   */
  public static OccasionWindow daysAround(int n) {
    return new OccasionWindow(Kind.AROUND, n);
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
      case AROUND:
        return occasion.minusDays(days);
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
      case AROUND:
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
      case AROUND:
        return days;
      default:
        return 0;
    }
  }
}
