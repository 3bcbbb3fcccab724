package io.github.loyaltyledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.expiry.InactivityExpiry;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.AnniversaryRule;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.Partition;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierId;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierOverride;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
import java.time.Period;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The README's promise for the daily run on two nodes: two {@link DailyRun}s on two facades (two
 * nodes) sharing one store run {@code runDue} at the same instant at the same time, on overlapping
 * shares, over a population with work of every kind due (a hold timed out, pending points vesting,
 * a lot expiring and another to announce, an announced expiry whose points grew since, points expiring for inactivity, a birthday credited in
 * points, an anniversary gifted from the catalogue, a tier review after an override and a coming
 * downgrade to warn of). Each round checks that every piece of work is done exactly once, that the
 * members' ledgers equal those of one node running alone on an identical population (every field
 * but the entry ids and the hashes, which depend on them: the population's keys are deterministic
 * and the clock stands still, so keys, instants, details and the order of the entries must be the
 * same), that neither report has a failure (the other node's identical write is answered from its
 * record, not reported) and that every chain verifies. Shared by the in-memory and the JPA tests.
 */
public final class DailyRunOnTwoNodes {

  /** The run's instant: the day of the birthday, the anniversary and the review. */
  public static final Instant AS_OF = Instant.parse("2029-02-15T10:00:00Z");
  private static final Duration DEADLINE = Duration.ofMinutes(2);
  private static final RewardId CAKE = RewardId.of("cake");
  private static final Channel TILL = Channel.store("S-1");

  private DailyRunOnTwoNodes() {}

  /** Two nodes' views of one store (the same object for the in-memory store) and how to close them. */
  public record Shared(LedgerStore first, LedgerStore second, AutoCloseable closer) {}

