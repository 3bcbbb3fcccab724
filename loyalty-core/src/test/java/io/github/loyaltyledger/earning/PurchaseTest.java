package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Option;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The requests a till or app sends to earn: purchases, their lines, and custom events. */
class PurchaseTest {

  static final MemberId ADA = MemberId.of("ada");
  static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

  @Nested
  class Purchases {

    @Test
    void aPointsPaymentAboveTheWholeBillIsRefusedWhenThePurchaseIsMadeNamingBoth() {
      Purchase tenEuros = Purchase.of(ADA, key("pos-1"), AT, Channel.store("S-1"), line("BEANS", 1, "10.00"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> tenEuros.withPaidWithPoints(eur("1000.00")));
      assertEquals("paidWithPoints EUR 1000.00 exceeds the bill, EUR 10.00 (the net of every line)", e.getMessage());
    }

    @Test
    void aLineWithANegativeOrForeignAmountIsRefusedNamingTheAmount() {
      assertEquals("unitPrice must not be negative, was EUR -1.00", assertThrows(IllegalArgumentException.class,
          () -> line("BEANS", 1, "-1.00")).getMessage());
      assertEquals("discount must not be negative, was EUR -0.50", assertThrows(IllegalArgumentException.class,
          () -> line("BEANS", 1, "1.00").discounted(eur("-0.50"))).getMessage());
      assertEquals("discount USD 0.50 must be in the unit price's currency, EUR", assertThrows(IllegalArgumentException.class,
          () -> line("BEANS", 1, "1.00").discounted(org.joda.money.Money.parse("USD 0.50"))).getMessage());
    }

    @Test
    void anAmountInAnotherCurrencyThanThePurchasesIsRefusedNamingIt() {
      IllegalArgumentException line = assertThrows(IllegalArgumentException.class, () -> Purchase.of(ADA, key("pos-1"), AT,
          Channel.store("S-1"), line("BEANS", 1, "10.00"), LineItem.of("MUG", 1, org.joda.money.Money.parse("USD 8.00"))));
      assertEquals("every amount of a purchase must be in EUR; line MUG is in USD", line.getMessage());
      IllegalArgumentException paid = assertThrows(IllegalArgumentException.class, () -> Purchase.of(ADA, key("pos-1"), AT,
          Channel.store("S-1"), line("BEANS", 1, "10.00")).withPaidWithPoints(org.joda.money.Money.parse("USD 1.00")));
      assertEquals("every amount of a purchase must be in EUR; paidWithPoints is in USD", paid.getMessage());
    }

    @Test
    void theBillIsTheNetOfEveryLineSoAPaymentAboveTheDiscountedAmountIsRefused() {
      Purchase discounted = Purchase.of(ADA, key("pos-1"), AT, Channel.store("S-1"),
          line("BEANS", 2, "6.00").discounted(eur("2.00")));
      assertThrows(IllegalArgumentException.class, () -> discounted.withPaidWithPoints(eur("10.01")));
      assertEquals(eur("10.00"), discounted.withPaidWithPoints(eur("10.00")).paidWithPoints());
    }

    @Test
    void aSkuOrCategoryOfOneCharacterIsAcceptedAndAnEmptyOneIsRefused() {
      LineItem shortest = line("A", 1, "1.00").inCategories("c");
      assertEquals("A", shortest.sku());
      assertEquals(io.vavr.collection.TreeSet.of("c"), shortest.categories());
      assertEquals("7", LineItem.requireSku("7"));
      assertEquals("-", LineItem.requireCategory("-"));
      assertThrows(IllegalArgumentException.class, () -> line("", 1, "1.00"));
      assertThrows(IllegalArgumentException.class, () -> line("A", 1, "1.00").inCategories(""));
    }

    @Test
    void aPointsPaymentMayCoverLinesThatNeverEarnUpToTheWholeBill() {
      Purchase withTax = Purchase.of(ADA, key("pos-1"), AT, Channel.store("S-1"), line("BEANS", 1, "10.00"),
          line("VAT", 1, "1.90").ofKind(LineKind.TAX));
      Purchase allPaid = withTax.withPaidWithPoints(eur("11.90"));
      assertEquals(eur("11.90"), allPaid.paidWithPoints());
      assertEquals(0, allPaid.earningAmount(AmountBase.NET).signum());
    }
  }

  @Nested
  class Events {

    @Test
    void anEventTypeThatDoesNotStartWithALetterOrDigitIsRefusedSayingSo() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> CustomEvent.of(ADA, key("e-1"), ".survey", AT, Channel.app()));
      assertEquals("event type must be 1 to 60 of a-z, 0-9, '._-', starting with a letter or digit, was '.survey'",
          e.getMessage());
      assertEquals("x", CustomEvent.of(ADA, key("e-2"), "x", AT, Channel.app()).type());
    }

    @Test
    void aReferralThatNamesNoOtherMemberIsRefusedSinceNoOneCouldCheckTheFriendIsAMember() {
      for (String type : new String[] {CustomEvent.REFERRAL_CONVERTED, CustomEvent.REFERRAL_JOINED}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CustomEvent.of(ADA, key("e-1"), type, AT, Channel.app()));
        assertTrue(e.getMessage().contains(type), e.getMessage());
      }
      assertEquals(Option.some(MemberId.of("bob")),
          CustomEvent.referral(ADA, MemberId.of("bob"), key("e-2"), AT, Channel.app()).counterparty());
      assertEquals(Option.some(MemberId.of("bob")),
          CustomEvent.referred(ADA, MemberId.of("bob"), key("e-3"), AT, Channel.app()).counterparty());
    }
  }
}
