package io.github.loyaltyledger.redemption;

import static io.github.loyaltyledger.Fixtures.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Invariants of redemption over random sequences of earn, redeem, pay, authorize, capture, void,
 * release, cancel and the passing of time, on a few members (also from several threads at once):
 * among them, that giving points back never lowers the available balance.
 */
class RedemptionPropertiesTest {

  private static final int EXAMPLES = Integer.getInteger("QT_EXAMPLES", 1000);
  private static final int MEMBERS = 3;
  private static final Channel TILL = Channel.store("S-1");
  private static final List<RewardId> REWARDS = List.of(Fixtures.FREE_COFFEE, Fixtures.GIFT_CARD, Fixtures.FIVE_OFF);

  /** One generated operation: what, for whom, how much, and an auxiliary choice. */
  record Op(int type, int member, int amount, int aux) {}

  static Gen<Op> ops() {
    return integers().between(0, 9).zip(integers().between(0, MEMBERS - 1), integers().between(1, 400),
        integers().between(0, 11), Op::new);
  }

  @Test
  void everyInvariantHoldsAfterEveryOperation() {
    qt().withExamples(EXAMPLES / 4)
        .forAll(integers().between(0, 1), lists().of(ops()).ofSizeBetween(1, 40))
        .checkAssert((policy, script) -> {
          World world = new World(policy == 0 ? ReturnedPoints.DEFAULT : ReturnedPoints.expireAtOnce());
          for (Op op : script) {
            world.step(op);
            world.checkInvariants();
          }
        });
  }

  @Test
  void redeemingAndCancellingRestoresBalanceLotsStockAndLimitsExactly() {
    qt().withExamples(EXAMPLES / 8)
        .forAll(lists().of(ops()).ofSizeBetween(0, 25), integers().between(0, REWARDS.size() - 1))
        .checkAssert((script, pick) -> {
          World world = new World(ReturnedPoints.DEFAULT);
          script.forEach(world::step);
          MemberId m = world.members.get(0);
          accepted(world.loyalty.expire(m, world.clock.instant(), world.key()));
          Object before = world.memberState(m);
          Either<LoyaltyError, Redemption> redeemed = world.loyalty.redeem(m, REWARDS.get(pick), TILL, world.key());
          if (redeemed.isRight()) {
            accepted(world.loyalty.cancelRedemption(redeemed.get().entry(), "returned", world.key()));
          }
          assertEquals(before, world.memberState(m));
          world.checkInvariants();
        });
  }

