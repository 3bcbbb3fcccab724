package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import java.util.Objects;
import org.joda.money.Money;

/**
 * A request to pay part of a basket with points ({@code Loyalty.payWithPoints}) under a
 * {@link RewardKind.PointsAsPayment} reward's {@link PaymentTerms}.
 *
 * @param member the member, not null
 * @param reward the points-as-payment reward, not null
 * @param basket the basket's total in the program's currency, positive
 * @param offered the most points the member wants to use, positive; may be more than they have,
 *     as long as they have the points the payment charges
 * @param channel where the request comes from, not null
 * @param key the idempotency key, not null
 */
public record PointsPayment(
    MemberId member, RewardId reward, Money basket, Points offered, Channel channel, IdempotencyKey key) {

  /**
   * Validates that no field is null.
   *
   * @param member the member, not null
   * @param reward the points-as-payment reward, not null
   * @param basket the basket's total in the program's currency, positive
   * @param offered the most points the member wants to use, positive; may be more than they have,
   *     as long as they have the points the payment charges
   * @param channel where the request comes from, not null
   * @param key the idempotency key, not null
   * @throws NullPointerException if an argument is null
   */
  public PointsPayment {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(reward, "reward");
    Objects.requireNonNull(basket, "basket");
    Objects.requireNonNull(offered, "offered");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(key, "key");
  }
}
