package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.internal.Decimals;
import java.math.BigDecimal;
import java.util.Objects;
import org.joda.money.Money;

/**
 * The texts of amounts that explanations print, equal to what {@link BigDecimal#toPlainString()},
 * {@code stripTrailingZeros().toPlainString()} and {@link Money#toString()} give, without their
 * intermediate strings and numbers. A decimal without an exponent in its scientific form (scale
 * not negative, adjusted exponent at least -6) prints the same in both forms, and
 * {@link BigDecimal#toString()} is kept by the number once computed (a rule's rate, factor or
 * threshold is printed on every purchase) and writes two-decimal amounts directly.
 */
final class DecimalText {

  private DecimalText() {}

  // The texts of the counts that not-met reasons print on every purchase (visit numbers, previous
  // purchases), made once.
  private static final String[] COUNTS = new String[1024];

  static {
    for (int i = 0; i < COUNTS.length; i++) {
      COUNTS[i] = Integer.toString(i);
    }
  }

  /**
   * Reads a rule's rate or factor given as text, as {@code new BigDecimal(text)} does, but with a
   * refusal that names the argument and the text: the JDK's says neither ("Character t is neither
   * a decimal digit number…", or nothing at all for an empty text).
   *
   * @param name the argument's name, for the message
   * @param text the text, not null
   * @param example a number written as the argument expects it, for the message
   * @return the number
   * @throws NullPointerException if {@code text} is null, naming the argument
   * @throws NumberFormatException if {@code text} is not a decimal number
   * @throws IllegalArgumentException if it has more digits than {@link Decimals#requireDigits} allows
   */
  static BigDecimal parse(String name, String text, String example) {
    Objects.requireNonNull(text, name);
    BigDecimal value;
    try {
      value = new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new NumberFormatException(name + " must be a decimal number such as " + example + ", was '" + text + "'");
    }
    return Decimals.requireDigits(name, value);
  }

  /**
   * @param value a whole number
   * @return {@code Long.toString(value)}, the same instance for 0 to 1,023
   */
  static String count(long value) {
    return value >= 0 && value < COUNTS.length ? COUNTS[(int) value] : Long.toString(value);
  }

  /**
   * A number of points as the built-in rules' descriptions and explanations write it: {@code 1 point},
   * {@code 2 points}, {@code 0.5 points} (a number other than exactly {@code 1} is plural).
   *
   * @param count the number as written, not null
   * @param noun {@code "point"}, or {@code "bonus point"}
   * @return the count and the noun, in the plural unless the count is {@code 1}
   */
  static String points(String count, String noun) {
    return count + " " + noun + ("1".equals(count) ? "" : "s");
  }

  /**
   * @param value a decimal, not null
   * @return {@code value.toPlainString()}
   */
  static String plain(BigDecimal value) {
    return value.scale() >= 0 && value.precision() - value.scale() > -6 ? value.toString() : value.toPlainString();
  }

  /**
   * @param value a decimal, not null
   * @return {@code value.stripTrailingZeros().toPlainString()}
   */
  static String stripped(BigDecimal value) {
    if (value.signum() == 0) {
      return "0";
    }
    String text = plain(value);
    if (value.scale() <= 0) {
      return text;
    }
    // A positive scale prints a decimal point: drop the fraction's trailing zeros, then a bare point.
    int end = text.length();
    while (text.charAt(end - 1) == '0') {
      end--;
    }
    if (text.charAt(end - 1) == '.') {
      end--;
    }
    return end == text.length() ? text : text.substring(0, end);
  }

  /**
   * An amount of money as an explanation prints it: plain, or, for a quotient with more decimals
   * than {@link Exact#QUOTIENT_SCALE} (a gross amount less a points payment), to 16 significant
   * digits without trailing zeros.
   */
  static String amount(BigDecimal value) {
    return value.scale() > Exact.QUOTIENT_SCALE ? stripped(value.round(java.math.MathContext.DECIMAL64)) : plain(value);
  }

  /**
   * An amount of money as an explanation prints it with at least its currency's decimals, as a
   * {@link Money} prints itself ({@code 12.50}, {@code 0.00}; {@code 1000} in JPY, {@code 1.500} in
   * BHD), and a share of it (a points payment taken off in proportion) with the decimals it needs,
   * without trailing zeros beyond the currency's, to 16 significant digits as {@link #amount} does.
   *
   * @param value an amount in the currency, not null
   * @param decimals the currency's decimal places
   * @return the amount's text
   */
  static String amount(BigDecimal value, int decimals) {
    BigDecimal shown = value.scale() > Exact.QUOTIENT_SCALE ? value.round(java.math.MathContext.DECIMAL64) : value;
    if (shown.scale() > decimals) {
      shown = shown.stripTrailingZeros();
    }
    return plain(shown.scale() < decimals ? shown.setScale(decimals) : shown);
  }

  /**
   * @param money an amount of money, not null
   * @return {@code money.toString()}, e.g. {@code EUR 25.00}
   */
  static String money(Money money) {
    return money.getCurrencyUnit().getCode() + " " + plain(money.getAmount());
  }
}
