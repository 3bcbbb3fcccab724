package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.EntryQuery;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
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

  private List<Entry> ofKind(JpaLedgerStore store, EntryKind kind) {
    return store.history(alice, EntryQuery.newest(50)).filter(e -> e.kind() == kind);
  }
}
