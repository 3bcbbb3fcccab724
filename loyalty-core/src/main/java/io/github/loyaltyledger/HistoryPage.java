package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Entry;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * One page of a member's history, newest first, and the cursor for the next (older) page.
 *
 * @param entries the entries on this page, in descending sequence order
 * @param nextBefore pass to {@link io.github.loyaltyledger.store.EntryQuery#before(long)} for the
 *     next page; none when this page is the last
 */
public record HistoryPage(List<Entry> entries, Option<Long> nextBefore) {

  /**
   * Validates that no field is null.
   *
   * @param entries the entries on this page, in descending sequence order
   * @param nextBefore pass to {@link io.github.loyaltyledger.store.EntryQuery#before(long)} for the
   *     next page; none when this page is the last
   * @throws NullPointerException if an argument is null
   */
  public HistoryPage {
    Objects.requireNonNull(entries, "entries");
    Objects.requireNonNull(nextBefore, "nextBefore");
  }
}
