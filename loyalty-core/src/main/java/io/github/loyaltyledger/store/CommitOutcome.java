package io.github.loyaltyledger.store;

/** What a store did with a {@link Commit}. Only {@link #COMMITTED} wrote anything. */
public enum CommitOutcome {
  /** Everything was stored. */
  COMMITTED,
  /**
   * Nothing was stored: an account's stored version differs from the expected one (or an account
   * to be created already exists). The caller recomputes from fresh state.
   */
  STALE_ACCOUNT,
  /**
   * Nothing was stored: a counter's stored value differs from the expected one. The caller
   * recomputes from fresh values.
   */
  STALE_COUNTER,
  /**
   * Nothing was stored: the idempotency key is already recorded. The caller reads the record and
   * answers from it.
   */
  DUPLICATE_KEY
}
