package io.github.loyaltyledger.ledger;

import io.github.loyaltyledger.member.MemberId;
import java.util.Objects;

/**
 * The identity of a ledger entry: the member it belongs to and its position in that member's
 * ledger (1, 2, 3, … with no gaps).
 *
 * <p>The id is deterministic, so the same request replayed on a fresh store yields the same ids.
 * A {@linkplain Lot lot} is identified by the id of the credit entry that created it.
 *
 * @param member the member whose ledger holds the entry
 * @param sequence the 1-based position in that ledger
 */
public record EntryId(MemberId member, long sequence) implements Comparable<EntryId> {

  /**
   * Validates the id.
   *
   * @param member the member whose ledger holds the entry
   * @param sequence the 1-based position in that ledger
   * @throws NullPointerException if {@code member} is null
   * @throws IllegalArgumentException if {@code sequence} is less than 1
   */
  public EntryId {
    Objects.requireNonNull(member, "member");
    if (sequence < 1) {
      throw new IllegalArgumentException("entry sequence starts at 1, was " + sequence);
    }
  }

  /**
   * Obtains an entry id.
   *
   * @param member the member, not null
   * @param sequence the 1-based sequence number
   * @return the id
   */
  public static EntryId of(MemberId member, long sequence) {
    return new EntryId(member, sequence);
  }

  /**
   * Parses the text form produced by {@link #toString()}, and only that form: each id has one
   * spelling, so {@code parse(id.toString())} equals {@code id} and {@code parse(text).toString()}
   * equals {@code text} for every text accepted.
   *
   * @param text text such as {@code "M-1001#7"}, not null
   * @return the id
   * @throws IllegalArgumentException if the text is not of the form {@code member#sequence}, the
   *     sequence being written in ASCII digits {@code 0-9} without a sign or a leading zero, from 1 to
   *     {@link Long#MAX_VALUE}
   */
  public static EntryId parse(String text) {
    Objects.requireNonNull(text, "text");
    int hash = text.lastIndexOf('#');
    if (hash < 1 || hash == text.length() - 1) {
      throw new IllegalArgumentException("entry id must look like 'member#sequence', was '" + text + "'");
    }
    // Long.parseLong alone would also read "m#05", "m#+5" and other scripts' digits as m#5.
    if (!isCanonicalSequence(text, hash + 1)) {
      throw new IllegalArgumentException("entry id sequence must be a whole number from 1 written in the digits 0-9,"
          + " without a sign or a leading zero, in '" + text + "'");
    }
    long sequence;
    try {
      sequence = Long.parseLong(text, hash + 1, text.length(), 10);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("entry id sequence is more than " + Long.MAX_VALUE + " in '" + text + "'", e);
    }
    return new EntryId(MemberId.of(text.substring(0, hash)), sequence);
  }

  /** Whether {@code text} from {@code start} on is ASCII digits, not starting with a zero. */
  private static boolean isCanonicalSequence(String text, int start) {
    if (text.charAt(start) == '0') {
      return false;
    }
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  @Override
  public int compareTo(EntryId other) {
    int c = member.compareTo(other.member);
    return c != 0 ? c : Long.compare(sequence, other.sequence);
  }

  /** @return {@code member#sequence}, e.g. {@code "M-1001#7"} */
  @Override
  public String toString() {
    return member + "#" + sequence;
  }
}
