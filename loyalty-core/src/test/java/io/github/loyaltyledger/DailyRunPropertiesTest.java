package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.expiry.InactivityExpiry;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.LeapDayPolicy;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.DueWorkIndex;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Invariants of the daily run over random populations and random days of activity. Each example
 * is driven by one generated seed (reported by QuickTheories on failure).
 */
class DailyRunPropertiesTest {

  static final int EXAMPLES = Integer.getInteger("QT_EXAMPLES", 1000);
  /**
   * These properties draw one seed for a whole simulated world: a "smaller" seed is just another
   * world, so shrinking a failing one finds nothing simpler and only spends minutes replaying worlds.
   * The failing seed is reported as drawn.
   */
  static final int NO_SHRINKING = 0;
  private static final Instant START = Instant.parse("2027-02-20T12:00:00Z");
  private static final java.util.List<String> ZONES =
      java.util.List.of("UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", "Europe/Berlin");
  private static final java.util.List<OccasionWindow> WINDOWS = java.util.List.of(
      OccasionWindow.onTheDay(), OccasionWindow.inTheWeek(), OccasionWindow.inTheMonth(), OccasionWindow.daysFrom(10));

  /** A small world: a few members, random purchases, redemptions and expiring or pending lots. */
  private static final class World {
    final Random random;
    final TestClock clock = new TestClock(START);
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    /** The facade's store: {@link #store}, failing at a commit when a test arms it. */
    final CrashingStore crashing = new CrashingStore(store);
    final java.util.List<LoyaltyEvent> events = new ArrayList<>();
    final LoyaltyProgram program;
    final Loyalty loyalty;
    final DailyRun run;
    final List<MemberId> members;
    final BirthdayRule birthdays;
    final int enrolledDaysBefore;

    World(long seed, int size) {
      random = new Random(seed);
      enrolledDaysBefore = random.nextBoolean() ? 30 : 0;
      birthdays = BirthdayRule.of("bday", new OccasionTerms(WINDOWS.get(random.nextInt(WINDOWS.size())),
              OccasionReward.points(10)))
          .enrolledAtLeastDaysBefore(enrolledDaysBefore)
          .withLeapDay(random.nextBoolean() ? LeapDayPolicy.FEBRUARY_28 : LeapDayPolicy.MARCH_1);
      program = LoyaltyProgram.builder("bean-club")
          .birthdayRule(Option.some(birthdays))
          .lotExpiry(FixedTermExpiry.days(1 + random.nextInt(10)))
          .inactivityExpiry(random.nextBoolean() ? Option.some(InactivityExpiry.afterMonths(2)) : Option.none())
          .expiryNoticeDays(random.nextInt(3) * 3)
          .build();
      loyalty = Loyalty.builder().program(program).store(crashing).clock(clock).listener(events::add).build();
      run = DailyRun.builder(loyalty).build();
      members = List.range(0, size).map(i -> MemberId.of("m-" + i));
    }

    MonthDay aBirthday() {
      return random.nextInt(8) == 0 ? MonthDay.of(2, 29) : MonthDay.of(2 + random.nextInt(2), 1 + random.nextInt(28));
    }

    void enrolAll() {
      for (MemberId m : members) {
        Instant enrolledAt = START.minus(Duration.ofDays(random.nextInt(90)));
        accepted(loyalty.enrol(Enrolment.of(m, IdempotencyKey.of("enrol-" + m.value())).enrolledAt(enrolledAt)
            .withBirthday(aBirthday()).withZone(ZoneId.of(ZONES.get(random.nextInt(ZONES.size()))))));
      }
    }

    /** One random day of activity: a few purchases, redemptions and adjustments, then the clock moves on. */
    void liveADay(int day) {
      for (int i = 0; i < 2; i++) {
        MemberId m = members.get(random.nextInt(members.size()));
        int choice = random.nextInt(4);
        String key = "d" + day + "-" + i;
        if (choice == 0) {
          Credit credit = Credit.of(m, Points.of(1 + random.nextInt(200)), "Purchase", IdempotencyKey.of(key));
          if (random.nextBoolean()) {
            credit = credit.expiringAt(clock.instant().plus(Duration.ofHours(1 + random.nextInt(24 * 20))));
          }
          if (random.nextBoolean()) {
            Instant vests = clock.instant().plus(Duration.ofHours(random.nextInt(24 * 5)));
            // Points vest before they expire: a credit vesting no sooner is refused.
            if (credit.expiresAt().forAll(vests::isBefore)) {
              credit = credit.vestingAt(vests);
            }
          }
          accepted(loyalty.credit(credit));
        } else if (choice == 1) {
          Points available = accepted(loyalty.balance(m)).available();
          if (available.isPositive()) {
            accepted(loyalty.debit(Debit.of(m, Points.of(1 + random.nextInt((int) Math.min(available.value(), 150))),
                "Reward", IdempotencyKey.of(key))));
          }
        } else if (choice == 2) {
          // An operator's goodwill: points without activity, which an inactivity expiry must still take.
          accepted(loyalty.adjust(Adjustment.of(m, Points.of(1 + random.nextInt(50)), "Goodwill", "ops",
              IdempotencyKey.of(key))));
        }
      }
      clock.advance(Duration.ofHours(6 + random.nextInt(40)));
    }

