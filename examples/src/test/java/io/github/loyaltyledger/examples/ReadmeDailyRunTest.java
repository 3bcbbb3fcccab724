package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.RunCounts;
import io.github.loyaltyledger.RunReport;
import io.github.loyaltyledger.earning.MemberTiers;
import io.github.loyaltyledger.expiry.ExpiryRounding;
import io.github.loyaltyledger.expiry.FixedTermExpiry;
import io.github.loyaltyledger.expiry.InactivityExpiry;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.occasion.AnniversaryRule;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionGrant;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.Partition;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The README's daily-run block, run. The parts between the README markers are the block (joined
 * by a blank line); the rest supplies what the block leaves to the reader: a facade on the block's
 * program with two members whose birthdays fall due, the application's tiers, a gift shop that
 * issues the free cake, and a log.
 */
class ReadmeDailyRunTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-06-10T03:00:00Z"), ZoneOffset.UTC);
  private final MemberId ada = MemberId.of("M-1001");
  private final MemberId bob = MemberId.of("M-1002");

  @Test
  void theReadmeDailyRunGrantsTheBirthdayPointsAndTheGoldMembersCakeOnceAndLogsItsProgress() {
    // --- README daily run begins ---
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
        .lotExpiry(FixedTermExpiry.months(6).roundedUpTo(ExpiryRounding.END_OF_MONTH))
        .inactivityExpiry(Option.some(InactivityExpiry.afterMonths(18)))
        .birthdayRule(Option.some(BirthdayRule.of("birthday-100",
                new OccasionTerms(OccasionWindow.inTheWeek(), OccasionReward.points(100)))
            .forTier("gold", new OccasionTerms(OccasionWindow.inTheMonth(), OccasionReward.reward("free-cake")))
            .enrolledAtLeastDaysBefore(30)))
        .anniversaryRule(Option.some(AnniversaryRule.of("anniversary-50",
            new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(50)))))
        .expiryNoticeDays(14)
        .build();
    // --- README daily run ends ---
    Loyalty loyalty = Loyalty.builder().program(program).store(new InMemoryLedgerStore()).clock(clock).build();
    Instant enrolled = Instant.parse("2026-01-05T10:00:00Z");
    loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001")).withBirthday(MonthDay.of(6, 11))
        .enrolledAt(enrolled)).get();
    loyalty.enrol(Enrolment.of(bob, IdempotencyKey.of("enrol-M-1002")).withBirthday(MonthDay.of(6, 25))
        .enrolledAt(enrolled)).get();
    MemberTiers memberTiers = (member, at) -> member.equals(bob) ? Option.some("gold") : Option.none();
    GiftShop giftShop = new GiftShop();
    Log log = new Log();

    // --- README daily run begins ---
    DailyRun run = DailyRun.builder(loyalty)
        .tiers(memberTiers::tierOf)                    // tier ids as strings; default: loyalty::tierOf with a tier ladder, else no tiers
        .rewards(giftShop::issueFree)                  // optional: default issues catalogue items free (loyalty::grantOccasionReward)
        // build() adds hold timeouts (loyalty::releaseExpiredHolds) and, with a tier ladder, tier reviews;
        // .task(DueTask.holdTimeouts(...)) or .task(DueTask.tierReviews(...)) replaces one
        .listener(counts -> log.info("due {} done {} failed {}", counts.due(), counts.done(), counts.failed()))
        .build();

    RunReport report = run.runDue(clock.instant());                    // all members
    RunReport share = run.runDue(clock.instant(), Partition.of(2, 4)); // share 2 of 0..3 (the third of four nodes)
    // --- README daily run ends ---

    assertEquals(new RunCounts(2, 2, 0), report.counts());
    assertEquals(Points.of(100), loyalty.balance(ada).get().available());
    assertEquals(List.of("free-cake for M-1002 under birthday:M-1002:2026"), giftShop.issued);
    assertEquals(Points.ZERO, loyalty.balance(bob).get().available());
    assertEquals(new RunCounts(0, 0, 0), share.counts());
    assertEquals(List.of("due 1 done 1 failed 0", "due 2 done 2 failed 0"), log.lines);
  }

  /** The application's shop, which hands out catalogue items itself. */
  private static final class GiftShop {
    private final List<String> issued = new ArrayList<>();

    Either<LoyaltyError, String> issueFree(OccasionGrant grant, Instant asOf) {
      issued.add(grant.reward().rewardId().get() + " for " + grant.member().value() + " under " + grant.key().value());
      return Either.right("issued");
    }
  }

  /** A logger with SLF4J's placeholders, keeping what it logs. */
  private static final class Log {
    private final List<String> lines = new ArrayList<>();

    void info(String format, Object... arguments) {
      String line = format;
      for (Object argument : arguments) {
        line = line.replaceFirst("\\{}", Matcher.quoteReplacement(String.valueOf(argument)));
      }
      lines.add(line);
    }
  }
}
