package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.LedgerStoreContract;

/**
 * The README's block on testing a store of one's own ("Storage"), run: the store contract from
 * {@code loyalty-core}'s test jar, against {@link MyStore}, which stands in for the reader's store.
 */
// --- README store contract begins ---
class MyStoreTest extends LedgerStoreContract {
  @Override protected LedgerStore newStore() { return new MyStore(new InMemoryLedgerStore()); }
}
// --- README store contract ends ---
