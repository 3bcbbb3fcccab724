package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierBenefits;
import io.github.loyaltyledger.tier.TierLadder;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.collection.SortedMap;
import io.vavr.control.Option;

/**
 * The tier ladder's {@link TierBenefits} folded into the terms the other engines read, so that each
 * engine keeps reading its own terms and every reader of them agrees. An engine's explicit per-tier
 * terms win over the ladder's benefits, which win over the engine's defaults.
 */
final class LadderBenefits {

  private LadderBenefits() {}

  /**
   * A reward as the program offers it: for each tier it has no cost of its own for, the tier's
   * {@link TierBenefits#rewardCosts()} entry for its id; and, if tiers list its id in their
   * {@link TierBenefits#rewardAccess()}, those tiers added to the tiers that may redeem it (which
   * are then only those, when the reward itself names none). Without a ladder, or when no tier
   * mentions the reward, the reward itself.
   */
  static Reward offered(Reward reward, Option<TierLadder> ladder) {
    String id = reward.id().value();
    List<Tier> tiers = ladder.map(TierLadder::tiers).getOrElse(List.empty());
    SortedMap<String, Points> costs = reward.costByTier();
    for (Tier tier : tiers) {
      String name = tier.id().value();
      Option<Points> cost = tier.benefits().rewardCosts().get(id);
      if (cost.isDefined() && !costs.containsKey(name)) {
        costs = costs.put(name, cost.get());
      }
    }
    Set<String> unlocking = tiers.filter(t -> t.benefits().rewardAccess().contains(id)).map(t -> t.id().value()).toSet();
    if (costs.equals(reward.costByTier()) && unlocking.isEmpty()) {
      return reward;
    }
    return new Reward(reward.id(), reward.name(), reward.kind(), reward.cost(), costs, reward.from(), reward.until(),
        reward.channels(), reward.tiers().union(unlocking), reward.stock(), reward.limit());
  }

  /**
   * A birthday rule as the program applies it: for each tier it has no terms of its own for whose
   * benefits give {@link TierBenefits#birthdayPoints()}, those points in a window of
   * {@link TierBenefits#birthdayWindowDays()} days either side of the birthday. Without a ladder, or
   * when no tier gives birthday points, the rule itself.
   */
  static BirthdayRule birthdays(BirthdayRule rule, Option<TierLadder> ladder) {
    BirthdayRule applied = rule;
    for (Tier tier : ladder.map(TierLadder::tiers).getOrElse(List.empty())) {
      TierBenefits benefits = tier.benefits();
      if (benefits.birthdayPoints().isPositive() && !rule.byTier().containsKey(tier.id().value())) {
        applied = applied.forTier(tier.id().value(), new OccasionTerms(
            OccasionWindow.daysAround(benefits.birthdayWindowDays()),
            new OccasionReward(Option.some(benefits.birthdayPoints()), Option.none())));
      }
    }
    return applied;
  }
}
