package io.github.loyaltyledger.store;

class InMemoryDueWorkIndexTest extends DueWorkIndexContract {

  @Override
  protected LedgerStore newStore() {
    return new InMemoryLedgerStore();
  }
}
