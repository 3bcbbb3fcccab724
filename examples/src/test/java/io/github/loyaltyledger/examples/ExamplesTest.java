package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExamplesTest {

  @Test
  void theReadmeQuickStartRedeemsAndShowsTheRemainingPoints() {
    assertEquals("Redeemed. Points left: 20",
        QuickStart.run(Clock.fixed(Instant.parse("2026-01-05T08:00:00Z"), ZoneOffset.UTC)));
  }

  @Test
  void theCoffeeShopSimulationEndsWithVerifiedStatementsAndTheExpectedBalances() {
    assertTheStoryEndsWell(new InMemoryLedgerStore());
  }

  @Test
  void theCoffeeShopSimulationTellsTheSameStoryOnItsDefaultStoreH2InAFile(@TempDir Path folder) {
    try (JpaLedgerStore store = JpaLedgerStore.h2File(folder.resolve("bean-club"))) {
      assertTheStoryEndsWell(store);
    }
  }

  private static void assertTheStoryEndsWell(LedgerStore store) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new CoffeeShop(new PrintStream(bytes, true, StandardCharsets.UTF_8), store).run();
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(out.contains("Statement for M-1003"), out);
    assertTrue(out.contains("available 70, pending 0, held 0; chain verified"), out);
    assertTrue(out.contains("refused: Entry 'M-1001#4' was already reversed by 'M-1001#6'"), out);
    assertTrue(out.contains("same receipt, nothing written"), out);
    assertFalse(out.contains("BROKEN"), out);
  }
}
