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
 * A {@link LedgerStore} that hands every call to another one and is nothing else (no due-work
 * index, no directory): tests override the calls they want to watch or interleave.
 */
public class ForwardingStore implements LedgerStore {

  private final LedgerStore inner;

  /**
   * Forwards to a store.
   *
   * @param inner the store every call goes to
   */
  public ForwardingStore(LedgerStore inner) {
    this.inner = inner;
  }

  @Override
  public Option<Account> account(MemberId member) {
    return inner.account(member);
  }

  @Override
  public Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key) {
    return inner.idempotencyRecord(key);
  }

  @Override
  public Option<Entry> entry(EntryId id) {
    return inner.entry(id);
  }

  @Override
  public List<Entry> referencing(EntryId original) {
    return inner.referencing(original);
  }

  @Override
  public List<Entry> entries(MemberId member, long fromSequence, int limit) {
    return inner.entries(member, fromSequence, limit);
  }

  @Override
  public List<Entry> history(MemberId member, EntryQuery query) {
    return inner.history(member, query);
  }

  @Override
  public long counter(String key) {
    return inner.counter(key);
  }

  @Override
  public String claimProgram(String program, Option<String> renamedFrom) {
    return inner.claimProgram(program, renamedFrom);
  }

  @Override
  public Option<String> keptProgram() {
    return inner.keptProgram();
  }

  @Override
  public CommitOutcome commit(Commit commit) {
    return inner.commit(commit);
  }
}
