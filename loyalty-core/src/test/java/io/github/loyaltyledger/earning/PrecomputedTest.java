package io.github.loyaltyledger.earning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import io.vavr.collection.TreeSet;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.Period;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.IntStream;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * What the earning pipeline computes once instead of per purchase, and the arithmetic it skips,
 * equal to what it replaces: the per-rule data a {@link RuleBook} reads when built, and the amounts
 * of {@link LineItem} and {@link Purchase} (equal in value and in scale, since explanations print
 * them).
 */
class PrecomputedTest {

  static final CurrencyUnit[] CURRENCIES = {CurrencyUnit.EUR, CurrencyUnit.JPY, CurrencyUnit.of("BHD")};

  @Nested
  class ARuleBook {

    final RuleBook book = RuleBook.of(
        BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100)),
        Multiplier.onSkus("beans", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus().inGroup("coffee")),
        BasketThreshold.of("basket", Money.of(CurrencyUnit.EUR, 25), 50).with(RuleTerms.DEFAULT.asBonus().budget(1000)),
        FirstPurchaseBonus.of("welcome", 100).with(RuleTerms.DEFAULT.asBonus().priority(100).exclusive()),
        EveryNthVisit.of("fifth", 5, 25).with(RuleTerms.DEFAULT.asBonus().cappedPerMember(50, CapPeriod.WEEK)
            .onChannels(Channel.Type.WEB)),
        UnitBonus.of("cake", "CAKE", 10).with(RuleTerms.DEFAULT.expiringAfter(Period.ofMonths(6)).inGroup("coffee")));

    @Test
    void keepsEachRulesTermsAndDescriptionAsTheRuleGivesThem() {
      for (int i = 0; i < book.size(); i++) {
        EarnRule rule = book.rules().get(i);
        assertSame(rule, book.rule(i));
        assertEquals(rule.terms(), book.terms(i));
        assertEquals(rule.description(), book.description(i));
        RuleTerms t = rule.terms();
        assertEquals(!t.channels().isEmpty() || !t.tiers().isEmpty() || !t.segments().isEmpty() || t.schedule().isDefined(),
            book.targeted(i), rule.id());
      }
    }

    @Test
    void ordersTheRulesForStackingByPriorityThenId() {
      int[] sorted = IntStream.range(0, book.size()).boxed()
          .sorted(Comparator.comparingInt((Integer i) -> -book.rules().get(i).terms().stacking().priority())
              .thenComparing(i -> book.rules().get(i).id()))
          .mapToInt(Integer::intValue).toArray();
      assertArrayEquals(sorted, book.stackingOrder());
      assertEquals(List.of("base", "welcome", "basket", "beans", "cake", "fifth"),
          List.ofAll(IntStream.of(book.stackingOrder()).boxed().toList()).map(i -> book.rule(i).id()));
    }

    @Test
    void knowsWhetherAnyRuleIsGroupedOrCountsPerPeriod() {
      assertEquals(true, book.grouped());
      assertEquals(true, book.periodic());
      assertEquals(false, RuleBook.of(BaseRate.of("base", "1")).grouped());
      assertEquals(false, RuleBook.of(BaseRate.of("base", "1")).periodic());
    }

    @Test
    void namesTheBudgetCountersOfTheProgramAsTheEngineDocumentsThem() {
      RuleBook.CounterKeys keys = book.keys("bean-club");
      assertEquals("earn:bean-club:", keys.prefix());
      for (int i = 0; i < book.size(); i++) {
        assertEquals("earn:bean-club:budget:" + book.rule(i).id(), keys.budgets()[i]);
      }
      assertSame(keys, book.keys("bean-club"));
      assertEquals("earn:other:budget:base", book.keys("other").budgets()[0]);
    }
  }

  /** A generated line: quantity, unit price and discount in minor units, and whether it earns. */
  record LineSpec(int quantity, int minor, int discountPercent, boolean earns) {
    LineItem toLine(CurrencyUnit currency) {
      LineItem l = LineItem.of("SKU", quantity, Money.ofMinor(currency, minor))
          .discounted(Money.ofMinor(currency, (long) minor * quantity * discountPercent / 100));
      return earns ? l : l.ofKind(LineKind.TAX);
    }
  }

  record Basket(int currency, java.util.List<LineSpec> lines, int paidPercent) {
    Purchase toPurchase() {
      CurrencyUnit c = CURRENCIES[currency];
      List<LineItem> items = List.ofAll(lines).map(l -> l.toLine(c));
      long net = items.filter(l -> l.kind().earns()).map(l -> l.net().getAmountMinorLong()).sum().longValue();
      // Up to 160% of the earning lines, but never more than the whole bill, which a purchase refuses.
      long bill = items.map(l -> l.net().getAmountMinorLong()).sum().longValue();
      return new Purchase(MemberId.of("ada"), IdempotencyKey.of("pos-1"), Instant.EPOCH, Channel.web(), c, items,
          Money.ofMinor(c, Math.min(net * paidPercent / 100, bill)));
    }
  }

  static Gen<Basket> baskets() {
    Gen<LineSpec> line = integers().between(1, 3).zip(integers().between(0, 5000), integers().between(0, 100),
        integers().between(0, 4).map(i -> i > 0), LineSpec::new);
    return integers().between(0, CURRENCIES.length - 1).zip(lists().of(line).ofSizeBetween(1, 4),
        integers().between(0, 4).map(i -> i < 2 ? 0 : i * 40), Basket::new);
  }

  @Test
  void theAmountsEqualThePlainArithmeticInValueAndScale() {
    qt().withExamples(200).forAll(baskets()).checkAssert(basket -> {
      Purchase p = basket.toPurchase();
      for (AmountBase base : AmountBase.values()) {
        BigDecimal total = BigDecimal.ZERO;
        for (LineItem l : p.lines()) {
          BigDecimal gross = l.unitPrice().getAmount().multiply(BigDecimal.valueOf(l.quantity()));
          BigDecimal amount = base == AmountBase.GROSS ? gross : gross.subtract(l.discount().getAmount());
          assertEquals(amount, l.amount(base));
          total = l.kind().earns() ? total.add(amount) : total;
        }
        assertEquals(total, p.earningTotal(base));
        BigDecimal paid = p.paidWithPoints().getAmount();
        if (base == AmountBase.NET || paid.signum() == 0) {
          // Never below zero, and a zero keeps the currency's scale, as explanations print it.
          BigDecimal left = total.subtract(paid);
          assertEquals(left.signum() < 0 ? BigDecimal.ZERO.setScale(left.scale()) : left, p.earningAmount(base));
        } else {
          // The gross times the share of the net bill paid with money, exact to twenty decimals.
          BigDecimal net = p.earningTotal(AmountBase.NET);
          BigDecimal exact = net.signum() == 0 ? BigDecimal.ZERO
              : total.multiply(net.subtract(paid).max(BigDecimal.ZERO)).divide(net, 40, java.math.RoundingMode.DOWN);
          BigDecimal amount = p.earningAmount(base);
          assertEquals(exact.setScale(Exact.QUOTIENT_SCALE, java.math.RoundingMode.DOWN),
              amount.setScale(Exact.QUOTIENT_SCALE, java.math.RoundingMode.DOWN));
          assertEquals(exact.scale() > Exact.QUOTIENT_SCALE && exact.stripTrailingZeros().scale() > Exact.QUOTIENT_SCALE,
              amount.scale() > Exact.QUOTIENT_SCALE, "a sticky digit only on an inexact quotient");
        }
        BigDecimal share = p.payableShare(base);
        for (LineItem l : p.lines()) {
          BigDecimal part = !l.kind().earns() ? BigDecimal.ZERO
              : share.compareTo(BigDecimal.ONE) == 0 ? l.amount(base) : l.amount(base).multiply(share, MathContext.DECIMAL64);
          assertEquals(part, p.earningAmount(l, base));
        }
      }
    });
  }

  @Test
  void aMultipliersExplanationPrintsTheAmountItMultiplied() {
    Purchase p = new Basket(0, java.util.List.of(new LineSpec(2, 850, 0, true), new LineSpec(1, 1200, 10, true)), 0)
        .toPurchase();
    Evaluation.Award award = (Evaluation.Award) new Multiplier("m", "on SKU", TreeSet.of("SKU"), TreeSet.empty(),
        new BigDecimal("3"), BigDecimal.ONE, AmountBase.NET, RuleTerms.DEFAULT)
        .evaluate(BuiltInRulesTest.context(p));
    assertEquals("3x on EUR 27.80 of SKU", award.reason());
    assertEquals(new BigDecimal("55.60"), award.points());
  }

  @Test
  void aMultipliersExplanationNamesEachMatchedSkuOnceInTheOrderOfTheLines() {
    CurrencyUnit eur = CurrencyUnit.EUR;
    Purchase p = Purchase.of(MemberId.of("ada"), IdempotencyKey.of("pos-1"), Instant.EPOCH, Channel.web(),
        LineItem.of("B", 1, Money.of(eur, 2)), LineItem.of("A", 1, Money.of(eur, 3)), LineItem.of("B", 1, Money.of(eur, 5)),
        LineItem.of("C", 1, Money.of(eur, 7)));
    Evaluation.Award award = (Evaluation.Award) Multiplier.onSkus("m", "2", "1", "A", "B")
        .evaluate(BuiltInRulesTest.context(p));
    assertEquals("2x on EUR 10.00 of B, A", award.reason());
    assertEquals(new BigDecimal("10.00"), award.points());
  }

  @Test
  void decimalsPrintAsTheirPlainAndStrippedFormsAndMoneyAsItsOwnText() {
    qt().withExamples(2000).forAll(longs().all(), integers().between(-8, 12)).checkAssert((unscaled, scale) -> {
      BigDecimal d = BigDecimal.valueOf(unscaled >> (unscaled & 63), scale);
      assertEquals(d.toPlainString(), DecimalText.plain(d));
      assertEquals(d.stripTrailingZeros().toPlainString(), DecimalText.stripped(d));
      for (CurrencyUnit c : CURRENCIES) {
        Money m = Money.of(c, d, java.math.RoundingMode.DOWN);
        assertEquals(m.toString(), DecimalText.money(m));
      }
    });
  }

  @Test
  void theBaseRateAndMultiplierProposeThePlainProductsInValueAndScale() {
    String[] rates = {"1", "1.0", "1.00", "0.5", "2", "2.0", "3", "1.25", "0"};
    qt().withExamples(300).forAll(baskets(), integers().between(0, rates.length - 1), integers().between(0, rates.length - 1))
        .checkAssert((basket, r, f) -> {
          Purchase p = basket.toPurchase();
          EarnContext context = BuiltInRulesTest.context(p);
          BigDecimal rate = new BigDecimal(rates[r]);
          BigDecimal amount = p.earningAmount(AmountBase.NET);
          Evaluation base = BaseRate.of("base", rates[r]).evaluate(context);
          assertEquals(amount.multiply(rate), ((Evaluation.Award) base).points());
          BigDecimal factor = new BigDecimal(rates[f]).add(BigDecimal.ONE);
          Evaluation multiplied = new Multiplier("m", "m", TreeSet.of("SKU"), TreeSet.empty(), factor, rate, AmountBase.NET,
              RuleTerms.DEFAULT).evaluate(context);
          if (multiplied instanceof Evaluation.Award) {
            BigDecimal matched = BigDecimal.ZERO;
            boolean first = true;
            for (LineItem l : p.lines()) {
              if (l.kind().earns()) {
                matched = first ? l.amount(AmountBase.NET) : matched.add(l.amount(AmountBase.NET));
                first = false;
              }
            }
            BigDecimal points = ((Evaluation.Award) multiplied).points();
            BigDecimal perUnit = factor.subtract(BigDecimal.ONE).multiply(rate);
            if (p.paidWithPoints().isZero()) {
              assertEquals(matched.multiply(factor.subtract(BigDecimal.ONE)).multiply(rate), points);
            } else {
              // Paid partly with points: whole points as the exact matched × payable / total gives
              // them, in every rounding a rule can ask for.
              BigDecimal total = p.earningTotal(AmountBase.NET);
              BigDecimal exact = matched.multiply(p.earningAmount(AmountBase.NET)).multiply(perUnit);
              for (java.math.RoundingMode mode : java.math.RoundingMode.values()) {
                if (mode != java.math.RoundingMode.UNNECESSARY && total.signum() != 0) {
                  assertEquals(exact.divide(total, 0, mode), points.setScale(0, mode), mode.name());
                }
              }
            }
          }
        });
  }

  @Test
  void aCountPrintsAsItsDecimalText() {
    qt().withExamples(2000).forAll(longs().between(-5, 1100).mix(longs().all())).checkAssert(
        v -> assertEquals(Long.toString(v), DecimalText.count(v)));
  }

  @Test
  void aDecisionGivesEachRuleTheEarningAmountOnItsOwnBaseAsTheRuleAloneComputesIt() {
    qt().withExamples(200).forAll(baskets()).checkAssert(basket -> {
      Purchase p = basket.toPurchase();
      Money threshold = Money.ofMinor(p.currency(), 2500);
      java.util.List<EarnRule> rules = java.util.List.of(
          BaseRate.of("net", "1.5"), BaseRate.of("gross", "2").on(AmountBase.GROSS),
          BasketThreshold.of("net-25", threshold, 50),
          new BasketThreshold("gross-25", "50 on gross", threshold, 50, AmountBase.GROSS, RuleTerms.DEFAULT.asBonus()));
      EarnContext context = BuiltInRulesTest.context(p);
      EarnQuote quote = io.github.loyaltyledger.Fixtures.accepted(
          EarnEngine.quote(RuleBook.of(rules.toArray(new EarnRule[0])), context, key -> 0));
      for (EarnRule rule : rules) {
        // Each rule evaluated alone computes the amount from the purchase itself.
        Evaluation alone = rule.evaluate(context);
        RuleOutcome outcome = quote.outcome(rule.id()).get();
        if (alone instanceof Evaluation.Award) {
          Evaluation.Award award = (Evaluation.Award) alone;
          assertEquals(award.points().setScale(0, java.math.RoundingMode.DOWN).longValueExact(), outcome.desired().value(), rule.id());
          assertEquals(award.reason(), outcome.explanation(), rule.id());
        } else {
          assertEquals(((Evaluation.NotMet) alone).observed(), outcome.reason().get().observed(), rule.id());
        }
      }
    });
  }

  @Test
  void theVisitsCounterOfAMemberIsNamedAsDocumented() {
    MemberId ada = MemberId.of("ada");
    MemberId bob = MemberId.of("bob");
    assertEquals("earn:club:visits:ada", EarnEngine.visitsKey("club", ada));
    assertEquals("earn:club:visits:bob", EarnEngine.visitsKey("club", bob));
    assertEquals("earn:other:visits:bob", EarnEngine.visitsKey("other", bob));
    assertEquals("earn:club:visits:ada", EarnEngine.visitsKey("club", ada));
  }

  @Test
  void awardsOfTheSamePointsWrittenToAnotherScaleAreEqualAndHashAlike() {
    qt().forAll(longs().between(0, Long.MAX_VALUE), integers().between(0, 6), integers().between(-3, 12))
        .checkAssert((unscaled, scale, other) -> {
          BigDecimal points = BigDecimal.valueOf(unscaled, scale);
          Evaluation.Award award = new Evaluation.Award(points, "r", Clawback.proportional());
          Evaluation.Award rescaled = new Evaluation.Award(points.setScale(Math.max(scale, other)), "r", Clawback.proportional());
          assertEquals(award, rescaled);
          assertEquals(rescaled, award);
          assertEquals(award.hashCode(), rescaled.hashCode());
        });
    assertEquals(Evaluation.award(10, "ten"), Evaluation.award(new BigDecimal("10.0"), "ten"));
    assertEquals(Evaluation.award(0, "none"), Evaluation.award(new BigDecimal("0E+3"), "none"));
    assertNotEquals(Evaluation.award(10, "ten"), Evaluation.award(new BigDecimal("10.01"), "ten"));
  }

  /**
   * An outcome and an award were records, whose final fields make them whole on any thread that
   * sees them, however they were handed over. Written when read, their explanation must not lose
   * that: everything they are given stays in a final field, and the only other field is the text
   * once written, a String (immutable), which a thread that does not see it simply writes again.
   */
  @Test
  void anOutcomeAndAnAwardKeepWhatTheyAreGivenInFinalFieldsAndCacheOnlyTheWrittenText() {
    for (Class<?> type : new Class<?>[] {RuleOutcome.class, Evaluation.Award.class}) {
      java.util.List<String> notFinal = new java.util.ArrayList<>();
      for (java.lang.reflect.Field field : type.getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (!java.lang.reflect.Modifier.isStatic(modifiers) && !java.lang.reflect.Modifier.isFinal(modifiers)) {
          notFinal.add(field.getName() + ":" + field.getType().getSimpleName());
        }
      }
      assertEquals(java.util.List.of("text:String"), notFinal, type.getName());
    }
  }

  @Test
  void anExplanationWrittenWhenReadMakesTheSameOutcomeAndAwardAsItsTextGivenAtOnce() {
    Explanation later = () -> "1 per EUR on EUR " + "27.00 (net)";
    RuleOutcome lazy = new RuleOutcome("base", 3, "1 point per euro", io.github.loyaltyledger.ledger.EntryKind.EARN,
        io.github.loyaltyledger.ledger.Points.of(27), io.github.loyaltyledger.ledger.Points.of(20), (Object) later,
        io.vavr.control.Option.some(new Reason(Reason.Code.BUDGET_EXHAUSTED, "budget", "80 of 100 used", "room for 27")),
        Clawback.proportional(), true, io.vavr.control.Option.some(Instant.EPOCH), io.vavr.control.Option.none());
    RuleOutcome eager = new RuleOutcome("base", 3, "1 point per euro", io.github.loyaltyledger.ledger.EntryKind.EARN,
        io.github.loyaltyledger.ledger.Points.of(27), io.github.loyaltyledger.ledger.Points.of(20), "1 per EUR on EUR 27.00 (net)",
        io.vavr.control.Option.some(new Reason(Reason.Code.BUDGET_EXHAUSTED, "budget", "80 of 100 used", "room for 27")),
        Clawback.proportional(), true, io.vavr.control.Option.some(Instant.EPOCH), io.vavr.control.Option.none());
    assertEquals(eager.hashCode(), lazy.hashCode());
    assertEquals(eager, lazy);
    assertEquals(lazy, eager);
    assertEquals("RuleOutcome[ruleId=base, programVersion=3, description=1 point per euro, kind=EARN, desired=27, granted=20, "
        + "explanation=1 per EUR on EUR 27.00 (net), reason=Some(BUDGET_EXHAUSTED: budget was 80 of 100 used, expected room for 27), "
        + "clawback=" + Clawback.proportional() + ", qualifying=true, expiresAt=Some(1970-01-01T00:00:00Z), vestsAt=None]",
        lazy.toString());
    assertEquals(eager.detail(), lazy.detail());
    Evaluation.Award award = new Evaluation.Award(BigDecimal.TEN, later, Clawback.onFullRefund());
    Evaluation.Award given = new Evaluation.Award(BigDecimal.TEN, "1 per EUR on EUR 27.00 (net)", Clawback.onFullRefund());
    assertEquals(given.hashCode(), award.hashCode());
    assertEquals(given, award);
    assertEquals(given.toString(), award.withClawback(Clawback.proportional()).withClawback(Clawback.onFullRefund()).toString());
    assertEquals("Award[points=10, reason=1 per EUR on EUR 27.00 (net), clawback=" + Clawback.onFullRefund() + "]", award.toString());
  }

  @Test
  void twoProgramsQuotingAndEarningOnePurchaseInTurnOnOneThreadEachGiveWhatTheyGiveAlone() {
    // Nothing a decision computes once (the earning amount on each base, the counter names, the
    // program id's check, an explanation's text) may carry from one program's decision into the
    // next program's on the same thread, for the very same Purchase object.
    LineItem discounted = new LineItem("BEANS", TreeSet.empty(), 3, Money.of(CurrencyUnit.EUR, new BigDecimal("7.40")),
        Money.of(CurrencyUnit.EUR, new BigDecimal("2.25")), LineKind.GOODS);
    Purchase purchase = Purchase.of(MemberId.of("ada"), IdempotencyKey.of("till-1"), Instant.parse("2026-03-01T10:00:00Z"),
        Channel.store("S-1"), discounted, LineItem.of("CUP", 1, Money.of(CurrencyUnit.EUR, new BigDecimal("3.10"))));
    java.util.function.Supplier<io.github.loyaltyledger.program.LoyaltyProgram> alpha = () ->
        io.github.loyaltyledger.program.LoyaltyProgram.builder("alpha").earnRules(RuleBook.of(
            BaseRate.of("base", "10"), BasketThreshold.of("basket", Money.of(CurrencyUnit.EUR, 22), 40),
            Multiplier.onSkus("beans", "2", "1", "BEANS"))).build();
    java.util.function.Supplier<io.github.loyaltyledger.program.LoyaltyProgram> beta = () ->
        io.github.loyaltyledger.program.LoyaltyProgram.builder("beta").version(2)
            .zone(java.time.ZoneId.of("Pacific/Kiritimati")).earnRules(RuleBook.of(
                BaseRate.of("base", "1.5").on(AmountBase.GROSS),
                new BasketThreshold("basket", "40 on gross", Money.of(CurrencyUnit.EUR, 22), 40, AmountBase.GROSS,
                    RuleTerms.DEFAULT.asBonus()))).build();
    java.util.function.Function<io.github.loyaltyledger.program.LoyaltyProgram, io.github.loyaltyledger.Loyalty> facade = program -> {
      io.github.loyaltyledger.Loyalty loyalty = io.github.loyaltyledger.Fixtures.aLoyalty(
          new io.github.loyaltyledger.store.InMemoryLedgerStore(), io.github.loyaltyledger.TestClock.at("2026-03-01T12:00:00Z"),
          program);
      io.github.loyaltyledger.Fixtures.enrolled(loyalty, MemberId.of("ada"));
      return loyalty;
    };
    io.github.loyaltyledger.Loyalty a = facade.apply(alpha.get());
    io.github.loyaltyledger.Loyalty b = facade.apply(beta.get());
    java.util.List<EarnQuote> inTurn = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      inTurn.add(io.github.loyaltyledger.Fixtures.accepted(a.quote(purchase)));
      inTurn.add(io.github.loyaltyledger.Fixtures.accepted(b.quote(purchase)));
    }
    io.github.loyaltyledger.Fixtures.accepted(a.earn(purchase));
    io.github.loyaltyledger.Fixtures.accepted(b.earn(purchase));
    EarnQuote alphaAlone = io.github.loyaltyledger.Fixtures.accepted(facade.apply(alpha.get()).quote(purchase));
    EarnQuote betaAlone = io.github.loyaltyledger.Fixtures.accepted(facade.apply(beta.get()).quote(purchase));
    for (int i = 0; i < inTurn.size(); i++) {
      EarnQuote alone = i % 2 == 0 ? alphaAlone : betaAlone;
      assertEquals(alone, inTurn.get(i), "quote " + i);
      assertEquals(alone.outcomes().map(RuleOutcome::explanation), inTurn.get(i).outcomes().map(RuleOutcome::explanation));
    }
    assertEquals(alphaAlone, io.github.loyaltyledger.Fixtures.accepted(a.explain(purchase.transaction())));
    assertEquals(betaAlone, io.github.loyaltyledger.Fixtures.accepted(b.explain(purchase.transaction())));
    assertNotEquals(alphaAlone.outcomes().map(RuleOutcome::explanation), betaAlone.outcomes().map(RuleOutcome::explanation));
  }

  @Test
  void theLowerCaseNamesOfTheAmountBasesAreTheirNames() {
    for (AmountBase base : AmountBase.values()) {
      assertEquals(base.name().toLowerCase(Locale.ROOT), base.label());
    }
  }
}
