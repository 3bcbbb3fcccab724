package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way the store writes to an embedded H2 database waits for the database's {@link WriteLock}
 * (held here by the test), and writes nothing until it has it: a write path that bypassed it could
 * let H2 write half of a transaction to the file (see {@link WriteLock}).
 */
class H2WritersWaitForTheWriteLockTest {

  private final TestDatabase database = TestDatabase.h2InMemory();
  private final MemberId ann = member("ann");
  private JpaLedgerStore store;
  private Loyalty loyalty;
  private WriteLock lock;

  @BeforeEach
  void open() throws Exception {
    store = database.open();
    loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
    Fixtures.enrolled(loyalty, ann);
    try (java.sql.Connection connection = database.connect()) {
      lock = WriteLock.of(connection);
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aCommitWaitsForTheLock() throws InterruptedException {
    waitsForTheLock(() -> accepted(loyalty.credit(Credit.of(ann, points(5), "Coffee", aKey()))),
        () -> store.account(ann).get().balance().available().equals(Points.of(5)));
  }

  @Test
  void savingAndDeletingAProfileWaitForTheLock() throws InterruptedException {
    MemberProfile profile = MemberProfile.of(ann, Consent.ALL);
    waitsForTheLock(() -> store.saveProfile(profile), () -> store.profile(ann).isDefined());
    waitsForTheLock(() -> store.deleteProfile(ann), () -> store.profile(ann).isEmpty());
  }

  @Test
  void markingRelayedEventsDeliveredWaitsForTheLock() throws InterruptedException {
    AtomicInteger relayed = new AtomicInteger();
    waitsForTheLock(() -> relayed.set(store.relayEvents(100, event -> {})), () -> relayed.get() == 1);
    assertEquals(0, store.relayEvents(100, event -> {}), "the enrolment's event was marked delivered");
  }

  @Test
  void anImportWaitsForTheLock() throws InterruptedException {
    InMemoryLedgerStore source = new InMemoryLedgerStore();
    Loyalty legacy = Fixtures.aLoyalty(source, TestClock.at(Fixtures.START), Fixtures.aProgram());
    MemberId bob = member("bob");
    Fixtures.enrolled(legacy, bob);
    accepted(legacy.credit(Credit.of(bob, points(40), "Opening balance", aKey())));
    waitsForTheLock(() -> store.importMembers(source, List.of(bob)), () -> store.account(bob).isDefined());
  }

  /**
   * Holds the lock, starts the write on another thread and checks that it waits without having
   * written; then releases the lock and checks that the write completes.
   */
  private void waitsForTheLock(Runnable write, BooleanSupplier written) throws InterruptedException {
    Thread writer = new Thread(write);
    lock.lock();
    try {
      writer.start();
      Thread.State state = ThreadStates.settled(writer);
      assertEquals(Thread.State.WAITING, state, "the writer finished without waiting for the lock");
      assertFalse(written.getAsBoolean(), "written while another held the lock");
    } finally {
      lock.unlock();
    }
    writer.join(TimeUnit.MINUTES.toMillis(1));
    assertFalse(writer.isAlive(), "the writer still waits once the lock is free");
    assertTrue(written.getAsBoolean(), "written once the lock was free");
  }
}
