package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.ledger.IdempotencyKey;
import jakarta.persistence.PersistenceException;
import java.io.Serial;
import java.util.Objects;

/**
 * The database failed while it committed a request's changes (the connection lost, the server
 * restarted), so the store cannot tell whether they were stored: the database may have committed
 * them before its answer was lost. Nothing was stored in part: a commit is one transaction. Send
 * the same request again with the same {@linkplain #key() key}: if the first was stored, the facade
 * answers with its receipt and writes nothing; if not, the request is made, once. Sending it with a
 * new key could make it twice.
 *
 * <p>A {@link PersistenceException}, as the store's other database failures are, so that code that
 * catches those keeps working; thrown by {@link JpaLedgerStore#commit} and so from every
 * state-changing method of the facade.
 */
public final class CommitOutcomeUnknownException extends PersistenceException {

  @Serial
  private static final long serialVersionUID = 1L;

  /** The idempotency key of the request whose commit failed (serialized as its text). */
  private final String key;

  /**
   * @param key the idempotency key of the request whose commit failed, not null
   * @param failure what the database or its driver threw, not null
   */
  CommitOutcomeUnknownException(IdempotencyKey key, Throwable failure) {
    super("the database failed while committing request " + Objects.requireNonNull(key, "key").value()
        + " and did not say whether it stored it (" + Objects.requireNonNull(failure, "failure").getMessage()
        + "); nothing was stored in part: send the same request again with the same key, which either"
        + " finds it stored and answers with its receipt or makes it once", failure);
    this.key = key.value();
  }

  /** @return the idempotency key of the request whose commit failed, to send it again with */
  public IdempotencyKey key() {
    return IdempotencyKey.of(key);
  }
}
