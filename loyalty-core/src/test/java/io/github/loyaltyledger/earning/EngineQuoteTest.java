package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.line;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.earning.StackingTest.Fixed;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.vavr.collection.HashSet;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link EarnEngine#quote} is {@link EarnEngine#decide} without the counter changes: the same
 * breakdown and the same refusals, whatever the rules' stacking, caps, budgets and limits and the
 * counters' values.
 */
class EngineQuoteTest {

  static final EarnContext CONTEXT = BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 2, "10.00")), 4,
      Option.none(), HashSet.empty());

  /** A review of a product, which rules limited per value of {@code sku} count. */
  static final EarnContext REVIEW = EarnContext.of(CONTEXT.programId(), CONTEXT.programVersion(), CONTEXT.programZone(),
      CONTEXT.currency(), CONTEXT.member(), new CustomEvent(CONTEXT.member().id(),
          IdempotencyKey.of("review-1"), CustomEvent.REVIEW_WRITTEN, CONTEXT.occurredAt(),
          Channel.web(), Option.none(), TreeMap.of("sku", "BEANS-1")));

  @Test
  void aQuoteIsTheDecisionsBreakdownAndListsNoCounterChanges() {
    RuleBook book = RuleBook.of(BaseRate.of("base", "1"),
        new Fixed("bonus", 30, RuleTerms.DEFAULT.asBonus().budget(100)));
    ToLongFunction<String> counters = key -> key.endsWith(":budget:bonus") ? 90 : 0;

    EarnDecision decision = accepted(EarnEngine.decide(book, CONTEXT, counters));
    EarnQuote quote = accepted(EarnEngine.quote(book, CONTEXT, counters));

    assertEquals(decision.quote(), quote);
    assertEquals(10, quote.outcome("bonus").get().granted().value(), "the budget's room");
    assertEquals(Reason.Code.BUDGET_EXHAUSTED, quote.outcome("bonus").get().reason().get().code());
    assertEquals(2, decision.counters().size(), "the budget and the member's visits");
  }

  @Test
  void aRuleThatThrowsRefusesTheQuoteAsItRefusesTheDecision() {
    EarnRule broken = new ThrowingRule("broken", "no rates loaded");
    RuleBook book = RuleBook.of(BaseRate.of("base", "1"), broken);

    LoyaltyError refusal = refused(EarnEngine.quote(book, CONTEXT, key -> 0));

    assertEquals(refused(EarnEngine.decide(book, CONTEXT, key -> 0)), refusal);
    assertTrue(refusal instanceof LoyaltyError.RuleFailed, refusal.toString());
  }

  @Test
  void aQuoteEqualsTheDecisionsBreakdownForAnyRulesAndCounters() {
    qt().forAll(lists().of(longs().all()).ofSizeBetween(1, 6), integers().between(0, 200)).checkAssert((seeds, used) -> {
      RuleBook book = book(seeds);
      // Each counter holds a value of its own, from 0 to `used` and beyond.
      ToLongFunction<String> counters = key -> Math.floorMod(key.hashCode() + used, used + 1) * 3L;

      EarnDecision decision = accepted(EarnEngine.decide(book, CONTEXT, counters));
      EarnQuote quote = accepted(EarnEngine.quote(book, CONTEXT, counters));

      assertEquals(decision.quote(), quote);
      assertFalse(decision.counters().isEmpty(), "a purchase always counts the member's visit");
      // And for an event, which the rules limited per value of its attribute count.
      assertEquals(accepted(EarnEngine.decide(book, REVIEW, counters)).quote(),
          accepted(EarnEngine.quote(book, REVIEW, counters)));
    });
  }

  /**
   * Rules with terms drawn from each seed: priority, exclusive, group, kind, caps, budget, limit,
   * and whether the limit counts per value of the attribute {@code sku}.
   */
  static RuleBook book(java.util.List<Long> seeds) {
    java.util.List<EarnRule> rules = new java.util.ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      Random r = new Random(seeds.get(i));
      RuleTerms t = RuleTerms.DEFAULT.priority(r.nextInt(4));
      t = r.nextInt(4) == 0 ? t.exclusive() : t;
      t = r.nextInt(3) == 0 ? t.inGroup("g" + r.nextInt(2)) : t;
      t = r.nextBoolean() ? t.asBonus() : t;
      t = r.nextInt(3) == 0 ? t.cappedPerTransaction(1 + r.nextInt(60)) : t;
      t = r.nextInt(3) == 0 ? t.cappedPerMember(1 + r.nextInt(300), CapPeriod.values()[r.nextInt(CapPeriod.values().length)]) : t;
      t = r.nextInt(3) == 0 ? t.budget(1 + r.nextInt(600)) : t;
      t = r.nextInt(3) == 0 ? t.limitedTo(1 + r.nextInt(4), CapPeriod.values()[r.nextInt(CapPeriod.values().length)]) : t;
      // Half the limits count per value of an event's attribute, which a purchase does not have.
      t = t.limit().isDefined() && r.nextBoolean() ? t.perAttribute("sku") : t;
      rules.add(new Fixed("r" + i, r.nextInt(5) == 0 ? -1 : r.nextInt(120), t));
    }
    return RuleBook.of(rules.toArray(new EarnRule[0]));
  }
}
