/**
 * Loyalty Ledger: the {@link io.github.loyaltyledger.Loyalty} facade that point-of-sale, web and
 * app back ends call, the requests it takes ({@link io.github.loyaltyledger.Credit},
 * {@link io.github.loyaltyledger.Debit}, …) and the closed family of refusals
 * {@link io.github.loyaltyledger.LoyaltyError}.
 *
 * <p>Every state-changing call is idempotent by key and returns {@code Either<LoyaltyError, Receipt>};
 * a refused request writes nothing.
 */
package io.github.loyaltyledger;
