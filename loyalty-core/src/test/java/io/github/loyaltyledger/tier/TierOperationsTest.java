package io.github.loyaltyledger.tier;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.purchased;
import static io.github.loyaltyledger.Fixtures.refused;
import static io.github.loyaltyledger.Fixtures.returned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.DueTrack;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TierOperationsTest {

  private static final TierId GREEN = TierId.of("green");
  private static final TierId GOLD = TierId.of("gold");
  private static final TierId RESERVE = TierId.of("reserve");

  /** The coffee chain: 500 or 2,500 qualifying points in the last 12 months; status lasts 12 months. */
  static TierLadder coffeeChain() {
    return TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("gold", "Gold", Qualification.points(500)))
        .tier(Tier.of("reserve", "Reserve", Qualification.points(2500)))
        .term(TierTerm.months(12))
        .downgrade(DowngradePolicy.RECOMPUTE)
        .warnDaysBefore(30)
        .build();
  }

  private final MemberId ada = member("ada");
  private final java.util.List<LoyaltyEvent> events = new ArrayList<>();
  private TestClock clock;
  private InMemoryLedgerStore store;
  private Loyalty loyalty;

  @BeforeEach
  void setUp() {
    clock = TestClock.at(Fixtures.START);
    store = new InMemoryLedgerStore();
    loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(coffeeChain()).build())
        .store(store).clock(clock).listener(events::add).build();
    enrolled(loyalty, ada);
  }

  private Option<TierId> tierNow() {
    return loyalty.tierOf(ada, clock.instant()).map(TierId::of);
  }

  private Receipt evaluated() {
    return accepted(loyalty.evaluateTier(ada, aKey()));
  }

  private List<Entry> tierEntries(Receipt receipt) {
    return receipt.entries().filter(e -> e.kind() == EntryKind.TIER);
  }

  private <T extends LoyaltyEvent> List<T> eventsOf(Class<T> type) {
    return List.ofAll(events).filter(type::isInstance).map(type::cast);
  }

  @Nested
  class EvaluateTier {

    /**
     * A till kept a sale of 30 December offline and uploads it on 3 January, after the year's
     * review: on an immediate ladder the upgrade weighs the new year's activity only, while a
     * next-period ladder records the upgrade the ended year earned as of its end (README, "Late
     * and offline purchases").
     */
    /** A facade whose gold asks 500 points (10 per euro) in a calendar year, with Ada enrolled at {@code enrolledAt}. */
    Loyalty onACalendarYearLadder(UpgradePolicy policy, String enrolledAt) {
      clock.set(Instant.parse(enrolledAt));
      Loyalty late = Loyalty.builder().program(LoyaltyProgram.builder("late").tierLadder(
              TierLadder.builder(QualificationWindow.calendarYear()).upgrade(policy)
                  .tier(Tier.of("green", "Green", Qualification.none()))
                  .tier(Tier.of("gold", "Gold", Qualification.points(500))).build())
          .earnRules(io.github.loyaltyledger.earning.RuleBook.of(io.github.loyaltyledger.earning.BaseRate.of("base", "10")))
          .build()).store(new InMemoryLedgerStore()).clock(clock).build();
      enrolled(late, ada);
      return late;
    }

    /** Ada's purchase of {@code euros} that occurred at {@code at}, sent now. */
    void bought(Loyalty late, String at, int euros) {
      accepted(late.earn(Purchase.of(ada, aKey(), Instant.parse(at),
          io.github.loyaltyledger.ledger.Channel.store("S-1"), LineItem.of("A", 1, Money.of(CurrencyUnit.EUR, euros)))));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(UpgradePolicy.class)
    void aDowngradeRecordedAtTheYearsEndStaysWhenAPurchaseDatedInThatYearArrivesAfterIt(UpgradePolicy policy) {
      Loyalty late = onACalendarYearLadder(policy, "2025-01-01T00:00:00Z");
      clock.set(Instant.parse("2025-06-01T12:00:00Z"));
      bought(late, "2025-06-01T12:00:00Z", 60);
      clock.set(Instant.parse("2026-01-01T12:00:00Z"));
      accepted(late.reviewTier(ada, LocalDate.parse("2026-01-01")));
      clock.set(Instant.parse("2026-06-01T12:00:00Z"));
      bought(late, "2026-06-01T12:00:00Z", 30);
      clock.set(Instant.parse("2027-01-01T12:00:00Z"));
      accepted(late.reviewTier(ada, LocalDate.parse("2027-01-01")));
      List<TierChange> reviewed = accepted(late.tierHistory(ada));
      assertEquals(GREEN, reviewed.last().to());
      clock.set(Instant.parse("2027-01-03T12:00:00Z"));

      // 300 more points of 2026 would have kept gold, had they arrived before the review.
      bought(late, "2026-12-30T12:00:00Z", 30);
      accepted(late.reviewTier(ada, LocalDate.parse("2027-01-03")));

      assertEquals(reviewed, accepted(late.tierHistory(ada)));
      assertEquals(Option.some("green"), late.tierOf(ada, clock.instant()));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(UpgradePolicy.class)
    void aPurchaseDatedInAYearAlreadyReviewedRaisesNoTierOnAnImmediateLadderButEarnsTheYearsUpgradeOnANextPeriodOne(
        UpgradePolicy policy) {
      Loyalty late = onACalendarYearLadder(policy, "2026-01-01T00:00:00Z");
      clock.set(Instant.parse("2027-01-03T12:00:00Z"));
      accepted(late.reviewTier(ada, LocalDate.parse("2027-01-03")));

      bought(late, "2026-12-30T12:00:00Z", 60);

      List<TierChange> history = accepted(late.tierHistory(ada));
      if (policy == UpgradePolicy.IMMEDIATE) {
        assertEquals(List.empty(), history);
        assertEquals(Option.some("green"), late.tierOf(ada, clock.instant()));
      } else {
        assertEquals(List.of(new TierChange(GREEN, GOLD, TierChangeReason.REVIEW, Instant.parse("2027-01-01T00:00:00Z"),
            Option.some(Instant.parse("2028-01-01T00:00:00Z")), Option.none())), history);
        assertEquals(Option.some("gold"), late.tierOf(ada, clock.instant()));
      }
    }

    @Test
    void aMemberBelowEveryThresholdStaysInTheBaseTierAndNothingIsWritten() {
      purchased(loyalty, ada, 499, 1_000);

      assertEquals(List.empty(), evaluated().entries());
      assertEquals(Option.some(GREEN), tierNow());
    }

    @Test
    void crossingAThresholdUpgradesTheMemberWithATierEntryAndAnEvent() {
      purchased(loyalty, ada, 300, 1_000);
      clock.advance(Duration.ofDays(3));
      purchased(loyalty, ada, 200, 1_000);

      Receipt receipt = evaluated();

      Entry entry = tierEntries(receipt).single();
      assertEquals(new TierChange(GREEN, GOLD, TierChangeReason.QUALIFIED, clock.instant(),
          Option.some(Instant.parse("2027-03-05T00:00:00Z")), Option.none()), TierChange.of(entry));
      assertEquals(Option.some(GOLD), tierNow());
      assertEquals(GOLD, eventsOf(LoyaltyEvent.TierUpgraded.class).single().change().to());
    }

    @Test
    void thePurchaseThatCrossesTheThresholdIsQuotedAtTheTierHeldBeforeTheEvaluation() {
      Instant purchase = clock.instant();
      purchased(loyalty, ada, 600, 1_000);

      assertEquals(Option.some("green"), loyalty.tierOf(ada, purchase));
      evaluated();
      clock.advance(Duration.ofMinutes(1));
      assertEquals(Option.some(GOLD), tierNow());
    }

    @Test
    void evaluatingAgainWithTheSameKeyReturnsTheFirstReceiptAndANewKeyWritesNothing() {
      purchased(loyalty, ada, 600, 1_000);
      Receipt first = accepted(loyalty.evaluateTier(ada, Fixtures.key("tier:pos-1")));

      assertEquals(first, accepted(loyalty.evaluateTier(ada, Fixtures.key("tier:pos-1"))));
      assertEquals(List.empty(), evaluated().entries());
      assertEquals(1, accepted(loyalty.tierHistory(ada)).size());
    }

    @Test
    void anUnknownMemberAndAProgramWithoutTiersAreRefused() {
      Loyalty untiered = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());

      assertInstanceOf(LoyaltyError.UnknownMember.class, refused(loyalty.evaluateTier(member("nobody"), aKey())));
      assertInstanceOf(LoyaltyError.NoTierLadder.class, refused(untiered.evaluateTier(ada, aKey())));
      assertEquals(Option.none(), untiered.tierOf(ada, clock.instant()));
    }

    @Test
    void aMemberInATierRemovedByANewProgramVersionIsMovedOntoTheLadderByTheNextEvaluation() {
      purchased(loyalty, ada, 600, 1_000);
      evaluated();
      LoyaltyProgram next = loyalty.program().toBuilder().tierLadder(TierLadder.builder(QualificationWindow.rollingMonths(12))
          .tier(Tier.of("green", "Green", Qualification.none())).term(TierTerm.months(12)).build()).build();
      Loyalty upgraded = Loyalty.builder().program(next).store(store).clock(clock).build();

      accepted(upgraded.evaluateTier(ada, aKey()));

      assertEquals(Option.some("green"), upgraded.tierOf(ada, clock.instant()));
    }

    /**
     * A version without the ladder has no tiers (ADR 0007): nobody has one, whatever the ledger
     * recorded, and the tier operations are refused. The {@code TIER} entries stay, so a later
     * version with the ladder reads the tier from them again, reviews due meanwhile applied.
     */
    @Test
    void aVersionWithoutTheLadderGivesNoMemberATierAndALaterVersionWithItReadsTheirRecordedTierAgain() {
      purchased(loyalty, ada, 600, 1_000);
      evaluated();
      LoyaltyProgram untiered = loyalty.program().toBuilder().tierLadder(Option.none()).build();
      Loyalty without = Loyalty.builder().program(untiered).store(store).clock(clock).build();

      assertEquals(Option.none(), without.tierOf(ada, clock.instant()));
      assertEquals(new LoyaltyError.NoTierLadder("bean-club"), refused(without.tierProgress(ada)));
      assertEquals(new LoyaltyError.NoTierLadder("bean-club"), refused(without.tierHistory(ada)));
      assertEquals(new LoyaltyError.NoTierLadder("bean-club"), refused(without.evaluateTier(ada, aKey())));
      clock.advance(Duration.ofDays(1));
      purchased(without, ada, 100, 1_000);
      assertEquals(Points.of(700), balanceOf(without, ada).available());
      assertTrue(accepted(without.verify(ada)).isIntact());

      LoyaltyProgram tieredAgain = untiered.toBuilder().tierLadder(coffeeChain()).build();
      Loyalty again = Loyalty.builder().program(tieredAgain).store(store).clock(clock).build();
      assertEquals(Option.some(GOLD.value()), again.tierOf(ada, clock.instant()));
      assertEquals(1, accepted(again.tierHistory(ada)).size());
      // The gold term of 12 months ends while no version has the ladder: the read applies the review.
      clock.advance(Duration.ofDays(400));
      assertEquals(Option.some(GREEN.value()), again.tierOf(ada, clock.instant()));
    }

    @Test
    void aReturnTakesBackTheQualifyingPointsOfThePurchase() {
      Receipt big = purchased(loyalty, ada, 450, 1_000);
      purchased(loyalty, ada, 100, 1_000);
      returned(loyalty, big);

      assertEquals(List.empty(), evaluated().entries());
      assertEquals(100, accepted(loyalty.tierProgress(ada)).activity().points());
    }

    /**
     * Under CLAMP the return forgave the purchase's spent points and took back its qualifying points;
     * the points the debit's reversal gives back settle what it forgave, and take no qualifying points again.
     */
    @Test
    void pointsGivenBackThatSettleWhatAReturnForgaveTakeNoQualifyingPointsAgain() {
      Receipt big = purchased(loyalty, ada, 450, 1_000);
      purchased(loyalty, ada, 100, 1_000);
      Receipt spent = accepted(loyalty.debit(Debit.of(ada, Points.of(550), "Shop", aKey())));
      returned(loyalty, big);

      Receipt given = accepted(loyalty.reverse(Reversal.of(spent.entries().head().id(), "shop refunded", aKey())));

      assertEquals(Option.some("450"), given.entries().last().details().get("forgiven.settled"));
      assertEquals(Points.of(100), balanceOf(loyalty, ada).available());
      assertEquals(100, accepted(loyalty.tierProgress(ada)).activity().points());
    }
  }

  @Nested
  class TierEntries {

    @Test
    void carryNoPointsLeaveTheBalanceAloneAndKeepTheLedgerVerifiable() {
      purchased(loyalty, ada, 600, 1_000);
      Entry tier = tierEntries(evaluated()).single();

      assertEquals(Points.ZERO, tier.points());
      assertEquals(List.empty(), tier.movements());
      assertEquals(false, EntryKind.TIER.createsLot());
      assertEquals(Points.of(600), balanceOf(loyalty, ada).available());
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
      assertEquals(balanceOf(loyalty, ada), accepted(loyalty.balanceAsOf(ada, clock.instant())));
    }

    @Test
    void cannotBeReversed() {
      purchased(loyalty, ada, 600, 1_000);
      Entry tier = tierEntries(evaluated()).single();

      LoyaltyError error = refused(loyalty.reverse(Reversal.of(tier.id(), "Undo", aKey())));

      assertEquals(new LoyaltyError.NotReversible(tier.id(), EntryKind.TIER), error);
      // An adjustment of points would not change a tier; an override does.
      assertTrue(error.message().contains("overrideTier") && !error.message().contains("adjustment"), error.message());
    }
  }

  @Nested
  class ReviewTier {

    private Receipt qualifyingPurchase;

    @BeforeEach
    void goldUntilMarchNextYear() {
      qualifyingPurchase = purchased(loyalty, ada, 600, 1_000);
      evaluated();
      events.clear();
    }

    @Test
    void aMemberWhoDidNotRequalifyIsDowngradedAtTheReviewDateWithAnEvent() {
      clock.set(Instant.parse("2027-03-02T06:00:00Z"));

      Receipt receipt = accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-03-02")));

      assertEquals(new TierChange(GOLD, GREEN, TierChangeReason.REVIEW, Instant.parse("2027-03-02T00:00:00Z"),
          Option.none(), Option.none()), TierChange.of(tierEntries(receipt).single()));
      assertEquals(GREEN, eventsOf(LoyaltyEvent.TierDowngraded.class).single().change().to());
    }

    @Test
    void anOverrideToTheTierHeldKeepsItPastItsReviewUntilTheEndDateWithoutAnEventForAChangeThatIsNone() {
      Receipt kept = accepted(loyalty.overrideTier(new TierOverride(ada, GOLD, "Loyal since the opening", "ops-17",
          Instant.parse("2027-06-01T00:00:00Z"), aKey())));
      clock.set(Instant.parse("2027-03-02T06:00:00Z"));

      assertEquals(new TierChange(GOLD, GOLD, TierChangeReason.OVERRIDE, Instant.parse(Fixtures.START),
          Option.some(Instant.parse("2027-06-01T00:00:00Z")), Option.some("ops-17")),
          TierChange.of(tierEntries(kept).single()));
      assertEquals(List.empty(), List.ofAll(events));
      assertEquals(List.empty(), accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-03-02"))).entries());
      assertEquals(Option.some(GOLD), tierNow());
    }

    @Test
    void aMemberWhoRequalifiedKeepsTheTierForAnotherTerm() {
      clock.set(Instant.parse("2026-11-20T12:00:00Z"));
      purchased(loyalty, ada, 500, 1_000);
      clock.set(Instant.parse("2027-03-02T06:00:00Z"));

      Receipt receipt = accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-03-02")));

      TierChange renewed = TierChange.of(tierEntries(receipt).single());
      assertEquals(GOLD, renewed.to());
      assertEquals(Option.some(Instant.parse("2028-03-02T00:00:00Z")), renewed.until());
      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierDowngraded.class));
    }

    @Test
    void readsShowTheDowngradeBeforeTheDailyRunRecordsIt() {
      clock.set(Instant.parse("2027-03-05T06:00:00Z"));

      assertEquals(Option.some(GREEN), tierNow());
      assertEquals(Option.some(GOLD), loyalty.tierOf(ada, Instant.parse("2027-03-01T23:59:59Z")).map(TierId::of));
      assertEquals(1, accepted(loyalty.tierHistory(ada)).size());
    }

    @Test
    void reviewingTheSameDateAgainReturnsTheFirstReceiptAndWritesNothing() {
      clock.set(Instant.parse("2027-03-02T06:00:00Z"));
      Receipt first = accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-03-02")));
      clock.advance(Duration.ofHours(5));

      assertEquals(first, accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-03-02"))));
      clock.advance(Duration.ofDays(1));
      assertEquals(List.empty(), accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-03-03"))).entries());
      assertEquals(2, accepted(loyalty.tierHistory(ada)).size());
    }

    @Test
    void aReviewDateInTheFutureIsRefused() {
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.reviewTier(ada, LocalDate.parse("2026-03-02"))));
    }

    @Test
    void aDateBeforeTheMembersEnrolmentIsRefusedNamingTheEnrolmentDateButTheEnrolmentDayIsReviewed() {
      LoyaltyError.InvalidRequest refusal = assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.reviewTier(ada, LocalDate.parse("2026-02-28"))));

      assertEquals("date", refusal.field());
      assertTrue(refusal.reason().contains("2026-03-01"), refusal.reason());
      accepted(loyalty.reviewTier(ada, LocalDate.parse("2026-03-01")));
    }

    @Test
    void aComingDowngradeIsAnnouncedOnceWithinTheWarningDaysWithWhatIsNeeded() {
      clock.set(Instant.parse("2027-01-20T06:00:00Z"));
      accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-01-20")));
      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierWillDowngrade.class));

      clock.set(Instant.parse("2027-02-01T06:00:00Z"));
      accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-02-01")));
      clock.set(Instant.parse("2027-02-02T06:00:00Z"));
      accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-02-02")));

      TierWarning warning = eventsOf(LoyaltyEvent.TierWillDowngrade.class).single().warning();
      assertEquals(new TierWarning(GOLD, GREEN, Instant.parse("2027-03-02T00:00:00Z"),
          new QualifyingActivity(500, Money.zero(CurrencyUnit.EUR), 0)), warning);
    }

    /**
     * Gold earned in January 9999 lasts to 16 January 10000, a review no date of the ledger's years can
     * record (the ledger keeps status there, as reads do): no downgrade is coming to announce.
     */
    @Test
    void aReviewAfterYear9999IsNotAnnouncedInTheWarningDaysBeforeIt() {
      clock.set(Instant.parse("9999-01-15T12:00:00Z"));
      purchased(loyalty, ada, 600, 1_000);
      evaluated();
      assertEquals(Option.some(GOLD), tierNow());
      events.clear();

      clock.set(Instant.parse("9999-12-20T06:00:00Z"));
      accepted(loyalty.reviewTier(ada, LocalDate.parse("9999-12-20")));

      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierWillDowngrade.class));
    }

    /**
     * A run that catches up on a day of the warning days after the review (a missed day run late)
     * has nothing left to announce: the downgrade is no longer coming, and no activity can stop it.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aDayOfTheWarningDaysReviewedOnlyAfterTheReviewAnnouncesNoDowngrade(boolean reviewRecorded) {
      clock.set(Instant.parse("2027-03-03T06:00:00Z"));
      if (reviewRecorded) {
        accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-03-03")));
      }

      accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-02-20")));

      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierWillDowngrade.class));
    }

    /**
     * The review of a date is as of its start, but an override set earlier that day holds the tier
     * past the review: the member is kept in gold then, so no downgrade is coming to announce.
     */
    @Test
    void anOverrideSetEarlierOnTheDayReviewedKeepsADeferredDowngradeFromBeingAnnounced() {
      clock.set(Instant.parse("2027-02-10T09:00:00Z"));
      accepted(loyalty.overrideTier(new TierOverride(ada, GOLD, "Goodwill", "ops", Instant.parse("2027-06-01T00:00:00Z"),
          aKey())));
      clock.set(Instant.parse("2027-02-10T15:00:00Z"));

      accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-02-10")));

      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierWillDowngrade.class));
      assertEquals(Option.some(GOLD), loyalty.tierOf(ada, Instant.parse("2027-03-02T12:00:00Z")).map(TierId::of));
    }

    @Test
    void aReturnThatTakesCreditBelowTheThresholdDoesNotDowngradeBeforeTheReview() {
      clock.set(Instant.parse("2026-06-01T12:00:00Z"));
      returned(loyalty, qualifyingPurchase);
      evaluated();

      assertEquals(0, accepted(loyalty.tierProgress(ada)).activity().points());
      assertEquals(Option.some(GOLD), tierNow());
      assertEquals(List.empty(), accepted(loyalty.reviewTier(ada, LocalDate.parse("2026-06-01"))).entries());
    }

    @Test
    void aClosedMemberIsLeftAlone() {
      accepted(loyalty.close(ada, "Asked to leave", aKey()));
      clock.set(Instant.parse("2027-03-02T06:00:00Z"));

      assertEquals(List.empty(), accepted(loyalty.reviewTier(ada, LocalDate.parse("2027-03-02"))).entries());
    }
  }

  @Nested
  class OverrideTier {

    private TierOverride reserveUntil(String until) {
      return new TierOverride(ada, RESERVE, "Service recovery after a bad visit", "ops-17", Instant.parse(until), aKey());
    }

    @Test
    void setsTheTierUntilTheEndDateAndRecordsWhoAndWhy() {
      Receipt receipt = accepted(loyalty.overrideTier(reserveUntil("2026-06-01T00:00:00Z")));

      Entry entry = tierEntries(receipt).single();
      assertEquals(Option.some("ops-17"), entry.operator());
      assertEquals("Service recovery after a bad visit", entry.reason());
      assertEquals(TierChangeReason.OVERRIDE, TierChange.of(entry).reason());
      assertEquals(Option.some(RESERVE), tierNow());
      assertTrue(accepted(loyalty.tierProgress(ada)).overridden());
      assertEquals(TierChangeReason.OVERRIDE, eventsOf(LoyaltyEvent.TierUpgraded.class).single().change().reason());
    }

    @Test
    void afterTheEndDateTheComputedTierResumesAndTheReviewRecordsIt() {
      purchased(loyalty, ada, 600, 1_000);
      evaluated();
      accepted(loyalty.overrideTier(reserveUntil("2026-06-01T00:00:00Z")));
      clock.set(Instant.parse("2026-06-01T06:00:00Z"));

      assertEquals(Option.some(GOLD), tierNow());
      Receipt review = accepted(loyalty.reviewTier(ada, LocalDate.parse("2026-06-01")));
      TierChange resumed = TierChange.of(tierEntries(review).single());
      assertEquals(TierChangeReason.OVERRIDE_EXPIRED, resumed.reason());
      assertEquals(GOLD, resumed.to());
      assertEquals(Option.some(Instant.parse("2027-03-02T00:00:00Z")), resumed.until());
      assertEquals(List.of(TierChangeReason.QUALIFIED, TierChangeReason.OVERRIDE, TierChangeReason.OVERRIDE_EXPIRED),
          accepted(loyalty.tierHistory(ada)).map(TierChange::reason));
    }

    /** Ada earns gold, and an operator sets her green until 1 June while a case is reviewed. */
    private void goldDemotedToGreenUntilJune() {
      purchased(loyalty, ada, 600, 1_000);
      evaluated();
      accepted(loyalty.overrideTier(new TierOverride(ada, GREEN, "Card misuse under review", "ops-17",
          Instant.parse("2026-06-01T00:00:00Z"), aKey())));
    }

    @Test
    void aTierSetBelowWhatTheActivityEarnsHoldsUntilTheEndDateThroughPurchasesThatEarnNoHigherTier() {
      goldDemotedToGreenUntilJune();
      clock.advance(Duration.ofDays(1));
      purchased(loyalty, ada, 10, 100);

      assertEquals(List.empty(), evaluated().entries());
      assertEquals(Option.some(GREEN), tierNow());
      assertEquals(Option.some(GOLD), loyalty.tierOf(ada, Instant.parse("2026-06-01T00:00:00Z")).map(TierId::of));
      clock.advance(Duration.ofDays(1));
      purchased(loyalty, ada, 2_000, 1_000);
      evaluated();
      assertEquals(Option.some(RESERVE), tierNow(), "reserve is an upgrade earned during the override: it ends it");
    }

    @ParameterizedTest(name = "{0} ns after the override was set")
    @ValueSource(longs = {0, 1})
    void aPurchaseAtTheInstantTheOverrideWasSetCountsAsActivityWhenItWasSetAndOnlyALaterOneEndsIt(long nanos) {
      goldDemotedToGreenUntilJune();
      clock.advance(Duration.ofNanos(nanos));
      purchased(loyalty, ada, 2_000, 1_000);
      evaluated();

      assertEquals(Option.some(nanos == 0 ? GREEN : RESERVE), tierNow());
    }

    @Test
    void progressUnderATierSetBelowWhatTheActivityEarnsShowsTheTierThatWouldEndTheOverrideNotOneAlreadyMet() {
      goldDemotedToGreenUntilJune();

      TierProgress progress = accepted(loyalty.tierProgress(ada));

      assertEquals(GREEN, progress.tier());
      assertEquals(Option.some(RESERVE), progress.next(), "gold, which the activity already earned, does not end it");
      assertEquals(1_900, progress.missingForNext().get().points());
      clock.advance(Duration.ofDays(1));
      purchased(loyalty, ada, 1_900, 1_000);
      evaluated();
      assertEquals(Option.some(RESERVE), tierNow());
    }

    @Test
    void anUnknownTierABlankOperatorOrAnEndInThePastAreRefusedAndWriteNothing() {
      TierOverride ok = reserveUntil("2026-06-01T00:00:00Z");

      assertEquals(new LoyaltyError.UnknownTier(TierId.of("diamond")), refused(loyalty.overrideTier(
          new TierOverride(ada, TierId.of("diamond"), ok.reason(), ok.operator(), ok.until(), aKey()))));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.overrideTier(
          new TierOverride(ada, RESERVE, ok.reason(), " ", ok.until(), aKey()))));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.overrideTier(
          new TierOverride(ada, RESERVE, ok.reason(), ok.operator(), clock.instant(), aKey()))));
      assertEquals(List.empty(), accepted(loyalty.tierHistory(ada)));
    }

    @Test
    void anEndThatNoSupportedReviewCouldRecordIsRefusedNamingTheLastEndThatIsAndWritesNothing() {
      LoyaltyError.InvalidRequest refusal = assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.overrideTier(reserveUntil("9999-12-31T12:00:00Z"))));

      assertEquals("until", refusal.field());
      assertTrue(refusal.reason().contains("9999-12-31T00:00:00Z"), refusal.reason());
      assertEquals(List.empty(), accepted(loyalty.tierHistory(ada)));
      accepted(loyalty.overrideTier(reserveUntil("9999-12-31T00:00:00Z")));
      clock.set(Instant.parse("9999-12-31T00:00:00Z"));
      Receipt review = accepted(loyalty.reviewTier(ada, LocalDate.parse("9999-12-31")));
      assertEquals(TierChangeReason.OVERRIDE_EXPIRED, TierChange.of(tierEntries(review).single()).reason());
    }
  }

  @Nested
  class TierProgressAndHistory {

    @Test
    void progressShowsTheTierTheWindowTheNextTierAndWhatIsMissing() {
      purchased(loyalty, ada, 600, 1_250);
      evaluated();
      clock.advance(Duration.ofDays(10));

      TierProgress progress = accepted(loyalty.tierProgress(ada));

      assertEquals(GOLD, progress.tier());
      assertEquals(Instant.parse(Fixtures.START), progress.since());
      assertEquals(new QualifyingActivity(600, Money.ofMinor(CurrencyUnit.EUR, 1_250), 1), progress.activity());
      assertEquals(new QualifyingPeriod(Instant.parse("2025-03-12T00:00:00Z"), Instant.parse("2026-03-12T00:00:00Z")),
          progress.window());
      assertEquals(Option.some(RESERVE), progress.next());
      assertEquals(1_900, progress.missingForNext().get().points());
      assertEquals(Option.some(Instant.parse("2027-03-02T00:00:00Z")), progress.nextReview());
      assertEquals(500, progress.neededToKeep().get().points());
    }

    @Test
    void duringTheGracePeriodWhatIsNeededToKeepTheTierIsCountedInTheWindowTheReviewWillLookAt() {
      Loyalty graceful = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(
              TierLadder.builder(QualificationWindow.calendarYear())
                  .tier(Tier.of("green", "Green", Qualification.none()))
                  .tier(Tier.of("gold", "Gold", Qualification.points(500)))
                  .grace(java.time.Period.ofMonths(3))
                  .build()).build())
          .store(new InMemoryLedgerStore()).clock(clock).build();
      enrolled(graceful, ada);
      purchased(graceful, ada, 600, 1_000);
      accepted(graceful.evaluateTier(ada, aKey()));
      clock.set(Instant.parse("2028-02-01T12:00:00Z"));
      purchased(graceful, ada, 300, 1_000);

      TierProgress progress = accepted(graceful.tierProgress(ada));

      assertEquals(GOLD, progress.tier());
      assertEquals(Option.some(Instant.parse("2028-04-01T00:00:00Z")), progress.nextReview());
      assertEquals(200, progress.neededToKeep().get().points());
      clock.advance(Duration.ofDays(1));
      purchased(graceful, ada, 200, 1_000);
      assertEquals(0, accepted(graceful.tierProgress(ada)).neededToKeep().get().points());
      assertEquals(Option.some("gold"), graceful.tierOf(ada, Instant.parse("2028-04-01T00:00:00Z")));
    }

    @Test
    void aNewMemberIsInTheBaseTierWithNothingToKeep() {
      TierProgress progress = accepted(loyalty.tierProgress(ada));

      assertEquals(GREEN, progress.tier());
      assertEquals(Option.none(), progress.neededToKeep());
      assertEquals(Option.none(), progress.nextReview());
      assertEquals(500, progress.missingForNext().get().points());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aClosedOrErasedMemberStandsOnNoTierWhileTheirHistoryKeepsTheTiersTheyHeld(boolean erased) {
      purchased(loyalty, ada, 600, 1_250);
      evaluated();
      Instant whileGold = clock.instant();
      clock.advance(Duration.ofDays(10));
      List<TierChange> held = accepted(loyalty.tierHistory(ada));

      accepted(erased ? loyalty.erase(ada, aKey()) : loyalty.close(ada, "Asked to leave", aKey()));

      assertEquals(new LoyaltyError.MemberNotActive(ada, io.github.loyaltyledger.member.MemberStatus.CLOSED),
          refused(loyalty.tierProgress(ada)));
      assertEquals(Option.none(), loyalty.tierOf(ada, clock.instant()));
      assertEquals(Option.none(), loyalty.tierOf(ada, whileGold));
      assertEquals(held, accepted(loyalty.tierHistory(ada)));
    }

    @Test
    void beforeEnrolmentAMemberReadsInTheBaseTierWhichAPurchaseMadeJustBeforeEnrollingEarnsInAndAStrangerInNone() {
      assertEquals(Option.some(GREEN), loyalty.tierOf(ada, Instant.parse("2020-01-01T00:00:00Z")).map(TierId::of));
      assertEquals(Option.none(), loyalty.tierOf(member("nobody"), clock.instant()));
    }

    private Either<LoyaltyError, Receipt> creditWithQualifying(String key, long value) {
      return loyalty.credit(Credit.of(ada, Points.of(1), "Purchase", aKey())
          .explainedBy(List.empty(), TreeMap.of(key, Long.toString(value))));
    }

    /**
     * Two credits of just over half a long each made every later sum of the member's window overflow,
     * and their tier reads throw for good: such a detail is refused, and writes nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {QualifyingActivity.POINTS, QualifyingActivity.SPEND})
    void aQualifyingDetailOfMoreThanHalfALongIsRefusedAndTheTierStillReads(String key) {
      List<Entry> before = store.entries(ada, 1, 100);

      List<Either<LoyaltyError, Receipt>> results = List.of(creditWithQualifying(key, Long.MAX_VALUE / 2 + 1),
          creditWithQualifying(key, Long.MAX_VALUE / 2 + 1), creditWithQualifying(key, Long.MIN_VALUE));

      for (Either<LoyaltyError, Receipt> result : results) {
        assertEquals("details", ((LoyaltyError.InvalidRequest) refused(result)).field());
      }
      assertEquals(before, store.entries(ada, 1, 100));
      assertEquals(GREEN, accepted(loyalty.tierProgress(ada)).tier());
      assertEquals(Option.some(GREEN), tierNow());
    }

    /** The bound is on what the member's entries record in all, counted without sign: returns count too. */
    @ParameterizedTest
    @ValueSource(strings = {QualifyingActivity.POINTS, QualifyingActivity.SPEND})
    void aQualifyingDetailThatWouldBringTheMembersRecordedSumBeyondHalfALongIsRefused(String key) {
      long quarter = Long.MAX_VALUE / 4;
      accepted(creditWithQualifying(key, quarter));
      accepted(creditWithQualifying(key, -quarter));

      LoyaltyError error = refused(creditWithQualifying(key, 2));

      assertEquals("details", ((LoyaltyError.InvalidRequest) error).field());
      assertTrue(((LoyaltyError.InvalidRequest) error).reason().contains("beyond " + Long.MAX_VALUE / 2), error.toString());
      accepted(creditWithQualifying(key, 1));
      assertEquals(GREEN, accepted(loyalty.tierProgress(ada)).tier());
    }

    private Purchase aPurchaseOfMinor(long minor) {
      return Fixtures.aPurchase(ada, aKey(), clock.instant(), LineItem.of("GOLD-BAR", 1, Money.ofMinor(CurrencyUnit.EUR, minor)));
    }

    /**
     * A purchase recorded its spend as qualifying.spend without the bound a credit's is held to: two of
     * just over half a long each made every later window sum of the member overflow, and their tier
     * reads throw for good. Such a purchase is refused as its quote says, and writes nothing.
     */
    @Test
    void aPurchaseWhoseSpendWouldBringTheMembersRecordedSpendBeyondHalfALongIsRefusedAsItsQuoteSays() {
      accepted(loyalty.earn(aPurchaseOfMinor(Long.MAX_VALUE / 4)));
      List<Entry> before = store.entries(ada, 1, 100);

      for (Purchase purchase : List.of(aPurchaseOfMinor(Long.MAX_VALUE / 4 + 2), aPurchaseOfMinor(Long.MAX_VALUE / 2 + 1),
          aPurchaseOfMinor(Long.MAX_VALUE / 2 + 1))) {
        LoyaltyError error = refused(loyalty.earn(purchase));
        assertEquals(error, refused(loyalty.quote(purchase)));
        assertEquals("lines", ((LoyaltyError.InvalidRequest) error).field());
        assertTrue(((LoyaltyError.InvalidRequest) error).reason().contains(QualifyingActivity.SPEND), error.toString());
      }

      assertEquals(before, store.entries(ada, 1, 100));
      assertEquals(GREEN, accepted(loyalty.tierProgress(ada)).tier());
      accepted(loyalty.earn(aPurchaseOfMinor(Long.MAX_VALUE / 4)));
      assertEquals(Option.some(GREEN), tierNow());
    }

    /**
     * The tier engine's own details on an application's credit moved or cleared the member's review in
     * the due-work index (a {@code tier.until} years ahead, a {@code tier.to} without one): on a
     * program with a ladder they are refused, and write nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {TierChange.FROM, TierChange.TO, TierChange.REASON, TierChange.UNTIL, TierChange.REVIEW})
    void aCreditCarryingATierDetailOfTheTierEngineIsRefusedAndLeavesTheReviewWhereItWas(String key) {
      purchased(loyalty, ada, 600, 1_000);
      evaluated();
      List<Entry> before = store.entries(ada, 1, 100);
      Option<Instant> review = store.dueWork(ada).get().next(DueTrack.TIER_REVIEW);

      LoyaltyError error = refused(loyalty.credit(Credit.of(ada, Points.of(1), "Tier kept", aKey())
          .explainedBy(List.empty(), TreeMap.of(key, "2099-01-01"))));

      assertEquals("details", ((LoyaltyError.InvalidRequest) error).field());
      assertTrue(((LoyaltyError.InvalidRequest) error).reason().contains(key), error.toString());
      assertEquals(before, store.entries(ada, 1, 100));
      assertEquals(Option.some(Instant.parse("2027-03-02T00:00:00Z")), review);
      assertEquals(review, store.dueWork(ada).get().next(DueTrack.TIER_REVIEW));
      assertEquals(Option.some(GOLD), tierNow());
    }

    @Test
    void historyListsEveryRecordedChangeOldestFirst() {
      purchased(loyalty, ada, 600, 1_000);
      evaluated();
      clock.advance(Duration.ofDays(1));
      purchased(loyalty, ada, 2_000, 1_000);
      evaluated();

      assertEquals(List.of(GOLD, RESERVE), accepted(loyalty.tierHistory(ada)).map(TierChange::to));
    }
  }

  /**
   * Ada reached gold on the coffee chain; the next program version retires gold, leaving green and
   * reserve. Her recorded tier names a tier the new ladder does not have until a change moves her.
   */
  @Nested
  class ATierRemovedByANewProgramVersion {

    private Loyalty withoutGold;

    @BeforeEach
    void goldIsRetired() {
      purchased(loyalty, ada, 600, 1_000);
      evaluated();
      events.clear();
      LoyaltyProgram next = loyalty.program().toBuilder().tierLadder(TierLadder.builder(QualificationWindow.rollingMonths(12))
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("reserve", "Reserve", Qualification.points(2500)))
          .term(TierTerm.months(12))
          .warnDaysBefore(30)
          .build()).build();
      withoutGold = Loyalty.builder().program(next).store(store).clock(clock).listener(events::add).build();
    }

    @Test
    void theReviewThatMovesTheMemberOffTheRemovedTierPublishesTierReassignedNotAnUpgrade() {
      clock.set(Instant.parse("2027-03-02T06:00:00Z"));

      accepted(withoutGold.reviewTier(ada, LocalDate.parse("2027-03-02")));

      LoyaltyEvent.TierReassigned moved = eventsOf(LoyaltyEvent.TierReassigned.class).single();
      assertEquals(new TierChange(GOLD, GREEN, TierChangeReason.REVIEW, Instant.parse("2027-03-02T00:00:00Z"),
          Option.none(), Option.none()), moved.change());
      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierUpgraded.class));
      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierDowngraded.class));
    }

    @Test
    void anEvaluationThatMovesTheMemberOffTheRemovedTierToAHigherOnePublishesTierReassigned() {
      clock.advance(Duration.ofDays(1));
      purchased(withoutGold, ada, 2_000, 1_000);
      accepted(withoutGold.evaluateTier(ada, aKey()));

      assertEquals(List.of(GOLD), eventsOf(LoyaltyEvent.TierReassigned.class).map(e -> e.change().from()));
      assertEquals(List.of(RESERVE), eventsOf(LoyaltyEvent.TierReassigned.class).map(e -> e.change().to()));
      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierUpgraded.class));
    }

    /**
     * Progress counted the removed tier as below the base: the next tier up was green with nothing
     * missing, and nothing was missing to keep gold, which the review takes away whatever she does.
     */
    @Test
    void progressNamesTheTierAboveWhatTheActivityEarnsAndNothingToKeepTheRemovedTierBy() {
      clock.advance(Duration.ofDays(10));

      TierProgress progress = accepted(withoutGold.tierProgress(ada));

      assertEquals(GOLD, progress.tier());
      assertEquals(Option.some(RESERVE), progress.next());
      assertEquals(1_900, progress.missingForNext().get().points());
      assertEquals(Option.none(), progress.neededToKeep());
      assertEquals(Option.some(Instant.parse("2027-03-02T00:00:00Z")), progress.nextReview());
    }

    @Test
    void noDowngradeIsAnnouncedBeforeTheReviewThatMovesTheMemberOffTheRemovedTier() {
      clock.set(Instant.parse("2027-02-10T06:00:00Z"));

      accepted(withoutGold.reviewTier(ada, LocalDate.parse("2027-02-10")));

      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierWillDowngrade.class));
      assertEquals(Option.some("green"), withoutGold.tierOf(ada, Instant.parse("2027-03-02T00:00:00Z")));
    }

    @Test
    void anOverrideOfAMemberInTheRemovedTierPublishesTierReassigned() {
      accepted(withoutGold.overrideTier(new TierOverride(ada, GREEN, "Card misuse under review", "ops-17",
          Instant.parse("2026-06-01T00:00:00Z"), aKey())));

      assertEquals(List.of(new TierChange(GOLD, GREEN, TierChangeReason.OVERRIDE, clock.instant(),
              Option.some(Instant.parse("2026-06-01T00:00:00Z")), Option.some("ops-17"))),
          eventsOf(LoyaltyEvent.TierReassigned.class).map(LoyaltyEvent.TierReassigned::change));
      assertEquals(List.empty(), eventsOf(LoyaltyEvent.TierUpgraded.class));
    }
  }
}
