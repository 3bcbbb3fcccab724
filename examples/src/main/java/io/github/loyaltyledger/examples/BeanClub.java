package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.earning.AmountBase;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CapPeriod;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EventAward;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.earning.Schedule;
import io.github.loyaltyledger.expiry.ExpiryRounding;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.LimitPeriod;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.tier.DowngradePolicy;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierBenefits;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierTerm;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneId;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * "Bean Club", the loyalty programme of a fictional coffee shop, defined with the public API only.
 * The simulation ({@link CoffeeShop}), the till walk-through ({@link AtTheTill}) and the tests
 * share this one definition.
 *
 * <ul>
 *   <li><b>Earning</b>: {@value #POINTS_PER_EUR} points per euro, net of discounts, times the
 *       member's tier multiplier, which the earning engine applies to base rates (one base rule
 *       per tier, targeted with {@code forTiers}, because Green's points expire).
 *   <li><b>Tiers</b> by qualifying points in a rolling 12 months: Green (everyone, ×1), Silver
 *       ({@value #SILVER_POINTS} points, ×1.25), Gold ({@value #GOLD_POINTS} points, ×1.5); status
 *       lasts 12 months and then drops one step at most. Only base points qualify.
 *   <li><b>Happy hour</b>: Monday to Friday 14:00–16:00 (Berlin) every purchase earns its base
 *       points again as a bonus ("double points"), at most {@value #HAPPY_HOUR_DAILY_CAP} bonus
 *       points per member a day under each tier's happy-hour rule (a cap counts per rule, so a
 *       member promoted during a happy hour can earn up to that many again under the new tier's
 *       rule the same day).
 *   <li><b>Expiry</b>: the points a Green member earns on purchases expire six months after the
 *       calendar month in which they were earned (points of January can be spent until 31 July);
 *       Silver and Gold points, birthday and survey points do not expire.
 *   <li><b>Birthday</b>: {@value #BIRTHDAY_POINTS} points, granted by the daily run on the day for
 *       Green, in the birthday's week for Silver and in its month for Gold.
 *   <li><b>Survey</b>: {@value #SURVEY_POINTS} points for a completed satisfaction survey, once a
 *       month at most.
 *   <li><b>Rewards</b>: an espresso, a coffee, a pastry, a bag of beans (limited stock) and a tote
 *       bag (limited stock, one a year), and paying with points at the till (100 points = EUR 1,
 *       at most half of the basket).
 * </ul>
 */
public final class BeanClub {

  /** The programme's zone, in which campaigns, expiry dates and birthdays are read. */
  public static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  /** Points per euro before the tier multiplier. */
  public static final int POINTS_PER_EUR = 10;
  /** Qualifying points in 12 months for Silver. */
  public static final long SILVER_POINTS = 1_500;
  /** Qualifying points in 12 months for Gold. */
  public static final long GOLD_POINTS = 4_000;
  /**
   * The most happy-hour bonus points one member earns in a day under one tier's happy-hour rule: a
   * cap counts per rule, so a member promoted that day can earn as many again under the new tier's.
   */
  public static final long HAPPY_HOUR_DAILY_CAP = 300;
  /** The birthday reward in points. */
  public static final long BIRTHDAY_POINTS = 250;
  /** The survey bonus in points. */
  public static final long SURVEY_POINTS = 50;

  /** The lowest tier, whose purchase points expire. */
  public static final String GREEN = "green";
  /** The middle tier. */
  public static final String SILVER = "silver";
  /** The top tier. */
  public static final String GOLD = "gold";

  /** A free espresso. */
  public static final RewardId ESPRESSO = RewardId.of("espresso");
  /** Any coffee for free. */
  public static final RewardId COFFEE = RewardId.of("coffee");
  /** A free pastry. */
  public static final RewardId PASTRY = RewardId.of("pastry");
  /** A 250 g bag of house beans, limited stock. */
  public static final RewardId BEANS = RewardId.of("beans");
  /** The Bean Club tote bag, limited stock, one per member a year. */
  public static final RewardId TOTE = RewardId.of("tote");
  /** Paying part of the bill with points. */
  public static final RewardId PAY = RewardId.of("pay");

  /** What the liability report values points at: what they buy when paying with points. */
  public static final RedemptionRate RATE = RedemptionRate.of(Money.of(CurrencyUnit.EUR, 1), 100);

  /** The happy hour: Monday to Friday, 14:00 to 16:00 in the programme's zone. */
  public static final Schedule HAPPY_HOUR = Schedule.always()
      .on(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY)
      .between(LocalTime.of(14, 0), LocalTime.of(16, 0));

  /** Green points: valid until the end of the sixth month after the month they were earned in. */
  public static final FixedTermExpiry GREEN_EXPIRY = FixedTermExpiry.months(6).roundedUpTo(ExpiryRounding.END_OF_MONTH);

  private BeanClub() {}

  /**
   * The tier ladder: Green, Silver and Gold by qualifying points in a rolling 12 months, with their
   * earn multipliers as tier benefits (which the earning engine applies to the base rates of
   * {@link #earnRules()}).
   *
   * @return the ladder
   */
  public static TierLadder tiers() {
    return TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of(GREEN, "Green", Qualification.none()))
        .tier(Tier.of(SILVER, "Silver", Qualification.points(SILVER_POINTS))
            .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.25"))))
        .tier(Tier.of(GOLD, "Gold", Qualification.points(GOLD_POINTS))
            .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.5"))))
        .term(TierTerm.months(12))
        .downgrade(DowngradePolicy.ONE_STEP)
        .grace(Period.ofMonths(1))
        .warnDaysBefore(30)
        .build();
  }

  /**
   * The earning rules: for each tier a base rate and a happy-hour bonus of the same rate, and the
   * survey bonus. Both rates are {@value #POINTS_PER_EUR} points per euro: the earning engine
   * multiplies base rates by the member's tier multiplier. The rules are per tier because Green's
   * points expire, and each rule's description says what its tier earns.
   *
   * @return the rule book
   */
  public static RuleBook earnRules() {
    RuleBook.Builder book = RuleBook.builder();
    BigDecimal rate = new BigDecimal(POINTS_PER_EUR);
    for (Tier tier : tiers().tiers()) {
      String id = tier.id().value();
      BigDecimal earned = rate.multiply(tier.benefits().earnMultiplier()).stripTrailingZeros();
      RuleTerms terms = RuleTerms.DEFAULT.forTiers(id);
      if (id.equals(GREEN)) {
        terms = terms.expiringBy(GREEN_EXPIRY);
      }
      book.rule(new BaseRate("base-" + id, tier.name() + ": " + earned.toPlainString() + " points per euro", rate,
          AmountBase.NET, terms.priority(100)));
      book.rule(new BaseRate("happy-hour-" + id, "Happy hour: double points", rate, AmountBase.NET,
          terms.asBonus().notQualifying().during(HAPPY_HOUR).cappedPerMember(HAPPY_HOUR_DAILY_CAP, CapPeriod.DAY)));
    }
    return book.rule(EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, SURVEY_POINTS)
        .with(RuleTerms.DEFAULT.asBonus().notQualifying().limitedTo(1, CapPeriod.MONTH))).build();
  }

  /**
   * The birthday reward: {@value #BIRTHDAY_POINTS} points on the day for Green, in the week for
   * Silver, in the month for Gold.
   *
   * @return the rule
   */
  public static BirthdayRule birthday() {
    OccasionReward points = OccasionReward.points(BIRTHDAY_POINTS);
    return BirthdayRule.of("birthday", new OccasionTerms(OccasionWindow.onTheDay(), points))
        .forTier(SILVER, new OccasionTerms(OccasionWindow.inTheWeek(), points))
        .forTier(GOLD, new OccasionTerms(OccasionWindow.inTheMonth(), points));
  }

  /**
   * The reward catalogue.
   *
   * @return the catalogue
   */
  public static RewardCatalog rewards() {
    return RewardCatalog.builder()
        .reward(Reward.builder(ESPRESSO, "Espresso", new RewardKind.FreeItem("ESPRESSO"), Points.of(200)).build())
        .reward(Reward.builder(COFFEE, "Any coffee", new RewardKind.FreeItem("COFFEE-ANY"), Points.of(350)).build())
        .reward(Reward.builder(PASTRY, "Pastry", new RewardKind.FreeItem("PASTRY-ANY"), Points.of(300)).build())
        .reward(Reward.builder(BEANS, "House beans 250 g", new RewardKind.FreeItem("BEANS-250"), Points.of(1_200))
            .stock(400).build())
        .reward(Reward.builder(TOTE, "Bean Club tote bag", new RewardKind.FreeItem("TOTE"), Points.of(2_500))
            .stock(40).limit(1, LimitPeriod.YEAR).build())
        .reward(Reward.builder(PAY, "Pay with points", new RewardKind.PointsAsPayment(new PaymentTerms(
            Points.of(100), Money.of(CurrencyUnit.EUR, 1), Points.of(100), new BigDecimal("0.5"))), Points.of(100)).build())
        .build();
  }

  /**
   * The whole programme.
   *
   * @return Bean Club, version 1, in euros, in Berlin
   */
  public static LoyaltyProgram program() {
    return LoyaltyProgram.builder("bean-club")
        .currency(CurrencyUnit.EUR)
        .zone(ZONE)
        .negativeBalancePolicy(NegativeBalancePolicy.CLAMP)
        .tierLadder(tiers())
        .earnRules(earnRules())
        .birthdayRule(Option.some(birthday()))
        .rewards(rewards())
        .expiryNoticeDays(14)
        .build();
  }
}
