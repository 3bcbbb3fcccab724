package io.github.loyaltyledger.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ledger.EntryKind;
import io.vavr.collection.HashSet;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.MonthDay;
import java.time.Period;
import java.time.ZoneId;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpiryPolicyTest {

  private static FixedTermExpiry fixed(String term, String rounding) {
    return new FixedTermExpiry(Period.parse(term), ExpiryRounding.valueOf(rounding));
  }

  @Nested
  class FixedTerm {

    @ParameterizedTest(name = "{1} {2} from {0} expires at {3}")
    @CsvSource({
        // End of month from 29, 30, 31 January: adding a month takes February's last day.
        "2027-01-29T12:00:00Z, P1M, NONE,         2027-03-01T00:00:00Z",
        "2027-01-30T12:00:00Z, P1M, NONE,         2027-03-01T00:00:00Z",
        "2027-01-31T12:00:00Z, P1M, NONE,         2027-03-01T00:00:00Z",
        "2028-01-29T12:00:00Z, P1M, NONE,         2028-03-01T00:00:00Z",
        "2028-01-30T12:00:00Z, P1M, NONE,         2028-03-01T00:00:00Z",
        "2028-01-31T12:00:00Z, P1M, NONE,         2028-03-01T00:00:00Z",
        "2027-01-29T12:00:00Z, P2M, NONE,         2027-03-30T00:00:00Z",
        "2027-01-30T12:00:00Z, P2M, NONE,         2027-03-31T00:00:00Z",
        "2027-01-31T12:00:00Z, P2M, NONE,         2027-04-01T00:00:00Z",
        "2027-01-29T12:00:00Z, P2M, END_OF_MONTH, 2027-04-01T00:00:00Z",
        "2027-01-30T12:00:00Z, P2M, END_OF_MONTH, 2027-04-01T00:00:00Z",
        "2027-01-31T12:00:00Z, P2M, END_OF_MONTH, 2027-04-01T00:00:00Z",
        // Six months after the calendar month in which they were earned.
        "2027-01-01T00:00:00Z, P6M, END_OF_MONTH, 2027-08-01T00:00:00Z",
        "2027-01-31T23:59:59Z, P6M, END_OF_MONTH, 2027-08-01T00:00:00Z",
        "2027-02-10T12:00:00Z, P0D, END_OF_QUARTER, 2027-04-01T00:00:00Z",
        "2027-11-10T12:00:00Z, P1M, END_OF_QUARTER, 2028-01-01T00:00:00Z",
        "2027-02-10T12:00:00Z, P0D, END_OF_YEAR,  2028-01-01T00:00:00Z",
        "2027-12-31T23:00:00Z, P1D, NONE,         2028-01-02T00:00:00Z",
    })
    void theLastValidDayIsTheEarningDayPlusTheTermRoundedUp(String earned, String term, String rounding, String expiry) {
      assertEquals(Option.some(Instant.parse(expiry)),
          fixed(term, rounding).expiresAt(Instant.parse(earned), ZoneId.of("UTC")));
    }

    @ParameterizedTest(name = "{0} days from {1} in {2} expires at {3}")
    @CsvSource({
        // Spring forward in Berlin (28 March 2027): the day starts at +01:00, the next at +02:00.
        "1, 2027-03-26T10:00:00Z, Europe/Berlin,   2027-03-27T23:00:00Z",
        "1, 2027-03-27T10:00:00Z, Europe/Berlin,   2027-03-28T22:00:00Z",
        // Fall back (31 October 2027).
        "1, 2027-10-30T10:00:00Z, Europe/Berlin,   2027-10-31T23:00:00Z",
        // Havana skips midnight on 14 March 2027: the day starts at 01:00 local.
        "1, 2027-03-12T15:00:00Z, America/Havana,  2027-03-14T05:00:00Z",
        // The earning day is the member's: 23:30 UTC on 31 December is already 1 January in Paris.
        "0, 2026-12-31T23:30:00Z, Europe/Paris,    2027-01-01T23:00:00Z",
        "0, 2026-12-31T23:30:00Z, America/Chicago, 2027-01-01T06:00:00Z",
    })
    void daysAreCountedInTheMembersZoneAcrossClockChanges(int days, String earned, String zone, String expiry) {
      assertEquals(Option.some(Instant.parse(expiry)),
          FixedTermExpiry.days(days).expiresAt(Instant.parse(earned), ZoneId.of(zone)));
    }

    /**
     * A term past which even points earned on the first supported day (1 January of year 1) would
     * expire after year 9999 dates no points at all: the program was accepted, then every purchase
     * failed its rules, and every birthday of every member failed the daily run (a term beyond what
     * java.time counts threw DateTimeException there).
     */
    @Test
    void aTermThatWouldDateEvenTheEarliestPointsAfterYear9999IsRefusedWhenTheProgramIsBuilt() {
      assertEquals(java.time.LocalDate.of(9999, 12, 31),
          fixed("P9998Y", "END_OF_YEAR").lastValidDay(java.time.LocalDate.of(1, 1, 1)));
      assertEquals(Period.ofMonths(9998 * 12), FixedTermExpiry.months(9998 * 12).term());
      for (Period tooLong : java.util.List.of(Period.ofYears(9999), Period.ofYears(Integer.MAX_VALUE),
          Period.ofMonths(Integer.MAX_VALUE), Period.ofDays(Integer.MAX_VALUE))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new FixedTermExpiry(tooLong, ExpiryRounding.NONE));
        assertTrue(e.getMessage().contains("9999") && e.getMessage().contains("never()"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CalendarExpiry.every(MonthDay.of(12, 31)).heldAtLeast(tooLong));
      }
      assertEquals(Period.ofYears(9998), CalendarExpiry.every(MonthDay.of(12, 31)).heldAtLeast(Period.ofYears(9998))
          .minimumHolding());
    }

    @Test
    void aNegativeTermIsRefused() {
      assertThrows(IllegalArgumentException.class, () -> new FixedTermExpiry(Period.ofDays(-1), ExpiryRounding.NONE));
    }
  }

  @Nested
  class CalendarDate {

    @ParameterizedTest(name = "earned {0} in {1}: expires {2}")
    @CsvSource({
        "2026-12-31T20:00:00Z, UTC,                 2027-01-01T00:00:00Z",
        "2026-12-31T20:00:00Z, Asia/Tokyo,          2027-12-31T15:00:00Z",
        "2026-12-31T20:00:00Z, America/New_York,    2027-01-01T05:00:00Z",
        "2026-12-31T20:00:00Z, Pacific/Auckland,    2027-12-31T11:00:00Z",
        "2027-06-15T12:00:00Z, America/Los_Angeles, 2028-01-01T08:00:00Z",
    })
    void everyThirtyFirstDecemberIsEvaluatedInTheMembersZone(String earned, String zone, String expiry) {
      assertEquals(Option.some(Instant.parse(expiry)),
          CalendarExpiry.every(MonthDay.of(12, 31)).expiresAt(Instant.parse(earned), ZoneId.of(zone)));
    }

    @Test
    void aMinimumHoldingPeriodPushesTheDateToALaterYear() {
      CalendarExpiry policy = CalendarExpiry.every(MonthDay.of(12, 31)).heldAtLeast(Period.ofYears(1));
      assertEquals(Option.some(Instant.parse("2029-01-01T00:00:00Z")),
          policy.expiresAt(Instant.parse("2027-03-01T10:00:00Z"), ZoneId.of("UTC")));
    }

    /**
     * A holding period shorter than 9,999 years can still push the date past year 9999 for even the
     * points earned on 1 January of year 1: every 1 January after P9998Y1D is 1 January 10000. Such
     * a policy was accepted and dated no points within the supported years, so, as the program's
     * lot expiry, every purchase failed its rules and every occasion grant the daily run.
     */
    @Test
    void aHoldingPeriodWhoseFirstDateAfterItFallsAfterYear9999EvenForTheEarliestPointsIsRefused() {
      java.time.LocalDate first = java.time.LocalDate.of(1, 1, 1);
      assertEquals(java.time.LocalDate.of(9999, 1, 1),
          CalendarExpiry.every(MonthDay.of(1, 1)).heldAtLeast(Period.ofYears(9998)).lastValidDay(first));
      assertEquals(java.time.LocalDate.of(9999, 12, 31),
          CalendarExpiry.every(MonthDay.of(12, 31)).heldAtLeast(Period.of(9998, 11, 30)).lastValidDay(first));
      for (Period pushed : java.util.List.of(Period.of(9998, 0, 1), Period.of(9998, 11, 0))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CalendarExpiry.every(MonthDay.of(1, 1)).heldAtLeast(pushed));
        assertTrue(e.getMessage().contains("10000-01-01") && e.getMessage().contains("never()"), e.getMessage());
      }
      assertThrows(IllegalArgumentException.class,
          () -> CalendarExpiry.every(MonthDay.of(6, 30)).heldAtLeast(Period.of(9998, 6, 0)));
      assertEquals(java.time.LocalDate.of(9999, 6, 30),
          CalendarExpiry.every(MonthDay.of(6, 30)).heldAtLeast(Period.of(9998, 5, 29)).lastValidDay(first));
    }

    @ParameterizedTest(name = "29 February from {0}: last day {1}")
    @CsvSource({"2027-01-10, 2027-02-28", "2027-03-10, 2028-02-29", "2028-02-29, 2028-02-29"})
    void aTwentyNinthOfFebruaryDateFallsOnTheTwentyEighthInNonLeapYears(String earned, String lastDay) {
      assertEquals(java.time.LocalDate.parse(lastDay),
          CalendarExpiry.every(MonthDay.of(2, 29)).lastValidDay(java.time.LocalDate.parse(earned)));
    }
  }

  @Nested
  class Inactivity {

    @ParameterizedTest(name = "last active {0}: expires {1}")
    @CsvSource({
        "2026-08-31T12:00:00Z, 2028-03-01T00:00:00Z",
        "2026-08-15T12:00:00Z, 2028-02-16T00:00:00Z",
        "2026-06-30T23:30:00Z, 2027-12-31T00:00:00Z",
    })
    void allPointsExpireAtTheStartOfTheDayAfterTheLastActiveDayPlusTheMonths(String last, String expiry) {
      assertEquals(Instant.parse(expiry),
          InactivityExpiry.afterMonths(18).expiresAt(Instant.parse(last), ZoneId.of("UTC")));
    }

    @Test
    void purchasesRedemptionsAndGiftsCountAsActivityByDefaultAndTheKindsAreConfigurable() {
      assertTrue(InactivityExpiry.afterMonths(18).activityKinds()
          .containsAll(HashSet.of(EntryKind.EARN, EntryKind.REDEEM, EntryKind.BONUS)));
      assertEquals(HashSet.of(EntryKind.EARN),
          InactivityExpiry.afterMonths(18).countingAsActivity(HashSet.of(EntryKind.EARN)).activityKinds());
      assertThrows(IllegalArgumentException.class, () -> InactivityExpiry.afterMonths(0));
      assertThrows(IllegalArgumentException.class,
          () -> InactivityExpiry.afterMonths(3).countingAsActivity(HashSet.empty()));
    }

    @Test
    void oneMonthIsTheShortestInactivityAndEndsOnTheMonthsLastDayWhenItHasNoSuchDay() {
      assertEquals(Instant.parse("2027-03-01T00:00:00Z"),
          InactivityExpiry.afterMonths(1).expiresAt(Instant.parse("2027-01-31T12:00:00Z"), ZoneId.of("UTC")));
    }

    /**
     * After 9,999 years without activity no member's points can expire within the years the ledger
     * supports: such a policy was accepted and silently never expired anything.
     */
    @Test
    void monthsThatWouldExpireEvenTheEarliestPointsAfterYear9999AreRefused() {
      assertEquals(Instant.parse("9999-12-02T00:00:00Z"),
          InactivityExpiry.afterMonths(119_987).expiresAt(Instant.parse("0001-01-01T00:00:00Z"), ZoneId.of("UTC")));
      for (int tooMany : new int[] {119_988, Integer.MAX_VALUE}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> InactivityExpiry.afterMonths(tooMany));
        assertTrue(e.getMessage().contains("9999"), e.getMessage());
      }
    }
  }

  @Test
  void theDefaultPolicyNeverExpires() {
    assertEquals(Option.none(), ExpiryPolicy.never().expiresAt(Instant.parse("2027-01-01T00:00:00Z"), ZoneId.of("UTC")));
  }
}
