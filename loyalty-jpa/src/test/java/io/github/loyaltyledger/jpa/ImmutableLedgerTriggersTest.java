package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.member.MemberId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The optional PostgreSQL script {@code db/optional/postgresql/V1_1__ledger_immutable.sql}: with it
 * the database refuses to update, delete or truncate ledger entries and accepted requests, and the
 * store works as before. Runs in a schema of its own, so that the other tests can still empty
 * their tables.
 */
class ImmutableLedgerTriggersTest {

  private static final String SCHEMA = "ledger_immutable_test";
  private static TestDatabase database;
  private static JpaLedgerStore store;
  private static Loyalty loyalty;
  private static final MemberId ADA = member("ada");

  @BeforeAll
  static void installTheTriggers() throws SQLException {
    TestDatabase server = TestDatabase.postgresql();
    server.recreateSchema(SCHEMA);
    database = server.inSchema(SCHEMA);
    try (Connection c = database.connect()) {
      JpaLedgerStore.migrate(c);
      c.setAutoCommit(false);
      SchemaMigration.apply(c, "db/optional/postgresql/V1_1__ledger_immutable.sql", "1.1", "V1_1__ledger_immutable.sql");
      SchemaMigration.apply(c, "db/optional/postgresql/V4_1__entry_reference_immutable.sql", "4.1",
          "V4_1__entry_reference_immutable.sql");
    }
    store = database.open();
    loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
    enrolled(loyalty, ADA);
    EntryId mistake = earned(loyalty, ADA, 3).entries().head().id();
    accepted(loyalty.reverse(Reversal.of(mistake, "keyed twice", aKey())));
    earned(loyalty, ADA, 10);
  }

  @AfterAll
  static void dropTheSchema() throws SQLException {
    if (store != null) {
      store.close();
      database.dropSchema(SCHEMA);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "UPDATE ledger_entry SET points = 1000",
      "DELETE FROM ledger_entry",
      "TRUNCATE ledger_entry",
      "UPDATE ledger_request SET fingerprint = 'forged'",
      "DELETE FROM ledger_request",
      "TRUNCATE ledger_request",
      "UPDATE ledger_entry_reference SET reference_sequence = 99",
      "DELETE FROM ledger_entry_reference",
      "TRUNCATE ledger_entry_reference"})
  void theDatabaseRefusesToChangeOrRemoveLedgerRows(String tampering) throws SQLException {
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      SQLException refused = assertThrows(SQLException.class, () -> s.execute(tampering));
      assertTrue(refused.getMessage().contains("the ledger is append-only"), refused.getMessage());
    }
    assertTrue(accepted(loyalty.verify(ADA)).isIntact());
  }

  @Test
  void theStoreKeepsAppendingWithTheTriggersInPlace() {
    earned(loyalty, ADA, 5);
    assertEquals(15, accepted(loyalty.balance(ADA)).total().value());
    assertTrue(accepted(loyalty.verify(ADA)).isIntact());
  }

  @Test
  void theAccountRowIsNotGuardedButVerifyReportsItsChange() throws SQLException {
    try (Connection c = database.connect(); Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("UPDATE ledger_account SET available = available + 5 WHERE member_id = 'ada'"));
    }
    try {
      assertFalse(accepted(loyalty.verify(ADA)).isIntact());
    } finally {
      try (Connection c = database.connect(); Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE ledger_account SET available = available - 5 WHERE member_id = 'ada'");
      }
    }
  }
}
