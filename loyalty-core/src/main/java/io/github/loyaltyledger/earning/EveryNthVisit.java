package io.github.loyaltyledger.earning;

import java.util.Objects;

/**
 * A bonus on every Nth purchase of a member (the 5th, 10th, …). Taken back only if that purchase
 * is returned in full.
 *
 * @param id the rule id
 * @param description what the rule gives
 * @param every N, at least 2
 * @param points the bonus, positive
 * @param terms how the engine treats it
 */
public record EveryNthVisit(String id, String description, int every, long points, RuleTerms terms) implements EarnRule {

  /**
   * Validates the rule.
   *
   * @param id the rule id
   * @param description what the rule gives
   * @param every N, at least 2
   * @param points the bonus, positive
   * @param terms how the engine treats it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if N is below 2 or the points are not positive
   */
  public EveryNthVisit {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(terms, "terms");
    if (every < 2) {
      throw new IllegalArgumentException("every N must be at least 2, was " + every);
    }
    if (points < 1) {
      throw new IllegalArgumentException("an every-Nth-visit bonus's points must be positive, was " + points);
    }
  }

  /**
   * @param id the rule id, not null
   * @param every N, at least 2
   * @param points the bonus, positive
   * @return the rule, posting {@code BONUS}
   * @throws IllegalArgumentException if N is below 2 or the points are not positive
   */
  public static EveryNthVisit of(String id, int every, long points) {
    return new EveryNthVisit(id, DecimalText.points(Long.toString(points), "bonus point") + " on every " + ordinal(every)
        + " visit", every, points, RuleTerms.DEFAULT.asBonus());
  }

  /** {@code 2nd}, {@code 3rd}, {@code 10th}, {@code 11th}, {@code 21st}: N as the description says it. */
  static String ordinal(int n) {
    int lastTwo = n % 100;
    String suffix = lastTwo >= 11 && lastTwo <= 13 ? "th"
        : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
    return n + suffix;
  }

  /**
   * Replaces the rule's terms whole, the {@code BONUS} kind its factory gave it included: terms
   * built from {@link RuleTerms#DEFAULT} post {@code EARN} unless they say {@link RuleTerms#asBonus()}.
   * To change one setting, start from the rule's own: {@code rule.with(rule.terms().budget(10_000))}.
   *
   * @param newTerms how the engine treats the rule, not null
   * @return a copy with these terms
   */
  public EveryNthVisit with(RuleTerms newTerms) {
    return new EveryNthVisit(id, description, every, points, newTerms);
  }

  // The expected text of a not-met visit ("a multiple of N"), made once for the usual N.
  private static final String[] MULTIPLE_OF = new String[65];

  static {
    for (int n = 2; n < MULTIPLE_OF.length; n++) {
      MULTIPLE_OF[n] = "a multiple of " + n;
    }
  }

  private static String multipleOf(int every) {
    return every < MULTIPLE_OF.length ? MULTIPLE_OF[every] : "a multiple of " + every;
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    if (context.purchase().isEmpty()) {
      return Evaluation.notAPurchase(context);
    }
    long visit = context.previousPurchases() + 1;
    if (visit % every != 0) {
      return Evaluation.notMet("visit number", DecimalText.count(visit), multipleOf(every));
    }
    return new Evaluation.Award(java.math.BigDecimal.valueOf(points), "visit number " + visit, Clawback.onFullRefund());
  }
}
