package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.DueTrack;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Invariants of the ledger over random sequences of operations on random members, checked after
 * every operation.
 */
class LedgerPropertiesTest {

  static final int EXAMPLES = Integer.getInteger("QT_EXAMPLES", 1000);
  private static final int MEMBERS = 3;

  /** One generated operation: what to do, to whom, how much, and an auxiliary choice. */
  record Op(int type, int member, int amount, int aux) {}

  static Gen<Op> ops() {
    // Operation types weighted towards the paths that interact (spending, reversing, vesting and
    // the passing of time), so that deficits, pending lots and expiries meet often.
    java.util.List<Integer> weighted = java.util.List.of(0, 0, 1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8, 8, 9, 10, 11, 12);
    return Generate.pick(weighted).zip(integers().between(0, MEMBERS - 1), integers().between(1, 300),
        integers().between(0, 9), Op::new);
  }

  @ParameterizedTest
  @EnumSource(NegativeBalancePolicy.class)
  void everyInvariantHoldsAfterEveryOperationOfRandomSequences(NegativeBalancePolicy policy) {
    qt().withExamples(EXAMPLES)
        .forAll(lists().of(ops()).ofSizeBetween(1, 50))
        .checkAssert(script -> new World(policy).run(script));
  }

  @Test
  void aTransferWithoutAnExpiryConservesThePointsOfEachExpiryAcrossBothMembers() {
    // Lots as (points, expiry choice): 0 never expires, 1 to 3 expire in that many months, 4 is
    // pending (vesting later, so not available to send); some already past their expiry.
    Gen<java.util.List<int[]>> lots = lists().of(integers().between(1, 100).zip(integers().between(0, 5),
        (points, expiry) -> new int[] {points, expiry})).ofSizeBetween(1, 8);
    qt().withExamples(EXAMPLES)
        .forAll(lots, lots, integers().between(1, 1000))
        .checkAssert((sender, receiver, wanted) -> {
          TestClock clock = TestClock.at(Fixtures.START);
          Loyalty loyalty = Fixtures.aLoyalty(new InMemoryLedgerStore(), clock, Fixtures.aProgram());
          MemberId alice = MemberId.of("alice");
          MemberId bob = MemberId.of("bob");
          Instant start = clock.instant();
          for (MemberId m : List.of(alice, bob)) {
            Fixtures.enrolled(loyalty, m);
            for (int[] lot : m.equals(alice) ? sender : receiver) {
              Credit credit = Credit.of(m, Points.of(lot[0]), "earned", Fixtures.aKey());
              accepted(loyalty.credit(switch (lot[1]) {
                case 0 -> credit;
                case 4 -> credit.vestingAt(start.plus(Duration.ofDays(10)));
                case 5 -> credit.expiringAt(start.plus(Duration.ofDays(1)));
                default -> credit.expiringAt(start.plus(Duration.ofDays(30L * lot[1])));
              }));
            }
          }
          clock.advance(Duration.ofDays(2));
          Points available = Fixtures.balanceOf(loyalty, alice).available();
          Points sent = Points.of(Math.min(wanted, available.value()));
          io.vavr.collection.Map<Option<Instant>, Points> before = byExpiry(loyalty, alice).merge(byExpiry(loyalty, bob), Points::plus);
          io.vavr.collection.Map<Option<Instant>, Points> senderBefore = byExpiry(loyalty, alice);
          if (sent.isPositive()) {
            accepted(loyalty.transfer(Transfer.of(alice, bob, sent, "gift", Fixtures.aKey())));
          }
          assertEquals(before, byExpiry(loyalty, alice).merge(byExpiry(loyalty, bob), Points::plus),
              "the points of each expiry across both members");
          io.vavr.collection.Map<Option<Instant>, Points> senderAfter = byExpiry(loyalty, alice);
          Points lost = senderBefore.map((expiry, points) -> io.vavr.Tuple.of(expiry,
              points.minus(senderAfter.get(expiry).getOrElse(Points.ZERO)))).values().foldLeft(Points.ZERO, Points::plus);
          assertEquals(sent, lost, "the sender lost what was sent");
          assertTrue(accepted(loyalty.verify(alice)).isIntact() && accepted(loyalty.verify(bob)).isIntact());
        });
  }