  @Test
  void concurrentRequestsKeepEveryInvariant() {
    qt().withExamples(Math.max(1, EXAMPLES / 50))
        .forAll(lists().of(ops()).ofSize(60))
        .checkAssert(script -> {
          World world = new World(ReturnedPoints.DEFAULT);
          for (MemberId m : world.members) {
            accepted(world.loyalty.credit(Credit.of(m, Points.of(2000), "seed", world.key())));
          }
          world.concurrent = true;
          int threads = 4;
          ExecutorService pool = Executors.newFixedThreadPool(threads);
          CountDownLatch start = new CountDownLatch(1);
          java.util.List<Future<?>> done = new java.util.ArrayList<>();
          for (int t = 0; t < threads; t++) {
            List<Op> mine = List.ofAll(script).drop(t * 15).take(15);
            done.add(pool.submit(() -> {
              start.await();
              mine.filter(op -> op.type() != 8).forEach(world::step);
              return null;
            }));
          }
          start.countDown();
          for (Future<?> f : done) {
            try {
              f.get();
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          }
          pool.shutdown();
          world.checkInvariants();
        });
  }

  /**
   * Two nodes (two facades on one store) racing redemptions, reward holds, captures, voids and
   * cancellations of the rewards with a stock and with a monthly limit: the stock is never oversold,
   * no member redeems or holds more than the limit allows, and each counter counts exactly the open
   * holds and uncancelled redemptions that reserved it.
   */
  @Test
  void twoNodesRacingForStockAndLimitsNeverOversellEither() {
    qt().withExamples(Math.max(1, EXAMPLES / 50))
        .forAll(lists().of(ops()).ofSize(48))
        .checkAssert(script -> {
          World world = new World(ReturnedPoints.DEFAULT);
          Loyalty other = Loyalty.builder().program(Fixtures.aProgramWithoutTiers(ReturnedPoints.DEFAULT))
              .store(world.store).clock(world.clock).maxAttempts(10_000).build();
          for (MemberId m : world.members) {
            accepted(world.loyalty.credit(Credit.of(m, Points.of(5000), "seed", world.key())));
          }
          List<RewardId> limited = List.of(Fixtures.GIFT_CARD, Fixtures.FIVE_OFF);
          ExecutorService pool = Executors.newFixedThreadPool(4);
          CountDownLatch start = new CountDownLatch(1);
          java.util.List<Future<?>> done = new java.util.ArrayList<>();
          for (int t = 0; t < 4; t++) {
            Loyalty node = t % 2 == 0 ? world.loyalty : other;
            List<Op> mine = List.ofAll(script).drop(t * 12).take(12);
            done.add(pool.submit(() -> {
              start.await();
              for (Op op : mine) {
                MemberId m = world.members.get(op.member());
                RewardId reward = limited.get(op.aux() % 2);
                EntryId hold = world.pick(world.holds, op.amount());
                EntryId redemption = world.pick(world.redemptions, op.amount());
                Either<LoyaltyError, ?> outcome = switch (op.type() % 5) {
                  case 0 -> node.redeem(m, reward, TILL, world.key()).peek(r -> world.redemptions.add(r.entry()));
                  case 1 -> node.authorize(Authorization.reward(m, reward, Duration.ofMinutes(15), TILL, world.key()))
                      .peek(h -> world.holds.add(h.id()));
                  case 2 -> hold == null ? Either.right(0)
                      : node.capture(hold, world.key()).peek(r -> world.redemptions.add(r.entry()));
                  case 3 -> hold == null ? Either.right(0) : node.voidHold(hold, "void", world.key());
                  default -> redemption == null ? Either.right(0) : node.cancelRedemption(redemption, "cancel", world.key());
                };
                assertFalse(outcome.isLeft() && outcome.getLeft() instanceof LoyaltyError.ConcurrentModification,
                    "gave up retrying");
              }
              return null;
            }));
          }
          start.countDown();
          for (Future<?> f : done) {
            try {
              f.get();
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          }
          pool.shutdown();
          world.checkInvariants();
          String month = LimitPeriod.MONTH.label(LocalDate.ofInstant(world.clock.instant(), ZoneOffset.UTC));
          for (MemberId m : world.members) {
            long reserved = world.store.entries(m, 1, 100_000).count(e -> reservesLimit(world, e));
            long counted = world.store.counter("reward-limit:five-off:" + m + ":" + month);
            assertTrue(counted <= 1, m + " redeemed or holds five-off " + counted + " times this month, limit 1");
            assertEquals(reserved, counted, "the limit counter counts open holds and uncancelled redemptions");
          }
        });
  }

  /** Whether an entry is an open hold or an uncancelled redemption of the reward limited per month. */
  private static boolean reservesLimit(World world, Entry e) {
    if (!e.details().get("reward.id").contains(Fixtures.FIVE_OFF.value())) {
      return false;
    }
    List<Entry> refs = world.store.referencing(e.id());
    return e.kind() == EntryKind.HOLD
        ? !refs.exists(r -> r.kind() == EntryKind.CAPTURE || r.kind() == EntryKind.RELEASE)
        : (e.kind() == EntryKind.REDEEM || e.kind() == EntryKind.CAPTURE) && !refs.exists(r -> r.kind() == EntryKind.REVERSAL);
  }

  /**
   * Whatever reward costs and access a ladder's tiers give (each of three tiers, for each reward: no
   * cost, or 0, 40 or 250 points; listed in its reward access or not), a member of any tier (or none)
   * with any balance sees in {@code availableRewards} the cost the precedence gives (the reward's own
   * cost for the tier, else the tier's, else the list cost) and a tier refusal exactly when the tier
   * may not redeem it (the tiers listing it and those the reward names, once any tier lists it); and
   * {@code redeem} charges that cost when the list says available and refuses with the very reasons
   * listed otherwise.
   */
  @Test
  void whateverRewardBenefitsTheLadderGivesTheListRedemptionAndRefusalsAgree() {
    List<String> tierIds = List.of("green", "silver", "gold");
    List<RewardId> rewards = List.of(Fixtures.FREE_COFFEE, Fixtures.GIFT_CARD, Fixtures.FIVE_OFF, Fixtures.LOUNGE);
    qt().withExamples(EXAMPLES / 4)
        .forAll(lists().of(integers().between(0, 7)).ofSize(tierIds.size() * rewards.size()),
            integers().between(0, tierIds.size()), integers().between(0, 600))
        .checkAssert((benefits, tierPick, balance) -> {
          io.github.loyaltyledger.tier.TierLadder.Builder ladder = io.github.loyaltyledger.tier.TierLadder.builder(
              io.github.loyaltyledger.tier.QualificationWindow.calendarYear());
          for (int t = 0; t < tierIds.size(); t++) {
            io.github.loyaltyledger.tier.TierBenefits given = io.github.loyaltyledger.tier.TierBenefits.standard();
            for (int r = 0; r < rewards.size(); r++) {
              int choice = benefits.get(t * rewards.size() + r);
              if (choice % 4 != 0) {
                given = given.withRewardCost(rewards.get(r).value(), Points.of(List.of(0L, 40L, 250L).get(choice % 4 - 1)));
              }
              if (choice >= 4) {
                given = given.withRewardAccess(rewards.get(r).value());
              }
            }
            ladder.tier(io.github.loyaltyledger.tier.Tier.of(tierIds.get(t), tierIds.get(t),
                t == 0 ? io.github.loyaltyledger.tier.Qualification.none()
                    : io.github.loyaltyledger.tier.Qualification.points(1000L * t)).withBenefits(given));
          }
          Option<String> tier = tierPick == tierIds.size() ? Option.none() : Option.some(tierIds.get(tierPick));
          RewardCatalog catalog = Fixtures.aCatalog((member, at) -> tier, ReturnedPoints.DEFAULT);
          Loyalty loyalty = Loyalty.builder().program(io.github.loyaltyledger.program.LoyaltyProgram.builder("bean-club")
                  .tierLadder(ladder.build()).rewards(catalog).build())
              .store(new InMemoryLedgerStore()).clock(TestClock.at(Fixtures.START)).build();
          MemberId m = MemberId.of("m");
          accepted(loyalty.enrol(Enrolment.of(m, IdempotencyKey.of("enrol"))));
          if (balance > 0) {
            accepted(loyalty.credit(Credit.of(m, Points.of(balance), "seed", IdempotencyKey.of("seed"))));
          }
          for (int r = 0; r < rewards.size(); r++) {
            Reward own = catalog.reward(rewards.get(r)).get();
            int index = r;
            List<String> listing = tierIds.filter(t -> benefits.get(tierIds.indexOf(t) * rewards.size() + index) >= 4);
            Option<Points> tierCost = tier.flatMap(t -> {
              int choice = benefits.get(tierIds.indexOf(t) * rewards.size() + index);
              return choice % 4 == 0 ? Option.none() : Option.some(Points.of(List.of(0L, 40L, 250L).get(choice % 4 - 1)));
            });
            Points expected = tier.flatMap(own.costByTier()::get).orElse(tierCost).getOrElse(own.cost());
            io.vavr.collection.Set<String> allowed = own.tiers().union(listing.toSet());
            boolean gated = !allowed.isEmpty() && !tier.exists(allowed::contains);

            RewardAvailability shown = accepted(loyalty.availableRewards(m, TILL.type()))
                .find(a -> a.reward().id().equals(own.id())).get();
            assertEquals(expected, shown.cost());
            assertEquals(gated, shown.reasons().exists(reason -> reason instanceof UnavailableReason.TierRequired), shown.toString());
            Either<LoyaltyError, Redemption> redeemed = loyalty.redeem(m, own.id(), TILL, IdempotencyKey.of("r-" + r));
            if (shown.isAvailable()) {
              assertEquals(expected, accepted(redeemed).points());
              accepted(loyalty.cancelRedemption(redeemed.get().entry(), "back", IdempotencyKey.of("c-" + r)));
            } else {
              assertEquals(new LoyaltyError.RewardUnavailable(own.id(), shown.reasons()), redeemed.getLeft());
            }
          }
        });
  }

  /** A ledger with the Bean Club catalogue, and the holds and redemptions the test made. */
  static final class World {
    final TestClock clock = TestClock.at(Fixtures.START);
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final Loyalty loyalty;
    final java.util.List<MemberId> members = new java.util.ArrayList<>();
    final ConcurrentLinkedQueue<EntryId> holds = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<EntryId> redemptions = new ConcurrentLinkedQueue<>();
    final AtomicInteger keys = new AtomicInteger();
    volatile boolean concurrent;

    World(ReturnedPoints policy) {
      loyalty = Loyalty.builder().program(Fixtures.aProgramWithoutTiers(policy)).store(store)
          .clock(clock).maxAttempts(10_000).build();
      for (int i = 0; i < MEMBERS; i++) {
        MemberId m = MemberId.of("m" + i);
        members.add(m);
        accepted(loyalty.enrol(Enrolment.of(m, key())));
      }
    }

    IdempotencyKey key() {
      return IdempotencyKey.of("rk-" + keys.incrementAndGet());
    }

    <T> T pick(java.util.Collection<T> from, int i) {
      List<T> all = List.ofAll(from);
      return all.isEmpty() ? null : all.get(i % all.size());
    }

    void step(Op op) {
      MemberId m = members.get(op.member());
      Points amount = Points.of(op.amount());
      switch (op.type()) {
        case 0 -> {
          Credit c = Credit.of(m, amount, "purchase", key());
          send(() -> loyalty.credit(op.aux() % 2 == 0 ? c.expiringAt(clock.instant().plus(Duration.ofDays(op.aux() + 1))) : c));
        }
        case 1 -> send(() -> loyalty.redeem(m, REWARDS.get(op.aux() % REWARDS.size()), TILL, key()))
            .forEach(r -> redemptions.add(r.entry()));
        case 2 -> send(() -> loyalty.payWithPoints(new PointsPayment(m, Fixtures.PAY,
            Money.ofMinor(CurrencyUnit.EUR, op.amount() * 3L), amount, TILL, key())))
            .forEach(r -> redemptions.add(r.entry()));
        case 3 -> {
          Authorization a = op.aux() % 3 == 0
              ? Authorization.reward(m, REWARDS.get(op.aux() % REWARDS.size()), Duration.ofMinutes(op.aux() + 1), TILL, key())
              : Authorization.points(m, amount, Duration.ofMinutes(op.aux() + 1), TILL, key());
          send(() -> loyalty.authorize(a)).forEach(h -> holds.add(h.id()));
        }
        case 4 -> {
          EntryId h = pick(holds, op.amount());
          if (h != null) {
            Option<Points> part = op.aux() % 2 == 0 ? Option.none() : Option.some(Points.of(op.aux()));
            givesBack(h.member(), () -> send(() -> part.isEmpty() ? loyalty.capture(h, key())
                : loyalty.capture(h, part.get(), key())).forEach(r -> redemptions.add(r.entry())));
          }
        }
        case 5 -> {
          EntryId h = pick(holds, op.amount());
          if (h != null) {
            givesBack(h.member(), () -> send(() -> loyalty.voidHold(h, "void", key())));
          }
        }
        case 6 -> {
          EntryId r = pick(redemptions, op.amount());
          if (r != null) {
            givesBack(r.member(), () -> send(() -> loyalty.cancelRedemption(r, "cancel", key())));
          }
        }
        case 7 -> givesBack(m, () -> send(() -> loyalty.releaseExpiredHolds(m, clock.instant(), key())));
        case 8 -> clock.advance(Duration.ofMinutes(op.aux() * 5L + 1).multipliedBy(op.aux() > 8 ? 300 : 1));
        default -> send(() -> loyalty.expire(m, clock.instant(), key()));
      }
    }

    /**
     * Runs a request that gives points back (a capture, void, release or cancellation): it never
     * lowers the member's available balance, whatever it expires at once (checked unless other
     * threads are writing).
     */
    void givesBack(MemberId m, Runnable request) {
      Points before = store.account(m).get().balance().available();
      request.run();
      Points after = store.account(m).get().balance().available();
      assertTrue(concurrent || !after.isLessThan(before), "giving points back took " + before.minus(after) + " from " + m);
    }

    /** Sends a request; a refusal must write nothing (checked unless other threads are writing). */
    <T> Option<T> send(Supplier<Either<LoyaltyError, T>> request) {
      Object before = concurrent ? null : List.ofAll(members).map(this::storedState);
      Either<LoyaltyError, T> result = request.get();
      assertFalse(result.isLeft() && result.getLeft() instanceof LoyaltyError.ConcurrentModification, "gave up retrying");
      if (!concurrent && result.isLeft()) {
        assertEquals(before, List.ofAll(members).map(this::storedState), "a refusal wrote something: " + result.getLeft());
      }
      return result.toOption();
    }

    Object storedState(MemberId m) {
      return List.of(memberState(m), store.entries(m, 1, 100_000));
    }

    /** A member's balance and lots, the rewards' stock counters and the member's limit counter this month. */
    Object memberState(MemberId m) {
      String month = LimitPeriod.MONTH.label(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
      return List.of(store.account(m).get().balance(), store.account(m).get().lots(),
          REWARDS.map(r -> store.counter("reward-stock:" + r)),
          store.counter("reward-limit:five-off:" + m + ":" + month));
    }

    void checkInvariants() {
      java.util.Map<String, Integer> reserved = new java.util.HashMap<>();
      for (MemberId m : members) {
        var account = store.account(m).get();
        List<Entry> entries = store.entries(m, 1, 100_000);
        Balance balance = account.balance();
        assertEquals(entries.map(Entry::points).foldLeft(Points.ZERO, Points::plus), balance.total(), "total is the sum of entries");
        assertFalse(balance.available().isNegative(), "available never below zero");
        Points open = Points.ZERO;
        for (Entry e : entries) {
          List<Entry> refs = store.referencing(e.id());
          if (e.kind() == EntryKind.HOLD) {
            long resolutions = refs.count(r -> r.kind() == EntryKind.CAPTURE || r.kind() == EntryKind.RELEASE);
            assertTrue(resolutions <= 1, "a hold resolves at most once");
            if (resolutions == 0) {
              open = open.plus(e.movements().map(LotMovement::points).foldLeft(Points.ZERO, Points::minus));
              e.details().get("stock.counter").forEach(c -> reserved.merge(c, 1, Integer::sum));
            }
          }
          if (e.kind() == EntryKind.REDEEM || e.kind() == EntryKind.CAPTURE) {
            assertTrue(refs.count(r -> r.kind() == EntryKind.REVERSAL) <= 1, "a redemption is cancelled at most once");
            if (refs.isEmpty()) {
              e.details().get("stock.counter").forEach(c -> reserved.merge(c, 1, Integer::sum));
            }
          }
        }
        assertEquals(open, balance.held(), "held is the sum of the open holds");
        Points lots = account.lots().filter(l -> !l.pending()).map(Lot::remaining).foldLeft(Points.ZERO, Points::plus);
        assertEquals(balance.available(), lots, "the lots add up to the available balance");
        assertTrue(accepted(loyalty.verify(m)).isIntact(), "the chain verifies");
        assertEquals(balance, accepted(loyalty.balanceAsOf(m, clock.instant())), "a replay gives the balance");
      }
      long taken = store.counter("reward-stock:gift-card");
      assertTrue(taken >= 0 && taken <= 2, "stock never below zero: " + taken + " of 2 taken");
      assertEquals(reserved.getOrDefault("reward-stock:gift-card", 0).longValue(), taken,
          "the stock counter counts open holds and uncancelled redemptions");
    }
  }
}
