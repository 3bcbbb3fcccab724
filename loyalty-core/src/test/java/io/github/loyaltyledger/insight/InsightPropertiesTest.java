package io.github.loyaltyledger.insight;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.eur;
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
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.BasketThreshold;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.earning.UnitBonus;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.Occasion;
import io.github.loyaltyledger.occasion.OccasionGrant;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.redemption.TierSource;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.control.Either;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Liability and breakage agree with each other and with the balances, whatever the history: every
 * cohort's issued points are accounted for, the outstanding points are the lots left plus the held
 * points, and reading the ledger as of now (running state) or replaying it gives the same answer,
 * also after reversals into a deficit that later credits and vesting repay; and the cohorts issue
 * exactly what the credits issued and count as redeemed exactly what redemptions, captures and open
 * holds took, also when held or cancelled points come back after their lot expired (grace lots).
 */
class InsightPropertiesTest {

  static final int EXAMPLES = Math.max(20, Integer.getInteger("QT_EXAMPLES", 1000) / 20);
  /**
   * The most steps of a tangled script: 40 by default; a deep sweep asks for longer ones with
   * {@code -DINSIGHT_STEPS=100} (with {@code -Dqt.examples} and {@code -DQT_SEED} for more and other examples).
   */
  static final int STEPS = Integer.getInteger("INSIGHT_STEPS", 40);
  static final RedemptionRate RATE = RedemptionRate.of(eur("1.00"), 100);

  record Op(int type, int who, int amount) {}

  static Gen<Op> ops() {
    return integers().between(0, 10).zip(integers().between(0, 1), integers().between(1, 120), Op::new);
  }

  /**
   * Steps of {@link Shop#perform} weighted towards what tangles the lots: credits expiring within
   * minutes, holds and their resolution (in part too), reversals of credits and refunds of purchases
   * (under {@code ALLOW_NEGATIVE}, into a deficit), and adjustments either way, mostly at one member,
   * and mostly of one to three points (or minutes, hours, days), so that holds and deficits span lots
   * and lots expire between steps.
   */
  static Gen<Op> tangledOps() {
    int[] types = {0, 11, 11, 11, 11, 1, 2, 3, 4, 4, 4, 5, 5, 5, 6, 7, 8, 9, 10, 10, 12, 13, 13,
        14, 14, 15, 15, 15, 16, 16, 17, 18, 19, 20, 21, 22, 23, 24, 24, 25, 26, 27, 27};
    return integers().between(0, types.length - 1).zip(integers().between(0, 3), integers().between(1, 40),
        (type, who, amount) -> new Op(types[type], who / 3, amount <= 30 ? 1 + amount % 3 : amount));
  }

  @Test
  void everyIssuedPointIsAccountedForAndLiabilityMatchesBreakageAndBalances() {
    qt().withExamples(EXAMPLES).forAll(lists().of(tangledOps()).ofSizeBetween(1, STEPS), integers().between(0, 5))
        .checkAssert((script, policy) -> {
      Shop shop = new Shop(policy);
      script.forEach(shop::perform);
      TestClock clock = shop.clock;
      InMemoryLedgerStore store = shop.store;
      Loyalty loyalty = shop.loyalty;
      java.util.List<MemberId> members = shop.members;
      Instant now = clock.instant();
      Liability current = accepted(loyalty.liability(now, ZoneOffset.UTC, RATE));
      Breakage breakage = loyalty.breakage(now, ZoneOffset.UTC);
      for (BreakageCohort c : breakage.cohorts()) {
        assertEquals(c.issued(), c.redeemed().plus(c.expired()).plus(c.other()).plus(c.outstanding()), c.toString());
      }
      // Issued: what the credits issued, once (returned points are not issued again). Redeemed: what
      // redemptions and captures took and cancellations did not give back, plus the open holds.
      java.util.List<Entry> entries = new ArrayList<>();
      members.forEach(x -> store.entries(x, 1, Integer.MAX_VALUE).forEach(entries::add));
      java.util.Set<io.github.loyaltyledger.ledger.EntryId> redemptions = new java.util.HashSet<>();
      long issued = 0;
      long redeemed = 0;
      for (Entry e : entries) {
        if (e.kind().createsLot() && e.points().isPositive()) {
          issued += e.points().value();
        } else if (e.kind() == EntryKind.REDEEM || e.kind() == EntryKind.CAPTURE) {
          redemptions.add(e.id());
          redeemed -= e.points().value();
        } else if (e.kind() == EntryKind.REVERSAL && e.reference().exists(redemptions::contains)) {
          redeemed -= e.points().value();
        }
      }
      redeemed += current.byExpiry().get(ExpiryBucket.HELD).get().value();
      assertEquals(issued, breakage.cohorts().map(c -> c.issued().value()).sum().longValue(), "issued");
      assertEquals(redeemed, breakage.cohorts().map(c -> c.redeemed().value()).sum().longValue(), "redeemed");
      Points left = breakage.cohorts().map(BreakageCohort::outstanding).fold(Points.ZERO, Points::plus);
      assertEquals(current.outstanding(), left.plus(current.byExpiry().get(ExpiryBucket.HELD).get()));
      // A deficit is a debt, not netted: what is owed is the positive available balance, pending and held.
      long owed = members.stream().map(x -> balanceOf(loyalty, x))
          .mapToLong(b -> Math.max(0, b.available().value()) + b.pending().value() + b.held().value()).sum();
      assertEquals(owed, current.outstanding().value());
      clock.advance(Duration.ofDays(1));
      members.stream().filter(x -> !shop.erased.contains(x))
          .forEach(x -> accepted(loyalty.credit(Credit.of(x, points(1), "Later", aKey()))));
      assertEquals(current, accepted(loyalty.liability(now, ZoneOffset.UTC, RATE)), "replayed as of then");
      assertEquals(breakage, loyalty.breakage(now, ZoneOffset.UTC), "breakage replayed as of then");
    });
  }

