package io.github.loyaltyledger.insight;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The shares reports give: a part of a whole, 0 to 1, half-even to four places; zero of nothing. */
final class Share {

  static final int SCALE = 4;

  private Share() {}

  static BigDecimal of(long part, long whole) {
    return whole == 0 ? BigDecimal.ZERO.setScale(SCALE)
        : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), SCALE, RoundingMode.HALF_EVEN);
  }
}
