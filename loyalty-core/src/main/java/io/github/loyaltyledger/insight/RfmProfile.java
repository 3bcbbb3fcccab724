package io.github.loyaltyledger.insight;

import io.github.loyaltyledger.member.MemberId;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Objects;
import org.joda.money.Money;

/**
 * One member's purchase history as RFM sees it, with their scores, segment and a simple
 * customer-lifetime-value estimate.
 *
 * <p>Purchases are the ledger's earning entries that carry tier-qualifying activity
 * ({@code qualifying.visit}, {@code qualifying.spend}, written by the earning engine): a full
 * refund takes a purchase back, a partial one reduces the spend.
 *
 * @param member the member
 * @param lastPurchase when the latest purchase not wholly returned occurred
 * @param daysSinceLastPurchase calendar days from the last purchase to the model's instant, in its zone
 * @param purchases the number of purchases, net of full refunds
 * @param spend the qualifying spend, net of refunds
 * @param tenureMonths whole months from enrolment to the model's instant, at least 1
 * @param score the quintile scores
 */
public record RfmProfile(
    MemberId member, Instant lastPurchase, long daysSinceLastPurchase, long purchases, Money spend, long tenureMonths,
    RfmScore score) {

  /**
   * Validates that no field is null and that the tenure is at least a month.
   *
   * @param member the member
   * @param lastPurchase when the latest purchase not wholly returned occurred
   * @param daysSinceLastPurchase calendar days from the last purchase to the model's instant, in its zone
   * @param purchases the number of purchases, net of full refunds
   * @param spend the qualifying spend, net of refunds
   * @param tenureMonths whole months from enrolment to the model's instant, at least 1
   * @param score the quintile scores
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code tenureMonths} is less than 1
   */
  public RfmProfile {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(lastPurchase, "lastPurchase");
    Objects.requireNonNull(spend, "spend");
    Objects.requireNonNull(score, "score");
    if (tenureMonths < 1) {
      throw new IllegalArgumentException("tenure is at least 1 month, was " + tenureMonths);
    }
  }

  /** @return the segment of {@link #score()} */
  public RfmSegment segment() {
    return score.segment();
  }

  /**
   * A simple customer-lifetime-value estimate: the member's average spend per month of membership
   * ({@code spend / tenureMonths}) times the months they are expected to stay, rounded half-even to
   * the currency's minor unit once. It ignores margin, discounting and churn probability: multiply
   * by a margin, or shorten the horizon for {@link RfmSegment#AT_RISK} members, if you need to.
   *
   * @param expectedMonths the months the member is expected to stay, not negative
   * @return the estimate
   * @throws IllegalArgumentException if {@code expectedMonths} is negative
   */
  public Money lifetimeValue(long expectedMonths) {
    if (expectedMonths < 0) {
      throw new IllegalArgumentException("expected months cannot be negative, was " + expectedMonths);
    }
    BigDecimal value = spend.getAmount().multiply(BigDecimal.valueOf(expectedMonths))
        .divide(BigDecimal.valueOf(tenureMonths), spend.getCurrencyUnit().getDecimalPlaces(), RoundingMode.HALF_EVEN);
    return Money.of(spend.getCurrencyUnit(), value);
  }
}
