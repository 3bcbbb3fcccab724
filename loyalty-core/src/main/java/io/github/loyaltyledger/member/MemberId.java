package io.github.loyaltyledger.member;

import java.util.Objects;

/**
 * The pseudonymous identifier of a loyalty member, chosen by the application (for example its
 * customer number or a UUID).
 *
 * <p>An id is 1 to 64 characters of letters, digits and {@code - _ . : @}. It is part of every
 * ledger entry's hash, so it must never carry personal data such as an e-mail address.
 *
 * @param value the identifier text
 */
public record MemberId(String value) implements Comparable<MemberId> {

  /**
   * Validates the identifier.
   *
   * @param value the identifier text
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is not 1 to 64 allowed characters
   */
  public MemberId {
    Objects.requireNonNull(value, "value");
    if (!isWellFormed(value)) {
      throw new IllegalArgumentException(
          "member id must be 1 to 64 letters, digits or '-_.:@', was '" + value + "'");
    }
  }

  /**
   * Whether {@code value} is 1 to 64 of the characters {@code A-Z a-z 0-9 . _ : @ -}: the check of
   * the regular expression {@code [A-Za-z0-9._:@-]{1,64}}, as a loop (ids are validated on every
   * read of a stored row, where the matcher showed in profiles).
   */
  private static boolean isWellFormed(String value) {
    int length = value.length();
    if (length < 1 || length > 64) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  /**
   * Obtains a member id.
   *
   * @param value the identifier, not null
   * @return the id
   * @throws IllegalArgumentException if {@code value} is not 1 to 64 allowed characters
   */
  public static MemberId of(String value) {
    return new MemberId(value);
  }

  @Override
  public int compareTo(MemberId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
