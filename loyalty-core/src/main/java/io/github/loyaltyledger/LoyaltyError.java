package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.UnavailableReason;
import io.vavr.collection.List;
import java.time.Instant;
import java.util.Objects;

/**
 * Why the library refused a request. Business refusals are values, returned as the left side of
 * an {@code Either}; a refused request writes nothing, and sending it again in the same state is
 * refused the same way.
 *
 * <p>Each refusal is a record carrying the facts a caller needs to react, and
 * {@link #message()} says in plain words what was wrong and what to do. Switch over the records
 * exhaustively to handle each case.
 */
public sealed interface LoyaltyError {

  /**
   * Says what was wrong and what the caller can do about it.
   *
   * @return a sentence for logs and operator screens, never null
   */
  String message();

  /**
   * A field of the request is invalid (zero or negative points, a blank reason, an instant in the
   * future…).
   *
   * @param field the name of the offending field
   * @param reason what is wrong with it
   */
  record InvalidRequest(String field, String reason) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public InvalidRequest {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String message() {
      return "Invalid request: '" + field + "' " + reason + ". Correct the field and send the request again.";
    }
  }

  /**
   * No member with this id is enrolled.
   *
   * @param member the id that was not found
   */
  record UnknownMember(MemberId member) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public UnknownMember {
      Objects.requireNonNull(member, "member");
    }

