package io.github.loyaltyledger.store;

import io.github.loyaltyledger.ledger.EntryKind;
import io.vavr.collection.HashSet;
import io.vavr.collection.Set;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * A filter over one member's entries, newest first: which kinds, which occurred-at range, and
 * where to continue from.
 *
 * @param kinds the kinds to include; empty means every kind
 * @param from include entries that occurred at or after this instant, if given
 * @param to include entries that occurred strictly before this instant, if given
 * @param beforeSequence include only entries with a lower sequence number (the page cursor), if
 *     given
 * @param limit the maximum number of entries, 1 to {@value #MAX_LIMIT}
 */
public record EntryQuery(
    Set<EntryKind> kinds, Option<Instant> from, Option<Instant> to, Option<Long> beforeSequence, int limit) {

  /** The largest page a query may ask for. */
  public static final int MAX_LIMIT = 1000;

  /**
   * Validates the query.
   *
   * @param kinds the kinds to include; empty means every kind
   * @param from include entries that occurred at or after this instant, if given
   * @param to include entries that occurred strictly before this instant, if given
   * @param beforeSequence include only entries with a lower sequence number (the page cursor), if
   *     given
   * @param limit the maximum number of entries, 1 to {@value #MAX_LIMIT}
   * @throws NullPointerException if an argument is null, or the kinds or an option hold null
   * @throws IllegalArgumentException if the limit is outside 1 to {@value #MAX_LIMIT}
   */
  public EntryQuery {
    Objects.requireNonNull(kinds, "kinds");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(beforeSequence, "beforeSequence");
    // Option.some(null) and a null kind pass the checks above; a store would then throw on them.
    kinds.forEach(kind -> Objects.requireNonNull(kind, "kinds holds null"));
    from.forEach(at -> Objects.requireNonNull(at, "from holds null"));
    to.forEach(at -> Objects.requireNonNull(at, "to holds null"));
    beforeSequence.forEach(sequence -> Objects.requireNonNull(sequence, "beforeSequence holds null"));
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
    }
  }

  /**
   * A query for the newest entries of every kind.
   *
   * @param limit the page size, 1 to {@value #MAX_LIMIT}
   * @return the query
   */
  public static EntryQuery newest(int limit) {
    return new EntryQuery(HashSet.empty(), Option.none(), Option.none(), Option.none(), limit);
  }

  /**
   * @param only the kinds to include, not null; empty means every kind
   * @return a copy with this filter
   * @throws NullPointerException if the kinds or a kind is null
   */
  public EntryQuery withKinds(Set<EntryKind> only) {
    return new EntryQuery(only, from, to, beforeSequence, limit);
  }

  /**
   * @param fromInclusive the earliest occurred-at instant, not null
   * @param toExclusive the instant the range ends before, not null
   * @return a copy with this time range
   * @throws NullPointerException if an instant is null
   */
  public EntryQuery between(Instant fromInclusive, Instant toExclusive) {
    return new EntryQuery(kinds, Option.some(fromInclusive), Option.some(toExclusive), beforeSequence, limit);
  }

  /**
   * @param sequence the cursor: only entries with a lower sequence number
   * @return a copy continuing before this sequence number
   */
  public EntryQuery before(long sequence) {
    return new EntryQuery(kinds, from, to, Option.some(sequence), limit);
  }

  /**
   * @param newLimit the page size, 1 to {@value #MAX_LIMIT}
   * @return a copy with this limit
   */
  public EntryQuery withLimit(int newLimit) {
    return new EntryQuery(kinds, from, to, beforeSequence, newLimit);
  }

  /**
   * Tells whether an entry passes the kind and time filters (not the cursor or limit); stores that
   * filter in memory use it so that every store filters alike.
   *
   * @param kind the entry's kind, not null
   * @param occurredAt when it occurred, not null
   * @return true if the entry is included
   */
  public boolean matches(EntryKind kind, Instant occurredAt) {
    return (kinds.isEmpty() || kinds.contains(kind))
        && from.forAll(f -> !occurredAt.isBefore(f))
        && to.forAll(t -> occurredAt.isBefore(t));
  }
}
