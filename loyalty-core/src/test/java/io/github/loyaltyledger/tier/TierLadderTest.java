package io.github.loyaltyledger.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TierLadderTest {

  private static Money eur(String amount) {
    return Money.of(CurrencyUnit.EUR, new BigDecimal(amount));
  }

  /** Silver: 500 points or 10 visits; gold: 2,500 points and 350.00 spend; platinum: 1,000.00 spend or 100 visits. */
  private static final TierLadder LADDER = TierLadder.builder(QualificationWindow.calendarYear())
      .tier(Tier.of("member", "Member", Qualification.none()))
      .tier(Tier.of("silver", "Silver", Qualification.points(500).orVisits(10)))
      .tier(Tier.of("gold", "Gold", Qualification.points(2500).andSpend(eur("350.00"))))
      .tier(Tier.of("platinum", "Platinum", Qualification.spend(eur("1000.00")).orVisits(100)))
      .build();

  @Nested
  class WhichTierAnActivityEarns {

    @ParameterizedTest(name = "{0} points, {1} spent and {2} visits earn {3}")
    @CsvSource({
        "0,    0.00,    0,   member",
        "499,  0.00,    9,   member",
        "500,  0.00,    0,   silver",
        "0,    0.00,    10,  silver",
        "2499, 999.99,  9,   silver",
        "2500, 349.99,  0,   silver",
        "2500, 350.00,  0,   gold",
        "-20,  1000.00, 0,   platinum",
        "0,    0.00,    100, platinum",
        "9999, 999.99,  99,  gold",
    })
    void theHighestTierWhoseThresholdsAreReached(long points, String spend, long visits, String tier) {
      assertEquals(TierId.of(tier), LADDER.earnedBy(new QualifyingActivity(points, eur(spend), visits)).id());
    }

    @ParameterizedTest(name = "{0} points and {1} spent miss {2} points and {3} for gold")
    @CsvSource({
        "0,    0.00,   2500, 350.00",
        "2400, 400.00, 100,  0.00",
        "2600, 100.00, 0,    250.00",
    })
    void whatIsMissingIsReportedMetricByMetric(long points, String spend, long missingPoints, String missingSpend) {
      QualifyingActivity missing = LADDER.tier(TierId.of("gold")).get().qualification()
          .missing(new QualifyingActivity(points, eur(spend), 0));

      assertEquals(new QualifyingActivity(missingPoints, eur(missingSpend), 0), missing);
    }

    @ParameterizedTest(name = "{0} of 10 visits miss {1}")
    @CsvSource({"0, 10", "7, 3", "10, 0", "12, 0"})
    void missingVisitsAreTheVisitsStillToMake(long visits, long missing) {
      assertEquals(new QualifyingActivity(0, eur("0.00"), missing),
          Qualification.visits(10).missing(new QualifyingActivity(0, eur("0.00"), visits)));
    }

    @Test
    void aThresholdOfZeroIsRefusedAsOneThatIsMetByNoActivityAtAll() {
      assertThrows(IllegalArgumentException.class, () -> Qualification.points(0));
      assertThrows(IllegalArgumentException.class, () -> Qualification.visits(0));
      assertThrows(IllegalArgumentException.class, () -> Qualification.spend(eur("0.00")));
      assertEquals(Option.some(1L), Qualification.points(1).andVisits(1).points());
    }
  }

  @Nested
  class Building {

    /**
     * A ladder whose spend thresholds were in two currencies, or tier benefits with a perk or reward
     * id that no entry can record, were refused without saying which currencies, perk or reward.
     */
    @Test
    void aRefusedLadderOrBenefitSaysWhichValueIsWrong() {
      assertEquals("spend thresholds must all be in one currency, were EUR (tier 'gold'), USD (tier 'platinum')",
          assertThrows(IllegalArgumentException.class, () -> TierLadder.builder(QualificationWindow.calendarYear())
              .tier(Tier.of("member", "Member", Qualification.none()))
              .tier(Tier.of("gold", "Gold", Qualification.spend(org.joda.money.Money.parse("EUR 100"))))
              .tier(Tier.of("platinum", "Platinum", Qualification.spend(org.joda.money.Money.parse("USD 500"))))
              .build()).getMessage());
      assertEquals("the tier ladder's spend thresholds must be in EUR, the program's currency, were in USD",
          assertThrows(IllegalArgumentException.class, () -> io.github.loyaltyledger.program.LoyaltyProgram
              .builder("club").tierLadder(TierLadder.builder(QualificationWindow.calendarYear())
                  .tier(Tier.of("member", "Member", Qualification.none()))
                  .tier(Tier.of("gold", "Gold", Qualification.spend(org.joda.money.Money.parse("USD 100")))).build())
              .build()).getMessage());
      assertEquals("a tier's perk name 'wifi\u0000' has a NUL character (U+0000) at index 4, which no entry can record;"
          + " send well-formed text without NUL characters",
          assertThrows(IllegalArgumentException.class, () -> TierBenefits.standard().withPerk("wifi\u0000", "free"))
              .getMessage());
      assertEquals("a tier's perk 'wifi' has a value with an unpaired UTF-16 surrogate at index 1, which no entry can"
          + " record; send well-formed text without NUL characters",
          assertThrows(IllegalArgumentException.class, () -> TierBenefits.standard().withPerk("wifi", "f\uD800"))
              .getMessage());
      assertEquals("a tier's reward access 'mug\u0000' has a NUL character (U+0000) at index 3, which no entry can"
          + " record; send well-formed text without NUL characters",
          assertThrows(IllegalArgumentException.class, () -> TierBenefits.standard().withRewardAccess("mug\u0000"))
              .getMessage());
    }

    @Test
    void theBaseTierMustHaveNoThreshold() {
      assertThrows(IllegalArgumentException.class, () -> TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("silver", "Silver", Qualification.points(500))).build());
    }

    @Test
    void tierIdsMustBeUnique() {
      assertThrows(IllegalArgumentException.class, () -> TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("member", "Again", Qualification.points(5))).build());
    }

    @Test
    void aRollingWindowRefusesNextPeriodUpgradesTermsAndRollover() {
      TierLadder.Builder rolling = TierLadder.builder(QualificationWindow.rollingMonths(12))
          .tier(Tier.of("member", "Member", Qualification.none()));

      assertThrows(IllegalArgumentException.class, () -> rolling.upgrade(UpgradePolicy.NEXT_PERIOD).build());
      assertThrows(IllegalArgumentException.class, () -> rolling.upgrade(UpgradePolicy.IMMEDIATE)
          .term(TierTerm.untilEndOfNextPeriod()).build());
      assertThrows(IllegalArgumentException.class, () -> rolling.term(TierTerm.months(12)).rolloverCappedAt(100).build());
    }

    /**
     * A rollover cap of zero carries nothing, so it is refused; the refusal said the cap "must not
     * be negative", of a cap that was not, and did not say which setting was at fault.
     */
    @ParameterizedTest(name = "rolloverCappedAt({0})")
    @ValueSource(longs = {0, -1})
    void aRolloverCapThatIsNotPositiveIsRefusedNamingTheSetting(long cap) {
      TierLadder.Builder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none())).tier(Tier.of("gold", "Gold", Qualification.points(1000)));

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ladder.rolloverCappedAt(cap).build());
      assertEquals("rolloverCappedAt(" + cap + ") must be positive: it is the most excess qualifying points carried"
          + " into the next period; leave rolloverCappedAt out for no rollover", e.getMessage());
      assertEquals(Option.some(1L), ladder.rolloverCappedAt(1).build().rolloverCap());
    }

    /**
     * A rollover carries excess qualifying points into the next period: on a ladder where no tier
     * qualifies on points (spend or visits only) it was accepted, and carried points that no
     * qualification reads, so it never kept or gave anyone a tier.
     */
    @Test
    void aRolloverOnALadderWhereNoTierQualifiesOnPointsIsRefusedWhenItIsBuilt() {
      Tier member = Tier.of("member", "Member", Qualification.none());
      java.util.List<TierLadder.Builder> noPoints = java.util.List.of(
          TierLadder.builder(QualificationWindow.calendarYear()).tier(member)
              .tier(Tier.of("gold", "Gold", Qualification.spend(Money.parse("EUR 500")).orVisits(20))),
          TierLadder.builder(QualificationWindow.calendarYear()).tier(member));
      for (TierLadder.Builder ladder : noPoints) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ladder.rolloverCappedAt(300).build());
        assertTrue(e.getMessage().contains("rolloverCappedAt") && e.getMessage().contains("points"), e.getMessage());
      }
      assertEquals(Option.some(300L), TierLadder.builder(QualificationWindow.calendarYear()).tier(member)
          .tier(Tier.of("gold", "Gold", Qualification.spend(Money.parse("EUR 500")).andPoints(1000)))
          .rolloverCappedAt(300).build().rolloverCap());
    }

    /**
     * The ladder gives the highest tier whose qualification is met: a tier whose every qualifying
     * activity also meets a tier above it was never earned by anyone.
     */
    @ParameterizedTest(name = "{0}: {1} never earned")
    @CsvSource({
        "a second tier without a threshold,     member, vip",
        "points thresholds out of order,        silver, gold",
        "a lower tier needing more of each,     bronze, gold",
        "either of two that the tier above takes, silver, gold"})
    void aTierThatATierAboveItAlwaysTakesIsRefused(String mistake, String never, String above) {
      Qualification lower = switch (mistake) {
        case "a lower tier needing more of each" -> Qualification.points(2500).andSpend(eur("50.00"));
        case "either of two that the tier above takes" -> Qualification.points(500).orSpend(eur("10.00"));
        default -> Qualification.points(500);
      };
      Qualification higher = switch (mistake) {
        case "a second tier without a threshold" -> Qualification.none();
        case "either of two that the tier above takes" -> Qualification.points(400).orSpend(eur("5.00"));
        default -> Qualification.points(300);
      };
      TierLadder.Builder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()));
      if (!never.equals("member")) {
        ladder.tier(Tier.of(never, "Lower", lower));
      }
      ladder.tier(Tier.of(above, "Higher", higher));

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ladder::build);

      assertTrue(e.getMessage().contains("'" + never + "'") && e.getMessage().contains("'" + above + "'"), e.getMessage());
    }

    @Test
    void tiersOrderedByRisingThresholdsOfDifferentMetricsAreAccepted() {
      assertEquals(4, LADDER.tiers().size());
      assertEquals(2, TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500).andSpend(eur("50.00"))))
          .build().tiers().size());
    }

    /**
     * A review is the status's end plus the grace, on a date: a grace of a billion years has no date,
     * and the ladder was accepted, then the first upgrade threw DateTimeException from the facade.
     */
    @Test
    void aGracePeriodLongerThanTenYearsIsRefusedWhenTheLadderIsBuiltNotByTheFirstUpgrade() {
      TierLadder.Builder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)));

      assertEquals(Period.ofYears(10), ladder.grace(Period.ofYears(10)).build().grace());
      assertEquals(Period.ofDays(3652), ladder.grace(Period.ofDays(3652)).build().grace());
      assertEquals(Period.ofMonths(120), ladder.grace(Period.ofMonths(120)).build().grace());
      for (Period tooLong : java.util.List.of(Period.ofYears(999_999_999), Period.ofMonths(121), Period.ofDays(3653),
          Period.of(10, 0, 1))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ladder.grace(tooLong).build());
        assertTrue(e.getMessage().contains("P10Y"), e.getMessage());
      }
    }

    /**
     * A grace period delays the review of a status that ends: a ladder that never takes a tier away
     * (no downgrade, or only tiers for life above the base) gives no status an end, so it accepted a
     * grace that never delayed anything.
     */
    @Test
    void aGracePeriodOnALadderThatNeverDowngradesIsRefusedWhenItIsBuilt() {
      Tier member = Tier.of("member", "Member", Qualification.none());
      Tier gold = Tier.of("gold", "Gold", Qualification.points(500));
      java.util.List<TierLadder.Builder> neverDowngrading = java.util.List.of(
          TierLadder.builder(QualificationWindow.calendarYear()).tier(member).tier(gold).downgrade(DowngradePolicy.NONE),
          TierLadder.builder(QualificationWindow.calendarYear()).tier(member).tier(gold.forLife()),
          TierLadder.builder(QualificationWindow.calendarYear()).tier(member));
      for (TierLadder.Builder ladder : neverDowngrading) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ladder.grace(Period.ofMonths(2)).build());
        assertTrue(e.getMessage().contains("grace(P2M)") && e.getMessage().contains("never"), e.getMessage());
        assertEquals(Period.ZERO, ladder.grace(Period.ZERO).build().grace());
      }
      for (DowngradePolicy downgrading : java.util.List.of(DowngradePolicy.ONE_STEP, DowngradePolicy.RECOMPUTE)) {
        assertEquals(Period.ofMonths(2), TierLadder.builder(QualificationWindow.calendarYear()).tier(member).tier(gold)
            .downgrade(downgrading).grace(Period.ofMonths(2)).build().grace());
      }
      // Gold for life still falls from platinum, after the grace.
      assertEquals(Period.ofMonths(2), TierLadder.builder(QualificationWindow.calendarYear()).tier(member)
          .tier(gold.forLife()).tier(Tier.of("platinum", "Platinum", Qualification.points(2000)))
          .grace(Period.ofMonths(2)).build().grace());
    }

    /**
     * Warnings announce a coming downgrade: a ladder that never takes a tier away (no downgrade, or
     * only tiers for life above the base) accepted warning days, and its members were never warned.
     */
    @Test
    void warningDaysOnALadderThatNeverDowngradesAreRefusedWhenItIsBuilt() {
      Tier member = Tier.of("member", "Member", Qualification.none());
      Tier gold = Tier.of("gold", "Gold", Qualification.points(500));
      java.util.List<TierLadder.Builder> neverDowngrading = java.util.List.of(
          TierLadder.builder(QualificationWindow.calendarYear()).tier(member).tier(gold).downgrade(DowngradePolicy.NONE),
          TierLadder.builder(QualificationWindow.calendarYear()).tier(member).tier(gold.forLife()),
          TierLadder.builder(QualificationWindow.calendarYear()).tier(member));
      for (TierLadder.Builder ladder : neverDowngrading) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ladder.warnDaysBefore(30).build());
        assertTrue(e.getMessage().contains("never") && e.getMessage().contains("warnDaysBefore"), e.getMessage());
        assertEquals(0, ladder.warnDaysBefore(0).build().warningDays());
      }
      for (DowngradePolicy downgrading : java.util.List.of(DowngradePolicy.ONE_STEP, DowngradePolicy.RECOMPUTE)) {
        assertEquals(30, TierLadder.builder(QualificationWindow.calendarYear()).tier(member).tier(gold)
            .downgrade(downgrading).warnDaysBefore(30).build().warningDays());
      }
      // Gold for life still falls from platinum.
      assertEquals(30, TierLadder.builder(QualificationWindow.calendarYear()).tier(member).tier(gold.forLife())
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2000))).warnDaysBefore(30).build().warningDays());
    }

    /**
     * A review looks at the qualifying window that ends with the status or, after a grace, at the one
     * current at the review: a warning further ahead than that window and the grace announced a
     * downgrade before any activity that could stop it counted (a year's window warned 400 days
     * ahead), and any number of days, {@code Integer.MAX_VALUE} too, was accepted.
     */
    @ParameterizedTest(name = "{0} window, grace {1}: at most {2} days")
    @CsvSource({"calendar, P0D, 365", "anniversary, P10D, 375", "rolling-1, P0D, 31", "rolling-12, P1M, 396",
        "rolling-120, P10Y, 7305"})
    void warningDaysBeyondTheQualifyingWindowAndGraceAreRefusedWhenTheLadderIsBuilt(String window, Period grace,
        int most) {
      QualificationWindow w = window.equals("calendar") ? QualificationWindow.calendarYear()
          : window.equals("anniversary") ? QualificationWindow.anniversaryYear()
          : QualificationWindow.rollingMonths(Integer.parseInt(window.substring("rolling-".length())));
      TierLadder.Builder ladder = TierLadder.builder(w).tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500))).term(TierTerm.months(12)).grace(grace);

      assertEquals(most, ladder.warnDaysBefore(most).build().warningDays());
      for (int tooMany : new int[] {most + 1, Integer.MAX_VALUE}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ladder.warnDaysBefore(tooMany).build());
        assertTrue(e.getMessage().contains("warnDaysBefore(" + tooMany + ")") && e.getMessage().contains("at most " + most),
            e.getMessage());
      }
    }

    @Test
    void onlyImmediateUpgradesCanBeRevokedOnReturns() {
      assertThrows(IllegalArgumentException.class, () -> TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .upgrade(UpgradePolicy.NEXT_PERIOD).revokeUpgradesOnReturn().build());
    }

    @Test
    void aProgramRefusesALadderWhoseSpendIsInAnotherCurrencyAndKeepsItsLadderInTheNextVersion() {
      assertThrows(IllegalArgumentException.class, () -> LoyaltyProgram.builder("p").currency(CurrencyUnit.USD)
          .tierLadder(LADDER).build());

      LoyaltyProgram next = LoyaltyProgram.builder("p").tierLadder(LADDER).build().toBuilder().build();
      assertEquals(Option.some(LADDER), next.tierLadder());
      assertEquals(2, next.version());
    }

    @Test
    void aNextVersionDropsTheLadderWithAnOptionOfNoneAndALaterOneTakesItBack() {
      LoyaltyProgram tiered = LoyaltyProgram.builder("p").tierLadder(LADDER).build();

      LoyaltyProgram untiered = tiered.toBuilder().tierLadder(Option.none()).build();
      assertEquals(Option.none(), untiered.tierLadder());
      assertEquals(2, untiered.version());
      assertEquals(Option.none(), untiered.toBuilder().build().tierLadder());
      assertEquals(Option.some(LADDER), untiered.toBuilder().tierLadder(Option.some(LADDER)).build().tierLadder());
    }

    /** The birthday benefit is given through the program's birthday rule: without one it granted nothing, silently. */
    @Test
    void aProgramRefusesALadderThatGivesBirthdayPointsWithoutABirthdayRule() {
      TierLadder birthdays = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500))
              .withBenefits(TierBenefits.standard().withBirthday(7, Points.of(200))))
          .build();

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoyaltyProgram.builder("p").tierLadder(birthdays).build());

      assertTrue(e.getMessage().contains("gold") && e.getMessage().contains("BirthdayRule"), e.getMessage());
      LoyaltyProgram withRule = LoyaltyProgram.builder("p").tierLadder(birthdays).birthdayRule(Option.some(
          BirthdayRule.of("bday", new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(100))))).build();
      assertEquals(Option.some(birthdays), withRule.tierLadder());
      assertThrows(IllegalArgumentException.class, () -> withRule.toBuilder().birthdayRule(Option.none()).build());
      assertEquals(Option.some(LADDER), LoyaltyProgram.builder("p").tierLadder(LADDER).build().tierLadder());
    }

    /**
     * A tier's reward benefits apply to the program's catalogue: one naming a reward it does not have
     * did nothing, silently, so a misspelt access left the reward open to every member.
     */
    @ParameterizedTest
    @CsvSource({"access, lounge-pas", "cost, free-cofee"})
    void aProgramRefusesALadderWhoseRewardBenefitsNameARewardItsCatalogueDoesNotHave(String benefit, String reward) {
      TierBenefits gold = benefit.equals("access")
          ? TierBenefits.standard().withRewardAccess(reward)
          : TierBenefits.standard().withRewardCost(reward, Points.of(80));
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)).withBenefits(gold))
          .build();
      RewardCatalog catalogue = RewardCatalog.builder()
          .reward(Reward.builder(RewardId.of("lounge-pass"), "Lounge pass", new RewardKind.FreeItem("SKU-LOUNGE"),
              Points.of(300)).build())
          .reward(Reward.builder(RewardId.of("free-coffee"), "Free coffee", new RewardKind.FreeItem("SKU-COFFEE"),
              Points.of(100)).build())
          .build();

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoyaltyProgram.builder("p").tierLadder(ladder).rewards(catalogue).build());

      assertTrue(e.getMessage().contains("'gold'") && e.getMessage().contains("'" + reward + "'")
          && e.getMessage().contains("catalogue"), e.getMessage());
      TierBenefits spelt = benefit.equals("access")
          ? TierBenefits.standard().withRewardAccess("lounge-pass")
          : TierBenefits.standard().withRewardCost("free-coffee", Points.of(80));
      TierLadder fixed = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)).withBenefits(spelt))
          .build();
      assertEquals(Option.some(fixed), LoyaltyProgram.builder("p").tierLadder(fixed).rewards(catalogue).build().tierLadder());
    }

    @Test
    void anyOfAndAllOfCannotBeMixedInOneQualification() {
      assertThrows(IllegalStateException.class, () -> Qualification.points(5).orVisits(2).andSpend(eur("1.00")));
    }

    @Test
    void aSecondThresholdOnOneMetricIsRefusedRatherThanReplacingTheFirst() {
      IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
          () -> Qualification.points(500).orPoints(800));
      assertEquals("this qualification already has a points threshold of 500; a second (800) would replace it:"
          + " give each metric one threshold", twice.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Qualification.spend(eur("100.00")).andSpend(eur("50.00")));
      assertThrows(IllegalArgumentException.class, () -> Qualification.visits(5).orSpend(eur("1.00")).orVisits(6));
      assertThrows(IllegalArgumentException.class, () -> Qualification.visits(5).andPoints(10).andVisits(6));
      assertThrows(IllegalArgumentException.class, () -> Qualification.points(5).orSpend(eur("1.00")).orSpend(eur("2.00")));
      assertThrows(IllegalArgumentException.class, () -> Qualification.spend(eur("1.00")).andPoints(5).andPoints(6));
      assertEquals(new Qualification(Qualification.Match.ALL_OF, Option.some(500L), Option.some(eur("100.00")),
          Option.some(5L)), Qualification.points(500).andSpend(eur("100.00")).andVisits(5));
    }

    @Test
    void benefitsAreDataForTheOtherEngines() {
      TierBenefits gold = TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.5"))
          .withRewardAccess("lounge").withRewardCost("free-coffee", Points.of(80))
          .withBirthday(7, Points.of(200)).withPerk("free-shipping", "true");

      assertEquals(new BigDecimal("1.5"), gold.earnMultiplier());
      assertEquals(Points.of(80), gold.rewardCosts().get("free-coffee").get());
      assertEquals(7, gold.birthdayWindowDays());
      assertThrows(IllegalArgumentException.class, () -> gold.withEarnMultiplier(new BigDecimal("-1")));
    }

    /**
     * The tier's birthday window comes with its birthday points: without points the birthday rule's
     * own terms apply, so a window of days with no points was accepted and never used.
     */
    @Test
    void aBirthdayWindowWithoutBirthdayPointsIsRefusedSinceTheRulesOwnTermsWouldApply() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TierBenefits.standard().withBirthday(7, Points.ZERO));

      assertTrue(e.getMessage().contains("7 days") && e.getMessage().contains("no birthday points"), e.getMessage());
      assertEquals(0, TierBenefits.standard().withBirthday(0, Points.ZERO).birthdayWindowDays());
      assertEquals(Points.of(200), TierBenefits.standard().withBirthday(0, Points.of(200)).birthdayPoints());
    }

    @Test
    void aBirthdayWindowOfMoreThanHalfAYearAroundTheBirthdayIsRefusedAsTheOccasionEngineCannotKeepItOnceAYear() {
      assertEquals(182, TierBenefits.standard().withBirthday(182, Points.of(50)).birthdayWindowDays());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TierBenefits.standard().withBirthday(183, Points.of(50)));
      assertTrue(e.getMessage().contains("182"), e.getMessage());
    }
  }

  @Nested
  class Terms {

    @ParameterizedTest(name = "status earned at {1} with term {0} ends at {2}")
    @CsvSource({
        "next-period, 2026-12-31T23:59:59Z, 2028-01-01T00:00:00Z",
        "next-period, 2027-01-01T00:00:00Z, 2029-01-01T00:00:00Z",
        "12,          2026-03-15T10:00:00Z, 2027-03-16T00:00:00Z",
        "12,          2028-02-29T10:00:00Z, 2029-03-01T00:00:00Z",
    })
    void statusLastsTheRestOfItsPeriodAndTheNextOrSoManyMonths(String term, String earned, String end) {
      TierTerm t = term.equals("next-period") ? TierTerm.untilEndOfNextPeriod() : TierTerm.months(Integer.parseInt(term));

      assertEquals(Instant.parse(end), t.end(Instant.parse(earned), QualificationWindow.calendarYear(), ZoneId.of("UTC"),
          Instant.parse("2020-01-01T00:00:00Z")));
    }
  }
}
