package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.DueTask;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.RunReport;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierId;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.UpgradePolicy;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.Period;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The daily run end to end on the H2 store: the due-work index finds the work, and only once. */
class DailyRunOnH2Test {

  private final MemberId alice = member("alice");
  private final MemberId bob = member("bob");

  @Test
  void aRunTwiceOnTheSameDayVestsExpiresAndGrantsTheBirthdayRewardExactlyOnce() {
    TestClock clock = TestClock.at("2027-03-01T12:00:00Z");
    try (JpaLedgerStore store = TestDatabase.h2InMemory().open()) {
      LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
          .birthdayRule(Option.some(BirthdayRule.of("bday-100",
              new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(100)))))
          .build();
      Loyalty loyalty = Loyalty.builder().program(program).store(store).clock(clock).build();
      Instant enrolled = Instant.parse("2026-01-01T00:00:00Z");
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(enrolled).withBirthday(MonthDay.of(3, 2))));
      accepted(loyalty.enrol(Enrolment.of(bob, aKey()).enrolledAt(enrolled).withBirthday(MonthDay.of(7, 1))));
      Instant tomorrow = clock.instant().plus(Duration.ofDays(1));
      accepted(loyalty.credit(Credit.of(alice, points(50), "Pending", aKey()).vestingAt(tomorrow)));
      accepted(loyalty.credit(Credit.of(alice, points(30), "Short-lived", aKey()).expiringAt(tomorrow)));
      accepted(loyalty.credit(Credit.of(bob, points(10), "Forever", aKey())));
      DailyRun run = DailyRun.builder(loyalty).build();
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      clock.set(tomorrow);

      List<MemberId> first = run.runDue(clock.instant()).touched();
      List<MemberId> second = run.runDue(clock.instant()).touched();

      assertEquals(List.of(alice), first);
      assertEquals(List.empty(), second);
      assertEquals(1, ofKind(store, EntryKind.VEST).size());
      assertEquals(List.of(points(-30)), ofKind(store, EntryKind.EXPIRE).map(Entry::points));
      assertEquals(List.of(points(100)), ofKind(store, EntryKind.BONUS).map(Entry::points));
      assertEquals(points(150), accepted(loyalty.balance(alice)).available());
    }
  }

  @Test
  void aBirthdayVoucherFromTheCatalogueIsIssuedFreeOnceWithItsStockCountedAndCancelledBack() {
    TestClock clock = TestClock.at("2027-03-01T12:00:00Z");
    try (JpaLedgerStore store = TestDatabase.h2InMemory().open()) {
      LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
          .rewards(Fixtures.aCatalogWithoutTiers(ReturnedPoints.DEFAULT))
          .birthdayRule(Option.some(BirthdayRule.of("bday-card",
              new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.reward(Fixtures.GIFT_CARD.value())))))
          .build();
      Loyalty loyalty = Loyalty.builder().program(program).store(store).clock(clock).build();
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))
          .withBirthday(MonthDay.of(3, 1))));
      DailyRun run = DailyRun.builder(loyalty).build();

      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());

      Entry gift = ofKind(store, EntryKind.REDEEM).single();
      assertEquals(points(0), gift.points());
      assertEquals(Option.some("birthday"), gift.details().get("occasion"));
      assertEquals(Option.some("2027"), gift.details().get("occasion.year"));
      assertTrue(gift.details().get("voucher.code").isDefined(), gift.details().toString());
      assertEquals(1, store.counter("reward-stock:gift-card"));
      accepted(loyalty.cancelRedemption(gift.id(), "not wanted", aKey()));
      assertEquals(0, store.counter("reward-stock:gift-card"));
      assertEquals(points(0), accepted(loyalty.balance(alice)).total());
      clock.advance(Duration.ofDays(1));
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }
  }

  @Test
  void aMemberInTheTierGracePeriodIsTouchedOnlyOnTheDaysOfTheWarningAndOfTheReview() {
    TestClock clock = TestClock.at("2027-03-01T12:00:00Z");
    try (JpaLedgerStore store = TestDatabase.h2InMemory().open()) {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .grace(Period.ofMonths(1))
          .warnDaysBefore(45)
          .build();
      Loyalty loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(ladder).build())
          .store(store).clock(clock).build();
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))));
      Fixtures.purchased(loyalty, alice, 500, 5000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      java.util.List<LocalDate> touched = new java.util.ArrayList<>();

      for (LocalDate day = LocalDate.of(2028, 11, 1); day.isBefore(LocalDate.of(2029, 2, 5)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }

      // Gold lasts until 1 January 2029, reviewed a month later and announced 45 days before that.
      assertEquals(List.of(LocalDate.of(2028, 12, 18), LocalDate.of(2029, 2, 1)), List.ofAll(touched));
      assertEquals(Option.some("green"), loyalty.tierOf(alice, clock.instant()));
    }
  }

  @Test
  void aNextPeriodUpgradeIsRecordedByTheRunOnTheDayThePeriodEnds() {
    TestClock clock = TestClock.at("2027-03-01T12:00:00Z");
    try (JpaLedgerStore store = TestDatabase.h2InMemory().open()) {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .upgrade(UpgradePolicy.NEXT_PERIOD)
          .build();
      Loyalty loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(ladder).build())
          .store(store).clock(clock).build();
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))));
      Fixtures.purchased(loyalty, alice, 600, 6000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      java.util.List<LocalDate> touched = new java.util.ArrayList<>();

      for (LocalDate day = LocalDate.of(2027, 12, 30); day.isBefore(LocalDate.of(2028, 1, 4)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }

      assertEquals(List.of(LocalDate.of(2028, 1, 1)), List.ofAll(touched));
      assertEquals(List.of(TierId.of("gold")), accepted(loyalty.tierHistory(alice)).map(TierChange::to));
    }
  }

  /**
   * Two nodes (two stores on one database) run on either side of alice's local midnight, the other
   * node after this one checked that her birthday, its catch-up day, was not granted yet: it grants
   * it (while this node releases her timed-out hold) with points credited at the start of the 1st,
   * where this node's would be credited at the start of the 2nd, a different request under the
   * same key.
   */
  @Test
  void aBirthdayTheOtherNodeGrantedMeanwhileOnTheOtherSideOfMidnightCountsAsGrantedNotAsAFailure() {
    TestDatabase database = TestDatabase.h2InMemory();
    try (JpaLedgerStore store = database.open(); JpaLedgerStore otherStore = database.open()) {
      LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
          .birthdayRule(Option.some(BirthdayRule.of("bday-100",
              new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(100)))))
          .build();
      TestClock otherClock = TestClock.at("2027-03-01T12:00:00Z");
      Loyalty other = Loyalty.builder().program(program).store(otherStore).clock(otherClock).build();
      accepted(other.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))
          .withBirthday(MonthDay.of(3, 1))));
      accepted(other.credit(Credit.of(alice, points(100), "Purchase", aKey())));
      accepted(other.authorize(Authorization.points(alice, points(40), Duration.ofMinutes(30), Channel.store("S-1"),
          aKey())));
      otherClock.set(Instant.parse("2027-03-01T23:50:00Z"));
      DailyRun otherNode = DailyRun.builder(other).build();
      TestClock clock = TestClock.at("2027-03-02T00:10:00Z");
      Loyalty loyalty = Loyalty.builder().program(program).store(store).clock(clock).build();
      DailyRun run = DailyRun.builder(loyalty).task(DueTask.holdTimeouts((member, asOf, key) -> {
        assertEquals(List.of(alice), otherNode.runDue(otherClock.instant()).touched());
        return loyalty.releaseExpiredHolds(member, asOf, key);
      })).build();

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.empty(), report.failures());
      Entry bonus = ofKind(store, EntryKind.BONUS).single();
      assertEquals(Instant.parse("2027-03-01T00:00:00Z"), bonus.occurredAt());
      assertEquals(points(200), accepted(loyalty.balance(alice)).total());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }
  }

  private List<Entry> ofKind(JpaLedgerStore store, EntryKind kind) {
    return store.history(alice, EntryQuery.newest(50)).filter(e -> e.kind() == kind);
  }
}
