package io.github.loyaltyledger.occasion;

import io.github.loyaltyledger.ledger.Points;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * What an occasion gives: bonus points, or a reward from the catalogue identified by its id
 * (granted free by the daily run, see {@link io.github.loyaltyledger.Loyalty#grantOccasionReward}).
 *
 * @param points the bonus points, if the reward is points (positive)
 * @param rewardId the catalogue reward's id, if the reward is a catalogue item
 */
public record OccasionReward(Option<Points> points, Option<String> rewardId) {

  /**
   * Validates that exactly one of points and reward id is given.
   *
   * @param points the bonus points, if the reward is points (positive)
   * @param rewardId the catalogue reward's id, if the reward is a catalogue item
   * @throws NullPointerException if an argument is null, or an option holds null
   * @throws IllegalArgumentException if both or neither are given, the points are not positive or
   *     the reward id is blank
   */
  public OccasionReward {
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(rewardId, "rewardId");
    // Option.some(null) passes the checks above.
    points.forEach(p -> Objects.requireNonNull(p, "points holds null"));
    rewardId.forEach(id -> Objects.requireNonNull(id, "rewardId holds null"));
    if (points.isDefined() == rewardId.isDefined()) {
      throw new IllegalArgumentException("an occasion reward is either points or a reward id");
    }
    if (points.exists(p -> !p.isPositive())) {
      throw new IllegalArgumentException("occasion points must be positive, was " + points.get());
    }
    if (rewardId.exists(String::isBlank)) {
      throw new IllegalArgumentException("an occasion reward's id must not be blank, was '" + rewardId.get() + "'");
    }
  }

  /**
   * @param n the bonus points, positive
   * @return a points reward
   * @throws IllegalArgumentException if {@code n} is not positive
   */
  public static OccasionReward points(long n) {
    return new OccasionReward(Option.some(Points.of(n)), Option.none());
  }

  /**
   * @param id the catalogue reward's id, not null, not blank
   * @return a catalogue reward
   * @throws IllegalArgumentException if {@code id} is blank
   */
  public static OccasionReward reward(String id) {
    return new OccasionReward(Option.none(), Option.some(Objects.requireNonNull(id, "id")));
  }
}
