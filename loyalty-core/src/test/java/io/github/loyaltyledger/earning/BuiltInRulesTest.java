package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.Set;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One table per built-in rule and per targeting term: the facts in, the outcome out. */
class BuiltInRulesTest {

  static final Instant TUESDAY_15H_PARIS = Instant.parse("2026-03-03T14:00:00Z");

  /** A context for a purchase by a member living in New York, in a program running in Paris. */
  static EarnContext context(Purchase purchase, long previousPurchases, Option<String> tier, Set<String> segments) {
    Member member = new Member(purchase.member(), Instant.parse("2026-01-01T00:00:00Z"), Option.none(),
        ZoneId.of("America/New_York"), MemberStatus.ACTIVE);
    // The program's currency is the purchase's: the facade refuses a purchase in another before any rule runs.
    return new EarnContext("bean-club", 3, ZoneId.of("Europe/Paris"), purchase.currency(), member, purchase.occurredAt(),
        purchase.channel(), Option.some(purchase), Option.none(), tier, segments, previousPurchases);
  }

  static EarnContext context(Purchase purchase) {
    return context(purchase, 0, Option.none(), HashSet.empty());
  }

  /** A context for a survey Ada completed, which no purchase rule rewards. */
  static EarnContext aSurvey() {
    CustomEvent e = CustomEvent.of(MemberId.of("ada"), IdempotencyKey.of("ev-1"), CustomEvent.SURVEY_COMPLETED,
        TUESDAY_15H_PARIS, Channel.app());
    EarnContext base = context(purchase(line("ITEM", 1, "1.00")));
    return new EarnContext(base.programId(), base.programVersion(), base.programZone(), base.currency(),
        base.member(), e.occurredAt(), e.channel(), Option.none(), Option.some(e), Option.none(), HashSet.empty(), 0);
  }

  static Purchase purchase(LineItem first, LineItem... more) {
    return Purchase.of(MemberId.of("ada"), IdempotencyKey.of("pos-1"), TUESDAY_15H_PARIS, Channel.store("S-1"), first, more);
  }

  static RuleOutcome decide(EarnRule rule, EarnContext context) {
    return accepted(EarnEngine.decide(RuleBook.of(rule), context, key -> 0)).quote().outcomes().single();
  }

  /** "granted" or the reason code when nothing was granted. */
  static String verdict(RuleOutcome o) {
    return o.reason().map(r -> r.code().name()).getOrElse(Long.toString(o.granted().value()));
  }

  @Nested
  class BaseRateTable {
    @ParameterizedTest(name = "{0} per EUR on {1} x {2} less {3}, {4} paid with points, {5} {6} -> {7}")
    @CsvSource({
        "1,   1, 12.99, 0.00, 0.00, NET,   DOWN,    12",
        "1,   1, 12.99, 2.00, 0.00, NET,   DOWN,    10",
        "1,   1, 12.99, 2.00, 0.00, GROSS, DOWN,    12",
        "0.5, 1, 12.99, 0.00, 0.00, NET,   DOWN,    6",
        "0.5, 1, 13.00, 0.00, 0.00, NET,   HALF_UP, 7",
        "0.5, 1, 13.00, 0.00, 0.00, NET,   DOWN,    6",
        "2,   3, 5.00,  1.00, 0.00, NET,   DOWN,    28",
        "1,   1, 12.99, 0.00, 5.00, NET,   DOWN,    7",
        "1,   1, 12.99, 0.00, 12.99, NET,  DOWN,    0",
        "10,  1, 0.99,  0.00, 0.00, NET,   UP,      10",
        "1,   1, 60.00, 10.00, 50.00, GROSS, DOWN,  0",    // all paid with points: nothing earns, gross or net
        "1,   1, 60.00, 10.00, 25.00, GROSS, DOWN,  30",   // half the bill paid with money: half the gross
        "1,   1, 60.00, 15.00, 15.00, GROSS, UP,    40",   // 60 × 30 / 45: exactly 40, not 40.000…1
        "1,   1, 60.00, 15.00, 15.00, GROSS, DOWN,  40",   // nor 39.999…
    })
    void convertsTheAmountOnceWithTheRulesRounding(
        String rate, int quantity, String price, String discount, String paidWithPoints, AmountBase base,
        RoundingMode rounding, long expected) {
      Purchase p = purchase(line("BEANS", quantity, price).discounted(eur(discount))).withPaidWithPoints(eur(paidWithPoints));
      BaseRate rule = BaseRate.of("base", rate).on(base).with(RuleTerms.DEFAULT.rounding(rounding));
      assertEquals(expected, decide(rule, context(p)).granted().value());
    }

    @Test
    void aRateOfZeroIsAcceptedAndEarnsNothingButANegativeRateIsRefused() {
      assertEquals(0, decide(BaseRate.of("none", "0"), context(purchase(line("BEANS", 1, "10.00")))).granted().value());
      assertEquals("the rate must not be negative, was -0.01",
          assertThrows(IllegalArgumentException.class, () -> BaseRate.of("minus", "-0.01")).getMessage());
    }

