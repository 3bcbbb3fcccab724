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
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * Two walk-throughs at the till, compiled and run by tests. {@link #run(Clock)} is the README's
 * redemption walk-through (keep the two in step): a catalogue, the rewards a member can have, a
 * voucher redeemed and cancelled, points as payment, and a hold captured in part.
 * {@link #checkout(Clock)} is a Bean Club checkout as a cashier sees it: the basket quoted, a
 * payment with points authorised and captured (two-phase), the rest of the bill earning points, and
 * part of the purchase returned, with its share of the points tender given back as points.
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
   * basket and what it would earn (a quote writes nothing), a payment of up to 500 points authorised
   * under the programme's terms (held, not yet spent), the hold captured once the card has paid the
   * rest, the purchase earning on what was not paid with points, and one line of it returned the next
   * day: the points it earned taken back, and its share of the points tender (the line's price times
   * the share of the bill paid with points, rounded down) given back as points.
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

    // --- README till payment begins ---
    // The customer taps "pay with points": the till holds what the programme's terms let 500 points pay.
    Hold hold = loyalty.authorize(new PointsPayment(ada, BeanClub.PAY, total, Points.of(500), till,
        IdempotencyKey.of("pos-3")), Duration.ofMinutes(15)).get();
    Money byPoints = hold.moneyApplied().get();
    screen = screen.append("Points held: " + hold.points() + " for " + byPoints + "; card to pay "
        + total.minus(byPoints));

    // The card payment went through: capture the points, then earn on the part paid by card.
    Redemption paid = loyalty.capture(hold.id(), IdempotencyKey.of("pos-4")).get();
    Receipt earned = loyalty.earn(basket.withPaidWithPoints(paid.moneyApplied().get())).get();
    screen = screen.append("Paid " + paid.moneyApplied().get() + " with " + paid.points() + " points; earned "
        + earned.netPoints() + " points; balance " + earned.balance().available());

    // The next day the customer brings the beans back: the points they earned go, and the beans' share
    // of the points tender comes back as points (the rest of their price goes back to the card).
    LineItem beans = basket.lines().find(l -> l.sku().equals("BEANS-250")).get();
    Receipt returned = loyalty.refund(Refund.ofLines(basket.transaction(), IdempotencyKey.of("ret-1"),
        new ReturnedLine("BEANS-250", 1))).get();
    Money tenderBack = beans.net().multipliedBy(byPoints.getAmount().divide(total.getAmount(), MathContext.DECIMAL64),
        RoundingMode.DOWN);
    Receipt pointsBack = loyalty.cancelRedemption(paid.entry(), tenderBack, "Returned 1 x BEANS-250",
        IdempotencyKey.of("ret-2")).get();
    // --- README till payment ends ---
    return screen
        .append("Returned 1 x BEANS-250: " + returned.netPoints() + " points earned; balance "
            + returned.balance().available())
        .append("Points tender back: " + tenderBack + " as " + pointsBack.netPoints() + " points; card refund "
            + beans.net().minus(tenderBack) + "; balance " + pointsBack.balance().available());
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
