package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.DowngradePolicy;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierBenefits;
import io.github.loyaltyledger.tier.TierId;
import io.github.loyaltyledger.tier.TierLadder;
import io.github.loyaltyledger.tier.TierOverride;
import io.github.loyaltyledger.tier.TierProgress;
import io.github.loyaltyledger.tier.TierTerm;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;

/**
 * The README's Tiers block, run. The parts between the README markers are the block (joined by a
 * blank line); the rest supplies what the block leaves to the reader: a facade on the block's
 * program, an enrolled member in New York with a purchase an hour ago, the date there, and the
 * override's end and key.
 */
class ReadmeTiersTest {

  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  // Still 1 March in New York.
  private final Clock clock = Clock.fixed(Instant.parse("2026-03-02T02:00:00Z"), ZoneOffset.UTC);
  private final MemberId ada = MemberId.of("M-1001");

  @Test
  void theReadmeTierCallsEvaluateReviewAndOverrideAndTheProgressShowsTheOverriddenTier() {
    // --- README tiers begins ---
    TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("gold", "Gold", Qualification.points(500))
            .withBenefits(TierBenefits.standard().withEarnMultiplier(new BigDecimal("1.2"))))
        .tier(Tier.of("reserve", "Reserve", Qualification.points(2_500).orSpend(Money.parse("EUR 1000"))))
        .term(TierTerm.months(12))
        .downgrade(DowngradePolicy.ONE_STEP)        // or RECOMPUTE; NONE (never) takes no grace or warnDaysBefore
        .grace(Period.ofMonths(1))
        .warnDaysBefore(30)
        .build();
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club").tierLadder(ladder).build();
    // --- README tiers ends ---
    InMemoryLedgerStore store = new InMemoryLedgerStore();
    Loyalty loyalty = Loyalty.builder().program(program).store(store).clock(clock).build();
    loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001")).withZone(NEW_YORK)).get();
    Purchase purchase = Purchase.of(ada, IdempotencyKey.of("pos-7781"), clock.instant().minus(Duration.ofHours(1)),
        Channel.store("S-12"), LineItem.of("FLAT-WHITE", 1, Money.parse("EUR 3.90")));
    loyalty.earn(purchase).get();
    Instant until = clock.instant().plus(Period.ofDays(30));
    IdempotencyKey key = IdempotencyKey.of("ops-17-1");
    LocalDate today = LocalDate.now(clock.withZone(NEW_YORK));

    // --- README tiers begins ---
    loyalty.evaluateTier(ada, IdempotencyKey.of("tier:pos-7781"));   // after a qualifying purchase
    loyalty.reviewTier(ada, today);                                   // the daily run: the member's local date
    loyalty.overrideTier(new TierOverride(ada, TierId.of("reserve"), "Service recovery", "ops-17", until, key));
    TierProgress progress = loyalty.tierProgress(ada).get();          // tier, window, what is missing
    Option<String> tier = loyalty.tierOf(ada, purchase.occurredAt()); // the earning engine's MemberTiers port
    // --- README tiers ends ---

    assertTrue(store.idempotencyRecord(IdempotencyKey.of("tier-review:M-1001:2026-03-01")).isDefined(),
        "the review of the member's day is recorded");
    assertEquals(TierId.of("reserve"), progress.tier());
    assertTrue(progress.overridden());
    assertEquals(Option.some(until), progress.until());
    assertEquals(Option.some("green"), tier);
  }
}
