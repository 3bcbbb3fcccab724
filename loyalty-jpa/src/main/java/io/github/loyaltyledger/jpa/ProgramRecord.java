package io.github.loyaltyledger.jpa;

import io.vavr.control.Option;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The one row of {@code ledger_program} (schema version 7): the id of the program whose ledger the
 * database keeps ({@link JpaLedgerStore#claimProgram}).
 */
final class ProgramRecord {

  private ProgramRecord() {}

  /**
   * Claims the database for a program, in the caller's transaction: renames the program kept from
   * {@code renamedFrom}, if given, writes {@code program} if none is kept, and reads the one kept.
   * On PostgreSQL, of two transactions writing the first row at once the second waits for the first
   * and then writes nothing ({@code ON CONFLICT DO NOTHING}); its read, a statement of its own under
   * READ COMMITTED, sees the first one's row. H2's writers take turns ({@link WriteLock}).
   *
   * @return the id of the program the database keeps after the claim
   */
  static String claim(Connection connection, String program, Option<String> renamedFrom, boolean onPostgresql)
      throws SQLException {
    if (renamedFrom.isDefined()) {
      try (PreparedStatement rename = connection.prepareStatement(
          "UPDATE ledger_program SET program_id = ? WHERE slot = 1 AND program_id = ?")) {
        rename.setString(1, program);
        rename.setString(2, renamedFrom.get());
        rename.executeUpdate();
      }
    }
    try (PreparedStatement adopt = connection.prepareStatement("INSERT INTO ledger_program (slot, program_id)"
        + " SELECT 1, CAST(? AS VARCHAR(40)) WHERE NOT EXISTS (SELECT 1 FROM ledger_program)"
        + (onPostgresql ? " ON CONFLICT (slot) DO NOTHING" : ""))) {
      adopt.setString(1, program);
      adopt.executeUpdate();
    }
    return read(connection).getOrElseThrow(() -> new SQLException("ledger_program kept no row after a claim"));
  }

  /** @return the id of the program the database keeps, if it keeps one yet */
  static Option<String> read(Connection connection) throws SQLException {
    return SqlWork.first(connection, "SELECT program_id FROM ledger_program WHERE slot = 1", none -> { },
        row -> row.getString(1));
  }
}