  /**
   * The program: a tier ladder (calendar year, two months' grace, warnings 30 days ahead), an
   * inactivity expiry after 12 months, a birthday in points, an anniversary with a free cake from
   * the catalogue and notices 14 days ahead.
   */
  public static LoyaltyProgram program() {
    return LoyaltyProgram.builder("two-node-run")
        .tierLadder(TierLadder.builder(QualificationWindow.calendarYear())
            .tier(Tier.of("green", "Green", Qualification.none()))
            .tier(Tier.of("gold", "Gold", Qualification.points(500)))
            .grace(Period.ofMonths(2))
            .warnDaysBefore(30)
            .build())
        .inactivityExpiry(Option.some(InactivityExpiry.afterMonths(12)))
        .birthdayRule(Option.some(BirthdayRule.of("bday-100",
            new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(100)))))
        .anniversaryRule(Option.some(AnniversaryRule.of("anniversary-cake",
            new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.reward(CAKE.value())))))
        .rewards(RewardCatalog.builder()
            .reward(Reward.builder(CAKE, "Cake", new RewardKind.FreeItem("CAKE"), Points.of(500)).stock(1_000).build())
            .build())
        .expiryNoticeDays(14)
        .build();
  }

  /** The members of the population, by the work they have due at {@link #AS_OF}. */
  public static final List<String> MEMBERS = List.of("holder", "lots", "sleeper", "birthday", "anniversary",
      "reviewed", "warned", "idle", "late");

  private static MemberId id(String name) {
    return MemberId.of(name);
  }

  private static IdempotencyKey key(String name, String what) {
    return IdempotencyKey.of(name + ":" + what);
  }

  private static void purchase(Loyalty loyalty, String name, long points, long qualifying, String what) {
    Fixtures.accepted(loyalty.credit(Credit.of(id(name), Points.of(points), "Purchase", key(name, what))
        .ofKind(EntryKind.EARN)
        .explainedBy(List.of("base-earn"), TreeMap.of(QualifyingActivity.POINTS, Long.toString(qualifying),
            QualifyingActivity.SPEND, "1000", QualifyingActivity.VISIT, "1"))));
  }

  /**
   * Builds the population through a facade whose clock is moved from 2027 to just before
   * {@link #AS_OF}, every request under a deterministic key, and leaves the clock at {@link #AS_OF}.
   */
  public static void populate(Loyalty loyalty, TestClock clock) {
    clock.set(Instant.parse("2027-01-10T09:00:00Z"));
    for (String name : MEMBERS) {
      Enrolment e = Enrolment.of(id(name), key(name, "enrol")).enrolledAt(name.equals("anniversary")
          ? Instant.parse("2026-02-15T00:00:00Z") : Instant.parse("2026-01-01T00:00:00Z"));
      Fixtures.accepted(loyalty.enrol(name.equals("birthday") ? e.withBirthday(MonthDay.of(2, 15)) : e));
    }
    // Gold for 2027 and 2028 (reviewed on 1 March 2029, after the grace), no qualifying activity since.
    purchase(loyalty, "warned", 600, 600, "gold");
    Fixtures.accepted(loyalty.evaluateTier(id("warned"), key("warned", "tier")));
    clock.set(Instant.parse("2028-01-10T09:00:00Z"));
    // The sleeper's last activity: its points expire on 11 January 2029.
    purchase(loyalty, "sleeper", 70, 0, "last");
    clock.set(Instant.parse("2028-06-01T09:00:00Z"));
    // Gold set by hand until 10 February 2029 (an override ends without grace): reviewed then.
    Fixtures.accepted(loyalty.overrideTier(new TierOverride(id("reviewed"), TierId.of("gold"), "Goodwill", "ops",
        Instant.parse("2029-02-10T00:00:00Z"), key("reviewed", "override"))));
    for (String name : List.of("holder", "lots", "reviewed", "warned", "idle", "late")) {
      purchase(loyalty, name, 200, 0, "active");
    }
    clock.set(Instant.parse("2029-02-15T08:00:00Z"));
    // Pending points vesting, a lot expired, another within the notice days and one far ahead.
    Fixtures.accepted(loyalty.credit(Credit.of(id("lots"), Points.of(50), "Pending", key("lots", "pending"))
        .vestingAt(Instant.parse("2029-02-15T09:00:00Z"))));
    Fixtures.accepted(loyalty.credit(Credit.of(id("lots"), Points.of(30), "Short", key("lots", "short"))
        .expiringAt(Instant.parse("2029-02-15T09:30:00Z"))));
    Fixtures.accepted(loyalty.credit(Credit.of(id("lots"), Points.of(20), "Soon", key("lots", "soon"))
        .expiringAt(Instant.parse("2029-02-20T00:00:00Z"))));
    Fixtures.accepted(loyalty.credit(Credit.of(id("idle"), Points.of(20), "Later", key("idle", "later"))
        .expiringAt(Instant.parse("2029-12-20T00:00:00Z"))));
    // A lot announced, then points uploaded late that expire with it: the run announces the new total.
    Instant announced = Instant.parse("2029-02-22T00:00:00Z");
    Fixtures.accepted(loyalty.credit(Credit.of(id("late"), Points.of(20), "Announced", key("late", "announced"))
        .expiringAt(announced)));
    Fixtures.accepted(loyalty.announceExpiry(id("late"), announced, IdempotencyKey.of("expiry-notice:late:" + announced)));
    Fixtures.accepted(loyalty.credit(Credit.of(id("late"), Points.of(60), "Uploaded late", key("late", "upload"))
        .expiringAt(announced)));
    // A hold that timed out at 08:30.
    Fixtures.accepted(loyalty.authorize(Authorization.points(id("holder"), Points.of(40), Duration.ofMinutes(30), TILL,
        key("holder", "hold"))));
    clock.set(AS_OF);
  }

  /** What is compared between the nodes' ledger and the single node's: all but the ids and hashes. */
  private record Seen(EntryKind kind, Points points, List<Points> movements, Instant occurredAt, Instant recordedAt,
      Channel channel, IdempotencyKey key, String reason, List<String> ruleIds, boolean references,
      Option<Instant> expiresAt, Option<Instant> vestsAt, SortedMap<String, String> details) {

    static Seen of(Entry e) {
      return new Seen(e.kind(), e.points(), e.movements().map(LotMovement::points), e.occurredAt(), e.recordedAt(),
          e.channel(), e.idempotencyKey(), e.reason(), e.ruleIds(), e.reference().isDefined(), e.expiresAt(),
          e.vestsAt(), e.details());
    }
  }

  /** A member's ledger, balance and counters as compared. */
  private static Object stateOf(Loyalty loyalty, LedgerStore store, String name) {
    MemberId member = id(name);
    return List.of(store.entries(member, 1, 1_000).map(Seen::of), Fixtures.accepted(loyalty.balance(member)),
        loyalty.tierOf(member, AS_OF));
  }

  /** What a node saw: its report and the events its facade published. */
  private record Node(Loyalty loyalty, DailyRun run, java.util.List<LoyaltyEvent> events) {}

  private static Node node(LedgerStore store, TestClock clock) {
    java.util.List<LoyaltyEvent> events = new CopyOnWriteArrayList<>();
    Loyalty loyalty = Loyalty.builder().program(program()).store(store).clock(clock).listener(events::add).build();
    return new Node(loyalty, DailyRun.builder(loyalty).build(), events);
  }

  /**
   * Runs {@code rounds} rounds, each on a fresh shared store from {@code shared}: the population,
   * then both nodes at once on the partitions of the round (both all, or overlapping shares), and
   * compares with one node alone on {@code alone}'s store.
   */
  public static void check(int rounds, Supplier<LedgerStore> alone, Supplier<Shared> shared) {
    assertTimeoutPreemptively(DEADLINE, () -> {
      TestClock soloClock = TestClock.at(Fixtures.START);
      LedgerStore soloStore = alone.get();
      Node solo = node(soloStore, soloClock);
      populate(solo.loyalty(), soloClock);
      RunReport soloReport = solo.run().runDue(AS_OF);
      assertEquals(List.empty(), soloReport.failures());
      assertEquals(MEMBERS.remove("idle").toSet(), soloReport.touched().map(MemberId::value).toSet());
      List<Object> expected = MEMBERS.map(name -> stateOf(solo.loyalty(), soloStore, name))
          .append(published(solo.events()));
      workDoneOnce(soloStore, solo.events(), "one node");
      if (soloStore instanceof AutoCloseable closeable) {
        closeable.close();
      }
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < rounds; round++) {
          round(round, shared.get(), pool, expected);
        }
      } finally {
        pool.shutdownNow();
      }
    });
  }

  /** Both all, a share each overlapping the other's, or all against one share. */
  private static List<Partition> partitions(int round) {
    Partition all = Partition.all();
    return switch (round % 3) {
      case 0 -> List.of(all, all);
      case 1 -> List.of(all, Partition.of(round % 2, 2));
      default -> List.of(Partition.of(0, 2), all);
    };
  }

  private static void round(int round, Shared shared, ExecutorService pool, List<Object> expected) throws Exception {
    try {
      TestClock clock = TestClock.at(Fixtures.START);
      Node a = node(shared.first(), clock);
      Node b = node(shared.second(), clock);
      populate(a.loyalty(), clock);
      List<Partition> shares = partitions(round);
      CyclicBarrier go = new CyclicBarrier(2);
      Future<RunReport> first = pool.submit(() -> {
        go.await();
        return a.run().runDue(AS_OF, shares.get(0));
      });
      Future<RunReport> second = pool.submit(() -> {
        go.await();
        return b.run().runDue(AS_OF, shares.get(1));
      });
      RunReport reportA = first.get();
      RunReport reportB = second.get();
      String context = "round " + round + " " + shares + ": " + reportA + " / " + reportB;
      assertEquals(List.empty(), reportA.failures(), context);
      assertEquals(List.empty(), reportB.failures(), context);
      java.util.List<LoyaltyEvent> events = new java.util.ArrayList<>(a.events());
      events.addAll(b.events());
      workDoneOnce(shared.first(), events, context);
      assertEquals(expected, MEMBERS.map(name -> stateOf(a.loyalty(), shared.second(), name))
          .append(published(events)), context);
      for (String name : MEMBERS) {
        assertTrue(Fixtures.accepted(b.loyalty().verify(id(name))).isIntact(), context + ": " + name);
      }
      // A third run, on either node, finds nothing left to do.
      assertEquals(List.empty(), a.run().runDue(AS_OF).touched(), context);
    } finally {
      shared.closer().close();
    }
  }

  /** The events published at the run: their kinds and members, sorted. */
  private static List<String> published(java.util.List<LoyaltyEvent> events) {
    return List.ofAll(events).filter(e -> !e.at().isBefore(AS_OF))
        .map(e -> e.getClass().getSimpleName() + ":" + e.member().value()).sorted();
  }

  /** Each piece of the due work done exactly once, its events published once. */
  private static void workDoneOnce(LedgerStore store, java.util.List<LoyaltyEvent> events, String context) {
    List<Entry> all = MEMBERS.flatMap(name -> store.entries(id(name), 1, 1_000));
    List<Entry> run = all.filter(e -> !e.recordedAt().isBefore(AS_OF));
    List<IdempotencyKey> keys = all.map(Entry::idempotencyKey);
    assertEquals(keys.size(), keys.distinct().size(), context + ": a key written twice in " + keys);
    assertEquals(List.of("holder"), run.filter(e -> e.kind() == EntryKind.RELEASE).map(e -> e.member().value()),
        context);
    assertEquals(List.of("lots"), run.filter(e -> e.kind() == EntryKind.VEST).map(e -> e.member().value()), context);
    assertEquals(List.of("lots:-30", "sleeper:-70"),
        run.filter(e -> e.kind() == EntryKind.EXPIRE).map(e -> e.member().value() + ":" + e.points().value()).sorted(),
        context);
    assertEquals(List.of("birthday:100"), run.filter(e -> e.kind() == EntryKind.BONUS)
        .map(e -> e.member().value() + ":" + e.points().value()), context);
    assertEquals(List.of("anniversary"), run.filter(e -> e.kind() == EntryKind.REDEEM).map(e -> e.member().value()),
        context);
    assertEquals(1, store.counter("reward-stock:" + CAKE), context);
    assertEquals(List.of("reviewed"), run.filter(e -> e.kind() == EntryKind.TIER).map(e -> e.member().value()),
        context);
    assertEquals(List.of("warned"), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.TierWillDowngrade)
        .map(e -> ((LoyaltyEvent.TierWillDowngrade) e).member().value()), context);
    assertEquals(List.of("late:80", "lots:20"), List.ofAll(events).filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon)
        .filter(e -> !e.at().isBefore(AS_OF))
        .map(e -> (LoyaltyEvent.PointsExpiringSoon) e).map(e -> e.member().value() + ":" + e.points().value()).sorted(),
        context);

  }
}
