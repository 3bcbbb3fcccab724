package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.vavr.control.Option;
import java.util.Objects;
import org.joda.money.Money;

/**
 * The result of a redemption — {@code Loyalty.redeem}, {@code Loyalty.payWithPoints} or the
 * capture of a hold: the entry that spent the points (pass its id to
 * {@code Loyalty.cancelRedemption}), the receipt, and what the member got. A replay of the request
 * returns an equal redemption, with the same voucher code.
 *
 * @param entry the {@code REDEEM} or {@code CAPTURE} entry that spent the points
 * @param receipt the receipt of the request
 * @param reward the reward redeemed, if it was one (none for a hold of plain points)
 * @param points the points spent
 * @param voucherCode the voucher's code, for a voucher reward
 * @param moneyApplied the money paid with points, for points as payment
 */
public record Redemption(
    EntryId entry, Receipt receipt, Option<RewardId> reward, Points points, Option<String> voucherCode,
    Option<Money> moneyApplied) {

  /**
   * Validates that no field is null.
   *
   * @param entry the {@code REDEEM} or {@code CAPTURE} entry that spent the points
   * @param receipt the receipt of the request
   * @param reward the reward redeemed, if it was one (none for a hold of plain points)
   * @param points the points spent
   * @param voucherCode the voucher's code, for a voucher reward
   * @param moneyApplied the money paid with points, for points as payment
   * @throws NullPointerException if an argument is null
   */
  public Redemption {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(reward, "reward");
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(voucherCode, "voucherCode");
    Objects.requireNonNull(moneyApplied, "moneyApplied");
  }
}
