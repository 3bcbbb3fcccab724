package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
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
import java.time.Clock;
import java.time.Duration;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/**
 * The README's redemption walk-through, compiled and run by a test: a catalogue, the rewards a
 * member can have, a voucher redeemed and cancelled, points as payment, and a hold at the till
 * captured in part. Keep it in step with the README.
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
   * Prints the walk-through.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(Clock.systemUTC()).forEach(System.out::println);
  }
}
