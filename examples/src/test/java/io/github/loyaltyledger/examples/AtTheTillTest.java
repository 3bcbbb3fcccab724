package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vavr.collection.List;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  @Test
  void theReadmeShowsTheCashiersScreenOfTheCheckout() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    Matcher block = Pattern.compile("\\(`AtTheTill\\.checkout`\\).*?the cashier's screen shows.*?```\n(.*?)```",
        Pattern.DOTALL).matcher(readme);
    assertTrue(block.find(), "the README's checkout screen not found");

    assertEquals(List.ofAll(block.group(1).lines()), checkout());
  }

  @Test
  void aBeanClubCheckoutShowsTheQuoteThePaymentHoldTheCaptureTheEarningAndThePartialReturnOnTheCashiersScreen() {
    List<String> screen = checkout();
    assertEquals(List.of(
        "2 x FLAT-WHITE       EUR 7.80",
        "1 x CHEESECAKE       EUR 4.20",
        "1 x BEANS-250        EUR 7.90",
        "Total               EUR 19.90",
        "Bean Club M-1001 (green): earns 199 points, has 640",
        "  Green: 10 points per euro: 199",
        "Points held: 500 for EUR 5.00; card to pay EUR 14.90",
        "Paid EUR 5.00 with 500 points; earned 149 points; balance 289",
        "Returned 1 x BEANS-250: -59 points earned; balance 230",
        "Points tender back: EUR 1.98 as 198 points; card refund EUR 5.92; balance 428"), screen);
  }

  private static List<String> checkout() {
    return AtTheTill.checkout(Clock.fixed(BeanClubTest.berlin("2026-03-03T10:00"), ZoneOffset.UTC));
  }
}
