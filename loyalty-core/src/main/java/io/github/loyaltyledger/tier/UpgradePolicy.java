package io.github.loyaltyledger.tier;

/** When a member who reaches a higher tier's threshold is moved up. */
public enum UpgradePolicy {
  /**
   * At once: the evaluation that follows the qualifying transaction writes the upgrade, effective
   * from that evaluation. The transaction that crosses the threshold itself still earns at the old
   * rate (the earning engine reads the tier at the purchase's instant, before the upgrade exists);
   * the next one earns at the new rate.
   */
  IMMEDIATE,
  /** At the start of the next period: the review at the period's end writes the upgrade. */
  NEXT_PERIOD
}
