/**
 * Tiers: the {@link io.github.loyaltyledger.tier.TierLadder} of a program (tiers with their
 * qualifications and benefits, the qualification window, upgrade, term, review and rollover
 * rules), and {@link io.github.loyaltyledger.tier.TierStanding}, which computes a member's tier,
 * progress, due reviews and warnings from their ledger. Qualifying activity is read from the
 * {@code qualifying.*} details of ledger entries; tier history is kept as zero-point {@code TIER}
 * entries in the member's own ledger, so no store port is needed. The facade's tier operations
 * ({@code evaluateTier}, {@code reviewTier}, {@code overrideTier}, {@code tierProgress},
 * {@code tierHistory}, {@code tierOf}) write and read them.
 */
package io.github.loyaltyledger.tier;
