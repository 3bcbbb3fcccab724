package io.github.loyaltyledger.earning;

import java.util.Objects;

/**
 * Fixed points for a custom event of one type (a survey, a review, a converted referral, an app
 * sign-up). Limit how often a member can earn it with {@link RuleTerms#limitedTo}, and pay a
 * referral at most once per referred friend with {@link RuleTerms#oncePerCounterparty()}.
 *
 * @param id the rule id
 * @param description what the rule gives
 * @param eventType the event type, as a {@link CustomEvent} can have it, e.g.
 *     {@link CustomEvent#SURVEY_COMPLETED}
 * @param points the award, positive
 * @param terms how the engine treats it
 */
public record EventAward(String id, String description, String eventType, long points, RuleTerms terms)
    implements EarnRule {

  /**
   * Validates the rule.
   *
   * @param id the rule id
   * @param description what the rule gives
   * @param eventType the event type, as a {@link CustomEvent} can have it, e.g.
   *     {@link CustomEvent#SURVEY_COMPLETED}
   * @param points the award, positive
   * @param terms how the engine treats it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the event type is one no event can have, or the points are
   *     not positive
   */
  public EventAward {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(terms, "terms");
    CustomEvent.requireType(eventType);
    if (points < 1) {
      throw new IllegalArgumentException("points must be positive, was " + points);
    }
  }

  /**
   * @param id the rule id, not null
   * @param eventType the event type, not null
   * @param points the award, positive
   * @return the rule, posting {@code BONUS}
   * @throws IllegalArgumentException if the event type is one no event can have (see
   *     {@link CustomEvent#type()}), or the points are not positive
   */
  public static EventAward of(String id, String eventType, long points) {
    return new EventAward(id, DecimalText.points(Long.toString(points), "point") + " for " + eventType, eventType, points, RuleTerms.DEFAULT.asBonus());
  }

  /**
   * Replaces the rule's terms whole, the {@code BONUS} kind its factory gave it included: terms
   * built from {@link RuleTerms#DEFAULT} post {@code EARN} unless they say {@link RuleTerms#asBonus()}.
   * To change one setting, start from the rule's own: {@code rule.with(rule.terms().budget(10_000))}.
   *
   * @param newTerms how the engine treats the rule, not null
   * @return a copy with these terms
   */
  public EventAward with(RuleTerms newTerms) {
    return new EventAward(id, description, eventType, points, newTerms);
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    String observed = context.event().map(CustomEvent::type).getOrElse("a purchase");
    if (!observed.equals(eventType)) {
      return Evaluation.notMet("event", observed, eventType);
    }
    return Evaluation.award(points, eventType);
  }
}
