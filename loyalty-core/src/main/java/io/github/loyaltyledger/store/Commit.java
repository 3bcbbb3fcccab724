package io.github.loyaltyledger.store;

import io.github.loyaltyledger.event.LoyaltyEvent;
import io.vavr.collection.List;
import java.util.Objects;

/**
 * Everything one accepted request writes, to be stored atomically: the changed accounts with
 * their new entries, the changed counters, and the idempotency record. Either all of it is stored
 * or none of it. A
 * request that changes no account (an expiry run with nothing due) still records its key, so that
 * a replay answers with the first result.
 *
 * <p>The commit also carries the events the facade publishes once it is stored, so that a store
 * with a transactional outbox (the JPA store) can keep them in the same transaction; other stores
 * ignore them.
 *
 * @param changes the accounts changed, at most one per member; may be empty
 * @param counters the counters changed, at most one change per key; may be empty
 * @param record the idempotency record of the request
 * @param events the events of the change, in publication order; may be empty
 */
public record Commit(
    List<AccountChange> changes, List<CounterChange> counters, IdempotencyRecord record, List<LoyaltyEvent> events) {

  /**
   * Validates the commit.
   *
   * @param changes the accounts changed, at most one per member; may be empty
   * @param counters the counters changed, at most one change per key; may be empty
   * @param record the idempotency record of the request
   * @param events the events of the change, in publication order; may be empty
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if two changes are for one member or one counter
   */
  public Commit {
    Objects.requireNonNull(changes, "changes");
    Objects.requireNonNull(counters, "counters");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(events, "events");
    if (!distinct(counters.map(CounterChange::key))) {
      throw new IllegalArgumentException("a commit changes each counter at most once");
    }
    if (!distinct(changes.map(c -> c.account().memberId()))) {
      throw new IllegalArgumentException("a commit changes each account at most once");
    }
  }

  /**
   * A commit without events.
   *
   * @param changes the accounts changed, at most one per member; may be empty
   * @param counters the counters changed, at most one change per key; may be empty
   * @param record the idempotency record of the request
   */
  public Commit(List<AccountChange> changes, List<CounterChange> counters, IdempotencyRecord record) {
    this(changes, counters, record, List.empty());
  }

  /**
   * A commit that changes no counter.
   *
   * @param changes the accounts changed, at most one per member; may be empty
   * @param record the idempotency record of the request
   */
  public Commit(List<AccountChange> changes, IdempotencyRecord record) {
    this(changes, List.empty(), record, List.empty());
  }

  /** Whether no two items are equal, without building a set for the usual handful of items. */
  private static boolean distinct(List<?> items) {
    if (items.size() > 8) {
      return items.distinct().size() == items.size();
    }
    int i = 0;
    for (Object a : items) {
      int j = 0;
      for (Object b : items) {
        if (j++ > i && a.equals(b)) {
          return false;
        }
      }
      i++;
    }
    return true;
  }
}
