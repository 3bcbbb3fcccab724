package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CounterChange;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.vavr.collection.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RowLocksTest {

  @Test
  void everyStoreOnOneEmbeddedH2DatabaseSharesOneSetOfLocks() {
    RowLocks first = RowLocks.forDatabase("H2", "jdbc:h2:file:/data/ledger;WRITE_DELAY=0");
    RowLocks second = RowLocks.forDatabase("H2", "jdbc:h2:file:/data/ledger");
    RowLocks other = RowLocks.forDatabase("H2", "jdbc:h2:file:/data/other");
    assertSame(first, second);
    assertNotSame(first, other);
  }

  @Test
  void theDatabaseIsNamedByItsUrlWithoutSettings() {
    assertEquals("jdbc:h2:mem:ledger-1", RowLocks.identity("jdbc:h2:mem:ledger-1;DB_CLOSE_DELAY=-1"));
    assertEquals("jdbc:h2:file:/data/ledger", RowLocks.identity("jdbc:h2:file:/data/Ledger"));
  }

  @Test
  void otherDatabasesAreTrustedWithTheirOwnRowLocks() {
    assertSame(RowLocks.none(), RowLocks.forDatabase("PostgreSQL", "jdbc:postgresql://localhost/ledger"));
  }

  @Test
  void twoCommitsOnOneCounterNeverRunAtTheSameTime() throws Exception {
    RowLocks locks = RowLocks.forDatabase("H2", "jdbc:h2:mem:row-locks-test-counter");
    int threads = 8;
    int rounds = 200;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      java.util.List<Future<Integer>> futures = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          int done = 0;
          for (int i = 0; i < rounds; i++) {
            done += locks.holding(counterCommit("hits", "t" + thread + "-" + i), () -> {
              mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
              Thread.yield();
              inside.decrementAndGet();
              return 1;
            });
          }
          return done;
        }));
      }
      start.countDown();
      int done = 0;
      for (Future<Integer> f : futures) {
        done += f.get(1, TimeUnit.MINUTES);
      }
      assertEquals(threads * rounds, done);
      assertEquals(1, mostInside.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void commitsThatTakeManyRowsInAnyOrderNeverDeadlock() throws Exception {
    RowLocks locks = RowLocks.forDatabase("H2", "jdbc:h2:mem:row-locks-test-order");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      java.util.List<Future<Integer>> futures = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        boolean reversed = t % 2 == 1;
        int thread = t;
        futures.add(pool.submit(() -> {
          int done = 0;
          for (int i = 0; i < 500; i++) {
            List<String> keys = List.range(0, 40).map(k -> "budget-" + k);
            done += locks.holding(new Commit(List.empty(),
                (reversed ? keys.reverse() : keys).map(k -> new CounterChange(k, 0, 1)),
                record("t" + thread + "-" + i)), () -> 1);
          }
          return done;
        }));
      }
      int done = 0;
      for (Future<Integer> f : futures) {
        done += f.get(1, TimeUnit.MINUTES);
      }
      assertEquals(2_000, done);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theLocksAreReleasedWhenTheWorkFails() throws InterruptedException {
    RowLocks locks = RowLocks.forDatabase("H2", "jdbc:h2:mem:row-locks-test-failure");
    Commit commit = counterCommit("stock", "failing");
    assertThrows(IllegalStateException.class, () -> locks.holding(commit, () -> {
      throw new IllegalStateException("the transaction failed");
    }));
    AtomicInteger ran = new AtomicInteger();
    Thread other = new Thread(() -> locks.holding(commit, ran::incrementAndGet));
    other.start();
    other.join(TimeUnit.MINUTES.toMillis(1));
    assertFalse(other.isAlive(), "another commit on the same row still waits for the failed one's lock");
    assertEquals(1, ran.get());
  }

  private static Commit counterCommit(String counter, String key) {
    return new Commit(List.empty(), List.of(new CounterChange(counter, 0, 1)), record(key));
  }

  private static IdempotencyRecord record(String key) {
    Receipt receipt = new Receipt(IdempotencyKey.of(key), MemberId.of("nobody"), MemberStatus.ACTIVE, List.empty(),
        Balance.EMPTY);
    return new IdempotencyRecord(receipt.key(), "f", receipt);
  }
}
