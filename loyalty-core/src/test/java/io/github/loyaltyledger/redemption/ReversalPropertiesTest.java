package io.github.loyaltyledger.redemption;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Reversals of credits whose points holds took, over random sequences of credit, hold, reverse,
 * void, partial capture, debit ({@code REDEEM} or negative {@code ADJUST}), redemption of a catalogue
 * reward, reversal or cancellation of such a debit, and the passing of time with expiry and the
 * release of expired holds:
 * under every {@link NegativeBalancePolicy}, the balance stays the sum of the entries, the lots hold
 * the available balance (none in a deficit, under {@code ALLOW_NEGATIVE}), the ledger verifies,
 * points of a reversed credit never come back into its lot (under {@code CLAMP}, the spent points
 * its reversal forgave are settled when a cancellation or a debit's reversal gives them back, ADR
 * 0006), also when a reversal of another credit
 * took points from it before it was itself reversed (a chain of reversals) or when later credits or
 * returns repaid the deficit a reversal overdrew, and the insights, replaying the ledger as of each
 * step, find the lots (by expiry) the account held then.
 */
class ReversalPropertiesTest {

  private static final int EXAMPLES = Integer.getInteger("QT_EXAMPLES", 1000);
  private static final Channel TILL = Channel.store("S-1");
  private static final RedemptionRate RATE = RedemptionRate.of(Money.of(CurrencyUnit.EUR, 1), 100);

  /** One generated operation: what, and how much (also which credit or hold). */
  record Op(int type, int amount) {}

  static Gen<Op> ops() {
    return integers().between(0, 9).zip(integers().between(1, 120), Op::new);
  }

  @Test
  void reversedPointsNeverComeBackAndTheBalanceIsTheSumOfTheEntries() {
    qt().withExamples(EXAMPLES / 4)
        .forAll(integers().between(0, 2), lists().of(ops()).ofSizeBetween(1, 30))
        .checkAssert(ReversalPropertiesTest::check);
  }

  /**
   * Credits, debits and redemptions, then the reversal of some credits and the return (cancellation
   * or reversal) of some debits: under {@code CLAMP} the member ends with the same balance whether the
   * credits are reversed before or after the debits come back, and never with more than the same
   * requests leave under {@code ALLOW_NEGATIVE} (at least zero): the spent points a reversal forgave
   * are settled when they come back, as a deficit is repaid (ADR 0006, amendment of 2026-11-28).
   */
  @Test
  void underClampTheBalanceDoesNotDependOnWhetherACreditIsReversedBeforeOrAfterItsSpentPointsComeBack() {
    qt().withExamples(EXAMPLES / 10)
        .forAll(lists().of(integers().between(0, 4).zip(integers().between(1, 120), Op::new)).ofSizeBetween(1, 12),
            integers().allPositive())
        .checkAssert((script, returned) -> {
          long creditsFirst = afterReturns(NegativeBalancePolicy.CLAMP, script, returned, true);
          long debitsFirst = afterReturns(NegativeBalancePolicy.CLAMP, script, returned, false);
          long negative = afterReturns(NegativeBalancePolicy.ALLOW_NEGATIVE, script, returned, true);
          assertEquals(creditsFirst, debitsFirst, "the order of the returns changed the balance");
          assertEquals(negative, afterReturns(NegativeBalancePolicy.ALLOW_NEGATIVE, script, returned, false));
          assertTrue(creditsFirst <= Math.max(0, negative), creditsFirst + " > " + negative);
        });
  }

