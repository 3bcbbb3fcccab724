package io.github.loyaltyledger.jpa;

/**
 * How many examples this module's QuickTheories properties try. Each names its count at the build's
 * default of 1,000 ({@code qt.examples}, passed to the tests as the system property
 * {@code QT_EXAMPLES}), and tries that many scaled by N / 1,000 under {@code -Dqt.examples=N}, as
 * the core properties scale theirs with it; so the default run is unchanged.
 */
final class QtExamples {

  /** The build's default of {@code qt.examples}, at which a property tries its own count. */
  static final int DEFAULT = 1000;

  private QtExamples() {}

  /**
   * @param atDefault the property's count at the default of 1,000, positive
   * @param least the fewest it may try, whatever {@code qt.examples} says (what its own checks of
   *     coverage need), positive
   * @return {@code atDefault} scaled by {@code QT_EXAMPLES} / 1,000, at least {@code least}
   */
  static int scaled(int atDefault, int least) {
    long examples = Integer.getInteger("QT_EXAMPLES", DEFAULT);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(least, atDefault * examples / DEFAULT));
  }
}
