package io.github.loyaltyledger.ledger;

import java.util.Objects;

/**
 * A member's points at one moment.
 *
 * <ul>
 *   <li>{@code available}: what can be spent now; below zero only after a clawback under the
 *       {@code ALLOW_NEGATIVE} policy;
 *   <li>{@code pending}: earned but not yet vested;
 *   <li>{@code held}: reserved by open holds at the till;
 *   <li>{@code total}: {@code available + pending + held}, which always equals the sum of the
 *       member's ledger entries.
 * </ul>
 *
 * @param available points that can be spent
 * @param pending points not yet vested
 * @param held points reserved by open holds
 */
public record Balance(Points available, Points pending, Points held) {

  /** The balance of a new member. */
  public static final Balance EMPTY = new Balance(Points.ZERO, Points.ZERO, Points.ZERO);

  /**
   * Validates the balance.
   *
   * @param available points that can be spent
   * @param pending points not yet vested
   * @param held points reserved by open holds
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if pending or held is negative
   */
  public Balance {
    Objects.requireNonNull(available, "available");
    Objects.requireNonNull(pending, "pending");
    Objects.requireNonNull(held, "held");
    if (pending.isNegative() || held.isNegative()) {
      throw new IllegalArgumentException(
          "pending and held points cannot be negative, were " + pending + " and " + held);
    }
  }

  /**
   * Returns the total: available, pending and held points together.
   *
   * @return the total
   * @throws ArithmeticException if the sum overflows
   */
  public Points total() {
    return available.plus(pending).plus(held);
  }

  /**
   * Returns a copy with a different available amount.
   *
   * @param newAvailable the available points, not null
   * @return the changed balance
   */
  public Balance withAvailable(Points newAvailable) {
    return new Balance(newAvailable, pending, held);
  }

  /**
   * Returns a copy with a different pending amount.
   *
   * @param newPending the pending points, not negative
   * @return the changed balance
   */
  public Balance withPending(Points newPending) {
    return new Balance(available, newPending, held);
  }

  /**
   * Returns a copy with a different held amount.
   *
   * @param newHeld the held points, not negative
   * @return the changed balance
   */
  public Balance withHeld(Points newHeld) {
    return new Balance(available, pending, newHeld);
  }
}