    List<Entry> entries(MemberId m) {
      return store.entries(m, 1, 100_000);
    }

    int entryCount() {
      return members.map(m -> entries(m).size()).sum().intValue();
    }

    /** Work due for a member, computed from its account and ledger alone (not from the index). */
    boolean hasWorkDue(MemberId m, Instant asOf) {
      Member member = accepted(loyalty.member(m));
      List<Lot> lots = accepted(loyalty.lots(m));
      List<Entry> entries = entries(m);
      boolean vest = lots.exists(l -> l.pending() && l.vestsAt().exists(v -> !v.isAfter(asOf)));
      boolean expire = lots.exists(l -> l.isExpiredAt(asOf));
      Instant lastActivity = entries.filter(e -> DueWorkIndex.DEFAULT_ACTIVITY_KINDS.contains(e.kind()))
          .map(Entry::occurredAt).append(member.enrolledAt()).max().get();
      boolean inactive = !lots.isEmpty() && program.inactivityExpiry()
          .exists(p -> !p.expiresAt(lastActivity, member.zone()).isAfter(asOf));
      // Due at the run, or on one of the member's catch-up days before it they were enrolled on (a
      // run skips local days when it runs at another hour, or when runs are missed).
      LocalDate today = LocalDate.ofInstant(asOf, member.zone());
      LocalDate enrolled = LocalDate.ofInstant(member.enrolledAt(), member.zone());
      List<Instant> days = List.rangeClosed(1, DailyRun.DEFAULT_CATCH_UP_DAYS).map(today::minusDays)
          .filter(day -> !day.isBefore(enrolled))
          .map(day -> day.atTime(java.time.LocalTime.NOON).atZone(member.zone()).toInstant())
          .prepend(asOf);
      boolean birthday = days.exists(day -> birthdays.dueOn(member, Option.none(), day, Option.none())
          .exists(g -> !entries.exists(e -> e.details().get("occasion.year").contains(Integer.toString(g.year())))));
      boolean notice = program.expiryNoticeDays() > 0 && lots.flatMap(Lot::expiresAt).exists(at -> at.isAfter(asOf)
          && !LocalDate.ofInstant(at, member.zone()).isAfter(today.plusDays(program.expiryNoticeDays()))
          && announcedLast(m, at) < lots.filter(l -> l.expiresAt().contains(at)).map(l -> l.remaining().value())
              .sum().longValue());
      return vest || expire || inactive || birthday || notice;
    }

    /**
     * The points the last notice of a member's expiry announced, 0 if none: a notice is due for an
     * expiry not announced, or whose points grew since (points that arrived after the notice).
     */
    long announcedLast(MemberId m, Instant expiresAt) {
      return events.stream().filter(ev -> ev instanceof LoyaltyEvent.PointsExpiringSoon && ev.member().equals(m))
          .map(ev -> (LoyaltyEvent.PointsExpiringSoon) ev).filter(ev -> ev.expiresAt().equals(expiresAt))
          .mapToLong(ev -> ev.points().value()).reduce((first, second) -> second).orElse(0L);
    }

    /** Credited (earned, gifted, adjusted) = expired + redeemed + available + pending + held, for every member. */
    void assertEverythingCreditedIsAccountedFor() {
      for (MemberId m : members) {
        List<Entry> entries = entries(m);
        Points credited = sum(entries.filter(e -> e.kind() == EntryKind.EARN || e.kind() == EntryKind.BONUS
            || e.kind() == EntryKind.ADJUST));
        Points expired = sum(entries.filter(e -> e.kind() == EntryKind.EXPIRE)).negated();
        Points redeemed = sum(entries.filter(e -> e.kind() == EntryKind.REDEEM)).negated();
        Balance b = accepted(loyalty.balance(m));
        assertEquals(credited, expired.plus(redeemed).plus(b.available()).plus(b.pending()).plus(b.held()), m.value());
      }
    }
  }

