package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.purchased;
import static io.github.loyaltyledger.Fixtures.returned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.AccountChange;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierActivity;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierOverride;
import io.github.loyaltyledger.tier.TierStanding;
import io.github.loyaltyledger.tier.TierTerm;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import org.joda.money.CurrencyUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The tier facts a facade keeps per member read the same as the member's ledger read afresh. */
class TierFactsTest {

  private static final int EXAMPLES = Math.max(10, Integer.getInteger("QT_EXAMPLES", 1000) / 20);
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final TierLadder LADDER = TierLadder.builder(QualificationWindow.rollingMonths(3))
      .tier(Tier.of("member", "Member", Qualification.none()))
      .tier(Tier.of("silver", "Silver", Qualification.points(500)))
      .tier(Tier.of("gold", "Gold", Qualification.points(1500)))
      .term(TierTerm.months(2))
      .build();
  private static final LoyaltyProgram PROGRAM = LoyaltyProgram.builder("p").tierLadder(LADDER).build();
  private static final List<MemberId> MEMBERS = List.of(MemberId.of("a"), MemberId.of("b"), MemberId.of("c"));

  /** One step: which day, which node (0 or 1), what (0-2 purchase, 3 return, 4 review, 5 override), how much, whom. */
  record Step(int day, int node, int type, int amount, int who) {}

  static Gen<Step> steps() {
    return integers().between(0, 400).zip(integers().between(0, 1), integers().between(0, 5),
        integers().between(1, 900), integers().between(0, 2), Step::new);
  }

  @Nested
  class AFacadeOnAStoreThatOtherNodesAlsoWrite {

