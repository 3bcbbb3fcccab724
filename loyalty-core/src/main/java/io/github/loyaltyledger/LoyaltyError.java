package io.github.loyaltyledger;

import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.UnavailableReason;
import io.github.loyaltyledger.tier.TierId;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

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
   * @param reason what is wrong with it, and, if {@code reasonAdvises}, what to do instead
   * @param reasonAdvises whether {@code reason} already says what to do ("…; use payWithPoints"):
   *     {@link #message()} then adds no generic advice of its own
   */
  record InvalidRequest(String field, String reason, boolean reasonAdvises) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param field the name of the offending field
     * @param reason what is wrong with it, and, if {@code reasonAdvises}, what to do instead
     * @param reasonAdvises whether {@code reason} already says what to do
     * @throws NullPointerException if an argument is null
     */
    public InvalidRequest {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(reason, "reason");
    }

    /**
     * A refusal whose reason says only what is wrong: {@link #message()} adds that the caller
     * should correct the field and send the request again.
     *
     * @param field the name of the offending field
     * @param reason what is wrong with it
     * @throws NullPointerException if an argument is null
     */
    public InvalidRequest(String field, String reason) {
      this(field, reason, false);
    }

    @Override
    public String message() {
      return "Invalid request: '" + field + "' " + reason
          + (reasonAdvises ? "." : ". Correct the field and send the request again.");
    }
  }

  /**
   * No member with this id is enrolled.
   *
   * @param member the id that was not found
   */
  record UnknownMember(MemberId member) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param member the id that was not found
     * @throws NullPointerException if an argument is null
     */
    public UnknownMember {
      Objects.requireNonNull(member, "member");
    }

    @Override
    public String message() {
      return "No member '" + member + "' is enrolled. Enrol the member first, or check the id.";
    }
  }

  /**
   * A member with this id is already enrolled (by another request). The advice depends on that
   * member's status: an active or suspended member is used as they are (a suspended one reactivated
   * first), while a closed account (an erased member's too) is final, so the customer is enrolled
   * under another id.
   *
   * @param member the id
   * @param status the status of the member enrolled under it
   */
  record MemberAlreadyEnrolled(MemberId member, MemberStatus status) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param member the id
     * @param status the status of the member enrolled under it
     * @throws NullPointerException if an argument is null
     */
    public MemberAlreadyEnrolled {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(status, "status");
    }

    /**
     * The refusal for an id whose member is {@link MemberStatus#ACTIVE}.
     *
     * @param member the id
     * @throws NullPointerException if an argument is null
     */
    public MemberAlreadyEnrolled(MemberId member) {
      this(member, MemberStatus.ACTIVE);
    }

    @Override
    public String message() {
      return switch (status) {
        case ACTIVE -> "Member '" + member + "' is already enrolled. Use the existing member, or choose another id.";
        case SUSPENDED -> "Member '" + member + "' is already enrolled and SUSPENDED. Use the existing member (reactivate"
            + " it to let it earn and redeem again), or choose another id.";
        // Every change of a closed account is refused: the id stays taken by it, for good.
        case CLOSED -> "Member '" + member + "' was enrolled and is CLOSED, which is final: the id cannot be enrolled"
            + " again or reopened. To give the customer an account again, choose another id.";
      };
    }
  }

  /**
   * The member's status does not allow this request (a suspended member cannot earn or redeem; a
   * closed member accepts nothing). For a suspended member the message also names the operator's
   * corrections that they still take (an adjustment, a reversal, a refund, a cancelled redemption, a
   * voided hold), so that an operator's credit need not wait for the reactivation.
   *
   * @param member the member
   * @param status their status
   */
  record MemberNotActive(MemberId member, MemberStatus status) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param member the member
     * @param status their status
     * @throws NullPointerException if an argument is null
     */
    public MemberNotActive {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public String message() {
      // A suspended member still takes an operator's corrections: an operator who sent a credit (a
      // goodwill gesture) need not wait for the reactivation.
      return "Member '" + member + "' is " + status + " and cannot do this."
          + (status == MemberStatus.SUSPENDED
              ? " A suspended member cannot earn, spend, transfer or capture points: reactivate the member first"
                  + " (reactivate). Meanwhile an operator can still adjust their points (adjust), reverse entries,"
                  + " refund purchases, cancel redemptions and void holds."
              : " A closed account is final.");
    }
  }

  /**
   * A lifecycle change that the member's current status does not allow (suspending a suspended
   * member, reactivating an active one, any change of a closed member). Its message tells a member
   * already in the status asked for that nothing needs to be done, and for a closed member that the
   * account is final: enrol the customer under a new member id to give them an account again.
   *
   * @param member the member
   * @param from their current status
   * @param to the status requested
   */
  record StatusChangeNotAllowed(MemberId member, MemberStatus from, MemberStatus to)
      implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param member the member
     * @param from their current status
     * @param to the status requested
     * @throws NullPointerException if an argument is null
     */
    public StatusChangeNotAllowed {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }

    @Override
    public String message() {
      if (from == MemberStatus.CLOSED) {
        // A second close is told that it is done, not that the member "cannot become CLOSED".
        return "Member '" + member + "' is " + (to == from ? "already CLOSED; nothing was written and nothing needs to be"
            + " done" : "CLOSED and cannot become " + to) + ": a closed account is final."
            + " To give the customer an account again, enrol them under a new member id.";
      }
      if (from == to) {
        return "Member '" + member + "' is already " + to + "; nothing was written and nothing needs to be done.";
      }
      return "Member '" + member + "' is " + from + " and cannot become " + to
          + ". Check the member's status before changing it.";
    }
  }

  /**
   * The member does not have enough available points. Points held at the till by open holds are not
   * available: {@code held} says how many there are, so that a till kept from the points by another
   * till's hold (or by a hold of its own that it lost) learns that voiding holds would free them
   * ({@code Loyalty.openHolds} lists them). Two refusals are equal when all four figures are.
   *
   * @param member the member
   * @param available the points available
   * @param requested the points the request needed
   * @param held the member's points held by open holds, not negative (zero when none are)
   */
  record InsufficientPoints(MemberId member, Points available, Points requested, Points held)
      implements LoyaltyError {
    /**
     * Validates the fields.
     *
     * @param member the member
     * @param available the points available
     * @param requested the points the request needed
     * @param held the member's points held by open holds, not negative (zero when none are)
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code held} is negative
     */
    public InsufficientPoints {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(available, "available");
      Objects.requireNonNull(requested, "requested");
      Objects.requireNonNull(held, "held");
      if (held.isNegative()) {
        throw new IllegalArgumentException("held must not be negative, was " + held);
      }
    }

    /**
     * A refusal of a member who has no points held by open holds (or whose held points do not
     * matter to the request).
     *
     * @param member the member
     * @param available the points available
     * @param requested the points the request needed
     * @throws NullPointerException if an argument is null
     */
    public InsufficientPoints(MemberId member, Points available, Points requested) {
      this(member, available, requested, Points.ZERO);
    }

    @Override
    public String message() {
      // Held points are no part of the available ones, whoever's till holds them: say how many, and
      // whether voiding the holds would be enough.
      String holds = !held.isPositive() ? ""
          : "; " + held + (held.value() == 1 ? " more is" : " more are") + " held by open holds at the till ("
              + (available.value() >= requested.value() - held.value() ? "voiding them would free enough"
                  : "even voiding them all would not free enough")
              + "; Loyalty.openHolds lists them, voidHold frees a hold's points)";
      return "Member '" + member + "' has " + available + " points available but " + requested
          + " are needed" + holds + "; nothing was written. Ask for fewer points, or send the request again once the"
          + " member has enough (a reversal or refund refused under the REFUSE negative-balance policy"
          + " takes back only points the member still has, so it succeeds once they are back).";
    }
  }

  /**
   * A credit cannot be reversed (by hand or by a refund) because points of it that the reversal
   * would need are held at the till by open holds: they are neither available nor spent. Under the
   * {@code REFUSE} and {@code CLAMP} policies the reversal waits for the holds to resolve rather
   * than refuse or forgive those points as if they were spent (a clamp would let the hold's void
   * give them back to the reversed credit). Points of it that the reversal of another credit took in
   * place of that credit's held points count as held too: the hold's void gives them back to it. So
   * do its points that a hold took from a grace lot they were given back to after its lot expired.
   * Under {@code REFUSE}, a reversal that would still lack points after those holds were voided is
   * refused with {@link InsufficientPoints} instead, since voiding them would not help.
   * Nothing is written. The advice depends on the member's status: an active member's till captures
   * or voids the holds; a suspended member's capture is refused until they are reactivated, so their
   * holds are voided.
   *
   * @param entry the credit to reverse
   * @param held its points the open holds hold (or the points of other lots they hold, for which a
   *     reversal took points of this credit)
   * @param holds those holds, oldest first
   * @param status the status of the member whose credit it is
   */
  record PointsOnHold(EntryId entry, Points held, List<EntryId> holds, MemberStatus status) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param entry the credit to reverse
     * @param held its points the open holds hold
     * @param holds those holds, oldest first
     * @param status the status of the member whose credit it is
     * @throws NullPointerException if an argument is null
     */
    public PointsOnHold {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(held, "held");
      Objects.requireNonNull(holds, "holds");
      Objects.requireNonNull(status, "status");
    }

    /**
     * The refusal for a credit of a member who is {@link MemberStatus#ACTIVE}.
     *
     * @param entry the credit to reverse
     * @param held its points the open holds hold
     * @param holds those holds, oldest first
     * @throws NullPointerException if an argument is null
     */
    public PointsOnHold(EntryId entry, Points held, List<EntryId> holds) {
      this(entry, held, holds, MemberStatus.ACTIVE);
    }

    @Override
    public String message() {
      String them = holds.size() == 1 ? "the hold" : "the holds";
      // Only an active member's hold can be captured: a suspended member's capture is refused.
      return held + " points of entry '" + entry + "' are held at the till by " + holds.mkString("'", "', '", "'")
          + ", not spent, so it cannot be reversed now. Nothing was written; "
          + (status == MemberStatus.ACTIVE
              ? "capture or void " + them + " (capture, voidHold), then send the reversal or refund again: points a"
                  + " capture spends follow the program's negative-balance policy."
              : "void " + them + " (voidHold), then send the reversal or refund again: the member is " + status
                  + (status == MemberStatus.SUSPENDED ? ", whose capture is refused until they are reactivated."
                      : ", whose capture is refused."));
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
    /**
     * Validates that no field is null.
     *
     * @param member the member
     * @param total their current total
     * @param added the points the request would add
     * @throws NullPointerException if an argument is null
     */
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
   * The idempotency key was already used for a different request. It says what that first request
   * was, from the key's record, so that a caller can act: the member it was about ({@code
   * Receipt.member()}, the sender of a transfer) and the kinds of the entries it wrote. A support
   * agent's double-click with a changed amount learns that the first request (an {@code ADJUST} of
   * the same member) stands; a till that reused a transaction id for another sale learns that the
   * id was taken by another member's purchase. Only these two facts are given, which the caller can
   * act on and which tell nothing of the member's account: never the first request's points, the
   * member's balance or status, or its entries, which a till that reused a key of another member's
   * request must not learn.
   *
   * <p>Under one key, the first request is the same for every conflict: two conflicts are equal
   * when their keys are, so that a conflict built with {@link #IdempotencyConflict(IdempotencyKey)}
   * equals the one the library answers, and their hash codes are the key's. Their {@code toString}
   * and {@link #message()} still show what each knows of the first request, so two equal conflicts
   * may read differently: compare conflicts with {@code equals}, never by their text, and compare
   * {@link #firstMember()} and {@link #firstKinds()} to check what the first request was.
   *
   * @param key the key
   * @param firstMember the member the first request was about; empty when unknown (a conflict built
   *     with the key alone)
   * @param firstKinds the kinds of the entries the first request wrote, each once, in the order
   *     written; empty when it wrote none (an enrolment, a status change, a run with nothing due) or
   *     when {@code firstMember} is unknown
   */
  record IdempotencyConflict(IdempotencyKey key, Option<MemberId> firstMember, List<EntryKind> firstKinds)
      implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param key the key
     * @param firstMember the member the first request was about, or empty when unknown
     * @param firstKinds the kinds of the entries the first request wrote
     * @throws NullPointerException if an argument is null
     */
    public IdempotencyConflict {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(firstMember, "firstMember");
      Objects.requireNonNull(firstKinds, "firstKinds");
    }

    /**
     * A conflict that does not say what the first request was.
     *
     * @param key the key
     * @throws NullPointerException if an argument is null
     */
    public IdempotencyConflict(IdempotencyKey key) {
      this(key, Option.none(), List.empty());
    }

    /**
     * Whether an object is a conflict under the same key: the first request's facts follow from the
     * key.
     *
     * @param other the object to compare, may be null
     * @return true if it is an {@code IdempotencyConflict} with an equal key
     */
    @Override
    public boolean equals(Object other) {
      return other instanceof IdempotencyConflict that && key.equals(that.key);
    }

    /**
     * A hash of the key alone, consistent with {@link #equals}.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
      return key.hashCode();
    }

    @Override
    public String message() {
      String advice = "Use a new key for a new request; resend the original request unchanged to get its result.";
      if (firstMember.isEmpty()) {
        return "Idempotency key '" + key + "' was already used for a different request. " + advice;
      }
      String wrote = firstKinds.isEmpty() ? "wrote no entries (an enrolment, a status change, a run with nothing due)"
          : "wrote entries of kind" + (firstKinds.size() == 1 ? " " : "s ") + firstKinds.mkString(", ");
      // A double-click after the amount was edited: the first request took effect, and this one did not.
      return "Idempotency key '" + key + "' was already used for a different request: the first, for member '"
          + firstMember.get() + "', " + wrote + ". Nothing was written for this one. If it is that request sent"
          + " again with changed details, the first stands: check it, and send a correction as a new request"
          + " under a new key. " + advice;
    }
  }

  /**
   * No entry with this id exists.
   *
   * @param entry the id
   */
  record EntryNotFound(EntryId entry) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param entry the id
     * @throws NullPointerException if an argument is null
     */
    public EntryNotFound {
      Objects.requireNonNull(entry, "entry");
    }

    @Override
    public String message() {
      return "No ledger entry '" + entry + "' exists. Check the entry id.";
    }
  }

  /**
   * The entry was already reversed; an entry is reversed at most once. An award entry of a purchase
   * that a refund returned (in part or in full) counts as reversed too: {@code reverse} refuses it, since it would take
   * the points the refunds took a second time, and names the purchase to refund the rest of. The
   * advice (an adjustment, a refund of the rest) is for a member who is not closed: a closed
   * member's account takes nothing more.
   *
   * @param entry the entry
   * @param reversal the entry that reversed it (for a refunded award, a refund's {@code REVERSAL})
   * @param purchase for an award entry of a purchase that a refund returned, the
   *     purchase's key, which a {@code Refund} of the rest names; empty otherwise
   * @param memberClosed whether the entry's member is closed
   */
  record AlreadyReversed(EntryId entry, EntryId reversal, Option<IdempotencyKey> purchase, boolean memberClosed)
      implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param reversal the entry that reversed it
     * @param purchase the refunded purchase's key, or empty
     * @param memberClosed whether the entry's member is closed
     * @throws NullPointerException if an argument is null
     */
    public AlreadyReversed {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(reversal, "reversal");
      Objects.requireNonNull(purchase, "purchase");
    }

    /**
     * The refusal for a member who is not closed (active or suspended).
     *
     * @param entry the entry
     * @param reversal the entry that reversed it
     * @param purchase the refunded purchase's key, or empty
     * @throws NullPointerException if an argument is null
     */
    public AlreadyReversed(EntryId entry, EntryId reversal, Option<IdempotencyKey> purchase) {
      this(entry, reversal, purchase, false);
    }

    /**
     * An entry reversed by a reversal or a cancellation, not by a refund, of a member who is not closed.
     *
     * @param entry the entry
     * @param reversal the entry that reversed it
     * @throws NullPointerException if an argument is null
     */
    public AlreadyReversed(EntryId entry, EntryId reversal) {
      this(entry, reversal, Option.none(), false);
    }

    @Override
    public String message() {
      // Every correction named below (an adjustment, a refund) refuses a closed member.
      String closed = " The member's account is closed, which is final: nothing more can be posted to it.";
      if (purchase.isDefined()) {
        // Advising an adjustment here would leave the purchase's refunds unaware of the points it took.
        return "Entry '" + entry + "' is an award of purchase '" + purchase.get() + "', which refund '" + reversal
            + "' already returned in part or in full; reversing the award by hand would take back again what"
            + " the purchase's refunds took. Nothing was written." + (memberClosed ? closed
            : " To take back more, refund the rest of purchase '" + purchase.get()
                + "' with refund; once it is returned in full, correct further with an adjustment.");
      }
      return "Entry '" + entry + "' was already reversed by '" + reversal + "'."
          + (memberClosed ? closed : " To correct further, post an adjustment.");
    }
  }

  /**
   * Entries of this kind cannot be reversed (reversals, expiries, vesting, forfeits, transfers,
   * hold movements), or, from {@code cancelRedemption}, cancelled as a redemption (an entry other
   * than a {@code REDEEM} or {@code CAPTURE}: a credit or an adjustment is reversed with
   * {@code reverse}). The advice names the call that undoes the entry instead, unless the member's
   * account is closed: every such call refuses a closed member, and nothing more can be posted. It
   * leads with what a suspended member may still do (void a hold, post an adjustment) and says that
   * a capture, an authorization or a transfer back waits for their reactivation. A
   * transfer's entry is undone by transferring the points back, which the other member's account
   * refuses once it is closed (after two accounts were merged, say): the advice is then an
   * adjustment, naming that member.
   *
   * @param entry the entry
   * @param kind its kind
   * @param memberClosed whether the entry's member is closed (always so for a {@code FORFEIT} or
   *     {@code ERASURE}, which closed the account)
   * @param closedCounterparty for a {@code TRANSFER_OUT} or {@code TRANSFER_IN} entry, the other
   *     member of the transfer if their account is closed; none otherwise
   */
  record NotReversible(EntryId entry, EntryKind kind, boolean memberClosed, Option<MemberId> closedCounterparty)
      implements LoyaltyError {
    /**
     * Validates that no field is null; a {@code FORFEIT} or {@code ERASURE} entry's member is
     * closed whatever {@code memberClosed} says.
     *
     * @param entry the entry
     * @param kind its kind
     * @param memberClosed whether the entry's member is closed
     * @param closedCounterparty the other member of a transfer, if closed
     * @throws NullPointerException if an argument is null
     */
    public NotReversible {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(closedCounterparty, "closedCounterparty");
      memberClosed = memberClosed || kind == EntryKind.FORFEIT || kind == EntryKind.ERASURE;
    }

    /**
     * The refusal for an entry whose other member, if any, is not closed.
     *
     * @param entry the entry
     * @param kind its kind
     * @param memberClosed whether the entry's member is closed
     * @throws NullPointerException if an argument is null
     */
    public NotReversible(EntryId entry, EntryKind kind, boolean memberClosed) {
      this(entry, kind, memberClosed, Option.none());
    }

    /**
     * The refusal for a member who is not closed (active or suspended), or for a {@code FORFEIT}
     * or {@code ERASURE} entry, whose member is.
     *
     * @param entry the entry
     * @param kind its kind
     * @throws NullPointerException if an argument is null
     */
    public NotReversible(EntryId entry, EntryKind kind) {
      this(entry, kind, false);
    }

    @Override
    public String message() {
      // An adjustment would leave a hold open, or a captured reward's stock and limit use taken.
      // Each kind's advice holds in every state its entry can be in: a hold may be captured already,
      // and a forfeit's member is closed, where an adjustment is refused. A suspended member may
      // void and adjust, but not capture, authorize or transfer: the advice says those wait.
      String instead = switch (kind) {
        case HOLD -> "Void it with voidHold, or capture it (a suspended member's capture waits for reactivate),"
            + " instead; once it is captured, cancel the capture with cancelRedemption.";
        case CAPTURE -> "Cancel it with cancelRedemption instead, which also gives back a reward's stock and limit use.";
        case RELEASE -> "Its points are back with the member: authorize a new hold instead (a suspended member's"
            + " authorization waits for reactivate).";
        case TRANSFER_OUT, TRANSFER_IN -> closedCounterparty.map(other -> "The other member of the transfer, '" + other
            + "', is closed, which is final, so the points cannot be transferred back: post an adjustment instead.")
            .getOrElse("Transfer the points back (both members must be active: reactivate a suspended one first),"
                + " or post an adjustment, instead.");
        case FORFEIT -> "It closed the member's account, which is final: nothing more can be posted to it.";
        case TIER -> "Set the tier with overrideTier instead.";
        case VEST -> "Vesting moved no points; to take the points back, reverse the credit that created them.";
        case ERASURE -> "An erasure is final: the member's personal data is gone and the account closed.";
        default -> "Post an adjustment instead.";
      };
      // Every call named above refuses a closed member (a closed member has no open hold either):
      // the entry stays as it is.
      if (memberClosed && kind != EntryKind.FORFEIT && kind != EntryKind.ERASURE) {
        instead = "The member's account is closed, which is final: nothing more can be posted to it, so the entry"
            + " stays as it is.";
      }
      // Only cancelRedemption refuses these kinds, which reverse takes: they are no redemption.
      if (kind == EntryKind.EARN || kind == EntryKind.BONUS || kind == EntryKind.ADJUST) {
        return "Entry '" + entry + "' is a " + kind + " entry, not a redemption, so it cannot be cancelled as one."
            + (memberClosed ? " " + instead : " Reverse it with reverse instead.");
      }
      return "Entry '" + entry + "' is a " + kind + " entry, which cannot be reversed. " + instead;
    }
  }

  /**
   * Other requests kept changing the same account or profile, or a counter this request shares with
   * other members' requests (a campaign budget, a reward's stock), and the request gave up after
   * retrying. Nothing was written, unless they kept a profile from being deleted or put back after
   * the request's other writes (an erasure's commit, whose same request sent again with the same key
   * completes it; a profile save refused for a member closed meanwhile, whose profile stays the one
   * it saved).
   *
   * @param member the contended member
   * @param attempts how many times it tried
   */
  record ConcurrentModification(MemberId member, int attempts) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param member the contended member
     * @param attempts how many times it tried
     * @throws NullPointerException if an argument is null
     */
    public ConcurrentModification {
      Objects.requireNonNull(member, "member");
    }

    @Override
    public String message() {
      return "The request for member '" + member + "' met concurrent changes " + attempts
          + " times in a row (to the member's account or profile, or to a counter it shares with other"
          + " members' requests, such as a campaign budget or a reward's stock). Nothing was written, unless they"
          + " kept a profile from being deleted or put back after the request's other writes (an erasure's"
          + " commit, a save refused for a member closed meanwhile). Send the same request again, with the same"
          + " key if it has one; it is safe to retry, and completes such an erasure.";
    }
  }

  /**
   * A tier operation was asked of a program that has no tier ladder.
   *
   * @param program the program's id
   */
  record NoTierLadder(String program) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param program the program's id
     * @throws NullPointerException if an argument is null
     */
    public NoTierLadder {
      Objects.requireNonNull(program, "program");
    }

    @Override
    public String message() {
      return "Program '" + program + "' has no tiers. Give the program a TierLadder before using tier operations.";
    }
  }

  /**
   * The request names a tier that is not on the program's ladder.
   *
   * @param tier the unknown tier id
   */
  record UnknownTier(TierId tier) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param tier the unknown tier id
     * @throws NullPointerException if an argument is null
     */
    public UnknownTier {
      Objects.requireNonNull(tier, "tier");
    }

    @Override
    public String message() {
      return "There is no tier '" + tier + "' on the program's ladder. Use one of the ladder's tier ids.";
    }
  }

  /**
   * A purchase, refund, basket paid with points or other amount of the request is in another
   * currency than the program's (EUR unless the program's builder was given another).
   *
   * @param expected the program's currency
   * @param found the currency of the request
   */
  record CurrencyMismatch(CurrencyUnit expected, CurrencyUnit found) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param expected the program's currency
     * @param found the currency of the request
     * @throws NullPointerException if an argument is null
     */
    public CurrencyMismatch {
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(found, "found");
    }

    @Override
    public String message() {
      // A program built without a currency runs in EUR: say so, or a shop that never chose EUR is
      // told only to convert its own currency into one it never meant to use.
      return "The request is in " + found + " but the program runs in " + expected
          + ". Convert the amounts to " + expected + " before sending them; or, if the program is meant to run in "
          + found + ", build it with LoyaltyProgram.Builder.currency(" + found + ") before its first request ("
          + CurrencyUnit.EUR + " is the default, and a program keeps its currency for life).";
    }
  }

  /**
   * An earning rule threw (or returned nothing) while evaluating a purchase or event; nothing was
   * written.
   *
   * @param ruleId the failing rule
   * @param message what it threw
   */
  record RuleFailed(String ruleId, String message) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param ruleId the failing rule
     * @param message what it threw
     * @throws NullPointerException if an argument is null
     */
    public RuleFailed {
      Objects.requireNonNull(ruleId, "ruleId");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String message() {
      return "Earning rule '" + ruleId + "' failed: " + message
          + ". Nothing was written; fix or remove the rule, then send the request again.";
    }
  }

  /**
   * No purchase was earned on with this transaction id (or the id belongs to another kind of
   * request than a purchase or a custom event), so it cannot be refunded; or, from {@code explain},
   * no purchase or custom event was. A refund (or reassignment) under a custom event's key is refused
   * with {@link InvalidRequest} instead, advising {@code reverse}, or, for a closed member, whose
   * entries {@code reverse} refuses, with {@link MemberNotActive}: no purchase can ever be earned
   * under that key.
   * A refund a till sends before the purchase it returns (a sale kept offline and not uploaded yet)
   * is refused so and writes nothing, not even its key: once the purchase is earned, the same refund
   * under the same key is accepted.
   *
   * @param transaction the transaction id
   */
  record PurchaseNotFound(IdempotencyKey transaction) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param transaction the transaction id
     * @throws NullPointerException if an argument is null
     */
    public PurchaseNotFound {
      Objects.requireNonNull(transaction, "transaction");
    }

    @Override
    public String message() {
      return "No purchase earned points under transaction '" + transaction
          + "'. Check the original transaction id: only a purchase sent to earn can be refunded, and"
          + " only a purchase or custom event sent to earn can be explained. If the till has not sent that"
          + " purchase yet (a sale kept offline), send the purchase first, then this request again under the same"
          + " key: nothing was written.";
    }
  }

  /**
   * A refund would return more than was bought: more money than the purchase's earning lines, or
   * more units of a SKU. It says what is left to return ({@link #left()}), so that a till can offer
   * that much.
   *
   * @param transaction the original transaction id
   * @param item what is over-returned: {@code "amount"} or the SKU
   * @param bought what the purchase had: money ({@code EUR 20.00}) for the amount, units for a SKU
   * @param alreadyReturned what earlier refunds returned, likewise
   * @param requested what this refund asks to return, likewise
   */
  record RefundExceedsPurchase(IdempotencyKey transaction, String item, String bought, String alreadyReturned,
      String requested) implements LoyaltyError {
    /** Units, or money as {@code Money.toString} writes it: the currency code, a space and the amount. */
    private static final java.util.regex.Pattern FIGURE = java.util.regex.Pattern.compile("([A-Z]{3} )?(\\d+(?:\\.\\d+)?)");

    /**
     * Validates that no field is null.
     *
     * @param transaction the original transaction id
     * @param item what is over-returned: {@code "amount"} or the SKU
     * @param bought what the purchase had: money ({@code EUR 20.00}) for the amount, units for a SKU
     * @param alreadyReturned what earlier refunds returned, likewise
     * @param requested what this refund asks to return, likewise
     * @throws NullPointerException if an argument is null
     */
    public RefundExceedsPurchase {
      Objects.requireNonNull(transaction, "transaction");
      Objects.requireNonNull(item, "item");
      Objects.requireNonNull(bought, "bought");
      Objects.requireNonNull(alreadyReturned, "alreadyReturned");
      Objects.requireNonNull(requested, "requested");
    }

    /**
     * What may still be returned: {@code bought} less {@code alreadyReturned}, written like them
     * ({@code EUR 5.00} of the amount, which {@code Money.parse} reads, or {@code 2} units of the SKU;
     * {@code 0} when nothing is left); empty when they are not two figures of one kind (units, or
     * money in one currency), as the library never builds.
     *
     * @return what is left to return, or empty
     */
    public String left() {
      java.util.regex.Matcher a = FIGURE.matcher(bought);
      java.util.regex.Matcher b = FIGURE.matcher(alreadyReturned);
      if (!a.matches() || !b.matches() || !Objects.equals(a.group(1), b.group(1))) {
        return "";
      }
      java.math.BigDecimal left = new java.math.BigDecimal(a.group(2)).subtract(new java.math.BigDecimal(b.group(2)));
      return left.signum() < 0 ? "" : Objects.toString(a.group(1), "") + left.toPlainString();
    }

    @Override
    public String message() {
      // Units are digits; money has its currency ("EUR 20.00"), and was the net of the earning lines.
      boolean units = !bought.isEmpty() && bought.chars().allMatch(c -> c >= '0' && c <= '9');
      String left = left();
      java.util.regex.Matcher figure = FIGURE.matcher(left);
      String advice = !figure.matches() ? "Refund at most what is left."
          : new java.math.BigDecimal(figure.group(2)).signum() == 0
              // Of money, only the amount is gone: lines that never earn may still come back by units.
              ? (units ? "Nothing of " + item : "No amount") + " is left to return."
              : "Refund at most the " + left + (units ? " of " + item : "") + " left.";
      return "Transaction '" + transaction + "' bought " + bought + " of " + (units ? item : "earning lines (net)") + ", "
          + alreadyReturned + " already returned, so " + requested + " cannot be returned. " + advice;
    }
  }

  /**
   * A partial return of a payment with points ({@code Loyalty.cancelRedemption} with money) would
   * give back more money than the payment has left: what it paid with points less what earlier
   * returns gave back. It says what is left ({@link #left()}), so that a till can give back that much.
   *
   * @param redemption the payment's {@code REDEEM} or {@code CAPTURE} entry
   * @param applied the money the payment paid with points
   * @param alreadyReturned the money earlier returns gave back, in the payment's currency
   * @param requested the money this return asks to give back
   */
  record ReturnExceedsPayment(EntryId redemption, Money applied, Money alreadyReturned, Money requested)
      implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param redemption the payment's {@code REDEEM} or {@code CAPTURE} entry
     * @param applied the money the payment paid with points
     * @param alreadyReturned the money earlier returns gave back, in the payment's currency
     * @param requested the money this return asks to give back
     * @throws NullPointerException if an argument is null
     */
    public ReturnExceedsPayment {
      Objects.requireNonNull(redemption, "redemption");
      Objects.requireNonNull(applied, "applied");
      Objects.requireNonNull(alreadyReturned, "alreadyReturned");
      Objects.requireNonNull(requested, "requested");
    }

    /**
     * What may still be given back: {@code applied} less {@code alreadyReturned}.
     *
     * @return the money left, in the payment's currency
     */
    public Money left() {
      return applied.minus(alreadyReturned);
    }

    @Override
    public String message() {
      return "Payment " + redemption + " paid " + applied + " with points, of which " + alreadyReturned
          + " was given back already: " + left() + " is left, less than the " + requested + " asked. Give back at most "
          + left() + " (cancelRedemption without money gives back all that is left).";
    }
  }

  /**
   * The program's reward catalogue has no reward with this id.
   *
   * @param reward the id that was not found
   */
  record UnknownReward(RewardId reward) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param reward the id that was not found
     * @throws NullPointerException if an argument is null
     */
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
    /**
     * Validates that no field is null.
     *
     * @param reward the reward
     * @param reasons why it is unavailable, at least one
     * @throws NullPointerException if an argument is null
     */
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
   * No hold with this id exists: the entry does not exist or is not a {@code HOLD} entry (such as
   * the {@code CAPTURE} of a hold, which is cancelled with {@code cancelRedemption}, not voided).
   *
   * @param hold the id asked for
   */
  record HoldNotFound(EntryId hold) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param hold the id asked for
     * @throws NullPointerException if an argument is null
     */
    public HoldNotFound {
      Objects.requireNonNull(hold, "hold");
    }

    @Override
    public String message() {
      return "There is no hold '" + hold + "'. Use the id returned by authorize (Hold.id()); the points of a"
          + " captured hold are given back by cancelling its capture (Redemption.entry()) with cancelRedemption.";
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
    /**
     * Validates that no field is null.
     *
     * @param hold the hold
     * @param expiredAt when it expired
     * @param now the clock's instant at the capture
     * @throws NullPointerException if an argument is null
     */
    public HoldExpired {
      Objects.requireNonNull(hold, "hold");
      Objects.requireNonNull(expiredAt, "expiredAt");
      Objects.requireNonNull(now, "now");
    }

    @Override
    public String message() {
      return "Hold '" + hold + "' expired at " + expiredAt + " (now " + now
          + "); its points stay held until it is voided or the daily run releases it. Void it with voidHold,"
          + " then authorize a new hold if the member still wants them.";
    }
  }

  /**
   * The hold was already captured or released; a hold resolves at most once. A captured hold's
   * points come back by cancelling its capture ({@code resolution}) with {@code cancelRedemption};
   * a released hold's are back already, and a new hold is authorized to spend them (a suspended
   * member's once reactivated).
   *
   * @param hold the hold
   * @param resolution the {@code CAPTURE} or {@code RELEASE} entry that resolved it
   * @param kind which of the two
   */
  record HoldAlreadyResolved(EntryId hold, EntryId resolution, EntryKind kind) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param hold the hold
     * @param resolution the {@code CAPTURE} or {@code RELEASE} entry that resolved it
     * @param kind which of the two
     * @throws NullPointerException if an argument is null
     */
    public HoldAlreadyResolved {
      Objects.requireNonNull(hold, "hold");
      Objects.requireNonNull(resolution, "resolution");
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String message() {
      return "Hold '" + hold + "' was already " + (kind == EntryKind.CAPTURE ? "captured" : "released")
          + " by entry '" + resolution + "'; nothing was written. "
          + (kind == EntryKind.CAPTURE
              ? "To give its points back, cancel the capture with cancelRedemption('" + resolution + "')."
              : "Its points are back with the member: authorize a new hold if they still want to spend them (a"
                  + " suspended member's authorization waits for reactivate).");
    }
  }

  /**
   * A voucher reward's {@code VoucherIssuer} (a plugin) did not issue a usable code: it threw
   * (an exception, or an error of its own such as a missing class), or it returned null, a blank
   * code, one over 100 characters, or one not every store can keep. Like a failing earning rule
   * ({@link RuleFailed}), it is refused rather than thrown, and nothing is written.
   *
   * @param reward the voucher reward redeemed or captured
   * @param issuer the issuer, as its {@code toString} names it
   * @param problem what went wrong: what the issuer threw, or what was wrong with its code
   */
  record VoucherIssuerFailed(RewardId reward, String issuer, String problem) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param reward the voucher reward redeemed or captured
     * @param issuer the issuer, as its {@code toString} names it
     * @param problem what went wrong: what the issuer threw, or what was wrong with its code
     * @throws NullPointerException if an argument is null
     */
    public VoucherIssuerFailed {
      Objects.requireNonNull(reward, "reward");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(problem, "problem");
    }

    @Override
    public String message() {
      return "The voucher issuer " + issuer + " of reward '" + reward + "' " + problem
          + ". Nothing was written; fix the issuer, then send the request again.";
    }
  }

  /**
   * A hold authorized for a voucher reward cannot be captured: the catalogue in force no longer has
   * a voucher reward of that id to issue the voucher (a later program version removed the reward or
   * gave its id another kind). The hold stays open; void it to give its points, stock and limit use
   * back.
   *
   * @param hold the hold
   * @param reward the voucher reward it was authorized for
   */
  record VoucherWithdrawn(EntryId hold, RewardId reward) implements LoyaltyError {
    /**
     * Validates that no field is null.
     *
     * @param hold the hold
     * @param reward the voucher reward it was authorized for
     * @throws NullPointerException if an argument is null
     */
    public VoucherWithdrawn {
      Objects.requireNonNull(hold, "hold");
      Objects.requireNonNull(reward, "reward");
    }

    @Override
    public String message() {
      return "Hold '" + hold + "' was authorized for the voucher reward '" + reward + "', which the catalogue in force"
          + " no longer offers as a voucher (a later program version removed it or changed its kind), so no voucher"
          + " can be issued and the hold cannot be captured. Nothing was written; void the hold (voidHold) to give"
          + " the points, stock and limit use back.";
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
    /**
     * Validates that no field is null.
     *
     * @param hold the hold
     * @param held the points it holds
     * @param requested the points asked for
     * @throws NullPointerException if an argument is null
     */
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
