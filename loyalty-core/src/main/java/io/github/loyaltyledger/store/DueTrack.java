package io.github.loyaltyledger.store;

/**
 * The kinds of dated work the {@link DueWorkIndex} tracks per member, each as the member's next due
 * instant (see {@link DueWork#next(DueTrack)}).
 */
public enum DueTrack {
  /** The earliest vesting instant of the member's pending lots. */
  VESTING,
  /** The earliest expiry instant of the member's live lots. */
  LOT_EXPIRY,
  /**
   * The earliest expiry of the member's open holds: {@code HOLD} entries with an
   * {@code expiresAt} that no {@code CAPTURE} or {@code RELEASE} entry references yet.
   */
  HOLD_EXPIRY,
  /**
   * When the member's tier is next reviewed: the {@code tier.review} detail, or else the
   * {@code tier.until} detail (an ISO instant, or an ISO date meaning the start of that day in the
   * member's zone) of the latest entry carrying tier details ({@code tier.to} without either, or a
   * {@code TIER} entry without either, clears it; see {@link DueWork#tierReviewAfter}). The tier
   * engine writes {@code tier.review} when a grace period puts the review after the status's end
   * or an override ends after the start of a day (the next day's review records it),
   * and, alone on a {@code TIER} entry, to schedule the end of a period that earned a
   * {@code NEXT_PERIOD} upgrade.
   */
  TIER_REVIEW
}
