package io.github.loyaltyledger.member;

import java.util.Objects;
import java.util.regex.Pattern;

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

  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");

  /**
   * Validates the identifier.
   *
   * @param value the identifier text
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is not 1 to 64 allowed characters
   */
  public MemberId {
    Objects.requireNonNull(value, "value");
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "member id must be 1 to 64 letters, digits or '-_.:@', was '" + value + "'");
    }
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
