package io.github.loyaltyledger.redemption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ledger.Points;
import java.math.BigDecimal;
import org.joda.money.CurrencyMismatchException;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PaymentTermsTest {

  private static PaymentTerms terms(long points, String worth, String share) {
    return new PaymentTerms(Points.of(points), Money.parse(worth), Points.ZERO, new BigDecimal(share));
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

    @Test
    void aBasketInAnotherCurrencyIsAProgrammingError() {
      assertThrows(CurrencyMismatchException.class,
          () -> terms(100, "EUR 1.00", "1").quote(Money.of(CurrencyUnit.USD, 5), Points.of(100)));
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
  }
}
