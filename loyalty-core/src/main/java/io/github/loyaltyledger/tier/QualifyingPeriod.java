package io.github.loyaltyledger.tier;

import java.time.Instant;
import java.util.Objects;

/**
 * A concrete span of time over which qualifying activity is counted: from {@code start}
 * (inclusive) to {@code end} (exclusive), both at midnight in the member's zone.
 *
 * @param start the first instant counted
 * @param end the first instant no longer counted
 */
public record QualifyingPeriod(Instant start, Instant end) {

  /**
   * Validates the span.
   *
   * @param start the first instant counted
   * @param end the first instant no longer counted
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code end} is not after {@code start}
   */
  public QualifyingPeriod {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("a period must end after it starts: " + start + " .. " + end);
    }
  }

  /**
   * @param at an instant, not null
   * @return true if {@code at} lies in this period
   */
  public boolean contains(Instant at) {
    return !at.isBefore(start) && at.isBefore(end);
  }
}
