package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.BasketThreshold;
import io.github.loyaltyledger.earning.CapPeriod;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.EventAward;
import io.github.loyaltyledger.earning.EveryNthVisit;
import io.github.loyaltyledger.earning.FirstPurchaseBonus;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.LineKind;
import io.github.loyaltyledger.earning.Multiplier;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.earning.Schedule;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;

/**
 * The README's earning block, run. The parts between the README markers are the block (joined by
 * a blank line); the rest supplies what the block leaves to the reader: a facade on the block's
 * program, an enrolled member and the purchase's instant, a Tuesday afternoon.
 */
class ReadmeEarningTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-03-03T16:00:00Z"), ZoneOffset.UTC);
  private final MemberId ada = MemberId.of("M-1001");

  @Test
  void theReadmePurchaseEarnsTheBaseRateTheTuesdayBeansBonusAndTheWelcomeAndTheReturnTakesThemBack() {
    Instant occurredAt = Instant.parse("2026-03-03T15:30:00Z");

    // --- README earning begins ---
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(
        BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100)),              // 1 point per EUR, net of discounts
        Multiplier.onCategories("beans-double", "2", "1", "coffee-beans")             // double points on beans…
            .with(RuleTerms.DEFAULT.asBonus().inGroup("promo")
                .during(Schedule.always().on(DayOfWeek.TUESDAY).between(LocalTime.of(14, 0), LocalTime.of(17, 0)))
                .cappedPerMember(500, CapPeriod.MONTH).budget(100_000)),              // …Tuesdays 14-17, capped, budgeted
        BasketThreshold.of("fifty", Money.parse("EUR 50.00"), 100),                   // spend 50, get 100
        FirstPurchaseBonus.of("welcome", 50),
        EveryNthVisit.of("tenth", 10, 200),
        EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 40)
            .with(RuleTerms.DEFAULT.asBonus().limitedTo(1, CapPeriod.WEEK))))
        .build();
    // --- README earning ends ---
    Loyalty loyalty = Loyalty.builder().program(program).store(new InMemoryLedgerStore()).clock(clock).build();
    loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001"))).get();

    // --- README earning begins ---
    Purchase purchase = Purchase.of(ada, IdempotencyKey.of("pos-7781"), occurredAt, Channel.store("S-12"),
        LineItem.of("BEANS-1KG", 1, Money.parse("EUR 18.90")).inCategories("coffee-beans"),
        LineItem.of("GIFTCARD", 1, Money.parse("EUR 25.00")).ofKind(LineKind.GIFT_CARD));  // never earns
    // --- README earning ends ---

    // --- README earning begins ---
    EarnQuote quote = loyalty.quote(purchase).get();   // the same pipeline, writes nothing
    Receipt receipt = loyalty.earn(purchase).get();    // the transaction id is the idempotency key
    loyalty.refund(Refund.ofLines(IdempotencyKey.of("pos-7781"), IdempotencyKey.of("ret-1"), new ReturnedLine("BEANS-1KG", 1)));
    // --- README earning ends ---

    // EUR 18.90 of beans on a Tuesday afternoon: 18 base points, 18 more for the beans, 50 for the first
    // purchase; the gift card earns nothing, so returning the beans takes back everything.
    assertEquals(Points.of(18 + 18 + 50), quote.total());
    assertEquals(quote.total(), receipt.netPoints());
    assertEquals(Points.ZERO, loyalty.balance(ada).get().available());
  }
}
