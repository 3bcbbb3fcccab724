package io.github.loyaltyledger.redemption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.loyaltyledger.ledger.Points;
import io.vavr.collection.List;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.joda.money.CurrencyMismatchException;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PaymentTermsTest {

  private static final int EXAMPLES = Integer.getInteger("QT_EXAMPLES", 1000);

  private static PaymentTerms terms(long points, String worth, String share) {
    return new PaymentTerms(Points.of(points), Money.parse(worth), Points.ZERO, new BigDecimal(share));
  }

  @Test
  void termsWhoseShareIsWrittenToAnotherScaleAreEqualAndHashAlike() {
    qt().forAll(integers().between(1, 1000), integers().between(0, 12)).checkAssert((thousandths, extra) -> {
      PaymentTerms terms = terms(100, "EUR 1.00", BigDecimal.valueOf(thousandths, 3).toPlainString());
      PaymentTerms rescaled = terms(100, "EUR 1.00", BigDecimal.valueOf(thousandths, 3).setScale(3 + extra).toPlainString());
      assertEquals(terms, rescaled);
      assertEquals(rescaled, terms);
      assertEquals(terms.hashCode(), rescaled.hashCode());
    });
    assertEquals(terms(100, "EUR 1.00", "1"), terms(100, "EUR 1.00", "1.00"));
    assertNotEquals(terms(100, "EUR 1.00", "0.5"), terms(100, "EUR 1.00", "0.51"));
  }

  @Nested
  class Quote {

    @ParameterizedTest(name = "{0} points = {1}, share {2}: basket {3}, offered {4} -> applies {5} for {6} points")
    @CsvSource({
        // rate, worth, share, basket, offered, applied, charged
        "100, EUR 1.00, 1,   EUR 10.00, 150,  EUR 1.50, 150",
        "100, EUR 1.00, 0.5, EUR 10.00, 800,  EUR 5.00, 500",
        "100, EUR 1.00, 0.5, EUR 9.99,  800,  EUR 4.99, 499",
        "3,   EUR 0.01, 1,   EUR 10.00, 7,    EUR 0.02, 6",
        "100, EUR 1.00, 1,   EUR 10.00, 99,   EUR 0.99, 99",
        "250, EUR 1.00, 1,   EUR 10.00, 1,    EUR 0.00, 0",
        "250, EUR 1.00, 1,   EUR 10.00, 3,    EUR 0.01, 3",
        "10,  JPY 1,    0.3, JPY 1000,  5000, JPY 300,  3000",
    })
    void moneyIsRoundedDownAndPointsUp(long points, String worth, String share, String basket, long offered,
        String applied, long charged) {
      PaymentQuote quote = terms(points, worth, share).quote(Money.parse(basket), Points.of(offered));

      assertEquals(new PaymentQuote(Money.parse(applied), Points.of(charged)), quote);
    }

    @Test
    void pointsWorthMoreMinorUnitsThanALongHoldsApplyTheirExactValue() {
      // 1 point = EUR 1.00: the value of Long.MAX_VALUE / 2 points is 100 times as many cents.
      Points offered = Points.of(Long.MAX_VALUE / 2);
      PaymentQuote quote = terms(1, "EUR 1.00", "1").quote(Money.of(CurrencyUnit.EUR, new BigDecimal("1E+20")), offered);

      assertEquals(new PaymentQuote(Money.of(CurrencyUnit.EUR, new BigDecimal(Long.MAX_VALUE / 2)), offered), quote);
    }

    /**
     * Whatever the rate, share, currency (0, 2 or 3 decimals), basket and offer: the money applied is
     * at most the share of the basket and the value of the points offered; the points charged are at
     * most those offered, their value covers the money applied, and one point fewer would not.
     */
    @Test
    void aQuoteNeverPaysMoreThanTheShareOrThePointsAndChargesTheFewestPointsCoveringIt() {
      qt().withExamples(EXAMPLES)
          .forAll(longs().between(1, 10_000), longs().between(1, 100_000), integers().between(0, 299),
              longs().between(0, 10_000_000).zip(longs().between(0, 10_000_000), (b, o) -> new long[] {b, o}))
          .checkAssert((rate, worthMinor, shareAndCurrency, basketAndOffer) -> {
            int percent = shareAndCurrency % 100 + 1;
            int currency = shareAndCurrency / 100;
            long basketMinor = basketAndOffer[0];
            long offered = basketAndOffer[1];
            CurrencyUnit unit = List.of(CurrencyUnit.JPY, CurrencyUnit.EUR, CurrencyUnit.of("BHD")).get(currency);
            PaymentTerms terms = new PaymentTerms(Points.of(rate), Money.ofMinor(unit, worthMinor), Points.ZERO,
                BigDecimal.valueOf(percent, 2));
            PaymentQuote quote = terms.quote(Money.ofMinor(unit, basketMinor), Points.of(offered));
            BigInteger applied = quote.applied().getAmountMinor().toBigInteger();
            BigInteger charged = BigInteger.valueOf(quote.charged().value());
            BigInteger w = BigInteger.valueOf(worthMinor);
            BigInteger r = BigInteger.valueOf(rate);

            assertEquals(unit, quote.applied().getCurrencyUnit());
            assertTrue(applied.signum() >= 0 && quote.charged().value() <= offered, quote.toString());
            // At most the share: applied * 100 <= basket * percent.
            assertTrue(applied.multiply(BigInteger.valueOf(100)).compareTo(
                BigInteger.valueOf(basketMinor).multiply(BigInteger.valueOf(percent))) <= 0, quote.toString());
            // At most the value of the points offered, and covered by the value of the points charged.
            assertTrue(applied.multiply(r).compareTo(BigInteger.valueOf(offered).multiply(w)) <= 0, quote.toString());
            assertTrue(charged.multiply(w).compareTo(applied.multiply(r)) >= 0, quote.toString());
            assertTrue(charged.signum() == 0 || charged.subtract(BigInteger.ONE).multiply(w).compareTo(applied.multiply(r)) < 0,
                quote.toString());
          });
    }

    @Test
    void aBasketInAnotherCurrencyIsAProgrammingError() {
      assertThrows(CurrencyMismatchException.class,
          () -> terms(100, "EUR 1.00", "1").quote(Money.of(CurrencyUnit.USD, 5), Points.of(100)));
    }
  }

  @Nested
  class Description {

    /** A receipt or screen shows a kind's particulars: for points as payment, its terms in words. */
    @ParameterizedTest(name = "{0} points = {1}, share {2}, minimum {3}: {4}")
    @CsvSource({
        "100, EUR 1.00, 0.5,   50, '100 points pay EUR 1.00, up to 50% of a basket, at least 50 points at a time'",
        "1,   EUR 0.01, 1,     1,  '1 point pays EUR 0.01, up to 100% of a basket, at least 1 point at a time'",
        "3,   EUR 0.01, 0.333, 0,  '3 points pay EUR 0.01, up to 33.3% of a basket'",
        "10,  JPY 1,    0.25,  0,  '10 points pay JPY 1, up to 25% of a basket'",
    })
    void pointsAsPaymentDescribesItsTermsInPlainWords(long points, String worth, String share, long minimum,
        String description) {
      PaymentTerms terms = new PaymentTerms(Points.of(points), Money.parse(worth), Points.of(minimum), new BigDecimal(share));

      assertEquals(description, new RewardKind.PointsAsPayment(terms).describe());
    }
  }

  @Nested
  class LeastCharge {

    @ParameterizedTest(name = "{0} points = {1}, at least {2} points: the least charge is {3}")
    @CsvSource({
        // rate, worth, minimum, least charge
        "100, EUR 1.00, 50, 50",
        "3,   EUR 0.01, 50, 51",
        "3,   EUR 0.01, 0,  3",
        "250, EUR 1.00, 0,  3",
        "250, EUR 1.00, 50, 50",
        "250, EUR 1.00, 51, 53",
        "10,  JPY 1,    7,  10",
        "1,   EUR 1.00, 7,  7",
    })
    void aPaymentRewardsLeastChargeIsTheFewestPointsAPaymentCanCharge(long points, String worth, long minimum,
        long least) {
      PaymentTerms terms = new PaymentTerms(Points.of(points), Money.parse(worth), Points.of(minimum), BigDecimal.ONE);
      Reward pay = Reward.builder(RewardId.of("pay"), "Pay", new RewardKind.PointsAsPayment(terms), Points.ZERO).build();

      assertEquals(Points.of(least), pay.leastCharge(io.vavr.control.Option.none()));
      // A member offering that many pays with all of them, and one offering fewer charges fewer.
      Money basket = Money.of(terms.worth().getCurrencyUnit(), new BigDecimal("1000000"));
      assertEquals(Points.of(least), terms.quote(basket, Points.of(least)).charged());
      assertTrue(terms.quote(basket, Points.of(least - 1)).charged().isLessThan(Points.of(Math.max(1, minimum))));
    }

    /**
     * Whatever the rate, currency and minimum: the least charge is at least the minimum, a payment
     * offering that many points charges them all, and one offering a point fewer charges less than the
     * minimum, so no payment charges a number of points between the minimum and the least charge.
     */
    @Test
    void theLeastChargeIsTheFewestPointsAtOrAboveTheMinimumThatAPaymentCharges() {
      qt().withExamples(EXAMPLES)
          .forAll(longs().between(1, 10_000), longs().between(1, 100_000), integers().between(0, 2),
              longs().between(1, 1_000_000))
          .checkAssert((rate, worthMinor, currency, minimum) -> {
            CurrencyUnit unit = List.of(CurrencyUnit.JPY, CurrencyUnit.EUR, CurrencyUnit.of("BHD")).get(currency);
            PaymentTerms terms = new PaymentTerms(Points.of(rate), Money.ofMinor(unit, worthMinor), Points.of(minimum),
                BigDecimal.ONE);
            Points least = terms.fewestChargeOfAtLeast(Points.of(minimum));
            Money basket = Money.ofMinor(unit, Long.MAX_VALUE / 2);

            assertTrue(!least.isLessThan(Points.of(minimum)), least.toString());
            assertEquals(least, terms.quote(basket, least).charged());
            assertTrue(terms.quote(basket, least.minus(Points.of(1))).charged().isLessThan(Points.of(minimum)));
          });
    }
  }

  @Nested
  class Validation {

    @Test
    void aShareOutsideZeroToOneOrANonPositiveRateIsRejected() {
      assertThrows(IllegalArgumentException.class, () -> terms(100, "EUR 1.00", "0"));
      assertThrows(IllegalArgumentException.class, () -> terms(100, "EUR 1.00", "1.01"));
      assertThrows(IllegalArgumentException.class, () -> terms(0, "EUR 1.00", "1"));
      assertThrows(IllegalArgumentException.class, () -> terms(100, "EUR 0.00", "1"));
    }

    /**
     * A share of more decimals than any basket needs was accepted: at {@code 1E-2147483647} every
     * quote ({@link PaymentTerms#quote}, which {@code payWithPoints} asks) threw
     * {@code ArithmeticException} ("BigInteger would overflow supported range"), and at
     * {@code 1E-100000000} each rounded the basket's share through a power of ten of a hundred
     * million digits. At most 18 decimals, as a rule's rate.
     */
    @Test
    void aShareOfMoreThanEighteenDecimalsIsRejectedWhenMade() {
      for (String share : new String[] {"1E-19", "0.5000000000000000001", "1E-100000000", "1E-2147483647"}) {
        assertEquals("max share must have at most 18 decimals, was " + new BigDecimal(share),
            assertThrows(IllegalArgumentException.class, () -> terms(100, "EUR 1.00", share)).getMessage());
      }
      assertEquals(new BigDecimal("1E-18"), terms(100, "EUR 1.00", "1E-18").maxShare());
      // Trailing zeros say nothing more.
      assertEquals(new BigDecimal("0.50000000000000000000"), terms(100, "EUR 1.00", "0.50000000000000000000").maxShare());
    }
  }
}
