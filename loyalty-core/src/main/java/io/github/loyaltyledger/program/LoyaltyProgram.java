package io.github.loyaltyledger.program;

import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.internal.Ids;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.expiry.ExpiryPolicy;
import io.github.loyaltyledger.expiry.InactivityExpiry;
import io.github.loyaltyledger.occasion.AnniversaryRule;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.vavr.control.Option;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.redemption.TierSource;
import java.time.ZoneId;
import java.util.Objects;
import org.joda.money.CurrencyUnit;

/**
 * The immutable, versioned configuration of one loyalty program: its id, version, currency, the
 * time zone its calendar rules fall back to, and its policies.
 *
 * <p>Every ledger entry records the version of the program in force when it was written, so an
 * award can be explained after the rules change. Build one with {@link #builder(String)}; change
 * one by building a new version. The version is a label the library records and never compares:
 * facades on one store may run different versions for a while (a rolling deploy), and nothing
 * checks that versions only increase.
 *
 * <p>Keep the currency of a program for its life. Purchase entries record their amounts in minor
 * units of the program's currency without naming it, so a refund under a version in another
 * currency would read an earlier purchase's amounts in the new one; {@code refund} refuses an
 * amount in another currency than the version it runs under.
 *
 * @param id a short identifier of the program, e.g. {@code "bean-club"}
 * @param version the configuration version, starting at 1
 * @param currency the one currency purchases and money values are in
 * @param zone the zone for calendar rules when a member has none of their own
 * @param negativeBalancePolicy what a reversal does when the points were already spent
 * @param tierLadder the program's tiers and the rules that move members between them, if it has tiers
 * @param lotExpiry when the points of a new lot expire (the earning engine and occasion grants ask it)
 * @param inactivityExpiry whether, and after how long without activity, all points expire
 * @param birthdayRule the birthday reward, if the program has one
 * @param anniversaryRule the membership-anniversary reward, if the program has one
 * @param expiryNoticeDays how many days ahead of an expiry the daily run sends a
 *     {@code PointsExpiringSoon} notice (calendar days in the member's zone); 0 for none
 * @param earnRules the earning rules, in evaluation order
 * @param rewards the reward catalogue and the redemption settings
 */
