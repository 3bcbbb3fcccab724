package io.github.loyaltyledger.tier;

import io.vavr.control.Option;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a member stands on the ladder now: the tier and since when, until when the status lasts,
 * whether an operator's override is in force, the qualifying activity of the current window, the
 * next tier up and what is missing for it, what is needed in the reviewed window to keep the
 * current tier, and when the next review is.
 *
 * @param tier the tier held now
 * @param since when the member reached it
 * @param until when the status ends and is reviewed (an override's end date), if it does
 * @param overridden true if an operator's override sets the tier
 * @param window the current qualification window
 * @param activity the qualifying activity in {@code window} so far (with any rollover)
 * @param next the next tier up, if any (for a tier the ladder does not have, the one above what the
 *     activity earns; while an override is in force, also above the tier the activity earned when it
 *     was set, since on an {@link UpgradePolicy#IMMEDIATE} ladder only such an upgrade ends it early;
 *     on a {@link UpgradePolicy#NEXT_PERIOD} ladder no upgrade ends an override early)
 * @param missingForNext what is still missing in {@code window} for {@code next}, if there is one
 * @param neededToKeep what is still missing in the window the review looks at to keep {@code tier},
 *     if the status can be lost: the window that ends with the status, or, once it has ended (in the
 *     grace period), the window current at the review unless the ended one already qualified; none
 *     while an override is in force, and for a tier the ladder does not have (a later program version
 *     removed it), which no activity keeps: the next evaluation or review moves the member to what the
 *     activity earns
 * @param nextReview when the next review is due, if any
 */
public record TierProgress(
    TierId tier,
    Instant since,
    Option<Instant> until,
    boolean overridden,
    QualifyingPeriod window,
    QualifyingActivity activity,
    Option<TierId> next,
    Option<QualifyingActivity> missingForNext,
    Option<QualifyingActivity> neededToKeep,
    Option<Instant> nextReview) {

  /**
   * Validates that no field is null.
   *
   * @param tier the tier held now
   * @param since when the member reached it
   * @param until when the status ends and is reviewed (an override's end date), if it does
   * @param overridden true if an operator's override sets the tier
   * @param window the current qualification window
   * @param activity the qualifying activity in {@code window} so far (with any rollover)
   * @param next the next tier up, if any (see the class description)
   * @param missingForNext what is still missing in {@code window} for {@code next}, if there is one
   * @param neededToKeep what is still missing in the window the review looks at to keep {@code tier},
   *     if the status can be lost: the window that ends with the status, or, once it has ended (in the
   *     grace period), the window current at the review unless the ended one already qualified; none
   *     while an override is in force, and for a tier the ladder does not have, which no activity keeps
   * @param nextReview when the next review is due, if any
   * @throws NullPointerException if an argument is null
   */
  public TierProgress {
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(activity, "activity");
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(missingForNext, "missingForNext");
    Objects.requireNonNull(neededToKeep, "neededToKeep");
    Objects.requireNonNull(nextReview, "nextReview");
  }
}
