package io.github.loyaltyledger;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * The result of checking a member's stored ledger: the entries' sequence is contiguous, each
 * entry's hash matches its content and chains to the previous one, and the account's running
 * state (entry count, chain tip, balance, lots) agrees with the entries, no entry is undone by
 * its reversals beyond its own points, and no hold is captured or released twice. Checked against an anchor
 * ({@link Loyalty#verify(io.github.loyaltyledger.member.MemberId, ChainTip)}), the chain must also
 * still pass through it.
 *
 * <p>The chain alone proves the entries consistent among themselves and with the account; someone
 * who can write to the database can still remove the newest entries, or rewrite history with every
 * hash recomputed, and adjust the account to match. Keep the {@link #tip()} of an intact
 * verification outside the database and verify against it later to catch that; no anchor catches a
 * forged entry appended after it with the account adjusted to match.
 *
 * @param member the member checked
 * @param entriesChecked how many entries were read
 * @param firstBadSequence the first sequence number at which the ledger is not intact, if any
 * @param problem what is wrong there, if anything
 * @param tip the chain tip that was verified (the newest entry's sequence and hash), if the ledger is
 *     intact; none otherwise
 */
public record Verification(
    MemberId member, long entriesChecked, Option<Long> firstBadSequence, Option<String> problem, Option<ChainTip> tip) {

  /**
   * Validates that no field is null.
   *
   * @param member the member checked
   * @param entriesChecked how many entries were read
   * @param firstBadSequence the first sequence number at which the ledger is not intact, if any
   * @param problem what is wrong there, if anything
   * @param tip the chain tip that was verified, if the ledger is intact
   * @throws NullPointerException if an argument is null
   */
  public Verification {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(firstBadSequence, "firstBadSequence");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(tip, "tip");
  }

  /**
   * A verification without a chain tip, as before the tip was reported.
   *
   * @param member the member checked
   * @param entriesChecked how many entries were read
   * @param firstBadSequence the first sequence number at which the ledger is not intact, if any
   * @param problem what is wrong there, if anything
   * @throws NullPointerException if an argument is null
   */
  public Verification(MemberId member, long entriesChecked, Option<Long> firstBadSequence, Option<String> problem) {
    this(member, entriesChecked, firstBadSequence, problem, Option.none());
  }

  static Verification intact(ChainTip tip) {
    return new Verification(tip.member(), tip.sequence(), Option.none(), Option.none(), Option.some(tip));
  }

  static Verification broken(MemberId member, long checked, long sequence, String problem) {
    return new Verification(member, checked, Option.some(sequence), Option.some(problem), Option.none());
  }

  /** @return true if nothing is wrong */
  public boolean isIntact() {
    return firstBadSequence.isEmpty();
  }
}
