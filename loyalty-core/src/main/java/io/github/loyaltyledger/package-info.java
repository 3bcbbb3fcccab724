/**
 * Loyalty Ledger: the {@link io.github.loyaltyledger.Loyalty} facade that point-of-sale, web and
 * app back ends call, the requests it takes ({@link io.github.loyaltyledger.Credit},
 * {@link io.github.loyaltyledger.Debit}, …) and the closed family of refusals
 * {@link io.github.loyaltyledger.LoyaltyError}.
 *
 * <p>Every state-changing call is idempotent by key and returns an {@code Either} whose left side is
 * a {@code LoyaltyError} and whose right side is a {@link io.github.loyaltyledger.ledger.Receipt}, or
 * a result that carries one (a {@link io.github.loyaltyledger.redemption.Redemption}, a
 * {@link io.github.loyaltyledger.redemption.Hold}); a refused request writes nothing.
 */
package io.github.loyaltyledger;
