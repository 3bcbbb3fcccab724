package io.github.loyaltyledger.store;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DueWorkIndex} must have, for stores that support the daily run.
 * Extend it and implement {@link #newStore()} (published in {@code loyalty-core}'s test jar).
 */
public abstract class DueWorkIndexContract {

  private static final Instant NOW = Instant.parse("2027-03-01T12:00:00Z");

  protected TestClock clock;
  protected LedgerStore store;
  protected DueWorkIndex index;
  protected Loyalty loyalty;
  private final MemberId alice = member("alice");
  private final MemberId bob = member("bob");
  private final MemberId cyd = member("cyd");

  /** For subclasses. */
  protected DueWorkIndexContract() {}

  /**
   * Creates an empty store, which must also implement {@link DueWorkIndex} with the default
   * activity kinds. Called before each test.
   *
   * @return the store
   */
  protected abstract LedgerStore newStore();

  @BeforeEach
  void setUpIndex() {
    clock = new TestClock(NOW);
    store = newStore();
    index = assertInstanceOf(DueWorkIndex.class, store);
    loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
    for (MemberId m : List.of(alice, bob, cyd)) {
      accepted(loyalty.enrol(Enrolment.of(m, aKey()).enrolledAt(NOW.minus(Duration.ofDays(400)))
          .withBirthday(MonthDay.of(3, m == alice ? 1 : 20)).withZone(ZoneId.of("Asia/Tokyo"))));
    }
  }

  private DueQuery query(Instant asOf, Instant expiringBy, Option<Instant> lastActiveBy, Set<MonthDay> birthdays) {
    return new DueQuery(asOf, expiringBy, lastActiveBy, birthdays, HashSet.empty(), Partition.all());
  }

  private List<MemberId> found(DueQuery query) {
    return index.candidates(query).map(DueWork::memberId);
  }

  @Test
  void everyCommitKeepsTheMembersDueWork() {
    DueWork work = index.dueWork(alice).get();
    assertEquals(NOW.minus(Duration.ofDays(400)), work.lastActivity());
    assertEquals(Option.some(MonthDay.of(3, 1)), work.member().birthday());
    assertEquals(false, work.holdsPoints());
    accepted(loyalty.credit(Credit.of(alice, points(10), "Coffee", aKey())));
    assertEquals(Option.some(NOW), index.dueWork(alice).get().lastPurchase());
    assertEquals(true, index.dueWork(alice).get().holdsPoints());
    assertEquals(Option.none(), index.dueWork(member("nobody")));
  }

  @Test
  void candidatesAreTheMembersWithADueInstantAndNoOthers() {
    accepted(loyalty.credit(Credit.of(alice, points(10), "Pending", aKey()).vestingAt(NOW.plus(Duration.ofDays(1)))));
    accepted(loyalty.credit(Credit.of(bob, points(10), "Expiring", aKey()).expiringAt(NOW.plus(Duration.ofDays(2)))));
    Instant day1 = NOW.plus(Duration.ofDays(1));
    Instant day2 = NOW.plus(Duration.ofDays(2));
    assertEquals(List.empty(), found(query(NOW, NOW, Option.none(), HashSet.empty())));
    assertEquals(List.of(alice), found(query(day1, day1, Option.none(), HashSet.empty())));
    assertEquals(List.of(alice, bob), found(query(day1, day2, Option.none(), HashSet.empty())));
    clock.set(day1);
    accepted(loyalty.vest(alice, day1, aKey()));
    assertEquals(List.of(bob), found(query(day1, day2, Option.none(), HashSet.empty())));
  }

  @Test
  void candidatesIncludeBirthdaysOfTheGivenDaysAndInactiveMembersHoldingPoints() {
    accepted(loyalty.credit(Credit.of(cyd, points(10), "Coffee", aKey()).occurredAt(NOW.minus(Duration.ofDays(1)))));
    assertEquals(List.of(alice), found(query(NOW, NOW, Option.none(), HashSet.of(MonthDay.of(3, 1)))));
    assertEquals(List.of(cyd), found(query(NOW, NOW, Option.some(NOW), HashSet.empty())));
    assertEquals(List.empty(), found(query(NOW, NOW, Option.some(NOW.minus(Duration.ofDays(2))), HashSet.empty())));
  }

  @Test
  void aMemberDueOnSeveralTracksAtOnceIsACandidateOnce() {
    Instant day1 = NOW.plus(Duration.ofDays(1));
    accepted(loyalty.credit(Credit.of(alice, points(10), "Pending", aKey()).vestingAt(day1)));
    accepted(loyalty.credit(Credit.of(alice, points(10), "Expiring", aKey()).expiringAt(day1)));
    // Vesting, lot expiry, inactivity and the birthday all name alice.
    assertEquals(List.of(alice), found(query(day1, day1, Option.some(day1), HashSet.of(MonthDay.of(3, 1)))));
  }

  @Test
  void aPartitionAnswersOnlyForItsMembersAndThePartitionsTogetherForAll() {
    Set<MonthDay> both = HashSet.of(MonthDay.of(3, 1), MonthDay.of(3, 20));
    List<MemberId> all = List.range(0, 3).flatMap(i -> found(new DueQuery(NOW, NOW, Option.none(), both, HashSet.empty(),
        Partition.of(i, 3))));
    assertEquals(List.of(alice, bob, cyd), all.sorted());
  }
}
