package io.github.loyaltyledger.tier;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.purchased;
import static io.github.loyaltyledger.Fixtures.returned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.util.ArrayList;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The programmes of the issue, and each tier policy, run through simulated years on a test clock. */
class TierProgrammesTest {

  /** One member of one programme, driven through time. */
  static final class Programme {
    final MemberId member = MemberId.of("m-1");
    final java.util.List<LoyaltyEvent> events = new ArrayList<>();
    final TestClock clock;
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final ZoneId zone;
    Loyalty loyalty;

    Programme(TierLadder ladder, String enrolledAt, ZoneId zone) {
      this.clock = TestClock.at(enrolledAt);
      this.zone = zone;
      this.loyalty = Loyalty.builder().program(LoyaltyProgram.builder("programme").tierLadder(ladder).build())
          .store(store).clock(clock).listener(events::add).build();
      accepted(loyalty.enrol(Enrolment.of(member, aKey()).withZone(zone)));
    }

    /** The program manager's next version of the programme, with this ladder, running from now on. */
    void nextVersionWith(TierLadder ladder) {
      loyalty = Loyalty.builder().program(loyalty.program().toBuilder().tierLadder(ladder).build())
          .store(store).clock(clock).listener(events::add).build();
    }

    /** A purchase at an instant, followed by the evaluation the earning engine makes after it. */
    Receipt buy(String at, long qualifyingPoints, long spendMinor) {
      clock.set(Instant.parse(at));
      long earned = Math.max(1, qualifyingPoints + spendMinor / 100);
      Receipt purchase = purchased(loyalty, member, earned, qualifyingPoints, spendMinor);
      accepted(loyalty.evaluateTier(member, aKey()));
      return purchase;
    }

    /** The daily run's review on a date, at 06:00 in the member's zone. */
    Receipt review(LocalDate date) {
      Instant at = date.atTime(6, 0).atZone(zone).toInstant();
      if (at.isAfter(clock.instant())) {
        clock.set(at);
      }
      return accepted(loyalty.reviewTier(member, date));
    }

    void reviewMonthly(String from, String to) {
      for (LocalDate d = LocalDate.parse(from); !d.isAfter(LocalDate.parse(to)); d = d.plusMonths(1)) {
        review(d);
      }
    }

    /** An operator demotes the member to the base tier until an instant (an override). */
    void demotedToMemberUntil(String until) {
      accepted(loyalty.overrideTier(new TierOverride(member, TierId.of("member"), "Card misuse under review",
          "ops-17", Instant.parse(until), aKey())));
    }

    TierId tierAt(String at) {
      return TierId.of(loyalty.tierOf(member, Instant.parse(at)).get());
    }

    List<TierChange> history() {
      return accepted(loyalty.tierHistory(member));
    }

    /** Tier events as "kind from>to @instant" lines, easy to compare. */
    List<String> tierEvents() {
      return List.ofAll(events).flatMap(e -> {
        if (e instanceof LoyaltyEvent.TierUpgraded) {
          TierChange c = ((LoyaltyEvent.TierUpgraded) e).change();
          return List.of("up " + c.from() + ">" + c.to() + " @" + c.at());
        }
        if (e instanceof LoyaltyEvent.TierDowngraded) {
          TierChange c = ((LoyaltyEvent.TierDowngraded) e).change();
          return List.of("down " + c.from() + ">" + c.to() + " @" + c.at());
        }
        if (e instanceof LoyaltyEvent.TierWillDowngrade) {
          TierWarning w = ((LoyaltyEvent.TierWillDowngrade) e).warning();
          return List.of("warn " + w.tier() + ">" + w.to() + " needs " + w.needed().points() + "pt "
              + w.needed().spend() + " @" + e.at());
        }
        return List.empty();
      });
    }
  }

  /** A member enrolled at the start of 2026 in UTC. */
  static Programme inUtcFrom2026(TierLadder ladder) {
    return new Programme(ladder, "2026-01-01T08:00:00Z", ZoneId.of("UTC"));
  }

  private static Money eur(long whole) {
    return Money.of(CurrencyUnit.EUR, BigDecimal.valueOf(whole));
  }

  @Test
  void anActivityThatCannotTellWhenReturnedCreditsOccurredWeighsARevocationOnEveryReturnOfTheSpan() {
    QualifyingActivity span = QualifyingActivity.none(CurrencyUnit.EUR).plusPoints(120);
    TierActivity activity = (from, to) -> span;
    assertEquals(span, activity.ofCreditsFrom(Instant.EPOCH, Instant.EPOCH.plusSeconds(1)));
  }

  @Nested
  class TheCoffeeChain {

    /** 500 or 2,500 qualifying points within 12 months; status lasts 12 months; daily reviews. */
    @Test
    void aWeeklyCustomerReachesGoldKeepsItOnTheRollingWindowAndLosesItAfterAYearWithoutVisits() {
      Programme p = inUtcFrom2026(TierOperationsTest.coffeeChain());
      for (LocalDate d = LocalDate.parse("2026-01-01"); d.isBefore(LocalDate.parse("2028-07-01")); d = d.plusDays(1)) {
        if (d.getYear() == 2026 && d.getDayOfYear() % 7 == 1) {
          p.buy(d + "T09:00:00Z", 20, 450);
        }
        p.review(d);
      }

      assertEquals(List.of(
          "up green>gold @2026-06-18T09:00:00Z",
          "warn gold>green needs 500pt EUR 0.00 @2028-05-20T06:00:00Z",
          "down gold>green @2028-06-19T00:00:00Z"), p.tierEvents());
      assertEquals(List.of(
          new TierChange(TierId.of("green"), TierId.of("gold"), TierChangeReason.QUALIFIED,
              Instant.parse("2026-06-18T09:00:00Z"), Option.some(Instant.parse("2027-06-19T00:00:00Z")), Option.none()),
          new TierChange(TierId.of("gold"), TierId.of("gold"), TierChangeReason.REVIEW,
              Instant.parse("2027-06-19T00:00:00Z"), Option.some(Instant.parse("2028-06-19T00:00:00Z")), Option.none()),
          new TierChange(TierId.of("gold"), TierId.of("green"), TierChangeReason.REVIEW,
              Instant.parse("2028-06-19T00:00:00Z"), Option.none(), Option.none())), p.history());
    }

