/**
 * The earning and promotion engine: what a {@link io.github.loyaltyledger.earning.Purchase} or a
 * {@link io.github.loyaltyledger.earning.CustomEvent} earns, and why. Rules
 * ({@link io.github.loyaltyledger.earning.EarnRule}, built-in or plugged in through
 * {@link java.util.ServiceLoader}) propose awards over an immutable
 * {@link io.github.loyaltyledger.earning.EarnContext}; the {@link io.github.loyaltyledger.earning.EarnEngine}
 * decides (targeting and schedules, stacking, caps and budgets, rounding) and returns an
 * {@link io.github.loyaltyledger.earning.EarnQuote} with one {@link io.github.loyaltyledger.earning.RuleOutcome}
 * per rule. The {@code Loyalty} facade posts the granted points as {@code EARN} and {@code BONUS}
 * entries whose details keep that breakdown, so an award can be explained from the ledger alone.
 */
package io.github.loyaltyledger.earning;
