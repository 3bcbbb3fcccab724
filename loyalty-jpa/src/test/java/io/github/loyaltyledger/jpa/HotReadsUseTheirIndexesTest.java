package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL, the reads that every request makes find their rows through the tables' primary
 * keys, whatever the tables hold: with sequential scans made as costly as PostgreSQL allows, their
 * plans scan no table. A plan that still scans one has no index to use, and on a program of a
 * million members would read the whole table on every request.
 */
class HotReadsUseTheirIndexesTest {

  /** The account's read with its due-work row as it was: joined on the account's "C"-collated key. */
  private static final String JOINED_ON_THE_ACCOUNTS_KEY = "SELECT " + AccountRow.WITH_DUE_WORK_COLUMNS
      + " FROM ledger_account a LEFT JOIN ledger_due_work d ON d.member_id = a.member_id WHERE a.member_id = ?";

  private static TestDatabase database;

  @BeforeAll
  static void migrate() {
    database = TestDatabase.emptyPostgresql();
  }

  /** The plan of the statement with every parameter bound to {@code value}, sequential scans discouraged. */
  private static String plan(String sql, int parameters, String value) throws SQLException {
    try (Connection connection = database.connect()) {
      try (Statement set = connection.createStatement()) {
        set.execute("SET enable_seqscan = off");
      }
      try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
        for (int i = 1; i <= parameters; i++) {
          explain.setString(i, value);
        }
        StringBuilder plan = new StringBuilder();
        try (ResultSet rows = explain.executeQuery()) {
          while (rows.next()) {
            plan.append(rows.getString(1)).append('\n');
          }
        }
        return plan.toString();
      }
    }
  }

  @Test
  void theRequestsReadAheadScansNoTable() throws SQLException {
    String plan = plan(JpaLedgerStore.KEY_AND_ACCOUNT, 3, "m-1");
    assertFalse(plan.contains("Seq Scan"), plan);
    assertTrue(plan.contains("ledger_due_work_pk"), plan);
  }

  @Test
  void theAccountsReadWithItsDueWorkScansNoTable() throws SQLException {
    String plan = plan(AccountRow.FIND_WITH_DUE_WORK, 2, "m-1");
    assertFalse(plan.contains("Seq Scan"), plan);
    assertTrue(plan.contains("ledger_due_work_pk"), plan);
  }

  @Test
  void aJoinOnTheAccountsKeyWouldScanTheDueWorkTable() throws SQLException {
    String plan = plan(JOINED_ON_THE_ACCOUNTS_KEY, 1, "m-1");
    assertTrue(plan.contains("Seq Scan on ledger_due_work"), plan);
  }
}
