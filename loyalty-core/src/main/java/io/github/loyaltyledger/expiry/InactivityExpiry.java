package io.github.loyaltyledger.expiry;

import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.store.DueWorkIndex;
import io.vavr.collection.Set;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.util.Objects;

/**
 * All of a member's points expire after a number of months without qualifying activity: the last
 * valid day is the day of the latest qualifying entry (or of enrolment) plus the months, in the
 * member's zone, and everything left expires at the start of the following day. Points credited
 * after that without qualifying activity (an adjustment, a transfer in) find the member still
 * inactive: the daily run expires them as of its next run.
 *
 * <p>Qualifying activity is configured by entry kind. The default counts a purchase
 * ({@code EARN}), a redemption ({@code REDEEM} or {@code CAPTURE}) and a gift ({@code BONUS},
 * which is how birthday and anniversary points are credited). The store's due-work index tracks the
 * last activity of the same kinds (see {@link DueWorkIndex#activityKinds()}); the daily run refuses to start when the two differ.
 *
 * @param months the months without activity after which points expire, 1 to 119,987 (shorter than
 *     9,999 years, the years the ledger supports)
 * @param activityKinds the entry kinds that count as activity, not empty
 */
public record InactivityExpiry(int months, Set<EntryKind> activityKinds) {

  /**
   * Validates the policy.
   *
   * @param months the months without activity after which points expire, 1 to 119,987 (shorter than
   *     9,999 years, the years the ledger supports)
   * @param activityKinds the entry kinds that count as activity, not empty
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code months} is outside 1..119,987 (more would expire even
   *     points of the first supported day after year 9999: never) or no kind counts as activity
   */
  public InactivityExpiry {
    Objects.requireNonNull(activityKinds, "activityKinds");
    if (months < 1) {
      throw new IllegalArgumentException("inactivity expiry needs at least 1 month, was " + months);
    }
    FixedTermExpiry.requireSupported("the months without activity", Period.ofMonths(months),
        "give the program no inactivity expiry (Option.none())");
    if (activityKinds.isEmpty()) {
      throw new IllegalArgumentException("at least one entry kind must count as activity");
    }
  }

  /**
   * Points expire after {@code months} months without a purchase, redemption or gift.
   *
   * @param months 1 to 119,987
   * @return the policy with the {@linkplain DueWorkIndex#DEFAULT_ACTIVITY_KINDS default activity kinds}
   * @throws IllegalArgumentException if {@code months} is outside 1..119,987
   */
  public static InactivityExpiry afterMonths(int months) {
    return new InactivityExpiry(months, DueWorkIndex.DEFAULT_ACTIVITY_KINDS);
  }

  /**
   * @param kinds the entry kinds that count as activity, not null, not empty
   * @return a copy counting these kinds
   */
  public InactivityExpiry countingAsActivity(Set<EntryKind> kinds) {
    return new InactivityExpiry(months, kinds);
  }

  /**
   * Computes when a member's points expire if nothing happens after their last activity.
   *
   * @param lastActivity the latest qualifying activity (or enrolment), not null
   * @param zone the member's zone, not null
   * @return the start of the day after the last activity's day plus the months
   */
  public Instant expiresAt(Instant lastActivity, ZoneId zone) {
    return ExpiryPolicy.endOf(LocalDate.ofInstant(lastActivity, zone).plusMonths(months), zone);
  }
}
