package io.github.loyaltyledger.earning;

/**
 * A plugin rule with a bug: its evaluation throws, for the tests of what a throwing rule does to
 * a decision, a quote and a purchase.
 *
 * @param id the rule id
 * @param thrown what its evaluation throws: an unchecked exception, an error, or a checked exception
 *     thrown undeclared (as Kotlin, Groovy or Lombok's {@code @SneakyThrows} let a rule do)
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

  @Override
  public String description() {
    return "a rule with a bug";
  }

  @Override
  public Evaluation evaluate(EarnContext context) {
    throw ThrowingRule.<RuntimeException>undeclared(thrown);
  }

  /** Throws any throwable, a checked exception too, as an unchecked one: javac checks, the JVM does not. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T undeclared(Throwable thrown) throws T {
    throw (T) thrown;
  }
}
