package io.github.loyaltyledger.tier;

import java.time.Instant;

/**
 * Reads a member's qualifying activity over a span of time: the sum of the qualifying details of
 * the entries that occurred in it (see {@link QualifyingActivity}). The facade supplies one over the
 * member's ledger; tests may supply their own.
 */
@FunctionalInterface
public interface TierActivity {

  /**
   * Sums the activity that occurred in a span.
   *
   * @param from the first instant counted, not null
   * @param to the first instant no longer counted, not null
   * @return the activity, never null
   */
  QualifyingActivity between(Instant from, Instant to);
}
