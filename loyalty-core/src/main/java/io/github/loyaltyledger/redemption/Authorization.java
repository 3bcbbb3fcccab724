package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.Objects;

/**
 * A request to hold points at the till ({@code Loyalty.authorize}): either a number of points, or
 * a reward (whose cost is held, and whose stock and limit are reserved). Create one with
 * {@link #points} or {@link #reward}.
 *
 * @param member the member, not null
 * @param reward the reward to hold for, or none for plain points
 * @param points the points to hold (for a reward: ignored, the reward's cost is held)
 * @param ttl how long the hold may be captured, positive and at most the catalogue's longest
 * @param channel where the request comes from
 * @param key the idempotency key
 */
public record Authorization(
    MemberId member, Option<RewardId> reward, Points points, Duration ttl, Channel channel, IdempotencyKey key) {

  /**
   * Validates that no field is null.
   *
   * @param member the member, not null
   * @param reward the reward to hold for, or none for plain points
   * @param points the points to hold (for a reward: ignored, the reward's cost is held)
   * @param ttl how long the hold may be captured, positive and at most the catalogue's longest
   * @param channel where the request comes from
   * @param key the idempotency key
   * @throws NullPointerException if an argument is null, or the reward option holds null
   */
  public Authorization {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(reward, "reward");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(key, "key");
    // Option.some(null) passes the check above; the facade would then throw on it.
    reward.forEach(r -> Objects.requireNonNull(r, "reward holds null"));
  }

  /**
   * A hold of plain points, e.g. to pay with points once the basket is final.
   *
   * @param member the member, not null
   * @param points the points to hold, positive
   * @param ttl the hold's time-to-live, not null
   * @param channel the till's channel, not null
   * @param key the idempotency key, not null
   * @return the request
   */
  public static Authorization points(MemberId member, Points points, Duration ttl, Channel channel, IdempotencyKey key) {
    return new Authorization(member, Option.none(), points, ttl, channel, key);
  }

  /**
   * A hold for a reward: its cost, one unit of its stock and one use of the member's limit.
   *
   * @param member the member, not null
   * @param reward the reward, not null
   * @param ttl the hold's time-to-live, not null
   * @param channel the till's channel, not null
   * @param key the idempotency key, not null
   * @return the request
   */
  public static Authorization reward(MemberId member, RewardId reward, Duration ttl, Channel channel, IdempotencyKey key) {
    return new Authorization(member, Option.some(Objects.requireNonNull(reward, "reward")), Points.ZERO, ttl, channel, key);
  }
}
