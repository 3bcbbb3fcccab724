package io.github.loyaltyledger.insight;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.HistoryPage;
import io.github.loyaltyledger.HonestHistories;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.DowngradePolicy;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierOverride;
import io.github.loyaltyledger.tier.TierTerm;
import io.vavr.control.Option;
import java.time.LocalDate;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Verification;
import io.github.loyaltyledger.insight.InsightPropertiesTest.Shop;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.EntryQuery;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * The read models agree with each other on the same ledger, as a finance controller cross-checking
 * the reports would expect: the history read page by page is the ledger {@code verify} walks; the
 * live lots add up to the balance; statements of consecutive periods chain and end where
 * {@code balanceAsOf} and the liability say; and what a statement says is expiring soon is what the
 * expiry run then expires. Histories are {@link Shop}'s tangled scripts, under every policy.
 */
class ReadModelsAgreeTest {

  static final int EXAMPLES = Math.max(20, InsightPropertiesTest.EXAMPLES / 2);

  /**
   * The history, read newest first a page at a time following {@link HistoryPage#nextBefore()} with
   * pages of 1, 2 and 7 entries, lists every entry of the ledger once, in ledger order reversed, none
   * missing: the entries {@code verify} walks to its tip.
   */
  @Test
  void theHistoryReadPageByPageIsTheLedgerVerifyWalks() {
    qt().withExamples(EXAMPLES).forAll(lists().of(InsightPropertiesTest.tangledOps()).ofSizeBetween(1, 30),
        integers().between(0, 5)).checkAssert((script, policy) -> {
      Shop shop = new Shop(policy);
      script.forEach(shop::perform);
      shop.members.forEach(m -> historyPagesAreTheLedger(shop.loyalty, shop.store, m));
    });
  }

  /**
   * The member's live lots ({@link Loyalty#lots}) add up to the balance (ADR 0003): the vested ones
   * to the available points when they are not negative, the pending ones to the pending points; the
   * balance as of now is the balance; and the liability now owes exactly what the balances owe,
   * positive available, pending and held.
   */
  @Test
  void theLiveLotsAddUpToTheBalanceAndTheLiabilityToTheBalances() {
    qt().withExamples(EXAMPLES).forAll(lists().of(InsightPropertiesTest.tangledOps()).ofSizeBetween(1, 30),
        integers().between(0, 5)).checkAssert((script, policy) -> {
      Shop shop = new Shop(policy);
      script.forEach(shop::perform);
      lotsAndLiabilityAddUpToTheBalances(shop.loyalty, shop.store, shop.members, shop.clock.instant());
    });
  }

  /**
   * Statements of consecutive periods chain: the closing balance of one is the opening of the next,
   * each opening and closing is {@code balanceAsOf} just before its start and end, and together the
   * periods list every entry once.
   */
  @Test
  void consecutiveStatementsChainAndEndWhereBalanceAsOfSays() {
    qt().withExamples(EXAMPLES).forAll(lists().of(InsightPropertiesTest.tangledOps()).ofSizeBetween(1, 30),
        integers().between(0, 5), lists().of(integers().between(1, 400)).ofSizeBetween(1, 5))
        .checkAssert((script, policy, cuts) -> {
      Shop shop = new Shop(policy);
      script.forEach(shop::perform);
      shop.members.forEach(m -> statementsChain(shop.loyalty, shop.store, m, shop.clock.instant(), cuts));
    });
  }

  /**
   * What a statement says is expiring soon is what the daily run then expires, when nothing else
   * happens meanwhile: the statement ends just after the expiry run has swept what was overdue, and
   * the run at the end of its window (vesting too) expires exactly the points it listed; with holds
   * open, the expiry run alone does, since points a lapsed hold gives back are not listed.
   */
  @Test
  void whatAStatementSaysIsExpiringSoonIsWhatTheExpiryRunThenExpires() {
    qt().withExamples(EXAMPLES).forAll(lists().of(InsightPropertiesTest.tangledOps()).ofSizeBetween(1, 30),
        integers().between(0, 5), integers().between(1, 60 * 24 * 40)).checkAssert((script, policy, minutes) -> {
      Shop shop = new Shop(policy);
      script.forEach(shop::perform);
      expiringSoonIsWhatExpires(shop.loyalty, shop.store, shop.clock, shop.members, Duration.ofMinutes(minutes));
    });
  }

