package io.github.loyaltyledger.store;

import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.vavr.collection.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The store contract, run against the in-memory store, and what only the in-memory store can show. */
class InMemoryLedgerStoreTest extends LedgerStoreContract {

  @Override
  protected LedgerStore newStore() {
    return new InMemoryLedgerStore();
  }

  /** How much of a member's history a page reads. */
  @Nested
  class HistoryPages {

    private InMemoryLedgerStore inMemory() {
      return (InMemoryLedgerStore) store;
    }

    /** Pages back through alice's whole history, {@code size} entries a page, oldest last. */
    private List<Entry> pagedBack(int size) {
      List<Entry> all = List.empty();
      EntryQuery query = EntryQuery.newest(size);
      while (true) {
        List<Entry> page = store.history(alice, query);
        all = all.appendAll(page);
        if (page.size() < size) {
          return all;
        }
        query = query.before(page.last().sequence());
      }
    }

    @Test
    void pagingBackThroughALongHistoryReadsEachEntryOnce() {
      enrolled(loyalty, alice);
      for (int i = 0; i < 1_000; i++) {
        earned(loyalty, alice, 1);
      }
      long entries = store.account(alice).get().lastSequence();
      long before = inMemory().historyRead();

      List<Entry> all = pagedBack(50);

      assertEquals(List.rangeClosed(1L, entries).reverse(), all.map(Entry::sequence));
      long read = inMemory().historyRead() - before;
      assertTrue(read <= entries, "read " + read + " entries to page back through " + entries);
    }

    @Test
    void aPageBeforeAnEntryStartsBelowItWhenEntriesWereDeleted() {
      enrolled(loyalty, alice);
      for (int i = 0; i < 9; i++) {
        earned(loyalty, alice, 1);
      }
      inMemory().tamperDelete(EntryId.of(alice, 3));
      inMemory().tamperDelete(EntryId.of(alice, 6)); // the entry of sequence 7 once 3 is gone
      long before = inMemory().historyRead();

      assertEquals(List.of(6L, 5L, 4L, 2L), store.history(alice, EntryQuery.newest(4).before(8)).map(Entry::sequence));
      assertEquals(4, inMemory().historyRead() - before, "the page starts at the entry below 8");
      assertEquals(List.of(9L, 8L, 6L, 5L, 4L, 2L, 1L), pagedBack(3).map(Entry::sequence));
      assertTrue(store.history(alice, EntryQuery.newest(4).before(1)).isEmpty());
      assertEquals(List.of(9L), store.history(alice, EntryQuery.newest(1).before(Long.MAX_VALUE)).map(Entry::sequence));
    }
  }
}
