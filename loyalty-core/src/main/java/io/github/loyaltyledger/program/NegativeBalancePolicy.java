package io.github.loyaltyledger.program;

/**
 * What happens when a credit is reversed (a purchase returned, an award withdrawn) after its points
 * were already spent, so that the member's available points do not cover the reversal.
 *
 * <p>Points of the credit that an open hold holds at the till are not spent: under {@link #REFUSE}
 * and {@link #CLAMP} a reversal that needs them is refused with {@code LoyaltyError.PointsOnHold}
 * until the hold is captured (the points are then spent, and the policy decides) or voided (they
 * are then available, and the reversal takes them). Under {@link #ALLOW_NEGATIVE} they go into
 * deficit, which the hold's void repays.
 */
public enum NegativeBalancePolicy {
  /** The reversal is refused as insufficient points and nothing is written. */
  REFUSE,
  /**
   * The reversal takes what is available and records the shortfall in the entry's details
   * ({@code shortfall}); the balance never goes below zero. The shortfall is forgiven only until
   * points come back: the next points given back (a cancelled redemption, a voided or released hold,
   * the rest of a partial capture, a reversed debit) settle it first, through a {@code REVERSAL} of
   * the credit ({@code forgiven.settled}), as they would repay a deficit under {@link
   * #ALLOW_NEGATIVE}; so the order of a refund and a cancellation does not change the balance.
   */
  CLAMP,
  /**
   * The reversal takes the full amount and the available balance goes below zero; later credits
   * repay the deficit before they become spendable. A reversal that would take the balance below
   * {@code -Long.MAX_VALUE} points is refused as a balance overflow.
   */
  ALLOW_NEGATIVE
}
