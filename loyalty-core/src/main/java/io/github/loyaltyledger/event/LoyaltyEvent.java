package io.github.loyaltyledger.event;

import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.tier.TierChange;
import io.github.loyaltyledger.tier.TierWarning;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a member's account, published to {@link LoyaltyEventListener}s after
 * the change is committed (never for a refused or replayed request).
 *
 * <p>The family is closed: switch over it exhaustively. Events that carry an entry also carry the
 * member's balance right after the change, except {@link PointsTransferred}, which tells of both
 * sides of a transfer at once; the same commit then publishes each side as an {@link EntryEvent}
 * with its member's balance ({@link PointsSent}, {@link PointsReceived}), so that a listener that
 * follows members by {@link #member()} hears of the receiver's change too.
 *
 * <p>A listener that keeps its own copy of the members (a CRM, a marketing tool) can do so from
 * the events alone:
 * <ul>
 *   <li><b>Identity and order.</b> An {@link EntryEvent} is identified by its entry's id, and a tier
 *       event by the id of the {@code TIER} entry that records it ({@code entry()}), a
 *       {@link PointsTransferred} by its {@code out()} entry's id; the id's
 *       sequence orders a member's events (it has gaps: entries that change nothing an event tells of,
 *       such as a {@code TIER} entry that only schedules a review, publish nothing). The others carry
 *       no entry: a {@link MemberEnrolled} comes once per member, a {@link PointsExpiringSoon} once
 *       per member, {@code expiresAt} and {@code points()} (a later one for the same expiry
 *       announces a larger total, points that arrived since: keep the last), a
 *       {@link TierWillDowngrade} once per member and review
 *       ({@code warning().reviewAt()}), and a {@link MemberStatusChanged} by its {@code version()},
 *       the account's version after the change, which also orders the member's status changes (two
 *       suspensions with a reactivation between have the same {@code from} and {@code to}).
 *       Deduplicate by these when events may come twice (the outbox relays at least once).</li>
 *   <li><b>Figures.</b> Points are whole points. An entry's {@code points()} is the signed change to
 *       the member's total (zero for {@code HOLD}, {@code RELEASE}, {@code VEST}, {@code TIER} and
 *       {@code ERASURE}, which move points between available, held and pending or move none);
 *       {@code balance()} is the member's whole balance after the entry, not a change: keep the last
 *       one heard.</li>
 *   <li><b>Time.</b> Every instant is an {@link Instant} (UTC); calendar rules use the member's zone,
 *       {@code MemberEnrolled.enrolled().zone()}. {@link #at()} is when the change was recorded; an
 *       entry's {@code occurredAt()} and a tier change's {@code change().at()} when it took effect,
 *       which may be earlier.</li>
 *   <li><b>Tiers.</b> A member starts in the ladder's base tier, which no event announces: until the
 *       first tier event, they hold the base tier of the program in force. A review, or an override's
 *       end, that falls due is published when the daily run records it (on the first day that starts
 *       at or after it, in the member's zone), while the facade's reads ({@code tierOf},
 *       {@code tierProgress}) show it from the instant it takes effect; {@code tierHistory} lists
 *       what the events told.</li>
 * </ul>
 */
public sealed interface LoyaltyEvent {

  /** @return the member the event is about */
  MemberId member();

  /** @return when the change was recorded */
  Instant at();

  /**
   * An event recording one ledger entry, with the member's balance right after the change.
   */
  sealed interface EntryEvent extends LoyaltyEvent {
    /** @return the entry written */
    Entry entry();

    /**
     * @return the member's balance right after this event's entry (in a change that writes several
     *     entries, each event carries the balance after its own)
     */
    Balance balance();

    @Override
    default MemberId member() {
      return entry().member();
    }

    @Override
    default Instant at() {
      return entry().recordedAt();
    }
  }

  /**
   * A member enrolled.
   *
   * @param enrolled the new member
   * @param at when it was recorded
   */
  record MemberEnrolled(Member enrolled, Instant at) implements LoyaltyEvent {
    /**
     * Validates that no field is null.
     *
     * @param enrolled the new member
     * @param at when it was recorded
     * @throws NullPointerException if an argument is null
     */
    public MemberEnrolled {
      Objects.requireNonNull(enrolled, "enrolled");
      Objects.requireNonNull(at, "at");
    }

    @Override
    public MemberId member() {
      return enrolled.id();
    }
  }

  /**
   * A member was suspended, reactivated or closed. A status change writes no ledger entry; the
   * account's version after it ({@code version}) identifies it and orders the member's status changes:
   * a suspension handed again by the outbox has the version it had, a later one a higher version.
   *
   * @param member the member
   * @param from the previous status
   * @param to the new status
   * @param reason why
   * @param at when it was recorded
   * @param version the member's account version right after the change (each commit on the member
   *     raises it by one), which the facade always sets; none for an event an earlier version of the
   *     library stored in the outbox
   */
  record MemberStatusChanged(MemberId member, MemberStatus from, MemberStatus to, String reason, Instant at,
      Option<Long> version) implements LoyaltyEvent {
    /**
     * Validates that no field is null and that a version is at least 1.
     *
     * @param member the member
     * @param from the previous status
     * @param to the new status
     * @param reason why
     * @param at when it was recorded
     * @param version the member's account version right after the change, if known
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code version} is below 1
     */
    public MemberStatusChanged {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(version, "version");
      if (version.exists(v -> v < 1)) {
        throw new IllegalArgumentException("an account version starts at 1, was " + version.get());
      }
    }

    /**
     * A status change that names no account version (as one stored by an earlier version reads back).
     *
     * @param member the member
     * @param from the previous status
     * @param to the new status
     * @param reason why
     * @param at when it was recorded
     * @throws NullPointerException if an argument is null
     */
    public MemberStatusChanged(MemberId member, MemberStatus from, MemberStatus to, String reason, Instant at) {
      this(member, from, to, reason, at, Option.none());
    }
  }

  /**
   * Points were earned or granted as a bonus (an {@code EARN} or {@code BONUS} entry). A birthday or
   * membership-anniversary reward of points is a {@code BONUS} whose details name the occasion
   * ({@code occasion}: {@code birthday} or {@code anniversary}) and its year ({@code occasion.year}).
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record PointsEarned(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public PointsEarned {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * Points were redeemed (a {@code REDEEM} entry): a reward, or points as payment. A birthday or
   * membership-anniversary gift from the catalogue is published as this event too: a
   * {@code REDEEM} entry of zero points whose details name the reward ({@code reward.id}) and the
   * occasion ({@code occasion}: {@code birthday} or {@code anniversary}; {@code occasion.year}),
   * so a listener that thanks members for redeeming should leave those out.
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record PointsRedeemed(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public PointsRedeemed {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * An operator adjusted the balance (an {@code ADJUST} entry).
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record PointsAdjusted(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public PointsAdjusted {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * An entry was reversed (a {@code REVERSAL} entry, which references the original).
   *
   * @param entry the reversal entry
   * @param balance the member's balance after it
   */
  record EntryReversed(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the reversal entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public EntryReversed {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * Points moved from one member to another; {@link #member()} is the sender. A transfer of points
   * of several expiries writes a pair of entries per expiry and publishes this event, and the two
   * that follow it, for each pair; the entries' details then number the pairs ({@code transfer.part})
   * and say how many there are ({@code transfer.parts}). It carries no balance:
   * the same commit then publishes a {@link PointsSent} for the sender and a {@link PointsReceived}
   * for the receiver, each with that member's balance (a listener that applies this event's entries
   * itself should not also apply theirs).
   *
   * @param out the sender's {@code TRANSFER_OUT} entry
   * @param in the receiver's {@code TRANSFER_IN} entry
   */
  record PointsTransferred(Entry out, Entry in) implements LoyaltyEvent {
    /**
     * Validates that no field is null.
     *
     * @param out the sender's {@code TRANSFER_OUT} entry
     * @param in the receiver's {@code TRANSFER_IN} entry
     * @throws NullPointerException if an argument is null
     */
    public PointsTransferred {
      Objects.requireNonNull(out, "out");
      Objects.requireNonNull(in, "in");
    }

    @Override
    public MemberId member() {
      return out.member();
    }

    @Override
    public Instant at() {
      return out.recordedAt();
    }
  }

  /**
   * The sender's side of a transfer (a {@code TRANSFER_OUT} entry), published after the
   * {@link PointsTransferred} of the same transfer.
   *
   * @param entry the sender's {@code TRANSFER_OUT} entry
   * @param balance the sender's balance after it
   */
  record PointsSent(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the sender's {@code TRANSFER_OUT} entry
     * @param balance the sender's balance after it
     * @throws NullPointerException if an argument is null
     */
    public PointsSent {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * The receiver's side of a transfer (a {@code TRANSFER_IN} entry, which references the sender's
   * {@code TRANSFER_OUT}); {@link #member()} is the receiver. Published after the
   * {@link PointsSent} of the same transfer.
   *
   * @param entry the receiver's {@code TRANSFER_IN} entry
   * @param balance the receiver's balance after it
   */
  record PointsReceived(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the receiver's {@code TRANSFER_IN} entry
     * @param balance the receiver's balance after it
     * @throws NullPointerException if an argument is null
     */
    public PointsReceived {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * Points expired (an {@code EXPIRE} entry).
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record PointsExpired(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public PointsExpired {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * Pending points became available (a {@code VEST} entry).
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record PointsVested(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public PointsVested {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * The balance was forfeited when the account closed (a {@code FORFEIT} entry).
   *
   * @param entry the entry
   * @param balance the member's balance after it (zero)
   */
  record PointsForfeited(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it (zero)
     * @throws NullPointerException if an argument is null
     */
    public PointsForfeited {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * A member moved up the tier ladder (qualification, a review, an override or its end).
   *
   * @param member the member
   * @param change the change, as recorded by its {@code TIER} entry
   * @param at when it was recorded
   * @param entry the {@code TIER} entry that records the change: its id is the event's stable id, by
   *     which a listener that may hear it twice (the outbox relays at least once) recognises it, and
   *     its sequence orders the event among the member's {@link EntryEvent}s; none only for an event
   *     that an earlier version stored in the JPA outbox and that is relayed after the upgrade
   */
  record TierUpgraded(MemberId member, TierChange change, Instant at, Option<EntryId> entry)
      implements LoyaltyEvent {
    /**
     * Validates that no field is null.
     *
     * @param member the member
     * @param change the change, as recorded by its {@code TIER} entry
     * @param at when it was recorded
     * @param entry the {@code TIER} entry that records the change (none only for an event an earlier
     *     version stored in the JPA outbox)
     * @throws NullPointerException if an argument is null
     */
    public TierUpgraded {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(change, "change");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(entry, "entry");
    }

    /**
     * An event that names no {@code TIER} entry, as an earlier version stored them in the JPA outbox.
     *
     * @param member the member
     * @param change the change, as recorded by its {@code TIER} entry
     * @param at when it was recorded
     * @throws NullPointerException if an argument is null
     */
    public TierUpgraded(MemberId member, TierChange change, Instant at) {
      this(member, change, at, Option.none());
    }
  }

  /**
   * A member moved down the tier ladder (a review, an override or its end).
   *
   * @param member the member
   * @param change the change, as recorded by its {@code TIER} entry
   * @param at when it was recorded
   * @param entry the {@code TIER} entry that records the change: its id is the event's stable id, by
   *     which a listener that may hear it twice (the outbox relays at least once) recognises it, and
   *     its sequence orders the event among the member's {@link EntryEvent}s; none only for an event
   *     that an earlier version stored in the JPA outbox and that is relayed after the upgrade
   */
  record TierDowngraded(MemberId member, TierChange change, Instant at, Option<EntryId> entry)
      implements LoyaltyEvent {
    /**
     * Validates that no field is null.
     *
     * @param member the member
     * @param change the change, as recorded by its {@code TIER} entry
     * @param at when it was recorded
     * @param entry the {@code TIER} entry that records the change (none only for an event an earlier
     *     version stored in the JPA outbox)
     * @throws NullPointerException if an argument is null
     */
    public TierDowngraded {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(change, "change");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(entry, "entry");
    }

    /**
     * An event that names no {@code TIER} entry, as an earlier version stored them in the JPA outbox.
     *
     * @param member the member
     * @param change the change, as recorded by its {@code TIER} entry
     * @param at when it was recorded
     * @throws NullPointerException if an argument is null
     */
    public TierDowngraded(MemberId member, TierChange change, Instant at) {
      this(member, change, at, Option.none());
    }
  }

  /**
   * A member moved between a tier the program's ladder does not have and one it has: off a tier
   * that a later program version removed, by the first evaluation, review or override that changes
   * their tier after that version (see ADR 0007). The ladder cannot order a tier it does not have, so
   * such a move is neither a {@link TierUpgraded} nor a {@link TierDowngraded}; a listener that keeps
   * members' tiers takes the new one from {@code change().to()} as it does for those two.
   *
   * @param member the member
   * @param change the change, as recorded by its {@code TIER} entry
   * @param at when it was recorded
   * @param entry the {@code TIER} entry that records the change: its id is the event's stable id, by
   *     which a listener that may hear it twice (the outbox relays at least once) recognises it, and
   *     its sequence orders the event among the member's {@link EntryEvent}s; none only for an event
   *     that an earlier version stored in the JPA outbox and that is relayed after the upgrade
   */
  record TierReassigned(MemberId member, TierChange change, Instant at, Option<EntryId> entry)
      implements LoyaltyEvent {
    /**
     * Validates that no field is null.
     *
     * @param member the member
     * @param change the change, as recorded by its {@code TIER} entry
     * @param at when it was recorded
     * @param entry the {@code TIER} entry that records the change (none only for an event an earlier
     *     version stored in the JPA outbox)
     * @throws NullPointerException if an argument is null
     */
    public TierReassigned {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(change, "change");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(entry, "entry");
    }

    /**
     * An event that names no {@code TIER} entry, as an earlier version stored them in the JPA outbox.
     *
     * @param member the member
     * @param change the change, as recorded by its {@code TIER} entry
     * @param at when it was recorded
     * @throws NullPointerException if an argument is null
     */
    public TierReassigned(MemberId member, TierChange change, Instant at) {
      this(member, change, at, Option.none());
    }
  }

  /**
   * A member will lose their tier at the coming review unless they do more; published once per
   * review, by the first daily review within the ladder's warning days.
   *
   * @param member the member
   * @param warning the tier, the tier the review would give, when, and what is needed to keep it
   * @param at when it was announced
   */
  record TierWillDowngrade(MemberId member, TierWarning warning, Instant at) implements LoyaltyEvent {
    /**
     * Validates that no field is null.
     *
     * @param member the member
     * @param warning the tier, the tier the review would give, when, and what is needed to keep it
     * @param at when it was announced
     * @throws NullPointerException if an argument is null
     */
    public TierWillDowngrade {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(warning, "warning");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A notice ahead of an expiry: some of the member's points will expire soon unless spent. Sent
   * by the daily run the program's notice period ahead, once per member and expiry instant, and
   * again, with the new total, when more points expire then by a later run (points that arrived
   * after the notice: a late upload, a transfer in, a credit, points a hold gave back); never twice
   * for the same total.
   *
   * @param member the member
   * @param points how many points will expire if nothing else happens meanwhile (what is left of the
   *     lots expiring then, pending or not, with what holds timing out before then give back to
   *     them; not points still held at the instant), positive
   * @param expiresAt when they expire
   * @param at when the notice was recorded
   */
  record PointsExpiringSoon(MemberId member, Points points, Instant expiresAt, Instant at) implements LoyaltyEvent {
    /**
     * Validates that no field is null.
     *
     * @param member the member
     * @param points how many points will expire (what is left of the lots expiring then), positive
     * @param expiresAt when they expire
     * @param at when the notice was recorded
     * @throws NullPointerException if an argument is null
     */
    public PointsExpiringSoon {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(points, "points");
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * Points were reserved at the till (a {@code HOLD} entry).
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record PointsHeld(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public PointsHeld {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * A hold was captured (a {@code CAPTURE} entry); any rest was released.
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record HoldCaptured(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public HoldCaptured {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * A hold was voided or released at expiry (a {@code RELEASE} entry).
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record HoldReleased(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public HoldReleased {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * A redemption was cancelled and its points given back (a {@code REVERSAL} entry), or part of a
   * payment with points was: then the entry records the money given back ({@code payment.returned}),
   * and its points are that part's, possibly none when the part is worth less than a point.
   *
   * @param entry the entry
   * @param balance the member's balance after it
   */
  record RedemptionCancelled(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the entry
     * @param balance the member's balance after it
     * @throws NullPointerException if an argument is null
     */
    public RedemptionCancelled {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }

  /**
   * A member's personal data was erased (their profile deleted, their birthday cleared) and their
   * account closed; an {@code ERASURE} entry records it in their ledger.
   *
   * @param entry the {@code ERASURE} entry
   * @param balance the member's balance after it (zero)
   */
  record MemberErased(Entry entry, Balance balance) implements EntryEvent {
    /**
     * Validates that no field is null.
     *
     * @param entry the {@code ERASURE} entry
     * @param balance the member's balance after it (zero)
     * @throws NullPointerException if an argument is null
     */
    public MemberErased {
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(balance, "balance");
    }
  }
}
