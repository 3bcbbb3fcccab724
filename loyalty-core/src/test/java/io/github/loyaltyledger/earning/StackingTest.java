package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.line;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stacking decision table of {@code docs/adr/0005-earning-engine.md}, row by row: two rules
 * {@code a} and {@code b} (priority, exclusive, group, proposal; a proposal of -1 means the rule's
 * condition is not met), and what each is granted; the last column spends part of {@code a}'s
 * budget, as caps and budgets come before exclusivity.
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

  @ParameterizedTest(name = "a(p{0} excl={1} group={2} {3} budget room {10}) b(p{4} excl={5} group={6} {7}) -> a {8}, b {9}")
  @CsvSource({
      // a: priority, exclusive, group, proposes | b: priority, exclusive, group, proposes | granted a, b
      // | the room left in a's budget of 100 ("-": a has no budget)
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
      "10, true,  -, 100,   5, false, -, 50,    0,   50,   0",   // an exclusive rule whose budget is spent excludes nothing
      "10, true,  -, 100,   5, false, -, 50,    30,  0,    30",  // an exclusive rule cut by its budget still excludes
  })
  void decidesAsTheTableSays(
      int pa, boolean xa, String ga, long a, int pb, boolean xb, String gb, long b, long grantedA, long grantedB,
      String room) {
    RuleTerms ta = "-".equals(room) ? terms(pa, xa, ga) : terms(pa, xa, ga).budget(100);
    long used = "-".equals(room) ? 0 : 100 - Long.parseLong(room);
    RuleBook book = RuleBook.of(new Fixed("a", a, ta), new Fixed("b", b, terms(pb, xb, gb)));
    EarnQuote quote = accepted(EarnEngine.decide(book,
        BuiltInRulesTest.context(BuiltInRulesTest.purchase(line("ITEM", 1, "10.00"))),
        key -> key.endsWith(":budget:a") ? used : 0)).quote();
    assertEquals(grantedA, quote.outcome("a").get().granted().value(), "a");
    assertEquals(grantedB, quote.outcome("b").get().granted().value(), "b");
  }
}
