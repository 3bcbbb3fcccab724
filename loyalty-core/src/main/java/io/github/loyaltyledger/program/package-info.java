/**
 * The immutable, versioned configuration of a loyalty program
 * ({@link io.github.loyaltyledger.program.LoyaltyProgram}) and its policies.
 */
package io.github.loyaltyledger.program;
