package io.github.loyaltyledger.earning;

import java.math.BigDecimal;

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
}
