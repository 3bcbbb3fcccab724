package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.member.MemberId;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceConfiguration;
import jakarta.persistence.PersistenceException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hibernate validates the store's mapping against the schema when the entity manager factory is
 * built (README, ADR 0008): the shipped schema validates on each database, and a database whose
 * schema does not match the mapping is refused at start-up, not at the first request that reads the
 * missing column.
 */
class SchemaValidationTest {

  @Nested
  class OnH2 {

    @Test
    void theShippedSchemaValidatesAndASchemaWithoutAMappedColumnIsRefusedAtStartUp() throws Exception {
      validates(TestDatabase.h2InMemory());
    }

    @Test
    void aSchemaWithoutTheLastScriptsTableIsRefusedAtStartUpNamingIt() throws Exception {
      refusesWithoutTheLastScript(TestDatabase.h2InMemory());
    }

    @Test
    void aSchemaWhoseEnrolmentDayCannotBeNullIsRefusedAtStartUpNamingTheScript() throws Exception {
      refusesWithoutTheScriptThatLetsAClosedMembersEnrolmentDayBeNull(TestDatabase.h2InMemory());
    }

    /*
     * H2 drops a database in memory when its last connection closes (unless the URL sets
     * DB_CLOSE_DELAY): the schema that the migration's connection applied must still be there for
     * the store's own connections.
     */
    @Test
    void anInMemoryDatabaseWithoutACloseDelayOpensMigratedAndKeepsWhatIsWritten() {
      try (JpaLedgerStore store = JpaLedgerStore.fromJdbcUrl("jdbc:h2:mem:schema-validation-no-delay", "sa", "")) {
        Loyalty loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
        MemberId ada = Fixtures.member("ada");
        Fixtures.enrolled(loyalty, ada);
        Fixtures.accepted(loyalty.credit(Credit.of(ada, Fixtures.points(10), "Beans", Fixtures.aKey())));
        assertEquals(Fixtures.points(10), Fixtures.balanceOf(loyalty, ada).available());
      }
    }
  }

  /*
   * H2's IGNORECASE=TRUE makes the text columns of the tables created under it case-insensitive:
   * members "Ann" and "ann" then shared one account (the second enrolment was refused as already
   * enrolled, and each read the other's balance), and request keys "K1" and "k1" one record.
   */
  @Nested
  class OnH2ComparingTextWithoutCase {

    @Test
    void aDatabaseWhoseUrlIgnoresCaseIsRefusedBeforeAnyLedgerTableIsCreated() throws Exception {
      String refused = refusedOpeningWith("schema-validation-ignore-case", "IGNORECASE=TRUE");
      assertTrue(refused.contains("IGNORECASE"), "the refusal names the setting: " + refused);
    }

    @Test
    void aSchemaWhoseKeyColumnsIgnoreCaseIsRefusedAtStartUpNamingThem() throws Exception {
      TestDatabase database = TestDatabase.h2InMemory();
      // The scripts as Flyway (or an older version of the store) would apply them under that setting.
      applyTheScripts(database.url() + ";IGNORECASE=TRUE");
      String refused = refusedAtStartUp(database);
      assertTrue(refused.contains("LEDGER_ACCOUNT") && refused.contains("MEMBER_ID"),
          "the refusal names a column that ignores case: " + refused);
    }
  }

  /*
   * An H2 database with a collation (COLLATION=ENGLISH in the URL, kept by the database once set)
   * sorts member ids otherwise than Java does, so the member directory paged in another order than
   * the one its contract names (a, Ann, B instead of Ann, B, a); at strength PRIMARY members "Ann"
   * and "ann" shared one account, and only the migrator noticed, with a message about IGNORECASE.
   */
  @Nested
  class OnH2WithACollation {

    @Test
    void aDatabaseWhoseUrlSetsACollationIsRefusedBeforeAnyLedgerTableIsCreated() throws Exception {
      String refused = refusedOpeningWith("schema-validation-collation", "COLLATION=ENGLISH");
      assertTrue(refused.contains("COLLATION"), "the refusal names the setting: " + refused);
    }

