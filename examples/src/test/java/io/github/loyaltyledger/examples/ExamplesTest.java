package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
