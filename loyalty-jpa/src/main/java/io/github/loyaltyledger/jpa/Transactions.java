package io.github.loyaltyledger.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every transaction the store begins runs in READ COMMITTED, which the store relies on (ADR 0008):
 * a request's attempt, a commit made outside one, the look-up of why a commit conflicted, a
 * profile's save and deletion, the relay's, and each bulk-import transaction. Under {@code
 * SERIALIZABLE} any of them could otherwise fail with a serialization failure where READ COMMITTED
 * waits and goes on. The database's default is not enough to go by: an application (or its pool)
 * may have set one pooled connection's session to another isolation ({@code
 * Connection.setTransactionIsolation}, which pgjdbc sends as {@code SET SESSION CHARACTERISTICS}).
 * So on PostgreSQL each transaction is set to READ COMMITTED as it begins (one statement more),
 * except a request's attempt on a database whose default is READ COMMITTED, whose first statement
 * reads the transaction's isolation ({@link #ISOLATION}) and which restarts, set to READ COMMITTED,
 * if that is another ({@link #beginChecked}, {@link #restartInReadCommitted}): the hot path keeps
 * its round trips. The application's own transactions keep the isolation it chose.
 */
final class Transactions {

  /**
   * The select-list expression a checked transaction's first statement adds: the isolation the
   * transaction runs in, as PostgreSQL names it ({@link #isReadCommitted}).
   */
  static final String ISOLATION = "current_setting('transaction_isolation')";

  private static final String SET_READ_COMMITTED = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";

  private final EntityManagerFactory factory;
  private final boolean onPostgresql;
  private final boolean defaultsToReadCommitted;

  /**
   * @param onPostgresql whether the database is PostgreSQL (H2's writers take turns, and its reads
   *     run outside transactions, so its transactions are left as they begin)
   * @param defaultsToReadCommitted whether the database's default isolation, as read at start-up, is
   *     READ COMMITTED, so that a checked transaction is likely to need no restart
   */
  Transactions(EntityManagerFactory factory, boolean onPostgresql, boolean defaultsToReadCommitted) {
    this.factory = factory;
    this.onPostgresql = onPostgresql;
    this.defaultsToReadCommitted = defaultsToReadCommitted;
  }

  /** Whether PostgreSQL's name of an isolation level ({@link #ISOLATION}) runs as READ COMMITTED there. */
  static boolean isReadCommitted(String level) {
    return "read committed".equalsIgnoreCase(level) || "read uncommitted".equalsIgnoreCase(level);
  }

  /** Begins the entity manager's transaction, in READ COMMITTED. */
  void begin(EntityManager em) {
    em.getTransaction().begin();
    if (onPostgresql) {
      setReadCommitted(em);
    }
  }

  /**
   * Begins the entity manager's transaction for a caller whose first statement reads {@link
   * #ISOLATION} and, unless it {@link #isReadCommitted}, calls {@link #restartInReadCommitted}
   * before anything else; on a database whose default is another, sets it to READ COMMITTED at once.
   *
   * @return whether the transaction is set to READ COMMITTED already, so that no check is needed
   */
  boolean beginChecked(EntityManager em) {
    em.getTransaction().begin();
    if (onPostgresql && !defaultsToReadCommitted) {
      setReadCommitted(em);
      return true;
    }
    return !onPostgresql;
  }

  /**
   * Rolls back a checked transaction whose first statement found another isolation than READ
   * COMMITTED (its snapshot was taken by that statement, so it cannot be changed) and begins it
   * again in READ COMMITTED.
   */
  void restartInReadCommitted(EntityManager em) {
    em.getTransaction().rollback();
    begin(em);
  }

  private static void setReadCommitted(EntityManager em) {
    SqlWork.on(em, connection -> {
      try (java.sql.Statement set = connection.createStatement()) {
        return set.execute(SET_READ_COMMITTED);
      }
    });
  }

  /** Runs the work in a transaction of its own, committed if it returns and rolled back if it throws. */
  void run(Consumer<EntityManager> work) {
    call(em -> {
      work.accept(em);
      return null;
    });
  }

  /**
   * Reads with the work: without a transaction of its own where the database's default isolation is
   * READ COMMITTED (each statement then sees what is committed, and a begin and commit would cost
   * round trips for nothing); else in a READ COMMITTED transaction, since each statement on its own
   * would be a transaction of the default isolation: under SERIALIZABLE one that PostgreSQL tracks
   * for conflicts, which can cancel it or another transaction it meets (an application's own). A
   * pooled connection whose session alone was set to another isolation still reads in that one.
   */
  <T> T read(Function<EntityManager, T> work) {
    if (onPostgresql && !defaultsToReadCommitted) {
      return call(work);
    }
    try (EntityManager em = factory.createEntityManager()) {
      return work.apply(em);
    }
  }

  /** Calls the work in a transaction of its own, committed if it returns and rolled back if it throws. */
  <T> T call(Function<EntityManager, T> work) {
    try (EntityManager em = factory.createEntityManager()) {
      EntityTransaction transaction = em.getTransaction();
      begin(em);
      try {
        T result = work.apply(em);
        transaction.commit();
        return result;
      } catch (RuntimeException | Error e) {
        rollBack(transaction, e);
        throw e;
      }
    }
  }

  /**
   * Rolls back a transaction that the failure ended, if it is still active; a failing rollback (the
   * connection lost, say) is attached to the failure rather than replacing it, so that the caller
   * sees the cause, and the transaction ends with the session either way.
   */
  static void rollBack(EntityTransaction transaction, Throwable failure) {
    try {
      if (transaction.isActive()) {
        transaction.rollback();
      }
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
