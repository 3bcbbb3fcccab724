package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.ledger.Points;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import org.joda.money.Money;

/**
 * What points are worth when redeemed, for valuing the programme's liability: {@code value} per
 * {@code per} points (e.g. EUR 1.00 per 100 points), rounded to the currency's minor unit once per
 * figure with an explicit rounding mode.
 *
 * @param value the money a block of points is worth, not negative
 * @param per the size of the block, positive
 * @param rounding how a value is rounded to the currency's scale
 */
public record RedemptionRate(Money value, long per, RoundingMode rounding) {

  /**
   * Validates the rate.
   *
   * @param value the money a block of points is worth, not negative
   * @param per the size of the block, positive
   * @param rounding how a value is rounded to the currency's scale; {@link RoundingMode#UNNECESSARY}
   *     only where a point is worth a whole number of the currency's minor units or fractions that
   *     need no rounding ({@code value / per} within the currency's scale)
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code value} is negative or {@code per} is not positive, or
   *     the rounding is {@link RoundingMode#UNNECESSARY} while a point is worth a fraction of the
   *     currency's minor unit, which some figure would have to round
   */
  public RedemptionRate {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(rounding, "rounding");
    if (value.isNegative()) {
      throw new IllegalArgumentException("a redemption value cannot be negative, was " + value);
    }
    if (per < 1) {
      throw new IllegalArgumentException("the block of points must be positive, was " + per);
    }
    // A point worth a fraction of a minor unit makes some figure inexact (one point, to start with):
    // UNNECESSARY would then fail the report with an ArithmeticException instead of valuing it.
    BigDecimal block = BigDecimal.valueOf(per);
    if (rounding == RoundingMode.UNNECESSARY && value.getAmount()
        .divide(block, value.getCurrencyUnit().getDecimalPlaces(), RoundingMode.DOWN).multiply(block)
        .compareTo(value.getAmount()) != 0) {
      throw new IllegalArgumentException("a rate of " + value + " per " + per + " points values a point at a fraction of"
          + " the currency's minor unit, which some figure must round: choose a RoundingMode other than UNNECESSARY");
    }
  }

  /**
   * A rate rounded half-even (the usual choice for accounting reports).
   *
   * @param value the money a block of points is worth, not null, not negative
   * @param per the size of the block, positive
   * @return the rate
   */
  public static RedemptionRate of(Money value, long per) {
    return new RedemptionRate(value, per, RoundingMode.HALF_EVEN);
  }

  /**
   * Values an amount of points, computed on {@link BigDecimal} and rounded once.
   *
   * @param points the points, not null
   * @return their value in the rate's currency
   */
  public Money valueOf(Points points) {
    Objects.requireNonNull(points, "points");
    BigDecimal amount = value.getAmount().multiply(BigDecimal.valueOf(points.value()))
        .divide(BigDecimal.valueOf(per), value.getCurrencyUnit().getDecimalPlaces(), rounding);
    return Money.of(value.getCurrencyUnit(), amount);
  }
}