public record LoyaltyProgram(
    String id,
    int version,
    CurrencyUnit currency,
    ZoneId zone,
    NegativeBalancePolicy negativeBalancePolicy,
    Option<TierLadder> tierLadder,
    ExpiryPolicy lotExpiry,
    Option<InactivityExpiry> inactivityExpiry,
    Option<BirthdayRule> birthdayRule,
    Option<AnniversaryRule> anniversaryRule,
    int expiryNoticeDays,
    RuleBook earnRules,
    RewardCatalog rewards) {

  /**
   * Validates the configuration.
   *
   * @param id a short identifier of the program, e.g. {@code "bean-club"}
   * @param version the configuration version, starting at 1
   * @param currency the one currency purchases and money values are in
   * @param zone the zone for calendar rules when a member has none of their own
   * @param negativeBalancePolicy what a reversal does when the points were already spent
   * @param tierLadder the program's tiers and the rules that move members between them, if it has tiers
   * @param lotExpiry when the points of a new lot expire (the earning engine and occasion grants ask it)
   * @param inactivityExpiry whether, and after how long without activity, all points expire
   * @param birthdayRule the birthday reward, if the program has one
   * @param anniversaryRule the membership-anniversary reward, if the program has one
   * @param expiryNoticeDays how many days ahead of an expiry the daily run sends a
   *     {@code PointsExpiringSoon} notice; 0 for none
   * @param earnRules the earning rules, in evaluation order
   * @param rewards the reward catalogue and the redemption settings
   * @throws NullPointerException if an argument is null, or an option holds null
   * @throws IllegalArgumentException if the id is not 1 to 40 lower-case letters, digits and
   *     hyphens starting with a letter or digit, the version is below 1, the expiry notice days are outside 0..366, or the tier
   *     ladder's spend thresholds, a points-as-payment reward's {@link PaymentTerms#worth()}, a
   *     money-off reward's {@link RewardKind.MoneyOff#amount()} or a basket threshold rule's
   *     threshold are in another currency, the points of a rule that
   *     vests and sets no expiry of its own could expire by {@code lotExpiry} before they vest
   *     ({@link io.github.loyaltyledger.earning.RuleBook#requireVestingBefore}), a tier of the
   *     ladder gives birthday points ({@code TierBenefits.birthdayPoints}) and there is no
   *     birthday rule to grant them, or a tier of the ladder gives a reward access or cost
   *     ({@code TierBenefits.rewardAccess}, {@code rewardCosts}) for a reward the catalogue does
   *     not have, or a reward is for some tiers or priced for them ({@link Reward#tiers()},
   *     {@link Reward#costByTier()}) and no member can have a tier (no tier ladder, and the
   *     catalogue reads tiers from it: {@link TierSource#LADDER}), or for or priced for a tier the
   *     ladder the catalogue reads tiers from does not have, or a reward is offered to some tiers
   *     only (its own {@link Reward#tiers()}, or a tier's {@code TierBenefits.rewardAccess}) and the
   *     catalogue says no member has a tier ({@link TierSource#NONE})
   */
  public LoyaltyProgram {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(negativeBalancePolicy, "negativeBalancePolicy");
    Objects.requireNonNull(tierLadder, "tierLadder");
    // Option.some(null) passes the null checks; the daily run would then throw when built or on every run.
    tierLadder.forEach(ladder -> Objects.requireNonNull(ladder, "tierLadder holds null"));
    tierLadder.flatMap(TierLadder::spendCurrency).filter(c -> !c.equals(currency)).forEach(c -> {
      throw new IllegalArgumentException("the tier ladder's spend thresholds must be in " + currency
          + ", the program's currency, were in " + c);
    });
    Objects.requireNonNull(lotExpiry, "lotExpiry");
    Objects.requireNonNull(inactivityExpiry, "inactivityExpiry");
    inactivityExpiry.forEach(policy -> Objects.requireNonNull(policy, "inactivityExpiry holds null"));
    Objects.requireNonNull(birthdayRule, "birthdayRule");
    birthdayRule.forEach(rule -> Objects.requireNonNull(rule, "birthdayRule holds null"));
    // The daily run gives a tier's birthday points through the birthday rule: without one they
    // would silently never be granted.
    if (birthdayRule.isEmpty()) {
      Option<Tier> birthdayTier = tierLadder.flatMap(ladder -> ladder.tiers().find(t -> t.benefits().birthdayPoints().isPositive()));
      if (birthdayTier.isDefined()) {
        throw new IllegalArgumentException("the tier '" + birthdayTier.get().id() + "' gives "
            + birthdayTier.get().benefits().birthdayPoints() + " birthday points, which are granted through the"
            + " program's birthday rule; add a BirthdayRule (birthdayRule(Option.some(BirthdayRule.of(…))))");
      }
    }
    Objects.requireNonNull(anniversaryRule, "anniversaryRule");
    anniversaryRule.forEach(rule -> Objects.requireNonNull(rule, "anniversaryRule holds null"));
    if (expiryNoticeDays < 0 || expiryNoticeDays > 366) {
      throw new IllegalArgumentException("expiry notice days must be 0..366, was " + expiryNoticeDays);
    }
    Objects.requireNonNull(earnRules, "earnRules");
    Objects.requireNonNull(rewards, "rewards");
    // Every payment with points would otherwise fail on the first basket (in the program's
    // currency) with Joda-Money's CurrencyMismatchException.
    for (Reward reward : rewards.list()) {
      if (reward.kind() instanceof RewardKind.PointsAsPayment payment
          && !payment.terms().worth().getCurrencyUnit().equals(currency)) {
        throw new IllegalArgumentException("the points-as-payment reward '" + reward.id() + "' values its points in "
            + payment.terms().worth().getCurrencyUnit() + ", but the program's currency is " + currency
            + "; give its PaymentTerms a worth in " + currency);
      }
      // The till takes the amount off a basket in the program's currency: EUR 5.00 off a JPY basket
      // would be read as 5 yen, or 500.
      if (reward.kind() instanceof RewardKind.MoneyOff off && !off.amount().getCurrencyUnit().equals(currency)) {
        throw new IllegalArgumentException("the money-off reward '" + reward.id() + "' takes " + off.amount()
            + " off, but the program's currency is " + currency + "; give it an amount in " + currency);
      }
    }
    // The catalogue reads tiers from the ladder by default: without one no member has a tier, and a
    // reward for some tiers would never be available, or its tier price never charged.
    if (tierLadder.isEmpty() && rewards.tiers() == TierSource.LADDER) {
      Option<Reward> gated = rewards.list().find(r -> !r.tiers().isEmpty() || !r.costByTier().isEmpty());
      if (gated.isDefined()) {
        throw new IllegalArgumentException("the reward '" + gated.get().id() + "' is for or priced for some tiers ("
            + gated.get().tiers().addAll(gated.get().costByTier().keySet()).toSortedSet().mkString(", ")
            + "), but no member has a tier: the program has no tier ladder, which the catalogue reads tiers from"
            + " (TierSource.LADDER); add a tier ladder, give the catalogue a TierSource of its own"
            + " (RewardCatalog.Builder.tiers), or take the tiers off the reward");
      }
    }
    // Read from the ladder, a member's tier is one of its ids: a reward for another tier (misspelt,
    // or of an older ladder) would never be available to anyone, or its tier price never charged.
    if (tierLadder.isDefined() && rewards.tiers() == TierSource.LADDER) {
      io.vavr.collection.List<String> ids = tierLadder.get().tiers().map(t -> t.id().value());
      for (Reward reward : rewards.list()) {
        Option<String> unknown = reward.tiers().addAll(reward.costByTier().keySet()).toSortedSet()
            .find(tier -> !ids.contains(tier));
        if (unknown.isDefined()) {
          throw new IllegalArgumentException("the reward '" + reward.id() + "' is for or priced for the tier '"
              + unknown.get() + "', which the tier ladder does not have (its tiers: " + ids.mkString(", ")
              + "), so no member would ever be in it; name a tier of the ladder, or give the catalogue a TierSource"
              + " of its own (RewardCatalog.Builder.tiers)");
        }
      }
    }
    // A catalogue that says no member has a tier charges every member the base cost, as it is meant
    // to; but a reward only some tiers may redeem (its own, or by a tier's reward access) would never
    // be redeemed by anyone.
    if (rewards.tiers() == TierSource.NONE) {
      for (Reward reward : rewards.list()) {
        io.vavr.collection.SortedSet<String> only = reward.tiers().addAll(
            tierLadder.map(TierLadder::tiers).getOrElse(io.vavr.collection.List.empty())
                .filter(t -> t.benefits().rewardAccess().contains(reward.id().value())).map(t -> t.id().value()))
            .toSortedSet();
        if (!only.isEmpty()) {
          throw new IllegalArgumentException("the reward '" + reward.id() + "' is offered to some tiers only ("
              + only.mkString(", ") + "), but the catalogue says no member has a tier (TierSource.NONE), so no one"
              + " could ever redeem it; leave the catalogue's tiers out to read them from the tier ladder, give it a"
              + " TierSource of its own, or take the tiers off the reward (and its access off the ladder's tiers)");
        }
      }
    }
    // A tier's reward benefits apply to this catalogue's rewards only: one naming another reward would
    // do nothing, silently (a misspelt access leaves the reward open to every member).
    for (Tier tier : tierLadder.map(TierLadder::tiers).getOrElse(io.vavr.collection.List.empty())) {
      Option<String> unknown = tier.benefits().rewardAccess().toList().appendAll(tier.benefits().rewardCosts().keySet())
          .find(reward -> !rewards.rewards().keySet().exists(r -> r.value().equals(reward)));
      if (unknown.isDefined()) {
        throw new IllegalArgumentException("the tier '" + tier.id() + "' gives a reward access or cost for '"
            + unknown.get() + "', which the program's catalogue does not have; add the reward to the catalogue"
            + " or take the benefit off the tier");
      }
    }
    // A basket threshold compares the purchase's amount with its own as bare numbers: in another
    // currency it would award a EUR 50 basket for a JPY 5000 threshold, and claw back otherwise.
    for (io.github.loyaltyledger.earning.EarnRule rule : earnRules.rules()) {
      if (rule instanceof io.github.loyaltyledger.earning.BasketThreshold threshold
          && !threshold.threshold().getCurrencyUnit().equals(currency)) {
        throw new IllegalArgumentException("the basket threshold '" + threshold.id() + "' is in "
            + threshold.threshold().getCurrencyUnit() + ", but the program's currency is " + currency
            + "; give it a threshold in " + currency);
      }
    }
    // Points of a rule that vests and sets no expiry get the program's: it must not come first.
    earnRules.requireVestingBefore(lotExpiry);
    Ids.requireId("program id", id);
    if (version < 1) {
      throw new IllegalArgumentException("program version starts at 1, was " + version);
    }
  }

  /**
   * Starts building a program. Defaults: version 1, currency EUR, zone UTC, negative-balance policy
   * {@link NegativeBalancePolicy#CLAMP}, points never expire, no birthday or anniversary reward, no
   * expiry notices, no earning rules, reward catalogue {@link RewardCatalog#EMPTY}.
   *
   * @param id the program id, not null
   * @return a builder
   */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /**
   * Returns a builder initialised from this program, for building its next version.
   *
   * @return a builder with the version already incremented
   * @throws IllegalStateException if this is version {@link Integer#MAX_VALUE}, which has no next
   */
  public Builder toBuilder() {
    if (version == Integer.MAX_VALUE) {
      throw new IllegalStateException("program '" + id + "' is at version " + version
          + ", the last an int counts, so it has no next version; start a new program id");
    }
    return new Builder(id)
        .version(version + 1)
        .currency(currency)
        .zone(zone)
        .negativeBalancePolicy(negativeBalancePolicy)
        .lotExpiry(lotExpiry)
        .inactivityExpiry(inactivityExpiry)
        .birthdayRule(birthdayRule)
        .anniversaryRule(anniversaryRule)
        .expiryNoticeDays(expiryNoticeDays)
        .earnRules(earnRules)
        .rewards(rewards)
        .tierLadder(tierLadder);
  }

  /** Builds a {@link LoyaltyProgram}. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private int version = 1;
    private CurrencyUnit currency = CurrencyUnit.EUR;
    private ZoneId zone = ZoneId.of("UTC");
    private NegativeBalancePolicy negativeBalancePolicy = NegativeBalancePolicy.CLAMP;
    private Option<TierLadder> tierLadder = Option.none();
    private ExpiryPolicy lotExpiry = ExpiryPolicy.never();
    private Option<InactivityExpiry> inactivityExpiry = Option.none();
    private Option<BirthdayRule> birthdayRule = Option.none();
    private Option<AnniversaryRule> anniversaryRule = Option.none();
    private int expiryNoticeDays;
    private RuleBook earnRules = RuleBook.EMPTY;
    private RewardCatalog rewards = RewardCatalog.EMPTY;

    private Builder(String id) {
      this.id = Objects.requireNonNull(id, "id");
    }

    /**
     * @param value the configuration version, at least 1
     * @return this builder
     */
    public Builder version(int value) {
      this.version = value;
      return this;
    }

    /**
     * @param value the program's currency, not null (default: EUR); set it before the program's
     *     first request, since a program keeps its currency for life
     * @return this builder
     */
    public Builder currency(CurrencyUnit value) {
      this.currency = Objects.requireNonNull(value, "currency");
      return this;
    }

    /**
     * @param value the fallback zone for calendar rules, not null (default: UTC): rule schedules and
     *     cap periods, and the dates of members enrolled without a zone of their own; set the shop's
     *     zone, or a happy hour from 14:00 runs from 14:00 UTC
     * @return this builder
     */
    public Builder zone(ZoneId value) {
      this.zone = Objects.requireNonNull(value, "zone");
      return this;
    }

    /**
     * @param value what a reversal of already-spent points does, not null (default:
     *     {@link NegativeBalancePolicy#CLAMP})
     * @return this builder
     */
    public Builder negativeBalancePolicy(NegativeBalancePolicy value) {
      this.negativeBalancePolicy = Objects.requireNonNull(value, "negativeBalancePolicy");
      return this;
    }

    /**
     * @param value the program's tiers and tier rules (none by default), not null
     * @return this builder
     */
    public Builder tierLadder(TierLadder value) {
      this.tierLadder = Option.some(Objects.requireNonNull(value, "tierLadder"));
      return this;
    }

    /**
     * Sets or removes the tier ladder: {@code Option.none()} builds a program without tiers, as a
     * next version from {@link LoyaltyProgram#toBuilder()} that drops the ladder of the one before.
     * Under such a version no member has a tier ({@code Loyalty.tierOf} answers none) and the tier
     * operations are refused with {@code NoTierLadder}; the tier entries already recorded stay in
     * the ledger, and a later version with a ladder reads members' tiers from them again.
     *
     * @param value the program's tiers and tier rules, or none (the default), not null
     * @return this builder
     */
    public Builder tierLadder(Option<TierLadder> value) {
      this.tierLadder = Objects.requireNonNull(value, "tierLadder");
      return this;
    }

    /**
     * @param value when the points of a new lot expire, not null (default: never)
     * @return this builder
     */
    public Builder lotExpiry(ExpiryPolicy value) {
      this.lotExpiry = Objects.requireNonNull(value, "lotExpiry");
      return this;
    }

    /**
     * @param value whether, and after how long without activity, all points expire, not null
     *     (default: none)
     * @return this builder
     */
    public Builder inactivityExpiry(Option<InactivityExpiry> value) {
      this.inactivityExpiry = Objects.requireNonNull(value, "inactivityExpiry");
      return this;
    }

    /**
     * @param value the birthday reward, not null (default: none)
     * @return this builder
     */
    public Builder birthdayRule(Option<BirthdayRule> value) {
      this.birthdayRule = Objects.requireNonNull(value, "birthdayRule");
      return this;
    }

    /**
     * @param value the membership-anniversary reward, not null (default: none)
     * @return this builder
     */
    public Builder anniversaryRule(Option<AnniversaryRule> value) {
      this.anniversaryRule = Objects.requireNonNull(value, "anniversaryRule");
      return this;
    }

    /**
     * @param value how many days ahead of an expiry to send a notice, 0..366 (default 0: none)
     * @return this builder
     */
    public Builder expiryNoticeDays(int value) {
      this.expiryNoticeDays = value;
      return this;
    }

    /**
     * @param value the earning rules (default: none), not null
     * @return this builder
     */
    public Builder earnRules(RuleBook value) {
      this.earnRules = Objects.requireNonNull(value, "earnRules");
      return this;
    }

    /**
     * @param value the reward catalogue and redemption settings, not null
     * @return this builder
     */
    public Builder rewards(RewardCatalog value) {
      this.rewards = Objects.requireNonNull(value, "rewards");
      return this;
    }

    /**
     * @return the program
     * @throws NullPointerException if the tier ladder, inactivity expiry, birthday rule or
     *     anniversary rule given is {@code Option.some(null)}
     * @throws IllegalArgumentException if the id, version or expiry notice days are invalid, the
     *     tier ladder's spend thresholds or a points-as-payment reward's worth are in another
     *     currency, a tier gives birthday points and the program has no birthday rule, or a tier
     *     gives a reward access or cost for a reward the catalogue does not have, or a reward is for
     *     or priced for some tiers and the program has no tier ladder for the catalogue to read
     *     them from, or for or priced for a tier that ladder does not have, or a reward is offered to
     *     some tiers only and the catalogue says no member has a tier ({@link TierSource#NONE})
     */
    public LoyaltyProgram build() {
      return new LoyaltyProgram(id, version, currency, zone, negativeBalancePolicy, tierLadder, lotExpiry,
          inactivityExpiry, birthdayRule, anniversaryRule, expiryNoticeDays, earnRules, rewards);
    }
  }
}
