package io.github.loyaltyledger.jpa;

/** The store contract on H2 in memory. */
class H2InMemoryLedgerStoreTest extends JpaStoreContract {

  @Override
  TestDatabase database() {
    return TestDatabase.h2InMemory();
  }
}
