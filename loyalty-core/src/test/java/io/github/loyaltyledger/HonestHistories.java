package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.eur;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EventAward;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.earning.UnitBonus;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.control.Either;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Histories the library writes, for checking that {@link Loyalty#verify} says intact for every one
 * of them over a store: random sequences of every operation that writes entries (purchases earning
 * pending, vesting and expiring lots, refunds by amount and by lines, custom events, credits, debits
 * and adjustments with expiries and back-dated, reversals, transfers, holds of points and of
 * payments with their captures, voids and time-outs, payments with points and their partial and
 * whole returns, redemptions, purchases reassigned to another member, expiry and vesting runs (and
 * inactivity's, pending points too) with a
 * grace period for returned points, and members suspended, closed and erased), under a
 * {@link NegativeBalancePolicy}, each member verified after every step. Published in the test jar
 * with the store contracts: a store of yours runs {@link #check} over random scripts of
 * {@link Op}s, as loyalty-jpa's {@code VerifyHonestHistoriesOnH2Test} does.
 */
public final class HonestHistories {

  /** How many members a history has. */
  static final int MEMBERS = 3;

  /**
   * The highest {@link Op#type()}: a store's test that draws op types draws them from 0 to this, so
   * that it plays every operation, those added later too.
   */
  public static final int LAST_OP = 22;
  private static final Channel TILL = Channel.store("S-1");

  private HonestHistories() {}

  /**
   * One generated operation: what, to whom, how much, and an auxiliary choice.
   *
   * @param type which operation, 0 to {@value #LAST_OP}
   * @param member which member, 0 to 2
   * @param amount how much, 1 to 300
   * @param aux an auxiliary choice, 0 to 9
   */
  public record Op(int type, int member, int amount, int aux) {}

  /**
   * Operations of every kind, over {@value #MEMBERS} members, for the core's own property (a store's
   * test draws {@link Op}s from QuickTheories' integers, as loyalty-jpa's does: a public method
   * cannot answer QuickTheories' types from this module's tests).
   *
   * @return the generator
   */
  static Gen<Op> ops() {
    // Weighted towards credits, holds and payments, which need points to be accepted at all.
    java.util.List<Integer> weighted = java.util.List.of(0, 0, 1, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8, 9, 9, 10, 10, 11, 11, 11, 12, 12,
        13, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22);
    return Generate.pick(weighted).zip(integers().between(0, MEMBERS - 1), integers().between(1, 300),
        integers().between(0, 9), Op::new);
  }

  /**
   * The program the histories run under: a base rate whose points expire, a bonus per bag of beans
   * that vests after three days, an award for a survey that expires in ten days, points kept a year
   * by default, and the Bean Club catalogue with 30 days' grace for points given back after expiry.
   *
   * @param policy the negative-balance policy
   * @return the program
   */
  public static LoyaltyProgram program(NegativeBalancePolicy policy) {
    return LoyaltyProgram.builder("bean-club")
        .rewards(Fixtures.aCatalogWithoutTiers(ReturnedPoints.DEFAULT))
        .negativeBalancePolicy(policy)
        .lotExpiry(FixedTermExpiry.days(365))
        .earnRules(RuleBook.of(
            BaseRate.of("base", "1").with(RuleTerms.DEFAULT.expiringAfter(Period.ofDays(20))),
            UnitBonus.of("beans", "BEANS", 15).with(RuleTerms.DEFAULT.asBonus().vestingAfter(Duration.ofDays(3))),
            EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 30).with(RuleTerms.DEFAULT.expiringAfter(Period.ofDays(10)))))
        .build();
  }

  /**
   * Runs {@code script} on a fresh {@code store} and asserts that every member verifies after every
   * step, and after the members are suspended, closed or erased at the end.
   *
   * @param store an empty store
   * @param policy the negative-balance policy
   * @param script the operations
   */
  public static void check(LedgerStore store, NegativeBalancePolicy policy, java.util.List<Op> script) {
    World world = new World(store, policy);
    for (Op op : script) {
      world.step(op);
      world.verifyAll("after " + op);
    }
    world.end(script.isEmpty() ? 0 : script.get(0).aux());
    world.verifyAll("after the members' ends");
  }

  /**
   * Plays {@code script} on a fresh {@code store}, without verifying or ending the members, for
   * checking what else must hold of the histories the library writes (the read models agreeing
   * with one another, say).
   *
   * @param store an empty store
   * @param clock the clock the facade reads, at {@link Fixtures#START}; the script moves it on
   * @param policy the negative-balance policy
   * @param script the operations
   * @return the facade the script was played through, over {@code store} and {@code clock}
   */
  public static Loyalty play(LedgerStore store, TestClock clock, NegativeBalancePolicy policy, java.util.List<Op> script) {
    World world = new World(store, clock, policy);
    script.forEach(world::step);
    return world.loyalty;
  }

  /**
   * The members of every history, enrolled in this order.
   *
   * @return their ids
   */
  public static java.util.List<MemberId> members() {
    java.util.List<MemberId> members = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      members.add(MemberId.of("m" + i));
    }
    return members;
  }

  /** A ledger under test, with what the test remembers of what it wrote. */
  private static final class World {
    final TestClock clock;
    final LedgerStore store;
    final Loyalty loyalty;
    final java.util.List<MemberId> members = new ArrayList<>();
    final java.util.List<IdempotencyKey> purchases = new ArrayList<>();
    final java.util.List<Purchase> bought = new ArrayList<>();
    final java.util.List<Hold> holds = new ArrayList<>();
    final java.util.List<Redemption> payments = new ArrayList<>();
    int keys;

    World(LedgerStore store, NegativeBalancePolicy policy) {
      this(store, TestClock.at(Fixtures.START), policy);
    }

    World(LedgerStore store, TestClock clock, NegativeBalancePolicy policy) {
      this.clock = clock;
      this.store = store;
      this.loyalty = Loyalty.builder().program(program(policy)).store(store).clock(clock).build();
      for (MemberId m : members()) {
        members.add(m);
        Fixtures.accepted(loyalty.enrol(Enrolment.of(m, key())));
      }
    }

    IdempotencyKey key() {
      return IdempotencyKey.of("key-" + keys++);
    }

    <T> T pick(java.util.List<T> from, int n) {
      return from.get(n % from.size());
    }

    void step(Op op) {
      MemberId m = members.get(op.member());
      Points amount = Points.of(op.amount());
      Instant now = clock.instant();
      switch (op.type()) {
        case 0 -> {
          IdempotencyKey transaction = key();
          Instant at = op.aux() < 3 ? now.minus(Duration.ofDays(op.aux() * 4L)) : now;
          Purchase purchase = Fixtures.aPurchase(m, transaction, at,
              Fixtures.line("A", 1 + op.aux() % 3, (op.amount() / 10 + 1) + ".00"), Fixtures.line("BEANS", 1 + op.aux() % 2, "4.00"));
          Either<LoyaltyError, Receipt> earned = loyalty.earn(purchase);
          if (earned.isRight()) {
            purchases.add(transaction);
            bought.add(purchase);
          }
        }
        case 1 -> {
          if (!purchases.isEmpty()) {
            loyalty.refund(Refund.ofAmount(pick(purchases, op.amount()), key(), eur((op.amount() % 20 + 1) + ".00")));
          }
        }
        case 2 -> {
          if (!purchases.isEmpty()) {
            loyalty.refund(Refund.ofLines(pick(purchases, op.amount()), key(),
                new ReturnedLine(op.aux() % 2 == 0 ? "BEANS" : "A", 1 + op.aux() % 2)));
          }
        }
        case 3 -> loyalty.earn(CustomEvent.of(m, key(), CustomEvent.SURVEY_COMPLETED, now.minus(Duration.ofDays(op.aux() % 3)), TILL));
        case 4 -> {
          Credit credit = Credit.of(m, amount, "Goodwill", key());
          if (op.aux() % 3 == 0) {
            // Hours, so that points held or spent often expire before they come back (grace lots).
            credit = credit.expiringAt(now.plus(Duration.ofHours(12L * op.aux() + 6)));
          }
          if (op.aux() % 4 == 1) {
            credit = credit.vestingAt(now.plus(Duration.ofDays(op.aux() % 5 + 1L)));
          }
          if (op.aux() >= 7) {
            credit = credit.occurredAt(now.minus(Duration.ofDays(op.aux())));
          }
          loyalty.credit(op.aux() == 5 ? credit.ofKind(EntryKind.BONUS) : credit);
        }
        case 5 -> {
          Debit debit = Debit.of(m, amount, "Coffee", key());
          loyalty.debit(op.aux() >= 7 ? debit.occurredAt(now.minus(Duration.ofHours(op.aux()))) : debit);
        }
        case 6 -> {
          Adjustment adjustment = Adjustment.of(m, op.aux() % 2 == 0 ? amount : amount.negated(), "Fix", "ops", key());
          loyalty.adjust(op.aux() % 4 == 0 ? adjustment.expiringAt(now.plus(Duration.ofDays(op.aux() + 2L))) : adjustment);
        }
        case 7 -> {
          java.util.List<Entry> reversible = store.entries(m, 1, 100_000).filter(e -> e.kind() != EntryKind.TIER).asJava();
          if (!reversible.isEmpty()) {
            EntryId target = reversible.get(reversible.size() - 1 - op.amount() % reversible.size()).id();
            loyalty.reverse(Reversal.of(target, "Undo", key()));
          }
        }
        case 8 -> {
          Transfer gift = Transfer.of(m, members.get((op.member() + 1 + op.aux() % 2) % MEMBERS), amount, "Gift", key());
          loyalty.transfer(op.aux() % 2 == 0 ? gift : gift.expiringAt(now.plus(Duration.ofDays(op.aux()))));
        }
        case 9 -> loyalty.authorize(Authorization.points(m, Points.of(op.amount() / 4 + 1), Duration.ofHours(1 + op.aux() * 12L), TILL, key()))
            .forEach(holds::add);
        case 10 -> loyalty.authorize(new PointsPayment(m, Fixtures.PAY, eur((op.amount() / 5 + 2) + ".00"), amount, TILL, key()),
            Duration.ofHours(1 + op.aux() * 12L)).forEach(holds::add);
        case 11 -> {
          if (!holds.isEmpty()) {
            Hold h = holds.remove(op.amount() % holds.size());
            if (op.aux() < 5) {
              Either<LoyaltyError, Redemption> captured = h.moneyApplied().isDefined() || op.aux() == 0
                  ? loyalty.capture(h.id(), key())
                  : loyalty.capture(h.id(), Points.of(1 + op.amount() % h.points().value()), key());
              captured.toOption().filter(r -> r.moneyApplied().isDefined()).forEach(payments::add);
            } else {
              loyalty.voidHold(h.id(), "Changed mind", key());
            }
          }
        }
        case 12 -> loyalty.payWithPoints(new PointsPayment(m, Fixtures.PAY, eur((op.amount() / 5 + 2) + ".00"), amount, TILL, key()))
            .forEach(payments::add);
        case 13 -> {
          if (!payments.isEmpty()) {
            Redemption paid = pick(payments, op.amount());
            if (op.aux() < 7 && paid.moneyApplied().isDefined()) {
              long minor = paid.moneyApplied().get().getAmountMinorLong();
              loyalty.cancelRedemption(paid.entry(), eur("0.01").multipliedBy(1 + op.amount() % minor),
                  "Returned in part", key());
            } else {
              loyalty.cancelRedemption(paid.entry(), "Returned", key());
            }
          }
        }
        case 14 -> loyalty.redeem(m, Fixtures.FREE_COFFEE, TILL, key()).forEach(r -> payments.add(r));
        case 15 -> loyalty.expire(m, now, key());
        case 16 -> loyalty.vest(m, now, key());
        case 17 -> loyalty.releaseExpiredHolds(m, now, key());
        case 21 -> loyalty.expireInactive(m, now, key());
        case 22 -> {
          // A purchase earned on the wrong card moved to this member (refused when it is theirs already).
          if (!bought.isEmpty()) {
            loyalty.reassign(Reassignment.of(pick(bought, op.amount()), m, key()));
          }
        }
        case 18 -> {
          MemberStatus status = store.account(m).get().member().status();
          if (status == MemberStatus.ACTIVE) {
            loyalty.suspend(m, "Check", key());
          } else if (status == MemberStatus.SUSPENDED) {
            loyalty.reactivate(m, "Checked", key());
          }
        }
        default -> {
          clock.advance(Duration.ofHours(6L + op.aux() * 24L));
          DailyRun.builder(loyalty).build().runDue(clock.instant());
        }
      }
      clock.advance(Duration.ofMinutes(1));
    }

    void end(int how) {
      for (int i = 0; i < MEMBERS; i++) {
        MemberId m = members.get(i);
        switch ((how + i) % 3) {
          case 0 -> loyalty.suspend(m, "Check", key());
          case 1 -> loyalty.close(m, "Bye", key());
          default -> loyalty.erase(m, key());
        }
      }
    }

    void verifyAll(String when) {
      for (MemberId m : members) {
        Verification verification = Fixtures.accepted(loyalty.verify(m));
        assertTrue(verification.isIntact(), m + " " + when + ": " + verification
            + "\n" + store.entries(m, 1, 100_000).mkString("\n") + "\n" + store.account(m).get());
      }
    }
  }
}
