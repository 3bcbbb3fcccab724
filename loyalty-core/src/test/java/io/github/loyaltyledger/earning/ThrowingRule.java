package io.github.loyaltyledger.earning;

/**
 * A plugin rule with a bug: its evaluation throws, for the tests of what a throwing rule does to
 * a decision, a quote and a purchase.
 *
 * @param id the rule id
 * @param thrown what its evaluation throws: an unchecked exception or an error
 */
record ThrowingRule(String id, Throwable thrown) implements EarnRule {

  /**
   * A rule whose evaluation throws an {@link IllegalStateException}.
   *
   * @param id the rule id
   * @param message the exception's message
   */
  ThrowingRule(String id, String message) {
    this(id, new IllegalStateException(message));
  }

  ThrowingRule {
    if (!(thrown instanceof RuntimeException) && !(thrown instanceof Error)) {
      throw new IllegalArgumentException("a rule can throw only unchecked exceptions and errors");
    }
  }

  @Override
  public String description() {
    return "a rule with a bug";
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    if (thrown instanceof Error) {
      throw (Error) thrown;
    }
    throw (RuntimeException) thrown;
  }
}
