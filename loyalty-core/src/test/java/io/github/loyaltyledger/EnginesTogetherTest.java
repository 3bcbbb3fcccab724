package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierChangeReason;
import io.github.loyaltyledger.tier.TierLadder;
import io.vavr.collection.List;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The engines built separately, working together through the facade. */
class EnginesTogetherTest {

  private final MemberId alice = member("alice");

  private Loyalty aCoffeeChain(TestClock clock) {
    return Loyalty.builder().program(Fixtures.aProgramWithTiers()).store(new InMemoryLedgerStore()).clock(clock).build();
  }

  @Test
  void aPurchaseThatCrossesATierThresholdRecordsTheUpgradeAndTheFacadeAnswersTheNewTier() {
    TestClock clock = TestClock.at(Fixtures.START);
    Loyalty loyalty = aCoffeeChain(clock);
    enrolled(loyalty, alice);

    Receipt first = accepted(loyalty.earn(aPurchaseOf(alice, "30.00", key("pos-1"))));
    assertEquals(Points.of(300), first.netPoints());
    assertEquals(List.of("green"), loyalty.tierOf(alice, clock.instant()).toList());

    accepted(loyalty.earn(aPurchaseOf(alice, "25.00", key("pos-2"))));

    assertEquals(List.of("gold"), loyalty.tierOf(alice, clock.instant()).toList());
    List<TierChange> history = accepted(loyalty.tierHistory(alice));
    assertEquals("gold", history.last().to().value());
    assertEquals(Instant.parse(Fixtures.START), history.last().at());
  }

  @Test
  void aRefundThatTakesBackTheCreditOfAnUpgradeRevokesItOnALadderThatRevokesUpgradesOnReturns() {
    TestClock clock = TestClock.at(Fixtures.START);
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
        .earnRules(RuleBook.of(BaseRate.of("base", "10").with(RuleTerms.DEFAULT.priority(100))))
        .tierLadder(TierLadder.builder(QualificationWindow.rollingMonths(12))
            .tier(Tier.of("green", "Green", Qualification.none()))
            .tier(Tier.of("gold", "Gold", Qualification.points(500)))
            .revokeUpgradesOnReturn()
            .build())
        .build();
    Loyalty loyalty = Loyalty.builder().program(program).store(new InMemoryLedgerStore()).clock(clock).build();
    enrolled(loyalty, alice);
    accepted(loyalty.earn(aPurchaseOf(alice, "60.00", key("pos-1"))));
    assertEquals(List.of("gold"), loyalty.tierOf(alice, clock.instant()).toList());

    accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("ret-1"), Fixtures.eur("60.00"))));

    // As earn records the upgrade, refund records its revocation: the next purchase earns at Green's rate.
    assertEquals(List.of("green"), loyalty.tierOf(alice, clock.instant()).toList());
    assertEquals(TierChangeReason.RETURNED, accepted(loyalty.tierHistory(alice)).last().reason());
  }

  @Test
  void replayingAPurchaseWritesNothingEvenWhenTheMembersStandingHasChangedSince() {
    TestClock clock = TestClock.at(Fixtures.START);
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    java.util.List<io.github.loyaltyledger.event.LoyaltyEvent> events = new java.util.ArrayList<>();
    Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgramWithTiers()).store(store).clock(clock)
        .listener(events::add).build();
    enrolled(loyalty, alice);
    Receipt first = accepted(loyalty.earn(aPurchaseOf(alice, "10.00", key("pos-1"))));
    assertEquals(List.of("green"), loyalty.tierOf(alice, clock.instant()).toList());
    // Qualifying points from a credit, which evaluates no tier: gold is now due.
    Fixtures.purchased(loyalty, alice, 450, 450, 4500);
    int entries = store.entries(alice, 1, 1000).size();
    events.clear();

    assertEquals(first, accepted(loyalty.earn(aPurchaseOf(alice, "10.00", key("pos-1")))));

    assertEquals(entries, store.entries(alice, 1, 1000).size(), "a replay wrote nothing");
    assertTrue(events.isEmpty(), "a replay published nothing: " + events);
    accepted(loyalty.earn(aPurchaseOf(alice, "1.00", key("pos-2"))));
    assertEquals(List.of("gold"), loyalty.tierOf(alice, clock.instant()).toList(), "the next purchase records it");
  }

  @Test
  void theDailyRunWarnsOfAComingDowngradeOnceWithinTheWarningDaysAndThenReviews() {
    TestClock clock = TestClock.at(Fixtures.START);
    java.util.List<io.github.loyaltyledger.event.LoyaltyEvent> events = new java.util.ArrayList<>();
    TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("gold", "Gold", Qualification.points(500)))
        .term(io.github.loyaltyledger.tier.TierTerm.months(12))
        .downgrade(io.github.loyaltyledger.tier.DowngradePolicy.RECOMPUTE)
        .warnDaysBefore(30)
        .build();
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
        .earnRules(RuleBook.of(BaseRate.of("base", "10").with(RuleTerms.DEFAULT.priority(100))))
        .tierLadder(ladder)
        .build();
    Loyalty loyalty = Loyalty.builder().program(program).store(new InMemoryLedgerStore()).clock(clock)
        .listener(events::add).build();
    enrolled(loyalty, alice);
    accepted(loyalty.earn(aPurchaseOf(alice, "60.00", key("pos-1"))));
    DailyRun run = DailyRun.builder(loyalty).build();

    java.util.List<Instant> warned = new java.util.ArrayList<>();
    java.util.List<String> changed = new java.util.ArrayList<>();
    for (int day = 1; day <= 400; day++) {
      clock.advance(java.time.Duration.ofDays(1));
      int before = events.size();
      run.runDue(clock.instant());
      for (io.github.loyaltyledger.event.LoyaltyEvent e : events.subList(before, events.size())) {
        if (e instanceof io.github.loyaltyledger.event.LoyaltyEvent.TierWillDowngrade) {
          warned.add(e.at());
        }
        if (e instanceof io.github.loyaltyledger.event.LoyaltyEvent.TierDowngraded) {
          changed.add("down@" + e.at());
        }
      }
    }

    assertEquals(1, warned.size(), "one warning: " + warned);
    assertEquals(1, changed.size(), "one downgrade: " + changed);
    Instant review = Instant.parse(changed.get(0).substring(5));
    long daysAhead = java.time.Duration.between(warned.get(0), review).toDays();
    assertEquals(true, daysAhead > 0 && daysAhead <= 30, "warned " + daysAhead + " days ahead");
    assertEquals(List.of("green"), loyalty.tierOf(alice, clock.instant()).toList());
  }

  @Test
  void replayingThePurchaseReplaysTheTierEvaluationAndWritesNothing() {
    TestClock clock = TestClock.at(Fixtures.START);
    Loyalty loyalty = aCoffeeChain(clock);
    enrolled(loyalty, alice);
    accepted(loyalty.earn(aPurchaseOf(alice, "60.00", key("pos-1"))));
    long entries = accepted(loyalty.verify(alice)).entriesChecked();

    accepted(loyalty.earn(aPurchaseOf(alice, "60.00", key("pos-1"))));

    assertEquals(entries, accepted(loyalty.verify(alice)).entriesChecked());
    assertEquals(1, accepted(loyalty.tierHistory(alice)).size());
  }
}
