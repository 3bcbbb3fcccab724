package io.github.loyaltyledger.tier;

import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Over which span of time a ladder counts qualifying activity, evaluated in the member's zone
 * (the program's zone when the member has none):
 *
 * <ul>
 *   <li>{@link Kind#CALENDAR_YEAR}: 1 January to 31 December;
 *   <li>{@link Kind#ROLLING_MONTHS}: the last {@code months} months up to and including today: the
 *       days fewer than {@code months} months before today, counted forward from each day as a
 *       {@link TierTerm} is (so 29 February 2024 is 12 months before 28 February 2025 and no longer
 *       counts then);
 *   <li>{@link Kind#ANNIVERSARY_YEAR}: a year starting on the member's enrolment day;
 *   <li>{@link Kind#FIXED_CYCLE}: a year starting on a given month-day (e.g. 1 April).
 * </ul>
 *
 * <p>A year that should start on 29 February starts on 28 February in common years. Every window
 * starts and ends at midnight local time, so the activity of 31 December 23:59:59 counts in the
 * old year and that of 1 January 00:00 in the new one, whatever the zone.
 *
 * @param kind which kind of window
 * @param months the length of a rolling window, 1 to 120 (0 for the other kinds)
 * @param cycleStart the first day of a fixed cycle ({@code --01-01} for the other kinds)
 */
public record QualificationWindow(Kind kind, int months, MonthDay cycleStart) {

  /** The kinds of qualification window. */
  public enum Kind {
    /** The calendar year. */
    CALENDAR_YEAR,
    /** The last N months, sliding day by day. */
    ROLLING_MONTHS,
    /** The year from the member's enrolment day. */
    ANNIVERSARY_YEAR,
    /** The year from a fixed month-day. */
    FIXED_CYCLE
  }

  /**
   * Validates the window.
   *
   * @param kind which kind of window
   * @param months the length of a rolling window, 1 to 120 (0 for the other kinds)
   * @param cycleStart the first day of a fixed cycle ({@code --01-01} for the other kinds)
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a rolling window is not 1 to 120 months, or another kind
   *     has months
   */
  public QualificationWindow {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(cycleStart, "cycleStart");
    if (kind == Kind.ROLLING_MONTHS ? months < 1 || months > 120 : months != 0) {
      throw new IllegalArgumentException("a rolling window has 1 to 120 months and other windows none, was "
          + kind + " with " + months);
    }
  }

  /** @return the calendar-year window */
  public static QualificationWindow calendarYear() {
    return new QualificationWindow(Kind.CALENDAR_YEAR, 0, MonthDay.of(1, 1));
  }

  /**
   * @param months the window's length, 1 to 120
   * @return a window of the last {@code months} months
   */
  public static QualificationWindow rollingMonths(int months) {
    return new QualificationWindow(Kind.ROLLING_MONTHS, months, MonthDay.of(1, 1));
  }

  /** @return the membership-anniversary-year window */
  public static QualificationWindow anniversaryYear() {
    return new QualificationWindow(Kind.ANNIVERSARY_YEAR, 0, MonthDay.of(1, 1));
  }

  /**
   * @param start the first day of each cycle, not null
   * @return a yearly window starting on {@code start}
   */
  public static QualificationWindow cycleFrom(MonthDay start) {
    return new QualificationWindow(Kind.FIXED_CYCLE, 0, start);
  }

  /** @return true for the windows made of consecutive periods (all but rolling) */
  public boolean isPeriodic() {
    return kind != Kind.ROLLING_MONTHS;
  }

  /**
   * The window in force at an instant: for the periodic kinds, the period containing it; for a
   * rolling window, the {@code months} months ending with the day of {@code at} (the days whose date
   * plus {@code months} months is after it).
   *
   * @param at the instant, not null
   * @param zone the member's zone, not null
   * @param enrolledAt when the member enrolled (anchors the anniversary year), not null
   * @return the period
   */
  public QualifyingPeriod at(Instant at, ZoneId zone, Instant enrolledAt) {
    LocalDate day = LocalDate.ofInstant(at, zone);
    if (kind == Kind.ROLLING_MONTHS) {
      // A day counts until N months after it, counted forward as a term is: counted back from today,
      // 28 February 2025 minus 12 months is the 28th, and 29 February 2024 (whose 12 months end on
      // the 28th) would count again in the window that ends with the status it earned.
      LocalDate first = day.minusMonths(months).plusDays(1);
      while (!first.plusMonths(months).isAfter(day)) {
        first = first.plusDays(1);
      }
      return span(first, day.plusDays(1), zone);
    }
    MonthDay anchor = kind == Kind.CALENDAR_YEAR ? MonthDay.of(1, 1)
        : kind == Kind.FIXED_CYCLE ? cycleStart
        : MonthDay.from(LocalDate.ofInstant(enrolledAt, zone));
    LocalDate start = anchor.atYear(day.getYear());
    if (start.isAfter(day)) {
      start = anchor.atYear(day.getYear() - 1);
    }
    return span(start, anchor.atYear(start.getYear() + 1), zone);
  }

  private static QualifyingPeriod span(LocalDate first, LocalDate next, ZoneId zone) {
    return new QualifyingPeriod(first.atStartOfDay(zone).toInstant(), next.atStartOfDay(zone).toInstant());
  }
}
