package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriteLockTest {

  @Test
  void everyStoreOnOneEmbeddedH2DatabaseSharesOneLock() throws InterruptedException {
    WriteLock first = WriteLock.forDatabase("H2", "jdbc:h2:file:/data/ledger;WRITE_DELAY=0");
    WriteLock second = WriteLock.forDatabase("H2", "jdbc:h2:file:/data/ledger");
    WriteLock other = WriteLock.forDatabase("H2", "jdbc:h2:file:/data/other");
    assertTrue(first.serialises());
    Thread sameDatabase = new Thread(() -> second.run(() -> {}));
    Thread otherDatabase = new Thread(() -> other.run(() -> {}));
    first.lock();
    try {
      sameDatabase.start();
      otherDatabase.start();
      assertEquals(Thread.State.WAITING, ThreadStates.settled(sameDatabase), "a writer on the same database waits");
      assertEquals(Thread.State.TERMINATED, ThreadStates.settled(otherDatabase), "a writer on another database does not");
    } finally {
      first.unlock();
    }
    sameDatabase.join(TimeUnit.MINUTES.toMillis(1));
    assertFalse(sameDatabase.isAlive(), "the waiting writer ran once the lock was released");
  }

  @Test
  void theDatabaseIsNamedByItsUrlWithoutSettings() {
    assertEquals("jdbc:h2:mem:ledger-1", WriteLock.identity("jdbc:h2:mem:ledger-1;DB_CLOSE_DELAY=-1"));
    assertEquals("jdbc:h2:file:/data/ledger", WriteLock.identity("jdbc:h2:file:/data/Ledger"));
  }

  @Test
  void otherDatabasesAreTrustedWithTheirOwnLocks() {
    WriteLock none = WriteLock.forDatabase("PostgreSQL", "jdbc:postgresql://localhost/ledger");
    assertSame(WriteLock.none(), none);
    assertFalse(none.serialises());
    assertEquals(7, none.holding(() -> 7));
  }

  @Test
  void twoWritersOnOneDatabaseNeverRunAtTheSameTimeWhateverTheyWrite() throws Exception {
    WriteLock lock = WriteLock.forDatabase("H2", "jdbc:h2:mem:write-lock-test-one-at-a-time");
    int threads = 8;
    int rounds = 200;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      java.util.List<Future<Integer>> futures = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean withoutResult = t % 2 == 1;
        futures.add(pool.submit(() -> {
          start.await();
          AtomicInteger done = new AtomicInteger();
          for (int i = 0; i < rounds; i++) {
            Runnable work = () -> {
              mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
              Thread.yield();
              inside.decrementAndGet();
              done.incrementAndGet();
            };
            if (withoutResult) {
              lock.run(work);
            } else {
              lock.lock();
              try {
                work.run();
              } finally {
                lock.unlock();
              }
            }
          }
          return done.get();
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
  void workUnderTheLockMayRunFurtherWorkUnderIt() {
    WriteLock lock = WriteLock.forDatabase("H2", "jdbc:h2:mem:write-lock-test-reentrant");
    assertEquals(3, lock.holding(() -> lock.holding(() -> 3)));
  }

  @Test
  void theLockIsReleasedWhenTheWorkFails() throws InterruptedException {
    WriteLock lock = WriteLock.forDatabase("H2", "jdbc:h2:mem:write-lock-test-failure");
    assertThrows(IllegalStateException.class, () -> lock.holding(() -> {
      throw new IllegalStateException("the transaction failed");
    }));
    AtomicInteger ran = new AtomicInteger();
    Thread other = new Thread(() -> lock.holding(ran::incrementAndGet));
    other.start();
    other.join(TimeUnit.MINUTES.toMillis(1));
    assertFalse(other.isAlive(), "another writer still waits for the failed one's lock");
    assertEquals(1, ran.get());
  }
}
