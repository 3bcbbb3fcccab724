package io.github.loyaltyledger.jpa;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The text column of the rows this store read or wrote last, per member, with the value it encodes
 * (a fixed number of slots, chosen by the member id's hash; a member replaces whatever its slot
 * held). The commit reads a member's due-work row and writes it back on every request; when the
 * row's text is the one this store wrote, the value it wrote is taken instead of decoding the
 * text, and a value equal to the one known is written as the known text instead of encoding it.
 *
 * <p>Both codecs are pure functions (an equal text decodes to an equal value, an equal value
 * encodes to the same text) and the values are immutable, so what is kept only decides which of
 * two equal results is computed; a stale or foreign slot costs a decode or an encode. Texts longer
 * than {@link #LONGEST} characters are not kept.
 *
 * @param <T> the value, immutable, with value equality
 */
final class KnownText<T> {

  /**
   * The number of slots: a few thousand members active at once each keep theirs (with 1,024, half
   * of 800 active members shared a slot with another and kept evicting it).
   */
  static final int SLOTS = 4096;

  /**
   * The longest text kept; with the slots, it bounds what is kept to about 4,096 × 2,048
   * characters and the values they encode (tens of megabytes at most, a few for members with a few
   * lots).
   */
  static final int LONGEST = 2048;

  private record Known<T>(String member, String text, T value) {}

  private final AtomicReferenceArray<Known<T>> slots = new AtomicReferenceArray<>(SLOTS);

  static int slot(String member) {
    int h = member.hashCode();
    return (h ^ (h >>> 16)) & (SLOTS - 1);
  }

  /** The value of {@code text}: the known one if the member's slot holds this text, else decoded. */
  T decode(String member, String text, Function<String, T> decoder) {
    Known<T> known = known(member);
    if (known != null && known.text.equals(text)) {
      return known.value;
    }
    return remember(member, text, decoder.apply(text)).value;
  }

  /** The text of {@code value}: the known one if the member's slot holds an equal value, else encoded. */
  String encode(String member, T value, Function<T, String> encoder) {
    Known<T> known = known(member);
    if (known != null && known.value.equals(value)) {
      return known.text;
    }
    return remember(member, encoder.apply(value), value).text;
  }

  /** The member's slot if it holds the member's text, else null. */
  private Known<T> known(String member) {
    Known<T> known = slots.get(slot(member));
    return known != null && known.member.equals(member) ? known : null;
  }

  private Known<T> remember(String member, String text, T value) {
    Known<T> known = new Known<>(member, text, value);
    if (text.length() <= LONGEST) {
      slots.set(slot(member), known);
    }
    return known;
  }
}
