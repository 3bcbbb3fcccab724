package io.github.loyaltyledger.store;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.vavr.control.Either;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Two facades (two application nodes) on one in-memory store, racing for real. The store published
 * a commit's account before the entries it references: the other node could then read the new
 * version, find no reversal of the credit yet, and commit a second one against that version. Not
 * an interleaving forced at one point (as in {@code TwoNodesInterleavingTest}): the gap was inside
 * the store's commit, so the two requests are raced many times; before the fix a double reversal
 * showed within a few thousand rounds.
 */
class TwoFacadesRaceTest {

  private static final int ROUNDS = 4_000;

  @Test
  void twoNodesReversingOneCreditAtOnceNeverBothCommit() {
    assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
      TestClock clock = TestClock.at(Fixtures.START);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < ROUNDS; round++) {
          InMemoryLedgerStore store = new InMemoryLedgerStore();
          Loyalty first = Fixtures.aLoyalty(store, clock, Fixtures.aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
          Loyalty second = Fixtures.aLoyalty(store, clock, Fixtures.aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
          int n = round;
          MemberId m = MemberId.of("m" + n);
          enrolled(first, m);
          Entry credit = accepted(first.credit(Credit.of(m, Points.of(100), "Purchase", Fixtures.aKey()))).entries().head();
          CyclicBarrier go = new CyclicBarrier(2);
          Future<Either<LoyaltyError, Receipt>> a = pool.submit(() -> {
            go.await();
            return first.reverse(Reversal.of(credit.id(), "Refund", IdempotencyKey.of("a-" + n)));
          });
          Future<Either<LoyaltyError, Receipt>> b = pool.submit(() -> {
            go.await();
            return second.reverse(Reversal.of(credit.id(), "Refund", IdempotencyKey.of("b-" + n)));
          });
          Either<LoyaltyError, Receipt> ra = a.get();
          Either<LoyaltyError, Receipt> rb = b.get();
          assertEquals(1, store.entries(m, 1, 10).count(e -> e.kind() == EntryKind.REVERSAL),
              "round " + round + ": " + ra + " / " + rb);
          assertEquals(1, ra.isRight() ? (rb.isRight() ? 2 : 1) : (rb.isRight() ? 1 : 0), "exactly one reversal answers");
        }
      } finally {
        pool.shutdownNow();
      }
    });
  }
}
