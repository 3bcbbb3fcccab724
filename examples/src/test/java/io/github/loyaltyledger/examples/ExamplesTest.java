package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.store.InMemoryLedgerStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ExamplesTest {

  @Test
  void theReadmeQuickStartRedeemsAndShowsTheRemainingPoints() {
    assertEquals("Redeemed. Points left: 20",
        QuickStart.run(Clock.fixed(Instant.parse("2026-01-05T08:00:00Z"), ZoneOffset.UTC)));
  }

  @Test
  void theCoffeeShopSimulationEndsWithVerifiedStatementsAndTheExpectedBalances() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new CoffeeShop(new PrintStream(bytes, true, StandardCharsets.UTF_8), new InMemoryLedgerStore()).run();
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(out.contains("Statement for M-1003"), out);
    assertTrue(out.contains("available 70, pending 0, held 0; chain verified"), out);
    assertTrue(out.contains("refused: Entry 'M-1001#4' was already reversed by 'M-1001#6'"), out);
    assertTrue(out.contains("same receipt, nothing written"), out);
    assertFalse(out.contains("BROKEN"), out);
  }
}
