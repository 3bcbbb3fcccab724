/**
 * The append-only points ledger's data: {@link io.github.loyaltyledger.ledger.Points},
 * hash-chained {@link io.github.loyaltyledger.ledger.Entry entries}, the
 * {@link io.github.loyaltyledger.ledger.Lot lots} credits create and debits consume, the running
 * {@link io.github.loyaltyledger.ledger.Account} state and its
 * {@link io.github.loyaltyledger.ledger.Balance}, and the value types that identify requests and
 * entries.
 */
package io.github.loyaltyledger.ledger;
