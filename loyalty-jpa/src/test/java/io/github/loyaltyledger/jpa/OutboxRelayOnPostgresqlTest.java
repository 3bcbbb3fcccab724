package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Either;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbox relay on a real PostgreSQL server (see {@link TestDatabase#postgresql()}). */
class OutboxRelayOnPostgresqlTest {

  /**
   * More events than the 65,535 parameters that pgjdbc binds to one statement (the protocol counts
   * them in 16 bits): an update listing each relayed id as a parameter of its own is refused.
   */
  private static final int COPIES = 70_000;

  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  @Test
  void aBatchOfMoreEventsThanOneStatementCanBindIsMarkedDeliveredAndNotHandedAgain() throws Exception {
    TestDatabase.inPostgresqlSchema("outbox_relay_test", database -> {
      try (JpaLedgerStore store = database.open()) {
        MemberId ada = member("ada");
        Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
            .clock(TestClock.at(Fixtures.START)).build();
        accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
        accepted(loyalty.credit(Credit.of(ada, points(10), "Beans", aKey())));
        // Committing 70,000 requests through the facade takes minutes: the credit's event row, as
        // the commit wrote it, is copied instead (the relay reads rows, whoever wrote them).
        try (Connection c = database.connect();
            PreparedStatement copy = c.prepareStatement("INSERT INTO ledger_outbox (member_id, event_type, payload, delivered)"
                + " SELECT o.member_id, o.event_type, o.payload, FALSE FROM ledger_outbox o, generate_series(1, ?)"
                + " WHERE o.id = (SELECT MAX(id) FROM ledger_outbox)")) {
          copy.setInt(1, COPIES);
          assertEquals(COPIES, copy.executeUpdate());
        }
        int total = COPIES + 2;

        List<LoyaltyEvent> relayed = new ArrayList<>();
        assertEquals(total, store.relayEvents(100_000, relayed::add));
        assertEquals(total, relayed.size());
        assertEquals(0, store.relayEvents(100_000, relayed::add), "every event relayed was marked delivered");
      }
    });
  }

  /*
   * A transfer's two sides are stored under their own members and relayed, with the transfer
   * itself, in the receiver's commit order.
   */
  @Test
  void aTransferIsRelayedWithEachSideAsItsMembersEventInCommitOrder() throws Exception {
    TestDatabase.inPostgresqlSchema("outbox_transfer_test", database -> {
      try (JpaLedgerStore store = database.open()) {
        MemberId ada = member("ada");
        MemberId ben = member("ben");
        List<LoyaltyEvent> published = new ArrayList<>();
        Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
            .clock(TestClock.at(Fixtures.START)).listener(published::add).build();
        accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
        accepted(loyalty.enrol(Enrolment.of(ben, aKey())));
        accepted(loyalty.credit(Credit.of(ada, points(100), "Beans", aKey())));
        accepted(loyalty.credit(Credit.of(ben, points(5), "Beans", aKey())));
        accepted(loyalty.transfer(Transfer.of(ada, ben, points(30), "Gift", aKey())));
        accepted(loyalty.credit(Credit.of(ben, points(1), "Beans", aKey())));

        List<LoyaltyEvent> relayed = new ArrayList<>();
        store.relayEvents(100, relayed::add);

        assertEquals(published, relayed);
        assertEquals(List.of(LoyaltyEvent.MemberEnrolled.class, LoyaltyEvent.PointsEarned.class,
                LoyaltyEvent.PointsReceived.class, LoyaltyEvent.PointsEarned.class),
            relayed.stream().filter(e -> e.member().equals(ben)).map(Object::getClass).toList());
        try (Connection c = database.connect(); Statement query = c.createStatement();
            ResultSet rows = query.executeQuery("SELECT member_id, event_type FROM ledger_outbox"
                + " WHERE event_type IN ('PointsSent', 'PointsReceived') ORDER BY id")) {
          List<String> stored = new ArrayList<>();
          while (rows.next()) {
            stored.add(rows.getString(1) + " " + rows.getString(2));
          }
          assertEquals(List.of("ada PointsSent", "ben PointsReceived"), stored);
        }
      }
    });
  }

  /*
   * A commit that publishes an event without changing the member's account (an expiry notice, a
   * tier warning) must still take its turn with the member's other commits: the relay hands events
   * over in id order, which must be their commit order for each member.
   */
  @Test
  void anEventPublishedWithoutAnAccountChangeIsRelayedInCommitOrderWithTheMembersOtherCommits() throws Exception {
    TestDatabase.inPostgresqlSchema("outbox_order_test", database -> {
      try (JpaLedgerStore store = database.open()) {
        MemberId ada = member("ada");
        Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
            .clock(TestClock.at(Fixtures.START)).build();
        Instant expiresAt = Instant.parse(Fixtures.START).plus(Duration.ofDays(30));
        accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
        accepted(loyalty.credit(Credit.of(ada, points(10), "Beans", aKey()).expiringAt(expiresAt)));
        store.relayEvents(100, event -> { });

        // Another node's commit on ada: it has changed her account row and written its event (a copy
        // of the credit's), and has not committed yet.
        try (Connection other = database.connect()) {
          other.setAutoCommit(false);
          try (PreparedStatement lock = other.prepareStatement(
              "UPDATE ledger_account SET version = version WHERE member_id = ?")) {
            lock.setString(1, ada.value());
            assertEquals(1, lock.executeUpdate());
          }
          try (Statement copy = other.createStatement()) {
            assertEquals(1, copy.executeUpdate("INSERT INTO ledger_outbox (member_id, event_type, payload, delivered)"
                + " SELECT member_id, event_type, payload, FALSE FROM ledger_outbox"
                + " WHERE id = (SELECT MAX(id) FROM ledger_outbox)"));
          }
          int otherPid;
          try (Statement query = other.createStatement(); ResultSet pid = query.executeQuery("SELECT pg_backend_pid()")) {
            pid.next();
            otherPid = pid.getInt(1);
          }
          FutureTask<Object> announcement =
              new FutureTask<>(() -> accepted(loyalty.announceExpiry(ada, expiresAt, aKey())));
          new Thread(announcement).start();
          while (!announcement.isDone() && !blocksAnother(other, otherPid)) {
            Thread.onSpinWait();
          }
          boolean announcedFirst = announcement.isDone();
          other.commit();
          announcement.get(60, TimeUnit.SECONDS);

          List<Class<?>> relayed = new ArrayList<>();
          store.relayEvents(100, event -> relayed.add(event.getClass()));
          List<Class<?>> inCommitOrder = announcedFirst
              ? List.of(LoyaltyEvent.PointsExpiringSoon.class, LoyaltyEvent.PointsEarned.class)
              : List.of(LoyaltyEvent.PointsEarned.class, LoyaltyEvent.PointsExpiringSoon.class);
          assertEquals(inCommitOrder, relayed);
        }
      }
    });
  }

  /*
   * The relay hands an enrolment event over while another thread erases the member: the erasure does
   * not commit while the birthday is being handed over (nor wait for the relay's lock on the row); it
   * is refused as a concurrent modification, writing nothing, and commits when sent again.
   */
  @Test
  void anErasureWhileTheRelayHandsOverTheEnrolmentEventIsRefusedAndCommitsWhenSentAgain() throws Exception {
    erasingWhileHandedOver("outbox_erasure_test", (loyalty, ada) -> { });
  }

  /*
   * The listener of the enrolment event credits the member (a welcome bonus) after another thread
   * began to erase that member through the same facade, which holds its lock on the member while the
   * erasure's redaction waited for the relay's row lock: both waited for ever (or until a
   * lock_timeout). The erasure is refused instead, and the credit commits.
   */
  @Test
  void aListenerThatCreditsTheMemberWhoseErasureBeganMeanwhileEndsAndTheErasureIsRefused() throws Exception {
    erasingWhileHandedOver("outbox_erasure_credit_test",
        (loyalty, ada) -> accepted(loyalty.credit(Credit.of(ada, points(50), "Welcome", Fixtures.key("welcome")))));
  }

  /**
   * Erases the member on another thread while the relay hands over its enrolment event, then lets the
   * listener do {@code then}: the erasure is refused, writes nothing, and commits when sent again.
   */
  private static void erasingWhileHandedOver(String schema, java.util.function.BiConsumer<Loyalty, MemberId> then)
      throws Exception {
    TestDatabase.inPostgresqlSchema(schema, database -> {
      try (JpaLedgerStore store = database.open(); Connection watcher = database.connect()) {
        MemberId ada = member("ada");
        Loyalty loyalty = enrolAdaWithABirthday(store);
        IdempotencyKey key = aKey();
        FutureTask<Either<LoyaltyError, Receipt>> erasure = new FutureTask<>(() -> loyalty.erase(ada, key));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> store.relayEvents(100, event -> {
          assertTrue(((LoyaltyEvent.MemberEnrolled) event).enrolled().birthday().isDefined());
          new Thread(erasure).start();
          try {
            while (!erasure.isDone() && !anyWaits(watcher)) {
              Thread.onSpinWait();
            }
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          then.accept(loyalty, ada);
        }), "the erasure and the relay's listener wait for each other");
        Either<LoyaltyError, Receipt> erased = erasure.get(60, TimeUnit.SECONDS);
        assertTrue(erased.isLeft() && erased.getLeft() instanceof LoyaltyError.ConcurrentModification,
            "the erasure was not refused while the birthday was being handed over: " + erased);
        assertTrue(accepted(loyalty.verify(ada)).isIntact());
        accepted(loyalty.erase(ada, key));
        List<LoyaltyEvent> later = new ArrayList<>();
        store.relayEvents(100, later::add);
        assertTrue(later.stream().noneMatch(LoyaltyEvent.MemberEnrolled.class::isInstance),
            "the enrolment event was marked delivered: " + later);
      }
    });
  }

  /*
   * A listener that throws an Error while it handles an enrolment event: the transaction that locks
   * the event's row ends with the call, so no session is left holding the lock (the next call, or
   * the member's erasure, would wait for it for ever) and the next call hands the event again.
   */
  @Test
  void anEnrolmentEventWhoseListenerThrewAnErrorLeavesNoLockAndIsHandedAgain() throws Exception {
    TestDatabase.inPostgresqlSchema("outbox_error_test", database -> {
      try (JpaLedgerStore store = database.open(); Connection watcher = database.connect()) {
        enrolAdaWithABirthday(store);
        assertThrows(StackOverflowError.class, () -> store.relayEvents(100, event -> {
          throw new StackOverflowError();
        }));

        // Ended here, so that a session left in the transaction cannot hold up the schema's drop.
        List<Integer> open = new ArrayList<>();
        try (Statement query = watcher.createStatement();
            ResultSet sessions = query.executeQuery("SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND state LIKE 'idle in transaction%'")) {
          while (sessions.next()) {
            open.add(sessions.getInt(1));
          }
        }
        assertEquals(List.of(), open, "sessions still holding the relay's transaction open");
        List<LoyaltyEvent> relayed = new ArrayList<>();
        assertEquals(1, store.relayEvents(100, relayed::add));
        assertTrue(relayed.get(0) instanceof LoyaltyEvent.MemberEnrolled, "handed again: " + relayed);
      }
    });
  }

  /**
   * A listener that fails while the connection of the relay's transaction is lost (the server ended
   * the session): the rollback fails too, and the listener's failure, not the rollback's, is what
   * the call throws, with the rollback's attached; the next call hands the event again.
   */
  @Test
  void anEnrolmentEventWhoseListenerFailedAsTheConnectionWasLostThrowsTheListenersFailure() throws Exception {
    TestDatabase.inPostgresqlSchema("outbox_lost_test", database -> {
      try (JpaLedgerStore store = database.open(); Connection watcher = database.connect()) {
        enrolAdaWithABirthday(store);
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> store.relayEvents(100, event -> {
          try (Statement query = watcher.createStatement();
              ResultSet ended = query.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                  + " WHERE datname = current_database() AND state LIKE 'idle in transaction%'")) {
            assertTrue(ended.next(), "the relay's session was not found");
          } catch (SQLException e) {
            throw new AssertionError(e);
          }
          throw new IllegalStateException("broker down");
        }));
        assertEquals("broker down", failure.getMessage());
        assertEquals(1, failure.getSuppressed().length, "the failed rollback is attached: " + failure);

        List<LoyaltyEvent> relayed = new ArrayList<>();
        assertEquals(1, store.relayEvents(100, relayed::add));
        assertTrue(relayed.get(0) instanceof LoyaltyEvent.MemberEnrolled, "handed again: " + relayed);
      }
    });
  }

  /** Enrols member ada, with a birthday, so that the outbox holds her enrolment event; the facade. */
  private static Loyalty enrolAdaWithABirthday(JpaLedgerStore store) {
    Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
        .clock(TestClock.at(Fixtures.START)).build();
    accepted(loyalty.enrol(Enrolment.of(member("ada"), aKey()).withBirthday(MonthDay.of(2, 29))));
    return loyalty;
  }

  /** Whether a session waits for a lock that another holds. */
  private static boolean anyWaits(Connection connection) throws SQLException {
    try (Statement query = connection.createStatement();
        ResultSet rows = query.executeQuery("SELECT 1 FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0")) {
      return rows.next();
    }
  }

  /** Whether a session waits for a lock that the session {@code pid} holds. */
  private static boolean blocksAnother(Connection connection, int pid) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT 1 FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
      query.setInt(1, pid);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }
}
