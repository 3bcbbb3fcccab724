package io.github.loyaltyledger.earning;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Exact products as the built-in rules compute them, without the multiplications that change
 * nothing: a decimal times a one of scale 0 is that decimal, in value and in scale.
 */
final class Exact {

  private Exact() {}

  /**
   * @param a a decimal, not null
   * @param b a decimal, not null
   * @return {@code a.multiply(b)}: equal in value and scale, and {@code a} itself when {@code b}
   *     is {@code 1} of scale 0 (a rate or factor of one, the usual base rate)
   */
  static BigDecimal times(BigDecimal a, BigDecimal b) {
    return BigDecimal.ONE.equals(b) ? a : a.multiply(b);
  }

  /** The decimals a {@link #quotient} keeps before its sticky digit. */
  static final int QUOTIENT_SCALE = 20;

  /**
   * A quotient for rounding to whole points: {@code n / d} itself when it has at most
   * {@value #QUOTIENT_SCALE} decimals; otherwise truncated there and followed by one more non-zero
   * digit. That digit makes it round to a whole number, in every {@link RoundingMode}, exactly as
   * the true quotient does: whole-number rounding decides at multiples of one half, and none lies
   * strictly between the truncated quotient and the next step of 10<sup>-{@value #QUOTIENT_SCALE}</sup>,
   * where both the true quotient and this one lie.
   *
   * @param n the numerator, not null
   * @param d the denominator, not zero
   * @return the quotient, to be rounded to whole points
   */
  static BigDecimal quotient(BigDecimal n, BigDecimal d) {
    BigDecimal q = n.divide(d, QUOTIENT_SCALE, RoundingMode.DOWN);
    if (q.multiply(d).compareTo(n) == 0) {
      return q;
    }
    BigDecimal sticky = BigDecimal.ONE.movePointLeft(QUOTIENT_SCALE + 1);
    return n.signum() * d.signum() < 0 ? q.subtract(sticky) : q.add(sticky);
  }
}
