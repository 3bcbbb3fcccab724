package io.github.loyaltyledger.insight;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aLoyaltyEarning;
import static io.github.loyaltyledger.Fixtures.aProgram;
import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.purchased;
import static io.github.loyaltyledger.Fixtures.redeemed;
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
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.MemberTiers;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierLadder;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InsightsTest {

  @ParameterizedTest(name = "points expiring in {0} days are {1}")
  @CsvSource({
      "0, OVERDUE", "1, WITHIN_30_DAYS", "30, WITHIN_30_DAYS", "31, WITHIN_90_DAYS", "90, WITHIN_90_DAYS",
      "91, WITHIN_180_DAYS", "180, WITHIN_180_DAYS", "181, WITHIN_365_DAYS", "365, WITHIN_365_DAYS", "366, LATER",
  })
  void eachLiabilityBucketIncludesItsLastDayAndTheNextBucketStartsTheDayAfter(long days, ExpiryBucket bucket) {
    assertEquals(bucket, ExpiryBucket.ofDays(days));
  }

  static final Instant MARCH = Instant.parse("2026-03-01T10:00:00Z");
  static final Instant MID_APRIL = Instant.parse("2026-04-16T12:00:00Z");
  static final RedemptionRate EURO_PER_100 = RedemptionRate.of(eur("1.00"), 100);

  final TestClock clock = new TestClock(MARCH);
  final Loyalty loyalty = aLoyalty(new InMemoryLedgerStore(), clock, aProgram());
  final MemberId ada = member("ada");
  final MemberId bob = member("bob");

  /**
   * ada's grace lot on a facade that lets balances go negative: a point of March's cohort and one of
   * April's, both expired while a hold held them, given back by its void at 00:10 on 1 April, March's
   * first. Returns the void's receipt, whose entry's id is the grace lot's.
   */
  private Receipt aGraceLotOfAMarchAndAnAprilPoint(Loyalty negative) {
    enrolled(negative, ada);
    clock.set(Instant.parse("2026-03-31T23:50:00Z"));
    credit(negative, ada, 1, Instant.parse("2026-04-01T00:02:00Z"));                      // March
    clock.set(Instant.parse("2026-04-01T00:00:00Z"));
    credit(negative, ada, 1, Instant.parse("2026-04-01T00:05:00Z"));                      // April
    Hold both = held(negative, 2);
    clock.set(Instant.parse("2026-04-01T00:10:00Z"));
    return accepted(negative.voidHold(both.id(), "Till cancelled", aKey()));
  }

  /** A hold of ada's points for a day at a till. */
  private Hold held(Loyalty on, long points) {
    return accepted(on.authorize(Authorization.points(ada, points(points), Duration.ofDays(1),
        Channel.store("S-1"), aKey())));
  }

  Receipt credit(MemberId m, long n, String reason, Instant expires) {
    Credit c = Credit.of(m, points(n), reason, aKey());
    return accepted(loyalty.credit(expires == null ? c : c.expiringAt(expires)));
  }

  static Receipt credit(Loyalty on, MemberId m, long n, Instant expires) {
    return accepted(on.credit(Credit.of(m, points(n), "Gift", aKey()).expiringAt(expires)));
  }

  /**
   * The hand-computed ledger. 1 March: Ada earns 100 (expiring 20 March), 200 (expiring 1 July) and
   * 50 (never) and redeems 120 (all of the first lot, 20 of the second); Bob earns 300 (expiring 15
   * April). 16 April: Bob's 300 expire and he earns 40 (never).
   */
  void handComputedLedger() {
    enrolled(loyalty, ada);
    enrolled(loyalty, bob);
    credit(ada, 100, "Purchase", Instant.parse("2026-03-20T00:00:00Z"));
    credit(ada, 200, "Purchase", Instant.parse("2026-07-01T00:00:00Z"));
    credit(ada, 50, "Welcome gift", null);
    redeemed(loyalty, ada, 120);
    credit(bob, 300, "Purchase", Instant.parse("2026-04-15T00:00:00Z"));
    clock.set(MID_APRIL);
    accepted(loyalty.expire(bob, MID_APRIL, aKey()));
    credit(bob, 40, "Purchase", null);
  }

  /** A store in which ada, enrolled, was credited 100 points, for reports read directly over it. */
  private InMemoryLedgerStore aStoreWithAdasCredit() {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    Loyalty direct = aLoyalty(store, clock, aProgram());
    enrolled(direct, ada);
    credit(direct, ada, 100, Instant.parse("2026-07-01T00:00:00Z"));
    return store;
  }

  /**
   * Read directly over a store, as the README shows, a report as of an instant with no date in a
   * zone (Instant.MAX, say) threw DateTimeException "Invalid value for EpochDay"; it is refused as
   * the facade's reports refuse it, naming the argument.
   */
  @Test
  void aReportReadDirectlyOverAStoreAtAnInstantOutsideYears1To9999IsRefusedNamingTheArgument() {
    InMemoryLedgerStore store = aStoreWithAdasCredit();
    Insights insights = new Insights(store, store, MemberTiers.NONE, CurrencyUnit.EUR);
    List<io.vavr.Tuple2<String, Executable>> reports = List.of(
        io.vavr.Tuple.of("asOf", () -> insights.liability(Instant.MAX, ZoneOffset.UTC, EURO_PER_100)),
        io.vavr.Tuple.of("asOf", () -> insights.breakage(Instant.MIN, ZoneOffset.UTC)),
        io.vavr.Tuple.of("asOf", () -> insights.rfm(Instant.MAX, ZoneOffset.UTC, m -> true)),
        io.vavr.Tuple.of("asOf", () -> insights.retention(Instant.MAX, ZoneOffset.UTC)),
        io.vavr.Tuple.of("to", () -> insights.statement(ada, MARCH, Instant.MAX, Duration.ZERO, Option.none())),
        io.vavr.Tuple.of("from", () -> insights.statement(ada, Instant.MIN, MARCH, Duration.ZERO, Option.none())));
    for (io.vavr.Tuple2<String, Executable> report : reports) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, report._2, report._1);
      assertTrue(e.getMessage().startsWith(report._1 + " must be between years 1 and 9999"), e.getMessage());
    }
  }

  /**
   * The liability read directly over a store with a {@code MemberTiers} port of the application's
   * own: an answer of null, or of {@code Some(null)}, failed with the JVM's message, naming neither
   * the port nor the member.
   */
  @Test
  void aLiabilityReadDirectlyOverAStoreWithATierPortAnsweringNullOrANullInsideNamesThePortAndTheMember() {
    InMemoryLedgerStore store = aStoreWithAdasCredit();
    for (Option<String> answer : java.util.Arrays.asList(null, Option.<String>some(null))) {
      Insights insights = new Insights(store, store, (member, at) -> answer, CurrencyUnit.EUR);

      NullPointerException e = assertThrows(NullPointerException.class,
          () -> insights.liability(MARCH, ZoneOffset.UTC, EURO_PER_100));

      assertEquals("a MemberTiers port answered " + (answer == null ? "null" : "Some(null)") + " for member 'ada': it"
          + " answers Option.none() for a member without a tier", e.getMessage());
    }
  }

  /**
   * Reports read a member's entries a page at a time (500): a member with more entries than two
   * pages, some recorded "later" by a node whose clock was ahead before one recorded in time, is
   * read whole, as {@code balanceAsOf} reads the ledger.
   */
  @Test
  void aMemberWithMoreEntriesThanTwoPagesIsReadWholeByEveryReport() {
    enrolled(loyalty, ada);
    clock.set(MARCH.plus(Duration.ofHours(1)));
    for (int i = 0; i < 1100; i++) {
      credit(ada, 1, "Stamp", null);
    }
    clock.set(MARCH);
    credit(ada, 1, "Stamp from a node whose clock is behind", null);
    clock.set(MARCH.plus(Duration.ofHours(2)));
    credit(ada, 1000, "Recorded after the reports' instant", null);
    Instant asOf = MARCH.plus(Duration.ofMinutes(30));

    assertEquals(points(1101), accepted(loyalty.balanceAsOf(ada, asOf)).total());
    assertEquals(points(1101), accepted(loyalty.liability(asOf, ZoneOffset.UTC, EURO_PER_100)).outstanding());
    assertEquals(points(1101), loyalty.breakage(asOf, ZoneOffset.UTC).cohorts().single().issued());
    Statement s = accepted(loyalty.statement(ada, MARCH.minus(Duration.ofDays(1)), asOf, Duration.ZERO));
    assertEquals(1101, s.lines().size());
    assertEquals(points(1101), s.closing());
    assertEquals(points(2101), accepted(loyalty.liability(clock.instant(), ZoneOffset.UTC, EURO_PER_100)).outstanding());
  }

  /** A statement read over a store for a period ending before it began said only "needs from < to". */
  @Test
  void aStatementReadDirectlyOverAStoreForAnEmptyPeriodOrANegativeWindowIsRefusedWithTheValues() {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    Insights insights = new Insights(store, store, MemberTiers.NONE, CurrencyUnit.EUR);
    assertEquals("to must be after from (2026-03-01T10:00:00Z), was 2026-03-01T10:00:00Z",
        assertThrows(IllegalArgumentException.class,
            () -> insights.statement(ada, MARCH, MARCH, Duration.ZERO, Option.none())).getMessage());
    assertEquals("expiringWithin must not be negative, was PT-1H",
        assertThrows(IllegalArgumentException.class,
            () -> insights.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ofHours(-1), Option.none())).getMessage());
  }

  @Nested
  class Liability_ {

    @Test
    void outstandingPointsAreSplitByExpiryBucketAndValuedAtTheRate() {
      handComputedLedger();
      Liability now = accepted(loyalty.liability(MID_APRIL, ZoneOffset.UTC, EURO_PER_100));
      assertEquals(2, now.members());
      assertEquals(points(270), now.outstanding());
      assertEquals(points(180), now.byExpiry().get(ExpiryBucket.WITHIN_90_DAYS).get());
      assertEquals(points(90), now.byExpiry().get(ExpiryBucket.NEVER).get());
      assertEquals(points(0), now.byExpiry().get(ExpiryBucket.WITHIN_30_DAYS).get());
      assertEquals(eur("2.70"), now.value());
      assertEquals(eur("1.80"), now.valueOf(ExpiryBucket.WITHIN_90_DAYS));
      assertEquals(points(270), now.byTier().get(Liability.NO_TIER).get());
    }

    @Test
    void pointsExpiringInTheLastSupportedYearAreCountedAndAnInstantBeyondItIsRefused() {
      enrolled(loyalty, ada);
      accepted(loyalty.credit(Credit.of(ada, points(10), "Far", aKey())
          .expiringAt(Instant.parse("9999-12-31T23:59:59.999999999Z"))));
      accepted(loyalty.credit(Credit.of(ada, points(5), "Near", aKey()).expiringAt(Instant.parse("2026-03-15T00:00:00Z"))));
      Liability now = accepted(loyalty.liability(MARCH, ZoneOffset.ofHours(14), EURO_PER_100));
      assertEquals(points(15), now.outstanding());
      assertEquals(points(5), now.byExpiry().get(ExpiryBucket.WITHIN_30_DAYS).get());
      assertEquals("asOf", ((LoyaltyError.InvalidRequest) refused(
          loyalty.liability(Instant.MAX, ZoneOffset.UTC, EURO_PER_100))).field());
    }

    /**
     * A month-end close re-run later counted the members enrolled since: the November liability
     * read again in January said two members where it had said one, and a liability as of a day
     * before anyone enrolled counted everyone.
     */
    @Test
    void aLiabilityAsOfAPastInstantCountsOnlyTheMembersEnrolledByThenSoARerunGivesTheSameFigures() {
      enrolled(loyalty, ada);
      credit(ada, 100, "Purchase", null);
      Instant close = clock.instant();
      Liability atTheClose = accepted(loyalty.liability(close, ZoneOffset.UTC, EURO_PER_100));
      clock.set(MID_APRIL);
      enrolled(loyalty, bob);
      credit(bob, 40, "Purchase", null);
      Liability rerun = accepted(loyalty.liability(close, ZoneOffset.UTC, EURO_PER_100));
      assertEquals(1, atTheClose.members());
      assertEquals(atTheClose, rerun);
      assertEquals(0, accepted(loyalty.liability(close.minusSeconds(1), ZoneOffset.UTC, EURO_PER_100)).members());
    }

    @Test
    void aPastInstantSeesTheLedgerAsItThenStood() {
      handComputedLedger();
      Liability then = accepted(loyalty.liability(MARCH, ZoneOffset.UTC, EURO_PER_100));
      assertEquals(points(530), then.outstanding());
      assertEquals(points(180), then.byExpiry().get(ExpiryBucket.WITHIN_180_DAYS).get());
      assertEquals(points(300), then.byExpiry().get(ExpiryBucket.WITHIN_90_DAYS).get());
      assertEquals(points(50), then.byExpiry().get(ExpiryBucket.NEVER).get());
    }

    @Test
    void anInstantSeesTheEntriesBalanceAsOfCountsWhenANodeWhoseClockIsBehindRecordedOneEarlier() {
      enrolled(loyalty, ada);
      credit(ada, 100, "Recorded at 10:00", null);
      clock.set(MARCH.minus(Duration.ofHours(1)));
      credit(ada, 50, "Recorded at 09:00, after it", null);
      Instant half = MARCH.minus(Duration.ofMinutes(30));
      Liability current = accepted(loyalty.liability(half, ZoneOffset.UTC, EURO_PER_100));
      assertEquals(accepted(loyalty.balanceAsOf(ada, half)).total(), current.outstanding());
      assertEquals(points(150), loyalty.breakage(half, ZoneOffset.UTC).cohorts().map(BreakageCohort::issued)
          .fold(Points.ZERO, Points::plus), "issued as of 09:30: the 09:00 credit and the one committed before it");
      clock.set(MARCH.plus(Duration.ofHours(1)));
      credit(ada, 20, "Recorded at 11:00", null);
      assertEquals(current, accepted(loyalty.liability(half, ZoneOffset.UTC, EURO_PER_100)),
          "replayed, not read from the running state, the liability then is the same");
      assertEquals(points(0), accepted(loyalty.liability(MARCH.minus(Duration.ofHours(2)), ZoneOffset.UTC, EURO_PER_100))
          .outstanding());
    }

    /**
     * A facade that lets balances go negative, on which ada owes 100 points (her credit of 100,
     * spent, reversed as fraud) and has pending credits of the given points, vesting on 2 March.
     */
    private Loyalty adaOwing100WithPendingCredits(long... pending) {
      Loyalty owing = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      enrolled(owing, ada);
      Receipt earn = accepted(owing.credit(Credit.of(ada, points(100), "Purchase", aKey())));
      redeemed(owing, ada, 100);
      accepted(owing.reverse(Reversal.of(earn.entries().head().id(), "Fraud", aKey())));
      for (long p : pending) {
        accepted(owing.credit(Credit.of(ada, points(p), "Pending", aKey()).vestingAt(MARCH.plus(Duration.ofDays(1)))));
      }
      return owing;
    }

    /**
     * Vests ada's pending points on 3 March and returns the liability then, read from the running
     * state, after checking that replayed once a later entry exists it is the same.
     */
    private Liability vestedOn3March(Loyalty owing) {
      clock.set(MARCH.plus(Duration.ofDays(2)));
      accepted(owing.vest(ada, clock.instant(), aKey()));
      Instant vested = clock.instant();
      Liability running = accepted(owing.liability(vested, ZoneOffset.UTC, EURO_PER_100));
      clock.advance(Duration.ofDays(1));
      accepted(owing.credit(Credit.of(ada, points(10), "Later", aKey())));
      assertEquals(running, accepted(owing.liability(vested, ZoneOffset.UTC, EURO_PER_100)), "replayed, the same");
      return running;
    }

    @Test
    void pointsThatVestedIntoADeficitAreNotOwedWhetherOrNotLaterEntriesExist() {
      Loyalty owing = adaOwing100WithPendingCredits(80);
      Liability running = vestedOn3March(owing);
      assertEquals(points(0), running.outstanding(), "the 80 vested points repaid 80 of the 100 owed");
      BreakageCohort march = owing.breakage(running.asOf(), ZoneOffset.UTC).cohorts().head();
      assertEquals(points(180), march.issued());
      assertEquals(points(100), march.redeemed());
      assertEquals(points(80), march.other(), "the vested points taken to repay the deficit");
      assertEquals(points(0), march.outstanding());
    }

    @Test
    void aCapturedHoldAndAVoidedOneAreNoLongerHeldWhenTheLiabilityIsReplayedPastLaterEntries() {
      enrolled(loyalty, ada);
      credit(ada, 100, "Purchase", null);
      Hold captured = held(loyalty, 30);
      Hold voided = held(loyalty, 20);
      accepted(loyalty.capture(captured.id(), aKey()));
      accepted(loyalty.voidHold(voided.id(), "Till cancelled", aKey()));
      Instant resolved = clock.instant();
      clock.advance(Duration.ofHours(1));
      credit(ada, 10, "Later", null);
      Liability l = accepted(loyalty.liability(resolved, ZoneOffset.UTC, EURO_PER_100));
      assertEquals(points(70), l.outstanding(), "the captured 30 points left the balance, the voided 20 came back");
      assertEquals(points(0), l.byExpiry().get(ExpiryBucket.HELD).get());
      assertEquals(points(70), l.byExpiry().get(ExpiryBucket.NEVER).get());
    }

    @Test
    void twoLotsVestingTogetherIntoADeficitRepayItInTurnAndOnlyTheSecondKeepsPoints() {
      Loyalty owing = adaOwing100WithPendingCredits(80, 50);
      Liability running = vestedOn3March(owing);
      assertEquals(points(30), running.outstanding(), "80 and then 20 of the 50 repaid the 100 owed");
      BreakageCohort march = owing.breakage(running.asOf(), ZoneOffset.UTC).cohorts().head();
      assertEquals(points(100), march.other(), "the vested points taken to repay the deficit");
      assertEquals(points(30), march.outstanding());
    }

    @Test
    void pointsPastTheirExpiryButNotYetWrittenOffAreOverdue() {
      handComputedLedger();
      Liability late = accepted(loyalty.liability(Instant.parse("2026-07-02T00:00:00Z"), ZoneOffset.UTC, EURO_PER_100));
      assertEquals(points(180), late.byExpiry().get(ExpiryBucket.OVERDUE).get());
      assertEquals(points(270), late.outstanding());
    }

    @Test
    void pointsInAnOpenHoldAreOutstandingAsHeld() {
      enrolled(loyalty, ada);
      credit(ada, 100, "Purchase", null);
      accepted(loyalty.authorize(Authorization.points(ada, points(30), Duration.ofMinutes(15),
          Channel.store("S-1"), aKey())));
      Liability l = accepted(loyalty.liability(MARCH, ZoneOffset.UTC, EURO_PER_100));
      assertEquals(points(100), l.outstanding());
      assertEquals(points(30), l.byExpiry().get(ExpiryBucket.HELD).get());
      assertEquals(points(70), l.byExpiry().get(ExpiryBucket.NEVER).get());
    }

    @Test
    void valuesAreRoundedOnceWithTheRatesRoundingMode() {
      RedemptionRate third = new RedemptionRate(eur("0.01"), 3, java.math.RoundingMode.DOWN);
      assertEquals(eur("0.33"), third.valueOf(points(100)));
      assertEquals(eur("0.34"), RedemptionRate.of(eur("0.01"), 3).valueOf(points(101)));
    }

    /**
     * With RoundingMode.UNNECESSARY, a rate whose point is worth a fraction of a cent made liability
     * throw ArithmeticException ("Rounding necessary"), which it documents only for totals beyond a
     * long; such a rate is refused when made, and one whose every value is exact still values.
     */
    @Test
    void aRateThatMustNeverRoundButWouldHaveToIsRefusedWhenMade() {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> new RedemptionRate(eur("1.00"), 1000, java.math.RoundingMode.UNNECESSARY));
      assertTrue(e.getMessage().contains("UNNECESSARY") && e.getMessage().contains("EUR 1.00 per 1000"), e.getMessage());
      enrolled(loyalty, ada);
      credit(ada, 7, "Gift", null);
      RedemptionRate exact = new RedemptionRate(eur("1.00"), 100, java.math.RoundingMode.UNNECESSARY);
      assertEquals(eur("0.07"), accepted(loyalty.liability(MARCH, ZoneOffset.UTC, exact)).value());
    }

    @Test
    void aRatePerSinglePointIsAcceptedAndABlockOfNoPointsIsRefusedNamingIt() {
      assertEquals(eur("0.07"), new RedemptionRate(eur("0.01"), 1, java.math.RoundingMode.UNNECESSARY).valueOf(points(7)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedemptionRate.of(eur("0.01"), 0));
      assertEquals("the block of points must be positive, was 0", e.getMessage());
    }

    @Test
    void outstandingPointsBeyondWhatALongCountsFailLoudlyInsteadOfWrappingAround() {
      enrolled(loyalty, ada);
      enrolled(loyalty, bob);
      credit(ada, Long.MAX_VALUE - 5, "Gift", null);
      credit(bob, Long.MAX_VALUE - 5, "Gift", null);
      ArithmeticException e = org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
          () -> loyalty.liability(MARCH, ZoneOffset.UTC, EURO_PER_100));
      assertTrue(e.getMessage().contains("outstanding points"), e.getMessage());
    }

    /**
     * Valued in the program's currency at its scale: yen have no minor unit and dinars three. The
     * value rounds the total once (half-even by default): three members of one point each at 1 yen
     * per 2 points are worth 2 yen (1.5 rounded), not the 0 + 0 + 0 of their rounded values, and a
     * total near the most points a report counts is valued exactly.
     */
    @ParameterizedTest(name = "{0}: {1} points are worth {2}, and the whole is worth {3}")
    @CsvSource({
        "JPY 1, 2, JPY 2, JPY 4611686018427387904",
        "BHD 1.000, 3, BHD 1.000, BHD 3074457345618258602.333",
    })
    void aLiabilityIsValuedOnceOnTheTotalAtTheScaleOfTheProgramsCurrency(
        String value, long per, String threeMembers, String huge) {
      Money rate = Money.parse(value);
      Loyalty local = aLoyalty(new InMemoryLedgerStore(), clock,
          LoyaltyProgram.builder("bean-club").currency(rate.getCurrencyUnit()).build());
      for (String name : List.of("ada", "bob", "cy")) {
        enrolled(local, member(name));
        accepted(local.credit(Credit.of(member(name), points(1), "Gift", aKey())));
      }
      Liability owed = accepted(local.liability(MARCH, ZoneOffset.UTC, RedemptionRate.of(rate, per)));
      assertEquals(points(3), owed.outstanding());
      assertEquals(Money.parse(threeMembers), owed.value());
      assertEquals(Money.parse(huge), RedemptionRate.of(rate, per).valueOf(points(Long.MAX_VALUE)));
    }

    @Test
    void aRateInAnotherCurrencyIsRefused() {
      LoyaltyError error = refused(loyalty.liability(MARCH, ZoneOffset.UTC,
          RedemptionRate.of(Money.of(CurrencyUnit.USD, 1), 100)));
      assertInstanceOf(LoyaltyError.CurrencyMismatch.class, error);
    }
  }

  @Nested
  class WithATierLadder {

    final Loyalty tiered = Loyalty.builder().program(LoyaltyProgram.builder("bean-club")
        .tierLadder(TierLadder.builder(
                QualificationWindow.rollingMonths(12))
            .tier(Tier.of("green", "Green", Qualification.none()))
            .tier(Tier.of("gold", "Gold", Qualification.points(500)))
            .build()).build())
        .store(new InMemoryLedgerStore()).clock(clock).build();

    /** Enrols a member who then qualifies for Gold with a purchase of 600 points. */
    private void inGold(MemberId member) {
      enrolled(tiered, member);
      purchased(tiered, member, 600, 6000);
      accepted(tiered.evaluateTier(member, aKey()));
    }

    @Test
    void liabilityIsSplitByTheTierEachMemberHeldAndStatementsShowTierProgress() {
      inGold(ada);
      enrolled(tiered, bob);
      purchased(tiered, bob, 100, 1000);
      Liability l = accepted(tiered.liability(MARCH, ZoneOffset.UTC, EURO_PER_100));
      assertEquals(TreeMap.of("gold", points(600), "green", points(100)), l.byTier());
      Statement s = accepted(tiered.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ZERO));
      assertEquals("gold", s.tier().get().tier().value());
      assertTrue(s.toText().contains("Tier: gold\n"), s.toText());
      assertTrue(s.toJson().endsWith("\"tier\":{\"tier\":\"gold\",\"next\":null}}"), s.toJson());
    }

    /**
     * Ada's Gold ran out on 2 March with no purchase in its window, so March's close put her points
     * under Green. A purchase of 20 February reached the ledger in April; a re-run of March's close
     * then read her tier from the whole ledger, April's entry too, and moved her points to Gold.
     */
    @Test
    void aPastLiabilitysTierSplitIgnoresAPurchaseRecordedAfterItsInstantThoughItOccurredBefore() {
      clock.set(MARCH.minus(Duration.ofDays(365)));
      enrolled(tiered, ada);
      purchased(tiered, ada, 600, 6000);
      accepted(tiered.evaluateTier(ada, aKey()));
      Instant close = Instant.parse("2026-03-31T23:59:59Z");
      clock.set(close);
      Liability atTheClose = accepted(tiered.liability(close, ZoneOffset.UTC, EURO_PER_100));
      clock.set(MID_APRIL);
      accepted(tiered.credit(Credit.of(ada, points(600), "Purchase", aKey())
          .occurredAt(Instant.parse("2026-02-20T10:00:00Z")).explainedBy(List.of("base-earn"),
              TreeMap.of(io.github.loyaltyledger.tier.QualifyingActivity.POINTS, "600"))));
      assertEquals(TreeMap.of("green", points(600)), atTheClose.byTier());
      assertEquals(atTheClose, accepted(tiered.liability(close, ZoneOffset.UTC, EURO_PER_100)));
    }

    @Test
    void aPastLiabilityKeepsTheTierEachMemberThenHeldWhenTheLedgerHasMovedOnSince() {
      enrolled(tiered, ada);
      purchased(tiered, ada, 600, 6000);
      accepted(tiered.evaluateTier(ada, aKey()));
      Instant close = clock.instant();
      clock.set(MID_APRIL);
      accepted(tiered.credit(Credit.of(ada, points(50), "Goodwill", aKey())));

      assertEquals(TreeMap.of("gold", points(600)), accepted(tiered.liability(close, ZoneOffset.UTC, EURO_PER_100)).byTier());
    }

    /**
     * A closed account stands nowhere on the ladder: its statement shows no tier in any of its forms,
     * not the Gold it held "until 2027", while its lines keep the tier change as history.
     */
    @Test
    void aClosedOrErasedMembersStatementShowsNoTierInTextJsonOrCsv() {
      inGold(ada);
      inGold(bob);
      accepted(tiered.close(ada, "Customer request", aKey()));
      accepted(tiered.erase(bob, aKey()));

      for (MemberId closed : List.of(ada, bob)) {
        Statement s = accepted(tiered.statement(closed, MARCH, MARCH.plusSeconds(1), Duration.ZERO));
        assertEquals(Option.none(), s.tier());
        assertFalse(s.toText().contains("Tier:"), s.toText());
        assertTrue(s.toJson().endsWith("\"tier\":null}"), s.toJson());
        // The CSV has no tier column; its rows, like the text's lines, keep the TIER entry as history.
        assertEquals("sequence,occurred_at,kind,points,balance,reason,breakdown", s.toCsv().lines().findFirst().get());
        assertTrue(s.toText().contains("Tier green to gold") && s.toCsv().contains("Tier green to gold"), s.toText());
      }
    }

    @Test
    void aStatementNamesTheNextTierOfAMemberBelowTheTopInTextAndJson() {
      enrolled(tiered, bob);
      purchased(tiered, bob, 100, 1000);
      Statement s = accepted(tiered.statement(bob, MARCH, MARCH.plusSeconds(1), Duration.ZERO));
      assertTrue(s.toText().contains("\nTier: green; next: gold\n"), s.toText());
      assertTrue(s.toJson().endsWith("\"tier\":{\"tier\":\"green\",\"next\":\"gold\"}}"), s.toJson());
    }
  }

  @Test
  void reportsAndTheDailyRunRefuseAnInstantOutsideTheSupportedYearsNamingIt() {
    handComputedLedger();
    for (Instant outside : List.of(Instant.MAX, Instant.MIN, Instant.parse("+10000-01-01T00:00:00Z"))) {
      java.util.List<org.junit.jupiter.api.function.Executable> calls = java.util.List.of(
          () -> loyalty.breakage(outside, ZoneOffset.UTC),
          () -> loyalty.rfm(outside, ZoneOffset.UTC),
          () -> loyalty.retention(outside, ZoneOffset.UTC),
          () -> loyalty.tierOf(ada, outside),
          () -> io.github.loyaltyledger.DailyRun.builder(loyalty).build().runDue(outside));
      for (org.junit.jupiter.api.function.Executable call : calls) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains("between years 1 and 9999"), e.getMessage());
      }
    }
    assertTrue(loyalty.breakage(Instant.parse("9999-12-31T23:59:59Z"), ZoneOffset.UTC).cohorts().nonEmpty());
  }

  @Nested
  class Breakage_ {

    List<Points> issuedRedeemedExpiredOtherOutstanding(BreakageCohort c) {
      return List.of(c.issued(), c.redeemed(), c.expired(), c.other(), c.outstanding());
    }

    @Test
    void eachCohortMonthSplitsItsIssuedPointsIntoRedeemedExpiredAndOutstanding() {
      handComputedLedger();
      Breakage b = loyalty.breakage(MID_APRIL, ZoneOffset.UTC);
      assertEquals(List.of(YearMonth.of(2026, 3), YearMonth.of(2026, 4)), b.cohorts().map(BreakageCohort::month));
      BreakageCohort march = b.cohorts().get(0);
      assertEquals(points(650), march.issued());
      assertEquals(points(120), march.redeemed());
      assertEquals(points(300), march.expired());
      assertEquals(points(0), march.other());
      assertEquals(points(230), march.outstanding());
      assertEquals(new BigDecimal("0.4615"), march.expiredShare());
      assertEquals(new BigDecimal("0.1846"), march.redeemedShare());
      BreakageCohort april = b.cohorts().get(1);
      assertEquals(points(40), april.issued());
      assertEquals(points(40), april.outstanding());
      assertEquals(new BigDecimal("0.0000"), april.expiredShare());
    }

    @Test
    void aHoldOverTwoLotsCapturedInPartCountsOnlyTheCapturedPointsAsRedeemed() {
      enrolled(loyalty, ada);
      credit(ada, 5, "Purchase", MARCH.plus(Duration.ofDays(10)));
      credit(ada, 5, "Purchase", MARCH.plus(Duration.ofDays(20)));
      Hold hold = held(loyalty, 10);
      accepted(loyalty.capture(hold.id(), points(3), aKey()));
      BreakageCohort march = loyalty.breakage(clock.instant(), ZoneOffset.UTC).cohorts().head();
      assertEquals(List.of(points(10), points(3), points(0), points(0), points(7)), issuedRedeemedExpiredOtherOutstanding(march),
          "the rest of the hold, 2 of the first lot and 5 of the second, is back in the lots");
    }

    @Test
    void aCancelledCaptureOfPartOfAHoldGivesItsPointsBackToTheCohortTheyWereTakenFrom() {
      enrolled(loyalty, ada);
      credit(ada, 5, "Purchase", null);                                                     // March
      clock.set(Instant.parse("2026-04-02T10:00:00Z"));
      credit(ada, 5, "Purchase", null);                                                     // April
      Hold hold = held(loyalty, 10);
      Redemption capture = accepted(loyalty.capture(hold.id(), points(3), aKey()));        // 3 of March's
      accepted(loyalty.cancelRedemption(capture.entry(), "Returned", aKey()));
      Breakage b = loyalty.breakage(clock.instant(), ZoneOffset.UTC);
      assertEquals(List.of(points(5), points(0), points(0), points(0), points(5)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's 3 captured points back in its lot");
      assertEquals(List.of(points(5), points(0), points(0), points(0), points(5)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)));
    }

    @Test
    void partialReturnsOfAPaymentGiveItsPointsBackToTheCohortsInTheOrderTheLedgerDoes() {
      Loyalty paying = aLoyalty(new InMemoryLedgerStore(), clock,
          io.github.loyaltyledger.program.LoyaltyProgram.builder("bean-club").rewards(
              io.github.loyaltyledger.Fixtures.aCatalogWithoutTiers(io.github.loyaltyledger.redemption.ReturnedPoints.DEFAULT))
              .build());
      enrolled(paying, ada);
      accepted(paying.credit(Credit.of(ada, points(300), "Purchase", aKey())));            // March
      clock.set(Instant.parse("2026-04-02T10:00:00Z"));
      accepted(paying.credit(Credit.of(ada, points(200), "Purchase", aKey())));            // April
      Redemption paid = accepted(paying.payWithPoints(new io.github.loyaltyledger.redemption.PointsPayment(ada,
          io.github.loyaltyledger.Fixtures.PAY, eur("10.00"), points(500), Channel.store("S-1"), aKey())));

      accepted(paying.cancelRedemption(paid.entry(), eur("3.00"), "Goods returned", aKey()));  // March's 300
      accepted(paying.cancelRedemption(paid.entry(), eur("1.00"), "Goods returned", aKey()));  // 100 of April's

      Breakage b = paying.breakage(clock.instant(), ZoneOffset.UTC);
      assertEquals(List.of(points(300), points(0), points(0), points(0), points(300)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's points all back");
      assertEquals(List.of(points(200), points(100), points(0), points(0), points(100)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "100 of April's back, 100 still paying");
    }

    /**
     * A part of a payment gives back the first points the payment took (ADR 0006, "partial return"),
     * within a grace lot too: the grace lot spends March's point before April's, so the first point
     * back is March's, and a reversal of March's credit then finds its own point there.
     */
    @Test
    void aPartOfAPaymentOfAGraceLotsPointsGivesBackTheFirstShareItTookToItsCohort() {
      InMemoryLedgerStore store = new InMemoryLedgerStore();
      Loyalty paying = aLoyalty(store, clock, aProgram().toBuilder()
          .rewards(InsightPropertiesTest.rewards(io.github.loyaltyledger.redemption.ReturnedPoints.DEFAULT)).build());
      Receipt grace = aGraceLotOfAMarchAndAnAprilPoint(paying);                              // March's first
      Redemption paid = accepted(paying.payWithPoints(new io.github.loyaltyledger.redemption.PointsPayment(ada,
          InsightPropertiesTest.PAY, eur("1.00"), points(2), Channel.store("S-1"), aKey())));   // both

      accepted(paying.cancelRedemption(paid.entry(), eur("0.10"), "Goods returned", aKey()));  // the first: March's

      Breakage b = paying.breakage(clock.instant(), ZoneOffset.UTC);
      assertEquals(List.of(List.of(points(1), points(0), points(0), points(0), points(1)),
          List.of(points(1), points(1), points(0), points(0), points(0))),
          b.cohorts().map(this::issuedRedeemedExpiredOtherOutstanding), "March's point back in the grace lot, April's paying");
      EntryId march = store.entries(ada, 1, 10).filter(e -> e.kind().createsLot() && e.points().isPositive()).get(0).id();
      Receipt reversal = accepted(paying.reverse(Reversal.of(march, "Fraud", aKey())));
      assertEquals(Option.some("1"), reversal.entries().head().details().get("grace.taken." + grace.entries().head().id()),
          "March's own point taken from the grace lot");
    }

    @Test
    void aReversedRedemptionNoLongerCountsAsRedeemed() {
      enrolled(loyalty, ada);
      credit(ada, 100, "Purchase", null);
      Receipt spent = redeemed(loyalty, ada, 60);
      accepted(loyalty.reverse(Reversal.of(spent.entries().head().id(), "Till error", aKey())));
      BreakageCohort march = loyalty.breakage(MARCH, ZoneOffset.UTC).cohorts().head();
      assertEquals(points(0), march.redeemed());
      assertEquals(points(100), march.outstanding());
    }

    @Test
    void pointsOfAVoidedHoldReturnedAfterTheirLotExpiredAreNeitherRedeemedNorIssuedAgainAndExpireInTheirCohort() {
      enrolled(loyalty, ada);
      credit(ada, 100, "Purchase", MARCH.plus(Duration.ofHours(1)));
      Hold hold = accepted(loyalty.authorize(Authorization.points(ada, points(100), Duration.ofMinutes(15),
          Channel.store("S-1"), aKey())));
      clock.set(MARCH.plus(Duration.ofHours(2)));
      accepted(loyalty.voidHold(hold.id(), "Till cancelled", aKey()));   // a 30-day grace lot
      BreakageCohort voided = loyalty.breakage(clock.instant(), ZoneOffset.UTC).cohorts().single();
      assertEquals(List.of(points(100), points(0), points(0), points(0), points(100)), List.of(voided.issued(),
          voided.redeemed(), voided.expired(), voided.other(), voided.outstanding()));
      clock.set(MID_APRIL);
      accepted(loyalty.expire(ada, MID_APRIL, aKey()));
      Breakage later = loyalty.breakage(MID_APRIL, ZoneOffset.UTC);
      assertEquals(List.of(YearMonth.of(2026, 3)), later.cohorts().map(BreakageCohort::month), "no April cohort");
      assertEquals(points(100), later.cohorts().head().expired(), "the grace lot expired for the March lot");
      assertEquals(points(0), later.cohorts().head().outstanding());
    }

    @Test
    void pointsOfARefundedPurchaseThatAVoidedHoldGivesBackWhereTheRefundTookThemAreTakenBackNotRedeemed() {
      Loyalty earning = aLoyalty(new InMemoryLedgerStore(), clock, LoyaltyProgram.builder("bean-club")
          .earnRules(RuleBook.of(BaseRate.of("base", "1"))).lotExpiry(FixedTermExpiry.days(10)).build());
      enrolled(earning, ada);
      IdempotencyKey purchase = aKey();
      accepted(earning.earn(aPurchaseOf(ada, "100.00", purchase)));   // 100 points expiring first
      accepted(earning.credit(Credit.of(ada, points(500), "Gift", aKey()).expiringAt(MARCH.plus(Duration.ofDays(365)))));
      Hold hold = accepted(earning.authorize(Authorization.points(ada, points(150), Duration.ofMinutes(15),
          Channel.store("S-1"), aKey())));                              // the purchase's 100 and 50 of the gift
      accepted(earning.refund(Refund.ofAmount(purchase, aKey(), eur("100.00"))));   // takes 100 from the gift's lot
      accepted(earning.voidHold(hold.id(), "Till cancelled", aKey()));             // gives them back to it

      BreakageCohort march = earning.breakage(clock.instant(), ZoneOffset.UTC).cohorts().single();

      assertEquals(List.of(points(600), points(0), points(0), points(100), points(500)), List.of(march.issued(),
          march.redeemed(), march.expired(), march.other(), march.outstanding()), "nothing was redeemed, 100 refunded");
    }

    @Test
    void pointsOfARefundedPurchaseGivenBackWhereTheRefundTookThemAfterThatLotExpiredStayInItsCohort() {
      Loyalty earning = aLoyalty(new InMemoryLedgerStore(), clock, LoyaltyProgram.builder("bean-club")
          .earnRules(RuleBook.of(BaseRate.of("base", "1"))).lotExpiry(FixedTermExpiry.days(10)).build());
      enrolled(earning, ada);
      IdempotencyKey purchase = aKey();
      accepted(earning.earn(aPurchaseOf(ada, "10.00", purchase)));
      Receipt spent = redeemed(earning, ada, 10);                                  // the purchase's 10 points
      credit(earning, ada, 50, MARCH.plus(Duration.ofMinutes(1)));                  // a gift expiring in a minute
      accepted(earning.refund(Refund.ofAmount(purchase, aKey(), eur("10.00"))));  // takes 10 of the gift
      clock.set(MARCH.plus(Duration.ofMinutes(10)));
      accepted(earning.cancelRedemption(spent.entries().head().id(), "Returned", aKey()));  // a grace lot

      BreakageCohort march = earning.breakage(clock.instant(), ZoneOffset.UTC).cohorts().single();

      assertEquals(List.of(points(60), points(0), points(0), points(10), points(50)), List.of(march.issued(),
          march.redeemed(), march.expired(), march.other(), march.outstanding()),
          "issued once, 10 refunded; the gift's 40 and its 10 in the grace lot outstanding");
    }

    @Test
    void pointsOfAVoidedHoldGivenToTheExpiredLotOfACreditThatRepaidTheReversalsDeficitStayInItsCohortAndAreNotIssuedAgain() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      enrolled(negative, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      Receipt first = credit(negative, ada, 1, clock.instant().plus(Duration.ofMinutes(1)));
      Hold hold = held(negative, 1);                                            // the first credit's point
      accepted(negative.reverse(Reversal.of(first.entries().head().id(), "Fraud", aKey())));   // a deficit of 1
      clock.set(Instant.parse("2026-03-31T23:55:00Z"));
      credit(negative, ada, 1, clock.instant().plus(Duration.ofMinutes(1)));         // repays it
      clock.set(Instant.parse("2026-04-01T00:10:00Z"));
      accepted(negative.voidHold(hold.id(), "Till cancelled", aKey()));   // to the repaying lot, expired: a grace lot

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(List.of(YearMonth.of(2026, 3)), b.cohorts().map(BreakageCohort::month), "no April cohort");
      BreakageCohort march = b.cohorts().head();
      assertEquals(List.of(points(2), points(0), points(0), points(1), points(1)), List.of(march.issued(),
          march.redeemed(), march.expired(), march.other(), march.outstanding()),
          "issued once; the reversed credit taken back; the repaying credit's point outstanding in the grace lot");
    }

    @Test
    void heldPointsOfAReversedCreditThatRepayItsDeficitWhenVoidedAfterTheirLotExpiredAreNotCountedInTheGraceLot() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      enrolled(negative, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      Receipt mistaken = credit(negative, ada, 1, Instant.parse("2026-04-01T00:20:00Z"));   // March
      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      credit(negative, ada, 1, Instant.parse("2026-04-01T00:25:00Z"));                      // April
      Hold hold = held(negative, 2);                                                  // both points
      accepted(negative.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));   // a deficit of 1
      clock.set(Instant.parse("2026-04-01T00:30:00Z"));
      accepted(negative.voidHold(hold.id(), "Till cancelled", aKey()));   // March's repays it, April's to a grace lot

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(List.of(YearMonth.of(2026, 3), YearMonth.of(2026, 4)), b.cohorts().map(BreakageCohort::month));
      assertEquals(List.of(points(1), points(0), points(0), points(1), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "the reversed March credit taken back");
      assertEquals(List.of(points(1), points(0), points(0), points(0), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's point outstanding in the grace lot");
    }

    @Test
    void pointsOfAVoidedHoldThatTheGraceLotGivesToADeficitAreTheFirstTakenAsInTheLedger() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      enrolled(negative, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      credit(negative, ada, 1, Instant.parse("2026-04-01T00:20:00Z"));                      // March
      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      credit(negative, ada, 1, Instant.parse("2026-04-01T00:25:00Z"));                      // April
      Receipt mistaken = accepted(negative.credit(Credit.of(ada, points(1), "Mistake", aKey())));   // never expires
      Hold hold = held(negative, 2);                                                  // March's and April's
      Receipt spent = redeemed(negative, ada, 1);                                            // the mistaken point
      accepted(negative.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));   // a deficit of 1
      clock.set(Instant.parse("2026-04-01T00:30:00Z"));
      accepted(negative.voidHold(hold.id(), "Till cancelled", aKey()));   // March's repays it, April's to a grace lot

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(mistaken.entries().head().id(), spent.entries().head().movements().single().lot(), "spent");
      assertEquals(List.of(points(1), points(0), points(0), points(1), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's point repaid the deficit");
      assertEquals(List.of(points(2), points(1), points(0), points(0), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's point outstanding in the grace lot, the mistaken one redeemed");
    }

    @Test
    void aLotsPointsThatRepaidADeficitBeforeItExpiredGoToTheGraceLotWhileThoseTakenAfterRepayTheDeficitAsInTheLedger() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      enrolled(negative, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      Receipt spent = accepted(negative.credit(Credit.of(ada, points(1), "Gift", aKey())));
      redeemed(negative, ada, 1);                                                            // its point
      Receipt first = accepted(negative.credit(Credit.of(ada, points(2), "Mistake", aKey())));
      Receipt second = accepted(negative.credit(Credit.of(ada, points(2), "Mistake", aKey())));
      Hold hold = held(negative, 4);                                                   // both mistaken credits
      accepted(negative.reverse(Reversal.of(first.entries().head().id(), "Fraud", aKey())));   // a deficit of 2
      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      credit(negative, ada, 3, Instant.parse("2026-04-01T00:05:00Z"));   // April's: repays 2 and keeps 1
      clock.set(Instant.parse("2026-04-01T00:10:00Z"));
      accepted(negative.reverse(Reversal.of(second.entries().head().id(), "Fraud", aKey())));  // April's 1, a deficit of 1
      accepted(negative.reverse(Reversal.of(spent.entries().head().id(), "Fraud", aKey())));   // a deficit of 2
      clock.set(Instant.parse("2026-04-01T00:20:00Z"));
      // The second's point repays the deficit, and April's point its reversal took, not late, repays the
      // rest; April's 2 the first's points go back to, late since they repaid, go to a grace lot.
      Receipt voided = accepted(negative.voidHold(hold.id(), "Till cancelled", aKey()));

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(points(2), voided.entries().head().movements().single().points(), "the grace lot's points");
      assertEquals(List.of(YearMonth.of(2026, 3), YearMonth.of(2026, 4)), b.cohorts().map(BreakageCohort::month));
      assertEquals(List.of(points(5), points(1), points(0), points(4), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's spent point redeemed, the mistaken credits taken back");
      assertEquals(List.of(points(3), points(0), points(0), points(1), points(2)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's issued once: the point its reversal took repaid the deficit, 2 in the grace lot");
    }

    @Test
    void pointsOfAGraceLotThatAReversalTookAndACancellationGivesBackReturnToTheCohortsTheReversalTookThemFrom() {
      enrolled(loyalty, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      credit(ada, 1, "Purchase", Instant.parse("2026-04-01T00:02:00Z"));                 // March
      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      credit(ada, 1, "Purchase", Instant.parse("2026-04-01T00:05:00Z"));                 // April
      Hold hold = accepted(loyalty.authorize(Authorization.points(ada, points(2), Duration.ofDays(1),
          Channel.store("S-1"), aKey())));                                                // both points
      clock.set(Instant.parse("2026-04-01T00:10:00Z"));
      accepted(loyalty.voidHold(hold.id(), "Till cancelled", aKey()));   // both expired: a grace lot, March's first
      Receipt mistaken = credit(ada, 1, "Mistake", Instant.parse("2026-04-02T00:00:00Z"));
      Receipt spent = redeemed(loyalty, ada, 1);                                          // the mistaken point
      accepted(loyalty.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));  // takes March's
      accepted(loyalty.cancelRedemption(spent.entries().head().id(), "Returned", aKey()));      // gives it back

      Breakage b = loyalty.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(mistaken.entries().head().id(), spent.entries().head().movements().single().lot(), "spent");
      assertEquals(List.of(points(1), points(0), points(0), points(0), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's point back in the grace lot");
      assertEquals(List.of(points(2), points(0), points(0), points(1), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's in the grace lot, the mistaken one taken back");
    }

    @Test
    void aCancellationGivesBackOnlyThePointsAReversalTookInPlaceOfSpentOnesNotTheCreditsOwnItTookFromAGraceLot() {
      enrolled(loyalty, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      Receipt mistaken = credit(ada, 3, "Mistake", Instant.parse("2026-04-01T00:02:00Z"));     // March
      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      credit(ada, 1, "Purchase", Instant.parse("2026-04-01T00:05:00Z"));                       // April
      Receipt gift = credit(ada, 5, "Gift", null);                                             // April, never expire
      Receipt first = redeemed(loyalty, ada, 1);                                               // a mistaken point
      Receipt second = redeemed(loyalty, ada, 1);                                              // another
      Hold hold = accepted(loyalty.authorize(Authorization.points(ada, points(2), Duration.ofDays(1),
          Channel.store("S-1"), aKey())));                                   // the last mistaken point and April's
      clock.set(Instant.parse("2026-04-01T00:10:00Z"));
      Receipt grace = accepted(loyalty.voidHold(hold.id(), "Till cancelled", aKey()));   // a grace lot, March's first
      // The mistaken point in the grace lot (its own), then April's there in place of a spent one, then a gift's.
      Receipt reversal = accepted(loyalty.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));
      accepted(loyalty.cancelRedemption(first.entries().head().id(), "Returned", aKey()));   // April's back
      accepted(loyalty.cancelRedemption(second.entries().head().id(), "Returned", aKey()));  // the gift's back

      Breakage b = loyalty.breakage(clock.instant(), ZoneOffset.UTC);

      EntryId graceLot = grace.entries().head().id();
      assertEquals(List.of(graceLot, graceLot), reversal.entries().head().movements().map(LotMovement::lot).take(2),
          "the reversal takes from the grace lot twice");
      assertEquals(List.of(io.vavr.Tuple.of(graceLot, points(1)), io.vavr.Tuple.of(gift.entries().head().id(), points(5))),
          accepted(loyalty.lots(ada)).map(l -> io.vavr.Tuple.of(l.id(), l.remaining())),
          "April's point back in the grace lot, the gift whole: the mistaken point taken back was no stand-in");
      assertEquals(List.of(points(3), points(0), points(0), points(3), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "the mistaken credit wholly taken back");
      assertEquals(List.of(points(6), points(0), points(0), points(0), points(6)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's point back in the grace lot, the gift's back in its lot");
    }

    @Test
    void aVoidedHoldOnAReversedCreditsPointsInAGraceLotGivesThemToTheCohortItsReversalTookInTheirPlace() {
      enrolled(loyalty, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      Receipt mistaken = credit(ada, 3, "Mistake", Instant.parse("2026-04-01T00:02:00Z"));     // March
      Receipt spent = redeemed(loyalty, ada, 3);
      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      Receipt gift = credit(ada, 5, "Gift", null);                                             // April, never expire
      clock.set(Instant.parse("2026-04-01T00:10:00Z"));
      accepted(loyalty.cancelRedemption(spent.entries().head().id(), "Returned", aKey()));    // a grace lot
      Hold hold = accepted(loyalty.authorize(Authorization.points(ada, points(2), Duration.ofDays(1),
          Channel.store("S-1"), aKey())));                                                      // 2 mistaken points
      // The mistaken point left in the grace lot, and 2 gift points in place of the held ones.
      accepted(loyalty.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));
      accepted(loyalty.voidHold(hold.id(), "Till cancelled", aKey()));

      Breakage b = loyalty.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(List.of(io.vavr.Tuple.of(gift.entries().head().id(), points(5))),
          accepted(loyalty.lots(ada)).map(l -> io.vavr.Tuple.of(l.id(), l.remaining())), "the gift whole again");
      assertEquals(List.of(points(3), points(0), points(0), points(3), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "the mistaken credit wholly taken back");
      assertEquals(List.of(points(5), points(0), points(0), points(0), points(5)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "the gift's points back in its lot");
    }

    @Test
    void aLateVoidOfAHoldOnAReversedCreditsPointsGivesThemOnAlongAChainOfReversalsToAGraceLotOfTheLastCohort() {
      enrolled(loyalty, ada);
      clock.set(Instant.parse("2026-01-15T10:00:00Z"));
      Receipt january = credit(ada, 2, "Mistake", Instant.parse("2026-03-15T11:00:00Z"));
      clock.set(Instant.parse("2026-02-15T10:00:00Z"));
      Receipt february = credit(ada, 2, "Mistake", Instant.parse("2026-03-15T11:30:00Z"));
      clock.set(Instant.parse("2026-03-15T10:00:00Z"));
      Receipt march = credit(ada, 5, "Gift", Instant.parse("2026-03-15T12:00:00Z"));
      Hold hold = held(loyalty, 2);                                                             // January's points
      // January's reversal takes February's points in place of the held ones, February's takes March's.
      accepted(loyalty.reverse(Reversal.of(january.entries().head().id(), "Fraud", aKey())));
      accepted(loyalty.reverse(Reversal.of(february.entries().head().id(), "Fraud", aKey())));
      clock.set(Instant.parse("2026-03-15T13:00:00Z"));
      // March's lot expired since February's reversal took them there: they come back into the void's grace lot.
      Receipt voided = accepted(loyalty.voidHold(hold.id(), "Till cancelled", aKey()));

      Breakage b = loyalty.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(List.of(io.vavr.Tuple.of(march.entries().head().id(), points(3)),
          io.vavr.Tuple.of(voided.entries().head().id(), points(2))),
          accepted(loyalty.lots(ada)).map(l -> io.vavr.Tuple.of(l.id(), l.remaining())), "March's 2 points in grace");
      assertEquals(Option.some("2"), voided.entries().head().details().get("refund.returned." + february.entries().head().id()),
          "the void moves them on from February's lot");
      assertEquals(List.of(List.of(points(2), points(0), points(0), points(2), points(0)),
          List.of(points(2), points(0), points(0), points(2), points(0)),
          List.of(points(5), points(0), points(0), points(0), points(5))),
          b.cohorts().map(this::issuedRedeemedExpiredOtherOutstanding), "both mistaken credits wholly taken back, March's outstanding");
    }

    @Test
    void pointsAClampedReversalForgaveAndACancellationSettledAfterTheirLotExpiredLeaveNothingInTheGraceLot() {
      enrolled(loyalty, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      Receipt mistaken = credit(ada, 3, "Mistake", Instant.parse("2026-04-01T00:02:00Z"));     // March
      Receipt spent = redeemed(loyalty, ada, 3);
      accepted(loyalty.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey()))); // forgives 3
      clock.set(Instant.parse("2026-04-01T00:10:00Z"));
      // Back into a grace lot, where the settlement of the 3 forgiven points takes them.
      Receipt cancelled = accepted(loyalty.cancelRedemption(spent.entries().head().id(), "Returned", aKey()));

      Breakage b = loyalty.breakage(clock.instant(), ZoneOffset.UTC);

      assertTrue(cancelled.entries().exists(e -> e.details().containsKey("forgiven.settled")), "the forgiven points settled");
      assertEquals(List.empty(), accepted(loyalty.lots(ada)), "nothing left");
      assertEquals(List.of(List.of(points(3), points(0), points(0), points(3), points(0))),
          b.cohorts().map(this::issuedRedeemedExpiredOtherOutstanding), "the mistaken credit wholly taken back");
    }

    @Test
    void pointsAClampedReversalForgaveAreSettledInPlaceByAnotherCohortsAndItsOwnComeBackToThatCohort() {
      enrolled(loyalty, ada);
      clock.set(Instant.parse("2026-03-15T10:00:00Z"));
      Receipt mistaken = credit(ada, 100, "Mistake", null);                                     // March
      Receipt first = redeemed(loyalty, ada, 100);
      accepted(loyalty.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey()))); // forgives 100
      clock.set(Instant.parse("2026-04-15T10:00:00Z"));
      Receipt april = credit(ada, 50, "Gift", null);
      Receipt second = redeemed(loyalty, ada, 50);
      accepted(loyalty.cancelRedemption(second.entries().head().id(), "Returned", aKey()));   // settles 50 in place
      // Of the mistaken points back, 50 go to April's lot, whose points were taken in their place; 50 settle.
      accepted(loyalty.cancelRedemption(first.entries().head().id(), "Returned", aKey()));

      Breakage b = loyalty.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(List.of(io.vavr.Tuple.of(april.entries().head().id(), points(50))),
          accepted(loyalty.lots(ada)).map(l -> io.vavr.Tuple.of(l.id(), l.remaining())), "April's lot whole again");
      assertEquals(List.of(List.of(points(100), points(0), points(0), points(100), points(0)),
          List.of(points(50), points(0), points(0), points(0), points(50))),
          b.cohorts().map(this::issuedRedeemedExpiredOtherOutstanding), "the mistaken credit wholly taken back, April's outstanding");
    }

    @Test
    void aLateVoidOfAHoldOnAReversedCreditsPointsInAGraceLotGivesTheirStandInsAGraceLotOfTheirCohort() {
      Loyalty hourly = aLoyalty(new InMemoryLedgerStore(), clock,
          Fixtures.aProgramWithoutTiers(ReturnedPoints.grace(Duration.ofHours(1))));
      enrolled(hourly, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      Receipt mistaken = credit(hourly, ada, 3, Instant.parse("2026-04-01T00:02:00Z"));       // March
      Receipt spent = redeemed(hourly, ada, 3);
      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      Receipt gift = credit(hourly, ada, 5, Instant.parse("2026-04-01T02:00:00Z"));          // April, after the grace lot
      clock.set(Instant.parse("2026-04-01T00:10:00Z"));
      accepted(hourly.cancelRedemption(spent.entries().head().id(), "Returned", aKey()));    // a grace lot to 01:10
      Hold hold = held(hourly, 2);                                                            // 2 mistaken points
      // The mistaken point left in the grace lot, and 2 gift points in place of the held ones.
      accepted(hourly.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));
      clock.set(Instant.parse("2026-04-01T03:00:00Z"));
      // The gift expired since the reversal took its 2 points: they come back into the void's grace lot.
      Receipt voided = accepted(hourly.voidHold(hold.id(), "Till cancelled", aKey()));

      Breakage b = hourly.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(List.of(io.vavr.Tuple.of(gift.entries().head().id(), points(3)),
          io.vavr.Tuple.of(voided.entries().head().id(), points(2))),
          accepted(hourly.lots(ada)).map(l -> io.vavr.Tuple.of(l.id(), l.remaining())), "the gift's 2 points in grace");
      assertEquals(List.of(points(3), points(0), points(0), points(3), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "the mistaken credit wholly taken back");
      assertEquals(List.of(points(5), points(0), points(0), points(0), points(5)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "the gift's points, 2 of them in the void's grace lot");
    }

    @Test
    void aGraceLotGetsBackThePointThatRepaidADeficitAsTheShareThatRepaidItAsInTheLedger() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      Receipt grace = aGraceLotOfAMarchAndAnAprilPoint(negative);                          // March's first
      Receipt mistaken = credit(negative, ada, 1, Instant.parse("2026-04-02T00:00:00Z"));   // spent before the grace lot
      Hold first = held(negative, 1);                                                 // the mistaken point
      Hold second = held(negative, 2);                                                 // the grace lot's
      accepted(negative.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));  // a deficit of 1
      accepted(negative.voidHold(second.id(), "Till cancelled", aKey()));   // March's point repays it, April's back
      // The mistaken point goes to the grace lot that repaid the deficit: March's point comes back.
      Receipt voided = accepted(negative.voidHold(first.id(), "Till cancelled", aKey()));

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      EntryId graceLot = grace.entries().head().id();
      assertEquals(Option.some("1"), voided.entries().head().details().get("deficit.returned." + graceLot),
          "the mistaken point goes to the grace lot that repaid");
      assertEquals(List.of(points(1), points(0), points(0), points(0), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's point, which repaid the deficit, back in the grace lot");
      assertEquals(List.of(points(2), points(0), points(0), points(1), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's point in the grace lot, the mistaken one taken back");
    }

    @Test
    void aGraceLotGetsBackThePointThatRepaidADeficitWhenACancellationRepaidItAsInTheLedger() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      Receipt grace = aGraceLotOfAMarchAndAnAprilPoint(negative);                          // March's first
      Receipt mistaken = credit(negative, ada, 1, Instant.parse("2026-04-02T00:00:00Z"));   // spent before the grace lot
      Hold first = held(negative, 1);                                                 // the mistaken point
      Receipt second = redeemed(negative, ada, 2);                                     // the grace lot's
      accepted(negative.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));  // a deficit of 1
      Receipt cancelled = accepted(negative.cancelRedemption(second.entries().head().id(), "Returned", aKey()));
      // The mistaken point goes to the grace lot that repaid the deficit: March's point comes back.
      Receipt voided = accepted(negative.voidHold(first.id(), "Till cancelled", aKey()));

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      EntryId graceLot = grace.entries().head().id();
      assertEquals(Option.some("1"), cancelled.entries().head().details().get("deficit.repaid." + graceLot),
          "March's point repays the deficit");
      assertEquals(Option.some("1"), voided.entries().head().details().get("deficit.returned." + graceLot),
          "the mistaken point goes to the grace lot that repaid");
      assertEquals(List.of(points(1), points(0), points(0), points(0), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's point, which repaid the deficit, back in the grace lot");
      assertEquals(List.of(points(2), points(0), points(0), points(1), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's point in the grace lot, the mistaken one taken back");
    }

    @Test
    void aReversalOfACreditWhosePointsSitSecondInAGraceLotTakesItsOwnThereNotTheFirstCohorts() {
      InMemoryLedgerStore store = new InMemoryLedgerStore();
      Loyalty on = aLoyalty(store, clock, aProgram());
      Receipt grace = aGraceLotOfAMarchAndAnAprilPoint(on);                                  // March's first
      EntryId april = store.entries(ada, 1, 10).filter(e -> e.kind().createsLot() && e.points().isPositive()).get(1).id();
      Receipt reversal = accepted(on.reverse(Reversal.of(april, "Fraud", aKey())));

      Breakage b = on.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(Option.some("1"), reversal.entries().head().details().get("grace.taken." + grace.entries().head().id()),
          "April's own point taken from the grace lot");
      assertEquals(List.of(List.of(points(1), points(0), points(0), points(0), points(1)),
          List.of(points(1), points(0), points(0), points(1), points(0))),
          b.cohorts().map(this::issuedRedeemedExpiredOtherOutstanding), "March's point still in the grace lot");
    }

    @Test
    void aGraceLotWhoseSharesAllRepaidADeficitGetsBackFirstTheShareThatRepaidFirstAsInTheLedger() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      Receipt grace = aGraceLotOfAMarchAndAnAprilPoint(negative);                          // March's first
      Receipt mistaken = credit(negative, ada, 2, Instant.parse("2026-04-02T00:00:00Z"));   // spent before the grace lot
      Hold first = held(negative, 2);                                                 // the mistaken points
      Hold second = held(negative, 2);                                                 // the grace lot's
      accepted(negative.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));  // a deficit of 2
      accepted(negative.voidHold(second.id(), "Till cancelled", aKey()));   // March's point repays it, then April's
      // One mistaken point goes to the grace lot that repaid the deficit: March's, which repaid first, comes back.
      Receipt captured = accepted(negative.capture(first.id(), points(1), aKey())).receipt();

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      EntryId graceLot = grace.entries().head().id();
      assertEquals(Option.some("1"), captured.entries().head().details().get("deficit.returned." + graceLot),
          "the mistaken point not captured goes to the grace lot that repaid");
      assertEquals(List.of(points(1), points(0), points(0), points(0), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's point, which repaid the deficit first, back in the grace lot");
      assertEquals(List.of(points(3), points(1), points(0), points(2), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's point repaid the deficit, a mistaken one captured, the other taken back");
    }

    @Test
    void aGraceLotsPointThatAReversalTookAndAReturnGaveToADeficitComesBackAsTheShareThatRepaidItAsInTheLedger() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      Receipt grace = aGraceLotOfAMarchAndAnAprilPoint(negative);                          // March's first
      Receipt first = credit(negative, ada, 1, Instant.parse("2026-04-02T00:00:00Z"));      // spent before the grace lot
      Hold firstHeld = held(negative, 1);
      Receipt second = credit(negative, ada, 1, Instant.parse("2026-04-02T00:00:00Z"));
      Hold secondHeld = held(negative, 1);
      accepted(negative.reverse(Reversal.of(first.entries().head().id(), "Fraud", aKey())));   // takes March's
      held(negative, 1);                                                 // April's, held
      accepted(negative.reverse(Reversal.of(second.entries().head().id(), "Fraud", aKey())));  // a deficit of 1
      // The first reversed point goes to the grace lot the reversal took March's from: March's repays the deficit.
      Receipt repaying = accepted(negative.voidHold(firstHeld.id(), "Till cancelled", aKey()));
      // The second goes to the grace lot that repaid the deficit its reversal overdrew: March's comes back.
      Receipt voided = accepted(negative.voidHold(secondHeld.id(), "Till cancelled", aKey()));

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      EntryId graceLot = grace.entries().head().id();
      assertEquals(Option.some("1"), repaying.entries().head().details().get("deficit.repaid." + graceLot),
          "March's point, moved back to the grace lot, repays the deficit");
      assertEquals(Option.some("1"), voided.entries().head().details().get("deficit.returned." + graceLot),
          "the second reversed point goes to the grace lot that repaid");
      assertEquals(List.of(points(1), points(0), points(0), points(0), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's point, which repaid the deficit, back in the grace lot");
      assertEquals(List.of(points(3), points(1), points(0), points(2), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's held, the reversed ones taken back");
    }

    @Test
    void theGraceLotsPointAVoidedHoldGivesBackRepaysTheDeficitBeforeThePointAReversalTookThereAsInTheLedger() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      Receipt grace = aGraceLotOfAMarchAndAnAprilPoint(negative);                          // March's first
      Receipt mistaken = credit(negative, ada, 2, Instant.parse("2026-04-02T00:00:00Z"));   // spent before the grace lot
      redeemed(negative, ada, 1);                                                            // a mistaken point
      Hold hold = held(negative, 2);                                // the other mistaken point and March's
      accepted(negative.reverse(Reversal.of(mistaken.entries().head().id(), "Fraud", aKey())));  // April's, a deficit of 1
      // The hold's mistaken point completes the reversal, so April's comes back to the grace lot after
      // March's, which the ledger gives back first: March's repays the deficit, April's stays.
      Receipt voided = accepted(negative.voidHold(hold.id(), "Till cancelled", aKey()));

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      EntryId graceLot = grace.entries().head().id();
      assertEquals(List.of(new LotMovement(graceLot, points(1))), voided.entries().head().movements(),
          "one point back in the grace lot");
      assertEquals(Option.some("1"), voided.entries().head().details().get("deficit.repaid." + graceLot),
          "the other repaid the deficit");
      assertEquals(List.of(points(1), points(0), points(0), points(1), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's point, given back first, repaid the deficit");
      assertEquals(List.of(points(3), points(1), points(0), points(1), points(1)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's point back in the grace lot, the mistaken ones redeemed and taken back");
    }

    @Test
    void aLotThatRepaidTwoReversalsDeficitsGetsBackForEachOnlyWhatItRepaidSinceThatReversalAsInTheLedger() {
      Loyalty negative = aLoyalty(new InMemoryLedgerStore(), clock, aProgram(NegativeBalancePolicy.ALLOW_NEGATIVE));
      enrolled(negative, ada);
      clock.set(Instant.parse("2026-03-31T23:50:00Z"));
      Receipt later = credit(negative, ada, 2, Instant.parse("2026-04-10T00:00:00Z"));
      Receipt sooner = accepted(negative.credit(Credit.of(ada, points(1), "Mistake", aKey())));
      Hold hold = held(negative, 3);                                                   // all, later's first
      accepted(negative.reverse(Reversal.of(sooner.entries().head().id(), "Fraud", aKey())));  // a deficit of 1
      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      Receipt april = credit(negative, ada, 2, Instant.parse("2026-04-01T00:05:00Z"));  // repays 1, keeps 1
      Receipt spent = redeemed(negative, ada, 1);                                            // the one it kept
      clock.set(Instant.parse("2026-04-01T00:10:00Z"));
      accepted(negative.reverse(Reversal.of(later.entries().head().id(), "Fraud", aKey())));   // a deficit of 2
      accepted(negative.reverse(Reversal.of(spent.entries().head().id(), "Till error", aKey())));  // repays 1
      accepted(negative.credit(Credit.of(ada, points(1), "Gift", aKey())));                 // repays the other
      clock.set(Instant.parse("2026-04-01T00:20:00Z"));
      // Later's points go to those that repaid since its reversal: April's after it expired, back in its
      // lot, and the gift's; sooner's to the one April's repaid before it expired: into a grace lot.
      Receipt voided = accepted(negative.voidHold(hold.id(), "Till cancelled", aKey()));

      Breakage b = negative.breakage(clock.instant(), ZoneOffset.UTC);

      assertEquals(points(1), voided.entries().head().movements()
          .find(m -> m.lot().equals(april.entries().head().id())).get().points(), "back in April's lot");
      assertEquals(List.of(points(3), points(0), points(0), points(3), points(0)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(0)), "March's credits taken back");
      assertEquals(List.of(points(3), points(0), points(0), points(0), points(3)), issuedRedeemedExpiredOtherOutstanding(
          b.cohorts().get(1)), "April's credit issued once, 1 in its lot and 1 in the grace lot; the gift's");
    }

    @Test
    void pointsIssuedInAMonthBeyondWhatALongCountsFailLoudlyInsteadOfWrappingAround() {
      enrolled(loyalty, ada);
      enrolled(loyalty, bob);
      credit(ada, Long.MAX_VALUE - 5, "Gift", null);
      credit(bob, Long.MAX_VALUE - 5, "Gift", null);
      ArithmeticException e = org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
          () -> loyalty.breakage(MARCH, ZoneOffset.UTC));
      assertTrue(e.getMessage().contains("2026-03"), e.getMessage());
    }

    @Test
    void beforeTheExpiryWasRecordedNothingHadExpired() {
      handComputedLedger();
      BreakageCohort march = loyalty.breakage(MARCH, ZoneOffset.UTC).cohorts().head();
      assertEquals(points(0), march.expired());
      assertEquals(points(530), march.outstanding());
    }
  }

  /** What became of each credit's points outside its lot, as a refund or a reversal reads it. */
  @Nested
  class IssuedPoints_ {

    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final Loyalty on = aLoyalty(store, clock, aProgram());

    @Test
    void aCreditsPointsGivenBackToAGraceLotCountThereUntilTheyExpireWithTheOnesThatExpiredInItsLot() {
      enrolled(on, ada);
      EntryId first = credit(on, ada, 100, MARCH.plus(Duration.ofHours(1))).entries().single().id();
      EntryId second = credit(on, ada, 50, MARCH.plus(Duration.ofHours(1))).entries().single().id();
      EntryId kept = credit(on, ada, 10, Instant.parse("2026-12-31T00:00:00Z")).entries().single().id();
      // The hold takes the first's 100 and 20 of the second's; open when both lots expire and voided
      // after, they go to a grace lot, the first's first. The second's other 30 expire in its lot.
      Hold hold = accepted(on.authorize(Authorization.points(ada, points(120), Duration.ofMinutes(90),
          Channel.store("S-1"), aKey())));
      clock.set(MARCH.plus(Duration.ofHours(2)));
      EntryId grace = accepted(on.voidHold(hold.id(), "Till cancelled", aKey())).entries().single().id();
      accepted(on.expire(ada, clock.instant(), aKey()));
      EntryId coffee = redeemed(on, ada, 10).entries().single().id();   // from the grace lot, which expires first: the first's

      assertEquals(TreeMap.of(
          first, new IssuedPoints(first, points(0), TreeMap.of(grace, points(90)),
              TreeMap.of(coffee, TreeMap.of(grace, points(10))), TreeMap.empty()),
          second, new IssuedPoints(second, points(30), TreeMap.of(grace, points(20)), TreeMap.empty(), TreeMap.empty()),
          kept, new IssuedPoints(kept, points(0), TreeMap.empty(), TreeMap.empty(), TreeMap.empty())),
          Insights.issuedPointsOf(store, ada));

      clock.set(MID_APRIL);
      accepted(on.expire(ada, MID_APRIL, aKey()));
      assertEquals(TreeMap.of(
          first, new IssuedPoints(first, points(90), TreeMap.empty(), TreeMap.of(coffee, TreeMap.of(grace, points(10))),
              TreeMap.empty()),
          second, new IssuedPoints(second, points(50), TreeMap.empty(), TreeMap.empty(), TreeMap.empty()),
          kept, new IssuedPoints(kept, points(0), TreeMap.empty(), TreeMap.empty(), TreeMap.empty())),
          Insights.issuedPointsOf(store, ada));
    }

    @Test
    void pointsAnOpenHoldTookFromAGraceLotAreHeldForTheCreditThatIssuedThemUntilTheHoldIsResolved() {
      enrolled(on, ada);
      EntryId credit = credit(on, ada, 100, MARCH.plus(Duration.ofHours(1))).entries().single().id();
      Receipt coffee = redeemed(on, ada, 100);
      clock.set(MARCH.plus(Duration.ofHours(2)));
      EntryId grace = accepted(on.cancelRedemption(coffee.entries().single().id(), "Returned", aKey()))
          .entries().single().id();
      Hold hold = accepted(on.authorize(Authorization.points(ada, points(60), Duration.ofMinutes(15),
          Channel.store("S-1"), aKey())));

      assertEquals(Option.some(new IssuedPoints(credit, points(0), TreeMap.of(grace, points(40)),
          TreeMap.of(hold.id(), TreeMap.of(grace, points(60))), TreeMap.empty())),
          Insights.issuedPointsOf(store, ada).get(credit));
      accepted(on.voidHold(hold.id(), "Till cancelled", aKey()));
      assertEquals(Option.some(new IssuedPoints(credit, points(0), TreeMap.of(grace, points(100)), TreeMap.empty(),
          TreeMap.empty())),
          Insights.issuedPointsOf(store, ada).get(credit));
    }

    @Test
    void aMemberWithoutCreditsHasNone() {
      enrolled(on, ada);
      assertEquals(TreeMap.empty(), Insights.issuedPointsOf(store, ada));
      assertEquals(TreeMap.empty(), Insights.issuedPointsOf(store, bob), "not enrolled");
    }

    @Test
    void aCreditsPointsInAGraceLotThatAnotherCreditsReversalTookInPlaceOfHeldOnesAreTakenInPlaceUntilTheVoid() {
      enrolled(on, ada);
      EntryId first = credit(on, ada, 10, MARCH.plus(Duration.ofHours(1))).entries().single().id();
      EntryId second = credit(on, ada, 10, MARCH.plus(Duration.ofHours(1))).entries().single().id();
      Receipt coffee = redeemed(on, ada, 20);
      clock.set(MARCH.plus(Duration.ofHours(2)));
      EntryId grace = accepted(on.cancelRedemption(coffee.entries().single().id(), "Returned", aKey()))
          .entries().single().id();                                                // the first's, then the second's
      Hold hold = held(on, 1);                                                      // one of the first's
      // The first's reversal takes its 9 left and, in place of the held one, one of the second's.
      accepted(on.reverse(Reversal.of(first, "Credited by mistake", aKey())));

      assertEquals(Option.some(new IssuedPoints(second, points(0), TreeMap.of(grace, points(9)), TreeMap.empty(),
          TreeMap.of(first, points(1)))), Insights.issuedPointsOf(store, ada).get(second));
      accepted(on.voidHold(hold.id(), "Till cancelled", aKey()));
      assertEquals(Option.some(new IssuedPoints(second, points(0), TreeMap.of(grace, points(10)), TreeMap.empty(),
          TreeMap.empty())), Insights.issuedPointsOf(store, ada).get(second));
    }
  }

  @Nested
  class Statements {

    @Test
    void aStatementShowsTheOpeningBalanceThePeriodsEntriesAndTheClosingBalance() {
      handComputedLedger();
      Statement s = accepted(loyalty.statement(bob, Instant.parse("2026-04-01T00:00:00Z"),
          Instant.parse("2026-05-01T00:00:00Z"), Duration.ofDays(30)));
      assertEquals(points(300), s.opening());
      assertEquals(List.of(EntryKind.EXPIRE, EntryKind.EARN), s.lines().map(StatementLine::kind));
      assertEquals(List.of(points(0), points(40)), s.lines().map(StatementLine::balance));
      assertEquals(points(40), s.closing());
      assertTrue(s.tier().isEmpty());
    }

    @Test
    void anEntryRecordedEarlierThanTheOneBeforeItByANodeWhoseClockIsBehindFallsInItsPeriodWithTheEntriesBeforeIt() {
      enrolled(loyalty, ada);
      credit(ada, 100, "Recorded at 10:00", null);
      clock.set(MARCH.minus(Duration.ofHours(1)));
      credit(ada, 50, "Recorded at 09:00, after it", null);
      clock.set(MARCH.plus(Duration.ofHours(1)));
      credit(ada, 20, "Recorded at 11:00", null);
      Instant half = MARCH.minus(Duration.ofMinutes(30));
      Statement s = accepted(loyalty.statement(ada, half, MARCH.plus(Duration.ofHours(2)), Duration.ZERO));
      assertEquals(points(150), s.opening(), "the 09:00 entry is before the period, so is the one the ledger put before it");
      assertEquals(List.of(points(20)), s.lines().map(StatementLine::points));
      assertEquals(points(170), s.closing());
      Statement before = accepted(loyalty.statement(ada, MARCH.minus(Duration.ofHours(2)), half, Duration.ZERO));
      assertEquals(points(0), before.opening());
      assertEquals(List.of(points(100), points(50)), before.lines().map(StatementLine::points),
          "the 09:00 entry is in the period, and the 10:00 one the ledger committed before it");
      assertEquals(points(150), before.closing());
      for (Statement any : List.of(s, before)) {
        assertEquals(any.closing().value(), any.opening().value() + any.lines().map(l -> l.points().value()).sum().longValue());
        assertEquals(accepted(loyalty.balanceAsOf(ada, any.from().minusNanos(1))).total(), any.opening());
        assertEquals(accepted(loyalty.balanceAsOf(ada, any.to().minusNanos(1))).total(), any.closing());
      }
    }

    /**
     * A transfer of points of two expiries writes two pairs of entries with the same reason: the
     * statements showed "-20 Gift to Bob" and "-10 Gift to Bob" with nothing to tell a member they
     * were one transfer (not a gift sent twice), nor the receiver when each part's points expire.
     * Each part's line now says which part it is, and the receiver's when its points can last be spent.
     */
    @Test
    void eachPartOfATransferOfSeveralExpiriesSaysWhichPartItIsAndWhenTheReceivedPointsExpire() {
      enrolled(loyalty, ada);
      enrolled(loyalty, bob);
      credit(ada, 20, "Purchase", Instant.parse("2026-06-01T00:00:00Z"));
      credit(ada, 10, "Purchase", null);
      accepted(loyalty.transfer(io.github.loyaltyledger.Transfer.of(ada, bob, points(30), "Gift to Bob", aKey())));
      Instant to = MARCH.plus(Duration.ofDays(1));

      Statement sent = accepted(loyalty.statement(ada, MARCH, to, Duration.ZERO));
      Statement received = accepted(loyalty.statement(bob, MARCH, to, Duration.ZERO));

      assertEquals(List.of(List.of("Part 1 of 2 of this transfer (one per expiry of the points sent)"),
          List.of("Part 2 of 2 of this transfer (one per expiry of the points sent)")),
          sent.lines().filter(l -> l.kind() == EntryKind.TRANSFER_OUT).map(StatementLine::breakdown));
      assertEquals(List.of(
          List.of("Part 1 of 2 of this transfer (one per expiry of the points sent); last day to spend them 2026-05-31"),
          List.of("Part 2 of 2 of this transfer (one per expiry of the points sent); they do not expire")),
          received.lines().map(StatementLine::breakdown));
      assertTrue(received.toText().contains("+20  balance 20  Gift to Bob\n    Part 1 of 2 of this transfer"),
          received.toText());
      assertTrue(received.toJson().contains("\"reason\":\"Gift to Bob\",\"breakdown\":[\"Part 2 of 2 of this "
          + "transfer (one per expiry of the points sent); they do not expire\"]"), received.toJson());
      assertTrue(sent.toCsv().contains("Gift to Bob,Part 1 of 2 of this transfer"), sent.toCsv());
    }

    @Test
    void aTransferOfOneExpiryShowsNoPartOnItsLines() {
      enrolled(loyalty, ada);
      enrolled(loyalty, bob);
      credit(ada, 20, "Purchase", Instant.parse("2026-06-01T00:00:00Z"));
      accepted(loyalty.transfer(io.github.loyaltyledger.Transfer.of(ada, bob, points(20), "Gift to Bob", aKey())));

      Statement received = accepted(loyalty.statement(bob, MARCH, MARCH.plus(Duration.ofDays(1)), Duration.ZERO));

      assertEquals(List.of(List.<String>empty()), received.lines().map(StatementLine::breakdown));
    }

    @Test
    void pointsExpiringSoonAfterThePeriodAreListed() {
      handComputedLedger();
      Statement s = accepted(loyalty.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ofDays(150)));
      assertEquals(List.of(new ExpiringPoints(Instant.parse("2026-07-01T00:00:00Z"), points(180))), s.expiringSoon());
      Statement shortWindow = accepted(loyalty.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ofDays(30)));
      assertTrue(shortWindow.expiringSoon().isEmpty());
    }

    @Test
    void pointsExpiringTheMomentThePeriodEndsAreListedAsExpiringSoon() {
      enrolled(loyalty, ada);
      Instant april = Instant.parse("2026-04-01T00:00:00Z");
      credit(ada, 100, "Purchase", april);   // the last day to spend them is 31 March
      Statement march = accepted(loyalty.statement(ada, Instant.parse("2026-03-01T00:00:00Z"), april, Duration.ofDays(30)));
      assertEquals(points(100), march.closing());
      assertEquals(List.of(new ExpiringPoints(april, points(100))), march.expiringSoon(),
          "spendable throughout March, gone when it ends");
    }

    @Test
    void theTextNamesTheLastDayOfThePeriodAndTheLastDayExpiringPointsCanBeSpent() {
      enrolled(loyalty, ada);
      Instant april = Instant.parse("2026-04-01T00:00:00Z");
      credit(ada, 100, "Purchase", april);   // the last day to spend them is 31 March
      Statement march = accepted(loyalty.statement(ada, Instant.parse("2026-03-01T00:00:00Z"), april, Duration.ofDays(30)));
      assertTrue(march.toText().startsWith("Points statement for ada, 2026-03-01 to 2026-03-31 (UTC)\n"), march.toText());
      assertTrue(march.toText().contains("\nExpiring: 100 points, last day 2026-03-31\n"), march.toText());
      assertTrue(march.toJson().contains("\"to\":\"2026-04-01T00:00:00Z\""), march.toJson());
      assertTrue(march.toJson().contains("\"expiresAt\":\"2026-04-01T00:00:00Z\""), march.toJson());
    }

    @Test
    void aCapturedRewardHoldReadsAsTheRewardBoughtNotAsAnInternalId() {
      Loyalty till = aLoyalty(new InMemoryLedgerStore(), clock, io.github.loyaltyledger.Fixtures.aProgramWithoutTiers(
          io.github.loyaltyledger.redemption.ReturnedPoints.DEFAULT));
      enrolled(till, ada);
      accepted(till.credit(Credit.of(ada, points(150), "Purchase", aKey())));
      Hold hold = accepted(till.authorize(Authorization.reward(ada, io.github.loyaltyledger.Fixtures.FREE_COFFEE,
          Duration.ofMinutes(15), Channel.store("S-1"), aKey())));
      accepted(till.capture(hold.id(), aKey()));
      Statement s = accepted(till.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ZERO));
      StatementLine captured = s.lines().find(l -> l.kind() == EntryKind.CAPTURE).get();
      assertTrue(captured.reason().contains("Free coffee"), captured.reason());
      assertTrue(s.toText().contains("-100  balance 50  Reward: Free coffee"), s.toText());
    }

    @Test
    void aPastPeriodListsThePointsThatWereAboutToExpireThenEvenIfTheyHaveExpiredSince() {
      handComputedLedger();
      Statement march = accepted(loyalty.statement(bob, MARCH, Instant.parse("2026-04-01T00:00:00Z"), Duration.ofDays(30)));
      assertEquals(List.of(new ExpiringPoints(Instant.parse("2026-04-15T00:00:00Z"), points(300))), march.expiringSoon());
    }

    @Test
    void earningEntriesCarryTheirRuleBreakdownInPlainLanguage() {
      Loyalty earning = aLoyaltyEarning(clock, BaseRate.of("base", "1"));
      enrolled(earning, ada);
      accepted(earning.earn(aPurchaseOf(ada, "12.50", aKey())));
      Statement s = accepted(earning.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ZERO));
      StatementLine line = s.lines().single();
      assertEquals(1, line.breakdown().size());
      assertTrue(line.breakdown().head().contains("12 points"), line.breakdown().head());
      assertTrue(s.toText().contains("    " + line.breakdown().head()), s.toText());
    }

    @Test
    void aRuleThatGrantedNothingOnAPurchaseIsNotPartOfItsBreakdown() {
      Loyalty earning = aLoyaltyEarning(clock, BaseRate.of("base", "1"),
          io.github.loyaltyledger.earning.BasketThreshold.of("big-basket", eur("50.00"), 100));
      enrolled(earning, ada);
      accepted(earning.earn(aPurchaseOf(ada, "12.50", aKey())));
      Statement s = accepted(earning.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ZERO));
      List<String> breakdown = s.lines().single().breakdown();
      assertEquals(1, breakdown.size(), breakdown.toString());
      assertTrue(breakdown.head().contains("12 points"), breakdown.head());
      assertTrue(s.toJson().contains("\"breakdown\":[\"" + breakdown.head() + "\"]"), s.toJson());
    }

    @Test
    void aStatementCountsOnePointInTheSingularInItsBreakdownAndItsExpiringPoints() {
      Loyalty earning = aLoyaltyEarning(clock, BaseRate.of("base", "1"));
      enrolled(earning, ada);
      accepted(earning.earn(aPurchaseOf(ada, "1.00", aKey())));
      accepted(earning.credit(Credit.of(ada, points(1), "Gift", aKey()).expiringAt(MARCH.plus(Duration.ofDays(10)))));
      Statement s = accepted(earning.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ofDays(30)));
      assertEquals(List.of("1 point per currency unit spent: 1 point (1 per EUR on EUR 1.00 (net))"),
          s.lines().head().breakdown());
      assertTrue(s.toText().contains("\nExpiring: 1 point, last day "), s.toText());
    }

    @Test
    void textJsonAndCsvRenderTheSameLinesWithHostileTextEscaped() {
      enrolled(loyalty, ada);
      credit(ada, 10, "Goodwill \"sorry\", said Bob\nline two", null);
      credit(ada, 5, "=HYPERLINK(\"x\")", null);
      Statement s = accepted(loyalty.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ZERO));
      assertEquals("{\"member\":\"ada\",\"zone\":\"UTC\",\"from\":\"2026-03-01T10:00:00Z\",\"to\":\"2026-03-01T10:00:01Z\","
          + "\"opening\":0,\"closing\":15,\"lines\":[{\"sequence\":1,\"occurredAt\":\"2026-03-01T10:00:00Z\",\"kind\":\"EARN\","
          + "\"points\":10,\"balance\":10,\"reason\":\"Goodwill \\\"sorry\\\", said Bob\\nline two\",\"breakdown\":[]},"
          + "{\"sequence\":2,\"occurredAt\":\"2026-03-01T10:00:00Z\",\"kind\":\"EARN\",\"points\":5,\"balance\":15,"
          + "\"reason\":\"=HYPERLINK(\\\"x\\\")\",\"breakdown\":[]}],\"expiringSoon\":[],\"tier\":null}", s.toJson());
      assertEquals("sequence,occurred_at,kind,points,balance,reason,breakdown\r\n"
          + ",2026-03-01T10:00:00Z,,,0,Opening balance,\r\n"
          + "1,2026-03-01T10:00:00Z,EARN,10,10,\"Goodwill \"\"sorry\"\", said Bob\nline two\",\r\n"
          + "2,2026-03-01T10:00:00Z,EARN,5,15,\"'=HYPERLINK(\"\"x\"\")\",\r\n"
          + ",2026-03-01T10:00:01Z,,,15,Closing balance,\r\n", s.toCsv());
      assertTrue(s.toText().startsWith("Points statement for ada, 2026-03-01 to 2026-03-01 (UTC)\nOpening balance: 0\n"
          + "2026-03-01  +10  balance 10  Goodwill"), s.toText());
      assertTrue(s.toText().endsWith("Closing balance: 15\n"), s.toText());
      assertTrue(s.toText().contains("  Goodwill \"sorry\", said Bob line two\n"), s.toText());
    }

    /**
     * A statement's CSV listed the period's entries only: a month without activity was a header
     * alone, and the member's balance was nowhere in the file a member or a finance team downloads.
     */
    @Test
    void theCsvOfAPeriodWithoutActivityCarriesTheMembersBalance() {
      enrolled(loyalty, ada);
      credit(ada, 120, "Welcome", null);
      Instant april = Instant.parse("2026-04-01T00:00:00Z");
      Instant may = Instant.parse("2026-05-01T00:00:00Z");
      Statement quiet = accepted(loyalty.statement(ada, april, may, Duration.ZERO));
      assertEquals("sequence,occurred_at,kind,points,balance,reason,breakdown\r\n"
          + ",2026-04-01T00:00:00Z,,,120,Opening balance,\r\n"
          + ",2026-05-01T00:00:00Z,,,120,Closing balance,\r\n", quiet.toCsv());
    }

    @Test
    void aReasonCannotPassForALineOfItsOwnInTheText() {
      enrolled(loyalty, ada);
      credit(ada, 10, "Sorry\nClosing balance: 1000000\rOpening balance: 9\u2028x\u2029y\u0085z\tt", null);
      Statement s = accepted(loyalty.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ZERO));
      java.util.List<String> lines = java.util.List.of(s.toText().split("\n"));
      assertEquals(4, lines.size(), s.toText());
      assertEquals("2026-03-01  +10  balance 10  Sorry Closing balance: 1000000 Opening balance: 9 x y z t", lines.get(2));
      assertEquals("Closing balance: 10", lines.get(3));
    }

    @Test
    void aWindowReachingPastTheEndOfTimeListsEveryPointStillToExpire() {
      enrolled(loyalty, ada);
      Instant far = Instant.parse("9999-12-31T23:59:59.999999999Z");
      accepted(loyalty.credit(Credit.of(ada, points(10), "Far", aKey()).expiringAt(far)));
      Statement s = accepted(loyalty.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ofSeconds(Long.MAX_VALUE)));
      assertEquals(List.of(new ExpiringPoints(far, points(10))), s.expiringSoon());
      Statement toTheLastYear = accepted(loyalty.statement(ada, MARCH, far, Duration.ofDays(30)));
      assertEquals(points(10), toTheLastYear.closing());
    }

    @Test
    void aPeriodEndingAfterYear9999IsRefused() {
      enrolled(loyalty, ada);
      assertEquals("to", ((LoyaltyError.InvalidRequest) refused(
          loyalty.statement(ada, Instant.EPOCH, Instant.MAX, Duration.ofDays(30)))).field());
    }

    @Test
    void anEmptyPeriodIsRefused() {
      enrolled(loyalty, ada);
      assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.statement(ada, MARCH, MARCH, Duration.ZERO)));
    }

    @Test
    void anUnknownMemberIsRefused() {
      assertInstanceOf(LoyaltyError.UnknownMember.class,
          refused(loyalty.statement(ada, MARCH, MARCH.plusSeconds(1), Duration.ZERO)));
      assertFalse(loyalty.breakage(MARCH, ZoneOffset.UTC).cohorts().nonEmpty());
    }
  }
}
