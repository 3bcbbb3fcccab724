package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.START;
import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aPurchase;
import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.line;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.expiry.ExpiryPolicy;
import io.github.loyaltyledger.insight.Insights;
import io.github.loyaltyledger.insight.IssuedPoints;
import io.github.loyaltyledger.expiry.ExpiryRounding;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierBenefits;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierTerm;
import io.github.loyaltyledger.tier.UpgradePolicy;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneId;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The earning facade: earn, quote and refund, end to end on the in-memory store. */
class EarningTest {

  static final MemberId ADA = MemberId.of("ada");
  static final MemberId BOB = MemberId.of("bob");

  TestClock clock;
  InMemoryLedgerStore store;
  Loyalty loyalty;

  Loyalty running(NegativeBalancePolicy policy, EarnRule... rules) {
    store = new InMemoryLedgerStore();
    loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club").negativeBalancePolicy(policy)
        .earnRules(RuleBook.of(rules)).build());
    enrolled(loyalty, ADA);
    enrolled(loyalty, BOB);
    return loyalty;
  }

  Loyalty running(EarnRule... rules) {
    return running(NegativeBalancePolicy.CLAMP, rules);
  }

  List<Entry> ledgerOf(MemberId member) {
    return store.entries(member, 1, 1000);
  }

  /** Returns units of a SKU of the purchase under {@code pos-1}; the points the refund moved. */
  long returning(String sku, int units) {
    return accepted(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine(sku, units)))).netPoints().value();
  }

  /**
   * All units of the SKU bought under {@code pos-1} are back: one more is refused as an
   * over-return naming what was bought and returned, and writes nothing.
   */
  void assertOneMoreUnitIsRefused(String sku, String bought) {
    int before = ledgerOf(ADA).size();
    assertEquals(new LoyaltyError.RefundExceedsPurchase(key("pos-1"), sku, bought, bought, "1"),
        refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine(sku, 1)))));
    assertEquals(before, ledgerOf(ADA).size());
  }

  /** Everything the member earned was taken back: no points left, and no qualifying credit. */
  void assertAllTakenBack(MemberId member) {
    assertEquals(Balance.EMPTY, balanceOf(loyalty, member));
    List<Entry> ledger = ledgerOf(member);
    for (String qualifying : List.of("qualifying.points", "qualifying.spend", "qualifying.visit")) {
      assertEquals(0, sum(ledger, qualifying), qualifying);
    }
  }

  static long sum(List<Entry> entries, String detail) {
    return entries.map(e -> Long.parseLong(e.details().get(detail).getOrElse("0"))).sum().longValue();
  }

  /** Runs the base rate and a double on coffee measured gross, posted as a bonus. */
  Loyalty runningAGrossDoubleOnCoffee() {
    Multiplier coffee = Multiplier.onCategories("coffee-double", "2", "1", "coffee");
    return running(base(), new Multiplier(coffee.id(), coffee.description(), coffee.skus(), coffee.categories(),
        coffee.factor(), coffee.baseRate(), AmountBase.GROSS, RuleTerms.DEFAULT.asBonus()));
  }

  static BaseRate base() {
    return BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100));
  }

  /** A plugin with this description and terms that answers every purchase or event alike. */
  static EarnRule plugin(String id, String description, RuleTerms terms, Evaluation evaluation) {
    return plugin(id, description, terms, context -> evaluation);
  }

  /** A plugin with this description and terms that evaluates with this function. */
  static EarnRule plugin(String id, String description, RuleTerms terms,
      java.util.function.Function<EarnContext, Evaluation> evaluate) {
    return new EarnRule() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public RuleTerms terms() {
        return terms;
      }

      @Override
      public Evaluation evaluate(EarnContext context) {
        return evaluate.apply(context);
      }
    };
  }

  /** A plugin proposing these exact points on every purchase or event. */
  static EarnRule proposing(String id, java.math.BigDecimal points, RuleTerms terms) {
    return new EarnRule() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String description() {
        return "proposes " + points;
      }

      @Override
      public RuleTerms terms() {
        return terms;
      }

      @Override
      public Evaluation evaluate(EarnContext context) {
        return Evaluation.award(points, "proposes " + points);
      }
    };
  }

  /** Throws any throwable, a checked exception too, undeclared: as Kotlin or Lombok's @SneakyThrows let code do. */
  @SuppressWarnings("unchecked")
  static <T extends Throwable> Option<Instant> undeclared(Throwable thrown) throws T {
    throw (T) thrown;
  }

  @BeforeEach
  void setUp() {
    clock = TestClock.at("2026-03-01T12:00:00Z");
  }

  @Nested
  class Earn {
    @Test
    void aPurchasePostsOneEntryPerKindAndKeepsTheBreakdownPerRule() {
      running(base(), BasketThreshold.of("fifty", eur("50.00"), 100));
      Receipt r = accepted(loyalty.earn(aPurchaseOf(ADA, "62.40", key("pos-1"))));
      assertEquals(List.of(EntryKind.EARN, EntryKind.BONUS), r.entries().map(Entry::kind));
      assertEquals(List.of(List.of("base"), List.of("fifty")), r.entries().map(Entry::ruleIds));
      assertEquals(Points.of(162), r.netPoints());
      assertEquals(Points.of(162), r.balance().available());
      EarnQuote breakdown = EarnQuote.fromEntries(ledgerOf(ADA)).get();
      assertEquals(Points.of(62), breakdown.outcome("base").get().granted());
      assertEquals("1 per EUR on EUR 62.40 (net)", breakdown.outcome("base").get().explanation());
      assertEquals(1, breakdown.programVersion());
    }

    @Test
    void aCampaignInTheMembersZoneFollowsTheZoneTheyEnrolledWithAcrossAChangeOfTheirClocksAlone() {
      // Tuesday 10 March 2026: New York is on summer time (UTC-4) since the 8th, Paris not yet (UTC+1).
      clock = TestClock.at("2026-03-10T22:00:00Z");
      store = new InMemoryLedgerStore();
      loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club").zone(ZoneId.of("Europe/Paris"))
          .earnRules(RuleBook.of(base(), Multiplier.onCategories("tuesday-double", "2", "1", "coffee")
              .with(RuleTerms.DEFAULT.asBonus().during(Schedule.always().on(DayOfWeek.TUESDAY)
                  .between(LocalTime.of(14, 0), LocalTime.of(17, 0)).in(Schedule.Zone.MEMBER)))))
          .build());
      accepted(loyalty.enrol(Enrolment.of(ADA, aKey()).withZone(ZoneId.of("America/New_York"))));

      List<String> verdicts = List.of("2026-03-10T14:30:00Z", "2026-03-10T18:00:00Z", "2026-03-10T20:59:59Z",
              "2026-03-10T21:00:00Z")
          .map(at -> accepted(loyalty.quote(aPurchase(ADA, aKey(), Instant.parse(at), line("LATTE", 1, "4.00")
              .inCategories("coffee")))).outcome("tuesday-double").get())
          .map(o -> o.reason().map(r -> r.code().name()).getOrElse(o.granted().toString()));

      // 10:30 in New York (15:30 in Paris); 14:00, 16:59:59 and 17:00 in New York.
      assertEquals(List.of("OUTSIDE_SCHEDULE", "4", "4", "OUTSIDE_SCHEDULE"), verdicts);
    }

    /*
     * Hours are read on the wall clock: on the night the clocks go back, a time in the hour that
     * occurs twice is in the window both times (01:30-02:30 then runs two hours); on the night they
     * go forward, the skipped times never come, so the window runs until the jump (half an hour).
     */
    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource({
        // Berlin repeats 02:00-03:00 on 25 October 2026 (CEST, then CET) and skips it on 29 March.
        "Europe/Berlin, 2026-10-24T23:30:00Z, 01:30 CEST (first minute), 4",
        "Europe/Berlin, 2026-10-25T00:15:00Z, 02:15 CEST (first time), 4",
        "Europe/Berlin, 2026-10-25T01:15:00Z, 02:15 CET (second time), 4",
        "Europe/Berlin, 2026-10-25T01:30:00Z, 02:30 CET (end), OUTSIDE_SCHEDULE",
        "Europe/Berlin, 2026-03-29T00:59:59Z, 01:59:59 CET (before the jump), 4",
        "Europe/Berlin, 2026-03-29T01:00:00Z, 03:00 CEST (after the jump), OUTSIDE_SCHEDULE",
        // New York repeats 01:00-02:00 on 1 November 2026 (EDT, then EST) and skips 02:00-03:00 on 8 March.
        "America/New_York, 2026-11-01T05:45:00Z, 01:45 EDT (first time), 4",
        "America/New_York, 2026-11-01T06:45:00Z, 01:45 EST (second time), 4",
        "America/New_York, 2026-11-01T07:29:59Z, 02:29:59 EST (last second), 4",
        "America/New_York, 2026-11-01T07:30:00Z, 02:30 EST (end), OUTSIDE_SCHEDULE",
        "America/New_York, 2026-03-08T06:59:59Z, 01:59:59 EST (before the jump), 4",
        "America/New_York, 2026-03-08T07:00:00Z, 03:00 EDT (after the jump), OUTSIDE_SCHEDULE"})
    void aCampaignsHoursAreReadOnTheWallClockSoAnHourTheClocksRepeatCountsBothTimesAndOneTheySkipNever(
        String zone, Instant at, String local, String verdict) {
      clock = TestClock.at("2027-01-01T00:00:00Z");
      store = new InMemoryLedgerStore();
      loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club").zone(ZoneId.of(zone))
          .earnRules(RuleBook.of(BaseRate.of("night-owl", "1").with(RuleTerms.DEFAULT.during(Schedule.always()
              .between(LocalTime.of(1, 30), LocalTime.of(2, 30)))))).build());
      enrolled(loyalty, ADA);

      RuleOutcome outcome = accepted(loyalty.quote(aPurchase(ADA, aKey(), at, line("LATTE", 1, "4.00"))))
          .outcome("night-owl").get();

      assertEquals(verdict, outcome.reason().map(r -> r.code().name()).getOrElse(outcome.granted().toString()), local);
    }

    /*
     * A rule's expiry after a period is counted on the program's wall clock: a day after 02:30 on
     * the eve of the night the clocks skip 02:00-03:00 is 03:30, the time the skipped one moves to
     * (23 hours later); a day after 02:30 on the eve of the night they repeat that hour is the first
     * 02:30, and a day after the second 02:30 is 02:30 the next day.
     */
    @ParameterizedTest(name = "earned at {0}, expiring at {1}")
    @CsvSource({
        "2026-03-28T01:30:00Z, 2026-03-29T01:30:00Z",
        "2026-10-25T01:30:00Z, 2026-10-26T01:30:00Z",
        "2026-10-24T00:30:00Z, 2026-10-25T00:30:00Z"})
    void aRulesExpiryAfterAPeriodIsCountedOnTheWallClockAndMovesOutOfAnHourTheClocksSkip(Instant earned, Instant expires) {
      clock = TestClock.at("2027-01-01T00:00:00Z");
      store = new InMemoryLedgerStore();
      loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club").zone(ZoneId.of("Europe/Berlin"))
          .earnRules(RuleBook.of(BaseRate.of("base", "1").with(RuleTerms.DEFAULT.expiringAfter(Period.ofDays(1)))))
          .build());
      enrolled(loyalty, ADA);

      accepted(loyalty.earn(aPurchase(ADA, aKey(), earned, line("LATTE", 1, "4.00"))));

      assertEquals(Option.some(expires), accepted(loyalty.lots(ADA)).single().expiresAt());
    }

    @Test
    void aPurchaseInAnotherCurrencyIsRefusedAndWritesNothing() {
      running(base());
      Purchase dollars = Purchase.of(ADA, key("pos-1"), Instant.parse(START), Channel.web(),
          LineItem.of("ITEM", 1, Money.of(CurrencyUnit.USD, 10)));
      LoyaltyError error = refused(loyalty.earn(dollars));
      assertEquals(new LoyaltyError.CurrencyMismatch(CurrencyUnit.EUR, CurrencyUnit.USD), error);
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void aPurchaseLargerThanTheLedgerRecordsIsRefusedByEarnAndQuoteAndWritesNothing() {
      running(base());
      Purchase huge = aPurchase(ADA, key("pos-1"), clock.instant(), line("I", 1, "100000000000000000.00"));
      LoyaltyError.InvalidRequest error = assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.earn(huge)));
      assertEquals("lines", error.field());
      assertEquals(error, refused(loyalty.quote(huge)));
      assertTrue(ledgerOf(ADA).isEmpty());
      assertEquals(Points.of(92_233_720_368_547_758L),
          accepted(loyalty.earn(aPurchase(ADA, key("pos-2"), clock.instant(), line("I", 1, "92233720368547758.07")))).netPoints(),
          "the largest purchase the ledger records earns");
      assertTrue(loyalty.quote(aPurchase(BOB, key("pos-3"), clock.instant(),
          line("I", 1, "46116860184273879.03"), line("J", 1, "46116860184273879.04"))).isRight(), "two lines adding up to it");
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.quote(aPurchase(BOB, key("pos-4"), clock.instant(),
          line("I", 1, "46116860184273879.03"), line("J", 1, "46116860184273879.05")))), "a cent more");
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.quote(aPurchase(BOB, key("pos-5"), clock.instant(),
          line("I", Integer.MAX_VALUE, "100000000.00")))), "a price times a quantity");
      assertTrue(loyalty.quote(aPurchase(BOB, key("pos-6"), clock.instant(), line("I", Integer.MAX_VALUE, "9999999.99"),
          line("J", Integer.MAX_VALUE, "9999999.99"))).isRight(), "two large lines, 4.3e18 cents in all, within a long");
    }

    @Test
    void grantsAddingUpToMoreThanALongHoldsAreARuleFailureForEarnAndQuoteAndWriteNothing() {
      running(BaseRate.of("a", "500000000000000000"), BaseRate.of("b", "500000000000000000"));
      Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
      LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.earn(p)));
      assertEquals("b", error.ruleId());
      assertEquals(error, refused(loyalty.quote(p)));
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void theSamePurchaseSentTwiceEarnsOnceAndAChangedOneWithTheSameIdIsRefused() {
      running(base());
      Receipt first = accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1"))));
      assertEquals(first, accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1")))));
      assertInstanceOf(LoyaltyError.IdempotencyConflict.class, refused(loyalty.earn(aPurchaseOf(ADA, "11.00", key("pos-1")))));
      assertEquals(1, ledgerOf(ADA).size());
    }

    @Test
    void aPurchaseThatEarnsNothingStillRecordsTheVisitAndWhy() {
      running(BasketThreshold.of("fifty", eur("50.00"), 100));
      Receipt r = accepted(loyalty.earn(aPurchaseOf(ADA, "20.00", key("pos-1"))));
      Entry entry = r.entries().single();
      assertEquals(Points.ZERO, entry.points());
      assertEquals("1", entry.details().get("qualifying.visit").get());
      RuleOutcome fifty = EarnQuote.fromEntries(r.entries()).get().outcome("fifty").get();
      assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "basket", "EUR 20.00", "at least EUR 50.00"), fifty.reason().get());
    }

    @Test
    void entriesCarryTheTierQualifyingKeysAndOnlyQualifyingRulesCount() {
      running(base(), UnitBonus.of("beans", "BEANS", 25).with(RuleTerms.DEFAULT.asBonus().notQualifying()));
      Receipt r = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), Instant.parse(START),
          line("BEANS", 2, "8.00").discounted(eur("1.00")), line("GIFT", 1, "25.00").ofKind(LineKind.GIFT_CARD))));
      assertEquals(15 + 50, r.netPoints().value());
      assertEquals(15, sum(r.entries(), "qualifying.points"));
      assertEquals(1500, sum(r.entries(), "qualifying.spend"));
      assertEquals(1, sum(r.entries(), "qualifying.visit"));
    }

    @Test
    void lotsCarryEachRulesExpiryAndVesting() {
      running(base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofMonths(12))),
          BasketThreshold.of("fifty", eur("50.00"), 100).with(RuleTerms.DEFAULT.asBonus().vestingAfter(Duration.ofDays(14))));
      Receipt r = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("ITEM", 1, "60.00"))));
      assertEquals(new Balance(Points.of(60), Points.of(100), Points.ZERO), r.balance());
      assertEquals(Option.some(Instant.parse("2027-03-01T12:00:00Z")), r.entries().head().expiresAt());
      assertEquals(Option.some(Instant.parse("2026-03-15T12:00:00Z")), r.entries().last().vestsAt());
    }

    @Test
    void aZeroVestingIsNoVestingAndItsPointsShareTheEntryAndLotOfTheOtherRules() {
      running(base(), UnitBonus.of("beans", "BEANS", 25).with(RuleTerms.DEFAULT.vestingAfter(Duration.ZERO)));
      Purchase p = aPurchase(ADA, key("pos-1"), clock.instant(), line("BEANS", 2, "8.00"));
      EarnQuote quote = accepted(loyalty.quote(p));
      Receipt r = accepted(loyalty.earn(p));
      assertEquals(1, r.entries().size(), r.entries().toString());
      Entry earned = r.entries().head();
      assertEquals(Points.of(16 + 50), earned.points());
      assertEquals(Option.none(), earned.vestsAt());
      assertEquals(Option.none(), quote.outcome("beans").get().vestsAt());
      assertEquals(quote, EarnQuote.fromEntries(r.entries()).get());
      assertEquals(new Balance(Points.of(66), Points.ZERO, Points.ZERO), r.balance());
      assertEquals(1, store.account(ADA).get().lots().size());
    }

    @Test
    void aRuleWithAnExpiryPolicyDatesItsLotByTheCalendarInTheMembersZone() {
      running(base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(1))
              .expiringBy(FixedTermExpiry.months(6).roundedUpTo(ExpiryRounding.END_OF_MONTH))),
          BasketThreshold.of("fifty", eur("50.00"), 100).with(RuleTerms.DEFAULT.asBonus().expiringBy(ExpiryPolicy.never())));
      Receipt r = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("ITEM", 1, "60.00"))));
      assertEquals(Option.some(Instant.parse("2026-10-01T00:00:00Z")), r.entries().head().expiresAt());
      assertEquals(Option.none(), r.entries().last().expiresAt());
    }

    @Test
    void aRuleThatSetsNoExpiryGivesItsPointsTheProgramsLotExpiry() {
      store = new InMemoryLedgerStore();
      loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club")
          .lotExpiry(FixedTermExpiry.months(6).roundedUpTo(ExpiryRounding.END_OF_MONTH))
          .earnRules(RuleBook.of(base().with(RuleTerms.DEFAULT.priority(100)),
              BasketThreshold.of("fifty", eur("50.00"), 100).with(RuleTerms.DEFAULT.asBonus().expiringBy(ExpiryPolicy.never())),
              FirstPurchaseBonus.of("welcome", 10).with(RuleTerms.DEFAULT.asBonus().expiringAfter(Period.ofMonths(1)))))
          .build());
      enrolled(loyalty, ADA);
      Purchase p = aPurchase(ADA, key("pos-1"), clock.instant(), line("ITEM", 1, "60.00"));
      EarnQuote quote = accepted(loyalty.quote(p));
      Receipt r = accepted(loyalty.earn(p));
      Option<Instant> sixMonths = Option.some(Instant.parse("2026-10-01T00:00:00Z"));
      assertEquals(sixMonths, quote.outcome("base").get().expiresAt(), "the program's expiry");
      assertEquals(Option.none(), quote.outcome("fifty").get().expiresAt(), "the rule's own policy: never");
      assertEquals(Option.some(Instant.parse("2026-04-01T12:00:00Z")), quote.outcome("welcome").get().expiresAt(),
          "the rule's own period");
      assertEquals(List.of(sixMonths, Option.none(), Option.some(Instant.parse("2026-04-01T12:00:00Z"))),
          r.entries().map(Entry::expiresAt));
    }

    @Test
    void theFirstPurchaseAndEveryThirdVisitEarnTheirBonuses() {
      running(FirstPurchaseBonus.of("welcome", 50), EveryNthVisit.of("third", 3, 30));
      List<Long> earned = List.range(0, 6)
          .map(i -> accepted(loyalty.earn(aPurchaseOf(ADA, "5.00", aKey()))).netPoints().value());
      assertEquals(List.of(50L, 0L, 30L, 0L, 0L, 30L), earned);
    }

    @Test
    void aSuspendedMemberCannotEarn() {
      running(base());
      accepted(loyalty.suspend(ADA, "fraud check", aKey()));
      assertInstanceOf(LoyaltyError.MemberNotActive.class, refused(loyalty.earn(aPurchaseOf(ADA, "10.00", aKey()))));
    }

    @Test
    void aTierOrSegmentPortThatThrowsIsInfrastructureAsTheStoreIsSoEarnThrowsAndWritesNothingForTheTillToRetry() {
      java.util.List<java.util.function.UnaryOperator<Loyalty.Builder>> ports = java.util.List.of(
          b -> b.segmentResolver((member, at) -> {
            throw new IllegalStateException("CRM unavailable");
          }),
          b -> b.memberTiers((member, at) -> {
            throw new IllegalStateException("CRM unavailable");
          }));
      for (java.util.function.UnaryOperator<Loyalty.Builder> port : ports) {
        store = new InMemoryLedgerStore();
        loyalty = port.apply(Loyalty.builder().program(LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(base()))
            .build()).store(store).clock(clock)).build();
        enrolled(loyalty, ADA);
        Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));

        assertEquals("CRM unavailable", assertThrows(IllegalStateException.class, () -> loyalty.quote(p)).getMessage());
        assertEquals("CRM unavailable", assertThrows(IllegalStateException.class, () -> loyalty.earn(p)).getMessage());
        assertTrue(ledgerOf(ADA).isEmpty());
        assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
      }
    }

    @Test
    void aTierOrSegmentPortThatAnswersNullOrANullInsideIsAProgrammingErrorNamedAsSuchAndWritesNothing() {
      java.util.Map<String, java.util.function.UnaryOperator<Loyalty.Builder>> ports = new java.util.LinkedHashMap<>();
      ports.put("segments holds null", b -> b.segmentResolver((member, at) -> io.vavr.collection.HashSet.of("students", null)));
      ports.put("tier holds null", b -> b.memberTiers((member, at) -> Option.some(null)));
      ports.put("a SegmentResolver answered null for member 'ada'", b -> b.segmentResolver((member, at) -> null));
      ports.put("a MemberTiers port answered null for member 'ada'", b -> b.memberTiers((member, at) -> null));
      // A ladder with a multiplier: the facade looks the member's tier up among the multipliers too.
      TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500))
              .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.2"))))
          .build();
      ports.forEach((message, port) -> {
        store = new InMemoryLedgerStore();
        loyalty = port.apply(Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(ladder)
            .earnRules(RuleBook.of(base(), BaseRate.of("students", "1").with(RuleTerms.DEFAULT.asBonus()
                .forSegments("students")))).build())
            .store(store).clock(clock)).build();
        enrolled(loyalty, ADA);
        Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
        String quoted = assertThrows(NullPointerException.class, () -> loyalty.quote(p)).getMessage();
        assertTrue(quoted != null && quoted.startsWith(message), quoted);
        assertThrows(NullPointerException.class, () -> loyalty.earn(p));
        assertTrue(ledgerOf(ADA).isEmpty());
        assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
      });
    }

    @Test
    void aTierOrSegmentNoEntryCanRecordIsRefusedInTheTermsAndFromAPortFailsTheTargetedRuleInQuoteAndEarnAlike() {
      assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.forTiers("gold\uD800"));
      assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.forSegments("students", "\uDC00"));
      store = new InMemoryLedgerStore();
      loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(base(),
              BaseRate.of("gold-extra", "1").with(RuleTerms.DEFAULT.asBonus().forTiers("gold")))).build())
          .store(store).clock(clock).memberTiers((member, at) -> Option.some("silver \uD83D")).build();
      enrolled(loyalty, ADA);
      Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
      LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.quote(p)));
      assertEquals("gold-extra", error.ruleId());
      assertEquals(error, refused(loyalty.earn(p)));
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void entriesRecordTheProgramVersionThatProducedThem() {
      running(base());
      LoyaltyProgram v2 = loyalty.program().toBuilder().earnRules(RuleBook.of(BaseRate.of("base-v2", "2"))).build();
      Loyalty next = Fixtures.aLoyalty(store, clock, v2);
      Receipt r = accepted(next.earn(aPurchaseOf(ADA, "10.00", aKey())));
      assertEquals(2, r.entries().single().programVersion());
      assertEquals(List.of("base-v2"), r.entries().single().ruleIds());
      assertEquals(Points.of(20), r.netPoints());
    }

    /**
     * A till quotes under version 1; the purchase is earned after version 2 (double points) went
     * live. The quote says which version it read, and the entries which one earned.
     */
    @Test
    void aQuoteJustBeforeANewVersionSaysWhichVersionItReadAndTheEarnAfterItRecordsTheNewOne() {
      running(base());
      Purchase bought = aPurchaseOf(ADA, "10.00", key("pos-1"));
      EarnQuote quoted = accepted(loyalty.quote(bought));
      Loyalty next = Fixtures.aLoyalty(store, clock, loyalty.program().toBuilder()
          .earnRules(RuleBook.of(BaseRate.of("base", "2"))).build());

      Receipt earned = accepted(next.earn(bought));

      assertEquals(List.of(1, 10), List.of(quoted.programVersion(), (int) quoted.total().value()));
      assertEquals(List.of(2, 20), List.of(earned.entries().single().programVersion(), (int) earned.netPoints().value()));
      assertEquals(2, accepted(next.explain(key("pos-1"))).programVersion());
    }

    /**
     * A version is a label the library records and never compares: a node rolled back to version 1
     * after version 2 ran, or two configurations both called version 2, are not refused, and each
     * entry records the version of the node that wrote it. Keep version numbers unique per
     * configuration, or explanations by version mislead.
     */
    @Test
    void aVersionThatGoesBackOrRepeatsIsRecordedAsGivenAndTheLedgerStillVerifies() {
      running(base());
      LoyaltyProgram v2 = loyalty.program().toBuilder().build();
      Loyalty second = Fixtures.aLoyalty(store, clock, v2);
      Loyalty sameNumber = Fixtures.aLoyalty(store, clock, v2.toBuilder().version(2)
          .earnRules(RuleBook.of(BaseRate.of("base", "3"))).build());

      List<Integer> recorded = List.of(second, loyalty, sameNumber)
          .map(node -> accepted(node.earn(aPurchaseOf(ADA, "10.00", aKey()))).entries().single().programVersion());

      assertEquals(List.of(2, 1, 2), recorded);
      assertTrue(accepted(loyalty.verify(ADA)).isIntact());
    }

    @Test
    void theLastPossibleVersionHasNoNextVersionAndSaysSoRatherThanThatVersionsStartAtOne() {
      LoyaltyProgram last = LoyaltyProgram.builder("bean-club").version(Integer.MAX_VALUE).build();

      IllegalStateException refusal = assertThrows(IllegalStateException.class, last::toBuilder);

      assertTrue(refusal.getMessage().contains("2147483647") && refusal.getMessage().contains("new program id"),
          refusal.getMessage());
    }
  }

  @Nested
  class Events {
    @Test
    void aReferralRewardsTheReferrerAndTheReferredMemberWithTwoEventsEachUnderItsOwnKey() {
      running(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500),
          EventAward.of("welcome-friend", CustomEvent.REFERRAL_JOINED, 200));
      Receipt referrer = accepted(loyalty.earn(CustomEvent.referral(ADA, BOB, key("ref-1-ada"), clock.instant(), Channel.app())));
      Receipt referred = accepted(loyalty.earn(CustomEvent.referred(BOB, ADA, key("ref-1-bob"), clock.instant(), Channel.app())));
      assertEquals(Points.of(500), referrer.netPoints());
      assertEquals(Points.of(200), referred.netPoints());
      assertEquals(Option.some(BOB.toString()), referrer.entries().head().details().get("event.counterparty"));
      assertEquals(Option.some(ADA.toString()), referred.entries().head().details().get("event.counterparty"));
      assertInstanceOf(IllegalArgumentException.class, org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> CustomEvent.referred(ADA, ADA, key("ref-2"), clock.instant(), Channel.app())));
    }

    @Test
    void aReferralOfSomeoneWhoIsNotAMemberIsRefusedByEarnAndQuoteAndWritesNothing() {
      running(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500));
      MemberId stranger = MemberId.of("stranger");
      CustomEvent referral = CustomEvent.referral(ADA, stranger, key("ref-1"), clock.instant(), Channel.app());
      assertEquals(new LoyaltyError.UnknownMember(stranger), refused(loyalty.earn(referral)));
      assertEquals(new LoyaltyError.UnknownMember(stranger), refused(loyalty.quote(referral)));
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void aSuspendedMembersReferralOfSomeoneWhoIsNotAMemberNamesTheSuspensionFirstAsATransferDoes() {
      running(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500));
      accepted(loyalty.suspend(ADA, "Fraud check", key("suspend-ada")));
      int before = ledgerOf(ADA).size();
      MemberId stranger = MemberId.of("stranger");
      CustomEvent referral = CustomEvent.referral(ADA, stranger, key("ref-1"), clock.instant(), Channel.app());

      assertEquals(new LoyaltyError.MemberNotActive(ADA, MemberStatus.SUSPENDED), refused(loyalty.earn(referral)));
      assertEquals(new LoyaltyError.MemberNotActive(ADA, MemberStatus.SUSPENDED), refused(loyalty.quote(referral)));
      assertEquals(before, ledgerOf(ADA).size());
    }

    @Test
    void aReferralNamingAClosedMemberOnEitherSideIsRefusedByEarnAndQuoteNamingThemAndWritesNothing() {
      running(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500),
          EventAward.of("welcome-friend", CustomEvent.REFERRAL_JOINED, 200));
      accepted(loyalty.close(BOB, "Customer request", key("close-bob")));
      for (CustomEvent referral : List.of(CustomEvent.referral(ADA, BOB, key("ref-1"), clock.instant(), Channel.app()),
          CustomEvent.referred(ADA, BOB, key("ref-2"), clock.instant(), Channel.app()))) {
        LoyaltyError error = refused(loyalty.earn(referral));
        assertEquals(new LoyaltyError.MemberNotActive(BOB, MemberStatus.CLOSED), error);
        assertTrue(error.message().contains("'bob'"), error.message());
        assertEquals(error, refused(loyalty.quote(referral)));
      }
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void aReferralEarnedBeforeTheFriendClosedTheirAccountIsReplayedAsItsFirstResult() {
      running(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500));
      CustomEvent referral = CustomEvent.referral(ADA, BOB, key("ref-1"), clock.instant(), Channel.app());
      Receipt first = accepted(loyalty.earn(referral));
      accepted(loyalty.close(BOB, "Customer request", key("close-bob")));
      assertEquals(first, accepted(loyalty.earn(referral)));
      assertEquals(1, ledgerOf(ADA).size());
    }

    @Test
    void anEventWithAnAttributeThatIsNotWellFormedTextIsRefusedByEarnAndQuoteAndWritesNothing() {
      running(EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40));
      CustomEvent event = new CustomEvent(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app(),
          Option.none(), io.vavr.collection.TreeMap.of("answer", "yes \uD800"));
      LoyaltyError.InvalidRequest error = assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.earn(event)));
      assertEquals("attributes", error.field());
      assertEquals(error, refused(loyalty.quote(event)));
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void anEventWithANulInAnAttributeIsRefusedByEarnAndQuoteAndWritesNothing() {
      running(EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40));
      for (io.vavr.collection.TreeMap<String, String> attributes : List.of(io.vavr.collection.TreeMap.of("answer", "yes\u0000"),
          io.vavr.collection.TreeMap.of("answer\u0000", "yes"))) {
        CustomEvent event = new CustomEvent(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app(),
            Option.none(), attributes);
        LoyaltyError.InvalidRequest error = assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.earn(event)));
        assertEquals("attributes", error.field());
        assertEquals(error, refused(loyalty.quote(event)));
        assertTrue(ledgerOf(ADA).isEmpty());
      }
    }

    @Test
    void anEventOrPurchaseOutsideTheSupportedYearsIsRefusedByEarnAndQuoteAndWritesNothing() {
      running(base().with(RuleTerms.DEFAULT.cappedPerMember(100, CapPeriod.MONTH)),
          EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40));
      Purchase ancient = aPurchase(ADA, key("pos-1"), Instant.MIN, line("I", 1, "10.00"));
      LoyaltyError.InvalidRequest error = assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.earn(ancient)));
      assertEquals("occurredAt", error.field());
      assertEquals(error, refused(loyalty.quote(ancient)));
      CustomEvent event = CustomEvent.of(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED,
          Instant.parse("0000-12-31T23:59:59Z"), Channel.app());
      assertEquals("occurredAt", assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.earn(event))).field());
      assertTrue(ledgerOf(ADA).isEmpty());
    }
    @Test
    void aSurveyEarnsThroughTheSamePipelineAtMostOncePerDay() {
      running(base(), EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.DAY)));
      CustomEvent first = CustomEvent.of(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app());
      EarnQuote quoted = accepted(loyalty.quote(first));
      assertEquals(Reason.Code.CONDITION_NOT_MET, quoted.outcome("base").get().reason().get().code());
      assertEquals(Points.of(40), accepted(loyalty.earn(first)).netPoints());
      assertEquals(quoted, EarnQuote.fromEntries(accepted(loyalty.earn(first)).entries()).get());
      Receipt second = accepted(loyalty.earn(
          CustomEvent.of(ADA, key("survey-2"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app())));
      RuleOutcome limited = EarnQuote.fromEntries(second.entries()).get().outcome("survey").get();
      assertEquals(Reason.Code.LIMIT_REACHED, limited.reason().get().code());
      assertEquals(Points.ZERO, second.netPoints());
      clock.advance(Duration.ofDays(1));
      assertEquals(Points.of(40), accepted(loyalty.earn(
          CustomEvent.of(ADA, key("survey-3"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app()))).netPoints());
      assertEquals(Points.of(80), balanceOf(loyalty, ADA).available());
    }

    /**
     * The README tells rule authors to keep no state: a rule is evaluated by every quote and every
     * earn, so a count kept in a field counts quotes too; a replay, an explanation and a refund read
     * the ledger and evaluate nothing.
     */
    @Test
    void aRuleIsEvaluatedByEveryQuoteAndEarnButNotByAReplayAnExplanationOrARefund() {
      java.util.concurrent.atomic.AtomicInteger evaluations = new java.util.concurrent.atomic.AtomicInteger();
      running(plugin("counted", "5 points, counting its evaluations", RuleTerms.DEFAULT, context -> {
        evaluations.incrementAndGet();
        return Evaluation.award(5, "5 points");
      }));
      Purchase purchase = aPurchaseOf(ADA, "12.00", key("pos-1"));
      accepted(loyalty.quote(purchase));
      accepted(loyalty.quote(purchase));
      assertEquals(2, evaluations.get());
      accepted(loyalty.earn(purchase));
      assertEquals(3, evaluations.get());
      accepted(loyalty.earn(purchase));
      accepted(loyalty.explain(key("pos-1")));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("ret-1"), eur("6.00"))));
      assertEquals(3, evaluations.get());
    }

    @Test
    void anAppSignUpBonusLimitedToOnceEverIsEarnedOnceInAMembership() {
      running(base(), EventAward.of("welcome-app", CustomEvent.APP_SIGN_UP, 100)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.EVER).cappedPerMember(150, CapPeriod.EVER)));
      assertEquals(Points.of(100), accepted(loyalty.earn(
          CustomEvent.of(ADA, key("signup-1"), CustomEvent.APP_SIGN_UP, clock.instant(), Channel.app()))).netPoints());
      // A new year, a new device: the same member signs up again.
      clock.advance(Duration.ofDays(400));
      CustomEvent again = CustomEvent.of(ADA, key("signup-2"), CustomEvent.APP_SIGN_UP, clock.instant(), Channel.app());
      RuleOutcome quoted = accepted(loyalty.quote(again)).outcome("welcome-app").get();
      assertEquals(Reason.Code.LIMIT_REACHED, quoted.reason().get().code());
      assertEquals("awards ever", quoted.reason().get().subject());
      Receipt second = accepted(loyalty.earn(again));
      assertEquals(Points.ZERO, second.netPoints());
      assertEquals(quoted, EarnQuote.fromEntries(second.entries()).get().outcome("welcome-app").get());
      assertEquals(Points.of(100), balanceOf(loyalty, ADA).available());
    }

    @Test
    void anEventRuleSeesHowManyPurchasesTheMemberMadeBeforeTheEvent() {
      // A plugin rewarding reviews by customers only: one point per earlier purchase.
      EarnRule customers = new EarnRule() {
        @Override
        public String id() {
          return "customer-review";
        }

        @Override
        public String description() {
          return "a point per purchase for a review";
        }

        @Override
        public Evaluation evaluate(EarnContext context) {
          return context.previousPurchases() == 0 ? Evaluation.notMet("purchases", "0", "at least 1")
              : Evaluation.award(context.previousPurchases(), context.previousPurchases() + " purchase(s)");
        }
      };
      running(customers);
      accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1"))));
      accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-2"))));
      CustomEvent review = CustomEvent.of(ADA, key("review-1"), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web());
      assertEquals(Points.of(2), accepted(loyalty.quote(review)).total());
      assertEquals(Points.of(2), accepted(loyalty.earn(review)).netPoints());
      assertEquals(2, store.counter(EarnEngine.visitsKey("bean-club", ADA)));
    }

    @Test
    void aReferrerIsPaidAtMostOncePerReferredFriendWhateverKeyTheReferralIsSentUnder() {
      running(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500)
          .with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty()));
      MemberId cat = MemberId.of("cat");
      enrolled(loyalty, cat);
      assertEquals(Points.of(500), accepted(loyalty.earn(
          CustomEvent.referral(ADA, BOB, key("ref-1"), clock.instant(), Channel.app()))).netPoints());

      CustomEvent again = CustomEvent.referral(ADA, BOB, key("ref-2"), clock.instant(), Channel.web());
      RuleOutcome quoted = accepted(loyalty.quote(again)).outcome("refer").get();
      assertEquals(new Reason(Reason.Code.LIMIT_REACHED, "awards for counterparty bob ever", "1", "fewer than 1"),
          quoted.reason().get());
      Receipt second = accepted(loyalty.earn(again));
      assertEquals(Points.ZERO, second.netPoints());
      assertEquals(quoted, EarnQuote.fromEntries(second.entries()).get().outcome("refer").get());

      // Another friend pays; the friend's own referral of Ada is another pair.
      assertEquals(Points.of(500), accepted(loyalty.earn(
          CustomEvent.referral(ADA, cat, key("ref-3"), clock.instant(), Channel.app()))).netPoints());
      assertEquals(Points.of(500), accepted(loyalty.earn(
          CustomEvent.referral(BOB, ADA, key("ref-4"), clock.instant(), Channel.app()))).netPoints());
      assertEquals(Points.of(1000), balanceOf(loyalty, ADA).available());
      assertEquals(1, store.counter(EarnEngine.counterpartyKey("bean-club", "refer", ADA, BOB)));
    }

    @Test
    void aPairPaidUnderOneVersionOfTheProgramIsNotPaidAgainUnderTheNext() {
      EventAward refer = EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500)
          .with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty());
      running(refer);
      accepted(loyalty.earn(CustomEvent.referral(ADA, BOB, key("ref-1"), clock.instant(), Channel.app())));
      Loyalty next = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club").version(2)
          .earnRules(RuleBook.of(refer.with(refer.terms().limitedTo(10, CapPeriod.MONTH)))).build());
      Receipt again = accepted(next.earn(CustomEvent.referral(ADA, BOB, key("ref-2"), clock.instant(), Channel.app())));
      assertEquals(Points.ZERO, again.netPoints());
      assertEquals(Reason.Code.LIMIT_REACHED,
          EarnQuote.fromEntries(again.entries()).get().outcome("refer").get().reason().get().code());
    }

    @Test
    void aPairsCounterFitsEveryStoreWhateverTheLengthsOfTheIdsAndTellsPairsSharingTheirTextApart() {
      String program = "p".repeat(40);
      String rule = "r".repeat(40);
      store = new InMemoryLedgerStore();
      loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder(program).earnRules(RuleBook.of(
          EventAward.of(rule, CustomEvent.REFERRAL_CONVERTED, 500).with(RuleTerms.DEFAULT.oncePerCounterparty()))).build());
      MemberId referrer = MemberId.of("a".repeat(62) + ":b");
      MemberId referred = MemberId.of("c".repeat(64));
      // "a:b" referring "c" and "a" referring "b:c" name their pairs with the same text, "a:b:c".
      MemberId a = MemberId.of("a");
      MemberId bc = MemberId.of("b:c");
      MemberId ab = MemberId.of("a:b");
      MemberId c = MemberId.of("c");
      for (MemberId m : List.of(referrer, referred, a, bc, ab, c)) {
        enrolled(loyalty, m);
      }
      assertTrue(EarnEngine.counterpartyKey(program, rule, referrer, referred).length()
          <= io.github.loyaltyledger.store.CounterChange.MAX_KEY_LENGTH);
      assertEquals(Points.of(500), accepted(loyalty.earn(
          CustomEvent.referral(referrer, referred, key("ref-1"), clock.instant(), Channel.app()))).netPoints());
      assertEquals(Points.of(500), accepted(loyalty.earn(
          CustomEvent.referral(ab, c, key("ref-2"), clock.instant(), Channel.app()))).netPoints());
      assertEquals(Points.of(500), accepted(loyalty.earn(
          CustomEvent.referral(a, bc, key("ref-3"), clock.instant(), Channel.app()))).netPoints());
    }

    /** A review of {@code sku} by Ada, under {@code key}. */
    CustomEvent aReviewOf(String sku, String key) {
      return new CustomEvent(ADA, key(key), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web(), Option.none(),
          io.vavr.collection.TreeMap.of("sku", sku));
    }

    /**
     * "25 points once per member per product reviewed" could not be said: a frequency limit counted
     * per member only, so a limit of one paid the first review ever and none after it, and no limit
     * paid every review of the same product again under a new key.
     */
    @Test
    void aRuleLimitedPerAttributeValuePaysAMemberOncePerProductReviewedAndSaysWhyWhenTheLimitBites() {
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.EVER).perAttribute("sku")));
      assertEquals(Points.of(25), accepted(loyalty.earn(aReviewOf("BEANS-1", "review-1"))).netPoints());

      CustomEvent again = aReviewOf("BEANS-1", "review-2");
      EarnQuote quoted = accepted(loyalty.quote(again));
      RuleOutcome outcome = quoted.outcome("review").get();
      assertEquals(Points.of(25), outcome.desired());
      assertEquals(Points.ZERO, outcome.granted());
      assertEquals(new Reason(Reason.Code.LIMIT_REACHED, "awards for sku 'BEANS-1' ever", "1", "fewer than 1"),
          outcome.reason().get());
      Receipt second = accepted(loyalty.earn(again));
      assertEquals(Points.ZERO, second.netPoints());
      assertEquals(quoted, EarnQuote.fromEntries(second.entries()).get());

      // Another product pays; so does another member's review of the first.
      assertEquals(Points.of(25), accepted(loyalty.earn(aReviewOf("MUG-7", "review-3"))).netPoints());
      assertEquals(Points.of(25), accepted(loyalty.earn(new CustomEvent(BOB, key("review-4"), CustomEvent.REVIEW_WRITTEN,
          clock.instant(), Channel.web(), Option.none(), io.vavr.collection.TreeMap.of("sku", "BEANS-1")))).netPoints());
      assertEquals(Points.of(50), balanceOf(loyalty, ADA).available());
      assertEquals(1, store.counter(EarnEngine.attributeLimitKey("bean-club", "review", ADA, "ever", "sku", "BEANS-1")));
    }

    @Test
    void aReversedAwardGivesNoRoomBackToALimitPerAttributeValueAsToEveryFrequencyLimit() {
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.EVER).perAttribute("sku")));
      Receipt first = accepted(loyalty.earn(aReviewOf("BEANS-1", "review-1")));
      accepted(loyalty.reverse(io.github.loyaltyledger.Reversal.of(first.entries().last().id(), "fake review", aKey())));
      assertEquals(Reason.Code.LIMIT_REACHED,
          accepted(loyalty.quote(aReviewOf("BEANS-1", "review-2"))).outcome("review").get().reason().get().code());
    }

    @Test
    void anEventWithoutTheAttributeIsGrantedNothingByARuleLimitedPerItsValueAndSaysWhy() {
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.EVER).perAttribute("sku")));
      CustomEvent unnamed = CustomEvent.of(ADA, key("review-1"), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web());
      RuleOutcome quoted = accepted(loyalty.quote(unnamed)).outcome("review").get();
      assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "attribute sku", "none", "a value"), quoted.reason().get());
      Receipt r = accepted(loyalty.earn(unnamed));
      assertEquals(Points.ZERO, r.netPoints());
      assertEquals(quoted, EarnQuote.fromEntries(r.entries()).get().outcome("review").get());
      assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "attribute sku", "blank", "a value"),
          accepted(loyalty.quote(aReviewOf(" ", "review-2"))).outcome("review").get().reason().get());
    }

    /**
     * An operator who reads or resets a counter is told its name by a public method, as for a pair's
     * ({@link EarnEngine#counterpartyKey}): the digest cannot be written by hand.
     */
    @Test
    void anOperatorNamesALimitPerAttributeValuesCounterByAPublicMethodThatRefusesNulls() throws Exception {
      assertTrue(java.lang.reflect.Modifier.isPublic(EarnEngine.class.getMethod("attributeLimitKey", String.class,
          String.class, MemberId.class, String.class, String.class, String.class).getModifiers()));
      java.util.List<String> named = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Object[] args = {"bean-club", "review", ADA, "ever", "sku", "BEANS-1"};
        args[i] = null;
        NullPointerException refused = assertThrows(NullPointerException.class, () -> EarnEngine.attributeLimitKey(
            (String) args[0], (String) args[1], (MemberId) args[2], (String) args[3], (String) args[4], (String) args[5]),
            "argument " + i);
        named.add(refused.getMessage());
      }
      assertEquals(java.util.List.of("programId", "ruleId", "member", "period", "attribute", "value"), named);
    }

    /**
     * The value is free text of any length: it is named in the counter by a digest, so that the key
     * stays within what every store keeps, and values sharing their text with the separators stay
     * apart; the reason shows a long value cut short.
     */
    @Test
    void aLimitPerAttributeValueFitsEveryStoreWhateverTheLengthsOfTheIdsAndTheValue() {
      String program = "p".repeat(40);
      String rule = "r".repeat(40);
      MemberId member = MemberId.of("m".repeat(64));
      String key = EarnEngine.attributeLimitKey(program, rule, member,
          CapPeriod.DAY.key(java.time.LocalDate.of(9999, 12, 31).plusDays(1)), "a".repeat(64), "v".repeat(10_000));
      assertTrue(key.length() <= io.github.loyaltyledger.store.CounterChange.MAX_KEY_LENGTH, key);
      assertNotEquals(EarnEngine.attributeLimitKey("x", "r", ADA, "ever", "sku", "a:b"),
          EarnEngine.attributeLimitKey("x", "r", ADA, "ever", "sku:a", "b"));

      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.EVER).perAttribute("sku")));
      String longSku = "x".repeat(300);
      accepted(loyalty.earn(aReviewOf(longSku, "review-1")));
      Reason reason = accepted(loyalty.quote(aReviewOf(longSku, "review-2"))).outcome("review").get().reason().get();
      assertEquals("awards for sku '" + "x".repeat(64) + "\u2026' ever", reason.subject());
    }

    @Test
    void anAttributeNameAndAValueOfSixtyFourCharactersAreTakenWholeNotRefusedOrCutShort() {
      String name = "n".repeat(64);
      assertEquals(Option.some(name),
          RuleTerms.DEFAULT.limitedTo(1, CapPeriod.EVER).perAttribute(name).limitPerAttribute());
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.EVER).perAttribute("sku")));
      String sku = "x".repeat(64);
      accepted(loyalty.earn(aReviewOf(sku, "review-1")));
      Reason reason = accepted(loyalty.quote(aReviewOf(sku, "review-2"))).outcome("review").get().reason().get();
      assertEquals("awards for sku '" + sku + "' ever", reason.subject());
    }

    @Test
    void aLimitPerAttributeIsRefusedWithoutAFrequencyLimitToCountOrWithANameNoEntryCanRecord() {
      IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
          () -> RuleTerms.DEFAULT.perAttribute("sku"));
      assertTrue(alone.getMessage().contains("limitedTo(1, CapPeriod.EVER).perAttribute(\"sku\")"), alone.getMessage());
      for (String name : List.of("", " ", "sku\u0000", "n".repeat(65))) {
        assertThrows(IllegalArgumentException.class,
            () -> RuleTerms.DEFAULT.limitedTo(1, CapPeriod.EVER).perAttribute(name), name);
      }
      IllegalArgumentException onPurchases = assertThrows(IllegalArgumentException.class,
          () -> RuleBook.of(base().with(base().terms().limitedTo(1, CapPeriod.DAY).perAttribute("sku"))));
      assertTrue(onPurchases.getMessage().contains("'base'"), onPurchases.getMessage());
    }

    @Test
    void anEventNamingNoCounterpartyIsGrantedNothingByARuleOncePerCounterpartyAndSaysWhy() {
      running(EventAward.of("invite", "friend.invited", 50).with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty()));
      CustomEvent anonymous = CustomEvent.of(ADA, key("invite-1"), "friend.invited", clock.instant(), Channel.app());
      RuleOutcome quoted = accepted(loyalty.quote(anonymous)).outcome("invite").get();
      assertEquals(new Reason(Reason.Code.CONDITION_NOT_MET, "counterparty", "none", "another member"),
          quoted.reason().get());
      Receipt r = accepted(loyalty.earn(anonymous));
      assertEquals(Points.ZERO, r.netPoints());
      assertEquals(quoted, EarnQuote.fromEntries(r.entries()).get().outcome("invite").get());
    }

    @Test
    void anEventNamingNoCounterpartySaysSoForARuleOncePerCounterpartyWhateverRulesStackWithIt() {
      Reason none = new Reason(Reason.Code.CONDITION_NOT_MET, "counterparty", "none", "another member");
      // Beside a better deal of its group, and after an exclusive rule granted first: a rule that does
      // not apply is not excluded by stacking, it does not apply.
      for (io.vavr.Tuple2<String, RuleTerms> other : List.of(
          io.vavr.Tuple.of("in its group", RuleTerms.DEFAULT.asBonus().inGroup("invites")),
          io.vavr.Tuple.of("exclusive, first", RuleTerms.DEFAULT.asBonus().priority(10).exclusive()))) {
        running(EventAward.of("invite", "friend.invited", 50).with(RuleTerms.DEFAULT.asBonus().inGroup("invites")
                .oncePerCounterparty()),
            EventAward.of("invite-flat", "friend.invited", 20).with(other._2));
        CustomEvent anonymous = CustomEvent.of(ADA, key("invite-1"), "friend.invited", clock.instant(), Channel.app());
        EarnQuote quoted = accepted(loyalty.quote(anonymous));
        assertEquals(none, quoted.outcome("invite").get().reason().get(), other._1);
        assertEquals(Points.of(20), quoted.total());
        assertEquals(quoted, EarnQuote.fromEntries(accepted(loyalty.earn(anonymous)).entries()).get());
      }
    }

    @Test
    void concurrentReferralsOfOneFriendUnderDifferentKeysPayTheReferrerOnce() throws Exception {
      running(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500)
          .with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty()));
      // A second node on the same store: the two race for the same pair, each on its own key.
      Loyalty otherNode = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club")
          .earnRules(RuleBook.of(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500)
              .with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty()))).build());
      List<MemberId> friends = List.range(0, 20).map(i -> MemberId.of("friend-" + i));
      friends.forEach(f -> enrolled(loyalty, f));
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (MemberId friend : friends) {
          java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(2);
          java.util.List<Future<Points>> paid = new java.util.ArrayList<>();
          for (Loyalty node : List.of(loyalty, otherNode)) {
            IdempotencyKey k = aKey();
            paid.add(pool.submit(() -> {
              go.await();
              CustomEvent referral = CustomEvent.referral(ADA, friend, k, clock.instant(), Channel.app());
              io.vavr.control.Either<LoyaltyError, Receipt> r = node.earn(referral);
              while (r.isLeft() && r.getLeft() instanceof LoyaltyError.ConcurrentModification) {
                r = node.earn(referral);
              }
              return accepted(r).netPoints();
            }));
          }
          assertEquals(Points.of(500), paid.get(0).get().plus(paid.get(1).get()), "friend " + friend);
        }
        assertEquals(Points.of(500L * friends.size()), balanceOf(loyalty, ADA).available());
      } finally {
        pool.shutdown();
      }
    }

    /**
     * The referred side of a referral is the friend's own award: once per counterparty pays a friend
     * once per referrer, so a friend that two members name is welcomed twice; a limit of one ever
     * welcomes them once, whoever names them.
     */
    @Test
    void aFriendNamedByTwoReferrersIsWelcomedOnceUnderALimitOfOneEverButOncePerReferrerUnderOncePerCounterparty() {
      MemberId cat = MemberId.of("cat");
      running(EventAward.of("welcome-friend", CustomEvent.REFERRAL_JOINED, 200)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.EVER)));
      enrolled(loyalty, cat);
      assertEquals(Points.of(200), accepted(loyalty.earn(
          CustomEvent.referred(BOB, ADA, key("joined-1"), clock.instant(), Channel.app()))).netPoints());
      Receipt again = accepted(loyalty.earn(CustomEvent.referred(BOB, cat, key("joined-2"), clock.instant(), Channel.app())));
      assertEquals(Points.ZERO, again.netPoints());
      assertEquals(new Reason(Reason.Code.LIMIT_REACHED, "awards ever", "1", "fewer than 1"),
          EarnQuote.fromEntries(again.entries()).get().outcome("welcome-friend").get().reason().get());

      running(EventAward.of("welcome-friend", CustomEvent.REFERRAL_JOINED, 200)
          .with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty()));
      enrolled(loyalty, cat);
      accepted(loyalty.earn(CustomEvent.referred(BOB, ADA, key("joined-1"), clock.instant(), Channel.app())));
      accepted(loyalty.earn(CustomEvent.referred(BOB, cat, key("joined-2"), clock.instant(), Channel.app())));
      assertEquals(Points.of(400), balanceOf(loyalty, BOB).available());
    }

    /**
     * "One review a day, three a month": a rule has one frequency limit, and a second
     * {@code limitedTo} replaces the first; the month is held by a cap of three awards' points, which
     * an award it leaves nothing does not count against the daily limit.
     */
    @Test
    void oneReviewADayAndThreeAMonthIsADailyLimitAndAMonthlyCapOfThreeAwards() {
      assertEquals(Option.some(new Cap(3, CapPeriod.MONTH)),
          RuleTerms.DEFAULT.limitedTo(1, CapPeriod.DAY).limitedTo(3, CapPeriod.MONTH).limit());
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.DAY).cappedPerMember(75, CapPeriod.MONTH)));
      java.util.List<Reason.Code> outcomes = new java.util.ArrayList<>();
      for (int day = 0; day < 5; day++) {
        for (int review = 1; review <= 2; review++) {
          Receipt r = accepted(loyalty.earn(CustomEvent.of(ADA, key("review-" + day + "-" + review),
              CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web())));
          outcomes.add(EarnQuote.fromEntries(r.entries()).get().outcome("review").get().reason()
              .map(Reason::code).getOrNull());
        }
        clock.advance(Duration.ofDays(1));
      }
      assertEquals(java.util.Arrays.asList(null, Reason.Code.LIMIT_REACHED, null, Reason.Code.LIMIT_REACHED,
          null, Reason.Code.LIMIT_REACHED, Reason.Code.CAPPED_PER_PERIOD, Reason.Code.CAPPED_PER_PERIOD,
          Reason.Code.CAPPED_PER_PERIOD, Reason.Code.CAPPED_PER_PERIOD), outcomes);
      assertEquals(Points.of(75), balanceOf(loyalty, ADA).available());
      clock.advance(Duration.ofDays(30));
      assertEquals(Points.of(25), accepted(loyalty.earn(CustomEvent.of(ADA, key("review-april"),
          CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web()))).netPoints());
    }

    /**
     * A support desk taking back a fake review's points sent a refund under the review's key and
     * was told no purchase earned under it, and to send the purchase first: the key is known, it is
     * an event's, and a refund or a reassignment of it can never succeed.
     */
    @Test
    void aRefundOrReassignmentUnderACustomEventsKeyIsRefusedAdvisingReverseAndWritesNothing() {
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25),
          EventAward.of("review-earn", CustomEvent.REVIEW_WRITTEN, 10).with(RuleTerms.DEFAULT));
      Receipt review = accepted(loyalty.earn(
          CustomEvent.of(ADA, key("review-1"), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web())));
      assertEquals(2, review.entries().size());
      List<Entry> before = ledgerOf(ADA);
      for (Refund refund : List.of(Refund.ofAmount(key("review-1"), key("ret-1"), eur("1.00")),
          Refund.ofLines(key("review-1"), key("ret-2"), new ReturnedLine("BEANS-1", 1)))) {
        LoyaltyError.InvalidRequest error = assertInstanceOf(LoyaltyError.InvalidRequest.class,
            refused(loyalty.refund(refund)));
        assertEquals("original", error.field());
        assertTrue(error.reasonAdvises());
        assertTrue(error.message().contains("custom event review.written") && error.message().contains("reverse")
            && error.message().contains("ada#1, ada#2"), error.message());
      }
      LoyaltyError.InvalidRequest moved = assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.reassign(
          io.github.loyaltyledger.Reassignment.of(aPurchaseOf(ADA, "10.00", key("review-1")), BOB, key("move-1")))));
      assertEquals("purchase", moved.field());
      assertTrue(moved.message().contains("custom event review.written"), moved.message());
      assertEquals(before, ledgerOf(ADA));
      assertTrue(ledgerOf(BOB).isEmpty());
      // A key under which nothing was earned is still PurchaseNotFound.
      assertEquals(new LoyaltyError.PurchaseNotFound(key("pos-9")),
          refused(loyalty.refund(Refund.ofAmount(key("pos-9"), key("ret-3"), eur("1.00")))));
    }

    /**
     * The advice lists the entries to reverse: one reversed already would be refused by reverse
     * ({@code AlreadyReversed}), so it is not advised again, and an award taken back whole is said
     * to be so.
     */
    @Test
    void aRefundUnderACustomEventsKeyAdvisesReversingOnlyTheEntriesNotReversedYet() {
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25),
          EventAward.of("review-earn", CustomEvent.REVIEW_WRITTEN, 10).with(RuleTerms.DEFAULT));
      Receipt review = accepted(loyalty.earn(
          CustomEvent.of(ADA, key("review-1"), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web())));
      EntryId first = review.entries().get(0).id();
      EntryId second = review.entries().get(1).id();
      accepted(loyalty.reverse(io.github.loyaltyledger.Reversal.of(first, "fake review", key("undo-1"))));
      String partly = assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.refund(Refund.ofAmount(key("review-1"), key("ret-1"), eur("1.00"))))).message();
      assertTrue(partly.contains("reverse") && partly.contains("(" + second + ")") && !partly.contains(first + ","),
          partly);
      accepted(loyalty.reverse(io.github.loyaltyledger.Reversal.of(second, "fake review", key("undo-2"))));
      List<Entry> before = ledgerOf(ADA);
      for (LoyaltyError error : List.of(refused(loyalty.refund(Refund.ofAmount(key("review-1"), key("ret-2"), eur("1.00")))),
          refused(loyalty.reassign(io.github.loyaltyledger.Reassignment.of(
              aPurchaseOf(ADA, "10.00", key("review-1")), BOB, key("move-1")))))) {
        String whole = assertInstanceOf(LoyaltyError.InvalidRequest.class, error).message();
        assertTrue(whole.contains("taken back already") && !whole.contains("with reverse,"), whole);
      }
      assertEquals(before, ledgerOf(ADA));
    }

    /**
     * As the README's "Errors are values" says: a refusal whose advice names another call is not
     * given to a member whose status would refuse that call. A closed member's entries are not
     * reversed, so a refund under their event's key names the status, as under a purchase's key.
     */
    @Test
    void aRefundOrReassignmentUnderAClosedMembersEventKeyNamesTheStatusNotReverse() {
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25));
      accepted(loyalty.earn(CustomEvent.of(ADA, key("review-1"), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web())));
      accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1"))));
      accepted(loyalty.close(ADA, "Customer request", aKey()));
      List<Entry> before = ledgerOf(ADA);
      LoyaltyError closed = new LoyaltyError.MemberNotActive(ADA, MemberStatus.CLOSED);

      assertEquals(closed, refused(loyalty.refund(Refund.ofAmount(key("pos-1"), key("ret-1"), eur("1.00")))));
      assertEquals(closed, refused(loyalty.refund(Refund.ofAmount(key("review-1"), key("ret-2"), eur("1.00")))));
      assertEquals(closed, refused(loyalty.reassign(io.github.loyaltyledger.Reassignment.of(
          aPurchaseOf(ADA, "10.00", key("review-1")), BOB, key("move-1")))));
      assertEquals(before, ledgerOf(ADA));
    }

    /**
     * The refusal names the call refused, and only a reassignment's advises earning the event on
     * the right member; an event that earned nothing advises no reversal.
     */
    @Test
    void theRefusalUnderACustomEventsKeyAdvisesWhatSuitsTheCallAndWhatTheEventEarned() {
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25));
      String earnAnew = "earn the event for the right member under a key of its own";
      accepted(loyalty.earn(CustomEvent.of(ADA, key("review-1"), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web())));
      String refunded = refused(loyalty.refund(Refund.ofAmount(key("review-1"), key("ret-1"), eur("1.00")))).message();
      assertTrue(refunded.contains("only a purchase is refunded; take the event's points back with reverse")
          && !refunded.contains(earnAnew), refunded);
      String reassigned = refused(loyalty.reassign(io.github.loyaltyledger.Reassignment.of(
          aPurchaseOf(ADA, "10.00", key("review-1")), BOB, key("move-1")))).message();
      assertTrue(reassigned.contains("only a purchase is reassigned; take the event's points back with reverse")
          && reassigned.contains(earnAnew), reassigned);
      Receipt nothing = accepted(loyalty.earn(
          CustomEvent.of(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.web())));
      assertEquals(Points.ZERO, nothing.netPoints());
      String unearned = refused(loyalty.refund(Refund.ofAmount(key("survey-1"), key("ret-2"), eur("1.00")))).message();
      assertTrue(unearned.contains("custom event survey.completed of member 'ada', not of a purchase: only a purchase"
          + " is refunded; it earned no points, so there is nothing to take back"), unearned);
      String unmoved = refused(loyalty.reassign(io.github.loyaltyledger.Reassignment.of(
          aPurchaseOf(ADA, "10.00", key("survey-1")), BOB, key("move-2")))).message();
      assertTrue(unmoved.contains("nothing to take back: " + earnAnew), unmoved);
    }

    /**
     * The advice to reverse an event's entries (and, for a reassignment, to earn it on the right
     * member) comes after what a refund or reassignment of a purchase checks first: its reason, and
     * the members, whose status would refuse the call advised.
     */
    @Test
    void aRefundOrReassignmentUnderACustomEventsKeyNamesAWrongReasonOrAMembersStatusBeforeAdvisingReverse() {
      running(EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25));
      accepted(loyalty.earn(CustomEvent.of(ADA, key("review-1"), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web())));
      Purchase asEarned = aPurchaseOf(ADA, "10.00", key("review-1"));
      String tooLong = "x".repeat(501);
      assertEquals("reason", assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.refund(
          new Refund(key("review-1"), key("ret-1"), io.vavr.control.Either.left(eur("1.00")), " ")))).field());
      assertEquals("reason", assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.reassign(
          io.github.loyaltyledger.Reassignment.of(asEarned, BOB, key("move-1")).because(tooLong)))).field());
      accepted(loyalty.suspend(BOB, "fraud check", aKey()));
      assertEquals(new LoyaltyError.MemberNotActive(BOB, MemberStatus.SUSPENDED), refused(loyalty.reassign(
          io.github.loyaltyledger.Reassignment.of(asEarned, BOB, key("move-2")))));
      List<Entry> before = ledgerOf(ADA);
      accepted(loyalty.close(ADA, "Leaving", key("close-ada")));
      List<Entry> closed = ledgerOf(ADA);
      assertEquals(new LoyaltyError.MemberNotActive(ADA, MemberStatus.CLOSED),
          refused(loyalty.refund(Refund.ofAmount(key("review-1"), key("ret-2"), eur("1.00")))));
      assertEquals(new LoyaltyError.MemberNotActive(ADA, MemberStatus.CLOSED), refused(loyalty.reassign(
          io.github.loyaltyledger.Reassignment.of(asEarned, BOB, key("move-3")))));
      assertEquals(closed, ledgerOf(ADA));
      assertEquals(before.size() + 1, closed.size());
      assertTrue(ledgerOf(BOB).isEmpty());
    }

    @Test
    void aConvertedReferralEarnsTheReferrerAndNamesTheReferred() {
      running(EventAward.of("referral", CustomEvent.REFERRAL_CONVERTED, 500));
      Receipt r = accepted(loyalty.earn(CustomEvent.referral(ADA, BOB, key("ref-1"), clock.instant(), Channel.web())));
      assertEquals(Points.of(500), r.netPoints());
      assertEquals("bob", r.entries().single().details().get("event.counterparty").get());
      assertEquals(Points.ZERO, balanceOf(loyalty, BOB).total());
    }
  }

  /**
   * Earning on a program with a ladder: Green for everyone (no multiplier) and Gold from 500
   * qualifying points in a rolling month (earn multiplier 1.2), status for a month; Ada and Bob
   * enrolled.
   */
  Loyalty runningWithTiers(EarnRule... rules) {
    return runningWith(TierLadder.builder(QualificationWindow.rollingMonths(1))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("gold", "Gold", Qualification.points(500))
            .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.2"))))
        .term(TierTerm.months(1))
        .build(), rules);
  }

  Loyalty runningWith(TierLadder ladder, EarnRule... rules) {
    store = new InMemoryLedgerStore();
    loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club").tierLadder(ladder)
        .earnRules(RuleBook.of(rules)).build());
    enrolled(loyalty, ADA);
    enrolled(loyalty, BOB);
    return loyalty;
  }

  /** Ada is credited 500 qualifying points now, and the evaluation records what they earn her. */
  void adaQualifiesForGold() {
    Fixtures.purchased(loyalty, ADA, 500, 500, 0);
    accepted(loyalty.evaluateTier(ADA, aKey()));
  }

  static BaseRate tenPerEuro() {
    return BaseRate.of("base", "10").with(RuleTerms.DEFAULT.priority(100));
  }

  @Nested
  class TierMultipliers {
    @Test
    void aGoldMemberEarnsTheBaseRateTimesTheTiersMultiplierAndTheOtherRulesAsTheyAre() {
      runningWithTiers(tenPerEuro(), Multiplier.onSkus("beans-double", "2", "10", "BEANS").with(RuleTerms.DEFAULT.asBonus()),
          BasketThreshold.of("ten", eur("10.00"), 50).with(RuleTerms.DEFAULT.asBonus()));
      adaQualifiesForGold();
      Purchase gold = aPurchase(ADA, key("pos-1"), clock.instant(), line("BEANS", 1, "10.00"));
      Purchase green = aPurchase(BOB, key("pos-2"), clock.instant(), line("BEANS", 1, "10.00"));

      EarnQuote quote = accepted(loyalty.quote(gold));
      Receipt earned = accepted(loyalty.earn(gold));

      assertEquals(Points.of(120), quote.outcome("base").get().granted());
      assertEquals(Points.of(100), quote.outcome("beans-double").get().granted());
      assertEquals(Points.of(50), quote.outcome("ten").get().granted());
      assertEquals(quote, EarnQuote.fromEntries(earned.entries()).get());
      assertEquals(quote, accepted(loyalty.explain(key("pos-1"))));
      assertEquals(Points.of(500 + 270), balanceOf(loyalty, ADA).total());
      assertEquals(Points.of(100 + 100 + 50), accepted(loyalty.earn(green)).netPoints());
    }

    @Test
    void aMemberInNoTierOrInATierTheLadderDoesNotKnowEarnsTheBaseRateAlone() {
      TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500))
              .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.2"))))
          .build();
      store = new InMemoryLedgerStore();
      loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(ladder)
              .earnRules(RuleBook.of(tenPerEuro())).build()).store(store).clock(clock)
          .memberTiers((member, at) -> member.equals(ADA) ? Option.some("gold")
              : member.equals(BOB) ? Option.none() : Option.some("bronze"))
          .build();
      MemberId cy = MemberId.of("cy");
      for (MemberId m : List.of(ADA, BOB, cy)) {
        enrolled(loyalty, m);
      }

      assertEquals(Points.of(120), accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", aKey()))).netPoints());
      assertEquals(Points.of(100), accepted(loyalty.earn(aPurchaseOf(BOB, "10.00", aKey()))).netPoints());
      assertEquals(Points.of(100), accepted(loyalty.earn(aPurchaseOf(cy, "10.00", aKey()))).netPoints());
    }

    @Test
    void aStatusThatEndedMultipliesThePurchasesMadeWhileItHeldAndNoneAfterOrBefore() {
      runningWithTiers(tenPerEuro());
      adaQualifiesForGold();
      Instant before = clock.instant().minus(Duration.ofHours(2));
      Instant during = clock.instant().plus(Duration.ofDays(20));
      // Gold earned on 1 March ends with 1 April; the rolling month then holds no activity.
      clock.set(Instant.parse("2026-04-10T12:00:00Z"));

      assertEquals(Points.of(100), accepted(loyalty.earn(aPurchase(ADA, aKey(), clock.instant(), line("ITEM", 1, "10.00"))))
          .netPoints());
      assertEquals(Points.of(120), accepted(loyalty.earn(aPurchase(ADA, aKey(), during, line("ITEM", 1, "10.00"))))
          .netPoints());
      assertEquals(Points.of(100), accepted(loyalty.earn(aPurchase(ADA, aKey(), before, line("ITEM", 1, "10.00"))))
          .netPoints());
    }

    @Test
    void aStatusEarnedForTheNextPeriodMultipliesOnlyThePurchasesOfThatPeriod() {
      runningWith(TierLadder.builder(QualificationWindow.calendarYear())
          .tier(Tier.of("green", "Green", Qualification.none()))
          .tier(Tier.of("gold", "Gold", Qualification.points(500))
              .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.2"))))
          .upgrade(UpgradePolicy.NEXT_PERIOD)
          .build(), tenPerEuro());
      adaQualifiesForGold();

      assertEquals(Points.of(100), accepted(loyalty.earn(aPurchase(ADA, aKey(), clock.instant(), line("ITEM", 1, "10.00"))))
          .netPoints());
      clock.set(Instant.parse("2027-01-01T00:00:00Z"));
      assertEquals(Points.of(100), accepted(loyalty.earn(aPurchase(ADA, aKey(), clock.instant().minusNanos(1),
          line("ITEM", 1, "10.00")))).netPoints());
      assertEquals(Points.of(120), accepted(loyalty.earn(aPurchase(ADA, aKey(), clock.instant(), line("ITEM", 1, "10.00"))))
          .netPoints());
    }

    @Test
    void theMultipliedPointsAreRoundedOnceByTheRulesRounding() {
      runningWithTiers(tenPerEuro(), BaseRate.of("up", "10").with(RuleTerms.DEFAULT.asBonus().rounding(RoundingMode.UP)));
      adaQualifiesForGold();

      // 0.95 x 10 x 1.2 = 11.4: not 9 x 1.2 = 10.8 rounded again.
      EarnQuote quote = accepted(loyalty.quote(aPurchase(ADA, aKey(), clock.instant(), line("ITEM", 1, "0.95"))));

      assertEquals(Points.of(11), quote.outcome("base").get().granted());
      assertEquals(Points.of(12), quote.outcome("up").get().granted());
    }

    @Test
    void theBreakdownNamesTheMultiplierAndTheTierOnlyWhenThereIsOne() {
      runningWithTiers(tenPerEuro());
      adaQualifiesForGold();

      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("ITEM", 1, "10.00"))));
      accepted(loyalty.earn(aPurchase(BOB, key("pos-2"), clock.instant(), line("ITEM", 1, "10.00"))));

      assertEquals("10 per EUR on EUR 10.00 (net) x 1.2 (tier gold)",
          accepted(loyalty.explain(key("pos-1"))).outcome("base").get().explanation());
      assertEquals("10 per EUR on EUR 10.00 (net)", accepted(loyalty.explain(key("pos-2"))).outcome("base").get().explanation());
    }

    @Test
    void aTieredPurchaseReturnedInPartsTakesBackExactlyWhatItEarned() {
      runningWithTiers(tenPerEuro());
      adaQualifiesForGold();
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("BEANS", 3, "3.30"))));
      assertEquals(Points.of(118), bought.netPoints());   // 9.90 x 10 x 1.2 = 118.8

      long back = returning("BEANS", 1) + returning("BEANS", 2);

      assertEquals(-118, back);
      assertEquals(Points.of(500), balanceOf(loyalty, ADA).total());
      assertOneMoreUnitIsRefused("BEANS", "3");
    }
  }

  @Nested
  class Quote {
    @Test
    void aQuoteWritesNothingAndMatchesWhatIsThenPosted() {
      running(base(), BasketThreshold.of("fifty", eur("50.00"), 100).with(RuleTerms.DEFAULT.asBonus().budget(150)));
      Purchase p = aPurchaseOf(ADA, "75.00", key("pos-1"));
      EarnQuote quote = accepted(loyalty.quote(p));
      assertTrue(ledgerOf(ADA).isEmpty());
      assertEquals(0, store.counter("earn:bean-club:budget:fifty"));
      assertEquals(quote, EarnQuote.fromEntries(accepted(loyalty.earn(p)).entries()).get());
      assertEquals(Points.of(175), quote.total());
    }

    @Test
    void aPurchaseOrEventUnderAKeyOfAShapeTheLibraryDerivesIsRefusedByQuoteAsByEarn() {
      running(base(), EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40));
      Purchase p = aPurchaseOf(ADA, "75.00", key("tier:pos-1"));
      LoyaltyError refusal = refused(loyalty.earn(p));
      assertEquals("key", ((LoyaltyError.InvalidRequest) refusal).field());
      assertEquals(refusal, refused(loyalty.quote(p)));
      CustomEvent e = CustomEvent.of(ADA, key("tier:survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app());
      assertEquals(refused(loyalty.earn(e)), refused(loyalty.quote(e)));
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void aPurchaseOrEventThatWouldOverflowTheBalanceIsRefusedByQuoteAsByEarn() {
      running(base(), EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40));
      accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(Long.MAX_VALUE - 10), "migrated", aKey())));
      List<Entry> before = ledgerOf(ADA);
      Purchase p = aPurchaseOf(ADA, "75.00", key("pos-1"));
      LoyaltyError refusal = refused(loyalty.earn(p));
      assertEquals(new LoyaltyError.BalanceOverflow(ADA, Points.of(Long.MAX_VALUE - 10), Points.of(75)), refusal);
      assertEquals(refusal, refused(loyalty.quote(p)));
      CustomEvent e = CustomEvent.of(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app());
      assertEquals(refused(loyalty.earn(e)), refused(loyalty.quote(e)));
      assertEquals(before, ledgerOf(ADA));
    }

    @Test
    void whenACapBitesTheQuoteShowsDesiredAndGranted() {
      running(base().with(RuleTerms.DEFAULT.cappedPerTransaction(50)));
      RuleOutcome o = accepted(loyalty.quote(aPurchaseOf(ADA, "80.00", aKey()))).outcome("base").get();
      assertEquals(Points.of(80), o.desired());
      assertEquals(Points.of(50), o.granted());
      assertEquals(RuleOutcome.Status.REDUCED, o.status());
      assertEquals(Reason.Code.CAPPED_PER_TRANSACTION, o.reason().get().code());
    }
  }

  @Nested
  class CapsAndBudgets {
    /*
     * A day is the program's calendar day, however long: 23 hours on the night the clocks go
     * forward, 25 on the night they go back; its first and last minutes share one counter.
     */
    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({
        "2026-03-28T23:00:00Z, 2026-03-29T21:59:00Z, 2026-03-29T22:00:00Z, 2026-03-29",
        "2026-10-24T22:00:00Z, 2026-10-25T22:59:00Z, 2026-10-25T23:00:00Z, 2026-10-25"})
    void aDailyCapCountsTheWholeLocalDayOnTheDaysTheClocksChange(Instant midnight, Instant lastMinute,
        Instant nextMidnight, String day) {
      clock = TestClock.at("2027-01-01T00:00:00Z");
      store = new InMemoryLedgerStore();
      loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club").zone(ZoneId.of("Europe/Berlin"))
          .earnRules(RuleBook.of(base().with(RuleTerms.DEFAULT.cappedPerMember(100, CapPeriod.DAY)))).build());
      enrolled(loyalty, ADA);

      List<Long> earned = List.of(midnight, lastMinute, nextMidnight).map(at ->
          accepted(loyalty.earn(aPurchase(ADA, aKey(), at, line("I", 1, "60.00")))).netPoints().value());

      assertEquals(List.of(60L, 40L, 60L), earned);
      assertEquals(100, store.counter("earn:bean-club:cap:base:ada:" + day));
    }

    /*
     * A week is the ISO week, Monday to Sunday, named by its week-based year: 2026 has 53 weeks,
     * the last of them ending on Sunday 3 January 2027, and the first week of 2025 began on Monday
     * 30 December 2024.
     */
    @ParameterizedTest(name = "{0}, {1} and {2} ({3})")
    @CsvSource({
        "2026-12-28T09:00:00Z, 2027-01-03T21:00:00Z, 2027-01-04T09:00:00Z, 2026-W53",
        "2024-12-30T09:00:00Z, 2025-01-05T21:00:00Z, 2025-01-06T09:00:00Z, 2025-W01"})
    void aWeeklyLimitCountsTheIsoWeekAcrossTheTurnOfTheYear(Instant monday, Instant sunday, Instant nextMonday,
        String week) {
      clock = TestClock.at("2027-02-01T00:00:00Z");
      store = new InMemoryLedgerStore();
      loyalty = Fixtures.aLoyalty(store, clock, LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(
          EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40)
              .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.WEEK)))).build());
      accepted(loyalty.enrol(Enrolment.of(ADA, aKey()).enrolledAt(Instant.parse("2024-01-01T00:00:00Z"))));

      List<Long> earned = List.of(monday, sunday, nextMonday).map(at -> accepted(loyalty.earn(
          CustomEvent.of(ADA, aKey(), CustomEvent.SURVEY_COMPLETED, at, Channel.app()))).netPoints().value());

      assertEquals(List.of(40L, 0L, 40L), earned);
      assertEquals(1, store.counter("earn:bean-club:limit:survey:ada:" + week));
    }

    @Test
    void aWeeklyLimitCountsUnderTheSameCounterWhateverTheDefaultLocaleOfTheNode() {
      running(EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.WEEK)));
      java.util.Locale before = java.util.Locale.getDefault();
      try {
        // A node whose default locale writes numbers in other digits (Thai, Eastern Arabic).
        java.util.Locale.setDefault(java.util.Locale.forLanguageTag("th-TH-u-nu-thai"));
        assertEquals("2026-W09", CapPeriod.WEEK.key(java.time.LocalDate.of(2026, 3, 1)));
        // Two digits from the tenth week on: stored counters are named by these keys.
        assertEquals("2026-W10", CapPeriod.WEEK.key(java.time.LocalDate.of(2026, 3, 2)));
        accepted(loyalty.earn(CustomEvent.of(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app())));
        java.util.Locale.setDefault(java.util.Locale.forLanguageTag("ar-EG-u-nu-arab"));
        Receipt second = accepted(loyalty.earn(
            CustomEvent.of(ADA, key("survey-2"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app())));
        assertEquals(Points.ZERO, second.netPoints());
      } finally {
        java.util.Locale.setDefault(before);
      }
      assertEquals(1, store.counter("earn:bean-club:limit:survey:ada:2026-W09"));
      assertEquals(Points.of(40), balanceOf(loyalty, ADA).available());
    }

    @Test
    void anAwardThatItsDailyCapLeftNothingDoesNotUseUpTheMonthlyLimit() {
      running(EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40)
          .with(RuleTerms.DEFAULT.asBonus().limitedTo(2, CapPeriod.MONTH).cappedPerMember(40, CapPeriod.DAY)));
      String limit = "earn:bean-club:limit:survey:ada:2026-03";
      assertEquals(40, accepted(loyalty.earn(
          CustomEvent.of(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app()))).netPoints().value());
      Receipt capped = accepted(loyalty.earn(
          CustomEvent.of(ADA, key("survey-2"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app())));
      assertEquals(0, capped.netPoints().value());
      assertEquals(Reason.Code.CAPPED_PER_PERIOD,
          EarnQuote.fromEntries(capped.entries()).get().outcome("survey").get().reason().get().code());
      assertEquals(1, store.counter(limit), "an award granted nothing is not an award");
      clock.advance(Duration.ofDays(1));
      assertEquals(40, accepted(loyalty.earn(
          CustomEvent.of(ADA, key("survey-3"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app()))).netPoints().value(),
          "the second award of the month");
      assertEquals(2, store.counter(limit));
      assertEquals(Points.of(80), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aReferralThatTheMonthlyCapLeftNothingIsPaidForTheSameFriendNextMonth() {
      running(EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500)
          .with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty().cappedPerMember(500, CapPeriod.MONTH)));
      MemberId cat = MemberId.of("cat");
      enrolled(loyalty, cat);
      String pair = EarnEngine.counterpartyKey("bean-club", "refer", ADA, cat);
      assertEquals(500, accepted(loyalty.earn(
          CustomEvent.referral(ADA, BOB, key("ref-1"), clock.instant(), Channel.app()))).netPoints().value());
      Receipt capped = accepted(loyalty.earn(CustomEvent.referral(ADA, cat, key("ref-2"), clock.instant(), Channel.app())));
      assertEquals(0, capped.netPoints().value());
      assertEquals(Reason.Code.CAPPED_PER_PERIOD,
          EarnQuote.fromEntries(capped.entries()).get().outcome("refer").get().reason().get().code());
      assertEquals(0, store.counter(pair), "a friend whose referral was paid nothing has not been paid for");
      clock.set(Instant.parse("2026-04-01T08:00:00Z"));
      assertEquals(500, accepted(loyalty.earn(
          CustomEvent.referral(ADA, cat, key("ref-3"), clock.instant(), Channel.app()))).netPoints().value());
      assertEquals(1, store.counter(pair));
      assertEquals(1, store.counter(EarnEngine.counterpartyKey("bean-club", "refer", ADA, BOB)));
    }

    @Test
    void aReferralThatTheSpentBudgetLeftNothingIsPaidOnceTheBudgetIsToppedUp() {
      EventAward refer = EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500);
      running(refer.with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty().limitedTo(5, CapPeriod.YEAR).budget(500)));
      String pair = EarnEngine.counterpartyKey("bean-club", "refer", BOB, ADA);
      String limit = "earn:bean-club:limit:refer:bob:2026";
      accepted(loyalty.earn(CustomEvent.referral(ADA, BOB, key("ref-1"), clock.instant(), Channel.app())));
      Receipt spent = accepted(loyalty.earn(CustomEvent.referral(BOB, ADA, key("ref-2"), clock.instant(), Channel.app())));
      assertEquals(0, spent.netPoints().value());
      assertEquals(Reason.Code.BUDGET_EXHAUSTED,
          EarnQuote.fromEntries(spent.entries()).get().outcome("refer").get().reason().get().code());
      assertEquals(0, store.counter(pair));
      assertEquals(0, store.counter(limit));
      Loyalty topped = Fixtures.aLoyalty(store, clock, loyalty.program().toBuilder().version(2).earnRules(RuleBook.of(
          refer.with(RuleTerms.DEFAULT.asBonus().oncePerCounterparty().limitedTo(5, CapPeriod.YEAR).budget(5000)))).build());
      assertEquals(500, accepted(topped.earn(
          CustomEvent.referral(BOB, ADA, key("ref-3"), clock.instant(), Channel.app()))).netPoints().value());
      assertEquals(1, store.counter(pair));
      assertEquals(1, store.counter(limit));
    }

    @Test
    void aMonthlyCapPerMemberLimitsThePointsAndResetsNextMonth() {
      running(base().with(RuleTerms.DEFAULT.cappedPerMember(100, CapPeriod.MONTH)));
      assertEquals(60, accepted(loyalty.earn(aPurchase(ADA, aKey(), clock.instant(), line("I", 1, "60.00")))).netPoints().value());
      Receipt capped = accepted(loyalty.earn(aPurchase(ADA, aKey(), clock.instant(), line("I", 1, "60.00"))));
      assertEquals(40, capped.netPoints().value());
      assertEquals(Reason.Code.CAPPED_PER_PERIOD, EarnQuote.fromEntries(capped.entries()).get().outcome("base").get().reason().get().code());
      assertEquals(60, accepted(loyalty.earn(aPurchase(BOB, aKey(), clock.instant(), line("I", 1, "60.00")))).netPoints().value());
      clock.set(Instant.parse("2026-04-01T08:00:00Z"));
      assertEquals(60, accepted(loyalty.earn(aPurchase(ADA, aKey(), clock.instant(), line("I", 1, "60.00")))).netPoints().value());
    }

    @Test
    void aMemberCapCountsOnlyWhatTheBudgetLetThrough() {
      running(BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.cappedPerMember(100, CapPeriod.MONTH).budget(30)));
      assertEquals(30, accepted(loyalty.earn(aPurchaseOf(ADA, "50.00", aKey()))).netPoints().value());
      assertEquals(30, store.counter("earn:bean-club:cap:promo:ada:2026-03"), "the cap counts the 30 granted, not the 50 desired");
      assertEquals(30, store.counter("earn:bean-club:budget:promo"));
      assertEquals(0, accepted(loyalty.earn(aPurchaseOf(ADA, "50.00", aKey()))).netPoints().value());
      assertEquals(30, store.counter("earn:bean-club:cap:promo:ada:2026-03"), "nothing granted, nothing counted");
      Loyalty topped = Fixtures.aLoyalty(store, clock, loyalty.program().toBuilder().version(2).earnRules(RuleBook.of(
          BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.cappedPerMember(100, CapPeriod.MONTH).budget(1000)))).build());
      assertEquals(70, accepted(topped.earn(aPurchaseOf(ADA, "100.00", aKey()))).netPoints().value(),
          "the member keeps the cap room the spent budget did not use");
    }

    @Test
    void aCampaignBudgetIsSharedByAllMembersAndRunsOut() {
      running(BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.budget(100)));
      assertEquals(70, accepted(loyalty.earn(aPurchaseOf(ADA, "70.00", aKey()))).netPoints().value());
      Receipt partly = accepted(loyalty.earn(aPurchaseOf(BOB, "70.00", aKey())));
      assertEquals(30, partly.netPoints().value());
      Receipt none = accepted(loyalty.earn(aPurchaseOf(BOB, "70.00", aKey())));
      RuleOutcome o = EarnQuote.fromEntries(none.entries()).get().outcome("promo").get();
      assertEquals(RuleOutcome.Status.NOT_APPLIED, o.status());
      assertEquals(Reason.Code.BUDGET_EXHAUSTED, o.reason().get().code());
    }

    @Test
    void aBudgetIsNeverOverspentByConcurrentPurchases() throws Exception {
      running(BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.budget(1000)));

      assertEquals(1000, grantedByConcurrentPurchases(i -> loyalty));
      assertEquals(1000, store.counter("earn:bean-club:budget:promo"));
    }

    /**
     * A rolling deploy: nodes on version 1 and on version 2 (which doubles the rate of the same
     * promotion, with the same budget) earn on one store at once. The budget counts across both.
     */
    @Test
    void nodesRunningTwoVersionsAtOnceShareTheBudgetOfARuleIdAndNeverOverspendIt() throws Exception {
      running(BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.budget(1000)));
      Loyalty next = Fixtures.aLoyalty(store, clock, loyalty.program().toBuilder()
          .earnRules(RuleBook.of(BaseRate.of("promo", "2").with(RuleTerms.DEFAULT.budget(1000)))).build());

      assertEquals(1000, grantedByConcurrentPurchases(i -> i % 2 == 0 ? loyalty : next));
      assertEquals(1000, store.counter("earn:bean-club:budget:promo"));
    }

    /** Eight members buying 25 times each at once, purchase {@code i} through {@code node(i)}: the points granted. */
    private long grantedByConcurrentPurchases(java.util.function.IntFunction<Loyalty> node) throws Exception {
      List<MemberId> members = List.range(0, 8).map(i -> MemberId.of("m" + i));
      members.forEach(m -> enrolled(loyalty, m));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        java.util.List<Future<Long>> granted = new java.util.ArrayList<>();
        for (MemberId m : members) {
          granted.add(pool.submit(() -> {
            long sum = 0;
            for (int i = 0; i < 25; i++) {
              IdempotencyKey k = IdempotencyKey.of(m + "-" + i);
              io.vavr.control.Either<LoyaltyError, Receipt> r = node.apply(i).earn(aPurchaseOf(m, "7.00", k));
              while (r.isLeft() && r.getLeft() instanceof LoyaltyError.ConcurrentModification) {
                r = node.apply(i).earn(aPurchaseOf(m, "7.00", k));
              }
              sum += accepted(r).netPoints().value();
            }
            return sum;
          }));
        }
        long total = 0;
        for (Future<Long> f : granted) {
          total += f.get();
        }
        return total;
      } finally {
        pool.shutdown();
      }
    }

    /**
     * A version that drops a campaign's budget counts nothing against it; a later version that sets
     * it again counts from what the versions with a budget granted (set the amount left, as for a
     * reward's stock).
     */
    @Test
    void aBudgetDroppedByOneVersionCountsNothingWhileItIsDroppedAndCarriesOverWhenSetAgain() {
      running(BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.budget(100)));
      assertEquals(70, accepted(loyalty.earn(aPurchaseOf(ADA, "70.00", aKey()))).netPoints().value());
      Loyalty unbounded = Fixtures.aLoyalty(store, clock, loyalty.program().toBuilder()
          .earnRules(RuleBook.of(BaseRate.of("promo", "1"))).build());
      assertEquals(50, accepted(unbounded.earn(aPurchaseOf(ADA, "50.00", aKey()))).netPoints().value());
      assertEquals(70, store.counter("earn:bean-club:budget:promo"));
      Loyalty bounded = Fixtures.aLoyalty(store, clock, unbounded.program().toBuilder()
          .earnRules(RuleBook.of(BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.budget(100)))).build());

      assertEquals(30, accepted(bounded.earn(aPurchaseOf(BOB, "50.00", aKey()))).netPoints().value());
      assertEquals(3, bounded.program().version());
    }
  }

  /**
   * Store-and-forward tills: sales kept offline and uploaded hours or days later, out of order. The
   * purchase's occurred-at decides its schedule, cap period and lot dates; the order of arrival
   * decides the visit count; a refund can only follow its purchase.
   */
  @Nested
  class LateUploads {
    Instant daysAgo(int days) {
      return clock.instant().minus(Duration.ofDays(days));
    }

    @Test
    void aRefundSentBeforeItsPurchaseIsRefusedSayingToSendThePurchaseFirstAndTakesBackOnceItArrives() {
      running(base());
      Refund early = Refund.ofAmount(key("pos-1"), key("ret-1"), eur("5.00"));

      LoyaltyError error = refused(loyalty.refund(early));

      assertEquals(new LoyaltyError.PurchaseNotFound(key("pos-1")), error);
      assertTrue(error.message().contains("send the purchase first, then this request again under the same key"),
          error.message());
      assertTrue(ledgerOf(ADA).isEmpty());
      assertTrue(store.idempotencyRecord(key("ret-1")).isEmpty());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), daysAgo(2), line("A", 1, "10.00"))));
      assertEquals(-5, accepted(loyalty.refund(early)).netPoints().value());
      assertEquals(5, balanceOf(loyalty, ADA).available().value());
    }

    @Test
    void aPurchaseUploadedDaysLateCountsAgainstTheCapOfTheDayItOccurredNotToday() {
      running(BaseRate.of("base", "1").with(RuleTerms.DEFAULT.cappedPerMember(15, CapPeriod.DAY)));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), daysAgo(3), line("A", 1, "10.00"))));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-2"), clock.instant(), line("A", 1, "10.00"))));

      Receipt late = accepted(loyalty.earn(aPurchase(ADA, key("pos-3"), daysAgo(3).plusSeconds(60), line("A", 1, "10.00"))));

      assertEquals(5, late.netPoints().value());
      assertEquals(Reason.Code.CAPPED_PER_PERIOD,
          EarnQuote.fromEntries(late.entries()).get().outcome("base").get().reason().get().code());
    }

    @Test
    void aPurchaseUploadedAfterItsCampaignEndedStillEarnsTheCampaignOfTheDayItOccurred() {
      java.time.LocalDate threeDaysAgo = java.time.LocalDate.ofInstant(daysAgo(3), ZoneId.of("UTC"));
      running(base(), BaseRate.of("promo", "1").with(RuleTerms.DEFAULT.asBonus()
          .during(Schedule.always().dates(threeDaysAgo, threeDaysAgo))));

      assertEquals(20, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), daysAgo(3), line("A", 1, "10.00"))))
          .netPoints().value());
      assertEquals(10, accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-2")))).netPoints().value());
    }

    @Test
    void theLotOfALateUploadIsDatedFromWhenThePurchaseOccurredAndExpiresAtTheNextExpiryRunIfItsTermHasPassed() {
      running(BaseRate.of("base", "1").with(RuleTerms.DEFAULT.expiringAfter(Period.ofDays(2))),
          BaseRate.of("vesting", "1").with(RuleTerms.DEFAULT.asBonus().vestingAfter(Duration.ofDays(1))));

      Receipt late = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), daysAgo(3), line("A", 1, "10.00"))));

      assertEquals(Option.some(daysAgo(1)), late.entries().head().expiresAt());
      // The vesting day has passed: available at once. The expired lot waits for the expiry run.
      assertEquals(new Balance(Points.of(20), Points.ZERO, Points.ZERO), balanceOf(loyalty, ADA));
      accepted(loyalty.expire(ADA, clock.instant(), aKey()));
      assertEquals(new Balance(Points.of(10), Points.ZERO, Points.ZERO), balanceOf(loyalty, ADA));
    }

    @Test
    void theFirstPurchaseBonusGoesToThePurchaseThatArrivesFirstWhateverItsDate() {
      running(base(), FirstPurchaseBonus.of("welcome", 50));
      Receipt second = accepted(loyalty.earn(aPurchase(ADA, key("pos-2"), daysAgo(1), line("A", 1, "10.00"))));
      Receipt first = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), daysAgo(2), line("A", 1, "10.00"))));

      assertEquals(60, second.netPoints().value());
      assertEquals(10, first.netPoints().value());
      assertEquals(second, accepted(loyalty.earn(aPurchase(ADA, key("pos-2"), daysAgo(1), line("A", 1, "10.00")))));
    }
  }

  @Nested
  class Refunds {
    @Test
    void partialRefundsTakeBackProportionallyAndAddUpToTheWholeAward() {
      running(base(), Multiplier.onSkus("double-beans", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus()));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 3, "3.33"), line("MUG", 1, "10.01"))));
      assertEquals(20 + 9, bought.netPoints().value());
      Receipt first = accepted(loyalty.refund(Refund.ofLines(key("pos-1"), key("ret-1"), new ReturnedLine("BEANS", 1))));
      // The base rate goes in proportion to the basket, the beans' bonus to the beans: a third of each.
      assertEquals(-(3 + 3), first.netPoints().value());
      accepted(loyalty.refund(Refund.ofLines(key("pos-1"), key("ret-2"), new ReturnedLine("BEANS", 2))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("ret-3"), eur("10.01"))));
      assertAllTakenBack(ADA);
    }

    /** The base rate and a double on beans, posted as a bonus: beans at 10.00 and a mug at 30.00 earn 40 + 10. */
    Receipt beansAndAMug() {
      running(base(), Multiplier.onSkus("double-beans", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus()));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "10.00"), line("MUG", 1, "30.00"))));
      assertEquals(40 + 10, bought.netPoints().value());
      return bought;
    }

    /** What the refunds of the purchase under {@code pos-1} took back of a rule's award, in all. */
    long takenBackOf(String rule) {
      return sum(ledgerOf(ADA), "refund.rule." + rule);
    }

    @Test
    void returningThePromotedBeansTakesBackTheirWholeBonusAndKeepsTheMugsBasePoints() {
      beansAndAMug();
      assertEquals(-(10 + 10), returning("BEANS", 1));
      assertEquals(10, takenBackOf("double-beans"));
      assertEquals(Points.of(30), balanceOf(loyalty, ADA).available());
    }

    @Test
    void returningTheMugKeepsTheBonusOnTheBeansKept() {
      beansAndAMug();
      assertEquals(-30, returning("MUG", 1));
      assertEquals(0, takenBackOf("double-beans"));
      assertEquals(Points.of(10 + 10), balanceOf(loyalty, ADA).available());
    }

    @Test
    void partialReturnsOfThePromotedLineTakeBackItsBonusInProportionToItAndAddUpToItExactly() {
      running(base(), Multiplier.onSkus("double-beans", "2", "0.5", "BEANS").with(RuleTerms.DEFAULT.asBonus()));
      assertEquals(12 + 4, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 3, "3.00"), line("MUG", 1, "3.00")))).netPoints().value());
      // Of the 4.5 bonus points on EUR 9.00 of beans, rounded down to 4: a bag is a third of them.
      assertEquals(-(3 + 1), returning("BEANS", 1));
      assertEquals(-(3 + 1), returning("BEANS", 1));
      assertEquals(-(3 + 2), returning("BEANS", 1));
      assertEquals(4, takenBackOf("double-beans"));
      assertEquals(Points.of(3), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aRefundByAmountNamesNoLinesSoEveryRuleGivesBackTheShareOfTheWholeBasket() {
      beansAndAMug();
      assertEquals(-(10 + 2), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.00"))))
          .netPoints().value());
      assertEquals(2, takenBackOf("double-beans"));
    }

    @Test
    void anAmountReturnedAfterTheMugComesOffTheBeansKeptAndTheBonusFollowsIt() {
      beansAndAMug();
      assertEquals(-30, returning("MUG", 1));
      // The mug is back, so the 5.00 comes off the beans: half of them, and half of their bonus.
      assertEquals(-(5 + 5), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("5.00"))))
          .netPoints().value());
      assertEquals(-(5 + 5), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("5.00"))))
          .netPoints().value());
      assertAllTakenBack(ADA);
    }

    @Test
    void everyLineReturnedAfterARefundByAmountIsAcceptedAndTheLastCompletesTheReturn() {
      beansAndAMug();
      // 10.00 of the 40.00 back by amount: it came off the beans and the mug in proportion, 2.50 and 7.50.
      assertEquals(-(10 + 2), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.00"))))
          .netPoints().value());
      // The beans come back with the 7.50 left of them: 17 of the 40 base points in all, and the rest of their bonus.
      assertEquals(-(7 + 8), returning("BEANS", 1));
      assertEquals(10, takenBackOf("double-beans"));
      // The mug comes back with the 22.50 left of it: a return of what was bought, not more, so accepted.
      assertEquals(-23, returning("MUG", 1));
      assertEquals(4000, sum(ledgerOf(ADA), "refund.net"));
      assertAllTakenBack(ADA);
      assertOneMoreUnitIsRefused("MUG", "1");
    }

    @Test
    void aCategoryMultiplierCountsItsSkuOnALineOutsideTheCategoryWithTheLineItMatchedSinceAReturnNamesNoLine() {
      running(base(), Multiplier.onCategories("coffee-double", "2", "1", "coffee").with(RuleTerms.DEFAULT.asBonus()));
      // One bag of beans rung up in the coffee category, one not: the double earned 10, on the first alone.
      assertEquals(20 + 10, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "10.00").inCategories("coffee"), line("BEANS", 1, "10.00")))).netPoints().value());
      // A return names a SKU and its units, not a line: either bag back is half of the beans (ADR 0005, "not changed").
      assertEquals(-(10 + 5), returning("BEANS", 1));
      assertEquals(-(10 + 5), returning("BEANS", 1));
      assertAllTakenBack(ADA);
    }

    @Test
    void linesOfAPurchasePaidPartlyWithPointsTakeBackWhatTheyEarnedOnTheShareLeftToMoney() {
      running(base(), Multiplier.onSkus("double-beans", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus()),
          UnitBonus.of("mug-units", "MUG", 7));
      accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(1000), "goodwill", aKey())));
      // 60.00, a third paid with points: the beans (30.00) earn 20 base and 20 bonus points on their
      // 20.00 paid with money, the mug 20 base points and its 7 (a bonus per unit, whatever paid it).
      assertEquals(40 + 20 + 7, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 3, "10.00"), line("MUG", 1, "30.00")).withPaidWithPoints(eur("20.00")))).netPoints().value());
      // A bag earned 6 2/3 of each: 6 of each back, rounded down until the last.
      assertEquals(-(6 + 6), returning("BEANS", 1));
      assertEquals(-(20 + 7), returning("MUG", 1));
      assertEquals(6, takenBackOf("double-beans"), "the mug takes none of the beans' bonus");
      assertEquals(-(14 + 14), returning("BEANS", 2));
      assertEquals(List.of(40L, 20L, 7L), List.of("base", "double-beans", "mug-units").map(this::takenBackOf));
      assertEquals(Points.of(1000), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aUnitBonusGoesWithTheUnitsOfItsSkuAndNotWithTheRestOfTheBasket() {
      running(base(), UnitBonus.of("mug-units", "MUG", 7));
      assertEquals(40 + 14, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "20.00"), line("MUG", 2, "10.00")))).netPoints().value());
      assertEquals(-20, returning("BEANS", 1));
      assertEquals(-(10 + 7), returning("MUG", 1));
      assertEquals(-(10 + 7), returning("MUG", 1));
      assertAllTakenBack(ADA);
    }

    @Test
    void aUnitBonusOnTwoLinesOfItsSkuAtDifferentPricesIsTakenBackByTheUnitsReturnedNotByARoundedShareOfTheirNet() {
      running(base(), UnitBonus.of("bean-units", "BEANS", 25));
      // A bag at 10.00 and two on offer at 3.33: 16.66 of beans, which no three bags divide into cents.
      assertEquals(16 + 75, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "10.00"), line("BEANS", 2, "3.33")))).netPoints().value());
      // Each bag earned 25, whatever it cost, so each bag back takes 25 back: not 24, then 25, then 26.
      for (long taken = 25; taken <= 75; taken += 25) {
        returning("BEANS", 1);
        assertEquals(taken, takenBackOf("bean-units"));
      }
      assertAllTakenBack(ADA);
    }

    @Test
    void aMultiplierOnAPackWhoseNetNoUnitsDivideIntoCentsTakesBackTheExactShareOfEachUnitReturned() {
      running(base(), Multiplier.onSkus("beans-quadruple", "4", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus()));
      // Three bags for 10.00: 30 bonus points, 10 on each bag.
      assertEquals(10 + 30, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "3.34"), line("BEANS", 2, "3.33")))).netPoints().value());
      returning("BEANS", 1);
      assertEquals(10, takenBackOf("beans-quadruple"), "a third of 30, not 30 x 3.33 / 10.00 rounded down");
    }

    @Test
    void aMultiplierMeasuredGrossIsTakenBackAsTheGrossItWasBasedOnComesBackNotTheNet() {
      runningAGrossDoubleOnCoffee();
      // Beans of 20.00 discounted to 2.00 and tea of 10.00: 12 base points, 30 on the gross of both.
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "20.00").discounted(eur("18.00")).inCategories("coffee"),
          line("TEA", 1, "10.00").inCategories("coffee"))));
      assertEquals(12 + 30, bought.netPoints().value());
      // The beans earned 20 of the 30: their return takes those back, not a sixth (their share of the net).
      assertEquals(-(2 + 20), returning("BEANS", 1));
      assertEquals(20, takenBackOf("coffee-double"));
      assertEquals(-(10 + 10), returning("TEA", 1));
      assertAllTakenBack(ADA);
    }

    @Test
    void aFreeLineAMultiplierMeasuredGrossEarnedOnTakesItsBonusBackWhenItIsReturned() {
      runningAGrossDoubleOnCoffee();
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("SAMPLE", 1, "10.00").discounted(eur("10.00")).inCategories("coffee"),
          line("BEANS", 1, "10.00").inCategories("coffee"), line("MUG", 1, "30.00"))));
      assertEquals(40 + 20, bought.netPoints().value());
      // The free sample earned nothing at the base rate, and 10 of the bonus on its gross.
      assertEquals(-10, returning("SAMPLE", 1));
      assertEquals(-(10 + 10), returning("BEANS", 1));
      assertEquals(-30, returning("MUG", 1));
      assertAllTakenBack(ADA);
    }

    @Test
    void aPurchaseOfFreeLinesOnlyGivesBackAGrossMultipliersBonusInProportionToTheGrossOfTheUnitsReturned() {
      runningAGrossDoubleOnCoffee();
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("SAMPLE", 3, "10.00").discounted(eur("30.00")).inCategories("coffee"))));
      assertEquals(30, bought.netPoints().value(), "nothing at the base rate, 30 on the gross");
      assertEquals(-10, returning("SAMPLE", 1));
      assertEquals(-10, returning("SAMPLE", 1));
      assertEquals(-10, returning("SAMPLE", 1));
      assertAllTakenBack(ADA);
    }

    /**
     * Bob's purchase under {@code pos-0} as history imported for Ada under {@code pos-1}, the way an
     * import from another system writes it: one credit carrying the breakdown of every award entry
     * and the purchase's facts, but for the gross of each SKU's lines ({@code purchase.gross.*}),
     * which entries written before that detail existed lack.
     */
    void importedForAdaWithoutTheGrossOfTheLines(Receipt bobs) {
      importedForAdaWithout(bobs, "purchase.gross.");
    }

    /** {@link #importedForAdaWithoutTheGrossOfTheLines}, without the facts named with this prefix. */
    void importedForAdaWithout(Receipt bobs, String prefix) {
      TreeMap<String, String> facts = TreeMap.empty();
      for (Entry e : bobs.entries()) {
        facts = facts.merge(TreeMap.ofEntries(e.details().filterKeys(k -> !k.startsWith(prefix)).toJavaList()));
      }
      // One entry credits what the purchase's entries did, so it qualifies for all their points.
      facts = facts.put("qualifying.points", Long.toString(sum(bobs.entries(), "qualifying.points")));
      accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, bobs.netPoints(), "imported", key("pos-1"))
          .explainedBy(bobs.entries().flatMap(Entry::ruleIds), facts)));
    }

    @Test
    void aGrossMultipliersAwardRecordedWithoutTheGrossOfItsLinesIsTakenBackOnTheirNetNotTheirUnits() {
      runningAGrossDoubleOnCoffee();
      // Beans of 20.00 discounted to 2.00 and a pack of four teas of 2.50: 12 base points, 30 on the gross of both.
      Receipt bobs = accepted(loyalty.earn(aPurchase(BOB, key("pos-0"), clock.instant(),
          line("BEANS", 1, "20.00").discounted(eur("18.00")).inCategories("coffee"),
          line("TEA", 4, "2.50").inCategories("coffee"))));
      assertEquals(12 + 30, bobs.netPoints().value());
      importedForAdaWithoutTheGrossOfTheLines(bobs);
      // Without the gross of each line the ledger cannot say the beans earned 20 of the 30: they are
      // measured on their net, as entries written before the gross was are, 2.00 of 12.00. A tea is
      // 2.50 of it: not a fifth of the award, as counting the lines' units gave.
      assertEquals(-(2 + 5), returning("BEANS", 1));
      assertEquals(-(2 + 6), returning("TEA", 1));
      assertEquals(5 + 6, takenBackOf("coffee-double"));
      returning("TEA", 3);
      assertEquals(30, takenBackOf("coffee-double"));
      assertAllTakenBack(ADA);
    }

    @Test
    void anAwardBasedOnLinesOfAPurchaseRecordedWithoutItsLinesIsTakenBackOnTheWholeBasketAndOnlyByAmount() {
      running(base(), Multiplier.onSkus("double-beans", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus()));
      Receipt bobs = accepted(loyalty.earn(aPurchase(BOB, key("pos-0"), clock.instant(),
          line("BEANS", 1, "10.00"), line("MUG", 1, "30.00"))));
      // History from before purchases recorded their lines (purchase.sku.*): the ledger cannot say
      // which part of the basket the beans were, so their bonus goes with the whole basket.
      importedForAdaWithout(bobs, "purchase.sku.");
      int before = ledgerOf(ADA).size();
      assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("BEANS", 1)))));
      assertEquals(before, ledgerOf(ADA).size());
      assertEquals(-(10 + 2), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.00")))).netPoints().value(),
          "a quarter of the basket, and of the bonus");
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00"))));
      assertAllTakenBack(ADA);
    }

    @Test
    void aGrossThresholdRecordedWithoutTheGrossOfTheLinesIsKeptOrTakenBackOnTheGrossBasketEstimatedFromTheNet() {
      running(base(), new BasketThreshold("fifty", "100 points from EUR 50 gross", eur("50.00"), 100,
          AmountBase.GROSS, RuleTerms.DEFAULT.asBonus()));
      // A is 100.00 gross discounted to 10.00 net, B 20.00 gross and net: 120.00 gross, 30.00 net.
      Receipt bobs = accepted(loyalty.earn(aPurchase(BOB, key("pos-0"), clock.instant(),
          line("A", 1, "100.00").discounted(eur("90.00")), line("B", 1, "20.00"))));
      assertEquals(30 + 100, bobs.netPoints().value());
      importedForAdaWithoutTheGrossOfTheLines(bobs);
      // Without the gross of each line, the gross basket kept is the recorded one scaled by the net
      // kept: returning B (20.00 of the 30.00 net) keeps an estimated 40.00, below the threshold,
      // though A, kept, is 100.00 gross; the estimate from the net is all the ledger can give.
      assertEquals(-(20 + 100), returning("B", 1));
      assertEquals(-10, returning("A", 1));
      assertAllTakenBack(ADA);
    }

    @Test
    void aPluginsAwardThatNamesNoLinesIsStillTakenBackInProportionToTheWholeBasket() {
      running(base(), plugin("beans-promo", "10 on beans", RuleTerms.DEFAULT.asBonus(),
          Evaluation.award(10, "10 on beans")));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("BEANS", 1, "10.00"), line("MUG", 1, "30.00"))));
      assertEquals(-(10 + 2), returning("BEANS", 1));
      assertEquals(-(30 + 8), returning("MUG", 1), "the rest of the award at the full return");
      assertAllTakenBack(ADA);
    }

    @Test
    void anAwardPostedBeforeAwardsNamedTheirLinesIsStillTakenBackInProportionToTheWholeBasket() {
      // What the double on beans posted before it named its lines: the same award, based on no line.
      Evaluation.Award before = new Evaluation.Award(new BigDecimal("10.00"), "2x on EUR 10.00 of BEANS",
          Clawback.proportional());
      running(base(), plugin("double-beans", "2x points on BEANS", RuleTerms.DEFAULT.asBonus(), before));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "10.00"), line("MUG", 1, "30.00"))));
      assertTrue(bought.entries().last().details().get("rule.double-beans").get().contains(";PROPORTIONAL;"));
      assertEquals(-(10 + 2), returning("BEANS", 1));
    }

    @Test
    void aPluginsAwardBasedOnItsLinesIsTakenBackAsThoseLinesComeBack() {
      running(base(), plugin("beans-promo", "10 on beans", RuleTerms.DEFAULT.asBonus(),
          Evaluation.award(10, "10 on beans").withClawback(Clawback.proportionalOn(List.of("BEANS")))));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 2, "5.00"), line("MUG", 1, "30.00"))));
      assertEquals(EarnQuote.fromEntries(bought.entries()).get().outcomes().last().clawback(),
          Clawback.proportionalOn(List.of("BEANS")), "the ledger alone says which lines");
      assertEquals(-30, returning("MUG", 1));
      assertEquals(-(5 + 5), returning("BEANS", 1));
      assertEquals(-(5 + 5), returning("BEANS", 1));
      assertAllTakenBack(ADA);
    }

    @Test
    void aPluginNamingAsItsBasisASkuNoEarningLineHasFailsTheRequestInQuoteAndEarnAndWritesNothing() {
      running(base(), plugin("beans-promo", "10 on beans", RuleTerms.DEFAULT.asBonus(),
          Evaluation.award(10, "10 on beans").withClawback(Clawback.proportionalOn(List.of("BEANS")))));
      int before = ledgerOf(ADA).size();
      Purchase mugAndCard = aPurchase(ADA, key("pos-1"), clock.instant(), line("MUG", 1, "30.00"),
          line("BEANS", 1, "20.00").ofKind(LineKind.GIFT_CARD));
      LoyaltyError refused = refused(loyalty.earn(mugAndCard));
      assertEquals(new LoyaltyError.RuleFailed("beans-promo", "its clawback is based on SKU BEANS, which is on no earning"
          + " line of the purchase; name only the SKUs of the lines its points were based on"), refused);
      assertEquals(refused, refused(loyalty.quote(mugAndCard)));
      assertEquals(before, ledgerOf(ADA).size());
    }

    @Test
    void aPluginNamingLinesAsTheBasisOfAnEventsAwardFailsTheRequestInQuoteAndEarnAndWritesNothing() {
      running(plugin("beans-promo", "10 on beans", RuleTerms.DEFAULT,
          Evaluation.award(10, "10 on beans").withClawback(Clawback.proportionalOn(List.of("BEANS", "MUG")))));
      CustomEvent survey = new CustomEvent(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(),
          Channel.app(), Option.none(), io.vavr.collection.TreeMap.empty());
      int before = ledgerOf(ADA).size();
      LoyaltyError refused = refused(loyalty.earn(survey));
      assertEquals(new LoyaltyError.RuleFailed("beans-promo",
          "its clawback is based on lines BEANS, MUG, but an event has no lines; name none"), refused);
      assertEquals(refused, refused(loyalty.quote(survey)));
      assertEquals(before, ledgerOf(ADA).size());
    }

    @Test
    void aThresholdBonusGoesWhenTheKeptBasketFallsBelowTheThreshold() {
      running(base(), BasketThreshold.of("fifty", eur("50.00"), 100));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "40.00"), line("B", 1, "20.00"))));
      assertEquals(-5, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("5.00")))).netPoints().value());
      assertEquals(-(15 + 100), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("15.00")))).netPoints().value());
      assertEquals(Points.of(40), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aGrossThresholdBonusIsKeptWhileTheKeptGrossBasketStaysAtTheThreshold() {
      running(base(), new BasketThreshold("fifty", "100 points from EUR 50 gross", eur("50.00"), 100,
          AmountBase.GROSS, RuleTerms.DEFAULT.asBonus()));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("A", 1, "60.00").discounted(eur("10.00")))));
      assertEquals(50 + 100, bought.netPoints().value(), "50 net, and a gross basket of 60");
      // 5.00 of the 50.00 net returned: the kept gross basket is 54.00, still at the threshold.
      assertEquals(-5, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("5.00")))).netPoints().value());
      // 9.00 more: 36.00 net and 43.20 gross kept, below it.
      assertEquals(-(9 + 100), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("9.00")))).netPoints().value());
      assertEquals(Points.of(36), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aGrossThresholdBonusIsKeptOrTakenBackOnTheGrossOfTheLinesAReturnLeaves() {
      running(base(), new BasketThreshold("fifty", "100 points from EUR 50 gross", eur("50.00"), 100,
          AmountBase.GROSS, RuleTerms.DEFAULT.asBonus()));
      // A is 100.00 gross discounted to 10.00 net, B 20.00 gross and net: 120.00 gross, 30.00 net.
      for (String pos : List.of("pos-1", "pos-2")) {
        assertEquals(30 + 100, accepted(loyalty.earn(aPurchase(ADA, key(pos), clock.instant(),
            line("A", 1, "100.00").discounted(eur("90.00")), line("B", 1, "20.00")))).netPoints().value());
      }
      // Returning B keeps A, 100.00 gross, above the threshold: only B's 20 base points go.
      assertEquals(-20, returning("B", 1));
      // Returning A keeps B, 20.00 gross, below it: A's 10 base points and the bonus go.
      assertEquals(-(10 + 100), accepted(loyalty.refund(Refund.ofLines(key("pos-2"), aKey(), new ReturnedLine("A", 1))))
          .netPoints().value());
      // An amount names no lines: it comes off A, the line kept, in proportion to its net. Half of A's
      // net leaves half of its gross, 50.00, at the threshold; a cent more takes the bonus.
      assertEquals(-5, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("5.00")))).netPoints().value());
      assertEquals(-100, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("0.01")))).netPoints().value());
      assertEquals(Points.of(5 + 20), balanceOf(loyalty, ADA).available());
    }

    @Test
    void grossRulesOnABasketPartlyPaidWithPointsEarnOnTheShareLeftToMoneyAndRefundsAddUpToTheAward() {
      running(BaseRate.of("gross", "1").on(AmountBase.GROSS), new BasketThreshold("fifty", "100 points from EUR 50 gross",
          eur("50.00"), 100, AmountBase.GROSS, RuleTerms.DEFAULT.asBonus()));
      // 80.00 gross, 64.00 net, a quarter of it paid with points: 60.00 of the gross earns.
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("A", 1, "80.00").discounted(eur("16.00"))).withPaidWithPoints(eur("16.00"))));
      assertEquals(60 + 100, bought.netPoints().value());
      // 8.00 of the 64.00 net returned: floor(60 / 8) back, and 52.50 of the gross basket kept.
      assertEquals(-7, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("8.00")))).netPoints().value());
      // 8.00 more: 15 of the 60 back in all, and 45.00 kept, below the threshold.
      assertEquals(-(8 + 100), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("8.00")))).netPoints().value());
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("48.00"))));
      assertEquals(Balance.EMPTY, balanceOf(loyalty, ADA));
      assertEquals(0, sum(ledgerOf(ADA), "qualifying.points"));
    }

    @Test
    void aThresholdBonusGoesWhenTheBasketKeptOfAPurchasePartlyPaidWithPointsIsBelowTheThresholdByAFractionOfACent() {
      running(base(), BasketThreshold.of("twenty-five", eur("25.00"), 100));
      // 60.00 net, 10.00 of it paid with points: a basket of 50.00.
      assertEquals(50 + 100, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "60.00"))
          .withPaidWithPoints(eur("10.00")))).netPoints().value());
      // Half of the 60.00 returned keeps half of the basket, 25.00: the bonus stays.
      assertEquals(-25, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00")))).netPoints().value());
      // A cent more keeps 29.99 of the 60.00, and of the basket 50.00 x 29.99 / 60.00 = 24.991…, below 25.00.
      assertEquals(-100, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("0.01")))).netPoints().value());
      assertEquals(Points.of(25), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aGrossThresholdBonusGoesWhenTheGrossBasketKeptIsBelowTheThresholdByAFractionOfACent() {
      running(BaseRate.of("gross", "1").on(AmountBase.GROSS), new BasketThreshold("fifty", "100 points from EUR 50 gross",
          eur("50.00"), 100, AmountBase.GROSS, RuleTerms.DEFAULT.asBonus()));
      // 80.00 gross, 64.00 net, a quarter of it paid with points: a gross basket of 60.00.
      assertEquals(60 + 100, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("A", 1, "80.00").discounted(eur("16.00"))).withPaidWithPoints(eur("16.00")))).netPoints().value());
      // 10.66 of the 64.00 net returned keeps 60.00 x 53.34 / 64.00 = 50.006… of the gross basket.
      assertEquals(-9, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.66")))).netPoints().value());
      // A cent more keeps 60.00 x 53.33 / 64.00 = 49.996…, below 50.00.
      assertEquals(-(1 + 100), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("0.01")))).netPoints().value());
      assertEquals(Points.of(50), balanceOf(loyalty, ADA).available());
    }

    @Test
    void refundingMoreThanALongOfMinorUnitsOrWhatIsLeftAfterAnEarlierRefundIsRefused() {
      running(base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "10.00"))));
      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("100000000000000000.00")))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("0.01"))));
      int before = ledgerOf(ADA).size();
      // 0.01 already returned plus a long's worth of cents would wrap around in a sum of longs.
      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), Money.ofMinor(CurrencyUnit.EUR, Long.MAX_VALUE)))));
      assertEquals(before, ledgerOf(ADA).size());
      assertEquals(Points.of(10), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aRefundWhoseReasonIsNotWellFormedTextIsRefusedAndWritesNothing() {
      running(base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "10.00"))));
      int before = ledgerOf(ADA).size();
      Refund refund = Refund.ofAmount(key("pos-1"), aKey(), eur("1.00"));
      Refund malformed = new Refund(refund.original(), refund.key(), refund.returned(), "broken \uDC00 mug");
      assertEquals("reason", assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.refund(malformed))).field());
      assertEquals(before, ledgerOf(ADA).size());
    }

    @Test
    void aRefundWhoseReasonHasANulIsRefusedAndWritesNothing() {
      running(base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "10.00"))));
      int before = ledgerOf(ADA).size();
      Refund refund = Refund.ofAmount(key("pos-1"), key("ret-1"), eur("1.00"));
      Refund withNul = new Refund(refund.original(), refund.key(), refund.returned(), "broken\u0000mug");
      assertEquals("reason", assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.refund(withNul))).field());
      assertEquals(before, ledgerOf(ADA).size());
      assertTrue(store.idempotencyRecord(key("ret-1")).isEmpty());
    }

    @Test
    void aCreditWhoseDetailsImitateAPurchaseIsNotRefundable() {
      running(base());
      for (io.vavr.collection.TreeMap<String, String> facts : List.of(
          io.vavr.collection.TreeMap.of("purchase.net", "1000", "purchase.spend", "1000"),
          io.vavr.collection.TreeMap.of("purchase.net", "lots", "purchase.spend", "1000"),
          io.vavr.collection.TreeMap.of("purchase.net", "1000", "purchase.spend", "1000", "rule.x", "EARN;1"))) {
        IdempotencyKey credited = aKey();
        accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(10), "goodwill", credited)
            .explainedBy(List.of("x"), facts)));
        int before = ledgerOf(ADA).size();
        assertEquals(new LoyaltyError.PurchaseNotFound(credited),
            refused(loyalty.refund(Refund.ofAmount(credited, aKey(), eur("1.00")))), facts.toString());
        assertEquals(before, ledgerOf(ADA).size());
      }
    }

    /**
     * A credit's details are taken at their word, as a migration writes an earlier system's awards
     * (ADR 0005, amendment on credit details): one carrying a custom event's {@code event.type} is
     * refused by a refund or reassignment under its key as an event's is, with the advice that
     * takes any credit's points back (reverse), and writes nothing; the advice works.
     */
    @Test
    void aCreditCarryingAnEventTypeIsRefusedAsAnEventsKeyByRefundAndReassignWhoseAdviceTakesItBack() {
      running(base());
      IdempotencyKey credited = key("migrated-review-1");
      Receipt credit = accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(25), "Review (migrated)",
          credited).explainedBy(List.empty(), io.vavr.collection.TreeMap.of("event.type", "review.written"))));
      int before = ledgerOf(ADA).size();

      LoyaltyError.InvalidRequest refund = assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.refund(Refund.ofAmount(credited, aKey(), eur("1.00")))));
      LoyaltyError.InvalidRequest reassign = assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.reassign(io.github.loyaltyledger.Reassignment.of(aPurchaseOf(ADA, "10.00", credited), BOB, aKey()))));

      assertEquals("original", refund.field());
      assertEquals("purchase", reassign.field());
      assertTrue(refund.reason().contains("reverse") && refund.reason().contains(credit.entries().head().id().toString()),
          refund.reason());
      assertEquals(before, ledgerOf(ADA).size());
      accepted(loyalty.reverse(io.github.loyaltyledger.Reversal.of(credit.entries().head().id(), "migrated in error", aKey())));
      assertEquals(Points.ZERO, loyalty.balance(ADA).get().total());
    }

    @Test
    void aCreditImitatingAPurchaseWhoseGrossBasketIsNoWholeNumberOfMinorUnitsIsNotRefundableRatherThanThrowing() {
      running(base());
      // The breakdown of a real purchase, so that only the gross basket is not what earn writes.
      String rule = accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1")))).entries().head().details()
          .get("rule.base").get();
      for (String gross : List.of("lots", "-500", "99999999999999999999")) {
        IdempotencyKey credited = aKey();
        accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(10), "goodwill", credited)
            .explainedBy(List.of("base"), io.vavr.collection.TreeMap.of("purchase.net", "1000", "purchase.spend", "1000",
                "purchase.spend.gross", gross, "rule.base", rule))));
        int before = ledgerOf(ADA).size();
        assertEquals(new LoyaltyError.PurchaseNotFound(credited),
            refused(loyalty.refund(Refund.ofAmount(credited, aKey(), eur("1.00")))), gross);
        assertEquals(before, ledgerOf(ADA).size());
      }
    }

    @Test
    void refundingMoreThanWasBoughtIsRefusedAndWritesNothing() {
      running(base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 2, "10.00"))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("15.00"))));
      int before = ledgerOf(ADA).size();
      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("5.01")))));
      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 3)))));
      assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("Z", 1)))));
      assertInstanceOf(LoyaltyError.PurchaseNotFound.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-404"), aKey(), eur("1.00")))));
      assertInstanceOf(LoyaltyError.CurrencyMismatch.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), Money.of(CurrencyUnit.USD, 1)))));
      assertEquals(before, ledgerOf(ADA).size());
    }

    @Test
    void aSkuNamedOnTwoLinesOfOneRefundCountsAllItsUnitsAgainstWhatWasBought() {
      running(base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 3, "10.00"), line("B", 1, "10.00"))));
      accepted(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 1), new ReturnedLine("A", 2))));
      int before = ledgerOf(ADA).size();
      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 1)))));
      assertEquals(before, ledgerOf(ADA).size());
      assertEquals(Points.of(10), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aReturnSentAgainWithItsLinesInAnotherOrderOrASkusUnitsSplitOtherwiseReplaysTheFirstResult() {
      running(base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 3, "10.00"), line("B", 2, "5.00"),
          line("C", 1, "1.00"))));
      Receipt first = accepted(loyalty.refund(Refund.ofLines(key("pos-1"), key("ret-1"), new ReturnedLine("A", 2),
          new ReturnedLine("B", 1))));
      List<Entry> before = ledgerOf(ADA);

      // A till that lists the lines in another order, or the units of A on two lines, sends the same return.
      assertEquals(first, accepted(loyalty.refund(Refund.ofLines(key("pos-1"), key("ret-1"), new ReturnedLine("B", 1),
          new ReturnedLine("A", 2)))));
      assertEquals(first, accepted(loyalty.refund(Refund.ofLines(key("pos-1"), key("ret-1"), new ReturnedLine("A", 1),
          new ReturnedLine("B", 1), new ReturnedLine("A", 1)))));

      assertEquals(before, ledgerOf(ADA));
      for (Refund other : List.of(
          Refund.ofLines(key("pos-1"), key("ret-1"), new ReturnedLine("B", 2), new ReturnedLine("A", 1)),
          Refund.ofLines(key("pos-1"), key("ret-1"), new ReturnedLine("B", 1), new ReturnedLine("A", 2),
              new ReturnedLine("C", 1)),
          Refund.ofLines(key("pos-1"), key("ret-1"), new ReturnedLine("A", 2)))) {
        assertEquals(new LoyaltyError.IdempotencyConflict(key("ret-1")), refused(loyalty.refund(other)), other.toString());
      }
      assertEquals(before, ledgerOf(ADA));
    }

    @Test
    void aFreeLineReturnedAfterThePaidOnesTakesTheVisitBackOnlyOnce() {
      running(base(), FirstPurchaseBonus.of("welcome", 50));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "10.00"), line("GIFT", 1, "0.00"))));
      assertEquals(-(10 + 50), returning("A", 1));
      assertEquals(0, returning("GIFT", 1));
      assertAllTakenBack(ADA);
    }

    @Test
    void aFullReturnOfAPurchaseOfFreeItemsTakesBackItsBonusAndItsVisit() {
      running(base(), FirstPurchaseBonus.of("welcome", 50));
      assertEquals(50, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("SAMPLE", 1, "0.00"))))
          .netPoints().value());
      assertEquals(-50, returning("SAMPLE", 1));
      assertEquals(Balance.EMPTY, balanceOf(loyalty, ADA));
      assertEquals(0, sum(ledgerOf(ADA), "qualifying.visit"));
    }

    @Test
    void aPurchaseOfFreeItemsIsReturnedInFullOnlyByTheRefundBringingBackItsLastUnit() {
      running(base(), FirstPurchaseBonus.of("welcome", 50), UnitBonus.of("samples", "SAMPLE", 10));
      assertEquals(50 + 30, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("SAMPLE", 3, "0.00"), line("CARD", 1, "25.00").ofKind(LineKind.GIFT_CARD)))).netPoints().value());
      assertEquals(-10, returning("SAMPLE", 1), "two samples kept: one unit's bonus goes, the visit and the welcome bonus stay");
      assertEquals(1, sum(ledgerOf(ADA), "qualifying.visit"));
      assertEquals(0, returning("CARD", 1), "a gift card returns no unit of the free items");
      assertEquals(-10, returning("SAMPLE", 1));
      assertEquals(1, sum(ledgerOf(ADA), "qualifying.visit"));
      assertEquals(-(10 + 50), returning("SAMPLE", 1));
      assertAllTakenBack(ADA);
      assertOneMoreUnitIsRefused("SAMPLE", "3");
    }

    @Test
    void eachRefundReversalRecordsTheRulesItTakesBackInTheAwardsOrderAndTheProgramVersionInForce() {
      running(base(), Multiplier.onSkus("double-beans", "2", "1", "BEANS").with(RuleTerms.DEFAULT.asBonus()),
          BasketThreshold.of("fifty", eur("50.00"), 100).with(RuleTerms.DEFAULT.asBonus()));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 2, "20.00"), line("MUG", 1, "20.00"))));
      assertEquals(List.of(List.of("base"), List.of("double-beans", "fifty")), bought.entries().map(Entry::ruleIds));
      Loyalty later = Fixtures.aLoyalty(store, clock, loyalty.program().toBuilder().version(2).build());
      Receipt refunded = accepted(later.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("MUG", 1))));
      assertEquals(bought.entries().map(e -> Option.some(e.id())), refunded.entries().map(Entry::reference));
      assertEquals(bought.entries().map(Entry::ruleIds), refunded.entries().map(Entry::ruleIds));
      for (Entry reversal : refunded.entries()) {
        assertEquals(2, reversal.programVersion());
        assertEquals(reversal.ruleIds().map(id -> "refund.rule." + id).toSet(),
            reversal.details().keySet().filter(k -> k.startsWith("refund.rule.")).toSet());
      }
      assertTrue(accepted(later.verify(ADA)).isIntact());
    }

    @Test
    void returningEveryGiftCardOfAPurchaseOfGiftCardsAloneTakesBackItsVisitBonusesAndItsVisit() {
      running(base(), FirstPurchaseBonus.of("welcome", 50));
      assertEquals(50, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("CARD", 2, "25.00").ofKind(LineKind.GIFT_CARD)))).netPoints().value());
      assertEquals(0, returning("CARD", 1), "one card of two kept: the visit stands");
      assertEquals(1, sum(ledgerOf(ADA), "qualifying.visit"));
      assertEquals(-50, returning("CARD", 1));
      assertAllTakenBack(ADA);
      assertOneMoreUnitIsRefused("CARD", "2");
    }

    @Test
    void aGiftCardReturnedWithAnEarningPurchaseCountsItsUnitsAndLeavesTheEarningReturnAsItWas() {
      running(base(), FirstPurchaseBonus.of("welcome", 50));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "10.00"),
          line("CARD", 1, "25.00").ofKind(LineKind.GIFT_CARD))));
      assertEquals(0, returning("CARD", 1));
      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("CARD", 1)))));
      assertEquals(-(10 + 50), returning("A", 1));
      assertEquals(Balance.EMPTY, balanceOf(loyalty, ADA));
      assertEquals(0, sum(ledgerOf(ADA), "qualifying.visit"));
    }

    @Test
    void everyUnitOfASkuSoldBothAsGoodsAndAsAGiftCardCanBeReturnedTheGoodsFirst() {
      running(base(), FirstPurchaseBonus.of("welcome", 50));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("CARD", 1, "10.00"),
          line("CARD", 2, "25.00").ofKind(LineKind.GIFT_CARD))));
      assertEquals(-(10 + 50), returning("CARD", 1), "the unit that earned comes back first");
      assertEquals(0, returning("CARD", 2));
      assertEquals(Balance.EMPTY, balanceOf(loyalty, ADA));
      List<Entry> ledger = ledgerOf(ADA);
      assertEquals(0, sum(ledger, "qualifying.visit"));
      assertEquals(0, sum(ledger, "qualifying.spend"));
      int before = ledger.size();
      assertEquals(new LoyaltyError.RefundExceedsPurchase(key("pos-1"), "CARD", "3", "3", "1"),
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("CARD", 1)))));
      assertEquals(before, ledgerOf(ADA).size());
    }

    @Test
    void aFreeItemAlsoSoldAsADepositIsReturnedItsFreeUnitsFirstAndTakesBackNoMoreThanItEarned() {
      running(base(), FirstPurchaseBonus.of("welcome", 50), UnitBonus.of("cup", "CUP", 10));
      assertEquals(50 + 20, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("CUP", 2, "0.00"),
          line("CUP", 2, "0.50").ofKind(LineKind.DEPOSIT)))).netPoints().value());
      assertEquals(-10, returning("CUP", 1), "one free cup of two");
      assertEquals(-(10 + 50), returning("CUP", 2), "the last free cup, then a deposit, which returns nothing");
      assertEquals(0, returning("CUP", 1), "the last deposit");
      assertAllTakenBack(ADA);
    }

    @Test
    void aGiftCardReturnedFromAPurchaseOfFreeItemsLeavesItsReturnToTheFreeItems() {
      running(base(), FirstPurchaseBonus.of("welcome", 50));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("SAMPLE", 1, "0.00"),
          line("CARD", 1, "25.00").ofKind(LineKind.GIFT_CARD))));
      assertEquals(0, returning("CARD", 1), "the free sample is kept");
      assertEquals(1, sum(ledgerOf(ADA), "qualifying.visit"));
      assertEquals(-50, returning("SAMPLE", 1));
      assertEquals(Balance.EMPTY, balanceOf(loyalty, ADA));
      assertEquals(0, sum(ledgerOf(ADA), "qualifying.visit"));
    }

    @Test
    void aPluginsThresholdBeyondALongOfMinorUnitsIsNeverReachedSoTheFirstRefundTakesItsAwardBack() {
      running(base(), plugin("unreachable", "10 points while the basket stays at an unreachable amount",
          RuleTerms.DEFAULT.asBonus(), new Evaluation.Award(java.math.BigDecimal.TEN, "an unreachable basket",
              Clawback.whileBasketAtLeast(Money.of(CurrencyUnit.EUR, new java.math.BigDecimal("1E+18"))))));
      assertEquals(60 + 10, accepted(loyalty.earn(aPurchaseOf(ADA, "60.00", key("pos-1")))).netPoints().value());
      assertEquals(-(1 + 10), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("1.00")))).netPoints().value());
      assertEquals(Points.of(59), balanceOf(loyalty, ADA).available());
      assertEquals(-59, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("59.00")))).netPoints().value());
      assertEquals(Balance.EMPTY, balanceOf(loyalty, ADA));
    }

    @Test
    void aPluginsThresholdOfNothingKeepsItsAwardUntilTheFullReturnWhichTakesItBackWithItsQualifyingPoints() {
      running(base(), plugin("any-basket", "10 points on any basket", RuleTerms.DEFAULT.asBonus(),
          new Evaluation.Award(java.math.BigDecimal.TEN, "any basket", Clawback.whileBasketAtLeast(eur("0.00")))));
      assertEquals(60 + 10, accepted(loyalty.earn(aPurchaseOf(ADA, "60.00", key("pos-1")))).netPoints().value());
      assertEquals(-59, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("59.00")))).netPoints().value());
      // Nothing is kept: a returned purchase earned nothing, whatever the threshold its rule set.
      assertEquals(-(1 + 10), accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("1.00")))).netPoints().value());
      assertAllTakenBack(ADA);
    }

    @Test
    void anOverReturnIsRefusedWithWhatIsLeftToReturnSoATillNeedNotWorkItOut() {
      running(base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 3, "10.00"), line("B", 1, "6.00"),
          line("CARD", 2, "25.00").ofKind(LineKind.GIFT_CARD))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("7.50"))));
      accepted(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 1))));
      int before = ledgerOf(ADA).size();
      LoyaltyError.RefundExceedsPurchase amount = (LoyaltyError.RefundExceedsPurchase)
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00"))));
      // 36.00 of net, 7.50 and then a third of the 23.75 of A's net that the amount left back: 20.59 left.
      assertEquals("EUR 20.59", amount.left());
      assertEquals(new LoyaltyError.RefundExceedsPurchase(key("pos-1"), "amount", "EUR 36.00", "EUR 15.41", "EUR 30.00"),
          amount);
      LoyaltyError.RefundExceedsPurchase units = (LoyaltyError.RefundExceedsPurchase)
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 3))));
      assertEquals("2", units.left());
      assertEquals("Transaction 'pos-1' bought 3 of A, 1 already returned, so 3 cannot be returned. Refund at most the 2"
          + " of A left.", units.message());
      accepted(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("CARD", 2))));
      LoyaltyError.RefundExceedsPurchase none = (LoyaltyError.RefundExceedsPurchase)
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("CARD", 1))));
      assertEquals("0", none.left());
      assertEquals("Transaction 'pos-1' bought 2 of CARD, 2 already returned, so 1 cannot be returned. Nothing of CARD"
          + " is left to return.", none.message());
      assertEquals(before + 1, ledgerOf(ADA).size(), "only the gift cards' return was written");
      // What is left is money as Money writes it: a till can refund it as it is.
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), Money.parse(amount.left()))));
      assertEquals(Balance.EMPTY, balanceOf(loyalty, ADA));
    }

    @Test
    void anOverReturnBuiltWithoutWhatIsLeftWorksItOutFromWhatWasBoughtAndReturned() {
      IdempotencyKey original = key("pos-1");
      assertEquals("EUR 5.00", new LoyaltyError.RefundExceedsPurchase(original, "amount", "EUR 20.00", "EUR 15.00",
          "EUR 5.01").left());
      assertEquals("JPY 60", new LoyaltyError.RefundExceedsPurchase(original, "amount", "JPY 100", "JPY 40", "JPY 61").left());
      assertEquals("0", new LoyaltyError.RefundExceedsPurchase(original, "A", "2", "2", "1").left());
      assertEquals("Transaction 'pos-1' bought EUR 20.00 of earning lines (net), EUR 20.00 already returned, so EUR 0.01"
          + " cannot be returned. No amount is left to return.", new LoyaltyError.RefundExceedsPurchase(original, "amount",
              "EUR 20.00", "EUR 20.00", "EUR 0.01").message());
      // Figures it cannot subtract leave it empty, and the message as it was.
      LoyaltyError.RefundExceedsPurchase unknown = new LoyaltyError.RefundExceedsPurchase(original, "amount", "EUR 20.00",
          "USD 1.00", "EUR 30.00");
      assertEquals("", unknown.left());
      assertEquals("Transaction 'pos-1' bought EUR 20.00 of earning lines (net), USD 1.00 already returned, so EUR 30.00"
          + " cannot be returned. Refund at most what is left.", unknown.message());
    }

    @Test
    void anOverReturnIsRefusedWithTheAmountsInMoneyAndTheUnitsOfTheSku() {
      running(base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 2, "10.00"))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("15.00"))));
      LoyaltyError tooMuch = refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("5.01"))));
      assertEquals(new LoyaltyError.RefundExceedsPurchase(key("pos-1"), "amount", "EUR 20.00", "EUR 15.00", "EUR 5.01"),
          tooMuch);
      assertEquals("Transaction 'pos-1' bought EUR 20.00 of earning lines (net), EUR 15.00 already returned, so EUR 5.01"
          + " cannot be returned. Refund at most the EUR 5.00 left.", tooMuch.message());
      assertEquals("Transaction 'pos-1' bought 2 of A, 0 already returned, so 3 cannot be returned. Refund at most the 2"
          + " of A left.", refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 3)))).message());
      assertEquals(new LoyaltyError.RefundExceedsPurchase(key("pos-1"), "A", "2", "0", "3"),
          refused(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 3)))));
      assertEquals(new LoyaltyError.RefundExceedsPurchase(key("pos-1"), "amount", "EUR 20.00", "EUR 15.00",
          "EUR 100000000000000000.00"),
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("100000000000000000.00")))));
      // A unit bought is never too much to return: after the amount it brings back what is left of its net.
      assertEquals(-2, returning("A", 1));
      assertEquals(-3, returning("A", 1));
      assertOneMoreUnitIsRefused("A", "2");
    }

    @Test
    void pendingPointsOfThePurchaseAreTakenBackFirst() {
      running(base().with(RuleTerms.DEFAULT.vestingAfter(Duration.ofDays(14))));
      accepted(loyalty.earn(aPurchaseOf(ADA, "20.00", aKey())));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "30.00"))));
      Receipt r = accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.00"))));
      assertEquals(new Balance(Points.ZERO, Points.of(40), Points.ZERO), r.balance());
    }

    @Test
    void pointsAlreadySpentFollowTheNegativeBalancePolicy() {
      running(NegativeBalancePolicy.ALLOW_NEGATIVE, base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "30.00"))));
      accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(25), "coffee", aKey())));
      Receipt r = accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00"))));
      assertEquals(Points.of(-25), r.balance().available());
    }

    @Test
    void aRefusingPolicyRefusesTheRefundOfSpentPoints() {
      running(NegativeBalancePolicy.REFUSE, base());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "30.00"))));
      accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(25), "coffee", aKey())));
      assertInstanceOf(LoyaltyError.InsufficientPoints.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00")))));
    }

    @Test
    void pointsOfThePurchaseThatExpiredUnusedAreNotTakenBackAgainButThoseSpentAre() {
      running(base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "30.00"))));
      accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(10), "coffee", aKey())));
      clock.advance(Duration.ofDays(31));
      assertEquals(Points.of(-20), accepted(loyalty.expire(ADA, clock.instant(), aKey())).entries().single().points());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-2"), clock.instant(), line("B", 1, "40.00"))));
      Receipt refunded = accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00"))));
      // The 10 spent are taken back; the 20 that expired unused were lost once already.
      assertEquals(-10, refunded.netPoints().value());
      assertEquals(Points.of(30), refunded.balance().available());
      Entry reversal = refunded.entries().single();
      assertEquals(Option.some("30"), reversal.details().get("refund.rule.base"));
      assertEquals(Option.some("20"), reversal.details().get("refund.expired"));
      assertEquals(Option.none(), reversal.details().get("shortfall"));
      // The purchase's qualifying credit goes in full: the points were earned, whatever became of them.
      assertEquals(0, sum(ledgerOf(ADA).filter(e -> !e.idempotencyKey().equals(key("pos-2"))), "qualifying.points"));
      assertEquals(bought.netPoints().value(), -Long.parseLong(reversal.details().get("qualifying.points").get()));
    }

    @Test
    void pointsOfThePurchaseGivenBackToAGraceLotAfterItsLotExpiredAndExpiredThereUnusedAreNotTakenBackAgain() {
      running(NegativeBalancePolicy.REFUSE, base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "30.00"))));
      Receipt coffee = accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(10), "coffee", aKey())));
      clock.advance(Duration.ofDays(31));
      assertEquals(Points.of(-20), accepted(loyalty.expire(ADA, clock.instant(), aKey())).entries().single().points());
      // The coffee is cancelled after the lot expired: its 10 points go to a grace lot, where they expire unused too.
      accepted(loyalty.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));
      clock.advance(Duration.ofDays(31));
      assertEquals(Points.of(-10), accepted(loyalty.expire(ADA, clock.instant(), aKey())).entries().single().points());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-2"), clock.instant(), line("B", 1, "40.00"))));

      Receipt refunded = accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00"))));

      // All 30 expired unused, 20 in the purchase's lot and 10 in the grace lot: nothing is taken from pos-2's.
      assertEquals(0, refunded.netPoints().value());
      assertEquals(Option.some("30"), refunded.entries().single().details().get("refund.expired"));
      assertEquals(Points.of(40), refunded.balance().available());
    }

    @Test
    void aPartialRefundTakesAnAwardsOwnPointsFromTheGraceLotSoTheRestOfTheReturnTakesNothingOnceTheyExpired() {
      running(NegativeBalancePolicy.REFUSE, base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))),
          FirstPurchaseBonus.of("welcome", 20).with(RuleTerms.DEFAULT.asBonus().expiringAfter(Period.ofDays(15))));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 2, "15.00"))));
      // The coffee takes the welcome bonus's 20, then the base rate's 30; cancelled once both lots
      // expired, all 50 go to one grace lot, the welcome bonus's first.
      Receipt coffee = accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(50), "coffee", aKey())));
      clock.advance(Duration.ofDays(31));
      accepted(loyalty.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));
      // Half the base rate comes back while the grace lot is alive: its own points there, not the bonus's.
      assertTheRestOfTheReturnTakesNothingOnceTheGracePointsExpired();
    }

    @Test
    void aPartialRefundTakesAnAwardsOwnPointsFromItsGraceLotBeforeThoseOfALotThatExpiresSooner() {
      running(NegativeBalancePolicy.REFUSE, base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))),
          FirstPurchaseBonus.of("welcome", 20).with(RuleTerms.DEFAULT.asBonus().expiringAfter(Period.ofDays(15))));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 2, "15.00"))));
      // The coffee takes the bonus's 20 after its lot expired (not yet written off), then the base
      // rate's 30; cancelled once the base rate's lot expired too, the bonus's go back to its lot
      // (no grace for points taken late) and the base rate's to a grace lot expiring later.
      clock.advance(Duration.ofDays(16));
      Receipt coffee = accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(50), "coffee", aKey())));
      clock.advance(Duration.ofDays(15));
      accepted(loyalty.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));
      // Half the base rate comes back: its own points in the grace lot, not the bonus's in its lot.
      assertTheRestOfTheReturnTakesNothingOnceTheGracePointsExpired();
    }

    /**
     * For pos-1 (two units of A, 30 base points and a 20-point bonus, all spent and given back late):
     * returning one unit takes 15 of the base rate's own points; once the other 35 expired, a purchase
     * later, returning the other unit takes nothing from that purchase's points.
     */
    private void assertTheRestOfTheReturnTakesNothingOnceTheGracePointsExpired() {
      assertEquals(-15, returning("A", 1));
      clock.advance(Duration.ofDays(31));
      assertEquals(Points.of(-35), accepted(loyalty.expire(ADA, clock.instant(), aKey())).entries().single().points());
      accepted(loyalty.earn(aPurchase(ADA, key("pos-2"), clock.instant(), line("B", 1, "40.00"))));

      Receipt refunded = accepted(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 1))));

      // The other 15 of the base rate and the whole bonus expired unused: nothing is taken from pos-2's.
      assertEquals(0, refunded.netPoints().value());
      assertEquals(Points.of(40), refunded.balance().available());
      assertEquals(35, sum(refunded.entries(), "refund.expired"));
    }

    @Test
    void underClampARefundNeedingPointsOfThePurchaseThatAHoldTookFromAGraceLotWaitsForTheHoldInsteadOfForgivingThem() {
      running(NegativeBalancePolicy.CLAMP, base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))));
      Entry award = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "30.00"))))
          .entries().single();
      Receipt coffee = accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(30), "coffee", aKey())));
      clock.advance(Duration.ofDays(31));
      // Cancelled after the lot expired: the 30 go to a grace lot, still the purchase's; the till holds 20 of them.
      accepted(loyalty.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));
      io.github.loyaltyledger.redemption.Hold hold = accepted(loyalty.authorize(io.github.loyaltyledger.redemption
          .Authorization.points(ADA, Points.of(20), Duration.ofMinutes(15), Channel.store("S-1"), aKey())));

      LoyaltyError error = refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00"))));

      // Clamped, the 20 would be forgiven as spent, and the void would give them back for the member to keep.
      assertEquals(new LoyaltyError.PointsOnHold(award.id(), Points.of(20), List.of(hold.id())), error);
      assertTrue(error.message().contains("then send the reversal or refund again"), error.message());
      accepted(loyalty.voidHold(hold.id(), "customer left", aKey()));
      assertEquals(-30, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("30.00")))).netPoints().value());
      assertEquals(Balance.EMPTY, balanceOf(loyalty, ADA));
    }

    @Test
    void aRefundTakesEachAwardsOwnPointsInGraceLotsAsTheAwardsItReversedBeforeLeftThem() {
      running(NegativeBalancePolicy.REFUSE, base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))),
          UnitBonus.of("extra", "A", 25).with(RuleTerms.DEFAULT.asBonus().expiringAfter(Period.ofDays(15))));
      accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(1000), "gift", aKey())));
      List<Entry> awards = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 2, "50.00"))))
          .entries();
      Entry base = awards.find(e -> e.kind() == EntryKind.EARN).get();
      Entry extra = awards.find(e -> e.kind() == EntryKind.BONUS).get();
      EntryId gift = accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(40), "gift", aKey())
          .expiringAt(clock.instant().plus(Duration.ofDays(20))))).entries().single().id();
      // Spent soonest-expiring first: 20 of the bonus's 50; its other 30 and the gift's 40; 10 of the base rate's.
      Receipt tea = accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(20), "tea", aKey())));
      Receipt coffee = accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(70), "coffee", aKey())));
      accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(10), "cake", aKey())));
      clock.advance(Duration.ofDays(21));
      // Cancelled once the lots expired: a grace lot with the bonus's 30 and the gift's 40, then one with its 20.
      EntryId first = accepted(loyalty.cancelRedemption(coffee.entries().single().id(), "not served", aKey()))
          .entries().single().id();
      clock.advance(Duration.ofDays(1));
      EntryId second = accepted(loyalty.cancelRedemption(tea.entries().single().id(), "not served", aKey()))
          .entries().single().id();
      clock.advance(Duration.ofDays(9));
      assertEquals(Points.of(-90), accepted(loyalty.expire(ADA, clock.instant(), aKey())).entries().single().points());

      // Half comes back. The base rate's 10 spent are taken from the member's other points, the
      // soonest-expiring: the first grace lot, 10 of the bonus's points there. The bonus's 25 are
      // then its own: the 20 left of it in the first grace lot and 5 in the second, not the gift's.
      assertEquals(-35, returning("A", 1));

      SortedMap<EntryId, IssuedPoints> issued = Insights.issuedPointsOf(store, ADA);
      assertEquals(TreeMap.of(second, Points.of(15)), issued.get(extra.id()).get().inGraceLots());
      assertEquals(TreeMap.of(first, Points.of(40)), issued.get(gift).get().inGraceLots());
      assertEquals(TreeMap.empty(), issued.get(base.id()).get().inGraceLots());
      clock.advance(Duration.ofDays(31));
      accepted(loyalty.expire(ADA, clock.instant(), aKey()));
      // The gift's 40 expired unused in the grace lot: its reversal takes nothing from the member.
      assertEquals(Points.ZERO, accepted(loyalty.reverse(io.github.loyaltyledger.Reversal.of(gift, "by mistake", aKey())))
          .netPoints());
      // The rest of the return: the bonus's 15 expired unused, the 10 the base rate's refund took were spent.
      assertEquals(-10, returning("A", 1));
    }

    @Test
    void underClampARefundWaitsForAHoldWhoseVoidGivesBackAnAwardsPointsThatTheRefundTookForAnotherAward() {
      running(NegativeBalancePolicy.CLAMP, base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))),
          UnitBonus.of("extra", "A", 25).with(RuleTerms.DEFAULT.asBonus().expiringAfter(Period.ofDays(60))));
      List<Entry> awards = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 2, "50.00"))))
          .entries();
      Entry extra = awards.find(e -> e.kind() == EntryKind.BONUS).get();
      accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(30), "gift", aKey())));
      // The till holds 80 of the base rate's 100, whose lot expires first.
      io.github.loyaltyledger.redemption.Hold hold = accepted(loyalty.authorize(io.github.loyaltyledger.redemption
          .Authorization.points(ADA, Points.of(80), Duration.ofMinutes(15), Channel.store("S-1"), aKey())));

      // The base rate's reversal takes its 20 left and, in place of the 80 held, the bonus's 50 and
      // the gift's 30; the bonus's 50 are then held in substance: the void would give them back to its lot.
      LoyaltyError error = refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("100.00"))));

      assertEquals(new LoyaltyError.PointsOnHold(extra.id(), Points.of(80), List.of(hold.id())), error);
      accepted(loyalty.voidHold(hold.id(), "customer left", aKey()));
      assertEquals(-150, accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("100.00")))).netPoints().value());
      assertEquals(new Balance(Points.of(30), Points.ZERO, Points.ZERO), balanceOf(loyalty, ADA));
    }

    @Test
    void aRefundAfterAllThePurchasesPointsExpiredTakesNothingEvenUnderARefusingPolicy() {
      running(NegativeBalancePolicy.REFUSE, base().with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))));
      accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 2, "15.00"))));
      accepted(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 1))));
      clock.advance(Duration.ofDays(31));
      assertEquals(Points.of(-15), accepted(loyalty.expire(ADA, clock.instant(), aKey())).entries().single().points());
      Receipt refunded = accepted(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), new ReturnedLine("A", 1))));
      assertEquals(0, refunded.netPoints().value());
      assertEquals(Option.some("15"), refunded.entries().single().details().get("refund.expired"));
      assertEquals(Balance.EMPTY, refunded.balance());
      List<Entry> ledger = ledgerOf(ADA);
      assertEquals(0, sum(ledger, "qualifying.points"));
      assertEquals(0, sum(ledger, "qualifying.spend"));
      assertEquals(0, sum(ledger, "qualifying.visit"));
    }

    @Test
    void aRefusedRefundReportsTheMembersAvailablePointsAndAllThePointsTheRefundNeeds() {
      running(NegativeBalancePolicy.REFUSE, base(), BasketThreshold.of("fifty", eur("50.00"), 100));
      assertEquals(60 + 100, accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "60.00"))))
          .netPoints().value());
      accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ADA, Points.of(150), "coffee", aKey())));
      int before = ledgerOf(ADA).size();
      LoyaltyError error = refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("60.00"))));
      assertEquals(new LoyaltyError.InsufficientPoints(ADA, Points.of(10), Points.of(160)), error);
      assertEquals(before, ledgerOf(ADA).size());
      // A refund cannot ask for fewer points: the message says what else to do.
      assertTrue(error.message().contains("send the request again once the member has enough (a reversal or refund"
          + " refused under the REFUSE negative-balance policy"), error.message());
    }

    /**
     * A web shop's basket of 20,000 lines, returned line by line in one refund, takes back half of
     * every line's points. The return used to look, for each SKU bought, through every line
     * returned (time growing with the square of the lines: some four minutes for 100,000); it now
     * adds up the units per SKU once. Tests assert no timings: this one pins the result of a large
     * return, and the suite's run time shows a return of the old shape.
     */
    @Test
    void aReturnOfTwentyThousandLinesTakesBackHalfOfEachLine() {
      running(base(), Multiplier.onSkus("double-beans", "2", "1", "S0").with(RuleTerms.DEFAULT.asBonus()));
      int lines = 20_000;
      List<LineItem> basket = List.range(0, lines).map(i -> line("S" + i, 2, "1.00"));
      accepted(loyalty.earn(new Purchase(ADA, key("pos-1"), clock.instant(), Channel.store("S-1"), basket.head().unitPrice()
          .getCurrencyUnit(), basket, eur("0.00"))));
      List<ReturnedLine> half = List.range(0, lines).map(i -> new ReturnedLine("S" + i, 1));
      Receipt returned = accepted(loyalty.refund(Refund.ofLines(key("pos-1"), aKey(), half)));
      // Half of every line: half of the base points on 40,000.00 and half of the double on S0.
      assertEquals(-(20_000 + 1), returned.netPoints().value());
    }
  }

  @Nested
  class Explanations {
    @Test
    void anOutcomeSurvivesTheRoundTripThroughEntryDetailsWhateverItsTexts() {
      RuleOutcome o = new RuleOutcome("odd", 4, "50% off; really", EntryKind.BONUS, Points.of(12), Points.of(5),
          "a;b%3B", Option.some(new Reason(Reason.Code.CAPPED_PER_PERIOD, "points;", "%", "")),
          Clawback.whileBasketAtLeast(eur("50.00")), false, Option.none(), Option.none());
      assertEquals(Option.some(o), RuleOutcome.fromDetails("odd", 4, o.details(), Option.none(), Option.none()));
    }

    @Test
    void aCreditWhoseOwnRuleDetailIsNoOutcomeKeepsItsStatementAndExplanationReadable() {
      running(base());
      accepted(loyalty.earn(aPurchaseOf(ADA, "12.00", key("pos-1"))));
      for (String fact : List.of("free text", "EARN;1;1;PROPORTIONAL;true;d;e;CAPPED_PER_PERIOD", "EARN;x;1;PROPORTIONAL;true;d;e",
          "EARN;1;1;THRESHOLD;true;d;e", "EARN;1;1;THRESHOLD EUR 1.001;true;d;e", "BONUS;1;1;PROPORTIONAL;true;d;e;NOPE;s;o;x")) {
        accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(ADA, Points.of(5), "Goodwill", aKey())
            .explainedBy(List.of("promo"), io.vavr.collection.TreeMap.of(EarnQuote.RULES_KEY, "promo", "rule.promo", fact))));
        assertEquals(Option.none(), RuleOutcome.fromDetails("promo", 1, ledgerOf(ADA).last().details(), Option.none(), Option.none()));
      }
      io.github.loyaltyledger.insight.Statement statement = accepted(loyalty.statement(ADA, Instant.parse(START),
          clock.instant().plusSeconds(1), Duration.ZERO));
      assertEquals(List.of(1, 0, 0, 0, 0, 0, 0), statement.lines().map(l -> l.breakdown().size()));
      assertEquals(Option.some(Points.of(12)), EarnQuote.fromEntries(ledgerOf(ADA)).map(EarnQuote::total));
      assertEquals(List.of(), EarnQuote.fromEntries(List.of(ledgerOf(ADA).last())).get().outcomes());
    }

    @Test
    void explainAnswersWhyATransactionEarnedWhatItDidFromTheLedgerAloneUnderALaterProgram() {
      running(base(), BasketThreshold.of("fifty", eur("50.00"), 100),
          EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40));
      Purchase bought = aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "60.00"));
      EarnQuote quoted = accepted(loyalty.quote(bought));
      accepted(loyalty.earn(bought));
      CustomEvent survey = CustomEvent.of(ADA, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(), Channel.app());
      EarnQuote surveyed = EarnQuote.fromEntries(accepted(loyalty.earn(survey)).entries()).get();
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("return-1"), eur("20.00"))));
      // The program has moved on: version 2 has no threshold bonus and no survey award.
      Loyalty later = Fixtures.aLoyalty(store, clock,
          loyalty.program().toBuilder().version(2).earnRules(RuleBook.of(base())).build());

      EarnQuote explained = accepted(later.explain(key("pos-1")));
      assertEquals(quoted, explained);
      assertEquals(List.of("base", "fifty", "survey"), explained.outcomes().map(RuleOutcome::ruleId));
      assertEquals(1, explained.outcome("fifty").get().programVersion());
      assertEquals(surveyed, accepted(later.explain(key("survey-1"))));
      for (String other : List.of("return-1", "pos-unknown")) {
        assertEquals(new LoyaltyError.PurchaseNotFound(key(other)), refused(later.explain(key(other))));
      }
    }

    @Test
    void aThresholdClawbackKeepsItsBaseInItsTextAndOlderTextsReadAsNet() {
      Clawback gross = Clawback.whileBasketAtLeast(eur("50.00"), AmountBase.GROSS);
      assertEquals("THRESHOLD EUR 50.00 GROSS", gross.toString());
      assertEquals(gross, Clawback.parse(gross.toString()));
      assertEquals(Clawback.whileBasketAtLeast(eur("50.00")), Clawback.parse("THRESHOLD EUR 50.00"));
      assertEquals(AmountBase.NET, Clawback.parse("THRESHOLD EUR 50.00").base());
      assertEquals(Clawback.proportional(), Clawback.parse("PROPORTIONAL"));
      assertThrows(IllegalArgumentException.class,
          () -> new Clawback(Clawback.Mode.PROPORTIONAL, Option.none(), AmountBase.GROSS));
    }

    @Test
    void aClawbackTextWithMoreDecimalsThanItsCurrencyHasIsRefusedAsAMalformedTextNamingIt() {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> Clawback.parse("THRESHOLD EUR 50.001"));
      assertTrue(refused.getMessage().contains("'THRESHOLD EUR 50.001'"), refused.getMessage());
    }

    @Test
    void aNegativeThresholdIsRefusedWhetherMadeOrReadBackFromText() {
      IllegalArgumentException made = assertThrows(IllegalArgumentException.class,
          () -> Clawback.whileBasketAtLeast(eur("-5.00")));
      assertTrue(made.getMessage().contains("EUR -5.00"), made.getMessage());
      IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
          () -> Clawback.parse("THRESHOLD EUR -5.00"));
      assertTrue(read.getMessage().contains("'THRESHOLD EUR -5.00'"), read.getMessage());
      assertEquals(Clawback.whileBasketAtLeast(eur("0.00")), Clawback.parse("THRESHOLD EUR 0.00"));
    }

    @Test
    void aClawbackBasedOnLinesKeepsThemInItsTextAndRefusesThemWithAnotherMode() {
      Clawback onBeans = Clawback.proportionalOn(List.of("MUG", "BEANS", "MUG"));
      assertEquals("PROPORTIONAL ON BEANS,MUG", onBeans.toString());
      assertEquals(onBeans, Clawback.parse(onBeans.toString()));
      assertTrue(Clawback.parse("PROPORTIONAL").basis().isEmpty(), "older texts are based on the whole basket");
      assertThrows(IllegalArgumentException.class, () -> Clawback.proportionalOn(List.empty()));
      assertThrows(IllegalArgumentException.class, () -> Clawback.proportionalOn(List.of("TWO WORDS")));
      assertThrows(IllegalArgumentException.class, () -> new Clawback(Clawback.Mode.FULL_REFUND, Option.none(),
          AmountBase.NET, io.vavr.collection.TreeSet.of("BEANS")));
      IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
          () -> Clawback.parse("FULL_REFUND ON BEANS"));
      assertTrue(read.getMessage().contains("'FULL_REFUND ON BEANS'"), read.getMessage());
    }

    @Test
    void aClawbackBasedOnLinesHasOneTextForOneBasisWhateverTheOrderOfTheSetItWasGivenSoOneAwardHasOneHash() {
      Clawback canonical = Clawback.proportionalOn(List.of("BEANS", "MUG"));
      // A plugin may hand the record a set sorted its own way: equal to the canonical one, so it must read the same.
      Clawback reversed = new Clawback(Clawback.Mode.PROPORTIONAL, Option.none(), AmountBase.NET,
          io.vavr.collection.TreeSet.of(java.util.Comparator.reverseOrder(), "BEANS", "MUG"));
      assertEquals(canonical, reversed);
      assertEquals("PROPORTIONAL ON BEANS,MUG", reversed.toString());
      assertEquals(canonical.hashCode(), reversed.hashCode());
      assertEquals(List.of("BEANS", "MUG"), reversed.basis().toList());
      // SKUs are matched as written, so SKUs differing in case are two lines' SKUs, both kept.
      assertEquals("PROPORTIONAL ON BEANS,beans", Clawback.proportionalOn(List.of("beans", "BEANS", "beans")).toString());
      // Posted by the engine, the award records the one text.
      running(base(), plugin("beans-promo", "10 on beans and mugs", RuleTerms.DEFAULT.asBonus(),
          Evaluation.award(10, "10 on beans and mugs").withClawback(reversed)));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "10.00"), line("MUG", 1, "30.00"))));
      assertTrue(bought.entries().last().details().get("rule.beans-promo").get().contains(";PROPORTIONAL ON BEANS,MUG;"),
          bought.entries().last().details().toString());
    }

    @Test
    void aClawbackBasedOnTheGrossOfItsLinesSaysSoInItsTextAndOnlyAClawbackNamingLinesOrAThresholdMeasuresGross() {
      Clawback onGross = new Clawback(Clawback.Mode.PROPORTIONAL, Option.none(), AmountBase.GROSS,
          io.vavr.collection.TreeSet.of("MUG", "BEANS"));
      assertEquals("PROPORTIONAL ON BEANS,MUG GROSS", onGross.toString());
      assertEquals(onGross, Clawback.parse(onGross.toString()));
      assertEquals(AmountBase.NET, Clawback.parse("PROPORTIONAL ON BEANS,MUG").base());
      assertThrows(IllegalArgumentException.class,
          () -> new Clawback(Clawback.Mode.PROPORTIONAL, Option.none(), AmountBase.GROSS));
      IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
          () -> Clawback.parse("PROPORTIONAL ON BEANS GROSS GROSS"));
      assertTrue(read.getMessage().contains("'PROPORTIONAL ON BEANS GROSS GROSS'"), read.getMessage());
    }

    @Test
    void aMultiplierMeasuredGrossRecordsItsLinesGrossSoTheLedgerAloneAnswersItsRefund() {
      runningAGrossDoubleOnCoffee();
      Purchase purchase = aPurchase(ADA, key("pos-1"), clock.instant(),
          line("BEANS", 1, "20.00").discounted(eur("18.00")).inCategories("coffee"), line("MUG", 1, "30.00"));
      EarnQuote quote = accepted(loyalty.quote(purchase));
      Receipt bought = accepted(loyalty.earn(purchase));
      assertTrue(bought.entries().last().details().get("rule.coffee-double").get().contains(";PROPORTIONAL ON BEANS GROSS;"));
      assertEquals(Option.some("2000"), bought.entries().head().details().get("purchase.gross.BEANS"));
      assertEquals(Option.none(), bought.entries().head().details().get("purchase.spend.gross"),
          "the gross basket is a threshold's");
      assertEquals(quote, accepted(loyalty.explain(key("pos-1"))), "the quote is what is posted");
    }

    @Test
    void aRefundedAwardCannotBeReversedByHandNorAReversedOneRefunded() {
      running(base(), BasketThreshold.of("fifty", eur("50.00"), 100));
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "60.00"))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("1.00"))));
      assertInstanceOf(LoyaltyError.AlreadyReversed.class, refused(loyalty.reverse(
          io.github.loyaltyledger.Reversal.of(bought.entries().head().id(), "by hand", aKey()))));
      accepted(loyalty.reverse(io.github.loyaltyledger.Reversal.of(bought.entries().last().id(), "by hand", aKey())));
      assertInstanceOf(LoyaltyError.AlreadyReversed.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("1.00")))));
    }
    @Test
    void reversingAPartlyRefundedAwardByHandIsRefusedAdvisingToRefundTheRest() {
      running(base());
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "60.00"))));
      Receipt refunded = accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.00"))));
      EntryId award = bought.entries().head().id();
      LoyaltyError error = refused(loyalty.reverse(io.github.loyaltyledger.Reversal.of(award, "by hand", aKey())));
      assertTrue(error.message().contains("refund the rest of purchase 'pos-1'"), error.message());
      assertEquals(new LoyaltyError.AlreadyReversed(award, refunded.entries().head().id(),
          io.vavr.control.Option.some(key("pos-1"))), error);
    }

    @Test
    void reversingAClosedMembersPartlyRefundedAwardByHandIsRefusedWithoutAdvisingARefundItWouldRefuse() {
      running(base());
      Receipt bought = accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("A", 1, "60.00"))));
      Receipt refunded = accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.00"))));
      accepted(loyalty.close(ADA, "Leaving", aKey()));
      EntryId award = bought.entries().head().id();

      LoyaltyError error = refused(loyalty.reverse(io.github.loyaltyledger.Reversal.of(award, "by hand", aKey())));

      assertEquals(new LoyaltyError.AlreadyReversed(award, refunded.entries().head().id(),
          io.vavr.control.Option.some(key("pos-1")), true), error);
      assertFalse(error.message().contains("refund the rest") || error.message().contains("adjustment"), error.message());
      assertTrue(error.message().contains("closed, which is final"), error.message());
    }
  }

  @Nested
  class Plugins {
    @Test
    void aRuleThatThrowsFailsThePurchaseNamingTheRuleAndNothingIsWritten() {
      EarnRule broken = new ThrowingRule("broken", "no price list");
      running(base().with(RuleTerms.DEFAULT.budget(1000)), broken);
      LoyaltyError error = refused(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1"))));
      assertEquals("broken", ((LoyaltyError.RuleFailed) error).ruleId());
      assertTrue(ledgerOf(ADA).isEmpty());
      assertEquals(0, store.counter("earn:bean-club:budget:base"));
      assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
    }

    @Test
    void aPluginThatThrowsAnErrorOfItsOwnFailsThePurchaseNamingTheRuleAndNothingIsWritten() {
      java.util.List<Error> errors = java.util.List.of(new AssertionError("unexpected state"), new StackOverflowError(),
          new NoClassDefFoundError("com/example/Rates"), new ExceptionInInitializerError("static rates"),
          new AbstractMethodError("compiled against another EarnRule"));
      errors.forEach(this::failsThePurchaseNamingTheBrokenRuleAndWritesNothing);
    }

    /** A rule throwing {@code thrown} fails earn and quote alike with RuleFailed naming it and its error, writing nothing. */
    private void failsThePurchaseNamingTheBrokenRuleAndWritesNothing(Error thrown) {
      running(base().with(RuleTerms.DEFAULT.budget(1000)), new ThrowingRule("broken", thrown));
      Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
      LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.earn(p)),
          thrown.toString());
      assertEquals("broken", error.ruleId());
      assertTrue(error.message().contains(thrown.getClass().getSimpleName()), error.message());
      assertEquals(error, refused(loyalty.quote(p)));
      assertTrue(ledgerOf(ADA).isEmpty());
      assertEquals(0, store.counter("earn:bean-club:budget:base"));
      assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
    }

    @Test
    void aPluginInterruptedWhileItWaitsFailsThePurchaseAndLeavesTheThreadInterruptedForTheCaller() {
      // A rule waiting on a blocking call (in Kotlin, which does not declare it) is interrupted.
      running(base(), new ThrowingRule("slow", new InterruptedException("sleep interrupted")));
      Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
      LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.earn(p)));
      assertTrue(Thread.interrupted(), "the interrupt is the caller's to see");
      assertEquals("slow", error.ruleId());
      assertEquals(error, refused(loyalty.quote(p)));
      assertTrue(Thread.interrupted(), "the interrupt is the caller's to see");
      assertTrue(ledgerOf(ADA).isEmpty());
      assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
    }

    @Test
    void aPluginThatThrowsAnErrorOfItsLanguageOrLibrariesFailsThePurchaseNamingTheRuleAndNothingIsWritten() {
      // Kotlin's TODO() and Scala's ??? throw a NotImplementedError, an Error; a rule loading services
      // of its own meets a ServiceConfigurationError. None is the virtual machine's trouble.
      java.util.List<Error> errors = java.util.List.of(new NotImplementedError("An operation is not implemented: rates"),
          new java.util.ServiceConfigurationError("com.example.RateSource: provider not found"),
          new java.io.IOError(new java.io.IOException("rates.csv unreadable")));
      errors.forEach(this::failsThePurchaseNamingTheBrokenRuleAndWritesNothing);
    }

    /** What Kotlin's {@code TODO()} and Scala's {@code ???} throw: an Error of the language's library. */
    static final class NotImplementedError extends Error {
      private static final long serialVersionUID = 1L;

      NotImplementedError(String message) {
        super(message);
      }
    }

    @Test
    void aPluginThatThrowsACheckedExceptionUndeclaredFailsThePurchaseNamingTheRuleAndNothingIsWritten() {
      // Kotlin, Groovy and Lombok's @SneakyThrows let a rule throw a checked exception evaluate does not declare.
      running(base().with(RuleTerms.DEFAULT.budget(1000)),
          new ThrowingRule("broken", new java.io.IOException("rates.csv not found")));
      Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
      LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.earn(p)));
      assertEquals("broken", error.ruleId());
      assertTrue(error.message().contains("IOException: rates.csv not found"), error.message());
      assertEquals(error, refused(loyalty.quote(p)));
      assertTrue(ledgerOf(ADA).isEmpty());
      assertEquals(0, store.counter("earn:bean-club:budget:base"));
      assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
    }

    @Test
    void aPluginWhoseExceptionCannotSayWhatWentWrongStillFailsThePurchaseNamingTheRuleAndNothingIsWritten() {
      // Exceptions of a plugin's own whose message is worked out from a field the code throwing them
      // left null, or whose toString says nothing: their texts are the plugin's code too.
      java.util.List<RuntimeException> mute = java.util.List.of(
          new IllegalStateException() {
            private static final long serialVersionUID = 1L;

            @Override
            public String getMessage() {
              throw new NullPointerException("rate");
            }
          },
          new IllegalStateException() {
            private static final long serialVersionUID = 1L;

            @Override
            public String toString() {
              return null;
            }
          });
      for (RuntimeException thrown : mute) {
        java.util.List<EarnRule> rules = java.util.List.of(new ThrowingRule("broken", thrown),
            plugin("broken", "5 points, oddly dated", RuleTerms.DEFAULT.asBonus().expiringBy((earnedAt, zone) -> {
              throw thrown;
            }), Evaluation.award(5, "five")));
        for (EarnRule broken : rules) {
          running(base().with(RuleTerms.DEFAULT.budget(1000)), broken);
          Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
          LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.earn(p)));
          assertEquals("broken", error.ruleId());
          assertTrue(error.message().contains(thrown.getClass().getName()), error.message());
          assertEquals(error, refused(loyalty.quote(p)));
          assertTrue(ledgerOf(ADA).isEmpty());
          assertEquals(0, store.counter("earn:bean-club:budget:base"));
          assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
        }
      }
    }

    @Test
    void aPluginWhoseClawbackThresholdIsInAnotherCurrencyFailsEarnAndQuoteAlikeAndNothingIsWritten() {
      running(base(), plugin("yen-basket", "10 points while the basket stays at JPY 5000", RuleTerms.DEFAULT.asBonus(),
          new Evaluation.Award(java.math.BigDecimal.TEN, "basket of JPY 5000",
              Clawback.whileBasketAtLeast(Money.parse("JPY 5000")))));
      Purchase p = aPurchaseOf(ADA, "60.00", key("pos-1"));
      LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.earn(p)));
      assertEquals("yen-basket", error.ruleId());
      assertTrue(error.message().contains("JPY"), error.message());
      assertEquals(error, refused(loyalty.quote(p)));
      assertTrue(ledgerOf(ADA).isEmpty());
      assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
    }

    @Test
    void anOutOfMemoryErrorInAPluginIsNotTakenForTheRulesFailure() {
      running(base(), new ThrowingRule("hungry", new OutOfMemoryError("Java heap space")));
      assertThrows(OutOfMemoryError.class, () -> loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1"))));
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void aProposalFarBelowOnePointRoundsAtOnceByTheRulesRoundingMode() {
      java.math.BigDecimal sliver = new java.math.BigDecimal("1E-1000000000");
      running(proposing("down", sliver, RuleTerms.DEFAULT.asBonus()),
          proposing("up", sliver, RuleTerms.DEFAULT.asBonus().rounding(java.math.RoundingMode.UP)),
          proposing("ceiling", new java.math.BigDecimal("7E-999999999"),
              RuleTerms.DEFAULT.asBonus().rounding(java.math.RoundingMode.CEILING)),
          proposing("half", new java.math.BigDecimal("5E-2147483647"),
              RuleTerms.DEFAULT.asBonus().rounding(java.math.RoundingMode.HALF_UP)));
      Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
      EarnQuote quote = accepted(loyalty.quote(p));
      assertEquals(Points.ZERO, quote.outcome("down").get().desired());
      assertEquals(Points.of(1), quote.outcome("up").get().granted());
      assertEquals(Points.of(1), quote.outcome("ceiling").get().granted());
      assertEquals(Points.ZERO, quote.outcome("half").get().desired());
      assertEquals(quote, EarnQuote.fromEntries(accepted(loyalty.earn(p)).entries()).get());
    }

    @Test
    void aProposalBeyondALongOfPointsIsARuleFailureSaidInWordsWhateverItsExponent() {
      for (String points : java.util.List.of("1E+1000000000", "9223372036854775808", "1E+19", "9.3E+18")) {
        running(base(), proposing("huge", new java.math.BigDecimal(points), RuleTerms.DEFAULT.asBonus()));
        Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
        LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.earn(p)));
        assertEquals("huge", error.ruleId());
        assertTrue(error.message().contains("more points than a long holds"), error.message());
        assertEquals(error, refused(loyalty.quote(p)));
        assertTrue(ledgerOf(ADA).isEmpty());
      }
    }

    @Test
    void unitsTimesAUnitBonusBeyondALongOfPointsIsARuleFailureSaidInWords() {
      running(base(), UnitBonus.of("beans", "BEANS", 5_000_000_000L));
      Purchase p = aPurchase(ADA, key("pos-1"), clock.instant(), line("BEANS", 2_000_000_000, "0.01"));
      LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.earn(p)));
      assertEquals("beans", error.ruleId());
      assertTrue(error.message().contains("more points than a long holds"), error.message());
      assertEquals(error, refused(loyalty.quote(p)));
      assertTrue(ledgerOf(ADA).isEmpty());
    }

    @Test
    void aRuleWhosePointsWouldExpireOrVestBeyondTheSupportedYearsFailsEarnAndQuoteAlikeAndNothingIsWritten() {
      // Beyond year 9999 from 2026, which a credit's expiry is refused for and past which an instant
      // has no date in every zone. (Terms too long for any purchase, or for java.time, are refused
      // when made: RuleConfigurationTest.)
      java.util.List<RuleTerms> terms = java.util.List.of(
          RuleTerms.DEFAULT.expiringBy(FixedTermExpiry.months(12 * 8000)),
          RuleTerms.DEFAULT.expiringAfter(Period.ofYears(8000)),
          RuleTerms.DEFAULT.vestingAfter(Duration.ofDays(366L * 8000)));
      for (RuleTerms far : terms) {
        running(base(), plugin("far", "5 points, far off", far.asBonus(), Evaluation.award(5, "five")));
        Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
        LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.quote(p)),
            far.toString());
        assertEquals("far", error.ruleId());
        assertEquals(error, refused(loyalty.earn(p)));
        assertTrue(ledgerOf(ADA).isEmpty());
        assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
      }
    }

    @Test
    void aRuleWhoseOwnExpiryPolicyAnswersNoInstantOrThrowsFailsEarnAndQuoteAlikeNamingTheRuleAndNothingIsWritten() {
      java.util.List<ExpiryPolicy> broken = java.util.List.of(
          (earnedAt, zone) -> Option.some(null),
          (earnedAt, zone) -> null,
          (earnedAt, zone) -> {
            throw new IllegalStateException("no calendar loaded");
          },
          (earnedAt, zone) -> {
            throw new AssertionError("unexpected zone");
          },
          (earnedAt, zone) -> {
            throw new NoClassDefFoundError("com/example/Calendar");
          },
          (earnedAt, zone) -> {
            throw new Plugins.NotImplementedError("An operation is not implemented: calendar");
          },
          (earnedAt, zone) -> EarningTest.<RuntimeException>undeclared(new java.io.IOException("calendar.csv not found")));
      for (ExpiryPolicy policy : broken) {
        running(base(), plugin("odd", "5 points, oddly dated", RuleTerms.DEFAULT.asBonus().expiringBy(policy),
            Evaluation.award(5, "five")));
        Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
        LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.quote(p)));
        assertEquals("odd", error.ruleId());
        assertEquals(error, refused(loyalty.earn(p)));
        assertTrue(ledgerOf(ADA).isEmpty());
        assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
      }
    }

    @Test
    void aRuleWhoseOwnExpiryPolicyDatesItsPointsToExpireBeforeTheyAreEarnedOrVestFailsEarnAndQuoteAlike() {
      // Your own policies cannot be checked when the terms are made: what they answer is, per purchase.
      ExpiryPolicy backwards = (earnedAt, zone) -> Option.some(earnedAt);
      ExpiryPolicy inADay = (earnedAt, zone) -> Option.some(earnedAt.plus(Duration.ofDays(1)));
      java.util.List<RuleTerms> terms = java.util.List.of(
          RuleTerms.DEFAULT.expiringBy(backwards),
          RuleTerms.DEFAULT.expiringBy(inADay).vestingAfter(Duration.ofDays(1)),
          RuleTerms.DEFAULT.expiringBy(inADay).vestingAfter(Duration.ofDays(14)));
      for (RuleTerms odd : terms) {
        running(base(), plugin("odd", "5 points, oddly dated", odd.asBonus(), Evaluation.award(5, "five")));
        Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
        LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.quote(p)),
            odd.toString());
        assertEquals("odd", error.ruleId());
        assertEquals(error, refused(loyalty.earn(p)));
        assertTrue(ledgerOf(ADA).isEmpty());
        assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
      }
      // A vesting shorter than what the policy answers is fine.
      running(base(), plugin("odd", "5 points", RuleTerms.DEFAULT.asBonus().expiringBy(inADay)
          .vestingAfter(Duration.ofHours(23)), Evaluation.award(5, "five")));
      assertEquals(new Balance(Points.of(10), Points.of(5), Points.ZERO),
          accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1")))).balance());
    }

    @Test
    void aPluginWhoseTextsNoStoreCanKeepFailsEarnAndQuoteAlikeAndNothingIsWritten() {
      // An unpaired surrogate cannot be hashed; PostgreSQL refuses U+0000 in text (quoted and
      // earned in memory and on H2, it threw there).
      java.util.List<Evaluation> evaluations = java.util.List.of(Evaluation.award(5, "half a pair \uD83D"),
          Evaluation.notMet("cup \uDC00", "none", "one"), Evaluation.notMet("cup", "\uD800", "one"),
          Evaluation.notMet("cup", "none", "one \uDBFF"), Evaluation.award(5, "half\u0000a pair"),
          Evaluation.notMet("cup\u0000", "none", "one"), Evaluation.notMet("cup", "\u0000", "one"),
          Evaluation.notMet("cup", "none", "one\u0000"));
      for (Evaluation evaluation : evaluations) {
        running(base(), plugin("odd", "a plugin", RuleTerms.DEFAULT, evaluation));
        Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
        LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.quote(p)),
            evaluation.toString());
        assertEquals("odd", error.ruleId());
        assertTrue(error.message().contains(evaluation.toString().contains("\u0000") ? "NUL" : "surrogate"), error.message());
        assertEquals(error, refused(loyalty.earn(p)));
        assertTrue(ledgerOf(ADA).isEmpty());
        assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
      }
      EarnRule odd = plugin("odd", "3 points\u0000", RuleTerms.DEFAULT, Evaluation.award(3, "three"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleBook.of(odd));
      assertTrue(e.getMessage().contains("'odd'"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.forSegments("students\u0000"));
    }

    /**
     * A condition not met with a blank condition, observed or expected value was accepted, and its
     * breakdown in quotes, {@code explain} and statements read "was , expected ". It is refused when
     * made, as an award's blank reason is, so a plugin returning it fails the request naming the rule.
     */
    @Test
    void aPluginWhoseConditionNotMetHasABlankTextFailsEarnAndQuoteAlikeNamingTheRuleAndNothingIsWritten() {
      java.util.List<String[]> texts = java.util.List.of(new String[] {"", "none", "one"},
          new String[] {"cup", " ", "one"}, new String[] {"cup", "none", "\t"}, new String[] {"", "", ""});
      for (String[] text : texts) {
        IllegalArgumentException made = assertThrows(IllegalArgumentException.class,
            () -> Evaluation.notMet(text[0], text[1], text[2]));
        assertTrue(made.getMessage().contains("blank"), made.getMessage());
        running(base(), plugin("odd", "a plugin", RuleTerms.DEFAULT, context -> Evaluation.notMet(text[0], text[1], text[2])));
        Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
        LoyaltyError.RuleFailed error = assertInstanceOf(LoyaltyError.RuleFailed.class, refused(loyalty.quote(p)));
        assertEquals("odd", error.ruleId());
        assertTrue(error.message().contains(made.getMessage()), error.message());
        assertEquals(error, refused(loyalty.earn(p)));
        assertTrue(ledgerOf(ADA).isEmpty());
        assertTrue(store.idempotencyRecord(key("pos-1")).isEmpty());
      }
    }

    @Test
    void aRuleWhoseDescriptionIsNotWellFormedIsRefusedWhenTheProgramIsBuilt() {
      EarnRule odd = plugin("odd", "3 points \uD83D", RuleTerms.DEFAULT, Evaluation.award(3, "three"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleBook.of(odd));
      assertTrue(e.getMessage().contains("'odd'"), e.getMessage());
    }

    @Test
    void longBonusDescriptionsAreShortenedForTheEntryWithoutSplittingACharacter() {
      // Bonuses whose descriptions make a reason longer than an entry's 500 characters, with an
      // emoji (two UTF-16 units) across the cut: "Bonus: " and five descriptions of 90 characters
      // with their separators take 467, and the emoji starts at 467 + 32.
      EarnRule[] rules = new EarnRule[6];
      for (int i = 0; i < rules.length; i++) {
        String text = i < 5 ? "x".repeat(90) : "y".repeat(32) + "\uD83C\uDF75 cup";
        rules[i] = plugin("b" + i, text, RuleTerms.DEFAULT.asBonus(), Evaluation.award(1, "one"));
      }
      running(rules);
      Entry bonus = accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1")))).entries().single();
      assertEquals(EntryKind.BONUS, bonus.kind());
      assertTrue(bonus.reason().length() <= 500, bonus.reason());
      assertTrue(io.github.loyaltyledger.ledger.Fingerprint.isWellFormed(bonus.reason()), bonus.reason());
      assertEquals(Points.of(6), balanceOf(loyalty, ADA).available());
    }

    @Test
    void aPluginThatAnswersDifferentlyOnEveryCallIsKeptWithTheDescriptionAndTermsThatWereChecked() {
      int[] calls = {0, 0};
      EarnRule fickle = new EarnRule() {
        @Override
        public String id() {
          return "fickle";
        }

        @Override
        public String description() {
          return calls[0]++ == 0 ? "5 points" : " ";
        }

        @Override
        public RuleTerms terms() {
          return calls[1]++ == 0 ? RuleTerms.DEFAULT.asBonus() : null;
        }

        @Override
        public Evaluation evaluate(EarnContext context) {
          return Evaluation.award(5, "five");
        }
      };
      running(fickle);
      Entry entry = accepted(loyalty.earn(aPurchaseOf(ADA, "10.00", key("pos-1")))).entries().single();
      assertEquals(EntryKind.BONUS, entry.kind());
      assertEquals("5 points", EarnQuote.fromEntries(List.of(entry)).get().outcome("fickle").get().description());
    }

    @Test
    void aPluginWhoseIdChangesAfterTheBookIsBuiltKeepsTheIdThatWasCheckedInItsBreakdownAndCounters() {
      int[] calls = {0};
      EarnRule fickle = new EarnRule() {
        @Override
        public String id() {
          return calls[0]++ == 0 ? "fickle" : "base";
        }

        @Override
        public String description() {
          return "5 points";
        }

        @Override
        public RuleTerms terms() {
          return RuleTerms.DEFAULT.asBonus().budget(100);
        }

        @Override
        public Evaluation evaluate(EarnContext context) {
          return Evaluation.award(5, "five");
        }
      };
      running(base(), fickle);
      Purchase p = aPurchaseOf(ADA, "10.00", key("pos-1"));
      EarnQuote quote = accepted(loyalty.quote(p));
      assertEquals(List.of("base", "fickle"), quote.outcomes().map(RuleOutcome::ruleId));
      Receipt r = accepted(loyalty.earn(p));
      assertEquals(List.of(List.of("base"), List.of("fickle")), r.entries().map(Entry::ruleIds));
      assertEquals(quote, EarnQuote.fromEntries(r.entries()).get());
      assertEquals(Points.of(15), EarnQuote.fromEntries(r.entries()).get().total());
      assertEquals(5, store.counter("earn:bean-club:budget:fickle"));
    }

    @Test
    void twoRulesWithOneIdAreRefusedWhenTheProgramIsBuilt() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RuleBook.of(BaseRate.of("base", "1"), UnitBonus.of("base", "BEANS", 5)));
      assertTrue(e.getMessage().contains("'base'"));
    }
  }
}
