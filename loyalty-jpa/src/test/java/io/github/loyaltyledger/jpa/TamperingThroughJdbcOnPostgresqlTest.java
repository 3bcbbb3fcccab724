package io.github.loyaltyledger.jpa;

import org.junit.jupiter.api.BeforeAll;

/** Tampering through JDBC on a real PostgreSQL server (see {@link TestDatabase#postgresql()}). */
class TamperingThroughJdbcOnPostgresqlTest extends TamperingThroughJdbcContract {

  /* Skips (or, on CI, fails) the whole class at once, as PostgresLedgerStoreTest does. */
  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  @Override
  TestDatabase database() {
    return TestDatabase.postgresql();
  }
}
