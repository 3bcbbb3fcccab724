package io.github.loyaltyledger.earning;

import java.util.Objects;

/**
 * Units of one SKU brought back, in a {@link Refund}.
 *
 * @param sku the SKU, as on the purchase
 * @param quantity how many units, positive
 */
public record ReturnedLine(String sku, int quantity) {

  /**
   * Validates the line.
   *
   * @param sku the SKU, as on the purchase
   * @param quantity how many units, positive
   * @throws NullPointerException if {@code sku} is null
   * @throws IllegalArgumentException if the quantity is not positive
   */
  public ReturnedLine {
    Objects.requireNonNull(sku, "sku");
    if (quantity < 1) {
      throw new IllegalArgumentException("a returned quantity must be positive, was " + quantity);
    }
  }
}
