package io.github.loyaltyledger.jpa;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The built-in migrator for applications without Flyway or Liquibase: applies the versioned
 * scripts under {@code db/migration/<database>/} that the table {@code loyalty_schema_history} does
 * not list yet, in version order, each in its own transaction, and records them there. H2 commits
 * each DDL statement, so there a script is listed as started first ({@link #applyStatementByStatement}).
 *
 * <p>The scripts are the same files Flyway would apply (same path and naming), so an application
 * can switch to Flyway later by baselining at the last version listed in the history table.
 *
 * <p>Nodes that start together may all migrate at once: on PostgreSQL each migrator first takes a
 * session-level advisory lock ({@link #POSTGRESQL_LOCK}), so the others wait (whatever their
 * {@code lock_timeout}) and then find the scripts applied; an H2 file belongs to one process, whose
 * migrators take a lock in this class.
 */
final class SchemaMigration {

  /** The scripts, in the order they apply. A new schema version adds its file name here. */
  static final List<String> SCRIPTS = List.of("V1__ledger.sql", "V2__due_work.sql", "V3__member_profiles.sql",
      "V4__lean_entry_rows.sql", "V5__outbox_enrolments.sql", "V6__no_occasions_when_closed.sql",
      "V7__program.sql");

  private static final String HISTORY = "loyalty_schema_history";

  /**
   * What the history lists, after a script's version, while H2 applies the script ({@link
   * #applyStatementByStatement}): a row with it left behind names a script that failed half-way.
   */
  private static final String STARTED = " started";

  /** A version as the scripts' names give it: dotted numbers. */
  private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+)*");

  /** The newest version that {@link #SCRIPTS} bring a schema to. */
  static final String NEWEST_VERSION = versionOf(SCRIPTS.get(SCRIPTS.size() - 1));

  /**
   * The PostgreSQL advisory lock that migrators of one database take in turn (the bytes of
   * "LLSCHEMA"); held for the whole migration, released when it ends or the session does.
   */
  static final long POSTGRESQL_LOCK = 0x4C4C_5343_4845_4D41L;

  /**
   * The tables the store writes with plain SQL, which Hibernate's validation does not see (no entity
   * maps them), each with the columns the store uses and the script that creates it.
   */
  private static final List<String[]> UNMAPPED_TABLES = List.of(
      new String[] {"ledger_due_work", "member_id, account_version, due_work", "V2__due_work.sql"},
      new String[] {"ledger_member_profile", "member_id, name, contact, marketing, birthday_offers",
          "V3__member_profiles.sql"},
      new String[] {"ledger_member_external_ref", "member_id, system_name, external_id", "V3__member_profiles.sql"},
      new String[] {"ledger_entry_reference", "reference_member, reference_sequence, member_id, sequence_number",
          "V4__lean_entry_rows.sql"},
      new String[] {"ledger_outbox_enrolment", "member_id, outbox_id", "V5__outbox_enrolments.sql"},
      new String[] {"ledger_program", "slot, program_id", "V7__program.sql"});

  private SchemaMigration() {}

  /**
   * Refuses a schema that lacks a table (or a column) that the store writes with plain SQL: Hibernate
   * validates only the mapped tables, so a database whose later scripts were not applied would
   * otherwise open and fail at the first request that writes such a table.
   *
   * @param connection a connection to the database, in auto-commit mode
   * @throws SQLException naming the table and the script that creates it
   */
  static void requireUnmappedTables(Connection connection) throws SQLException {
    String folder = folderFor(connection.getMetaData().getDatabaseProductName());
    boolean nullableDayChecked = false;
    for (String[] table : UNMAPPED_TABLES) {
      // In script order, so that the refusal names the first script missing.
      if (!nullableDayChecked && compareVersions(versionOf(table[2]), "6") > 0) {
        requireNullableEnrolmentDay(connection, folder);
        nullableDayChecked = true;
      }
      try (Statement query = connection.createStatement()) {
        query.executeQuery("SELECT " + table[1] + " FROM " + table[0] + " WHERE 1 = 0").close();
      } catch (SQLException e) {
        throw new SQLException("the ledger schema lacks the table " + table[0] + " (" + table[1] + ") of db/migration/"
            + folder + "/" + table[2] + ": apply the schema's scripts (" + e.getMessage() + ")", e.getSQLState(), e);
      }
    }
    if (!nullableDayChecked) {
      requireNullableEnrolmentDay(connection, folder);
    }
  }

  /**
   * Version 6 changes no table's columns, only lets a closed member's enrolment day be null: a schema
   * without it would open and fail at the first closing with the database's NOT NULL violation.
   */
  private static void requireNullableEnrolmentDay(Connection connection, String folder) throws SQLException {
    DatabaseMetaData metaData = connection.getMetaData();
    boolean upper = metaData.storesUpperCaseIdentifiers();
    try (ResultSet column = metaData.getColumns(null, connection.getSchema(),
        upper ? "LEDGER_DUE_WORK" : "ledger_due_work", upper ? "ENROLMENT_DAY" : "enrolment_day")) {
      if (column.next() && column.getInt("NULLABLE") == DatabaseMetaData.columnNoNulls) {
        throw new SQLException("the ledger schema's ledger_due_work.enrolment_day is NOT NULL, which db/migration/"
            + folder + "/V6__no_occasions_when_closed.sql changes: apply the schema's scripts");
      }
    }
  }

  /**
   * Refuses a database whose schema history lists a version newer than {@link #NEWEST_VERSION} (a
   * newer version of the library migrated it, and this one could write what that one misreads), or
   * a script that failed half-way on H2 ({@link #applyStatementByStatement}). A database without the
   * history table (a schema that Flyway applies) passes.
   *
   * @param connection a connection to the database, in auto-commit mode
   * @throws SchemaTooNewException naming the newest version listed
   * @throws SQLException naming the script that failed half-way, or if the history cannot be read
   */
  static void requireKnownHistory(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT COUNT(*) FROM information_schema.tables"
        + " WHERE LOWER(table_name) = ? AND table_schema = ?")) {
      query.setString(1, HISTORY);
      query.setString(2, connection.getSchema());
      try (ResultSet tables = query.executeQuery()) {
        if (tables.next() && tables.getInt(1) > 0) {
          checkHistory(connection);
        }
      }
    }
  }

  /**
   * Refuses a history table that lists a script that failed half-way on H2 (its version marked
   * {@link #STARTED}), or a version newer than {@link #NEWEST_VERSION}.
   */
  private static void checkHistory(Connection connection) throws SQLException {
    String newest = NEWEST_VERSION;
    try (Statement query = connection.createStatement();
        ResultSet versions = query.executeQuery("SELECT version, script FROM " + HISTORY)) {
      while (versions.next()) {
        String version = versions.getString(1);
        if (version.endsWith(STARTED)) {
          throw new SQLException("an earlier start failed while applying the ledger schema's script "
              + versions.getString(2) + " to this H2 database, which commits each DDL statement: the database"
              + " may hold part of that script, which cannot be completed or undone; restore the backup taken before"
              + " the upgrade (or a copy of the database file from before it), remove what made the script fail,"
              + " and start again");
        }
        if (compareVersions(version, newest) > 0) {
          newest = version;
        }
      }
    }
    if (!newest.equals(NEWEST_VERSION)) {
      throw new SchemaTooNewException(newest, NEWEST_VERSION);
    }
  }

  /**
   * Compares two versions as Flyway does, number by dotted number ({@code "10"} after {@code "6"},
   * {@code "4.1"} after {@code "4"}); a version that is not such numbers counts as newer than any
   * that is, since no version of this library wrote it.
   */
  private static int compareVersions(String left, String right) {
    boolean leftNumbers = VERSION.matcher(left).matches();
    boolean rightNumbers = VERSION.matcher(right).matches();
    if (!leftNumbers || !rightNumbers) {
      return leftNumbers == rightNumbers ? left.compareTo(right) : leftNumbers ? -1 : 1;
    }
    String[] l = left.split("\\.");
    String[] r = right.split("\\.");
    for (int i = 0; i < Math.max(l.length, r.length); i++) {
      int compared = new BigInteger(i < l.length ? l[i] : "0").compareTo(new BigInteger(i < r.length ? r[i] : "0"));
      if (compared != 0) {
        return compared;
      }
    }
    return 0;
  }

  /** The version of a script file name ({@code "4.1"} for {@code V4_1__entry_reference_immutable.sql}). */
  private static String versionOf(String script) {
    return script.substring(1, script.indexOf("__")).replace('_', '.');
  }

  /**
   * Refuses a schema whose ledger tables compare their keys without regard to case (tables created on
   * H2 with {@code IGNORECASE=TRUE}, which makes their text columns {@code VARCHAR_IGNORECASE}): member
   * ids and request keys that differ only in case name different members and requests, which would
   * share one account or one record there.
   *
   * @param connection a connection to the database, in auto-commit mode
   * @throws SQLException naming the first such column
   */
  static void requireCaseSensitiveText(Connection connection) throws SQLException {
    try (Statement query = connection.createStatement();
        ResultSet columns = query.executeQuery("SELECT table_name, column_name FROM information_schema.columns"
            + " WHERE data_type = 'VARCHAR_IGNORECASE' AND UPPER(table_name) LIKE 'LEDGER%'"
            + " AND UPPER(column_name) IN ('MEMBER_ID', 'IDEMPOTENCY_KEY', 'COUNTER_KEY', 'REFERENCE_MEMBER')"
            + " ORDER BY table_name, column_name")) {
      if (columns.next()) {
        throw new SQLException("the ledger table " + columns.getString(1) + " compares its key column "
            + columns.getString(2) + " without regard to case (created with H2's IGNORECASE=TRUE), so members"
            + " and request keys that differ only in case would share rows: recreate the schema without that setting");
      }
    }
  }

  /**
   * Refuses an H2 database with a collation (H2's {@code COLLATION} setting, which the database keeps
   * once set): the ledger's keys compare and sort as Java's strings do (the member directory pages
   * in that order), and a collation sorts them otherwise, or at strength {@code PRIMARY} makes
   * members and request keys that differ only in case one. PostgreSQL passes: its schema gives the
   * member id the {@code "C"} collation.
   *
   * @param connection a connection to the database
   * @throws SQLException naming the collation
   */
  static void requireNoCollation(Connection connection) throws SQLException {
    String collation = settingOn(connection, "h2",
        "SELECT setting_value FROM information_schema.settings WHERE setting_name = 'COLLATION'");
    if (collation != null && !"OFF".equalsIgnoreCase(collation)) {
      throw new SQLException("the H2 database has the collation " + collation + " (H2's COLLATION"
          + " setting), so member ids and request keys would sort otherwise than Java's strings do, which the"
          + " member directory pages by (and at strength PRIMARY, ids that differ only in case would share rows):"
          + " use a database created without COLLATION; nothing of the ledger was written");
    }
  }

  /**
   * Refuses a PostgreSQL database whose encoding is not UTF-8: the ledger keeps every well-formed text
   * the facade accepts, and under another encoding a text outside its characters (an emoji under
   * {@code LATIN1}) fails the request with the database's error, while under {@code SQL_ASCII} the
   * lengths of the key columns count bytes, so a key of 128 accented characters does not fit. H2
   * passes: it keeps Java's strings.
   *
   * @param connection a connection to the database
   * @throws SQLException naming the database's encoding
   */
  static void requireUnicode(Connection connection) throws SQLException {
    String encoding = settingOn(connection, "postgresql", "SELECT current_setting('server_encoding')");
    if (encoding != null && !"UTF8".equalsIgnoreCase(encoding)) {
      throw new SQLException("the PostgreSQL database is encoded in " + encoding + ", which cannot keep"
          + " every text the ledger accepts (reasons, details and keys are Unicode): create the database with"
          + " ENCODING 'UTF8' (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0) and use it; nothing of the"
          + " ledger was written");
    }
  }

  /**
   * The value a query for one of the database's settings answers, asked only of one kind of database.
   *
   * @param connection a connection to the database
   * @param folder the kind of database the setting belongs to ({@link #folderFor}: {@code "h2"} or
   *     {@code "postgresql"})
   * @param sql a query answering one row of one column
   * @return the value, or null on another kind of database or without a row
   * @throws SQLException if the query fails
   */
  static String settingOn(Connection connection, String folder, String sql) throws SQLException {
    if (!folderFor(connection.getMetaData().getDatabaseProductName()).equals(folder)) {
      return null;
    }
    try (Statement query = connection.createStatement(); ResultSet row = query.executeQuery(sql)) {
      return row.next() ? row.getString(1) : null;
    }
  }

  /**
   * Refuses a connection that keeps unquoted names as written (H2's {@code DATABASE_TO_UPPER=FALSE}):
   * the schema's scripts, the store's SQL and Hibernate's validation name the tables and columns
   * unquoted, and count on the database folding such names to one case (upper on H2, lower on
   * PostgreSQL and under H2's {@code DATABASE_TO_LOWER=TRUE}). There, the scripts would create the
   * tables in lower case, which Hibernate then reports missing, beside those of a database migrated
   * before, and the information schema is not found. Asks the driver's metadata: no statement runs.
   *
   * @param connection a connection to the database
   * @throws SQLException saying so, naming the setting
   */
  static void requireFoldedNames(Connection connection) throws SQLException {
    DatabaseMetaData metaData = connection.getMetaData();
    if (!metaData.storesUpperCaseIdentifiers() && !metaData.storesLowerCaseIdentifiers()) {
      throw new SQLException("the database keeps unquoted names as written (H2's DATABASE_TO_UPPER=FALSE), and the"
          + " ledger's schema and queries name its tables unquoted, counting on the database to fold them to one"
          + " case: remove DATABASE_TO_UPPER=FALSE from the URL (H2's default, or DATABASE_TO_LOWER=TRUE, folds"
          + " them); nothing of the ledger was written");
    }
  }

  /**
   * Refuses a connection that stores an empty string as NULL (H2's {@code MODE=Oracle}): the store
   * keeps empty texts (the lots of an account without any, the rule ids of an entry without rules) in
   * columns that refuse NULL, so every write would fail.
   *
   * @param connection a connection to the database
   * @throws SQLException saying so
   */
  static void requireEmptyTextKept(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT CAST(? AS VARCHAR(1)) IS NULL")) {
      query.setString(1, "");
      try (ResultSet stored = query.executeQuery()) {
        if (stored.next() && stored.getBoolean(1)) {
          throw new SQLException("the database stores an empty string as NULL (H2's MODE=Oracle), and the ledger keeps"
              + " empty texts (an account without lots, an entry without rule ids) in columns that refuse NULL, so"
              + " every write would fail: remove MODE=Oracle from the URL (H2's default mode and its PostgreSQL mode"
              + " keep empty strings); nothing of the ledger was written");
        }
      }
    }
  }

  /**
   * Refuses to create tables on a connection that compares text without regard to case (H2's
   * {@code IGNORECASE=TRUE} in the URL): their text columns would be case-insensitive
   * ({@link #requireCaseSensitiveText}).
   */
  private static void refuseCaseInsensitiveText(Connection connection) throws SQLException {
    try (Statement query = connection.createStatement();
        ResultSet compared = query.executeQuery("SELECT CAST('a' AS VARCHAR(1)) = CAST('A' AS VARCHAR(1))")) {
      if (compared.next() && compared.getBoolean(1)) {
        throw new SQLException("the database compares text without regard to case (H2's IGNORECASE=TRUE), so the"
            + " ledger's tables would let members and request keys that differ only in case share rows: remove"
            + " IGNORECASE=TRUE from the URL; nothing was created");
      }
    }
  }

  static void migrate(Connection connection) throws SQLException {
    migrate(connection, SCRIPTS.size());
  }

  /** Applies the first {@code scripts} of {@link #SCRIPTS} that are not applied yet (tests: an older schema). */
  @SuppressWarnings("try") // the lock is held for the body and released by the try, never referenced
  static void migrate(Connection connection, int scripts) throws SQLException {
    String folder = folderFor(connection.getMetaData().getDatabaseProductName());
    try (Held held = hold(connection, folder.equals("postgresql"))) {
      applyMissing(connection, folder, scripts);
    }
  }

  /** The migration lock, held until closed. */
  private interface Held extends AutoCloseable {
    @Override
    void close() throws SQLException;
  }

  /**
   * Waits for the migration lock: PostgreSQL's advisory lock, or for H2 the database's write lock
   * in this JVM ({@link WriteLock}), which also keeps the store's writers out meanwhile.
   */
  private static Held hold(Connection connection, boolean postgresql) throws SQLException {
    if (postgresql) {
      waitForAdvisoryLock(connection);
      return () -> advisoryLock(connection, "pg_advisory_unlock");
    }
    WriteLock lock = WriteLock.of(connection);
    lock.lock();
    return lock::unlock;
  }

  /**
   * Takes the advisory lock however long another migrator holds it: a {@code lock_timeout} (the
   * server's, the role's or the connection's, common in production) bounds this wait too, and a node
   * that started while another migrated failed. The connection's own timeout is restored after the
   * wait, so the scripts run under it.
   */
  private static void waitForAdvisoryLock(Connection connection) throws SQLException {
    String lockTimeout;
    try (Statement query = connection.createStatement();
        ResultSet setting = query.executeQuery("SELECT current_setting('lock_timeout')")) {
      setting.next();
      lockTimeout = setting.getString(1);
    }
    setLockTimeout(connection, "0");
    try {
      advisoryLock(connection, "pg_advisory_lock");
    } catch (SQLException e) {
      try {
        setLockTimeout(connection, lockTimeout);
      } catch (SQLException restoring) {
        e.addSuppressed(restoring);
      }
      throw e;
    }
    setLockTimeout(connection, lockTimeout);
  }

  private static void setLockTimeout(Connection connection, String value) throws SQLException {
    try (PreparedStatement set = connection.prepareStatement("SELECT set_config('lock_timeout', ?, false)")) {
      set.setString(1, value);
      set.execute();
    }
  }

  private static void advisoryLock(Connection connection, String function) throws SQLException {
    try (PreparedStatement lock = connection.prepareStatement("SELECT " + function + "(?)")) {
      lock.setLong(1, POSTGRESQL_LOCK);
      lock.execute();
    }
  }

  private static void applyMissing(Connection connection, String folder, int scripts) throws SQLException {
    // Before the history table is created: under the setting it would be a second one, in lower case.
    requireFoldedNames(connection);
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      try (Statement create = connection.createStatement()) {
        create.execute("CREATE TABLE IF NOT EXISTS " + HISTORY
            + " (version VARCHAR(32) NOT NULL PRIMARY KEY, script VARCHAR(200) NOT NULL)");
      }
      connection.commit();
      checkHistory(connection);
      boolean checked = false;
      for (String script : SCRIPTS.subList(0, scripts)) {
        String version = versionOf(script);
        if (applied(connection, version)) {
          continue;
        }
        if (!checked) {
          requireNoCollation(connection);
          requireUnicode(connection);
          refuseCaseInsensitiveText(connection);
          requireEmptyTextKept(connection);
          checked = true;
        }
        if (folder.equals("h2")) {
          applyStatementByStatement(connection, "db/migration/h2/" + script, version, script);
        } else {
          apply(connection, "db/migration/" + folder + "/" + script, version, script);
        }
      }
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * Runs one script and records it in the history table, in the connection's open transaction,
   * then commits.
   */
  static void apply(Connection connection, String resource, String version, String script) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String sql : statements(read(resource))) {
        statement.execute(sql);
      }
    }
    record(connection, version, script);
    connection.commit();
  }

  /**
   * Runs one script on H2, which commits each DDL statement (and what the transaction did before
   * it), so that a script that fails after its first statement leaves what those did and cannot be
   * rolled back; run again, it would fail at whatever its first statements did (H2's "Index ... not
   * found"). The history therefore lists the script as {@link #STARTED} first, in a commit of its own,
   * and the version in place of that mark once the script ran: a mark left behind refuses every later
   * start ({@link #checkHistory}). A script that fails at its first statement changed nothing
   * (an H2 statement is atomic), and its mark goes, so it runs again at the next start.
   */
  private static void applyStatementByStatement(Connection connection, String resource, String version, String script)
      throws SQLException {
    List<String> statements = statements(read(resource));
    record(connection, version + STARTED, script);
    connection.commit();
    int done = 0;
    try (Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
        done++;
      }
    } catch (SQLException e) {
      if (done == 0) {
        try {
          connection.rollback();
          forget(connection, version + STARTED);
          connection.commit();
        } catch (SQLException forgetting) {
          e.addSuppressed(forgetting);
        }
        throw new SQLException("the ledger schema's script " + script + " failed at its first statement, which"
            + " changed nothing (" + e.getMessage() + "); if an earlier version of the library, which did not"
            + " record a script as started, failed while applying it to this H2 database, the database holds part"
            + " of it: restore the backup taken before the upgrade", e.getSQLState(), e);
      }
      throw new SQLException("the ledger schema's script " + script + " failed at its statement " + (done + 1) + " of "
          + statements.size() + " (" + e.getMessage() + "); H2 committed the statements before it, so the database"
          + " holds part of the script, and every later start is refused: restore the backup taken before the"
          + " upgrade (or a copy of the database file from before it), remove what made the script fail, and start"
          + " again", e.getSQLState(), e);
    }
    forget(connection, version + STARTED);
    record(connection, version, script);
    connection.commit();
  }

  private static void record(Connection connection, String version, String script) throws SQLException {
    try (PreparedStatement record = connection.prepareStatement(
        "INSERT INTO " + HISTORY + " (version, script) VALUES (?, ?)")) {
      record.setString(1, version);
      record.setString(2, script);
      record.executeUpdate();
    }
  }

  private static void forget(Connection connection, String version) throws SQLException {
    try (PreparedStatement forget = connection.prepareStatement("DELETE FROM " + HISTORY + " WHERE version = ?")) {
      forget.setString(1, version);
      forget.executeUpdate();
    }
  }

  static String folderFor(String productName) {
    String name = productName.toLowerCase(Locale.ROOT);
    if (name.contains("h2")) {
      return "h2";
    }
    if (name.contains("postgres")) {
      return "postgresql";
    }
    throw new IllegalArgumentException("no Loyalty Ledger schema for database '" + productName
        + "'; supported are H2 and PostgreSQL");
  }

  private static boolean applied(Connection connection, String version) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM " + HISTORY + " WHERE version = ?")) {
      query.setString(1, version);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  static String read(String resource) {
    try (InputStream in = SchemaMigration.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing schema script " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Splits a script into statements: comment lines dropped, statements ending with {@code ;} at
   * the end of a line. PostgreSQL function bodies are dollar-quoted and kept whole.
   */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inDollarQuote = false;
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (!inDollarQuote && (trimmed.isEmpty() || trimmed.startsWith("--"))) {
        continue;
      }
      current.append(line).append('\n');
      if (countOf(line, "$$") % 2 == 1) {
        inDollarQuote = !inDollarQuote;
      }
      if (!inDollarQuote && trimmed.endsWith(";")) {
        String sql = current.toString().strip();
        statements.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("schema script ends without ';'");
    }
    return statements;
  }

  private static int countOf(String text, String token) {
    int count = 0;
    for (int i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + token.length())) {
      count++;
    }
    return count;
  }
}
