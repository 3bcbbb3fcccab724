package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema version 4 ({@code V4__lean_entry_rows.sql}) migrates a database that version 3 wrote: the
 * hex hashes become their bytes, the referencing entries move into the side table, and the store
 * then reads every entry and every reference as it was written.
 */
class LeanEntryRowsMigrationTest {

  private static final MemberId ALICE = member("alice");
  private static final MemberId BOB = member("bob");

  @Nested
  class OnH2InAFile {

    @TempDir
    Path folder;

    @Test
    void entriesWrittenUnderVersion3ReadBackWholeWithTheirReferences() throws SQLException {
      migrateAndRead(TestDatabase.h2File(folder.resolve("ledger")));
    }
  }

  @Nested
  class OnPostgresql {

    private static final String SCHEMA = "ledger_v4_migration_test";

    @Test
    void entriesWrittenUnderVersion3ReadBackWholeWithTheirReferencesAlsoWithTheInsertOnlyTriggers()
        throws Exception {
      TestDatabase.inPostgresqlSchema(SCHEMA, LeanEntryRowsMigrationTest::migrateAndRead);
    }
  }

  private static void migrateAndRead(TestDatabase database) throws SQLException {
    InMemoryLedgerStore source = new InMemoryLedgerStore();
    Loyalty loyalty = Fixtures.aLoyalty(source, TestClock.at(Fixtures.START), Fixtures.aProgram());
    enrolled(loyalty, ALICE);
    enrolled(loyalty, BOB);
    EntryId credit = earned(loyalty, ALICE, 10).entries().head().id();
    accepted(loyalty.reverse(Reversal.of(credit, "mistake", aKey())));
    earned(loyalty, ALICE, 10);
    List<Entry> transfer = accepted(loyalty.transfer(Transfer.of(ALICE, BOB, points(4), "gift", aKey()))).entries();
    List<Entry> written = source.entries(ALICE, 1, 100).appendAll(source.entries(BOB, 1, 100));
    try (Connection c = database.connect()) {
      SchemaMigration.migrate(c, 3);
      if (SchemaMigration.folderFor(c.getMetaData().getDatabaseProductName()).equals("postgresql")) {
        c.setAutoCommit(false);
        SchemaMigration.apply(c, "db/optional/postgresql/V1_1__ledger_immutable.sql", "1.1", "V1_1__ledger_immutable.sql");
        c.setAutoCommit(true);
      }
      try (PreparedStatement insert = c.prepareStatement(LedgerWriter.INSERT_ENTRY)) {
        for (Entry entry : written) {
          LedgerWriter.bindEntry(insert, EntryRow.of(entry));
          insert.setString(24, entry.previousHash());
          insert.setString(25, entry.hash());
          insert.executeUpdate();
        }
      }
    }
    try (JpaLedgerStore store = database.open()) {
      assertEquals(source.entries(ALICE, 1, 100), store.entries(ALICE, 1, 100));
      assertEquals(source.entries(BOB, 1, 100), store.entries(BOB, 1, 100));
      assertEquals(source.referencing(credit), store.referencing(credit));
      assertEquals(List.of(transfer.get(1)), store.referencing(transfer.get(0).id()));
      assertEquals(1, store.referencing(credit).size());
    }
  }
}
