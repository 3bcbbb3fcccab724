package io.github.loyaltyledger.jpa;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Plain JDBC work on an entity manager's connection (in its transaction, if one is active), through
 * the Jakarta Persistence 3.2 {@link EntityManager#callWithConnection}: the store's hot paths (the
 * commit's writes, the reads of an account, a request or a counter) as prepared statements, without
 * an entity's load, persist and flush machinery.
 *
 * @param <T> the work's result
 */
@FunctionalInterface
interface SqlWork<T> {

  /**
   * Does the work.
   *
   * @param connection the entity manager's connection; not to be closed
   * @return the result
   * @throws SQLException what the driver threw
   */
  T apply(Connection connection) throws SQLException;

  /**
   * Runs the work on the entity manager's connection. A {@link SQLException} comes back as a
   * {@link PersistenceException} with it as the cause (so conflict states stay visible); other
   * runtime exceptions come back as thrown, although the provider may wrap them (Hibernate 7 wraps
   * whatever the function throws in a plain {@link RuntimeException}).
   *
   * @param em the entity manager
   * @param work the work
   * @param <T> the result
   * @return what the work returned
   */
  static <T> T on(EntityManager em, SqlWork<T> work) {
    try {
      return em.callWithConnection((Connection connection) -> {
        try {
          return work.apply(connection);
        } catch (SQLException e) {
          throw new PersistenceException(e.getMessage(), e);
        }
      });
    } catch (RuntimeException e) {
      if (e.getClass() == RuntimeException.class && e.getCause() instanceof RuntimeException thrown) {
        throw thrown;
      }
      throw e;
    }
  }

  /** Binds a value that may be null ({@code setObject} with the column's type for a null). */
  static void bind(PreparedStatement statement, int index, Object value, int sqlType) throws SQLException {
    if (value == null) {
      statement.setNull(index, sqlType);
    } else {
      statement.setObject(index, value, sqlType);
    }
  }
}
