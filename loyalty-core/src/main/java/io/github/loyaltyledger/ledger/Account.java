package io.github.loyaltyledger.ledger;

import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.Seq;
import io.vavr.collection.Vector;
import java.util.Objects;

/**
 * The running state of one member's account: the member, the balance, the live lots and the tip
 * of the hash chain, with a version for optimistic concurrency.
 *
 * <p>Stores keep this state beside the entries and replace it atomically with each append, so
 * that reading a balance costs the same whatever the length of the history. It always agrees with
 * the entries: {@code balance.total()} equals the sum of the entries' points,
 * {@code lastSequence} and {@code lastHash} are those of the newest entry, and the lots are those
 * with points remaining, in {@linkplain Lot#CONSUMPTION_ORDER consumption order}.
 *
 * <p>The lots are held in a {@link Vector}, whatever sequence they are given in: a posting that
 * adds the newest lot, or takes points from the first lots, makes the next account's lots without
 * copying the others, so its cost does not grow with a member's live lots.
 *
 * @param member the member
 * @param version incremented by every change; a store refuses a change made from a stale version
 * @param lastSequence the sequence number of the newest entry, 0 if there is none
 * @param lastHash the hash of the newest entry, or {@link Entry#GENESIS_HASH}
 * @param balance available, pending and held points
 * @param lots the lots with points remaining, in consumption order
 */
public record Account(
    Member member, long version, long lastSequence, String lastHash, Balance balance, Seq<Lot> lots) {

  /**
   * Validates the state.
   *
   * @param member the member
   * @param version incremented by every change; a store refuses a change made from a stale version
   * @param lastSequence the sequence number of the newest entry, 0 if there is none
   * @param lastHash the hash of the newest entry, or {@link Entry#GENESIS_HASH}
   * @param balance available, pending and held points
   * @param lots the lots with points remaining, in consumption order (kept as a {@link Vector})
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the version is below 1 or the sequence below 0
   */
  public Account {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(lastHash, "lastHash");
    Objects.requireNonNull(balance, "balance");
    lots = Vector.ofAll(Objects.requireNonNull(lots, "lots"));
    if (version < 1) {
      throw new IllegalArgumentException("account version starts at 1, was " + version);
    }
    if (lastSequence < 0) {
      throw new IllegalArgumentException("last sequence cannot be negative, was " + lastSequence);
    }
  }

  /**
   * The state of a newly enrolled member.
   *
   * @param member the member, not null
   * @return the account at version 1 with no entries
   */
  public static Account opened(Member member) {
    return new Account(member, 1, 0, Entry.GENESIS_HASH, Balance.EMPTY, Vector.empty());
  }

  /** @return the id of the account's member */
  public MemberId memberId() {
    return member.id();
  }
}
