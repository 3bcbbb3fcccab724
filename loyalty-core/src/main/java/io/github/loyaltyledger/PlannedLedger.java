package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Option;

/**
 * A member's entries as a plan leaves them before it commits: the stored ones, then those the plan
 * has written so far ({@link Books#written}), for a replay that must see them (a refund's award
 * after another whose reversal took points from a grace lot, {@link Loyalty#refund}). Every other
 * read goes to the store as it is; it commits nothing.
 */
final class PlannedLedger implements LedgerStore {

  private final LedgerStore store;
  private final List<Entry> planned;

  PlannedLedger(LedgerStore store, List<Entry> planned) {
    this.store = store;
    this.planned = planned;
  }

  @Override
  public List<Entry> entries(MemberId member, long fromSequence, int limit) {
    List<Entry> stored = store.entries(member, fromSequence, limit);
    if (stored.size() >= limit) {
      return stored;
    }
    long next = stored.isEmpty() ? fromSequence : stored.last().sequence() + 1;
    return stored.appendAll(planned.filter(e -> e.member().equals(member) && e.sequence() >= next)
        .take(limit - stored.size()));
  }

  @Override
  public Option<Account> account(MemberId member) {
    return store.account(member);
  }

  @Override
  public Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key) {
    return store.idempotencyRecord(key);
  }

  @Override
  public Option<Entry> entry(EntryId id) {
    return store.entry(id);
  }

  @Override
  public List<Entry> referencing(EntryId original) {
    return store.referencing(original);
  }

  @Override
  public List<Entry> history(MemberId member, EntryQuery query) {
    return store.history(member, query);
  }

  @Override
  public long counter(String key) {
    return store.counter(key);
  }

  @Override
  public CommitOutcome commit(Commit commit) {
    throw new UnsupportedOperationException("a plan's view of the ledger commits nothing");
  }
}