    @Test
    void aSchemaCreatedUnderACollationIgnoringCaseIsRefusedAtStartUpNamingIt() throws Exception {
      TestDatabase database = TestDatabase.h2InMemory();
      // The scripts as Flyway would apply them on a database created with that setting.
      applyTheScripts(database.url() + ";COLLATION=ENGLISH STRENGTH PRIMARY");
      String refused = refusedAtStartUp(database);
      assertTrue(refused.contains("COLLATION"), "the refusal names the setting: " + refused);
    }
  }

  /*
   * H2's MODE=Oracle stores an empty string as NULL: the store opened, and the first write failed in
   * the facade with "NULL not allowed for column LOTS" (a member without lots keeps an empty text).
   */
  @Nested
  class OnH2StoringEmptyTextAsNull {

    @Test
    void aDatabaseWhoseUrlStoresEmptyTextAsNullIsRefusedBeforeAnyLedgerTableIsCreated() throws Exception {
      String refused = refusedOpeningWith("schema-validation-oracle", "MODE=Oracle");
      assertTrue(refused.contains("empty") && refused.contains("MODE"),
          "the refusal names what the database does and the setting: " + refused);
    }

    @Test
    void aMigratedDatabaseOpenedStoringEmptyTextAsNullIsRefusedAtStartUp() throws Exception {
      TestDatabase database = TestDatabase.h2InMemory();
      database.open().close();
      TestDatabase asOracle = new TestDatabase(database.url() + ";MODE=Oracle", "sa", "");
      String refused = refusedAtStartUp(asOracle);
      assertTrue(refused.contains("empty"), "the refusal says what the database does: " + refused);
    }
  }

  /*
   * H2's DATABASE_TO_UPPER=FALSE keeps unquoted names as written: the migrator created the tables in
   * lower case, and Hibernate then refused them as "missing table [ledger_account]", which sent the
   * user looking for a script that had run.
   */
  @Nested
  class OnH2KeepingTheCaseOfNames {

    @Test
    void aDatabaseWhoseUrlKeepsTheCaseOfNamesIsRefusedBeforeAnyLedgerTableIsCreated() throws Exception {
      String refused = refusedOpeningWith("schema-validation-to-upper", "DATABASE_TO_UPPER=FALSE");
      assertTrue(refused.contains("DATABASE_TO_UPPER=FALSE") && !refused.contains("missing table"),
          "the refusal names the setting, not a missing table: " + refused);
    }

    @Test
    void aDatabaseWhoseUrlFoldsNamesToLowerCaseStillOpensAndKeepsWhatIsWritten() {
      try (JpaLedgerStore store = JpaLedgerStore.fromJdbcUrl(
          "jdbc:h2:mem:schema-validation-to-lower;DATABASE_TO_LOWER=TRUE", "sa", "")) {
        Loyalty loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
        MemberId ada = Fixtures.member("ada");
        Fixtures.enrolled(loyalty, ada);
        Fixtures.accepted(loyalty.credit(Credit.of(ada, Fixtures.points(10), "Beans", Fixtures.aKey())));
        assertEquals(Fixtures.points(10), Fixtures.balanceOf(loyalty, ada).available());
      }
    }

