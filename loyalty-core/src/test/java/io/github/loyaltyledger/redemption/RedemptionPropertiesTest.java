package io.github.loyaltyledger.redemption;

import static io.github.loyaltyledger.Fixtures.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.ForwardingStore;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.event.LoyaltyEvent;
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
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
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
    return ops(9);
  }

  /** Operations of types 0 to {@code last}: see {@link World#step}. */
  static Gen<Op> ops(int last) {
    return integers().between(0, last).zip(integers().between(0, MEMBERS - 1), integers().between(1, 400),
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

  /**
   * Over random scripts that also send accepted requests again (the same request, or another under
   * its key), suspend, reactivate and close members, reverse credits, adjust balances down, and
   * switch the program between two versions, under each negative-balance policy:
   * every replay answers the first result and another request under a used key is refused with
   * {@code IdempotencyConflict}, both committing and publishing nothing, whatever happened since
   * (the member suspended or closed, the hold expired or resolved, the program changed); every
   * refusal commits and publishes nothing; and the invariants hold after every step.
   */
  @Test
  void everyReplayAnswersTheFirstResultAndNoRefusalWritesAnything() {
    qt().withExamples(EXAMPLES / 4)
        .forAll(integers().between(0, 5), lists().of(ops(16)).ofSizeBetween(1, 50))
        .checkAssert((policy, script) -> {
          World world = new World(policy % 2 == 0 ? ReturnedPoints.DEFAULT : ReturnedPoints.expireAtOnce(),
              NegativeBalancePolicy.values()[policy / 2]);
          for (Op op : script) {
            world.step(op);
            world.checkInvariants();
          }
        });
  }

  /** Random payment terms and a payment under them: see {@link #aPaymentHoldCapturedIsThePaymentPayWithPointsMakes}. */
  record Payment(int ratePoints, int rateMinor, int minimum, int sharePercent, int basketMinor, int offered, int balance) {

    PaymentTerms terms() {
      return new PaymentTerms(Points.of(ratePoints), Money.ofMinor(CurrencyUnit.EUR, rateMinor), Points.of(minimum),
          java.math.BigDecimal.valueOf(sharePercent, 2));
    }

    Money basket() {
      return Money.ofMinor(CurrencyUnit.EUR, basketMinor);
    }
  }

  static Gen<Payment> payments() {
    return integers().between(1, 500).zip(integers().between(1, 500), integers().between(0, 300),
            integers().between(1, 100), (a, b, c, d) -> new int[] {a, b, c, d})
        .zip(integers().between(1, 100_000), integers().between(1, 20_000), integers().between(0, 20_000),
            (t, basket, offered, balance) -> new Payment(t[0], t[1], t[2], t[3], basket, offered, balance));
  }

  /** A facade on a store of its own whose catalogue has one reward, points as payment under {@code terms}, and members with {@code balance}. */
  static Loyalty payingFacade(PaymentTerms terms, long balance, MemberId... members) {
    Loyalty loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").rewards(RewardCatalog.builder()
            .tiers(TierSource.NONE).reward(Reward.builder(Fixtures.PAY, "Pay with points",
                new RewardKind.PointsAsPayment(terms), Points.of(1)).build()).build()).build())
        .store(new InMemoryLedgerStore()).clock(TestClock.at(Fixtures.START)).build();
    for (MemberId m : members) {
      accepted(loyalty.enrol(Enrolment.of(m, IdempotencyKey.of("enrol-" + m))));
      if (balance > 0) {
        accepted(loyalty.credit(Credit.of(m, Points.of(balance), "Purchase", IdempotencyKey.of("earn-" + m))));
      }
    }
    return loyalty;
  }

  /**
   * For random terms, baskets, offers and balances, holding a payment and capturing the hold ends as
   * paying with points does: the same refusal, or the same points charged, money applied and balance.
   */
  @Test
  void aPaymentHoldCapturedIsThePaymentPayWithPointsMakes() {
    MemberId m = MemberId.of("m");
    qt().withExamples(EXAMPLES / 4).forAll(payments()).checkAssert(p -> {
      Loyalty paying = payingFacade(p.terms(), p.balance(), m);
      Loyalty holding = payingFacade(p.terms(), p.balance(), m);
      PointsPayment payment = new PointsPayment(m, Fixtures.PAY, p.basket(), Points.of(p.offered()), TILL,
          IdempotencyKey.of("pay"));
      Either<LoyaltyError, Redemption> paid = paying.payWithPoints(payment);
      Either<LoyaltyError, Redemption> captured = holding.authorize(payment, Duration.ofMinutes(15))
          .flatMap(hold -> {
            assertEquals(paid.map(Redemption::moneyApplied).getOrElse(Option.none()), hold.moneyApplied());
            return holding.capture(hold.id(), IdempotencyKey.of("capture"));
          });
      assertEquals(paid.isLeft(), captured.isLeft(), () -> paid + " / " + captured);
      if (paid.isLeft()) {
        assertEquals(paid.getLeft(), captured.getLeft());
      } else {
        assertEquals(paid.get().points(), captured.get().points());
        assertEquals(paid.get().moneyApplied(), captured.get().moneyApplied());
      }
      assertEquals(accepted(paying.balance(m)), accepted(holding.balance(m)));
      assertEquals(accepted(paying.lots(m)), accepted(holding.lots(m)));
    });
  }

  /**
   * For random payments and random partial returns of them, then a whole cancellation: each return
   * gives back the floor of its share of the points charged (money returned / money applied), except
   * the one that completes the money, which gives back every point left; no return gives back more
   * than is left, and all of them together give back exactly the points charged, restoring the
   * balance and lots.
   */
  @Test
  void partialReturnsThenAWholeCancellationGiveBackExactlyThePointsCharged() {
    MemberId m = MemberId.of("m");
    qt().withExamples(EXAMPLES / 4).forAll(payments(), lists().of(integers().between(1, 1_000_000)).ofSizeBetween(0, 6))
        .checkAssert((p, returns) -> {
          Loyalty loyalty = payingFacade(p.terms(), p.balance(), m);
          Balance before = accepted(loyalty.balance(m));
          Object lots = accepted(loyalty.lots(m));
          Either<LoyaltyError, Redemption> paid = loyalty.payWithPoints(new PointsPayment(m, Fixtures.PAY, p.basket(),
              Points.of(p.offered()), TILL, IdempotencyKey.of("pay")));
          if (paid.isLeft()) {
            return;
          }
          Redemption payment = paid.get();
          long appliedMinor = payment.moneyApplied().get().getAmountMinorLong();
          long charged = payment.points().value();
          long moneyLeft = appliedMinor;
          long pointsBack = 0;
          int step = 0;
          for (int r : returns) {
            if (moneyLeft == 0) {
              break;
            }
            long minor = 1 + r % moneyLeft;
            Entry entry = accepted(loyalty.cancelRedemption(payment.entry(), Money.ofMinor(CurrencyUnit.EUR, minor),
                "returned", IdempotencyKey.of("return-" + step++))).entries().single();
            moneyLeft -= minor;
            long expected = moneyLeft == 0 ? charged - pointsBack
                : java.math.BigInteger.valueOf(charged).multiply(java.math.BigInteger.valueOf(minor))
                    .divide(java.math.BigInteger.valueOf(appliedMinor)).longValueExact();
            assertEquals(expected, entry.points().value());
            pointsBack += expected;
            assertTrue(pointsBack <= charged, "gave back " + pointsBack + " of " + charged);
          }
          if (moneyLeft > 0) {
            Entry rest = accepted(loyalty.cancelRedemption(payment.entry(), "returned", IdempotencyKey.of("rest")))
                .entries().single();
            assertEquals(charged - pointsBack, rest.points().value());
          }
          assertEquals(before, accepted(loyalty.balance(m)));
          assertEquals(lots, accepted(loyalty.lots(m)));
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
   * Each request sent at once to two nodes (two facades on one store) under one key, as a till's
   * retry after a timeout may be: both nodes answer alike (the first receipt, or the same refusal),
   * and the request is written once.
   */
  @Test
  void theSameRequestSentToTwoNodesAtOnceAnswersAlikeOnBoth() {
    qt().withExamples(Math.max(1, EXAMPLES / 50))
        .forAll(lists().of(ops()).ofSize(30))
        .checkAssert(script -> {
          World world = new World(ReturnedPoints.DEFAULT);
          Loyalty other = world.facade(world.firstVersion);
          accepted(world.loyalty.credit(Credit.of(world.members.get(0), Points.of(1000), "seed", world.key())));
          ExecutorService pool = Executors.newFixedThreadPool(2);
          try {
            for (Op op : script) {
              MemberId m = world.members.get(0);
              IdempotencyKey k = world.key();
              EntryId hold = world.pick(world.holds, op.amount());
              EntryId redemption = world.pick(world.redemptions, op.amount());
              int type = op.type() % 6;
              if ((type == 2 || type == 3) && hold == null || type == 4 && redemption == null) {
                continue;
              }
              Function<Loyalty, Either<LoyaltyError, Object>> request = node -> switch (type) {
                case 0 -> node.redeem(m, REWARDS.get(op.aux() % REWARDS.size()), TILL, k).map(r -> (Object) r);
                case 1 -> node.authorize(Authorization.points(m, Points.of(op.amount()), Duration.ofMinutes(15), TILL, k))
                    .map(h -> (Object) h);
                case 2 -> node.capture(hold, k).map(r -> (Object) r);
                case 3 -> node.voidHold(hold, "void", k).map(r -> (Object) r);
                case 4 -> node.cancelRedemption(redemption, "cancel", k).map(r -> (Object) r);
                default -> node.credit(Credit.of(m, Points.of(op.amount()), "purchase", k)).map(r -> (Object) r);
              };
              CountDownLatch start = new CountDownLatch(1);
              Future<Either<LoyaltyError, Object>> here = pool.submit(() -> {
                start.await();
                return request.apply(world.loyalty);
              });
              Future<Either<LoyaltyError, Object>> there = pool.submit(() -> {
                start.await();
                return request.apply(other);
              });
              start.countDown();
              Either<LoyaltyError, Object> first = here.get();
              assertEquals(first, there.get(), "both nodes answer alike");
              first.forEach(answer -> {
                if (answer instanceof Hold h) {
                  world.holds.add(h.id());
                } else if (answer instanceof Redemption r) {
                  world.redemptions.add(r.entry());
                }
              });
              assertEquals(first.map(World::receiptOf).map(r -> r.entries().size()).getOrElse(0),
                  world.store.entries(m, 1, 100_000).count(e -> e.idempotencyKey().equals(k)), "written once");
            }
          } catch (Exception e) {
            throw new AssertionError(e);
          } finally {
            pool.shutdown();
          }
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

  /** An accepted request: how to send it again, another request under its key, and its answer. */
  record Sent(Function<Loyalty, Either<LoyaltyError, Object>> request, Function<Loyalty, Either<LoyaltyError, Object>> other,
      Object answer, IdempotencyKey key) {}

  /** The in-memory store, counting the commits it made. */
  static final class Watched extends ForwardingStore {
    final AtomicLong commits = new AtomicLong();

    Watched(InMemoryLedgerStore inner) {
      super(inner);
    }

    @Override
    public CommitOutcome commit(Commit commit) {
      CommitOutcome outcome = super.commit(commit);
      if (outcome == CommitOutcome.COMMITTED) {
        commits.incrementAndGet();
      }
      return outcome;
    }
  }

  /**
   * A ledger with the Bean Club catalogue, the holds and redemptions the test made, the requests it
   * sent that were accepted (to send again), the events published and, on the facade's side of the
   * store, a count of the commits made.
   */
  static final class World {
    final TestClock clock = TestClock.at(Fixtures.START);
    final Watched store = new Watched(new InMemoryLedgerStore());
    final LoyaltyProgram firstVersion;
    /** The next version: the gift card costs more, and 5.00 off is withdrawn. */
    final LoyaltyProgram secondVersion;
    volatile Loyalty loyalty;
    final java.util.List<MemberId> members = new java.util.ArrayList<>();
    final ConcurrentLinkedQueue<EntryId> holds = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<EntryId> redemptions = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<EntryId> credits = new ConcurrentLinkedQueue<>();
    final NegativeBalancePolicy negative;
    final java.util.List<LoyaltyEvent> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    final AtomicInteger keys = new AtomicInteger();
    volatile boolean concurrent;

    World(ReturnedPoints policy) {
      this(policy, NegativeBalancePolicy.REFUSE);
    }

    World(ReturnedPoints policy, NegativeBalancePolicy negative) {
      this.negative = negative;
      firstVersion = LoyaltyProgram.builder("bean-club").negativeBalancePolicy(negative)
          .rewards(Fixtures.aCatalogWithoutTiers(policy)).build();
      RewardCatalog.Builder next = RewardCatalog.builder().tiers(TierSource.NONE).returnedPoints(policy);
      firstVersion.rewards().list().filter(r -> !r.id().equals(Fixtures.FIVE_OFF))
          .map(r -> r.id().equals(Fixtures.GIFT_CARD)
              ? Reward.builder(r.id(), r.name(), r.kind(), Points.of(250)).stock(2).build() : r)
          .forEach(next::reward);
      secondVersion = firstVersion.toBuilder().rewards(next.build()).build();
      loyalty = facade(firstVersion);
      for (int i = 0; i < MEMBERS; i++) {
        MemberId m = MemberId.of("m" + i);
        members.add(m);
        accepted(loyalty.enrol(Enrolment.of(m, key())));
      }
    }

    Loyalty facade(LoyaltyProgram program) {
      return Loyalty.builder().program(program).store(store).clock(clock).maxAttempts(10_000)
          .listener(events::add).build();
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
      IdempotencyKey k = key();
      switch (op.type()) {
        case 0 -> {
          Credit c = Credit.of(m, amount, "purchase", k);
          Credit credit = op.aux() % 2 == 0 ? c.expiringAt(clock.instant().plus(Duration.ofDays(op.aux() + 1))) : c;
          send(l -> l.credit(credit), l -> l.credit(Credit.of(m, amount.plus(Points.of(1)), "purchase", k)))
              .forEach(r -> credits.add(r.entries().head().id()));
        }
        case 1 -> send(l -> l.redeem(m, REWARDS.get(op.aux() % REWARDS.size()), TILL, k),
            l -> l.redeem(m, REWARDS.get((op.aux() + 1) % REWARDS.size()), TILL, k))
            .forEach(r -> redemptions.add(r.entry()));
        case 2 -> send(l -> l.payWithPoints(new PointsPayment(m, Fixtures.PAY,
                Money.ofMinor(CurrencyUnit.EUR, op.amount() * 3L), amount, TILL, k)),
            l -> l.payWithPoints(new PointsPayment(m, Fixtures.PAY,
                Money.ofMinor(CurrencyUnit.EUR, op.amount() * 3L), amount.plus(Points.of(1)), TILL, k)))
            .forEach(r -> redemptions.add(r.entry()));
        case 3 -> {
          Duration ttl = Duration.ofMinutes(op.aux() + 1);
          Authorization a = op.aux() % 3 == 0
              ? Authorization.reward(m, REWARDS.get(op.aux() % REWARDS.size()), ttl, TILL, k)
              : Authorization.points(m, amount, ttl, TILL, k);
          send(l -> l.authorize(a), l -> l.authorize(Authorization.points(m, amount, ttl.plusMinutes(1), TILL, k)))
              .forEach(h -> holds.add(h.id()));
        }
        case 4 -> {
          EntryId h = pick(holds, op.amount());
          if (h != null) {
            Option<Points> part = op.aux() % 2 == 0 ? Option.none() : Option.some(Points.of(op.aux()));
            givesBack(h.member(), () -> send(l -> part.isEmpty() ? l.capture(h, k) : l.capture(h, part.get(), k),
                l -> l.capture(h, Points.of(1_000_000), k)).forEach(r -> redemptions.add(r.entry())));
          }
        }
        case 5 -> {
          EntryId h = pick(holds, op.amount());
          if (h != null) {
            givesBack(h.member(), () -> send(l -> l.voidHold(h, "void", k), l -> l.voidHold(h, "void again", k)));
          }
        }
        case 6 -> {
          EntryId r = pick(redemptions, op.amount());
          if (r != null) {
            givesBack(r.member(), () -> send(l -> l.cancelRedemption(r, "cancel", k),
                l -> l.cancelRedemption(r, "cancel again", k)));
          }
        }
        case 7 -> {
          Instant asOf = clock.instant();
          givesBack(m, () -> send(l -> l.releaseExpiredHolds(m, asOf, k),
              l -> l.releaseExpiredHolds(m, asOf.minusSeconds(1), k)));
        }
        case 8 -> clock.advance(Duration.ofMinutes(op.aux() * 5L + 1).multipliedBy(op.aux() > 8 ? 300 : 1));
        case 9 -> {
          Instant asOf = clock.instant();
          send(l -> l.expire(m, asOf, k), l -> l.expire(m, asOf.minusSeconds(1), k));
        }
        case 10 -> {
          Sent first = pick(sent, op.amount());
          if (first != null) {
            unchangedBy(() -> assertEquals(Either.right(first.answer()), first.request().apply(loyalty),
                "a replay answers the first result"));
          }
        }
        case 11 -> {
          Sent first = pick(sent, op.amount());
          if (first != null) {
            unchangedBy(() -> assertEquals(Either.left(new LoyaltyError.IdempotencyConflict(first.key())),
                first.other().apply(loyalty), "another request under a used key"));
          }
        }
        case 12 -> send(l -> l.suspend(m, "fraud check", k), l -> l.suspend(m, "other check", k));
        case 13 -> send(l -> op.aux() == 0 ? l.close(m, "left", k) : l.reactivate(m, "cleared", k),
            l -> l.reactivate(m, "cleared again", k));
        case 14 -> loyalty = facade(loyalty.program().version() == 1 ? secondVersion : firstVersion);
        case 15 -> {
          EntryId c = pick(credits, op.amount());
          if (c != null) {
            send(l -> l.reverse(Reversal.of(c, "returned", k)), l -> l.reverse(Reversal.of(c, "returned twice", k)));
          }
        }
        default -> send(l -> l.adjust(Adjustment.of(m, amount.negated(), "correction", "ops", k)),
            l -> l.adjust(Adjustment.of(m, amount, "correction", "ops", k)));
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

    /**
     * Sends a request, and {@code other}, another request under its key, to the facade in force
     * at each call. A refusal must write nothing and publish nothing (checked unless other threads
     * are writing); an accepted request is remembered for replays.
     */
    <T> Option<T> send(Function<Loyalty, Either<LoyaltyError, T>> request, Function<Loyalty, Either<LoyaltyError, ?>> other) {
      Object before = concurrent ? null : List.ofAll(members).map(this::storedState);
      long commitsBefore = store.commits.get();
      int eventsBefore = events.size();
      Either<LoyaltyError, T> result = request.apply(loyalty);
      assertFalse(result.isLeft() && result.getLeft() instanceof LoyaltyError.ConcurrentModification, "gave up retrying");
      if (!concurrent && result.isLeft()) {
        assertEquals(before, List.ofAll(members).map(this::storedState), "a refusal wrote something: " + result.getLeft());
        assertEquals(commitsBefore, store.commits.get(), "a refusal committed: " + result.getLeft());
        assertEquals(eventsBefore, events.size(), "a refusal published events: " + result.getLeft());
        if (result.getLeft() instanceof LoyaltyError.InsufficientPoints refusal) {
          assertEquals(store.account(refusal.member()).get().balance().held(), refusal.held(),
              "a refusal for want of points says how many open holds hold");
        }
      }
      result.forEach(answer -> sent.add(new Sent(request.andThen(r -> r.map(a -> (Object) a)),
          other.andThen(r -> r.map(a -> (Object) a)), answer, keyOf(answer))));
      return result.toOption();
    }

    /** Runs a replay or a conflicting request: neither may write or publish anything. */
    void unchangedBy(Runnable request) {
      Object before = List.ofAll(members).map(this::storedState);
      long commitsBefore = store.commits.get();
      int eventsBefore = events.size();
      request.run();
      assertEquals(before, List.ofAll(members).map(this::storedState), "a replay or conflict wrote something");
      assertEquals(commitsBefore, store.commits.get(), "a replay or conflict committed");
      assertEquals(eventsBefore, events.size(), "a replay or conflict published events");
    }

    private static IdempotencyKey keyOf(Object answer) {
      return receiptOf(answer).key();
    }

    /** The receipt of a request's answer: a redemption's, a hold's, or the receipt itself. */
    static io.github.loyaltyledger.ledger.Receipt receiptOf(Object answer) {
      if (answer instanceof Redemption r) {
        return r.receipt();
      }
      return answer instanceof Hold h ? h.receipt() : (io.github.loyaltyledger.ledger.Receipt) answer;
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
        assertTrue(negative == NegativeBalancePolicy.ALLOW_NEGATIVE || !balance.available().isNegative(),
            "available never below zero");
        Points open = Points.ZERO;
        List<EntryId> openIds = List.empty();
        for (Entry e : entries) {
          List<Entry> refs = store.referencing(e.id());
          if (e.kind() == EntryKind.HOLD) {
            long resolutions = refs.count(r -> r.kind() == EntryKind.CAPTURE || r.kind() == EntryKind.RELEASE);
            assertTrue(resolutions <= 1, "a hold resolves at most once");
            if (resolutions == 0) {
              openIds = openIds.append(e.id());
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
        // A till that lost a hold finds it, as authorize answered it, among the member's open holds.
        List<Hold> listed = accepted(loyalty.openHolds(m));
        assertEquals(openIds, listed.map(Hold::id), "openHolds lists the open holds, oldest first");
        assertEquals(balance.held(), listed.map(Hold::points).foldLeft(Points.ZERO, Points::plus),
            "the open holds listed add up to the held balance");
        for (Hold h : listed) {
          assertTrue(sent.stream().filter(s -> s.answer() instanceof Hold a && a.id().equals(h.id()))
              .allMatch(s -> h.equals(s.answer())), "a listed hold is what authorize answered: " + h);
        }
        Points lots = account.lots().filter(l -> !l.pending()).map(Lot::remaining).foldLeft(Points.ZERO, Points::plus);
        // In deficit (ALLOW_NEGATIVE) there is no lot left: the next points repay the deficit first.
        assertEquals(balance.available().max(Points.ZERO), lots, "the lots add up to the available balance");
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
