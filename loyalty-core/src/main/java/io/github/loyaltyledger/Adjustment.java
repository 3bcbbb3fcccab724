package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * A manual correction by an operator: a signed {@code ADJUST} entry with a reason and the
 * operator's name. A positive adjustment creates a lot (optionally expiring); a negative one
 * consumes available points and is refused if they do not cover it. Allowed for active and
 * suspended members.
 *
 * @param member whose balance is adjusted
 * @param points the signed change, not zero
 * @param reason why, 1 to 500 characters
 * @param operator who made the change, 1 to 100 characters
 * @param key the request's idempotency key
 * @param expiresAt when a positive adjustment's points expire, if they do; none for a negative
 *     adjustment (else the facade refuses it with {@link LoyaltyError.InvalidRequest})
 */
public record Adjustment(
    MemberId member, Points points, String reason, String operator, IdempotencyKey key, Option<Instant> expiresAt) {

  /**
   * Validates that no field is null.
   *
   * @param member whose balance is adjusted
   * @param points the signed change, not zero
   * @param reason why, 1 to 500 characters
   * @param operator who made the change, 1 to 100 characters
   * @param key the request's idempotency key
   * @param expiresAt when a positive adjustment's points expire, if they do; none for a negative
   *     adjustment
   * @throws NullPointerException if an argument is null, or an option holds null
   */
  public Adjustment {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(expiresAt, "expiresAt");
    // Option.some(null) passes the check above; the facade would then throw on it.
    expiresAt.forEach(at -> Objects.requireNonNull(at, "expiresAt holds null"));
  }

  /**
   * An adjustment whose points (if positive) never expire.
   *
   * @param member the member, not null
   * @param points the signed change, not zero
   * @param reason why, not blank
   * @param operator who, not blank
   * @param key the idempotency key, not null
   * @return the request
   */
  public static Adjustment of(MemberId member, Points points, String reason, String operator, IdempotencyKey key) {
    return new Adjustment(member, points, reason, operator, key, Option.none());
  }

  /**
   * @param at when a positive adjustment's points expire, not null; between years 1 and 9999, and
   *     only for a positive adjustment (else the facade refuses it with
   *     {@link LoyaltyError.InvalidRequest})
   * @return a copy with this expiry
   * @throws NullPointerException if the instant is null
   */
  public Adjustment expiringAt(Instant at) {
    return new Adjustment(member, points, reason, operator, key, Option.some(at));
  }
}
