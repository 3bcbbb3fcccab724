package io.github.loyaltyledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ChannelTest {

  @Nested
  class Construction {

    @Test
    void aStoreOrPartnerWithoutItsIdIsRefusedSinceTheIdIsWhatTellsThemApart() {
      IllegalArgumentException store = assertThrows(IllegalArgumentException.class, () -> Channel.store(""));
      assertEquals("a store channel needs its store id", store.getMessage());
      IllegalArgumentException partner = assertThrows(IllegalArgumentException.class, () -> Channel.partner(""));
      assertEquals("a partner channel needs its partner id", partner.getMessage());
    }

    @Test
    void aWebAppOrSystemChannelWithALocationIsRefusedSinceTheTypeHasNone() {
      for (Channel.Type type : new Channel.Type[] {Channel.Type.WEB, Channel.Type.APP, Channel.Type.SYSTEM}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Channel(type, "x"));
        assertEquals("a " + type.name().toLowerCase(java.util.Locale.ROOT) + " channel has no location, was given 'x'",
            e.getMessage());
      }
    }
  }

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
    void theTextOfAStoreWithoutAnIdOrAWebChannelWithALocationRecordedBeforeTheyWereRefusedStillParsesToItself() {
      // Entries recorded then keep their channel's text in their hash: reading them must give it back.
      for (String text : new String[] {"store", "partner", "web:x", "app:A-1", "system:job"}) {
        Channel old = Channel.parse(text);
        assertEquals(text, old.toString());
        assertEquals(old, Channel.parse(text));
        assertEquals(old.hashCode(), Channel.parse(text).hashCode());
      }
      assertEquals(Channel.Type.WEB, Channel.parse("web:x").type());
      assertEquals("x", Channel.parse("web:x").location());
      assertNotEquals(Channel.web(), Channel.parse("web:x"));
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