    /** Status earned on 29 February lasts through 28 February: the window the review reads starts after it. */
    @Test
    void aPurchaseOnTheLeapDayEarnsGoldForOneTermAndDoesNotRenewIt() {
      Programme p = new Programme(TierOperationsTest.coffeeChain(), "2024-01-01T08:00:00Z", ZoneId.of("UTC"));
      p.buy("2024-02-29T12:00:00Z", 600, 0);

      assertEquals(TierId.of("gold"), p.tierAt("2025-02-28T23:59:59Z"));
      assertEquals(TierId.of("green"), p.tierAt("2025-03-01T00:00:00Z"));
      p.review(LocalDate.parse("2025-03-01"));
      assertEquals(new TierChange(TierId.of("gold"), TierId.of("green"), TierChangeReason.REVIEW,
          Instant.parse("2025-03-01T00:00:00Z"), Option.none(), Option.none()), p.history().last());
    }
  }

  @Nested
  class TheBeautyRetailer {

    /** Calendar-year spend of 350 or 1,000 euros; status for the rest of the year and all of the next. */
    static TierLadder ladder() {
      return TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("beauty", "Beauty Insider", Qualification.none()))
          .tier(Tier.of("vib", "VIB", Qualification.spend(eur(350)))
              .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.25"))))
          .tier(Tier.of("rouge", "Rouge", Qualification.spend(eur(1000)))
              .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.5"))))
          .term(TierTerm.untilEndOfNextPeriod())
          .downgrade(DowngradePolicy.RECOMPUTE)
          .build();
    }

    @Test
    void aMonthlyShopperInParisClimbsTwoTiersAndFallsBackToWhatTheNextYearEarned() {
      Programme p = new Programme(ladder(), "2026-01-01T08:00:00Z", ZoneId.of("Europe/Paris"));
      for (int month = 1; month <= 12; month++) {
        p.buy(String.format("2026-%02d-15T10:00:00Z", month), 0, 100_00);
      }
      p.reviewMonthly("2026-01-01", "2027-12-01");
      p.buy("2027-03-15T10:00:00Z", 0, 300_00);
      // 23:59:59 on New Year's Eve in Paris still counts for 2027; midnight counts for 2028
      p.buy("2027-12-31T22:59:59Z", 0, 50_00);
      p.buy("2027-12-31T23:00:00Z", 0, 900_00);
      p.reviewMonthly("2028-01-01", "2028-12-01");

      assertEquals(List.of(
          "up beauty>vib @2026-04-15T10:00:00Z",
          "up vib>rouge @2026-10-15T10:00:00Z",
          "down rouge>vib @2027-12-31T23:00:00Z"), p.tierEvents());
      assertEquals(TierId.of("rouge"), p.tierAt("2027-12-31T22:59:59Z"));
      assertEquals(Option.some(Instant.parse("2027-12-31T23:00:00Z")), p.history().get(1).until());
      assertEquals(Option.some(Instant.parse("2028-12-31T23:00:00Z")), p.history().last().until());
      TierProgress progress = accepted(p.loyalty.tierProgress(p.member));
      assertEquals(eur(900), progress.activity().spend());
      assertEquals(Option.some(eur(100)), progress.missingForNext().map(QualifyingActivity::spend));
    }
  }

  @Nested
  class TheAirline {

    /** Calendar-year qualifying miles; a review drops a member at most one tier. */
    static TierLadder ladder() {
      return TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("blue", "Blue", Qualification.none()))
          .tier(Tier.of("silver", "Silver", Qualification.points(25_000)))
          .tier(Tier.of("gold", "Gold", Qualification.points(50_000)))
          .tier(Tier.of("platinum", "Platinum", Qualification.points(100_000)))
          .downgrade(DowngradePolicy.ONE_STEP)
          .warnDaysBefore(60)
          .build();
    }

    @Test
    void aFrequentFlyerWhoStopsFlyingLandsOneTierAtATime() {
      Programme p = inUtcFrom2026(ladder());
      p.buy("2026-02-10T12:00:00Z", 30_000, 0);
      p.buy("2026-05-10T12:00:00Z", 30_000, 0);
      p.buy("2026-08-10T12:00:00Z", 30_000, 0);
      p.buy("2026-11-10T12:00:00Z", 30_000, 0);
      p.reviewMonthly("2026-12-01", "2027-06-01");
      p.buy("2027-06-10T12:00:00Z", 30_000, 0);
      p.reviewMonthly("2027-07-01", "2030-02-01");

      assertEquals(List.of(
          "up blue>silver @2026-02-10T12:00:00Z",
          "up silver>gold @2026-05-10T12:00:00Z",
          "up gold>platinum @2026-11-10T12:00:00Z",
          "warn platinum>gold needs 70000pt EUR 0.00 @2027-12-01T06:00:00Z",
          "down platinum>gold @2028-01-01T00:00:00Z",
          "warn gold>silver needs 50000pt EUR 0.00 @2028-12-01T06:00:00Z",
          "down gold>silver @2029-01-01T00:00:00Z",
          "warn silver>blue needs 25000pt EUR 0.00 @2029-12-01T06:00:00Z",
          "down silver>blue @2030-01-01T00:00:00Z"), p.tierEvents());
    }
  }

  @Nested
  class Policies {

    private TierLadder.Builder goldAt(long points) {
      return goldAt(points, QualificationWindow.calendarYear());
    }

