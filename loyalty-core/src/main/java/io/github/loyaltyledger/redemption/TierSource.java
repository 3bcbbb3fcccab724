package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;

/**
 * Tells the redemption engine a member's tier at an instant, for rewards gated by tier or priced
 * per tier. The tier engine supplies an implementation; without one, {@link #NONE} says no member
 * has a tier (tier-gated rewards are then unavailable and every member pays the base cost).
 * When the program has a tier ladder, the reward benefits of the ladder's tier of that id
 * ({@code TierBenefits.rewardAccess} and {@code rewardCosts}) apply too. Implementations must be
 * thread-safe and must not change the ledger.
 */
@FunctionalInterface
public interface TierSource {

  /** No member has a tier. */
  TierSource NONE = (member, at) -> Option.none();

  /**
   * Reads a member's tier.
   *
   * @param member the member, not null
   * @param at the instant, not null
   * @return the tier id (e.g. {@code "gold"}), or none if the member has no tier
   */
  Option<String> tierOf(MemberId member, Instant at);
}
