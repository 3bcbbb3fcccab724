package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.store.DueWork;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Retention by enrolment cohort: for the members who enrolled in each month, the share active in
 * each following month. A member is active in a month if an entry of one of the
 * {@link #ACTIVITY_KINDS} occurred in it (a purchase or a redemption: something the member did,
 * not a gift or an expiry; a {@code Credit} is an {@code EARN} entry too unless made a
 * {@code BONUS}, so post goodwill as a bonus to keep it out). A birthday or anniversary gift from the catalogue, which the daily run
 * writes as a zero-point {@code REDEEM}, is the programme's doing and does not count.
 *
 * @param asOf the instant the ledger is read at
 * @param zone the zone that decides months
 * @param cohorts one cohort per enrolment month, oldest first
 */
public record Retention(Instant asOf, ZoneId zone, List<RetentionCohort> cohorts) {

  /** The entry kinds that make a member active: {@code EARN}, {@code REDEEM}, {@code CAPTURE}. */
  public static final Set<EntryKind> ACTIVITY_KINDS = HashSet.of(EntryKind.EARN, EntryKind.REDEEM, EntryKind.CAPTURE);

  /** Whether an entry makes its member active: one of the activity kinds, but not an occasion's gift. */
  static boolean isActivity(Entry e) {
    return ACTIVITY_KINDS.contains(e.kind()) && !e.details().containsKey(DueWork.OCCASION_DETAIL);
  }

  /**
   * Validates that no field is null.
   *
   * @param asOf the instant the ledger is read at
   * @param zone the zone that decides months
   * @param cohorts one cohort per enrolment month, oldest first
   * @throws NullPointerException if an argument is null
   */
  public Retention {
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(cohorts, "cohorts");
  }
}
