package io.github.loyaltyledger.store;

import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.vavr.collection.List;
import java.util.Objects;

/**
 * One account's part of a {@link Commit}: the version the change was computed from, the new
 * state, and the entries to append.
 *
 * @param expectedVersion the version the store must still hold, or 0 if the account must not
 *     exist yet (enrolment)
 * @param account the new state, whose version is {@code expectedVersion + 1}
 * @param entries the entries to append, with sequence numbers following the stored ones
 */
public record AccountChange(long expectedVersion, Account account, List<Entry> entries) {

  /**
   * Validates the change.
   *
   * @param expectedVersion the version the store must still hold, or 0 if the account must not
   *     exist yet (enrolment)
   * @param account the new state, whose version is {@code expectedVersion + 1}
   * @param entries the entries to append, with sequence numbers following the stored ones
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the new version does not follow the expected one, or the
   *     entries do not end at the account's last sequence number
   */
  public AccountChange {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(entries, "entries");
    if (account.version() != expectedVersion + 1) {
      throw new IllegalArgumentException("new version " + account.version()
          + " must follow expected version " + expectedVersion);
    }
    if (!entries.isEmpty() && entries.last().sequence() != account.lastSequence()) {
      throw new IllegalArgumentException("entries end at " + entries.last().sequence()
          + " but the account's last sequence is " + account.lastSequence());
    }
    for (Entry e : entries) {
      if (!e.member().equals(account.memberId())) {
        throw new IllegalArgumentException("entry " + e.id() + " belongs to another member than " + account.memberId());
      }
    }
  }
}
