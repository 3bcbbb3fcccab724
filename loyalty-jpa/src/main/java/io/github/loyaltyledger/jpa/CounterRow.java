package io.github.loyaltyledger.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The row of one named counter. Changed only by a conditional update on its expected value
 * ({@link LedgerWriter}), so two commits can never both spend the same budget or stock.
 */
@Entity(name = "LedgerCounter")
@Table(name = "ledger_counter")
class CounterRow {

  @Id
  @Column(name = "counter_key", length = 200)
  String key;

  @Column(name = "counter_value", nullable = false)
  long value;

  /** For Jakarta Persistence. */
  protected CounterRow() {}

  CounterRow(String key, long value) {
    this.key = key;
    this.value = value;
  }
}
