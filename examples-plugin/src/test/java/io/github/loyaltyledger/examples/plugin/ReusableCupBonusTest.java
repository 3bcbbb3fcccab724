package io.github.loyaltyledger.examples.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.earning.Clawback;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EarnContext;
import io.github.loyaltyledger.earning.Evaluation;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.LineKind;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.ZoneId;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rule on its own: the basket in, the evaluation out. */
class ReusableCupBonusTest {

  static final Instant AT = Instant.parse("2026-03-03T08:15:00Z");
  static final MemberId ADA = MemberId.of("ada");

  static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  static final Member MEMBER = new Member(ADA, Instant.parse("2026-01-01T00:00:00Z"), Option.none(), PARIS,
      MemberStatus.ACTIVE);

  /**
   * The facts the engine would hand the rule, made with the public factories: when, where and in
   * which currency come from the purchase or event itself, so they cannot contradict it.
   */
  static EarnContext context(Option<Purchase> purchase, Option<CustomEvent> event) {
    return purchase.isDefined() ? EarnContext.of("bean-club", 1, PARIS, MEMBER, purchase.get()).withPreviousPurchases(3)
        : EarnContext.of("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER, event.get());
  }

  /** A basket of {@code cups} marker lines' worth, {@code lattes} lattes and a croissant. */
  static EarnContext basket(int cups, int lattes, LineKind latteKind) {
    List<LineItem> lines = List.of(LineItem.of("CROISSANT", 1, Money.parse("EUR 2.20")).inCategories("food"));
    if (lattes > 0) {
      lines = lines.append(LineItem.of("LATTE", lattes, Money.parse("EUR 3.50")).inCategories("drink", "coffee")
          .ofKind(latteKind));
    }
    if (cups > 0) {
      lines = lines.append(LineItem.of(ReusableCupBonus.CUP_SKU, cups, Money.parse("EUR 0.00")));
    }
    Purchase purchase = new Purchase(ADA, IdempotencyKey.of("pos-1"), AT, Channel.store("S-1"), CurrencyUnit.EUR, lines,
        Money.zero(CurrencyUnit.EUR));
    return context(Option.some(purchase), Option.none());
  }

  /** "award N: reason" or "not met: condition". */
  static String verdict(Evaluation e) {
    if (e instanceof Evaluation.Award) {
      Evaluation.Award award = (Evaluation.Award) e;
      return "award " + award.points() + ": " + award.reason();
    }
    return "not met: " + ((Evaluation.NotMet) e).condition();
  }

  @Nested
  class Evaluating {

    @ParameterizedTest(name = "{0} cup(s), {1} latte(s) as {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
        "0 | 2 | GOODS     | not met: own cup",
        "1 | 0 | GOODS     | not met: drinks",
        "1 | 1 | GOODS     | award 10: 1 drink(s) in your own cup at 10 points",
        "1 | 3 | GOODS     | award 10: 1 drink(s) in your own cup at 10 points",
        "2 | 2 | GOODS     | award 20: 2 drink(s) in your own cup at 10 points",
        "3 | 2 | GOODS     | award 20: 2 drink(s) in your own cup at 10 points",
        "2 | 2 | GIFT_CARD | not met: drinks",
    })
    void eachDrinkUpToTheNumberOfCupsEarnsTheBonus(int cups, int lattes, LineKind kind, String expected) {
      assertEquals(expected, verdict(new ReusableCupBonus().evaluate(basket(cups, lattes, kind))));
    }

    /**
     * The bonus is earned on the drinks: named as its basis, a return of the drinks takes it back
     * with them, and a return of the croissant leaves it alone. Before, it named none, and a return
     * took it back in proportion to the whole basket.
     */
    @Test
    void theBonusNamesTheDrinksItWasEarnedOnSoThatARefundTakesItBackWithThem() {
      Evaluation.Award award = (Evaluation.Award) new ReusableCupBonus().evaluate(basket(2, 2, LineKind.GOODS));
      assertEquals(Clawback.proportionalOn(List.of("LATTE")), award.clawback());
    }

    @Test
    void aNotMetBasketSaysWhatWasSeenAndWhatIsNeeded() {
      Evaluation e = new ReusableCupBonus().evaluate(basket(0, 1, LineKind.GOODS));
      assertEquals(Evaluation.notMet("own cup", "no OWN-CUP line", "a OWN-CUP line"), e);
    }

    /**
     * A rule's table test builds its context as the engine would: the member's tier (with its earn
     * multiplier), segments and previous purchases are what the test varies, on top of the purchase.
     */
    @Test
    void theRuleIsTestedOnTheFactsTheEngineWouldGiveItWhateverTheMembersTierSegmentsOrHistory() {
      EarnContext plain = basket(2, 2, LineKind.GOODS);
      assertEquals(AT, plain.occurredAt());
      assertEquals(Channel.store("S-1"), plain.channel());
      EarnContext gold = plain.withTier("gold", new java.math.BigDecimal("1.5")).withSegments(HashSet.of("students"))
          .withPreviousPurchases(0);
      assertEquals(Option.some("gold"), gold.tier());
      assertEquals(HashSet.of("students"), gold.segments());
      assertEquals(0, gold.previousPurchases());
      assertEquals(new ReusableCupBonus().evaluate(plain), new ReusableCupBonus().evaluate(gold));
    }

    @Test
    void aCustomEventNeverEarns() {
      CustomEvent survey = CustomEvent.of(ADA, IdempotencyKey.of("survey-1"), CustomEvent.SURVEY_COMPLETED, AT,
          Channel.store("S-1"));
      assertEquals("not met: purchase",
          verdict(new ReusableCupBonus().evaluate(context(Option.none(), Option.some(survey)))));
    }
  }

