package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two durabilities of embedded H2 in a file: what H2 is told, and what a closed store keeps. */
class H2DurabilityTest {

  @TempDir
  Path folder;

  @Test
  void theDefaultFileStoreWritesEveryCommitBeforeAcknowledgingIt() throws SQLException {
    Path file = folder.resolve("durable");
    assertEquals(JpaLedgerStore.h2FileUrl(file, H2Durability.EVERY_COMMIT), JpaLedgerStore.h2FileUrl(file));
    assertEquals("0", writeDelay(JpaLedgerStore.h2FileUrl(file)));
  }

  @Test
  void aDelayedFileStoreLeavesTheWriteToH2sBackgroundWriter() throws SQLException {
    String url = JpaLedgerStore.h2FileUrl(folder.resolve("delayed"), H2Durability.DELAYED);
    assertEquals("500", writeDelay(url));
    assertTrue(url.endsWith(";QUERY_CACHE_SIZE=64"), url);
  }

  @Test
  void aDelayedStoreHasWrittenEveryCommitOnceItIsClosed() {
    Path file = folder.resolve("ledger");
    MemberId alice = member("alice");
    TestClock clock = TestClock.at(Fixtures.START);
    try (JpaLedgerStore store = JpaLedgerStore.h2File(file, H2Durability.DELAYED)) {
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
      Fixtures.enrolled(loyalty, alice);
      for (int i = 1; i <= 30; i++) {
        accepted(loyalty.credit(Credit.of(alice, points(i), "Coffee", aKey())));
      }
    }
    try (JpaLedgerStore store = JpaLedgerStore.h2File(file)) {
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
      assertEquals(Points.of(30 * 31 / 2), store.account(alice).get().balance().available());
      assertEquals(30, store.account(alice).get().lastSequence());
      assertTrue(accepted(loyalty.verify(alice)).isIntact());
    }
  }

  @Test
  void aMissingFileOrDurabilityIsRefusedByName() {
    NullPointerException noFile =
        assertThrows(NullPointerException.class, () -> JpaLedgerStore.h2FileUrl(null, H2Durability.DELAYED));
    assertEquals("file", noFile.getMessage());
    NullPointerException noDurability =
        assertThrows(NullPointerException.class, () -> JpaLedgerStore.h2File(folder.resolve("x"), (H2Durability) null));
    assertEquals("durability", noDurability.getMessage());
  }

  @Test
  void aFileWhosePathHoldsASemicolonIsRefusedByNameInsteadOfBeingReadAsH2Settings() {
    // H2 would open the file "ledger" with the setting after the ';'.
    Path file = folder.resolve("ledger;CACHE_SIZE=1024");
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> JpaLedgerStore.h2FileUrl(file, H2Durability.EVERY_COMMIT));
    assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JpaLedgerStore.h2File(file));
    assertEquals(java.util.List.of(), java.util.List.of(folder.toFile().list()), "nothing was created");
  }

  @Test
  void aFileNamedWithH2sOwnSuffixIsRefusedInsteadOfOpeningAnEmptyLedgerBesideTheRealOne() {
    Path file = folder.resolve("ledger");
    MemberId alice = member("alice");
    TestClock clock = TestClock.at(Fixtures.START);
    try (JpaLedgerStore store = JpaLedgerStore.h2File(file)) {
      Fixtures.enrolled(Fixtures.aLoyalty(store, clock, Fixtures.aProgram()), alice);
    }
    // The name the folder shows: H2 would open ledger.mv.db.mv.db, an empty ledger without alice.
    Path shown = folder.resolve("ledger.mv.db");

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> JpaLedgerStore.h2File(shown));

    assertTrue(refused.getMessage().contains("without H2's .mv.db suffix"), refused.getMessage());
    assertTrue(refused.getMessage().contains(file.toAbsolutePath().toString()), refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JpaLedgerStore.h2FileUrl(shown, H2Durability.DELAYED));
    assertEquals(java.util.List.of("ledger.mv.db"), java.util.List.of(folder.toFile().list()), "nothing was created");
  }

  /** What the database reports as its write delay, in milliseconds, on a connection of {@code url}. */
  private static String writeDelay(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement();
        ResultSet row = s.executeQuery(
            "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      assertTrue(row.next(), "H2 reports no WRITE_DELAY setting");
      return row.getString(1);
    }
  }
}
