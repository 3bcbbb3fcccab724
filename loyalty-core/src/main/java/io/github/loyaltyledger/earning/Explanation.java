package io.github.loyaltyledger.earning;

/**
 * The text of a built-in rule's explanation, written when it is first read rather than when the
 * rule evaluates: a quote is often read for its points only, and its texts are then never written.
 * An explanation holds only immutable values (the numbers and names it prints), so that it writes
 * the same text whenever and on whichever thread it is read; it writes exactly the text the rule
 * would have built eagerly.
 */
@FunctionalInterface
interface Explanation {

  /** @return the text, never blank */
  String text();

  /**
   * @param held a text, or an explanation that writes it
   * @return the text
   */
  static String of(Object held) {
    return held instanceof String ? (String) held : ((Explanation) held).text();
  }
}
