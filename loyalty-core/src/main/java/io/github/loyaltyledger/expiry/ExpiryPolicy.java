package io.github.loyaltyledger.expiry;

import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Gives the points of a new lot their expiry instant, from when they were earned and the member's
 * zone. The earning engine and the occasion grants ask the program's policy for each credit; the
 * expiry run later expires what is left of lots past their instant.
 *
 * <p>Implementations: {@link #never()}, {@link FixedTermExpiry}, {@link CalendarExpiry}, or your
 * own (a pure function; it must answer an instant after {@code earnedAt}, or none: the earning
 * engine fails a rule whose points it dates otherwise, or to expire no later than they vest, with
 * {@code RuleFailed}, and a credit with such an expiry is refused).
 */
@FunctionalInterface
public interface ExpiryPolicy {

  /**
   * Computes when points earned at an instant expire.
   *
   * @param earnedAt when the points were earned, not null
   * @param zone the member's zone, in which calendar dates are evaluated, not null
   * @return the expiry instant (after {@code earnedAt}), or none if the points never expire
   */
  Option<Instant> expiresAt(Instant earnedAt, ZoneId zone);

  /**
   * The policy under which points never expire (the default of a program).
   *
   * @return the policy
   */
  static ExpiryPolicy never() {
    return (earnedAt, zone) -> Option.none();
  }

  /**
   * The instant at which points whose last valid day is {@code lastDay} expire: the start of the
   * next day in the zone (a DST gap at midnight moves it to the first valid instant of that day).
   *
   * @param lastDay the last day on which the points can be spent, not null
   * @param zone the zone, not null
   * @return the start of the following day
   */
  static Instant endOf(LocalDate lastDay, ZoneId zone) {
    Objects.requireNonNull(lastDay, "lastDay");
    Objects.requireNonNull(zone, "zone");
    return lastDay.plusDays(1).atStartOfDay(zone).toInstant();
  }
}
