package io.github.loyaltyledger.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QualificationWindowTest {

  /** A window from its short name: {@code calendar}, {@code rolling:12}, {@code anniversary}, {@code cycle:04-01}. */
  static QualificationWindow window(String spec) {
    String[] parts = spec.split(":");
    switch (parts[0]) {
      case "calendar":
        return QualificationWindow.calendarYear();
      case "rolling":
        return QualificationWindow.rollingMonths(Integer.parseInt(parts[1]));
      case "anniversary":
        return QualificationWindow.anniversaryYear();
      case "cycle":
        return QualificationWindow.cycleFrom(MonthDay.parse("--" + parts[1]));
      default:
        throw new IllegalArgumentException(spec);
    }
  }

  @Nested
  class TheWindowInForceAtAnInstant {

    @ParameterizedTest(name = "{0} in {1} at {2} runs {3} .. {4}")
    @CsvSource({
        // the last second of the year and the first instant of the next, in several zones
        "calendar,      UTC,              2026-12-31T23:59:59Z, 2026-01-01T00:00:00Z, 2027-01-01T00:00:00Z",
        "calendar,      UTC,              2027-01-01T00:00:00Z, 2027-01-01T00:00:00Z, 2028-01-01T00:00:00Z",
        "calendar,      Pacific/Auckland, 2026-12-31T10:59:59Z, 2025-12-31T11:00:00Z, 2026-12-31T11:00:00Z",
        "calendar,      Pacific/Auckland, 2026-12-31T11:00:00Z, 2026-12-31T11:00:00Z, 2027-12-31T11:00:00Z",
        "calendar,      America/New_York, 2027-01-01T04:59:59Z, 2026-01-01T05:00:00Z, 2027-01-01T05:00:00Z",
        "calendar,      America/New_York, 2027-01-01T05:00:00Z, 2027-01-01T05:00:00Z, 2028-01-01T05:00:00Z",
        // rolling windows count whole days, up to and including today
        "rolling:12,    UTC,              2028-02-29T12:00:00Z, 2027-03-01T00:00:00Z, 2028-03-01T00:00:00Z",
        "rolling:12,    UTC,              2027-02-28T23:59:59Z, 2026-03-01T00:00:00Z, 2027-03-01T00:00:00Z",
        "rolling:1,     UTC,              2026-03-31T00:00:00Z, 2026-03-01T00:00:00Z, 2026-04-01T00:00:00Z",
        "rolling:12,    Asia/Tokyo,       2026-12-31T15:00:00Z, 2026-01-01T15:00:00Z, 2027-01-01T15:00:00Z",
        // a day counts until N months after it, counted forward from it as terms are: 29 February 2024
        // is 12 months before 28 February 2025, and 31 March one month before 30 April
        "rolling:12,    UTC,              2025-02-28T12:00:00Z, 2024-03-01T00:00:00Z, 2025-03-01T00:00:00Z",
        "rolling:1,     UTC,              2026-04-30T12:00:00Z, 2026-04-01T00:00:00Z, 2026-05-01T00:00:00Z",
        // fixed cycles across a change of daylight-saving time
        "cycle:04-01,   Europe/London,    2026-03-31T22:59:59Z, 2025-03-31T23:00:00Z, 2026-03-31T23:00:00Z",
        "cycle:04-01,   Europe/London,    2026-03-31T23:00:00Z, 2026-03-31T23:00:00Z, 2027-03-31T23:00:00Z",
        // a cycle that starts on 29 February starts on the 28th in common years
        "cycle:02-29,   UTC,              2027-02-28T00:00:00Z, 2027-02-28T00:00:00Z, 2028-02-29T00:00:00Z",
        "cycle:02-29,   UTC,              2027-02-27T23:59:59Z, 2026-02-28T00:00:00Z, 2027-02-28T00:00:00Z",
        "cycle:02-29,   UTC,              2028-02-29T00:00:00Z, 2028-02-29T00:00:00Z, 2029-02-28T00:00:00Z",
    })
    void runsFromMidnightToMidnightInTheMembersZone(String spec, String zone, String at, String start, String end) {
      QualifyingPeriod period = window(spec).at(Instant.parse(at), ZoneId.of(zone), Instant.parse("2020-06-15T10:00:00Z"));

      assertEquals(new QualifyingPeriod(Instant.parse(start), Instant.parse(end)), period);
    }

    @ParameterizedTest(name = "a member enrolled {0} is at {1} in the year {2} .. {3}")
    @CsvSource({
        "2024-02-29T09:00:00Z, 2025-02-27T23:59:59Z, 2024-02-29T00:00:00Z, 2025-02-28T00:00:00Z",
        "2024-02-29T09:00:00Z, 2025-02-28T00:00:00Z, 2025-02-28T00:00:00Z, 2026-02-28T00:00:00Z",
        "2024-02-29T09:00:00Z, 2028-02-29T00:00:00Z, 2028-02-29T00:00:00Z, 2029-02-28T00:00:00Z",
        "2025-07-10T23:30:00Z, 2026-07-09T23:59:59Z, 2025-07-10T00:00:00Z, 2026-07-10T00:00:00Z",
        "2025-07-10T23:30:00Z, 2026-07-10T00:00:00Z, 2026-07-10T00:00:00Z, 2027-07-10T00:00:00Z",
    })
    void anAnniversaryYearStartsOnTheEnrolmentDay(String enrolled, String at, String start, String end) {
      QualifyingPeriod period = QualificationWindow.anniversaryYear()
          .at(Instant.parse(at), ZoneId.of("UTC"), Instant.parse(enrolled));

      assertEquals(new QualifyingPeriod(Instant.parse(start), Instant.parse(end)), period);
    }

    @Test
    void theEnrolmentDayIsTakenInTheMembersZone() {
      Instant enrolled = Instant.parse("2025-07-10T23:30:00Z");

      QualifyingPeriod period = QualificationWindow.anniversaryYear()
          .at(Instant.parse("2026-08-01T00:00:00Z"), ZoneId.of("Europe/Paris"), enrolled);

      assertEquals(Instant.parse("2026-07-10T22:00:00Z"), period.start());
    }
  }

  /**
   * A status earned for N months lasts through the day N months after the day earned, and that day
   * leaves an N-month rolling window the day before: the window that ends with the status never
   * holds the purchase that earned it, so a review cannot renew the status on it. Checked around the
   * days zones skipped (a whole day in Samoa in 2011, on Kiritimati in 1994, on Kwajalein in 1993,
   * an hour at midnight in Havana) and the half-hour changes of Lord Howe.
   */
  @Test
  void theWindowThatEndsWithAMonthsStatusNeverHoldsThePurchaseThatEarnedIt() {
    java.util.List<String> places = java.util.List.of("Pacific/Apia 2011-12-30", "Pacific/Kiritimati 1994-12-31",
        "Pacific/Kwajalein 1993-08-21", "America/Havana 2029-03-11", "Australia/Lord_Howe 2027-10-03",
        "Europe/London 2027-03-28");
    qt().withExamples(3000)
        .forAll(integers().between(0, places.size() - 1), integers().between(1, 120), integers().between(-3, 3),
            integers().between(0, 86_399))
        .checkAssert((place, months, offset, second) -> {
          String[] p = places.get(place).split(" ");
          ZoneId zone = ZoneId.of(p[0]);
          LocalDate earnedOn = LocalDate.parse(p[1]).plusDays(offset).minusMonths(months);
          Instant earnedAt = earnedOn.atStartOfDay(zone).plusSeconds(second).toInstant();
          QualificationWindow window = QualificationWindow.rollingMonths(months);
          Instant end = TierTerm.months(months).end(earnedAt, window, zone, earnedAt);
          QualifyingPeriod endingWithIt = window.at(end.minusNanos(1), zone, earnedAt);
          assertTrue(endingWithIt.start().isAfter(earnedAt), "earned " + earnedAt + " in " + zone + " for " + months
              + " months, until " + end + ": the window that ends with it starts " + endingWithIt.start());
        });
  }

  @Nested
  class Building {

    @Test
    void aRollingWindowNeedsOneToOneHundredAndTwentyMonths() {
      assertThrows(IllegalArgumentException.class, () -> QualificationWindow.rollingMonths(0));
      assertThrows(IllegalArgumentException.class, () -> QualificationWindow.rollingMonths(121));
    }

    @Test
    void onlyRollingWindowsAreNotPeriodic() {
      assertEquals(false, QualificationWindow.rollingMonths(12).isPeriodic());
      assertEquals(true, QualificationWindow.calendarYear().isPeriodic());
    }
  }
}
