package io.github.loyaltyledger.earning;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.stream.LongStream;

/**
 * When a time-boxed campaign runs: an optional date range (inclusive), days of the week and a
 * window of the day, read on the wall clock of the program's zone or of the member's zone. For
 * example double points on Tuesdays 14:00–17:00:
 * {@code Schedule.always().on(DayOfWeek.TUESDAY).between(LocalTime.of(14, 0), LocalTime.of(17, 0))}.
 *
 * <p>Dates, days and hours are those of the zone's wall clock. On the night the clocks go back, a
 * time in the hour they repeat is in a window both times: in New York, which repeats 01:00-02:00
 * on the first Sunday of November, a window of 01:30-02:30 takes purchases at both 01:45s and runs
 * two hours. On the night the clocks go forward, the times they skip never come: in Berlin, which
 * skips 02:00-03:00 on the last Sunday of March, the same window runs from 01:30 to the jump, half
 * an hour, and a window inside the skipped hour not at all that night.
 *
 * @param from the first day, if bounded
 * @param until the last day (inclusive), if bounded
 * @param days the days of the week it runs on; empty means every day
 * @param window the time of day it runs in, start inclusive and end exclusive; none means all day
 * @param zone whose wall clock the schedule is read on
 */
public record Schedule(
    Option<LocalDate> from, Option<LocalDate> until, SortedSet<DayOfWeek> days, Option<Window> window, Zone zone) {

  /** The date the first supported instant (year 1) has in the zone furthest behind UTC. */
  private static final LocalDate FIRST_LOCAL_DATE = LocalDate.ofInstant(Instant.parse("0001-01-01T00:00:00Z"),
      ZoneOffset.MIN);

  /** The date the last supported instant (year 9999) has in the zone furthest ahead of UTC. */
  private static final LocalDate LAST_LOCAL_DATE = LocalDate.ofInstant(
      Instant.parse("9999-12-31T23:59:59.999999999Z"), ZoneOffset.MAX);

  /** Whose time zone a schedule is read in. */
  public enum Zone {
    /** The program's zone. */
    PROGRAM,
    /**
     * The member's own zone: the one they enrolled with or, for a member who enrolled without one,
     * the program's zone at their enrolment, which they keep if a later version moves the program.
     */
    MEMBER
  }

  /**
   * A time of day window. It ends within the day it starts: an end of {@link LocalTime#MIDNIGHT}
   * (00:00) is the midnight that ends the day, so {@code 20:00-00:00} runs until the day is over.
   *
   * @param start the first instant of the window, inclusive
   * @param end the end of the window, exclusive; after {@code start}, or 00:00 for the end of the day
   */
  public record Window(LocalTime start, LocalTime end) {
    /**
     * Validates the window.
     *
     * @param start the first instant of the window, inclusive
     * @param end the end of the window, exclusive; after {@code start}, or 00:00 for the end of the day
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code end} is neither after {@code start} nor 00:00 (a
     *     window across midnight, which is two windows: one ending at 00:00, one starting at 00:00)
     */
    public Window {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      if (!end.isAfter(start) && !end.equals(LocalTime.MIDNIGHT)) {
        throw new IllegalArgumentException("window end " + end + " must be after its start " + start
            + ", or 00:00 for the end of the day; a window across midnight is two windows (two rules, one ending at"
            + " 00:00 and one starting at 00:00, each with its own days)");
      }
    }

    /**
     * Tells whether a time of day falls in the window.
     *
     * @param time the time of day, not null
     * @return true if it is at or after the start and before the end (any time after the start for
     *     an end of 00:00)
     */
    public boolean covers(LocalTime time) {
      return !time.isBefore(start) && (end.equals(LocalTime.MIDNIGHT) || time.isBefore(end));
    }
  }

  /**
   * Validates the schedule.
   *
   * @param from the first day, if bounded
   * @param until the last day (inclusive), if bounded
   * @param days the days of the week it runs on; empty means every day
   * @param window the time of day it runs in, start inclusive and end exclusive; none means all day
   * @param zone whose wall clock the schedule is read on
   * @throws NullPointerException if an argument is null, or an option or the days hold null
   * @throws IllegalArgumentException if {@code until} is before {@code from}, no date from
   *     {@code from} to {@code until} falls on one of the {@code days}, or {@code from} is after, or
   *     {@code until} before, every date an instant of years 1 to 9999 (those the ledger supports)
   *     has in some zone (the schedule would never run)
   */
  public Schedule {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(days, "days");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(zone, "zone");
    // Option.some(null) passes the checks above; the engine would then throw on every purchase.
    from.forEach(d -> Objects.requireNonNull(d, "from holds null"));
    until.forEach(d -> Objects.requireNonNull(d, "until holds null"));
    window.forEach(w -> Objects.requireNonNull(w, "window holds null"));
    days.forEach(d -> Objects.requireNonNull(d, "days holds null"));
    if (from.isDefined() && until.isDefined() && until.get().isBefore(from.get())) {
      throw new IllegalArgumentException("schedule ends (" + until.get() + ") before it starts (" + from.get() + ")");
    }
    // Purchases and events happen within years 1 to 9999: a schedule outside every date they have in
    // some zone would never run.
    if (from.exists(LAST_LOCAL_DATE::isBefore) || until.exists(FIRST_LOCAL_DATE::isAfter)) {
      throw new IllegalArgumentException("schedule dates " + from.map(LocalDate::toString).getOrElse("…") + " to "
          + until.map(LocalDate::toString).getOrElse("…") + " lie outside years 1 to 9999, the years the ledger"
          + " supports, so the schedule would never run; check its dates (a year typed with a digit too many?)");
    }
    // A week holds every day: only dates less than a week apart can miss all the days chosen.
    // Counted from the first date, never past the last: at LocalDate.MAX a day more would throw.
    long span = from.isDefined() && until.isDefined() ? ChronoUnit.DAYS.between(from.get(), until.get()) : 7;
    if (!days.isEmpty() && span < 6
        && LongStream.rangeClosed(0, span).mapToObj(from.get()::plusDays).noneMatch(d -> days.contains(d.getDayOfWeek()))) {
      throw new IllegalArgumentException("schedule runs on " + days.mkString(", ") + " only, and none of its dates ("
          + from.get() + " to " + until.get() + ") is one; it would never run: widen the dates or choose other days");
    }
  }

  /** @return a schedule that always runs, read in the program's zone */
  public static Schedule always() {
    return new Schedule(Option.none(), Option.none(), TreeSet.empty(), Option.none(), Zone.PROGRAM);
  }

  /**
   * @param first the first day, not null
   * @param last the last day, inclusive, not null
   * @return a copy running only on these dates
   * @throws IllegalArgumentException if {@code last} is before {@code first}, none of these dates
   *     falls on one of the schedule's days of the week, or they lie outside years 1 to 9999 (see
   *     the constructor)
   */
  public Schedule dates(LocalDate first, LocalDate last) {
    return new Schedule(Option.some(Objects.requireNonNull(first, "first")), Option.some(Objects.requireNonNull(last, "last")),
        days, window, zone);
  }

  /**
   * @param weekdays the days of the week, at least one, not null
   * @return a copy running only on these days
   * @throws IllegalArgumentException if no day is given (which would mean every day, and undo an
   *     earlier choice of days), or none of the schedule's dates falls on one of them
   */
  public Schedule on(DayOfWeek... weekdays) {
    Objects.requireNonNull(weekdays, "weekdays");
    if (weekdays.length == 0) {
      throw new IllegalArgumentException("name at least one day of the week; a schedule for every day needs no days");
    }
    for (DayOfWeek d : weekdays) {
      Objects.requireNonNull(d, "weekday");
    }
    return new Schedule(from, until, TreeSet.of(weekdays), window, zone);
  }

  /**
   * @param start the start of the daily window, inclusive, not null
   * @param end the end of the daily window, exclusive, not null; {@link LocalTime#MIDNIGHT} (00:00)
   *     for the end of the day
   * @return a copy running only in this window
   * @throws IllegalArgumentException if {@code end} is neither after {@code start} nor 00:00
   */
  public Schedule between(LocalTime start, LocalTime end) {
    return new Schedule(from, until, days, Option.some(new Window(start, end)), zone);
  }

  /**
   * @param basis whose zone to read the schedule in, not null
   * @return a copy read in that zone
   */
  public Schedule in(Zone basis) {
    return new Schedule(from, until, days, window, basis);
  }

  /**
   * Tells whether a wall-clock time falls in the schedule.
   *
   * @param local the time on the chosen zone's wall clock, not null
   * @return true if the campaign runs then
   */
  public boolean covers(LocalDateTime local) {
    LocalDate date = local.toLocalDate();
    LocalTime time = local.toLocalTime();
    return !from.exists(date::isBefore)
        && !until.exists(date::isAfter)
        && (days.isEmpty() || days.contains(local.getDayOfWeek()))
        && window.forAll(w -> w.covers(time));
  }

  /** @return a compact description, e.g. {@code TUESDAY 14:00-17:00 (PROGRAM zone)} */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    if (from.isDefined() || until.isDefined()) {
      s.append(from.map(LocalDate::toString).getOrElse("…")).append("..").append(until.map(LocalDate::toString).getOrElse("…")).append(' ');
    }
    s.append(days.isEmpty() ? "every day" : days.mkString(","));
    window.forEach(w -> s.append(' ').append(w.start()).append('-').append(w.end()));
    return s.append(" (").append(zone).append(" zone)").toString();
  }
}
