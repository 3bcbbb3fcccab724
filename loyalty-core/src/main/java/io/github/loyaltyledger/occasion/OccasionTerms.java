package io.github.loyaltyledger.occasion;

import java.util.Objects;

/**
 * When and what a member gets for an occasion; a rule has default terms and may have other terms
 * per tier.
 *
 * @param window the days on which the reward can be granted
 * @param reward what the member gets
 */
public record OccasionTerms(OccasionWindow window, OccasionReward reward) {

  /**
   * Validates the terms.
   *
   * @param window the days on which the reward can be granted
   * @param reward what the member gets
   * @throws NullPointerException if an argument is null
   */
  public OccasionTerms {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(reward, "reward");
  }
}
