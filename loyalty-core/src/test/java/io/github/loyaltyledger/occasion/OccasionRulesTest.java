package io.github.loyaltyledger.occasion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OccasionRulesTest {

  private static final OccasionTerms HUNDRED_ON_THE_DAY =
      new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(100));

  private static Member born(String monthDay, String zone, String enrolledAt) {
    return new Member(MemberId.of("ada"), Instant.parse(enrolledAt), Option.some(MonthDay.parse("--" + monthDay)),
        ZoneId.of(zone), MemberStatus.ACTIVE);
  }

  /** The year whose birthday is rewarded at the instant, or 0 if none is due. */
  private static int birthdayYear(BirthdayRule rule, Member member, String asOf) {
    return rule.dueOn(member, Option.none(), Instant.parse(asOf), Option.none()).map(OccasionGrant::year).getOrElse(0);
  }

  @Nested
  class LeapDay {

    @ParameterizedTest(name = "{0} under {1}: rewarded in year {2}")
    @CsvSource({
        "2027-02-28T10:00:00Z, FEBRUARY_28, 2027",
        "2027-03-01T10:00:00Z, FEBRUARY_28, 0",
        "2027-02-28T10:00:00Z, MARCH_1,     0",
        "2027-03-01T10:00:00Z, MARCH_1,     2027",
        "2028-02-28T10:00:00Z, FEBRUARY_28, 0",
        "2028-02-29T10:00:00Z, FEBRUARY_28, 2028",
        "2028-02-29T10:00:00Z, MARCH_1,     2028",
        "2028-03-01T10:00:00Z, MARCH_1,     0",
    })
    void aTwentyNinthOfFebruaryBirthdayFollowsThePolicyInNonLeapYears(String asOf, LeapDayPolicy policy, int year) {
      BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).withLeapDay(policy);
      assertEquals(year, birthdayYear(rule, born("02-29", "UTC", "2026-01-01T00:00:00Z"), asOf));
    }

    @Test
    void theDefaultIsTheTwentyEighthOfFebruary() {
      assertEquals(LeapDayPolicy.FEBRUARY_28, BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).leapDay());
      assertEquals(LeapDayPolicy.FEBRUARY_28, AnniversaryRule.of("anniv", HUNDRED_ON_THE_DAY).leapDay());
    }
  }

  @Nested
  class Windows {

    @ParameterizedTest(name = "birthday {0}, {1} window, run at {2}: year {3}")
    @CsvSource({
        // 1 January across zones: the same instant is already the birthday in Auckland, not in LA.
        "01-01, ON_THE_DAY, 0,  2026-12-31T12:00:00Z, Pacific/Auckland,    2027",
        "01-01, ON_THE_DAY, 0,  2026-12-31T12:00:00Z, America/Los_Angeles, 0",
        "01-01, ON_THE_DAY, 0,  2027-01-01T09:00:00Z, America/Los_Angeles, 2027",
        "12-31, ON_THE_DAY, 0,  2027-01-01T02:00:00Z, America/New_York,    2026",
        // Thursday 30 December 2027: its ISO week runs from Monday 27 December to Sunday 2 January.
        "12-30, WEEK,       0,  2027-12-27T12:00:00Z, UTC,                 2027",
        "12-30, WEEK,       0,  2028-01-02T12:00:00Z, UTC,                 2027",
        "12-30, WEEK,       0,  2028-01-03T12:00:00Z, UTC,                 0",
        "12-30, WEEK,       0,  2027-12-26T12:00:00Z, UTC,                 0",
        "06-20, MONTH,      0,  2027-06-01T00:30:00Z, UTC,                 2027",
        "06-20, MONTH,      0,  2027-05-31T23:30:00Z, UTC,                 0",
        "06-20, MONTH,      0,  2027-06-30T23:30:00Z, UTC,                 2027",
        "12-30, DAYS_FROM,  7,  2028-01-06T12:00:00Z, UTC,                 2027",
        "12-30, DAYS_FROM,  7,  2028-01-07T12:00:00Z, UTC,                 0",
        "12-30, DAYS_FROM,  7,  2027-12-29T12:00:00Z, UTC,                 0",
    })
    void theWindowIsEvaluatedInTheMembersZone(String birthday, OccasionWindow.Kind kind, int days, String asOf,
        String zone, int year) {
      BirthdayRule rule = BirthdayRule.of("bday", new OccasionTerms(new OccasionWindow(kind, days), OccasionReward.points(5)));
      assertEquals(year, birthdayYear(rule, born(birthday, zone, "2025-01-01T00:00:00Z"), asOf));
    }

    /** A window of three days around 30 December reaches into the next year, and one around 2 January into the last. */
    @ParameterizedTest(name = "birthday {0}, {1} days around, run at {2}: year {3}")
    @CsvSource({
        "12-30, 3, 2027-12-26T12:00:00Z, UTC,              0",
        "12-30, 3, 2027-12-27T12:00:00Z, UTC,              2027",
        "12-30, 3, 2028-01-02T12:00:00Z, UTC,              2027",
        "12-30, 3, 2028-01-03T12:00:00Z, UTC,              0",
        "01-02, 3, 2026-12-30T12:00:00Z, UTC,              2027",
        "01-02, 3, 2026-12-29T12:00:00Z, UTC,              0",
        "01-02, 3, 2026-12-29T12:00:00Z, Pacific/Auckland, 2027",
        "01-02, 0, 2027-01-02T12:00:00Z, UTC,              2027",
        "01-02, 0, 2027-01-01T12:00:00Z, UTC,              0",
        "06-20, 182, 2027-12-19T12:00:00Z, UTC,            2027",
        "06-20, 182, 2027-12-20T12:00:00Z, UTC,            0",
        "06-20, 182, 2027-12-21T12:00:00Z, UTC,            2028",
    })
    void aWindowAroundTheDayOpensAsManyDaysBeforeItAsItStaysOpenAfter(String birthday, int days, String asOf,
        String zone, int year) {
      BirthdayRule rule = BirthdayRule.of("bday", new OccasionTerms(OccasionWindow.daysAround(days), OccasionReward.points(5)));
      assertEquals(year, birthdayYear(rule, born(birthday, zone, "2025-01-01T00:00:00Z"), asOf));
      assertEquals(days, OccasionWindow.daysAround(days).reach());
    }

    @Test
    void aWindowAroundTheDayIsAtMostHalfAYearEitherSideSoYearsNeverOverlap() {
      assertThrows(IllegalArgumentException.class, () -> OccasionWindow.daysAround(183));
      assertThrows(IllegalArgumentException.class, () -> OccasionWindow.daysAround(-1));
    }

    @Test
    void aWindowOtherThanDaysFromTakesNoDaysAndDaysFromAtMostThreeHundred() {
      assertThrows(IllegalArgumentException.class, () -> new OccasionWindow(OccasionWindow.Kind.WEEK, 3));
      assertThrows(IllegalArgumentException.class, () -> OccasionWindow.daysFrom(301));
    }
  }

  /**
   * Samoa skipped 30 December 2011 ({@code Pacific/Apia} went from UTC-10 to UTC+14 at its midnight)
   * and the Line Islands 31 December 1994 ({@code Pacific/Kiritimati}): no instant has those dates
   * there, so a window of that day alone never opened, not even for the run's catch-up days, and the
   * member went without that year's occasion. The day after the skipped one stands for it.
   */
  @Nested
  class SkippedDays {

    @ParameterizedTest(name = "birthday {0} in {1}, run at {2}: year {3}")
    @CsvSource({
        // 31 December 2011 in Apia, from its first instant to its last.
        "12-30, Pacific/Apia,       2011-12-30T10:00:00Z, 2011",
        "12-30, Pacific/Apia,       2011-12-31T09:59:59Z, 2011",
        // 29 December 2011 and 1 January 2012 there.
        "12-30, Pacific/Apia,       2011-12-30T09:59:59Z, 0",
        "12-30, Pacific/Apia,       2011-12-31T10:00:00Z, 0",
        // The day after the skipped one keeps its own occasion, and years without a skipped day are as ever.
        "12-31, Pacific/Apia,       2011-12-30T10:00:00Z, 2011",
        "12-30, Pacific/Apia,       2012-12-29T12:00:00Z, 2012",
        "12-30, Pacific/Apia,       2012-12-30T12:00:00Z, 0",
        // 1 January 1995 on Kiritimati, after 30 December 1994.
        "12-31, Pacific/Kiritimati, 1994-12-31T10:00:00Z, 1994",
        "01-01, Pacific/Kiritimati, 1994-12-31T10:00:00Z, 1995",
    })
    void aBirthdayOnADayTheMembersZoneSkippedIsRewardedOnTheDayAfter(String birthday, String zone, String asOf,
        int year) {
      BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY);
      assertEquals(year, birthdayYear(rule, born(birthday, zone, "1990-01-01T00:00:00Z"), asOf));
    }

    @Test
    void anAnniversaryOnADayTheMembersZoneSkippedIsRewardedOnTheDayAfter() {
      // Enrolled on 30 December 2010 at 02:00 in Apia; its first anniversary had no day of its own.
      Member member = new Member(MemberId.of("ada"), Instant.parse("2010-12-30T12:00:00Z"), Option.none(),
          ZoneId.of("Pacific/Apia"), MemberStatus.ACTIVE);
      AnniversaryRule rule = AnniversaryRule.of("anniv", HUNDRED_ON_THE_DAY);
      OccasionGrant grant = rule.dueOn(member, Instant.parse("2011-12-30T12:00:00Z")).get();
      assertEquals("anniversary:ada:2011", grant.key().value());
      assertEquals(LocalDate.of(2011, 12, 30), grant.date());
    }

    /**
     * Every date a zone of the time-zone database skipped (the Philippines and the Marianas in 1844,
     * Kiribati in 1994, the Marshall Islands in 1993, Samoa and Tokelau in 2011): a birthday and an
     * anniversary on it are due from the first instant of the day after, and not before.
     */
    @Test
    void everyDateAZoneSkippedHasItsBirthdayAndAnniversaryOnTheDayAfter() {
      AnniversaryRule anniversaries = AnniversaryRule.of("anniv", HUNDRED_ON_THE_DAY);
      BirthdayRule birthdays = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY);
      int skipped = 0;
      for (String id : ZoneId.getAvailableZoneIds()) {
        ZoneId zone = ZoneId.of(id);
        for (java.time.zone.ZoneOffsetTransition t : zone.getRules().getTransitions()) {
          for (LocalDate day = t.getDateTimeBefore().toLocalDate(); t.isGap() && day.isBefore(t.getDateTimeAfter().toLocalDate());
              day = day.plusDays(1)) {
            if (day.atStartOfDay(zone).toLocalDate().equals(day)) {
              continue;
            }
            skipped++;
            Instant dayAfter = t.getInstant();
            Member member = new Member(MemberId.of("ada"), day.minusYears(1).atTime(12, 0).atZone(zone).toInstant(),
                Option.some(MonthDay.from(day)), zone, MemberStatus.ACTIVE);
            String where = id + " skipped " + day;
            assertEquals(Option.some(day), birthdays.dueOn(member, Option.none(), dayAfter, Option.none())
                .map(OccasionGrant::date), where);
            assertEquals(Option.some(day), anniversaries.dueOn(member, dayAfter).map(OccasionGrant::date), where);
            assertTrue(birthdays.dueOn(member, Option.none(), dayAfter.minusNanos(1), Option.none()).isEmpty(), where);
          }
        }
      }
      assertTrue(skipped >= 10, "dates skipped: " + skipped);
    }

    @Test
    void aMemberWhoEnrolsOnTheDayAfterTheSkippedOneIsNotRewardedForIt() {
      BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY);
      assertEquals(0, birthdayYear(rule, born("12-30", "Pacific/Apia", "2011-12-30T11:00:00Z"), "2011-12-30T12:00:00Z"));
    }
  }

  @Nested
  class Eligibility {

    @Test
    void aMemberMustHaveEnrolledTheConfiguredDaysBeforeTheirBirthday() {
      BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).enrolledAtLeastDaysBefore(30);
      Member late = born("06-10", "UTC", "2027-05-20T10:00:00Z");
      assertEquals(0, birthdayYear(rule, late, "2027-06-10T10:00:00Z"));
      assertEquals(2028, birthdayYear(rule, late, "2028-06-10T10:00:00Z"));
      Member early = born("06-10", "UTC", "2027-05-11T10:00:00Z");
      assertEquals(2027, birthdayYear(rule, early, "2027-06-10T10:00:00Z"));
    }

    /**
     * No member enrolled within the years the ledger supports can have enrolled more than 3,652,058
     * days (1 January of year 1 to 31 December 9999) before a birthday within them: a longer
     * condition was accepted, and then no birthday was ever rewarded, silently.
     */
    @Test
    void anEnrolmentConditionLongerThanTheSupportedYearsIsRefusedRatherThanRewardingNoBirthday() {
      Member first = born("12-31", "UTC", "0001-01-01T00:00:00Z");
      BirthdayRule longest = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).enrolledAtLeastDaysBefore(3_652_058);
      assertEquals(9999, birthdayYear(longest, first, "9999-12-31T10:00:00Z"));
      for (int tooMany : new int[] {3_652_059, Integer.MAX_VALUE}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).enrolledAtLeastDaysBefore(tooMany));
        assertTrue(e.getMessage().contains("3,652,058") && e.getMessage().contains(String.valueOf(tooMany)),
            e.getMessage());
      }
    }

    @Test
    void aPurchaseInTheLastTwelveMonthsCanBeRequired() {
      BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).requiringPurchaseInLastYear();
      Member member = born("06-10", "UTC", "2025-01-01T00:00:00Z");
      Instant asOf = Instant.parse("2027-06-10T10:00:00Z");
      assertTrue(rule.dueOn(member, Option.none(), asOf, Option.none()).isEmpty());
      assertTrue(rule.dueOn(member, Option.some(Instant.parse("2026-06-09T10:00:00Z")), asOf, Option.none()).isEmpty());
      assertTrue(rule.dueOn(member, Option.some(Instant.parse("2026-06-10T10:00:00Z")), asOf, Option.none()).isDefined());
    }

    @Test
    void onlyActiveMembersWithAKnownBirthdayAreRewarded() {
      BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY);
      Member member = born("06-10", "UTC", "2025-01-01T00:00:00Z");
      Instant asOf = Instant.parse("2027-06-10T10:00:00Z");
      assertTrue(rule.dueOn(member.withStatus(MemberStatus.SUSPENDED), Option.none(), asOf, Option.none()).isEmpty());
      Member unknown = new Member(member.id(), member.enrolledAt(), Option.none(), member.zone(), MemberStatus.ACTIVE);
      assertTrue(rule.dueOn(unknown, Option.none(), asOf, Option.none()).isEmpty());
    }

    /** A second {@code forTier} for a tier silently replaced the first terms: the rule kept only the last. */
    @Test
    void givingATierItsTermsTwiceIsRefusedNamingTheTier() {
      BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY)
          .forTier("gold", new OccasionTerms(OccasionWindow.inTheMonth(), OccasionReward.reward("free-cake")));
      assertEquals("birthday rule 'bday' already has terms for tier 'gold'; give each tier its terms once",
          assertThrows(IllegalArgumentException.class, () -> rule.forTier("gold", HUNDRED_ON_THE_DAY)).getMessage());
      assertEquals(2, rule.forTier("silver", HUNDRED_ON_THE_DAY).byTier().size());
    }

    @Test
    void windowAndRewardCanDependOnTheTier() {
      OccasionTerms gold = new OccasionTerms(OccasionWindow.inTheMonth(), OccasionReward.reward("free-cake"));
      BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).forTier("gold", gold);
      Member member = born("06-10", "UTC", "2025-01-01T00:00:00Z");
      Instant asOf = Instant.parse("2027-06-02T10:00:00Z");
      assertTrue(rule.dueOn(member, Option.none(), asOf, Option.none()).isEmpty());
      OccasionGrant grant = rule.dueOn(member, Option.none(), asOf, Option.some("gold")).get();
      assertEquals(Option.some("free-cake"), grant.reward().rewardId());
      assertEquals(LocalDate.of(2027, 6, 1), grant.opens());
      assertEquals("birthday:ada:2027", grant.key().value());
      assertEquals(30, rule.reach());
    }
  }

  @Nested
  class Anniversaries {

    @ParameterizedTest(name = "enrolled {0}, run at {1}: year {2}")
    @CsvSource({
        "2026-03-15T10:00:00Z, 2026-03-15T12:00:00Z, 0",
        "2026-03-15T10:00:00Z, 2027-03-15T12:00:00Z, 2027",
        "2026-03-15T10:00:00Z, 2027-03-16T12:00:00Z, 0",
        "2024-02-29T10:00:00Z, 2025-02-28T12:00:00Z, 2025",
        "2024-02-29T10:00:00Z, 2028-02-29T12:00:00Z, 2028",
    })
    void theFirstAnniversaryIsAYearAfterEnrolment(String enrolled, String asOf, int year) {
      AnniversaryRule rule = AnniversaryRule.of("anniv", HUNDRED_ON_THE_DAY);
      Member member = new Member(MemberId.of("ada"), Instant.parse(enrolled), Option.none(), ZoneId.of("UTC"),
          MemberStatus.ACTIVE);
      assertEquals(year, rule.dueOn(member, Instant.parse(asOf)).map(OccasionGrant::year).getOrElse(0));
    }
  }

  @Test
  void aBirthdayEditedAfterTheGrantKeepsThatYearsKeySoItIsNotGrantedTwice() {
    BirthdayRule rule = BirthdayRule.of("bday", HUNDRED_ON_THE_DAY);
    OccasionGrant before = rule.dueOn(born("06-10", "UTC", "2025-01-01T00:00:00Z"), Option.none(),
        Instant.parse("2027-06-10T10:00:00Z"), Option.none()).get();
    OccasionGrant after = rule.dueOn(born("09-01", "UTC", "2025-01-01T00:00:00Z"), Option.none(),
        Instant.parse("2027-09-01T10:00:00Z"), Option.none()).get();
    assertEquals(before.key(), after.key());
  }

  /**
   * A null inside an occasion rule's terms, or in place of the program's optional rules, passed the
   * null checks: the program was built, and the daily run then threw a NullPointerException naming
   * nothing when it was built, or on every run for every member.
   */
  @Test
  void aNullInsideAnOccasionRuleOrInPlaceOfAProgramsRuleIsRefusedWhenMadeNamingTheField() {
    refusedNaming("byTier", () -> new BirthdayRule("bday", HUNDRED_ON_THE_DAY,
        io.vavr.collection.TreeMap.of("gold", null), 0, false, LeapDayPolicy.FEBRUARY_28));
    refusedNaming("points", () -> new OccasionReward(Option.some(null), Option.none()));
    refusedNaming("rewardId", () -> new OccasionReward(Option.none(), Option.some(null)));
    LoyaltyProgram.Builder program = LoyaltyProgram.builder("bean-club");
    refusedNaming("birthdayRule", () -> program.birthdayRule(Option.some(null)).build());
    refusedNaming("anniversaryRule", () -> LoyaltyProgram.builder("bean-club").anniversaryRule(Option.some(null)).build());
    refusedNaming("inactivityExpiry", () -> LoyaltyProgram.builder("bean-club").inactivityExpiry(Option.some(null)).build());
  }

  private static void refusedNaming(String field, Executable making) {
    NullPointerException refusal = assertThrows(NullPointerException.class, making);
    assertTrue(String.valueOf(refusal.getMessage()).contains(field), field + ": " + refusal.getMessage());
  }

  /**
   * An occasion rule or reward refused for one of several reasons gave one message for all of them,
   * naming neither the reason that applied nor the value: "a birthday rule needs an id (not blank,
   * no unpaired surrogate or NUL) and non-negative minimum enrolment days" for a minimum of -1 days.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "birthday id blank | a birthday rule's id must not be blank, was ' '",
      "birthday id NUL | a birthday rule's id has a NUL character (U+0000) at index 4, which no entry can record; send well-formed text without NUL characters",
      "birthday days negative | a birthday rule's minimum enrolment days must not be negative, was -1",
      "anniversary id blank | an anniversary rule's id must not be blank, was ''",
      "anniversary id surrogate | an anniversary rule's id has an unpaired UTF-16 surrogate at index 0, which no entry can record; send well-formed text without NUL characters",
      "points zero | occasion points must be positive, was 0",
      "points negative | occasion points must be positive, was -5",
      "reward id blank | an occasion reward's id must not be blank, was ' '"})
  void aRefusedOccasionRuleOrRewardSaysWhichSettingIsWrongAndItsValue(String setting, String message) {
    Executable making = switch (setting) {
      case "birthday id blank" -> () -> BirthdayRule.of(" ", HUNDRED_ON_THE_DAY);
      case "birthday id NUL" -> () -> BirthdayRule.of("bday\u0000", HUNDRED_ON_THE_DAY);
      case "birthday days negative" -> () -> BirthdayRule.of("bday", HUNDRED_ON_THE_DAY).enrolledAtLeastDaysBefore(-1);
      case "anniversary id blank" -> () -> AnniversaryRule.of("", HUNDRED_ON_THE_DAY);
      case "anniversary id surrogate" -> () -> AnniversaryRule.of("\uDC00", HUNDRED_ON_THE_DAY);
      case "points zero" -> () -> OccasionReward.points(0);
      case "points negative" -> () -> OccasionReward.points(-5);
      case "reward id blank" -> () -> OccasionReward.reward(" ");
      default -> throw new IllegalArgumentException(setting);
    };
    assertEquals(message, assertThrows(IllegalArgumentException.class, making).getMessage());
  }

  @Test
  void aRewardIsEitherPointsOrACatalogueItem() {
    assertThrows(IllegalArgumentException.class, () -> new OccasionReward(Option.none(), Option.none()));
    assertThrows(IllegalArgumentException.class, () -> OccasionReward.points(0));
    assertThrows(IllegalArgumentException.class, () -> OccasionReward.reward(" "));
  }
}
