package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.HashSet;
import io.vavr.collection.Set;
import java.time.Instant;

/**
 * The port through which the earning engine learns a member's segments (e.g. "students",
 * "lapsed-90d"), for segment-targeted rules. Applications implement it over their CRM or
 * analytics; without one, no member is in any segment.
 *
 * <p>The port is infrastructure, as the store is: if it throws (a CRM or tier service down), {@code
 * earn} and {@code quote} throw that exception and nothing is written, so the till can retry; an
 * answer of {@code null}, or of a set holding null, is a programming error and throws
 * {@link NullPointerException} the same way, its message saying so. A segment that no entry can record (with an unpaired UTF-16 surrogate or a NUL) fails the
 * targeted rule with {@code RuleFailed}.
 */
@FunctionalInterface
public interface SegmentResolver {

  /** A resolver under which no member is in any segment (always the same empty set). */
  SegmentResolver NONE = (member, at) -> HashSet.empty();

  /**
   * Tells the segments a member is in at an instant.
   *
   * @param member the member, not null
   * @param at the instant of the purchase or event, not null
   * @return the segment ids, possibly empty, never null
   */
  Set<String> segmentsOf(MemberId member, Instant at);
}
