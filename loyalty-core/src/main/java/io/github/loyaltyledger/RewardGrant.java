package io.github.loyaltyledger;

import io.github.loyaltyledger.occasion.OccasionGrant;
import io.vavr.control.Either;
import java.time.Instant;

/**
 * The hook through which the {@link DailyRun} grants an occasion reward that is a catalogue item
 * ({@link io.github.loyaltyledger.occasion.OccasionReward#rewardId()}). By default the run uses
 * {@link Loyalty#grantOccasionReward}, which issues the reward free (a zero-point {@code REDEEM}
 * that takes one unit of its stock, never the member's points; {@link Loyalty#redeem} would charge
 * its cost); an application registers its own with {@link DailyRun.Builder#rewards} to issue it
 * some other way. Points rewards do not use it: the run credits them itself.
 */
@FunctionalInterface
public interface RewardGrant {

  /**
   * Grants the reward, idempotently under {@link OccasionGrant#key()}: a second call with the same
   * grant must change nothing. The run skips a grant whose key is already recorded in the store.
   * When the hook succeeds without recording the key itself (it issues the reward outside the
   * ledger), the run records it (an idempotency record, no entry), so that the grant is handed over
   * once and not again by every run of the occasion's window; a hook that writes under the key must
   * therefore do so before it returns.
   *
   * @param grant the occasion, member, year, reward id and key, not null
   * @param asOf the instant of the run, not null
   * @return any result on success, or the refusal (reported as the member's failure; but an
   *     {@link LoyaltyError.IdempotencyConflict} on the grant's key, once the key is recorded, means
   *     another run granted the occasion meanwhile and counts as granted)
   */
  Either<LoyaltyError, ?> grant(OccasionGrant grant, Instant asOf);
}
