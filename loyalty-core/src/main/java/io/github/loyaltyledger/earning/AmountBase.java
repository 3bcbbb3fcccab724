package io.github.loyaltyledger.earning;

/** Which amount of a line a money-based rule converts to points. */
public enum AmountBase {
  /** Unit price times quantity, before the line discount. */
  GROSS,
  /** Unit price times quantity, less the line discount. */
  NET
}
