package io.github.loyaltyledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ChannelTest {

  @Nested
  class Parse {

    @Test
    void theTextFormParsesBackToTheChannel() {
      for (Channel channel : new Channel[] {Channel.store("S-12"), Channel.web(), Channel.app(), Channel.partner("p@x"),
          Channel.system()}) {
        assertEquals(channel, Channel.parse(channel.toString()));
      }
    }

    @Test
    void anUnknownTypeIsRefusedAsAnUnknownChannel() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Channel.parse("kiosk:K-1"));
      assertEquals("unknown channel 'kiosk:K-1'", e.getMessage());
    }

    @Test
    void aKnownTypeWithAMalformedLocationIsRefusedForItsLocationNotAsAnUnknownChannel() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Channel.parse("store:S 12"));
      assertEquals("channel location must be up to 64 letters, digits or '._@-', was 'S 12'", e.getMessage());
    }
  }
}
