package io.github.loyaltyledger.jpa;

import io.vavr.control.Option;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

  /** Reads one row of a result set into a value. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet row) throws SQLException;
  }

  /**
   * Runs a query with one string parameter (a key) and reads its first row, if there is one.
   *
   * @param connection the connection
   * @param sql the query, with one parameter
   * @param key the parameter
   * @param row reads the row
   * @param <T> the value
   * @return the first row's value, or none
   * @throws SQLException what the driver threw
   */
  static <T> Option<T> first(Connection connection, String sql, String key, Row<T> row) throws SQLException {
    return first(connection, sql, find -> find.setString(1, key), row);
  }

  /**
   * Runs a query and reads its first row, if there is one.
   *
   * @param connection the connection
   * @param sql the query
   * @param parameters binds its parameters
   * @param row reads the row
   * @param <T> the value
   * @return the first row's value, or none
   * @throws SQLException what the driver threw
   */
  static <T> Option<T> first(Connection connection, String sql, Parameters parameters, Row<T> row)
      throws SQLException {
    try (PreparedStatement find = connection.prepareStatement(sql)) {
      parameters.bind(find);
      try (ResultSet rs = find.executeQuery()) {
        return rs.next() ? Option.some(row.read(rs)) : Option.none();
      }
    }
  }

  /** Binds a statement's parameters. */
  @FunctionalInterface
  interface Parameters {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /**
   * Runs a query and reads all its rows, in the order the query gives them.
   *
   * @param connection the connection
   * @param sql the query
   * @param parameters binds its parameters
   * @param row reads a row
   * @param <T> the value of a row
   * @return the rows' values
   * @throws SQLException what the driver threw
   */
  static <T> io.vavr.collection.List<T> all(Connection connection, String sql, Parameters parameters, Row<T> row)
      throws SQLException {
    java.util.List<T> values = new java.util.ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      parameters.bind(select);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          values.add(row.read(rs));
        }
      }
    }
    return io.vavr.collection.List.ofAll(values);
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
