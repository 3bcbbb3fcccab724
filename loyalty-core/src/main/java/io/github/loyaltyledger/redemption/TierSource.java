package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;

/**
 * Tells the redemption engine a member's tier at an instant, for rewards gated by tier or priced
 * per tier. By default ({@link #LADDER}) the facade asks the tier engine of the program's tier
 * ladder; set another to take tiers from elsewhere, or {@link #NONE} to say no member has a tier
 * (every member then pays the base cost, and {@code LoyaltyProgram} refuses a reward offered to some
 * tiers only, which no one could redeem).
 * When the program has a tier ladder, the reward benefits of the ladder's tier of that id
 * ({@code TierBenefits.rewardAccess} and {@code rewardCosts}) apply too. Implementations must be
 * thread-safe and must not change the ledger.
 *
 * <p>A source of your own is infrastructure, as the store and the earning engine's
 * {@code MemberTiers} are: if it throws (a CRM or tier service down), {@code redeem}, {@code authorize}
 * of a reward, {@code payWithPoints} and {@code availableRewards} throw that exception and nothing is
 * written, so the till can send the same request again; an answer of {@code null}, or of
 * {@code Some(null)}, is a programming error and throws {@link NullPointerException} the same way,
 * its message naming the source and the member. A hold's capture charges what was held and does not
 * ask it.
 */
@FunctionalInterface
public interface TierSource {

  /**
   * No member has a tier, even when the program has a tier ladder: every member pays a reward's base
   * cost. {@code LoyaltyProgram} refuses a catalogue that says so while a reward is offered to some
   * tiers only ({@code Reward.tiers}, or a ladder tier's {@code TierBenefits.rewardAccess}): no one
   * could ever redeem it. Prints as {@code TierSource.NONE}.
   */
  TierSource NONE = new TierSource() {
    @Override
    public Option<String> tierOf(MemberId member, Instant at) {
      return Option.none();
    }

    // A catalogue printed in a log should say where its tiers come from, not name a lambda's class.
    @Override
    public String toString() {
      return "TierSource.NONE";
    }
  };

  /**
   * The default: the tier of the program's tier ladder, as {@code Loyalty.tierOf} tells it (the
   * tier engine, as earning uses it). A program without a ladder has no tiers, and
   * {@code LoyaltyProgram} refuses a catalogue that reads them from it while a reward is for some
   * tiers or priced for them.
   *
   * <p>A marker, recognised by identity: the facade, which alone can read the ladder, puts its own
   * {@code tierOf} in its place when the catalogue names it. Called on its own, or from an
   * application's own source that wraps it, it cannot tell a tier, and its {@code tierOf} throws
   * {@link UnsupportedOperationException} rather than silently tell none: to read the ladder from
   * a source of your own, call {@code Loyalty.tierOf} of the facade. Prints as
   * {@code TierSource.LADDER}.
   */
  TierSource LADDER = new TierSource() {
    @Override
    public Option<String> tierOf(MemberId member, Instant at) {
      throw new UnsupportedOperationException("TierSource.LADDER is a marker that a Loyalty facade replaces with"
          + " its own tier engine; it cannot tell a tier on its own: call Loyalty.tierOf(member, at) instead");
    }

    @Override
    public String toString() {
      return "TierSource.LADDER";
    }
  };

  /**
   * Reads a member's tier.
   *
   * @param member the member, not null
   * @param at the instant, not null
   * @return the tier id (e.g. {@code "gold"}), or none if the member has no tier; never null, nor
   *     {@code Some(null)}
   */
  Option<String> tierOf(MemberId member, Instant at);
}
