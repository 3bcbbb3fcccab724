package io.github.loyaltyledger.earning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The context a rule author builds to table-test {@code evaluate} without a facade. */
class EarnContextTest {

  static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  static final Instant AT = Instant.parse("2026-03-03T08:15:00Z");
  static final MemberId ADA = MemberId.of("ada");
  static final Member MEMBER = new Member(ADA, Instant.parse("2026-01-01T00:00:00Z"), Option.none(), PARIS,
      MemberStatus.ACTIVE);

  static Purchase aPurchaseBy(MemberId member, String currency) {
    return new Purchase(member, IdempotencyKey.of("pos-1"), AT, Channel.store("S-1"), CurrencyUnit.of(currency),
        List.of(LineItem.of("LATTE", 1, Money.parse(currency + " 3.50"))), Money.zero(CurrencyUnit.of(currency)));
  }

  static CustomEvent aReviewBy(MemberId member) {
    return CustomEvent.of(member, IdempotencyKey.of("review-1"), CustomEvent.REVIEW_WRITTEN, AT, Channel.web());
  }

  @Nested
  class Making {

    @Test
    void aPurchasesContextTakesWhenWhereAndTheCurrencyFromThePurchaseAsTheEngineDoes() {
      Purchase purchase = aPurchaseBy(ADA, "EUR");
      assertEquals(new EarnContext("bean-club", 2, PARIS, CurrencyUnit.EUR, MEMBER, AT, Channel.store("S-1"),
          Option.some(purchase), Option.none(), Option.none(), HashSet.empty(), 0, BigDecimal.ONE),
          EarnContext.of("bean-club", 2, PARIS, MEMBER, purchase));
    }

    @Test
    void anEventsContextTakesWhenAndWhereFromTheEventAndTheProgramsCurrency() {
      CustomEvent review = aReviewBy(ADA);
      assertEquals(new EarnContext("bean-club", 2, PARIS, CurrencyUnit.EUR, MEMBER, AT, Channel.web(), Option.none(),
          Option.some(review), Option.none(), HashSet.empty(), 0, BigDecimal.ONE),
          EarnContext.of("bean-club", 2, PARIS, CurrencyUnit.EUR, MEMBER, review));
    }

    @Test
    void aPurchaseOrEventOfAnotherMemberIsRefusedNamingBoth() {
      IllegalArgumentException purchase = assertThrows(IllegalArgumentException.class,
          () -> EarnContext.of("bean-club", 1, PARIS, MEMBER, aPurchaseBy(MemberId.of("bob"), "EUR")));
      assertTrue(purchase.getMessage().contains("bob") && purchase.getMessage().contains("ada"), purchase.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> EarnContext.of("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER, aReviewBy(MemberId.of("bob"))));
    }
    @Test
    void aRefusalNamesWhetherThePurchaseOrTheEventIsAnotherMembers() {
      assertEquals("the purchase is bob's, not ada's: give the member whose purchase it is",
          assertThrows(IllegalArgumentException.class,
              () -> EarnContext.of("bean-club", 1, PARIS, MEMBER, aPurchaseBy(MemberId.of("bob"), "EUR"))).getMessage());
      assertEquals("the event is bob's, not ada's: give the member whose event it is",
          assertThrows(IllegalArgumentException.class, () -> EarnContext.of("bean-club", 1, PARIS, CurrencyUnit.EUR,
              MEMBER, aReviewBy(MemberId.of("bob")))).getMessage());
    }

    /**
     * A context the engine could never give (one whose member, time, place or currency contradicts
     * its purchase or event) would let a rule's table test pass for a case that never happens.
     */
    @Test
    void aContextWhoseFactsContradictItsPurchaseOrEventIsRefusedNamingWhatDisagrees() {
      Purchase purchase = aPurchaseBy(ADA, "EUR");
      Member bob = new Member(MemberId.of("bob"), Instant.parse("2026-01-01T00:00:00Z"), Option.none(), PARIS,
          MemberStatus.ACTIVE);
      java.util.Map<String, org.junit.jupiter.api.function.Executable> contradictions = new java.util.LinkedHashMap<>();
      contradictions.put("member", () -> new EarnContext("bean-club", 1, PARIS, CurrencyUnit.EUR, bob, AT,
          Channel.store("S-1"), Option.some(purchase), Option.none(), Option.none(), HashSet.empty(), 0));
      contradictions.put("occurredAt", () -> new EarnContext("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER,
          AT.plusSeconds(3600), Channel.store("S-1"), Option.some(purchase), Option.none(), Option.none(),
          HashSet.empty(), 0));
      contradictions.put("channel", () -> new EarnContext("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER, AT,
          Channel.web(), Option.some(purchase), Option.none(), Option.none(), HashSet.empty(), 0));
      contradictions.put("currency", () -> new EarnContext("bean-club", 1, PARIS, CurrencyUnit.USD, MEMBER, AT,
          Channel.store("S-1"), Option.some(purchase), Option.none(), Option.none(), HashSet.empty(), 0));
      contradictions.put("event's member", () -> new EarnContext("bean-club", 1, PARIS, CurrencyUnit.EUR, bob, AT,
          Channel.web(), Option.none(), Option.some(aReviewBy(ADA)), Option.none(), HashSet.empty(), 0));
      contradictions.put("event's occurredAt", () -> new EarnContext("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER,
          AT.minusSeconds(1), Channel.web(), Option.none(), Option.some(aReviewBy(ADA)), Option.none(), HashSet.empty(), 0));
      contradictions.put("event's channel", () -> new EarnContext("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER, AT,
          Channel.app(), Option.none(), Option.some(aReviewBy(ADA)), Option.none(), HashSet.empty(), 0));
      contradictions.forEach((what, make) -> {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, make, what);
        String field = what.startsWith("event's ") ? what.substring("event's ".length()) : what;
        assertTrue(refused.getMessage().contains(field), what + ": " + refused.getMessage());
      });
    }

    @Test
    void aProgramVersionBelowOneIsRefusedAsTheProgramRefusesIt() {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> EarnContext.of("bean-club", 0, PARIS, MEMBER, aPurchaseBy(ADA, "EUR")));
      assertTrue(refused.getMessage().contains("version"), refused.getMessage());
    }

