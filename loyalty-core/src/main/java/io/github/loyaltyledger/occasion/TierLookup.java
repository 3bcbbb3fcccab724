package io.github.loyaltyledger.occasion;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;

/**
 * Tells the occasion rules which tier a member is in, so that windows and rewards can depend on
 * it. Tier ids are strings; the tier engine supplies an implementation (same shape as the earning
 * engine's {@code MemberTiers}, so a method reference adapts one to the other). The default,
 * {@link #none()}, puts every member in no tier.
 *
 * <p>The daily run asks it for members due an occasion when the birthday rule has terms for some
 * tiers. If it throws (a CRM or tier service down), that member's occasions are not granted, the run
 * reports the member's failure ({@code RunReport.failures}) and goes on with the other members; so
 * does an answer of {@code null}, or of {@code Some(null)}, a programming error that the failure's
 * problem names with the member. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface TierLookup {

  /**
   * Looks up a member's tier at an instant.
   *
   * @param member the member, not null
   * @param at the instant, not null
   * @return the tier id, or none if the member has no tier; never null, nor {@code Some(null)}
   */
  Option<String> tierOf(MemberId member, Instant at);

  /** @return the lookup that answers no tier for everyone */
  static TierLookup none() {
    return (member, at) -> Option.none();
  }
}
