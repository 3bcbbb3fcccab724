/**
 * The storage port ({@link io.github.loyaltyledger.store.LedgerStore}), the atomic
 * {@link io.github.loyaltyledger.store.Commit} it stores, and the in-memory implementation.
 * Persistent implementations live in adapter modules such as {@code loyalty-jpa}.
 */
package io.github.loyaltyledger.store;
