package io.github.loyaltyledger.tier;

import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import java.time.Instant;
import java.util.Objects;

/**
 * An operator's request to set a member's tier by hand until an end date, after which the tier
 * the member's activity earns resumes. Recorded as a {@code TIER} entry with reason
 * {@link TierChangeReason#OVERRIDE}, the operator and the end date.
 *
 * <p>An override is explicit and temporary: it may set a tier below a {@linkplain Tier#lifetime()
 * lifetime tier} the member reached, which resumes when the override ends (or an upgrade ends it),
 * and setting a lifetime tier by hand does not grant it for life. An upgrade earned while it is in
 * force ends it early if it is above the tier set and the one the activity earned when the override
 * was set; activity that occurred at that very instant counts as earned when it was set, so only a
 * purchase occurring after it can end the override.
 *
 * @param member the member
 * @param tier the tier to set (on the program's ladder)
 * @param reason why, 1 to 500 characters (shown in the history)
 * @param operator who sets it, 1 to 100 characters
 * @param until when the override ends, after the request is accepted
 * @param key the request's idempotency key
 */
public record TierOverride(MemberId member, TierId tier, String reason, String operator, Instant until,
    IdempotencyKey key) {

  /**
   * Validates that no field is null (the facade refuses invalid values with a typed error).
   *
   * @param member the member
   * @param tier the tier to set (on the program's ladder)
   * @param reason why, 1 to 500 characters (shown in the history)
   * @param operator who sets it, 1 to 100 characters
   * @param until when the override ends, after the request is accepted
   * @param key the request's idempotency key
   * @throws NullPointerException if an argument is null
   */
  public TierOverride {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(key, "key");
  }
}
