/**
 * Birthday and membership-anniversary rewards. A {@link io.github.loyaltyledger.occasion.BirthdayRule}
 * or {@link io.github.loyaltyledger.occasion.AnniversaryRule} says when a member's occasion is
 * celebrated ({@link io.github.loyaltyledger.occasion.OccasionWindow}: on the day, in its week, in
 * its month, for N days from it or N days either side of it), what they get ({@link io.github.loyaltyledger.occasion.OccasionReward}:
 * points, or a catalogue reward id), and who is eligible, possibly depending on their tier
 * ({@link io.github.loyaltyledger.occasion.TierLookup}). Rules only decide; the
 * {@link io.github.loyaltyledger.DailyRun} grants, at most once per member, occasion and year, under
 * the deterministic key of an {@link io.github.loyaltyledger.occasion.OccasionGrant}.
 */
package io.github.loyaltyledger.occasion;
