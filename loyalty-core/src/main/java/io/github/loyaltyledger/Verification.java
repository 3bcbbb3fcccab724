package io.github.loyaltyledger;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * The result of checking a member's stored ledger: the entries' sequence is contiguous, each
 * entry's hash matches its content and chains to the previous one, and the account's running
 * state (entry count, chain tip, total) agrees with the entries.
 *
 * @param member the member checked
 * @param entriesChecked how many entries were read
 * @param firstBadSequence the first sequence number at which the ledger is not intact, if any
 * @param problem what is wrong there, if anything
 */
public record Verification(
    MemberId member, long entriesChecked, Option<Long> firstBadSequence, Option<String> problem) {

  /**
   * Validates that no field is null.
   *
   * @param member the member checked
   * @param entriesChecked how many entries were read
   * @param firstBadSequence the first sequence number at which the ledger is not intact, if any
   * @param problem what is wrong there, if anything
   * @throws NullPointerException if an argument is null
   */
  public Verification {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(firstBadSequence, "firstBadSequence");
    Objects.requireNonNull(problem, "problem");
  }

  static Verification intact(MemberId member, long checked) {
    return new Verification(member, checked, Option.none(), Option.none());
  }

  static Verification broken(MemberId member, long checked, long sequence, String problem) {
    return new Verification(member, checked, Option.some(sequence), Option.some(problem));
  }

  /** @return true if nothing is wrong */
  public boolean isIntact() {
    return firstBadSequence.isEmpty();
  }
}
