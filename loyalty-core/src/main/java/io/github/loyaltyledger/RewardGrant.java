package io.github.loyaltyledger;

import io.github.loyaltyledger.occasion.OccasionGrant;
import io.vavr.control.Either;
import java.time.Instant;

/**
 * The hook through which the {@link DailyRun} grants an occasion reward that is a catalogue item
 * ({@link io.github.loyaltyledger.occasion.OccasionReward#rewardId()}). The application supplies
 * it: the library has no free issue of a catalogue item, and {@link Loyalty#redeem} would charge the
 * member the reward's cost. Points rewards do not use it: the run credits them itself.
 */
@FunctionalInterface
public interface RewardGrant {

  /**
   * Grants the reward, idempotently under {@link OccasionGrant#key()}: a second call with the same
   * grant must change nothing. The run skips a grant whose key is already recorded in the store.
   *
   * @param grant the occasion, member, year, reward id and key, not null
   * @param asOf the instant of the run, not null
   * @return any result on success, or the refusal (reported as the member's failure)
   */
  Either<LoyaltyError, ?> grant(OccasionGrant grant, Instant asOf);
}
