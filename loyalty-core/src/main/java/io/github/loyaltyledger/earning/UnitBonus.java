package io.github.loyaltyledger.earning;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Fixed points per unit of one SKU bought, e.g. 25 points per bag of beans, whatever the price.
 *
 * @param id the rule id
 * @param description what the rule gives
 * @param sku the SKU, as a {@link LineItem} can carry it
 * @param pointsPerUnit the points per unit, positive
 * @param terms how the engine treats it
 */
public record UnitBonus(String id, String description, String sku, long pointsPerUnit, RuleTerms terms)
    implements EarnRule {

  /**
   * Validates the rule.
   *
   * @param id the rule id
   * @param description what the rule gives
   * @param sku the SKU, as a {@link LineItem} can carry it
   * @param pointsPerUnit the points per unit, positive
   * @param terms how the engine treats it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the SKU is one no line can carry, or the points are not
   *     positive
   */
  public UnitBonus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(sku, "sku");
    Objects.requireNonNull(terms, "terms");
    LineItem.requireSku(sku);
    if (pointsPerUnit < 1) {
      throw new IllegalArgumentException("points per unit must be positive, was " + pointsPerUnit);
    }
  }

  /**
   * @param id the rule id, not null
   * @param sku the SKU, not null
   * @param pointsPerUnit the points per unit, positive
   * @return the rule
   * @throws IllegalArgumentException if the SKU is one no line can carry, or the points are not
   *     positive
   */
  public static UnitBonus of(String id, String sku, long pointsPerUnit) {
    return new UnitBonus(id, DecimalText.points(Long.toString(pointsPerUnit), "point") + " per " + sku, sku, pointsPerUnit, RuleTerms.DEFAULT.asBonus());
  }

  /**
   * Replaces the rule's terms whole, the {@code BONUS} kind its factory gave it included: terms
   * built from {@link RuleTerms#DEFAULT} post {@code EARN} unless they say {@link RuleTerms#asBonus()}.
   * To change one setting, start from the rule's own: {@code rule.with(rule.terms().budget(10_000))}.
   *
   * @param newTerms how the engine treats the rule, not null
   * @return a copy with these terms
   */
  public UnitBonus with(RuleTerms newTerms) {
    return new UnitBonus(id, description, sku, pointsPerUnit, newTerms);
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    if (context.purchase().isEmpty()) {
      return Evaluation.notAPurchase(context);
    }
    long units = context.purchase().get().earningLines().filter(l -> l.sku().equals(sku)).map(LineItem::quantity)
        .sum().longValue();
    if (units == 0) {
      return Evaluation.notMet("units of " + sku, "0", "at least 1");
    }
    // Multiplied as decimals: a product beyond a long is refused by the engine in words, as any proposal is.
    // Taken back as the units of its SKU come back, not as the rest of the basket does.
    return new Evaluation.Award(BigDecimal.valueOf(units).multiply(BigDecimal.valueOf(pointsPerUnit)),
        units + " x " + sku + " at " + DecimalText.points(Long.toString(pointsPerUnit), "point"),
        Clawback.proportionalOn(sku, AmountBase.NET));
  }
}
