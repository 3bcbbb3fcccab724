package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.MonthDay;
import java.util.concurrent.atomic.AtomicInteger;
import org.joda.money.Money;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BeanClubTest {

  SimulatedClock clock;
  Loyalty loyalty;
  final AtomicInteger keys = new AtomicInteger();

  @BeforeEach
  void openTheShop() {
    clock = new SimulatedClock(berlin("2026-01-05T07:00"));
    loyalty = Loyalty.builder().program(BeanClub.program()).store(new InMemoryLedgerStore()).clock(clock).build();
  }

  static Instant berlin(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(BeanClub.ZONE).toInstant();
  }

  MemberId enrolled(String id, Option<MonthDay> birthday) {
    MemberId member = MemberId.of(id);
    Enrolment enrolment = Enrolment.of(member, IdempotencyKey.of("enrol-" + id));
    ok(loyalty.enrol(birthday.map(enrolment::withBirthday).getOrElse(enrolment)));
    return member;
  }

  /** Moves the clock to a Berlin wall-clock time and buys there. */
  Receipt buys(MemberId member, String at, String euros) {
    clock.moveTo(berlin(at));
    return ok(loyalty.earn(Purchase.of(member, key(), clock.instant(), Channel.store("BERLIN-MITTE"),
        LineItem.of("FLAT-WHITE", 1, Money.parse("EUR " + euros)).inCategories("coffee"))));
  }

  IdempotencyKey key() {
    return IdempotencyKey.of("pos-" + keys.incrementAndGet());
  }

  static <T> T ok(Either<LoyaltyError, T> result) {
    return result.getOrElseThrow(error -> new AssertionError(error.message()));
  }

  @Nested
  class HappyHour {
    @ParameterizedTest(name = "a EUR 4.00 flat white at {0} earns {1} points")
    @CsvSource({
        "2026-03-03T11:00, 40",   // Tuesday morning: base points only
        "2026-03-03T14:00, 80",   // the happy hour starts: double
        "2026-03-03T15:59, 80",
        "2026-03-03T16:00, 40",   // it has ended
        "2026-03-07T15:00, 40"})  // Saturday: no happy hour
    void doublesTheBasePointsOnWeekdayAfternoons(String at, long points) {
      MemberId ada = enrolled("ADA", Option.none());
      assertEquals(points, buys(ada, at, "4.00").netPoints().value());
    }

    @Test
    void aSilverMemberGetsTheirOwnRateDoubled() {
      MemberId ada = enrolled("ADA", Option.none());
      buys(ada, "2026-03-02T09:00", "150.00");   // 1,500 qualifying points: Silver from the next purchase
      assertEquals(100, buys(ada, "2026-03-03T15:00", "4.00").netPoints().value());
    }
  }

  @Nested
  class Survey {
    @Test
    void earnsItsBonusOnceAMonth() {
      MemberId ada = enrolled("ADA", Option.none());
      assertEquals(java.util.List.of(50L, 0L, 50L), java.util.List.of(
          survey(ada, "2026-03-03T10:00"), survey(ada, "2026-03-28T10:00"), survey(ada, "2026-04-01T10:00")));
    }

    long survey(MemberId member, String at) {
      clock.moveTo(berlin(at));
      return ok(loyalty.earn(CustomEvent.of(member, key(), CustomEvent.SURVEY_COMPLETED, clock.instant(),
          Channel.app()))).netPoints().value();
    }
  }

  @Nested
  class Expiry {
    @Test
    void greenPointsExpireSixMonthsAfterTheMonthTheyWereEarnedIn() {
      MemberId ada = enrolled("ADA", Option.none());
      Entry earned = buys(ada, "2026-01-20T09:00", "4.00").entries().head();
      assertEquals(Option.some(berlin("2026-08-01T00:00")), earned.expiresAt());
      assertEquals(Option.some(berlin("2026-08-01T00:00")), buys(ada, "2026-01-31T18:00", "4.00").entries().head().expiresAt());
    }

    @Test
    void silverPointsDoNotExpire() {
      MemberId ada = enrolled("ADA", Option.none());
      buys(ada, "2026-01-20T09:00", "150.00");
      assertEquals(Option.none(), buys(ada, "2026-01-21T09:00", "4.00").entries().head().expiresAt());
    }

    @Test
    void theDailyRunExpiresWhatIsLeftOnTheFirstDayAfter() {
      MemberId ada = enrolled("ADA", Option.none());
      buys(ada, "2026-01-20T09:00", "4.00");
      DailyRun run = DailyRun.builder(loyalty).build();
      clock.moveTo(berlin("2026-07-31T03:00"));
      run.runDue(clock.instant());
      assertEquals(40, ok(loyalty.balance(ada)).available().value());
      clock.moveTo(berlin("2026-08-01T03:00"));
      run.runDue(clock.instant());
      assertEquals(0, ok(loyalty.balance(ada)).available().value());
    }
  }

  @Nested
  class Birthday {
    @ParameterizedTest(name = "a {0} member born on 20 March gets the reward on {2}")
    @CsvSource({
        "green,    0.00, 2026-03-20",    // on the day
        "silver, 150.00, 2026-03-16",    // in the week: from its Monday
        "gold,   400.00, 2026-03-01"})   // in the month: from the first
    void opensAWindowThatDependsOnTheTier(String tier, String spend, LocalDate granted) {
      MemberId ada = enrolled("ADA", Option.some(MonthDay.of(3, 20)));
      if (!spend.equals("0.00")) {
        buys(ada, "2026-01-10T09:00", spend);
      }
      assertEquals(Option.some(tier), loyalty.tierOf(ada, berlin("2026-02-20T09:00")));
      DailyRun run = DailyRun.builder(loyalty).build();
      for (LocalDate day = LocalDate.of(2026, 2, 20); !day.isAfter(LocalDate.of(2026, 3, 25)); day = day.plusDays(1)) {
        clock.moveTo(day.atTime(3, 0).atZone(BeanClub.ZONE).toInstant());
        run.runDue(clock.instant());
      }
      Entry reward = ok(loyalty.history(ada, EntryQuery.newest(50))).entries()
          .find(e -> e.kind() == EntryKind.BONUS && e.reason().startsWith("Birthday")).get();
      assertEquals(BeanClub.BIRTHDAY_POINTS, reward.points().value());
      assertEquals(granted, LocalDate.ofInstant(reward.recordedAt(), BeanClub.ZONE));
    }
  }
}
