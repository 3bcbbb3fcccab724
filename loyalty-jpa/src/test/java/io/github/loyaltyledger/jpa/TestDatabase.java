package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A database for a test class: its JDBC URL and credentials, and a way to empty it between tests.
 * PostgreSQL comes from the environment ({@code LOYALTY_PG_URL}, as {@code .ci/run} sets it); where
 * it is missing the PostgreSQL tests are skipped, except on CI ({@code CI=true}), where they fail.
 */
record TestDatabase(String url, String user, String password) {

  private static final AtomicInteger NAMES = new AtomicInteger();

  static TestDatabase h2InMemory() {
    return new TestDatabase("jdbc:h2:mem:ledger-" + NAMES.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "sa", "");
  }

  static TestDatabase h2File(Path file) {
    return new TestDatabase(JpaLedgerStore.h2FileUrl(file), "sa", "");
  }

  static TestDatabase postgresql() {
    String url = System.getenv("LOYALTY_PG_URL");
    if (url == null || url.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        fail("LOYALTY_PG_URL is not set: on CI the PostgreSQL tests must run (.ci/run starts the server)");
      }
      Assumptions.abort("LOYALTY_PG_URL is not set; PostgreSQL tests skipped (they run on CI)");
    }
    String user = System.getenv().getOrDefault("LOYALTY_PG_USER", "postgres");
    String password = System.getenv().getOrDefault("LOYALTY_PG_PASSWORD", "");
    return new TestDatabase(url, user, password);
  }

  /**
   * The PostgreSQL database of {@link #postgresql()}, with the schema applied and every table
   * emptied, for a test that counts on starting from nothing.
   */
  static TestDatabase emptyPostgresql() {
    TestDatabase database = postgresql();
    database.open().close();
    database.wipe();
    return database;
  }

  /**
   * A database of its own on the PostgreSQL server ({@link #postgresql()}), dropped if it exists and
   * created anew with the given encoding (and the {@code C} locale, which suits every encoding).
   */
  static TestDatabase postgresqlDatabase(String name, String encoding) throws SQLException {
    TestDatabase server = postgresql();
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name);
      s.execute("CREATE DATABASE " + name + " ENCODING '" + encoding + "' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
    }
    return new TestDatabase(server.url.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1"), server.user, server.password);
  }

  /** Work on a test's database, which may throw. */
  @FunctionalInterface
  interface Work {
    void on(TestDatabase database) throws Exception;
  }

  /**
   * Runs the work on an empty schema of its own on the PostgreSQL server ({@link #postgresql()}),
   * dropped afterwards, so that the other tests can still empty their tables.
   */
  static void inPostgresqlSchema(String schema, Work work) throws Exception {
    TestDatabase server = postgresql();
    server.recreateSchema(schema);
    try {
      work.on(server.inSchema(schema));
    } finally {
      server.dropSchema(schema);
    }
  }

  /** This server with {@code schema} as the connections' current schema (PostgreSQL). */
  TestDatabase inSchema(String schema) {
    return new TestDatabase(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password);
  }

  /** Drops the schema with everything in it, if it exists, and creates it empty (PostgreSQL). */
  void recreateSchema(String schema) throws SQLException {
    dropSchema(schema);
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
  }

  /** Drops the schema with everything in it, if it exists (PostgreSQL). */
  void dropSchema(String schema) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  JpaLedgerStore open() {
    return JpaLedgerStore.fromJdbcUrl(url, user, password);
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /** Removes every row the store wrote (tests only: the store itself deletes nothing but profiles). */
  void wipe() {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String table : new String[] {"ledger_member_external_ref", "ledger_member_profile", "ledger_due_work", "ledger_outbox_enrolment", "ledger_outbox", "ledger_entry_reference", "ledger_entry", "ledger_request", "ledger_counter", "ledger_account", "ledger_program"}) {
        s.execute("DELETE FROM " + table);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot empty the test database", e);
    }
  }
}
