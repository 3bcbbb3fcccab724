package io.github.loyaltyledger.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
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
