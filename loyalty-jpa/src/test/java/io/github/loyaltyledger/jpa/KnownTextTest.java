package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link KnownText} gives what the codec gives, computing it only when the slot cannot answer. */
class KnownTextTest {

  private final AtomicInteger decoded = new AtomicInteger();
  private final AtomicInteger encoded = new AtomicInteger();
  private final Function<String, String> decoder = text -> {
    decoded.incrementAndGet();
    return new String(text.substring(1));
  };
  private final Function<String, String> encoder = value -> {
    encoded.incrementAndGet();
    return "#" + value;
  };

  @Test
  void readsTheValueItWroteWithoutDecoding() {
    KnownText<String> known = new KnownText<>();
    String value = "due";
    String text = known.encode("m-1", value, encoder);
    assertEquals("#due", text);
    assertSame(value, known.decode("m-1", new String(text), decoder));
    assertEquals(0, decoded.get());
  }

  @Test
  void writesAnEqualValueAsTheKnownTextWithoutEncoding() {
    KnownText<String> known = new KnownText<>();
    String first = known.encode("m-1", "due", encoder);
    assertSame(first, known.encode("m-1", new String("due"), encoder));
    assertEquals(1, encoded.get());
  }

  @Test
  void decodesAndEncodesWhatTheSlotDoesNotHold() {
    KnownText<String> known = new KnownText<>();
    known.encode("m-1", "due", encoder);
    assertEquals("other", known.decode("m-1", "#other", decoder), "another node's text");
    assertEquals("#due", known.encode("m-2", "due", encoder), "another member's value");
    assertEquals("due", known.decode("m-3", "#due", decoder), "another member's text");
    assertEquals(2, decoded.get());
    assertEquals(2, encoded.get());
  }

  @Test
  void keepsNoTextLongerThanTheLimit() {
    KnownText<String> known = new KnownText<>();
    String value = "x".repeat(KnownText.LONGEST);
    String text = known.encode("m-1", value, encoder);
    assertEquals(value, known.decode("m-1", text, decoder));
    assertEquals(1, decoded.get());
  }
}