    /**
     * The engine runs the program's rules, for an active member, on a purchase or event of years 1
     * to 9999 (the facade refuses any other before a rule runs): a context outside that is a case
     * that never happens.
     */
    @Test
    void aContextTheFacadeWouldRefuseBeforeAnyRuleRunsIsRefusedNamingTheField() {
      Purchase purchase = aPurchaseBy(ADA, "EUR");
      Member suspended = new Member(ADA, Instant.parse("2026-01-01T00:00:00Z"), Option.none(), PARIS,
          MemberStatus.SUSPENDED);
      java.util.Map<String, org.junit.jupiter.api.function.Executable> refused = new java.util.LinkedHashMap<>();
      refused.put("programId", () -> EarnContext.of("Bean Club", 1, PARIS, MEMBER, purchase));
      refused.put("programId ", () -> EarnContext.of("", 1, PARIS, CurrencyUnit.EUR, MEMBER, aReviewBy(ADA)));
      refused.put("member", () -> EarnContext.of("bean-club", 1, PARIS, suspended, purchase));
      refused.put("occurredAt", () -> EarnContext.of("bean-club", 1, PARIS, MEMBER,
          new Purchase(ADA, IdempotencyKey.of("pos-2"), Instant.parse("+10000-01-01T00:00:00Z"), Channel.web(),
              CurrencyUnit.EUR, purchase.lines(), Money.zero(CurrencyUnit.EUR))));
      refused.put("occurredAt ", () -> EarnContext.of("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER,
          CustomEvent.of(ADA, IdempotencyKey.of("review-2"), CustomEvent.REVIEW_WRITTEN,
              Instant.parse("0000-12-31T23:59:59Z"), Channel.web())));
      refused.forEach((field, make) -> {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, make, field);
        assertTrue(thrown.getMessage().contains(field.strip()), field + ": " + thrown.getMessage());
      });
    }

    /**
     * A MemberTiers or SegmentResolver port that answers Some(null) or a set holding null is a
     * programming error, as an answer of null is: it is named, not left to a comparator deep in Vavr.
     */
    @Test
    void aTierOrSegmentThatIsNullIsRefusedNamingWhichAndThePortThatGivesIt() {
      Purchase purchase = aPurchaseBy(ADA, "EUR");
      NullPointerException tier = assertThrows(NullPointerException.class, () -> new EarnContext("bean-club", 1, PARIS,
          CurrencyUnit.EUR, MEMBER, AT, Channel.store("S-1"), Option.some(purchase), Option.none(), Option.some(null),
          HashSet.empty(), 0));
      assertEquals("tier holds null: a MemberTiers port answers none for a member without a tier", tier.getMessage());
      NullPointerException segment = assertThrows(NullPointerException.class, () -> EarnContext.of("bean-club", 1, PARIS,
          MEMBER, purchase).withSegments(HashSet.of("students", null)));
      assertEquals("segments holds null: a SegmentResolver answers segment ids only", segment.getMessage());
    }

    @Test
    void aContextAtTheFirstAndLastInstantsTheLedgerSupportsIsMade() {
      for (Instant at : List.of(Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"))) {
        CustomEvent event = CustomEvent.of(ADA, IdempotencyKey.of("review-3"), CustomEvent.REVIEW_WRITTEN, at, Channel.web());
        assertEquals(at, EarnContext.of("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER, event).occurredAt());
      }
    }

    @Test
    void aNegativeCountOfPreviousPurchasesIsRefusedByTheConstructorAndWithPreviousPurchases() {
      EarnContext plain = EarnContext.of("bean-club", 1, PARIS, MEMBER, aPurchaseBy(ADA, "EUR"));
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> plain.withPreviousPurchases(-1));
      assertTrue(refused.getMessage().contains("-1"), refused.getMessage());
      assertThrows(IllegalArgumentException.class, () -> new EarnContext("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER,
          AT, Channel.store("S-1"), plain.purchase(), Option.none(), Option.none(), HashSet.empty(), -1));
    }
  }

  @Nested
  class Varying {

    @Test
    void theTierSegmentsAndPreviousPurchasesAreChangedOneAtATime() {
      EarnContext plain = EarnContext.of("bean-club", 1, PARIS, MEMBER, aPurchaseBy(ADA, "EUR"));
      EarnContext varied = plain.withTier("gold", new BigDecimal("1.5")).withSegments(HashSet.of("students"))
          .withPreviousPurchases(4);
      assertEquals(new EarnContext("bean-club", 1, PARIS, CurrencyUnit.EUR, MEMBER, AT, Channel.store("S-1"),
          plain.purchase(), Option.none(), Option.some("gold"), HashSet.of("students"), 4, new BigDecimal("1.5")), varied);
    }

    @Test
    void aMultiplierBelowZeroIsRefusedAsTheConstructorRefusesIt() {
      EarnContext plain = EarnContext.of("bean-club", 1, PARIS, MEMBER, aPurchaseBy(ADA, "EUR"));
      assertThrows(IllegalArgumentException.class, () -> plain.withTier("gold", new BigDecimal("-1")));
    }
  }
}
