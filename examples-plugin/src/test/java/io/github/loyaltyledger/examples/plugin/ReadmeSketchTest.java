package io.github.loyaltyledger.examples.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EarnContext;
import io.github.loyaltyledger.earning.EarnRule;
import io.github.loyaltyledger.earning.LineKind;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.vavr.control.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README's sketch of this plugin ({@code readme/ReusableCupBonus}, which the README's block
 * is held to) is the plugin with its defaults: the same id, description and terms, and the same
 * evaluation of every basket.
 */
class ReadmeSketchTest {

  private final EarnRule sketch = new io.github.loyaltyledger.examples.plugin.readme.ReusableCupBonus();
  private final EarnRule plugin = new ReusableCupBonus();

  @Test
  void theReadmeSketchHasThePluginsIdDescriptionAndTerms() {
    assertEquals(plugin.id(), sketch.id());
    assertEquals(plugin.description(), sketch.description());
    assertEquals(plugin.terms(), sketch.terms());
  }

  @ParameterizedTest(name = "{0} cup(s), {1} latte(s) as {2}")
  @CsvSource(delimiter = '|', value = {
      "0 | 0 | GOODS", "0 | 2 | GOODS", "1 | 0 | GOODS", "1 | 1 | GOODS", "1 | 3 | GOODS", "2 | 2 | GOODS",
      "3 | 2 | GOODS", "2 | 2 | GIFT_CARD",
  })
  void theReadmeSketchEvaluatesABasketAsThePluginDoes(int cups, int lattes, LineKind kind) {
    EarnContext basket = ReusableCupBonusTest.basket(cups, lattes, kind);

    assertEquals(ReusableCupBonusTest.verdict(plugin.evaluate(basket)),
        ReusableCupBonusTest.verdict(sketch.evaluate(basket)));
    assertEquals(plugin.evaluate(basket), sketch.evaluate(basket), "with the same clawback");
  }

  @Test
  void theReadmeSketchDoesNotEvaluateACustomEvent() {
    EarnContext event = ReusableCupBonusTest.context(Option.none(), Option.some(CustomEvent.of(ReusableCupBonusTest.ADA,
        IdempotencyKey.of("survey-1"), CustomEvent.SURVEY_COMPLETED, ReusableCupBonusTest.AT, Channel.app())));

    assertEquals(plugin.evaluate(event), sketch.evaluate(event));
  }
}
