package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.SortedMap;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import org.joda.money.Money;

/**
 * The programme's outstanding points as of an instant, what they are worth at a redemption rate,
 * and how they split by expiry and by tier.
 *
 * <p>Outstanding points are each member's live lots (available and pending) plus their points in
 * open holds, as the ledger stood at {@code asOf}; a member's negative balance after a clawback is
 * a debt and is not netted against other members' points. Every split adds up to
 * {@code outstanding}. Values are rounded once per figure, so the values of the parts may differ
 * from {@link #value()} by rounding.
 *
 * @param asOf the instant the ledger is read at (the entries up to the last one recorded at or
 *     before it, as {@code Loyalty.balanceAsOf} reads the ledger)
 * @param zone the zone in which days until expiry are counted
 * @param rate the redemption rate used for values
 * @param members how many members were enrolled at {@code asOf} (enrolled at or before it, as
 *     {@code Loyalty.retention} counts them), so that the figure of a past instant does not change
 *     as members enrol later
 * @param outstanding the total outstanding points
 * @param byExpiry the outstanding points per expiry bucket (every bucket present, zero if empty)
 * @param byTier the outstanding points per tier id held at {@code asOf} as the ledger then stood (an
 *     entry recorded later, such as a back-dated purchase, moves no points); members without a tier under
 *     {@link #NO_TIER}
 */
public record Liability(
    Instant asOf,
    ZoneId zone,
    RedemptionRate rate,
    long members,
    Points outstanding,
    SortedMap<ExpiryBucket, Points> byExpiry,
    SortedMap<String, Points> byTier) {

  /** The {@link #byTier()} key of members who hold no tier (or when the program has no ladder). */
  public static final String NO_TIER = "";

  /**
   * Validates that no field is null.
   *
   * @param asOf the instant the ledger is read at (the entries up to the last one recorded at or
   *     before it, as {@code Loyalty.balanceAsOf} reads the ledger)
   * @param zone the zone in which days until expiry are counted
   * @param rate the redemption rate used for values
   * @param members how many members were enrolled at {@code asOf} (enrolled at or before it)
   * @param outstanding the total outstanding points
   * @param byExpiry the outstanding points per expiry bucket (every bucket present, zero if empty)
   * @param byTier the outstanding points per tier id held at {@code asOf} as the ledger then stood (an
   *     entry recorded later, such as a back-dated purchase, moves no points); members without a tier under
   *     {@link #NO_TIER}
   * @throws NullPointerException if an argument is null
   */
  public Liability {
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(rate, "rate");
    Objects.requireNonNull(outstanding, "outstanding");
    Objects.requireNonNull(byExpiry, "byExpiry");
    Objects.requireNonNull(byTier, "byTier");
  }

  /** @return the money value of all outstanding points at the rate */
  public Money value() {
    return rate.valueOf(outstanding);
  }

  /**
   * @param bucket the expiry bucket, not null
   * @return the money value of that bucket's points at the rate
   */
  public Money valueOf(ExpiryBucket bucket) {
    return rate.valueOf(byExpiry.get(Objects.requireNonNull(bucket, "bucket")).getOrElse(Points.ZERO));
  }
}
