package io.github.loyaltyledger.earning;

import java.math.BigDecimal;
import java.util.Objects;
import org.joda.money.Money;

/**
 * A basket threshold bonus: spend at least X (on the earning lines, after the points payment),
 * get Y points. A refund takes the whole bonus back once the kept basket falls below X.
 *
 * @param id the rule id
 * @param description what the rule gives
 * @param threshold the spend needed, in the program's currency
 * @param points the bonus, positive
 * @param base gross or net of line discounts
 * @param terms how the engine treats it
 */
public record BasketThreshold(String id, String description, Money threshold, long points, AmountBase base, RuleTerms terms)
    implements EarnRule {

  /**
   * Validates the rule.
   *
   * @param id the rule id
   * @param description what the rule gives
   * @param threshold the spend needed, in the program's currency
   * @param points the bonus, positive
   * @param base gross or net of line discounts
   * @param terms how the engine treats it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the threshold is not positive or the points are not positive
   */
  public BasketThreshold {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(threshold, "threshold");
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(terms, "terms");
    if (!threshold.isPositive()) {
      throw new IllegalArgumentException("a basket threshold must be positive, was " + threshold);
    }
    if (points < 1) {
      throw new IllegalArgumentException("a basket threshold's points must be positive, was " + points);
    }
  }

  /**
   * A threshold bonus on the net basket, posted as {@code BONUS}.
   *
   * @param id the rule id, not null
   * @param threshold the spend needed, not null
   * @param points the bonus, positive
   * @return the rule
   * @throws IllegalArgumentException if the threshold or the points are not positive
   */
  public static BasketThreshold of(String id, Money threshold, long points) {
    return new BasketThreshold(id, DecimalText.points(Long.toString(points), "bonus point") + " when you spend " + threshold, threshold, points,
        AmountBase.NET, RuleTerms.DEFAULT.asBonus());
  }

  /**
   * Replaces the rule's terms whole, the {@code BONUS} kind its factory gave it included: terms
   * built from {@link RuleTerms#DEFAULT} post {@code EARN} unless they say {@link RuleTerms#asBonus()}.
   * To change one setting, start from the rule's own: {@code rule.with(rule.terms().budget(10_000))}.
   *
   * @param newTerms how the engine treats the rule, not null
   * @return a copy with these terms
   */
  public BasketThreshold with(RuleTerms newTerms) {
    return new BasketThreshold(id, description, threshold, points, base, newTerms);
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
  Evaluation evaluate(EarnContext context, BigDecimal spent) {
    String currency = context.currency().getCode();
    if (spent.compareTo(threshold.getAmount()) < 0) {
      return Evaluation.notMet("basket", currency + " " + DecimalText.amount(spent), "at least " + DecimalText.money(threshold));
    }
    return new Evaluation.Award(BigDecimal.valueOf(points), () -> explain(currency, spent),
        Clawback.whileBasketAtLeast(threshold, base));
  }

  /** @return e.g. {@code basket EUR 27.00 reached EUR 25.00} */
  private String explain(String currency, BigDecimal spent) {
    return "basket " + currency + " " + DecimalText.amount(spent) + " reached " + DecimalText.money(threshold);
  }
}
