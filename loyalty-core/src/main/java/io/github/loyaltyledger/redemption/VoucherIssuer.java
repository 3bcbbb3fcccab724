package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.member.MemberId;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Issues the code of a voucher when a {@link RewardKind.Voucher} reward is redeemed (or its hold
 * captured). Plug in your own to use codes from a partner or a pre-printed batch; the code is
 * recorded on the redemption's ledger entry, so a replay of the request returns the same code.
 *
 * <p>Implementations must be thread-safe and must not return the same code twice for one reward.
 * An issuer that throws (a partner's service unavailable, say: any exception, a checked one thrown
 * undeclared too, or an error of its own, but not an error of the virtual machine itself such as
 * {@link OutOfMemoryError}, which propagates), or a code that is null, blank, over 100 characters or
 * not storable (an unpaired surrogate or a NUL), makes the facade refuse the request with
 * {@code LoyaltyError.VoucherIssuerFailed}, writing nothing; the till may send the same request
 * again later.
 *
 * <p>The issuer is called while a request is planned, before it commits. A request that meets a
 * concurrent change to the member is planned, and so calls the issuer, again; the code of an
 * attempt that did not commit is discarded, never recorded or shown. An issuer drawing from a
 * limited batch (a partner's, or pre-printed) may therefore hand out codes that are never used: it
 * should count a code as redeemed only once it is on a ledger entry (the redemption's
 * {@code voucher.code} detail, which the {@code PointsRedeemed} or {@code HoldCaptured} event carries).
 */
@FunctionalInterface
public interface VoucherIssuer {

  /**
   * Issues a new code.
   *
   * @param reward the reward redeemed, not null
   * @param member the member redeeming it, not null
   * @return a code of 1 to 100 printable characters, never null
   */
  String issue(RewardId reward, MemberId member);

  /**
   * The default issuer: 20 characters from a 32-letter alphabet without look-alikes (100 random
   * bits, grouped {@code XXXXX-XXXXX-XXXXX-XXXXX}), drawn from a new {@link SecureRandom}. Codes
   * are unguessable and, with 100 bits, collide with negligible probability.
   *
   * @return the issuer
   */
  static VoucherIssuer secureRandom() {
    return new RandomVoucherIssuer(new SecureRandom());
  }

  /**
   * The default issuer drawing from a given source, e.g. a seeded {@code SHA1PRNG} in tests.
   *
   * @param random the source of randomness, not null
   * @return the issuer
   */
  static VoucherIssuer secureRandom(SecureRandom random) {
    return new RandomVoucherIssuer(Objects.requireNonNull(random, "random"));
  }
}