    @Test
    void reportsTheSameStandingHistoryAndTiersAsAFacadeThatReadsTheLedgerAfresh() {
      qt().withExamples(EXAMPLES).forAll(lists().of(steps()).ofSizeBetween(1, 40)).checkAssert(script -> {
        LedgerStore store = new InMemoryLedgerStore();
        TestClock clock = TestClock.at(START.toString());
        List<Loyalty> nodes = List.of(facade(store, clock), facade(store, clock));
        MEMBERS.forEach(m -> enrolled(nodes.head(), m));
        java.util.List<Receipt> open = new ArrayList<>();
        script.stream().sorted(java.util.Comparator.comparingInt(Step::day)).forEach(step -> {
          Instant at = START.plus(Duration.ofDays(step.day())).plusSeconds(step.amount());
          if (at.isAfter(clock.instant())) {
            clock.set(at);
          }
          Loyalty node = nodes.get(step.node());
          MemberId member = MEMBERS.get(step.who());
          switch (step.type()) {
            case 3 -> {
              if (!open.isEmpty()) {
                returned(node, open.remove(step.amount() % open.size()));
              }
            }
            case 4 -> accepted(node.reviewTier(member, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)));
            case 5 -> accepted(node.overrideTier(new TierOverride(member, LADDER.tiers().get(step.amount() % 3).id(),
                "Goodwill", "ops", clock.instant().plus(Duration.ofDays(step.amount() % 90 + 1)), aKey())));
            default -> {
              open.add(purchased(node, member, step.amount(), step.amount() * 10L));
              accepted(node.evaluateTier(member, aKey()));
            }
          }
          TierStanding afresh = readAfresh(store, member);
          for (Loyalty cached : nodes) {
            assertEquals(afresh.progress(clock.instant()), cached.tierProgress(member).get());
            assertEquals(changesAfresh(store, member), cached.tierHistory(member).get());
            Instant monthAgo = clock.instant().minus(Duration.ofDays(30));
            assertEquals(afresh.tierAt(monthAgo).value(), cached.tierOf(member, monthAgo).get());
          }
        });
      });
    }
  }

  @Nested
  class TheKeptFacts {

    @Test
    void equalTheFactsReadAfreshWhateverFewOfThemMayBeKept() {
      qt().withExamples(EXAMPLES).forAll(lists().of(integers().between(0, 8)).ofSizeBetween(1, 60),
          integers().between(0, 12)).checkAssert((whoBuys, maxFacts) -> {
        LedgerStore store = new InMemoryLedgerStore();
        Loyalty loyalty = facade(store, TestClock.at(START.toString()));
        MEMBERS.forEach(m -> enrolled(loyalty, m));
        TierFacts bounded = new TierFacts(store, CurrencyUnit.EUR, maxFacts);
        for (int who : whoBuys) {
          MemberId member = MEMBERS.get(who % MEMBERS.size());
          if (who < 6) {
            purchased(loyalty, member, 10 + who, 100);
          } else {
            accepted(loyalty.credit(Credit.of(member, Fixtures.points(5), "Goodwill", aKey())));
          }
          for (MemberId m : MEMBERS) {
            Account account = store.account(m).get();
            assertEquals(new TierFacts(store, CurrencyUnit.EUR, 0).upTo(account), bounded.upTo(account));
            assertTrue(bounded.size() <= maxFacts, () -> bounded.size() + " facts kept, at most " + maxFacts);
          }
        }
      });
    }

    /**
     * What a return settles is found in the reversals that forgave or settled points under {@code
     * CLAMP}: kept, they are the store's own, whichever node wrote them and however few facts may be
     * kept.
     */
    @Test
    void holdTheReversalsThatForgaveOrSettledPointsAsTheStoreHoldsThemWhicheverNodeWroteThem() {
      qt().withExamples(EXAMPLES).forAll(lists().of(steps()).ofSizeBetween(1, 50), integers().between(0, 30))
          .checkAssert((script, maxFacts) -> {
            LedgerStore store = new InMemoryLedgerStore();
            TestClock clock = TestClock.at(START.toString());
            List<Loyalty> nodes = List.of(facade(store, clock), facade(store, clock));
            MEMBERS.forEach(m -> enrolled(nodes.head(), m));
            TierFacts bounded = new TierFacts(store, CurrencyUnit.EUR, maxFacts);
            java.util.List<io.github.loyaltyledger.ledger.EntryId> credits = new ArrayList<>();
            java.util.List<io.github.loyaltyledger.ledger.EntryId> debits = new ArrayList<>();
            for (Step step : script) {
              Loyalty node = nodes.get(step.node());
              MemberId member = MEMBERS.get(step.who());
              Points points = Fixtures.points(step.amount());
              switch (step.type()) {
                case 0, 1 -> credits.add(accepted(node.credit(Credit.of(member, points, "Goodwill", aKey()))).entries().head().id());
                case 2, 3 -> node.debit(Debit.of(member, points, "Shop", aKey()))
                    .forEach(receipt -> debits.add(receipt.entries().head().id()));
                default -> {
                  java.util.List<io.github.loyaltyledger.ledger.EntryId> from = step.type() == 4 ? credits : debits;
                  if (!from.isEmpty()) {
                    node.reverse(Reversal.of(from.remove(step.amount() % from.size()), "Returned", aKey()));
                  }
                }
              }
              node.tierProgress(member); // keeps the member's facts on that node
              for (MemberId m : MEMBERS) {
                Account account = store.account(m).get();
                List<io.github.loyaltyledger.ledger.Entry> afresh = store.history(m, EntryQuery.newest(EntryQuery.MAX_LIMIT)
                        .withKinds(HashSet.of(EntryKind.REVERSAL))).reverse()
                    .filter(e -> e.details().containsKey(Loyalty.SHORTFALL) || e.details().containsKey(Loyalty.FORGIVEN_SETTLED));
                bounded.upTo(account);
                bounded.forgiving(account).forEach(kept -> assertEquals(afresh, kept.toList()));
                assertEquals(afresh, new TierFacts(store, CurrencyUnit.EUR, 100).upTo(account).forgiving().toList());
              }
            }
          });
    }

    @Test
    void areReadAgainFromTheFirstEntryWhenTheStoreNoLongerHoldsTheKeptChain() {
      Replaceable replaceable = new Replaceable(new InMemoryLedgerStore());
      LedgerStore store = replaceable.store;
      MemberId member = MEMBERS.head();
      Loyalty first = facade(store, TestClock.at(START.toString()));
      enrolled(first, member);
      purchased(first, member, 400, 100);
      purchased(first, member, 400, 100);
      TierFacts facts = new TierFacts(store, CurrencyUnit.EUR, 100);
      assertEquals(2, facts.upTo(store.account(member).get()).facts().size());

      replaceable.inner = new InMemoryLedgerStore();
      Loyalty second = facade(store, TestClock.at(START.toString()));
      enrolled(second, member);
      purchased(second, member, 7, 100);
      purchased(second, member, 8, 100);
      purchased(second, member, 9, 100);
      TierFacts.Kept kept = facts.upTo(store.account(member).get());

      assertEquals(List.of(7L, 8L, 9L), kept.facts().map(TierFacts.Fact::points).toList());
      assertEquals(new TierFacts(store, CurrencyUnit.EUR, 0).upTo(store.account(member).get()), kept);
    }
  }

  @Nested
  class ASpanOfTheKeptFacts {

    @Test
    void readsOnlyTheFactsFromItsStartOnForARegularOfTenYears() {
      TierFacts.Kept kept = TenYears.KEPT;
      Instant from = TenYears.NOW.minus(Duration.ofDays(90));
      int before = kept.facts().count(fact -> fact.at().isBefore(from));

      assertTrue(before > 3_000, () -> before + " facts before the window, of " + kept.facts().size());
      assertEquals(before, kept.firstInSpan(from), () -> "facts skipped of " + kept.facts().size());
    }

    @Test
    void sumsWhatTheFactsInItSumWhateverOrderTheyOccurredIn() {
      qt().withExamples(EXAMPLES).forAll(lists().of(integers().between(0, 800).zip(integers().between(1, 900),
          (day, points) -> List.of(day, points))).ofSizeBetween(1, 40), integers().between(-10, 810),
          integers().between(0, 400)).checkAssert((purchases, fromDay, days) -> {
        LedgerStore store = new InMemoryLedgerStore();
        TestClock clock = TestClock.at(START.plus(Duration.ofDays(801)).toString());
        Loyalty loyalty = facade(store, clock);
        MemberId member = MEMBERS.head();
        enrolled(loyalty, member);
        for (List<Integer> purchase : purchases) {
          Receipt receipt = accepted(loyalty.credit(Credit.of(member, Fixtures.points(purchase.last()), "Purchase", aKey())
              .occurredAt(START.plus(Duration.ofDays(purchase.head())))
              .explainedBy(List.of("base-earn"), io.vavr.collection.TreeMap.of(QualifyingActivity.POINTS,
                  Integer.toString(purchase.last()), QualifyingActivity.SPEND, "100", QualifyingActivity.VISIT, "1"))));
          if (purchase.last() % 3 == 0) {
            returned(loyalty, receipt);
          }
        }
        TierFacts.Kept kept = new TierFacts(store, CurrencyUnit.EUR, 0).upTo(store.account(member).get());
        Instant from = START.plus(Duration.ofDays(fromDay));
        Instant to = from.plus(Duration.ofDays(days));
        java.util.function.Function<io.github.loyaltyledger.ledger.Entry, QualifyingActivity> deferred =
            e -> QualifyingActivity.none(CurrencyUnit.EUR);
        QualifyingActivity plain = kept.facts().filter(f -> !f.at().isBefore(from) && f.at().isBefore(to))
            .foldLeft(QualifyingActivity.none(CurrencyUnit.EUR), (sum, f) -> sum.plus(new QualifyingActivity(f.points(),
                org.joda.money.Money.ofMinor(CurrencyUnit.EUR, f.spend()), f.visits())));

        assertEquals(plain, kept.between(from, to, CurrencyUnit.EUR, deferred));
      });
    }
  }

  /** A regular of ten years: a purchase a day, every tenth returned, read once for the class. */
  private static final class TenYears {
    static final Instant NOW = START.plus(Duration.ofDays(3_650));
    static final TierFacts.Kept KEPT = build();

    private static TierFacts.Kept build() {
      LedgerStore store = new InMemoryLedgerStore();
      TestClock clock = TestClock.at(START.toString());
      Loyalty loyalty = facade(store, clock);
      MemberId member = MEMBERS.head();
      enrolled(loyalty, member);
      for (int day = 0; day < 3_650; day++) {
        Receipt purchase = purchased(loyalty, member, 12, 350);
        if (day % 10 == 9) {
          returned(loyalty, purchase);
        }
        clock.advance(Duration.ofDays(1));
      }
      return new TierFacts(store, CurrencyUnit.EUR, 0).upTo(store.account(member).get());
    }
  }

  @Nested
  class TheCommittedAccount {

    @Test
    void isKeptWhileTheFactsAreUpToThisFacadesCommitAndForgottenWhenAnotherNodeWroteBetween() {
      LedgerStore store = new InMemoryLedgerStore();
      MemberId member = MEMBERS.head();
      Loyalty here = facade(store, TestClock.at(START.toString()));
      Loyalty elsewhere = facade(store, TestClock.at(START.toString()));
      enrolled(here, member);
      purchased(here, member, 7, 100);
      TierFacts facts = new TierFacts(store, CurrencyUnit.EUR, 100);
      facts.upTo(store.account(member).get());
      assertEquals(io.vavr.control.Option.none(), facts.committedAccount(member), "read from the store, not committed here");

      facts.committed(lastCommit(store, here, member));
      assertEquals(store.account(member), facts.committedAccount(member));

      purchased(elsewhere, member, 8, 100);
      facts.committed(lastCommit(store, here, member));
      assertEquals(io.vavr.control.Option.none(), facts.committedAccount(member), "another node's entry came between");

      Account now = store.account(member).get();
      facts.upTo(now);
      facts.committed(new AccountChange(now.version() - 1, now, List.empty()));
      assertEquals(io.vavr.control.Option.some(now), facts.committedAccount(member), "a change without entries");
    }

    /** Makes a purchase through the facade and returns its commit as the facade handed it to its own facts. */
    private AccountChange lastCommit(LedgerStore store, Loyalty loyalty, MemberId member) {
      long before = store.account(member).get().version();
      Receipt receipt = purchased(loyalty, member, 9, 100);
      Account after = store.account(member).get();
      return new AccountChange(before, after, receipt.entries());
    }
  }

  @Nested
  class ALedgerThatIsNotOneHashChain {

    @Test
    void isReadAsItIsAndNotKept() {
      LedgerStore store = new InMemoryLedgerStore();
      MemberId member = MEMBERS.head();
      Loyalty loyalty = facade(store, TestClock.at(START.toString()));
      enrolled(loyalty, member);
      purchased(loyalty, member, 7, 100);
      purchased(loyalty, member, 8, 100);
      purchased(loyalty, member, 9, 100);
      LedgerStore withoutTheSecond = new ForwardingStore(store) {
        @Override
        public List<io.github.loyaltyledger.ledger.Entry> entries(MemberId m, long fromSequence, int limit) {
          return super.entries(m, fromSequence, limit).filter(e -> e.sequence() != 2);
        }
      };
      TierFacts facts = new TierFacts(withoutTheSecond, CurrencyUnit.EUR, 100);

      TierFacts.Kept kept = facts.upTo(store.account(member).get());

      assertEquals(List.of(7L, 9L), kept.facts().map(TierFacts.Fact::points).toList());
      assertEquals(0, facts.size());
    }
  }

  private static Loyalty facade(LedgerStore store, TestClock clock) {
    return Loyalty.builder().program(PROGRAM).store(store).clock(clock).build();
  }

  /**
   * The standing as the facade read it before it kept facts: the window's entries and the TIER
   * entries queried from the store, a reversal without qualifying keys taking back its original's.
   */
  private static TierStanding readAfresh(LedgerStore store, MemberId member) {
    CurrencyUnit currency = PROGRAM.currency();
    TierActivity activity = (from, to) -> store.history(member, EntryQuery.newest(EntryQuery.MAX_LIMIT).between(from, to))
        .map(e -> e.kind() == EntryKind.REVERSAL && !QualifyingActivity.isRecordedOn(e)
            ? e.reference().flatMap(store::entry).map(o -> QualifyingActivity.of(o, currency).negated())
                .getOrElse(() -> QualifyingActivity.none(currency))
            : QualifyingActivity.of(e, currency))
        .foldLeft(QualifyingActivity.none(currency), QualifyingActivity::plus);
    return TierStanding.of(LADDER, store.account(member).get().member(), changesAfresh(store, member), activity);
  }

  private static List<TierChange> changesAfresh(LedgerStore store, MemberId member) {
    return store.history(member, EntryQuery.newest(EntryQuery.MAX_LIMIT).withKinds(HashSet.of(EntryKind.TIER)))
        .reverse().map(TierChange::of);
  }

  /** A store whose backing store a test can swap, as if the database were replaced under a facade. */
  private static final class Replaceable {
    LedgerStore inner;
    final LedgerStore store = (LedgerStore) Proxy.newProxyInstance(LedgerStore.class.getClassLoader(),
        new Class<?>[] {LedgerStore.class}, (proxy, method, args) -> {
          try {
            return method.invoke(inner, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });

    Replaceable(LedgerStore inner) {
      this.inner = inner;
    }
  }
}
