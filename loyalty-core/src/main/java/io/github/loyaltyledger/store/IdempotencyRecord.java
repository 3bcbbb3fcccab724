package io.github.loyaltyledger.store;

import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import java.util.Objects;

/**
 * What a store remembers of an accepted request: its key, the fingerprint of the request, and its
 * receipt. A request arriving with a known key is answered from this record: with the receipt when
 * the fingerprints match, with an idempotency conflict when they differ.
 *
 * @param key the idempotency key, unique in the store
 * @param fingerprint the SHA-256 of the request's canonical encoding
 * @param receipt the result returned the first time
 */
public record IdempotencyRecord(IdempotencyKey key, String fingerprint, Receipt receipt) {

  /**
   * Validates the record.
   *
   * @param key the idempotency key, unique in the store
   * @param fingerprint the SHA-256 of the request's canonical encoding
   * @param receipt the result returned the first time
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the receipt's key differs from {@code key}
   */
  public IdempotencyRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(receipt, "receipt");
    if (!receipt.key().equals(key)) {
      throw new IllegalArgumentException("the receipt belongs to key " + receipt.key() + ", not " + key);
    }
  }
}