  @Nested
  class Configuring {

    @ParameterizedTest(name = "{0} points per drink in category {1}, marker {2}: 2 cups, 2 lattes -> {3}")
    @CsvSource(delimiter = '|', value = {
        "25 | drink  | OWN-CUP | award 50: 2 drink(s) in your own cup at 25 points",
        "10 | coffee | OWN-CUP | award 20: 2 drink(s) in your own cup at 10 points",
        "10 | tea    | OWN-CUP | not met: drinks",
        "10 | drink  | KEEPCUP | not met: own cup",
    })
    void aRuleRegisteredInCodeTakesItsOwnSkuCategoryAndBonus(long points, String category, String sku, String expected) {
      ReusableCupBonus rule = ReusableCupBonus.of("cup-bonus", sku, category, points);
      assertEquals(expected, verdict(rule.evaluate(basket(2, 2, LineKind.GOODS))));
    }

    @Test
    void theDiscoveredDefaultsPassTheRuleBooksChecks() {
      ReusableCupBonus rule = new ReusableCupBonus();
      assertEquals(List.of("own-cup"), RuleBook.of(rule).rules().map(r -> r.id()));
      assertEquals("10 points per drink served in your own cup", rule.description());
    }

    /**
     * A marker SKU or drink category with a space (or empty, or over 64 characters) was accepted,
     * and the rule then never matched a basket and paid nothing, without a word.
     */
    @ParameterizedTest(name = "marker {0}, category {1}")
    @CsvSource(delimiter = '|', value = {
        "OWN CUP   | drink       | 'OWN CUP'",
        "''        | drink       | SKU ''",
        "OWN-CUP   | hot drinks  | 'hot drinks'",
        "OWN-CUP   | ''          | category ''",
    })
    void aMarkerSkuOrDrinkCategoryNoPurchaseLineCanCarryIsRefusedNamingIt(String sku, String category, String named) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ReusableCupBonus.of("cup-bonus", sku, category, 10));

      Executable asALineChecksIt = sku.equals(ReusableCupBonus.CUP_SKU)
          ? () -> LineItem.requireCategory(category) : () -> LineItem.requireSku(sku);
      assertEquals(assertThrows(IllegalArgumentException.class, asALineChecksIt).getMessage(), e.getMessage());
      assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    @Test
    void aBonusThatIsNotPositiveIsRefused() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ReusableCupBonus.of("cup-bonus", "OWN-CUP", "drink", 0));
      assertEquals("points per drink must be positive, was 0", e.getMessage());
    }
  }
}
