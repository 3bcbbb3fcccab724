package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.LedgerStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on a real PostgreSQL server (see {@link TestDatabase#postgresql()}). */
class PostgresLedgerStoreTest extends LedgerStoreContract {

  private static TestDatabase database;
  private static JpaLedgerStore shared;

  @BeforeAll
  static void openDatabase() {
    database = TestDatabase.postgresql();
    shared = database.open();
  }

  @AfterAll
  static void closeDatabase() {
    if (shared != null) {
      shared.close();
    }
  }

  @Override
  protected LedgerStore newStore() {
    database.wipe();
    return shared;
  }

  @Override
  protected int operationsPerThread() {
    return 100;
  }
}
