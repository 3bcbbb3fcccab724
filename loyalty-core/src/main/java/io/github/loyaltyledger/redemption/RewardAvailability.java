package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.List;
import java.util.Objects;

/**
 * One line of {@code Loyalty.availableRewards}: a reward, what it costs the member, and why they
 * cannot redeem it (nothing when it is available).
 *
 * @param reward the reward as the program offers it: the catalogue's reward with the tier ladder's
 *     reward benefits folded in ({@code TierBenefits.rewardAccess} in its {@code tiers},
 *     {@code TierBenefits.rewardCosts} in its {@code costByTier}), so that its terms agree with
 *     {@code cost} and {@code reasons}; the catalogue's reward itself when no tier mentions it
 * @param cost what it costs this member (after tier pricing: the reward's own cost for the tier, else
 *     the tier's benefits' cost for it, else the reward's cost; for points as payment, the fewest
 *     points a payment charges them, {@link Reward#leastCharge})
 * @param reasons why it is unavailable; empty when it is available
 */
public record RewardAvailability(Reward reward, Points cost, List<UnavailableReason> reasons) {

  /**
   * Validates that no field is null.
   *
   * @param reward the reward as the program offers it
   * @param cost what it costs this member (after tier pricing; for points as payment, the fewest
   *     points a payment charges them, {@link Reward#leastCharge})
   * @param reasons why it is unavailable; empty when it is available
   * @throws NullPointerException if an argument is null
   */
  public RewardAvailability {
    Objects.requireNonNull(reward, "reward");
    Objects.requireNonNull(cost, "cost");
    Objects.requireNonNull(reasons, "reasons");
  }

  /** @return true if the member can redeem the reward now (no reasons against it) */
  public boolean isAvailable() {
    return reasons.isEmpty();
  }
}
