package io.github.loyaltyledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.DailyRun;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.RunReport;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.Verification;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CapPeriod;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Multiplier;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.earning.Schedule;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.insight.Statement;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coffee-chain developer's first program, written from the README alone: a base rate and one
 * campaign, members enrolled, a purchase quoted and earned at the till, part of it refunded, a
 * reward held and captured, a bill paid in part with points, a transfer, the daily run, a statement,
 * the liability and the chain, first on the in-memory store and then on H2 in a file.
 */
class NewcomerWalkthroughTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-03-03T14:00:00Z"), ZoneOffset.UTC);
  private final MemberId ada = MemberId.of("M-1001");
  private final MemberId bob = MemberId.of("M-1002");
  private final Channel till = Channel.store("S-12");

  /** The calls {@link #walkThrough} makes, as the README should name them for a reader who has only it. */
  private static final List<String> CALLS = List.of("LoyaltyProgram.builder(", ".currency(", ".zone(", "RuleBook.of(",
      "BaseRate.of(", "Multiplier.onCategories(", "RewardCatalog.builder()", "Loyalty.builder()", "Enrolment.of(",
      "Purchase.of(", "loyalty.quote(", "loyalty.earn(", "Refund.ofLines(", "Credit.of(", "Authorization.reward(",
      "capture(hold", "payWithPoints(new PointsPayment(", "withPaidWithPoints(", "moneyApplied()",
      "transfer(Transfer.of(", "DailyRun.builder(loyalty)", "runDue(", "loyalty.statement(", "toText()",
      "loyalty.liability(", "loyalty.verify(", "isIntact()", "JpaLedgerStore.h2File(");

  private LoyaltyProgram program() {
    RewardCatalog catalog = RewardCatalog.builder()
        .reward(Reward.builder(RewardId.of("free-coffee"), "Free coffee", new RewardKind.FreeItem("SKU-COFFEE"),
            Points.of(100)).build())
        .reward(Reward.builder(RewardId.of("pay"), "Pay with points", new RewardKind.PointsAsPayment(new PaymentTerms(
            Points.of(100), Money.of(CurrencyUnit.EUR, 1), Points.of(50), new BigDecimal("0.5"))), Points.of(50)).build())
        .build();
    return LoyaltyProgram.builder("bean-club").currency(CurrencyUnit.EUR).zone(ZoneId.of("Europe/Berlin"))
        .earnRules(RuleBook.of(
            BaseRate.of("base", "10").with(RuleTerms.DEFAULT.priority(100)),
            Multiplier.onCategories("beans-double", "2", "10", "coffee-beans")
                .with(RuleTerms.DEFAULT.asBonus()
                    .during(Schedule.always().on(DayOfWeek.TUESDAY).between(LocalTime.of(14, 0), LocalTime.of(17, 0)))
                    .cappedPerMember(500, CapPeriod.MONTH))))
        .rewards(catalog)
        .build();
  }

  @Test
  void theReadmeNamesEveryCallTheWalkthroughMakes() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);

    List<String> unnamed = CALLS.stream().filter(call -> !readme.contains(call)).collect(Collectors.toList());

    assertEquals(List.of(), unnamed, "calls a newcomer needs that the README does not name");
  }

  @Test
  void aShopThatLeftTheCurrencyOutIsToldToSetItOnTheProgramNotOnlyToConvertItsAmounts() {
    LoyaltyProgram dollars = LoyaltyProgram.builder("corner-coffee").earnRules(RuleBook.of(BaseRate.of("base", "10"))).build();
    Loyalty loyalty = Loyalty.builder().program(dollars).store(new InMemoryLedgerStore()).clock(clock).build();
    loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001"))).get();

    LoyaltyError refused = loyalty.earn(Purchase.of(ada, IdempotencyKey.of("pos-1"), clock.instant(), till,
        LineItem.of("LATTE", 1, Money.parse("USD 4.50")))).getLeft();

    assertEquals(new LoyaltyError.CurrencyMismatch(CurrencyUnit.EUR, CurrencyUnit.USD), refused);
    assertTrue(refused.message().contains("LoyaltyProgram.Builder.currency(USD)"), refused::message);
    assertTrue(refused.message().contains("EUR is the default"), refused::message);
  }

  @Test
  void aNewcomerCanRunTheWholeDayAtTheCoffeeShopOnTheInMemoryStore() {
    walkThrough(new InMemoryLedgerStore());
  }

  @Test
  void aNewcomerCanRunTheSameDayOnH2InAFile(@TempDir Path dir) {
    try (JpaLedgerStore store = JpaLedgerStore.h2File(dir.resolve("ledger"))) {
      walkThrough(store);
    }
  }

  private void walkThrough(LedgerStore store) {
    Loyalty loyalty = Loyalty.builder().program(program()).store(store).clock(clock).build();

    assertTrue(loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001"))).isRight());
    assertTrue(loyalty.enrol(Enrolment.of(bob, IdempotencyKey.of("enrol-M-1002"))).isRight());

    Purchase purchase = Purchase.of(ada, IdempotencyKey.of("pos-7781"), clock.instant().minusSeconds(60), till,
        LineItem.of("FLAT-WHITE", 2, Money.parse("EUR 3.90")),
        LineItem.of("BEANS-250", 1, Money.parse("EUR 7.90")).inCategories("coffee-beans"));
    EarnQuote quote = loyalty.quote(purchase).get();
    // 10 per EUR on 15.70 = 157; beans doubled on a Tuesday afternoon in Berlin: 79 more
    assertEquals(Points.of(157 + 79), quote.total());
    Receipt earned = loyalty.earn(purchase).get();
    assertEquals(quote.total(), earned.netPoints());
    assertEquals(earned, loyalty.earn(purchase).get(), "a till's retry answers the first receipt");

    Receipt refunded = loyalty.refund(Refund.ofLines(IdempotencyKey.of("pos-7781"), IdempotencyKey.of("ret-1"),
        new ReturnedLine("BEANS-250", 1))).get();
    // the base rate goes with the basket, half of it back; the beans' bonus with the beans, all of it (ADR 0005)
    assertEquals(Points.of(236 - 79 - 79), refunded.balance().available());

    loyalty.credit(Credit.of(ada, Points.of(1000), "Welcome", IdempotencyKey.of("pos-1"))).get();
    Hold hold = loyalty.authorize(Authorization.reward(ada, RewardId.of("free-coffee"), Duration.ofMinutes(15), till,
        IdempotencyKey.of("pos-5"))).get();
    Redemption coffee = loyalty.capture(hold.id(), IdempotencyKey.of("pos-6")).get();
    assertEquals(Points.of(100), coffee.points());

    Purchase cake = Purchase.of(ada, IdempotencyKey.of("pos-8"), clock.instant(), till,
        LineItem.of("CHEESECAKE", 1, Money.parse("EUR 4.00")));
    Redemption paid = loyalty.payWithPoints(new PointsPayment(ada, RewardId.of("pay"),
        Money.of(CurrencyUnit.EUR, 4), Points.of(300), till, IdempotencyKey.of("pos-7"))).get();
    assertEquals(Points.of(200), paid.points());
    // the half paid with points earns nothing: 10 per EUR on the EUR 2.00 paid by card
    assertEquals(Points.of(20), loyalty.earn(cake.withPaidWithPoints(paid.moneyApplied().get())).get().netPoints());

    Receipt sent = loyalty.transfer(Transfer.of(ada, bob, Points.of(50), "For Bob's coffee",
        IdempotencyKey.of("gift-1"))).get();
    assertEquals(Points.of(50), loyalty.balance(bob).get().available());

    RunReport report = DailyRun.builder(loyalty).build().runDue(clock.instant());
    assertTrue(report.failures().isEmpty(), report::toString);

    Statement statement = loyalty.statement(ada, clock.instant().minus(Duration.ofDays(1)), clock.instant().plusNanos(1),
        Duration.ofDays(30)).get();
    assertEquals(loyalty.balance(ada).get().total(), statement.closing());
    assertTrue(statement.toText().contains("Bonus: 2x points on coffee-beans"), statement::toText);

    Liability owed = loyalty.liability(clock.instant(), ZoneId.of("Europe/Berlin"),
        RedemptionRate.of(Money.parse("EUR 1.00"), 100)).get();
    assertEquals(loyalty.balance(ada).get().total().plus(Points.of(50)), owed.outstanding());
    assertEquals(Money.parse("EUR 7.98"), owed.value());

    Verification verification = loyalty.verify(ada).get();
    assertTrue(verification.isIntact(), verification::toString);
    assertEquals(Points.of(-50), sent.netPoints());
  }
}
