package io.github.loyaltyledger.jpa;

/** The store contract on a real PostgreSQL server (see {@link TestDatabase#postgresql()}). */
class PostgresLedgerStoreTest extends JpaStoreContract {

  @Override
  TestDatabase database() {
    return TestDatabase.postgresql();
  }
}
