package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.DueQuery;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.DueWorkIndex;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.control.Option;

/**
 * A {@link ForwardingStore} over the in-memory store that forwards its due-work index too, so that
 * a {@link DailyRun} runs on it: tests override the calls they want to watch, interleave or fail.
 */
class ForwardingIndexedStore extends ForwardingStore implements DueWorkIndex {

  private final InMemoryLedgerStore inner;

  ForwardingIndexedStore(InMemoryLedgerStore inner) {
    super(inner);
    this.inner = inner;
  }

  @Override
  public Set<EntryKind> activityKinds() {
    return inner.activityKinds();
  }

  @Override
  public Option<DueWork> dueWork(MemberId member) {
    return inner.dueWork(member);
  }

  @Override
  public List<DueWork> candidates(DueQuery query) {
    return inner.candidates(query);
  }
}