  /** A member's points left in lots, per expiry (none: never), pending or not. */
  private static io.vavr.collection.Map<Option<Instant>, Points> byExpiry(Loyalty loyalty, MemberId member) {
    return accepted(loyalty.lots(member)).groupBy(Lot::expiresAt)
        .mapValues(same -> same.map(Lot::remaining).foldLeft(Points.ZERO, Points::plus));
  }

  /** A ledger under test plus what the test remembers of the requests it sent. */
  static final class World {
    final TestClock clock = TestClock.at(Fixtures.START);
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final NegativeBalancePolicy policy;
    final Loyalty loyalty;
    final java.util.List<MemberId> members = new ArrayList<>();
    final java.util.List<Supplier<Either<LoyaltyError, Receipt>>> sentRequests = new ArrayList<>();
    final java.util.List<Receipt> firstResults = new ArrayList<>();
    /** What a listener that follows members by {@code event.member()} heard: each one's entry events. */
    final java.util.Map<MemberId, java.util.List<LoyaltyEvent.EntryEvent>> heard = new java.util.HashMap<>();
    int keys;

    World(NegativeBalancePolicy policy) {
      this.policy = policy;
      this.loyalty = Loyalty.builder().program(Fixtures.aProgram(policy)).store(store).clock(clock)
          .listener(e -> {
            if (e instanceof LoyaltyEvent.EntryEvent entry) {
              heard.computeIfAbsent(e.member(), m -> new ArrayList<>()).add(entry);
            }
          })
          .build();
      for (int i = 0; i < MEMBERS; i++) {
        MemberId m = MemberId.of("m" + i);
        members.add(m);
        accepted(loyalty.enrol(Enrolment.of(m, key())));
      }
    }

    IdempotencyKey key() {
      return IdempotencyKey.of("key-" + keys++);
    }

    void run(java.util.List<Op> script) {
      for (Op op : script) {
        step(op);
        checkInvariants();
      }
    }

    void step(Op op) {
      MemberId m = members.get(op.member());
      Points amount = Points.of(op.amount());
      IdempotencyKey key = key();
      switch (op.type()) {
        case 0, 1 -> {
          Credit credit = credit(m, amount, key, op.aux());
          send(() -> loyalty.credit(credit));
        }
        case 2 -> send(() -> loyalty.debit(Debit.of(m, amount, "spend", key)));
        case 3 -> send(() -> loyalty.adjust(Adjustment.of(m, op.aux() % 2 == 0 ? amount : amount.negated(), "fix", "ops", key)));
        case 4 -> {
          List<Entry> reversible = store.entries(m, 1, 100_000).filter(e -> e.kind() == EntryKind.EARN
              || e.kind() == EntryKind.BONUS || e.kind() == EntryKind.ADJUST || e.kind() == EntryKind.REDEEM);
          EntryId target = reversible.isEmpty()
              ? EntryId.of(m, 1)
              : reversible.get(reversible.size() - 1 - op.aux() % reversible.size()).id();
          send(() -> loyalty.reverse(Reversal.of(target, "undo", key)));
        }
        case 5 -> {
          Transfer gift = Transfer.of(m, members.get((op.member() + 1 + op.aux() % 3) % MEMBERS), amount, "gift", key);
          // Some received lots expire, so that expiries, debits and reversals meet them too.
          Transfer sent = op.aux() % 2 == 0 ? gift : gift.expiringAt(clock.instant().plus(Duration.ofDays(op.aux())));
          send(() -> loyalty.transfer(sent));
        }
        case 6 -> {
          Instant asOf = clock.instant();
          send(() -> loyalty.expire(m, asOf, key));
        }
        case 7 -> {
          Instant asOf = clock.instant();
          send(() -> loyalty.vest(m, asOf, key));
        }
        case 8 -> clock.advance(Duration.ofDays(op.aux() + 1L));
        case 9 -> {
          MemberStatus status = store.account(m).get().member().status();
          if (op.aux() == 0) {
            send(() -> loyalty.close(m, "bye", key));
          } else if (status == MemberStatus.ACTIVE) {
            send(() -> loyalty.suspend(m, "check", key));
          } else {
            send(() -> loyalty.reactivate(m, "ok", key));
          }
        }
        case 10 -> replayAnAcceptedRequest(op.amount());
        case 11 -> reuseAKeyForAnotherRequest(op.amount(), m);
        default -> send(() -> loyalty.credit(Credit.of(m, amount, "bonus", key).ofKind(EntryKind.BONUS)));
      }
    }