  /**
   * Every identity above holds over the histories the library writes ({@link HonestHistories}: purchases
   * earning pending and expiring awards, refunds, custom events, transfers, holds and payments with
   * points, redemptions, the daily run, inactivity, suspensions) under each negative-balance policy.
   */
  @Test
  void theReadModelsAgreeOverEveryHistoryTheLibraryWrites() {
    qt().withExamples(EXAMPLES).forAll(lists().of(integers().between(0, HonestHistories.LAST_OP).zip(integers().between(0, 2),
            integers().between(1, 300), integers().between(0, 9), HonestHistories.Op::new)).ofSizeBetween(1, 30),
        integers().between(0, 2), lists().of(integers().between(1, 60 * 24 * 20)).ofSizeBetween(1, 4))
        .checkAssert((script, policy, cuts) -> {
      TestClock clock = TestClock.at(Fixtures.START);
      InMemoryLedgerStore store = new InMemoryLedgerStore();
      Loyalty loyalty = HonestHistories.play(store, clock, NegativeBalancePolicy.values()[policy], script);
      java.util.List<MemberId> members = HonestHistories.members();
      Instant now = clock.instant();
      for (MemberId m : members) {
        historyPagesAreTheLedger(loyalty, store, m);
        statementsChain(loyalty, store, m, now, cuts);
      }
      lotsAndLiabilityAddUpToTheBalances(loyalty, store, members, now);
      expiringSoonIsWhatExpires(loyalty, store, clock, members, Duration.ofMinutes(cuts.get(0)));
    });
  }

  /**
   * When two nodes' clocks disagree (up to two hours), tangled histories still give read models that
   * agree as of any instant: each member's statements chain and end where {@code balanceAsOf} says,
   * and the liability owes what the balances as of then owe, as breakage's outstanding points and
   * the held ones do.
   */
  @Test
  void theReadModelsAgreeAsOfAnyInstantWhenNodesClocksDisagree() {
    qt().withExamples(EXAMPLES / 2).forAll(lists().of(InsightPropertiesTest.tangledOps()).ofSizeBetween(1, 30),
        integers().between(0, 5), integers().between(-120, 120)).checkAssert((script, policy, skew) -> {
      Shop shop = new Shop(policy);
      Instant base = shop.clock.instant();
      java.util.TreeSet<Instant> instants = new java.util.TreeSet<>(java.util.List.of(base));
      for (int i = 0; i < script.size(); i++) {
        // A step that lets days pass moves both nodes' clocks on.
        base = java.util.Collections.max(java.util.List.of(base.plus(Duration.ofMinutes(10)),
            shop.clock.instant().minus(Duration.ofMinutes(skew))));
        shop.clock.set(i % 2 == 0 ? base : base.plus(Duration.ofMinutes(skew)));
        shop.perform(script.get(i));
      }
      for (MemberId m : shop.members) {
        shop.store.entries(m, 1, Integer.MAX_VALUE).forEach(e -> {
          instants.add(e.recordedAt().minusNanos(1));
          instants.add(e.recordedAt());
        });
      }
      for (Instant t : instants) {
        long owed = 0;
        for (MemberId m : shop.members) {
          Balance b = accepted(shop.loyalty.balanceAsOf(m, t));
          owed += Math.max(0, b.available().value()) + b.pending().value() + b.held().value();
        }
        Liability liability = accepted(shop.loyalty.liability(t, ZoneOffset.UTC, InsightPropertiesTest.RATE));
        assertEquals(owed, liability.outstanding().value(), "liability as of " + t);
        Points outstanding = shop.loyalty.breakage(t, ZoneOffset.UTC).cohorts().map(BreakageCohort::outstanding)
            .fold(Points.ZERO, Points::plus);
        assertEquals(liability.outstanding(), outstanding.plus(liability.byExpiry().get(ExpiryBucket.HELD).get()),
            "breakage as of " + t);
      }
      java.util.List<Integer> cuts = instants.stream().limit(6)
          .map(t -> (int) Duration.between(Instant.parse(Fixtures.START), t).toMinutes()).toList();
      Instant end = instants.last().plus(Duration.ofHours(3));
      shop.members.forEach(m -> statementsChain(shop.loyalty, shop.store, m, end, cuts));
    });
  }

