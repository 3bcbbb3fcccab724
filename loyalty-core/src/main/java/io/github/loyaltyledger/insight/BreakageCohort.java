package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Points;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Objects;

/**
 * Where the points issued in one month went: redeemed, expired, otherwise taken back (reversals,
 * forfeits on closing, transfers, negative adjustments) or still outstanding. Always
 * {@code issued = redeemed + expired + other + outstanding}. Points in open holds count as
 * redeemed until the hold is released.
 *
 * @param month the month the points were credited, in the report's zone: the month the crediting
 *     event occurred (its entry's occurred-at), so a credit back-dated into a month joins that
 *     month's cohort, in the reports as of instants after it was recorded (none before counts it)
 * @param issued the points credited that month (the lots' original points)
 * @param redeemed the points of those lots spent on rewards or as payment
 * @param expired the points of those lots that expired
 * @param other the points of those lots taken back otherwise
 * @param outstanding the points of those lots still live
 */
public record BreakageCohort(
    YearMonth month, Points issued, Points redeemed, Points expired, Points other, Points outstanding) {

  /** The scale of the shares: four decimal places (hundredths of a per cent). */
  public static final int SHARE_SCALE = Share.SCALE;

  /**
   * Validates that no field is null.
   *
   * @param month the month the points were credited (its entry's occurred-at), in the report's zone
   * @param issued the points credited that month (the lots' original points)
   * @param redeemed the points of those lots spent on rewards or as payment
   * @param expired the points of those lots that expired
   * @param other the points of those lots taken back otherwise
   * @param outstanding the points of those lots still live
   * @throws NullPointerException if an argument is null
   */
  public BreakageCohort {
    Objects.requireNonNull(month, "month");
    Objects.requireNonNull(issued, "issued");
    Objects.requireNonNull(redeemed, "redeemed");
    Objects.requireNonNull(expired, "expired");
    Objects.requireNonNull(other, "other");
    Objects.requireNonNull(outstanding, "outstanding");
  }

  /** @return the share of issued points that expired (breakage), 0 to 1, half-even to 4 places */
  public BigDecimal expiredShare() {
    return share(expired);
  }

  /** @return the share of issued points that were redeemed, 0 to 1, half-even to 4 places */
  public BigDecimal redeemedShare() {
    return share(redeemed);
  }

  private BigDecimal share(Points part) {
    return Share.of(part.value(), issued.value());
  }
}
