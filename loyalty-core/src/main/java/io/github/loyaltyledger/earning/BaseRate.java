package io.github.loyaltyledger.earning;

import io.github.loyaltyledger.internal.Decimals;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The base earning rate: points per currency unit on the earning lines of a purchase, gross or net
 * of line discounts, less what was paid with points (on the gross base, in proportion to the share
 * of the bill paid with money: see {@link Purchase#earningAmount(AmountBase)}), times the earn
 * multiplier of the member's tier at the purchase's instant ({@link EarnContext#earnMultiplier()},
 * 1 without one): {@code amount × rate × multiplier}, rounded once by the engine. A multiplier other
 * than 1 is named in the explanation, e.g. {@code 10 per EUR on EUR 9.90 (net) x 1.2 (tier gold)}.
 * Does not apply to custom events.
 *
 * <p>The rate is compared as written: rates of {@code 1} and {@code 1.0} make unequal rules, since
 * the explanation prints the rate as written ({@code 1.0 per EUR …}). An {@link Evaluation.Award}'s
 * points, which only the engine's rounding reads, compare as numbers.
 *
 * @param id the rule id
 * @param description what the rule gives, for statements
 * @param pointsPerUnit points per unit of the program's currency, not negative
 * @param base gross or net of line discounts
 * @param terms how the engine treats it
 */
public record BaseRate(String id, String description, BigDecimal pointsPerUnit, AmountBase base, RuleTerms terms)
    implements EarnRule {

  /** A rate written as {@link #of} reads it, for the message refusing another text. */
  static final String RATE_EXAMPLE = "\"1\" or \"0.5\"";

  /**
   * Validates the rule.
   *
   * @param id the rule id
   * @param description what the rule gives, for statements
   * @param pointsPerUnit points per unit of the program's currency, not negative
   * @param base gross or net of line discounts
   * @param terms how the engine treats it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the rate is negative, or has more than 18 digits before or
   *     after the decimal point
   */
  public BaseRate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(pointsPerUnit, "pointsPerUnit");
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(terms, "terms");
    if (pointsPerUnit.signum() < 0) {
      throw new IllegalArgumentException("the rate must not be negative, was " + pointsPerUnit);
    }
    Decimals.requireDigits("pointsPerUnit", pointsPerUnit);
  }

  /**
   * A base rate on the net amount with default terms.
   *
   * @param id the rule id, not null
   * @param pointsPerUnit points per currency unit, e.g. {@code "1"} or {@code "0.5"}, not null
   * @return the rule
   * @throws NullPointerException if an argument is null
   * @throws NumberFormatException if the rate is not a number (the message names it)
   * @throws IllegalArgumentException if the rate is negative, or has more than 18 digits before or
   *     after the decimal point
   */
  public static BaseRate of(String id, String pointsPerUnit) {
    BigDecimal rate = DecimalText.parse("pointsPerUnit", pointsPerUnit, RATE_EXAMPLE);
    return new BaseRate(id, DecimalText.points(rate.toPlainString(), "point") + " per currency unit spent", rate, AmountBase.NET, RuleTerms.DEFAULT);
  }

  /**
   * @param amountBase gross or net, not null
   * @return a copy converting that amount
   */
  public BaseRate on(AmountBase amountBase) {
    return new BaseRate(id, description, pointsPerUnit, amountBase, terms);
  }

  /**
   * @param newTerms how the engine treats the rule, not null
   * @return a copy with these terms
   */
  public BaseRate with(RuleTerms newTerms) {
    return new BaseRate(id, description, pointsPerUnit, base, newTerms);
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    if (context.purchase().isEmpty()) {
      return Evaluation.notAPurchase(context);
    }
    return evaluate(context, context.purchase().get().earningAmount(base));
  }

  /**
   * Evaluates a purchase on its earning amount on this rule's base, as the engine computes it once
   * for every rule of a decision.
   */
  Evaluation evaluate(EarnContext context, BigDecimal amount) {
    String currency = context.currency().getCode();
    Purchase purchase = context.purchase().get();
    // The tier's multiplier scales the rate, so that the points are rounded once, as every rule's.
    BigDecimal multiplier = context.earnMultiplier();
    boolean multiplied = multiplier.compareTo(BigDecimal.ONE) != 0;
    BigDecimal rate = multiplied ? pointsPerUnit.multiply(multiplier) : pointsPerUnit;
    // A gross amount less a points payment can be a rounded quotient: the points are worked out from
    // the lines with the payment's exact share, divided last.
    BigDecimal points = base == AmountBase.GROSS && purchase.paidWithPoints().getAmount().signum() != 0
        ? purchase.paidWithMoney(purchase.earningTotal(base), rate)
        : Exact.times(amount, rate);
    if (!multiplied) {
      return new Evaluation.Award(points, () -> explain(currency, amount), Clawback.proportional());
    }
    String tier = context.tier().get();
    return new Evaluation.Award(points, () -> explain(currency, amount, multiplier, tier), Clawback.proportional());
  }

  /** @return e.g. {@code 1 per EUR on EUR 27.00 (net)} */
  private String explain(String currency, BigDecimal amount) {
    return DecimalText.plain(pointsPerUnit) + " per " + currency + " on " + currency + " " + DecimalText.amount(amount)
        + " (" + base.label() + ")";
  }

  /** @return e.g. {@code 10 per EUR on EUR 9.90 (net) x 1.2 (tier gold)} */
  private String explain(String currency, BigDecimal amount, BigDecimal multiplier, String tier) {
    return explain(currency, amount) + " x " + DecimalText.plain(multiplier) + " (tier " + tier + ")";
  }
}
