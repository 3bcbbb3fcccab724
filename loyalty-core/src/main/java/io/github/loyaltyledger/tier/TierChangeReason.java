package io.github.loyaltyledger.tier;

/** Why a member's tier status changed; recorded as {@code tier.reason} on the {@code TIER} entry. */
public enum TierChangeReason {
  /** The member's qualifying activity reached the tier, recorded by an evaluation (an immediate upgrade). */
  QUALIFIED,
  /** A review kept, renewed, lowered or (next-period upgrades) raised the status. */
  REVIEW,
  /** An operator set the tier by hand until an end date. */
  OVERRIDE,
  /** An override ended and the computed tier resumed. */
  OVERRIDE_EXPIRED,
  /**
   * Returns took the activity of the window that earned an immediate upgrade below its threshold,
   * and the ladder revokes such upgrades (see {@link TierLadder#returnsRevokeUpgrades()}).
   */
  RETURNED
}
