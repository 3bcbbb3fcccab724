package io.github.loyaltyledger.ledger;

import java.util.Locale;
import java.util.Objects;

/**
 * The caller's identifier of one state-changing request, typically the POS transaction id.
 *
 * <p>Sending the same key with the same request again returns the first result and writes
 * nothing; the same key with a different request is refused as an idempotency conflict. Keys are
 * unique across the whole store, not per member. A key is 1 to 128 printable characters without
 * surrounding white space, and well-formed UTF-16 ({@link Fingerprint#isWellFormed}); its length is
 * counted in UTF-16 units, as {@link String#length()} does, so a character outside the Basic
 * Multilingual Plane (an emoji) counts as two.
 *
 * <p>The library derives keys for its own work in the same space: {@code tier:<purchase key>} (for a
 * purchase key of more than 123 characters, {@code tier:} and a SHA-256 digest of the key, in hex),
 * {@code tier-review:<member>:<date>}, {@code vest:}, {@code expire:}, {@code inactivity:} or
 * {@code expiry-notice:} followed by {@code <member>:<instant>}, and {@code birthday:} or
 * {@code anniversary:} followed by {@code <member>:<year>}. The facade refuses an application's
 * request (an enrolment, a credit, a purchase…) under a key of one of these shapes with
 * {@code InvalidRequest} on {@code key}, naming the key and these shapes, since it would take the
 * key from that work; a request recorded under one earlier still replays. The operations that do that
 * work ({@code evaluateTier}, {@code expire}, {@code vest}, {@code grantOccasionReward} and the like)
 * take them, and {@code redeem} takes the member's own occasion keys (for an application's reward
 * hook redeeming the gift) but no other; every request takes a {@code DueTask}'s key
 * ({@code <name>:<member>:<instant>}).
 *
 * @param value the key text
 */
public record IdempotencyKey(String value) {

  /**
   * Validates the key.
   *
   * @param value the key text
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if the key is empty, longer than 128 characters, blank, has
   *     surrounding white space, control characters (named by their code and index, not printed)
   *     or an unpaired surrogate
   */
  public IdempotencyKey {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty() || value.length() > 128) {
      throw new IllegalArgumentException(
          "idempotency key must be 1 to 128 characters, was " + value.length());
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException("idempotency key must not be blank");
    }
    if (!value.strip().equals(value)) {
      throw new IllegalArgumentException(
          "idempotency key must not have surrounding white space: '" + value + "'");
    }
    int control = firstControl(value);
    if (control >= 0) {
      // Named by its code, and the key quoted without it: a raw NUL, line break or escape sequence
      // would cut or garble the message in a log.
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "idempotency key must not have control characters, found U+%04X at index %d of '%s'",
          (int) value.charAt(control), control, withoutControls(value)));
    }
    if (!Fingerprint.isWellFormed(value)) {
      throw new IllegalArgumentException(
          "idempotency key must not have an unpaired UTF-16 surrogate, found one at index " + Fingerprint.unpaired(value));
    }
  }

  /**
   * Obtains a key.
   *
   * @param value the key text, not null
   * @return the key
   * @throws IllegalArgumentException if the text is not a valid key (see the class description)
   */
  public static IdempotencyKey of(String value) {
    return new IdempotencyKey(value);
  }

  @Override
  public String toString() {
    return value;
  }

  // A loop rather than a stream: every request builds a key.
  private static int firstControl(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String withoutControls(String value) {
    StringBuilder shown = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      shown.append(Character.isISOControl(c) ? '?' : c);
    }
    return shown.toString();
  }
}