  private static void historyPagesAreTheLedger(Loyalty loyalty, InMemoryLedgerStore store, MemberId m) {
    java.util.List<Entry> ledger = new ArrayList<>();
    store.entries(m, 1, Integer.MAX_VALUE).forEach(ledger::add);
    Verification verified = accepted(loyalty.verify(m));
    assertTrue(verified.isIntact(), verified.toString());
    assertEquals(ledger.isEmpty() ? 0 : ledger.get(ledger.size() - 1).sequence(),
        verified.tip().map(t -> t.sequence()).getOrElse(0L), "verify's tip");
    assertEquals(ledger.size(), verified.entriesChecked(), "entries verify walks");
    for (int size : new int[] {1, 2, 7}) {
      assertEquals(ledger, oldestFirst(loyalty, m, EntryQuery.newest(size)), "pages of " + size + " for " + m);
    }
    // Filtered by kind and by when the entries occurred (back-dated ones too), page by page.
    Instant from = Instant.parse(Fixtures.START).plus(Duration.ofHours(3));
    Instant until = from.plus(Duration.ofDays(4));
    io.vavr.collection.Set<EntryKind> kinds = io.vavr.collection.HashSet.of(EntryKind.EARN, EntryKind.EXPIRE,
        EntryKind.REVERSAL, EntryKind.HOLD);
    java.util.List<Entry> matching = ledger.stream()
        .filter(e -> kinds.contains(e.kind()) && !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(until)).toList();
    for (int size : new int[] {1, 3}) {
      assertEquals(matching, oldestFirst(loyalty, m, EntryQuery.newest(size).withKinds(kinds).between(from, until)),
          "filtered pages of " + size + " for " + m);
    }
  }

  /** The member's history read page by page from {@code first}, following each page's cursor, oldest first. */
  private static java.util.List<Entry> oldestFirst(Loyalty loyalty, MemberId m, EntryQuery first) {
    java.util.List<Entry> read = new ArrayList<>();
    EntryQuery query = first;
    while (true) {
      HistoryPage page = accepted(loyalty.history(m, query));
      page.entries().forEach(read::add);
      if (page.nextBefore().isEmpty()) {
        java.util.Collections.reverse(read);
        return read;
      }
      query = query.before(page.nextBefore().get());
    }
  }

  private static void lotsAndLiabilityAddUpToTheBalances(Loyalty loyalty, InMemoryLedgerStore store,
      java.util.List<MemberId> members, Instant now) {
    long owed = 0;
    for (MemberId m : members) {
      Balance b = balanceOf(loyalty, m);
      java.util.List<Lot> lots = accepted(loyalty.lots(m)).asJava();
      long vested = lots.stream().filter(l -> !l.pending()).mapToLong(l -> l.remaining().value()).sum();
      long pending = lots.stream().filter(Lot::pending).mapToLong(l -> l.remaining().value()).sum();
      assertEquals(Math.max(0, b.available().value()), vested, "vested lots of " + m + " " + b);
      assertEquals(b.pending().value(), pending, "pending lots of " + m + " " + b);
      assertEquals(b, accepted(loyalty.balanceAsOf(m, now)), "balance as of now of " + m);
      // Lot by lot, the replay behind liability, breakage and statements holds what the account holds.
      java.util.Map<String, String> live = new java.util.TreeMap<>();
      lots.forEach(l -> live.put(l.id().toString(), l.remaining().value() + " until " + l.expiresAt()));
      java.util.Map<String, String> replayed = new java.util.TreeMap<>();
      LotReplay.of(store, m, now).lots().forEach(l -> {
        if (l.remaining > 0) {
          replayed.put(l.id.toString(), l.remaining + " until " + l.expiresAt);
        }
      });
      assertEquals(live, replayed, "lots of " + m);
      assertEquals(b.held().value(), accepted(loyalty.openHolds(m)).map(h -> h.points().value()).sum().longValue(),
          "open holds of " + m);
      owed += vested + pending + b.held().value();
    }
    Liability liability = accepted(loyalty.liability(now, ZoneOffset.UTC, InsightPropertiesTest.RATE));
    assertEquals(owed, liability.outstanding().value(), "liability now");
    assertEquals(liability.outstanding(), liability.byTier().values().fold(Points.ZERO, Points::plus), "split by tier");
  }

