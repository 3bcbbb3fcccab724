package io.github.loyaltyledger.earning;

import java.util.Objects;

/**
 * A bonus on a member's first purchase. Taken back only if that purchase is returned in full.
 *
 * @param id the rule id
 * @param description what the rule gives
 * @param points the bonus, positive
 * @param terms how the engine treats it
 */
public record FirstPurchaseBonus(String id, String description, long points, RuleTerms terms) implements EarnRule {

  /**
   * Validates the rule.
   *
   * @param id the rule id
   * @param description what the rule gives
   * @param points the bonus, positive
   * @param terms how the engine treats it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the points are not positive
   */
  public FirstPurchaseBonus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(terms, "terms");
    if (points < 1) {
      throw new IllegalArgumentException("points must be positive, was " + points);
    }
  }

  /**
   * @param id the rule id, not null
   * @param points the bonus, positive
   * @return the rule, posting {@code BONUS}
   * @throws IllegalArgumentException if the points are not positive
   */
  public static FirstPurchaseBonus of(String id, long points) {
    return new FirstPurchaseBonus(id, DecimalText.points(Long.toString(points), "bonus point") + " on your first purchase", points, RuleTerms.DEFAULT.asBonus());
  }

  /**
   * Replaces the rule's terms whole, the {@code BONUS} kind its factory gave it included: terms
   * built from {@link RuleTerms#DEFAULT} post {@code EARN} unless they say {@link RuleTerms#asBonus()}.
   * To change one setting, start from the rule's own: {@code rule.with(rule.terms().budget(10_000))}.
   *
   * @param newTerms how the engine treats the rule, not null
   * @return a copy with these terms
   */
  public FirstPurchaseBonus with(RuleTerms newTerms) {
    return new FirstPurchaseBonus(id, description, points, newTerms);
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    if (context.purchase().isEmpty()) {
      return Evaluation.notAPurchase(context);
    }
    if (context.previousPurchases() > 0) {
      return Evaluation.notMet("previous purchases", DecimalText.count(context.previousPurchases()), "0");
    }
    return new Evaluation.Award(java.math.BigDecimal.valueOf(points), "first purchase", Clawback.onFullRefund());
  }
}
