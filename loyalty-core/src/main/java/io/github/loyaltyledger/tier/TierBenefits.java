package io.github.loyaltyledger.tier;

import io.github.loyaltyledger.internal.Decimals;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * What a tier gives its members, as data read by the other engines: the earn multiplier (earning),
 * the rewards the tier unlocks and the tier's own reward costs (redemption), the birthday window and
 * amount (occasions), and free-form perks for the application to show or honour.
 *
 * <p>Redemption ({@code Loyalty.redeem}, {@code payWithPoints}, {@code authorize},
 * {@code availableRewards}) applies the reward benefits of the member's tier (by default from the
 * tier engine, or from the catalogue's own {@code TierSource}): a reward listed in any tier's {@code rewardAccess} may be
 * redeemed only by members of the tiers that list it, and of the tiers the reward names itself
 * ({@code Reward.tiers}), if it names any; a tier's {@code rewardCosts} entry is the reward's cost
 * for the tier unless the reward has a cost of its own for it ({@code Reward.costByTier}). A reward
 * no tier mentions keeps its own terms. A reward access or cost must name a reward of the program's
 * catalogue: {@code LoyaltyProgram} refuses one for another reward, which would do nothing.
 *
 * <p>The daily run gives the birthday benefit through the program's {@code BirthdayRule}: where the
 * rule has no terms of its own for the member's tier ({@code BirthdayRule.forTier}) and the tier's
 * {@code birthdayPoints} are more than zero, the member gets those points in a window from
 * {@code birthdayWindowDays} days before the birthday to as many days after it
 * ({@code OccasionWindow.daysAround}), under the rule's conditions, once a year under the rule's key.
 * A program whose ladder gives birthday points must have a birthday rule: {@code LoyaltyProgram}
 * refuses it without one, rather than grant nothing.
 *
 * <p>The earning engine multiplies the points of every {@code BaseRate} rule (base earn) of a
 * purchase by the multiplier of the member's tier at the purchase's instant, the tier that
 * tier-targeted rules see, before the rule's rounding: {@code amount × rate × multiplier}, rounded
 * once. Other rules (bonuses of other kinds, plugins) are not multiplied; a program whose tiers
 * need a multiplied bonus derives one rule per tier, targeted with {@code RuleTerms.forTiers}.
 *
 * @param earnMultiplier the factor applied to base earn, at least 0 (1 means no change); compared as
 *     written ({@code 1.5} and {@code 1.50} are unequal benefits), since a base rate's explanation
 *     prints it as written ({@code … x 1.50 (tier gold)})
 * @param rewardAccess ids of rewards only members of this tier (and of the other tiers listing them,
 *     or that the reward names) may redeem
 * @param rewardCosts reward id to the cost in points at this tier, where it differs from the list
 *     cost; a cost the reward itself gives the tier wins
 * @param birthdayWindowDays how many days around the birthday (before and after it) the birthday
 *     reward may be claimed, 0 for the day only, at most {@value #MAX_BIRTHDAY_WINDOW_DAYS}
 * @param birthdayPoints the birthday reward in points, zero for none (then the rule's terms apply)
 * @param perks free-form perks (name to value), e.g. {@code "free-shipping" -> "true"}
 */
public record TierBenefits(
    BigDecimal earnMultiplier,
    SortedSet<String> rewardAccess,
    SortedMap<String, Points> rewardCosts,
    int birthdayWindowDays,
    Points birthdayPoints,
    SortedMap<String, String> perks) {

  /**
   * The widest birthday window, in days either side of the birthday: the widest window
   * {@link OccasionWindow#daysAround} makes, which the birthday benefit is given in.
   */
  public static final int MAX_BIRTHDAY_WINDOW_DAYS = OccasionWindow.MAX_DAYS_AROUND;

  /**
   * Validates the benefits.
   *
   * @param earnMultiplier the factor applied to base earn, at least 0 (1 means no change)
   * @param rewardAccess ids of rewards only members of this tier (and of the other tiers listing them,
   *     or that the reward names) may redeem
   * @param rewardCosts reward id to the cost in points at this tier, where it differs from the list
   *     cost; a cost the reward itself gives the tier wins
   * @param birthdayWindowDays how many days around the birthday (before and after it) the birthday
   *     reward may be claimed, 0 for the day only, at most {@value #MAX_BIRTHDAY_WINDOW_DAYS}
   * @param birthdayPoints the birthday reward in points, zero for none (then the rule's terms apply)
   * @param perks free-form perks (name to value), e.g. {@code "free-shipping" -> "true"}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the multiplier, the window, the birthday points or a reward
   *     cost is negative, the multiplier has more than 18 digits before or after the decimal point, the window is over {@value #MAX_BIRTHDAY_WINDOW_DAYS} days, there is a
   *     window and no birthday points (the rule's own terms would apply, window and all), or a perk or
   *     reward access has an unpaired surrogate or a NUL ({@link Fingerprint#isStorable})
   */
  public TierBenefits {
    Objects.requireNonNull(earnMultiplier, "earnMultiplier");
    Objects.requireNonNull(rewardAccess, "rewardAccess");
    Objects.requireNonNull(rewardCosts, "rewardCosts");
    Objects.requireNonNull(birthdayPoints, "birthdayPoints");
    Objects.requireNonNull(perks, "perks");
    // As a rule's rate (BaseRate): 1E+400 would fail every purchase, 1E-999999999 exhaust memory.
    Decimals.requireDigits("a tier's earn multiplier", earnMultiplier);
    if (earnMultiplier.signum() < 0 || birthdayWindowDays < 0 || birthdayPoints.isNegative()
        || rewardCosts.values().exists(Points::isNegative)) {
      throw new IllegalArgumentException("tier benefits must not be negative: multiplier " + earnMultiplier
          + ", birthday window " + birthdayWindowDays + ", birthday points " + birthdayPoints + ", costs " + rewardCosts);
    }
    if (birthdayWindowDays > MAX_BIRTHDAY_WINDOW_DAYS) {
      throw new IllegalArgumentException("a birthday window reaches at most " + MAX_BIRTHDAY_WINDOW_DAYS
          + " days either side of the birthday, so that two years' windows never meet; was " + birthdayWindowDays);
    }
    // Without points the birthday rule's own terms apply, its window too: the days would go unused.
    if (birthdayWindowDays > 0 && birthdayPoints.isZero()) {
      throw new IllegalArgumentException("a birthday window of " + birthdayWindowDays + " days with no birthday points"
          + " is never used: without points the birthday rule's own terms apply; give the tier birthday points, or"
          + " leave the window at 0");
    }
    perks.forEach(p -> {
      requireStorable("perk name '" + p._1 + "' has", p._1);
      requireStorable("perk '" + p._1 + "' has a value with", p._2);
    });
    rewardAccess.forEach(r -> requireStorable("reward access '" + r + "' has", r));
  }

  /**
   * Refuses a text no entry can record, saying what is wrong with it.
   *
   * @param which the text's name in the message, up to the problem, e.g. {@code "perk name 'x' has"}
   */
  private static void requireStorable(String which, String text) {
    Fingerprint.unstorable(text).forEach(problem -> {
      throw new IllegalArgumentException("a tier's " + which + " " + problem
          + ", which no entry can record; send well-formed text without NUL characters");
    });
  }

  /** @return no benefits beyond the standard earn rate (multiplier 1) */
  public static TierBenefits standard() {
    return new TierBenefits(BigDecimal.ONE, TreeSet.empty(), TreeMap.empty(), 0, Points.ZERO, TreeMap.empty());
  }

  /**
   * @param multiplier the earn multiplier: the factor by which base-rate points of members in this
   *     tier are multiplied, at least 0, not null
   * @return a copy with this multiplier
   */
  public TierBenefits withEarnMultiplier(BigDecimal multiplier) {
    return new TierBenefits(multiplier, rewardAccess, rewardCosts, birthdayWindowDays, birthdayPoints, perks);
  }

  /**
   * @param reward the id of a reward this tier unlocks, not null: once a tier lists it, only members
   *     of the tiers listing it (and of the tiers the reward names itself) may redeem it
   * @return a copy that also unlocks it
   */
  public TierBenefits withRewardAccess(String reward) {
    return new TierBenefits(earnMultiplier, rewardAccess.add(Objects.requireNonNull(reward, "reward")), rewardCosts,
        birthdayWindowDays, birthdayPoints, perks);
  }

  /**
   * @param reward the reward id, not null
   * @param cost its cost in points at this tier, not negative, not null; a cost the reward itself
   *     gives the tier ({@code Reward.Builder.costForTier}) wins
   * @return a copy with this cost, in place of any cost these benefits had for the reward (so one
   *     tier's benefits can be derived from another's)
   */
  public TierBenefits withRewardCost(String reward, Points cost) {
    return new TierBenefits(earnMultiplier, rewardAccess,
        rewardCosts.put(Objects.requireNonNull(reward, "reward"), Objects.requireNonNull(cost, "cost")),
        birthdayWindowDays, birthdayPoints, perks);
  }

  /**
   * @param windowDays days around the birthday (before and after it) the reward may be claimed, 0 to
   *     {@value #MAX_BIRTHDAY_WINDOW_DAYS}; 0 with zero points
   * @param points the birthday reward, not negative, not null; zero leaves the birthday rule's terms
   * @return a copy with this birthday benefit
   * @throws IllegalArgumentException if the window is out of range, the points are negative, or
   *     there is a window and no points
   */
  public TierBenefits withBirthday(int windowDays, Points points) {
    return new TierBenefits(earnMultiplier, rewardAccess, rewardCosts, windowDays, points, perks);
  }

  /**
   * @param name the perk's name, not null
   * @param value its value, not null
   * @return a copy with this perk, in place of any value these benefits had for it (so one tier's
   *     benefits can be derived from another's)
   */
  public TierBenefits withPerk(String name, String value) {
    return new TierBenefits(earnMultiplier, rewardAccess, rewardCosts, birthdayWindowDays, birthdayPoints,
        perks.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
  }
}
