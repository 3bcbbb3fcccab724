package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Points;
import java.time.Instant;
import java.util.Objects;

/**
 * Points that will expire at one instant unless spent first.
 *
 * @param expiresAt when they expire
 * @param points how many, positive
 */
public record ExpiringPoints(Instant expiresAt, Points points) {

  /**
   * Validates that no field is null.
   *
   * @param expiresAt when they expire
   * @param points how many, positive
   * @throws NullPointerException if an argument is null
   */
  public ExpiringPoints {
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(points, "points");
  }
}
