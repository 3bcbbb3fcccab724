package io.github.loyaltyledger.tier;

import io.github.loyaltyledger.member.Member;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A member's standing on a {@link TierLadder}, computed from their recorded tier changes and their
 * qualifying activity: a pure function of that history and the instant asked about. The facade
 * writes what it decides as {@code TIER} entries; reads use it to answer for any instant.
 *
 * <p>How the tier at an instant is found: the recorded changes up to that instant are replayed in
 * order; between them, every review that fell due and is not recorded yet is computed exactly as
 * the review operation would write it. So a read never waits for the daily run, and the review
 * writes what reads already showed. Reviews fall due when a status ends (its {@code until} plus the
 * ladder's grace), when an override ends, and — for {@link UpgradePolicy#NEXT_PERIOD} ladders — at
 * each period's end.
 *
 * <p>Lifetime tiers ({@link Tier#lifetime()}) are a floor: once a member has reached one (or a tier
 * above it) by qualification, no review, revocation or end of an override puts them below it, and
 * it lasts without end. Reaching a tier reaches every tier under it, so the floor is the highest
 * lifetime tier at or below the highest tier reached. Two things do not move the floor: an
 * operator's override neither grants a lifetime tier nor is held to the floor while it is in force
 * (it is explicit, temporary and recorded with who and why; the floor applies again when it ends),
 * and a {@link TierChangeReason#RETURNED revocation} takes back the lifetime tier that the revoked
 * upgrades reached, though never the floor held before them.
 *
 * <p>Instances are immutable apart from a cache and meant for one request; not thread-safe.
 */
public final class TierStanding {

  private static final long NANO = 1;

  private final TierLadder ladder;
  private final Member member;
  private final ZoneId zone;
  private final List<TierChange> recorded;
  private final TierActivity activity;
  private final Map<Instant, Long> carries = new HashMap<>();

  private TierStanding(TierLadder ladder, Member member, List<TierChange> recorded, TierActivity activity) {
    this.ladder = Objects.requireNonNull(ladder, "ladder");
    this.member = Objects.requireNonNull(member, "member");
    this.zone = member.zone();
    this.recorded = Objects.requireNonNull(recorded, "recorded").sortBy(TierChange::at);
    this.activity = Objects.requireNonNull(activity, "activity");
  }

  /**
   * Computes a member's standing.
   *
   * @param ladder the program's ladder, not null
   * @param member the member (enrolment instant and zone), not null
   * @param recorded the member's recorded tier changes in ledger order, not null
   * @param activity reads the member's qualifying activity, not null
   * @return the standing
   */
  public static TierStanding of(
      TierLadder ladder, Member member, List<TierChange> recorded, TierActivity activity) {
    return new TierStanding(ladder, member, recorded, activity);
  }

  /**
   * @param at the instant, not null
   * @return the member's tier at {@code at}
   */
  public TierId tierAt(Instant at) {
    return settle(at).state.tier;
  }

  /**
   * The reviews due at or before an instant that are not recorded yet, as the review operation
   * writes them, oldest first.
   *
   * @param asOf the instant, not null
   * @return the changes (possibly empty)
   */
  public List<TierChange> pending(Instant asOf) {
    return settle(asOf).pending;
  }

  /**
   * When the next review that records a change is due, on the activity recorded up to {@code asOf}:
   * the end of an override in force, else the review of the status held (its {@code until} plus the
   * grace), or — on a {@link UpgradePolicy#NEXT_PERIOD} ladder whose current window already earns a
   * higher tier — the end of the period, if that comes first. What the facade keeps the due-work index
   * on, so that the daily run visits the member then; a period end that brings no upgrade (returns
   * took the activity back) is no review to visit for.
   *
   * @param asOf the instant, not null
   * @return the instant, or none if no review is coming
   */
  public Option<Instant> nextReview(Instant asOf) {
    State s = settle(asOf).state;
    if (s.overridden) {
      return s.until;
    }
    boolean upgradeDue = ladder.upgrade() == UpgradePolicy.NEXT_PERIOD
        && ladder.rank(ladder.earnedBy(activityAt(asOf)).id()) > ladder.rank(s.tier);
    return upgradeDue ? dueAt(s) : s.until.map(this::reviewAt);
  }

  /**
   * What an evaluation writes now: the pending reviews, then an upgrade if the ladder upgrades
   * immediately and the activity of the current window reaches a tier above the one held (an
   * override is ended by such an upgrade if the tier is also above the one the activity earned when
   * the override was set, activity occurring at that very instant included, and a higher status underneath it resumes while it holds,
   * {@link TierChangeReason#OVERRIDE_EXPIRED}, as at the override's end). If the ladder
   * {@linkplain TierLadder#returnsRevokeUpgrades() revokes upgrades on returns}, and returns took the
   * activity of the window that earned the latest upgrade below its threshold, the upgrade is revoked
   * instead ({@link TierChangeReason#RETURNED}).
   *
   * @param now the evaluation instant, not null
   * @return the changes to record (possibly empty)
   */
  public List<TierChange> evaluate(Instant now) {
    Settled settled = settle(now);
    State s = settled.state;
    if (ladder.upgrade() != UpgradePolicy.IMMEDIATE) {
      return settled.pending;
    }
    Tier earned = ladder.earnedBy(activityAt(now));
    // An override is ended by an upgrade earned while it is in force, not by activity that had earned
    // as much when it was set (a demotion would not last beyond the next purchase); while one is in
    // force, the cursor is the instant it was set.
    boolean upgraded = ladder.rank(earned.id()) > ladder.rank(s.tier) && (!s.overridden
        || ladder.rank(earned.id()) > ladder.rank(ladder.earnedBy(activityAt(s.cursor)).id()));
    if (upgraded) {
      // ending an override set below the lifetime floor brings the member back to the floor at least
      TierChange upgrade = atLeast(s.floor, new TierChange(s.tier, earned.id(), TierChangeReason.QUALIFIED,
          now, untilFor(earned, now), Option.none()));
      // and, as the override's end would, back to a higher status underneath while it holds (also in its grace)
      boolean underHigher = s.overridden && ladder.rank(s.underTier) > ladder.rank(upgrade.to())
          && s.underUntil.forAll(u -> reviewAt(u).isAfter(now));
      return settled.pending.append(underHigher
          ? new TierChange(s.tier, s.underTier, TierChangeReason.OVERRIDE_EXPIRED, now, s.underUntil, Option.none())
          : upgrade);
    }
    return ladder.returnsRevokeUpgrades() && !s.overridden && s.prior.isDefined()
        ? settled.pending.appendAll(revocation(s, now))
        : settled.pending;
  }

  /**
   * Takes back an immediate upgrade whose window's activity, after returns, no longer reaches it,
   * and earns less than the activity the upgrade was made on (on this ladder: where a later version
   * raised the threshold, that activity may itself fall short of the tier, which only the review then
   * judges):
   * back to the status held before the upgrades of that window, if it still lasts (until its review,
   * so also in its grace period, with its own {@code until}), or to what the
   * remaining activity earns, whichever is higher, and never below the lifetime floor held before
   * those upgrades (a lifetime tier that only the revoked upgrades reached is taken back with them).
   */
  private Option<TierChange> revocation(State s, Instant now) {
    QualifyingPeriod upgraded = ladder.window().at(s.since, zone, member.enrolledAt());
    if (ladder.window().isPeriodic() && !upgraded.contains(now)) {
      return Option.none();
    }
    // Returns of credits from before the window took back nothing the upgrade was earned with.
    Tier earned = ladder.earnedBy(
        activity.ofCreditsFrom(upgraded.start(), now.plusNanos(NANO)).plusPoints(carryInto(upgraded)));
    if (ladder.rank(earned.id()) >= ladder.rank(s.tier)) {
      return Option.none();
    }
    // Only returns take an upgrade back: the activity must earn less than the upgrade's own activity
    // earns on this ladder. A later program version that asks more for the tier than the one it was
    // earned under leaves it to the review, as for a member on a ladder that revokes nothing.
    if (ladder.rank(earned.id()) >= ladder.rank(ladder.earnedBy(activitySeenBy(s.since, upgraded)).id())) {
      return Option.none();
    }
    State before = s.prior.get();
    while (before.prior.isDefined() && upgraded.contains(before.since)) {
      before = before.prior.get();
    }
    // as at the end of an override, the status before lasts until its review: its grace period included
    boolean fallBack = before.until.forAll(u -> reviewAt(u).isAfter(now)) && ladder.rank(before.tier) >= ladder.rank(earned.id());
    TierChange revoked = fallBack
        ? new TierChange(s.tier, before.tier, TierChangeReason.RETURNED, now, before.until, Option.none())
        : new TierChange(s.tier, earned.id(), TierChangeReason.RETURNED, now, untilFor(earned, now), Option.none());
    TierChange floored = atLeast(before.floor, revoked);
    return floored.movesTier() ? Option.some(floored) : Option.none();
  }

  /**
   * What an operator's override writes now: the pending reviews, then the override.
   *
   * @param now the instant, not null
   * @param to the tier to set, on the ladder, not null
   * @param until when the override ends and the computed tier resumes, after {@code now}, not null
   * @param operator who sets it, not null
   * @return the changes to record
   * @throws IllegalArgumentException if {@code until} is not after {@code now}
   */
  public List<TierChange> override(Instant now, TierId to, Instant until, String operator) {
    Settled settled = settle(now);
    return settled.pending.append(new TierChange(settled.state.tier, to, TierChangeReason.OVERRIDE, now,
        Option.some(until), Option.some(operator)));
  }

  /**
   * Where the member stands now. For a tier the ladder does not have (a later program version
   * removed it), the next tier is the one above what the activity earns, where the next evaluation or
   * review puts the member, and nothing keeps the tier ({@link TierProgress#neededToKeep()} is none).
   * While an override is in force, the next tier is above the one the activity earned when it was set
   * too: only such an upgrade ends it ({@link #evaluate}).
   *
   * @param now the instant, not null
   * @return the progress
   */
  public TierProgress progress(Instant now) {
    State s = settle(now).state;
    Tier current = tier(s.tier);
    QualifyingActivity act = activityAt(now);
    // A tier the ladder no longer has is neither kept nor climbed from: the next evaluation or review
    // moves the member to what the activity earns, so the next tier up is the one above that.
    boolean onLadder = ladder.tier(s.tier).isDefined();
    int from = onLadder ? ladder.rank(s.tier) : ladder.rank(ladder.earnedBy(act).id());
    // Under an override, a tier the activity had earned when it was set is no upgrade (evaluate):
    // the next tier is the first one that would end it, not one the member has met and will not get.
    from = s.overridden ? Math.max(from, ladder.rank(ladder.earnedBy(activityAt(s.cursor)).id())) : from;
    Option<Tier> next = ladder.tiers().drop(from + 1).headOption();
    Option<QualifyingActivity> keep = s.overridden || !onLadder ? Option.none()
        : s.until.map(u -> neededToKeep(current, u, now));
    return new TierProgress(s.tier, s.since, s.until, s.overridden, ladder.window().at(now, zone, member.enrolledAt()),
        act, next.map(Tier::id), next.map(t -> t.qualification().missing(act)), keep, dueAt(s));
  }

  /**
   * The downgrade the next review will make on the activity recorded so far, if it is within the
   * ladder's warning days of {@code asOf}. A fall that a lifetime tier stops is announced as a fall
   * to that tier, and none is announced when the member would keep the tier held.
   *
   * @param asOf the instant, not null
   * @return the warning, or none if no review is near or the member keeps the tier
   */
  public Option<TierWarning> warning(Instant asOf) {
    State s = settle(asOf).state;
    if (s.overridden || s.until.isEmpty() || ladder.warningDays() == 0) {
      return Option.none();
    }
    Instant review = reviewAt(s.until.get());
    // Calendar days: from the start of the day the warning days before the review's day. Not the
    // review's local time that many days earlier: a review on a day whose midnight is skipped is at
    // 01:00, and the warning then waited for the day after its own.
    Instant warnFrom = LocalDate.ofInstant(review, zone).minusDays(ladder.warningDays()).atStartOfDay(zone).toInstant();
    if (!review.isAfter(asOf) || asOf.isBefore(warnFrom)) {
      return Option.none();
    }
    Option<TierChange> downgrade = decide(s, review).filter(c -> ladder.rank(c.to()) < ladder.rank(s.tier));
    return downgrade.map(c -> new TierWarning(s.tier, c.to(), review, neededToKeep(tier(s.tier), s.until.get(), asOf)));
  }

  /**
   * What is still missing, as of {@code asOf}, to keep {@code held} at the review of a status that
   * ends at {@code until}. The review keeps it if the window that ends with the status, or (after a
   * grace period) the window current at the review, qualifies, so nothing is missing if either does
   * on the activity so far; otherwise what is missing in the window that ends with the status while
   * it runs, and once it has ended (that window is closed) in the window the review will look at.
   */
  private QualifyingActivity neededToKeep(Tier held, Instant until, Instant asOf) {
    Qualification q = held.qualification();
    QualifyingActivity ended = activityAt(until.minusNanos(NANO));
    Instant review = reviewAt(until);
    if (q.isMetBy(ended) || !review.isAfter(until) || !review.isAfter(asOf)) {
      return q.missing(ended);
    }
    QualifyingPeriod reviewed = ladder.window().at(review, zone, member.enrolledAt());
    QualifyingActivity atReview = activity.between(reviewed.start(), asOf.plusNanos(NANO)).plusPoints(carryInto(reviewed));
    return q.isMetBy(atReview) || !asOf.isBefore(until) ? q.missing(atReview) : q.missing(ended);
  }

  // ---------------------------------------------------------------- the timeline

  /**
   * The state after replaying changes: the tier, since when, its term, whether an override sets it
   * and the status underneath, the last instant reviewed (while an override is in force, the instant
   * it was set), the status before the latest immediate upgrade (kept through revocations), for
   * returns to bring back, and the lifetime floor: the highest lifetime tier reached, if any, below
   * which nothing but an override puts the member.
   */
  private record State(TierId tier, Instant since, Option<Instant> until, boolean overridden, TierId underTier,
      Option<Instant> underUntil, Instant cursor, Option<State> prior, Option<TierId> floor) {

    /** The state after a change, with the lifetime floor that holds after it (see {@code floorAfter}). */
    State after(TierChange c, Option<TierId> newFloor) {
      Instant newSince = c.movesTier() ? c.at() : since;
      if (c.reason() == TierChangeReason.OVERRIDE) {
        return overridden
            ? new State(c.to(), newSince, c.until(), true, underTier, underUntil, c.at(), Option.none(), newFloor)
            : new State(c.to(), newSince, c.until(), true, tier, until, c.at(), Option.none(), newFloor);
      }
      Option<State> before = c.reason() == TierChangeReason.RETURNED ? prior
          : c.reason() != TierChangeReason.QUALIFIED ? Option.none()
          : overridden ? Option.some(new State(underTier, since, underUntil, false, underTier, underUntil, cursor,
              Option.none(), floor))
          : Option.some(this);
      return new State(c.to(), newSince, c.until(), false, c.to(), c.until(), c.at(), before, newFloor);
    }

    State reviewedAt(Instant at) {
      return new State(tier, since, until, overridden, underTier, underUntil, at, prior, floor);
    }
  }

  /** The state at an instant and the due changes not recorded yet. */
  private record Settled(State state, List<TierChange> pending) {}

  private Settled settle(Instant asOf) {
    Objects.requireNonNull(asOf, "asOf");
    TierId base = ladder.base().id();
    State s = new State(base, member.enrolledAt(), Option.none(), false, base, Option.none(), member.enrolledAt(),
        Option.none(), lifetimeAtOrBelow(base));
    List<TierChange> pending = List.empty();
    List<TierChange> left = recorded.filter(c -> !c.at().isAfter(asOf));
    while (true) {
      Option<Instant> due = dueAt(s).filter(d -> !d.isAfter(asOf));
      if (due.isDefined() && (left.isEmpty() || due.get().isBefore(left.head().at()))) {
        Instant at = due.get();
        Option<TierChange> change = decide(s, at);
        pending = pending.appendAll(change);
        s = change.isDefined() ? next(s, change.get()) : s.reviewedAt(at);
      } else if (!left.isEmpty()) {
        s = next(s, left.head());
        left = left.tail();
      } else {
        return new Settled(s, pending);
      }
    }
  }

  private State next(State s, TierChange c) {
    return s.after(c, floorAfter(s, c));
  }

  /**
   * The lifetime floor after a change: an override leaves it as it was (setting a tier by hand is
   * not reaching it); a revocation sets it to what the tier it returns to reaches, since it takes
   * back what the revoked upgrades reached and is never below the floor held before them; any
   * other change raises it to the highest lifetime tier at or below the tier it moves to. A change
   * that records its tier without end ({@link #heldForLife}) reaches that tier, lifetime on this
   * ladder or not: a later version taking {@code forLife()} off it keeps it the floor.
   */
  private Option<TierId> floorAfter(State s, TierChange c) {
    if (c.reason() == TierChangeReason.OVERRIDE) {
      return s.floor;
    }
    Option<TierId> reached = heldForLife(c) ? Option.some(c.to()) : lifetimeAtOrBelow(c.to());
    if (c.reason() == TierChangeReason.RETURNED || s.floor.isEmpty()) {
      return reached;
    }
    return reached.filter(r -> ladder.rank(r) > ladder.rank(s.floor.get())).orElse(s.floor);
  }

  /**
   * Whether a change, not an override, recorded a status of the ladder above its base without end:
   * a status for life under the program version that recorded it, whose promise a later version
   * taking {@code forLife()} off the tier does not take back. (On a ladder that never downgrades,
   * every status is recorded so, and is kept so.)
   */
  private boolean heldForLife(TierChange c) {
    return c.until().isEmpty() && !c.to().equals(ladder.base().id()) && ladder.tier(c.to()).isDefined();
  }

  /** The highest lifetime tier at or below {@code id} on the ladder, if any (none if it is off the ladder). */
  private Option<TierId> lifetimeAtOrBelow(TierId id) {
    return ladder.tiers().take(ladder.rank(id) + 1).findLast(Tier::lifetime).map(Tier::id);
  }

  /**
   * The change, or — if it would put the member below the lifetime floor — the same change to the
   * floor, held for life (no {@code until}).
   */
  private TierChange atLeast(Option<TierId> floor, TierChange c) {
    return floor.filter(f -> ladder.rank(c.to()) < ladder.rank(f))
        .map(f -> new TierChange(c.from(), f, c.reason(), c.at(), Option.none(), c.operator()))
        .getOrElse(c);
  }

  private Instant reviewAt(Instant until) {
    return ladder.reviewAt(until, zone);
  }

  private Option<Instant> dueAt(State s) {
    if (s.overridden) {
      return s.until;
    }
    Option<Instant> review = s.until.map(this::reviewAt);
    if (ladder.upgrade() != UpgradePolicy.NEXT_PERIOD || ladder.rank(s.tier) == ladder.tiers().size() - 1) {
      return review;
    }
    Instant periodEnd = ladder.window().at(s.cursor, zone, member.enrolledAt()).end();
    return Option.some(review.filter(r -> r.isBefore(periodEnd)).getOrElse(periodEnd));
  }

  /**
   * The change a review at {@code at} makes, or none when a period's end brings no upgrade; never
   * below the member's lifetime floor.
   */
  private Option<TierChange> decide(State s, Instant at) {
    return unflooredDecision(s, at).map(c -> atLeast(s.floor, c));
  }

  private Option<TierChange> unflooredDecision(State s, Instant at) {
    if (s.overridden) {
      // the status underneath resumes until its review: an override ending in its grace leaves the rest of the grace
      boolean underHolds = s.underUntil.forAll(u -> reviewAt(u).isAfter(at));
      TierChange resumed = underHolds
          ? new TierChange(s.tier, s.underTier, TierChangeReason.OVERRIDE_EXPIRED, at, s.underUntil, Option.none())
          : review(s.tier, s.underTier, s.underUntil.get(), at, TierChangeReason.OVERRIDE_EXPIRED);
      // a tier earned meanwhile: on a next-period ladder, by the last period that ended (its upgrade was
      // due at its end, while the override was in force), not by the period still running
      Instant earnedAt = ladder.upgrade() == UpgradePolicy.NEXT_PERIOD
          ? ladder.window().at(at, zone, member.enrolledAt()).start().minusNanos(NANO)
          : at.minusNanos(NANO);
      Tier earned = ladder.earnedBy(activityAt(earnedAt));
      Option<Instant> earnedUntil = untilFor(earned, earnedAt);
      if (earnedUntil.exists(u -> !u.isAfter(at))) {
        earnedUntil = untilFor(earned, at);
      }
      return Option.some(ladder.rank(earned.id()) > ladder.rank(resumed.to())
          ? new TierChange(s.tier, earned.id(), TierChangeReason.OVERRIDE_EXPIRED, at, earnedUntil, Option.none())
          : resumed);
    }
    if (s.until.exists(u -> !reviewAt(u).isAfter(at))) {
      return Option.some(review(s.tier, s.tier, s.until.get(), at, TierChangeReason.REVIEW));
    }
    Tier earned = ladder.earnedBy(activityAt(at.minusNanos(NANO)));
    return ladder.rank(earned.id()) > ladder.rank(s.tier)
        ? Option.some(new TierChange(s.tier, earned.id(), TierChangeReason.REVIEW, at,
            untilFor(earned, at.minusNanos(NANO)), Option.none()))
        : Option.none();
  }

  /**
   * Reviews status in {@code held} that ended at {@code until}: the activity of the window that
   * ended with it, or (after a grace period) of the window current at the review, whichever earns
   * more, decides; the downgrade policy limits the fall.
   */
  private TierChange review(TierId from, TierId held, Instant until, Instant at, TierChangeReason reason) {
    Instant endedWindow = until.minusNanos(NANO);
    Tier byEnded = ladder.earnedBy(activityAt(endedWindow));
    Tier byCurrent = at.equals(until) ? byEnded : ladder.earnedBy(activityAt(at));
    boolean currentBetter = ladder.rank(byCurrent.id()) > ladder.rank(byEnded.id());
    Tier earned = currentBetter ? byCurrent : byEnded;
    int heldRank = ladder.rank(held);
    Tier next;
    if (ladder.rank(earned.id()) >= heldRank || ladder.downgrade() == DowngradePolicy.NONE) {
      next = ladder.rank(earned.id()) >= heldRank ? earned : tier(held);
    } else if (ladder.downgrade() == DowngradePolicy.ONE_STEP) {
      next = ladder.tiers().get(Math.max(ladder.rank(earned.id()), heldRank - 1));
    } else {
      next = earned;
    }
    Instant earnedAt = next.equals(earned) && currentBetter ? at : endedWindow;
    Option<Instant> nextUntil = untilFor(next, earnedAt);
    if (nextUntil.exists(u -> !u.isAfter(at))) {
      nextUntil = untilFor(next, at);
    }
    return new TierChange(from, next.id(), reason, at, nextUntil, Option.none());
  }

  private Option<Instant> untilFor(Tier tier, Instant earnedAt) {
    if (tier.equals(ladder.base()) || tier.lifetime() || ladder.downgrade() == DowngradePolicy.NONE) {
      return Option.none();
    }
    return Option.some(ladder.term().end(earnedAt, ladder.window(), zone, member.enrolledAt()));
  }

  private Tier tier(TierId id) {
    return ladder.tier(id).getOrElse(ladder::base);
  }

  // ---------------------------------------------------------------- activity

  /**
   * The activity an upgrade made at {@code since} was made on: that of its window before it, and
   * what occurred at its very instant but the returns, which came after the upgrade.
   */
  private QualifyingActivity activitySeenBy(Instant since, QualifyingPeriod window) {
    Instant to = since.plusNanos(NANO).isBefore(window.end()) ? since.plusNanos(NANO) : window.end();
    QualifyingActivity before = activity.between(window.start(), since).plusPoints(carryInto(window));
    return before.plus(activity.beforeReturns(since, to));
  }

  /** The activity of the window in force at {@code at}, counted up to and including {@code at}. */
  private QualifyingActivity activityAt(Instant at) {
    QualifyingPeriod p = ladder.window().at(at, zone, member.enrolledAt());
    Instant to = at.plusNanos(NANO).isBefore(p.end()) ? at.plusNanos(NANO) : p.end();
    return activity.between(p.start(), to).plusPoints(carryInto(p));
  }

  /**
   * Excess qualifying points of the previous period over the points threshold it reached, capped:
   * the highest points threshold at or below the tier that period earned (a tier reached on spend or
   * visits alone also reached the points tiers under it; none reached, every point is excess).
   */
  private long carryInto(QualifyingPeriod p) {
    if (ladder.rolloverCap().isEmpty() || !p.start().isAfter(member.enrolledAt())) {
      return 0;
    }
    Long known = carries.get(p.start());
    if (known != null) {
      return known;
    }
    QualifyingPeriod previous = ladder.window().at(p.start().minusNanos(NANO), zone, member.enrolledAt());
    QualifyingActivity before = activity.between(previous.start(), previous.end()).plusPoints(carryInto(previous));
    // a ladder is climbed: a tier reached on spend or visits alone also reached the points tiers under it
    long threshold = ladder.tiers().take(ladder.rank(ladder.earnedBy(before).id()) + 1)
        .flatMap(t -> t.qualification().points()).max().getOrElse(0L);
    long carry = Math.max(0, Math.min(ladder.rolloverCap().get(), before.points() - threshold));
    carries.put(p.start(), carry);
    return carry;
  }
}