    @Test
    void aMigratedFileOpenedKeepingTheCaseOfNamesIsRefusedBeforeASecondSetOfTablesIsCreated(@TempDir Path folder)
        throws Exception {
      // A file, since H2 takes the setting when it opens the database, not from later connections.
      TestDatabase database = TestDatabase.h2File(folder.resolve("ledger"));
      database.open().close();
      PersistenceException refused = assertThrows(PersistenceException.class,
          () -> JpaLedgerStore.fromJdbcUrl(database.url() + ";DATABASE_TO_UPPER=FALSE", "sa", "").close());
      assertTrue(messages(refused).contains("DATABASE_TO_UPPER=FALSE"), "the refusal names the setting: " + messages(refused));
      try (Connection connection = database.connect(); Statement query = connection.createStatement();
          ResultSet tables = query.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"
              + " WHERE TABLE_NAME LIKE 'ledger%' OR TABLE_NAME LIKE 'loyalty%'")) {
        tables.next();
        assertEquals(0, tables.getInt(1), "no table was created under lower-case names beside the ledger's");
      }
    }
  }

  /*
   * H2 commits each DDL statement, so a script that failed half-way left what its first statements
   * did (version 4: the reference index dropped, the side table created and filled), and every later
   * start ran it again from the top and failed with H2's "Index ... not found".
   */
  @Nested
  class OnH2AfterAFailedMigration {

    @Test
    void aScriptThatFailedHalfWayIsRefusedAtEveryLaterStartSayingToRestoreTheBackup() throws Exception {
      TestDatabase database = TestDatabase.h2InMemory();
      try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
        SchemaMigration.migrate(connection, 3);
        // Makes version 4 fail at its fifth statement, after it dropped the index and filled the side table.
        statement.execute("CREATE ALIAS loyalty_hex_to_binary FOR 'java.lang.Integer.toHexString'");
      }
      PersistenceException failed = assertThrows(PersistenceException.class, database::open);
      assertTrue(messages(failed).contains("V4__lean_entry_rows.sql") && messages(failed).contains("backup"),
          "the failure names the script and the way back: " + messages(failed));

      try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
        statement.execute("DROP ALIAS loyalty_hex_to_binary");
      }
      PersistenceException refused = assertThrows(PersistenceException.class, database::open);
      assertTrue(messages(refused).contains("V4__lean_entry_rows.sql") && messages(refused).contains("restore"),
          "the refusal names the half-applied script and the way back: " + messages(refused));
    }

    @Test
    void aScriptThatFailedAtItsFirstStatementChangedNothingAndRunsAgainOnceTheCauseIsGone() throws Exception {
      TestDatabase database = TestDatabase.h2InMemory();
      try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
        SchemaMigration.migrate(connection, 4);
        statement.execute("CREATE TABLE ledger_outbox_enrolment (placeholder INTEGER)");
      }
      assertThrows(PersistenceException.class, database::open);

      try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE ledger_outbox_enrolment");
      }
      try (JpaLedgerStore store = database.open()) {
        assertEquals(0, store.counter("nothing-counted"), "version 5 applied on the second start");
      }
    }
  }

  /*
   * A database that a newer version of the library migrated opened: the migrator skipped the
   * versions it did not know, and an older store could write what the newer one misreads (a store
   * from before version 5 did not list enrolment events, so a later erasure left the birthday in
   * the outbox).
   */
  @Nested
  class OnADatabaseMigratedByANewerVersion {

    @Test
    void onH2TheStoreRefusesToStartNamingBothVersionsAndWritesNothing() throws Exception {
      refusesANewerSchema(TestDatabase.h2InMemory());
    }

    @Test
    void onPostgresqlTheStoreRefusesToStartNamingBothVersionsAndWritesNothing() throws Exception {
      TestDatabase.inPostgresqlSchema("schema_validation_test", SchemaValidationTest::refusesANewerSchema);
    }
  }

  @Nested
  class OnPostgresql {

    @Test
    void theShippedSchemaValidatesAndASchemaWithoutAMappedColumnIsRefusedAtStartUp() throws Exception {
      TestDatabase.inPostgresqlSchema("schema_validation_test", SchemaValidationTest::validates);
    }

    @Test
    void aSchemaWithoutTheLastScriptsTableIsRefusedAtStartUpNamingIt() throws Exception {
      TestDatabase.inPostgresqlSchema("schema_validation_test", SchemaValidationTest::refusesWithoutTheLastScript);
    }

    @Test
    void aSchemaWhoseEnrolmentDayCannotBeNullIsRefusedAtStartUpNamingTheScript() throws Exception {
      TestDatabase.inPostgresqlSchema("schema_validation_test",
          SchemaValidationTest::refusesWithoutTheScriptThatLetsAClosedMembersEnrolmentDayBeNull);
    }
  }

  /*
   * A PostgreSQL database whose encoding is not UTF-8 (LATIN1 here; WIN1252 or SQL_ASCII alike) cannot
   * keep every text the facade accepts: the store opened on one, and a credit whose reason held an
   * emoji threw the driver's "has no equivalent in encoding LATIN1" from the facade as a
   * PersistenceException (under SQL_ASCII, VARCHAR lengths count bytes, so a key of 128 accented
   * characters failed instead).
   */
  @Nested
  class OnPostgresqlWithoutUnicode {

    @Test
    void aDatabaseNotEncodedInUtf8IsRefusedBeforeAnyLedgerTableIsCreated() throws Exception {
      TestDatabase latin1 = TestDatabase.postgresqlDatabase("schema_validation_latin1", "LATIN1");
      PersistenceException refused = assertThrows(PersistenceException.class, () -> latin1.open().close());
      assertTrue(messages(refused).contains("LATIN1") && messages(refused).contains("UTF8"),
          "the refusal names the database's encoding and the one needed: " + messages(refused));
      assertNoLedgerTable(latin1);
    }

    @Test
    void aSchemaAppliedToADatabaseNotEncodedInUtf8IsRefusedAtStartUp() throws Exception {
      TestDatabase latin1 = TestDatabase.postgresqlDatabase("schema_validation_latin1", "LATIN1");
      // The scripts as Flyway would apply them.
      try (Connection connection = latin1.connect(); Statement statement = connection.createStatement()) {
        for (String script : SchemaMigration.SCRIPTS) {
          for (String sql : SchemaMigration.statements(SchemaMigration.read("db/migration/postgresql/" + script))) {
            statement.execute(sql);
          }
        }
      }
      String refused = refusedAtStartUp(latin1);
      assertTrue(refused.contains("LATIN1"), "the refusal names the database's encoding: " + refused);
    }
  }

  /*
   * Versions 5 and 7 add only tables that the store writes with plain SQL, which no entity maps and
   * so Hibernate's validation does not see: a database without one (a Flyway set-up that copied the
   * scripts up to version 4, or 6) opened, and its first enrolment (or facade) failed with the
   * database's error.
   */
  private static void refusesWithoutTheLastScript(TestDatabase database) throws Exception {
    for (String[] missing : new String[][] {
        {"V5__outbox_enrolments.sql", "ledger_outbox_enrolment"}, {"V7__program.sql", "ledger_program"}}) {
      try (Connection connection = database.connect()) {
        SchemaMigration.migrate(connection, SchemaMigration.SCRIPTS.indexOf(missing[0]));
      }
      try (EntityManagerFactory factory = Persistence.createEntityManagerFactory(unit(database))) {
        PersistenceException refused = assertThrows(PersistenceException.class, () -> JpaLedgerStore.create(factory));
        assertTrue(messages(refused).contains(missing[1]) && messages(refused).contains(missing[0]),
            "the refusal names the missing table and its script: " + messages(refused));
      }
    }
  }

  /*
   * Version 6 only lets ledger_due_work.enrolment_day be null (a closed member's): a database
   * without it (a Flyway set-up that copied the scripts up to version 5) opened, and its first
   * closing failed with the database's NOT NULL violation.
   */
  private static void refusesWithoutTheScriptThatLetsAClosedMembersEnrolmentDayBeNull(TestDatabase database)
      throws Exception {
    try (Connection connection = database.connect()) {
      SchemaMigration.migrate(connection, SchemaMigration.SCRIPTS.indexOf("V6__no_occasions_when_closed.sql"));
    }
    try (EntityManagerFactory factory = Persistence.createEntityManagerFactory(unit(database))) {
      PersistenceException refused = assertThrows(PersistenceException.class, () -> JpaLedgerStore.create(factory));
      assertTrue(messages(refused).contains("enrolment_day")
          && messages(refused).contains("V6__no_occasions_when_closed.sql"),
          "the refusal names the column and its script: " + messages(refused));
    }
  }

  private static void refusesANewerSchema(TestDatabase database) throws Exception {
    try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
      SchemaMigration.migrate(connection, SchemaMigration.SCRIPTS.size() - 1);
      // Versions compare as numbers: 10 is newer than 8 (and than this library's 7).
      statement.execute("INSERT INTO loyalty_schema_history (version, script) VALUES ('8', 'V8__newer.sql'),"
          + " ('10', 'V10__newest.sql')");
    }
    SchemaTooNewException refused = assertThrows(SchemaTooNewException.class, database::open);
    assertEquals("10", refused.databaseVersion());
    assertEquals("7", refused.libraryVersion());
    assertTrue(refused.getMessage().contains("version 10") && refused.getMessage().contains("version 7")
        && refused.getMessage().contains("upgrade"), "the refusal names both versions and what to do: " + refused.getMessage());
    try (Connection connection = database.connect()) {
      assertThrows(SchemaTooNewException.class, () -> JpaLedgerStore.migrate(connection));
    }
    try (EntityManagerFactory factory = Persistence.createEntityManagerFactory(unit(database))) {
      assertThrows(SchemaTooNewException.class, () -> JpaLedgerStore.create(factory));
    }
    try (Connection connection = database.connect(); Statement query = connection.createStatement();
        ResultSet versions = query.executeQuery("SELECT COUNT(*) FROM loyalty_schema_history")) {
      versions.next();
      assertEquals(8, versions.getInt(1), "version 7 was not applied to the newer schema");
    }
  }

  private static void validates(TestDatabase database) throws Exception {
    try (JpaLedgerStore store = database.open()) {
      assertEquals(0, store.counter("nothing-counted"), "the migrated schema validates and answers");
    }
    try (EntityManagerFactory factory = Persistence.createEntityManagerFactory(unit(database))) {
      assertTrue(factory.isOpen(), "the application's own factory validates the shipped schema too");
    }

    try (Connection connection = database.connect(); Statement drop = connection.createStatement()) {
      drop.execute("ALTER TABLE ledger_entry DROP COLUMN details");
    }
    PersistenceException refused = assertThrows(PersistenceException.class, database::open);
    assertTrue(messages(refused).contains("details"), "the refusal names the missing column: " + messages(refused));
  }

  /**
   * Opens a store on a new in-memory H2 database of this name with a setting in the URL, which must
   * be refused before any ledger table is created; returns the refusal's messages.
   */
  private static String refusedOpeningWith(String name, String setting) throws Exception {
    TestDatabase database = new TestDatabase("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "");
    PersistenceException refused = assertThrows(PersistenceException.class,
        () -> JpaLedgerStore.fromJdbcUrl(database.url() + ";" + setting, "sa", "").close());
    assertNoLedgerTable(database);
    return messages(refused);
  }

  /** Starts a store on the database's schema, which must be refused; returns the refusal's messages. */
  private static String refusedAtStartUp(TestDatabase database) {
    try (EntityManagerFactory factory = Persistence.createEntityManagerFactory(unit(database))) {
      return messages(assertThrows(PersistenceException.class, () -> JpaLedgerStore.create(factory)));
    }
  }

  /** Asserts that the database holds no ledger table: a refusal created nothing. */
  private static void assertNoLedgerTable(TestDatabase database) throws Exception {
    try (Connection connection = database.connect(); Statement query = connection.createStatement();
        ResultSet tables = query.executeQuery(
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE UPPER(TABLE_NAME) LIKE 'LEDGER%'")) {
      tables.next();
      assertEquals(0, tables.getInt(1), "no ledger table was created");
    }
  }

  /** Applies the H2 schema scripts over a connection to {@code url}, as Flyway would. */
  private static void applyTheScripts(String url) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, "sa", ""); Statement statement = connection.createStatement()) {
      for (String script : SchemaMigration.SCRIPTS) {
        for (String sql : SchemaMigration.statements(SchemaMigration.read("db/migration/h2/" + script))) {
          statement.execute(sql);
        }
      }
    }
  }

  private static PersistenceConfiguration unit(TestDatabase database) {
    return JpaLedgerStore.persistenceConfiguration("validation-test")
        .property(PersistenceConfiguration.JDBC_URL, database.url())
        .property(PersistenceConfiguration.JDBC_USER, database.user())
        .property(PersistenceConfiguration.JDBC_PASSWORD, database.password());
  }

  private static String messages(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      text.append(t.getMessage()).append(" / ");
    }
    return text.toString();
  }
}
