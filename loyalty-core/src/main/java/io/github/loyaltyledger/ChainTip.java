package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.member.MemberId;
import java.util.Objects;

/**
 * A point that a member's hash chain passed through: the sequence number of one of the member's
 * entries and that entry's hash. {@link Verification#tip()} gives the tip of a chain it found intact;
 * an auditor keeps it outside the database (its text form, {@link #toString()}, is made for that)
 * and later calls {@link Loyalty#verify(MemberId, ChainTip)}, which reports the chain as not intact
 * unless the stored entry at that sequence still has that hash. So the anchor catches what the
 * chain alone cannot: newest entries removed, or history rewritten with every hash recomputed and
 * the account row adjusted to match. It cannot tell a forged entry appended after it, with the
 * account row adjusted to match, from a real one: those are checked against the business's own
 * records (see docs/adr/0002-hash-chain.md).
 *
 * <p>The tip of a member without entries is sequence 0 with {@link Entry#GENESIS_HASH}.
 *
 * @param member the member whose chain it is
 * @param sequence the entry's sequence number, 0 before the first entry
 * @param hash the entry's hash, 64 lower-case hexadecimal digits
 */
public record ChainTip(MemberId member, long sequence, String hash) {

  /**
   * Validates the tip.
   *
   * @param member the member whose chain it is, not null
   * @param sequence the entry's sequence number, 0 or more
   * @param hash the entry's hash, 64 lower-case hexadecimal digits, not null
   * @throws NullPointerException if {@code member} or {@code hash} is null
   * @throws IllegalArgumentException if {@code sequence} is negative, {@code hash} is not 64
   *     lower-case hexadecimal digits, or the tip at sequence 0 has another hash than
   *     {@link Entry#GENESIS_HASH}
   */
  public ChainTip {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(hash, "hash");
    if (sequence < 0) {
      throw new IllegalArgumentException("a chain tip's sequence must be 0 or more, was " + sequence);
    }
    if (!isHash(hash)) {
      throw new IllegalArgumentException(
          "a chain tip's hash must be 64 lower-case hexadecimal digits (an entry's hash), was '" + hash + "'");
    }
    if (sequence == 0 && !hash.equals(Entry.GENESIS_HASH)) {
      throw new IllegalArgumentException("the chain tip before the first entry (sequence 0) has the hash of 64 zeros, was '"
          + hash + "'");
    }
  }

  /**
   * Obtains a chain tip.
   *
   * @param member the member whose chain it is, not null
   * @param sequence the entry's sequence number, 0 or more
   * @param hash the entry's hash, 64 lower-case hexadecimal digits, not null
   * @return the tip
   * @throws NullPointerException if {@code member} or {@code hash} is null
   * @throws IllegalArgumentException as {@link #ChainTip(MemberId, long, String) the constructor} does
   */
  public static ChainTip of(MemberId member, long sequence, String hash) {
    return new ChainTip(member, sequence, hash);
  }

  /**
   * Reads a chain tip from its text form, {@code member#sequence:hash}, as {@link #toString()}
   * writes it.
   *
   * @param text the text, not null
   * @return the tip
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException if the text is not a member id, {@code #}, a sequence number,
   *     {@code :} and a hash, or those do not make a valid tip
   */
  public static ChainTip parse(CharSequence text) {
    Objects.requireNonNull(text, "text");
    String s = text.toString();
    // A member id may hold ':' but never '#', and a hash holds neither: split at the last of each.
    int colon = s.lastIndexOf(':');
    int sharp = colon < 0 ? -1 : s.lastIndexOf('#', colon);
    if (sharp <= 0 || colon - sharp < 2 || !isDigits(s, sharp + 1, colon) || colon - sharp > 19) {
      throw new IllegalArgumentException("a chain tip is written member#sequence:hash (as ChainTip.toString writes it), was '"
          + s + "'");
    }
    return new ChainTip(MemberId.of(s.substring(0, sharp)), Long.parseLong(s, sharp + 1, colon, 10), s.substring(colon + 1));
  }

  /** @return the text form {@code member#sequence:hash}, which {@link #parse} reads back */
  @Override
  public String toString() {
    return member.value() + "#" + sequence + ":" + hash;
  }

  private static boolean isHash(String hash) {
    if (hash.length() != 64) {
      return false;
    }
    for (int i = 0; i < hash.length(); i++) {
      char c = hash.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
