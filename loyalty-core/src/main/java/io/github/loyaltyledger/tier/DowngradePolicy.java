package io.github.loyaltyledger.tier;

/**
 * What a review does to a member whose status ends without having re-qualified for it. Under every
 * policy a review stops at the highest {@linkplain Tier#lifetime() lifetime tier} the member has
 * reached.
 */
public enum DowngradePolicy {
  /** Nothing: a tier once reached is kept (status does not expire). */
  NONE,
  /** Soft landing: down by at most one tier per review, never below what the member re-qualified for. */
  ONE_STEP,
  /** Down to whatever the member's qualifying activity earns, however many tiers that is. */
  RECOMPUTE
}
