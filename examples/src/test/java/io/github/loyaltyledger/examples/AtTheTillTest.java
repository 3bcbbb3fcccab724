package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vavr.collection.List;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AtTheTillTest {

  @Test
  void theReadmeRedemptionWalkThroughShowsRewardsPaymentAndTheBalanceAfterAPartialCapture() {
    List<String> shown = AtTheTill.run(Clock.fixed(Instant.parse("2026-01-05T08:00:00Z"), ZoneOffset.UTC));

    assertEquals(List.of(
        "Free coffee: available",
        "Gift card: offered on APP, STORE, not on WEB",
        "Pay with points: available",
        "Voucher issued: true",
        "Paid EUR 2.00 for 200 points",
        "Balance: Balance[available=550, pending=0, held=0]"), shown);
  }
}