  /**
   * The in-memory store, with its due-work index, that fails at a commit once armed, as a process
   * that crashes (or a database that goes away) in the middle of a run: nothing of that commit is
   * written, and every later commit goes through.
   */
  private static final class CrashingStore extends ForwardingIndexedStore {
    /** How many commits go through before the one that fails; negative when not armed. */
    private int commitsBeforeCrash = -1;

    CrashingStore(InMemoryLedgerStore inner) {
      super(inner);
    }

    void crashAfter(int commits) {
      commitsBeforeCrash = commits;
    }

    @Override
    public CommitOutcome commit(Commit commit) {
      if (commitsBeforeCrash == 0) {
        commitsBeforeCrash = -1;
        throw new IllegalStateException("the process crashed before commit " + commit.record().key());
      }
      if (commitsBeforeCrash > 0) {
        commitsBeforeCrash--;
      }
      return super.commit(commit);
    }
  }

  /**
   * What a member has to show for a run: the balance, the lots (but their ids, which name the entry
   * that made them) and the ledger's kinds, points and instants, in any order (a run resumed after
   * a crash does the member's work that failed after the rest). Vesting is left out: pending points
   * that expire before a crashed vesting is done again are expired pending, not vested first, with
   * the same balance.
   */
  private static List<Object> outcome(World w, MemberId m) {
    return List.<Object>of(accepted(w.loyalty.balance(m)))
        .appendAll(accepted(w.loyalty.lots(m)).map(l -> l.remaining() + "/" + l.original() + " earned " + l.earnedAt()
            + " expiring " + l.expiresAt() + " vesting " + l.vestsAt() + (l.pending() ? " pending" : "")))
        .appendAll(w.entries(m).filter(e -> e.kind() != EntryKind.VEST)
            .map(e -> e.kind() + " " + e.points() + " at " + e.occurredAt()).sorted());
  }

  private static java.util.List<String> heard(World w, MemberId m) {
    return w.events.stream().filter(e -> e.member().equals(m) && !(e instanceof LoyaltyEvent.PointsVested)).map(e -> e.getClass().getSimpleName()
        + (e instanceof LoyaltyEvent.PointsExpiringSoon soon ? " " + soon.points() + " at " + soon.expiresAt() : ""))
        .sorted().toList();
  }

  @Test
  void aRunThatCrashesAtAnyCommitAndIsRunAgainLeavesEveryMemberAsOneRunThatDidNotCrash() {
    qt().withExamples(Math.max(1, EXAMPLES / 10)).withShrinkCycles(NO_SHRINKING).forAll(longs().all()).checkAssert(seed -> {
      World crashed = new World(seed, 4);
      World clean = new World(seed, 4);
      Random crashes = new Random(~seed);
      crashed.enrolAll();
      clean.enrolAll();
      for (int day = 0; day < 30; day++) {
        crashed.liveADay(day);
        clean.liveADay(day);
        Instant asOf = clean.clock.instant();
        crashed.crashing.crashAfter(crashes.nextInt(6));
        crashed.run.runDue(asOf);
        crashed.crashing.crashAfter(-1);
        RunReport resumed = crashed.run.runDue(asOf);
        RunReport once = clean.run.runDue(asOf);
        assertEquals(0, resumed.counts().failed(), resumed.failures().toString());
        assertEquals(0, once.counts().failed(), once.failures().toString());
        for (MemberId m : clean.members) {
          assertEquals(outcome(clean, m), outcome(crashed, m), "day " + day + ", " + m);
          // The crash may change the order of the events, not what each member heard.
          assertEquals(heard(clean, m), heard(crashed, m), "day " + day + ", " + m);
        }
        assertEquals(List.empty(), crashed.run.runDue(asOf).touched(), "day " + day);
      }
    });
  }

  static Points sum(List<Entry> entries) {
    return entries.map(Entry::points).foldLeft(Points.ZERO, Points::plus);
  }