    @ParameterizedTest(name = "{1} paid with points on EUR 10.00 of goods and EUR 5.00 of tax -> {2}")
    @CsvSource({"15.00, EUR 0.00", "10.00, EUR 0.00", "12.00, EUR 0.00", "4.50, EUR 5.50"})
    void printsTheAmountItConvertedWithTheCurrencysDecimalsEvenWhenNothingIsLeftToEarnOn(
        String paidWithPoints, String amount) {
      Purchase p = purchase(line("BEANS", 1, "10.00"), line("VAT", 1, "5.00").ofKind(LineKind.TAX))
          .withPaidWithPoints(eur(paidWithPoints));
      assertEquals("1 per EUR on " + amount + " (net)", decide(BaseRate.of("base", "1"), context(p)).explanation());
      assertEquals("1 per EUR on " + amount + " (net)", ((Evaluation.Award) BaseRate.of("base", "1").evaluate(context(p))).reason());
    }

    @ParameterizedTest(name = "a basket of only a {0} line prints EUR 0.00")
    @CsvSource({"GIFT_CARD", "TAX"})
    void printsAnAmountOfNoEarningLinesWithTheCurrencysDecimals(LineKind kind) {
      Purchase p = purchase(line("CARD", 1, "25.00").ofKind(kind));
      assertEquals("1 per EUR on EUR 0.00 (net)", decide(BaseRate.of("base", "1"), context(p)).explanation());
      RuleOutcome threshold = decide(BasketThreshold.of("fifty", eur("50.00"), 100), context(p));
      assertEquals("EUR 0.00", threshold.reason().get().observed());
    }

    @ParameterizedTest(name = "{1} paid with points on a bill of {0} is refused")
    @CsvSource({"12.99, 20.00", "12.99, 13.00", "0.00, 0.01"})
    void aPointsPaymentAboveTheBillIsRefusedBeforeAnyRuleSeesIt(String price, String paidWithPoints) {
      Purchase p = purchase(line("BEANS", 1, price));
      assertThrows(IllegalArgumentException.class, () -> p.withPaidWithPoints(eur(paidWithPoints)));
    }

    @ParameterizedTest(name = "a {0} line of EUR 50 beside EUR 10 of goods earns 10")
    @CsvSource({"GIFT_CARD", "TAX", "TIP", "DEPOSIT"})
    void linesThatNeverEarnAreLeftOut(LineKind kind) {
      Purchase p = purchase(line("CARD", 1, "50.00").ofKind(kind), line("MUG", 1, "10.00"));
      assertEquals(10, decide(BaseRate.of("base", "1"), context(p)).granted().value());
    }

    @ParameterizedTest(name = "{0} per EUR on {1} less {2}, {3} paid with points, {4}, tier x {5}, {6} -> {7}")
    @CsvSource({
        "10,  0.95,  0.00,  0.00,  NET,   1.2,  DOWN,    11",   // 11.4 rounded once, not 9 x 1.2
        "10,  0.95,  0.00,  0.00,  NET,   1.2,  UP,      12",
        "0.5, 13.00, 0.00,  0.00,  NET,   1.25, HALF_UP, 8",    // 8.125
        "1,   60.00, 10.00, 25.00, GROSS, 1.5,  DOWN,    45",   // half the gross paid with money, x 1.5
        "1,   60.00, 15.00, 15.00, GROSS, 1.5,  UP,      60",   // 60 x 30 / 45 x 1.5: exactly 60
        "1,   12.99, 0.00,  0.00,  NET,   0,    UP,      0",
        "1,   12.99, 0.00,  0.00,  NET,   1.00, DOWN,    12",
    })
    void multipliesTheAmountByTheTiersMultiplierAndRoundsOnce(
        String rate, String price, String discount, String paidWithPoints, AmountBase base, String multiplier,
        RoundingMode rounding, long expected) {
      Purchase p = purchase(line("BEANS", 1, price).discounted(eur(discount))).withPaidWithPoints(eur(paidWithPoints));
      BaseRate rule = BaseRate.of("base", rate).on(base).with(RuleTerms.DEFAULT.rounding(rounding));
      assertEquals(expected, decide(rule, inTier(context(p), "gold", multiplier)).granted().value());
    }

    @ParameterizedTest(name = "tier x {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "1.2  | 10 per EUR on EUR 0.95 (net) x 1.2 (tier gold)",
        "1.50 | 10 per EUR on EUR 0.95 (net) x 1.50 (tier gold)",
        "1    | 10 per EUR on EUR 0.95 (net)",
        "1.0  | 10 per EUR on EUR 0.95 (net)",
    })
    void namesTheMultiplierAndTheTierInItsExplanationUnlessItIsOne(String multiplier, String explanation) {
      EarnContext c = inTier(context(purchase(line("BEANS", 1, "0.95"))), "gold", multiplier);
      assertEquals(explanation, decide(BaseRate.of("base", "10"), c).explanation());
      assertEquals(explanation, ((Evaluation.Award) BaseRate.of("base", "10").evaluate(c)).reason());
    }

