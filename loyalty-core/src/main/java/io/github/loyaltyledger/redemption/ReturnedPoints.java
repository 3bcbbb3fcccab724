package io.github.loyaltyledger.redemption;

import io.vavr.control.Option;
import java.time.Duration;
import java.util.Objects;

/**
 * What happens to points given back to a lot that expired in the meantime — when a redemption is
 * cancelled, a hold is voided or released at expiry, or a partial capture releases the rest.
 * Points whose lot is still alive always go back to it, keeping its expiry.
 *
 * <ul>
 *   <li>{@link #grace(Duration)} (the default, 30 days): the points go into a new lot identified
 *       by the returning entry, expiring after the grace period (at the end of year 9999, the last
 *       instant the ledger supports, if the period reaches past it). Grace is given once: points
 *       taken from a grace lot that expires before they come back return to it, expired, as do
 *       points taken from a lot that had already expired when they were taken. A hold that lapsed
 *       (its expiry passed) kept its points from the member only until then: points of a lot that
 *       expired after the lapse go back to it, expired, whether the daily run releases the hold or
 *       a till voids it;
 *   <li>{@link #expireAtOnce()}: the points go back to their expired lot and the same request
 *       expires them with an {@code EXPIRE} entry (them only: what else is left in the lot waits
 *       for the expiry run).
 * </ul>
 *
 * @param grace the grace period of returned points, or none to expire them at once
 */
public record ReturnedPoints(Option<Duration> grace) {

  /** The default: 30 days' grace. */
  public static final ReturnedPoints DEFAULT = grace(Duration.ofDays(30));

  /**
   * Validates the policy.
   *
   * @param grace the grace period of returned points, or none to expire them at once
   * @throws NullPointerException if {@code grace} is null
   * @throws IllegalArgumentException if the grace period is not positive
   */
  public ReturnedPoints {
    Objects.requireNonNull(grace, "grace");
    if (grace.exists(g -> g.isZero() || g.isNegative())) {
      throw new IllegalArgumentException("a grace period must be positive, was " + grace.get());
    }
  }

  /**
   * Returned points whose lot has expired get a new lot expiring after {@code period}.
   *
   * @param period the grace period, positive; any length is accepted, a lot whose grace would end
   *     after year 9999 ends then (e.g. {@code ChronoUnit.FOREVER.getDuration()} for "never again")
   * @return the policy
   * @throws IllegalArgumentException if the period is zero or negative
   */
  public static ReturnedPoints grace(Duration period) {
    return new ReturnedPoints(Option.some(Objects.requireNonNull(period, "period")));
  }

  /**
   * Returned points whose lot has expired are expired by the same request.
   *
   * @return the policy
   */
  public static ReturnedPoints expireAtOnce() {
    return new ReturnedPoints(Option.none());
  }
}
