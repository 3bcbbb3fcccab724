package io.github.loyaltyledger.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The bulk import's inserts into one table: a one-row {@code INSERT … VALUES (…)} repeated as
 * {@value #ROWS} row tuples per statement, prepared once, the statements sent in JDBC batches, and
 * what is left at the end in one shorter statement. On H2 a statement of many rows costs less per
 * row than as many executions of a one-row statement (the statement's set-up is paid once).
 *
 * @param <T> the value a row is bound from
 */
final class RowBatch<T> implements AutoCloseable {

  /** Rows per statement. */
  static final int ROWS = 20;

  /** Statements per JDBC batch (5,000 rows). */
  private static final int STATEMENTS = 250;

  /** Binds one row's parameters after {@code offset} parameters of earlier rows of the statement. */
  @FunctionalInterface
  interface Binder<T> {
    void bind(PreparedStatement insert, int offset, T row) throws SQLException;
  }

  private final Connection connection;
  private final String prefix;
  private final String tuple;
  private final int columns;
  private final Binder<T> binder;
  private final PreparedStatement full;
  private final List<T> pending = new ArrayList<>(ROWS);
  private int statements;
  private long rows;

  /**
   * Prepares the statement of {@value #ROWS} rows.
   *
   * @param oneRow the insert of one row, ending in {@code VALUES (?, …)}
   */
  RowBatch(Connection connection, String oneRow, Binder<T> binder) throws SQLException {
    int values = oneRow.lastIndexOf("VALUES") + "VALUES".length();
    this.connection = connection;
    this.prefix = oneRow.substring(0, values) + " ";
    this.tuple = oneRow.substring(values).trim();
    this.columns = (int) tuple.chars().filter(c -> c == '?').count();
    this.binder = binder;
    this.full = connection.prepareStatement(sql(ROWS));
  }

  private String sql(int count) {
    return prefix + String.join(", ", Collections.nCopies(count, tuple));
  }

  /** Adds a row, sending a batch of statements when it is full. */
  void add(T row) throws SQLException {
    pending.add(row);
    rows++;
    if (pending.size() == ROWS) {
      bind(full);
      full.addBatch();
      if (++statements % STATEMENTS == 0) {
        full.executeBatch();
      }
    }
  }

  /** The rows added so far. */
  long rows() {
    return rows;
  }

  private void bind(PreparedStatement insert) throws SQLException {
    for (int i = 0; i < pending.size(); i++) {
      binder.bind(insert, i * columns, pending.get(i));
    }
    pending.clear();
  }

  /** Sends what is batched and inserts the rows that do not fill a statement. */
  void flush() throws SQLException {
    full.executeBatch();
    if (!pending.isEmpty()) {
      try (PreparedStatement rest = connection.prepareStatement(sql(pending.size()))) {
        bind(rest);
        rest.executeUpdate();
      }
    }
  }

  @Override
  public void close() throws SQLException {
    full.close();
  }
}