  /**
   * Runs a script of credits (0, each with an expiry of its own), debits (1), coffee redemptions (2),
   * purchases earning a point per euro (3) and payments with points (4), then reverses the credits
   * (refunds the purchases) and returns the debits whose bit is set in {@code returned}, the credits
   * first or last; returns the available balance, after checking the ledger and the insights.
   */
  private static long afterReturns(NegativeBalancePolicy policy, java.util.List<Op> script, int returned,
      boolean creditsFirst) {
    TestClock clock = TestClock.at(Fixtures.START);
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgramWithRewards((m, at) -> io.vavr.control.Option.none(),
            ReturnedPoints.DEFAULT).toBuilder().negativeBalancePolicy(policy)
            .earnRules(io.github.loyaltyledger.earning.RuleBook.of(io.github.loyaltyledger.earning.BaseRate.of("base", "1")))
            .lotExpiry(io.github.loyaltyledger.expiry.FixedTermExpiry.days(30)).build())
        .store(store).clock(clock).build();
    MemberId ada = member("ada");
    enrolled(loyalty, ada);
    java.util.List<EntryId> credits = new ArrayList<>();
    java.util.Map<EntryId, io.github.loyaltyledger.ledger.IdempotencyKey> purchases = new java.util.HashMap<>();
    java.util.List<EntryId> debits = new ArrayList<>();
    for (Op op : script) {
      Balance balance = balanceOf(loyalty, ada);
      if (op.type() == 0) {
        credits.add(accepted(loyalty.credit(Credit.of(ada, points(op.amount()), "Purchase", aKey())
            .expiringAt(clock.instant().plus(Duration.ofDays(op.amount()))))).entries().single().id());
      } else if (op.type() == 1 && !balance.available().isLessThan(points(op.amount()))) {
        debits.add(accepted(loyalty.debit(Debit.of(ada, points(op.amount()), "Coffee", aKey()))).entries().single().id());
      } else if (op.type() == 2 && !balance.available().isLessThan(points(100))) {
        debits.add(accepted(loyalty.redeem(ada, Fixtures.FREE_COFFEE, TILL, aKey())).entry());
      } else if (op.type() == 3) {
        io.github.loyaltyledger.ledger.IdempotencyKey transaction = aKey();
        EntryId award = accepted(loyalty.earn(Fixtures.aPurchase(ada, transaction, clock.instant(),
            Fixtures.line("A", 1, op.amount() + ".00")))).entries().head().id();
        credits.add(award);
        purchases.put(award, transaction);
      } else if (op.type() == 4 && !balance.available().isLessThan(points(Math.max(50, op.amount())))) {
        debits.add(accepted(loyalty.payWithPoints(new PointsPayment(ada, Fixtures.PAY, Fixtures.eur("20.00"),
            points(Math.max(50, op.amount())), TILL, aKey()))).entry());
      }
      clock.advance(Duration.ofMinutes(1));
    }
    java.util.List<Runnable> reversals = new ArrayList<>();
    java.util.List<Runnable> returns = new ArrayList<>();
    for (int i = 0; i < credits.size(); i++) {
      EntryId credit = credits.get(i);
      if ((returned >> (i % 31) & 1) == 1) {
        reversals.add(() -> accepted(purchases.containsKey(credit)
            ? loyalty.refund(io.github.loyaltyledger.earning.Refund.ofAmount(purchases.get(credit), aKey(),
                Fixtures.eur(store.entry(credit).get().points() + ".00")))
            : loyalty.reverse(Reversal.of(credit, "Credited by mistake", aKey()))));
      }
    }
    for (int i = 0; i < debits.size(); i++) {
      EntryId debit = debits.get(i);
      if ((returned >> ((i + 15) % 31) & 1) == 1) {
        returns.add(() -> accepted(loyalty.cancelRedemption(debit, "Changed mind", aKey())));
      }
    }
    (creditsFirst ? reversals : returns).forEach(Runnable::run);
    (creditsFirst ? returns : reversals).forEach(Runnable::run);
    Balance now = balanceOf(loyalty, ada);
    assertEquals(now.available().max(Points.ZERO),
        accepted(loyalty.lots(ada)).map(Lot::remaining).foldLeft(Points.ZERO, Points::plus));
    assertEquals(now.available().max(Points.ZERO),
        accepted(loyalty.liability(clock.instant(), ZoneOffset.UTC, RATE)).outstanding());
    assertTrue(accepted(loyalty.verify(ada)).isIntact());
    return now.available().value();
  }

  /** Runs one script under a policy (its index in {@link NegativeBalancePolicy}), checking after every step. */
  private static void check(int policy, java.util.List<Op> script) {
    TestClock clock = TestClock.at(Fixtures.START);
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgramWithRewards((m, at) -> io.vavr.control.Option.none(),
            ReturnedPoints.DEFAULT).toBuilder()
            .negativeBalancePolicy(NegativeBalancePolicy.values()[policy]).build())
        .store(store).clock(clock).build();
    MemberId ada = member("ada");
    enrolled(loyalty, ada);
    java.util.List<EntryId> credits = new ArrayList<>();
    java.util.List<EntryId> reversed = new ArrayList<>();
    java.util.List<Hold> holds = new ArrayList<>();
    java.util.List<EntryId> debits = new ArrayList<>();
    java.util.List<Liability> liabilities = new ArrayList<>();
    java.util.List<java.time.Instant> instants = new ArrayList<>();
    for (Op op : script) {
      Balance balance = balanceOf(loyalty, ada);
      switch (op.type()) {
        case 0 -> credits.add(accepted(loyalty.credit(Credit.of(ada, points(op.amount()), "Purchase", aKey())
            .expiringAt(clock.instant().plus(Duration.ofHours(op.amount()))))).entries().single().id());
        case 1 -> {
          if (!balance.available().isLessThan(points(op.amount()))) {
            holds.add(accepted(loyalty.authorize(Authorization.points(ada, points(op.amount()),
                Duration.ofHours(1 + op.amount() % 24), TILL, aKey()))));
          }
        }
        case 2 -> {
          if (!credits.isEmpty()) {
            EntryId credit = credits.get(op.amount() % credits.size());
            Either<LoyaltyError, Receipt> reversal = loyalty.reverse(Reversal.of(credit, "Credited by mistake", aKey()));
            if (reversal.isRight()) {
              credits.remove(credit);
              reversed.add(credit);
            } else if (!(reversal.getLeft() instanceof LoyaltyError.PointsOnHold)) {
              assertEquals(NegativeBalancePolicy.REFUSE, loyalty.program().negativeBalancePolicy(), reversal.getLeft().toString());
              assertInstanceOf(LoyaltyError.InsufficientPoints.class, reversal.getLeft());
            }
          }
        }
        case 3, 4 -> {
          if (!holds.isEmpty()) {
            Hold h = holds.remove(op.amount() % holds.size());
            if (op.type() == 4 && clock.instant().isBefore(h.expiresAt())) {
              accepted(loyalty.capture(h.id(), points(1 + op.amount() % h.points().value()), aKey()));
            } else {
              accepted(loyalty.voidHold(h.id(), "Changed mind", aKey()));
            }
          }
        }
        case 5, 6 -> {
          Either<LoyaltyError, Receipt> debit = op.type() == 5
              ? loyalty.debit(Debit.of(ada, points(op.amount()), "Coffee", aKey()))
              : loyalty.adjust(Adjustment.of(ada, points(op.amount()).negated(), "Goodwill taken back", "ops", aKey()));
          if (balance.available().isLessThan(points(op.amount()))) {
            assertInstanceOf(LoyaltyError.InsufficientPoints.class, debit.getLeft());
          } else {
            debits.add(accepted(debit).entries().single().id());
          }
        }
        case 7 -> {
          Either<LoyaltyError, Redemption> redemption = loyalty.redeem(ada, Fixtures.FREE_COFFEE, TILL, aKey());
          if (balance.available().isLessThan(points(100))) {
            assertInstanceOf(LoyaltyError.RewardUnavailable.class, redemption.getLeft());
          } else {
            debits.add(accepted(redemption).entry());
          }
        }
        case 8 -> {
          if (!debits.isEmpty()) {
            EntryId debit = debits.remove(op.amount() % debits.size());
            Entry original = store.entry(debit).get();
            // A reward's redemption is cancelled; a plain debit is reversed, or cancelled to apply the policy.
            boolean reverse = original.kind() == EntryKind.ADJUST
                || !original.details().containsKey("reward.id") && op.amount() % 2 == 0;
            accepted(reverse
                ? loyalty.reverse(Reversal.of(debit, "Charged by mistake", aKey()))
                : loyalty.cancelRedemption(debit, "Changed mind", aKey()));
          }
        }
        default -> {
          clock.advance(Duration.ofHours(op.amount()));
          accepted(loyalty.expire(ada, clock.instant(), aKey()));
          accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), aKey()));
          holds.removeIf(h -> !h.expiresAt().isAfter(clock.instant()));
        }
      }
      clock.advance(Duration.ofMinutes(10));
      Balance now = balanceOf(loyalty, ada);
      List<Entry> entries = List.ofAll(store.entries(ada, 1, Integer.MAX_VALUE));
      assertEquals(entries.map(Entry::points).foldLeft(Points.ZERO, Points::plus), now.total());
      boolean negative = loyalty.program().negativeBalancePolicy() == NegativeBalancePolicy.ALLOW_NEGATIVE;
      assertTrue(negative || !now.available().isNegative(), now.toString());
      List<Lot> lots = accepted(loyalty.lots(ada));
      assertEquals(now.available().max(Points.ZERO), lots.map(Lot::remaining).foldLeft(Points.ZERO, Points::plus));
      assertEquals(List.empty(), lots.filter(l -> reversed.contains(l.id())), "a reversed credit's lot has points again");
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
      // As of a minute ago: the next operation is recorded at the clock's instant.
      instants.add(clock.instant().minus(Duration.ofMinutes(1)));
      liabilities.add(accepted(loyalty.liability(instants.get(instants.size() - 1), ZoneOffset.UTC, RATE)));
    }
    // Read as of each step, the insights replay the ledger: they find the lots the account held then.
    clock.advance(Duration.ofMinutes(10));
    accepted(loyalty.credit(Credit.of(ada, points(1), "Later", aKey())));
    for (int i = 0; i < instants.size(); i++) {
      assertEquals(liabilities.get(i), accepted(loyalty.liability(instants.get(i), ZoneOffset.UTC, RATE)),
          "the insights' lots after step " + (i + 1));
    }
  }
}