  /**
   * A notice tells what the expiry at its instant will take if nothing else happens meanwhile: over
   * random lots (some pending until before they expire), spending, holds at the till that time out
   * before or after the instant, and credits reversed (under {@code ALLOW_NEGATIVE}, into a deficit
   * that vesting repays), the last notice of each expiry announces exactly the points the run that
   * reaches the instant expires from the lots expiring then. Points still held at the instant are in
   * neither: the expiry leaves them to the hold (ADR 0009, amendment "a notice counts what its
   * expiry will take").
   */
  @Test
  void theLastNoticeOfAnExpiryAnnouncesThePointsTheRunReachingItExpiresFromItsLots() {
    qt().withExamples(Math.max(1, EXAMPLES / 5)).withShrinkCycles(NO_SHRINKING).forAll(longs().all())
        .checkAssert(seed -> noticeTellsWhatExpires(seed));
  }

  private static void noticeTellsWhatExpires(long seed) {
    Random random = new Random(seed);
    TestClock clock = new TestClock(START);
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    java.util.List<LoyaltyEvent> events = new ArrayList<>();
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club").expiryNoticeDays(7)
        .negativeBalancePolicy(random.nextBoolean() ? NegativeBalancePolicy.ALLOW_NEGATIVE : NegativeBalancePolicy.CLAMP)
        .build();
    Loyalty loyalty = Loyalty.builder().program(program).store(store).clock(clock).listener(events::add).build();
    DailyRun run = DailyRun.builder(loyalty).build();
    MemberId m = MemberId.of("m");
    accepted(loyalty.enrol(Enrolment.of(m, IdempotencyKey.of("enrol")).enrolledAt(START.minus(Duration.ofDays(1)))));
    Instant midnight = START.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    List<Instant> expiries = List.rangeClosed(2, 5).map(d -> midnight.plus(Duration.ofDays(d)));
    java.util.List<Entry> credits = new ArrayList<>();
    // Points left in the notice days whatever is spent or held (lots are spent soonest expiring first),
    // so that the run visits the member for notices: a member whose points are all held at the till
    // is not a candidate, and is announced only if the hold gives them back before a run.
    accepted(loyalty.credit(Credit.of(m, Points.of(2_000), "Anchor", IdempotencyKey.of("anchor"))
        .expiringAt(midnight.plus(Duration.ofDays(6)))));
    for (int i = 0; i < 14; i++) {
      IdempotencyKey key = IdempotencyKey.of("op-" + i);
      Points available = accepted(loyalty.balance(m)).available();
      int choice = random.nextInt(5);
      if (choice <= 1) {
        Instant expiry = expiries.get(random.nextInt(expiries.size()));
        Credit credit = Credit.of(m, Points.of(1 + random.nextInt(100)), "Purchase", key).expiringAt(expiry);
        if (random.nextBoolean()) {
          credit = credit.vestingAt(clock.instant().plus(Duration.ofHours(1 + random.nextInt(
              (int) Duration.between(clock.instant(), expiry).toHours() - 1))));
        }
        credits.addAll(accepted(loyalty.credit(credit)).entries().asJava());
      } else if (choice == 2 && available.isPositive()) {
        accepted(loyalty.debit(Debit.of(m, Points.of(1 + random.nextInt((int) Math.min(available.value(), 80))),
            "Reward", key)));
      } else if (choice == 3 && available.isPositive()) {
        Duration ttl = Duration.ofHours(1 + random.nextInt(24));
        Instant lapses = clock.instant().plus(ttl);
        // Not one that lapses after an expiry and by the run reaching it: held at the instant, its
        // points go back to the expired lot and that run expires them, as no notice could tell.
        if (expiries.forAll(at -> !lapses.isAfter(at) || lapses.isAfter(at.plus(Duration.ofHours(12))))) {
          accepted(loyalty.authorize(io.github.loyaltyledger.redemption.Authorization.points(m,
              Points.of(1 + random.nextInt((int) Math.min(available.value(), 80))), ttl,
              io.github.loyaltyledger.ledger.Channel.store("S-1"), key)));
        }
      } else if (choice == 4 && !credits.isEmpty()) {
        // Refused when nothing is left to take back under CLAMP: the property holds either way.
        loyalty.reverse(Reversal.of(credits.get(random.nextInt(credits.size())).id(), "Mistake", key));
      }
      clock.advance(Duration.ofMinutes(1 + random.nextInt(60)));
    }
    java.util.Map<Instant, Long> taken = new java.util.HashMap<>();
    for (int day = 1; day <= 7; day++) {
      clock.set(START.plus(Duration.ofDays(day)));
      Instant asOf = clock.instant();
      List<Instant> reached = expiries.filter(at -> !at.isAfter(asOf) && at.isAfter(asOf.minus(Duration.ofDays(1))));
      assertEquals(List.empty(), run.runDue(asOf).failures(), "seed " + seed);
      for (Entry expired : store.entries(m, 1, 100_000).filter(e -> e.kind() == EntryKind.EXPIRE
          && e.recordedAt().equals(asOf))) {
        for (io.github.loyaltyledger.ledger.LotMovement moved : expired.movements()) {
          Instant lotExpiry = store.entry(moved.lot()).flatMap(Entry::expiresAt).get();
          if (reached.contains(lotExpiry)) {
            taken.merge(lotExpiry, -moved.points().value(), Long::sum);
          }
        }
      }
    }
    for (Instant at : expiries) {
      long announced = events.stream().filter(e -> e instanceof LoyaltyEvent.PointsExpiringSoon soon
              && soon.expiresAt().equals(at)).mapToLong(e -> ((LoyaltyEvent.PointsExpiringSoon) e).points().value())
          .reduce((first, second) -> second).orElse(0L);
      assertEquals(taken.getOrDefault(at, 0L), announced, "seed " + seed + ": points expiring at " + at
          + " announced (last notice) vs expired; events " + events + "; ledger "
          + store.entries(m, 1, 100_000).map(e -> e.kind() + " " + e.points() + " " + e.movements() + " "
          + e.expiresAt() + " " + e.vestsAt() + " " + e.recordedAt()));
    }
  }

