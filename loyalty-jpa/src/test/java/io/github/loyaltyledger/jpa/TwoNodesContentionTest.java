package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CapPeriod;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleOutcome;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.LimitPeriod;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two application nodes (two stores with their own pools, two facades, the default attempts) on
 * one database, with the caller resending a request refused as {@code ConcurrentModification}, as
 * callers are told to. Guards the "caps and budgets never exceeded across random purchase
 * sequences and threads" on the JPA store: a campaign budget shared by every member, a per-member
 * monthly cap, and a reward's stock and per-member limit (restored exactly by cancellations) are
 * never exceeded and their counters equal what the ledger granted; an entry reversed, a redemption
 * cancelled, a hold resolved or a purchase refunded by both nodes at the same instant is so exactly
 * once; one idempotency key sent by both nodes at once writes once (same request: the same receipt
 * for both; different requests: one wins, the other is an {@code IdempotencyConflict}). Every
 * scenario runs under {@code assertTimeoutPreemptively}, so a deadlock fails it.
 */
class TwoNodesContentionTest {

  private static final long BUDGET = 300;
  private static final long CAP = 40;
  private static final long STOCK = 5;
  private static final int LIMIT = 2;
  private static final RewardId MUG = RewardId.of("mug");
  /** One in stock, at most one per member ever: each round of the duel redeems and cancels it. */
  private static final RewardId CUP = RewardId.of("cup");
  private static final Channel TILL = Channel.store("S-1");
  private static final String BUDGET_COUNTER = "earn:contention:budget:promo";
  private static final Duration DEADLINE = Duration.ofMinutes(3);

  @Nested
  class OnH2InAFile {

    @TempDir
    Path folder;

    private final AtomicInteger names = new AtomicInteger();

    private TestDatabase fresh() {
      return TestDatabase.h2File(folder.resolve("ledger-" + names.incrementAndGet()));
    }

    @Test
    void budgetCapsStockAndLimitsHoldUnderRandomConcurrentRequests() {
      limitsProperty(this::fresh);
    }

    @Test
    void bothNodesResolvingOneEntryAtOnceResolveItOnce() {
      duels(fresh());
    }

    @Test
    void oneKeyFromBothNodesAtOnceWritesOnce() {
      sameKey(fresh());
    }
  }

  @Nested
  class OnH2InMemory {

    @Test
    void budgetCapsStockAndLimitsHoldUnderRandomConcurrentRequests() {
      limitsProperty(TestDatabase::h2InMemory);
    }

    @Test
    void bothNodesResolvingOneEntryAtOnceResolveItOnce() {
      duels(TestDatabase.h2InMemory());
    }

    @Test
    void oneKeyFromBothNodesAtOnceWritesOnce() {
      sameKey(TestDatabase.h2InMemory());
    }
  }

  @Nested
  class OnPostgresql {

    /*
     * Skips (or, on CI, fails) before any test of the class runs: inside the property, the skip
     * thrown by TestDatabase would be taken for a falsified example.
     */
    @org.junit.jupiter.api.BeforeEach
    void requirePostgresql() {
      TestDatabase.postgresql();
    }

    @Test
    void budgetCapsStockAndLimitsHoldUnderRandomConcurrentRequests() {
      limitsProperty(TestDatabase::emptyPostgresql);
    }

    @Test
    void bothNodesResolvingOneEntryAtOnceResolveItOnce() {
      duels(TestDatabase.emptyPostgresql());
    }

    @Test
    void oneKeyFromBothNodesAtOnceWritesOnce() {
      sameKey(TestDatabase.emptyPostgresql());
    }
  }