  private static void statementsChain(Loyalty loyalty, InMemoryLedgerStore store, MemberId m, Instant now,
      java.util.List<Integer> cuts) {
    Instant start = Instant.parse(Fixtures.START);
    java.util.TreeSet<Instant> instants = new java.util.TreeSet<>();
    instants.add(start.minus(Duration.ofDays(30)));
    instants.add(now.plusNanos(1));
    cuts.forEach(c -> instants.add(start.plus(Duration.ofMinutes(c))));
    Statement previous = null;
    long listed = 0;
    Instant from = null;
    for (Instant to : instants) {
      if (from != null) {
        Statement s = accepted(loyalty.statement(m, from, to, Duration.ZERO));
        if (previous != null) {
          assertEquals(previous.closing(), s.opening(), "chained at " + from + " for " + m);
        }
        assertEquals(accepted(loyalty.balanceAsOf(m, from.minusNanos(1))).total(), s.opening(), "opening at " + from);
        assertEquals(accepted(loyalty.balanceAsOf(m, to.minusNanos(1))).total(), s.closing(), "closing at " + to);
        assertEquals(s.closing(), s.lines().foldLeft(s.opening(), (sum, l) -> sum.plus(l.points())), "lines");
        listed += s.lines().size();
        previous = s;
      }
      from = to;
    }
    assertEquals(store.account(m).get().lastSequence(), listed, "every entry once for " + m);
  }

  private static void expiringSoonIsWhatExpires(Loyalty loyalty, InMemoryLedgerStore store, TestClock clock,
      java.util.List<MemberId> members, Duration window) {
    Instant now = clock.instant();
    members.forEach(m -> loyalty.expire(m, now, aKey()));
    clock.advance(Duration.ofNanos(1));
    Instant to = clock.instant().plusNanos(1);
    Instant start = Instant.parse(Fixtures.START).minus(Duration.ofDays(30));
    java.util.Map<MemberId, Long> listed = new java.util.HashMap<>();
    for (MemberId m : members) {
      Statement s = accepted(loyalty.statement(m, start, to, window));
      listed.put(m, s.expiringSoon().map(x -> x.points().value()).sum().longValue());
    }
    boolean holds = members.stream().anyMatch(m -> !balanceOf(loyalty, m).held().isZero());
    clock.set(to.plus(window));
    java.util.Map<MemberId, Long> before = new java.util.HashMap<>();
    members.forEach(m -> before.put(m, store.account(m).get().lastSequence()));
    if (holds) {
      // The daily run would also release the holds that lapse meanwhile: their points come back to
      // their lots and may expire there, which no statement can list (they are held, not in a lot).
      members.forEach(m -> loyalty.expire(m, to.plus(window), aKey()));
    } else {
      DailyRun.builder(loyalty).build().runDue(to.plus(window));
    }
    for (MemberId m : members) {
      long expired = -store.entries(m, before.get(m) + 1, Integer.MAX_VALUE)
          .filter(e -> e.kind() == EntryKind.EXPIRE).map(e -> e.points().value()).sum().longValue();
      assertEquals(listed.get(m), expired, "expired in the window for " + m + ": "
          + store.entries(m, 1, Integer.MAX_VALUE).mkString("\n"));
    }
  }

