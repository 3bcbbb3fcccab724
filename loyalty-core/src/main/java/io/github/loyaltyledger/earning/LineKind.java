package io.github.loyaltyledger.earning;

/**
 * What a purchase line is, as far as earning is concerned: only {@link #GOODS} earn; gift cards,
 * tax, tips and deposits never do, whatever the rules say.
 */
public enum LineKind {
  /** Goods or services sold: the line earns. */
  GOODS,
  /** A gift card sold (the points come when the card is spent): never earns. */
  GIFT_CARD,
  /** Tax shown as its own line: never earns. */
  TAX,
  /** A tip: never earns. */
  TIP,
  /** A refundable deposit (bottles, crates): never earns. */
  DEPOSIT;

  /**
   * Returns whether lines of this kind earn points.
   *
   * @return true for {@link #GOODS} only
   */
  public boolean earns() {
    return this == GOODS;
  }
}
