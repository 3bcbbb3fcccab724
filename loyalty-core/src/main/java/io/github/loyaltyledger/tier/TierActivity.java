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

  /**
   * Sums the activity that occurred in a span as it stood before the returns made in it: the
   * returns ({@code REVERSAL} entries, a refund's or a reversal's) that occurred in the span are left
   * out. A ladder that {@linkplain TierLadder#returnsRevokeUpgrades() revokes upgrades on returns}
   * reads it at the instant of an upgrade, to tell the activity the upgrade was made on from a
   * return at that same instant, which came after it.
   *
   * <p>The default counts the returns too ({@link #between}): an activity that cannot tell them apart
   * takes a return at the very instant of an upgrade for one before it.
   *
   * @param from the first instant counted, not null
   * @param to the first instant no longer counted, not null
   * @return the activity, never null
   */
  default QualifyingActivity beforeReturns(Instant from, Instant to) {
    return between(from, to);
  }

  /**
   * Sums the activity that occurred in a span, leaving out the returns made in it of credits that
   * occurred before it: a purchase of the previous period returned in this one took back none of
   * this period's activity. A ladder that {@linkplain TierLadder#returnsRevokeUpgrades() revokes
   * upgrades on returns} reads it to tell whether returns took back what earned an upgrade.
   *
   * <p>The default counts every return ({@link #between}): an activity that cannot tell when the
   * credits returned occurred takes them all for credits of the span.
   *
   * @param from the first instant counted, not null
   * @param to the first instant no longer counted, not null
   * @return the activity, never null
   */
  default QualifyingActivity ofCreditsFrom(Instant from, Instant to) {
    return between(from, to);
  }
}
