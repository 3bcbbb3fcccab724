/**
 * Redemption: the reward catalogue ({@link io.github.loyaltyledger.redemption.RewardCatalog},
 * {@link io.github.loyaltyledger.redemption.Reward} and its
 * {@link io.github.loyaltyledger.redemption.RewardKind kinds}), why a reward is or is not available
 * to a member ({@link io.github.loyaltyledger.redemption.UnavailableReason}), points as payment
 * ({@link io.github.loyaltyledger.redemption.PaymentTerms}), holds at the till
 * ({@link io.github.loyaltyledger.redemption.Hold}) and the results of redeeming
 * ({@link io.github.loyaltyledger.redemption.Redemption}). The operations themselves are on the
 * {@code Loyalty} facade; this package holds their configuration, requests and results.
 */
package io.github.loyaltyledger.redemption;
