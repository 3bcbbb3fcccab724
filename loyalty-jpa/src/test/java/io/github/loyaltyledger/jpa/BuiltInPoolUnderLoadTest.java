package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.member.MemberId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The stores that {@link JpaLedgerStore#fromJdbcUrl} and {@link JpaLedgerStore#h2File} build use
 * Hibernate's built-in connection pool, which refuses a connection at once when all of its are in
 * use. More requests at once than the pool has connections (a till server's forty threads) wait for
 * their turn; none fails for want of a connection.
 */
class BuiltInPoolUnderLoadTest {

  /** More requests at once than the built-in pool's 20 connections. */
  private static final int REQUESTS = 30;

  @Nested
  class OnH2 {

    @Test
    void moreRequestsAtOnceThanThePoolHasConnectionsWaitForTheirTurnAndAllSucceed() throws Exception {
      requestsAtOnce(TestDatabase.h2InMemory());
    }
  }

  @Nested
  class OnPostgresql {

    @Test
    void moreRequestsAtOnceThanThePoolHasConnectionsWaitForTheirTurnAndAllSucceed() throws Exception {
      requestsAtOnce(TestDatabase.emptyPostgresql());
    }
  }

  /**
   * Each request's attempt reads its member's account and then waits until every request has
   * either started or is waiting to: on PostgreSQL an attempt's reads hold its connection (its
   * transaction) until it ends, so thirty attempts would need thirty connections at once.
   */
  private static void requestsAtOnce(TestDatabase database) throws Exception {
    try (JpaLedgerStore store = database.open()) {
      Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
          .clock(TestClock.at(Fixtures.START)).build();
      for (int i = 0; i < REQUESTS; i++) {
        Fixtures.enrolled(loyalty, member("till-" + i));
      }
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger read = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        MemberId till = member("till-" + i);
        Thread thread = new Thread(() -> {
          try {
            store.attempt(view -> {
              assertTrue(view.account(till).isDefined());
              read.incrementAndGet();
              awaitQuietly(release);
              return null;
            });
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        ThreadStates.settled(thread);
      }
      release.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      assertEquals(List.of(), List.copyOf(failures), "requests failed for want of a connection");
      assertEquals(REQUESTS, read.get());
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the release", e);
    }
  }
}