    Credit credit(MemberId m, Points amount, IdempotencyKey key, int aux) {
      Credit c = Credit.of(m, amount, "purchase", key);
      if (aux % 3 == 0) {
        c = c.expiringAt(clock.instant().plus(Duration.ofDays(aux * 2L + 1)));
      }
      if (aux % 2 == 1) {
        c = c.vestingAt(clock.instant().plus(Duration.ofDays(aux % 5 + 1L)));
      }
      return c;
    }

    /** Sends a request; a refusal must write nothing and be refused the same way when retried. */
    void send(Supplier<Either<LoyaltyError, Receipt>> request) {
      Object before = snapshot();
      Either<LoyaltyError, Receipt> result = request.get();
      if (result.isLeft()) {
        assertEquals(before, snapshot(), "a refused request wrote something: " + result.getLeft());
        assertEquals(result, request.get(), "a retried refusal was answered differently");
        assertEquals(before, snapshot());
      } else {
        sentRequests.add(request);
        firstResults.add(result.get());
      }
    }

    void replayAnAcceptedRequest(int pick) {
      if (sentRequests.isEmpty()) {
        return;
      }
      int i = pick % sentRequests.size();
      Object before = snapshot();
      assertEquals(Either.right(firstResults.get(i)), sentRequests.get(i).get(), "a replay returned another result");
      assertEquals(before, snapshot(), "a replay wrote something");
    }

    void reuseAKeyForAnotherRequest(int pick, MemberId m) {
      if (firstResults.isEmpty()) {
        return;
      }
      IdempotencyKey used = firstResults.get(pick % firstResults.size()).key();
      Object before = snapshot();
      // Every kind of ledger request, whatever kind the key was first used for: the key decides
      // before the request is planned, so none of them may write (or be refused for another cause).
      MemberId other = members.get((members.indexOf(m) + 1) % MEMBERS);
      Either<LoyaltyError, Receipt> resent = switch (pick % 5) {
        case 0 -> loyalty.credit(Credit.of(m, Points.of(1), "a different request", used));
        case 1 -> loyalty.debit(Debit.of(m, Points.of(1), "a different request", used));
        case 2 -> loyalty.adjust(Adjustment.of(m, Points.of(-1), "a different request", "ops", used));
        case 3 -> loyalty.transfer(Transfer.of(m, other, Points.of(1), "a different request", used));
        default -> loyalty.reverse(Reversal.of(EntryId.of(m, 1), "a different request", used));
      };
      assertInstanceOf(LoyaltyError.IdempotencyConflict.class, Fixtures.refused(resent));
      assertEquals(before, snapshot());
    }

    Object snapshot() {
      return List.ofAll(members).map(m -> List.of(store.account(m), store.entries(m, 1, 100_000)));
    }

