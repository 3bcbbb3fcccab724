package io.github.loyaltyledger.ledger;

import java.io.Serializable;

/**
 * A whole number of loyalty points, signed, as carried by ledger entries and balances.
 *
 * <p>Points are never money and never fractional: conversion from money happens once, in the
 * earning engine, with an explicit rounding policy. Arithmetic is overflow-checked; an operation
 * whose result does not fit in a {@code long} throws {@link ArithmeticException} rather than
 * wrapping silently.
 *
 * <p>Instances are immutable and thread-safe. No method accepts or returns {@code null}.
 */
public final class Points implements Comparable<Points>, Serializable {

  private static final long serialVersionUID = 1L;

  /** No points. */
  public static final Points ZERO = new Points(0);

  // The amounts of everyday awards and balances, made once: obtaining them allocates nothing.
  private static final Points[] SMALL = new Points[1024];

  static {
    SMALL[0] = ZERO;
    for (int i = 1; i < SMALL.length; i++) {
      SMALL[i] = new Points(i);
    }
  }

  /** The number of points (the serialized form). */
  private final long value;

  private Points(long value) {
    this.value = value;
  }

  /**
   * Obtains an amount of points. Amounts from 0 to 1,023 are shared instances (like
   * {@link Long#valueOf(long)}'s); compare points with {@link #equals}, never by identity.
   *
   * @param value the signed number of points
   * @return the amount, never null
   */
  public static Points of(long value) {
    return value >= 0 && value < SMALL.length ? SMALL[(int) value] : new Points(value);
  }

  /**
   * Returns the number of points as a {@code long}.
   *
   * @return the signed value
   */
  public long value() {
    return value;
  }

  /**
   * Adds an amount.
   *
   * @param other the amount to add, not null
   * @return the sum, never null
   * @throws ArithmeticException if the sum overflows a {@code long}
   */
  public Points plus(Points other) {
    return of(Math.addExact(value, other.value));
  }

  /**
   * Subtracts an amount.
   *
   * @param other the amount to subtract, not null
   * @return the difference, never null
   * @throws ArithmeticException if the difference overflows a {@code long}
   */
  public Points minus(Points other) {
    return of(Math.subtractExact(value, other.value));
  }

  /**
   * Returns this amount with the opposite sign.
   *
   * @return the negated amount, never null
   * @throws ArithmeticException if this is {@code Long.MIN_VALUE} points
   */
  public Points negated() {
    return of(Math.negateExact(value));
  }

  /**
   * Returns whether {@code this + other} fits in a {@code long}, so that callers can refuse an
   * operation before attempting it.
   *
   * @param other the amount that would be added, not null
   * @return true if {@link #plus(Points)} would succeed
   */
  public boolean canAdd(Points other) {
    long r = value + other.value;
    return ((value ^ r) & (other.value ^ r)) >= 0;
  }

  /**
   * Returns the smaller of two amounts.
   *
   * @param other the other amount, not null
   * @return the smaller amount (this one on a tie), never null
   */
  public Points min(Points other) {
    return value <= other.value ? this : other;
  }

  /**
   * Returns the larger of two amounts.
   *
   * @param other the other amount, not null
   * @return the larger amount (this one on a tie), never null
   */
  public Points max(Points other) {
    return value >= other.value ? this : other;
  }

  /** @return true if this amount is greater than zero */
  public boolean isPositive() {
    return value > 0;
  }

  /** @return true if this amount is less than zero */
  public boolean isNegative() {
    return value < 0;
  }

  /** @return true if this amount is zero */
  public boolean isZero() {
    return value == 0;
  }

  /**
   * Compares amounts.
   *
   * @param other the amount to compare with, not null
   * @return true if this amount is strictly greater than {@code other}
   */
  public boolean isGreaterThan(Points other) {
    return value > other.value;
  }

  /**
   * Compares amounts.
   *
   * @param other the amount to compare with, not null
   * @return true if this amount is strictly less than {@code other}
   */
  public boolean isLessThan(Points other) {
    return value < other.value;
  }

  @Override
  public int compareTo(Points other) {
    return Long.compare(value, other.value);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Points && ((Points) other).value == value;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(value);
  }

  /** @return the number, e.g. {@code "120"} or {@code "-40"} */
  @Override
  public String toString() {
    return Long.toString(value);
  }
}
