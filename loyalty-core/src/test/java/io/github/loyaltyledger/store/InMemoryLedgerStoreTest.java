package io.github.loyaltyledger.store;

/** The store contract, run against the in-memory store. */
class InMemoryLedgerStoreTest extends LedgerStoreContract {

  @Override
  protected LedgerStore newStore() {
    return new InMemoryLedgerStore();
  }
}