    void checkInvariants() {
      // Transfers move points between members and never make or lose any: each TRANSFER_IN is the
      // negation of the TRANSFER_OUT it references, from its counterparty, so over all members the
      // transfers add up to zero and the points in the books change only by the other entries.
      List<Entry> all = List.ofAll(members).flatMap(m -> store.entries(m, 1, 100_000));
      List<Entry> ins = all.filter(e -> e.kind() == EntryKind.TRANSFER_IN);
      for (Entry in : ins) {
        Entry out = store.entry(in.reference().get()).get();
        assertEquals(EntryKind.TRANSFER_OUT, out.kind(), "a transfer in references its transfer out");
        assertEquals(in.points().negated(), out.points(), "a transfer in receives what its transfer out sent");
        assertEquals(in.counterparty(), Option.some(out.member()), "a transfer in names its sender");
      }
      assertEquals(ins.size(), all.count(e -> e.kind() == EntryKind.TRANSFER_OUT), "every transfer out has its transfer in");
      Points everyone = List.ofAll(members).map(m -> store.account(m).get().balance().total())
          .foldLeft(Points.ZERO, Points::plus);
      Points notTransfers = all.filter(e -> e.kind() != EntryKind.TRANSFER_IN && e.kind() != EntryKind.TRANSFER_OUT)
          .map(Entry::points).foldLeft(Points.ZERO, Points::plus);
      assertEquals(notTransfers, everyone, "the members' points change by credits, debits and expiries, never by transfers");
      for (MemberId m : members) {
        var account = store.account(m).get();
        List<Entry> entries = store.entries(m, 1, 100_000);
        Balance balance = account.balance();
        Points sum = entries.map(Entry::points).foldLeft(Points.ZERO, Points::plus);
        assertEquals(sum, balance.total(), "balance total equals the sum of entries");
        if (policy != NegativeBalancePolicy.ALLOW_NEGATIVE) {
          assertFalse(balance.available().isNegative(), "available never below zero");
        }
        Points vestedLots = account.lots().filter(l -> !l.pending()).map(Lot::remaining).foldLeft(Points.ZERO, Points::plus);
        Points pendingLots = account.lots().filter(Lot::pending).map(Lot::remaining).foldLeft(Points.ZERO, Points::plus);
        assertEquals(balance.available().max(Points.ZERO), vestedLots, "vested lots add up to the available balance");
        assertEquals(balance.pending(), pendingLots, "pending lots add up to the pending balance");
        assertTrue(account.lots().forAll(l -> l.remaining().isPositive()), "only lots with points are kept");
        assertEquals(account.lots(), account.lots().sorted(Lot.CONSUMPTION_ORDER), "lots are kept in consumption order");
        // The due work reads the next expiry from the first lot and scans for vesting only while
        // points are pending: it must agree with a scan of every lot.
        DueWork due = store.dueWork(m).get();
        assertEquals(account.lots().flatMap(Lot::expiresAt).minBy(Comparator.naturalOrder()), due.next(DueTrack.LOT_EXPIRY),
            "the next lot expiry is the soonest of all lots");
        assertEquals(account.lots().filter(Lot::pending).flatMap(Lot::vestsAt).minBy(Comparator.naturalOrder()),
            due.next(DueTrack.VESTING), "the next vesting is the soonest of the pending lots");
        assertEquals(List.rangeClosed(1L, (long) entries.size()), entries.map(Entry::sequence), "sequences are contiguous");
        assertEquals(entries.size(), account.lastSequence());
        assertTrue(accepted(loyalty.verify(m)).isIntact(), "the chain verifies");
        assertEquals(balance, accepted(loyalty.balanceAsOf(m, clock.instant())), "replaying the entries gives the balance");
        java.util.List<LoyaltyEvent.EntryEvent> events = heard.getOrDefault(m, java.util.List.of());
        assertEquals(entries.map(Entry::id).asJava(), events.stream().map(e -> e.entry().id()).toList(),
            "a listener following the member heard each of its entries once, in order");
        assertEquals(events.isEmpty() ? Balance.EMPTY : events.get(events.size() - 1).balance(), balance,
            "the last balance the listener heard is the member's balance");
      }
    }
  }
}
