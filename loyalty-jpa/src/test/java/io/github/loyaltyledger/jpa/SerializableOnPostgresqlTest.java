package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL whose transactions default to {@code SERIALIZABLE} ({@code default_transaction_isolation},
 * a setting some production databases carry): there a read can fail with a serialization failure
 * ("could not serialize access due to read/write dependencies among transactions"), which the store's
 * commit path classifies as a conflict but which a request's reads threw from the facade as a
 * {@code PersistenceException}. The store relies on READ COMMITTED's behaviour (ADR 0008) and runs its
 * requests' transactions so whatever the database's default.
 */
class SerializableOnPostgresqlTest {

  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  @Test
  void aTransferWhoseReadMeetsAnotherNodesSerializationConflictCommitsInsteadOfThrowing() throws Exception {
    TestDatabase serializable = serializable(TestDatabase.emptyPostgresql());
    try (JpaLedgerStore store = serializable.open()) {
      transferMeetingASerializationConflict(store, serializable);
    }
  }

  /*
   * The same transfer on a database whose default is READ COMMITTED, through a pool that hands the
   * store a connection on which the application called setTransactionIsolation(SERIALIZABLE)
   * (pgjdbc: SET SESSION CHARACTERISTICS) after the store started: the store's check at start-up
   * cannot see it.
   */
  @Test
  void aTransferOnAPooledConnectionSetToSerializableCommitsInsteadOfThrowing() throws Exception {
    TestDatabase database = TestDatabase.emptyPostgresql();
    onConnectionsSetToSerializable(database, store -> transferMeetingASerializationConflict(store, serializable(database)));
  }

