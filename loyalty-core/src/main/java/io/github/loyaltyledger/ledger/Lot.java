package io.github.loyaltyledger.ledger;

import io.vavr.control.Option;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * An amount of points credited at one time, with its own expiry and vesting instants, and what is
 * left of it.
 *
 * <p>Every credit creates a lot identified by the credit entry's id. Debits consume lots in
 * {@linkplain #CONSUMPTION_ORDER consumption order}: soonest-expiring first, lots without expiry
 * last, oldest first on ties. A lot whose vesting instant has not been processed yet is
 * <em>pending</em>: its points count towards the pending balance and cannot be spent.
 *
 * @param id the id of the credit entry that created the lot
 * @param original the points credited
 * @param remaining the points left, between zero and {@code original}
 * @param earnedAt when the credit occurred
 * @param expiresAt when the remaining points expire, if ever
 * @param vestsAt when the points become available, if the credit was pending
 * @param pending whether the points are still pending (not yet vested)
 */
public record Lot(
    EntryId id,
    Points original,
    Points remaining,
    Instant earnedAt,
    Option<Instant> expiresAt,
    Option<Instant> vestsAt,
    boolean pending) {

  /** Soonest expiry first, lots without expiry last, then oldest (lowest sequence) first. */
  // Written out rather than Comparator.comparing(...).thenComparing(...), which boxed the
  // sequence into a Long on every comparison: every posting that creates a lot compares it.
  public static final Comparator<Lot> CONSUMPTION_ORDER = (a, b) -> {
    int byExpiry = a.expiresAt().getOrElse(Instant.MAX).compareTo(b.expiresAt().getOrElse(Instant.MAX));
    return byExpiry != 0 ? byExpiry : Long.compare(a.id().sequence(), b.id().sequence());
  };

  /**
   * Validates the lot.
   *
   * @param id the id of the credit entry that created the lot
   * @param original the points credited
   * @param remaining the points left, between zero and {@code original}
   * @param earnedAt when the credit occurred
   * @param expiresAt when the remaining points expire, if ever
   * @param vestsAt when the points become available, if the credit was pending
   * @param pending whether the points are still pending (not yet vested)
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code original} is not positive or {@code remaining} is
   *     outside {@code [0, original]}, or a pending lot has no vesting instant
   */
  public Lot {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(remaining, "remaining");
    Objects.requireNonNull(earnedAt, "earnedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(vestsAt, "vestsAt");
    if (!original.isPositive()) {
      throw new IllegalArgumentException("a lot's original points must be positive, was " + original);
    }
    if (remaining.isNegative() || remaining.isGreaterThan(original)) {
      throw new IllegalArgumentException(
          "a lot's remaining points must be within 0.." + original + ", was " + remaining);
    }
    if (pending && vestsAt.isEmpty()) {
      throw new IllegalArgumentException("a pending lot needs a vesting instant");
    }
  }

  /**
   * Returns whether the lot's points have expired at an instant.
   *
   * @param at the instant, not null
   * @return true if the lot has an expiry at or before {@code at}
   */
  public boolean isExpiredAt(Instant at) {
    return expiresAt.exists(expiry -> !expiry.isAfter(at));
  }

  /**
   * Returns a copy with a different remaining amount.
   *
   * @param newRemaining the points left, within {@code [0, original]}
   * @return the changed lot
   */
  public Lot withRemaining(Points newRemaining) {
    return new Lot(id, original, newRemaining, earnedAt, expiresAt, vestsAt, pending);
  }

  /**
   * Returns a copy whose points are no longer pending.
   *
   * @return the vested lot
   */
  public Lot vested() {
    return new Lot(id, original, remaining, earnedAt, expiresAt, vestsAt, false);
  }
}
