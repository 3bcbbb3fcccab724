package io.github.loyaltyledger.internal;

import java.math.BigDecimal;

/**
 * Not API (see the package): the bound on the digits of the decimals a program is configured with
 * (a rule's rate or factor, a tier's earn multiplier, a payment's largest share), in one place.
 * {@code 1E+400} points per unit made every purchase fail, and {@code 1E-400000000} a description
 * of 400 million characters (printed in plain digits) on every purchase.
 */
public final class Decimals {

  /** The most digits a configured decimal may have before, and after, the decimal point. */
  public static final int MAX_DIGITS = 18;

  private Decimals() {}

  /**
   * Refuses a decimal of more than {@value #MAX_DIGITS} digits before or after the decimal point,
   * trailing zeros aside ({@code 1.000000000000000000000} is 1).
   *
   * @param subject what the decimal is, as the message starts, e.g. {@code "factor"} or
   *     {@code "a tier's earn multiplier"}; not null
   * @param value the decimal, not null
   * @return {@code value}
   * @throws IllegalArgumentException if it has more digits, saying so and giving the value
   */
  public static BigDecimal requireDigits(String subject, BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    // The digits before the point counted in a long: in an int, those of 1E+2147483647 wrapped
    // around to a negative count, and the number passed.
    if (stripped.scale() > MAX_DIGITS || (long) stripped.precision() - stripped.scale() > MAX_DIGITS) {
      throw new IllegalArgumentException(subject + " must have at most " + MAX_DIGITS + " digits before and "
          + MAX_DIGITS + " after the decimal point, was " + value);
    }
    return value;
  }

  /**
   * Refuses a decimal of more than {@value #MAX_DIGITS} digits after the decimal point, trailing
   * zeros aside: for a number whose whole part the caller bounds itself (a share of at most 1).
   *
   * @param subject what the decimal is, as the message starts, e.g. {@code "max share"}; not null
   * @param value the decimal, not null
   * @return {@code value}
   * @throws IllegalArgumentException if it has more decimals, saying so and giving the value
   */
  public static BigDecimal requireDecimals(String subject, BigDecimal value) {
    if (value.stripTrailingZeros().scale() > MAX_DIGITS) {
      throw new IllegalArgumentException(subject + " must have at most " + MAX_DIGITS + " decimals, was " + value);
    }
    return value;
  }
}
