package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.LedgerStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on H2 in memory. */
class H2InMemoryLedgerStoreTest extends LedgerStoreContract {

  private static TestDatabase database;
  private static JpaLedgerStore shared;

  @BeforeAll
  static void openDatabase() {
    database = TestDatabase.h2InMemory();
    shared = database.open();
  }

  @AfterAll
  static void closeDatabase() {
    shared.close();
  }

  @Override
  protected LedgerStore newStore() {
    database.wipe();
    return shared;
  }

  /*
   * The hot-member test grows thousands of live lots, which the account row carries and rewrites on
   * every change; 100 operations per thread keep the suite short on a 2-core machine.
   */
  @Override
  protected int operationsPerThread() {
    return 100;
  }
}
