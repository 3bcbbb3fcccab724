package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.member.MemberId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoffeeShopTest {

  @TempDir
  Path folder;

  @Test
  void compactingTheEmbeddedDatabaseAfterTheYearShrinksTheFileAndKeepsEveryEntry() throws Exception {
    Path file = folder.resolve("bean-club");
    ProgrammeReport report;
    try (JpaLedgerStore store = CoffeeShop.embedded(file)) {
      report = new YearSimulation(YearSimulationTest.SMALL, store, ProgressBar.silent()).run();
    }
    Path data = folder.resolve("bean-club.mv.db");
    long written = Files.size(data);
    List<String> entries = entries(file);
    assertFalse(entries.isEmpty());

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    CoffeeShop.compact(file, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertTrue(Files.size(data) < written, "compacted " + written + " bytes to " + Files.size(data));
    assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith("Database: " + data + ", compacted from "),
        printed.toString(StandardCharsets.UTF_8));
    assertEquals(entries, entries(file));
    // Compacted to its live data: H2's own full compaction, run again, finds (almost) nothing left to
    // reclaim. (Closing a database compacts for a moment too, so a smaller file alone would not tell.)
    long compacted = Files.size(data);
    try (Connection connection = DriverManager.getConnection(JpaLedgerStore.h2FileUrl(file), "sa", "");
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN COMPACT");
    }
    assertTrue(Files.size(data) > compacted * 0.9, "compacted to " + compacted + " bytes, H2 then to " + Files.size(data));
    // The store opens the compacted file again, and every member's chain still verifies.
    List<String> members = entries.stream().map(row -> row.substring(0, row.indexOf('/'))).distinct().toList();
    try (JpaLedgerStore store = JpaLedgerStore.h2File(file)) {
      Loyalty loyalty = Loyalty.builder().program(BeanClub.program()).store(store)
          .clock(Clock.fixed(report.asOf(), ZoneOffset.UTC)).build();
      assertEquals(members.size(), members.stream().filter(m -> loyalty.verify(MemberId.of(m)).get().isIntact()).count());
    }
  }

  /** Every entry's member, sequence, points and hash, in order. */
  private static List<String> entries(Path file) throws SQLException, IOException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(JpaLedgerStore.h2FileUrl(file), "sa", "");
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT member_id, sequence_number, points, hash FROM ledger_entry ORDER BY member_id, sequence_number")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3) + "/" + HexFormat.of().formatHex(rs.getBytes(4)));
      }
    }
    return rows;
  }
}