  @Test
  void runningTheJobTwiceInARowWritesNothingNewTheSecondTime() {
    qt().withExamples(Math.max(1, EXAMPLES / 20)).withShrinkCycles(NO_SHRINKING).forAll(longs().all()).checkAssert(seed -> {
      World w = new World(seed, 4);
      w.enrolAll();
      for (int day = 0; day < 30; day++) {
        w.liveADay(day);
        w.run.runDue(w.clock.instant());
        int entries = w.entryCount();
        int events = w.events.size();
        RunReport again = w.run.runDue(w.clock.instant());
        assertEquals(List.empty(), again.touched());
        assertEquals(entries, w.entryCount());
        assertEquals(events, w.events.size());
      }
    });
  }

  @Test
  void theMembersTouchedAreExactlyThoseWithWorkDueAndEverythingCreditedIsAccountedFor() {
    qt().withExamples(Math.max(1, EXAMPLES / 20)).withShrinkCycles(NO_SHRINKING).forAll(longs().all()).checkAssert(seed -> {
      World w = new World(seed, 4);
      w.enrolAll();
      int touched = 0;
      for (int day = 0; day < 40; day++) {
        w.liveADay(day);
        Instant asOf = w.clock.instant();
        List<MemberId> due = w.members.filter(m -> w.hasWorkDue(m, asOf));
        RunReport report = w.run.runDue(asOf);
        assertEquals(due, report.touched(), "day " + day);
        touched += due.size();
        assertEquals(due.size(), report.counts().due());
        assertEquals(0, report.counts().failed(), report.failures().toString());
        w.assertEverythingCreditedIsAccountedFor();
      }
      assertTrue(touched > 0, "40 days of activity leave some work due");
    });
  }

  @Test
  void everyDayFor800DaysEachEligibleMemberGetsExactlyOneBirthdayRewardAYearNotExpiredWhenCreditedAndNoOneElseAny() {
    qt().withExamples(Math.max(1, EXAMPLES / 200)).withShrinkCycles(NO_SHRINKING).forAll(longs().all()).checkAssert(seed ->
        birthdaysOverRuns(seed, r -> Duration.ofDays(1)));
  }

  @Test
  void withRunsMissedForUpToTwelveDaysEachMemberGetsABirthdayRewardAYearOnlyIfARunCameWithinTheCatchUpDaysOfItsWindow() {
    qt().withExamples(Math.max(1, EXAMPLES / 200)).withShrinkCycles(NO_SHRINKING).forAll(longs().all()).checkAssert(seed ->
        birthdaysOverRuns(seed, r -> Duration.ofDays(1 + r.nextInt(12)).plusMinutes(r.nextInt(24 * 60) - 12 * 60)));
  }

  @Test
  void aBirthdayRewardCreditedLateOnTheDayBeforeTheClocksGoForwardStillHasItsWholeTerm() {
    // A seed that found it: a Los Angeles member's reward credited at 23:53 on 10 March 2029, valid
    // for a day after that day, 11 March, which is 23 hours long there.
    birthdaysOverRuns(3294903974106088963L,
        r -> Duration.ofDays(1 + r.nextInt(12)).plusMinutes(r.nextInt(24 * 60) - 12 * 60));
  }

