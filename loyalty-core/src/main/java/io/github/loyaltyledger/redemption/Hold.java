package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;
import org.joda.money.Money;

/**
 * Points reserved at the till by {@code Loyalty.authorize}: they left the member's available
 * balance at once and are held until the hold is captured, voided or released at expiry — at most
 * one of these, once. The hold is the {@code HOLD} entry; its id is the hold's id. The key and
 * channel it was made with are its receipt's {@link Receipt#key() key} and the channel of the
 * receipt's {@code HOLD} entry. {@code Loyalty.openHolds} lists a member's open holds, as
 * {@code authorize} answered them, for a till that lost a hold's id. A hold of a payment with points
 * ({@code Loyalty.authorize(PointsPayment, Duration)}) holds the points the payment charges, for
 * its reward, and says the money they pay ({@link #moneyApplied()}); it is captured whole.
 *
 * @param id the id of the {@code HOLD} entry
 * @param points the points held
 * @param expiresAt when the hold can no longer be captured
 * @param reward the reward held for, if any (its stock and the member's limit are reserved too)
 * @param receipt the receipt of the authorization
 * @param moneyApplied for a hold of a payment with points, the money its capture pays; none otherwise
 */
public record Hold(EntryId id, Points points, Instant expiresAt, Option<RewardId> reward, Receipt receipt,
    Option<Money> moneyApplied) {

  /**
   * Validates that no field is null.
   *
   * @param id the id of the {@code HOLD} entry
   * @param points the points held
   * @param expiresAt when the hold can no longer be captured
   * @param reward the reward held for, if any (its stock and the member's limit are reserved too)
   * @param receipt the receipt of the authorization
   * @param moneyApplied for a hold of a payment with points, the money its capture pays; none otherwise
   * @throws NullPointerException if an argument is null
   */
  public Hold {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(reward, "reward");
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(moneyApplied, "moneyApplied");
  }

  /**
   * A hold that is no payment with points ({@link #moneyApplied()} none): the constructor before
   * payment holds, kept for callers that build holds themselves (test doubles).
   *
   * @param id the id of the {@code HOLD} entry
   * @param points the points held
   * @param expiresAt when the hold can no longer be captured
   * @param reward the reward held for, if any
   * @param receipt the receipt of the authorization
   * @throws NullPointerException if an argument is null
   */
  public Hold(EntryId id, Points points, Instant expiresAt, Option<RewardId> reward, Receipt receipt) {
    this(id, points, expiresAt, reward, receipt, Option.none());
  }
}
