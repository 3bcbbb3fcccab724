package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.ledger.Lot;
import io.vavr.collection.Seq;
import io.vavr.collection.Vector;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The lots column of the accounts this store read or wrote last, per member (a fixed number of
 * slots, chosen by the member id's hash; a member replaces whatever the slot held): the stored
 * text and the lots it encodes. On every request the facade reads the account and the commit
 * writes it back with one lot more or changed; decoding and encoding all the lots each time was
 * the largest item of the store's own CPU on PostgreSQL.
 *
 * <ul>
 *   <li>{@link #decode}: if the row's text equals the slot's text (this node wrote or read it
 *       last), the slot's lots are returned, else the text is decoded. Decoding is a pure function
 *       of the text, so an equal text gives equal lots; lots are immutable and safe to share.
 *   <li>{@link #encode}: each lot that is the very object (identity, not equality) of a lot in the
 *       slot, at or just after the position of the previous one found, takes its text from the
 *       slot's text; the others are encoded. Encoding is a pure function of the lot, so the text
 *       is the same as encoding every lot.
 * </ul>
 *
 * <p>What is kept never decides anything but which of two equal results is computed: a stale or
 * foreign slot (another member, another node's write) only costs a full decode or encode. Texts
 * longer than {@link KnownText#LONGEST} (about fifty lots) characters are not kept, which bounds the memory to about
 * {@link KnownText#SLOTS} times that text and its lots.
 */
final class KnownLots {

  /** How far past the previous match a lot is looked for in the slot (a lot spent and dropped). */
  private static final int LOOK_AHEAD = 3;

  /** A member's lots and their text, where {@code ends[i]} is the end of lot {@code i}'s record. */
  private record Known(String member, String text, Vector<Lot> lots, Lot[] array, int[] ends) {}

  private final AtomicReferenceArray<Known> slots = new AtomicReferenceArray<>(KnownText.SLOTS);

  /** Encodes one lot's record (with its terminator) onto the text. */
  @FunctionalInterface
  interface Encoder {
    void encode(Lot lot, StringBuilder text);
  }

  /**
   * The lots that {@code text} encodes.
   *
   * @param member the account's member id
   * @param text the stored lots column
   * @param decoder decodes a text that is not the slot's
   * @return the lots
   */
  Vector<Lot> decode(String member, String text, Function<String, Vector<Lot>> decoder) {
    Known known = slots.get(KnownText.slot(member));
    if (known != null && known.member.equals(member) && known.text.equals(text)) {
      return known.lots;
    }
    Vector<Lot> lots = decoder.apply(text);
    if (text.length() <= KnownText.LONGEST) {
      remember(member, text, lots, lots.toJavaArray(Lot[]::new), null);
    }
    return lots;
  }

  /**
   * The text of {@code lots}, the same as encoding each lot in order with {@code encoder}.
   *
   * @param member the account's member id
   * @param lots the account's lots
   * @param encoder encodes a lot the slot does not hold
   * @return the text
   */
  String encode(String member, Seq<Lot> lots, Encoder encoder) {
    Known known = slots.get(KnownText.slot(member));
    boolean useful = known != null && known.member.equals(member);
    StringBuilder text = new StringBuilder(useful ? known.text.length() + 64 : 64 * lots.size());
    int[] ends = new int[lots.size()];
    Lot[] array = new Lot[ends.length];
    int next = 0;
    int i = 0;
    for (Lot lot : lots) {
      array[i] = lot;
      int found = useful ? find(known.array, next, lot) : -1;
      if (found >= 0) {
        text.append(known.text, found == 0 ? 0 : known.ends[found - 1], known.ends[found]);
        next = found + 1;
      } else {
        encoder.encode(lot, text);
      }
      ends[i++] = text.length();
    }
    String encoded = text.toString();
    if (encoded.length() <= KnownText.LONGEST) {
      remember(member, encoded, Vector.ofAll(lots), array, ends);
    }
    return encoded;
  }

  /** The position of {@code lot} itself in {@code array} from {@code from} on (a few places), or -1. */
  private static int find(Lot[] array, int from, Lot lot) {
    for (int j = from; j < array.length && j < from + LOOK_AHEAD; j++) {
      if (array[j] == lot) {
        return j;
      }
    }
    return -1;
  }

  /** Keeps a text of at most {@link KnownText#LONGEST} characters (the callers check) and its lots. */
  private void remember(String member, String text, Vector<Lot> lots, Lot[] array, int[] ends) {
    int[] known = ends;
    if (known == null) {
      known = new int[array.length];
      int end = 0;
      for (int i = 0; i < array.length; i++) {
        end = text.indexOf(';', end) + 1;
        known[i] = end;
      }
    }
    slots.set(KnownText.slot(member), new Known(member, text, lots, array, known));
  }
}