    @Test
    void aContextRefusesANegativeMultiplierAndOneOtherThanOneWithoutATierAnEntryCanRecord() {
      EarnContext c = context(purchase(line("BEANS", 1, "0.95")));
      assertThrows(IllegalArgumentException.class, () -> inTier(c, "gold", "-1"));
      assertThrows(IllegalArgumentException.class, () -> inTier(c, null, "1.2"));
      assertThrows(IllegalArgumentException.class, () -> inTier(c, "gold\uD800", "1.2"));
      assertEquals(BigDecimal.ONE, inTier(c, null, "1").earnMultiplier().stripTrailingZeros());
    }
  }

  /** The context with the member in this tier (none if null), whose earn multiplier is this. */
  static EarnContext inTier(EarnContext c, String tier, String multiplier) {
    return new EarnContext(c.programId(), c.programVersion(), c.programZone(), c.currency(), c.member(), c.occurredAt(),
        c.channel(), c.purchase(), c.event(), Option.of(tier), c.segments(), c.previousPurchases(), new BigDecimal(multiplier));
  }

  @Nested
  class MultiplierTable {
    @ParameterizedTest(name = "{0}x on {1}/{2}, line {3} in {4} at {5} -> {6}")
    @CsvSource({
        "2, BEANS, -,     BEANS, coffee, 10.00, 10",
        "3, BEANS, -,     BEANS, coffee, 10.00, 20",
        "2, -,     coffee, BEANS, coffee, 10.00, 10",
        "2, -,     tea,    BEANS, coffee, 10.00, CONDITION_NOT_MET",
        "2, MUG,   -,      BEANS, coffee, 10.00, CONDITION_NOT_MET",
    })
    void addsTheExtraOfTheFactorOnMatchingLines(
        String factor, String sku, String category, String lineSku, String lineCategory, String price, String expected) {
      Multiplier rule = "-".equals(category)
          ? Multiplier.onSkus("double", factor, "1", sku)
          : Multiplier.onCategories("double", factor, "1", category);
      Purchase p = purchase(line(lineSku, 1, price).inCategories(lineCategory), line("OTHER", 1, "99.00"));
      assertEquals(expected, verdict(decide(rule, context(p))));
    }

    @ParameterizedTest(name = "{0}x on BEANS {1} of a basket {1} + OTHER {2}, {3} paid with points -> {4}")
    @CsvSource({
        "2, 30.00, 0.00,  20.00, 10",   // a third paid with money: exactly 10, not 9.999…
        "2, 10.00, 20.00, 20.00, 3",    // 10 × 10 / 30 = 3.33…
        "3, 10.00, 20.00, 27.00, 2",    // 2 × 10 × 3 / 30 = 2
        "2, 10.00, 0.00,  10.00, 0",    // all paid with points
        "2, 10.00, 0.00,  0.00,  10",
    })
    void takesThePointsPaymentOffTheMatchingLinesExactly(
        String factor, String beans, String other, String paidWithPoints, String expected) {
      Multiplier rule = Multiplier.onSkus("double", factor, "1", "BEANS");
      Purchase p = "0.00".equals(other)
          ? purchase(line("BEANS", 1, beans)).withPaidWithPoints(eur(paidWithPoints))
          : purchase(line("BEANS", 1, beans), line("OTHER", 1, other)).withPaidWithPoints(eur(paidWithPoints));
      assertEquals(expected, verdict(decide(rule, context(p))));
    }

    @ParameterizedTest(name = "2x on BEANS {1} {2} + OTHER {3}, {4} paid with points, explains {5}")
    @CsvSource({
        "EUR, 2, 6.25,  0,     0,     2x on EUR 12.50 of BEANS",
        "EUR, 1, 10.00, 0,     0,     2x on EUR 10.00 of BEANS",
        "EUR, 1, 10.00, 0,     10.00, 2x on EUR 0.00 of BEANS",             // all paid with points
        "EUR, 1, 10.00, 0,     5.00,  2x on EUR 5.00 of BEANS",             // half paid with money
        "EUR, 1, 10.00, 20.00, 20.00, 2x on EUR 3.333333333333333 of BEANS", // a third: 16 digits
        "EUR, 1, 12.50, 0,     10.00, 2x on EUR 2.50 of BEANS",             // 12.50 × 2.50 / 12.50
        "JPY, 1, 1000,  0,     0,     2x on JPY 1000 of BEANS",
        "BHD, 1, 1.500, 0,     0,     2x on BHD 1.500 of BEANS",
    })
    void printsTheAmountItMultipliedWithTheCurrencysDecimals(
        String currency, int quantity, String price, String other, String paidWithPoints, String explanation) {
      CurrencyUnit unit = CurrencyUnit.of(currency);
      LineItem beans = LineItem.of("BEANS", quantity, Money.of(unit, new BigDecimal(price)));
      List<LineItem> lines = "0".equals(other) ? List.of(beans)
          : List.of(beans, LineItem.of("OTHER", 1, Money.of(unit, new BigDecimal(other))));
      Purchase p = new Purchase(MemberId.of("ada"), IdempotencyKey.of("pos-1"), TUESDAY_15H_PARIS, Channel.store("S-1"),
          unit, lines, Money.zero(unit)).withPaidWithPoints(Money.of(unit, new BigDecimal(paidWithPoints)));
      Multiplier rule = Multiplier.onSkus("double", "2", "1", "BEANS");
      assertEquals(explanation, decide(rule, context(p)).explanation());
      assertEquals(explanation, ((Evaluation.Award) rule.evaluate(context(p))).reason());
    }

    @ParameterizedTest(name = "2x on BEANS and CUP, lines {0} -> {1} points, explains {2}")
    @CsvSource(delimiter = '|', value = {
        "BEANS                   | 10 | 2x on EUR 10.00 of BEANS",
        "BEANS, BEANS            | 20 | 2x on EUR 20.00 of BEANS",
        "BEANS, CUP              | 20 | 2x on EUR 20.00 of BEANS, CUP",
        "CUP, OTHER, BEANS, CUP  | 30 | 2x on EUR 30.00 of CUP, BEANS",
        "BEANS, CUP, BEANS, CUP  | 40 | 2x on EUR 40.00 of BEANS, CUP",
    })
    void addsEveryMatchingLineAndNamesEachSkuOnceInTheOrderBought(String skus, long points, String explanation) {
      Multiplier rule = Multiplier.onSkus("double", "2", "1", "BEANS", "CUP");
      List<LineItem> lines = List.of(skus.split(",\\s*")).map(sku -> line(sku, 1, "10.00"));
      Purchase p = purchase(lines.head(), lines.tail().toJavaArray(LineItem[]::new));
      RuleOutcome o = decide(rule, context(p));
      assertEquals(points, o.granted().value());
      assertEquals(explanation, o.explanation());
    }

    @Test
    void onACustomEventSaysThatItIsNoPurchaseAsTheOtherPurchaseRulesDo() {
      assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "purchase", "event survey.completed", "a purchase"),
          decide(Multiplier.onSkus("double", "2", "1", "BEANS"), aSurvey()).reason().get());
    }

    @ParameterizedTest(name = "a factor of {0} and a base rate of {1} are accepted")
    @CsvSource({"1, 1, 0", "2, 0, 0", "1.5, 2, 10"})
    void aFactorOfOneAndABaseRateOfZeroAreTheLeastAccepted(String factor, String baseRate, long points) {
      Multiplier rule = Multiplier.onSkus("m", factor, baseRate, "BEANS");
      assertEquals(points, decide(rule, context(purchase(line("BEANS", 1, "10.00")))).granted().value());
    }

    @ParameterizedTest(name = "a factor of {0} and a base rate of {1} are refused: {2}")
    @CsvSource(delimiter = '|', value = {
        "0.99 | 1     | a multiplier's factor must be at least 1, was 0.99",
        "2    | -0.01 | a multiplier's base rate must not be negative, was -0.01",
    })
    void aFactorBelowOneOrANegativeBaseRateIsRefused(String factor, String baseRate, String message) {
      assertEquals(message, assertThrows(IllegalArgumentException.class,
          () -> Multiplier.onSkus("m", factor, baseRate, "BEANS")).getMessage());
    }

    @Test
    void aSetOfSkusOrCategoriesHoldingNullIsRefusedWhenTheRuleIsMade() {
      java.util.Comparator<String> nullsFirst = java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder());
      TreeSet<String> withNull = TreeSet.of(nullsFirst, "BEANS", null);
      assertEquals("a SKU", assertThrows(NullPointerException.class, () -> new Multiplier("m", "2x", withNull,
          TreeSet.empty(), BigDecimal.valueOf(2), BigDecimal.ONE, AmountBase.NET, RuleTerms.DEFAULT)).getMessage());
      assertEquals("a category", assertThrows(NullPointerException.class, () -> new Multiplier("m", "2x",
          TreeSet.empty(), withNull, BigDecimal.valueOf(2), BigDecimal.ONE, AmountBase.NET, RuleTerms.DEFAULT)).getMessage());
    }

    @ParameterizedTest(name = "2x gross on BEANS 60.00 less {0}, {1} paid with points -> {2}")
    @CsvSource({
        "10.00, 50.00, 0",    // all paid with points
        "10.00, 25.00, 30",   // half the bill paid with money: half the gross of the beans
        "15.00, 15.00, 40",   // two thirds: exactly 40
    })
    void onTheGrossBaseEarnsOnTheShareOfTheBillPaidWithMoney(String discount, String paidWithPoints, String expected) {
      Multiplier rule = new Multiplier("double", "2x gross", TreeSet.of("BEANS"), TreeSet.empty(), BigDecimal.valueOf(2),
          BigDecimal.ONE, AmountBase.GROSS, RuleTerms.DEFAULT);
      Purchase p = purchase(line("BEANS", 1, "60.00").discounted(eur(discount))).withPaidWithPoints(eur(paidWithPoints));
      assertEquals(expected, verdict(decide(rule, context(p))));
    }
  }

  @Nested
  class UnitBonusTable {
    @ParameterizedTest(name = "{1} units of {0} at 25 points each -> {2}")
    @CsvSource({"BEANS, 1, 25", "BEANS, 4, 100", "MUG, 2, CONDITION_NOT_MET"})
    void givesFixedPointsPerUnit(String sku, int quantity, String expected) {
      Purchase p = purchase(line(sku, quantity, "3.00"));
      assertEquals(expected, verdict(decide(UnitBonus.of("beans-bonus", "BEANS", 25), context(p))));
    }

    @Test
    void onACustomEventSaysThatItIsNoPurchaseAsTheOtherPurchaseRulesDo() {
      CustomEvent e = CustomEvent.of(MemberId.of("ada"), IdempotencyKey.of("ev-1"), CustomEvent.SURVEY_COMPLETED,
          TUESDAY_15H_PARIS, Channel.app());
      EarnContext base = context(purchase(line("BEANS", 1, "1.00")));
      EarnContext c = new EarnContext(base.programId(), base.programVersion(), base.programZone(), base.currency(),
          base.member(), e.occurredAt(), e.channel(), Option.none(), Option.some(e), Option.none(), HashSet.empty(), 0);
      assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "purchase", "event survey.completed", "a purchase"),
          decide(UnitBonus.of("beans-bonus", "BEANS", 25), c).reason().get());
    }
  }

  @Nested
  class BasketThresholdTable {
    @ParameterizedTest(name = "basket {0} less {1} paid with points, threshold 50 -> {2}")
    @CsvSource({"49.99, 0.00, CONDITION_NOT_MET", "50.00, 0.00, 100", "80.00, 0.00, 100", "60.00, 10.01, CONDITION_NOT_MET"})
    void givesTheBonusFromTheThresholdOn(String basket, String paidWithPoints, String expected) {
      Purchase p = purchase(line("ITEM", 1, basket)).withPaidWithPoints(eur(paidWithPoints));
      RuleOutcome o = decide(BasketThreshold.of("fifty", eur("50.00"), 100), context(p));
      assertEquals(expected, verdict(o));
    }

    @ParameterizedTest(name = "basket {0}, {1} paid with points, threshold 25 explains {2}")
    @CsvSource(delimiter = '|', value = {
        "27.00 | 0.00 | basket EUR 27.00 reached EUR 25.00",
        "60.00 | 10.00 | basket EUR 50.00 reached EUR 25.00",
    })
    void saysWhichBasketReachedTheThreshold(String basket, String paidWithPoints, String explanation) {
      Purchase p = purchase(line("ITEM", 1, basket)).withPaidWithPoints(eur(paidWithPoints));
      BasketThreshold rule = BasketThreshold.of("bonus", eur("25.00"), 100);
      assertEquals(explanation, decide(rule, context(p)).explanation());
      assertEquals(explanation, ((Evaluation.Award) rule.evaluate(context(p))).reason());
    }

    @Test
    void onACustomEventSaysThatItIsNoPurchaseAsTheOtherPurchaseRulesDo() {
      assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "purchase", "event survey.completed", "a purchase"),
          decide(BasketThreshold.of("fifty", eur("50.00"), 100), aSurvey()).reason().get());
    }

    @ParameterizedTest(name = "gross basket 60.00 less {0}, {1} paid with points, gross threshold 50 -> {2}")
    @CsvSource({
        "10.00, 0.00,  100",                 // 60 gross
        "10.00, 10.00, CONDITION_NOT_MET",   // four fifths of the bill paid with money: 48 gross
        "12.00, 8.00,  100",                 // 60 × 40 / 48: exactly 50
    })
    void onTheGrossBaseMeasuresTheShareOfTheBillPaidWithMoney(String discount, String paidWithPoints, String expected) {
      Purchase p = purchase(line("ITEM", 1, "60.00").discounted(eur(discount))).withPaidWithPoints(eur(paidWithPoints));
      BasketThreshold rule = new BasketThreshold("fifty", "100 points from EUR 50 gross", eur("50.00"), 100,
          AmountBase.GROSS, RuleTerms.DEFAULT);
      assertEquals(expected, verdict(decide(rule, context(p))));
    }
  }

  @Nested
  class VisitBonusTable {
    @ParameterizedTest(name = "after {0} purchases: first-purchase bonus -> {1}, every-5th bonus -> {2}")
    @CsvSource({
        "0, 50, CONDITION_NOT_MET",
        "1, CONDITION_NOT_MET, CONDITION_NOT_MET",
        "4, CONDITION_NOT_MET, 30",
        "5, CONDITION_NOT_MET, CONDITION_NOT_MET",
        "9, CONDITION_NOT_MET, 30",
    })
    void countsThePurchasesBeforeThisOne(long previous, String first, String fifth) {
      EarnContext c = context(purchase(line("ITEM", 1, "5.00")), previous, Option.none(), HashSet.empty());
      assertEquals(first, verdict(decide(FirstPurchaseBonus.of("welcome", 50), c)));
      assertEquals(fifth, verdict(decide(EveryNthVisit.of("fifth", 5, 30), c)));
    }

    @ParameterizedTest(name = "every {0}th visit, after {1} purchases: observed {2}, expected {3}")
    @CsvSource({
        "2, 0, 1, a multiple of 2",
        "64, 1022, 1023, a multiple of 64",
        "65, 1023, 1024, a multiple of 65",
        "1000, 5000, 5001, a multiple of 1000",
    })
    void saysWhichVisitThisIsAndWhichItWaitsFor(int every, long previous, String observed, String expected) {
      EarnContext c = context(purchase(line("ITEM", 1, "5.00")), previous, Option.none(), HashSet.empty());
      Reason reason = decide(EveryNthVisit.of("nth", every, 30), c).reason().get();
      assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "visit number", observed, expected), reason);
      if (previous > 0) {
        assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "previous purchases", Long.toString(previous), "0"),
            decide(FirstPurchaseBonus.of("welcome", 50), c).reason().get());
      }
    }

    @Test
    void onACustomEventSayThatItIsNoPurchaseAsTheOtherPurchaseRulesDo() {
      CustomEvent e = CustomEvent.of(MemberId.of("ada"), IdempotencyKey.of("ev-1"), CustomEvent.SURVEY_COMPLETED,
          TUESDAY_15H_PARIS, Channel.app());
      EarnContext base = context(purchase(line("ITEM", 1, "1.00")));
      EarnContext c = new EarnContext(base.programId(), base.programVersion(), base.programZone(), base.currency(),
          base.member(), e.occurredAt(), e.channel(), Option.none(), Option.some(e), Option.none(), HashSet.empty(), 0);
      Reason noPurchase = new Reason(Reason.Code.CONDITION_NOT_MET, "purchase", "event survey.completed", "a purchase");
      assertEquals(noPurchase, decide(BaseRate.of("base", "1"), c).reason().get());
      assertEquals(noPurchase, decide(FirstPurchaseBonus.of("welcome", 50), c).reason().get());
      assertEquals(noPurchase, decide(EveryNthVisit.of("tenth", 10, 200), c).reason().get());
    }
  }

  @Nested
  class CampaignScheduleTable {
    @ParameterizedTest(name = "{0} read in the {1} zone, Tuesdays 14:00-17:00 in March -> {2}")
    @CsvSource({
        "2026-03-03T14:00:00Z, PROGRAM, 10",
        "2026-03-03T12:59:59Z, PROGRAM, OUTSIDE_SCHEDULE",
        "2026-03-03T16:00:00Z, PROGRAM, OUTSIDE_SCHEDULE",
        "2026-03-04T14:00:00Z, PROGRAM, OUTSIDE_SCHEDULE",
        "2026-04-07T13:00:00Z, PROGRAM, OUTSIDE_SCHEDULE",
        "2026-03-03T14:00:00Z, MEMBER,  OUTSIDE_SCHEDULE",
        "2026-03-03T19:30:00Z, MEMBER,  10",
    })
    void runsOnlyInsideItsDatesDaysAndHours(Instant at, Schedule.Zone zone, String expected) {
      Schedule tuesdays = Schedule.always().dates(LocalDate.of(2026, 3, 1), LocalDate.of(2026, 3, 31))
          .on(DayOfWeek.TUESDAY).between(LocalTime.of(14, 0), LocalTime.of(17, 0)).in(zone);
      Purchase p = Purchase.of(MemberId.of("ada"), IdempotencyKey.of("pos-1"), at, Channel.store("S-1"), line("ITEM", 1, "10.00"));
      BaseRate campaign = BaseRate.of("tuesday-double", "1").with(RuleTerms.DEFAULT.asBonus().during(tuesdays));
      assertEquals(expected, verdict(decide(campaign, context(p))));
    }

    @ParameterizedTest(name = "outside a schedule read in the {0} zone, the time observed names {1}")
    @CsvSource({
        "PROGRAM, TUESDAY 2026-03-03T13:00 (Europe/Paris)",
        "MEMBER,  TUESDAY 2026-03-03T07:00 (America/New_York)",
    })
    void saysInWhichZoneItReadTheTimeOutsideItsSchedule(Schedule.Zone zone, String observed) {
      Schedule mondays = Schedule.always().on(DayOfWeek.MONDAY).in(zone);
      Purchase p = Purchase.of(MemberId.of("ada"), IdempotencyKey.of("pos-1"), Instant.parse("2026-03-03T12:00:00Z"),
          Channel.store("S-1"), line("ITEM", 1, "10.00"));
      BaseRate campaign = BaseRate.of("monday-double", "1").with(RuleTerms.DEFAULT.asBonus().during(mondays));
      assertEquals(new Reason(Reason.Code.OUTSIDE_SCHEDULE, "time", observed, "MONDAY (" + zone + " zone)"),
          decide(campaign, context(p)).reason().get());
    }

    @ParameterizedTest(name = "{0} read in the program's zone (Paris), every evening 20:00 until midnight -> {1}")
    @CsvSource({
        "2026-03-03T19:00:00Z,          10",
        "2026-03-03T22:59:59.999999999Z, 10",
        "2026-03-03T23:00:00Z,          OUTSIDE_SCHEDULE",
        "2026-03-03T18:59:59Z,          OUTSIDE_SCHEDULE",
    })
    void aWindowEndingAtMidnightRunsUntilTheDayIsOver(Instant at, String expected) {
      Schedule evenings = Schedule.always().between(LocalTime.of(20, 0), LocalTime.MIDNIGHT);
      Purchase p = Purchase.of(MemberId.of("ada"), IdempotencyKey.of("pos-1"), at, Channel.store("S-1"), line("ITEM", 1, "10.00"));
      BaseRate campaign = BaseRate.of("late-double", "1").with(RuleTerms.DEFAULT.asBonus().during(evenings));
      assertEquals(expected, verdict(decide(campaign, context(p))));
      assertEquals("every day 20:00-00:00 (PROGRAM zone)", evenings.toString());
    }
  }

  @Nested
  class CapsTable {
    @ParameterizedTest(name = "150 desired, per transaction {0}, monthly cap {1} ({2} used), budget {3} ({4} used) -> {5}, {6}")
    @CsvSource({
        "100, -,   0,  -,    0,   100, CAPPED_PER_TRANSACTION",
        "-,   100, 70, -,    0,   30,  CAPPED_PER_PERIOD",
        "-,   -,   0,  1000, 990, 10,  BUDGET_EXHAUSTED",
        "100, 100, 70, -,    0,   30,  CAPPED_PER_PERIOD",       // the monthly cap cut deeper than the transaction's
        "100, 100, 0,  -,    0,   100, CAPPED_PER_TRANSACTION",  // both allow 100: the first one says why
        "100, 100, 0,  1000, 990, 10,  BUDGET_EXHAUSTED",        // the budget cut deeper than both caps
        "-,   100, 50, 1000, 990, 10,  BUDGET_EXHAUSTED",
        "-,   100, 50, 1000, 900, 50,  CAPPED_PER_PERIOD",
        "-,   100, 50, 1000, 1000, 0,  BUDGET_EXHAUSTED",
    })
    void namesTheCapOrBudgetThatSetWhatWasGranted(
        String perTransaction, String monthly, long capUsed, String budget, long budgetUsed, long granted, Reason.Code reason) {
      RuleTerms t = RuleTerms.DEFAULT;
      t = "-".equals(perTransaction) ? t : t.cappedPerTransaction(Long.parseLong(perTransaction));
      t = "-".equals(monthly) ? t : t.cappedPerMember(Long.parseLong(monthly), CapPeriod.MONTH);
      t = "-".equals(budget) ? t : t.budget(Long.parseLong(budget));
      RuleOutcome o = accepted(EarnEngine.decide(RuleBook.of(BaseRate.of("base", "1").with(t)),
          context(purchase(line("ITEM", 1, "150.00"))),
          key -> key.contains(":cap:") ? capUsed : key.contains(":budget:") ? budgetUsed : 0)).quote().outcomes().single();
      assertEquals(150, o.desired().value());
      assertEquals(granted, o.granted().value());
      assertEquals(reason, o.reason().get().code());
    }

    @ParameterizedTest(name = "150 desired, per transaction {0}, monthly cap {1} ({2} used), budget 1000 (990 used) -> {3}")
    @CsvSource({
        "-,   -,   0,  room for 150",
        "100, -,   0,  room for 100",   // the cap per transaction leaves 100 to grant
        "-,   100, 50, room for 50",    // the monthly cap leaves 50
        "100, 100, 70, room for 30",
    })
    void aBudgetThatRanOutSaysHowMuchRoomTheCapsLeftItToGrant(
        String perTransaction, String monthly, long capUsed, String expected) {
      RuleTerms t = RuleTerms.DEFAULT.budget(1000);
      t = "-".equals(perTransaction) ? t : t.cappedPerTransaction(Long.parseLong(perTransaction));
      t = "-".equals(monthly) ? t : t.cappedPerMember(Long.parseLong(monthly), CapPeriod.MONTH);
      RuleOutcome o = accepted(EarnEngine.decide(RuleBook.of(BaseRate.of("base", "1").with(t)),
          context(purchase(line("ITEM", 1, "150.00"))),
          key -> key.contains(":cap:") ? capUsed : key.contains(":budget:") ? 990 : 0)).quote().outcomes().single();
      assertEquals(new Reason(Reason.Code.BUDGET_EXHAUSTED, "budget", "990 of 1000 used", expected), o.reason().get());
      assertEquals(10, o.granted().value());
    }

    /**
     * A monthly cap's reason counted the points desired before the cap per transaction cut them
     * ("70 already + 150 desired" when only 100 could be granted by the transaction), overstating by
     * how much the month was exceeded.
     */
    @ParameterizedTest(name = "150 desired, per transaction {0}, monthly cap 100 (70 used) -> {1}")
    @CsvSource({
        "-,   70 already + 150 desired",
        "120, 70 already + 120 after the cap per transaction",
    })
    void aPeriodCapThatCutSaysWhatTheCapPerTransactionLeftIt(String perTransaction, String expected) {
      RuleTerms t = RuleTerms.DEFAULT.cappedPerMember(100, CapPeriod.MONTH);
      t = "-".equals(perTransaction) ? t : t.cappedPerTransaction(Long.parseLong(perTransaction));
      RuleOutcome o = accepted(EarnEngine.decide(RuleBook.of(BaseRate.of("base", "1").with(t)),
          context(purchase(line("ITEM", 1, "150.00"))),
          key -> key.contains(":cap:") ? 70 : 0)).quote().outcomes().single();
      assertEquals(new Reason(Reason.Code.CAPPED_PER_PERIOD, "points this month", expected, "at most 100"), o.reason().get());
      assertEquals(30, o.granted().value());
    }

    @ParameterizedTest(name = "{0} of {1} is counted under {2}")
    @CsvSource({
        "DAY,   2026-03-01,   2026-03-01",
        "WEEK,  2026-03-01,   2026-W09",
        "WEEK,  2027-01-01,   2026-W53",
        "MONTH, 2026-03-31,   2026-03",
        "MONTH, 0999-03-31,   0999-03",
        "MONTH, +10000-01-01, 10000-01",
        "MONTH, +10000-02-01, 10000-02",
        "YEAR,  2026-12-31,   2026",
        "EVER,  2026-03-01,   ever",
    })
    void eachPeriodIsCountedUnderTheNameOfTheCalendarUnitContainingTheDate(CapPeriod period, LocalDate date, String key) {
      assertEquals(key, period.key(date));
    }
  }

  @Nested
  class TargetingTable {
    @ParameterizedTest(name = "channel {0}, tier {1}, segments {2} -> {3}")
    @CsvSource({
        "WEB,   gold,   students, 10",
        "STORE, gold,   students, CONDITION_NOT_MET",
        "APP,   gold,   students, 10",
        "WEB,   silver, students, CONDITION_NOT_MET",
        "WEB,   -,      students, CONDITION_NOT_MET",
        "WEB,   gold,   lapsed,   CONDITION_NOT_MET",
        "WEB,   gold,   -,        CONDITION_NOT_MET",
    })
    void appliesOnlyToTheTargetedChannelsTiersAndSegments(Channel.Type channel, String tier, String segment, String expected) {
      Purchase p = new Purchase(MemberId.of("ada"), IdempotencyKey.of("pos-1"), TUESDAY_15H_PARIS,
          channel == Channel.Type.STORE ? Channel.store("S-1") : new Channel(channel, ""),
          CurrencyUnit.EUR, List.of(line("ITEM", 1, "10.00")), Money.zero(CurrencyUnit.EUR));
      EarnContext c = context(p, 0, "-".equals(tier) ? Option.none() : Option.some(tier),
          "-".equals(segment) ? HashSet.empty() : HashSet.of(segment, "other"));
      EarnRule rule = BaseRate.of("targeted", "1").with(RuleTerms.DEFAULT
          .onChannels(Channel.Type.WEB, Channel.Type.APP).forTiers("gold", "platinum").forSegments("students"));
      assertEquals(expected, verdict(decide(rule, c)));
    }
  }

  @Nested
  class EventAwardTable {
    @ParameterizedTest(name = "event {0} -> {1}")
    @CsvSource({"survey.completed, 40", "review.written, CONDITION_NOT_MET"})
    void awardsOnlyItsEventType(String type, String expected) {
      CustomEvent e = CustomEvent.of(MemberId.of("ada"), IdempotencyKey.of("ev-1"), type, TUESDAY_15H_PARIS, Channel.app());
      EarnContext base = context(purchase(line("ITEM", 1, "1.00")));
      EarnContext c = new EarnContext(base.programId(), base.programVersion(), base.programZone(), base.currency(),
          base.member(), e.occurredAt(), e.channel(), Option.none(), Option.some(e), Option.none(), HashSet.empty(), 0);
      assertEquals(expected, verdict(decide(EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40), c)));
    }
  }

  @Nested
  class Texts {
    @ParameterizedTest(name = "every {0} visits: {1}")
    @CsvSource({"2, 2nd", "3, 3rd", "4, 4th", "10, 10th", "11, 11th", "12, 12th", "13, 13th", "21, 21st", "22, 22nd",
        "23, 23rd", "101, 101st", "111, 111th", "112, 112th"})
    void anEveryNthVisitBonusIsDescribedWithTheOrdinalOfItsVisit(int every, String ordinal) {
      assertEquals("5 bonus points on every " + ordinal + " visit", EveryNthVisit.of("nth", every, 5).description());
    }

    @ParameterizedTest(name = "{0} point(s): descriptions and explanations say {1}")
    @CsvSource({"1, 1 point", "2, 2 points"})
    void theFactoriesDescriptionsAndExplanationsCountPointsInTheSingularAndThePlural(long n, String points) {
      assertEquals(points + " per currency unit spent", BaseRate.of("base", Long.toString(n)).description());
      assertEquals(points + " per BEANS", UnitBonus.of("unit", "BEANS", n).description());
      assertEquals("3 x BEANS at " + points,
          decide(UnitBonus.of("unit", "BEANS", n), context(purchase(line("BEANS", 3, "1.00")))).explanation());
      assertEquals(points.replace("point", "bonus point") + " when you spend EUR 50.00",
          BasketThreshold.of("fifty", eur("50.00"), n).description());
      assertEquals(points.replace("point", "bonus point") + " on your first purchase",
          FirstPurchaseBonus.of("welcome", n).description());
      assertEquals(points.replace("point", "bonus point") + " on every 10th visit",
          EveryNthVisit.of("tenth", 10, n).description());
      assertEquals(points + " for survey.completed", EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, n).description());
    }

    @ParameterizedTest(name = "a multiplier of \"{0}\" is described as {1}x, as it explains itself")
    @CsvSource({"2, 2", "+2, 2", "1E+1, 10", "1.50, 1.50"})
    void aMultipliersDescriptionWritesItsFactorAsANumberNotAsTheTextGiven(String factor, String written) {
      Multiplier rule = Multiplier.onSkus("m", factor, "1", "BEANS");
      assertEquals(written + "x points on BEANS", rule.description());
      assertEquals(written + "x on EUR 10.00 of BEANS", decide(rule, context(purchase(line("BEANS", 1, "10.00")))).explanation());
    }

    @Test
    void aRateOfOneWrittenWithDecimalsIsADecimalNumberOfPoints() {
      assertEquals("1.0 points per currency unit spent", BaseRate.of("base", "1.0").description());
      assertEquals("0.5 points per currency unit spent", BaseRate.of("base", "0.5").description());
    }
  }
}
