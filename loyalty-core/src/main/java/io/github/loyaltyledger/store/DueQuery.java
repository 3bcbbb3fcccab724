package io.github.loyaltyledger.store;

import io.vavr.collection.Set;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.util.Objects;

/**
 * What a daily run asks the {@link DueWorkIndex} for: the members of a partition with any of
 *
 * <ul>
 *   <li>a {@link DueTrack#VESTING} or {@link DueTrack#HOLD_EXPIRY} instant at or before
 *       {@code asOf};
 *   <li>a {@link DueTrack#TIER_REVIEW} instant at or before {@code reviewsBy} (which covers
 *       warnings of a coming downgrade ahead of time);
 *   <li>a {@link DueTrack#LOT_EXPIRY} instant at or before {@code expiringBy} (which covers expiry
 *       notices ahead of time);
 *   <li>live lots and a last activity at or before {@code lastActiveBy}, if given;
 *   <li>a birthday among {@code birthdays}, or an enrolment month-day (in their zone) among
 *       {@code anniversaries}.
 * </ul>
 *
 * <p>The answer may be a superset of the members with work due (the run checks each one exactly
 * from its {@link DueWork} without loading the account), but never misses one.
 *
 * @param asOf the instant of the run
 * @param expiringBy the horizon for lot expiries, not before {@code asOf}
 * @param lastActiveBy the cut-off for inactivity, if the program expires points for inactivity
 * @param birthdays the birthdays to include
 * @param anniversaries the enrolment month-days to include
 * @param partition the share of the members to answer for
 * @param reviewsBy the horizon for tier reviews, not before {@code asOf}
 */
public record DueQuery(
    Instant asOf,
    Instant expiringBy,
    Option<Instant> lastActiveBy,
    Set<MonthDay> birthdays,
    Set<MonthDay> anniversaries,
    Partition partition,
    Instant reviewsBy) {

  /**
   * Validates the query.
   *
   * @param asOf the instant of the run
   * @param expiringBy the horizon for lot expiries, not before {@code asOf}
   * @param lastActiveBy the cut-off for inactivity, if the program expires points for inactivity
   * @param birthdays the birthdays to include
   * @param anniversaries the enrolment month-days to include
   * @param partition the share of the members to answer for
   * @param reviewsBy the horizon for tier reviews, not before {@code asOf}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code expiringBy} or {@code reviewsBy} is before {@code asOf}
   */
  public DueQuery {
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(expiringBy, "expiringBy");
    Objects.requireNonNull(lastActiveBy, "lastActiveBy");
    Objects.requireNonNull(birthdays, "birthdays");
    Objects.requireNonNull(anniversaries, "anniversaries");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(reviewsBy, "reviewsBy");
    if (reviewsBy.isBefore(asOf)) {
      throw new IllegalArgumentException("reviewsBy " + reviewsBy + " is before asOf " + asOf);
    }
    if (expiringBy.isBefore(asOf)) {
      throw new IllegalArgumentException("expiringBy " + expiringBy + " is before asOf " + asOf);
    }
  }

  /**
   * A query without look-ahead for tier reviews.
   *
   * @param asOf the instant of the run
   * @param expiringBy the horizon for lot expiries, not before {@code asOf}
   * @param lastActiveBy the cut-off for inactivity, if any
   * @param birthdays the birthdays to include
   * @param anniversaries the enrolment month-days to include
   * @param partition the share of the members to answer for
   */
  public DueQuery(Instant asOf, Instant expiringBy, Option<Instant> lastActiveBy, Set<MonthDay> birthdays,
      Set<MonthDay> anniversaries, Partition partition) {
    this(asOf, expiringBy, lastActiveBy, birthdays, anniversaries, partition, asOf);
  }
}