  /**
   * Every lot's points go where the ledger's movements took them, as of every step of the script: a
   * model that shares no code with the replay ({@link LotModel}) follows the points one by one, lot
   * by lot, through the entries as recorded (routing the points a return gives back as the ledger
   * documents it, and checking the routing against the entries), and breakage agrees with it on each
   * lot's issued, redeemed, expired, other and outstanding points, wherever they sit (in grace lots
   * too), and so on each cohort's; under {@code CLAMP}, {@code REFUSE} and {@code ALLOW_NEGATIVE},
   * with deficits that credits, vesting and returns repay, reversals of credits and refunds of
   * purchases (in part or in full, by lines or by amount, of awards pending or not, of purchases
   * paid in part with points) whose points holds and redemptions took, partial captures,
   * adjustments either way and their reversals, rewards redeemed, held and cancelled, gifts of
   * zero points, inactivity expiring every lot, erasure, and points given back after their lots
   * expired: into grace lots of 30 days or of twenty minutes, or expiring at once. What the facade
   * reads of the replay to decide refunds ({@link Insights#issuedPointsOf}) agrees with the model
   * too: the points debits took from grace lots and the points reversals took there in place of others.
   */
  /**
   * A month-end close, re-run by an auditor after the next month's activity, gives the same figures:
   * whatever the till did before the close and after it (refunds of purchases made before it,
   * reversals, captures and voids of holds placed before it, late expiry, vesting and releases by
   * the daily run, transfers, erasure) and with a member enrolled after it, the liability, breakage,
   * each member's balance and statement as of the close are what they were at the close. At the
   * close, the statement up to it ends at {@code balanceAsOf} (its period ends just after the close,
   * the end being exclusive), and the liability is what the members' balances owe: positive
   * available, pending and held points, a deficit being a debt not netted.
   */
  @Test
  void aMonthEndCloseRunAgainAfterTheNextMonthsActivityGivesTheSameFigures() {
    qt().withExamples(EXAMPLES).forAll(lists().of(tangledOps()).ofSizeBetween(1, STEPS),
        lists().of(tangledOps()).ofSizeBetween(1, STEPS), integers().between(0, 5))
        .checkAssert((before, after, policy) -> {
      Shop shop = new Shop(policy);
      before.forEach(shop::perform);
      Loyalty loyalty = shop.loyalty;
      Instant close = shop.clock.instant();
      Instant opened = Instant.parse(Fixtures.START).minus(Duration.ofDays(1));
      Liability liability = accepted(loyalty.liability(close, ZoneOffset.UTC, RATE));
      Breakage breakage = loyalty.breakage(close, ZoneOffset.UTC);
      java.util.Map<MemberId, Balance> balances = new java.util.HashMap<>();
      java.util.Map<MemberId, Statement> statements = new java.util.HashMap<>();
      long owed = 0;
      for (MemberId m : shop.members) {
        Balance b = accepted(loyalty.balanceAsOf(m, close));
        Statement s = accepted(loyalty.statement(m, opened, close.plusNanos(1), Duration.ofDays(400)));
        assertEquals(b.total(), s.closing(), "statement to the close of " + m);
        assertEquals(s.closing(), s.lines().foldLeft(s.opening(), (sum, l) -> sum.plus(l.points())), "lines of " + m);
        balances.put(m, b);
        statements.put(m, s);
        owed += Math.max(0, b.available().value()) + b.pending().value() + b.held().value();
      }
      assertEquals(owed, liability.outstanding().value(), "liability owed at the close");
      assertEquals(shop.members.size(), liability.members());
      shop.clock.advance(Duration.ofDays(1));
      after.forEach(shop::perform);
      enrolled(loyalty, member("c"));
      accepted(loyalty.credit(Credit.of(member("c"), points(7), "Welcome", aKey())));
      assertEquals(liability, accepted(loyalty.liability(close, ZoneOffset.UTC, RATE)), "liability re-run");
      assertEquals(breakage, loyalty.breakage(close, ZoneOffset.UTC), "breakage re-run");
      for (MemberId m : shop.members) {
        assertEquals(balances.get(m), accepted(loyalty.balanceAsOf(m, close)), "balance of " + m + " re-run");
        assertEquals(statements.get(m), accepted(loyalty.statement(m, opened, close.plusNanos(1), Duration.ofDays(400))),
            "statement of " + m + " re-run");
      }
    });
  }

