package io.github.loyaltyledger.jpa;

import org.junit.jupiter.api.BeforeAll;

/** The store contract on a real PostgreSQL server (see {@link TestDatabase#postgresql()}). */
class PostgresLedgerStoreTest extends JpaStoreContract {

  /*
   * Skips (or, on CI, fails) the whole class at once: a skip from the contract's @BeforeEach would
   * still run the @AfterEach of its nested classes, on state their @BeforeEach never set up.
   */
  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  @Override
  TestDatabase database() {
    return TestDatabase.postgresql();
  }
}
