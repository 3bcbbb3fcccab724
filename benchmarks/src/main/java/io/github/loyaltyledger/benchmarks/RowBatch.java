package io.github.loyaltyledger.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The baseline's multi-row insert, as the store's bulk import issues it: a one-row {@code INSERT …
 * VALUES (…)} repeated as {@value #ROWS} row tuples per statement, statements sent in JDBC batches,
 * the rest in one shorter statement at the end.
 *
 * @param <T> the value a row is bound from
 */
final class RowBatch<T> implements AutoCloseable {

  /** Rows per statement, as in the store's bulk import. */
  static final int ROWS = 20;

  /** Statements per JDBC batch. */
  private static final int STATEMENTS = 250;

  /** Binds one row's parameters after {@code offset} parameters of earlier rows. */
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
  private final List<T> pending = new ArrayList<>();
  private int statements;

  RowBatch(Connection connection, String oneRow, Binder<T> binder) throws SQLException {
    this.connection = connection;
    int values = oneRow.lastIndexOf("VALUES") + "VALUES".length();
    this.prefix = oneRow.substring(0, values) + " ";
    this.tuple = oneRow.substring(values).trim();
    this.columns = (int) tuple.chars().filter(c -> c == '?').count();
    this.binder = binder;
    this.full = connection.prepareStatement(sql(ROWS));
  }

  private String sql(int rows) {
    return prefix + String.join(", ", Collections.nCopies(rows, tuple));
  }

  void add(T row) throws SQLException {
    pending.add(row);
    if (pending.size() == ROWS) {
      bind(full);
      full.addBatch();
      if (++statements % STATEMENTS == 0) {
        full.executeBatch();
      }
    }
  }

  private void bind(PreparedStatement insert) throws SQLException {
    for (int i = 0; i < pending.size(); i++) {
      binder.bind(insert, i * columns, pending.get(i));
    }
    pending.clear();
  }

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
