package io.github.loyaltyledger.earning;

/**
 * A plugin rule with a bug: its evaluation throws, for the tests of what a throwing rule does to
 * a decision, a quote and a purchase.
 *
 * @param id the rule id
 * @param message the message of the exception it throws
 */
record ThrowingRule(String id, String message) implements EarnRule {

  @Override
  public String description() {
    return "a rule with a bug";
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    throw new IllegalStateException(message);
  }
}
