package io.github.loyaltyledger.examples.plugin;

import io.github.loyaltyledger.earning.Clawback;
import io.github.loyaltyledger.earning.EarnContext;
import io.github.loyaltyledger.earning.EarnRule;
import io.github.loyaltyledger.earning.Evaluation;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.RuleTerms;
import java.util.Objects;

/**
 * Bonus points for each drink served in the customer's own cup: the till rings up a marker line
 * (by default the zero-priced SKU {@value #CUP_SKU}, one per cup brought), and every drink bought
 * (an earning line in the category {@value #DRINKS}) up to the number of cups earns a fixed bonus
 * ({@value #POINTS_PER_DRINK} points by default). A basket without a cup, or without a drink, is
 * "not met" with what was seen; a custom event never earns. The award names the drinks' SKUs as
 * its basis ({@link Clawback#proportionalOn}), so that a refund takes it back as the drinks come
 * back, and a return of the rest of the basket leaves it alone.
 *
 * <p>This is the rule-plugin example: it uses only the public {@link EarnRule} SPI, lives in a jar
 * of its own, and is listed in {@code META-INF/services/io.github.loyaltyledger.earning.EarnRule},
 * so that {@code RuleBook.builder().discover(classLoader)} finds it with the defaults (which is why
 * it has a public no-argument constructor). Register a differently configured one in code with
 * {@code RuleBook.builder().rule(ReusableCupBonus.of(...))}. Immutable and thread-safe.
 */
public final class ReusableCupBonus implements EarnRule {

  /** The SKU of the marker line the till adds for each cup brought. */
  public static final String CUP_SKU = "OWN-CUP";
  /** The category of the lines that are drinks. */
  public static final String DRINKS = "drink";
  /** The default bonus per drink served in an own cup. */
  public static final long POINTS_PER_DRINK = 10;

  private final String id;
  private final String cupSku;
  private final String drinkCategory;
  private final long pointsPerDrink;
  private final RuleTerms terms;

  /**
   * The rule as {@link java.util.ServiceLoader} creates it: id {@code own-cup}, the defaults above,
   * paid as a bonus on top of the base rate ({@link RuleTerms#asBonus()}).
   */
  public ReusableCupBonus() {
    this("own-cup", CUP_SKU, DRINKS, POINTS_PER_DRINK, RuleTerms.DEFAULT.asBonus());
  }

  private ReusableCupBonus(String id, String cupSku, String drinkCategory, long pointsPerDrink, RuleTerms terms) {
    this.id = Objects.requireNonNull(id, "id");
    // Checked as a purchase line checks its own: a marker or category no line can carry would
    // never match a basket, and the rule would pay nothing without a word.
    this.cupSku = LineItem.requireSku(Objects.requireNonNull(cupSku, "cupSku"));
    this.drinkCategory = LineItem.requireCategory(Objects.requireNonNull(drinkCategory, "drinkCategory"));
    this.terms = Objects.requireNonNull(terms, "terms");
    if (pointsPerDrink < 1) {
      throw new IllegalArgumentException("points per drink must be positive, was " + pointsPerDrink);
    }
    this.pointsPerDrink = pointsPerDrink;
  }

  /**
   * A rule with its own id, marker SKU, drink category and bonus, paid as a bonus, for
   * registration in code.
   *
   * @param id the rule id, not null (checked when the {@code RuleBook} is built)
   * @param cupSku the SKU of the marker line for a cup brought, not null; one a purchase line can
   *     carry ({@link LineItem#requireSku(String)})
   * @param drinkCategory the category of the drink lines, not null; one a purchase line can carry
   *     ({@link LineItem#requireCategory(String)})
   * @param pointsPerDrink the bonus per drink in an own cup, positive
   * @return the rule
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the SKU or category is one no purchase line can carry, or
   *     {@code pointsPerDrink} is not positive
   */
  public static ReusableCupBonus of(String id, String cupSku, String drinkCategory, long pointsPerDrink) {
    return new ReusableCupBonus(id, cupSku, drinkCategory, pointsPerDrink, RuleTerms.DEFAULT.asBonus());
  }

  /**
   * Returns a copy that the engine treats under other terms (schedule, caps, stacking group...).
   *
   * @param newTerms the terms, not null
   * @return the copy
   */
  public ReusableCupBonus with(RuleTerms newTerms) {
    return new ReusableCupBonus(id, cupSku, drinkCategory, pointsPerDrink, newTerms);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String description() {
    return pointsPerDrink + " points per drink served in your own cup";
  }

  @Override
  public RuleTerms terms() {
    return terms;
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    if (context.purchase().isEmpty()) {
      return Evaluation.notAPurchase(context);
    }
    Purchase purchase = context.purchase().get();
    long cups = purchase.lines().filter(l -> l.sku().equals(cupSku)).map(LineItem::quantity).sum().longValue();
    if (cups == 0) {
      return Evaluation.notMet("own cup", "no " + cupSku + " line", "a " + cupSku + " line");
    }
    io.vavr.collection.List<LineItem> drinkLines = purchase.earningLines()
        .filter(l -> l.categories().contains(drinkCategory));
    long drinks = drinkLines.map(LineItem::quantity).sum().longValue();
    if (drinks == 0) {
      return Evaluation.notMet("drinks", "0", "at least 1 in category " + drinkCategory);
    }
    long served = Math.min(cups, drinks);
    // Earned on the drinks: a refund takes it back as they come back, not as the rest of the basket does.
    return Evaluation.award(Math.multiplyExact(served, pointsPerDrink),
        served + " drink(s) in your own cup at " + pointsPerDrink + " points")
        .withClawback(Clawback.proportionalOn(drinkLines.map(LineItem::sku)));
  }

  @Override
  public String toString() {
    return "ReusableCupBonus[" + id + ", " + cupSku + ", " + drinkCategory + ", " + pointsPerDrink + "]";
  }
}
