package io.github.loyaltyledger.tier;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;

/**
 * How long status lasts once earned, before it is reviewed:
 *
 * <ul>
 *   <li>{@link Kind#UNTIL_END_OF_NEXT_PERIOD}: the rest of the period in which it was earned and all
 *       of the next (periodic windows only);
 *   <li>{@link Kind#MONTHS}: N months from the day it was earned, through the end of that day (a
 *       day the member's zone skipped, such as 30 December 2011 in {@code Pacific/Apia}, is stood
 *       for by the day after it, through whose end the status then runs).
 * </ul>
 *
 * @param kind which kind of term
 * @param months the length of a {@link Kind#MONTHS} term, 1 to 120 (0 for the other kind)
 */
public record TierTerm(Kind kind, int months) {

  /** The kinds of term. */
  public enum Kind {
    /** Until the end of the period after the one in which status was earned. */
    UNTIL_END_OF_NEXT_PERIOD,
    /** A number of months from the day status was earned. */
    MONTHS
  }

  /**
   * Validates the term.
   *
   * @param kind which kind of term
   * @param months the length of a {@link Kind#MONTHS} term, 1 to 120 (0 for the other kind)
   * @throws NullPointerException if {@code kind} is null
   * @throws IllegalArgumentException if a months term is not 1 to 120 months, or the other kind has
   *     months
   */
  public TierTerm {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.MONTHS ? months < 1 || months > 120 : months != 0) {
      throw new IllegalArgumentException("a months term has 1 to 120 months and the other kind none, was "
          + kind + " with " + months);
    }
  }

  /** @return status until the end of the period after the one it was earned in */
  public static TierTerm untilEndOfNextPeriod() {
    return new TierTerm(Kind.UNTIL_END_OF_NEXT_PERIOD, 0);
  }

  /**
   * @param months the term's length, 1 to 120
   * @return status for {@code months} months from the day it was earned
   */
  public static TierTerm months(int months) {
    return new TierTerm(Kind.MONTHS, months);
  }

  /**
   * When status earned at an instant ends.
   *
   * @param earnedAt when it was earned, not null
   * @param window the ladder's window, not null
   * @param zone the member's zone, not null
   * @param enrolledAt when the member enrolled, not null
   * @return the first instant the status no longer covers (a review is due then)
   */
  public Instant end(Instant earnedAt, QualificationWindow window, ZoneId zone, Instant enrolledAt) {
    if (kind == Kind.MONTHS) {
      LocalDate lastDay = LocalDate.ofInstant(earnedAt, zone).plusMonths(months);
      // A last day the zone skipped has no start of its own: its start is that of the day after,
      // which then stands for it. Ending at that start instead kept the earning day inside the
      // window that ends with the status (a day counts until N months after it, that same instant).
      LocalDate standing = lastDay.atStartOfDay(zone).toLocalDate();
      return standing.plusDays(1).atStartOfDay(zone).toInstant();
    }
    Instant next = window.at(earnedAt, zone, enrolledAt).end();
    return window.at(next, zone, enrolledAt).end();
  }
}
