package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.MemberTiers;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.insight.Breakage;
import io.github.loyaltyledger.insight.ExpiryBucket;
import io.github.loyaltyledger.insight.Insights;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.insight.Retention;
import io.github.loyaltyledger.insight.RfmModel;
import io.github.loyaltyledger.insight.RfmSegment;
import io.github.loyaltyledger.insight.Statement;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Collectors;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;

/**
 * The README's insights block, run. The code between the README markers is the block; the rest
 * supplies what the block leaves to the reader: Bean Club on an in-memory store, a member with a
 * purchase in February and one in March, and the statement's month.
 */
class ReadmeInsightsTest {

  private final SimulatedClock clock = new SimulatedClock(Instant.parse("2026-02-20T09:00:00Z"));
  private final MemberId ada = MemberId.of("M-1001");

  @Test
  void theReadmeReportsStatementLiabilitySegmentsExportAndErasureOfOneMember() {
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    LoyaltyProgram program = BeanClub.program();
    Loyalty loyalty = Loyalty.builder().program(program).store(store).clock(clock).build();
    loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001"))).get();
    buys(loyalty, "pos-1", "EUR 3.90");
    clock.moveTo(Instant.parse("2026-03-10T09:00:00Z"));
    buys(loyalty, "pos-2", "EUR 12.50");
    clock.moveTo(Instant.parse("2026-04-02T09:00:00Z"));
    ZoneId zone = BeanClub.ZONE;
    Instant from = LocalDateTime.parse("2026-03-01T00:00").atZone(zone).toInstant();
    Instant to = LocalDateTime.parse("2026-04-01T00:00").atZone(zone).toInstant();
    Instant now = clock.instant();

    // --- README insights begins ---
    Statement march = loyalty.statement(ada, from, to, Duration.ofDays(30)).get();
    march.toText(); march.toJson(); march.toCsv();               // opening, lines with reasons, closing, expiring soon, tier

    Liability owed = loyalty.liability(now, zone, RedemptionRate.of(Money.parse("EUR 1.00"), 100)).get();
    owed.value(); owed.byExpiry(); owed.byTier();                 // OVERDUE, WITHIN_30/90/180/365_DAYS, LATER, NEVER, HELD
    Breakage breakage = loyalty.breakage(now, zone);              // per cohort month: issued, redeemed, expired, other, outstanding
    Retention retention = loyalty.retention(now, zone);           // per enrolment month: share active in each month since

    Insights insights = new Insights(store, store, MemberTiers.NONE, CurrencyUnit.EUR);
    RfmModel rfm = insights.rfm(now, zone, member -> true);      // or loyalty.rfm(now, zone): respects marketing consent
    rfm.profile(ada).get().segment();                             // CHAMPIONS, LOYAL, AT_RISK, HIBERNATING, NEW, PROMISING
    Loyalty targeting = Loyalty.builder().program(program).store(store).segmentResolver(rfm).build();

    loyalty.saveProfile(MemberProfile.of(ada, new Consent(true, false)).withName("Ada").withContact("ada@example.org"));
    String everything = loyalty.export(ada).get();                // JSON: member, profile, balance, lots (expiry, vesting), every entry
    loyalty.erase(ada, IdempotencyKey.of("gdpr-1842"));           // profile deleted, birthday cleared, account closed
    // --- README insights ends ---

    assertEquals(List.of("Opening balance: 39", "2026-03-10  +125  balance 164  Purchase pos-2", "Closing balance: 164"),
        march.toText().lines().filter(line -> line.contains("balance")).collect(Collectors.toList()));
    assertEquals(Money.parse("EUR 1.64"), owed.value());
    assertEquals(Points.of(39), owed.byExpiry().get(ExpiryBucket.WITHIN_180_DAYS).get());
    assertEquals(Points.of(125), owed.byExpiry().get(ExpiryBucket.WITHIN_365_DAYS).get());
    assertEquals(2, breakage.cohorts().size());
    assertEquals(1, retention.cohorts().size());
    assertEquals(RfmSegment.CHAMPIONS, rfm.profile(ada).get().segment());
    assertEquals(program, targeting.program());
    assertTrue(everything.contains("\"name\":\"Ada\""), everything);
    assertEquals(MemberStatus.CLOSED, loyalty.member(ada).get().status());
    assertEquals(Option.none(), loyalty.profile(ada).get().name());
    assertEquals(Points.ZERO, loyalty.balance(ada).get().available());
  }

  private void buys(Loyalty loyalty, String key, String price) {
    loyalty.earn(Purchase.of(ada, IdempotencyKey.of(key), clock.instant(), Channel.store("BERLIN-MITTE"),
        LineItem.of("FLAT-WHITE", 1, Money.parse(price)).inCategories("coffee"))).get();
  }
}