  /**
   * Runs over about 800 days, the next run {@code gap} after the last, with members enrolling on
   * random days (some suspended at once): each member gets at most one birthday reward a year, and
   * exactly one when eligible and a run fell on a local day of the window or within the catch-up
   * days after it (not before the member enrolled); none is expired when credited.
   */
  private static void birthdaysOverRuns(long seed, java.util.function.Function<Random, Duration> gap) {
    World w = new World(seed, 30);
    Random r = w.random;
    int[] enrolDay = new int[30];
    Instant[] enrolledAt = new Instant[30];
    boolean[] suspended = new boolean[30];
    MonthDay[] birthday = new MonthDay[30];
    ZoneId[] zone = new ZoneId[30];
    for (int i = 0; i < 30; i++) {
      enrolDay[i] = r.nextInt(3) == 0 ? r.nextInt(700) : 0;
      enrolledAt[i] = enrolDay[i] == 0 ? START.minus(Duration.ofDays(r.nextInt(400))) : START.plus(Duration.ofDays(enrolDay[i]));
      suspended[i] = r.nextInt(6) == 0;
      birthday[i] = w.aBirthday();
      zone[i] = ZoneId.of(ZONES.get(r.nextInt(ZONES.size())));
    }
    java.util.List<Instant> runs = new ArrayList<>();
    boolean[] enrolledYet = new boolean[30];
    for (Instant asOf = START; asOf.isBefore(START.plus(Duration.ofDays(800))); asOf = asOf.plus(gap.apply(r))) {
      w.clock.set(asOf);
      runs.add(asOf);
      for (int i = 0; i < 30; i++) {
        if (!enrolledYet[i] && !enrolledAt[i].isAfter(asOf)) {
          enrolledYet[i] = true;
          MemberId m = w.members.get(i);
          accepted(w.loyalty.enrol(Enrolment.of(m, IdempotencyKey.of("enrol-" + i)).enrolledAt(enrolledAt[i])
              .withBirthday(birthday[i]).withZone(zone[i])));
          if (suspended[i]) {
            accepted(w.loyalty.suspend(m, "Fraud check", IdempotencyKey.of("suspend-" + i)));
          }
        }
      }
      assertEquals(0, w.run.runDue(asOf).counts().failed());
    }
    OccasionWindow window = w.birthdays.terms().window();
    assertTrue(w.members.exists(m -> w.entries(m).exists(e -> e.details().containsKey("occasion"))), "some gift");
    for (int i = 0; i < 30; i++) {
      List<Entry> gifts = w.entries(w.members.get(i)).filter(e -> e.details().containsKey("occasion"));
      for (Entry gift : gifts) {
        // Credited on the run's day, never before enrolment, with the whole term still to run: at
        // least the member's local day after the run's (a term counts local days, and the day the
        // clocks go forward is 23 hours long, so not 24 hours from a run late in the day).
        Instant endOfTheDayAfter = LocalDate.ofInstant(gift.recordedAt(), zone[i]).plusDays(2).atStartOfDay(zone[i]).toInstant();
        assertTrue(!gift.occurredAt().isBefore(enrolledAt[i]) && !gift.occurredAt().isAfter(gift.recordedAt())
            && gift.expiresAt().exists(at -> !at.isBefore(endOfTheDayAfter)), gift.toString());
      }
      LocalDate enrolled = LocalDate.ofInstant(enrolledAt[i], zone[i]);
      for (int year = 2026; year <= 2030; year++) {
        LocalDate occurrence = w.birthdays.leapDay().occurrence(birthday[i], year);
        boolean eligible = !suspended[i] && !enrolled.isAfter(occurrence.minusDays(w.enrolledDaysBefore));
        boolean visited = false;
        for (Instant run : runs) {
          // The run's local day, and its catch-up days before it that the member was enrolled on
          // (a run catches up the local days it skipped, and those of missed runs).
          LocalDate today = LocalDate.ofInstant(run, zone[i]);
          for (int k = 0; k <= DailyRun.DEFAULT_CATCH_UP_DAYS && !run.isBefore(enrolledAt[i]); k++) {
            LocalDate day = today.minusDays(k);
            visited |= !day.isBefore(enrolled) && window.contains(occurrence, day);
          }
        }
        String y = Integer.toString(year);
        assertEquals(eligible && visited ? 1 : 0, gifts.count(e -> e.details().get("occasion.year").contains(y)),
            "member " + i + " born " + birthday[i] + " in " + zone[i] + ", enrolled " + enrolled + ", year " + year);
      }
    }
  }
}