  /**
   * A script the property found once settlement came (ADR 0006, amendment of 2026-11-28): under
   * {@code CLAMP}, a cancellation gives back points of a credit whose refund forgave them to the
   * credit's expired lot, without grace, for the settling {@code REVERSAL} to take them back.
   */
  @Test
  void pointsThatSettleWhatAClampedRefundForgaveGoBackToTheCreditsLotWithoutGrace() {
    eachLotAgreesWithTheModelAsOfEveryStep(java.util.List.of(
        new Op(0, 0, 2), new Op(8, 0, 2), new Op(3, 0, 2), new Op(1, 0, 2), new Op(3, 0, 2), new
        Op(3, 0, 2), new Op(10, 0, 2), new Op(6, 0, 2), new Op(11, 0, 3), new Op(21, 0, 2), new
        Op(3, 0, 2), new Op(10, 0, 2), new Op(10, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0,
        0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new
        Op(6, 0, 2)), 0);
  }

  /**
   * A script a deep sweep found (seed 32604385782744): under {@code ALLOW_NEGATIVE}, a hold of every
   * point and the reversal of a credit it holds points of, then days passing and the hold's release.
   */
  @Test
  void aReleasedHoldOfAReversedCreditsPointsLeavesEachCohortSummingToWhatItIssued() {
    eachLotAgreesWithTheModelAsOfEveryStep(java.util.List.of(
        new Op(11, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(13, 0, 2), new Op(1, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(8, 0, 3),
        new Op(5, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2)), 1);
  }

  /**
   * A script a sweep found once the shop gave payments back in part more often: a payment took a
   * reversed credit's point from a grace lot, and a part of the payment gave it back. A part gives it
   * back to the grace lot (ADR 0006, amendment "partial return"), where a whole cancellation sends
   * it to the lot the credit's reversal took in its place; the model routed the part as a whole.
   */
  @Test
  void aPartOfAPaymentGivesAReversedCreditsPointInAGraceLotBackToTheGraceLot() {
    eachLotAgreesWithTheModelAsOfEveryStep(java.util.List.of(
        new Op(0, 0, 2), new Op(4, 0, 2), new Op(3, 0, 2), new Op(3, 0, 2), new Op(14, 0, 2), new Op(10, 0, 2),
        new Op(3, 0, 2), new Op(3, 0, 2), new Op(3, 0, 2), new Op(3, 0, 2), new Op(3, 0, 2), new Op(6, 0, 2),
        new Op(11, 0, 3), new Op(21, 0, 2), new Op(6, 0, 2), new Op(1, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(24, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(10, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(6, 0, 1)), 5);
  }

  /**
   * A script the property found with some seeds: under {@code ALLOW_NEGATIVE}, a part of a payment
   * gives back the first point the payment took from a grace lot of two credits' shares, not the last.
   * By the ledger: {@code a#1} (2 points, expiring at 10:02), {@code a#2} (2, never) and {@code a#3}
   * (1, expiring at 10:35); at 10:30 the hold {@code a#4} takes {@code a#1}'s 2 (expired, not swept),
   * {@code a#3}'s 1 and {@code a#2}'s 2, and {@code a#5} reverses {@code a#1} into a deficit of 2,
   * which the credit {@code a#6} (2, expiring at 10:42) repays whole. The void {@code a#7} at 10:50
   * gives {@code a#2}'s points back to it; {@code a#1}'s go to {@code a#6}, which repaid its reversal's
   * deficit ({@code deficit.returned.a#6}), and {@code a#3}'s to its lot, but both lots expired since,
   * so all three go to the grace lot {@code a#7}: the points moved to {@code a#6} first, then the
   * hold's own (ADR 0003, ADR 0010), so it spends {@code a#6}, {@code a#6}, {@code a#3}. The payment
   * {@code a#10} takes those three in that order, and its part {@code a#12} (EUR 0.10, one point)
   * gives back the first of them (ADR 0006, "partial return": the next points of the charge in the
   * order it took them): one of {@code a#6}'s. As of 11:49 {@code a#3}'s point is redeemed, and
   * {@code a#6} has one redeemed and one outstanding in {@code a#7}. The replay gave back the last
   * point the payment took ({@code a#3}'s): it chose the part's lots front first but their shares
   * last first.
   */
  @Test
  void aPartOfAPaymentGivesBackTheFirstShareItTookFromAGraceLotNotTheLast() {
    eachLotAgreesWithTheModelAsOfEveryStep(java.util.List.of(
        new Op(0, 0, 2), new Op(2, 0, 2), new Op(11, 0, 3), new Op(13, 0, 2), new Op(0, 0, 2), new Op(5, 0, 3),
        new Op(2, 0, 2), new Op(2, 0, 2), new Op(0, 1, 2), new Op(24, 0, 2), new Op(6, 0, 1), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2)), 1);
  }

  /**
   * A script a deep sweep found (seed 58092670775152): under {@code ALLOW_NEGATIVE}, a lot that repaid
   * two deficits, each with a point a return gave back, gets back from the second deficit's points
   * only what it repaid of that deficit. By the ledger: {@code a#10} (2 points, expiring at 12:22)
   * loses one to the hold {@code a#16} and one to {@code a#17}, the reversal of {@code a#1}, in place
   * of its spent and held points. The reversal {@code a#22} of {@code a#3} overdraws a deficit of 4,
   * which {@code a#23} (3) and, at 14:50, the void {@code a#24} with {@code a#10}'s held point repay
   * ({@code deficit.repaid.a#10} = 1). At 15:30 {@code a#29} reverses {@code a#14} into a deficit of
   * 31 (available was 0): {@code a#30} to {@code a#33} repay 8, the cancellation {@code a#34} repays 3
   * with points it gives back, one of them {@code a#1}'s, which goes to {@code a#10} in its place and
   * repays the deficit instead ({@code deficit.repaid.a#10} = 1, now of {@code a#29}'s deficit), and
   * {@code a#35} to {@code a#44} the last 20. The void {@code a#53} at 19:30 gives back {@code a#3}'s 31
   * held points: 26 to {@code a#14}, whose reversal overdrew them ({@code refund.deficit.a#14}), so to
   * the lots that repaid {@code a#29}'s deficit, oldest first, each up to what it repaid of it (ADR
   * 0003, "Deficit"): {@code a#10} 1, {@code a#30} 2 (it repaid 4 and {@code a#34} gave it 2 back),
   * {@code a#31} to {@code a#42} 2 each and {@code a#43} 1 ({@code a#10}'s in its lot, the others',
   * expired since they repaid, in the grace lot {@code a#53}). {@code a#10}'s other point repaid
   * {@code a#22}'s deficit, recorded before {@code a#29} was: {@code a#14}'s points owe it nothing, and
   * giving it a second would take the point {@code a#43} repaid. The ledger was right; the model gave
   * {@code a#10} 2: it gives the points back a token at a time, and took the point it had just given
   * {@code a#10} in this entry for one given back for the earlier deficit ("what returns gave it counts
   * against the earlier deficit first"), so each token found room again.
   */
  @Test
  void aLotThatRepaidTwoDeficitsGetsBackOfTheLaterOnlyWhatItRepaidOfIt() {
    eachLotAgreesWithTheModelAsOfEveryStep(java.util.List.of(
        new Op(3, 0, 2), new Op(3, 0, 2), new Op(3, 0, 2), new Op(3, 0, 2), new Op(0, 0, 3), new Op(3, 0, 2),
        new Op(3, 0, 2), new Op(0, 0, 39), new Op(5, 0, 2), new Op(24, 0, 2), new Op(0, 0, 2), new Op(3, 0, 2),
        new Op(3, 0, 3), new Op(6, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(4, 0, 33),
        new Op(0, 0, 31), new Op(3, 0, 2), new Op(4, 0, 2), new Op(10, 0, 2), new Op(0, 0, 2), new Op(3, 0, 2),
        new Op(3, 0, 2), new Op(0, 0, 2), new Op(10, 0, 2), new Op(3, 0, 2), new Op(11, 0, 2), new Op(5, 0, 3),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(13, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(6, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(5, 0, 2), new Op(0, 0, 2), new Op(5, 0, 3), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2), new Op(0, 0, 2),
        new Op(0, 0, 2)), 1);
  }

  @Test
  void eachLotsPointsGoWhereTheLedgersMovementsTookThemAsOfEveryStep() {
    qt().withExamples(EXAMPLES * 4).forAll(lists().of(tangledOps()).ofSizeBetween(1, STEPS), integers().between(0, 5))
        .checkAssert(InsightPropertiesTest::eachLotAgreesWithTheModelAsOfEveryStep);
  }

  /**
   * The same, when two application nodes whose clocks are up to two hours apart play the steps (each
   * step on one node or the other): as of any instant, each lot's points go where the movements of
   * the ledger as it then stood (the entries up to the last one recorded at or before it) took them,
   * and liability agrees with the balance {@code balanceAsOf} gives and with breakage.
   */
  @Test
  void eachLotsPointsGoWhereTheLedgersMovementsTookThemWhenNodesClocksDisagree() {
    qt().withExamples(EXAMPLES / 4).forAll(lists().of(tangledOps()).ofSizeBetween(1, STEPS), integers().between(0, 5),
        integers().between(-120, 120)).checkAssert((script, policy, skew) -> {
      Shop shop = new Shop(policy);
      java.util.TreeSet<Instant> instants = new java.util.TreeSet<>();
      for (int i = 0; i < script.size(); i++) {
        // The node the step runs on reads its clock skew minutes ahead (behind when negative).
        Instant base = shop.clock.instant();
        Duration ahead = script.get(i).who() == 1 ? Duration.ofMinutes(skew) : Duration.ZERO;
        shop.clock.set(base.plus(ahead));
        shop.perform(script.get(i));
        shop.clock.set(shop.clock.instant().minus(ahead));
      }
      for (MemberId m : shop.members) {
        shop.store.entries(m, 1, Integer.MAX_VALUE).forEach(e -> {
          instants.add(e.recordedAt());
        });
      }
      for (Instant at : instants) {
        for (MemberId m : shop.members) {
          java.util.List<Entry> entries = shop.store.entries(m, 1, Integer.MAX_VALUE).toJavaList();
          long last = entries.stream().filter(e -> !e.recordedAt().isAfter(at)).mapToLong(Entry::sequence).max().orElse(0);
          LotModel model = shop.model();
          entries.stream().filter(e -> e.sequence() <= last).forEach(model::apply);
          java.util.Map<EntryId, Long> outstanding = model.outstanding();
          java.util.Map<EntryId, java.util.List<Long>> expected = new java.util.TreeMap<>();
          model.lots().forEach(lot -> expected.put(lot.id, java.util.List.of(lot.original, lot.out(LotModel.Sink.REDEEMED),
              lot.out(LotModel.Sink.EXPIRED), lot.out(LotModel.Sink.OTHER), outstanding.getOrDefault(lot.id, 0L),
              (long) lot.tokens.size())));
          java.util.Map<EntryId, Long> shares = new java.util.HashMap<>();
          LotReplay replay = LotReplay.of(shop.store, m, at);
          replay.lots().forEach(l -> l.shares.forEach(x -> shares.merge(x.issuer.id, x.left, Long::sum)));
          java.util.Map<EntryId, java.util.List<Long>> replayed = new java.util.TreeMap<>();
          replay.lots().forEach(l -> replayed.put(l.id, java.util.List.of(l.original,
              l.out(LotReplay.Outflow.REDEEMED), l.out(LotReplay.Outflow.EXPIRED), l.out(LotReplay.Outflow.OTHER),
              shares.getOrDefault(l.id, 0L), l.remaining)));
          assertEquals(expected, replayed, m + "'s lots as of " + at);
        }
        long owed = shop.members.stream().map(x -> accepted(shop.loyalty.balanceAsOf(x, at)))
            .mapToLong(b -> Math.max(0, b.available().value()) + b.pending().value() + b.held().value()).sum();
        Liability liability = accepted(shop.loyalty.liability(at, ZoneOffset.UTC, RATE));
        assertEquals(owed, liability.outstanding().value(), "liability as of " + at);
        Points left = shop.loyalty.breakage(at, ZoneOffset.UTC).cohorts().map(BreakageCohort::outstanding)
            .fold(Points.ZERO, Points::plus);
        assertEquals(liability.outstanding(), left.plus(liability.byExpiry().get(ExpiryBucket.HELD).get()),
            "breakage as of " + at);
      }
    });
  }

  /** Plays a script and checks breakage against {@link LotModel} as of each step, lot by lot and by cohort. */
  private static void eachLotAgreesWithTheModelAsOfEveryStep(java.util.List<Op> script, int policy) {
    Shop shop = new Shop(policy);
    java.util.List<Instant> steps = new ArrayList<>();
    for (Op op : script) {
      shop.perform(op);
      steps.add(shop.clock.instant().minus(Duration.ofMinutes(1)));
    }
    for (Instant step : steps) {
      java.util.Map<YearMonth, java.util.List<Long>> cohorts = new java.util.TreeMap<>();
      for (MemberId m : shop.members) {
        LotModel model = shop.model();
        shop.store.entries(m, 1, Integer.MAX_VALUE).filter(e -> !e.recordedAt().isAfter(step)).forEach(model::apply);
        java.util.Map<EntryId, Long> outstanding = model.outstanding();
        java.util.Map<EntryId, java.util.List<Long>> expected = new java.util.TreeMap<>();
        for (LotModel.ModelLot lot : model.lots()) {
          expected.put(lot.id, java.util.List.of(lot.original, lot.out(LotModel.Sink.REDEEMED),
              lot.out(LotModel.Sink.EXPIRED), lot.out(LotModel.Sink.OTHER), outstanding.getOrDefault(lot.id, 0L),
              (long) lot.tokens.size()));
          if (!lot.grace) {
            java.util.List<Long> c = cohorts.computeIfAbsent(YearMonth.from(lot.earnedAt.atZone(ZoneOffset.UTC)),
                month -> java.util.Arrays.asList(0L, 0L, 0L, 0L, 0L));
            for (int i = 0; i < c.size(); i++) {
              c.set(i, c.get(i) + expected.get(lot.id).get(i));
            }
          }
        }
        java.util.Map<EntryId, Long> shares = new java.util.HashMap<>();
        LotReplay replay = LotReplay.of(shop.store, m, step);
        replay.lots().forEach(l -> l.shares.forEach(s -> shares.merge(s.issuer.id, s.left, Long::sum)));
        java.util.Map<EntryId, java.util.List<Long>> replayed = new java.util.TreeMap<>();
        replay.lots().forEach(l -> replayed.put(l.id, java.util.List.of(l.original,
            l.out(LotReplay.Outflow.REDEEMED), l.out(LotReplay.Outflow.EXPIRED), l.out(LotReplay.Outflow.OTHER),
            shares.getOrDefault(l.id, 0L), l.remaining)));
        assertEquals(expected, replayed, m + "'s lots as of " + step
            + ": issued, redeemed, expired, other, outstanding anywhere, and points in the lot");
        java.util.Map<EntryId, java.util.Map<EntryId, java.util.Map<EntryId, Long>>> fromGrace = new java.util.TreeMap<>();
        replay.takenFromGraceLots().forEach((debit, byLot) -> byLot.forEach((lot, byIssuer) -> byIssuer.forEach((issuer, n) -> {
          if (n != 0) {
            fromGrace.computeIfAbsent(debit, d -> new java.util.TreeMap<>()).computeIfAbsent(lot, l -> new java.util.TreeMap<>())
                .put(issuer, n);
          }
        })));
        assertEquals(model.takenFromGraceLots(), fromGrace, m + "'s points debits took from grace lots as of " + step);
        java.util.Map<EntryId, java.util.Map<EntryId, Long>> inPlace = new java.util.TreeMap<>();
        replay.takenInPlace().forEach((issuer, byCredit) -> byCredit.forEach((credit, n) -> {
          if (n != 0) {
            inPlace.computeIfAbsent(issuer, i -> new java.util.TreeMap<>()).put(credit, n);
          }
        }));
        assertEquals(model.takenInPlace(), inPlace, m + "'s points in grace lots reversals took in place of others as of " + step);
      }
      assertEquals(cohorts, java.util.Map.copyOf(shop.loyalty.breakage(step, ZoneOffset.UTC).cohorts()
          .toJavaMap(c -> io.vavr.Tuple.of(c.month(), java.util.List.of(c.issued().value(),
              c.redeemed().value(), c.expired().value(), c.other().value(), c.outstanding().value())))),
          "cohorts as of " + step);
    }
    for (MemberId m : shop.members) {
      LotModel model = shop.model();
      shop.store.entries(m, 1, Integer.MAX_VALUE).forEach(model::apply);
      java.util.Map<EntryId, Long> live = new java.util.TreeMap<>();
      model.lots().forEach(l -> {
        if (!l.tokens.isEmpty()) {
          live.put(l.id, (long) l.tokens.size());
        }
      });
      assertEquals(live, new java.util.TreeMap<>(accepted(shop.loyalty.lots(m)).toJavaMap(l ->
          io.vavr.Tuple.of(l.id(), l.remaining().value()))), m + "'s live lots");
    }
  }

  /**
   * Two application nodes whose clocks are up to two hours apart record a member's entries, so an
   * entry is often recorded "earlier" than the one before it. Whatever the periods, consecutive
   * statements list every entry once, in ledger order; each reconciles (opening + lines = closing)
   * with opening and closing the balances {@code balanceAsOf} gives just before its start and end;
   * the ledger as of any instant counts every entry recorded at or before it and is a state the
   * member really had (nothing spent that was not there); and liability and breakage as of the
   * instant agree with that balance.
   */
  @Test
  void statementsBalancesLiabilityAndBreakageAsOfAnyInstantAgreeWhenNodesClocksDisagree() {
    qt().withExamples(EXAMPLES).forAll(lists().of(ops()).ofSizeBetween(1, 25),
        integers().between(-120, 120), lists().of(integers().between(-180, 600)).ofSizeBetween(1, 6))
        .checkAssert((script, skew, cuts) -> {
      Instant start = Instant.parse(Fixtures.START);
      TestClock clock = new TestClock(start);
      InMemoryLedgerStore store = new InMemoryLedgerStore();
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
      MemberId m = member("a");
      enrolled(loyalty, m);
      java.util.List<Entry> credits = new ArrayList<>();
      java.util.List<Hold> holds = new ArrayList<>();
      Instant base = start;
      for (Op op : script) {
        base = base.plus(Duration.ofMinutes(10));
        // Node 1's clock is skew minutes ahead of node 0's (behind when negative).
        clock.set(op.who() == 0 ? base : base.plus(Duration.ofMinutes(skew)));
        Points available = balanceOf(loyalty, m).available();
        Points amount = points(op.amount());
        switch (op.type()) {
          case 0, 1, 2 -> credits.add(accepted(loyalty.credit(Credit.of(m, amount, "Purchase", aKey())
              .expiringAt(clock.instant().plus(Duration.ofDays(op.amount()))))).entries().head());
          case 3, 4 -> {
            if (!available.isLessThan(amount)) {
              accepted(loyalty.debit(Debit.of(m, amount, "Reward", aKey())));
            }
          }
          case 5, 6 -> {
            if (!available.isLessThan(amount)) {
              holds.add(accepted(loyalty.authorize(Authorization.points(m, amount, Duration.ofDays(1),
                  Channel.store("S-1"), aKey()))));
            }
          }
          case 7, 8 -> {
            if (!holds.isEmpty()) {
              Hold h = holds.remove(0);
              accepted(op.amount() % 2 == 0 ? loyalty.capture(h.id(), aKey()).map(r -> r.receipt())
                  : loyalty.voidHold(h.id(), "Changed mind", aKey()));
            }
          }
          default -> reverseOldest(loyalty, credits);
        }
      }
      java.util.List<Entry> entries = new ArrayList<>();
      store.entries(m, 1, Integer.MAX_VALUE).forEach(entries::add);
      java.util.TreeSet<Instant> instants = new java.util.TreeSet<>();
      instants.add(start.minus(Duration.ofHours(3)));
      instants.add(base.plus(Duration.ofHours(3)));
      cuts.forEach(c -> instants.add(start.plus(Duration.ofMinutes(c))));
      // Instants right at the entries' too: where the boundaries fall.
      entries.forEach(e -> instants.add(e.recordedAt().plusNanos(nudge(e.sequence()))));
      java.util.List<Long> listed = new ArrayList<>();
      Instant from = null;
      for (Instant to : instants) {
        Balance asOf = accepted(loyalty.balanceAsOf(m, to));
        assertFalse(asOf.available().isNegative(), "a balance the member had");
        java.util.Set<Long> counted = new java.util.HashSet<>();
        accepted(loyalty.statement(m, instants.first().minusNanos(1), to.plusNanos(1), Duration.ZERO)).lines()
            .forEach(l -> counted.add(l.sequence()));
        for (Entry e : entries) {
          if (!e.recordedAt().isAfter(to)) {
            assertTrue(counted.contains(e.sequence()), "entry " + e.sequence() + " recorded at " + e.recordedAt()
                + " counts as of " + to);
          }
        }
        Liability owed = accepted(loyalty.liability(to, ZoneOffset.UTC, RATE));
        assertEquals(asOf.available().plus(asOf.pending()).plus(asOf.held()), owed.outstanding(), "liability as of " + to);
        Breakage breakage = loyalty.breakage(to, ZoneOffset.UTC);
        Points outstanding = breakage.cohorts().map(BreakageCohort::outstanding).fold(Points.ZERO, Points::plus);
        assertEquals(owed.outstanding(), outstanding.plus(owed.byExpiry().get(ExpiryBucket.HELD).get()),
            "breakage as of " + to);
        if (from != null) {
          Statement s = accepted(loyalty.statement(m, from, to, Duration.ZERO));
          assertEquals(s.closing().value(), s.opening().value() + s.lines().map(l -> l.points().value()).sum().longValue());
          assertEquals(accepted(loyalty.balanceAsOf(m, from.minusNanos(1))).total(), s.opening(), "opening at " + from);
          assertEquals(accepted(loyalty.balanceAsOf(m, to.minusNanos(1))).total(), s.closing(), "closing at " + to);
          s.lines().forEach(l -> listed.add(l.sequence()));
        }
        from = to;
      }
      assertEquals(entries.stream().map(Entry::sequence).toList(), listed, "every entry once, in ledger order");
    });
  }

  /**
   * A statement's CSV reconciles on its own, whatever the history: parsed as RFC 4180, its first row
   * after the header is the opening balance (at {@code from}), its last the closing balance (at
   * {@code to}), and the opening plus the points of the rows between them is the closing, which is
   * {@code balanceAsOf} just before {@code to}; also for a period without any entry, whose CSV
   * carries the balance although it lists none.
   */
  @Test
  void aStatementsCsvCarriesItsBalancesAndReconcilesWithoutTheStatement() {
    qt().withExamples(EXAMPLES).forAll(lists().of(tangledOps()).ofSizeBetween(1, STEPS), integers().between(0, 5),
        lists().of(integers().between(-60, 600)).ofSizeBetween(1, 4))
        .checkAssert((script, policy, cuts) -> {
      Shop shop = new Shop(policy);
      script.forEach(shop::perform);
      Instant start = Instant.parse(Fixtures.START);
      java.util.TreeSet<Instant> instants = new java.util.TreeSet<>();
      instants.add(start.minus(Duration.ofHours(1)));
      instants.add(shop.clock.instant().plus(Duration.ofHours(1)));
      cuts.forEach(c -> instants.add(start.plus(Duration.ofMinutes(c))));
      for (MemberId m : shop.members) {
        Instant from = null;
        for (Instant to : instants) {
          if (from != null) {
            java.util.List<java.util.List<String>> rows = csv(accepted(shop.loyalty.statement(m, from, to, Duration.ZERO)).toCsv());
            java.util.List<String> opening = rows.get(1);
            java.util.List<String> closing = rows.get(rows.size() - 1);
            assertEquals(java.util.List.of("", from.toString(), "", "", opening.get(4), "Opening balance", ""), opening);
            assertEquals(java.util.List.of("", to.toString(), "", "", closing.get(4), "Closing balance", ""), closing);
            long sum = rows.subList(2, rows.size() - 1).stream().mapToLong(r -> Long.parseLong(r.get(3))).sum();
            assertEquals(Long.parseLong(closing.get(4)), Long.parseLong(opening.get(4)) + sum, m + " from " + from + " to " + to);
            assertEquals(accepted(shop.loyalty.balanceAsOf(m, from.minusNanos(1))).total().value(), Long.parseLong(opening.get(4)));
            assertEquals(accepted(shop.loyalty.balanceAsOf(m, to.minusNanos(1))).total().value(), Long.parseLong(closing.get(4)));
          }
          from = to;
        }
      }
    });
  }

  /**
   * Parses RFC 4180 text (CRLF record ends, double-quoted fields with their quotes doubled) into
   * its records' fields, independently of the writer.
   */
  static java.util.List<java.util.List<String>> csv(String text) {
    java.util.List<java.util.List<String>> records = new ArrayList<>();
    java.util.List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
        fields.add(field.toString());
        field.setLength(0);
        records.add(fields);
        fields = new ArrayList<>();
        i++;
      } else {
        field.append(c);
      }
    }
    assertTrue(fields.isEmpty() && field.length() == 0 && !quoted, "the text ends with a whole record: " + text);
    return records;
  }

  /** -1, 0 or +1 nanosecond, by sequence: instants just before, at and just after entries. */
  private static long nudge(long sequence) {
    return sequence % 3 - 1;
  }

  /**
   * A euro of goods earns a point that never expires; a bag of beans, a bonus point expiring at the
   * end of the day; a basket of three euros, two bonus points pending for an hour: a purchase posts
   * up to three awards, each a lot of its own, that its refunds take back in proportion.
   */
  static final RuleBook RULES = RuleBook.of(BaseRate.of("base", "1"),
      UnitBonus.of("beans", "BEANS", 1).with(RuleTerms.DEFAULT.asBonus().expiringBy(FixedTermExpiry.days(0))),
      BasketThreshold.of("basket", eur("3.00"), 2).with(RuleTerms.DEFAULT.asBonus().vestingAfter(Duration.ofHours(1))));

  static final RewardId TREAT = RewardId.of("treat");
  static final RewardId CAKE = RewardId.of("cake");
  static final RewardId PAY = RewardId.of("pay");

  /**
   * A treat for two points (three in stock), a free birthday cake, and points as payment (a point
   * is worth ten cents, for at most half the basket): rewards redeemed, held, gifted and paid with
   * take and give back points as plain debits do.
   */
  static RewardCatalog rewards(ReturnedPoints returned) {
    return RewardCatalog.builder()
        .reward(Reward.builder(TREAT, "Treat", new RewardKind.FreeItem("TREAT"), points(2)).stock(3).build())
        .reward(Reward.builder(CAKE, "Cake", new RewardKind.FreeItem("CAKE"), Points.ZERO).build())
        .reward(Reward.builder(PAY, "Pay with points", new RewardKind.PointsAsPayment(new PaymentTerms(
            points(1), eur("0.10"), points(1), new java.math.BigDecimal("0.5"))), points(1)).build())
        .tiers(TierSource.NONE)
        .returnedPoints(returned)
        .build();
  }

  /**
   * Two members of a programme (under {@code CLAMP}, {@code ALLOW_NEGATIVE} or {@code REFUSE},
   * earning by {@link #RULES}, redeeming {@link #rewards}) and a till that plays a script on them:
   * credits expiring within minutes or days or never, pending credits, reversals of credits,
   * purchases (partly paid with points) and their refunds, redemptions (of rewards and gifts too), holds (of rewards too)
   * captured (in full or in part), voided or released when expired, reversals and cancellations of
   * redemptions and captures, adjustments either way and their reversals, transfers, and days passing
   * with the daily expiry and vesting.
   */
  static final class Shop {
    /** The money given back so far of the payments given back in part. */
    final java.util.Map<EntryId, Money> givenBack = new java.util.HashMap<>();
    final TestClock clock = TestClock.at(Fixtures.START);
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final Loyalty loyalty;
    final java.util.List<MemberId> members = java.util.List.of(member("a"), member("b"));
    final java.util.List<Entry> spends = new ArrayList<>();
    final java.util.List<Entry> credits = new ArrayList<>();
    final java.util.List<Hold> holds = new ArrayList<>();
    /** The purchases not yet refunded in full, oldest first. */
    final java.util.List<Bought> purchases = new ArrayList<>();
    final java.util.List<EntryId> captures = new ArrayList<>();
    /** The negative adjustments not yet reversed, oldest first. */
    final java.util.List<Entry> corrections = new ArrayList<>();
    /** The reversals of redemptions and negative adjustments by hand: they give points back without a grace period. */
    final java.util.Set<EntryId> byHand = new java.util.HashSet<>();

    /** The years of the occasion gifts so far: each gift is another year's, under a key of its own. */
    int gifts;

    /** The members erased so far, whose accounts are closed. */
    final java.util.Set<MemberId> erased = new java.util.HashSet<>();
    /** Whether points given back to an expired lot expire at once ({@link ReturnedPoints#expireAtOnce()}). */
    final boolean expireAtOnce;

    /**
     * A till under {@code CLAMP} (0), {@code ALLOW_NEGATIVE} (1 or 2) or {@code REFUSE} (3), giving
     * points back to expired lots into grace lots of 30 days; or under {@code ALLOW_NEGATIVE} with
     * those points expiring at once (4) or a grace of twenty minutes, which expires between steps (5).
     */
    Shop(int policy) {
      expireAtOnce = policy == 4;
      ReturnedPoints returned = switch (policy) {
        case 4 -> ReturnedPoints.expireAtOnce();
        case 5 -> ReturnedPoints.grace(Duration.ofMinutes(20));
        default -> ReturnedPoints.DEFAULT;
      };
      loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram(switch (policy) {
        case 0 -> NegativeBalancePolicy.CLAMP;
        case 3 -> NegativeBalancePolicy.REFUSE;
        default -> NegativeBalancePolicy.ALLOW_NEGATIVE;
      }).toBuilder().earnRules(RULES).rewards(rewards(returned)).build());
      members.forEach(m -> enrolled(loyalty, m));
    }

    /**
     * A model of a member's lots for this till: a debit's reversal by hand gives points back without
     * a grace period, and so does every return when they expire at once.
     */
    LotModel model() {
      return new LotModel(e -> expireAtOnce || byHand.contains(e.id()));
    }

    /** The lots the newest open hold (or, without one, the newest redemption) took points from. */
    private java.util.Set<EntryId> lotsOfTheNewestHold() {
      Entry taker = !holds.isEmpty() ? store.entry(holds.get(holds.size() - 1).id()).get()
          : !spends.isEmpty() ? spends.get(spends.size() - 1) : null;
      return taker == null ? java.util.Set.of() : taker.movements().map(LotMovement::lot).toJavaSet();
    }

    private void reverseACreditOfTheNewestHold() {
      java.util.Set<EntryId> lots = lotsOfTheNewestHold();
      credits.stream().filter(c -> lots.contains(c.id())).findFirst()
          .ifPresent(c -> reverse(loyalty, credits, credits.indexOf(c)));
    }

    /**
     * Returns part of a purchase, by lines ({@code A} or {@code BEANS}) or by amount: the purchase
     * whose awards the newest open hold (or redemption) took points of, or else the oldest. Under
     * {@code CLAMP} a refund needing held points waits for the hold ({@code PointsOnHold}); one that
     * mixes lines and amounts may ask more than is left ({@code RefundExceedsPurchase}); both write
     * nothing.
     */
    private void refund(int amount) {
      java.util.Set<EntryId> lots = lotsOfTheNewestHold();
      Bought b = purchases.stream().filter(p -> p.awards.stream().anyMatch(lots::contains)).findFirst()
          .orElse(purchases.isEmpty() ? null : purchases.get(0));
      if (b == null) {
        return;
      }
      int units = 1 + amount / 3 % 3;
      Refund refund;
      if (amount % 3 == 0 && b.units > 0) {
        refund = Refund.ofLines(b.transaction, aKey(), new ReturnedLine("A", Math.min(units, b.units)));
      } else if (amount % 3 == 1 && b.bags > 0) {
        refund = Refund.ofLines(b.transaction, aKey(), new ReturnedLine("BEANS", Math.min(units, b.bags)));
      } else {
        refund = Refund.ofAmount(b.transaction, aKey(), Money.ofMinor(CurrencyUnit.EUR, Math.min(b.cents, 50L * units)));
      }
      Either<LoyaltyError, Receipt> refunded = loyalty.refund(refund);
      if (refunded.isLeft()) {
        assertTrue(refunded.getLeft() instanceof LoyaltyError.PointsOnHold
            || refunded.getLeft() instanceof LoyaltyError.RefundExceedsPurchase
            || refunded.getLeft() instanceof LoyaltyError.InsufficientPoints, refunded.getLeft().toString());
        return;
      }
      if (refund.returned().isLeft()) {
        b.cents -= refund.returned().getLeft().getAmountMinorLong();
      } else {
        refund.returned().get().forEach(l -> {
          b.cents -= l.sku().equals("A") ? 100L * l.quantity() : 50L * l.quantity();
          b.units -= l.sku().equals("A") ? l.quantity() : 0;
          b.bags -= l.sku().equals("BEANS") ? l.quantity() : 0;
        });
      }
      if (b.cents <= 0) {
        purchases.remove(b);
      }
    }

    /** Plays one step of a script, then lets ten minutes pass. */
    void perform(Op op) {
      MemberId m = members.get(op.who());
      if (erased.contains(m) && op.type() != 8 || op.type() == 7 && erased.contains(members.get(1 - op.who()))) {
        // An erased member's account is closed: only the daily jobs still visit it.
        clock.advance(Duration.ofMinutes(10));
        return;
      }
      Points available = balanceOf(loyalty, m).available();
      Points amount = points(op.amount());
      switch (op.type()) {
        // Lots expiring within minutes expire while holds (at most a day) are open: their return makes grace lots.
        case 0, 1 -> credits.add(accepted(loyalty.credit(Credit.of(m, amount, "Purchase", aKey())
            .expiringAt(clock.instant().plus(op.type() == 0 ? Duration.ofMinutes(op.amount())
                : Duration.ofDays(op.amount()))))).entries().head());
        // One to three points expiring in the next step or within four: held meanwhile, they come back late.
        case 11 -> credits.add(accepted(loyalty.credit(Credit.of(m, points(1 + op.amount() % 3), "Purchase", aKey())
            .expiringAt(clock.instant().plus(Duration.ofMinutes(5 + 10 * (op.amount() / 3 % 4)))))).entries().head());
        case 2 -> credits.add(accepted(loyalty.credit(Credit.of(m, amount, "Gift", aKey()))).entries().head());
        case 9 -> credits.add(accepted(loyalty.credit(Credit.of(m, amount, "Pending", aKey())
            .vestingAt(clock.instant().plus(Duration.ofHours(op.amount()))))).entries().head());
        // Under ALLOW_NEGATIVE, taking back spent points leaves a deficit that later credits and vesting repay.
        case 10 -> reverseOldest(loyalty, credits);
        // A credit whose points the newest open hold (or redemption) took: under ALLOW_NEGATIVE, into a deficit.
        case 12 -> reverseACreditOfTheNewestHold();
        // A hold of every available point, and at once the reversal of a credit it holds points of:
        // under ALLOW_NEGATIVE, into a deficit that the hold's resolution repays.
        case 13 -> {
          if (available.isPositive()) {
            holds.add(accepted(loyalty.authorize(Authorization.points(m, available, Duration.ofDays(1),
                Channel.store("S-1"), aKey()))));
            reverseACreditOfTheNewestHold();
          }
        }
        case 3 -> {
          if (!available.isLessThan(amount)) {
            spends.add(accepted(loyalty.debit(Debit.of(m, amount, "Reward", aKey()))).entries().head());
          }
        }
        case 4 -> {
          if (!available.isLessThan(amount)) {
            holds.add(accepted(loyalty.authorize(Authorization.points(m, amount, Duration.ofDays(1),
                Channel.store("S-1"), aKey()))));
          }
        }
        case 5 -> {
          if (!holds.isEmpty()) {
            Hold h = holds.remove(holds.size() - 1);
            if (!h.expiresAt().isAfter(clock.instant())) {
              accepted(loyalty.releaseExpiredHolds(h.id().member(), clock.instant(), aKey()));
            } else if (op.amount() % 2 == 0) {
              captures.add(accepted(loyalty.capture(h.id(), aKey())).entry());
            } else {
              accepted(loyalty.voidHold(h.id(), "Changed mind", aKey()));
            }
          }
        }
        case 6 -> {
          if (!spends.isEmpty()) {
            Entry spent = spends.remove(0);
            // A reward's redemption (a gift's, a payment's too) is cancelled, never reversed by hand.
            if (op.amount() % 2 == 0 && !spent.details().containsKey("reward.id")) {
              byHand.add(accepted(loyalty.reverse(Reversal.of(spent.id(), "Till error", aKey()))).entries().head().id());
            } else if (op.amount() % 3 == 1 && spent.details().get("payment.applied").map(Money::parse)
                .exists(paid -> paid.minus(givenBack.getOrDefault(spent.id(), eur("0.00"))).isGreaterThan(eur("0.10")))) {
              // A payment given back in part; the rest later, whole or in part again.
              accepted(loyalty.cancelRedemption(spent.id(), eur("0.10"), "Goods returned", aKey()));
              givenBack.merge(spent.id(), eur("0.10"), Money::plus);
              spends.add(spent);
            } else {
              accepted(loyalty.cancelRedemption(spent.id(), "Cancelled", aKey()));
            }
          }
        }
        case 7 -> {
          if (!available.isLessThan(amount)) {
            accepted(loyalty.transfer(Transfer.of(m, members.get(1 - op.who()), amount, "Gift", aKey())));
          }
        }
        // Up to three euros of goods and two bags of beans: up to three awards, one pending, one expiring tonight.
        // A till offline sends a purchase late: made up to a day and a half before (not before the first step).
        case 14, 27 -> {
          IdempotencyKey transaction = aKey();
          int units = 1 + op.amount() % 3;
          int bags = op.amount() / 2 % 3;
          Instant at = op.type() == 14 ? clock.instant()
              : java.util.Collections.min(java.util.List.of(clock.instant(), java.util.Collections.max(java.util.List.of(
                  Instant.parse(Fixtures.START), clock.instant().minus(Duration.ofHours(op.amount()))))));
          Receipt bought = accepted(loyalty.earn(bags == 0
              ? Fixtures.aPurchase(m, transaction, at, Fixtures.line("A", units, "1.00"))
              : Fixtures.aPurchase(m, transaction, at, Fixtures.line("A", units, "1.00"),
                  Fixtures.line("BEANS", bags, "0.50"))));
          purchases.add(new Bought(transaction, units, bags, bought.entries().map(Entry::id).toJavaList()));
        }
        case 15 -> refund(op.amount());
        // Part of the newest open hold, the rest released: under ALLOW_NEGATIVE, into a deficit it repays.
        case 16 -> {
          if (!holds.isEmpty() && holds.get(holds.size() - 1).expiresAt().isAfter(clock.instant())
              && holds.get(holds.size() - 1).points().value() > 1 && holds.get(holds.size() - 1).reward().isEmpty()) {
            Hold h = holds.remove(holds.size() - 1);
            captures.add(accepted(loyalty.capture(h.id(), points(1 + op.amount() % (h.points().value() - 1)), aKey()))
                .entry());
          }
        }
        case 17 -> {
          if (!captures.isEmpty()) {
            accepted(loyalty.cancelRedemption(captures.remove(0), "Cancelled", aKey()));
          }
        }
        case 18 -> {
          if (!available.isLessThan(amount)) {
            corrections.add(accepted(loyalty.adjust(Adjustment.of(m, amount.negated(), "Correction", "ops", aKey())))
                .entries().head());
          }
        }
        case 19 -> {
          if (!corrections.isEmpty()) {
            byHand.add(accepted(loyalty.reverse(Reversal.of(corrections.remove(0).id(), "Undo", aKey())))
                .entries().head().id());
          }
        }
        case 21 -> {
          Either<LoyaltyError, Redemption> treat = loyalty.redeem(m, TREAT, Channel.store("S-1"), aKey());
          if (treat.isRight()) {
            spends.add(store.entry(treat.get().entry()).get());
          } else {
            assertInstanceOf(LoyaltyError.RewardUnavailable.class, treat.getLeft());
          }
        }
        // A free cake, for another year each time: a redemption of zero points that can be cancelled.
        case 22 -> {
          java.time.LocalDate day = java.time.LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
          int year = 2000 + gifts++;
          spends.add(store.entry(accepted(loyalty.grantOccasionReward(new OccasionGrant(Occasion.BIRTHDAY, m, year, day, day,
              OccasionReward.reward(CAKE.value()), "birthday"), clock.instant())).entry()).get());
        }
        case 23 -> {
          Either<LoyaltyError, Hold> hold = loyalty.authorize(Authorization.reward(m, TREAT, Duration.ofDays(1),
              Channel.store("S-1"), aKey()));
          if (hold.isRight()) {
            holds.add(hold.get());
          } else {
            assertInstanceOf(LoyaltyError.RewardUnavailable.class, hold.getLeft());
          }
        }
        // A purchase paid in part with points: the payment a redemption, the rest earning (and refunded later).
        case 24 -> {
          IdempotencyKey transaction = aKey();
          int units = 1 + op.amount() % 3;
          Money basket = eur(units + ".00");
          Either<LoyaltyError, Redemption> paid = loyalty.payWithPoints(new PointsPayment(m, PAY, basket,
              points(1 + op.amount() % 3), Channel.store("S-1"), aKey()));
          Money applied = Money.zero(CurrencyUnit.EUR);
          if (paid.isRight()) {
            spends.add(store.entry(paid.get().entry()).get());
            applied = paid.get().moneyApplied().get();
          } else {
            assertInstanceOf(LoyaltyError.InsufficientPoints.class, paid.getLeft());
          }
          Receipt bought = accepted(loyalty.earn(Fixtures.aPurchase(m, transaction, clock.instant(),
              Fixtures.line("A", units, "1.00")).withPaidWithPoints(applied)));
          if (!bought.entries().isEmpty()) {
            purchases.add(new Bought(transaction, units, 0, bought.entries().map(Entry::id).toJavaList()));
          }
        }
        // Inactivity: every lot left expires, pending ones too, while holds stay open.
        case 25 -> accepted(loyalty.expireInactive(m, clock.instant(), aKey()));
        // The second member asks to be erased (refused while a hold is open): the rest of their balance is forfeited.
        case 26 -> {
          if (op.who() == 1 && !balanceOf(loyalty, m).held().isPositive()) {
            accepted(loyalty.erase(m, aKey()));
            erased.add(m);
            spends.removeIf(e -> e.member().equals(m));
            credits.removeIf(e -> e.member().equals(m));
            holds.removeIf(h -> h.id().member().equals(m));
            captures.removeIf(id -> id.member().equals(m));
            corrections.removeIf(e -> e.member().equals(m));
            purchases.removeIf(b -> b.awards.get(0).member().equals(m));
          }
        }
        case 20 -> credits.add(accepted(loyalty.adjust(Adjustment.of(m, amount, "Goodwill", "ops", aKey())
            .expiringAt(clock.instant().plus(Duration.ofMinutes(5 + 10 * (op.amount() % 4)))))).entries().head());
        default -> {
          clock.advance(op.amount() % 2 == 0 ? Duration.ofHours(op.amount()) : Duration.ofDays(op.amount()));
          members.forEach(x -> accepted(loyalty.expire(x, clock.instant(), aKey())));
          members.forEach(x -> accepted(loyalty.vest(x, clock.instant(), aKey())));
        }
      }
      clock.advance(Duration.ofMinutes(10));
    }
  }

  /** A purchase of {@code A} units and {@code BEANS} bags, less its refunds so far, and its award entries. */
  static final class Bought {
    final IdempotencyKey transaction;
    final java.util.List<EntryId> awards;
    int units;
    int bags;
    long cents;

    Bought(IdempotencyKey transaction, int units, int bags, java.util.List<EntryId> awards) {
      this.transaction = transaction;
      this.units = units;
      this.bags = bags;
      this.cents = 100L * units + 50L * bags;
      this.awards = awards;
    }
  }

  /**
   * Reverses the oldest credit not yet reversed, if any. Under {@code REFUSE} and {@code CLAMP} a
   * reversal needing points an open hold holds waits for the hold ({@code PointsOnHold}, nothing
   * written), and the credit stays to be reversed later.
   */
  private static void reverseOldest(Loyalty loyalty, java.util.List<Entry> credits) {
    if (!credits.isEmpty()) {
      reverse(loyalty, credits, 0);
    }
  }

  /** Reverses one of the credits not yet reversed, as {@link #reverseOldest} does the oldest. */
  private static void reverse(Loyalty loyalty, java.util.List<Entry> credits, int which) {
    Either<LoyaltyError, Receipt> reversal = loyalty.reverse(Reversal.of(credits.get(which).id(), "Fraud", aKey()));
    if (reversal.isLeft()) {
      assertTrue(reversal.getLeft() instanceof LoyaltyError.PointsOnHold
          || reversal.getLeft() instanceof LoyaltyError.InsufficientPoints, reversal.getLeft().toString());
    } else {
      credits.remove(which);
    }
  }
}
