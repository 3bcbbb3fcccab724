package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleOutcome;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.LimitPeriod;
import io.github.loyaltyledger.redemption.PaymentQuote;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.Redemption;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * Two walk-throughs at the till, compiled and run by tests. {@link #run(Clock)} is the README's
 * redemption walk-through (keep the two in step): a catalogue, the rewards a member can have, a
 * voucher redeemed and cancelled, points as payment, and a hold captured in part.
 * {@link #checkout(Clock)} is a Bean Club checkout as a cashier sees it: the basket quoted, points
 * authorised as payment and captured, the rest of the bill earning points, and part of the
 * purchase returned.
 */
public final class AtTheTill {

  private AtTheTill() {}

  /**
   * Runs the walk-through.
   *
   * @param clock the clock to stamp entries with
   * @return what the till would show, one line per step
   */
  public static List<String> run(Clock clock) {
    // --- README redemption begins ---
    RewardCatalog catalog = RewardCatalog.builder()
        .reward(Reward.builder(RewardId.of("free-coffee"), "Free coffee", new RewardKind.FreeItem("SKU-COFFEE"),
            Points.of(100)).build())
        .reward(Reward.builder(RewardId.of("gift-card"), "Gift card", RewardKind.Voucher.withRandomCodes(),
            Points.of(200)).stock(500).limit(1, LimitPeriod.MONTH).channels(Channel.Type.STORE, Channel.Type.APP).build())
        .reward(Reward.builder(RewardId.of("pay"), "Pay with points", new RewardKind.PointsAsPayment(new PaymentTerms(
            Points.of(100), Money.of(CurrencyUnit.EUR, 1), Points.of(50), new BigDecimal("0.5"))), Points.of(50)).build())
        .returnedPoints(ReturnedPoints.grace(Duration.ofDays(30)))   // the default
        .build();
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club").rewards(catalog).build();
    Loyalty loyalty = Loyalty.builder().program(program).store(new InMemoryLedgerStore()).clock(clock).build();

    MemberId ada = MemberId.of("M-1001");
    Channel till = Channel.store("S-12");
    loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001")));
    loyalty.credit(Credit.of(ada, Points.of(1000), "Welcome", IdempotencyKey.of("pos-1")));

    List<String> shown = loyalty.availableRewards(ada, Channel.Type.WEB).get()
        .map(r -> r.reward().name() + ": " + (r.isAvailable() ? "available" : r.reasons().head().describe()));

    Redemption gift = loyalty.redeem(ada, RewardId.of("gift-card"), till, IdempotencyKey.of("pos-2")).get();
    loyalty.cancelRedemption(gift.entry(), "Customer changed their mind", IdempotencyKey.of("pos-3"));

    Redemption paid = loyalty.payWithPoints(new PointsPayment(ada, RewardId.of("pay"),
        Money.of(CurrencyUnit.EUR, 4), Points.of(300), till, IdempotencyKey.of("pos-4"))).get();

    Hold hold = loyalty.authorize(Authorization.points(ada, Points.of(300), Duration.ofMinutes(15), till,
        IdempotencyKey.of("pos-5"))).get();
    loyalty.capture(hold.id(), Points.of(250), IdempotencyKey.of("pos-6"));
    // --- README redemption ends ---
    return shown
        .append("Voucher issued: " + gift.voucherCode().isDefined())
        .append("Paid " + paid.moneyApplied().get() + " for " + paid.points() + " points")
        .append("Balance: " + loyalty.balance(ada).get());
  }

  /**
   * A Bean Club checkout, step by step, with what the cashier's screen shows after each step: the
   * basket and what it would earn (a quote writes nothing), 500 points authorised as payment (held,
   * not yet spent), the hold captured once the card has paid the rest, the purchase earning on what
   * was not paid with points, and one line of it returned the next day.
   *
   * @param clock the clock to stamp entries with; its instant is the time of the checkout
   * @return the lines the cashier's screen shows
   */
  public static List<String> checkout(Clock clock) {
    Loyalty loyalty = Loyalty.builder().program(BeanClub.program()).store(new InMemoryLedgerStore()).clock(clock).build();
    MemberId ada = MemberId.of("M-1001");
    Channel till = Channel.store("BERLIN-MITTE");
    loyalty.enrol(Enrolment.of(ada, IdempotencyKey.of("enrol-M-1001")));
    loyalty.credit(Credit.of(ada, Points.of(640), "Points brought over from the old card", IdempotencyKey.of("pos-1")));

    Purchase basket = Purchase.of(ada, IdempotencyKey.of("pos-2"), clock.instant(), till,
        LineItem.of("FLAT-WHITE", 2, Money.parse("EUR 3.90")).inCategories("coffee"),
        LineItem.of("CHEESECAKE", 1, Money.parse("EUR 4.20")).inCategories("cake"),
        LineItem.of("BEANS-250", 1, Money.parse("EUR 7.90")).inCategories("beans"));
    List<String> screen = basket.lines().map(l -> String.format(Locale.ROOT, "%d x %-12s %12s", l.quantity(), l.sku(),
        l.net()));
    Money total = basket.lines().map(LineItem::net).reduce(Money::plus);
    screen = screen.append(String.format(Locale.ROOT, "%-16s %12s", "Total", total));

    EarnQuote quote = loyalty.quote(basket).get();
    screen = screen.append("Bean Club " + ada.value() + " (" + loyalty.tierOf(ada, clock.instant()).getOrElse("-")
        + "): earns " + quote.total() + " points, has " + loyalty.balance(ada).get().available());
    for (RuleOutcome rule : quote.outcomes().filter(o -> o.granted().isPositive())) {
      screen = screen.append("  " + rule.description() + ": " + rule.granted());
    }

    // The member pays what the programme allows with points: the till asks the terms, then holds.
    PaymentTerms terms = ((RewardKind.PointsAsPayment) BeanClub.program().rewards().reward(BeanClub.PAY).get().kind()).terms();
    PaymentQuote byPoints = terms.quote(total, Points.of(500));
    Hold hold = loyalty.authorize(Authorization.points(ada, byPoints.charged(), Duration.ofMinutes(15), till,
        IdempotencyKey.of("pos-3"))).get();
    screen = screen.append("Points held: " + hold.points() + " for " + byPoints.applied() + "; card to pay "
        + total.minus(byPoints.applied()));

    // The card payment went through: capture the points, then earn on the part paid by card.
    Redemption captured = loyalty.capture(hold.id(), IdempotencyKey.of("pos-4")).get();
    Receipt earned = loyalty.earn(basket.withPaidWithPoints(byPoints.applied())).get();
    screen = screen.append("Paid " + byPoints.applied() + " with " + captured.points() + " points; earned "
        + earned.netPoints() + " points; balance " + earned.balance().available());

    // The next day the customer brings the beans back.
    Receipt returned = loyalty.refund(Refund.ofLines(basket.transaction(), IdempotencyKey.of("ret-1"),
        new ReturnedLine("BEANS-250", 1))).get();
    return screen.append("Returned 1 x BEANS-250: " + returned.netPoints() + " points; balance "
        + returned.balance().available());
  }

  /**
   * Prints both walk-throughs.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(Clock.systemUTC()).forEach(System.out::println);
    System.out.println();
    checkout(Clock.systemUTC()).forEach(System.out::println);
  }
}
