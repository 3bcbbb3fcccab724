package io.github.loyaltyledger.redemption;

import io.vavr.collection.LinkedHashMap;
import io.vavr.collection.List;
import io.vavr.collection.Map;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.Objects;

/**
 * A program's redemption configuration: the rewards in display order, where members' tiers come
 * from, the longest time a hold at the till may live, and what happens to points returned to
 * expired lots. Immutable; part of the {@code LoyaltyProgram}. Build one with {@link #builder()}.
 * Reward ids are unique: the builder refuses a second reward with an id it already holds.
 *
 * @param rewards the rewards by id, in the order they were added
 * @param tiers tells each member's tier, for tier gating and tier prices
 * @param maxHoldTtl the longest time-to-live a hold may ask for
 * @param returnedPoints what happens to points returned to expired lots
 */
public record RewardCatalog(
    Map<RewardId, Reward> rewards, TierSource tiers, Duration maxHoldTtl, ReturnedPoints returnedPoints) {

  /** No rewards, tiers from the program's ladder, holds of up to one day, {@link ReturnedPoints#DEFAULT}. */
  public static final RewardCatalog EMPTY = builder().build();

  /**
   * Validates the catalogue.
   *
   * @param rewards the rewards by id, in the order they were added
   * @param tiers tells each member's tier, for tier gating and tier prices
   * @param maxHoldTtl the longest time-to-live a hold may ask for
   * @param returnedPoints what happens to points returned to expired lots
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a reward is filed under another id, or the hold
   *     time-to-live is not positive
   */
  public RewardCatalog {
    Objects.requireNonNull(rewards, "rewards");
    Objects.requireNonNull(tiers, "tiers");
    Objects.requireNonNull(maxHoldTtl, "maxHoldTtl");
    Objects.requireNonNull(returnedPoints, "returnedPoints");
    rewards.find(t -> !t._1.equals(t._2.id())).forEach(t -> {
      throw new IllegalArgumentException("every reward must be filed under its own id: reward '" + t._2.id()
          + "' is filed under '" + t._1 + "'");
    });
    if (maxHoldTtl.isZero() || maxHoldTtl.isNegative()) {
      throw new IllegalArgumentException("the longest hold must be positive, was " + maxHoldTtl);
    }
  }

  /**
   * Starts building a catalogue (defaults as {@link #EMPTY}).
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Finds a reward.
   *
   * @param id the reward id, not null
   * @return the reward, or none if the catalogue has no such reward
   */
  public Option<Reward> reward(RewardId id) {
    return rewards.get(Objects.requireNonNull(id, "id"));
  }

  /** @return the rewards in display order */
  public List<Reward> list() {
    return rewards.values().toList();
  }

  /** Builds a {@link RewardCatalog}. Not thread-safe. */
  public static final class Builder {
    private Map<RewardId, Reward> rewards = LinkedHashMap.empty();
    private TierSource tiers = TierSource.LADDER;
    private Duration maxHoldTtl = Duration.ofDays(1);
    private ReturnedPoints returnedPoints = ReturnedPoints.DEFAULT;

    private Builder() {}

    /**
     * @param reward a reward to offer, not null
     * @return this builder
     * @throws IllegalArgumentException if the catalogue already offers a reward with the same id
     *     (the builder keeps the one it had)
     */
    public Builder reward(Reward reward) {
      Objects.requireNonNull(reward, "reward");
      rewards.get(reward.id()).forEach(offered -> {
        throw new IllegalArgumentException("reward id '" + reward.id() + "' is already in the catalogue (\""
            + offered.name() + "\"): a catalogue offers one reward per id, give \"" + reward.name() + "\" another id");
      });
      this.rewards = rewards.put(reward.id(), reward);
      return this;
    }

    /**
     * @param value where members' tiers come from, not null (default {@link TierSource#LADDER}: the
     *     program's tier ladder; {@link TierSource#NONE} for no tiers even with a ladder)
     * @return this builder
     */
    public Builder tiers(TierSource value) {
      this.tiers = Objects.requireNonNull(value, "tiers");
      return this;
    }

    /**
     * @param value the longest time-to-live a hold may ask for, positive (default one day)
     * @return this builder
     */
    public Builder maxHoldTtl(Duration value) {
      this.maxHoldTtl = Objects.requireNonNull(value, "maxHoldTtl");
      return this;
    }

    /**
     * @param value what happens to points returned to expired lots, not null (default
     *     {@link ReturnedPoints#DEFAULT})
     * @return this builder
     */
    public Builder returnedPoints(ReturnedPoints value) {
      this.returnedPoints = Objects.requireNonNull(value, "returnedPoints");
      return this;
    }

    /**
     * @return the catalogue
     * @throws IllegalArgumentException if the hold time-to-live is not positive
     */
    public RewardCatalog build() {
      return new RewardCatalog(rewards, tiers, maxHoldTtl, returnedPoints);
    }
  }
}
