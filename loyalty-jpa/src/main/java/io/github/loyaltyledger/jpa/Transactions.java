package io.github.loyaltyledger.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every transaction the store begins: on a PostgreSQL database whose default isolation is not READ
 * COMMITTED, set to READ COMMITTED as it begins (one statement more), since the store relies on it
 * (ADR 0008): a request's attempt, a commit made outside one, the look-up of why a commit
 * conflicted, a profile's save and deletion, the relay's, and each bulk-import transaction. Under
 * {@code SERIALIZABLE} any of them could otherwise fail with a serialization failure where READ
 * COMMITTED waits and goes on. The application's own transactions keep the isolation it chose.
 */
final class Transactions {

  private static final String SET_READ_COMMITTED = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";

  private final EntityManagerFactory factory;
  private final boolean setReadCommitted;

  /**
   * @param setReadCommitted whether the database's (or the pool's) default isolation is another
   *     than READ COMMITTED, so that each transaction must be set to it
   */
  Transactions(EntityManagerFactory factory, boolean setReadCommitted) {
    this.factory = factory;
    this.setReadCommitted = setReadCommitted;
  }

  /** Begins the entity manager's transaction, in READ COMMITTED. */
  void begin(EntityManager em) {
    em.getTransaction().begin();
    if (setReadCommitted) {
      SqlWork.on(em, connection -> {
        try (java.sql.Statement set = connection.createStatement()) {
          return set.execute(SET_READ_COMMITTED);
        }
      });
    }
  }

  /** Runs the work in a transaction of its own, committed if it returns and rolled back if it throws. */
  void run(Consumer<EntityManager> work) {
    call(em -> {
      work.accept(em);
      return null;
    });
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
      } finally {
        if (transaction.isActive()) {
          transaction.rollback();
        }
      }
    }
  }
}