  /**
   * The tier {@link Loyalty#tierOf} says a member held at any instant is the one in force then by
   * {@link Loyalty#tierHistory} (the last change at or before it, the base tier before the first),
   * and {@link Loyalty#tierProgress} stands where {@code tierOf} says now, over purchases (back-dated too),
   * returns, overrides and reviews, with every review due recorded.
   */
  @Test
  void theTierAtAnyInstantIsTheOneInForceThenByTheTierHistory() {
    qt().withExamples(EXAMPLES).forAll(integers().between(0, 3),
        lists().of(integers().between(0, 5).zip(integers().between(1, 1500), integers().between(0, 40), Step::new))
            .ofSizeBetween(1, 25)).checkAssert((choice, script) -> {
      QualificationWindow window = choice % 2 == 0 ? QualificationWindow.rollingMonths(12) : QualificationWindow.calendarYear();
      TierLadder ladder = TierLadder.builder(window)
          .tier(Tier.of("member", "Member", Qualification.none()))
          .tier(Tier.of("silver", "Silver", Qualification.points(1000)))
          .tier(Tier.of("gold", "Gold", Qualification.points(3000)))
          .term(window.isPeriodic() ? TierTerm.untilEndOfNextPeriod() : TierTerm.months(12))
          .downgrade(choice / 2 == 0 ? DowngradePolicy.RECOMPUTE : DowngradePolicy.ONE_STEP)
          .build();
      TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
      Loyalty loyalty = Loyalty.builder().program(LoyaltyProgram.builder("p").tierLadder(ladder).build())
          .store(new InMemoryLedgerStore()).clock(clock).build();
      MemberId m = MemberId.of("m");
      accepted(loyalty.enrol(Enrolment.of(m, aKey())));
      java.util.List<Receipt> open = new ArrayList<>();
      for (Step s : script) {
        clock.advance(Duration.ofDays(s.days()).plusHours(1));
        Instant now = clock.instant();
        switch (s.type()) {
          case 0, 1 -> open.add(accepted(loyalty.credit(Credit.of(m, Points.of(s.amount()), "Purchase", aKey())
              .occurredAt(now.minus(Duration.ofDays(s.type() == 1 ? s.days() : 0)))
              .explainedBy(io.vavr.collection.List.of("base"), io.vavr.collection.TreeMap.of(
                  QualifyingActivity.POINTS, Long.toString(s.amount()), QualifyingActivity.SPEND, "0",
                  QualifyingActivity.VISIT, "1")))));
          case 2 -> {
            if (!open.isEmpty()) {
              Fixtures.returned(loyalty, open.remove(s.amount() % open.size()));
            }
          }
          case 3 -> accepted(loyalty.overrideTier(new TierOverride(m, ladder.tiers().get(s.amount() % 3).id(),
              "Goodwill", "ops", now.plus(Duration.ofDays(1 + s.days())), aKey())));
          case 4 -> accepted(loyalty.evaluateTier(m, aKey()));
          default -> accepted(loyalty.reviewTier(m, LocalDate.ofInstant(now, ZoneOffset.UTC)));
        }
      }
      LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
      accepted(loyalty.reviewTier(m, today));
      Instant reviewed = today.atStartOfDay(ZoneOffset.UTC).toInstant();
      java.util.List<TierChange> history = accepted(loyalty.tierHistory(m)).asJava();
      java.util.TreeSet<Instant> instants = new java.util.TreeSet<>();
      instants.add(Instant.parse("2025-12-31T00:00:00Z"));
      for (TierChange c : history) {
        instants.add(c.at().minusNanos(1));
        instants.add(c.at());
        instants.add(c.at().plusNanos(1));
      }
      for (Instant t : instants.headSet(reviewed, false)) {
        String inForce = "member";
        for (TierChange c : history) {
          if (!c.at().isAfter(t)) {
            inForce = c.to().value();
          }
        }
        assertEquals(Option.some(inForce), loyalty.tierOf(m, t), "tier at " + t + " by " + history);
      }
      // The liability now puts the member's points under the tier tierOf says they hold now.
      Liability liability = accepted(loyalty.liability(clock.instant(), ZoneOffset.UTC, InsightPropertiesTest.RATE));
      Points owed = balanceOf(loyalty, m).total();
      assertEquals(owed.isZero() ? io.vavr.collection.TreeMap.empty() : io.vavr.collection.TreeMap.of(
          loyalty.tierOf(m, clock.instant()).get(), owed), liability.byTier(), "liability by tier on " + history);
      // Progress applies the reviews due by now, as tierOf does.
      assertEquals(loyalty.tierOf(m, clock.instant()), Option.some(accepted(loyalty.tierProgress(m)).tier().value()),
          "progress on " + history);
    });
  }

  /** One step of a tiered member's script: what, how much, and how many days pass before it. */
  record Step(int type, int amount, int days) {}
}
