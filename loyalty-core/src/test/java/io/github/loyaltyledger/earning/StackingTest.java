package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.store.CounterChange;
import io.vavr.collection.List;
import io.vavr.control.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stacking decision table of {@code docs/adr/0005-earning-engine.md}, row by row: two rules
 * {@code a} and {@code b} (priority, exclusive, group, proposal; a proposal of -1 means the rule's
 * condition is not met), and what each is granted; the last column limits {@code a} (the room left
 * in its budget of 100, a cap per transaction, or a frequency limit already reached), as caps,
 * limits and budgets come before exclusivity and the best deal of a group is what is granted. Then
 * the table of three rules, an exclusive rule between two rules of a group: the group's best deal is
 * chosen among its rules that the exclusive rule does not exclude.
 */
class StackingTest {

  /** A rule proposing a fixed number of points, or not met when negative. */
  record Fixed(String id, long points, RuleTerms terms) implements EarnRule {
    @Override
    public String description() {
      return "fixed " + points;
    }

    @Override
    public Evaluation evaluate(EarnContext context) {
      return points < 0 ? Evaluation.notMet("test", "off", "on") : Evaluation.award(points, "fixed");
    }
  }

  static RuleTerms terms(int priority, boolean exclusive, String group) {
    RuleTerms t = RuleTerms.DEFAULT.priority(priority);
    t = exclusive ? t.exclusive() : t;
    return "-".equals(group) ? t : t.inGroup(group);
  }

  /** {@code a}'s terms limited as the table's last column says. */
  static RuleTerms limited(RuleTerms terms, String limit) {
    String[] what = limit.split(" ");
    switch (what[0]) {
      case "-":
        return terms;
      case "room":
        return terms.budget(100);
      case "cap":
        return terms.cappedPerTransaction(Long.parseLong(what[1]));
      case "limit":
        return terms.limitedTo(1, CapPeriod.DAY);
      default:
        throw new IllegalArgumentException(limit);
    }
  }

