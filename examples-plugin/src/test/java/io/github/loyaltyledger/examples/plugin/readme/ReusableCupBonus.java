package io.github.loyaltyledger.examples.plugin.readme;

import io.github.loyaltyledger.earning.Clawback;
import io.github.loyaltyledger.earning.EarnContext;
import io.github.loyaltyledger.earning.EarnRule;
import io.github.loyaltyledger.earning.Evaluation;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.RuleTerms;
import io.vavr.collection.List;

/**
 * The README's sketch of the plugin ("Writing a rule plugin"), with what it elides filled in, so
 * that it compiles; {@code ReadmeSketchTest} holds it to the plugin it sketches.
 */
// --- README rule plugin begins ---
public final class ReusableCupBonus implements EarnRule {
  public ReusableCupBonus() {}                         // ServiceLoader needs a public no-argument constructor
  @Override public String id() { return "own-cup"; }  // unique in the program: 1-40 of a-z 0-9 . _ -, a letter or digit first
  @Override public String description() { return "10 points per drink served in your own cup"; }
  @Override public RuleTerms terms() { return RuleTerms.DEFAULT.asBonus(); }   // optional
  @Override public Evaluation evaluate(EarnContext context) {
    if (context.purchase().isEmpty()) return Evaluation.notAPurchase(context);
    Purchase purchase = context.purchase().get();
    long cups = purchase.lines().filter(l -> l.sku().equals("OWN-CUP")).map(LineItem::quantity).sum().longValue();
    List<LineItem> drinkLines = purchase.earningLines().filter(l -> l.categories().contains("drink"));
    long drinks = drinkLines.map(LineItem::quantity).sum().longValue();
    long served = Math.min(cups, drinks);
    if (drinks == 0 && cups > 0) return Evaluation.notMet("drinks", "0", "at least 1 in category drink");
    if (cups == 0) return Evaluation.notMet("own cup", "no OWN-CUP line", "a OWN-CUP line");
    return Evaluation.award(served * 10, served + " drink(s) in your own cup at 10 points")
        .withClawback(Clawback.proportionalOn(drinkLines.map(LineItem::sku)));   // taken back as the drinks come back
  }
}
// --- README rule plugin ends ---