  private static LoyaltyProgram program() {
    return LoyaltyProgram.builder("contention")
        .earnRules(RuleBook.of(
            BaseRate.of("base", "1"),
            BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.budget(BUDGET)),
            BaseRate.of("bonus", "1").with(RuleTerms.DEFAULT.asBonus().cappedPerMember(CAP, CapPeriod.MONTH))))
        .rewards(RewardCatalog.builder()
            .reward(Reward.builder(MUG, "Mug", new RewardKind.FreeItem("MUG"), Points.of(40))
                .stock(STOCK).limit(LIMIT, LimitPeriod.MONTH).build())
            .reward(Reward.builder(CUP, "Cup", new RewardKind.FreeItem("CUP"), Points.of(10))
                .stock(1).limit(1, LimitPeriod.EVER).build())
            .build())
        .build();
  }

  /** Two nodes, each its own store (own pool) on one database, with the facade's default attempts. */
  private static final class Nodes implements AutoCloseable {
    final JpaLedgerStore[] stores;
    final Loyalty[] loyalty;
    final TestClock clock = TestClock.at(Fixtures.START);

    Nodes(TestDatabase database) {
      stores = new JpaLedgerStore[] {database.open(), database.open()};
      LoyaltyProgram program = program();
      loyalty = new Loyalty[] {
          Loyalty.builder().program(program).store(stores[0]).clock(clock).build(),
          Loyalty.builder().program(program).store(stores[1]).clock(clock).build()};
    }

    @Override
    public void close() {
      stores[0].close();
      stores[1].close();
    }
  }

  /**
   * The request's answer once it is not {@code ConcurrentModification}: that refusal wrote nothing
   * and callers are told to resend it, which this does (a bounded number of times).
   */
  private static <T> Either<LoyaltyError, T> resending(Supplier<Either<LoyaltyError, T>> request) {
    for (int i = 0; i < 1_000; i++) {
      Either<LoyaltyError, T> answer = request.get();
      if (answer.isRight() || !(answer.getLeft() instanceof LoyaltyError.ConcurrentModification)) {
        return answer;
      }
    }
    return fail("still ConcurrentModification after 1,000 resends");
  }

  /** The answer, or fails unless the refusal is one of those this race may meet. */
  private static <T> Either<LoyaltyError, T> expect(Either<LoyaltyError, T> answer, Class<?>... fine) {
    if (answer.isLeft() && List.of(fine).find(c -> c.isInstance(answer.getLeft())).isEmpty()) {
      fail("an unexpected refusal: " + answer.getLeft());
    }
    return answer;
  }

  private static void runAll(ExecutorService pool, java.util.List<Callable<Void>> tasks) throws Exception {
    java.util.List<Future<Void>> futures = new ArrayList<>();
    for (Callable<Void> task : tasks) {
      futures.add(pool.submit(task));
    }
    for (Future<Void> f : futures) {
      f.get();
    }
  }

  // (1)–(3): random requests on a shared budget, monthly caps, a reward's stock and limit.

  private static void limitsProperty(Supplier<TestDatabase> databases) {
    assertTimeoutPreemptively(DEADLINE, () -> qt().withExamples(4).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(2, 6), integers().between(8, 16))
        .checkAssert((seed, memberCount, operations) -> {
          try {
            limits(databases.get(), seed, memberCount, operations);
          } catch (RuntimeException | Error e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
  }

  private record Shared(java.util.List<Purchase> purchases, java.util.List<Redemption> redemptions) {}

  private static void limits(TestDatabase database, long seed, int memberCount, int operations) throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Nodes nodes = new Nodes(database)) {
      List<MemberId> members = List.range(0, memberCount).map(i -> MemberId.of("m" + i));
      for (MemberId m : members) {
        Fixtures.enrolled(nodes.loyalty[0], m);
        Fixtures.accepted(nodes.loyalty[0].credit(Credit.of(m, Points.of(500), "Welcome", IdempotencyKey.of("w-" + m))));
      }
      Shared shared = new Shared(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
      CountDownLatch start = new CountDownLatch(1);
      java.util.List<Callable<Void>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        tasks.add(() -> {
          start.await();
          Loyalty node = nodes.loyalty[thread % 2];
          Random random = new Random(seed * 31 + thread);
          for (int i = 0; i < operations; i++) {
            MemberId member = members.get(random.nextInt(memberCount));
            IdempotencyKey key = IdempotencyKey.of("t" + thread + "-" + i);
            int kind = random.nextInt(10);
            if (kind < 4) {
              Purchase purchase = Purchase.of(member, key, nodes.clock.instant(), TILL,
                  Fixtures.line("ITEM", 1, (5 + random.nextInt(40)) + ".00"));
              expect(resending(() -> node.earn(purchase))).forEach(r -> shared.purchases().add(purchase));
            } else if (kind < 7) {
              expect(resending(() -> node.redeem(member, MUG, TILL, key)), LoyaltyError.RewardUnavailable.class)
                  .forEach(shared.redemptions()::add);
            } else if (kind < 9) {
              if (!shared.redemptions().isEmpty()) {
                // A recent one, which the other node may be cancelling too.
                Redemption r = shared.redemptions().get(Math.max(0, shared.redemptions().size() - 1 - random.nextInt(3)));
                expect(resending(() -> node.cancelRedemption(r.entry(), "Returned", key)),
                    LoyaltyError.AlreadyReversed.class);
              }
            } else {
              // Transfers both ways between members, to show that commits of two accounts cannot deadlock.
              MemberId to = members.get(random.nextInt(memberCount));
              if (!to.equals(member)) {
                expect(resending(() -> node.transfer(Transfer.of(member, to, Points.of(1 + random.nextInt(10)), "Gift", key))),
                    LoyaltyError.InsufficientPoints.class);
              }
            }
          }
          return null;
        });
      }
      start.countDown();
      runAll(pool, tasks);
      checkLimits(nodes.stores[1], members, LocalDate.ofInstant(nodes.clock.instant(), ZoneOffset.UTC));
    } finally {
      pool.shutdownNow();
    }
  }

  private static void checkLimits(JpaLedgerStore store, List<MemberId> members, LocalDate today) {
    long promo = 0;
    long mugs = 0;
    for (MemberId member : members) {
      List<Entry> entries = store.entries(member, 1, 1_000_000);
      long bonus = 0;
      for (List<Entry> awards : entries.filter(e -> e.kind() == EntryKind.EARN || e.kind() == EntryKind.BONUS)
          .filter(e -> e.idempotencyKey().value().startsWith("t"))
          .groupBy(Entry::idempotencyKey).values()) {
        EarnQuote quote = EarnQuote.fromEntries(awards).get();
        promo += quote.outcome("promo").map(RuleOutcome::granted).get().value();
        bonus += quote.outcome("bonus").map(RuleOutcome::granted).get().value();
      }
      String cap = "earn:contention:cap:bonus:" + member + ":" + CapPeriod.MONTH.key(today);
      assertEquals(bonus, store.counter(cap), member + "'s monthly cap counter");
      assertTrue(bonus <= CAP, member + " got " + bonus + " bonus points, above the cap of " + CAP);
      List<Entry> redeemed = entries.filter(e -> e.kind() == EntryKind.REDEEM);
      long cancelled = 0;
      for (Entry r : redeemed) {
        long reversals = store.referencing(r.id()).count(e -> e.kind() == EntryKind.REVERSAL);
        assertTrue(reversals <= 1, r.id() + " cancelled " + reversals + " times");
        cancelled += reversals;
      }
      long held = redeemed.size() - cancelled;
      String limit = "reward-limit:" + MUG + ":" + member + ":" + LimitPeriod.MONTH.label(today);
      assertEquals(held, store.counter(limit), member + "'s limit counter");
      assertTrue(held <= LIMIT, member + " keeps " + held + " mugs, above the limit of " + LIMIT);
      mugs += held;
    }
    assertEquals(promo, store.counter(BUDGET_COUNTER), "the budget counter");
    assertTrue(promo <= BUDGET, promo + " promotion points granted from a budget of " + BUDGET);
    assertEquals(mugs, store.counter("reward-stock:" + MUG), "the stock counter");
    assertTrue(mugs <= STOCK, mugs + " mugs out of a stock of " + STOCK);
  }

  // (4): both nodes resolve one entry at the same instant.

  private static final int DUEL_ROUNDS = 30;

  private static void duels(TestDatabase database) {
    assertTimeoutPreemptively(DEADLINE, () -> {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try (Nodes nodes = new Nodes(database)) {
        Loyalty setup = nodes.loyalty[0];
        for (int round = 0; round < DUEL_ROUNDS; round++) {
          String n = "r" + round;
          MemberId reversed = MemberId.of(n + "-reversed");
          MemberId cancelled = MemberId.of(n + "-cancelled");
          MemberId held = MemberId.of(n + "-held");
          MemberId refunded = MemberId.of(n + "-refunded");
          List.of(reversed, cancelled, held, refunded).forEach(m -> {
            Fixtures.enrolled(setup, m);
            Fixtures.accepted(setup.credit(Credit.of(m, Points.of(200), "Welcome", IdempotencyKey.of("w-" + m))));
          });
          EntryId credit = Fixtures.accepted(setup.credit(Credit.of(reversed, Points.of(50), "Goodwill", IdempotencyKey.of(n + "-c"))))
              .entries().head().id();
          EntryId cup = Fixtures.accepted(setup.redeem(cancelled, CUP, TILL, IdempotencyKey.of(n + "-cup"))).entry();
          Hold hold = Fixtures.accepted(setup.authorize(Authorization.points(held, Points.of(30), Duration.ofMinutes(15), TILL,
              IdempotencyKey.of(n + "-h"))));
          IdempotencyKey transaction = IdempotencyKey.of(n + "-p");
          Fixtures.accepted(setup.earn(Purchase.of(refunded, transaction, nodes.clock.instant(), TILL,
              Fixtures.line("ITEM", 1, "10.00"))));
          CyclicBarrier go = new CyclicBarrier(8);
          java.util.List<Either<LoyaltyError, ?>> answers = new CopyOnWriteArrayList<>();
          java.util.List<Callable<Void>> tasks = new ArrayList<>();
          for (int side = 0; side < 2; side++) {
            Loyalty node = nodes.loyalty[side];
            String s = n + "-" + side;
            tasks.add(duel(go, answers, () -> node.reverse(Reversal.of(credit, "Mistake", IdempotencyKey.of(s + "-rev")))));
            tasks.add(duel(go, answers, () -> node.cancelRedemption(cup, "Returned", IdempotencyKey.of(s + "-cancel"))));
            int sideNumber = side;
            tasks.add(duel(go, answers, () -> sideNumber == 0
                ? node.capture(hold.id(), IdempotencyKey.of(s + "-capture"))
                : node.voidHold(hold.id(), "Cancelled at the till", IdempotencyKey.of(s + "-void"))));
            tasks.add(duel(go, answers, () -> node.refund(Refund.ofAmount(transaction, IdempotencyKey.of(s + "-refund"),
                Fixtures.eur("10.00")))));
          }
          runAll(pool, tasks);
          String context = "round " + round + ": " + answers;
          assertEquals(4, answers.stream().filter(Either::isRight).count(), context);
          answers.stream().filter(Either::isLeft).forEach(a -> assertTrue(
              a.getLeft() instanceof LoyaltyError.AlreadyReversed
                  || a.getLeft() instanceof LoyaltyError.HoldAlreadyResolved
                  || a.getLeft() instanceof LoyaltyError.RefundExceedsPurchase, context));
          JpaLedgerStore store = nodes.stores[round % 2];
          assertEquals(1, store.referencing(credit).count(e -> e.kind() == EntryKind.REVERSAL), context);
          assertEquals(1, store.referencing(cup).count(e -> e.kind() == EntryKind.REVERSAL), context);
          assertEquals(1, store.referencing(hold.id())
              .count(e -> e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE), context);
          assertEquals(1, store.entries(refunded, 1, 1_000).map(Entry::idempotencyKey)
              .filter(k -> k.value().endsWith("-refund")).distinct().size(), context);
          // The cup's one unit and the member's one use are given back exactly.
          assertEquals(0, store.counter("reward-stock:" + CUP), context);
          assertEquals(0, store.counter("reward-limit:" + CUP + ":" + cancelled + ":" + LimitPeriod.EVER.label(
              LocalDate.ofInstant(nodes.clock.instant(), ZoneOffset.UTC))), context);
          assertTrue(Fixtures.accepted(nodes.loyalty[1].verify(held)).isIntact(), context);
        }
      } finally {
        pool.shutdownNow();
      }
    });
  }

  private static Callable<Void> duel(CyclicBarrier go, java.util.List<Either<LoyaltyError, ?>> answers,
      Supplier<? extends Either<LoyaltyError, ?>> request) {
    return () -> {
      go.await();
      answers.add(resending(() -> Either.<LoyaltyError, Object>narrow(request.get())));
      return null;
    };
  }

  // (5): one idempotency key from both nodes at once.

  private static final int KEY_ROUNDS = 40;

  private static void sameKey(TestDatabase database) {
    assertTimeoutPreemptively(DEADLINE, () -> {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try (Nodes nodes = new Nodes(database)) {
        MemberId member = MemberId.of("keyed");
        Fixtures.enrolled(nodes.loyalty[0], member);
        for (int round = 0; round < KEY_ROUNDS; round++) {
          boolean same = round % 2 == 0;
          IdempotencyKey key = IdempotencyKey.of("k" + round);
          CyclicBarrier go = new CyclicBarrier(2);
          java.util.List<Future<Either<LoyaltyError, Receipt>>> sent = new ArrayList<>();
          for (int side = 0; side < 2; side++) {
            Loyalty node = nodes.loyalty[side];
            long points = same ? 5 : 5 + side;
            sent.add(pool.submit(() -> {
              go.await();
              return resending(() -> node.credit(Credit.of(member, Points.of(points), "Visit", key)));
            }));
          }
          Either<LoyaltyError, Receipt> a = sent.get(0).get();
          Either<LoyaltyError, Receipt> b = sent.get(1).get();
          String context = "round " + round + ": " + a + " / " + b;
          List<Entry> written = nodes.stores[round % 2].entries(member, 1, 1_000).filter(e -> e.idempotencyKey().equals(key));
          assertEquals(1, written.size(), context);
          if (same) {
            assertTrue(a.isRight() && b.isRight(), context);
            assertEquals(a.get(), b.get(), context);
            assertEquals(List.of(written.head().id()), a.get().entries().map(Entry::id), context);
          } else {
            assertTrue(a.isRight() != b.isRight(), context);
            Receipt winner = a.isRight() ? a.get() : b.get();
            assertInstanceOf(LoyaltyError.IdempotencyConflict.class, (a.isLeft() ? a : b).getLeft(), context);
            assertEquals(List.of(written.head().id()), winner.entries().map(Entry::id), context);
            assertEquals(winner.entries().head().points(), written.head().points(), context);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    });
  }
}
