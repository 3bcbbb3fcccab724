package io.github.loyaltyledger.insight;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aLoyaltyEarning;
import static io.github.loyaltyledger.Fixtures.aProgram;
import static io.github.loyaltyledger.Fixtures.aPurchase;
import static io.github.loyaltyledger.Fixtures.line;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.purchased;
import static io.github.loyaltyledger.Fixtures.returned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.Occasion;
import io.github.loyaltyledger.occasion.OccasionGrant;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.vavr.collection.List;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentsTest {

  static final Instant JANUARY = Instant.parse("2026-01-01T09:00:00Z");
  static final Instant AS_OF = Instant.parse("2026-12-31T12:00:00Z");

  final TestClock clock = new TestClock(JANUARY);
  final InMemoryLedgerStore store = new InMemoryLedgerStore();
  final Loyalty loyalty = aLoyalty(store, clock, aProgram());

  static MemberId cell(int r, int f, int copy) {
    return member("m-r" + r + "-f" + f + "-" + copy);
  }

  /**
   * A 5 × 5 population, two members per cell: recency index r bought last (5 - r) × 30 days before
   * {@link #AS_OF}; frequency index f bought f + 1 times, a week apart, EUR 10.00 each. Each
   * dimension has ten members per value, so the quintile scores are exactly r + 1, f + 1, f + 1.
   */
  void population() {
    for (int r = 0; r < 5; r++) {
      for (int f = 0; f < 5; f++) {
        for (int copy = 0; copy < 2; copy++) {
          MemberId m = cell(r, f, copy);
          clock.set(JANUARY);
          accepted(loyalty.enrol(Enrolment.of(m, aKey()).enrolledAt(JANUARY)));
          Instant last = AS_OF.minus(Duration.ofDays((5L - r) * 30));
          for (int k = f; k >= 0; k--) {
            clock.set(last.minus(Duration.ofDays(7L * k)));
            purchased(loyalty, m, 10, 1000);
          }
        }
      }
    }
    clock.set(AS_OF);
  }

  @Nested
  class Rfm {

    @Test
    void everyMemberOfAGeneratedPopulationScoresItsKnownQuintiles() {
      population();
      RfmModel model = loyalty.rfm(AS_OF, ZoneOffset.UTC);
      assertEquals(50, model.purchasingMembers());
      for (int r = 0; r < 5; r++) {
        for (int f = 0; f < 5; f++) {
          RfmProfile p = model.profile(cell(r, f, 1)).get();
          assertEquals(new RfmScore(r + 1, f + 1, f + 1), p.score(), p.member().value());
          assertEquals(f + 1, p.purchases());
          assertEquals((5L - r) * 30, p.daysSinceLastPurchase());
        }
      }
    }

    @ParameterizedTest(name = "R{0} F{1} is {2}")
    @CsvSource({
      "5, 5, CHAMPIONS", "4, 4, CHAMPIONS", "3, 5, LOYAL", "5, 4, CHAMPIONS", "1, 5, AT_RISK", "2, 3, AT_RISK",
      "1, 1, HIBERNATING", "2, 2, HIBERNATING", "5, 1, NEW", "4, 1, NEW", "3, 1, PROMISING", "4, 3, PROMISING"})
    void namedSegmentsFollowTheDocumentedTable(int r, int f, RfmSegment expected) {
      population();
      assertEquals(expected, loyalty.rfm(AS_OF, ZoneOffset.UTC).profile(cell(r - 1, f - 1, 0)).get().segment());
    }

    /**
     * The model keeps the measures of every purchasing member while it builds, in arrays that grow,
     * and reads members a page at a time: a programme with more purchasing members than the first
     * arrays and a page hold is scored over all of them.
     */
    @Test
    void aProgrammeWithMorePurchasingMembersThanAPageIsScoredOverAllOfThem() {
      int n = 1030;
      clock.set(JANUARY);
      for (int i = 0; i < n; i++) {
        MemberId m = member(String.format("m%04d", i));
        accepted(loyalty.enrol(Enrolment.of(m, aKey()).enrolledAt(JANUARY)));
        purchased(loyalty, m, 1, 100L * (i + 1));
      }
      RfmModel model = loyalty.rfm(AS_OF, ZoneOffset.UTC);
      assertEquals(n, model.purchasingMembers());
      // The monetary cut-offs are the spends at indexes 206, 412, 618 and 824 of the 1030 sorted.
      assertEquals(1, model.profile(member("m0205")).get().score().monetary());
      assertEquals(2, model.profile(member("m0206")).get().score().monetary());
      assertEquals(4, model.profile(member("m0823")).get().score().monetary());
      assertEquals(5, model.profile(member("m0824")).get().score().monetary());
      assertEquals(5, model.profile(member("m1029")).get().score().monetary());
    }

    @ParameterizedTest(name = "R{0} F{1} M{2} is {3}")
    @CsvSource({
      "4, 4, 4, CHAMPIONS", "4, 4, 3, LOYAL", "5, 5, 1, LOYAL", "3, 4, 5, LOYAL", "3, 3, 5, PROMISING",
      "2, 2, 5, HIBERNATING", "2, 3, 1, AT_RISK", "4, 1, 5, NEW", "4, 2, 5, PROMISING"})
    void aChampionAlsoSpendsInTheTopTwoFifthsAndOtherSegmentsIgnoreSpend(int r, int f, int m, RfmSegment expected) {
      assertEquals(expected, RfmSegment.of(new RfmScore(r, f, m)));
    }

    @Test
    void segmentSizesCountEveryPurchasingMemberOnce() {
      population();
      accepted(loyalty.enrol(Enrolment.of(member("never-bought"), aKey())));
      RfmModel model = loyalty.rfm(AS_OF, ZoneOffset.UTC);
      assertEquals(50L, model.segmentSizes().values().sum().longValue());
      assertEquals(8L, model.segmentSizes().get(RfmSegment.CHAMPIONS).get());
      assertTrue(model.profile(member("never-bought")).isEmpty());
      assertTrue(model.segmentsOf(member("never-bought"), AS_OF).isEmpty());
    }

    /**
     * Asked about a member's segment at an instant with no date in its zone (Instant.MAX, say), the
     * model threw DateTimeException "Invalid value for EpochDay" from counting the days since the
     * last purchase; it is refused as the reports refuse such an instant, naming the argument.
     */
    @Test
    void aSegmentAskedAboutAtAnInstantOutsideYears1To9999IsRefusedNamingTheArgument() {
      population();
      RfmModel model = loyalty.rfm(AS_OF, ZoneOffset.UTC);
      for (Instant at : List.of(Instant.MAX, Instant.MIN)) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> model.segmentsOf(cell(4, 4, 0), at), at.toString());
        assertTrue(e.getMessage().startsWith("at must be between years 1 and 9999"), e.getMessage());
      }
    }

    @Test
    void theModelIsASegmentResolverThatPromotionsCanTarget() {
      population();
      RfmModel model = loyalty.rfm(AS_OF, ZoneOffset.UTC);
      LoyaltyProgram targeted = LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(
          BaseRate.of("champions-only", "1").with(RuleTerms.DEFAULT.forSegments("champions")))).build();
      Loyalty promotions = Loyalty.builder().program(targeted).store(store).clock(clock).segmentResolver(model).build();
      assertEquals(TreeSet.of("champions"), model.segmentsOf(cell(4, 4, 0), AS_OF));
      assertEquals(points(10), accepted(promotions.earn(aPurchase(cell(4, 4, 0), aKey(), AS_OF, line("ITEM", 1, "10.00"))))
          .entries().head().points());
      assertEquals(points(0), accepted(promotions.earn(aPurchase(cell(0, 0, 0), aKey(), AS_OF, line("ITEM", 1, "10.00"))))
          .balance().total().minus(points(10)));
    }

    @Test
    void aPurchaseReturnedThroughReverseNoLongerCountsAndTheLastPurchaseIsTheLastOneKept() {
      clock.set(JANUARY);
      accepted(loyalty.enrol(Enrolment.of(member("ada"), aKey()).enrolledAt(JANUARY)));
      accepted(loyalty.enrol(Enrolment.of(member("bob"), aKey()).enrolledAt(JANUARY)));
      purchased(loyalty, member("bob"), 10, 1000);
      Receipt only = purchased(loyalty, member("ada"), 500, 50_000);
      returned(loyalty, only);
      assertTrue(loyalty.rfm(AS_OF, ZoneOffset.UTC).profile(member("ada")).isEmpty(), "ada returned her only purchase");
      clock.set(JANUARY.plus(Duration.ofDays(10)));
      purchased(loyalty, member("ada"), 20, 2000);
      clock.set(JANUARY.plus(Duration.ofDays(20)));
      returned(loyalty, purchased(loyalty, member("ada"), 30, 3000));
      RfmProfile ada = loyalty.rfm(AS_OF, ZoneOffset.UTC).profile(member("ada")).get();
      assertEquals(1, ada.purchases());
      assertEquals(eur("20.00"), ada.spend());
      assertEquals(JANUARY.plus(Duration.ofDays(10)), ada.lastPurchase(), "the purchase of day 20 was returned");
    }

    /**
     * A credit may carry qualifying spend without a visit (spend the shop counts towards a member's
     * tier, not a purchase of its own). RFM counted its spend, but its reversal took nothing back,
     * while the tier engine takes back what the reversed entry recorded.
     */
    @Test
    void aReversedCreditCarryingQualifyingSpendWithoutAVisitNoLongerCountsItsSpend() {
      clock.set(JANUARY);
      accepted(loyalty.enrol(Enrolment.of(member("ada"), aKey()).enrolledAt(JANUARY)));
      purchased(loyalty, member("ada"), 10, 1000);
      Receipt spendOnly = accepted(loyalty.credit(Credit.of(member("ada"), points(50), "Spend at a partner", aKey())
          .explainedBy(List.of("partner"), io.vavr.collection.TreeMap.of(QualifyingActivity.SPEND, "5000"))));
      assertEquals(eur("60.00"), loyalty.rfm(AS_OF, ZoneOffset.UTC).profile(member("ada")).get().spend());

      returned(loyalty, spendOnly);

      RfmProfile ada = loyalty.rfm(AS_OF, ZoneOffset.UTC).profile(member("ada")).get();
      assertEquals(eur("10.00"), ada.spend(), "the reversal takes back the spend its credit recorded");
      assertEquals(1, ada.purchases());
    }

    @Test
    void aRefundRecordedEarlierThanItsPurchaseByANodeWhoseClockIsBehindTakesBackOnlyWithThePurchase() {
      Loyalty earning = aLoyaltyEarning(clock, BaseRate.of("base", "1"));
      MemberId ada = member("ada");
      accepted(earning.enrol(Enrolment.of(ada, aKey()).enrolledAt(JANUARY)));
      accepted(earning.earn(aPurchase(ada, aKey(), JANUARY, line("ITEM", 1, "20.00"))));
      Instant nodeA = JANUARY.plus(Duration.ofDays(1));
      clock.set(nodeA);
      IdempotencyKey second = aKey();
      accepted(earning.earn(aPurchase(ada, second, nodeA, line("ITEM", 1, "50.00"))));
      clock.set(nodeA.minus(Duration.ofHours(1)));
      accepted(earning.refund(Refund.ofAmount(second, aKey(), eur("50.00"))));
      Instant between = nodeA.minus(Duration.ofMinutes(30));

      Option<RfmProfile> profile = earning.rfm(between, ZoneOffset.UTC).profile(ada);

      assertTrue(profile.isDefined(), "ada's first purchase was never returned");
      RfmProfile then = profile.get();
      assertEquals(1, then.purchases(), "the first purchase; the second and its refund cancel out or both wait");
      assertEquals(eur("20.00"), then.spend());
      assertEquals(JANUARY, then.lastPurchase());
    }

    /**
     * A model built before anyone bought had every cut-off at Long.MAX_VALUE, so it scored a
     * member's first purchase, made just after it, 1/1/1: HIBERNATING, "few purchases, long ago".
     * With no purchasing members to rank against, a purchase is as recent as any the model knew:
     * a first one is NEW, and a member who came back is PROMISING, until the model is rebuilt.
     */
    @Test
    void aModelBuiltBeforeAnyoneBoughtReadsAFirstPurchaseAsNewAndARepeatOneAsPromising() {
      clock.set(JANUARY);
      accepted(loyalty.enrol(Enrolment.of(member("ada"), aKey()).enrolledAt(JANUARY)));
      accepted(loyalty.enrol(Enrolment.of(member("bob"), aKey()).enrolledAt(JANUARY)));
      RfmModel empty = loyalty.rfm(JANUARY, ZoneOffset.UTC);
      assertEquals(0, empty.purchasingMembers());

      Instant later = JANUARY.plus(Duration.ofDays(3));
      clock.set(later);
      purchased(loyalty, member("ada"), 10, 1000);
      purchased(loyalty, member("bob"), 10, 1000);
      purchased(loyalty, member("bob"), 500, 50_000);

      assertEquals(TreeSet.of("new"), empty.segmentsOf(member("ada"), later));
      assertEquals(TreeSet.of("promising"), empty.segmentsOf(member("bob"), later));
      assertTrue(empty.profile(member("ada")).isEmpty(), "ada had not bought at the model's instant");
    }

    /**
     * A model built over one purchasing member has that member's values as all four cut-offs: a
     * member whose first purchase comes after the build, for less, is NEW; one who reaches all of
     * them scores 5 in each.
     */
    @Test
    void aModelBuiltOverOnePurchaserScoresLaterFirstPurchasesAgainstThatMembersValues() {
      clock.set(JANUARY);
      for (String m : new String[] {"ada", "bob", "cyd"}) {
        accepted(loyalty.enrol(Enrolment.of(member(m), aKey()).enrolledAt(JANUARY)));
      }
      for (int i = 0; i < 3; i++) {
        purchased(loyalty, member("bob"), 10, 1000);
      }
      RfmModel one = loyalty.rfm(JANUARY, ZoneOffset.UTC);
      assertEquals(1, one.purchasingMembers());
      assertEquals(new RfmScore(5, 5, 5), one.profile(member("bob")).get().score());

      Instant later = JANUARY.plus(Duration.ofDays(3));
      clock.set(later);
      purchased(loyalty, member("ada"), 5, 500);
      for (int i = 0; i < 3; i++) {
        purchased(loyalty, member("cyd"), 10, 1000);
      }

      assertEquals(TreeSet.of("new"), one.segmentsOf(member("ada"), later));
      assertEquals(TreeSet.of("champions"), one.segmentsOf(member("cyd"), later));
    }

    /**
     * Most members of a shop buy once: with equal values scoring alike, the lower frequency cut-offs
     * were then 1 and every single purchase reached them, so no one scored F = 1 and no first
     * purchase was ever NEW.
     */
    @Test
    void aFirstPurchaseIsNewEvenWhereMostMembersBoughtOnlyOnce() {
      clock.set(JANUARY);
      String[] members = {"ada", "bob", "cyd", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim"};
      for (String m : members) {
        accepted(loyalty.enrol(Enrolment.of(member(m), aKey()).enrolledAt(JANUARY)));
      }
      for (int i = 0; i < 6; i++) {
        purchased(loyalty, member(members[i]), 10, 1000);
      }
      for (int i = 6; i < 10; i++) {
        for (int p = 0; p <= i - 5; p++) {
          purchased(loyalty, member(members[i]), 10, 1000);
        }
      }
      RfmModel model = loyalty.rfm(JANUARY, ZoneOffset.UTC);
      assertEquals(10, model.purchasingMembers());
      assertEquals(1, model.profile(member("ada")).get().score().frequency(), "one purchase is the least frequency");
      assertEquals(RfmSegment.NEW, model.profile(member("ada")).get().segment());

      Instant later = JANUARY.plus(Duration.ofDays(1));
      clock.set(later);
      purchased(loyalty, member("kim"), 5, 500);
      assertEquals(TreeSet.of("new"), model.segmentsOf(member("kim"), later));
      // Members who came back still rank above one purchase, and against one another.
      assertTrue(model.profile(member("gus")).get().score().frequency() > 1);
      assertTrue(model.profile(member("jon")).get().score().frequency() > model.profile(member("gus")).get().score().frequency());
    }

    @Test
    void aSpendBeyondWhatALongCountsFailsLoudlyInsteadOfWrappingAround() {
      // Without a tier ladder nothing bounds a member's qualifying spend: two purchases of just over
      // half a long of minor units each.
      Loyalty unbounded = aLoyalty(store, clock, LoyaltyProgram.builder("bean-club")
          .earnRules(RuleBook.of(BaseRate.of("base", "1"))).build());
      clock.set(JANUARY);
      accepted(unbounded.enrol(Enrolment.of(member("ada"), aKey()).enrolledAt(JANUARY)));
      for (int i = 0; i < 2; i++) {
        accepted(unbounded.earn(aPurchase(member("ada"), aKey(), JANUARY, line("YACHT", 1, "46116860184273879.04"))));
      }

      ArithmeticException e = org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
          () -> unbounded.rfm(AS_OF, ZoneOffset.UTC));
      assertTrue(e.getMessage().contains("Member ada's spend (in minor units) is beyond"), e.getMessage());
    }

    @Test
    void lifetimeValueIsMonthlySpendTimesTheExpectedMonths() {
      population();
      RfmProfile p = loyalty.rfm(AS_OF, ZoneOffset.UTC).profile(cell(0, 2, 0)).get();
      assertEquals(eur("30.00"), p.spend());
      assertEquals(11, p.tenureMonths());
      assertEquals(eur("32.73"), p.lifetimeValue(12));
      assertEquals(eur("0.00"), p.lifetimeValue(0));
    }

    /**
     * A profile documents a tenure of at least one month, which its lifetime value divides by; one
     * made with none was accepted, and its lifetime value then threw ArithmeticException "Division by
     * zero". It is refused when made, as a score outside 1 to 5 is.
     */
    @Test
    void aProfileWithATenureOfLessThanAMonthIsRefusedWhenMadeRatherThanFailingItsLifetimeValue() {
      for (long tenure : new long[] {0, -1}) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new RfmProfile(member("ada"), AS_OF, 0, 1, eur("10.00"), tenure, new RfmScore(3, 3, 3)));
        assertTrue(e.getMessage().contains("tenure"), e.getMessage());
      }
    }
  }

  @Nested
  class Retention_ {

    @Test
    void eachEnrolmentCohortCountsItsMembersActiveInEachFollowingMonth() {
      clock.set(Instant.parse("2026-05-31T12:00:00Z"));
      enrolAt("ada", "2026-03-02T10:00:00Z");
      enrolAt("bob", "2026-03-20T10:00:00Z");
      enrolAt("cy", "2026-04-03T10:00:00Z");
      buyAt("ada", "2026-03-05T10:00:00Z");
      buyAt("ada", "2026-03-06T10:00:00Z");
      buyAt("ada", "2026-05-10T10:00:00Z");
      buyAt("bob", "2026-04-11T10:00:00Z");
      buyAt("cy", "2026-04-12T10:00:00Z");
      Retention retention = loyalty.retention(clock.instant(), ZoneOffset.UTC);
      assertEquals(List.of(YearMonth.of(2026, 3), YearMonth.of(2026, 4)), retention.cohorts().map(RetentionCohort::month));
      RetentionCohort march = retention.cohorts().head();
      assertEquals(2, march.members());
      assertEquals(List.of(1L, 1L, 1L), march.active());
      assertEquals(new BigDecimal("0.5000"), march.share(0), "ada in March");
      assertEquals(new BigDecimal("0.5000"), march.share(1));
      assertEquals(new BigDecimal("0.5000"), march.share(2), "the report's month, the last one counted");
      assertEquals(new BigDecimal("0.0000"), march.share(3), "past the report's month");
      assertEquals(new BigDecimal("0.0000"), march.share(-1), "before enrolment");
      RetentionCohort april = retention.cohorts().get(1);
      assertEquals(List.of(1L, 0L), april.active());
      assertEquals(new BigDecimal("0.0000"), april.share(7));
    }

    @Test
    void aBirthdayGiftFromTheCatalogueIsNoActivityOfTheMembers() {
      Loyalty gifting = aLoyalty(store, clock, LoyaltyProgram.builder("bean-club")
          .rewards(RewardCatalog.builder().reward(Reward.builder(RewardId.of("cake"), "Free cake",
              new RewardKind.FreeItem("SKU-CAKE"), points(500)).build()).build())
          .birthdayRule(Option.some(BirthdayRule.of("bday-gift",
              new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.reward("cake")))))
          .build());
      clock.set(Instant.parse("2026-05-31T12:00:00Z"));
      enrolAt("ada", "2026-03-02T10:00:00Z");
      buyAt("ada", "2026-03-05T10:00:00Z");
      accepted(gifting.grantOccasionReward(new OccasionGrant(Occasion.BIRTHDAY, member("ada"), 2026,
          LocalDate.parse("2026-05-20"), LocalDate.parse("2026-05-20"), OccasionReward.reward("cake"), "bday-gift"),
          Instant.parse("2026-05-20T06:00:00Z")));

      RetentionCohort march = loyalty.retention(clock.instant(), ZoneOffset.UTC).cohorts().single();

      assertEquals(List.of(1L, 0L, 0L), march.active(), "the cake was the programme's gift, not something Ada did");
    }

    void enrolAt(String id, String at) {
      accepted(loyalty.enrol(Enrolment.of(member(id), aKey()).enrolledAt(Instant.parse(at))));
    }

    void buyAt(String id, String at) {
      accepted(loyalty.credit(Credit.of(member(id), points(5), "Purchase", aKey()).occurredAt(Instant.parse(at))));
    }
  }
}
