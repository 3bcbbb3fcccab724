package io.github.loyaltyledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one bound on the digits of a configured decimal, which a rule's rate and factor, a tier's
 * earn multiplier and a payment's largest share all apply: 18 digits before and after the point,
 * trailing zeros aside, counted without wrapping at the extremes of a {@code BigDecimal}'s scale.
 */
class DecimalsTest {

  private static final String DIGITS = " must have at most 18 digits before and 18 after the decimal point, was ";

  @Nested
  class RequireDigits {

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "-1", "123456789012345678", "-123456789012345678", "0.123456789012345678",
        "-0.123456789012345678", "123456789012345678.123456789012345678", "1.000000000000000000000",
        "100000000000000000000E-3", "1E+17", "1E-18", "-1E-18", "0E+2147483647", "0E-2147483647"})
    void aDecimalOfAtMost18DigitsEitherSideOfThePointIsReturnedAsGiven(String text) {
      BigDecimal value = new BigDecimal(text);
      assertSame(value, Decimals.requireDigits("factor", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1234567890123456789", "-1234567890123456789", "0.1234567890123456789",
        "-0.1234567890123456789", "1E+18", "1E-19", "-1E-19", "1E+2147483647", "-1E+2147483647", "1E-2147483647",
        "-1E-2147483647", "10000000000000000000.00000"})
    void aDecimalOfMoreDigitsIsRefusedNamingItAndGivingTheValue(String text) {
      BigDecimal value = new BigDecimal(text);
      assertEquals("a tier's earn multiplier" + DIGITS + value, assertThrows(IllegalArgumentException.class,
          () -> Decimals.requireDigits("a tier's earn multiplier", value)).getMessage());
    }
  }

  @Nested
  class RequireDecimals {

    @ParameterizedTest
    @ValueSource(strings = {"1", "0.123456789012345678", "-0.123456789012345678", "1.000000000000000000000",
        "1E-18", "1E+2147483647", "12345678901234567890123"})
    void aDecimalOfAtMost18DecimalsIsReturnedAsGivenWhateverItsWholePart(String text) {
      BigDecimal value = new BigDecimal(text);
      assertSame(value, Decimals.requireDecimals("max share", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.1234567890123456789", "-0.1234567890123456789", "1E-19", "1E-2147483647",
        "-1E-2147483647", "0.10000000000000000010000"})
    void aDecimalOfMoreDecimalsIsRefusedNamingItAndGivingTheValue(String text) {
      BigDecimal value = new BigDecimal(text);
      assertEquals("max share must have at most 18 decimals, was " + value, assertThrows(IllegalArgumentException.class,
          () -> Decimals.requireDecimals("max share", value)).getMessage());
    }
  }
}
