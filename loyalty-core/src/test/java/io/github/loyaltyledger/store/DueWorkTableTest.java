package io.github.loyaltyledger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.HashMap;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The in-memory due-work index under concurrency: a daily-run query on one thread while a commit
 * on another moves a member's facts. The writer is paused, with latches, right after it removed one
 * of the member's old index entries, and the query runs then; no sleeps.
 */
class DueWorkTableTest {

  private static final Instant NOW = Instant.parse("2027-03-01T12:00:00Z");
  private static final MemberId ALICE = MemberId.of("alice");

  private static DueWork aliceDue(MemberStatus status, DueTrack track, Instant at) {
    Member member = new Member(ALICE, NOW.minus(Duration.ofDays(400)), Option.some(MonthDay.of(3, 1)),
        ZoneOffset.UTC, status);
    return new DueWork(member, HashMap.of(track, at), NOW, true, Option.none(), HashMap.empty(), HashMap.empty());
  }

  /** Runs the query while the writer of {@code after} is paused after its first removal. */
  private static List<MemberId> queriedDuringMove(DueWork before, DueWork after, DueQuery query) {
    return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      CountDownLatch removed = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      AtomicReference<Thread> writerThread = new AtomicReference<>();
      DueWorkTable table = new DueWorkTable(() -> {
        if (Thread.currentThread() == writerThread.get() && removed.getCount() == 1) {
          removed.countDown();
          awaitQuietly(resume);
        }
      });
      table.put(DueWorkTable.prepare(before));
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> writer = pool.submit(() -> {
          writerThread.set(Thread.currentThread());
          table.put(DueWorkTable.prepare(after));
          removed.countDown();
        });
        removed.await();
        AtomicReference<Thread> readerThread = new AtomicReference<>();
        CompletableFuture<List<MemberId>> reader = CompletableFuture.supplyAsync(() -> {
          readerThread.set(Thread.currentThread());
          return table.candidates(query).map(DueWork::memberId);
        }, pool);
        // The query either answers while the writer is paused, or waits for it to finish.
        while (!reader.isDone() && !waiting(readerThread.get())) {
          Thread.onSpinWait();
        }
        resume.countDown();
        writer.get();
        return reader.get();
      } finally {
        resume.countDown();
        pool.shutdownNow();
      }
    });
  }

  private static boolean waiting(Thread thread) {
    return thread != null && (thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.BLOCKED);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aMemberDueBeforeAndAfterTheirExpiryMovesIsFoundByAQueryRunningDuringTheMove() {
    Instant day1 = NOW.plus(Duration.ofDays(1));
    Instant day2 = NOW.plus(Duration.ofDays(2));
    DueQuery byDay3 = new DueQuery(NOW, NOW.plus(Duration.ofDays(3)), Option.none(), HashSet.empty(), HashSet.empty(),
        Partition.all());

    List<MemberId> found = queriedDuringMove(aliceDue(MemberStatus.ACTIVE, DueTrack.LOT_EXPIRY, day1),
        aliceDue(MemberStatus.ACTIVE, DueTrack.LOT_EXPIRY, day2), byDay3);

    assertEquals(List.of(ALICE), found, "alice's points expire by the horizon in both states");
  }

  @Test
  void aMemberWhoseStatusChangesIsFoundOnTheirBirthdayByAQueryRunningDuringTheChange() {
    Instant day1 = NOW.plus(Duration.ofDays(1));
    DueQuery onTheBirthday = new DueQuery(NOW, NOW, Option.none(), HashSet.of(MonthDay.of(3, 1)), HashSet.empty(),
        Partition.all());

    List<MemberId> found = queriedDuringMove(aliceDue(MemberStatus.ACTIVE, DueTrack.LOT_EXPIRY, day1),
        aliceDue(MemberStatus.SUSPENDED, DueTrack.LOT_EXPIRY, day1), onTheBirthday);

    assertEquals(List.of(ALICE), found, "alice's birthday is the 1st of March before and after");
  }
}