  @ParameterizedTest(name = "a(p{0} excl={1} group={2} {3} {10}) b(p{4} excl={5} group={6} {7}) -> a {8}, b {9}")
  @CsvSource({
      // a: priority, exclusive, group, proposes | b: priority, exclusive, group, proposes | granted a, b
      // | a limited: the room left in its budget of 100, its cap per transaction, its limit reached ("-": none)
      "10, false, -, 100,   5, false, -, 50,    100, 50,   -",   // stackable rules add up
      "10, false, g, 100,   5, false, g, 50,    100, 0,   -",    // same group: best deal only
      "10, false, g, 50,    5, false, g, 100,   0,   100,   -",  // best deal wins whatever the priority
      "10, false, g, 70,    10, false, g, 70,   70,  0,   -",    // equal deal and priority: smaller id wins
      "5,  false, g, 70,    10, false, g, 70,   0,   70,   -",   // equal deal: higher priority wins
      "10, false, g, 100,   5, false, h, 50,    100, 50,   -",   // different groups stack
      "10, true,  -, 100,   5, false, -, 50,    100, 0,   -",    // exclusive first excludes what follows
      "10, false, -, 100,   5, true,  -, 50,    100, 50,   -",   // exclusive excludes only rules after it
      "10, true,  -, 100,   5, true,  -, 50,    100, 0,   -",    // two exclusives: the first one wins
      "10, true,  -, 10,    10, false, -, 50,   10,  0,   -",    // equal priority: id order decides
      "10, false, -, 10,    10, true,  -, 50,   10,  50,   -",   // equal priority, exclusive second
      "10, true,  g, 50,    5, false, g, 100,   0,   100,   -",  // group first: the exclusive lost its group
      "10, true,  -, -1,    5, false, -, 50,    0,   50,   -",   // an exclusive rule that is not met excludes nothing
      "5,  false, -, 100,   10, true,  -, 50,   0,   50,   -",   // exclusive of higher priority goes first
      "-2147483648, true, -, 100,   0, false, -, 50,   100, 50,   -",   // the lowest priority goes last
      "-2147483648, false, g, 70,   2147483647, false, g, 70,   0, 70,   -",   // and loses a tie in its group
      "10, true,  -, 100,   5, false, -, 50,    0,   50,   room 0",    // an exclusive rule whose budget is spent excludes nothing
      "10, true,  -, 100,   5, false, -, 50,    30,  0,    room 30",   // an exclusive rule cut by its budget still excludes
      "10, true,  -, 100,   5, false, -, 50,    0,   50,   limit",     // nor one whose limit is reached
      "10, false, g, 100,   5, false, g, 50,    0,   50,   room 0",    // the group's best deal is what is granted: not a spent budget
      "10, false, g, 100,   5, false, g, 50,    0,   50,   room 30",   // nor what a budget cuts below the other deal
      "10, false, g, 100,   5, false, g, 50,    70,  0,    room 70",   // a cut deal still larger wins
      "10, false, g, 300,   5, false, g, 100,   0,   100,  cap 50",    // nor what its cap per transaction leaves
      "10, false, g, 100,   5, false, g, 50,    0,   50,   limit",     // nor a deal whose limit is reached
      "5,  false, g, 100,   10, false, g, 50,   0,   50,   room 50",   // equal grants: higher priority wins
      "10, false, g, 100,   10, false, g, 50,   50,  0,    room 50",   // equal grants and priority: smaller id wins
      "10, true,  g, 100,   5, false, g, 50,    0,   50,   room 0",    // an exclusive rule that loses its group on its budget excludes nothing
  })
  void decidesAsTheTableSays(
      int pa, boolean xa, String ga, long a, int pb, boolean xb, String gb, long b, long grantedA, long grantedB,
      String limit) {
    RuleTerms ta = limited(terms(pa, xa, ga), limit);
    long used = limit.startsWith("room ") ? 100 - Long.parseLong(limit.substring(5)) : 0;
    RuleBook book = RuleBook.of(new Fixed("a", a, ta), new Fixed("b", b, terms(pb, xb, gb)));
    EarnQuote quote = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))),
        key -> key.endsWith(":budget:a") ? used : key.contains(":limit:a:") ? 1 : 0)).quote();
    assertEquals(grantedA, quote.outcome("a").get().granted().value(), "a");
    assertEquals(grantedB, quote.outcome("b").get().granted().value(), "b");
  }

  @ParameterizedTest(name = "a(p{0} excl={1} group={2} {3}) b(p{4} excl={5} group={6} {7}) c(p{8} excl={9} group={10} {11})"
      + " -> a {12}, b {13}, c {14}")
  @CsvSource({
      // a, b, c: priority, exclusive, group, proposes | granted a, b, c
      "300, false, g, 10,   200, true,  -, 5,    100, false, g, 50,   10, 5, 0",    // the exclusive rule splits g: g's best deal is the one before it
      "300, true,  g, 10,   200, true,  -, 5,    100, false, g, 50,   10, 0, 0",    // then the exclusive rule before it wins g, and excludes what follows
      "300, false, g, 10,   200, false, g, 50,   100, true,  -, 5,    0,  50, 5",   // a group before the exclusive rule keeps its best deal
      "300, false, g, 10,   200, false, -, 5,    100, false, g, 50,   0,  5, 50",   // with no exclusive rule between, g's best deal is b
      "300, true,  -, 5,    200, false, g, 10,   100, false, g, 50,   5,  0, 0",    // a group after it is excluded whole
      "300, false, g, 10,   200, true,  g, 50,   100, false, g, 60,   0,  0, 60",   // an exclusive rule that loses its group excludes nothing
      "300, false, g, 10,   200, true,  h, 5,    100, false, g, 50,   10, 5, 0",    // an exclusive rule of another group splits g too
      "300, false, g, 0,    200, true,  -, 5,    100, false, g, 50,   0,  5, 0",    // g's best deal before it may be nothing
  })
  void anExclusiveRuleThatSplitsAGroupLeavesTheGroupItsBestDealBeforeIt(
      int pa, boolean xa, String ga, long a, int pb, boolean xb, String gb, long b, int pc, boolean xc, String gc,
      long c, long grantedA, long grantedB, long grantedC) {
    RuleBook book = RuleBook.of(new Fixed("a", a, terms(pa, xa, ga)), new Fixed("b", b, terms(pb, xb, gb)),
        new Fixed("c", c, terms(pc, xc, gc)));
    EarnQuote quote = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))), key -> 0)).quote();
    assertEquals(grantedA, quote.outcome("a").get().granted().value(), "a");
    assertEquals(grantedB, quote.outcome("b").get().granted().value(), "b");
    assertEquals(grantedC, quote.outcome("c").get().granted().value(), "c");
  }

  @Test
  void aRuleOfASplitGroupAfterTheExclusiveRuleIsExcludedByItAndOnlyTheRulesThatStandMoveCounters() {
    // promo (10) outranks the exclusive welcome (5), and double (50) in promo's group comes after it:
    // welcome excludes double, so the group's best deal is promo, and the member gets 10 + 5, not 5.
    RuleBook book = RuleBook.of(
        new Fixed("promo", 10, terms(300, false, "g").budget(1_000)),
        new Fixed("welcome", 5, terms(200, true, "-").budget(1_000)),
        new Fixed("double", 50, terms(100, false, "g").budget(1_000)));
    EarnDecision decision = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))), key -> 0));
    EarnQuote quote = decision.quote();
    assertEquals(15, quote.total().value());
    assertEquals(Option.none(), quote.outcome("promo").get().reason());
    assertEquals(Option.some(new Reason(Reason.Code.EXCLUDED_BY_STACKING, "exclusive rule",
        "welcome (priority 200) applies", "no exclusive rule before it")), quote.outcome("double").get().reason());
    assertEquals(List.of("earn:bean-club:budget:promo", "earn:bean-club:budget:welcome"),
        decision.counters().map(CounterChange::key).filter(k -> !k.contains(":visits:")));
  }

  @Test
  void anExclusiveRuleThatWinsItsGroupOnceTheGroupIsSplitExcludesTheExclusiveRuleThatSplitIt() {
    // Over the whole group, double beats welcome, and birthday is the first exclusive rule granted.
    // But birthday excludes double, so welcome wins the group, comes first, and excludes the rest.
    RuleBook book = RuleBook.of(
        new Fixed("welcome", 10, terms(300, true, "g")),
        new Fixed("birthday", 5, terms(200, true, "-")),
        new Fixed("double", 50, terms(100, false, "g")));
    EarnQuote quote = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))), key -> 0)).quote();
    Reason excluded = new Reason(Reason.Code.EXCLUDED_BY_STACKING, "exclusive rule", "welcome (priority 300) applies",
        "no exclusive rule before it");
    assertEquals(10, quote.total().value());
    assertEquals(Option.some(excluded), quote.outcome("birthday").get().reason());
    assertEquals(Option.some(excluded), quote.outcome("double").get().reason());
  }

  @Test
  void everyRuleOfAGroupAfterAGrantedExclusiveRuleReadsThatItExcludesItWhateverItsOwnBudgetOrLimitLeftIt() {
    // double's budget is spent and triple's daily limit reached, but welcome excludes both before
    // their counters are read: triple read LIMIT_REACHED, double that welcome excluded it.
    RuleBook book = RuleBook.of(
        new Fixed("welcome", 50, terms(200, true, "-")),
        new Fixed("double", 200, terms(100, false, "promo").budget(1_000)),
        new Fixed("triple", 150, terms(50, false, "promo").limitedTo(1, CapPeriod.DAY)));
    EarnQuote quote = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))),
        key -> key.endsWith(":budget:double") ? 1_000 : key.contains(":limit:triple:") ? 1 : 0)).quote();
    Reason excluded = new Reason(Reason.Code.EXCLUDED_BY_STACKING, "exclusive rule", "welcome (priority 200) applies",
        "no exclusive rule before it");
    assertEquals(Option.some(excluded), quote.outcome("double").get().reason());
    assertEquals(Option.some(excluded), quote.outcome("triple").get().reason());
  }

  @Test
  void aGroupsBestDealIsTheLargestGrantAndOnlyItsCountersMove() {
    // triple proposes 300, but its budget has room for 40 and its cap for 30 this month: double's 200 is the best deal.
    RuleBook book = RuleBook.of(
        new Fixed("triple", 300, terms(10, false, "promo").budget(1_000).cappedPerMember(30, CapPeriod.MONTH)),
        new Fixed("double", 200, terms(5, false, "promo").budget(1_000)));
    EarnDecision decision = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))),
        key -> key.endsWith(":budget:triple") ? 960 : 0));
    RuleOutcome triple = decision.quote().outcome("triple").get();
    assertEquals(0, triple.granted().value());
    assertEquals(Option.some(new Reason(Reason.Code.EXCLUDED_BY_STACKING, "group promo", "double is granted 200",
        "the best deal in the group")), triple.reason());
    assertEquals(200, decision.quote().outcome("double").get().granted().value());
    assertEquals(List.of("earn:bean-club:budget:double"),
        decision.counters().map(CounterChange::key).filter(k -> !k.contains(":visits:")));
  }

  @Test
  void aGroupWhoseRulesAreAllGrantedNothingExcludesNoneAndEachSaysWhatLeftItNothing() {
    // triple's budget is spent and double's daily limit reached: neither gets anything, whatever the other does.
    RuleBook book = RuleBook.of(
        new Fixed("triple", 300, terms(10, false, "promo").budget(1_000)),
        new Fixed("double", 200, terms(5, false, "promo").limitedTo(1, CapPeriod.DAY)));
    EarnQuote quote = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))),
        key -> key.endsWith(":budget:triple") ? 1_000 : key.contains(":limit:double:") ? 1 : 0)).quote();
    assertEquals(Option.some(new Reason(Reason.Code.BUDGET_EXHAUSTED, "budget", "1000 of 1000 used", "room for 300")),
        quote.outcome("triple").get().reason());
    assertEquals(Option.some(new Reason(Reason.Code.LIMIT_REACHED, "awards this day", "1", "fewer than 1")),
        quote.outcome("double").get().reason());
  }

  @Test
  void aRuleOfAGroupAfterAGrantedExclusiveRuleIsExcludedByThatRuleNotByAWinnerItExcludesToo() {
    // welcome is exclusive and comes first: it excludes double, the best deal of its group, and triple
    // with it. Triple's reason named double's 200 as the deal that shut it out, though double gets nothing.
    RuleBook book = RuleBook.of(
        new Fixed("welcome", 50, terms(200, true, "-")),
        new Fixed("double", 200, terms(100, false, "promo")),
        new Fixed("triple", 150, terms(50, false, "promo")));
    EarnQuote quote = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))), key -> 0)).quote();
    Reason excluded = new Reason(Reason.Code.EXCLUDED_BY_STACKING, "exclusive rule", "welcome (priority 200) applies",
        "no exclusive rule before it");
    assertEquals(50, quote.total().value());
    assertEquals(Option.some(excluded), quote.outcome("double").get().reason());
    assertEquals(Option.some(excluded), quote.outcome("triple").get().reason());
  }

  @Test
  void aProposalThatExactlyFillsItsCapPerTransactionItsCapPerMemberOrItsBudgetIsAppliedInFullNotReduced() {
    RuleBook book = RuleBook.of(
        new Fixed("per-transaction", 50, RuleTerms.DEFAULT.cappedPerTransaction(50)),
        new Fixed("per-member", 50, RuleTerms.DEFAULT.cappedPerMember(80, CapPeriod.MONTH)),
        new Fixed("budget", 50, RuleTerms.DEFAULT.budget(100)));
    // The member has 30 of the 80 a month, and the budget 50 of its 100 left: each has room for exactly 50.
    EarnQuote quote = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))),
        key -> key.contains(":cap:per-member:") || key.endsWith(":budget:budget") ? key.contains(":cap:") ? 30 : 50 : 0))
        .quote();
    for (RuleOutcome o : quote.outcomes()) {
      assertEquals(RuleOutcome.Status.APPLIED, o.status(), o.ruleId() + ": " + o.reason());
      assertEquals(50, o.granted().value(), o.ruleId());
    }
  }

  @Test
  void grantsAddingUpToExactlyTheLargestLongAreGrantedAndOneMoreIsRefused() {
    EarnContext context = BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00")));
    EarnQuote quote = accepted(EarnEngine.decide(RuleBook.of(new Fixed("a", Long.MAX_VALUE - 1, RuleTerms.DEFAULT),
        new Fixed("b", 1, RuleTerms.DEFAULT)), context, key -> 0)).quote();
    assertEquals(Long.MAX_VALUE, quote.total().value());
    assertTrue(EarnEngine.decide(RuleBook.of(new Fixed("a", Long.MAX_VALUE, RuleTerms.DEFAULT),
        new Fixed("b", 1, RuleTerms.DEFAULT)), context, key -> 0).isLeft());
  }

  @ParameterizedTest(name = "{0} per unit on EUR 10.00 rounded {1} is {2}")
  @CsvSource({
      // 0.5, 0.5, 0.49, 0.09, 0.09 and 2.5 points; 19 whole digits, the largest long and just below it
      "0.05, HALF_UP, 1", "0.05, DOWN, 0", "0.049, HALF_UP, 0", "0.009, UP, 1", "0.009, HALF_UP, 0", "0.25, HALF_EVEN, 2",
      "922337203685477580.74, HALF_UP, 9223372036854775807", "100000000000000000, DOWN, 1000000000000000000",
  })
  void aProposalIsRoundedOnceWithItsRulesRoundingModeUpToTheLargestLong(String rate, java.math.RoundingMode mode,
      long granted) {
    EarnQuote quote = accepted(EarnEngine.decide(RuleBook.of(BaseRate.of("a", rate).with(RuleTerms.DEFAULT.rounding(mode))),
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))), key -> 0)).quote();
    assertEquals(granted, quote.total().value());
  }
}
