package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;

/**
 * The port through which the earning engine learns a member's tier, for tier-targeted rules and for
 * the earn multiplier of base rates (the multiplier of that tier on the program's ladder). The tier
 * engine supplies an implementation; without one, no member has a tier.
 *
 * <p>The port is infrastructure, as the store is: if it throws (a CRM or tier service down), {@code
 * earn} and {@code quote} throw that exception and nothing is written, so the till can retry; an
 * answer of {@code null}, or of {@code Some(null)}, is a programming error and throws
 * {@link NullPointerException} the same way, its message saying so. A tier id that no entry can record (with an unpaired UTF-16 surrogate or a NUL) fails the
 * targeted rule with {@code RuleFailed}.
 */
@FunctionalInterface
public interface MemberTiers {

  /** A port under which no member has a tier. */
  MemberTiers NONE = (member, at) -> Option.none();

  /**
   * Tells a member's tier at an instant.
   *
   * @param member the member, not null
   * @param at the instant of the purchase or event, not null
   * @return the tier id, or none if the member has no tier
   */
  Option<String> tierOf(MemberId member, Instant at);
}
