package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.expiry.ExpiryRounding;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.expiry.InactivityExpiry;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.AnniversaryRule;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.Occasion;
import io.github.loyaltyledger.occasion.OccasionGrant;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.occasion.TierLookup;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.LimitPeriod;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.redemption.UnavailableReason;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.DueQuery;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.Partition;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierChangeReason;
import io.github.loyaltyledger.tier.TierId;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierWarning;
import io.github.loyaltyledger.tier.UpgradePolicy;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DailyRunTest {

  static final String START = "2027-03-01T12:00:00Z";
  static final OccasionTerms HUNDRED_ON_THE_DAY = new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(100));

  private final MemberId alice = member("alice");
  private final MemberId bob = member("bob");
  private final java.util.List<LoyaltyEvent> events = new ArrayList<>();
  private TestClock clock;
  private InMemoryLedgerStore store;
  private Loyalty loyalty;

  @BeforeEach
  void setUp() {
    clock = TestClock.at(START);
    store = new InMemoryLedgerStore();
  }

  private Loyalty loyaltyWith(LoyaltyProgram.Builder program) {
    loyalty = Loyalty.builder().program(program.build()).store(store).clock(clock).listener(events::add).build();
    return loyalty;
  }

  private static LoyaltyProgram.Builder program() {
    return LoyaltyProgram.builder("bean-club");
  }

  private void enrol(MemberId id, String birthday) {
    Enrolment e = Enrolment.of(id, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"));
    accepted(loyalty.enrol(birthday == null ? e : e.withBirthday(MonthDay.parse("--" + birthday))));
  }

  private List<Entry> entriesOf(MemberId id) {
    return store.entries(id, 1, 10_000);
  }

  private List<Entry> ofKind(MemberId id, EntryKind kind) {
    return entriesOf(id).filter(e -> e.kind() == kind);
  }

  private void advanceDays(int days) {
    clock.advance(Duration.ofDays(days));
  }

  /**
   * Alice with 70 points, on a program that expires them after a month without activity, and the
   * clock at 09:00 on 3 April 2027, two days into her inactivity.
   *
   * @return the facade, on the store itself: another node's, or the till's
   */
  private Loyalty aliceInactiveSinceTheStartOfTheMonth() {
    loyaltyWith(program().inactivityExpiry(Option.some(InactivityExpiry.afterMonths(1))));
    enrol(alice, null);
    Fixtures.earned(loyalty, alice, 70);
    clock.set(Instant.parse("2027-04-03T09:00:00Z"));
    return loyalty;
  }

  /**
   * Alice's 70 points, expiring at the start of 2 April 2027, held at an all-night till at 00:30
   * that day, after they expired and before a run swept them; the hold times out at 00:45, never
   * captured.
   *
   * @return the run
   */
  private DailyRun aliceHoldingPointsOfALotThatHadExpired() {
    return aliceHolding("2027-04-02T00:30:00Z", Duration.ofMinutes(15));
  }

  /**
   * Alice's 70 points, expiring at the start of 2 April 2027, held at the till at an instant; the
   * hold times out, never captured.
   *
   * @return the run
   */
  private DailyRun aliceHolding(String heldAt, Duration timeout) {
    loyaltyWith(program());
    enrol(alice, null);
    accepted(loyalty.credit(Credit.of(alice, points(70), "Purchase", aKey())
        .expiringAt(Instant.parse("2027-04-02T00:00:00Z"))));
    DailyRun run = DailyRun.builder(loyalty).build();
    heldAtTheTillAndAbandoned(alice, 70, heldAt, timeout);
    return run;
  }

  /** Makes {@link #loyalty} a node of its own, with the same program, on a hook into the store. */
  private CommitHook hookedNode() {
    CommitHook hooked = new CommitHook(store);
    loyalty = Loyalty.builder().program(loyalty.program()).store(hooked).clock(clock).listener(events::add).build();
    return hooked;
  }

  /** Holds points at the till at an instant (the clock is set to it); the hold times out, never captured. */
  private void heldAtTheTillAndAbandoned(MemberId member, int held, String at, Duration timeout) {
    clock.set(Instant.parse(at));
    accepted(loyalty.authorize(io.github.loyaltyledger.redemption.Authorization.points(member, points(held), timeout,
        io.github.loyaltyledger.ledger.Channel.store("S-1"), aKey())));
  }

  @Nested
  class Construction {

    @Test
    void aStoreWithoutTheDueWorkIndexIsRefusedWithAClearError() {
      LedgerStore plain = new DelegatingStore(store);
      Loyalty facade = Loyalty.builder().program(program().build()).store(plain).clock(clock).build();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DailyRun.builder(facade).build());
      assertTrue(e.getMessage().contains("does not implement DueWorkIndex"), e.getMessage());
    }

    @Test
    void anInactivityPolicyCountingOtherKindsThanTheStoreTracksIsRefused() {
      loyaltyWith(program().inactivityExpiry(Option.some(
          InactivityExpiry.afterMonths(12).countingAsActivity(HashSet.of(EntryKind.EARN)))));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DailyRun.builder(loyalty).build());
      assertTrue(e.getMessage().contains("as activity"), e.getMessage());
      store = new InMemoryLedgerStore(HashSet.of(EntryKind.EARN));
      loyaltyWith(program().inactivityExpiry(Option.some(
          InactivityExpiry.afterMonths(12).countingAsActivity(HashSet.of(EntryKind.EARN)))));
      assertEquals(0, DailyRun.builder(loyalty).build().runDue(clock.instant()).counts().due());
    }

    @Test
    void aRunAsOfAnInstantAfterTheClocksIsRefusedBeforeAnythingIsDoneOrAnnounced() {
      loyaltyWith(program().expiryNoticeDays(7));
      enrol(alice, null);
      Instant expiry = clock.instant().plus(Duration.ofDays(20));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(expiry)));
      DailyRun run = DailyRun.builder(loyalty).build();
      events.clear();

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> run.runDue(clock.instant().plus(Duration.ofDays(15))));

      assertTrue(e.getMessage().contains("after the clock"), e.getMessage());
      assertEquals(java.util.List.of(), events);
      advanceDays(13);
      run.runDue(clock.instant());
      assertEquals(java.util.List.of(new LoyaltyEvent.PointsExpiringSoon(alice, points(40), expiry, clock.instant())), events);
    }

    @Test
    void catalogueRewardsNeedNoRewardGrant() {
      loyaltyWith(program().rewards(OccasionGifts.CATALOGUE).birthdayRule(Option.some(BirthdayRule.of("bday",
          new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.reward("cake"))))));
      assertEquals(0, DailyRun.builder(loyalty).build().runDue(clock.instant()).counts().due());
    }

    @ParameterizedTest
    @CsvSource({
        "birthday,    , balloon,  'balloon' is not in the program's catalogue",
        "birthday, gold, balloon, 'balloon' is not in the program's catalogue",
        "anniversary, , balloon,  'balloon' is not in the program's catalogue",
        "birthday,    , pay,      'pay' is points as payment",
        "anniversary, , Balloon!, reward id must be"})
    void anOccasionGiftTheRunCouldNeverIssueIsRefusedWhenItIsBuiltUnlessAHookIssuesIt(
        String occasion, String tier, String reward, String problem) {
      OccasionTerms gift = new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.reward(reward));
      LoyaltyProgram.Builder program = program().rewards(OccasionGifts.CATALOGUE);
      if (occasion.equals("anniversary")) {
        program.anniversaryRule(Option.some(AnniversaryRule.of("anniversary-gift", gift)));
      } else {
        program.birthdayRule(Option.some(tier == null ? BirthdayRule.of("bday-gift", gift)
            : BirthdayRule.of("bday-gift", HUNDRED_ON_THE_DAY).forTier(tier, gift)));
      }
      loyaltyWith(program);

      TierLookup goldMembers = (member, at) -> Option.some("gold");

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DailyRun.builder(loyalty).tiers(goldMembers).build());

      assertTrue(e.getMessage().contains(problem), e.getMessage());
      assertTrue(e.getMessage().contains("RewardGrant"), e.getMessage());
      // A hook of the application's may issue what the catalogue does not have.
      DailyRun hooked = DailyRun.builder(loyalty).tiers(goldMembers).rewards((grant, asOf) -> Either.right(grant.key()))
          .build();
      assertEquals(0, hooked.runDue(clock.instant()).counts().due());
    }

    /** Without a ladder the run reads no tiers unless told them: a tier's terms were never used. */
    @Test
    void aBirthdayRuleWithTermsForATierIsRefusedWhenTheRunCanKnowNoMembersTier() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)
          .forTier("gold", new OccasionTerms(OccasionWindow.inTheMonth(), OccasionReward.points(300))))));
      enrol(alice, "03-10");

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DailyRun.builder(loyalty).build());

      assertTrue(e.getMessage().contains("'bday'") && e.getMessage().contains("gold")
          && e.getMessage().contains("DailyRun.Builder.tiers"), e.getMessage());
      DailyRun told = DailyRun.builder(loyalty).tiers((member, at) -> Option.some("gold")).build();
      told.runDue(clock.instant());
      assertEquals(List.of(points(300)), ofKind(alice, EntryKind.BONUS).map(Entry::points));
    }

    /**
     * With a ladder and no tier lookup of its own the run reads members' tiers from the ladder: terms
     * for a tier the ladder does not have ("Gold" for "gold") were never used, silently.
     */
    @Test
    void aBirthdayRuleWithTermsForATierTheLadderDoesNotHaveIsRefusedWhenTheRunReadsTiersFromTheLadder() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .build();
      loyaltyWith(program().tierLadder(ladder).birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)
          .forTier("Gold", new OccasionTerms(OccasionWindow.inTheMonth(), OccasionReward.points(300))))));

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DailyRun.builder(loyalty).build());

      assertTrue(e.getMessage().contains("'bday'") && e.getMessage().contains("'Gold'")
          && e.getMessage().contains("green, gold"), e.getMessage());
      assertEquals(0, DailyRun.builder(loyalty).tiers((member, at) -> Option.some("Gold")).build()
          .runDue(clock.instant()).counts().due());
    }

    @Test
    void twoTasksWithOneNameOrATaskNamedLikeTheRunsOwnWorkAreRefused() {
      loyaltyWith(program());
      DueTask.Operation nothing = (m, at, key) -> Either.right(true);
      assertThrows(IllegalArgumentException.class,
          () -> DailyRun.builder(loyalty).task(DueTask.tierReviews(nothing)).task(DueTask.tierReviews(nothing)));
      for (String reserved : java.util.List.of("birthday", "vest", "tier")) {
        assertThrows(IllegalArgumentException.class, () -> DailyRun.builder(loyalty)
            .task(new DueTask(reserved, io.github.loyaltyledger.store.DueTrack.TIER_REVIEW, nothing)), reserved);
      }
    }

    /**
     * Both refusals said "already registered or the name is reserved", so the caller could not tell
     * which; and a task name starting with a hyphen was refused as not "1 to 20 lower-case letters
     * and hyphens", which it was.
     */
    @Test
    void aRefusedTaskNameSaysWhyItIsRefused() {
      loyaltyWith(program());
      DueTask.Operation nothing = (m, at, key) -> Either.right(true);
      IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
          () -> DailyRun.builder(loyalty).task(DueTask.tierReviews(nothing)).task(DueTask.tierReviews(nothing)));
      assertTrue(twice.getMessage().contains("'tier-review' is already registered"), twice.getMessage());
      IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class, () -> DailyRun.builder(loyalty)
          .task(new DueTask("expire", io.github.loyaltyledger.store.DueTrack.TIER_REVIEW, nothing)));
      assertTrue(reserved.getMessage().contains("'expire' is reserved") && !reserved.getMessage().contains("registered"),
          reserved.getMessage());
      IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
          () -> new DueTask("-reviews", io.github.loyaltyledger.store.DueTrack.TIER_REVIEW, nothing));
      assertTrue(malformed.getMessage().contains("starting with a letter"), malformed.getMessage());
    }
  }

  @Nested
  class VestingAndExpiry {

    @Test
    void pendingPointsVestAndExpiredLotsExpireForTheMembersWithWorkDueOnly() {
      loyaltyWith(program());
      enrol(alice, null);
      enrol(bob, null);
      Instant start = clock.instant();
      accepted(loyalty.credit(Credit.of(alice, points(50), "Pending", aKey()).vestingAt(start.plus(Duration.ofDays(1)))));
      accepted(loyalty.credit(Credit.of(alice, points(30), "Short-lived", aKey()).expiringAt(start.plus(Duration.ofDays(2)))));
      accepted(loyalty.credit(Credit.of(bob, points(10), "Forever", aKey())));
      DailyRun run = DailyRun.builder(loyalty).build();

      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      advanceDays(1);
      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());
      assertEquals(1, ofKind(alice, EntryKind.VEST).size());
      advanceDays(1);
      RunReport report = run.runDue(clock.instant());
      assertEquals(List.of(alice), report.touched());
      assertEquals(points(-30), ofKind(alice, EntryKind.EXPIRE).head().points());
      assertEquals(points(50), accepted(loyalty.balance(alice)).available());
      assertEquals(new RunCounts(1, 1, 0), report.counts());
    }

    @Test
    void allPointsExpireAfterTheMonthsWithoutActivityAndActivityPostponesIt() {
      loyaltyWith(program().inactivityExpiry(Option.some(InactivityExpiry.afterMonths(18))));
      enrol(alice, null);
      enrol(bob, null);
      Fixtures.earned(loyalty, alice, 70);
      Fixtures.earned(loyalty, bob, 70);
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2028-06-01T12:00:00Z"));
      Fixtures.redeemed(loyalty, bob, 10);
      clock.set(Instant.parse("2028-09-01T12:00:00Z"));
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      clock.set(Instant.parse("2028-09-02T12:00:00Z"));

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.of(alice), report.touched());
      Entry expired = ofKind(alice, EntryKind.EXPIRE).single();
      assertEquals(points(-70), expired.points());
      assertEquals("Points expired after inactivity", expired.reason());
      assertEquals(Instant.parse("2028-09-02T00:00:00Z"), expired.occurredAt());
      assertEquals(points(60), accepted(loyalty.balance(bob)).available());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    @Test
    void pointsArrivingWithoutActivityAfterAnInactivityExpiryExpireAtTheNextRunOnceAndTheMemberIsThenLeftAlone() {
      loyaltyWith(program().inactivityExpiry(Option.some(InactivityExpiry.afterMonths(1))));
      enrol(alice, null);
      enrol(bob, null);
      Fixtures.earned(loyalty, alice, 70);
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2027-04-02T12:00:00Z"));
      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());
      Fixtures.earned(loyalty, bob, 20);
      // Neither an operator's goodwill nor a transfer in is activity: alice is still inactive.
      accepted(loyalty.adjust(Adjustment.of(alice, points(50), "Goodwill", "ops-1", aKey())));
      accepted(loyalty.transfer(Transfer.of(bob, alice, points(20), "Gift", aKey())));
      advanceDays(1);

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.of(alice), report.touched());
      List<Entry> expired = ofKind(alice, EntryKind.EXPIRE);
      assertEquals(List.of(points(-70), points(-70)), expired.map(Entry::points));
      assertEquals(List.of(IdempotencyKey.of("inactivity:alice:2027-04-02T00:00:00Z"),
          IdempotencyKey.of("inactivity:alice:" + clock.instant())), expired.map(Entry::idempotencyKey));
      assertEquals(clock.instant(), expired.last().occurredAt());
      assertEquals(Points.ZERO, accepted(loyalty.balance(alice)).total());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      assertEquals(2, ofKind(alice, EntryKind.EXPIRE).size());
    }

    @Test
    void pointsAHoldTimeoutReleasesToAnInactiveMemberExpireInTheSameRun() {
      loyaltyWith(program().inactivityExpiry(Option.some(InactivityExpiry.afterMonths(1))));
      enrol(alice, null);
      Fixtures.earned(loyalty, alice, 70);
      DailyRun run = DailyRun.builder(loyalty).build();
      // At the till the evening before the points expire for inactivity; the hold is never captured.
      heldAtTheTillAndAbandoned(alice, 70, "2027-04-01T23:00:00Z", Duration.ofMinutes(30));
      clock.set(Instant.parse("2027-04-02T12:00:00Z"));

      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());

      Entry released = ofKind(alice, EntryKind.RELEASE).single();
      assertEquals(List.of(points(-70)), ofKind(alice, EntryKind.EXPIRE).map(Entry::points));
      // Not dated at the start of the day, before the timeout of this run gave the points back.
      assertEquals(released.occurredAt(), ofKind(alice, EntryKind.EXPIRE).single().occurredAt());
      assertEquals(Points.ZERO, accepted(loyalty.balance(alice)).total());
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * The run decided on the lots before its hold timeouts ran: points held at the till after their
     * lot expired, before the run swept it, went back to that expired lot when the hold timed out,
     * and stayed there to be spent until the next day's run.
     */
    @Test
    void pointsAHoldTimeoutGivesBackToALotThatHadExpiredExpireInTheSameRun() {
      DailyRun run = aliceHoldingPointsOfALotThatHadExpired();
      clock.set(Instant.parse("2027-04-02T02:00:00Z"));

      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());

      assertEquals(1, ofKind(alice, EntryKind.RELEASE).size());
      assertEquals(List.of(points(-70)), ofKind(alice, EntryKind.EXPIRE).map(Entry::points));
      assertEquals(Points.ZERO, accepted(loyalty.balance(alice)).total());
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * Grace is for points a hold kept from the member while their lot expired. A hold that lapsed at
     * 23:30 held nothing from then on, yet the run that released it after the lot expired at
     * midnight gave its points a 30-day grace lot, while a run at 23:45 gave them back to their lot,
     * which expired at midnight: whether the points expired depended on when the run came, and a run
     * resumed after a crash ended otherwise than one run would. The points go back without grace and
     * expire in the same run, whatever its hour.
     */
    @Test
    void pointsOfAHoldThatLapsedBeforeTheirLotExpiredGetNoGraceWhenTheRunReleasesItAfter() {
      DailyRun run = aliceHolding("2027-04-01T23:00:00Z", Duration.ofMinutes(30));
      clock.set(Instant.parse("2027-04-02T02:00:00Z"));

      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());

      assertEquals(points(-70), sum(ofKind(alice, EntryKind.EXPIRE)));
      assertEquals(Points.ZERO, accepted(loyalty.balance(alice)).total());
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * A late run (as of 02:00, run at 09:00) expired the points its own hold timeout gave back to a
     * lot that had expired as of its own instant, 02:00, while the timeout released them at the
     * clock's, 09:00: the member's statement listed the expiry seven hours before the release that
     * gave the points back. The expiry now occurs when they came back, never before, as an
     * inactivity expiry does.
     */
    @Test
    void aLateRunNeverDatesTheExpiryOfPointsItsHoldTimeoutGaveBackBeforeTheyCameBack() {
      DailyRun run = aliceHoldingPointsOfALotThatHadExpired();
      clock.set(Instant.parse("2027-04-02T09:00:00Z"));
      Instant asOf = Instant.parse("2027-04-02T02:00:00Z");

      assertEquals(List.of(alice), run.runDue(asOf).touched());

      Entry released = ofKind(alice, EntryKind.RELEASE).single();
      Entry expired = ofKind(alice, EntryKind.EXPIRE).single();
      assertEquals(points(-70), expired.points());
      assertEquals(released.occurredAt(), expired.occurredAt());
      assertEquals(Points.ZERO, accepted(loyalty.balance(alice)).total());
      assertEquals(List.empty(), run.runDue(asOf).touched());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    @Test
    void pointsArrivingWithoutActivityAfterTheInactivityInstantExpireAsOfTheRunNotBeforeTheyArrived() {
      loyaltyWith(program().inactivityExpiry(Option.some(InactivityExpiry.afterMonths(1))));
      enrol(alice, null);
      enrol(bob, null);
      Fixtures.earned(loyalty, alice, 70);
      Fixtures.earned(loyalty, bob, 70);
      // Nothing is live when the month without activity ends: alice spent it all, bob holds it all.
      Fixtures.redeemed(loyalty, alice, 70);
      clock.set(Instant.parse("2027-04-01T23:50:00Z"));
      Hold hold = accepted(loyalty.authorize(Authorization.points(bob, points(70), Duration.ofDays(1),
          Channel.store("S-1"), aKey())));
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2027-04-02T12:00:00Z"));
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      // Later that day points come back without activity: an operator's goodwill, a void at the till.
      clock.set(Instant.parse("2027-04-02T18:00:00Z"));
      accepted(loyalty.adjust(Adjustment.of(alice, points(50), "Goodwill", "ops-1", aKey())));
      accepted(loyalty.voidHold(hold.id(), "Customer left", aKey()));
      clock.set(Instant.parse("2027-04-03T12:00:00Z"));

      assertEquals(List.of(alice, bob), run.runDue(clock.instant()).touched().sorted());

      for (MemberId member : List.of(alice, bob)) {
        Entry expired = ofKind(member, EntryKind.EXPIRE).single();
        assertEquals(clock.instant(), expired.occurredAt());
        assertEquals(IdempotencyKey.of("inactivity:" + member.value() + ":" + clock.instant()), expired.idempotencyKey());
        assertEquals(Points.ZERO, accepted(loyalty.balance(member)).total());
      }
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }
    /**
     * A late run (as of the start of the day, run at 09:00) dated the inactivity expiry at its own
     * instant, also when what it took arrived after that instant: an operator's goodwill at 08:00, or
     * the points the run's own hold timeout gave back at 09:00. The expiry now occurs when the last
     * of them arrived.
     */
    @Test
    void aLateRunNeverDatesAnInactivityExpiryBeforeThePointsItTakesArrived() {
      loyaltyWith(program().inactivityExpiry(Option.some(InactivityExpiry.afterMonths(1))));
      enrol(alice, null);
      enrol(bob, null);
      Fixtures.earned(loyalty, alice, 70);
      Fixtures.earned(loyalty, bob, 70);
      clock.set(Instant.parse("2027-04-01T23:50:00Z"));
      accepted(loyalty.authorize(Authorization.points(bob, points(70), Duration.ofDays(1), Channel.store("S-1"), aKey())));
      clock.set(Instant.parse("2027-04-03T08:00:00Z"));
      Entry goodwill = accepted(loyalty.adjust(Adjustment.of(alice, points(50), "Goodwill", "ops-1", aKey())))
          .entries().single();
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2027-04-03T09:00:00Z"));
      Instant asOf = Instant.parse("2027-04-03T00:00:00Z");

      assertEquals(List.of(alice, bob), run.runDue(asOf).touched().sorted());

      Entry aliceExpired = ofKind(alice, EntryKind.EXPIRE).single();
      assertEquals(points(-120), aliceExpired.points());
      assertEquals(goodwill.occurredAt(), aliceExpired.occurredAt());
      Entry bobExpired = ofKind(bob, EntryKind.EXPIRE).single();
      assertEquals(ofKind(bob, EntryKind.RELEASE).single().occurredAt(), bobExpired.occurredAt());
      assertEquals(IdempotencyKey.of("inactivity:bob:" + bobExpired.occurredAt()), bobExpired.idempotencyKey());
      for (MemberId member : List.of(alice, bob)) {
        assertEquals(Points.ZERO, accepted(loyalty.balance(member)).total());
      }
      assertEquals(List.empty(), run.runDue(asOf).touched());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * The run decides the instant of an inactivity expiry on the member's entries, then commits it:
     * another node's goodwill committed in between (here just before the run's commit) was taken,
     * after the conflict, by an expiry dated at the rule's instant, before the goodwill occurred.
     * The run now decides again on the entries as they are, and dates the expiry when the goodwill
     * arrived.
     */
    @Test
    void aCreditCommittedWhileTheRunExpiresForInactivityIsNeverExpiredAsOfAnInstantBeforeIt() {
      Loyalty otherNode = aliceInactiveSinceTheStartOfTheMonth();
      CommitHook hooked = hookedNode();
      DailyRun run = DailyRun.builder(loyalty).build();
      Entry[] goodwill = new Entry[1];
      hooked.onceBefore("inactivity:", () -> goodwill[0] = accepted(otherNode.adjust(
          Adjustment.of(alice, points(50), "Goodwill", "ops-1", aKey()))).entries().single());

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.empty(), report.failures());
      Entry expired = ofKind(alice, EntryKind.EXPIRE).single();
      assertEquals(points(-120), expired.points());
      assertTrue(!expired.occurredAt().isBefore(goodwill[0].occurredAt()), expired.occurredAt().toString());
      assertEquals(IdempotencyKey.of("inactivity:alice:" + expired.occurredAt()), expired.idempotencyKey());
      assertEquals(Points.ZERO, accepted(loyalty.balance(alice)).total());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * The birthday the run grants counts as activity: when the member's inactivity expiry failed (a
     * database that went away at that commit), the run still granted it, and the gift, credited
     * after the points had expired by the rule, made the member active again, so the next run found
     * nothing to expire and the member kept them for good. So when the hold timeout before the
     * expiry failed: the held points escaped it, and the next run gave them back to an active member.
     */
    @ParameterizedTest
    @CsvSource({"inactivity, false", "hold-timeout, true"})
    void aGiftOfTheRunNeverSavesThePointsWhoseInactivityExpiryFailedAndTheNextRunExpiresThemThenGrantsIt(String failing,
        boolean heldAtTheTill) {
      loyaltyWith(program().inactivityExpiry(Option.some(InactivityExpiry.afterMonths(1)))
          .birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      enrol(alice, "04-03");
      Fixtures.earned(loyalty, alice, 70);
      if (heldAtTheTill) {
        heldAtTheTillAndAbandoned(alice, 70, "2027-04-01T23:00:00Z", Duration.ofMinutes(30));
      }
      CommitHook hooked = hookedNode();
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2027-04-03T09:00:00Z"));
      hooked.onceBefore(failing + ":", () -> {
        throw new IllegalStateException("the database went away");
      });

      RunReport crashed = run.runDue(clock.instant());
      RunReport resumed = run.runDue(clock.instant());

      assertEquals(points(100), accepted(loyalty.balance(alice)).total());
      assertEquals(points(-70), sum(ofKind(alice, EntryKind.EXPIRE)));
      assertEquals(points(100), ofKind(alice, EntryKind.BONUS).single().points());
      assertEquals(List.of(failing, "birthday"), crashed.failures().map(MemberFailure::work));
      assertEquals(new RunCounts(1, 0, 1), crashed.counts());
      assertEquals(List.empty(), resumed.failures());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * An application's task may write activity (here its own tier engine credits a point with its
     * review): when the member's inactivity expiry failed, it ran anyway, and its credit made the
     * member active again, so the next run found nothing to expire and the member kept the points.
     */
    @Test
    void anApplicationsTaskWaitsForAFailedInactivityExpiryAsAGiftDoesAndTheNextRunDoesBothInOrder() {
      loyaltyWith(program().inactivityExpiry(Option.some(InactivityExpiry.afterMonths(1))));
      enrol(alice, null);
      Fixtures.earned(loyalty, alice, 70);
      accepted(loyalty.credit(Credit.of(alice, points(1), "Tier set", aKey())
          .explainedBy(List.empty(), TreeMap.of("tier.to", "bronze", "tier.until", "2027-04-02T00:00:00Z"))));
      java.util.List<String> calls = new ArrayList<>();
      CommitHook hooked = hookedNode();
      DueTask reviews = DueTask.tierReviews((member, asOf, key) -> {
        calls.add(key.value());
        return loyalty.credit(Credit.of(member, points(1), "Tier reviewed", key).ofKind(EntryKind.BONUS)
            .explainedBy(List.empty(), TreeMap.of("tier.to", "bronze", "tier.until", asOf.plus(Duration.ofDays(365)).toString())));
      });
      DailyRun run = DailyRun.builder(loyalty).task(reviews).build();
      clock.set(Instant.parse("2027-04-03T09:00:00Z"));
      hooked.onceBefore("inactivity:", () -> {
        throw new IllegalStateException("the database went away");
      });

      RunReport crashed = run.runDue(clock.instant());
      RunReport resumed = run.runDue(clock.instant());

      assertEquals(List.of("inactivity", "tier-review"), crashed.failures().map(MemberFailure::work));
      assertEquals(List.empty(), resumed.failures());
      assertEquals(points(-71), sum(ofKind(alice, EntryKind.EXPIRE)));
      assertEquals(points(1), accepted(loyalty.balance(alice)).total(), "only the review's point, credited after the expiry");
      assertEquals(1, calls.size());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * The run decided that a member was inactive on the index as it found its candidates, at its
     * start: a purchase the member made after that, before the run came to them (minutes later in a
     * run over many members), ended the inactivity, yet the run expired every point, the purchase's
     * too.
     */
    @Test
    void aPurchaseMadeAfterTheRunFoundItsCandidatesEndsTheInactivityAndKeepsThePoints() {
      Loyalty till = aliceInactiveSinceTheStartOfTheMonth();
      CommitHook hooked = hookedNode();
      DailyRun run = DailyRun.builder(loyalty).build();
      hooked.onceAfterCandidates(() -> Fixtures.earned(till, alice, 30));

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.empty(), report.failures());
      assertEquals(List.empty(), ofKind(alice, EntryKind.EXPIRE));
      assertEquals(points(100), accepted(loyalty.balance(alice)).total());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    @Test
    void aPurchaseCommittedWhileTheRunExpiresForInactivityEndsTheInactivityAndKeepsThePoints() {
      Loyalty otherNode = aliceInactiveSinceTheStartOfTheMonth();
      CommitHook hooked = hookedNode();
      DailyRun run = DailyRun.builder(loyalty).build();
      hooked.onceBefore("inactivity:", () -> Fixtures.earned(otherNode, alice, 30));

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.empty(), report.failures());
      assertEquals(List.empty(), ofKind(alice, EntryKind.EXPIRE));
      assertEquals(points(100), accepted(loyalty.balance(alice)).total());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    @Test
    void aNoticeAnnouncesHowManyPointsExpireAndWhenOnceTheNoticePeriodAhead() {
      loyaltyWith(program().expiryNoticeDays(7));
      enrol(alice, null);
      Instant expiry = clock.instant().plus(Duration.ofDays(10));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(expiry)));
      accepted(loyalty.credit(Credit.of(alice, points(5), "Later", aKey()).expiringAt(expiry.plus(Duration.ofDays(30)))));
      DailyRun run = DailyRun.builder(loyalty).build();

      advanceDays(2);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      advanceDays(1);
      events.clear();
      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());
      assertEquals(List.of(new LoyaltyEvent.PointsExpiringSoon(alice, points(40), expiry, clock.instant())),
          List.ofAll(events));
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      assertEquals(1, events.size());
    }

    /**
     * Points that arrive after the notice and expire at the instant it announced (a late upload, a
     * transfer in, a credit) were never announced: the member was told 40 points would expire and
     * lost 120. The next run announces the new total once, and never the same points again.
     */
    @Test
    void pointsArrivingAfterANoticeAndExpiringThenAreAnnouncedOnceWithTheNewTotal() {
      loyaltyWith(program().expiryNoticeDays(7));
      enrol(alice, null);
      Instant expiry = clock.instant().plus(Duration.ofDays(5));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(expiry)));
      DailyRun run = DailyRun.builder(loyalty).build();
      events.clear();
      run.runDue(clock.instant());
      advanceDays(1);
      accepted(loyalty.credit(Credit.of(alice, points(80), "Uploaded late", aKey()).expiringAt(expiry)));
      Instant secondDay = clock.instant();

      assertEquals(List.of(alice), run.runDue(secondDay).touched());
      assertEquals(List.empty(), run.runDue(secondDay).touched());
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      accepted(loyalty.debit(Debit.of(alice, points(30), "Spent", aKey())));
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());

      assertEquals(List.of(
              new LoyaltyEvent.PointsExpiringSoon(alice, points(40), expiry, expiry.minus(Duration.ofDays(5))),
              new LoyaltyEvent.PointsExpiringSoon(alice, points(120), expiry, secondDay)),
          List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
    }

    /**
     * The key of a later notice names its total; with the longest member id, an instant to the
     * nanosecond and a total of 19 digits it would pass the 128 characters a key may have, and that
     * member's notice step failed: it then names a digest, as a long purchase key's tier key does.
     */
    @Test
    void aLaterNoticeOfTheLongestMemberIdAndTotalIsAnnouncedUnderAKeyOfAtMost128Characters() {
      loyaltyWith(program().expiryNoticeDays(7));
      MemberId longest = member("m".repeat(64));
      enrol(longest, null);
      Instant expiry = clock.instant().plus(Duration.ofDays(5)).plusNanos(123_456_789);
      accepted(loyalty.credit(Credit.of(longest, points(1_000_000_000_000_000_000L), "Soon", aKey()).expiringAt(expiry)));
      DailyRun run = DailyRun.builder(loyalty).build();
      events.clear();
      run.runDue(clock.instant());
      advanceDays(1);
      accepted(loyalty.credit(Credit.of(longest, points(1_000_000_000_000_000_000L), "Uploaded late", aKey())
          .expiringAt(expiry)));

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.empty(), report.failures());
      assertEquals(List.of(points(1_000_000_000_000_000_000L), points(2_000_000_000_000_000_000L)),
          List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon)
              .map(e -> ((LoyaltyEvent.PointsExpiringSoon) e).points()));
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * A notice tells what the expiry will take: points held at the till by a hold that times out
     * before the instant go back to their lot and expire with it, so the notice counts them (it told
     * 30 of the 40 that expired).
     */
    @Test
    void aNoticeCountsThePointsAHoldTimingOutBeforeTheExpiryGivesBack() {
      loyaltyWith(program().expiryNoticeDays(7));
      enrol(alice, null);
      Instant start = clock.instant();
      Instant expiry = start.plus(Duration.ofDays(5));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(expiry)));
      accepted(loyalty.credit(Credit.of(alice, points(25), "Later", aKey()).expiringAt(expiry.plus(Duration.ofDays(1)))));
      heldAtTheTillAndAbandoned(alice, 10, start.plus(Duration.ofHours(1)).toString(), Duration.ofHours(12));
      DailyRun run = DailyRun.builder(loyalty).build();
      events.clear();
      clock.set(start.plus(Duration.ofHours(2)));

      run.runDue(clock.instant());
      for (int day = 1; day <= 5; day++) {
        clock.set(start.plus(Duration.ofDays(day)));
        run.runDue(clock.instant());
      }

      assertEquals(List.of(
              new LoyaltyEvent.PointsExpiringSoon(alice, points(40), expiry, start.plus(Duration.ofHours(2))),
              new LoyaltyEvent.PointsExpiringSoon(alice, points(25), expiry.plus(Duration.ofDays(1)),
                  start.plus(Duration.ofHours(2)))),
          List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
      assertEquals(points(-40), ofKind(alice, EntryKind.EXPIRE).head().points());
    }

    /** Pending points that vest before they expire repay a deficit first: only the rest expires. */
    @Test
    void aNoticeCountsPendingPointsWithoutThoseTheirVestingRepaysToADeficit() {
      loyaltyWith(program().expiryNoticeDays(7).negativeBalancePolicy(NegativeBalancePolicy.ALLOW_NEGATIVE));
      enrol(alice, null);
      Instant start = clock.instant();
      Instant expiry = start.plus(Duration.ofDays(5));
      Receipt credited = accepted(loyalty.credit(Credit.of(alice, points(30), "Goodwill", aKey())));
      accepted(loyalty.debit(Debit.of(alice, points(30), "Spent", aKey())));
      accepted(loyalty.reverse(Reversal.of(credited.entries().head().id(), "Mistake", aKey())));
      accepted(loyalty.credit(Credit.of(alice, points(50), "Pending", aKey()).expiringAt(expiry)
          .vestingAt(start.plus(Duration.ofDays(2)))));
      DailyRun run = DailyRun.builder(loyalty).build();
      events.clear();

      for (int day = 0; day <= 5; day++) {
        clock.set(start.plus(Duration.ofDays(day)).plus(Duration.ofHours(1)));
        run.runDue(clock.instant());
      }

      assertEquals(List.of(new LoyaltyEvent.PointsExpiringSoon(alice, points(20), expiry, start.plus(Duration.ofHours(1)))),
          List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
      assertEquals(points(-20), ofKind(alice, EntryKind.EXPIRE).head().points());
    }

    @Test
    void anAnnouncementUnderAnotherKeyPublishesOnlyWhenMorePointsExpireThanTheLastNoticeSaid() {
      loyaltyWith(program().expiryNoticeDays(7));
      enrol(alice, null);
      Instant expiry = clock.instant().plus(Duration.ofDays(5));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(expiry)));
      events.clear();

      accepted(loyalty.announceExpiry(alice, expiry, aKey()));
      accepted(loyalty.announceExpiry(alice, expiry, aKey()));
      accepted(loyalty.credit(Credit.of(alice, points(80), "Uploaded late", aKey()).expiringAt(expiry)));
      accepted(loyalty.debit(Debit.of(alice, points(10), "Spent", aKey())));
      accepted(loyalty.announceExpiry(alice, expiry, aKey()));
      accepted(loyalty.announceExpiry(alice, expiry, aKey()));

      assertEquals(List.of(points(40), points(110)), List.ofAll(events)
          .filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon).map(e -> ((LoyaltyEvent.PointsExpiringSoon) e).points()));
    }

    /**
     * A notice counts the points left when it goes out, and goes out once: after the member's hold
     * timeout failed in the run, it announced the lot without the points the hold still kept, and
     * the next run gave them back but announced nothing more (found by the crash property).
     */
    @Test
    void aNoticeWaitsForAFailedHoldTimeoutAndTheNextRunAnnouncesThePointsItGaveBack() {
      loyaltyWith(program().expiryNoticeDays(7));
      enrol(alice, null);
      Instant expiry = clock.instant().plus(Duration.ofDays(10));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(expiry)));
      heldAtTheTillAndAbandoned(alice, 10, clock.instant().plus(Duration.ofDays(3)).minus(Duration.ofHours(2)).toString(),
          Duration.ofMinutes(30));
      CommitHook hooked = hookedNode();
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(clock.instant().plus(Duration.ofHours(2)));
      hooked.onceBefore("hold-timeout:", () -> {
        throw new IllegalStateException("the database went away");
      });
      events.clear();

      RunReport crashed = run.runDue(clock.instant());
      RunReport resumed = run.runDue(clock.instant());

      assertEquals(List.of("hold-timeout"), crashed.failures().map(MemberFailure::work));
      assertEquals(List.empty(), resumed.failures());
      assertEquals(List.of(new LoyaltyEvent.PointsExpiringSoon(alice, points(40), expiry, clock.instant())),
          List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
    }

    @Test
    void aLaterExpiryIsAnnouncedTheNoticePeriodAheadEvenWhileAnEarlierOneIsAnnouncedAndPending() {
      loyaltyWith(program().expiryNoticeDays(7));
      enrol(alice, null);
      Instant soon = clock.instant().plus(Duration.ofDays(10));
      Instant later = soon.plus(Duration.ofDays(2));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(soon)));
      accepted(loyalty.credit(Credit.of(alice, points(5), "Later", aKey()).expiringAt(later)));
      DailyRun run = DailyRun.builder(loyalty).build();
      events.clear();

      for (int day = 0; day < 14; day++) {
        run.runDue(clock.instant());
        advanceDays(1);
      }

      assertEquals(List.of(
              new LoyaltyEvent.PointsExpiringSoon(alice, points(40), soon, soon.minus(Duration.ofDays(7))),
              new LoyaltyEvent.PointsExpiringSoon(alice, points(5), later, later.minus(Duration.ofDays(7)))),
          List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
    }

    @ParameterizedTest(name = "expiring at the start of {0} in London: not at {1}, at {2}")
    @CsvSource({
        // The clocks go forward on 28 March: 7 × 24 hours before the expiry is 23:00 on the 25th.
        "2027-04-02, 2027-03-25T23:30:00Z, 2027-03-26T00:30:00Z",
        // The clocks go back on 31 October: 7 × 24 hours before the expiry is 01:00 on the 29th.
        "2027-11-05, 2027-10-28T22:30:00Z, 2027-10-28T23:30:00Z"})
    void aNoticeGoesOutOnTheCalendarDayTheNoticeDaysAheadInTheMembersZoneAcrossAClockChange(
        LocalDate expiryDay, Instant lastHourOfTheDayBefore, Instant firstHourOfTheDay) {
      java.time.ZoneId london = java.time.ZoneId.of("Europe/London");
      Instant expiry = expiryDay.atStartOfDay(london).toInstant();
      clock.set(expiry.minus(Duration.ofDays(20)));
      loyaltyWith(program().expiryNoticeDays(7));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).withZone(london)));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(expiry)));
      DailyRun run = DailyRun.builder(loyalty).build();
      events.clear();

      clock.set(lastHourOfTheDayBefore);
      run.runDue(clock.instant());
      assertEquals(List.empty(), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
      clock.set(firstHourOfTheDay);
      run.runDue(clock.instant());
      assertEquals(List.of(new LoyaltyEvent.PointsExpiringSoon(alice, points(40), expiry, firstHourOfTheDay)),
          List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
    }

    /*
     * Calendar days: points that expire on 12 April, at whatever hour, are announced on 5 April with
     * 7 days, by a run at any hour of that day; not only by a run after the expiry's hour.
     */
    @ParameterizedTest(name = "expiring at {0} on 12 April in London")
    @CsvSource({"00:00", "09:15", "23:30"})
    void aNoticeGoesOutOnTheCalendarDayTheNoticeDaysAheadWhateverTheHourOfTheExpiryAndOfTheRun(
        java.time.LocalTime expiresAtLocal) {
      java.time.ZoneId london = java.time.ZoneId.of("Europe/London");
      Instant expiry = LocalDate.of(2027, 4, 12).atTime(expiresAtLocal).atZone(london).toInstant();
      clock.set(expiry.minus(Duration.ofDays(20)));
      loyaltyWith(program().expiryNoticeDays(7));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).withZone(london)));
      accepted(loyalty.credit(Credit.of(alice, points(40), "Soon", aKey()).expiringAt(expiry)));
      DailyRun run = DailyRun.builder(loyalty).build();
      events.clear();

      clock.set(LocalDate.of(2027, 4, 4).atTime(23, 30).atZone(london).toInstant());
      run.runDue(clock.instant());
      assertEquals(List.empty(), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
      Instant firstHourOfTheDay = LocalDate.of(2027, 4, 5).atTime(0, 30).atZone(london).toInstant();
      clock.set(firstHourOfTheDay);
      run.runDue(clock.instant());
      assertEquals(List.of(new LoyaltyEvent.PointsExpiringSoon(alice, points(40), expiry, firstHourOfTheDay)),
          List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon));
    }
  }

  @Nested
  class Occasions {

    /**
     * The run read the member's status with its candidates, at its start: a member suspended before
     * the run came to them (a fraud check during a run over many members) was still handed the
     * birthday, which the facade refused, and the refusal was reported as the member's failure, for
     * an operator to chase although nothing had gone wrong. A suspended member gets no occasion, as
     * one suspended before the run would not, and the run reports none; once reactivated, a run
     * within the catch-up days grants it.
     */
    @Test
    void aMemberSuspendedAfterTheRunFoundItsCandidatesIsSkippedQuietlyAndGrantedOnceReactivated() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      enrol(alice, "03-01");
      CommitHook hooked = hookedNode();
      DailyRun run = DailyRun.builder(loyalty).build();
      hooked.onceAfterCandidates(() -> accepted(loyalty.suspend(alice, "Fraud check", aKey())));

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.empty(), report.failures());
      assertEquals(List.empty(), ofKind(alice, EntryKind.BONUS));
      accepted(loyalty.reactivate(alice, "Cleared", aKey()));
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).failures());
      assertEquals(points(100), ofKind(alice, EntryKind.BONUS).single().points());
    }

    @Test
    void aRunAtAFixedUtcHourThatSkipsTheBirthdayAsALocalDayStillGrantsItTheDayAfterOnce() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))
          .withBirthday(MonthDay.of(3, 28)).withZone(java.time.ZoneId.of("Europe/London"))));
      DailyRun run = DailyRun.builder(loyalty).build();
      // At 23:30 UTC every day: the 27th, then the 29th in London, where the clocks go forward on the 28th.
      for (java.time.LocalDate d = java.time.LocalDate.of(2027, 3, 20); d.isBefore(java.time.LocalDate.of(2027, 4, 5));
          d = d.plusDays(1)) {
        clock.set(d.atTime(23, 30).toInstant(java.time.ZoneOffset.UTC));
        run.runDue(clock.instant());
      }
      assertEquals(1, ofKind(alice, EntryKind.BONUS).size());
      assertEquals(points(100), balanceOf(loyalty, alice).total());
    }

    /*
     * A 29 February birthday is celebrated once a year: on the 29th in a leap year and, in other
     * years, on the day the policy names, as a member in Berlin sees the days whatever the hour of
     * the run (23:30 UTC is half past midnight there, so each run falls on the next local day).
     */
    @ParameterizedTest(name = "{0}, runs at {1} UTC")
    @CsvSource({
        "FEBRUARY_28, 23:30, 2027-02-28 2028-02-29 2029-02-28",
        "FEBRUARY_28, 11:00, 2027-02-28 2028-02-29 2029-02-28",
        "MARCH_1, 23:30, 2027-03-01 2028-02-29 2029-03-01",
        "MARCH_1, 11:00, 2027-03-01 2028-02-29 2029-03-01"})
    void aBirthdayOn29FebruaryIsGrantedOnceAYearOnTheDayItsLeapDayPolicyNamesInOtherYears(
        io.github.loyaltyledger.occasion.LeapDayPolicy policy, java.time.LocalTime hour, String days) {
      java.time.ZoneId berlin = java.time.ZoneId.of("Europe/Berlin");
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).withLeapDay(policy))));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))
          .withBirthday(MonthDay.of(2, 29)).withZone(berlin)));
      DailyRun run = DailyRun.builder(loyalty).build();
      for (LocalDate d = LocalDate.of(2027, 2, 1); d.isBefore(LocalDate.of(2029, 3, 31)); d = d.plusDays(1)) {
        if (d.getMonthValue() == 2 || d.getMonthValue() == 3) {
          clock.set(d.atTime(hour).toInstant(ZoneOffset.UTC));
          assertEquals(List.empty(), run.runDue(clock.instant()).failures());
        }
      }
      List<Entry> granted = ofKind(alice, EntryKind.BONUS);
      assertEquals(List.of("birthday:alice:2027", "birthday:alice:2028", "birthday:alice:2029"),
          granted.map(e -> e.idempotencyKey().value()));
      assertEquals(List.of(days.split(" ")).map(LocalDate::parse),
          granted.map(e -> LocalDate.ofInstant(e.occurredAt(), berlin)));
    }

    /** Samoa skipped 30 December 2011: a birthday on that day is granted on the 31st, once, credited at its start. */
    @Test
    void aBirthdayOnADayTheMembersZoneSkippedIsGrantedOnceOnTheDayAfter() {
      java.time.ZoneId apia = java.time.ZoneId.of("Pacific/Apia");
      clock.set(Instant.parse("2011-01-01T00:00:00Z"));
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2010-06-01T00:00:00Z"))
          .withBirthday(MonthDay.of(12, 30)).withZone(apia)));
      DailyRun run = DailyRun.builder(loyalty).build();
      for (java.time.LocalDate d = java.time.LocalDate.of(2011, 12, 20); d.isBefore(java.time.LocalDate.of(2012, 1, 10));
          d = d.plusDays(1)) {
        clock.set(d.atTime(12, 0).toInstant(ZoneOffset.UTC));
        run.runDue(clock.instant());
      }
      Entry granted = ofKind(alice, EntryKind.BONUS).single();
      assertEquals(IdempotencyKey.of("birthday:alice:2011"), granted.idempotencyKey());
      assertEquals(java.time.LocalDate.of(2011, 12, 31).atStartOfDay(apia).toInstant(), granted.occurredAt());
    }

    @Test
    void aBirthdayAndAnAnniversaryOnDaysTheRunWasMissedAreGrantedOnceByTheFirstRunAfterTheOutage() {
      loyaltyWith(program()
          .birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)))
          .anniversaryRule(Option.some(AnniversaryRule.of("anniv",
              new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(50))))));
      enrol(alice, "03-03");
      accepted(loyalty.enrol(Enrolment.of(bob, aKey()).enrolledAt(Instant.parse("2026-03-02T08:00:00Z"))));
      DailyRun run = DailyRun.builder(loyalty).build();
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());

      // The scheduler is down on the 2nd, 3rd and 4th: the next run is on the 5th.
      clock.set(Instant.parse("2027-03-05T12:00:00Z"));
      assertEquals(List.of(alice, bob), run.runDue(clock.instant()).touched());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());

      Entry toAlice = ofKind(alice, EntryKind.BONUS).single();
      assertEquals(IdempotencyKey.of("birthday:alice:2027"), toAlice.idempotencyKey());
      assertEquals(Instant.parse("2027-03-05T00:00:00Z"), toAlice.occurredAt());
      Entry toBob = ofKind(bob, EntryKind.BONUS).single();
      assertEquals(IdempotencyKey.of("anniversary:bob:2027"), toBob.idempotencyKey());
      assertEquals(points(50), toBob.points());
    }

    @ParameterizedTest
    @CsvSource({"0, 03-03", "0, 03-01", "2, 03-04", "31, 03-04"})
    void aRunCatchesUpTheOccasionsOfItsCatchUpDaysAndNoEarlierOnes(int configured, String caughtUp) {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      MonthDay caught = MonthDay.parse("--" + caughtUp);
      enrol(alice, caughtUp);
      enrol(bob, caught.atYear(2027).minusDays(1).format(java.time.format.DateTimeFormatter.ofPattern("MM-dd")));
      DailyRun.Builder builder = DailyRun.builder(loyalty);
      // 0: the default.
      DailyRun run = (configured == 0 ? builder : builder.catchUpDays(configured)).build();
      int days = configured == 0 ? DailyRun.DEFAULT_CATCH_UP_DAYS : configured;

      // The first run after the outage, the catch-up days after alice's birthday.
      clock.set(caught.atYear(2027).plusDays(days).atTime(9, 0).toInstant(ZoneOffset.UTC));
      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());
      assertEquals(IdempotencyKey.of("birthday:alice:2027"), ofKind(alice, EntryKind.BONUS).single().idempotencyKey());
      assertEquals(List.empty(), ofKind(bob, EntryKind.BONUS));
      advanceDays(400);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      assertEquals(List.empty(), ofKind(bob, EntryKind.BONUS));
    }

    @ParameterizedTest
    @CsvSource({"0", "32", "-1"})
    void catchUpDaysOutsideOneToThirtyOneAreRefused(int days) {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      DailyRun.Builder builder = DailyRun.builder(loyalty);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.catchUpDays(days));
      assertTrue(e.getMessage().contains("1..31"), e.getMessage());
    }

    @Test
    void aMemberWhoEnrolsTheDayAfterTheirBirthdayIsNotGrantedIt() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).withBirthday(MonthDay.of(2, 28))));
      DailyRun.builder(loyalty).build().runDue(clock.instant());
      assertTrue(ofKind(alice, EntryKind.BONUS).isEmpty());
    }

    @Test
    void aMemberWhoEnrolsOnTheirBirthdayAfterTheDaysRunIsGrantedItByTheNextRunWhateverTheHourTheyEnrolled() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      DailyRun run = DailyRun.builder(loyalty).build();
      // The run is at 02:00 every day; both enrol on their birthday, after that day's run.
      clock.set(Instant.parse("2027-03-01T02:00:00Z"));
      run.runDue(clock.instant());
      clock.set(Instant.parse("2027-03-01T09:00:00Z"));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).withBirthday(MonthDay.of(3, 1))));
      clock.set(Instant.parse("2027-03-01T15:00:00Z"));
      accepted(loyalty.enrol(Enrolment.of(bob, aKey()).withBirthday(MonthDay.of(3, 1))));
      clock.set(Instant.parse("2027-03-02T02:00:00Z"));

      assertEquals(List.of(alice, bob), run.runDue(clock.instant()).touched());

      assertEquals(points(100), balanceOf(loyalty, alice).total());
      assertEquals(points(100), balanceOf(loyalty, bob).total());
      assertEquals(IdempotencyKey.of("birthday:bob:2027"), ofKind(bob, EntryKind.BONUS).single().idempotencyKey());
    }

    @Test
    void aLateRunAsOfAnInstantBeforeAMemberEnrolledGrantsThemNothingBeforeTheirEnrolmentAndTheNextRunDoes() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2027-03-01T15:00:00Z"));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).withBirthday(MonthDay.of(3, 1))));
      clock.set(Instant.parse("2027-03-01T18:00:00Z"));

      // The morning's run, missed and started late as of its usual instant.
      assertEquals(List.empty(), run.runDue(Instant.parse("2027-03-01T02:00:00Z")).touched());
      assertEquals(List.empty(), ofKind(alice, EntryKind.BONUS));

      clock.set(Instant.parse("2027-03-02T02:00:00Z"));
      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());
      Entry bonus = ofKind(alice, EntryKind.BONUS).single();
      assertTrue(!bonus.occurredAt().isBefore(Instant.parse("2027-03-01T15:00:00Z")), bonus.occurredAt().toString());
    }

    @Test
    void aBirthdayNeedingAPurchaseCountsAPurchaseThatEarnedOnlyABonusAndNotAnEventThatEarnedNothing() {
      loyaltyWith(program()
          .earnRules(io.github.loyaltyledger.earning.RuleBook.of(io.github.loyaltyledger.earning.FirstPurchaseBonus.of("welcome", 50)))
          .birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).requiringPurchaseInLastYear())));
      enrol(alice, "03-01");
      enrol(bob, "03-01");
      clock.set(Instant.parse("2027-02-10T12:00:00Z"));
      accepted(loyalty.earn(Fixtures.aPurchase(alice, aKey(), clock.instant(), Fixtures.line("MUG", 1, "9.00"))));
      accepted(loyalty.earn(io.github.loyaltyledger.earning.CustomEvent.of(bob, aKey(),
          io.github.loyaltyledger.earning.CustomEvent.REVIEW_WRITTEN, clock.instant(),
          io.github.loyaltyledger.ledger.Channel.app())));
      clock.set(Instant.parse(START));

      assertEquals(List.of(alice), run().runDue(clock.instant()).touched());

      assertEquals(1, ofKind(alice, EntryKind.BONUS).filter(e -> e.details().containsKey("occasion")).size());
      assertEquals(List.empty(), ofKind(bob, EntryKind.BONUS));
    }

    private DailyRun run() {
      return DailyRun.builder(loyalty).build();
    }

    @Test
    void aTierLookupThatFailsForOneMemberIsThatMembersFailureAndTheOthersGoOn() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)
          .forTier("gold", new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(200))))));
      enrol(alice, "03-01");
      enrol(bob, "03-01");
      DailyRun run = DailyRun.builder(loyalty).tiers((member, at) -> {
        if (member.equals(alice)) {
          throw new IllegalStateException("tier service unavailable for alice");
        }
        return Option.none();
      }).build();

      io.github.loyaltyledger.RunReport report = run.runDue(clock.instant());

      assertEquals(1, report.failures().size());
      assertEquals(alice, report.failures().get(0).member());
      assertEquals(points(0), balanceOf(loyalty, alice).total());
      assertEquals(points(100), balanceOf(loyalty, bob).total());
    }

    @Test
    void aTierLookupThatAnswersNullOrANullInsideIsThatMembersFailureNamingThePortAndTheOthersGoOn() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)
          .forTier("gold", new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(200))))));
      enrol(alice, "03-01");
      enrol(bob, "03-01");
      for (Option<String> answer : java.util.Arrays.asList(null, Option.<String>some(null))) {
        DailyRun run = DailyRun.builder(loyalty).tiers((member, at) -> member.equals(alice) ? answer : Option.none())
            .build();

        io.github.loyaltyledger.RunReport report = run.runDue(clock.instant());

        assertEquals(List.of(alice), report.failures().map(io.github.loyaltyledger.MemberFailure::member));
        assertTrue(report.failures().get(0).problem().contains("a TierLookup answered "
            + (answer == null ? "null" : "Some(null)") + " for member 'alice': it answers Option.none() for a member"
            + " without a tier"), report.failures().get(0).problem());
        assertEquals(points(0), balanceOf(loyalty, alice).total());
        assertEquals(points(100), balanceOf(loyalty, bob).total());
      }
    }

    @Test
    void aBirthdayIsRewardedOnceUnderADeterministicKeyWithThePolicysExpiry() {
      loyaltyWith(program()
          .birthdayRule(Option.some(BirthdayRule.of("bday-100", HUNDRED_ON_THE_DAY)))
          .lotExpiry(FixedTermExpiry.months(6).roundedUpTo(ExpiryRounding.END_OF_MONTH)));
      enrol(alice, "03-01");
      enrol(bob, "03-02");
      DailyRun run = DailyRun.builder(loyalty).build();

      RunReport first = run.runDue(clock.instant());
      RunReport second = run.runDue(clock.instant());

      assertEquals(List.of(alice), first.touched());
      assertEquals(List.empty(), second.touched());
      Entry bonus = ofKind(alice, EntryKind.BONUS).single();
      assertEquals(points(100), bonus.points());
      assertEquals(IdempotencyKey.of("birthday:alice:2027"), bonus.idempotencyKey());
      assertEquals(TreeMap.of("occasion", "birthday", "occasion.year", "2027"), bonus.details());
      assertEquals(List.of("bday-100"), bonus.ruleIds());
      assertEquals(Option.some(Instant.parse("2027-10-01T00:00:00Z")), bonus.expiresAt());
      assertEquals(List.empty(), ofKind(bob, EntryKind.BONUS));
    }

    @Test
    void aGiftCreditedByHandWithTheOccasionAndItsYearInItsDetailsCountsAsThatYearsBirthdayReward() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday-100", HUNDRED_ON_THE_DAY))));
      enrol(alice, "03-01");
      enrol(bob, "03-01");
      accepted(loyalty.credit(Credit.of(alice, points(250), "Birthday cake at the counter", aKey())
          .ofKind(EntryKind.BONUS)
          .explainedBy(List.empty(), TreeMap.of("occasion", "birthday", "occasion.year", "2027"))));

      RunReport report = DailyRun.builder(loyalty).build().runDue(clock.instant());

      assertEquals(List.of(bob), report.touched());
      assertEquals(points(250), balanceOf(loyalty, alice).total());
      assertEquals(points(100), balanceOf(loyalty, bob).total());
    }

    @Test
    void aBirthdayGrantedLateInItsWindowIsCreditedOnTheRunsDayNeverBeforeEnrolmentWithTheFullTerm() {
      loyaltyWith(program()
          .birthdayRule(Option.some(BirthdayRule.of("bday",
              new OccasionTerms(OccasionWindow.inTheMonth(), OccasionReward.points(100)))))
          .lotExpiry(FixedTermExpiry.days(7)));
      clock.set(Instant.parse("2027-03-20T12:00:00Z"));
      enrol(alice, "03-25");
      accepted(loyalty.enrol(Enrolment.of(bob, aKey()).enrolledAt(Instant.parse("2027-03-20T08:00:00Z"))
          .withBirthday(MonthDay.of(3, 25))));
      DailyRun run = DailyRun.builder(loyalty).build();

      assertEquals(List.of(alice, bob), run.runDue(clock.instant()).touched());

      Entry toAlice = ofKind(alice, EntryKind.BONUS).single();
      Entry toBob = ofKind(bob, EntryKind.BONUS).single();
      assertEquals(Instant.parse("2027-03-20T00:00:00Z"), toAlice.occurredAt());
      assertEquals(Instant.parse("2027-03-20T08:00:00Z"), toBob.occurredAt());
      assertEquals(Option.some(Instant.parse("2027-03-28T00:00:00Z")), toAlice.expiresAt());
      assertEquals(Option.some(Instant.parse("2027-03-28T00:00:00Z")), toBob.expiresAt());
      assertEquals(points(100), accepted(loyalty.balance(bob)).available());
      clock.advance(Duration.ofHours(3));
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      assertEquals(1, ofKind(bob, EntryKind.BONUS).size());
    }

    @Test
    void aCatalogueRewardGoesThroughTheRewardGrantWithTheOccasionsKey() {
      loyaltyWith(program().rewards(OccasionGifts.CATALOGUE).birthdayRule(Option.some(BirthdayRule.of("bday-cake",
          new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.reward("cake"))))));
      enrol(alice, "03-01");
      java.util.List<OccasionGrant> granted = new ArrayList<>();
      DailyRun run = DailyRun.builder(loyalty).rewards((grant, asOf) -> {
        granted.add(grant);
        return Either.right(grant.key());
      }).build();

      run.runDue(clock.instant());

      assertEquals(1, granted.size());
      assertEquals(Option.some("cake"), granted.get(0).reward().rewardId());
      assertEquals("birthday:alice:2027", granted.get(0).key().value());
      // The hook replaced the built-in gift: nothing issued from the catalogue.
      assertEquals(List.empty(), ofKind(alice, EntryKind.REDEEM));
      assertEquals(0, store.counter(OccasionGifts.CAKE_STOCK));
    }

    @Test
    void aMembershipAnniversaryIsRewardedOnTheEnrolmentDay() {
      loyaltyWith(program().anniversaryRule(Option.some(AnniversaryRule.of("anniv", HUNDRED_ON_THE_DAY))));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-03-01T08:00:00Z"))));
      DailyRun run = DailyRun.builder(loyalty).build();

      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      assertEquals(IdempotencyKey.of("anniversary:alice:2027"), ofKind(alice, EntryKind.BONUS).single().idempotencyKey());
    }

    @Test
    void anErasedMemberIsHandedNoAnniversaryGiftAndNotTouchedOnTheirEnrolmentDay() {
      loyaltyWith(program().anniversaryRule(Option.some(AnniversaryRule.of("anniv", HUNDRED_ON_THE_DAY))));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-03-01T08:00:00Z"))));
      accepted(loyalty.erase(alice, aKey()));
      int entries = entriesOf(alice).size();

      RunReport report = DailyRun.builder(loyalty).build().runDue(clock.instant());

      assertEquals(List.empty(), report.touched());
      assertEquals(new RunCounts(0, 0, 0), report.counts());
      assertEquals(entries, entriesOf(alice).size(), "erasure keeps the enrolment, not the right to a gift");
    }

    @Test
    void aRunOnAnotherNodeAtAnotherHourOfTheWindowIsTheSameRequest() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday",
          new OccasionTerms(OccasionWindow.inTheMonth(), OccasionReward.points(20))))));
      enrol(alice, "03-20");
      DailyRun run = DailyRun.builder(loyalty).build();
      Instant earlier = clock.instant();
      run.runDue(earlier);
      clock.advance(Duration.ofHours(3));
      // A second process replaying the grant directly (as a crashed node would) is answered from the record.
      Entry bonus = ofKind(alice, EntryKind.BONUS).single();
      assertEquals(Instant.parse("2027-03-01T00:00:00Z"), bonus.occurredAt());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * Two nodes on one store run on either side of alice's local midnight: this one at 23:50 on her
     * birthday, the other at 00:10 the next day, whose catch-up day is the birthday. The other node
     * has checked that the birthday was not granted yet, then (while it releases alice's timed-out
     * hold, the work before the birthday) this node grants it, credited at the start of the 1st;
     * the other node's credit would occur at the start of the 2nd, a different request under the
     * same key.
     */
    @Test
    void aBirthdayTheOtherNodeGrantedMeanwhileOnTheOtherSideOfMidnightCountsAsGrantedNotAsAFailure() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      enrol(alice, "03-01");
      accepted(loyalty.credit(Credit.of(alice, points(100), "Purchase", aKey())));
      accepted(loyalty.authorize(io.github.loyaltyledger.redemption.Authorization.points(alice, points(40),
          Duration.ofMinutes(30), io.github.loyaltyledger.ledger.Channel.store("S-1"), aKey())));
      clock.set(Instant.parse("2027-03-01T23:50:00Z"));
      DailyRun thisNode = DailyRun.builder(loyalty).build();
      TestClock otherClock = TestClock.at("2027-03-02T00:10:00Z");
      Loyalty other = Loyalty.builder().program(loyalty.program()).store(store).clock(otherClock).build();
      DailyRun otherNode = DailyRun.builder(other).task(DueTask.holdTimeouts((member, asOf, key) -> {
        assertEquals(List.of(alice), thisNode.runDue(clock.instant()).touched());
        return other.releaseExpiredHolds(member, asOf, key);
      })).build();

      RunReport report = otherNode.runDue(otherClock.instant());

      assertEquals(List.empty(), report.failures());
      assertEquals(new RunCounts(1, 1, 0), report.counts());
      Entry bonus = ofKind(alice, EntryKind.BONUS).single();
      assertEquals(Instant.parse("2027-03-01T00:00:00Z"), bonus.occurredAt());
      assertEquals(points(200), balanceOf(loyalty, alice).total());
      assertEquals(List.empty(), otherNode.runDue(otherClock.instant()).touched());
      // A different request under the key is still refused.
      assertEquals(new LoyaltyError.IdempotencyConflict(bonus.idempotencyKey()), Fixtures.refused(other.creditOccasion(
          Credit.of(alice, points(100), "Birthday reward 2027", bonus.idempotencyKey()).ofKind(EntryKind.BONUS))));
    }

    /**
     * Gold's benefits give 250 points in a window of three days around the birthday, platinum's 400
     * in ten days, but the rule has terms of its own for platinum; green has standard benefits.
     * Alice (gold), Bob (green) and Cyd (platinum) were all born on 10 March.
     */
    @Test
    void aTiersBirthdayBenefitIsGrantedInItsWindowAroundTheBirthdayWhereTheRuleHasNoTermsOfItsOwnForTheTier() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500))
              .withBenefits(io.github.loyaltyledger.tier.TierBenefits.standard().withBirthday(3, points(250))))
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2000))
              .withBenefits(io.github.loyaltyledger.tier.TierBenefits.standard().withBirthday(10, points(400))))
          .build();
      loyaltyWith(program().tierLadder(ladder).birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)
          .forTier("platinum", new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(300))))));
      MemberId cyd = member("cyd");
      for (MemberId m : List.of(alice, bob, cyd)) {
        enrol(m, "03-10");
      }
      Fixtures.purchased(loyalty, alice, 500, 0);
      Fixtures.purchased(loyalty, cyd, 2000, 0);
      accepted(loyalty.evaluateTier(alice, aKey()));
      accepted(loyalty.evaluateTier(cyd, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      java.util.Map<MemberId, LocalDate> grantedOn = new java.util.HashMap<>();

      for (LocalDate day = LocalDate.of(2027, 3, 2); day.isBefore(LocalDate.of(2027, 3, 25)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        for (MemberId m : run.runDue(clock.instant()).touched()) {
          grantedOn.putIfAbsent(m, day);
        }
      }

      assertEquals(java.util.Map.of(alice, LocalDate.of(2027, 3, 7), bob, LocalDate.of(2027, 3, 10),
          cyd, LocalDate.of(2027, 3, 10)), grantedOn);
      Entry toAlice = ofKind(alice, EntryKind.BONUS).single();
      assertEquals(points(250), toAlice.points());
      assertEquals(IdempotencyKey.of("birthday:alice:2027"), toAlice.idempotencyKey());
      assertEquals(Instant.parse("2027-03-07T00:00:00Z"), toAlice.occurredAt());
      assertEquals(points(100), ofKind(bob, EntryKind.BONUS).single().points());
      assertEquals(points(300), ofKind(cyd, EntryKind.BONUS).single().points());
    }
  }

  @Nested
  class OccasionGifts {

    static final String CAKE_STOCK = "reward-stock:cake";
    /** A cake (500 points, 2 in stock, one a year per member) and a spa voucher (1000 points). */
    static final RewardCatalog CATALOGUE = RewardCatalog.builder()
        .reward(Reward.builder(RewardId.of("cake"), "Free cake", new RewardKind.FreeItem("SKU-CAKE"), Points.of(500))
            .stock(2).limit(1, LimitPeriod.YEAR).build())
        .reward(Reward.builder(RewardId.of("spa"), "Spa day", new RewardKind.Voucher(Fixtures.aSeededIssuer(7)),
            Points.of(1000)).build())
        .reward(Reward.builder(RewardId.of("pay"), "Pay with points", new RewardKind.PointsAsPayment(new PaymentTerms(
            Points.of(100), Money.of(CurrencyUnit.EUR, 1), Points.of(50), new BigDecimal("0.5"))), Points.of(50)).build())
        .build();

    private DailyRun run;

    private void giving(String reward) {
      loyaltyWith(program().rewards(CATALOGUE).birthdayRule(Option.some(BirthdayRule.of("bday-gift",
          new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.reward(reward))))));
      run = DailyRun.builder(loyalty).build();
    }

    private OccasionGrant grantTo(MemberId member, String reward) {
      return new OccasionGrant(Occasion.BIRTHDAY, member, 2027, LocalDate.parse("2027-03-01"),
          LocalDate.parse("2027-03-01"), OccasionReward.reward(reward), "bday-gift");
    }

    private Object stateOf(MemberId member) {
      return List.of(store.account(member), entriesOf(member), store.counter(CAKE_STOCK));
    }

    @Test
    void theRunIssuesABirthdayCakeFreeWithNoHookTakingStockButNoPointsNorTheLimit() {
      giving("cake");
      enrol(alice, "03-01");
      accepted(loyalty.credit(Credit.of(alice, points(70), "welcome", aKey())));

      RunReport report = run.runDue(clock.instant());

      assertEquals(List.empty(), report.failures());
      Entry gift = ofKind(alice, EntryKind.REDEEM).single();
      assertEquals(Points.ZERO, gift.points());
      assertEquals(List.empty(), gift.movements());
      assertEquals(IdempotencyKey.of("birthday:alice:2027"), gift.idempotencyKey());
      assertEquals(List.of("bday-gift"), gift.ruleIds());
      assertEquals(TreeMap.of("reward.id", "cake", "reward.kind", "free-item", "stock.counter", CAKE_STOCK,
          "occasion", "birthday", "occasion.year", "2027"), gift.details());
      assertEquals(1, store.counter(CAKE_STOCK));
      assertEquals(0, store.counter("reward-limit:cake:alice:2027"));
      assertEquals(points(70), accepted(loyalty.balance(alice)).available());
    }

    @Test
    void aVoucherRewardIsIssuedWithItsCodeRecordedOnTheEntry() {
      giving("spa");
      enrol(alice, "03-01");

      run.runDue(clock.instant());

      Entry gift = ofKind(alice, EntryKind.REDEEM).single();
      assertEquals(Option.some("voucher"), gift.details().get("reward.kind"));
      assertTrue(gift.details().get("voucher.code").exists(c -> c.matches("[0-9A-Z]{5}(-[0-9A-Z]{5}){3}")),
          gift.details().toString());
      // The same grant again, as of a later instant, answers the first redemption with the same code.
      clock.advance(Duration.ofHours(2));
      Redemption again = accepted(loyalty.grantOccasionReward(grantTo(alice, "spa"), clock.instant()));
      assertEquals(gift.id(), again.entry());
      assertEquals(gift.details().get("voucher.code"), again.voucherCode());
      assertEquals(Points.ZERO, again.points());
    }

    @Test
    void theGiftIsIssuedOnceAYearWhateverTheRunsThatFollow() {
      giving("cake");
      enrol(alice, "03-01");
      run.runDue(clock.instant());

      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      clock.advance(Duration.ofHours(5));
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      advanceDays(1);
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      assertEquals(1, ofKind(alice, EntryKind.REDEEM).size());
      assertEquals(1, store.counter(CAKE_STOCK));
      clock.set(Instant.parse("2028-03-01T12:00:00Z"));
      run.runDue(clock.instant());
      assertEquals(List.of("2027", "2028"), ofKind(alice, EntryKind.REDEEM).map(e -> e.details().get("occasion.year").get()));
    }

    @Test
    void aMembersOwnUseOfTheRewardsLimitDoesNotStopTheGift() {
      giving("cake");
      enrol(alice, "03-01");
      accepted(loyalty.credit(Credit.of(alice, points(500), "welcome", aKey())));
      accepted(loyalty.redeem(alice, RewardId.of("cake"), io.github.loyaltyledger.ledger.Channel.web(), aKey()));

      assertEquals(List.empty(), run.runDue(clock.instant()).failures());
      assertEquals(2, ofKind(alice, EntryKind.REDEEM).size());
      assertEquals(1, store.counter("reward-limit:cake:alice:2027"));
      assertEquals(2, store.counter(CAKE_STOCK));
    }

    @Test
    void aGiftOutOfStockIsTheMembersFailureAndWritesNothing() {
      giving("cake");
      MemberId carol = member("carol");
      enrol(alice, "03-01");
      enrol(bob, "03-01");
      enrol(carol, "03-01");
      java.util.Map<MemberId, Object> before = new java.util.HashMap<>();
      List.of(alice, bob, carol).forEach(m -> before.put(m, List.of(store.account(m), entriesOf(m))));

      RunReport report = run.runDue(clock.instant());

      // Two cakes in stock: the third member due is refused.
      assertEquals(2, store.counter(CAKE_STOCK));
      MemberFailure failure = report.failures().single();
      assertEquals("birthday", failure.work());
      MemberId refused = failure.member();
      assertTrue(failure.problem().toLowerCase(java.util.Locale.ROOT).contains("stock"), failure.problem());
      assertEquals(List.empty(), ofKind(refused, EntryKind.REDEEM));
      assertEquals(2, List.of(alice, bob, carol).filter(m -> ofKind(m, EntryKind.REDEEM).size() == 1).size());
      LoyaltyError error = Fixtures.refused(loyalty.grantOccasionReward(grantTo(refused, "cake"), clock.instant()));
      assertTrue(error instanceof LoyaltyError.RewardUnavailable r
          && r.reasons().single() instanceof UnavailableReason.OutOfStock, error.toString());
      assertEquals(before.get(refused), List.of(store.account(refused), entriesOf(refused)), "the refused member's books changed");
      assertEquals(2, store.counter(CAKE_STOCK));
    }

    @Test
    void aCancelledGiftGivesItsStockBackAndNoPointsAndIsNotIssuedAgain() {
      giving("cake");
      enrol(alice, "03-01");
      run.runDue(clock.instant());
      Entry gift = ofKind(alice, EntryKind.REDEEM).single();
      assertEquals(1, store.counter(CAKE_STOCK));

      accepted(loyalty.cancelRedemption(gift.id(), "cake not collected", aKey()));

      assertEquals(0, store.counter(CAKE_STOCK));
      assertEquals(Points.ZERO, ofKind(alice, EntryKind.REVERSAL).single().points());
      assertEquals(Points.ZERO, accepted(loyalty.balance(alice)).total());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
      assertEquals(1, ofKind(alice, EntryKind.REDEEM).size());
    }

    @Test
    void aGiftHandedToAHookThatRecordsNothingIsHandedOverOnceAndTheMemberIsNotTouchedAgainInTheWindow() {
      loyaltyWith(program().rewards(CATALOGUE).birthdayRule(Option.some(BirthdayRule.of("bday-gift",
          new OccasionTerms(OccasionWindow.inTheMonth(), OccasionReward.reward("cake"))))));
      enrol(alice, "03-10");
      java.util.List<OccasionGrant> handed = new ArrayList<>();
      // An external fulfilment service: it refuses once (the next run retries), then issues the cake
      // and writes nothing to the ledger.
      DailyRun external = DailyRun.builder(loyalty).rewards((grant, asOf) -> {
        handed.add(grant);
        return handed.size() == 1 ? Either.left(new LoyaltyError.RewardUnavailable(RewardId.of("cake"), List.empty()))
            : Either.right(grant.key());
      }).build();

      assertEquals(List.of("birthday"), external.runDue(clock.instant()).failures().map(MemberFailure::work));
      advanceDays(1);
      assertEquals(List.of(alice), external.runDue(clock.instant()).touched());
      java.util.List<MemberId> touchedLater = new ArrayList<>();
      for (int day = 0; day < 20; day++) {
        touchedLater.addAll(external.runDue(clock.instant()).touched().asJava());
        advanceDays(1);
      }

      assertEquals(java.util.List.of(), touchedLater);
      assertEquals(2, handed.size());
      assertEquals(List.empty(), entriesOf(alice));
    }

    /**
     * Alice is gold until midnight (a cake on her birthday), green after it (100 points). The other
     * node, at 00:10 the next day, credits her points after this node, at 23:50, checked her
     * birthday was not granted: this node's gift is then a different request under the same key.
     */
    @Test
    void aBirthdayTheOtherNodeCreditedInPointsMeanwhileUnderAnotherTierCountsAsGrantedNotAsAFailure() {
      loyaltyWith(program().rewards(CATALOGUE).birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)
          .forTier("gold", new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.reward("cake"))))));
      enrol(alice, "03-01");
      accepted(loyalty.credit(Credit.of(alice, points(100), "Purchase", aKey())));
      accepted(loyalty.authorize(io.github.loyaltyledger.redemption.Authorization.points(alice, points(40),
          Duration.ofMinutes(30), io.github.loyaltyledger.ledger.Channel.store("S-1"), aKey())));
      Instant midnight = Instant.parse("2027-03-02T00:00:00Z");
      io.github.loyaltyledger.occasion.TierLookup goldUntilMidnight =
          (member, at) -> at.isBefore(midnight) ? Option.some("gold") : Option.some("green");
      TestClock otherClock = TestClock.at("2027-03-02T00:10:00Z");
      Loyalty other = Loyalty.builder().program(loyalty.program()).store(store).clock(otherClock).build();
      DailyRun otherNode = DailyRun.builder(other).tiers(goldUntilMidnight).build();
      clock.set(Instant.parse("2027-03-01T23:50:00Z"));
      DailyRun thisNode = DailyRun.builder(loyalty).tiers(goldUntilMidnight)
          .task(DueTask.holdTimeouts((member, asOf, key) -> {
            assertEquals(List.of(alice), otherNode.runDue(otherClock.instant()).touched());
            return loyalty.releaseExpiredHolds(member, asOf, key);
          })).build();

      RunReport report = thisNode.runDue(clock.instant());

      assertEquals(List.empty(), report.failures());
      assertEquals(points(100), ofKind(alice, EntryKind.BONUS).single().points());
      assertEquals(List.empty(), ofKind(alice, EntryKind.REDEEM));
      assertEquals(0, store.counter(CAKE_STOCK));
      assertEquals(List.empty(), thisNode.runDue(clock.instant()).touched());
    }

    @Test
    void theFacadeRefusesAnUnknownRewardAndWritesNothing() {
      giving("cake");
      enrol(alice, "03-01");
      Object before = stateOf(alice);

      assertEquals(new LoyaltyError.UnknownReward(RewardId.of("balloon")),
          Fixtures.refused(loyalty.grantOccasionReward(grantTo(alice, "balloon"), clock.instant())));
      assertEquals(before, stateOf(alice));
    }

    @Test
    void theFacadeRefusesAnInactiveMemberAPointsGrantAPaymentRewardAndAFutureInstantWritingNothing() {
      giving("cake");
      enrol(alice, "03-01");
      accepted(loyalty.suspend(alice, "fraud check", aKey()));
      Object before = stateOf(alice);

      assertTrue(Fixtures.refused(loyalty.grantOccasionReward(grantTo(alice, "cake"), clock.instant()))
          instanceof LoyaltyError.MemberNotActive);
      OccasionGrant points = new OccasionGrant(Occasion.BIRTHDAY, alice, 2027, LocalDate.parse("2027-03-01"),
          LocalDate.parse("2027-03-01"), OccasionReward.points(10), "bday-gift");
      assertTrue(Fixtures.refused(loyalty.grantOccasionReward(points, clock.instant())) instanceof LoyaltyError.InvalidRequest);
      assertTrue(Fixtures.refused(loyalty.grantOccasionReward(grantTo(alice, "pay"), clock.instant()))
          instanceof LoyaltyError.InvalidRequest);
      assertTrue(Fixtures.refused(loyalty.grantOccasionReward(grantTo(alice, "cake"), clock.instant().plusSeconds(1)))
          instanceof LoyaltyError.InvalidRequest);
      assertEquals(before, stateOf(alice));
      assertTrue(Fixtures.refused(loyalty.grantOccasionReward(grantTo(member("nobody"), "cake"), clock.instant()))
          instanceof LoyaltyError.UnknownMember);
    }
  }

  @Nested
  class Tasks {

    @Test
    void theStandardHoldTimeoutTaskReleasesHoldsThatExpiredWithoutBeingCaptured() {
      loyaltyWith(program());
      enrol(alice, null);
      accepted(loyalty.credit(Credit.of(alice, points(100), "Purchase", aKey())));
      io.github.loyaltyledger.redemption.Hold hold = accepted(loyalty.authorize(
          io.github.loyaltyledger.redemption.Authorization.points(alice, points(40), Duration.ofMinutes(30),
              io.github.loyaltyledger.ledger.Channel.store("S-1"), aKey())));
      DailyRun run = DailyRun.builder(loyalty).build();
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());

      advanceDays(1);
      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());

      Entry release = ofKind(alice, EntryKind.RELEASE).single();
      assertEquals(hold.id(), release.reference().get());
      assertEquals(points(100), accepted(loyalty.balance(alice)).available());
      assertEquals(points(0), accepted(loyalty.balance(alice)).held());
      assertEquals(List.empty(), run.runDue(clock.instant()).touched());
    }

    /**
     * A stand-in for an application's own tier engine on a program without a ladder: records the
     * review and schedules the next one a year later, in a credit's {@code tier.*} details (refused
     * with a ladder, whose engine writes its own entries).
     */
    private DueTask reviews(java.util.List<String> calls) {
      return DueTask.tierReviews((member, asOf, key) -> {
        calls.add(member.value() + "@" + asOf + "#" + key.value());
        return loyalty.credit(Credit.of(member, points(1), "Tier reviewed", key).ofKind(EntryKind.BONUS)
            .explainedBy(List.empty(), TreeMap.of("tier.to", "silver", "tier.until", asOf.plus(Duration.ofDays(365)).toString())));
      });
    }

    @Test
    void aTaskRunsForEachMemberWhoseInstantOnItsTrackIsDueUnderItsOwnKey() {
      loyaltyWith(program());
      enrol(alice, null);
      enrol(bob, null);
      accepted(loyalty.credit(Credit.of(alice, points(1), "Tier set", aKey())
          .explainedBy(List.empty(), TreeMap.of("tier.to", "bronze", "tier.until", "2027-03-05"))));
      java.util.List<String> calls = new ArrayList<>();
      DailyRun run = DailyRun.builder(loyalty).task(reviews(calls)).build();

      advanceDays(3);
      run.runDue(clock.instant());
      assertEquals(0, calls.size());
      advanceDays(1);
      Instant asOf = clock.instant();
      assertEquals(List.of(alice), run.runDue(asOf).touched());
      assertEquals(java.util.List.of("alice@" + asOf + "#tier-review:alice:" + asOf), calls);
      assertEquals(List.empty(), run.runDue(asOf).touched());
    }

    @Test
    void aFailureOnOneMemberIsReportedAndTheOthersAreStillDone() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      for (String id : List.of("ann", "bob", "cyd")) {
        enrol(member(id), "03-01");
      }
      DueTask explosive = new DueTask("hold-timeout", io.github.loyaltyledger.store.DueTrack.TIER_REVIEW,
          (member, asOf, key) -> {
            throw new IllegalStateException("boom for " + member);
          });
      accepted(loyalty.credit(Credit.of(member("bob"), points(1), "Tier", aKey())
          .explainedBy(List.empty(), TreeMap.of("tier.until", "2027-03-01T00:00:00Z"))));
      java.util.List<RunCounts> progress = new ArrayList<>();
      java.util.List<MemberFailure> failures = new ArrayList<>();
      DailyRun run = DailyRun.builder(loyalty).task(explosive).listener(new RunProgress() {
        @Override
        public void progress(RunCounts counts) {
          progress.add(counts);
        }

        @Override
        public void failed(MemberFailure failure) {
          failures.add(failure);
        }
      }).build();

      RunReport report = run.runDue(clock.instant());

      assertEquals(new RunCounts(3, 2, 1), report.counts());
      assertEquals(java.util.List.of(new RunCounts(1, 1, 0), new RunCounts(2, 1, 1), new RunCounts(3, 2, 1)), progress);
      assertEquals(member("bob"), failures.get(0).member());
      assertTrue(failures.get(0).problem().contains("boom"), failures.get(0).problem());
      assertEquals(List.ofAll(failures), report.failures());
      for (String id : List.of("ann", "bob", "cyd")) {
        assertEquals(1, ofKind(member(id), EntryKind.BONUS).filter(e -> e.details().containsKey("occasion")).size());
      }
    }

    @Test
    void anErrorAPlugInThrowsForOneMemberIsThatMembersFailureAndTheOthersAreStillDone() {
      birthdaysTodayWithBobsTierUnderReview("ann", "bob", "cyd", "dee");

      // A task whose plug-in jar lacks a class, and a tier service failing an assertion of its own.
      RunReport report = runWithPlugInsThrowing(new NoClassDefFoundError("com/example/TierClient"),
          new AssertionError("no tier for cyd"));

      assertEquals(new RunCounts(4, 2, 2), report.counts());
      assertEquals(List.of(member("bob"), member("cyd")), report.failures().map(MemberFailure::member));
      assertTrue(report.failures().get(0).problem().contains("TierClient"), report.failures().get(0).problem());
      assertTrue(report.failures().get(1).problem().contains("no tier for cyd"), report.failures().get(1).problem());
      assertEquals(points(100), balanceOf(loyalty, member("ann")).total());
      assertEquals(points(1 + 100), balanceOf(loyalty, member("bob")).total());
      assertEquals(Points.ZERO, balanceOf(loyalty, member("cyd")).total());
      assertEquals(points(100), balanceOf(loyalty, member("dee")).total());
    }

    @Test
    void aCheckedExceptionOrAnErrorOfItsLibrariesThatAPlugInThrowsIsThatMembersFailureToo() {
      birthdaysTodayWithBobsTierUnderReview("ann", "bob", "cyd");

      // A task written in Kotlin throws IOException undeclared; a tier service's library, an Error of its own.
      RunReport report = runWithPlugInsThrowing(new java.io.IOException("tier service unreachable"),
          new java.util.ServiceConfigurationError("com.example.TierClient: provider not found"));

      assertEquals(new RunCounts(3, 1, 2), report.counts());
      assertEquals(List.of(member("bob"), member("cyd")), report.failures().map(MemberFailure::member));
      assertTrue(report.failures().get(0).problem().contains("tier service unreachable"), report.failures().get(0).problem());
      assertTrue(report.failures().get(1).problem().contains("TierClient"), report.failures().get(1).problem());
      assertEquals(points(100), balanceOf(loyalty, member("ann")).total());
    }

    @Test
    void aPlugInWhoseExceptionCannotSayWhatWentWrongIsStillThatMembersFailureAndTheOthersAreStillDone() {
      birthdaysTodayWithBobsTierUnderReview("ann", "bob", "cyd");

      // The task's own exception works out its message from a field it left null; the tier
      // service's answers null for its text.
      RunReport report = runWithPlugInsThrowing(new IllegalStateException() {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
          throw new NullPointerException("reason");
        }
      }, new IllegalStateException() {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
          return null;
        }
      });

      assertEquals(new RunCounts(3, 1, 2), report.counts());
      assertEquals(List.of(member("bob"), member("cyd")), report.failures().map(MemberFailure::member));
      assertTrue(report.failures().forAll(f -> f.problem().contains("whose toString() failed")), report.failures().toString());
      assertEquals(points(100), balanceOf(loyalty, member("ann")).total());
    }

    /**
     * A birthday rule (gold terms for tiers) and these members, each with a birthday today; bob also
     * with a tier status whose review is due.
     */
    private void birthdaysTodayWithBobsTierUnderReview(String... ids) {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)
          .forTier("gold", new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(200))))));
      for (String id : ids) {
        enrol(member(id), "03-01");
      }
      accepted(loyalty.credit(Credit.of(member("bob"), points(1), "Tier", aKey())
          .explainedBy(List.empty(), TreeMap.of("tier.until", "2027-03-01T00:00:00Z"))));
    }

    /**
     * Runs what is due now with a tier-review task that throws {@code fromTask} and a tier look-up
     * that throws {@code fromCydsTier} for cyd (each undeclared, whatever it is).
     */
    private RunReport runWithPlugInsThrowing(Throwable fromTask, Throwable fromCydsTier) {
      DueTask broken = DueTask.tierReviews((member, asOf, key) -> {
        throw DailyRunTest.<RuntimeException>undeclared(fromTask);
      });
      DailyRun run = DailyRun.builder(loyalty).task(broken).tiers((member, at) -> {
        if (member.equals(member("cyd"))) {
          throw DailyRunTest.<RuntimeException>undeclared(fromCydsTier);
        }
        return Option.none();
      }).build();
      return run.runDue(clock.instant());
    }
  }

  /** Throws any throwable, a checked exception too, as an unchecked one: javac checks, the JVM does not. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T undeclared(Throwable thrown) throws T {
    throw (T) thrown;
  }

  @Nested
  class TierReviews {

    /** Green for everyone, gold from 500 points in a calendar year, with the grace and warning given. */
    /**
     * Gold at 500, kept in 2028 with 600 points; on 20 November a new version asks 800. The member
     * keeps gold until the review on 1 January 2029, and the warning 30 days ahead of it says what
     * the new threshold needs.
     */
    @Test
    void aThresholdRaisedByANewVersionIsWarnedOfAndAppliedAtTheReviewNotBefore() {
      loyaltyWith(program().tierLadder(greenAndGold(0, 30)));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 500, 5000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      clock.set(Instant.parse("2028-03-01T10:00:00Z"));
      Fixtures.purchased(loyalty, alice, 600, 5000);
      clock.set(Instant.parse("2028-11-20T10:00:00Z"));
      TierLadder raised = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(800))).warnDaysBefore(30).build();
      loyaltyWith(loyalty.program().toBuilder().tierLadder(raised));
      DailyRun run = DailyRun.builder(loyalty).build();

      for (LocalDate day = LocalDate.of(2028, 11, 20); !day.isAfter(LocalDate.of(2029, 1, 2)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        assertEquals(Option.some(day.getYear() == 2029 ? "green" : "gold"), loyalty.tierOf(alice, clock.instant()), day.toString());
        run.runDue(clock.instant());
      }

      LoyaltyEvent.TierWillDowngrade warning = List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade)
          .map(e -> (LoyaltyEvent.TierWillDowngrade) e).single();
      assertEquals(Instant.parse("2028-12-02T10:00:00Z"), warning.at());
      assertEquals(200, warning.warning().needed().points());
      assertEquals(List.of(TierChangeReason.QUALIFIED, TierChangeReason.REVIEW),
          accepted(loyalty.tierHistory(alice)).map(TierChange::reason));
    }

    private TierLadder greenAndGold(int graceMonths, int warningDays) {
      return TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .grace(Period.ofMonths(graceMonths))
          .warnDaysBefore(warningDays)
          .build();
    }

    /**
     * An application's task waits after a failed inactivity expiry, since it may write activity; the
     * standard tier review the run adds writes none, so it runs: the member's gold is reviewed on its
     * day although the expiry beside it failed.
     */
    @Test
    void theStandardTierReviewRunsBesideAFailedInactivityExpiryWhichTheNextRunDoes() {
      loyaltyWith(program().tierLadder(greenAndGold(0, 0)).inactivityExpiry(Option.some(InactivityExpiry.afterMonths(22))));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 500, 5000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      CommitHook hooked = hookedNode();
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2029-01-02T13:00:00Z"));
      hooked.onceBefore("inactivity:", () -> {
        throw new IllegalStateException("the database went away");
      });

      RunReport crashed = run.runDue(clock.instant());

      assertEquals(List.of("inactivity"), crashed.failures().map(MemberFailure::work));
      assertEquals(Option.some("green"), loyalty.tierOf(alice, clock.instant()));
      RunReport resumed = run.runDue(clock.instant());
      assertEquals(List.empty(), resumed.failures());
      assertEquals(Points.ZERO, accepted(loyalty.balance(alice)).total());
    }

    @Test
    void aClosedMemberWhoseTierWasDueForReviewIsNeverVisitedAgain() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .build();
      loyaltyWith(program().tierLadder(ladder));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 500, 5000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      accepted(loyalty.close(alice, "Leaving", aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      java.util.List<LocalDate> touched = new ArrayList<>();
      for (LocalDate day = LocalDate.of(2028, 12, 25); day.isBefore(LocalDate.of(2029, 1, 10)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(java.time.ZoneOffset.UTC));
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }
      assertEquals(java.util.List.of(), touched);
    }

    /**
     * Gold earned in 2027 lasts until 1 January 2029 and, with no activity in 2028, is lost at the
     * review one grace period later; the member is touched on the day of the warning (if the ladder
     * warns) and on the day of the review, and on no day in between.
     */
    @ParameterizedTest(name = "grace {0} months, warning {1} days ahead")
    @CsvSource({"1, 0", "1, 30", "1, 45", "2, 10", "0, 30", "0, 0"})
    void aMemberIsTouchedOnlyOnTheDaysOfTheWarningAndOfTheReviewWhateverTheGrace(int graceMonths, int warningDays) {
      TierLadder ladder = greenAndGold(graceMonths, warningDays);
      loyaltyWith(program().tierLadder(ladder));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 500, 5000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      LocalDate review = LocalDate.of(2029, 1, 1).plusMonths(graceMonths);
      java.util.List<LocalDate> touched = new ArrayList<>();

      for (LocalDate day = LocalDate.of(2028, 11, 1); !day.isAfter(review.plusDays(3)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }

      List<LocalDate> expected = warningDays > 0 ? List.of(review.minusDays(warningDays), review) : List.of(review);
      assertEquals(expected, List.ofAll(touched));
      assertEquals(warningDays > 0 ? 1 : 0, events.stream().filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade).count());
      assertEquals(Option.some("green"), loyalty.tierOf(alice, clock.instant()));
      assertEquals(2, ofKind(alice, EntryKind.TIER).size());
    }

    /**
     * As above for a member in London, with the warning days across a change of the clocks and runs
     * at a fixed local hour: gold lasts until 1 January 2029 and is reviewed then, or three months
     * later after a grace. The clocks go back on 29 October 2028 (the day is 25 hours) and forward
     * on 25 March 2029 (23 hours). The warning goes out on the local day the warning days ahead of
     * the review, as the tier engine counts them, whatever the hour of the run.
     */
    @ParameterizedTest(name = "grace {0} months, warning {1} days ahead, runs at {2}")
    @CsvSource({"0, 65, 00:30", "0, 65, 23:30", "3, 10, 00:30", "3, 10, 23:30"})
    void aMemberIsWarnedOnTheLocalDayTheWarningDaysAheadWhateverTheHourAcrossAClockChange(int graceMonths,
        int warningDays, String runAt) {
      java.time.ZoneId london = java.time.ZoneId.of("Europe/London");
      TierLadder ladder = greenAndGold(graceMonths, warningDays);
      loyaltyWith(program().tierLadder(ladder));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))
          .withZone(london)));
      Fixtures.purchased(loyalty, alice, 500, 5000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      LocalDate review = LocalDate.of(2029, 1, 1).plusMonths(graceMonths);
      java.util.List<LocalDate> touched = new ArrayList<>();

      for (LocalDate day = review.minusDays(warningDays + 5); !day.isAfter(review.plusDays(1)); day = day.plusDays(1)) {
        clock.set(day.atTime(java.time.LocalTime.parse(runAt)).atZone(london).toInstant());
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }

      assertEquals(List.of(review.minusDays(warningDays), review), List.ofAll(touched));
      assertEquals(1, events.stream().filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade).count());
    }

    /**
     * In Havana the clocks go forward at midnight: 11 March 2029 starts at 01:00. Gold lasts until
     * 1 January 2029 and, after a grace of two months and ten days, is reviewed at the start of that
     * day; ten warning days ahead is 1 March, whose day starts at midnight as usual.
     */
    @ParameterizedTest(name = "runs at {0}")
    @ValueSource(strings = {"00:30", "12:00", "23:30"})
    void aMemberIsWarnedOnTheLocalDayTheWarningDaysAheadOfAReviewOnADayWhoseMidnightIsSkipped(String runAt) {
      java.time.ZoneId havana = java.time.ZoneId.of("America/Havana");
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .grace(Period.of(0, 2, 10))
          .warnDaysBefore(10)
          .build();
      loyaltyWith(program().tierLadder(ladder));
      accepted(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))
          .withZone(havana)));
      Fixtures.purchased(loyalty, alice, 500, 5000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      LocalDate review = LocalDate.of(2029, 3, 11);
      java.util.List<LocalDate> touched = new ArrayList<>();

      for (LocalDate day = review.minusDays(15); !day.isAfter(review.plusDays(1)); day = day.plusDays(1)) {
        clock.set(day.atTime(java.time.LocalTime.parse(runAt)).atZone(havana).toInstant());
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }

      assertEquals(List.of(review.minusDays(10), review), List.ofAll(touched));
      List<LoyaltyEvent.TierWillDowngrade> warnings = List.ofAll(events)
          .filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade).map(e -> (LoyaltyEvent.TierWillDowngrade) e);
      assertEquals(List.of(review.minusDays(10)), warnings.map(w -> LocalDate.ofInstant(w.at(), havana)));
      assertEquals(review.atStartOfDay(havana).toInstant(), warnings.single().warning().reviewAt());
    }

    private TierLadder goldAt500NextPeriod() {
      return goldAt500(UpgradePolicy.NEXT_PERIOD);
    }

    private TierLadder goldAt500(UpgradePolicy upgrades) {
      return TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .upgrade(upgrades)
          .build();
    }

    /** The members the run touches on each day from 30 December 2027 to 3 January 2028, at 10:00 UTC. */
    private java.util.Map<LocalDate, List<MemberId>> runAroundNewYear(DailyRun run) {
      java.util.Map<LocalDate, List<MemberId>> touched = new java.util.TreeMap<>();
      for (LocalDate day = LocalDate.of(2027, 12, 30); day.isBefore(LocalDate.of(2028, 1, 4)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        touched.put(day, run.runDue(clock.instant()).touched());
      }
      return touched;
    }

    /** On a next-period ladder the crossing purchase writes no change: the run upgrades at the period's end. */
    @Test
    void theRunRecordsANextPeriodUpgradeAtThePeriodEndWithItsEvent() {
      loyaltyWith(program().tierLadder(goldAt500NextPeriod()));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 600, 6000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();

      java.util.Map<LocalDate, List<MemberId>> touched = runAroundNewYear(run);

      assertEquals(List.of(TierId.of("gold")), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.TierUpgraded)
          .map(e -> ((LoyaltyEvent.TierUpgraded) e).change().to()));
      assertEquals(List.of(new TierChange(TierId.of("green"), TierId.of("gold"), TierChangeReason.REVIEW,
          Instant.parse("2028-01-01T00:00:00Z"), Option.some(Instant.parse("2029-01-01T00:00:00Z")), Option.none())),
          accepted(loyalty.tierHistory(alice)));
      assertEquals(List.of(alice), touched.get(LocalDate.of(2028, 1, 1)));
      assertEquals(List.empty(), List.ofAll(touched.values()).flatMap(t -> t).filter(alice::equals).tail());
    }

    /**
     * A member who requalified keeps gold at the review: no downgrade is coming, and the run, which
     * reads their standing within the warning days, visits them on the day of the review only, not on
     * each of the warning days before it. A return that takes the requalifying purchase back within
     * the warning days brings the warning on the next run.
     */
    @ParameterizedTest(name = "returned: {0}")
    @ValueSource(booleans = {false, true})
    void aMemberWhoKeepsTheirTierIsNotVisitedOnTheWarningDaysBeforeTheReview(boolean returned) {
      loyaltyWith(program().tierLadder(greenAndGold(0, 10)));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 500, 5000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      clock.set(Instant.parse("2028-06-01T10:00:00Z"));
      Receipt requalifying = Fixtures.purchased(loyalty, alice, 500, 5000);
      DailyRun run = DailyRun.builder(loyalty).build();
      java.util.List<LocalDate> touched = new ArrayList<>();

      for (LocalDate day = LocalDate.of(2028, 12, 15); day.isBefore(LocalDate.of(2029, 1, 4)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        if (returned && day.equals(LocalDate.of(2028, 12, 26))) {
          Fixtures.returned(loyalty, requalifying);
        }
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }

      List<LocalDate> expected = returned ? List.of(LocalDate.of(2028, 12, 26), LocalDate.of(2029, 1, 1))
          : List.of(LocalDate.of(2029, 1, 1));
      assertEquals(expected, List.ofAll(touched));
      assertEquals(returned ? 1 : 0, events.stream().filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade).count());
      assertEquals(Option.some(returned ? "green" : "gold"), loyalty.tierOf(alice, clock.instant()));
    }

    /**
     * On a next-period ladder that warns, a member whose coming review is the period end that
     * upgrades them has no status to lose there and nothing to be warned of: the run visits them on
     * the day of the upgrade only, not on each of the warning days before it.
     */
    @Test
    void aMemberWhoseNextPeriodUpgradeIsComingIsNotVisitedOnTheWarningDaysBeforeIt() {
      loyaltyWith(program().tierLadder(TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)))
          .upgrade(UpgradePolicy.NEXT_PERIOD)
          .warnDaysBefore(5)
          .build()));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 600, 6000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      java.util.List<LocalDate> touched = new ArrayList<>();

      for (LocalDate day = LocalDate.of(2027, 12, 20); day.isBefore(LocalDate.of(2028, 1, 4)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }

      assertEquals(java.util.List.of(LocalDate.of(2028, 1, 1)), touched);
      assertEquals(TierId.of("gold"), accepted(loyalty.tierHistory(alice)).last().to());
      assertEquals(List.empty(), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade));
    }

    /** Nor is a member whose override ends: an override is not reviewed, so its end brings no warning. */
    @Test
    void aMemberWhoseOverrideIsEndingIsNotVisitedOnTheWarningDaysBeforeItsEnd() {
      loyaltyWith(program().tierLadder(greenAndGold(0, 5)));
      enrol(alice, null);
      accepted(loyalty.overrideTier(new io.github.loyaltyledger.tier.TierOverride(alice, TierId.of("gold"), "Goodwill",
          "ops", Instant.parse("2027-04-01T00:00:00Z"), aKey())));
      DailyRun run = DailyRun.builder(loyalty).build();
      java.util.List<LocalDate> touched = new ArrayList<>();

      for (LocalDate day = LocalDate.of(2027, 3, 20); day.isBefore(LocalDate.of(2027, 4, 4)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        if (!run.runDue(clock.instant()).touched().isEmpty()) {
          touched.add(day);
        }
      }

      assertEquals(java.util.List.of(LocalDate.of(2027, 4, 1)), touched);
      assertEquals(TierChangeReason.OVERRIDE_EXPIRED, accepted(loyalty.tierHistory(alice)).last().reason());
    }

    /** A member crosses the threshold by earning, with no evaluation asked for: the purchase schedules the period end. */
    @Test
    void aPurchaseThatEarnsANextPeriodUpgradeHasTheRunRecordItAtThePeriodEnd() {
      loyaltyWith(program().tierLadder(goldAt500NextPeriod()).earnRules(io.github.loyaltyledger.earning.RuleBook.of(
          io.github.loyaltyledger.earning.BaseRate.of("base", "10"))));
      enrol(alice, null);
      accepted(loyalty.earn(Fixtures.aPurchase(alice, aKey(), clock.instant(), Fixtures.line("MUG", 1, "60.00"))));
      DailyRun run = DailyRun.builder(loyalty).build();

      java.util.Map<LocalDate, List<MemberId>> touched = runAroundNewYear(run);

      assertEquals(List.of(alice), touched.get(LocalDate.of(2028, 1, 1)));
      assertEquals(List.of(TierId.of("gold")), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.TierUpgraded)
          .map(e -> ((LoyaltyEvent.TierUpgraded) e).change().to()));
    }

    /**
     * A review of the day (as of its start) after a purchase that day saw none of that day's activity,
     * and took the schedule of the next-period upgrade the purchase earned for a wrong one: it cleared
     * it, and the run never recorded the upgrade.
     */
    @Test
    void aReviewOfTheDayAfterAPurchaseThatDayLeavesTheNextPeriodUpgradeScheduled() {
      loyaltyWith(program().tierLadder(goldAt500NextPeriod()));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 600, 6000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      clock.advance(Duration.ofHours(1));
      accepted(loyalty.reviewTier(alice, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)));
      DailyRun run = DailyRun.builder(loyalty).build();

      java.util.Map<LocalDate, List<MemberId>> touched = runAroundNewYear(run);

      assertEquals(List.of(alice), touched.get(LocalDate.of(2028, 1, 1)));
      assertEquals(List.of(TierId.of("gold")), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.TierUpgraded)
          .map(e -> ((LoyaltyEvent.TierUpgraded) e).change().to()));
    }

    /** Nor did it leave the end of an override set that day scheduled: the override's end was never recorded. */
    @Test
    void aReviewOfTheDayAfterAnOverrideSetThatDayLeavesItsEndScheduled() {
      loyaltyWith(program().tierLadder(goldAt500NextPeriod()));
      enrol(alice, null);
      accepted(loyalty.overrideTier(new io.github.loyaltyledger.tier.TierOverride(alice, TierId.of("gold"), "Goodwill",
          "ops", Instant.parse("2027-03-05T00:00:00Z"), aKey())));
      clock.advance(Duration.ofHours(1));
      accepted(loyalty.reviewTier(alice, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)));
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2027-03-05T10:00:00Z"));

      assertEquals(List.of(alice), run.runDue(clock.instant()).touched());

      assertEquals(TierChangeReason.OVERRIDE_EXPIRED, accepted(loyalty.tierHistory(alice)).last().reason());
      assertEquals(TierId.of("green"), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.TierDowngraded)
          .map(e -> ((LoyaltyEvent.TierDowngraded) e).change().to()).single());
    }

    /** Scheduled for a period end whose upgrade a return took back, the member is visited once, not every day. */
    @Test
    void aNextPeriodUpgradeThatAReturnTookBackLeavesTheMemberAloneAfterThePeriodEnd() {
      loyaltyWith(program().tierLadder(goldAt500NextPeriod()));
      enrol(alice, null);
      Receipt purchase = Fixtures.purchased(loyalty, alice, 600, 6000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      Fixtures.returned(loyalty, purchase);
      DailyRun run = DailyRun.builder(loyalty).build();

      java.util.Map<LocalDate, List<MemberId>> touched = runAroundNewYear(run);

      assertEquals(List.empty(), accepted(loyalty.tierHistory(alice)));
      assertEquals(List.of(alice), touched.get(LocalDate.of(2028, 1, 1)));
      assertEquals(List.empty(), touched.get(LocalDate.of(2028, 1, 2)));
      assertEquals(List.empty(), touched.get(LocalDate.of(2028, 1, 3)));
    }

    /**
     * An override ending at 15:00 is recorded by the review of the next date, as of its start: an
     * hourly run visits the member then, not every hour from 15:00 to midnight for nothing.
     */
    @ParameterizedTest
    @EnumSource(UpgradePolicy.class)
    void anOverrideEndingMidDayIsRecordedByTheFirstRunOfTheNextDayAndVisitedOnlyThen(UpgradePolicy upgrades) {
      loyaltyWith(program().tierLadder(goldAt500(upgrades)));
      enrol(alice, null);
      accepted(loyalty.overrideTier(new io.github.loyaltyledger.tier.TierOverride(alice, TierId.of("gold"), "Goodwill",
          "ops", Instant.parse("2027-03-05T15:00:00Z"), aKey())));
      DailyRun run = DailyRun.builder(loyalty).build();
      java.util.List<Instant> touched = new ArrayList<>();

      for (Instant at = Instant.parse("2027-03-05T10:00:00Z"); at.isBefore(Instant.parse("2027-03-06T03:00:00Z"));
          at = at.plus(Duration.ofHours(1))) {
        clock.set(at);
        if (!run.runDue(at).touched().isEmpty()) {
          touched.add(at);
        }
      }

      assertEquals(java.util.List.of(Instant.parse("2027-03-06T00:00:00Z")), touched);
      assertEquals(new TierChange(TierId.of("gold"), TierId.of("green"), TierChangeReason.OVERRIDE_EXPIRED,
          Instant.parse("2027-03-05T15:00:00Z"), Option.none(), Option.none()),
          accepted(loyalty.tierHistory(alice)).last());
    }

    /** A period that earned gold while an override was in force is still upgraded at its end, after the override's. */
    @Test
    void theEndOfAnOverrideLeavesTheNextPeriodUpgradeOfItsPeriodScheduled() {
      loyaltyWith(program().tierLadder(goldAt500NextPeriod()));
      enrol(alice, null);
      accepted(loyalty.overrideTier(new io.github.loyaltyledger.tier.TierOverride(alice, TierId.of("gold"), "Goodwill",
          "ops", Instant.parse("2027-05-01T00:00:00Z"), aKey())));
      Fixtures.purchased(loyalty, alice, 600, 6000);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.set(Instant.parse("2027-05-01T10:00:00Z"));
      run.runDue(clock.instant());

      java.util.Map<LocalDate, List<MemberId>> touched = runAroundNewYear(run);

      assertEquals(List.of(alice), touched.get(LocalDate.of(2028, 1, 1)));
      assertEquals(List.of(TierChangeReason.OVERRIDE, TierChangeReason.OVERRIDE_EXPIRED, TierChangeReason.REVIEW),
          accepted(loyalty.tierHistory(alice)).map(TierChange::reason));
      assertEquals(TierId.of("gold"), accepted(loyalty.tierHistory(alice)).last().to());
    }

    /**
     * Gold is for life and platinum, reached after it, lasts until 1 January 2029: with no activity
     * in 2028 the review lands on gold, and the one warning says so, not a fall to green.
     */
    @Test
    void aMemberWhoseFallALifetimeTierStopsIsWarnedOfAFallToThatTierOnly() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500)).forLife())
          .tier(Tier.of("platinum", "Platinum", Qualification.points(2000)))
          .warnDaysBefore(30)
          .build();
      loyaltyWith(program().tierLadder(ladder));
      enrol(alice, null);
      Fixtures.purchased(loyalty, alice, 600, 0);
      accepted(loyalty.evaluateTier(alice, aKey()));
      Fixtures.purchased(loyalty, alice, 1500, 0);
      accepted(loyalty.evaluateTier(alice, aKey()));
      DailyRun run = DailyRun.builder(loyalty).build();

      for (LocalDate day = LocalDate.of(2028, 11, 1); !day.isAfter(LocalDate.of(2029, 1, 31)); day = day.plusDays(1)) {
        clock.set(day.atTime(10, 0).toInstant(ZoneOffset.UTC));
        run.runDue(clock.instant());
      }

      List<TierWarning> warnings = List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade)
          .map(e -> ((LoyaltyEvent.TierWillDowngrade) e).warning());
      assertEquals(List.of(TierId.of("gold")), warnings.map(TierWarning::to));
      assertEquals(List.of(LocalDate.of(2028, 12, 2)), List.ofAll(events)
          .filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade).map(e -> LocalDate.ofInstant(e.at(), ZoneOffset.UTC)));
      assertEquals(Option.some("gold"), loyalty.tierOf(alice, clock.instant()));
      assertEquals(Option.none(), accepted(loyalty.tierProgress(alice)).nextReview());
    }
  }

  @Nested
  class Partitions {

    @Test
    void aStoreThatAnswersMembersWithNothingDueStillTouchesOnlyTheMembersDue() {
      // DueWorkIndex.candidates may answer members no longer due (their facts moved after the match).
      InMemoryLedgerStore inner = store;
      ForwardingIndexedStore everyone = new ForwardingIndexedStore(inner) {
        @Override
        public List<DueWork> candidates(DueQuery query) {
          return inner.members(Option.none(), 100).filter(query.partition()::contains).flatMap(inner::dueWork);
        }
      };
      loyalty = Loyalty.builder().program(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)))
          .inactivityExpiry(Option.some(InactivityExpiry.afterMonths(18))).build())
          .store(everyone).clock(clock).listener(events::add).build();
      enrol(alice, "03-01");
      enrol(bob, "07-14");
      accepted(loyalty.credit(Credit.of(bob, points(10), "Short-lived", aKey())
          .expiringAt(clock.instant().plus(Duration.ofDays(30)))));
      int bobsEntries = entriesOf(bob).size();

      RunReport report = DailyRun.builder(loyalty).build().runDue(clock.instant());

      assertEquals(List.of(alice), report.touched());
      assertEquals(List.empty(), report.failures());
      assertEquals(bobsEntries, entriesOf(bob).size(), "bob has nothing due, so nothing is written for him");
    }

    @Test
    void partitionsShareTheMembersWithoutOverlapAndTogetherDoEverything() {
      loyaltyWith(program().birthdayRule(Option.some(BirthdayRule.of("bday", HUNDRED_ON_THE_DAY))));
      List<MemberId> everyone = List.range(0, 30).map(i -> member("m-" + i));
      everyone.forEach(m -> enrol(m, "03-01"));
      DailyRun run = DailyRun.builder(loyalty).build();

      List<List<MemberId>> shares = List.range(0, 3).map(i -> run.runDue(clock.instant(), Partition.of(i, 3)).touched());
      List<List<MemberId>> again = List.range(0, 3).map(i -> run.runDue(clock.instant(), Partition.of(i, 3)).touched());

      assertEquals(everyone.sorted(), shares.flatMap(s -> s).sorted());
      assertTrue(shares.forAll(s -> !s.isEmpty()), shares.toString());
      assertTrue(again.forAll(List::isEmpty));
      everyone.forEach(m -> assertEquals(1, ofKind(m, EntryKind.BONUS).size()));
    }

    @Test
    void aPartitionMustBeOneOfN() {
      assertThrows(IllegalArgumentException.class, () -> Partition.of(3, 3));
      assertThrows(IllegalArgumentException.class, () -> Partition.of(0, 0));
      assertTrue(Partition.all().contains(alice));
    }
  }

  /**
   * The in-memory store (with its due-work index) that runs something else, once, just before the
   * commit of a request whose key starts with a given prefix: another node's request committed at
   * the worst moment, after this node's reads.
   */
  private static final class CommitHook extends ForwardingIndexedStore {
    private String prefix;
    private Runnable before;
    private Runnable afterCandidates;

    CommitHook(InMemoryLedgerStore inner) {
      super(inner);
    }

    void onceBefore(String keyPrefix, Runnable action) {
      this.prefix = keyPrefix;
      this.before = action;
    }

    /** Runs something once just after the run found its candidates: a request during the run. */
    void onceAfterCandidates(Runnable action) {
      this.afterCandidates = action;
    }

    @Override
    public List<DueWork> candidates(DueQuery query) {
      List<DueWork> found = super.candidates(query);
      if (afterCandidates != null) {
        Runnable action = afterCandidates;
        afterCandidates = null;
        action.run();
      }
      return found;
    }

    @Override
    public CommitOutcome commit(Commit commit) {
      if (before != null && commit.record().key().value().startsWith(prefix)) {
        Runnable action = before;
        before = null;
        action.run();
      }
      return super.commit(commit);
    }
  }

  /** A store that is only a {@link LedgerStore}: no due-work index. */
  private static final class DelegatingStore extends ForwardingStore {
    DelegatingStore(LedgerStore inner) {
      super(inner);
    }
  }

  static Points sum(List<Entry> entries) {
    return entries.map(Entry::points).foldLeft(Points.ZERO, Points::plus);
  }
}
