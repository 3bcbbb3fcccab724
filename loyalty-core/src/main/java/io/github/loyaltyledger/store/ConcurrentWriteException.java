package io.github.loyaltyledger.store;

import io.github.loyaltyledger.member.MemberId;
import java.util.Objects;

/**
 * Thrown by a store's write when concurrent writers of the same data kept it from completing after
 * the store's own tries (a row held past the database's lock timeout, a deadlock): a write that is
 * not versioned with the ledger (such as {@link MemberProfiles#saveProfile} and
 * {@link MemberProfiles#deleteProfile}), or a {@link LedgerStore#commit} that stored nothing.
 * Nothing was written; the same write may simply be made again. The facade answers it from a
 * profile write with {@code LoyaltyError.ConcurrentModification}, and from a commit tries the
 * request again from fresh state, as after a {@link CommitOutcome} conflict, answering
 * {@code ConcurrentModification} if every attempt met one; so a user of {@code Loyalty} never
 * catches it. An application calling the store itself may.
 */
public final class ConcurrentWriteException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The contended member's id, kept as text: {@link MemberId} is not serialisable. */
  private final String member;
  /** How many times the store tried. */
  private final int attempts;

  /**
   * Creates the exception.
   *
   * @param member the member whose data was contended, not null
   * @param attempts how many times the store tried, at least 1
   * @param message what was being written and what to do, not null
   * @param cause the store's last failure, or null
   * @throws NullPointerException if {@code member} or {@code message} is null
   * @throws IllegalArgumentException if {@code attempts} is less than 1
   */
  public ConcurrentWriteException(MemberId member, int attempts, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.member = Objects.requireNonNull(member, "member").value();
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
    this.attempts = attempts;
  }

  /** @return the member whose data was contended */
  public MemberId member() {
    return MemberId.of(member);
  }

  /** @return how many times the store tried */
  public int attempts() {
    return attempts;
  }
}
