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

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.control.Either;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
  static final RedemptionRate RATE = RedemptionRate.of(eur("1.00"), 100);

  record Op(int type, int who, int amount) {}

  static Gen<Op> ops() {
    return integers().between(0, 10).zip(integers().between(0, 1), integers().between(1, 120), Op::new);
  }

  @Test
  void everyIssuedPointIsAccountedForAndLiabilityMatchesBreakageAndBalances() {
    qt().withExamples(EXAMPLES).forAll(lists().of(ops()).ofSizeBetween(1, 25), integers().between(0, 1))
        .checkAssert((script, policy) -> {
      TestClock clock = TestClock.at(Fixtures.START);
      InMemoryLedgerStore store = new InMemoryLedgerStore();
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram(
          policy == 0 ? NegativeBalancePolicy.CLAMP : NegativeBalancePolicy.ALLOW_NEGATIVE));
      java.util.List<MemberId> members = java.util.List.of(member("a"), member("b"));
      members.forEach(m -> enrolled(loyalty, m));
      java.util.List<Entry> spends = new ArrayList<>();
      java.util.List<Entry> credits = new ArrayList<>();
      java.util.List<Hold> holds = new ArrayList<>();
      for (Op op : script) {
        MemberId m = members.get(op.who());
        Points available = balanceOf(loyalty, m).available();
        Points amount = points(op.amount());
        switch (op.type()) {
          // Lots expiring within minutes expire while holds (at most a day) are open: their return makes grace lots.
          case 0, 1 -> credits.add(accepted(loyalty.credit(Credit.of(m, amount, "Purchase", aKey())
              .expiringAt(clock.instant().plus(op.type() == 0 ? Duration.ofMinutes(op.amount())
                  : Duration.ofDays(op.amount()))))).entries().head());
          case 2 -> credits.add(accepted(loyalty.credit(Credit.of(m, amount, "Gift", aKey()))).entries().head());
          case 9 -> credits.add(accepted(loyalty.credit(Credit.of(m, amount, "Pending", aKey())
              .vestingAt(clock.instant().plus(Duration.ofHours(op.amount()))))).entries().head());
          // Under ALLOW_NEGATIVE, taking back spent points leaves a deficit that later credits and vesting repay.
          case 10 -> reverseOldest(loyalty, credits);
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
                accepted(loyalty.capture(h.id(), aKey()));
              } else {
                accepted(loyalty.voidHold(h.id(), "Changed mind", aKey()));
              }
            }
          }
          case 6 -> {
            if (!spends.isEmpty()) {
              Entry spent = spends.remove(0);
              accepted(op.amount() % 2 == 0 ? loyalty.reverse(Reversal.of(spent.id(), "Till error", aKey()))
                  : loyalty.cancelRedemption(spent.id(), "Cancelled", aKey()));
            }
          }
          case 7 -> {
            if (!available.isLessThan(amount)) {
              accepted(loyalty.transfer(Transfer.of(m, members.get(1 - op.who()), amount, "Gift", aKey())));
            }
          }
          default -> {
            clock.advance(op.amount() % 2 == 0 ? Duration.ofHours(op.amount()) : Duration.ofDays(op.amount()));
            members.forEach(x -> accepted(loyalty.expire(x, clock.instant(), aKey())));
            members.forEach(x -> accepted(loyalty.vest(x, clock.instant(), aKey())));
          }
        }
        clock.advance(Duration.ofMinutes(10));
      }
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
      accepted(loyalty.credit(Credit.of(members.get(0), points(1), "Later", aKey())));
      accepted(loyalty.credit(Credit.of(members.get(1), points(1), "Later", aKey())));
      assertEquals(current, accepted(loyalty.liability(now, ZoneOffset.UTC, RATE)), "replayed as of then");
      assertEquals(breakage, loyalty.breakage(now, ZoneOffset.UTC), "breakage replayed as of then");
    });
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

  /** -1, 0 or +1 nanosecond, by sequence: instants just before, at and just after entries. */
  private static long nudge(long sequence) {
    return sequence % 3 - 1;
  }

  /**
   * Reverses the oldest credit not yet reversed, if any. Under {@code REFUSE} and {@code CLAMP} a
   * reversal needing points an open hold holds waits for the hold ({@code PointsOnHold}, nothing
   * written), and the credit stays to be reversed later.
   */
  private static void reverseOldest(Loyalty loyalty, java.util.List<Entry> credits) {
    if (credits.isEmpty()) {
      return;
    }
    Either<LoyaltyError, Receipt> reversal = loyalty.reverse(Reversal.of(credits.get(0).id(), "Fraud", aKey()));
    if (reversal.isLeft()) {
      assertInstanceOf(LoyaltyError.PointsOnHold.class, reversal.getLeft());
    } else {
      credits.remove(0);
    }
  }
}
