package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.io.Serial;
import java.util.Objects;

/**
 * Why {@link JpaLedgerStore#importMembers} stopped: a member of the source cannot be imported as it
 * is. Nothing of the refused member was written, nor of any other member of its transaction; the
 * transactions committed before it stay committed, and a second run, after the cause is removed,
 * skips the members they imported.
 */
public final class ImportRefusedException extends RuntimeException {

  @Serial
  private static final long serialVersionUID = 1L;

  /** What is wrong with the member. */
  public enum Reason {
    /** The source has no account for the member. Checked before anything is written. */
    UNKNOWN_MEMBER,
    /** The member's hash chain in the source does not verify. Checked before anything is written. */
    BROKEN_CHAIN,
    /** The store holds the member already, with a chain that does not contain the source's. */
    CONFLICTING_MEMBER,
    /** The store has recorded the idempotency key of one of the member's requests for another request. */
    KEY_TAKEN,
    /**
     * A text of the member's entries or profile is one that not every store can keep (a NUL or an
     * unpaired surrogate: {@link io.github.loyaltyledger.ledger.Fingerprint#isStorable}), or a profile
     * text is longer than {@link io.github.loyaltyledger.Loyalty#saveProfile} takes, or the record of
     * a request that an entry's key names has a fingerprint other than the 64 lower-case hex digits
     * the facade writes ({@link io.github.loyaltyledger.ledger.Fingerprint#sha256}). Checked before
     * anything is written.
     */
    UNSTORABLE_TEXT,
    /**
     * The source keeps the ledger of another program than this store does ({@link
     * io.github.loyaltyledger.store.LedgerStore#keptProgram}): every member of the import is refused, and
     * {@link #member()} names the first. The cause is a {@link
     * io.github.loyaltyledger.store.ProgramMismatchException} whose {@code storeProgram()} is this
     * store's program and {@code program()} the source's. Checked before anything is written, and
     * again by the import's first transaction, which records the source's program in a store that
     * keeps none yet.
     */
    OTHER_PROGRAM
  }

  /** What is wrong (serialized; the member and sequence are not). */
  private final Reason reason;
  private final transient MemberId member;
  private final transient Option<Long> sequence;

  /**
   * @param reason what is wrong, not null
   * @param member the member refused, not null
   * @param sequence the first bad sequence number, where the reason has one
   * @param message what is wrong and what to do, not null
   */
  ImportRefusedException(Reason reason, MemberId member, Option<Long> sequence, String message) {
    this(reason, member, sequence, message, null);
  }

  /**
   * @param reason what is wrong, not null
   * @param member the member refused, not null
   * @param sequence the first bad sequence number, where the reason has one
   * @param message what is wrong and what to do, not null
   * @param cause what the refusal comes from, or null
   */
  ImportRefusedException(Reason reason, MemberId member, Option<Long> sequence, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.member = Objects.requireNonNull(member, "member");
    this.sequence = Objects.requireNonNull(sequence, "sequence");
  }

  /** @return what is wrong with the member */
  public Reason reason() {
    return reason;
  }

  /**
   * @return the member refused; null in a copy of this exception that was serialized and read back
   *     (the member's id is not serialized: the message names it)
   */
  public MemberId member() {
    return member;
  }

  /**
   * @return for {@link Reason#BROKEN_CHAIN}, the first sequence number at which the chain breaks; for
   *     {@link Reason#UNSTORABLE_TEXT}, the entry holding the text or naming the request's key (none
   *     for a profile's); else none; null in a copy of this exception that was serialized and read
   *     back (the message names it)
   */
  public Option<Long> sequence() {
    return sequence;
  }
}
