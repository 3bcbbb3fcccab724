package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.internal.Decimals;
import io.github.loyaltyledger.ledger.Points;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;
import org.joda.money.CurrencyMismatchException;
import org.joda.money.Money;

/**
 * How points pay for part of a basket: {@code points} are worth {@code worth} (e.g. 100 points =
 * EUR 1.00), at least {@code minimumPoints} are used at a time, and at most {@code maxShare} of the
 * basket is paid with points.
 *
 * <p>Rounding, done once on exact integers of minor units: the money applied is the value of the
 * points offered, capped at {@code maxShare} of the basket, both <em>rounded down</em> to the
 * currency's minor unit (points never pay more than they are worth, nor more than the share);
 * the points charged are the fewest whose value covers the money applied (<em>rounded up</em>),
 * never more than offered. So 150 points at 100 = 1.00 apply 1.50 and cost 150; 7 points at
 * 3 = 0.01 apply 0.02 and cost 6.
 *
 * <p>The money applied must not earn points: the caller sends the purchase to the earning engine
 * with that amount marked as paid with points (or deducted from the earning basis).
 *
 * @param points the points in one unit of the rate, positive
 * @param worth what those points are worth, positive, in the program's currency (a program with
 *     this reward in another currency is refused when it is built)
 * @param minimumPoints the fewest points one payment may charge, not negative
 * @param maxShare the largest share of the basket points may pay, in {@code (0, 1]}, of at most
 *     18 decimals
 */
public record PaymentTerms(Points points, Money worth, Points minimumPoints, BigDecimal maxShare) {


  /**
   * Validates the terms.
   *
   * @param points the points in one unit of the rate, positive
   * @param worth what those points are worth, positive, in the program's currency (a program with
   *     this reward in another currency is refused when it is built)
   * @param minimumPoints the fewest points one payment may charge, not negative
   * @param maxShare the largest share of the basket points may pay, in {@code (0, 1]}, of at most
   *     18 decimals (trailing zeros aside)
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a quantity is out of range, or the share has more decimals
   */
  public PaymentTerms {
    Objects.requireNonNull(points, "points");
    Objects.requireNonNull(worth, "worth");
    Objects.requireNonNull(minimumPoints, "minimumPoints");
    Objects.requireNonNull(maxShare, "maxShare");
    if (!points.isPositive() || !worth.isPositive()) {
      throw new IllegalArgumentException("the rate needs positive points and money, was " + points + " = " + worth);
    }
    if (minimumPoints.isNegative()) {
      throw new IllegalArgumentException("minimum points cannot be negative, was " + minimumPoints);
    }
    if (maxShare.signum() <= 0 || maxShare.compareTo(BigDecimal.ONE) > 0) {
      throw new IllegalArgumentException("max share must be in (0, 1], was " + maxShare);
    }
    // A finer share says nothing a basket can use, and each quote would scale the basket by it: at
    // 1E-2147483647 that overflowed BigInteger's range.
    Decimals.requireDecimals("max share", maxShare);
  }

  /**
   * @param other another object, or null
   * @return whether it is terms of the same rate, minimum and share, the share compared as a number
   *     ({@code 0.5} equals {@code 0.50}: the terms charge alike)
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof PaymentTerms o && points.equals(o.points) && worth.equals(o.worth)
        && minimumPoints.equals(o.minimumPoints) && maxShare.compareTo(o.maxShare) == 0;
  }

  /** @return a hash of the rate, minimum and share (whatever the share's scale) */
  @Override
  public int hashCode() {
    return Objects.hash(points, worth, minimumPoints, maxShare.stripTrailingZeros());
  }

  /**
   * Works out a payment: the money applied and the points charged for it, as described above.
   *
   * @param basket the basket's total, in the rate's currency, not negative
   * @param offered the most points the member wants to use, not negative
   * @return the quote (zero money and points when nothing can be applied)
   * @throws CurrencyMismatchException if the basket is in another currency
   */
  public PaymentQuote quote(Money basket, Points offered) {
    Objects.requireNonNull(basket, "basket");
    Objects.requireNonNull(offered, "offered");
    if (!worth.getCurrencyUnit().equals(basket.getCurrencyUnit())) {
      throw new CurrencyMismatchException(worth.getCurrencyUnit(), basket.getCurrencyUnit());
    }
    BigInteger rateMinor = worth.getAmountMinor().toBigInteger();
    BigInteger ratePoints = BigInteger.valueOf(points.value());
    BigInteger valueMinor = BigInteger.valueOf(offered.value()).multiply(rateMinor).divide(ratePoints);
    BigInteger capMinor = new BigDecimal(basket.getAmountMinor().toBigInteger()).multiply(maxShare)
        .setScale(0, RoundingMode.DOWN).toBigIntegerExact();
    BigInteger appliedMinor = valueMinor.min(capMinor).max(BigInteger.ZERO);
    BigInteger[] chargedParts = appliedMinor.multiply(ratePoints).divideAndRemainder(rateMinor);
    BigInteger charged = chargedParts[1].signum() == 0 ? chargedParts[0] : chargedParts[0].add(BigInteger.ONE);
    // Not Money.ofMinor: points worth more cents than a long holds (1 point = 1.00) are worth them all.
    int scale = basket.getCurrencyUnit().getDecimalPlaces();
    return new PaymentQuote(Money.of(basket.getCurrencyUnit(), new BigDecimal(appliedMinor, scale)),
        Points.of(charged.longValueExact()));
  }

  /**
   * The fewest points a payment can charge that are at least {@code atLeast}. A payment charges the
   * fewest points covering whole minor units ({@link #quote}), so at an odd rate not every number
   * of points is a charge: at 3 points = 0.01 only multiples of 3 are, and no payment charges
   * exactly 50. Capped at {@code Long.MAX_VALUE}.
   */
  Points fewestChargeOfAtLeast(Points atLeast) {
    if (!atLeast.isPositive()) {
      return atLeast;
    }
    BigInteger rateMinor = worth.getAmountMinor().toBigInteger();
    BigInteger ratePoints = BigInteger.valueOf(points.value());
    // The fewest minor units whose charge reaches atLeast: more than (atLeast - 1) points are worth.
    BigInteger minor = BigInteger.valueOf(atLeast.value() - 1).multiply(rateMinor).divide(ratePoints).add(BigInteger.ONE);
    BigInteger[] chargedParts = minor.multiply(ratePoints).divideAndRemainder(rateMinor);
    BigInteger charged = chargedParts[1].signum() == 0 ? chargedParts[0] : chargedParts[0].add(BigInteger.ONE);
    return Points.of(charged.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact());
  }
}
