package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import java.util.Objects;

/**
 * A request to reverse an earlier {@code EARN}, {@code BONUS}, {@code REDEEM} or {@code ADJUST}
 * entry, at most once. The reversal is a new {@code REVERSAL} entry referencing the original. The
 * {@code REDEEM} entry of a reward (of {@code redeem}, {@code payWithPoints} or an occasion's gift) is
 * cancelled with {@code Loyalty.cancelRedemption} instead, which also gives back its stock and limit
 * use; {@code reverse} refuses it.
 *
 * <p>Reversing a credit takes its points back from the lot it created first, then from other
 * available lots; if the member already spent them, the program's
 * {@link io.github.loyaltyledger.program.NegativeBalancePolicy} decides. Points of the credit that
 * expired unused are not taken back: they were lost once already (the reversal's {@code expired}
 * detail says how many were spared). Points of it that an open hold holds are not spent: under the
 * {@code REFUSE} and {@code CLAMP} policies the reversal is refused with
 * {@link LoyaltyError.PointsOnHold} until the hold is captured or voided (under {@code REFUSE},
 * with {@link LoyaltyError.InsufficientPoints} when the points would be lacking even then). Reversing a debit
 * restores the points to the lots they came from (a lot that has expired meanwhile gets them back
 * and loses them at the next expiry run), except those of a credit reversed or refunded since:
 * they go to the lots its reversal took in their place, as when a redemption is cancelled; and
 * what a clamped reversal of a credit forgave is settled from them first ({@code CLAMP}).
 *
 * @param entry the entry to reverse
 * @param reason why, 1 to 500 characters
 * @param key the request's idempotency key
 */
public record Reversal(EntryId entry, String reason, IdempotencyKey key) {

  /**
   * Validates that no field is null.
   *
   * @param entry the entry to reverse
   * @param reason why, 1 to 500 characters
   * @param key the request's idempotency key
   * @throws NullPointerException if an argument is null
   */
  public Reversal {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(key, "key");
  }

  /**
   * @param entry the entry to reverse, not null
   * @param reason why, not blank
   * @param key the idempotency key, not null
   * @return the request
   */
  public static Reversal of(EntryId entry, String reason, IdempotencyKey key) {
    return new Reversal(entry, reason, key);
  }
}
