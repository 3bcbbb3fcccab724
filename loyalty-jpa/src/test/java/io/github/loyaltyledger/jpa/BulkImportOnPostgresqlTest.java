package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgram;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link JpaLedgerStore#importMembers} on PostgreSQL racing another writer of the same members: an
 * import takes its members' rows in member-id order, as the facade's commits do, so two writers
 * cannot deadlock on them; and a lost race (a deadlock, a serialization failure, a lock timeout) is
 * the typed "run it again" conflict with nothing written. The other writer is a connection of the
 * test that inserts account rows, as another node's import transaction does; the test waits for the
 * import to wait on it by asking the server, never by sleeping.
 */
class BulkImportOnPostgresqlTest {

  private static final MemberId ANN = member("ann");
  private static final MemberId BOB = member("bob");
  private static final MemberId SEED = member("seed");

  private final InMemoryLedgerStore source = new InMemoryLedgerStore();

  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  private void replay() {
    Loyalty legacy = aLoyalty(source, TestClock.at("2026-05-01T09:00:00Z"), aProgram());
    for (MemberId m : List.of(ANN, BOB, SEED)) {
      enrolled(legacy, m);
      earned(legacy, m, 3);
    }
  }

  @Test
  void anImportOfMembersInDescendingOrderDoesNotDeadlockWithAWriterTakingThemInMemberIdOrder() throws Exception {
    replay();
    TestDatabase database = TestDatabase.emptyPostgresql();
    try (JpaLedgerStore store = database.open();
        Connection other = database.connect();
        Connection watcher = database.connect()) {
      store.importMembers(source, List.of(SEED));
      other.setAutoCommit(false);
      insertAccountLike(other, SEED, ANN);

      CompletableFuture<ImportReport> imported =
          CompletableFuture.supplyAsync(() -> store.importMembers(source, List.of(BOB, ANN)));
      awaitBlockedBy(watcher, pid(other), imported);
      // The other writer goes on in member-id order; the import must not hold bob's row meanwhile.
      insertAccountLike(other, SEED, BOB);
      other.rollback();

      ImportReport report = imported.get(60, TimeUnit.SECONDS);
      assertEquals(2, report.membersImported());
      assertEquals(0, report.membersSkipped());
    }
  }

  @Test
  void anImportThatLosesARaceForItsRowsIsTheRunItAgainConflictAndWritesNothing() throws Exception {
    replay();
    TestDatabase empty = TestDatabase.emptyPostgresql();
    TestDatabase database = new TestDatabase(
        empty.url() + (empty.url().contains("?") ? "&" : "?") + "options=-c%20lock_timeout=50ms",
        empty.user(), empty.password());
    try (JpaLedgerStore store = database.open(); Connection other = database.connect()) {
      store.importMembers(source, List.of(SEED));
      other.setAutoCommit(false);
      insertAccountLike(other, SEED, BOB);

      PersistenceException lost = assertThrows(PersistenceException.class,
          () -> store.importMembers(source, List.of(BOB, ANN)));
      assertEquals(PersistenceException.class, lost.getClass(), lost.toString());
      assertTrue(lost.getMessage().contains("conflicted with a concurrent writer; run it again"), lost.getMessage());
      other.rollback();
      assertEquals(0, count(other, "SELECT count(*) FROM ledger_account WHERE member_id <> 'seed'"));
      assertEquals(0, count(other, "SELECT count(*) FROM ledger_entry WHERE member_id <> 'seed'"));

      ImportReport again = store.importMembers(source, List.of(BOB, ANN));
      assertEquals(2, again.membersImported());
    }
  }

  /** Inserts, in the connection's transaction, an account row for {@code member} copied from that of {@code like}. */
  private static void insertAccountLike(Connection connection, MemberId like, MemberId member) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TEMP TABLE IF NOT EXISTS account_copy AS SELECT * FROM ledger_account WHERE FALSE");
      s.execute("DELETE FROM account_copy");
    }
    try (PreparedStatement copy = connection.prepareStatement(
        "INSERT INTO account_copy SELECT * FROM ledger_account WHERE member_id = ?")) {
      copy.setString(1, like.value());
      assertEquals(1, copy.executeUpdate());
    }
    try (PreparedStatement rename = connection.prepareStatement("UPDATE account_copy SET member_id = ?")) {
      rename.setString(1, member.value());
      rename.executeUpdate();
    }
    try (Statement s = connection.createStatement()) {
      assertEquals(1, s.executeUpdate("INSERT INTO ledger_account SELECT * FROM account_copy"));
    }
  }

  private static int pid(Connection connection) throws SQLException {
    return count(connection, "SELECT pg_backend_pid()");
  }

  private static int count(Connection connection, String sql) throws SQLException {
    try (Statement query = connection.createStatement(); ResultSet rows = query.executeQuery(sql)) {
      rows.next();
      return rows.getInt(1);
    }
  }

  /** Returns once a session waits for a lock that the session {@code pid} holds (or the work ended). */
  private static void awaitBlockedBy(Connection watcher, int pid, CompletableFuture<?> work) throws SQLException {
    try (PreparedStatement query = watcher.prepareStatement(
        "SELECT 1 FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
      query.setInt(1, pid);
      while (!work.isDone()) {
        try (ResultSet rows = query.executeQuery()) {
          if (rows.next()) {
            return;
          }
        }
      }
    }
  }
}
