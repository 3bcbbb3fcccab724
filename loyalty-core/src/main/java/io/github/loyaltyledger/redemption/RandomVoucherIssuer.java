package io.github.loyaltyledger.redemption;

import io.github.loyaltyledger.member.MemberId;
import java.security.SecureRandom;

/** {@link VoucherIssuer#secureRandom()}: 100 random bits in Crockford-style base 32. */
final class RandomVoucherIssuer implements VoucherIssuer {

  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final int GROUPS = 4;
  private static final int GROUP_LENGTH = 5;

  private final SecureRandom random;

  RandomVoucherIssuer(SecureRandom random) {
    this.random = random;
  }

  @Override
  public String issue(RewardId reward, MemberId member) {
    StringBuilder code = new StringBuilder(GROUPS * (GROUP_LENGTH + 1));
    synchronized (random) {
      for (int g = 0; g < GROUPS; g++) {
        if (g > 0) {
          code.append('-');
        }
        for (int i = 0; i < GROUP_LENGTH; i++) {
          code.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
      }
    }
    return code.toString();
  }

  @Override
  public String toString() {
    return "VoucherIssuer.secureRandom()";
  }
}
