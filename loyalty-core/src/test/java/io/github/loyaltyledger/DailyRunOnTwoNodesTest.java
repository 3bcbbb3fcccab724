package io.github.loyaltyledger;

import io.github.loyaltyledger.store.InMemoryLedgerStore;
import org.junit.jupiter.api.Test;

/** The daily run on two nodes sharing one in-memory store: see {@link DailyRunOnTwoNodes}. */
class DailyRunOnTwoNodesTest {

  @Test
  void twoNodesRunningTheSameDayAtOnceOnOverlappingSharesDoEveryPieceOfWorkOnceAsOneNodeWould() {
    DailyRunOnTwoNodes.check(40, InMemoryLedgerStore::new, () -> {
      InMemoryLedgerStore store = new InMemoryLedgerStore();
      return new DailyRunOnTwoNodes.Shared(store, store, () -> { });
    });
  }
}
