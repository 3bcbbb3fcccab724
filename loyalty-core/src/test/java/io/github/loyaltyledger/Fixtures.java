package io.github.loyaltyledger;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.EarnRule;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.LimitPeriod;
import io.github.loyaltyledger.redemption.PaymentTerms;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.redemption.TierSource;
import io.github.loyaltyledger.redemption.VoucherIssuer;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierLadder;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Either;
import java.math.BigDecimal;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;

/** Factory methods shared by the core tests and the store contract tests. */
public final class Fixtures {

  public static final String START = "2026-03-01T10:00:00Z";
  private static final AtomicLong KEYS = new AtomicLong();

  private Fixtures() {}

  public static LoyaltyProgram aProgram(NegativeBalancePolicy policy) {
    return LoyaltyProgram.builder("bean-club").negativeBalancePolicy(policy).build();
  }

  public static LoyaltyProgram aProgram() {
    return aProgram(NegativeBalancePolicy.CLAMP);
  }

  /**
   * A coffee chain: 10 points per euro, and a two-tier ladder (Green for everyone, Gold from 500
   * qualifying points in a rolling 12 months).
   */
  public static LoyaltyProgram aProgramWithTiers() {
    TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("gold", "Gold", Qualification.points(500)))
        .build();
    return LoyaltyProgram.builder("bean-club")
        .earnRules(RuleBook.of(BaseRate.of("base", "10").with(RuleTerms.DEFAULT.priority(100))))
        .tierLadder(ladder)
        .build();
  }

  public static Loyalty aLoyalty(LedgerStore store, TestClock clock, LoyaltyProgram program) {
    return Loyalty.builder().program(program).store(store).clock(clock).build();
  }

  public static MemberId member(String id) {
    return MemberId.of(id);
  }

  public static Points points(long n) {
    return Points.of(n);
  }

  /** A fresh idempotency key, unique in the JVM. */
  public static IdempotencyKey aKey() {
    return IdempotencyKey.of("k-" + KEYS.incrementAndGet());
  }

  public static IdempotencyKey key(String value) {
    return IdempotencyKey.of(value);
  }

  public static Receipt enrolled(Loyalty loyalty, MemberId member) {
    return accepted(loyalty.enrol(Enrolment.of(member, aKey())));
  }

  public static Receipt earned(Loyalty loyalty, MemberId member, long n) {
    return accepted(loyalty.credit(Credit.of(member, Points.of(n), "Purchase", aKey())));
  }

  public static Receipt redeemed(Loyalty loyalty, MemberId member, long n) {
    return accepted(loyalty.debit(Debit.of(member, Points.of(n), "Reward", aKey())));
  }

  public static Balance balanceOf(Loyalty loyalty, MemberId member) {
    return accepted(loyalty.balance(member));
  }

  /** The right side of an Either, or an AssertionError naming the refusal. */
  public static <T> T accepted(Either<LoyaltyError, T> result) {
    if (result.isLeft()) {
      throw new AssertionError("expected success but was refused: " + result.getLeft());
    }
    return result.get();
  }

  /** The left side of an Either, or an AssertionError naming the unexpected success. */
  public static LoyaltyError refused(Either<LoyaltyError, ?> result) {
    if (result.isRight()) {
      throw new AssertionError("expected a refusal but got: " + result.get());
    }
    return result.getLeft();
  }

  /**
   * A purchase as the earning engine posts it: an EARN credit of {@code n} points at the clock's
   * instant whose details carry its tier-qualifying points, spend (minor units) and one visit.
   */
  public static Receipt purchased(Loyalty loyalty, MemberId member, long n, long qualifyingPoints, long spendMinor) {
    SortedMap<String, String> details = TreeMap.of(QualifyingActivity.POINTS, Long.toString(qualifyingPoints),
        QualifyingActivity.SPEND, Long.toString(spendMinor), QualifyingActivity.VISIT, "1");
    return accepted(loyalty.credit(Credit.of(member, Points.of(n), "Purchase", aKey())
        .explainedBy(List.of("base-earn"), details)));
  }

  /** A purchase whose points are all tier-qualifying and whose spend is {@code spendMinor}. */
  public static Receipt purchased(Loyalty loyalty, MemberId member, long qualifyingPoints, long spendMinor) {
    return purchased(loyalty, member, qualifyingPoints, qualifyingPoints, spendMinor);
  }

  /** A return as the POS sends it: the reversal of a purchase, which takes back its qualifying activity. */
  public static Receipt returned(Loyalty loyalty, Receipt purchase) {
    return accepted(loyalty.reverse(Reversal.of(purchase.entries().head().id(), "Returned", aKey())));
  }

  // ---------------------------------------------------------------- earning

  /** A line of goods at a price in euros, e.g. {@code line("BEANS", 2, "8.50")}. */
  public static LineItem line(String sku, int quantity, String euros) {
    return LineItem.of(sku, quantity, eur(euros));
  }

  public static Money eur(String amount) {
    return Money.of(CurrencyUnit.EUR, new BigDecimal(amount));
  }

  /** A purchase in a store at the given instant. */
  public static Purchase aPurchase(MemberId member, IdempotencyKey transaction, Instant at, LineItem first, LineItem... more) {
    return Purchase.of(member, transaction, at, Channel.store("S-1"), first, more);
  }

  /** A one-line purchase of {@code euros} at {@link #START}. */
  public static Purchase aPurchaseOf(MemberId member, String euros, IdempotencyKey transaction) {
    return aPurchase(member, transaction, Instant.parse(START), line("ITEM", 1, euros));
  }

  /** A loyalty facade running these earning rules on a fresh in-memory store. */
  public static Loyalty aLoyaltyEarning(TestClock clock, EarnRule... rules) {
    return aLoyalty(new InMemoryLedgerStore(), clock, LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(rules)).build());
  }

  // ---------------------------------------------------------------- redemption

  public static final RewardId FREE_COFFEE = RewardId.of("free-coffee");
  public static final RewardId GIFT_CARD = RewardId.of("gift-card");
  public static final RewardId FIVE_OFF = RewardId.of("five-off");
  public static final RewardId LOUNGE = RewardId.of("gold-lounge");
  public static final RewardId SUMMER_MUG = RewardId.of("summer-mug");
  public static final RewardId PAY = RewardId.of("pay-with-points");

  /** A seeded, repeatable voucher issuer (SHA1PRNG with a fixed seed). */
  public static VoucherIssuer aSeededIssuer(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return VoucherIssuer.secureRandom(random);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The Bean Club catalogue: a free coffee (100), a voucher with a stock of 2 (200), 5.00 off once a
   * month in stores (500), a lounge for gold members (300, 150 for gold), a mug in summer on the
   * app (80), and points as payment (100 points = 1.00, at least 50 points, at most half the basket).
   */
  public static RewardCatalog aCatalog(TierSource tiers, ReturnedPoints returned) {
    return RewardCatalog.builder()
        .reward(Reward.builder(FREE_COFFEE, "Free coffee", new RewardKind.FreeItem("SKU-COFFEE"), Points.of(100)).build())
        .reward(Reward.builder(GIFT_CARD, "Gift card", new RewardKind.Voucher(aSeededIssuer(42)), Points.of(200))
            .stock(2).build())
        .reward(Reward.builder(FIVE_OFF, "5.00 off", new RewardKind.MoneyOff(Money.of(CurrencyUnit.EUR, 5)), Points.of(500))
            .limit(1, LimitPeriod.MONTH).channels(Channel.Type.STORE).build())
        .reward(Reward.builder(LOUNGE, "Lounge access", new RewardKind.FreeItem("LOUNGE"), Points.of(300))
            .forTiers("gold").costForTier("gold", Points.of(150)).build())
        .reward(Reward.builder(SUMMER_MUG, "Summer mug", new RewardKind.FreeItem("MUG"), Points.of(80))
            .availableBetween(Instant.parse("2026-06-01T00:00:00Z"), Instant.parse("2026-09-01T00:00:00Z"))
            .channels(Channel.Type.APP).build())
        .reward(Reward.builder(PAY, "Pay with points", new RewardKind.PointsAsPayment(new PaymentTerms(
            Points.of(100), Money.of(CurrencyUnit.EUR, 1), Points.of(50), new BigDecimal("0.5"))), Points.of(50)).build())
        .tiers(tiers)
        .returnedPoints(returned)
        .build();
  }

  public static LoyaltyProgram aProgramWithRewards(TierSource tiers, ReturnedPoints returned) {
    return LoyaltyProgram.builder("bean-club").rewards(aCatalog(tiers, returned)).build();
  }

  /**
   * The Bean Club catalogue for a program where no member has a tier ({@link TierSource#NONE}):
   * without the lounge, which is for gold members only and which no member could then redeem.
   */
  public static RewardCatalog aCatalogWithoutTiers(ReturnedPoints returned) {
    RewardCatalog.Builder rewards = RewardCatalog.builder().tiers(TierSource.NONE).returnedPoints(returned);
    aCatalog(TierSource.NONE, returned).list().filter(r -> !r.id().equals(LOUNGE)).forEach(rewards::reward);
    return rewards.build();
  }

  /** A program with {@link #aCatalogWithoutTiers}: no member has a tier. */
  public static LoyaltyProgram aProgramWithoutTiers(ReturnedPoints returned) {
    return LoyaltyProgram.builder("bean-club").rewards(aCatalogWithoutTiers(returned)).build();
  }
}
