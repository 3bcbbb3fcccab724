package io.github.loyaltyledger.store;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.collection.TreeMap;
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
    accepted(loyalty.credit(Credit.of(alice, points(10), "Goodwill", aKey())));
    assertEquals(Option.none(), index.dueWork(alice).get().lastPurchase(), "a goodwill credit is no purchase");
    assertEquals(true, index.dueWork(alice).get().holdsPoints());
    accepted(loyalty.earn(Fixtures.aPurchase(alice, aKey(), NOW, Fixtures.line("COFFEE", 1, "3.50"))));
    assertEquals(Option.some(NOW), index.dueWork(alice).get().lastPurchase());
    assertEquals(Option.none(), index.dueWork(member("nobody")));
  }

  @Test
  void theDailyRunExpiresThePointsATransferGaveOnTheSendersDates() {
    Instant soon = clock.instant().plus(Duration.ofDays(30));
    Instant later = clock.instant().plus(Duration.ofDays(90));
    accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(soon)));
    accepted(loyalty.credit(Credit.of(alice, points(20), "b", aKey()).expiringAt(later)));
    earned(loyalty, bob, 5);
    accepted(loyalty.transfer(Transfer.of(alice, bob, points(30), "Gift", aKey())));
    io.github.loyaltyledger.DailyRun run = io.github.loyaltyledger.DailyRun.builder(loyalty).build();

    clock.set(soon);
    run.runDue(soon);
    assertEquals(points(25), balanceOf(loyalty, bob).available(), "the 10 points of the first expiry expired");
    clock.set(later);
    run.runDue(later);
    assertEquals(points(5), balanceOf(loyalty, bob).available(), "the 20 points of the second expiry expired");
    assertEquals(Points.ZERO, balanceOf(loyalty, alice).available());
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

  @Test
  void membersDueOnEveryTrackAtOnceAreAnsweredOnceEachByTheirOwnPartitionOnlyWhateverTheCount() {
    Instant day1 = NOW.plus(Duration.ofDays(1));
    MonthDay birthday = MonthDay.of(3, 2);
    // Enrolled on 30 January in Tokyo (12:00 UTC is 21:00 there): the anniversary the query names.
    MonthDay enrolment = MonthDay.of(1, 30);
    List<MemberId> due = List.rangeClosed(1, 12).map(i -> member(String.format("due-%02d", i)));
    for (MemberId m : due) {
      accepted(loyalty.enrol(Enrolment.of(m, aKey()).enrolledAt(Instant.parse("2027-01-30T12:00:00Z"))
          .withBirthday(birthday).withZone(ZoneId.of("Asia/Tokyo"))));
      // Vesting, a lot's expiry, a hold's expiry, a tier review, inactivity, the birthday and the
      // anniversary all fall due by day 1.
      accepted(loyalty.credit(Credit.of(m, points(10), "Pending", aKey()).vestingAt(day1)));
      accepted(loyalty.credit(Credit.of(m, points(10), "Expiring", aKey()).expiringAt(day1)
          .explainedBy(List.empty(), TreeMap.of(DueWork.TIER_UNTIL_DETAIL, day1.toString()))));
      accepted(loyalty.authorize(Authorization.points(m, points(4), Duration.ofHours(1), Channel.store("S-1"), aKey())));
    }

    for (int count = 1; count <= 5; count++) {
      List<MemberId> answered = List.empty();
      for (int i = 0; i < count; i++) {
        Partition partition = Partition.of(i, count);
        List<MemberId> share = found(new DueQuery(day1, day1, Option.some(day1), HashSet.of(birthday),
            HashSet.of(enrolment), partition, day1));
        assertEquals(due.filter(partition::contains), share,
            "partition " + i + " of " + count + ": its own due members, once each, in member-id order");
        answered = answered.appendAll(share);
      }
      assertEquals(due, answered.sorted(), "the " + count + " partitions together answer every due member once");
    }
  }

  /** Stores alice's account again with her member changed, as a store implementer's commit may. */
  private void commitMemberOfAlice(java.util.function.UnaryOperator<Member> change) {
    Account current = store.account(alice).get();
    Account changed = new Account(change.apply(current.member()), current.version() + 1, current.lastSequence(),
        current.lastHash(), current.balance(), current.lots());
    IdempotencyKey key = aKey();
    Receipt receipt = new Receipt(key, alice, changed.member().status(), List.empty(), changed.balance());
    assertEquals(CommitOutcome.COMMITTED, store.commit(new Commit(
        List.of(new AccountChange(current.version(), changed, List.empty())), new IdempotencyRecord(key, "f", receipt))));
  }

  private static Member withBirthday(Member m, Option<MonthDay> birthday) {
    return new Member(m.id(), m.enrolledAt(), birthday, m.zone(), m.status());
  }

  private List<MemberId> bornOn(MonthDay day) {
    return found(query(NOW, NOW, Option.none(), HashSet.of(day)));
  }

  private List<MemberId> enrolledOn(MonthDay day) {
    return found(new DueQuery(NOW, NOW, Option.none(), HashSet.empty(), HashSet.of(day), Partition.all()));
  }

  @Test
  void aMemberWhoseBirthdayMovesIsACandidateOnTheNewDayAndNoLongerOnTheOld() {
    commitMemberOfAlice(m -> withBirthday(m, Option.some(MonthDay.of(7, 14))));

    assertEquals(List.empty(), bornOn(MonthDay.of(3, 1)));
    assertEquals(List.of(alice), bornOn(MonthDay.of(7, 14)));
    assertEquals(List.of(bob, cyd), bornOn(MonthDay.of(3, 20)), "the others stay where they were");

    commitMemberOfAlice(m -> withBirthday(m, Option.none()));
    assertEquals(List.empty(), bornOn(MonthDay.of(7, 14)), "a birthday made unknown is on no day");
  }

  @Test
  void aMemberWhoseBirthdayBecomesKnownIsACandidateOnThatDay() {
    commitMemberOfAlice(m -> withBirthday(m, Option.none()));
    assertEquals(List.empty(), bornOn(MonthDay.of(3, 1)));

    commitMemberOfAlice(m -> withBirthday(m, Option.some(MonthDay.of(3, 1))));
    assertEquals(List.of(alice), bornOn(MonthDay.of(3, 1)));
  }

  @Test
  void aMemberWhoseZoneMovesTheirEnrolmentDayIsAnAnniversaryCandidateOnTheNewDayAndNoLongerOnTheOld() {
    // Enrolled at 12:00 UTC on 25 January: 21:00 that day in Tokyo, 02:00 on the 26th in Kiritimati.
    assertEquals(List.of(alice, bob, cyd), enrolledOn(MonthDay.of(1, 25)));
    commitMemberOfAlice(m -> new Member(m.id(), m.enrolledAt(), m.birthday(), ZoneId.of("Pacific/Kiritimati"),
        m.status()));

    assertEquals(List.of(bob, cyd), enrolledOn(MonthDay.of(1, 25)));
    assertEquals(List.of(alice), enrolledOn(MonthDay.of(1, 26)));
  }

  @Test
  void aMemberWhoseStatusChangesKeepsTheirBirthdayAndAnniversary() {
    accepted(loyalty.suspend(alice, "Card lost", aKey()));
    accepted(loyalty.reactivate(alice, "Card found", aKey()));

    assertEquals(List.of(alice), bornOn(MonthDay.of(3, 1)));
    assertEquals(List.of(alice, bob, cyd), enrolledOn(MonthDay.of(1, 25)));
  }

  @Test
  void anErasedMemberIsACandidateOnNoBirthday() {
    accepted(loyalty.credit(Credit.of(alice, points(10), "Coffee", aKey())));
    accepted(loyalty.erase(alice, aKey()));

    assertEquals(Option.none(), index.dueWork(alice).get().member().birthday());
    assertEquals(List.empty(), bornOn(MonthDay.of(3, 1)));
    assertEquals(List.empty(), found(query(NOW, NOW, Option.some(NOW), HashSet.empty())),
        "an erased member's points are forfeited, so they are not inactive with points either");
    assertEquals(List.of(bob, cyd), bornOn(MonthDay.of(3, 20)));
  }

  @Test
  void aClosedMemberIsACandidateOnNeitherTheirBirthdayNorTheirAnniversaryWhileTheOthersStay() {
    accepted(loyalty.close(bob, "Moved abroad", aKey()));

    assertEquals(List.of(cyd), bornOn(MonthDay.of(3, 20)), "closing is final: no occasion is ever granted again");
    assertEquals(List.of(alice, cyd), enrolledOn(MonthDay.of(1, 25)));
    assertEquals(MemberStatus.CLOSED, index.dueWork(bob).get().member().status(), "the due work itself is kept");
    assertEquals(Option.some(MonthDay.of(3, 20)), index.dueWork(bob).get().member().birthday());
  }

  @Test
  void anErasedMemberIsACandidateOnNoAnniversary() {
    accepted(loyalty.erase(alice, aKey()));

    assertEquals(List.of(bob, cyd), enrolledOn(MonthDay.of(1, 25)));
  }

  @Test
  void aMemberActiveAgainIsInactiveOnlyByTheNewActivityAndNoLongerByTheOld() {
    Instant tenDaysAgo = NOW.minus(Duration.ofDays(10));
    Instant yesterday = NOW.minus(Duration.ofDays(1));
    accepted(loyalty.credit(Credit.of(cyd, points(10), "Coffee", aKey()).occurredAt(tenDaysAgo)));
    Option<Instant> fiveDaysAgo = Option.some(NOW.minus(Duration.ofDays(5)));
    assertEquals(List.of(cyd), found(query(NOW, NOW, fiveDaysAgo, HashSet.empty())));

    accepted(loyalty.credit(Credit.of(cyd, points(10), "Coffee", aKey()).occurredAt(yesterday)));

    assertEquals(List.empty(), found(query(NOW, NOW, fiveDaysAgo, HashSet.empty())));
    assertEquals(List.of(cyd), found(query(NOW, NOW, Option.some(yesterday), HashSet.empty())));
  }

  @Test
  void aMemberWhoStopsHoldingPointsIsNoLongerInactiveWithPointsAndIsAgainOnceTheyHoldSome() {
    Instant tenDaysAgo = NOW.minus(Duration.ofDays(10));
    accepted(loyalty.credit(Credit.of(cyd, points(10), "Coffee", aKey()).occurredAt(tenDaysAgo)));
    accepted(loyalty.debit(Debit.of(cyd, points(10), "Spent", aKey()).occurredAt(tenDaysAgo)));
    Option<Instant> byNow = Option.some(NOW);
    assertEquals(List.empty(), found(query(NOW, NOW, byNow, HashSet.empty())));

    // An adjustment is no activity: the member holds points again, last active ten days ago.
    accepted(loyalty.adjust(Adjustment.of(cyd, points(5), "Goodwill", "ops", aKey())));
    assertEquals(List.of(cyd), found(query(NOW, NOW, byNow, HashSet.empty())));
    assertEquals(tenDaysAgo, index.dueWork(cyd).get().lastActivity());
  }

  @Test
  void aMemberWhoseSoonestExpiryIsSpentIsDueOnTheNextExpiryAndNoLongerOnTheSpentOne() {
    Instant day1 = NOW.plus(Duration.ofDays(1));
    Instant day5 = NOW.plus(Duration.ofDays(5));
    accepted(loyalty.credit(Credit.of(bob, points(10), "Soon", aKey()).expiringAt(day1)));
    accepted(loyalty.credit(Credit.of(bob, points(10), "Later", aKey()).expiringAt(day5)));
    assertEquals(List.of(bob), found(query(NOW, day1, Option.none(), HashSet.empty())));

    accepted(loyalty.debit(Debit.of(bob, points(10), "Spent", aKey())));

    assertEquals(List.empty(), found(query(NOW, day1, Option.none(), HashSet.empty())));
    assertEquals(List.of(bob), found(query(NOW, day5, Option.none(), HashSet.empty())));
  }

  @Test
  void aMemberWithAnOpenHoldIsACandidateOnceItExpiresAndNoLongerAfterItIsVoided() {
    accepted(loyalty.credit(Credit.of(bob, points(10), "Coffee", aKey())));
    Hold hold = accepted(loyalty.authorize(Authorization.points(bob, points(4), Duration.ofHours(1),
        Channel.store("S-1"), aKey())));
    Instant expired = hold.expiresAt();

    assertEquals(List.empty(), found(query(expired.minusNanos(1), expired.minusNanos(1), Option.none(),
        HashSet.empty())));
    assertEquals(List.of(bob), found(query(expired, expired, Option.none(), HashSet.empty())));

    accepted(loyalty.voidHold(hold.id(), "Cancelled at the till", aKey()));
    assertEquals(List.empty(), found(query(expired, expired, Option.none(), HashSet.empty())));
  }

  @Test
  void aMemberWithATierReviewIsACandidateByItsHorizonAndNoLongerOnceTheReviewMoves() {
    Instant review = NOW.plus(Duration.ofDays(30));
    Instant later = NOW.plus(Duration.ofDays(60));
    accepted(loyalty.credit(Credit.of(cyd, points(10), "Status", aKey())
        .explainedBy(List.empty(), TreeMap.of(DueWork.TIER_UNTIL_DETAIL, review.toString()))));

    assertEquals(List.empty(), found(reviewsBy(review.minusNanos(1))));
    assertEquals(List.of(cyd), found(reviewsBy(review)));

    accepted(loyalty.credit(Credit.of(cyd, points(10), "Status", aKey())
        .explainedBy(List.empty(), TreeMap.of(DueWork.TIER_UNTIL_DETAIL, later.toString()))));
    assertEquals(List.empty(), found(reviewsBy(review)));
    assertEquals(List.of(cyd), found(reviewsBy(later)));
  }

  private static DueQuery reviewsBy(Instant horizon) {
    return new DueQuery(NOW, NOW, Option.none(), HashSet.empty(), HashSet.empty(), Partition.all(), horizon);
  }
}
