package io.github.loyaltyledger.tier;

import java.time.Instant;
import java.util.Objects;

/**
 * A downgrade that the coming review will make unless the member does more: the tier held, the
 * tier the review would give on today's activity, when the review is, and what is missing to keep
 * the tier.
 *
 * @param tier the tier held now
 * @param to the tier the review would give
 * @param reviewAt when the review happens
 * @param needed what is still missing to keep {@code tier} (see {@link Qualification#missing})
 */
public record TierWarning(TierId tier, TierId to, Instant reviewAt, QualifyingActivity needed) {

  /**
   * Validates that no field is null.
   *
   * @param tier the tier held now
   * @param to the tier the review would give
   * @param reviewAt when the review happens
   * @param needed what is still missing to keep {@code tier} (see {@link Qualification#missing})
   * @throws NullPointerException if an argument is null
   */
  public TierWarning {
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reviewAt, "reviewAt");
    Objects.requireNonNull(needed, "needed");
  }
}
