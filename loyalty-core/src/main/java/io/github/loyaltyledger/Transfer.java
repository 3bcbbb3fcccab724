package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * A request to move available points from one active member to another (family pooling, gifting).
 * Both sides are written atomically: {@code TRANSFER_OUT} entries that consume the sender's lots and
 * {@code TRANSFER_IN} entries that each create one lot for the receiver, each referencing its
 * {@code TRANSFER_OUT}. Without {@code expiresAt} the received points keep the expiries of the
 * sender's lots they were taken from, lot by lot (10 points from a lot expiring in January and 5 from
 * one that never expires give the receiver 10 expiring in January and 5 that never do), in one pair of
 * entries per expiry, so that sending points back and forth never extends their life. With
 * {@link #expiringAt} every received point expires at that instant instead, in one pair of entries.
 * The program's {@code lotExpiry} is never applied to a transfer.
 *
 * @param from the sender
 * @param to the receiver, not the sender
 * @param points how many, positive
 * @param reason why, 1 to 500 characters
 * @param key the request's idempotency key
 * @param channel where it was requested
 * @param expiresAt when the received points expire, if not when the sender's lots do
 */
public record Transfer(
    MemberId from, MemberId to, Points points, String reason, IdempotencyKey key, Channel channel, Option<Instant> expiresAt) {

  /**
   * The entry detail that numbers the pair of entries of a transfer written in several pairs (one
   * per expiry of the points sent): {@code 1} for the first pair, both its {@code TRANSFER_OUT} and
   * its {@code TRANSFER_IN}. A transfer written in one pair carries neither this detail nor
   * {@link #PARTS_DETAIL}.
   */
  public static final String PART_DETAIL = "transfer.part";

  /**
   * The entry detail that says how many pairs of entries a transfer written in several pairs has,
   * on each of its entries: a listener that tells a member once per transfer knows its last part
   * when {@link #PART_DETAIL} reaches it (an entry with neither detail is a whole transfer).
   */
  public static final String PARTS_DETAIL = "transfer.parts";

  /**
   * Validates that no field is null.
   *
   * @param from the sender
   * @param to the receiver, not the sender
   * @param points how many, positive
   * @param reason why, 1 to 500 characters
   * @param key the request's idempotency key
   * @param channel where it was requested
   * @param expiresAt when the received points expire, if not when the sender's lots do
   * @throws NullPointerException if an argument is null, or an option holds null
   */
  public Transfer {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(expiresAt, "expiresAt");
    // Option.some(null) passes the check above; the facade would then throw on it.
    expiresAt.forEach(at -> Objects.requireNonNull(at, "expiresAt holds null"));
  }

  /**
   * A transfer on the system channel whose received points keep the expiries of the sender's lots
   * they are taken from.
   *
   * @param from the sender, not null
   * @param to the receiver, not null
   * @param points the points, positive
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the request
   */
  public static Transfer of(MemberId from, MemberId to, Points points, String reason, IdempotencyKey key) {
    return new Transfer(from, to, points, reason, key, Channel.system(), Option.none());
  }

  /**
   * @param where where it was requested, not null
   * @return a copy with this channel
   * @throws NullPointerException if the channel is null
   */
  public Transfer via(Channel where) {
    return new Transfer(from, to, points, reason, key, where, expiresAt);
  }

  /**
   * @param at when the received points expire, not null; between years 1 and 9999 (else the
   *     facade refuses it with {@link LoyaltyError.InvalidRequest})
   * @return a copy whose received points all expire at this instant, whatever lots they are taken from
   * @throws NullPointerException if the instant is null
   */
  public Transfer expiringAt(Instant at) {
    return new Transfer(from, to, points, reason, key, channel, Option.some(at));
  }
}