    @Override
    public String message() {
      return "No member '" + member + "' is enrolled. Enrol the member first, or check the id.";
    }
  }

  /**
   * A member with this id is already enrolled (by another request).
   *
   * @param member the id
   */
  record MemberAlreadyEnrolled(MemberId member) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public MemberAlreadyEnrolled {
      Objects.requireNonNull(member, "member");
    }

    @Override
    public String message() {
      return "Member '" + member + "' is already enrolled. Use the existing member, or choose another id.";
    }
  }

  /**
   * The member's status does not allow this request (a suspended member cannot earn or redeem; a
   * closed member accepts nothing).
   *
   * @param member the member
   * @param status their status
   */
  record MemberNotActive(MemberId member, MemberStatus status) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public MemberNotActive {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public String message() {
      return "Member '" + member + "' is " + status + " and cannot do this."
          + (status == MemberStatus.SUSPENDED ? " Reactivate the member first." : " A closed account is final.");
    }
  }

  /**
   * A lifecycle change that the member's current status does not allow (suspending a suspended
   * member, reactivating an active one).
   *
   * @param member the member
   * @param from their current status
   * @param to the status requested
   */
  record StatusChangeNotAllowed(MemberId member, MemberStatus from, MemberStatus to)
      implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public StatusChangeNotAllowed {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }

    @Override
    public String message() {
      return "Member '" + member + "' is " + from + " and cannot become " + to
          + ". Check the member's status before changing it.";
    }
  }

  /**
   * The member does not have enough available points.
   *
   * @param member the member
   * @param available the points available
   * @param requested the points the request needed
   */
  record InsufficientPoints(MemberId member, Points available, Points requested)
      implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public InsufficientPoints {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(available, "available");
      Objects.requireNonNull(requested, "requested");
    }

    @Override
    public String message() {
      return "Member '" + member + "' has " + available + " points available but " + requested
          + " are needed. Ask for fewer points.";
    }
  }

  /**
   * The change would take the member's points beyond what a {@code long} can count.
   *
   * @param member the member
   * @param total their current total
   * @param added the points the request would add
   */
  record BalanceOverflow(MemberId member, Points total, Points added) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public BalanceOverflow {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(total, "total");
      Objects.requireNonNull(added, "added");
    }

    @Override
    public String message() {
      return "Adding " + added + " points to member '" + member + "' (total " + total
          + ") would overflow. This is almost certainly a wrong amount; check it.";
    }
  }

  /**
   * The idempotency key was already used for a different request.
   *
   * @param key the key
   */
  record IdempotencyConflict(IdempotencyKey key) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public IdempotencyConflict {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String message() {
      return "Idempotency key '" + key + "' was already used for a different request. "
          + "Use a new key for a new request; resend the original request unchanged to get its result.";
    }
  }

  /**
   * No entry with this id exists.
   *
   * @param entry the id
   */
  record EntryNotFound(EntryId entry) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public EntryNotFound {
      Objects.requireNonNull(entry, "entry");
    }

    @Override
    public String message() {
      return "No ledger entry '" + entry + "' exists. Check the entry id.";
    }
  }

  /**
   * The entry was already reversed; an entry is reversed at most once.
   *
   * @param entry the entry
   * @param reversal the entry that reversed it
   */
  record AlreadyReversed(EntryId entry, EntryId reversal) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public AlreadyReversed {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(reversal, "reversal");
    }

    @Override
    public String message() {
      return "Entry '" + entry + "' was already reversed by '" + reversal
          + "'. To correct further, post an adjustment.";
    }
  }

  /**
   * Entries of this kind cannot be reversed (reversals, expiries, vesting, forfeits, transfers,
   * hold movements).
   *
   * @param entry the entry
   * @param kind its kind
   */
  record NotReversible(EntryId entry, EntryKind kind) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public NotReversible {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String message() {
      return "Entry '" + entry + "' is a " + kind + " entry, which cannot be reversed. "
          + "Post an adjustment (or a transfer back) instead.";
    }
  }

  /**
   * Other requests kept changing the same account, and the request gave up after retrying.
   *
   * @param member the contended member
   * @param attempts how many times it tried
   */
  record ConcurrentModification(MemberId member, int attempts) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public ConcurrentModification {
      Objects.requireNonNull(member, "member");
    }

    @Override
    public String message() {
      return "Member '" + member + "' was changed concurrently " + attempts
          + " times in a row. Send the same request with the same key again; it is safe to retry.";
    }
  }

  /**
   * The program's reward catalogue has no reward with this id.
   *
   * @param reward the id that was not found
   */
  record UnknownReward(RewardId reward) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public UnknownReward {
      Objects.requireNonNull(reward, "reward");
    }

    @Override
    public String message() {
      return "The catalogue has no reward '" + reward + "'. Check the id against availableRewards.";
    }
  }

  /**
   * The member cannot redeem (or hold) the reward now, for every reason listed.
   *
   * @param reward the reward
   * @param reasons why it is unavailable, at least one
   */
  record RewardUnavailable(RewardId reward, List<UnavailableReason> reasons) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public RewardUnavailable {
      Objects.requireNonNull(reward, "reward");
      Objects.requireNonNull(reasons, "reasons");
    }

    @Override
    public String message() {
      return "Reward '" + reward + "' is unavailable: " + reasons.map(UnavailableReason::describe).mkString("; ")
          + ". Offer another reward from availableRewards.";
    }
  }

  /**
   * No hold with this id exists: the entry does not exist or is not a {@code HOLD} entry.
   *
   * @param hold the id asked for
   */
  record HoldNotFound(EntryId hold) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public HoldNotFound {
      Objects.requireNonNull(hold, "hold");
    }

    @Override
    public String message() {
      return "There is no hold '" + hold + "'. Use the id returned by authorize.";
    }
  }

  /**
   * The hold's time-to-live has passed, so it can no longer be captured; its points return to the
   * member when it is voided or released by the daily run.
   *
   * @param hold the hold
   * @param expiredAt when it expired
   * @param now the clock's instant at the capture
   */
  record HoldExpired(EntryId hold, Instant expiredAt, Instant now) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public HoldExpired {
      Objects.requireNonNull(hold, "hold");
      Objects.requireNonNull(expiredAt, "expiredAt");
      Objects.requireNonNull(now, "now");
    }

    @Override
    public String message() {
      return "Hold '" + hold + "' expired at " + expiredAt + " (now " + now
          + "). Authorize a new hold if the member still wants to pay with points.";
    }
  }

  /**
   * The hold was already captured or released; a hold resolves at most once.
   *
   * @param hold the hold
   * @param resolution the {@code CAPTURE} or {@code RELEASE} entry that resolved it
   * @param kind which of the two
   */
  record HoldAlreadyResolved(EntryId hold, EntryId resolution, EntryKind kind) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public HoldAlreadyResolved {
      Objects.requireNonNull(hold, "hold");
      Objects.requireNonNull(resolution, "resolution");
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String message() {
      return "Hold '" + hold + "' was already " + (kind == EntryKind.CAPTURE ? "captured" : "released")
          + " by entry '" + resolution + "'. Nothing more can be done with it.";
    }
  }

  /**
   * A capture asked for more points than the hold holds.
   *
   * @param hold the hold
   * @param held the points it holds
   * @param requested the points asked for
   */
  record CaptureExceedsHold(EntryId hold, Points held, Points requested) implements LoyaltyError {
    /** @throws NullPointerException if an argument is null */
    public CaptureExceedsHold {
      Objects.requireNonNull(hold, "hold");
      Objects.requireNonNull(held, "held");
      Objects.requireNonNull(requested, "requested");
    }

    @Override
    public String message() {
      return "Hold '" + hold + "' holds " + held + " points; " + requested
          + " cannot be captured. Capture at most the held points.";
    }
  }
}
