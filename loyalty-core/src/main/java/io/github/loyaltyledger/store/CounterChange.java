package io.github.loyaltyledger.store;

import io.github.loyaltyledger.ledger.Fingerprint;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * One named counter's part of a {@link Commit}: the value the change was computed from and the new
 * value. Engines keep shared quantities in counters — a campaign's spent budget, a member's points
 * capped per period, a reward's stock — and change them in the same atomic commit as the entries,
 * so that concurrent requests (also on other application nodes) can never overspend them.
 *
 * @param key the counter's name, e.g. {@code "budget:spring-promo"}; 1 to 200 characters, every
 *     store can keep it ({@link Fingerprint#isStorable}: no NUL, no unpaired surrogate)
 * @param expected the value the store must still hold (0 for a counter never written)
 * @param updated the new value
 */
public record CounterChange(String key, long expected, long updated) {

  /** The longest counter name a store must accept. */
  public static final int MAX_KEY_LENGTH = 200;

  /**
   * Validates the change.
   *
   * @param key the counter's name, e.g. {@code "budget:spring-promo"}; 1 to 200 characters, every
   *     store can keep it ({@link Fingerprint#isStorable}: no NUL, no unpaired surrogate)
   * @param expected the value the store must still hold (0 for a counter never written)
   * @param updated the new value
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if the key is blank, longer than {@value #MAX_KEY_LENGTH}, or
   *     has a character not every store can keep
   */
  public CounterChange {
    Objects.requireNonNull(key, "key");
    if (key.isBlank()) {
      throw new IllegalArgumentException(
          "counter key must be 1 to " + MAX_KEY_LENGTH + " characters and not blank, was '" + key + "'");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("counter key must be 1 to " + MAX_KEY_LENGTH
          + " characters and not blank, was " + key.length() + " characters: '" + key + "'");
    }
    // PostgreSQL refuses a NUL in a text column, and a JDBC driver sends a lone surrogate as '?':
    // kept in memory and on H2, such a key would fail there, or share one counter with another.
    Option<String> unstorable = Fingerprint.unstorable(key);
    if (unstorable.isDefined()) {
      throw new IllegalArgumentException("counter key has " + unstorable.get()
          + ", which not every store can keep; build it from storable texts: '" + key + "'");
    }
  }
}
