package io.github.loyaltyledger.earning;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.aPurchase;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.line;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.expiry.CalendarExpiry;
import io.github.loyaltyledger.expiry.ExpiryPolicy;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.github.loyaltyledger.tier.TierBenefits;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configuration that used to be accepted and then made a later, unrelated call throw or pay the
 * wrong points: it is refused when it is made.
 */
class RuleConfigurationTest {

  static final MemberId ADA = MemberId.of("ada");
  final TestClock clock = TestClock.at("2026-03-01T12:00:00Z");

  @Test
  void anExpiryPeriodThatIsNotPositiveIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.expiringAfter(Period.ofDays(-1)));
    assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.expiringAfter(Period.ZERO));
    assertEquals(Option.some(Period.ofDays(1)), RuleTerms.DEFAULT.expiringAfter(Period.ofDays(1)).expiry());
  }

  @Test
  void aNegativeVestingIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.vestingAfter(Duration.ofDays(-1)));
    assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.vestingAfter(Duration.ofNanos(-1)));
    assertEquals(Option.some(Duration.ZERO), RuleTerms.DEFAULT.vestingAfter(Duration.ZERO).vesting());
  }

  /**
   * An expiry or vesting that dates even points earned at the first instant of year 1 after year
   * 9999 was accepted, and then every purchase failed the rule with RuleFailed (EarningTest).
   */
  @Test
  void anExpiryOrVestingOf9999YearsOrMoreIsRefusedWhenTheTermsAreMadeNotOnEveryPurchase() {
    for (Period tooLong : List.of(Period.ofYears(9999), Period.ofYears(Integer.MAX_VALUE), Period.ofDays(3_652_059),
        Period.ofMonths(Integer.MAX_VALUE))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RuleTerms.DEFAULT.expiringAfter(tooLong));
      assertTrue(e.getMessage().contains("9999") && e.getMessage().contains("never()"), e.getMessage());
    }
    for (Duration tooLong : List.of(Duration.ofDays(3_652_059), Duration.ofSeconds(Long.MAX_VALUE))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RuleTerms.DEFAULT.vestingAfter(tooLong));
      assertTrue(e.getMessage().contains("9999") && e.getMessage().contains("shorter vesting"), e.getMessage());
    }
    assertEquals(Option.some(Period.ofYears(9998)), RuleTerms.DEFAULT.expiringAfter(Period.ofYears(9998)).expiry());
    assertEquals(Option.some(Period.ofDays(3_652_058)),
        RuleTerms.DEFAULT.expiringAfter(Period.ofDays(3_652_058)).expiry());
    Duration longest = Duration.between(Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"));
    assertEquals(Option.some(longest), RuleTerms.DEFAULT.vestingAfter(longest).vesting());
  }

  @Test
  void aVestingAsLongAsTheShortestExpiryIsRefusedAndOneANanosecondShorterAccepted() {
    // A day's expiry lasts at least 22 hours (Antarctica/Troll): points vesting then would expire as they vest.
    RuleTerms day = RuleTerms.DEFAULT.expiringAfter(Period.ofDays(1));
    assertThrows(IllegalArgumentException.class, () -> day.vestingAfter(Duration.ofHours(22)));
    assertEquals(Option.some(Duration.ofHours(22).minusNanos(1)), day.vestingAfter(Duration.ofHours(22).minusNanos(1)).vesting());
  }

  @Test
  void aCapPerTransactionOrABudgetOfOnePointIsTheLeastAccepted() {
    assertEquals(Option.some(1L), RuleTerms.DEFAULT.cappedPerTransaction(1).perTransaction());
    assertEquals(Option.some(1L), RuleTerms.DEFAULT.budget(1).budget());
    assertEquals("cappedPerTransaction must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.cappedPerTransaction(0)).getMessage());
    assertEquals("budget must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.budget(0)).getMessage());
  }

  @Test
  void termsMadeWithTheirConstructorAreCheckedAsTheirBuilderMethodsCheckThem() {
    RuleTerms d = RuleTerms.DEFAULT;
    assertEquals("cappedPerTransaction must be positive, was 0", assertThrows(IllegalArgumentException.class,
        () -> new RuleTerms(d.stacking(), d.kind(), d.expiry(), d.vesting(), d.qualifying(), d.rounding(), Option.some(0L),
            d.perMember(), d.budget(), d.limit(), d.schedule(), d.channels(), d.tiers(), d.segments(), d.expiryPolicy()))
        .getMessage());
    assertEquals("budget must be positive, was -5", assertThrows(IllegalArgumentException.class,
        () -> new RuleTerms(d.stacking(), d.kind(), d.expiry(), d.vesting(), d.qualifying(), d.rounding(), d.perTransaction(),
            d.perMember(), Option.some(-5L), d.limit(), d.schedule(), d.channels(), d.tiers(), d.segments(), d.expiryPolicy()))
        .getMessage());
    assertEquals("an optional term holds null", assertThrows(NullPointerException.class,
        () -> new RuleTerms(d.stacking(), d.kind(), d.expiry(), d.vesting(), d.qualifying(), d.rounding(), d.perTransaction(),
            Option.some(null), d.budget(), d.limit(), d.schedule(), d.channels(), d.tiers(), d.segments(), d.expiryPolicy()))
        .getMessage());
    java.util.Comparator<String> nullsFirst = java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder());
    assertEquals("a targeting set holds null", assertThrows(NullPointerException.class,
        () -> new RuleTerms(d.stacking(), d.kind(), d.expiry(), d.vesting(), d.qualifying(), d.rounding(), d.perTransaction(),
            d.perMember(), d.budget(), d.limit(), d.schedule(), d.channels(), TreeSet.of(nullsFirst, "gold", null),
            d.segments(), d.expiryPolicy()))
        .getMessage());
  }

  @Test
  void pointsThatCouldExpireNoLaterThanTheyVestAreRefusedWhicheverTermIsSetFirst() {
    RuleTerms vesting = RuleTerms.DEFAULT.vestingAfter(Duration.ofDays(30));
    assertThrows(IllegalArgumentException.class, () -> vesting.expiringAfter(Period.ofDays(30)));
    assertThrows(IllegalArgumentException.class, () -> vesting.expiringAfter(Period.ofDays(7)));
    // A month can be 28 days: points earned on 1 February would expire before they vest.
    assertThrows(IllegalArgumentException.class, () -> vesting.expiringAfter(Period.ofMonths(1)));
    assertThrows(IllegalArgumentException.class,
        () -> RuleTerms.DEFAULT.expiringAfter(Period.ofDays(14)).vestingAfter(Duration.ofDays(14)));
    // A day can be 23 hours long, across a change to summer time.
    assertThrows(IllegalArgumentException.class,
        () -> RuleTerms.DEFAULT.expiringAfter(Period.ofDays(1)).vestingAfter(Duration.ofMinutes(23 * 60 + 30)));
    // And 22 hours long where the clocks change by two hours at once (Antarctica/Troll, +00 to +02).
    assertThrows(IllegalArgumentException.class,
        () -> RuleTerms.DEFAULT.expiringAfter(Period.ofDays(1)).vestingAfter(Duration.ofMinutes(22 * 60 + 30)));
    assertEquals(Duration.ofHours(22), Duration.between(
        java.time.LocalDate.of(2026, 3, 29).atStartOfDay(java.time.ZoneId.of("Antarctica/Troll")),
        java.time.LocalDate.of(2026, 3, 30).atStartOfDay(java.time.ZoneId.of("Antarctica/Troll"))), "the day the test is about");
    assertThrows(IllegalArgumentException.class, () -> vesting.expiringBy(FixedTermExpiry.days(29)));
    assertThrows(IllegalArgumentException.class,
        () -> vesting.expiringBy(CalendarExpiry.every(java.time.MonthDay.of(12, 31)).heldAtLeast(Period.ofDays(20))));
    assertEquals(Option.some(Period.ofDays(31)), vesting.expiringAfter(Period.ofDays(31)).expiry());
    assertEquals(Option.some(Period.ofMonths(2)), vesting.expiringAfter(Period.ofMonths(2)).expiry());
    assertTrue(vesting.expiringBy(FixedTermExpiry.months(2)).expiryPolicy().isDefined());
    assertTrue(vesting.expiringBy(ExpiryPolicy.never()).expiryPolicy().isDefined());
  }

  /**
   * The least lengths a vesting is checked against leave out the past moves across the date line that
   * skipped a whole day (counting them would refuse any vesting with a day's expiry): two days from
   * 29 December 2011 in Samoa are 24 hours, so a purchase dated then fails the rule, and nothing is
   * written, as the README says.
   */
  @Test
  void aPurchaseDatedJustBeforeADayTheProgramsZoneSkippedFailsARuleWhosePointsWouldExpireBeforeTheyVest() {
    TestClock clock = TestClock.at("2012-06-01T00:00:00Z");
    Loyalty loyalty = Fixtures.aLoyalty(new InMemoryLedgerStore(), clock, LoyaltyProgram.builder("club")
        .zone(java.time.ZoneId.of("Pacific/Apia"))
        .earnRules(RuleBook.of(BaseRate.of("base", "1")
            .with(RuleTerms.DEFAULT.expiringAfter(Period.ofDays(2)).vestingAfter(Duration.ofHours(30)))))
        .build());
    accepted(loyalty.enrol(io.github.loyaltyledger.Enrolment.of(ADA, key("enrol"))
        .enrolledAt(Instant.parse("2011-01-01T00:00:00Z"))));
    // Noon on 29 December 2011 in Apia (UTC-10); two days later is noon on the 31st (UTC+14).
    Instant occurredAt = Instant.parse("2011-12-29T22:00:00Z");

    LoyaltyError e = refused(loyalty.earn(aPurchase(ADA, key("pos-1"), occurredAt, line("X", 1, "10.00"))));

    assertInstanceOf(LoyaltyError.RuleFailed.class, e);
    assertTrue(e.message().contains("2011-12-30T22:00:00Z"), e.message());
    assertEquals(Points.ZERO, accepted(loyalty.balance(ADA)).total());
    accepted(loyalty.earn(aPurchase(ADA, key("pos-2"), occurredAt.minus(Duration.ofDays(2)), line("X", 1, "10.00"))));
  }

  @Test
  void aProgramWhoseLotExpiryCouldComeBeforeARulesVestingIsRefused() {
    RuleBook book = RuleBook.of(BaseRate.of("base", "1").with(RuleTerms.DEFAULT.vestingAfter(Duration.ofDays(30))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoyaltyProgram.builder("club").earnRules(book).lotExpiry(FixedTermExpiry.days(14)).build());
    assertTrue(e.getMessage().contains("'base'"), e.getMessage());
    assertEquals(book, LoyaltyProgram.builder("club").earnRules(book).lotExpiry(FixedTermExpiry.months(6)).build().earnRules());
    // A rule's own expiry takes precedence over the program's.
    RuleBook own = RuleBook.of(BaseRate.of("base", "1")
        .with(RuleTerms.DEFAULT.vestingAfter(Duration.ofDays(30)).expiringAfter(Period.ofYears(1))));
    assertEquals(own, LoyaltyProgram.builder("club").earnRules(own).lotExpiry(FixedTermExpiry.days(14)).build().earnRules());
  }

  @Test
  void aTermGivenAsNullIsRefusedWhenTheTermsAreMadeNotOnEveryPurchase() {
    assertEquals("during", assertThrows(NullPointerException.class, () -> RuleTerms.DEFAULT.during(null)).getMessage());
    assertEquals("expiringAfter", assertThrows(NullPointerException.class, () -> RuleTerms.DEFAULT.expiringAfter(null)).getMessage());
    assertEquals("vestingAfter", assertThrows(NullPointerException.class, () -> RuleTerms.DEFAULT.vestingAfter(null)).getMessage());
    assertEquals("expiringBy", assertThrows(NullPointerException.class, () -> RuleTerms.DEFAULT.expiringBy(null)).getMessage());
    // The group's name was read by a regular expression, whose NullPointerException named its own field.
    assertEquals("inGroup", assertThrows(NullPointerException.class, () -> RuleTerms.DEFAULT.inGroup(null)).getMessage());
    assertEquals("group holds null", assertThrows(NullPointerException.class,
        () -> new Stacking(0, false, Option.<String>some(null))).getMessage());
    assertThrows(NullPointerException.class, () -> Schedule.always().dates(null, java.time.LocalDate.EPOCH));
    assertThrows(NullPointerException.class, () -> RuleTerms.DEFAULT.forTiers("gold", null));
  }

  @Test
  void aScheduleWhoseDatesOrWindowHoldNullIsRefusedWhenMadeNotOnEveryPurchase() {
    java.time.LocalDate day = java.time.LocalDate.of(2026, 3, 1);
    assertThrows(NullPointerException.class, () -> new Schedule(Option.<java.time.LocalDate>some(null), Option.none(),
        TreeSet.empty(), Option.none(), Schedule.Zone.PROGRAM));
    assertThrows(NullPointerException.class, () -> new Schedule(Option.none(), Option.<java.time.LocalDate>some(null),
        TreeSet.empty(), Option.none(), Schedule.Zone.PROGRAM));
    assertThrows(NullPointerException.class, () -> new Schedule(Option.some(day), Option.some(day), TreeSet.empty(),
        Option.<Schedule.Window>some(null), Schedule.Zone.MEMBER));
    assertEquals(Option.some(day), new Schedule(Option.some(day), Option.none(), TreeSet.empty(), Option.none(),
        Schedule.Zone.PROGRAM).from());
  }

  @Test
  void aTargetingSetOrScheduleDaysHoldingNullAreRefusedWhenMadeNotOnEveryPurchase() {
    RuleTerms d = RuleTerms.DEFAULT;
    assertThrows(NullPointerException.class, () -> new RuleTerms(d.stacking(), d.kind(), d.expiry(), d.vesting(),
        d.qualifying(), d.rounding(), d.perTransaction(), d.perMember(), d.budget(), d.limit(), d.schedule(),
        TreeSet.of((Channel.Type) null), d.tiers(), d.segments(), d.expiryPolicy()));
    assertThrows(NullPointerException.class, () -> new RuleTerms(d.stacking(), d.kind(), d.expiry(), d.vesting(),
        d.qualifying(), d.rounding(), d.perTransaction(), d.perMember(), d.budget(), d.limit(), d.schedule(),
        d.channels(), TreeSet.of((String) null), d.segments(), d.expiryPolicy()));
    assertThrows(NullPointerException.class, () -> new RuleTerms(d.stacking(), d.kind(), d.expiry(), d.vesting(),
        d.qualifying(), d.rounding(), d.perTransaction(), d.perMember(), d.budget(), d.limit(), d.schedule(),
        d.channels(), d.tiers(), TreeSet.of((String) null), d.expiryPolicy()));
    assertThrows(NullPointerException.class, () -> new Schedule(Option.none(), Option.none(),
        TreeSet.of((DayOfWeek) null), Option.none(), Schedule.Zone.PROGRAM));
    assertEquals(TreeSet.of("gold"), new RuleTerms(d.stacking(), d.kind(), d.expiry(), d.vesting(), d.qualifying(),
        d.rounding(), d.perTransaction(), d.perMember(), d.budget(), d.limit(), d.schedule(), d.channels(),
        TreeSet.of("gold"), d.segments(), d.expiryPolicy()).tiers());
  }

  @Test
  void aMultiplierOnANullSkuOrCategoryIsRefusedWhenMadeNotOnEveryPurchase() {
    assertThrows(NullPointerException.class, () -> Multiplier.onSkus("double", "2", "1", "BEANS", null));
    assertThrows(NullPointerException.class, () -> Multiplier.onCategories("double", "2", "1", (String) null));
    assertEquals(TreeSet.of("BEANS", "MUG"), Multiplier.onSkus("double", "2", "1", "MUG", "BEANS").skus());
  }

  /**
   * A rate or factor given as text that is no number threw the JDK's own NumberFormatException:
   * "Character t is neither a decimal digit number…" for {@code "ten"}, a message of {@code null}
   * for {@code ""}, and for a null rate a NullPointerException from inside BigDecimal; none said
   * which argument was wrong.
   */
  @Test
  void aRateOrFactorThatIsNoNumberIsRefusedNamingTheArgumentAndItsValue() {
    assertEquals("pointsPerUnit must be a decimal number such as \"1\" or \"0.5\", was 'ten'",
        assertThrows(NumberFormatException.class, () -> BaseRate.of("base", "ten")).getMessage());
    assertEquals("pointsPerUnit must be a decimal number such as \"1\" or \"0.5\", was ''",
        assertThrows(NumberFormatException.class, () -> BaseRate.of("base", "")).getMessage());
    assertEquals("pointsPerUnit", assertThrows(NullPointerException.class, () -> BaseRate.of("base", null)).getMessage());
    assertEquals("factor must be a decimal number such as \"2\" or \"1.5\", was 'double'",
        assertThrows(NumberFormatException.class, () -> Multiplier.onSkus("double", "double", "1", "BEANS")).getMessage());
    assertEquals("baseRate must be a decimal number such as \"1\" or \"0.5\", was '1,5'",
        assertThrows(NumberFormatException.class, () -> Multiplier.onCategories("double", "2", "1,5", "coffee")).getMessage());
    assertEquals("factor", assertThrows(NullPointerException.class, () -> Multiplier.onSkus("double", null, "1", "BEANS")).getMessage());
    assertEquals(new java.math.BigDecimal("0.5"), BaseRate.of("base", "0.5").pointsPerUnit());
  }

  /**
   * A rate of {@code 1E+400} points per unit was accepted and then failed every purchase; one of
   * {@code 1E-400000000} built a description of 400 million digits, and a tier multiplier of
   * {@code 1E-999999999} exhausted the memory of the first purchase.
   */
  @Test
  void aRateFactorOrTierMultiplierOfMoreThanEighteenDigitsEitherSideOfThePointIsRefusedWhenMade() {
    String digits = " must have at most 18 digits before and 18 after the decimal point, was ";
    assertEquals("pointsPerUnit" + digits + "1E+400",
        assertThrows(IllegalArgumentException.class, () -> BaseRate.of("base", "1e400")).getMessage());
    assertEquals("pointsPerUnit" + digits + "1E-400000000",
        assertThrows(IllegalArgumentException.class, () -> BaseRate.of("base", "1e-400000000")).getMessage());
    assertEquals("pointsPerUnit" + digits + "1E+19", assertThrows(IllegalArgumentException.class,
        () -> new BaseRate("base", "huge", new BigDecimal("1E+19"), AmountBase.NET, RuleTerms.DEFAULT)).getMessage());
    assertEquals("factor" + digits + "1E+19",
        assertThrows(IllegalArgumentException.class, () -> Multiplier.onSkus("x", "1e19", "1", "BEANS")).getMessage());
    assertEquals("baseRate" + digits + "1E-19",
        assertThrows(IllegalArgumentException.class, () -> Multiplier.onCategories("x", "2", "1e-19", "coffee")).getMessage());
    assertEquals("a tier's earn multiplier" + digits + "1E-999999999", assertThrows(IllegalArgumentException.class,
        () -> TierBenefits.standard().withEarnMultiplier(new BigDecimal("1E-999999999"))).getMessage());
    // The largest and the finest numbers allowed, and trailing zeros, which say nothing more.
    assertEquals(new BigDecimal("999999999999999999.999999999999999999"),
        BaseRate.of("base", "999999999999999999.999999999999999999").pointsPerUnit());
    assertEquals(new BigDecimal("0.000000000000000001000"), BaseRate.of("base", "0.000000000000000001000").pointsPerUnit());
    assertEquals(new BigDecimal("1E+17"), Multiplier.onSkus("x", "1e17", "1", "BEANS").factor());
    assertEquals(new BigDecimal("1.5"), TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.5")).earnMultiplier());
    assertEquals(new BigDecimal("999999999999999999.999999999999999999"), TierBenefits.standard()
        .withEarnMultiplier(new BigDecimal("999999999999999999.999999999999999999")).earnMultiplier());
    assertEquals(new BigDecimal("0.000000000000000001"),
        TierBenefits.standard().withEarnMultiplier(new BigDecimal("0.000000000000000001")).earnMultiplier());
  }

  /**
   * A number whose exponent is near an {@code int}'s largest ({@code 1E+2147483647}) passed the
   * bound: its digits before the point, counted as precision less scale in an {@code int}, wrapped
   * around to a negative count. Every quote and earn then threw {@code NegativeArraySizeException}
   * out of the facade (a tier multiplier so made too).
   */
  @Test
  void aRateFactorOrTierMultiplierWhoseExponentNearlyOverflowsAnIntIsRefusedWhenMade() {
    String digits = " must have at most 18 digits before and 18 after the decimal point, was ";
    assertEquals("pointsPerUnit" + digits + "1E+2147483647",
        assertThrows(IllegalArgumentException.class, () -> BaseRate.of("base", "1E+2147483647")).getMessage());
    assertEquals("factor" + digits + "9.9E+2147483647",
        assertThrows(IllegalArgumentException.class, () -> Multiplier.onSkus("x", "9.9E+2147483647", "1", "BEANS")).getMessage());
    assertEquals("baseRate" + digits + "1E+2147483647",
        assertThrows(IllegalArgumentException.class, () -> Multiplier.onCategories("x", "2", "1E+2147483647", "coffee")).getMessage());
    assertEquals("a tier's earn multiplier" + digits + "1E+2147483647", assertThrows(IllegalArgumentException.class,
        () -> TierBenefits.standard().withEarnMultiplier(new BigDecimal("1E+2147483647"))).getMessage());
  }

  /**
   * A threshold clawback without a threshold was made (an {@code Option} holding null), and then a
   * plugin returning it failed every purchase with a {@code RuleFailed} that named a
   * NullPointerException of the engine, not the rule's mistake.
   */
  @Test
  void aThresholdClawbackWithoutAThresholdIsRefusedWhenMadeNotOnEveryPurchase() {
    assertEquals("minimum", assertThrows(NullPointerException.class, () -> Clawback.whileBasketAtLeast(null)).getMessage());
    assertEquals("minimum", assertThrows(NullPointerException.class,
        () -> Clawback.whileBasketAtLeast(null, AmountBase.GROSS)).getMessage());
    assertEquals("threshold holds null", assertThrows(NullPointerException.class,
        () -> new Clawback(Clawback.Mode.THRESHOLD, Option.<Money>some(null))).getMessage());
    assertEquals(Option.some(Money.parse("EUR 50.00")), Clawback.whileBasketAtLeast(Money.parse("EUR 50.00")).threshold());
  }

  /** A campaign from Monday to Friday on Saturdays was accepted, and then never ran. */
  @Test
  void aWindowAcrossMidnightIsRefusedSayingHowToWriteItAndOneEndingAtMidnightIsTheRestOfTheDay() {
    IllegalArgumentException across = assertThrows(IllegalArgumentException.class,
        () -> Schedule.always().between(java.time.LocalTime.of(22, 0), java.time.LocalTime.of(2, 0)));
    assertTrue(across.getMessage().contains("two windows"), across.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Schedule.always().between(java.time.LocalTime.of(14, 0), java.time.LocalTime.of(14, 0)));
    Schedule.Window evening = new Schedule.Window(java.time.LocalTime.of(20, 0), java.time.LocalTime.MIDNIGHT);
    assertTrue(evening.covers(java.time.LocalTime.MAX));
    assertTrue(evening.covers(java.time.LocalTime.of(20, 0)));
    assertFalse(evening.covers(java.time.LocalTime.of(19, 59, 59)));
    assertFalse(evening.covers(java.time.LocalTime.MIDNIGHT), "00:00 is the next day's");
    Schedule.Window wholeDay = new Schedule.Window(java.time.LocalTime.MIDNIGHT, java.time.LocalTime.MIDNIGHT);
    assertTrue(wholeDay.covers(java.time.LocalTime.MIDNIGHT) && wholeDay.covers(java.time.LocalTime.MAX));
  }

  @Test
  void aScheduleWhoseDatesFallOnNoneOfItsDaysIsRefusedWhicheverIsGivenFirst() {
    java.time.LocalDate monday = java.time.LocalDate.of(2026, 3, 2);
    java.time.LocalDate friday = monday.plusDays(4);

    IllegalArgumentException daysFirst = assertThrows(IllegalArgumentException.class,
        () -> Schedule.always().on(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY).dates(monday, friday));
    IllegalArgumentException datesFirst = assertThrows(IllegalArgumentException.class,
        () -> Schedule.always().dates(monday, friday).on(DayOfWeek.SATURDAY));

    assertTrue(daysFirst.getMessage().contains("SATURDAY") && daysFirst.getMessage().contains("2026-03-06"),
        daysFirst.getMessage());
    assertTrue(datesFirst.getMessage().contains("SATURDAY"), datesFirst.getMessage());
    assertEquals(TreeSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY),
        Schedule.always().dates(monday, friday).on(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY).days());
    assertEquals(Option.some(monday.plusDays(6)),
        Schedule.always().on(DayOfWeek.SUNDAY).dates(monday, monday.plusDays(6)).until());
    // At the end of the calendar: refused with the same message, not a DateTimeException.
    java.time.LocalDate last = java.time.LocalDate.MAX;
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.always().on(last.getDayOfWeek().plus(1))
        .dates(last.minusDays(1), last)).getMessage().contains("never run"));
    // and, falling on its day, still refused: no purchase is made in that year.
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedule.always().on(last.getDayOfWeek())
        .dates(last, last)).getMessage().contains("years 1 to 9999"));
  }

  /**
   * Every instant the ledger takes lies in years 1 to 9999: a campaign from a date after them (a
   * year typed 20026) was accepted and then never ran, as a reward's window there already was refused.
   */
  @Test
  void aScheduleWhoseDatesLieOutsideTheYearsTheLedgerSupportsIsRefusedSinceItWouldNeverRun() {
    java.time.LocalDate typo = java.time.LocalDate.of(20026, 6, 1);

    IllegalArgumentException late = assertThrows(IllegalArgumentException.class,
        () -> Schedule.always().dates(typo, typo.plusDays(29)));
    IllegalArgumentException early = assertThrows(IllegalArgumentException.class,
        () -> Schedule.always().dates(java.time.LocalDate.of(-5, 1, 1), java.time.LocalDate.of(-1, 12, 31)));

    assertTrue(late.getMessage().contains("20026-06-01") && late.getMessage().contains("never run"), late.getMessage());
    assertTrue(early.getMessage().contains("years 1 to 9999"), early.getMessage());
    // A zone up to 18 hours ahead of or behind UTC sees the supported instants from 31 December of
    // year 0 to 1 January 10000.
    assertEquals(Option.some(java.time.LocalDate.of(10000, 1, 1)), Schedule.always()
        .dates(java.time.LocalDate.of(10000, 1, 1), java.time.LocalDate.of(10000, 1, 1)).from());
    assertEquals(Option.some(java.time.LocalDate.of(0, 12, 31)), Schedule.always()
        .dates(java.time.LocalDate.of(-5, 1, 1), java.time.LocalDate.of(0, 12, 31)).until());
    assertEquals(Option.some(typo), Schedule.always().dates(java.time.LocalDate.of(2026, 6, 1), typo).until());
  }

  @Test
  void anEmptyTargetingListIsRefusedRatherThanTakenForEveryone() {
    assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.forTiers("gold").forTiers());
    assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.forSegments());
    assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.onChannels());
    assertThrows(IllegalArgumentException.class, () -> Schedule.always().on());
    assertEquals(TreeSet.of("gold"), RuleTerms.DEFAULT.forTiers("gold").tiers());
    assertEquals(TreeSet.of(DayOfWeek.TUESDAY), Schedule.always().on(DayOfWeek.TUESDAY).days());
  }

  @Test
  void roundingThatCannotRoundIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.rounding(RoundingMode.UNNECESSARY));
    assertEquals(RoundingMode.HALF_UP, RuleTerms.DEFAULT.rounding(RoundingMode.HALF_UP).rounding());
  }

  @Test
  void aRulesExpiryPolicyTakesPrecedenceOverItsPeriodEvenWhenItSaysNever() {
    RuleTerms both = new RuleTerms(RuleTerms.DEFAULT.stacking(), EntryKind.EARN, Option.some(Period.ofMonths(1)),
        Option.none(), true, RoundingMode.DOWN, Option.none(), Option.none(), Option.none(), Option.none(), Option.none(),
        TreeSet.empty(), TreeSet.empty(), TreeSet.empty(), Option.some(ExpiryPolicy.never()));
    Loyalty loyalty = Fixtures.aLoyalty(new InMemoryLedgerStore(), clock,
        LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(BaseRate.of("base", "1").with(both))).build());
    enrolled(loyalty, ADA);
    assertEquals(Option.none(), accepted(loyalty.earn(aPurchase(ADA, key("pos-1"), clock.instant(), line("I", 1, "10.00"))))
        .entries().head().expiresAt());
  }

  @Test
  void aBasketThresholdInAnotherCurrencyThanTheProgramsIsRefusedWhenTheProgramIsBuilt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoyaltyProgram.builder("bean-club")
        .earnRules(RuleBook.of(BasketThreshold.of("fifty", Money.parse("JPY 5000"), 100))).build());
    assertTrue(e.getMessage().contains("fifty") && e.getMessage().contains("JPY"), e.getMessage());
  }

  @Test
  void aBuiltInRuleOrTermOutOfRangeIsRefusedNamingTheSettingAndItsValue() {
    assertEquals("a basket threshold must be positive, was EUR 0.00",
        assertThrows(IllegalArgumentException.class, () -> BasketThreshold.of("fifty", Money.parse("EUR 0.00"), 100)).getMessage());
    assertEquals("a basket threshold's points must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> BasketThreshold.of("fifty", Money.parse("EUR 50.00"), 0)).getMessage());
    assertEquals("every N must be at least 2, was 1",
        assertThrows(IllegalArgumentException.class, () -> EveryNthVisit.of("tenth", 1, 200)).getMessage());
    assertEquals("an every-Nth-visit bonus's points must be positive, was -5",
        assertThrows(IllegalArgumentException.class, () -> EveryNthVisit.of("tenth", 10, -5)).getMessage());
    assertEquals("a multiplier's factor must be at least 1, was 0.5",
        assertThrows(IllegalArgumentException.class, () -> Multiplier.onSkus("half", "0.5", "1", "BEANS")).getMessage());
    assertEquals("a multiplier's base rate must not be negative, was -1",
        assertThrows(IllegalArgumentException.class, () -> Multiplier.onSkus("double", "2", "-1", "BEANS")).getMessage());
    assertEquals("cappedPerTransaction must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.cappedPerTransaction(0)).getMessage());
    assertEquals("budget must be positive, was -100",
        assertThrows(IllegalArgumentException.class, () -> RuleTerms.DEFAULT.budget(-100)).getMessage());
  }

  @Test
  void aRuleNamingASkuCategoryOrEventTypeThatNoPurchaseOrEventCanCarryIsRefusedWhenItIsMade() {
    IllegalArgumentException sku = assertThrows(IllegalArgumentException.class, () -> UnitBonus.of("bag", "BEANS BAG", 25));
    assertTrue(sku.getMessage().contains("'BEANS BAG'"), sku.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Multiplier.onSkus("double", "2", "1", "BEANS", ""));
    assertThrows(IllegalArgumentException.class, () -> Multiplier.onCategories("double", "2", "1", "coffee beans"));
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
        () -> EventAward.of("survey", "Survey.Completed", 40));
    assertTrue(type.getMessage().contains("'Survey.Completed'"), type.getMessage());
    assertEquals("BEANS-1KG", UnitBonus.of("bag", "BEANS-1KG", 25).sku());
    assertEquals(TreeSet.of("coffee-beans"), Multiplier.onCategories("double", "2", "1", "coffee-beans").categories());
    assertEquals(CustomEvent.SURVEY_COMPLETED, EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40).eventType());
  }

  /**
   * Only a custom event names a counterparty, and a rule once per counterparty grants nothing to an
   * event or purchase that names none: on one of the library's purchase rules it was accepted and
   * never granted anything, silently.
   */
  @Test
  void aPurchaseRuleOncePerCounterpartyIsRefusedWhenTheBookIsBuiltSinceNoPurchaseNamesOne() {
    RuleTerms once = RuleTerms.DEFAULT.asBonus().oncePerCounterparty();
    for (EarnRule purchaseRule : List.<EarnRule>of(BaseRate.of("base", "1").with(once),
        Multiplier.onSkus("double", "2", "1", "BEANS").with(once), UnitBonus.of("bag", "BEANS-1KG", 25).with(once),
        BasketThreshold.of("fifty", Money.parse("EUR 50.00"), 100).with(once), EveryNthVisit.of("tenth", 10, 200).with(once),
        FirstPurchaseBonus.of("welcome", 100).with(once))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleBook.of(purchaseRule));
      assertTrue(e.getMessage().contains("'" + purchaseRule.id() + "'") && e.getMessage().contains("oncePerCounterparty")
          && e.getMessage().contains("never"), e.getMessage());
    }
    EarnRule refer = EventAward.of("refer", CustomEvent.REFERRAL_CONVERTED, 500).with(once);
    assertEquals(List.of(refer), RuleBook.of(refer).rules());
  }

  /**
   * A rule discovered from a jar the application did not write is known by its class: a malformed id
   * or a missing description was refused naming only the id, or nothing, so the operator could not
   * tell which plugin to fix, nor what to change.
   */
  @Test
  void aRuleWithAMalformedIdOrNoDescriptionIsRefusedNamingItsClassAndWhatToChange() {
    Evaluation anything = Evaluation.award(1, "one point");
    for (EarnRule rule : List.of(EarningTest.plugin("Birthday_Coffee", "Triple points", RuleTerms.DEFAULT, anything),
        EarningTest.plugin("", "Triple points", RuleTerms.DEFAULT, anything),
        EarningTest.plugin("birthday-coffee", " ", RuleTerms.DEFAULT, anything),
        EarningTest.plugin("birthday-coffee", null, RuleTerms.DEFAULT, anything),
        EarningTest.plugin("birthday-coffee", "Triple \ud83c points", RuleTerms.DEFAULT, anything))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleBook.of(rule));
      assertTrue(e.getMessage().contains(rule.getClass().getName()), e.getMessage());
      assertTrue(e.getMessage().contains("id()") || e.getMessage().contains("description()"), e.getMessage());
    }
  }

  /**
   * A plugin whose {@code terms()} threw while the book was built (a bad argument to a
   * {@code RuleTerms} factory, say) let the exception escape as it was, naming neither the rule nor
   * its class; one whose {@code id()} returned null was refused by a bare NullPointerException.
   */
  @Test
  void aRuleThatFailsToDescribeItselfIsRefusedNamingItsClassAndTheMethod() {
    EarnRule badTerms = new EarnRule() {
      @Override
      public String id() {
        return "birthday-coffee";
      }

      @Override
      public String description() {
        return "Triple points";
      }

      @Override
      public RuleTerms terms() {
        return RuleTerms.DEFAULT.cappedPerTransaction(0);
      }

      @Override
      public Evaluation evaluate(EarnContext context) {
        return Evaluation.award(1, "one point");
      }
    };
    IllegalArgumentException threw = assertThrows(IllegalArgumentException.class, () -> RuleBook.of(badTerms));
    assertTrue(threw.getMessage().contains("'birthday-coffee'") && threw.getMessage().contains(badTerms.getClass().getName())
        && threw.getMessage().contains("terms()"), threw.getMessage());
    assertTrue(threw.getCause() instanceof IllegalArgumentException, String.valueOf(threw.getCause()));

    EarnRule noId = EarningTest.plugin(null, "Triple points", RuleTerms.DEFAULT, Evaluation.award(1, "one point"));
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> RuleBook.of(noId));
    assertTrue(none.getMessage().contains(noId.getClass().getName()) && none.getMessage().contains("id()"),
        none.getMessage());

    EarnRule noTerms = EarningTest.plugin("birthday-coffee", "Triple points", null, Evaluation.award(1, "one point"));
    IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class, () -> RuleBook.of(noTerms));
    assertTrue(nothing.getMessage().contains(noTerms.getClass().getName()) && nothing.getMessage().contains("terms()"),
        nothing.getMessage());
  }

  /** An exception without a message is named by its class, not quoted as "null". */
  @Test
  void aRuleWhoseDescriptionThrowsWithoutAMessageIsRefusedNamingTheExceptionsClass() {
    EarnRule silent = new EarnRule() {
      @Override
      public String id() {
        return "birthday-coffee";
      }

      @Override
      public String description() {
        throw new UnsupportedOperationException();
      }

      @Override
      public Evaluation evaluate(EarnContext context) {
        return Evaluation.award(1, "one point");
      }
    };
    IllegalArgumentException threw = assertThrows(IllegalArgumentException.class, () -> RuleBook.of(silent));
    assertTrue(threw.getMessage().contains("java.lang.UnsupportedOperationException")
        && !threw.getMessage().contains("null"), threw.getMessage());
  }

  /**
   * Unless given a {@code MemberTiers}, the facade reads members' tiers from the program's ladder: a
   * rule for a tier the ladder does not have ("Gold" for "gold"), or for any tier in a program without
   * a ladder, was accepted and never paid anyone, silently.
   */
  @Test
  void aRuleForATierNoMemberCanBeInIsRefusedWhenTheFacadeIsBuilt() {
    EarnRule misspelt = BaseRate.of("gold-extra", "1").with(RuleTerms.DEFAULT.asBonus().forTiers("gold", "Platinum"));
    LoyaltyProgram withLadder = Fixtures.aProgramWithTiers().toBuilder()
        .earnRules(Fixtures.aProgramWithTiers().earnRules().toBuilder().rule(misspelt).build()).build();
    LoyaltyProgram withoutLadder = LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(misspelt)).build();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Loyalty.builder().program(withLadder).store(new InMemoryLedgerStore()).clock(clock).build());
    assertTrue(e.getMessage().contains("'gold-extra'") && e.getMessage().contains("'Platinum'")
        && e.getMessage().contains("green, gold"), e.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> Loyalty.builder().program(withoutLadder).store(new InMemoryLedgerStore()).clock(clock).build());
    assertTrue(none.getMessage().contains("'gold-extra'") && none.getMessage().contains("no tier ladder"),
        none.getMessage());
    // Tiers of its own: the facade cannot know them, and takes the rule.
    Loyalty.builder().program(withoutLadder).store(new InMemoryLedgerStore()).clock(clock)
        .memberTiers((member, at) -> Option.some("Platinum")).build();
    EarnRule spelt = BaseRate.of("gold-extra", "1").with(RuleTerms.DEFAULT.asBonus().forTiers("gold"));
    LoyaltyProgram fixed = withLadder.toBuilder()
        .earnRules(Fixtures.aProgramWithTiers().earnRules().toBuilder().rule(spelt).build()).build();
    assertEquals(List.of("base", "gold-extra"), Loyalty.builder().program(fixed).store(new InMemoryLedgerStore())
        .clock(clock).build().program().earnRules().rules().map(EarnRule::id));
  }

  /** The check by hand accepts exactly what the documented pattern does, character by character. */
  @Test
  void aSkuIsAcceptedExactlyWhenItIsOneTo64LettersDigitsOrThePunctuationAllowed() {
    java.util.regex.Pattern documented = java.util.regex.Pattern.compile("[A-Za-z0-9._:/-]{1,64}");
    String alphabet = "AZaz09._:/-@ \u00e9\u0660\u00ff,+*[]`{~Z";
    org.quicktheories.QuickTheory.qt().withExamples(2000)
        .forAll(org.quicktheories.generators.SourceDSL.lists().of(
            org.quicktheories.generators.SourceDSL.integers().between(0, alphabet.length() - 1)).ofSizeBetween(0, 66))
        .checkAssert(indexes -> {
          StringBuilder text = new StringBuilder();
          indexes.forEach(i -> text.append(alphabet.charAt(i)));
          String sku = text.toString();
          boolean accepted = !Option.of(sku).toTry().mapTry(LineItem::requireSku).isFailure();
          assertEquals(documented.matcher(sku).matches(), accepted, sku);
        });
    for (char c = 0; c < 256; c++) {
      String sku = "A" + c;
      assertEquals(documented.matcher(sku).matches(), !Option.of(sku).toTry().mapTry(LineItem::requireSku).isFailure(),
          "character " + (int) c);
    }
  }

  /**
   * Built-in rules keep clawbacks of one SKU by its hash and base; a SKU sharing its slot never gets
   * another's, nor the clawback of its own SKU on the other base.
   */
  @Test
  void aClawbackOfOneSkuIsBasedOnThatSkuAndBaseEvenWhenAnotherSharesItsSlot() {
    assertEquals("Aa".hashCode(), "BB".hashCode(), "the two SKUs share a slot");
    for (String sku : List.of("Aa", "BB", "Aa", "BB", "BEANS")) {
      for (AmountBase base : List.of(AmountBase.NET, AmountBase.GROSS, AmountBase.NET)) {
        assertEquals(Clawback.proportionalOn(List.of(sku), base), Clawback.proportionalOn(sku, base));
        assertEquals(TreeSet.of(sku), Clawback.proportionalOn(sku, base).basis());
        assertEquals(base, Clawback.proportionalOn(sku, base).base());
      }
    }
    assertEquals(Clawback.proportionalOn(List.of("BEANS")), Clawback.proportionalOn("BEANS", AmountBase.NET));
  }

  /** A plugin that names a SKU or category checks it as a line would carry it, with the built-in rules' words. */
  @ParameterizedTest(name = "SKU [{0}]")
  @CsvSource(delimiter = '|', value = {"BEANS BAG", "''", "BEANS-\u00c9", "BEANS-1KG-BAG-OF-FIFTY-FIVE-CHARACTERS-AND-ENOUGH-MORE-TO-PASS-64"})
  void aPluginCanRefuseASkuOrCategoryThatNoPurchaseLineCanCarryAsTheBuiltInRulesDo(String sku) {
    assertThrows(IllegalArgumentException.class, () -> LineItem.of(sku, 1, Money.parse("EUR 1.00")));
    assertEquals(assertThrows(IllegalArgumentException.class, () -> UnitBonus.of("bag", sku, 25)).getMessage(),
        assertThrows(IllegalArgumentException.class, () -> LineItem.requireSku(sku)).getMessage());
    assertEquals(assertThrows(IllegalArgumentException.class, () -> Multiplier.onCategories("double", "2", "1", sku))
        .getMessage(), assertThrows(IllegalArgumentException.class, () -> LineItem.requireCategory(sku)).getMessage());
    assertThrows(NullPointerException.class, () -> LineItem.requireSku(null));
    assertThrows(NullPointerException.class, () -> LineItem.requireCategory(null));
    assertEquals("BEANS-1KG", LineItem.requireSku("BEANS-1KG"));
    assertEquals("coffee:beans/1.5_kg", LineItem.requireCategory("coffee:beans/1.5_kg"));
  }

  /** A plugin that names an event type checks it as an event would carry it, with the built-in rule's words. */
  @ParameterizedTest(name = "type [{0}]")
  @ValueSource(strings = {"", "Survey.Completed", "survey completed", ".survey", "survey/completed"})
  void aPluginCanRefuseAnEventTypeThatNoEventCanHaveAsEventAwardDoes(String type) {
    assertEquals(assertThrows(IllegalArgumentException.class, () -> EventAward.of("survey", type, 10)).getMessage(),
        assertThrows(IllegalArgumentException.class, () -> CustomEvent.requireType(type)).getMessage());
    assertEquals("x", CustomEvent.requireType("x"));
    assertEquals("app.sign-up_2", CustomEvent.requireType("app.sign-up_2"));
    assertThrows(NullPointerException.class, () -> CustomEvent.requireType(null));
  }

  @Test
  void aCreditWhoseQualifyingDetailsAreNotWholeNumbersIsRefusedAndWritesNothing() {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    Loyalty loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
    enrolled(loyalty, ADA);
    for (TreeMap<String, String> details : List.of(TreeMap.of(QualifyingActivity.SPEND, "12.50"),
        TreeMap.of(QualifyingActivity.VISIT, "one"), TreeMap.of(QualifyingActivity.VISIT, "2"),
        TreeMap.of(QualifyingActivity.POINTS, ""))) {
      LoyaltyError.InvalidRequest error = assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.credit(
          Credit.of(ADA, Points.of(10), "Purchase", Fixtures.aKey()).explainedBy(List.empty(), details))));
      assertEquals("details", error.field());
    }
    assertTrue(store.entries(ADA, 1, 10).isEmpty());
    accepted(loyalty.credit(Credit.of(ADA, Points.of(10), "Purchase", Fixtures.aKey()).explainedBy(List.empty(),
        TreeMap.of(QualifyingActivity.SPEND, "1250", QualifyingActivity.VISIT, "1"))));
    assertEquals(1, loyalty.rfm(clock.instant(), ZoneOffset.UTC).profile(ADA).get().purchases());
    assertEquals(Channel.system(), store.entries(ADA, 1, 10).head().channel());
    assertTrue(clock.instant().isAfter(Instant.EPOCH));
  }
}
