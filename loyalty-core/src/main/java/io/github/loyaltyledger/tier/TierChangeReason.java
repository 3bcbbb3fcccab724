package io.github.loyaltyledger.tier;

/** Why a member's tier status changed; recorded as {@code tier.reason} on the {@code TIER} entry. */
public enum TierChangeReason {
  /** The member's qualifying activity reached the tier. */
  QUALIFIED,
  /** A periodic review kept, lowered or renewed the status. */
  REVIEW,
  /** An operator set the tier by hand until an end date. */
  OVERRIDE,
  /** An override ended and the computed tier resumed. */
  OVERRIDE_EXPIRED
}
