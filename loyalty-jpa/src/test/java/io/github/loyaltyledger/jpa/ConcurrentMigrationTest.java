package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
      assertEquals(List.of("1", "2", "3", "4", "5"), versions);
    }
    try (JpaLedgerStore store = database.open()) {
      assertEquals(0, store.counter("nothing-counted"), "the migrated schema validates and answers");
    }
  }
}
