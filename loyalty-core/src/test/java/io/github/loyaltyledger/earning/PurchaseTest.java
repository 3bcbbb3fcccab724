package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.member.MemberId;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The requests a till or app sends to earn: purchases, their lines, and custom events. */
class PurchaseTest {

  static final MemberId ADA = MemberId.of("ada");
  static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

  @Nested
  class Events {

    @Test
    void anEventTypeThatDoesNotStartWithALetterOrDigitIsRefusedSayingSo() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> CustomEvent.of(ADA, key("e-1"), ".survey", AT, Channel.app()));
      assertEquals("event type must be 1 to 60 of a-z, 0-9, '._-', starting with a letter or digit, was '.survey'",
          e.getMessage());
      assertEquals("x", CustomEvent.of(ADA, key("e-2"), "x", AT, Channel.app()).type());
    }
  }
}
