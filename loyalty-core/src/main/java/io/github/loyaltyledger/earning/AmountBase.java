package io.github.loyaltyledger.earning;

/** Which amount of a line a money-based rule converts to points. */
public enum AmountBase {
  /** Unit price times quantity, before the line discount. */
  GROSS,
  /** Unit price times quantity, less the line discount. */
  NET;

  // The lower-case names that explanations print, computed once.
  private static final String[] LABELS = java.util.Arrays.stream(values())
      .map(b -> b.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

  /** @return the name in lower case, e.g. {@code net} */
  String label() {
    return LABELS[ordinal()];
  }
}
