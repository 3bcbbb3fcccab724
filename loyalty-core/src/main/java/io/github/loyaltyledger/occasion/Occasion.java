package io.github.loyaltyledger.occasion;

/**
 * The occasions that are rewarded once a year. The {@link #tag()} names the occasion in idempotency
 * keys and in the {@code occasion} detail of the entries that reward it.
 */
public enum Occasion {
  /** The member's birthday. */
  BIRTHDAY,
  /** The anniversary of the member's enrolment. */
  ANNIVERSARY;

  /** @return the lower-case tag, {@code birthday} or {@code anniversary} */
  public String tag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
