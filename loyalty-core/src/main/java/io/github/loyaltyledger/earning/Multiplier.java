package io.github.loyaltyledger.earning;

import io.vavr.collection.SortedSet;
import io.vavr.collection.TreeSet;
import io.github.loyaltyledger.internal.Decimals;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Objects;
import org.joda.money.CurrencyUnit;

/**
 * A multiplier on lines of some SKUs or categories: "double points on coffee beans" gives, on top
 * of the base rate, {@code (factor - 1) × baseRate} points per currency unit of the matching lines
 * (after the points payment). Posted as its own award so that it can be capped, scheduled and
 * explained on its own.
 *
 * <p>The factor and rate are compared as written, as {@link BaseRate}'s rate is: the explanation
 * prints the factor as written ({@code 2.0x on …}).
 *
 * @param id the rule id
 * @param description what the rule gives
 * @param skus the SKUs it applies to, as a {@link LineItem} can carry them
 * @param categories the categories it applies to (a line in any of them matches), as a
 *     {@link LineItem} can carry them
 * @param factor the multiplier, at least 1
 * @param baseRate the base points per currency unit the multiplier multiplies
 * @param base gross or net of line discounts
 * @param terms how the engine treats it
 */
public record Multiplier(
    String id,
    String description,
    SortedSet<String> skus,
    SortedSet<String> categories,
    BigDecimal factor,
    BigDecimal baseRate,
    AmountBase base,
    RuleTerms terms) implements EarnRule {

  /**
   * Validates the rule.
   *
   * @param id the rule id
   * @param description what the rule gives
   * @param skus the SKUs it applies to, as a {@link LineItem} can carry them
   * @param categories the categories it applies to (a line in any of them matches), as a
   *     {@link LineItem} can carry them
   * @param factor the multiplier, at least 1
   * @param baseRate the base points per currency unit the multiplier multiplies
   * @param base gross or net of line discounts
   * @param terms how the engine treats it
   * @throws NullPointerException if an argument is null, or a SKU or category is null
   * @throws IllegalArgumentException if the factor is below 1, the base rate negative, either has
   *     more than 18 digits before or after the decimal point, neither SKUs nor categories are
   *     given, or one is a SKU or category no line can carry
   */
  public Multiplier {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(skus, "skus");
    Objects.requireNonNull(categories, "categories");
    Objects.requireNonNull(factor, "factor");
    Objects.requireNonNull(baseRate, "baseRate");
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(terms, "terms");
    // A sorted set keeps a null it is made with, and then throws on every line it is asked about.
    skus.forEach(sku -> Objects.requireNonNull(sku, "a SKU"));
    categories.forEach(category -> Objects.requireNonNull(category, "a category"));
    Decimals.requireDigits("factor", factor);
    Decimals.requireDigits("baseRate", baseRate);
    if (factor.compareTo(BigDecimal.ONE) < 0) {
      throw new IllegalArgumentException("a multiplier's factor must be at least 1, was " + factor.toPlainString());
    }
    if (baseRate.signum() < 0) {
      throw new IllegalArgumentException("a multiplier's base rate must not be negative, was " + baseRate.toPlainString());
    }
    if (skus.isEmpty() && categories.isEmpty()) {
      throw new IllegalArgumentException("a multiplier needs SKUs or categories");
    }
    skus.forEach(LineItem::requireSku);
    categories.forEach(LineItem::requireCategory);
  }

  /**
   * A multiplier on SKUs, on net amounts.
   *
   * @param id the rule id, not null
   * @param factor e.g. {@code "2"} for double points, not null
   * @param baseRate the base points per currency unit, not null
   * @param skus the SKUs, not null, none of them null
   * @return the rule
   * @throws NullPointerException if an argument is null
   * @throws NumberFormatException if the factor or the base rate is not a number (the message
   *     names which)
   * @throws IllegalArgumentException if the factor is below 1, the base rate negative, none is
   *     given, or one is malformed (see {@link LineItem})
   */
  public static Multiplier onSkus(String id, String factor, String baseRate, String... skus) {
    return of(id, factor, baseRate, Objects.requireNonNull(skus, "skus"), true);
  }

  /**
   * A multiplier on categories, on net amounts.
   *
   * @param id the rule id, not null
   * @param factor e.g. {@code "3"} for triple points, not null
   * @param baseRate the base points per currency unit, not null
   * @param categories the categories, not null, none of them null
   * @return the rule
   * @throws NullPointerException if an argument is null
   * @throws NumberFormatException if the factor or the base rate is not a number (the message
   *     names which)
   * @throws IllegalArgumentException if the factor is below 1, the base rate negative, none is
   *     given, or one is malformed (see {@link LineItem})
   */
  public static Multiplier onCategories(String id, String factor, String baseRate, String... categories) {
    return of(id, factor, baseRate, Objects.requireNonNull(categories, "categories"), false);
  }

  /** A multiplier on SKUs or categories, its numbers read first so that a refusal names the one at fault. */
  private static Multiplier of(String id, String factor, String baseRate, String[] targets, boolean skus) {
    BigDecimal times = DecimalText.parse("factor", factor, "\"2\" or \"1.5\"");
    BigDecimal rate = DecimalText.parse("baseRate", baseRate, BaseRate.RATE_EXAMPLE);
    SortedSet<String> named = TreeSet.of(targets);
    return new Multiplier(id, times.toPlainString() + "x points on " + String.join(", ", targets), skus ? named : TreeSet.empty(),
        skus ? TreeSet.empty() : named, times, rate, AmountBase.NET, RuleTerms.DEFAULT);
  }

  /**
   * @param newTerms how the engine treats the rule, not null
   * @return a copy with these terms
   */
  public Multiplier with(RuleTerms newTerms) {
    return new Multiplier(id, description, skus, categories, factor, baseRate, base, newTerms);
  }

  /**
   * @param line a purchase line, not null
   * @return whether the multiplier applies to it
   */
  public boolean matches(LineItem line) {
    if (skus.contains(line.sku())) {
      return true;
    }
    if (!categories.isEmpty()) {
      for (String category : line.categories()) {
        if (categories.contains(category)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    if (context.purchase().isEmpty()) {
      return Evaluation.notAPurchase(context);
    }
    // One pass over the lines: the amount of the matching earning lines and their distinct SKUs in
    // order (a list only once a second SKU matches). The points payment is taken off once, from the
    // sum, with the exact ratio (payable / total) rather than a rounded share per line.
    Purchase purchase = context.purchase().get();
    BigDecimal amount = BigDecimal.ZERO;
    String first = null;
    java.util.List<String> more = null;
    for (io.vavr.collection.List<LineItem> rest = purchase.lines(); !rest.isEmpty(); rest = rest.tail()) {
      LineItem line = rest.head();
      if (!line.kind().earns() || !matches(line)) {
        continue;
      }
      BigDecimal lineAmount = line.amount(base);
      // Zero plus the first amount is that amount (same value, same scale): skip the addition.
      amount = first == null && lineAmount.scale() >= 0 ? lineAmount : amount.add(lineAmount);
      String sku = line.sku();
      if (first == null) {
        first = sku;
      } else if (!first.equals(sku) && (more == null || !more.contains(sku))) {
        if (more == null) {
          more = new java.util.ArrayList<>(2);
          more.add(first);
        }
        more.add(sku);
      }
    }
    if (first == null) {
      String wanted = skus.addAll(categories).mkString(", ");
      return Evaluation.notMet("lines", "none of " + wanted, "a line in " + wanted);
    }
    BigDecimal perUnit = Exact.times(factor.subtract(BigDecimal.ONE), baseRate);
    BigDecimal points;
    BigDecimal matched;
    if (purchase.paidWithPoints().getAmount().signum() == 0) {
      matched = amount;
      points = Exact.times(amount, perUnit);
    } else {
      // matched × payable / total, divided last: exact in the points, and the printed amount is
      // exact whenever it has at most 16 digits. The ratio is the share of the bill paid with money,
      // which is net on either base: the points pay part of the net bill.
      BigDecimal total = purchase.earningTotal(AmountBase.NET);
      BigDecimal payable = purchase.earningAmount(AmountBase.NET);
      BigDecimal paidPart = amount.multiply(payable);
      matched = total.signum() == 0 ? BigDecimal.ZERO : paidPart.divide(total, MathContext.DECIMAL64);
      points = total.signum() == 0 ? BigDecimal.ZERO : Exact.quotient(paidPart.multiply(perUnit), total);
    }
    CurrencyUnit currency = context.currency();
    String one = first;
    java.util.List<String> all = more;
    // A refund takes the points back as the matching lines come back, not as the rest of the basket does,
    // measured as they were earned: on a gross base, by the gross of the lines returned.
    return new Evaluation.Award(points, () -> explain(currency, matched, all == null ? one : String.join(", ", all)),
        all == null ? Clawback.proportionalOn(one, base) : Clawback.proportionalOn(all, base));
  }

  /** @return e.g. {@code 2x on EUR 17.00 of BEANS}, the amount with the currency's decimals as a base rate prints it */
  private String explain(CurrencyUnit currency, BigDecimal amount, String names) {
    return DecimalText.plain(factor) + "x on " + currency.getCode() + " "
        + DecimalText.amount(amount, currency.getDecimalPlaces()) + " of " + names;
  }
}
