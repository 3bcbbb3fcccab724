package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * A request to spend an active member's available points: a {@code REDEEM} entry that consumes
 * lots soonest-expiring first. Refused with {@link LoyaltyError.InsufficientPoints} if the
 * available points do not cover it.
 *
 * @param member whose points are spent
 * @param points how many, positive
 * @param reason what they were spent on, 1 to 500 characters
 * @param key the request's idempotency key
 * @param occurredAt when it happened; the clock's instant if absent
 * @param channel where it happened
 */
public record Debit(
    MemberId member, Points points, String reason, IdempotencyKey key, Option<Instant> occurredAt, Channel channel) {

  /**
   * Validates that no field is null.
   *
   * @param member whose points are spent
   * @param points how many, positive
   * @param reason what they were spent on, 1 to 500 characters
   * @param key the request's idempotency key
   * @param occurredAt when it happened; the clock's instant if absent
   * @param channel where it happened
   * @throws NullPointerException if an argument is null, or an option holds null
   */
  public Debit {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(channel, "channel");
    // Option.some(null) passes the check above; the facade would then throw on it.
    occurredAt.forEach(at -> Objects.requireNonNull(at, "occurredAt holds null"));
  }

  /**
   * A debit occurring now on the system channel.
   *
   * @param member the member, not null
   * @param points the points, positive
   * @param reason what they are spent on, not blank
   * @param key the idempotency key, not null
   * @return the request
   */
  public static Debit of(MemberId member, Points points, String reason, IdempotencyKey key) {
    return new Debit(member, points, reason, key, Option.none(), Channel.system());
  }

  /**
   * @param at when it happened, not null; between years 1 and 9999 (else the facade refuses it
   *     with {@link LoyaltyError.InvalidRequest})
   * @return a copy with this instant
   * @throws NullPointerException if the instant is null
   */
  public Debit occurredAt(Instant at) {
    return new Debit(member, points, reason, key, Option.some(at), channel);
  }

  /**
   * @param from where it happened, not null
   * @return a copy with this channel
   * @throws NullPointerException if the channel is null
   */
  public Debit via(Channel from) {
    return new Debit(member, points, reason, key, occurredAt, from);
  }
}