  /*
   * The classic structure PostgreSQL cancels a reader for: another transaction (the pivot) read a row
   * before a third changed and committed it, then changes the sender's account and commits, after
   * the transfer's transaction began and before it reads that account.
   */
  private static void transferMeetingASerializationConflict(JpaLedgerStore store, TestDatabase serializable)
      throws Exception {
    MemberId ada = member("ada");
    MemberId ben = member("ben");
    MemberId cy = member("cy");
    try (Connection pivot = serializable.connect();
        Connection third = serializable.connect()) {
      Runnable[] atNextInstant = {null};
      Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          Runnable hook = atNextInstant[0];
          atNextInstant[0] = null;
          if (hook != null) {
            hook.run();
          }
          return Instant.parse(Fixtures.START);
        }
      };
      Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store).clock(clock).build();
      enrolledWithBeans(loyalty, ada, ben, cy);
      pivotReadWhatAThirdChanged(pivot, third, cy);
      // The transfer's attempt has read its key, which began its transaction, when it asks the time.
      atNextInstant[0] = () -> {
        try {
          run(pivot, "UPDATE ledger_account SET version = version WHERE member_id = ?", ada, false);
          pivot.commit();
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      };

      accepted(loyalty.transfer(Transfer.of(ada, ben, points(30), "Gift", IdempotencyKey.of("gift"))));
      assertEquals(points(70), Fixtures.balanceOf(loyalty, ada).available());
      assertEquals(points(30), Fixtures.balanceOf(loyalty, ben).available());
    }
  }

  /*
   * The store's reads outside a request (a balance here, a statement, the relay's look-up of an
   * event) ran without a transaction, so each statement was a transaction of the database's default
   * isolation: under SERIALIZABLE one that PostgreSQL tracks for conflicts. A balance read between
   * another node's pivot reading cy (changed and committed by a third since) and changing ada made
   * PostgreSQL cancel the pivot ("identification as a pivot, during write"): the library's read
   * failed an application's transaction, and the same structure can cancel the read itself.
   */
  @Test
  void aReadOfTheStoreTakesNoPartInTheSerializableConflictsOfOtherTransactions() throws Exception {
    TestDatabase serializable = serializable(TestDatabase.emptyPostgresql());
    MemberId ada = member("ada");
    MemberId cy = member("cy");
    try (JpaLedgerStore store = serializable.open();
        Connection pivot = serializable.connect();
        Connection third = serializable.connect()) {
      Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store)
          .clock(Clock.fixed(Instant.parse(Fixtures.START), ZoneOffset.UTC)).build();
      enrolledWithBeans(loyalty, ada, cy);

      pivotReadWhatAThirdChanged(pivot, third, cy);
      assertEquals(points(100), Fixtures.balanceOf(loyalty, ada).available());
      run(pivot, "UPDATE ledger_account SET version = version WHERE member_id = ?", ada, false);
      pivot.commit();

      assertEquals(points(100), Fixtures.balanceOf(loyalty, ada).available());
    }
  }

  /*
   * The store's own transactions outside a request: a profile's deletion takes its snapshot at its
   * first statement (the external references), then waits for the profile's row, which another
   * transaction changes and commits. Under SERIALIZABLE the deletion then fails ("could not serialize
   * access due to concurrent update"); under READ COMMITTED it deletes the row as it now is.
   */
  @Test
  void aProfilesDeletionThatWaitedForAnotherWritersChangeDeletesItInsteadOfThrowing() throws Exception {
    TestDatabase database = TestDatabase.emptyPostgresql();
    try (JpaLedgerStore store = serializable(database).open()) {
      deletionWaitingForAnotherWriter(store, database);
    }
  }

  /* The same deletion on a connection whose session the application set to SERIALIZABLE. */
  @Test
  void aProfilesDeletionOnAPooledConnectionSetToSerializableDeletesItInsteadOfThrowing() throws Exception {
    TestDatabase database = TestDatabase.emptyPostgresql();
    onConnectionsSetToSerializable(database, store -> deletionWaitingForAnotherWriter(store, database));
  }

  private static void deletionWaitingForAnotherWriter(JpaLedgerStore store, TestDatabase database) throws Exception {
    MemberId ada = member("ada");
    try (Connection other = database.connect();
        Connection watcher = database.connect()) {
      store.saveProfile(new MemberProfile(ada, Option.some("Ada"), Option.none(), TreeMap.empty(), Consent.NONE));
      other.setAutoCommit(false);
      run(other, "UPDATE ledger_member_profile SET name = 'Ada L.' WHERE member_id = ?", ada, false);
      int otherPid;
      try (PreparedStatement pid = other.prepareStatement("SELECT pg_backend_pid()");
          ResultSet row = pid.executeQuery()) {
        row.next();
        otherPid = row.getInt(1);
      }

      CompletableFuture<Void> deletion = CompletableFuture.runAsync(() -> store.deleteProfile(ada));
      try (PreparedStatement waits = watcher.prepareStatement(
          "SELECT 1 FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
        waits.setInt(1, otherPid);
        boolean blocked = false;
        while (!blocked && !deletion.isDone()) {
          try (ResultSet rows = waits.executeQuery()) {
            blocked = rows.next();
          }
        }
      }
      other.commit();

      deletion.get(60, TimeUnit.SECONDS);
      assertEquals(Option.none(), store.profile(ada));
    }
  }

  /** Work on a store, which may throw. */
  @FunctionalInterface
  private interface StoreWork {
    void on(JpaLedgerStore store) throws Exception;
  }

  /**
   * Runs the work on a store on the application's own factory, whose data source hands out
   * connections set to SERIALIZABLE once the store has started (the schema is applied already).
   */
  private static void onConnectionsSetToSerializable(TestDatabase database, StoreWork work) throws Exception {
    SessionIsolationDataSource pool = new SessionIsolationDataSource(database);
    try (EntityManagerFactory factory = Persistence.createEntityManagerFactory(
            JpaLedgerStore.persistenceConfiguration("session-isolation").property("hibernate.connection.datasource", pool));
        JpaLedgerStore store = JpaLedgerStore.create(factory)) {
      pool.isolation = Connection.TRANSACTION_SERIALIZABLE;
      work.on(store);
    }
  }

  /**
   * An application's data source that sets each connection it hands out to {@code isolation}
   * (unless -1) with {@link Connection#setTransactionIsolation}, as an application that changed a
   * pooled connection's isolation and gave it back to a pool that does not reset it would.
   */
  private static final class SessionIsolationDataSource implements DataSource {
    private final TestDatabase database;
    volatile int isolation = -1;

    SessionIsolationDataSource(TestDatabase database) {
      this.database = database;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection connection = database.connect();
      if (isolation != -1) {
        connection.setTransactionIsolation(isolation);
      }
      return connection;
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
      // no log
    }

    @Override
    public void setLoginTimeout(int seconds) {
      // no timeout
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }

  /** The database, on connections whose transactions default to {@code SERIALIZABLE}. */
  private static TestDatabase serializable(TestDatabase database) {
    return new TestDatabase(database.url() + (database.url().contains("?") ? "&" : "?")
        + "options=-c%20default_transaction_isolation=serializable", database.user(), database.password());
  }

  /** Enrols the members and credits the first 100 points. */
  private static void enrolledWithBeans(Loyalty loyalty, MemberId first, MemberId... others) {
    Fixtures.enrolled(loyalty, first);
    for (MemberId m : others) {
      Fixtures.enrolled(loyalty, m);
    }
    accepted(loyalty.credit(Credit.of(first, points(100), "Beans", IdempotencyKey.of("beans"))));
  }

  /**
   * The first half of the structure PostgreSQL cancels a transaction for: the pivot (left open)
   * reads the member's row, which a third then changes and commits.
   */
  private static void pivotReadWhatAThirdChanged(Connection pivot, Connection third, MemberId member)
      throws java.sql.SQLException {
    indexScansOnly(pivot, third);
    pivot.setAutoCommit(false);
    run(pivot, "SELECT version FROM ledger_account WHERE member_id = ?", member, true);
    run(third, "UPDATE ledger_account SET version = version WHERE member_id = ?", member, false);
  }

  /**
   * Index scans only: a sequential scan (the planner's choice once the table's statistics say it is
   * tiny) would lock the whole table for the third's update, which then conflicts with the pivot's
   * write itself and cancels the pivot instead of what the test is about.
   */
  private static void indexScansOnly(Connection... sessions) throws java.sql.SQLException {
    for (Connection c : sessions) {
      try (java.sql.Statement s = c.createStatement()) {
        s.execute("SET enable_seqscan = off");
      }
    }
  }

  private static void run(Connection connection, String sql, MemberId member, boolean query) throws java.sql.SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, member.value());
      if (query) {
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
        }
      } else {
        assertEquals(1, statement.executeUpdate());
      }
    }
  }
}
