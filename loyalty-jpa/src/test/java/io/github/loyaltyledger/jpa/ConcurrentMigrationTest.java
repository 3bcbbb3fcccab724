package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that start together against an empty database all run the built-in migrator at once; each
 * must come up, and every script must be applied exactly once.
 */
class ConcurrentMigrationTest {

  private static final int NODES = 8;
  private static final int ROUNDS = 5;

  @Nested
  class OnH2InAFile {

    @TempDir
    Path folder;

    @Test
    void eightNodesMigratingAnEmptyDatabaseAtOnceAllSucceedAndEachScriptIsAppliedOnce() throws Exception {
      for (int round = 0; round < ROUNDS; round++) {
        migrateAtOnce(TestDatabase.h2File(folder.resolve("ledger-" + round)));
      }
    }
  }

  @Nested
  class OnPostgresql {

    private static final String SCHEMA = "ledger_concurrent_migration_test";

    @Test
    void eightNodesMigratingAnEmptyDatabaseAtOnceAllSucceedAndEachScriptIsAppliedOnce() throws Exception {
      TestDatabase.inPostgresqlSchema(SCHEMA, database -> {
        TestDatabase server = TestDatabase.postgresql();
        for (int round = 0; round < ROUNDS; round++) {
          server.recreateSchema(SCHEMA);
          migrateAtOnce(database);
        }
      });
    }

    /*
     * A lock_timeout (the server's, the role's or the connection's, common in production) bounds
     * every lock wait, the migration lock's too: a node that came up while another migrated failed.
     */
    @Test
    void aMigratorWaitsForAnotherNodesMigrationLockPastTheConnectionsLockTimeoutAndKeepsTheSetting()
        throws Exception {
      TestDatabase.inPostgresqlSchema(SCHEMA, database -> {
        TestDatabase impatient = new TestDatabase(database.url() + (database.url().contains("?") ? "&" : "?")
            + "options=-c%20lock_timeout=1", database.user(), database.password());
        try (Connection other = database.connect(); Connection node = impatient.connect()) {
          advisoryLock(other, "pg_advisory_lock");
          int pid = single(node, "SELECT pg_backend_pid()");
          FutureTask<Void> migration = new FutureTask<>(() -> {
            JpaLedgerStore.migrate(node);
            return null;
          });
          new Thread(migration).start();
          while (!migration.isDone() && !waitsForTheAdvisoryLock(other, pid)) {
            Thread.onSpinWait();
          }
          assertFalse(migration.isDone(), "the migrator finished without waiting for the lock");

          // A session with the same timeout that asks for the lock after the node began to wait gives
          // up: the node has waited longer than its timeout too.
          try (Connection witness = impatient.connect()) {
            SQLException timedOut = assertThrows(SQLException.class, () -> advisoryLock(witness, "pg_advisory_lock"));
            assertEquals("55P03", timedOut.getSQLState());
          }
          advisoryLock(other, "pg_advisory_unlock");
          migration.get(60, TimeUnit.SECONDS); // a migrator that gave up fails the test with its cause

          try (Statement show = node.createStatement(); ResultSet setting = show.executeQuery("SHOW lock_timeout")) {
            setting.next();
            assertEquals("1ms", setting.getString(1), "the connection's own timeout is back");
          }
        }
      });
    }

    private static void advisoryLock(Connection connection, String function) throws SQLException {
      try (PreparedStatement lock = connection.prepareStatement("SELECT " + function + "(?)")) {
        lock.setLong(1, SchemaMigration.POSTGRESQL_LOCK);
        lock.execute();
      }
    }

    private static boolean waitsForTheAdvisoryLock(Connection connection, int pid) throws SQLException {
      try (PreparedStatement query = connection.prepareStatement(
          "SELECT 1 FROM pg_locks WHERE pid = ? AND locktype = 'advisory' AND NOT granted")) {
        query.setInt(1, pid);
        try (ResultSet rows = query.executeQuery()) {
          return rows.next();
        }
      }
    }

    private static int single(Connection connection, String sql) throws SQLException {
      try (Statement query = connection.createStatement(); ResultSet rows = query.executeQuery(sql)) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  private static void migrateAtOnce(TestDatabase database) throws Exception {
    CyclicBarrier start = new CyclicBarrier(NODES);
    ExecutorService nodes = Executors.newFixedThreadPool(NODES);
    List<Future<?>> migrations = new ArrayList<>();
    try {
      for (int node = 0; node < NODES; node++) {
        migrations.add(nodes.submit(() -> {
          try (Connection connection = database.connect()) {
            start.await(30, TimeUnit.SECONDS);
            JpaLedgerStore.migrate(connection);
          }
          return null;
        }));
      }
      for (Future<?> migration : migrations) {
        migration.get(60, TimeUnit.SECONDS); // a node's failure fails the test with its cause
      }
    } finally {
      nodes.shutdownNow();
    }
    try (Connection c = database.connect(); Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT version FROM loyalty_schema_history ORDER BY version")) {
      List<String> versions = new ArrayList<>();
      while (rows.next()) {
        versions.add(rows.getString(1));
      }
      assertEquals(List.of("1", "2", "3", "4", "5", "6", "7"), versions);
    }
    try (JpaLedgerStore store = database.open()) {
      assertEquals(0, store.counter("nothing-counted"), "the migrated schema validates and answers");
    }
  }
}