    private TierLadder.Builder goldAt(long points, QualificationWindow window) {
      return TierLadder.builder(window)
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(points)));
    }

    @Test
    void aNextPeriodUpgradeTakesEffectWhenThePeriodEnds() {
      Programme p = inUtcFrom2026(goldAt(500).upgrade(UpgradePolicy.NEXT_PERIOD).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);

      assertEquals(TierId.of("member"), p.tierAt("2026-12-31T23:59:59Z"));
      assertEquals(TierId.of("gold"), p.tierAt("2027-01-01T00:00:00Z"));
      p.reviewMonthly("2026-04-01", "2027-01-01");
      assertEquals(List.of(new TierChange(TierId.of("member"), TierId.of("gold"), TierChangeReason.REVIEW,
          Instant.parse("2027-01-01T00:00:00Z"), Option.some(Instant.parse("2028-01-01T00:00:00Z")), Option.none())),
          p.history());
    }

    @Test
    void inTheTopTierOfANextPeriodLadderTheProgressNamesTheStatusReviewAndNotThePeriodsEnd() {
      Programme p = inUtcFrom2026(goldAt(500).upgrade(UpgradePolicy.NEXT_PERIOD).term(TierTerm.months(18)).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.review(LocalDate.parse("2027-01-01"));

      // no tier is above gold, so no period's end can bring a change: the next review is the status's
      TierProgress progress = accepted(p.loyalty.tierProgress(p.member));
      assertEquals(TierId.of("gold"), progress.tier());
      assertEquals(progress.until(), progress.nextReview());
      assertTrue(progress.nextReview().get().isAfter(Instant.parse("2028-01-01T00:00:00Z")));
    }

    @Test
    void anEvaluationOfActivityThatOnlyEarnsTheTierHeldAgainSchedulesNoPeriodEndReview() {
      Programme p = inUtcFrom2026(goldAt(500).tier(Tier.of("platinum", "Platinum", Qualification.points(2000)))
          .upgrade(UpgradePolicy.NEXT_PERIOD).term(TierTerm.months(18)).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.review(LocalDate.parse("2027-01-01"));
      p.clock.set(Instant.parse("2027-03-10T12:00:00Z"));
      purchased(p.loyalty, p.member, 600, 600, 0);

      // 600 points earn gold, the tier held: the end of 2027 brings no upgrade, so nothing is scheduled
      assertEquals(List.empty(), accepted(p.loyalty.evaluateTier(p.member, aKey())).entries());
    }

    @Test
    void aNextPeriodUpgradeDueWhileAnOverrideIsInForceTakesEffectWhenTheOverrideEnds() {
      Programme p = inUtcFrom2026(goldAt(500).upgrade(UpgradePolicy.NEXT_PERIOD).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.clock.set(Instant.parse("2026-11-01T12:00:00Z"));
      p.demotedToMemberUntil("2027-02-01T00:00:00Z");

      assertEquals(TierId.of("member"), p.tierAt("2027-01-31T23:59:59Z"));
      assertEquals(TierId.of("gold"), p.tierAt("2027-02-01T00:00:00Z"));
      p.review(LocalDate.parse("2027-02-01"));
      assertEquals(Option.some(Instant.parse("2028-01-01T00:00:00Z")), p.history().last().until());
    }

    @Test
    void theEndOfAnOverrideDoesNotUpgradeANextPeriodLadderBeforeThePeriodEnds() {
      Programme p = inUtcFrom2026(goldAt(500).upgrade(UpgradePolicy.NEXT_PERIOD).build());
      p.clock.set(Instant.parse("2026-02-01T12:00:00Z"));
      p.demotedToMemberUntil("2026-05-01T00:00:00Z");
      p.buy("2026-03-10T12:00:00Z", 600, 0);

      assertEquals(TierId.of("member"), p.tierAt("2026-06-01T00:00:00Z"));
      assertEquals(TierId.of("gold"), p.tierAt("2027-01-01T00:00:00Z"));
    }

    @Test
    void aNextPeriodLadderWithGraceReviewsTheStatusAfterTheGraceAndUpgradesAtPeriodEnds() {
      Programme p = inUtcFrom2026(goldAt(500).upgrade(UpgradePolicy.NEXT_PERIOD).grace(Period.ofMonths(2)).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.reviewMonthly("2026-04-01", "2028-04-01");

      assertEquals(List.of("up member>gold @2027-01-01T00:00:00Z", "down gold>member @2028-03-01T00:00:00Z"),
          p.tierEvents());
    }

    @Test
    void duringTheGracePeriodTheMemberKeepsTheTierAndCanRequalifyInTheNewPeriod() {
      Programme p = inUtcFrom2026(goldAt(500).grace(Period.ofMonths(3)).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.buy("2028-02-15T12:00:00Z", 500, 0);

      assertEquals(TierId.of("gold"), p.tierAt("2028-03-31T23:59:59Z"));
      p.review(LocalDate.parse("2028-04-01"));
      assertEquals(Option.some(Instant.parse("2030-01-01T00:00:00Z")), p.history().last().until());
      assertEquals(TierId.of("gold"), p.tierAt("2029-12-31T00:00:00Z"));
    }

    /** In Havana 8 March 2026 starts at 01:00 (clocks skip midnight); 8 April starts at midnight. */
    @Test
    void aStatusEndingOnADayWhoseMidnightIsSkippedIsReviewedAtTheStartOfTheDayAGracePeriodLater() {
      TierLadder ladder = goldAt(500, QualificationWindow.rollingMonths(12))
          .term(TierTerm.months(12))
          .grace(Period.ofMonths(1))
          .build();
      Programme p = new Programme(ladder, "2025-01-10T15:00:00Z", ZoneId.of("America/Havana"));
      p.buy("2025-03-07T15:00:00Z", 600, 0);
      assertEquals(Option.some(Instant.parse("2026-03-08T05:00:00Z")), p.history().last().until(), "01:00 in Havana");

      Receipt review = p.review(LocalDate.parse("2026-04-08"));

      assertEquals(List.of(new TierChange(TierId.of("gold"), TierId.of("member"), TierChangeReason.REVIEW,
          Instant.parse("2026-04-08T04:00:00Z"), Option.none(), Option.none())),
          review.entries().map(TierChange::of));
      assertEquals(TierId.of("member"), p.tierAt("2026-04-08T04:00:00Z"));
    }

    /**
     * Samoa skipped 30 December 2011 ({@code Pacific/Apia} went from UTC-10 to UTC+14). A month's
     * status earned on 30 November runs through the 30th, and the day after stands for that day, as
     * for a birthday. Ending it at the start of the 31st, the instant at which the purchase also
     * leaves a month's window (a day counts until a month after it), kept the purchase inside the
     * window that ends with the status: the review renewed gold on the purchase that had earned it.
     */
    @Test
    void aStatusWhoseLastDayTheZoneSkippedRunsThroughTheDayAfterAndThePurchaseThatEarnedItDoesNotRenewIt() {
      TierLadder ladder = goldAt(500, QualificationWindow.rollingMonths(1)).term(TierTerm.months(1)).build();
      Programme p = new Programme(ladder, "2011-06-01T00:00:00Z", ZoneId.of("Pacific/Apia"));
      p.buy("2011-11-30T12:00:00Z", 600, 0);

      assertEquals(TierId.of("member"), p.tierAt("2011-12-31T10:00:00Z"), "on 1 January 2012 in Apia");
      assertEquals(TierId.of("gold"), p.tierAt("2011-12-31T09:59:59Z"), "on 31 December 2011 in Apia");
      assertEquals(Option.some(Instant.parse("2011-12-31T10:00:00Z")), p.history().head().until(),
          "the start of 1 January 2012 in Apia");
    }

    @Test
    void withoutRequalifyingTheGracePeriodOnlyDelaysTheDowngrade() {
      Programme p = inUtcFrom2026(goldAt(500).grace(Period.ofMonths(3)).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);

      assertEquals(TierId.of("gold"), p.tierAt("2028-03-31T23:59:59Z"));
      assertEquals(TierId.of("member"), p.tierAt("2028-04-01T00:00:00Z"));
    }

    @Test
    void anOverrideThatEndsDuringTheGracePeriodLeavesTheRestOfTheGraceToRequalify() {
      Programme p = inUtcFrom2026(goldAt(500).grace(Period.ofMonths(3)).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.clock.set(Instant.parse("2027-12-01T12:00:00Z"));
      accepted(p.loyalty.overrideTier(new TierOverride(p.member, TierId.of("gold"), "Service recovery", "ops-17",
          Instant.parse("2028-02-01T00:00:00Z"), aKey())));

      assertEquals(TierId.of("gold"), p.tierAt("2028-02-15T00:00:00Z"), "gold's review is on 1 April, after the grace");
      p.buy("2028-02-15T12:00:00Z", 500, 0);
      p.reviewMonthly("2028-02-01", "2028-05-01");
      assertEquals(TierId.of("gold"), p.tierAt("2029-12-31T00:00:00Z"));
      assertEquals(Option.some(Instant.parse("2030-01-01T00:00:00Z")), p.history().last().until());
    }

    @Test
    void anOverrideThatEndsDuringTheGracePeriodWithoutRequalifyingDowngradesWhenTheGraceEnds() {
      Programme p = inUtcFrom2026(goldAt(500).grace(Period.ofMonths(3)).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.clock.set(Instant.parse("2027-12-01T12:00:00Z"));
      p.demotedToMemberUntil("2028-02-01T00:00:00Z");
      p.reviewMonthly("2028-01-01", "2028-05-01");

      assertEquals(List.of("up member>gold @2026-03-10T12:00:00Z", "down gold>member @2027-12-01T12:00:00Z",
          "up member>gold @2028-02-01T00:00:00Z",
          "down gold>member @2028-04-01T00:00:00Z"), p.tierEvents());
    }

    /**
     * An upgrade ends an override at once, as its end date would: gold underneath resumes while its term
     * (to the end of 2028) runs; if its review passed during the override (gold ended on 1 January 2028),
     * it does not, and the silver that 2028 earned is an upgrade of its own.
     */
    @ParameterizedTest(name = "gold from {0}, demoted on {1} until {2}: {3} {4}")
    @CsvSource({
        "2027-03-10T12:00:00Z, 2028-02-01T12:00:00Z, 2028-04-01T00:00:00Z, OVERRIDE_EXPIRED, gold, 2029-01-01T00:00:00Z",
        "2026-03-10T12:00:00Z, 2027-12-01T12:00:00Z, 2028-06-01T00:00:00Z, QUALIFIED, silver, 2030-01-01T00:00:00Z"})
    void anUpgradeThatEndsAnOverrideBelowTheStatusUnderneathLeavesThatStatusOnlyWhileItsTermRuns(String goldAt,
        String demotedAt, String demotedUntil, TierChangeReason reason, String tier, String until) {
      Programme p = inUtcFrom2026(TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("silver", "Silver", Qualification.points(300)))
          .tier(Tier.of("gold", "Gold", Qualification.points(1000)))
          .build());
      p.buy(goldAt, 1200, 0);
      p.clock.set(Instant.parse(demotedAt));
      p.demotedToMemberUntil(demotedUntil);
      p.buy("2028-03-10T12:00:00Z", 400, 0);

      assertEquals(new TierChange(TierId.of("member"), TierId.of(tier), reason, Instant.parse("2028-03-10T12:00:00Z"),
          Option.some(Instant.parse(until)), Option.none()), p.history().last());
      assertEquals(TierId.of(tier), p.tierAt("2028-12-31T23:59:59Z"));
      assertEquals(TierId.of("silver"), p.tierAt("2029-01-01T00:00:00Z"), "2028 earned silver");
    }

    @Test
    void aLifetimeTierIsNeverReviewed() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)).forLife())
          .build();
      Programme p = inUtcFrom2026(ladder);
      p.buy("2026-03-10T12:00:00Z", 600, 0);

      assertEquals(TierId.of("gold"), p.tierAt("2036-01-01T00:00:00Z"));
      assertEquals(Option.none(), accepted(p.loyalty.tierProgress(p.member)).nextReview());
    }

    @Test
    void withNoDowngradeATierOnceReachedIsKept() {
      Programme p = inUtcFrom2026(goldAt(500).downgrade(DowngradePolicy.NONE).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);

      assertEquals(TierId.of("gold"), p.tierAt("2031-06-01T00:00:00Z"));
    }

    @Test
    void excessQualifyingPointsRollOverIntoTheNextYearUpToTheCap() {
      Programme p = inUtcFrom2026(goldAt(1000).rolloverCappedAt(300).build());
      p.buy("2026-03-10T12:00:00Z", 1500, 0);
      p.buy("2027-05-10T12:00:00Z", 700, 0);

      assertEquals(1000, accepted(p.loyalty.tierProgress(p.member)).activity().points());
      assertEquals(TierId.of("gold"), p.tierAt("2028-06-01T00:00:00Z"));
      assertEquals(TierId.of("member"), p.tierAt("2029-01-01T00:00:00Z"));
    }

    /** A ladder is climbed: a tier reached on spend or visits alone also reached the points tiers below it. */
    @Test
    void pointsCarriedOverAboveATierReachedWithoutAPointsThresholdAreThoseAboveTheHighestPointsThresholdUnderIt() {
      TierLadder ladder = goldAt(1000)
          .tier(Tier.of("vip", "VIP", Qualification.spend(eur(1000))))
          .rolloverCappedAt(5000)
          .build();
      Programme p = inUtcFrom2026(ladder);
      p.buy("2026-03-10T12:00:00Z", 1200, 1000_00);
      p.clock.set(Instant.parse("2027-01-05T12:00:00Z"));

      assertEquals(200, accepted(p.loyalty.tierProgress(p.member)).activity().points());
    }

    @Test
    void withoutRolloverTheSameMemberWouldHaveDroppedAtTheReview() {
      Programme p = inUtcFrom2026(goldAt(1000).build());
      p.buy("2026-03-10T12:00:00Z", 1500, 0);
      p.buy("2027-05-10T12:00:00Z", 700, 0);

      assertEquals(TierId.of("member"), p.tierAt("2028-01-01T00:00:00Z"));
      p.clock.advance(Duration.ofDays(1));
      assertEquals(700, accepted(p.loyalty.tierProgress(p.member)).activity().points());
    }
  
    @Test
    void aLadderThatRevokesUpgradesOnReturnsTakesBackAnUpgradeWhoseCreditWasReturned() {
      Programme p = inUtcFrom2026(goldAt(500).revokeUpgradesOnReturn().build());
      p.buy("2026-03-10T12:00:00Z", 300, 0);
      Receipt second = p.buy("2026-04-10T12:00:00Z", 300, 0);
      p.clock.set(Instant.parse("2026-05-01T12:00:00Z"));
      returned(p.loyalty, second);
      accepted(p.loyalty.evaluateTier(p.member, aKey()));

      assertEquals(List.of("up member>gold @2026-04-10T12:00:00Z", "down gold>member @2026-05-01T12:00:00Z"),
          p.tierEvents());
      assertEquals(TierChangeReason.RETURNED, p.history().last().reason());
    }

    /**
     * A sale of 30 December, uploaded late by an offline till (or on time), counts in the year it
     * occurred. Returned in January, it took back none of the credit that earned January's upgrade,
     * which stays until its review.
     */
    @Test
    void returningAPurchaseOfThePreviousYearRevokesNoUpgradeThisYearsPurchasesEarned() {
      Programme p = inUtcFrom2026(goldAt(500).revokeUpgradesOnReturn().build());
      Receipt december = p.buy("2026-12-30T12:00:00Z", 300, 0);
      p.buy("2027-01-02T12:00:00Z", 600, 0);
      p.clock.set(Instant.parse("2027-01-05T12:00:00Z"));

      returned(p.loyalty, december);
      accepted(p.loyalty.evaluateTier(p.member, aKey()));

      assertEquals(List.of("up member>gold @2027-01-02T12:00:00Z"), p.tierEvents());
      assertEquals(TierId.of("gold"), p.tierAt("2027-01-05T12:00:01Z"));
    }

    /** A return recorded at the very instant of the upgrade its purchase earned (a fixed clock, a quick till) revokes it. */
    @Test
    void returningThePurchaseThatEarnedAnUpgradeAtTheSameInstantRevokesIt() {
      Programme p = inUtcFrom2026(goldAt(500).revokeUpgradesOnReturn().build());
      p.buy("2026-04-10T11:00:00Z", 300, 0);
      Receipt second = p.buy("2026-04-10T12:00:00Z", 300, 0);

      returned(p.loyalty, second);
      accepted(p.loyalty.evaluateTier(p.member, aKey()));

      assertEquals(List.of("up member>gold @2026-04-10T12:00:00Z", "down gold>member @2026-04-10T12:00:00Z"),
          p.tierEvents());
      assertEquals(TierId.of("member"), p.tierAt("2026-04-10T12:00:01Z"));
    }

    /**
     * Gold at 500 when it was earned; a later version asks 800. Nothing was returned, so the next
     * purchase revokes nothing: the member keeps gold until its review, which judges by 800.
     */
    @Test
    void aPurchaseAfterALaterVersionRaisedTheThresholdRevokesNothingAndTheReviewJudgesByTheNewOne() {
      Programme p = inUtcFrom2026(goldAt(500).revokeUpgradesOnReturn().build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.nextVersionWith(goldAt(800).revokeUpgradesOnReturn().build());

      p.buy("2026-06-10T12:00:00Z", 50, 0);

      assertEquals(TierId.of("gold"), p.tierAt("2026-06-10T12:00:01Z"));
      assertEquals(List.of(TierChangeReason.QUALIFIED), p.history().map(TierChange::reason));
      p.review(LocalDate.parse("2028-01-01"));
      assertEquals(List.of("up member>gold @2026-03-10T12:00:00Z", "down gold>member @2028-01-01T00:00:00Z"),
          p.tierEvents());
      assertEquals(TierChangeReason.REVIEW, p.history().last().reason());
    }

    /**
     * Gold at 500, earned with 600 in March; a later version adds silver at 300 and asks 800 for gold,
     * so those 600 earn silver today. Returning a later purchase of 50 leaves the 600: nothing the
     * upgrade was earned with is taken back, and gold stays until its review. Returning the 600 leaves
     * 50, below silver: the return took back what earned the upgrade, which is revoked.
     */
    @ParameterizedTest(name = "returning the purchase of {0} leaves {1}")
    @CsvSource({"50, gold", "600, member"})
    void underAVersionThatRaisedTheThresholdAReturnRevokesOnlyWhenItLowersWhatTheActivityEarns(long returnedPoints,
        String tier) {
      Programme p = inUtcFrom2026(goldAt(500).revokeUpgradesOnReturn().build());
      Receipt upgrading = p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.nextVersionWith(TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("silver", "Silver", Qualification.points(300)))
          .tier(Tier.of("gold", "Gold", Qualification.points(800))).revokeUpgradesOnReturn().build());
      Receipt later = p.buy("2026-06-10T12:00:00Z", 50, 0);
      p.clock.set(Instant.parse("2026-07-01T12:00:00Z"));

      returned(p.loyalty, returnedPoints == 50 ? later : upgrading);

      assertEquals(TierId.of(tier), p.tierAt("2026-07-01T12:00:01Z"));
    }

    @Test
    void aReturnThroughReverseRevokesTheUpgradeItUndidWithoutAnotherEvaluation() {
      Programme p = inUtcFrom2026(goldAt(500).revokeUpgradesOnReturn().build());
      p.buy("2026-03-10T12:00:00Z", 300, 0);
      Receipt second = p.buy("2026-04-10T12:00:00Z", 300, 0);
      p.clock.set(Instant.parse("2026-05-01T12:00:00Z"));

      returned(p.loyalty, second);

      assertEquals(TierId.of("member"), p.tierAt("2026-05-01T12:00:00Z"));
      assertEquals(TierChangeReason.RETURNED, p.history().last().reason());
    }

    /**
     * Silver (until the end of 2027) from 2026; in 2027, {@code left} points, then 700 that upgrade to
     * gold and are returned: whether or not what is left earns silver again (400 does not, 500 does), no
     * upgrade to silver was made in 2027, so the status held before the revoked upgrade comes back with
     * its own term, not a new one from the return.
     */
    @ParameterizedTest(name = "{0} points left in 2027")
    @CsvSource({"400", "500"})
    void aRevokedUpgradeFallsBackToTheStatusHeldBeforeItWithItsTermWhileThatStatusLasts(long left) {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("silver", "Silver", Qualification.points(500)))
          .tier(Tier.of("gold", "Gold", Qualification.points(1000)))
          .revokeUpgradesOnReturn()
          .build();
      Programme p = inUtcFrom2026(ladder);
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.buy("2027-02-10T12:00:00Z", left, 0);
      Receipt big = p.buy("2027-03-10T12:00:00Z", 700, 0);
      p.clock.set(Instant.parse("2027-04-01T12:00:00Z"));
      returned(p.loyalty, big);
      accepted(p.loyalty.evaluateTier(p.member, aKey()));

      TierChange revoked = p.history().last();
      assertEquals(TierChangeReason.RETURNED, revoked.reason());
      assertEquals(TierId.of("silver"), revoked.to());
      assertEquals(Option.some(Instant.parse("2028-01-01T00:00:00Z")), revoked.until());
    }
    /** Silver earned in March 2026 on a calendar-year ladder that revokes upgrades on returns. */
    Programme silverUntil2028WithThreeMonthsOfGrace() {
      Programme p = inUtcFrom2026(TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("silver", "Silver", Qualification.points(500)))
          .tier(Tier.of("gold", "Gold", Qualification.points(1000)))
          .grace(Period.ofMonths(3))
          .revokeUpgradesOnReturn()
          .build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      return p;
    }

    /** Buys gold on 10 February 2028, returns it all at {@code at} and answers the last change. */
    TierChange goldBoughtInFebruary2028AndReturnedAt(Programme p, String at) {
      Receipt big = p.buy("2028-02-10T12:00:00Z", 1200, 0);
      p.clock.set(Instant.parse(at));
      returned(p.loyalty, big);
      return p.history().last();
    }

    /**
     * As the end of an override does, a revocation brings back the status held before the revoked
     * upgrade through its grace period: silver ended on 1 January 2028 and is reviewed on 1 April.
     */
    @Test
    void aRevokedUpgradeInTheGracePeriodOfTheStatusBeforeItLeavesTheRestOfTheGraceToRequalify() {
      Programme p = silverUntil2028WithThreeMonthsOfGrace();
      TierChange revoked = goldBoughtInFebruary2028AndReturnedAt(p, "2028-03-01T12:00:00Z");
      assertEquals(List.of(TierChangeReason.RETURNED, TierId.of("silver"), Option.some(Instant.parse("2028-01-01T00:00:00Z"))),
          List.of(revoked.reason(), revoked.to(), revoked.until()), "silver's own term, ended before the revocation");
      assertEquals(TierId.of("silver"), p.tierAt("2028-03-31T23:59:59Z"));
      p.buy("2028-03-15T12:00:00Z", 500, 0);
      p.reviewMonthly("2028-04-01", "2028-05-01");
      assertEquals(TierId.of("silver"), p.tierAt("2029-12-31T00:00:00Z"), "requalified in the grace");
      assertEquals(List.of("up member>silver @2026-03-10T12:00:00Z", "up silver>gold @2028-02-10T12:00:00Z",
          "down gold>silver @2028-03-01T12:00:00Z"), p.tierEvents());
    }

    /**
     * Past the grace period of the status held before, a revocation does not bring it back: silver
     * ended on 1 January 2028 and was reviewed on 1 April, so a return in May falls to what is left.
     */
    @Test
    void aRevokedUpgradeAfterTheGracePeriodOfTheStatusBeforeFallsToWhatTheActivityLeftEarns() {
      Programme p = silverUntil2028WithThreeMonthsOfGrace();
      TierChange revoked = goldBoughtInFebruary2028AndReturnedAt(p, "2028-05-01T12:00:00Z");
      assertEquals(List.of(TierChangeReason.RETURNED, TierId.of("member")), List.of(revoked.reason(), revoked.to()),
          "silver's grace ended on 1 April");
      assertEquals(TierId.of("member"), p.tierAt("2028-05-01T12:00:01Z"));
    }
  }

  @Nested
  class LifetimeTiers {

    /** Member, gold for life at 500 qualifying points, platinum at 2,000, in calendar years. */
    private TierLadder.Builder goldForLifeUnderPlatinum() {
      return TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)).forLife())
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2000)));
    }

    /**
     * Gold for life reached in 2026; a later version takes forLife off gold. A status for life has no
     * end, so no review takes it; and a member who climbs to platinum in 2027 and loses it at its
     * review falls back to gold, as under the version that promised it, not below a member who never
     * climbed.
     */
    @ParameterizedTest(name = "platinum bought: {0}")
    @CsvSource({"false", "true"})
    void aTierReachedForLifeStaysTheFloorWhenALaterVersionTakesForLifeOffIt(boolean climbs) {
      Programme p = inUtcFrom2026(goldForLifeUnderPlatinum().build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.nextVersionWith(TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2000))).build());
      if (climbs) {
        p.buy("2027-03-10T12:00:00Z", 2100, 0);
      }

      p.reviewMonthly("2027-04-01", "2030-01-01");

      assertEquals(TierId.of("gold"), p.tierAt("2030-01-01T12:00:00Z"));
      assertEquals(Option.none(), accepted(p.loyalty.tierProgress(p.member)).nextReview());
    }

    @Test
    void aMemberWhoLosesAHigherTierAtItsReviewFallsBackToTheLifetimeTierReachedBefore() {
      Programme p = inUtcFrom2026(goldForLifeUnderPlatinum().build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      assertEquals(TierId.of("gold"), p.tierAt("2026-03-11T00:00:00Z"));
      p.buy("2026-04-10T12:00:00Z", 1500, 0);
      assertEquals(TierId.of("platinum"), p.tierAt("2026-04-11T00:00:00Z"));

      // platinum lasts to the end of 2027, a year without activity
      assertEquals(TierId.of("gold"), p.tierAt("2028-01-02T00:00:00Z"), "gold was reached for life");
      p.review(LocalDate.parse("2028-01-02"));
      assertEquals(new TierChange(TierId.of("platinum"), TierId.of("gold"), TierChangeReason.REVIEW,
          Instant.parse("2028-01-01T00:00:00Z"), Option.none(), Option.none()), p.history().last());
      assertEquals(TierId.of("gold"), p.tierAt("2040-01-01T00:00:00Z"));
      assertEquals(Option.none(), accepted(p.loyalty.tierProgress(p.member)).nextReview());
    }

    @Test
    void reachingAHigherLifetimeTierRaisesTheFloorSoALaterReviewFallsNoLowerThanIt() {
      Programme p = inUtcFrom2026(TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)).forLife())
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2000)).forLife())
          .tier(Tier.of("diamond", "Diamond", Qualification.points(5000)))
          .build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.buy("2026-04-10T12:00:00Z", 1500, 0);
      p.buy("2026-05-10T12:00:00Z", 3000, 0);
      assertEquals(TierId.of("diamond"), p.tierAt("2026-05-11T00:00:00Z"));

      // diamond lasts to the end of 2027, a year without activity; platinum was reached for life after gold
      p.review(LocalDate.parse("2028-01-02"));
      assertEquals(new TierChange(TierId.of("diamond"), TierId.of("platinum"), TierChangeReason.REVIEW,
          Instant.parse("2028-01-01T00:00:00Z"), Option.none(), Option.none()), p.history().last());
    }

    @ParameterizedTest(name = "{0}, {1} months of grace")
    @CsvSource({"RECOMPUTE, 0", "RECOMPUTE, 2", "ONE_STEP, 0", "ONE_STEP, 2"})
    void noReviewPolicyTakesAMemberBelowALifetimeTierReachedByPassingItOnTheWayUp(DowngradePolicy policy,
        int graceMonths) {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("silver", "Silver", Qualification.points(300)))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)).forLife())
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2000)))
          .tier(Tier.of("diamond", "Diamond", Qualification.points(5000)))
          .downgrade(policy)
          .grace(Period.ofMonths(graceMonths))
          .build();
      Programme p = inUtcFrom2026(ladder);
      p.buy("2026-03-10T12:00:00Z", 6000, 0);
      assertEquals(List.of("up member>diamond @2026-03-10T12:00:00Z"), p.tierEvents());

      p.reviewMonthly("2028-01-01", "2031-01-01");
      assertEquals(TierId.of("gold"), p.tierAt("2031-01-02T00:00:00Z"));
      assertEquals(TierId.of("gold"), p.history().last().to());
      assertEquals(Option.none(), p.history().last().until());
    }

    @Test
    void theWarningOfAFallThatALifetimeTierStopsNamesThatTierAndNotOneBelowIt() {
      Programme p = inUtcFrom2026(goldForLifeUnderPlatinum().warnDaysBefore(30).build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.buy("2026-04-10T12:00:00Z", 1500, 0);
      for (LocalDate d = LocalDate.parse("2027-11-20"); d.isBefore(LocalDate.parse("2028-01-10")); d = d.plusDays(1)) {
        p.review(d);
      }

      assertEquals(List.of(
          "up member>gold @2026-03-10T12:00:00Z",
          "up gold>platinum @2026-04-10T12:00:00Z",
          "warn platinum>gold needs 2000pt EUR 0.00 @2027-12-02T06:00:00Z",
          "down platinum>gold @2028-01-01T00:00:00Z"), p.tierEvents());
    }

    @Test
    void aRevocationNeverTakesTheMemberBelowALifetimeTierReachedBeforeTheRevokedUpgrade() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)).forLife())
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2000)))
          .tier(Tier.of("diamond", "Diamond", Qualification.points(5000)))
          .grace(Period.ofMonths(3))
          .revokeUpgradesOnReturn()
          .build();
      Programme p = inUtcFrom2026(ladder);
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.buy("2026-04-10T12:00:00Z", 1500, 0);
      // platinum ended on 1 January 2028 and is in its grace period when diamond is reached and returned
      Receipt diamond = p.buy("2028-02-10T12:00:00Z", 5000, 0);
      p.clock.set(Instant.parse("2028-03-01T12:00:00Z"));
      returned(p.loyalty, diamond);
      accepted(p.loyalty.evaluateTier(p.member, aKey()));

      // back to platinum for the rest of its grace, then its review falls no lower than gold
      TierChange revoked = p.history().last();
      assertEquals(List.of(TierId.of("diamond"), TierId.of("platinum"), Option.some(Instant.parse("2028-01-01T00:00:00Z"))),
          List.of(revoked.from(), revoked.to(), revoked.until()));
      assertEquals(TierId.of("platinum"), p.tierAt("2028-03-31T23:59:59Z"));
      p.review(LocalDate.parse("2028-04-01"));
      assertEquals(new TierChange(TierId.of("platinum"), TierId.of("gold"), TierChangeReason.REVIEW,
          Instant.parse("2028-04-01T00:00:00Z"), Option.none(), Option.none()), p.history().last());
      assertEquals(TierId.of("gold"), p.tierAt("2035-01-01T00:00:00Z"));
    }

    /** Revoking an upgrade says it was not reached: a lifetime tier is no exception. */
    @Test
    void aLifetimeTierReachedOnlyByAPurchaseThatWasReturnedIsRevokedWithIt() {
      Programme p = inUtcFrom2026(goldForLifeUnderPlatinum().revokeUpgradesOnReturn().build());
      Receipt purchase = p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.clock.set(Instant.parse("2026-04-01T12:00:00Z"));
      returned(p.loyalty, purchase);
      accepted(p.loyalty.evaluateTier(p.member, aKey()));

      assertEquals(List.of("up member>gold @2026-03-10T12:00:00Z", "down gold>member @2026-04-01T12:00:00Z"),
          p.tierEvents());
      assertEquals(TierId.of("member"), p.tierAt("2030-01-01T00:00:00Z"));
    }

    /** An override is explicit and temporary: it may go below a lifetime tier, which resumes when it ends. */
    @Test
    void anOverrideBelowALifetimeTierHoldsUntilItsEndAndTheLifetimeTierResumesThen() {
      Programme p = inUtcFrom2026(goldForLifeUnderPlatinum().build());
      p.buy("2026-03-10T12:00:00Z", 600, 0);
      p.clock.set(Instant.parse("2026-05-01T12:00:00Z"));
      p.demotedToMemberUntil("2026-07-01T00:00:00Z");

      assertEquals(TierId.of("member"), p.tierAt("2026-06-30T23:59:59Z"));
      assertEquals(TierId.of("gold"), p.tierAt("2026-07-01T00:00:00Z"));
      p.review(LocalDate.parse("2026-07-01"));
      assertEquals(new TierChange(TierId.of("member"), TierId.of("gold"), TierChangeReason.OVERRIDE_EXPIRED,
          Instant.parse("2026-07-01T00:00:00Z"), Option.none(), Option.none()), p.history().last());
      assertEquals(TierId.of("gold"), p.tierAt("2040-01-01T00:00:00Z"));
    }

    @Test
    void anUpgradeThatEndsAnOverrideBelowALifetimeTierBringsTheMemberBackToAtLeastThatTier() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("silver", "Silver", Qualification.points(300)))
          .tier(Tier.of("gold", "Gold", Qualification.points(1000)).forLife())
          .build();
      Programme p = inUtcFrom2026(ladder);
      p.buy("2026-03-10T12:00:00Z", 1200, 0);
      p.clock.set(Instant.parse("2027-02-01T12:00:00Z"));
      p.demotedToMemberUntil("2027-12-01T00:00:00Z");
      p.buy("2027-03-10T12:00:00Z", 400, 0);

      assertEquals(new TierChange(TierId.of("member"), TierId.of("gold"), TierChangeReason.QUALIFIED,
          Instant.parse("2027-03-10T12:00:00Z"), Option.none(), Option.none()), p.history().last());
      assertEquals(TierId.of("gold"), p.tierAt("2035-01-01T00:00:00Z"));
    }

    /** Setting a tier by hand is not reaching it. */
    @Test
    void anOverrideToALifetimeTierDoesNotGrantItForLife() {
      Programme p = inUtcFrom2026(goldForLifeUnderPlatinum().build());
      p.clock.set(Instant.parse("2026-05-01T12:00:00Z"));
      accepted(p.loyalty.overrideTier(new TierOverride(p.member, TierId.of("gold"), "Status match",
          "ops-17", Instant.parse("2026-07-01T00:00:00Z"), aKey())));

      assertEquals(TierId.of("gold"), p.tierAt("2026-06-30T23:59:59Z"));
      assertEquals(TierId.of("member"), p.tierAt("2026-07-01T00:00:00Z"));
    }
  }
}
