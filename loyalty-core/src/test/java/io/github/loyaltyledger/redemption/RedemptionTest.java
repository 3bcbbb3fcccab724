package io.github.loyaltyledger.redemption;

import static io.github.loyaltyledger.Fixtures.FIVE_OFF;
import static io.github.loyaltyledger.Fixtures.FREE_COFFEE;
import static io.github.loyaltyledger.Fixtures.GIFT_CARD;
import static io.github.loyaltyledger.Fixtures.LOUNGE;
import static io.github.loyaltyledger.Fixtures.PAY;
import static io.github.loyaltyledger.Fixtures.SUMMER_MUG;
import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.insight.Liability;
import io.github.loyaltyledger.insight.RedemptionRate;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.joda.money.CurrencyUnit;
import org.joda.money.Money;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RedemptionTest {

  private static final Channel TILL = Channel.store("S-1");
  private static final Duration TTL = Duration.ofMinutes(15);
  private static final RedemptionRate RATE = RedemptionRate.of(Money.of(CurrencyUnit.EUR, 1), 100);

  private final MemberId ada = member("ada");
  private final MemberId bob = member("bob");
  private final MemberId gold = member("gold");
  private final TierSource tiers = (m, at) -> m.equals(gold) ? Option.some("gold") : Option.none();
  private TestClock clock;
  private InMemoryLedgerStore store;
  private Loyalty loyalty;

  @BeforeEach
  void setUp() {
    clock = TestClock.at(Fixtures.START);
    store = new InMemoryLedgerStore();
    loyalty = withReturnedPoints(ReturnedPoints.DEFAULT);
    enrolled(loyalty, ada);
    enrolled(loyalty, bob);
    enrolled(loyalty, gold);
  }

  private Loyalty withReturnedPoints(ReturnedPoints policy) {
    return Loyalty.builder().program(Fixtures.aProgramWithRewards(tiers, policy)).store(store).clock(clock)
        .maxAttempts(1000).build();
  }

  /** Everything a request could change: the members' accounts and entries and the reward counters. */
  private Object state() {
    return List.<Object>of(List.of(ada, bob, gold).map(m -> List.of(store.account(m), store.entries(m, 1, 1000))),
        store.counter("reward-stock:gift-card"), store.counter("reward-limit:five-off:ada:2026-03"));
  }

  private LoyaltyError refusedAndWroteNothing(java.util.function.Supplier<Either<LoyaltyError, ?>> request) {
    Object before = state();
    LoyaltyError error = refused(request.get());
    assertEquals(before, state(), "a refused request wrote something");
    return error;
  }

  private Redemption redeem(MemberId m, RewardId reward) {
    return accepted(loyalty.redeem(m, reward, TILL, aKey()));
  }

  private Hold hold(MemberId m, long n) {
    return accepted(loyalty.authorize(Authorization.points(m, points(n), TTL, TILL, aKey())));
  }

  /** Runs the requests on one thread each, released together, and collects their outcomes in order. */
  private static <T> List<T> race(List<Callable<T>> requests) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(requests.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> results = requests.map(r -> pool.submit(() -> {
        start.await();
        return r.call();
      }));
      start.countDown();
      List<T> outcomes = List.empty();
      for (Future<T> f : results) {
        outcomes = outcomes.append(f.get());
      }
      return outcomes;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Members who may not redeem, each with the refusal they are owed: one the ledger does not know,
   * one suspended and one closed.
   */
  private List<io.vavr.Tuple2<MemberId, LoyaltyError>> membersWhoMayNotRedeem() {
    MemberId stranger = member("stranger");
    MemberId suspended = member("suspended");
    MemberId closed = member("closed");
    enrolled(loyalty, suspended);
    accepted(loyalty.suspend(suspended, "check", aKey()));
    enrolled(loyalty, closed);
    accepted(loyalty.close(closed, "bye", aKey()));
    return List.of(io.vavr.Tuple.of(stranger, new LoyaltyError.UnknownMember(stranger)),
        io.vavr.Tuple.of(suspended, new LoyaltyError.MemberNotActive(suspended, MemberStatus.SUSPENDED)),
        io.vavr.Tuple.of(closed, new LoyaltyError.MemberNotActive(closed, MemberStatus.CLOSED)));
  }

  private void earnExpiring(MemberId m, long n, Duration in) {
    accepted(loyalty.credit(Credit.of(m, points(n), "Purchase", aKey()).expiringAt(clock.instant().plus(in))));
  }

  /** The program's next version, on the same store, with the catalogue {@code change} makes of this one. */
  private Loyalty nextVersion(java.util.function.UnaryOperator<List<Reward>> change) {
    RewardCatalog.Builder catalog = RewardCatalog.builder().tiers(tiers);
    change.apply(loyalty.program().rewards().list()).forEach(catalog::reward);
    return Loyalty.builder().program(loyalty.program().toBuilder().rewards(catalog.build()).build()).store(store)
        .clock(clock).build();
  }

  /** The gift card as this program offers it, with a stock of {@code units} or none (unlimited). */
  private Reward giftCardWithStock(Option<Long> units) {
    Reward card = loyalty.program().rewards().reward(GIFT_CARD).get();
    Reward.Builder builder = Reward.builder(GIFT_CARD, card.name(), card.kind(), card.cost());
    return (units.isDefined() ? builder.stock(units.get()) : builder).build();
  }

  /** The program's next version with the gift card's stock set to {@code units}, or none. */
  private Loyalty withGiftCardStock(Option<Long> units) {
    Reward card = giftCardWithStock(units);
    return nextVersion(rewards -> rewards.map(r -> r.id().equals(GIFT_CARD) ? card : r));
  }

  @Nested
  class AvailableRewards {

    @Test
    void eachRewardComesWithItsCostAndEveryReasonAgainstIt() {
      earned(loyalty, ada, 150);
      List<RewardAvailability> list = accepted(loyalty.availableRewards(ada, Channel.Type.WEB));

      assertEquals(List.of(FREE_COFFEE, GIFT_CARD, FIVE_OFF, LOUNGE, SUMMER_MUG, PAY), list.map(a -> a.reward().id()));
      assertTrue(list.get(0).isAvailable());
      assertEquals(List.of(new UnavailableReason.NotEnoughPoints(points(200), points(150), points(50))), list.get(1).reasons());
      assertEquals(List.of(new UnavailableReason.NotEnoughPoints(points(500), points(150), points(350)),
              new UnavailableReason.ChannelNotOffered(Channel.Type.WEB, io.vavr.collection.HashSet.of(Channel.Type.STORE))),
          list.get(2).reasons());
      assertEquals(List.of(new UnavailableReason.NotEnoughPoints(points(300), points(150), points(150)),
          new UnavailableReason.TierRequired(io.vavr.collection.HashSet.of("gold"), Option.none())), list.get(3).reasons());
      assertEquals(List.of(UnavailableReason.OutsideWindow.class, UnavailableReason.ChannelNotOffered.class),
          list.get(4).reasons().map(Object::getClass));
      assertTrue(list.get(5).isAvailable());
    }

    @Test
    void aGoldMemberSeesTheGoldPriceAndTheGoldReward() {
      earned(loyalty, gold, 150);
      RewardAvailability lounge = accepted(loyalty.availableRewards(gold, Channel.Type.STORE)).get(3);

      assertTrue(lounge.isAvailable());
      assertEquals(points(150), lounge.cost());
    }

    @Test
    void theWindowIsCheckedAtTheInstantAskedAbout() {
      earned(loyalty, ada, 100);
      RewardAvailability mug = accepted(loyalty.availableRewards(ada, Channel.Type.APP, Instant.parse("2026-07-01T00:00:00Z"))).get(4);

      assertTrue(mug.isAvailable());
    }

    @Test
    void anUnknownMemberIsRefused() {
      assertInstanceOf(LoyaltyError.UnknownMember.class, refused(loyalty.availableRewards(member("nobody"), Channel.Type.WEB)));
    }
  }

  @Nested
  class Redeem {

    @Test
    void redeemingSpendsTheCostFromTheSoonestExpiringLotsFirst() {
      earnExpiring(ada, 100, Duration.ofDays(10));
      earnExpiring(ada, 100, Duration.ofDays(5));

      Redemption r = redeem(ada, FREE_COFFEE);

      Entry entry = r.receipt().entries().single();
      assertEquals(EntryKind.REDEEM, entry.kind());
      assertEquals(List.of(new LotMovement(io.github.loyaltyledger.ledger.EntryId.of(ada, 2), points(-100))), entry.movements());
      assertEquals(Option.some(FREE_COFFEE), r.reward());
      assertEquals(points(100), r.points());
      assertEquals(new Balance(points(100), points(0), points(0)), balanceOf(loyalty, ada));
    }

    @Test
    void aVoucherGetsAnUnguessableCodeThatAReplayReturnsAgain() {
      earned(loyalty, ada, 500);
      IdempotencyKey key = aKey();

      Redemption first = accepted(loyalty.redeem(ada, GIFT_CARD, TILL, key));
      Redemption replay = accepted(loyalty.redeem(ada, GIFT_CARD, TILL, key));

      assertTrue(first.voucherCode().get().matches("[0-9A-Z]{5}(-[0-9A-Z]{5}){3}"), first.voucherCode().get());
      assertEquals(first, replay);
      assertEquals(1, store.counter("reward-stock:gift-card"));
    }

    @Test
    void theStockRunsOutAndTheNextRedemptionIsRefusedWritingNothing() {
      earned(loyalty, ada, 500);
      earned(loyalty, bob, 500);
      redeem(ada, GIFT_CARD);
      redeem(bob, GIFT_CARD);

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.redeem(ada, GIFT_CARD, TILL, aKey()));

      assertEquals(new LoyaltyError.RewardUnavailable(GIFT_CARD, List.of(new UnavailableReason.OutOfStock(2))), error);
    }

    /**
     * A stock of 0 is accepted: it lists a reward as out of stock until a later program version
     * raises the stock, which counts the units taken under every version of the reward's id.
     */
    @Test
    void aStockOfZeroListsTheRewardOutOfStockUntilALaterVersionRaisesIt() {
      earned(loyalty, ada, 600);
      redeem(ada, GIFT_CARD);
      Loyalty soldOut = withGiftCardStock(Option.some(0L));

      assertEquals(new LoyaltyError.RewardUnavailable(GIFT_CARD, List.of(new UnavailableReason.OutOfStock(0))),
          refused(soldOut.redeem(ada, GIFT_CARD, TILL, aKey())));

      Loyalty restocked = withGiftCardStock(Option.some(2L));
      assertEquals(points(200), accepted(restocked.redeem(ada, GIFT_CARD, TILL, aKey())).points());
      assertEquals(new LoyaltyError.RewardUnavailable(GIFT_CARD, List.of(new UnavailableReason.OutOfStock(2))),
          refused(restocked.redeem(ada, GIFT_CARD, TILL, aKey())));
    }

    /**
     * A version that sets no stock counts no units (a reward without a stock, such as points as payment
     * at every till, has no shared counter for its redemptions to contend for); a later version that
     * sets a stock again counts from the units taken while one was set, and only those give a unit back.
     */
    @Test
    void unitsTakenWhileAVersionSetNoStockAreNotCountedByALaterStock() {
      earned(loyalty, ada, 1000);
      earned(loyalty, bob, 1000);
      Redemption first = redeem(ada, GIFT_CARD);
      Loyalty unlimited = withGiftCardStock(Option.none());
      accepted(unlimited.redeem(bob, GIFT_CARD, TILL, aKey()));
      Hold open = accepted(unlimited.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
      assertEquals(1, store.counter("reward-stock:gift-card"), "only the unit taken under a stock is counted");
      Loyalty restocked = withGiftCardStock(Option.some(3L));

      accepted(restocked.voidHold(open.id(), "Basket abandoned", aKey()));
      assertEquals(1, store.counter("reward-stock:gift-card"), "a hold made without a stock gives no unit back");
      accepted(restocked.redeem(bob, GIFT_CARD, TILL, aKey()));
      accepted(restocked.redeem(bob, GIFT_CARD, TILL, aKey()));
      assertEquals(new LoyaltyError.RewardUnavailable(GIFT_CARD, List.of(new UnavailableReason.OutOfStock(3))),
          refusedAndWroteNothing(() -> restocked.redeem(ada, GIFT_CARD, TILL, aKey())));
      accepted(restocked.cancelRedemption(first.entry(), "Changed their mind", aKey()));
      assertEquals(2, store.counter("reward-stock:gift-card"), "the unit taken under the first stock comes back");
    }

    /**
     * A redemption under a key the library derives for its own work would take it from that work:
     * under another member's birthday key, that member's gift would be skipped as granted. Only the
     * member's own occasion keys stay open, for an application's reward hook redeeming the gift.
     */
    @Test
    void aRedemptionUnderAKeyTheLibraryDerivesIsRefusedNamingTheKeyUnlessItIsTheMembersOwnOccasion() {
      earned(loyalty, ada, 500);
      for (String taken : List.of("birthday:bob:2027", "anniversary:bob:2027", "tier:pos-1",
          "expire:ada:2026-03-01T10:00:00Z", "tier-review:ada:2026-03-01")) {
        LoyaltyError.InvalidRequest error = assertInstanceOf(LoyaltyError.InvalidRequest.class,
            refusedAndWroteNothing(() -> loyalty.redeem(ada, FREE_COFFEE, TILL, IdempotencyKey.of(taken))));
        assertEquals("key", error.field());
        assertTrue(error.reason().contains("'" + taken + "'") && error.reason().contains("birthday:"), error.reason());
        assertTrue(store.idempotencyRecord(IdempotencyKey.of(taken)).isEmpty());
      }
      assertEquals(points(100), accepted(loyalty.redeem(ada, FREE_COFFEE, TILL, IdempotencyKey.of("birthday:ada:2027"))).points());
    }

    @Test
    void ofMembersRacingForTheLastUnitsOfStockOnlyAsManyWinAsThereAreUnits() throws Exception {
      List<MemberId> racers = List.range(0, 8).map(i -> member("racer-" + i));
      racers.forEach(m -> {
        enrolled(loyalty, m);
        earned(loyalty, m, 200);
      });
      List<Either<LoyaltyError, Redemption>> outcomes = race(racers.map(m -> {
        IdempotencyKey key = aKey();
        return () -> loyalty.redeem(m, GIFT_CARD, TILL, key);
      }));

      assertEquals(2, outcomes.count(Either::isRight));
      assertEquals(2, store.counter("reward-stock:gift-card"));
      assertEquals(racers.size() - 2, racers.count(m -> balanceOf(loyalty, m).available().equals(points(200))));
    }

    @Test
    void theLimitPerMonthIsCountedAndOpensAgainNextMonth() {
      earned(loyalty, ada, 1500);
      redeem(ada, FIVE_OFF);

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.redeem(ada, FIVE_OFF, TILL, aKey()));
      assertEquals(List.of(new UnavailableReason.LimitReached(new RedemptionLimit(1, LimitPeriod.MONTH), 1)),
          ((LoyaltyError.RewardUnavailable) error).reasons());

      clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      assertEquals(points(500), redeem(ada, FIVE_OFF).points());
    }

    /** The program's next version with 5.00 off limited as {@code limit} says, or unlimited. */
    private Loyalty withFiveOffLimit(Option<RedemptionLimit> limit) {
      Reward five = loyalty.program().rewards().reward(FIVE_OFF).get();
      Reward.Builder builder = Reward.builder(FIVE_OFF, five.name(), five.kind(), five.cost()).channels(Channel.Type.STORE);
      Reward changed = (limit.isDefined() ? builder.limit(limit.get().count(), limit.get().period()) : builder).build();
      return nextVersion(rewards -> rewards.map(r -> r.id().equals(FIVE_OFF) ? changed : r));
    }

    /**
     * As the stock (ADR 0006, "stock across versions"), a member's limit is counted only while the
     * version in force sets one: uses under a version without a limit are not counted by a later
     * limit, nor given back by it, and uses counted under a limit still count for a later one of the
     * same period. A later limit of another period counts in periods of its own, from nothing.
     */
    @Test
    void usesWhileAVersionSetNoLimitAreNotCountedByALaterLimit() {
      earned(loyalty, ada, 5000);
      Redemption limited = redeem(ada, FIVE_OFF);
      Loyalty unlimited = withFiveOffLimit(Option.none());
      Hold open = accepted(unlimited.authorize(Authorization.reward(ada, FIVE_OFF, TTL, TILL, aKey())));
      accepted(unlimited.redeem(ada, FIVE_OFF, TILL, aKey()));
      assertEquals(1, store.counter("reward-limit:five-off:ada:2026-03"), "only the use under a limit is counted");
      Loyalty limitedAgain = withFiveOffLimit(Option.some(new RedemptionLimit(2, LimitPeriod.MONTH)));

      accepted(limitedAgain.voidHold(open.id(), "Basket abandoned", aKey()));
      assertEquals(1, store.counter("reward-limit:five-off:ada:2026-03"), "a hold made without a limit gives no use back");
      accepted(limitedAgain.redeem(ada, FIVE_OFF, TILL, aKey()));
      assertEquals(new LoyaltyError.RewardUnavailable(FIVE_OFF, List.of(new UnavailableReason.LimitReached(
          new RedemptionLimit(2, LimitPeriod.MONTH), 2))), refusedAndWroteNothing(() -> limitedAgain.redeem(ada, FIVE_OFF, TILL, aKey())));
      accepted(limitedAgain.cancelRedemption(limited.entry(), "Changed their mind", aKey()));
      assertEquals(1, store.counter("reward-limit:five-off:ada:2026-03"), "the use counted under the first limit comes back");

      Loyalty weekly = withFiveOffLimit(Option.some(new RedemptionLimit(1, LimitPeriod.WEEK)));
      accepted(weekly.redeem(ada, FIVE_OFF, TILL, aKey()));
      assertEquals(1, store.counter("reward-limit:five-off:ada:2026-W09"), "a weekly limit counts its own weeks");
    }

    @Test
    void everyReasonIsReportedAtOnceAndNothingIsWritten() {
      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.redeem(ada, SUMMER_MUG, Channel.web(), aKey()));

      assertEquals(List.of(UnavailableReason.NotEnoughPoints.class, UnavailableReason.OutsideWindow.class,
          UnavailableReason.ChannelNotOffered.class), ((LoyaltyError.RewardUnavailable) error).reasons().map(Object::getClass));
      assertTrue(error.message().contains("80 points"), error.message());
    }

    @Test
    void aTierRewardIsRefusedWithoutTheTierAndCostsTheTierPriceWithIt() {
      earned(loyalty, ada, 500);
      earned(loyalty, gold, 500);

      assertInstanceOf(LoyaltyError.RewardUnavailable.class, refusedAndWroteNothing(() -> loyalty.redeem(ada, LOUNGE, TILL, aKey())));
      assertEquals(points(150), redeem(gold, LOUNGE).points());
    }

    @Test
    void anUnknownRewardOrAPaymentRewardIsRefused() {
      earned(loyalty, ada, 500);

      assertEquals(new LoyaltyError.UnknownReward(RewardId.of("nope")),
          refusedAndWroteNothing(() -> loyalty.redeem(ada, RewardId.of("nope"), TILL, aKey())));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(() -> loyalty.redeem(ada, PAY, TILL, aKey())));
    }

    @Test
    void aPaymentRewardAskedForByAMemberWhoMayNotRedeemIsRefusedForTheMemberNotSentToPayWithPoints() {
      for (io.vavr.Tuple2<MemberId, LoyaltyError> m : membersWhoMayNotRedeem()) {
        assertEquals(m._2, refusedAndWroteNothing(() -> loyalty.redeem(m._1, PAY, TILL, aKey())));
      }
    }

    @Test
    void aSuspendedMemberCannotRedeemAndAKeyCannotBeReusedForAnotherReward() {
      earned(loyalty, ada, 500);
      IdempotencyKey key = aKey();
      redeem(ada, FREE_COFFEE);
      accepted(loyalty.redeem(ada, FREE_COFFEE, TILL, key));

      assertEquals(new LoyaltyError.IdempotencyConflict(key), refusedAndWroteNothing(() -> loyalty.redeem(ada, GIFT_CARD, TILL, key)));
      accepted(loyalty.suspend(ada, "check", aKey()));
      assertInstanceOf(LoyaltyError.MemberNotActive.class, refusedAndWroteNothing(() -> loyalty.redeem(ada, FREE_COFFEE, TILL, aKey())));
      assertInstanceOf(LoyaltyError.MemberNotActive.class, refusedAndWroteNothing(
          () -> loyalty.authorize(Authorization.points(ada, points(10), TTL, TILL, aKey()))));
    }

    @Test
    void aVoucherIssuerReturningAnInvalidCodeIsATypedRefusalNamingTheRewardAndWritesNothing() {
      VoucherIssuer broken = new VoucherIssuer() {
        @Override
        public String issue(RewardId reward, MemberId member) {
          return " ";
        }

        @Override
        public String toString() {
          return "PartnerCodes";
        }
      };
      RewardId partner = PARTNER_VOUCHER;
      Loyalty withBrokenIssuer = withPartnerVoucher(broken);

      LoyaltyError.VoucherIssuerFailed expected = new LoyaltyError.VoucherIssuerFailed(partner, "PartnerCodes",
          "returned a blank code");
      assertEquals(expected, refusedAndWroteNothing(() -> withBrokenIssuer.redeem(ada, partner, TILL, aKey())));
      Hold h = accepted(withBrokenIssuer.authorize(Authorization.reward(ada, partner, TTL, TILL, aKey())));
      assertEquals(expected, refusedAndWroteNothing(() -> withBrokenIssuer.capture(h.id(), aKey())));
      assertTrue(expected.message().contains("fix the issuer"), expected.message());
    }

    @Test
    void aVoucherIssuerThatThrowsIsATypedRefusalNamingTheRewardAndWritesNothing() {
      VoucherIssuer down = new VoucherIssuer() {
        @Override
        public String issue(RewardId reward, MemberId member) {
          throw new IllegalStateException("partner service unavailable");
        }

        @Override
        public String toString() {
          return "PartnerCodes";
        }
      };
      RewardId partner = PARTNER_VOUCHER;
      Loyalty withIssuerDown = withPartnerVoucher(down);

      LoyaltyError.VoucherIssuerFailed expected = new LoyaltyError.VoucherIssuerFailed(partner, "PartnerCodes",
          "threw java.lang.IllegalStateException: partner service unavailable");
      assertEquals(expected, refusedAndWroteNothing(() -> withIssuerDown.redeem(ada, partner, TILL, aKey())));
      Hold h = accepted(withIssuerDown.authorize(Authorization.reward(ada, partner, TTL, TILL, aKey())));
      assertEquals(expected, refusedAndWroteNothing(() -> withIssuerDown.capture(h.id(), aKey())));
    }

    @Test
    void aTierSourceThatThrowsIsInfrastructureSoEveryRedemptionCallThrowsAndWritesNothingForTheTillToRetry() {
      earned(loyalty, gold, 1000);
      boolean[] down = {false};
      TierSource flaky = (m, at) -> {
        if (down[0]) {
          throw new IllegalStateException("tier service unavailable");
        }
        return tiers.tierOf(m, at);
      };
      Loyalty withTiersDown = withTierSource(flaky);
      down[0] = true;

      everyCallAskingTheTierThrowsAndWritesNothing(withTiersDown, IllegalStateException.class, "tier service unavailable");
    }

    @Test
    void aTierSourceThatAnswersNullOrANullInsideIsAProgrammingErrorNamingThePortAndTheMemberAndWritesNothing() {
      earned(loyalty, gold, 1000);

      everyCallAskingTheTierThrowsAndWritesNothing(withTierSource((m, at) -> null), NullPointerException.class,
          "a TierSource answered null for member 'gold': it answers Option.none() for a member without a tier");
      everyCallAskingTheTierThrowsAndWritesNothing(withTierSource((m, at) -> Option.some(null)), NullPointerException.class,
          "a TierSource answered Some(null) for member 'gold': it answers Option.none() for a member without a tier");
    }

    /** This program with its catalogue's tiers told by {@code source}, on the same store. */
    private Loyalty withTierSource(TierSource source) {
      RewardCatalog.Builder catalog = RewardCatalog.builder().tiers(source);
      loyalty.program().rewards().list().forEach(catalog::reward);
      return Loyalty.builder().program(loyalty.program().toBuilder().rewards(catalog.build()).build())
          .store(store).clock(clock).build();
    }

    /** Each call of {@code facade} that asks gold's tier throws {@code thrown} with {@code message}, writing nothing. */
    private void everyCallAskingTheTierThrowsAndWritesNothing(Loyalty facade, Class<? extends RuntimeException> thrown,
        String message) {
      Object before = state();
      List<IdempotencyKey> keys = List.fill(3, Fixtures::aKey);

      List<Runnable> calls = List.of(
          () -> facade.redeem(gold, LOUNGE, TILL, keys.get(0)),
          () -> facade.authorize(Authorization.reward(gold, LOUNGE, TTL, TILL, keys.get(1))),
          () -> facade.payWithPoints(new PointsPayment(gold, PAY, Money.of(CurrencyUnit.EUR, 10), points(100), TILL,
              keys.get(2))),
          () -> facade.availableRewards(gold, Channel.Type.STORE));
      for (int i = 0; i < calls.size(); i++) {
        assertEquals(message, assertThrows(thrown, calls.get(i)::run, "call " + i).getMessage());
      }
      assertEquals(before, state());
      keys.forEach(k -> assertTrue(store.idempotencyRecord(k).isEmpty()));
    }

    @Test
    void aVoucherIssuerThatThrowsACheckedExceptionUndeclaredOrAnErrorOfItsLibrariesIsATypedRefusalToo() {
      // A partner's client in Kotlin throws IOException undeclared; a library of the issuer's, an Error.
      for (Throwable thrown : java.util.List.of(new java.io.IOException("partner unreachable"),
          new java.util.ServiceConfigurationError("com.example.Codes: provider not found"))) {
        VoucherIssuer down = (reward, member) -> {
          throw Redeem.<RuntimeException>undeclared(thrown);
        };
        RewardId partner = PARTNER_VOUCHER;
        Loyalty withIssuerDown = withPartnerVoucher(down);

        LoyaltyError.VoucherIssuerFailed failed = assertInstanceOf(LoyaltyError.VoucherIssuerFailed.class,
            refusedAndWroteNothing(() -> withIssuerDown.redeem(ada, partner, TILL, aKey())));
        assertEquals("threw " + thrown, failed.problem());
      }
    }

    @Test
    void aVoucherIssuerThatCannotSayWhatItIsOrWhatWentWrongIsStillATypedRefusalThatWritesNothing() {
      VoucherIssuer broken = new VoucherIssuer() {
        @Override
        public String issue(RewardId reward, MemberId member) {
          throw new IllegalStateException() {
            private static final long serialVersionUID = 1L;

            @Override
            public String getMessage() {
              throw new NullPointerException("partner");
            }
          };
        }

        @Override
        public String toString() {
          throw new IllegalStateException("no name yet");
        }
      };
      RewardId partner = PARTNER_VOUCHER;
      Loyalty withBrokenIssuer = withPartnerVoucher(broken);

      LoyaltyError.VoucherIssuerFailed failed = assertInstanceOf(LoyaltyError.VoucherIssuerFailed.class,
          refusedAndWroteNothing(() -> withBrokenIssuer.redeem(ada, partner, TILL, aKey())));
      assertTrue(failed.issuer().endsWith("(whose toString() failed)"), failed.issuer());
      assertTrue(failed.problem().endsWith("(whose toString() failed)"), failed.problem());
    }

    private static final RewardId PARTNER_VOUCHER = RewardId.of("partner-voucher");

    /** A facade whose catalogue offers a partner voucher for 100 points from this issuer, with ada holding 500. */
    private Loyalty withPartnerVoucher(VoucherIssuer issuer) {
      RewardCatalog.Builder catalog = RewardCatalog.builder().tiers(tiers)
          .reward(Reward.builder(PARTNER_VOUCHER, "Partner voucher", new RewardKind.Voucher(issuer), points(100)).build());
      Loyalty facade = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").rewards(catalog.build()).build())
          .store(store).clock(clock).build();
      earned(facade, ada, 500);
      return facade;
    }

    /** Throws any throwable, a checked exception too, as an unchecked one: javac checks, the JVM does not. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T undeclared(Throwable thrown) throws T {
      throw (T) thrown;
    }

    @Test
    void aRewardRedemptionCannotBeReversedAroundTheCatalogue() {
      earned(loyalty, ada, 500);
      Redemption r = redeem(ada, GIFT_CARD);

      assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refusedAndWroteNothing(() -> loyalty.reverse(Reversal.of(r.entry(), "oops", aKey()))));
    }

    @Test
    void reversingARedemptionOfAClosedMemberIsRefusedForTheMemberNotSentToCancelRedemption() {
      earned(loyalty, ada, 500);
      Redemption redeemed = redeem(ada, GIFT_CARD);
      accepted(loyalty.close(ada, "bye", aKey()));
      LoyaltyError closed = new LoyaltyError.MemberNotActive(ada, MemberStatus.CLOSED);

      // cancelRedemption, which the advice names, refuses a closed member too.
      assertEquals(closed, refusedAndWroteNothing(() -> loyalty.cancelRedemption(redeemed.entry(), "oops", aKey())));
      assertEquals(closed, refusedAndWroteNothing(() -> loyalty.reverse(Reversal.of(redeemed.entry(), "oops", aKey()))));
    }

    @Test
    void reversingAHoldOrACaptureIsRefusedWithTheOperationThatUndoesIt() {
      earned(loyalty, ada, 500);
      Hold open = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
      Hold held = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
      Redemption captured = accepted(loyalty.capture(held.id(), aKey()));

      LoyaltyError hold = refusedAndWroteNothing(() -> loyalty.reverse(Reversal.of(open.id(), "oops", aKey())));
      LoyaltyError capture = refusedAndWroteNothing(() -> loyalty.reverse(Reversal.of(captured.entry(), "oops", aKey())));

      // An adjustment, which the message used to advise, would leave the stock and the hold behind.
      assertEquals(new LoyaltyError.NotReversible(open.id(), EntryKind.HOLD), hold);
      assertTrue(hold.message().contains("voidHold") && !hold.message().contains("adjustment"), hold.message());
      assertEquals(new LoyaltyError.NotReversible(captured.entry(), EntryKind.CAPTURE), capture);
      assertTrue(capture.message().contains("cancelRedemption") && !capture.message().contains("adjustment"),
          capture.message());
      // Once captured, the hold can be neither captured nor voided: its capture is what to cancel.
      LoyaltyError resolved = refusedAndWroteNothing(() -> loyalty.reverse(Reversal.of(held.id(), "oops", aKey())));
      assertTrue(resolved.message().contains("once it is captured, cancel the capture with cancelRedemption"),
          resolved.message());
    }

    @Test
    void aMemberInDeficitCanRedeemAFreeRewardWhichTakesNoPoints() {
      RewardId sticker = RewardId.of("sticker");
      Loyalty owing = Loyalty.builder().program(LoyaltyProgram.builder("bean-club")
              .negativeBalancePolicy(io.github.loyaltyledger.program.NegativeBalancePolicy.ALLOW_NEGATIVE)
              .rewards(RewardCatalog.builder()
                  .reward(Reward.builder(sticker, "Sticker", new RewardKind.FreeItem("STICKER"), points(0)).build())
                  .build())
              .build())
          .store(store).clock(clock).build();
      Receipt credit = earned(owing, ada, 10);
      accepted(owing.debit(io.github.loyaltyledger.Debit.of(ada, points(10), "Reward", aKey())));
      accepted(owing.reverse(Reversal.of(credit.entries().head().id(), "Returned", aKey())));
      assertEquals(points(-10), balanceOf(owing, ada).available());

      RewardAvailability shown = accepted(owing.availableRewards(ada, Channel.Type.STORE)).single();
      Redemption r = accepted(owing.redeem(ada, sticker, TILL, aKey()));

      assertEquals(List.empty(), shown.reasons());
      assertEquals(points(0), r.points());
      assertEquals(points(-10), balanceOf(owing, ada).available());
    }

    @Test
    void aMemberDeeperInDeficitThanALongCanCountIsToldThePointsMissingNotThrownAnOverflow() {
      Loyalty owing = Loyalty.builder().program(LoyaltyProgram.builder("bean-club")
              .negativeBalancePolicy(NegativeBalancePolicy.ALLOW_NEGATIVE)
              .rewards(Fixtures.aCatalog(tiers, ReturnedPoints.DEFAULT)).build())
          .store(store).clock(clock).build();
      Receipt credit = earned(owing, ada, Long.MAX_VALUE);
      accepted(owing.debit(Debit.of(ada, points(Long.MAX_VALUE), "Reward", aKey())));
      accepted(owing.reverse(Reversal.of(credit.entries().head().id(), "Returned", aKey())));
      Points available = points(-Long.MAX_VALUE);
      assertEquals(available, balanceOf(owing, ada).available());
      // 100 points more than -Long.MAX_VALUE is more than a long holds: the most it can say is missing.
      UnavailableReason missing = new UnavailableReason.NotEnoughPoints(points(100), available, points(Long.MAX_VALUE));

      RewardAvailability coffee = accepted(owing.availableRewards(ada, Channel.Type.STORE))
          .find(a -> a.reward().id().equals(FREE_COFFEE)).get();
      LoyaltyError refusal = refusedAndWroteNothing(() -> owing.redeem(ada, FREE_COFFEE, TILL, aKey()));
      LoyaltyError holdRefusal = refusedAndWroteNothing(
          () -> owing.authorize(Authorization.reward(ada, FREE_COFFEE, TTL, TILL, aKey())));

      assertEquals(List.of(missing), coffee.reasons());
      assertEquals(new LoyaltyError.RewardUnavailable(FREE_COFFEE, List.of(missing)), refusal);
      assertEquals(refusal, holdRefusal);
    }
  }

  @Nested
  class PayWithPoints {

    @Test
    void pointsPayAtMostTheShareOfTheBasketAndCostWhatTheyApply() {
      earned(loyalty, ada, 1000);

      Redemption r = accepted(loyalty.payWithPoints(new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 10), points(800), TILL, aKey())));

      assertEquals(Option.some(Money.of(CurrencyUnit.EUR, 5)), r.moneyApplied());
      assertEquals(points(500), r.points());
      assertEquals(points(500), balanceOf(loyalty, ada).available());
    }

    @Test
    void belowTheMinimumMoreThanAvailableOrNotAPaymentRewardIsRefused() {
      earned(loyalty, ada, 100);

      assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(() -> loyalty.payWithPoints(
          new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 10), points(40), TILL, aKey()))));
      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(100), points(200)), refusedAndWroteNothing(
          () -> loyalty.payWithPoints(new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 10), points(200), TILL, aKey()))));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(() -> loyalty.payWithPoints(
          new PointsPayment(ada, FREE_COFFEE, Money.of(CurrencyUnit.EUR, 10), points(60), TILL, aKey()))));
    }

    @Test
    void aRewardThatIsNoPaymentAskedForByAMemberWhoMayNotRedeemIsRefusedForTheMemberNotSentToRedeem() {
      for (io.vavr.Tuple2<MemberId, LoyaltyError> m : membersWhoMayNotRedeem()) {
        assertEquals(m._2, refusedAndWroteNothing(() -> loyalty.payWithPoints(
            new PointsPayment(m._1, FREE_COFFEE, Money.of(CurrencyUnit.EUR, 10), points(60), TILL, aKey()))));
      }
    }

    @Test
    void aBasketTooSmallForTheLeastChargeIsRefusedOnTheBasketSinceNoOfferCouldPayIt() {
      earned(loyalty, ada, 1000);

      // Half of EUR 0.60 is 30 points' worth, below the reward's least charge of 50: offering more cannot help.
      assertEquals(new LoyaltyError.InvalidRequest("basket", "EUR 0.60 is too small to pay with points: at most EUR 0.30"
          + " of it, for 30 points, below the minimum of 50 points"), refusedAndWroteNothing(() -> loyalty.payWithPoints(
              new PointsPayment(ada, PAY, Money.parse("EUR 0.60"), points(1000), TILL, aKey()))));
      assertEquals(new LoyaltyError.InvalidRequest("offered", "would pay EUR 0.40 for 40 points, below the minimum of 50"
          + " points"), refusedAndWroteNothing(() -> loyalty.payWithPoints(
              new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 10), points(40), TILL, aKey()))));
    }

    @Test
    void offeringMorePointsThanTheMemberHasPaysWhenThePaymentNeedsNoMoreThanTheyHave() {
      earned(loyalty, ada, 300);

      // Half of EUR 4.00 is 2.00, 200 points: the 800 offered are the most the member would use.
      Redemption r = accepted(loyalty.payWithPoints(new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 4), points(800),
          TILL, aKey())));

      assertEquals(Option.some(Money.of(CurrencyUnit.EUR, 2)), r.moneyApplied());
      assertEquals(points(200), r.points());
      // Half of EUR 10.00 would take 500 points: the refusal names those, not the 800 offered.
      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(100), points(500)), refusedAndWroteNothing(
          () -> loyalty.payWithPoints(new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 10), points(800), TILL, aKey()))));
    }

    @Test
    void aBasketInAnotherCurrencyThanTheProgramsIsRefusedWithCurrencyMismatchAsAPurchaseIs() {
      earned(loyalty, ada, 100);

      assertEquals(new LoyaltyError.CurrencyMismatch(CurrencyUnit.EUR, CurrencyUnit.USD), refusedAndWroteNothing(
          () -> loyalty.payWithPoints(new PointsPayment(ada, PAY, Money.of(CurrencyUnit.USD, 10), points(60), TILL, aKey()))));
    }

    /** A fresh facade whose only reward is a payment reward {@code pay} on these terms, costing {@code cost}. */
    private Loyalty payingWith(RewardId pay, PaymentTerms terms, long cost) {
      RewardCatalog catalog = RewardCatalog.builder().reward(Reward.builder(pay, "Pay", new RewardKind.PointsAsPayment(terms),
          points(cost)).build()).build();
      return Loyalty.builder().program(LoyaltyProgram.builder("bean-club").rewards(catalog).build())
          .store(new InMemoryLedgerStore()).clock(TestClock.at(Fixtures.START)).build();
    }

    /** 100 points are worth EUR 1.00, at least 50 a payment, the whole basket; the reward costs {@code cost}. */
    private Loyalty payingAtLeast(long cost) {
      RewardId pay = RewardId.of("pay-at-least");
      Loyalty paying = payingWith(pay, new PaymentTerms(points(100), Money.of(CurrencyUnit.EUR, 1), points(50),
          java.math.BigDecimal.ONE), cost);
      enrolled(paying, ada);
      return paying;
    }

    @Test
    void aPaymentChargesAtLeastTheRewardsCostAndAvailabilityAgreesWithEveryMinimum() {
      Loyalty paying = payingAtLeast(200);
      earned(paying, ada, 1000);
      LoyaltyError.InvalidRequest below = assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(paying.payWithPoints(
          new PointsPayment(ada, RewardId.of("pay-at-least"), Money.of(CurrencyUnit.EUR, 10), points(100), TILL, aKey()))));
      assertTrue(below.reason().contains("minimum of 200"), below.reason());
      assertEquals(points(200), accepted(paying.payWithPoints(new PointsPayment(ada, RewardId.of("pay-at-least"),
          Money.of(CurrencyUnit.EUR, 10), points(200), TILL, aKey()))).points());

      Loyalty cheap = payingAtLeast(10);
      earned(cheap, ada, 30);
      RewardAvailability shown = accepted(cheap.availableRewards(ada, Channel.Type.STORE)).head();
      assertFalse(shown.isAvailable(), "30 points are fewer than the terms' minimum of 50: " + shown);
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(cheap.payWithPoints(new PointsPayment(ada,
          RewardId.of("pay-at-least"), Money.of(CurrencyUnit.EUR, 10), points(30), TILL, aKey()))));
      earned(cheap, ada, 20);
      assertTrue(accepted(cheap.availableRewards(ada, Channel.Type.STORE)).head().isAvailable());
    }

    @Test
    void aPaymentWorthMoreCentsThanALongHoldsIsAppliedWhole() {
      RewardId pay = RewardId.of("pay-a-euro");
      Loyalty rich = payingWith(pay, new PaymentTerms(points(1), Money.of(CurrencyUnit.EUR, 1), points(1),
          java.math.BigDecimal.ONE), 1);
      enrolled(rich, ada);
      earned(rich, ada, Long.MAX_VALUE / 2);

      Redemption paid = accepted(rich.payWithPoints(new PointsPayment(ada, pay,
          Money.of(CurrencyUnit.EUR, new java.math.BigDecimal("1E+20")), points(Long.MAX_VALUE / 2), TILL, aKey())));

      assertEquals(Option.some(Money.of(CurrencyUnit.EUR, new java.math.BigDecimal(Long.MAX_VALUE / 2))), paid.moneyApplied());
      assertEquals(points(Long.MAX_VALUE / 2), paid.points());
    }

    @Test
    void aPaymentWithoutAMinimumIsNotShownAvailableToAMemberWithoutPoints() {
      RewardId pay = RewardId.of("pay-any");
      Loyalty paying = payingWith(pay, new PaymentTerms(points(100), Money.of(CurrencyUnit.EUR, 1), points(0),
          java.math.BigDecimal.ONE), 0);
      enrolled(paying, ada);

      RewardAvailability shown = accepted(paying.availableRewards(ada, Channel.Type.STORE)).head();

      // Every payment charges at least one point; with none, each is refused.
      assertInstanceOf(LoyaltyError.InsufficientPoints.class, refused(paying.payWithPoints(
          new PointsPayment(ada, pay, Money.of(CurrencyUnit.EUR, 10), points(1), TILL, aKey()))));
      assertEquals(List.of(new UnavailableReason.NotEnoughPoints(points(1), points(0), points(1))), shown.reasons());
      assertEquals(points(1), shown.cost());
      earned(paying, ada, 1);
      assertTrue(accepted(paying.availableRewards(ada, Channel.Type.STORE)).head().isAvailable());
      assertEquals(points(1), accepted(paying.payWithPoints(
          new PointsPayment(ada, pay, Money.of(CurrencyUnit.EUR, 10), points(1), TILL, aKey()))).points());
    }

    @Test
    void atAnOddRateAPaymentIsShownAvailableOnlyToAMemberWithTheFewestPointsAPaymentCanCharge() {
      // 3 points = EUR 0.01: a payment charges a multiple of 3 points, so never exactly the minimum of 50.
      RewardId pay = RewardId.of("pay-odd");
      Loyalty paying = payingWith(pay, new PaymentTerms(points(3), Money.of(CurrencyUnit.EUR, new java.math.BigDecimal("0.01")),
          points(50), java.math.BigDecimal.ONE), 0);
      enrolled(paying, ada);
      earned(paying, ada, 50);

      RewardAvailability shown = accepted(paying.availableRewards(ada, Channel.Type.STORE)).head();

      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(paying.payWithPoints(
          new PointsPayment(ada, pay, Money.of(CurrencyUnit.EUR, 10), points(50), TILL, aKey()))));
      assertEquals(List.of(new UnavailableReason.NotEnoughPoints(points(51), points(50), points(1))), shown.reasons());
      assertEquals(points(51), shown.cost());
      earned(paying, ada, 1);
      assertTrue(accepted(paying.availableRewards(ada, Channel.Type.STORE)).head().isAvailable());
      assertEquals(points(51), accepted(paying.payWithPoints(
          new PointsPayment(ada, pay, Money.of(CurrencyUnit.EUR, 10), points(51), TILL, aKey()))).points());
    }

    /** The program's next version with the payment reward for gold members only, and only from next month. */
    private Loyalty payingForGoldFromNextMonth() {
      Reward pay = loyalty.program().rewards().reward(PAY).get();
      Reward gated = Reward.builder(PAY, pay.name(), pay.kind(), pay.cost()).forTiers("gold")
          .availableBetween(Instant.parse("2026-04-01T00:00:00Z"), Instant.parse("2026-05-01T00:00:00Z")).build();
      return nextVersion(rewards -> rewards.map(r -> r.id().equals(PAY) ? gated : r));
    }

    @Test
    void aMemberShortOfPointsOutsideThePaymentsWindowAndTiersIsToldEveryReasonAsRedeemTellsThem() {
      Loyalty gated = payingForGoldFromNextMonth();
      earned(gated, ada, 20);
      List<UnavailableReason> shown = accepted(gated.availableRewards(ada, Channel.Type.STORE))
          .find(a -> a.reward().id().equals(PAY)).get().reasons();

      // An offer at or above the minimum, and one below it: the reward is not the member's to use either way.
      assertEquals(new LoyaltyError.RewardUnavailable(PAY, shown), refusedAndWroteNothing(() -> gated.payWithPoints(
          new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 10), points(200), TILL, aKey()))));
      assertEquals(new LoyaltyError.RewardUnavailable(PAY, shown), refusedAndWroteNothing(() -> gated.payWithPoints(
          new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 10), points(40), TILL, aKey()))));
      assertEquals(3, shown.size(), "not enough points, outside the window, gold only: " + shown);
    }

    @Test
    void aMemberOutsideATierGatedPaymentIsToldTheTierIsRequiredNotThatTheirOfferIsTooLow() {
      Reward pay = loyalty.program().rewards().reward(PAY).get();
      Loyalty gated = nextVersion(rewards -> rewards.map(r -> r.id().equals(PAY)
          ? Reward.builder(PAY, pay.name(), pay.kind(), pay.cost()).forTiers("gold").build() : r));
      earned(gated, ada, 1000);

      assertEquals(new LoyaltyError.RewardUnavailable(PAY, List.of(new UnavailableReason.TierRequired(
          io.vavr.collection.HashSet.of("gold"), Option.none()))), refusedAndWroteNothing(() -> gated.payWithPoints(
              new PointsPayment(ada, PAY, Money.of(CurrencyUnit.EUR, 10), points(40), TILL, aKey()))));
    }

    @Test
    void theCostShownForAPaymentIsTheLeastItChargesAsItsReasonSays() {
      Loyalty cheap = payingAtLeast(10);
      earned(cheap, ada, 30);

      RewardAvailability shown = accepted(cheap.availableRewards(ada, Channel.Type.STORE)).head();

      assertEquals(List.of(new UnavailableReason.NotEnoughPoints(points(50), points(30), points(20))), shown.reasons());
      assertEquals(points(50), shown.cost(), "no payment charges fewer than the terms' minimum of 50 points");
    }
  }

  @Nested
  class Authorize {

    @Test
    void aHoldLowersTheAvailableBalanceAtOnceAndKeepsTheTotal() {
      earned(loyalty, ada, 300);

      Hold h = hold(ada, 120);

      assertEquals(new Balance(points(180), points(0), points(120)), balanceOf(loyalty, ada));
      assertEquals(points(120), h.points());
      assertEquals(clock.instant().plus(TTL), h.expiresAt());
      Entry entry = h.receipt().entries().single();
      assertEquals(EntryKind.HOLD, entry.kind());
      assertTrue(entry.points().isZero());
      assertEquals(balanceOf(loyalty, ada), accepted(loyalty.balanceAsOf(ada, clock.instant())));
    }

    @Test
    void holdingMoreThanAvailableOrForTooLongIsRefusedWritingNothing() {
      earned(loyalty, ada, 100);

      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(100), points(101)), refusedAndWroteNothing(
          () -> loyalty.authorize(Authorization.points(ada, points(101), TTL, TILL, aKey()))));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(
          () -> loyalty.authorize(Authorization.points(ada, points(10), Duration.ofDays(2), TILL, aKey()))));
    }

    @Test
    void aTimeToLiveReachingPastTheLastSupportedInstantIsRefusedWritingNothing() {
      loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club")
              .rewards(RewardCatalog.builder().maxHoldTtl(ChronoUnit.FOREVER.getDuration()).build()).build())
          .store(store).clock(clock).build();
      earned(loyalty, ada, 100);

      for (Duration ttl : List.of(Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(8000L * 366))) {
        LoyaltyError error = refusedAndWroteNothing(
            () -> loyalty.authorize(Authorization.points(ada, points(10), ttl, TILL, aKey())));
        assertEquals("ttl", assertInstanceOf(LoyaltyError.InvalidRequest.class, error).field(), error.message());
      }
      Instant last = Instant.parse("9999-12-31T23:59:59.999999999Z");
      assertEquals(last, accepted(loyalty.authorize(Authorization.points(ada, points(10),
          Duration.between(clock.instant(), last), TILL, aKey()))).expiresAt());
    }

    @Test
    void aPaymentRewardAskedForByAMemberWhoMayNotRedeemIsRefusedForTheMemberNotSentToHoldPlainPoints() {
      for (io.vavr.Tuple2<MemberId, LoyaltyError> m : membersWhoMayNotRedeem()) {
        assertEquals(m._2, refusedAndWroteNothing(() -> loyalty.authorize(Authorization.reward(m._1, PAY, TTL, TILL, aKey()))));
      }
    }

    @Test
    void aPaymentOrAFreeRewardIsNotHeldAndTheRefusalSaysWhatToDoInstead() {
      earned(loyalty, ada, 300);
      assertEquals(new LoyaltyError.InvalidRequest("reward", "'pay-with-points' is points as payment, which is not held"
          + " as a reward: hold the payment (authorize(PointsPayment, ttl)), which quotes it as payWithPoints does", true),
          refusedAndWroteNothing(() -> loyalty.authorize(Authorization.reward(ada, PAY, TTL, TILL, aKey()))));

      loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").rewards(RewardCatalog.builder()
              .reward(Reward.builder(RewardId.of("sample"), "Free sample", new RewardKind.FreeItem("SAMPLE"), points(0)).build())
              .build()).build())
          .store(store).clock(clock).build();
      assertEquals(new LoyaltyError.InvalidRequest("reward", "'sample' costs the member no points, so there is nothing to"
          + " hold: redeem it", true),
          refusedAndWroteNothing(() -> loyalty.authorize(Authorization.reward(ada, RewardId.of("sample"), TTL, TILL, aKey()))));
      MemberId stranger = MemberId.of("stranger");
      assertEquals(new LoyaltyError.UnknownMember(stranger),
          refusedAndWroteNothing(() -> loyalty.authorize(Authorization.reward(stranger, RewardId.of("sample"), TTL, TILL,
              aKey()))));
    }

    /** The program's next version with a free sample offered in April only, and as {@code more} limits it. */
    private Loyalty withFreeSampleInApril(java.util.function.UnaryOperator<Reward.Builder> more) {
      return nextVersion(rewards -> rewards.append(more.apply(Reward.builder(RewardId.of("sample"), "Free sample",
              new RewardKind.FreeItem("SAMPLE"), points(0))
          .availableBetween(Instant.parse("2026-04-01T00:00:00Z"), Instant.parse("2026-05-01T00:00:00Z"))).build()));
    }

    @Test
    void aFreeRewardTheMemberCannotHaveIsRefusedWithEveryReasonAsRedeemRefusesItNotAdvisedToBeRedeemed() {
      earned(loyalty, ada, 300);
      RewardId sample = RewardId.of("sample");
      Loyalty gated = withFreeSampleInApril(b -> b.channels(Channel.Type.WEB).forTiers("gold"));
      List<UnavailableReason> shown = accepted(gated.availableRewards(ada, Channel.Type.STORE))
          .find(a -> a.reward().id().equals(sample)).get().reasons();

      LoyaltyError redeemed = refusedAndWroteNothing(() -> gated.redeem(ada, sample, TILL, aKey()));
      assertEquals(new LoyaltyError.RewardUnavailable(sample, shown), redeemed);
      assertEquals(redeemed, refusedAndWroteNothing(
          () -> gated.authorize(Authorization.reward(ada, sample, TTL, TILL, aKey()))));
      assertEquals(3, shown.size(), "outside the window, not at the till, gold only: " + shown);
    }

    @Test
    void aFreeRewardTheMemberCanHaveIsAdvisedToBeRedeemedOnlyOnceItIsAvailable() {
      earned(loyalty, ada, 300);
      RewardId sample = RewardId.of("sample");
      Loyalty windowed = withFreeSampleInApril(b -> b);
      assertInstanceOf(LoyaltyError.RewardUnavailable.class, refusedAndWroteNothing(
          () -> windowed.authorize(Authorization.reward(ada, sample, TTL, TILL, aKey()))));

      clock.advance(Duration.ofDays(31));
      assertEquals(new LoyaltyError.InvalidRequest("reward", "'sample' costs the member no points, so there is nothing to"
          + " hold: redeem it", true),
          refusedAndWroteNothing(() -> windowed.authorize(Authorization.reward(ada, sample, TTL, TILL, aKey()))));
      assertEquals(points(0), accepted(windowed.redeem(ada, sample, TILL, aKey())).points());
    }

    @Test
    void aMemberWithAnOpenHoldCannotBeClosedUntilItIsResolved() {
      earned(loyalty, ada, 300);
      Hold h = hold(ada, 100);

      assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(() -> loyalty.close(ada, "bye", aKey())));
      accepted(loyalty.voidHold(h.id(), "void", aKey()));
      assertEquals(Balance.EMPTY, accepted(loyalty.close(ada, "bye", aKey())).balance());
    }

    @Test
    void aRewardHoldSentAgainWithOtherPointsWhichAHoldForARewardIgnoresReplaysTheFirstHold() {
      earned(loyalty, ada, 500);
      IdempotencyKey key = aKey();
      Hold first = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, key)));

      // A client that fills in the reward's cost on its retry sends the same request: the points are ignored.
      Hold again = accepted(loyalty.authorize(new Authorization(ada, Option.some(GIFT_CARD), points(200), TTL, TILL, key)));

      assertEquals(first, again);
      assertEquals(1, store.counter("reward-stock:gift-card"));
      assertEquals(new LoyaltyError.IdempotencyConflict(key), refusedAndWroteNothing(
          () -> loyalty.authorize(Authorization.points(ada, points(200), TTL, TILL, key))));
    }

    @Test
    void aRewardHoldReservesStockAndTheVoidGivesItBack() {
      earned(loyalty, ada, 500);
      Hold h = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
      assertEquals(1, store.counter("reward-stock:gift-card"));
      assertEquals(points(200), h.points());

      accepted(loyalty.voidHold(h.id(), "customer changed their mind", aKey()));

      assertEquals(0, store.counter("reward-stock:gift-card"));
      assertEquals(new Balance(points(500), points(0), points(0)), balanceOf(loyalty, ada));
    }
  }

  private static final RewardId PAY_ONCE = RewardId.of("pay-once");

  /** A payment reward as the fixture's, with one unit of stock, usable once a month. */
  private static Reward payOnce() {
    return Reward.builder(PAY_ONCE, "Pay once", new RewardKind.PointsAsPayment(
        new PaymentTerms(points(100), Money.of(CurrencyUnit.EUR, 1), points(50), new BigDecimal("0.5"))), points(50))
        .stock(1).limit(1, LimitPeriod.MONTH).build();
  }

  @Nested
  class PaymentHolds {

    private final RewardId payOnce = PAY_ONCE;

    private PointsPayment payment(MemberId m, RewardId reward, String basket, long offered) {
      return new PointsPayment(m, reward, Money.parse(basket), points(offered), TILL, aKey());
    }

    private Loyalty withPayOnce() {
      return nextVersion(rewards -> rewards.append(payOnce()));
    }

    @Test
    void aPaymentHoldHoldsWhatPayWithPointsChargesAndItsCaptureAppliesTheSameMoney() {
      earned(loyalty, ada, 1000);
      earned(loyalty, bob, 1000);
      Redemption paid = accepted(loyalty.payWithPoints(payment(bob, PAY, "EUR 10.00", 800)));

      Hold h = accepted(loyalty.authorize(payment(ada, PAY, "EUR 10.00", 800), TTL));

      assertEquals(points(500), h.points());
      assertEquals(Option.some(PAY), h.reward());
      assertEquals(Option.some(Money.of(CurrencyUnit.EUR, 5)), h.moneyApplied());
      assertEquals(clock.instant().plus(TTL), h.expiresAt());
      assertEquals(new Balance(points(500), points(0), points(500)), balanceOf(loyalty, ada));
      assertEquals(List.of(h), accepted(loyalty.openHolds(ada)));

      Redemption captured = accepted(loyalty.capture(h.id(), aKey()));

      assertEquals(paid.moneyApplied(), captured.moneyApplied());
      assertEquals(paid.points(), captured.points());
      assertEquals(paid.reward(), captured.reward());
      assertEquals(balanceOf(loyalty, bob), balanceOf(loyalty, ada));
      assertEquals("Paid EUR 5.00 with points (captured hold " + h.id() + ")",
          captured.receipt().entries().single().reason());
    }

    /** ADR 0006, "what a capture checks again": the authorization was the payment's check. */
    @Test
    void aPaymentHoldIsCapturedForTheMoneyItRecordedAfterALaterVersionRepricedOrWithdrewThePayment() {
      earned(loyalty, ada, 2000);
      Hold repriced = accepted(loyalty.authorize(payment(ada, PAY, "EUR 10.00", 800), TTL));
      Hold withdrawn = accepted(loyalty.authorize(payment(ada, PAY, "EUR 10.00", 800), TTL));
      Loyalty dearer = nextVersion(rewards -> rewards.map(r -> !r.id().equals(PAY) ? r
          : Reward.builder(PAY, r.name(), new RewardKind.PointsAsPayment(new PaymentTerms(points(100),
              Money.of(CurrencyUnit.EUR, 3), points(0), BigDecimal.ONE)), points(1)).build()));
      Loyalty without = nextVersion(rewards -> rewards.filter(r -> !r.id().equals(PAY)));

      Redemption first = accepted(dearer.capture(repriced.id(), aKey()));
      Redemption second = accepted(without.capture(withdrawn.id(), aKey()));

      for (Redemption captured : List.of(first, second)) {
        assertEquals(points(500), captured.points());
        assertEquals(Option.some(Money.of(CurrencyUnit.EUR, 5)), captured.moneyApplied());
      }
      assertEquals(new Balance(points(1000), points(0), points(0)), balanceOf(loyalty, ada));
    }

    @Test
    void aPaymentHoldIsRefusedAsPayWithPointsRefusesThePaymentAndWritesNothing() {
      earned(loyalty, ada, 100);
      MemberId stranger = member("stranger");
      List<PointsPayment> refusedPayments = List.of(
          payment(ada, PAY, "EUR 0.60", 1000),            // the basket's share is below the least charge
          payment(ada, PAY, "EUR 10.00", 40),             // the offer is below it
          payment(ada, PAY, "EUR 10.00", 200),            // more than the member has
          payment(ada, PAY, "GBP 10.00", 200),            // another currency
          payment(ada, PAY, "EUR 0.00", 200),             // no basket
          payment(ada, PAY, "EUR 10.00", 0),              // no offer
          payment(ada, RewardId.of("nothing"), "EUR 10.00", 60),
          payment(stranger, PAY, "EUR 10.00", 60));
      for (PointsPayment p : refusedPayments) {
        LoyaltyError asPaid = refusedAndWroteNothing(() -> loyalty.payWithPoints(p));
        assertEquals(asPaid, refusedAndWroteNothing(() -> loyalty.authorize(p, TTL)), p.toString());
      }
      assertEquals(new LoyaltyError.InvalidRequest("reward", "'free-coffee' is not points as payment; use"
          + " authorize(Authorization.reward(...))", true),
          refusedAndWroteNothing(() -> loyalty.authorize(payment(ada, FREE_COFFEE, "EUR 10.00", 60), TTL)));
    }

    @Test
    void aPaymentHoldWithATimeToLiveTooLongIsRefusedAfterTheBasketAndOfferWritingNothing() {
      earned(loyalty, ada, 1000);

      assertEquals("ttl", assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(
          () -> loyalty.authorize(payment(ada, PAY, "EUR 10.00", 800), Duration.ofDays(2)))).field());
      assertEquals("offered", assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(
          () -> loyalty.authorize(payment(ada, PAY, "EUR 10.00", 0), Duration.ofDays(2)))).field());
    }

    @Test
    void aPaymentHoldReservesTheRewardsStockAndLimitAndItsVoidGivesThemBack() {
      loyalty = withPayOnce();
      earned(loyalty, ada, 1000);
      earned(loyalty, bob, 1000);
      Hold h = accepted(loyalty.authorize(payment(ada, payOnce, "EUR 10.00", 300), TTL));

      assertEquals(1, store.counter("reward-stock:pay-once"));
      assertEquals(1, store.counter("reward-limit:pay-once:ada:2026-03"));
      assertInstanceOf(LoyaltyError.RewardUnavailable.class, refusedAndWroteNothing(
          () -> loyalty.authorize(payment(bob, payOnce, "EUR 10.00", 300), TTL)));

      accepted(loyalty.voidHold(h.id(), "customer paid cash", aKey()));

      assertEquals(0, store.counter("reward-stock:pay-once"));
      assertEquals(0, store.counter("reward-limit:pay-once:ada:2026-03"));
      assertEquals(new Balance(points(1000), points(0), points(0)), balanceOf(loyalty, ada));
      accepted(loyalty.authorize(payment(bob, payOnce, "EUR 10.00", 300), TTL));
    }

    @Test
    void aPaymentHoldIsCapturedWholeAndAPartialCaptureSaysToAuthorizeTheNewPayment() {
      earned(loyalty, ada, 1000);
      Hold h = accepted(loyalty.authorize(payment(ada, PAY, "EUR 10.00", 300), TTL));

      assertEquals(new LoyaltyError.InvalidRequest("points", "a hold of a payment with points is captured whole"
          + " (300 points for EUR 3.00); void it and authorize the payment the basket now comes to", true),
          refusedAndWroteNothing(() -> loyalty.capture(h.id(), points(200), aKey())));
      assertEquals(Option.some(Money.parse("EUR 3.00")),
          accepted(loyalty.capture(h.id(), points(300), aKey())).moneyApplied());
    }

    @Test
    void anExpiredPaymentHoldIsReleasedByTheDailyRunWithItsStockAndLimit() {
      loyalty = withPayOnce();
      earned(loyalty, ada, 1000);
      Hold h = accepted(loyalty.authorize(payment(ada, payOnce, "EUR 10.00", 300), TTL));
      clock.advance(TTL);

      assertEquals(new LoyaltyError.HoldExpired(h.id(), h.expiresAt(), clock.instant()),
          refusedAndWroteNothing(() -> loyalty.capture(h.id(), aKey())));
      accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), aKey()));

      assertEquals(new Balance(points(1000), points(0), points(0)), balanceOf(loyalty, ada));
      assertEquals(0, store.counter("reward-stock:pay-once"));
      assertEquals(0, store.counter("reward-limit:pay-once:ada:2026-03"));
    }

    @Test
    void aPaymentHoldSentAgainUnderItsKeyIsAnsweredAsBeforeAndAnotherPaymentUnderItIsRefused() {
      earned(loyalty, ada, 1000);
      PointsPayment p = payment(ada, PAY, "EUR 10.00", 300);
      Hold h = accepted(loyalty.authorize(p, TTL));

      assertEquals(h, accepted(loyalty.authorize(p, TTL)));
      assertEquals(new LoyaltyError.IdempotencyConflict(p.key()), refusedAndWroteNothing(() -> loyalty.authorize(
          new PointsPayment(ada, PAY, Money.parse("EUR 10.00"), points(400), TILL, p.key()), TTL)));
      assertEquals(new LoyaltyError.IdempotencyConflict(p.key()), refusedAndWroteNothing(() -> loyalty.payWithPoints(p)));
      assertEquals(new LoyaltyError.IdempotencyConflict(p.key()), refusedAndWroteNothing(
          () -> loyalty.authorize(Authorization.points(ada, points(300), TTL, TILL, p.key()))));
    }

    @Test
    void aCapturedPaymentHoldIsCancelledAsAPaymentIs() {
      earned(loyalty, ada, 1000);
      Hold h = accepted(loyalty.authorize(payment(ada, PAY, "EUR 10.00", 300), TTL));
      Redemption captured = accepted(loyalty.capture(h.id(), aKey()));

      accepted(loyalty.cancelRedemption(captured.entry(), "returned", aKey()));

      assertEquals(new Balance(points(1000), points(0), points(0)), balanceOf(loyalty, ada));
    }
  }

  @Nested
  class PartialReturnOfAPayment {

    private final RewardId payOnce = PAY_ONCE;
    private final RewardId payOdd = RewardId.of("pay-odd");

    /** This program with {@link #payOnce()}, and a payment at 100 points = EUR 3.00 without a minimum. */
    private Loyalty withMorePayments() {
      return nextVersion(rewards -> rewards.append(payOnce())
          .append(Reward.builder(payOdd, "Pay at an odd rate", new RewardKind.PointsAsPayment(
              new PaymentTerms(points(100), Money.of(CurrencyUnit.EUR, 3), points(0), BigDecimal.ONE)), points(1)).build()));
    }

    private Redemption paid(RewardId reward, String basket, long offered) {
      return accepted(loyalty.payWithPoints(new PointsPayment(ada, reward, Money.parse(basket), points(offered), TILL, aKey())));
    }

    private Receipt returned(Redemption payment, String money) {
      return accepted(loyalty.cancelRedemption(payment.entry(), Money.parse(money), "goods returned", aKey()));
    }

    @Test
    void aPartialReturnGivesBackThePointsOfItsShareOfTheMoneyAndSeveralAddUp() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);
      assertEquals(Option.some(Money.parse("EUR 20.00")), payment.moneyApplied());

      Entry first = returned(payment, "EUR 6.00").entries().single();
      assertEquals(EntryKind.REVERSAL, first.kind());
      assertEquals(Option.some(payment.entry()), first.reference());
      assertEquals(points(600), first.points());
      assertEquals(points(1600), balanceOf(loyalty, ada).available());

      assertEquals(points(400), returned(payment, "EUR 4.00").entries().single().points());
      assertEquals(points(2000), balanceOf(loyalty, ada).available());
    }

    @Test
    void atAnOddRateEachReturnRoundsDownAndTheOneThatCompletesTheMoneyGivesBackEveryPointLeft() {
      loyalty = withMorePayments();
      earned(loyalty, ada, 100);
      // 100 points = EUR 3.00: EUR 0.10 costs 4 points (3.33 rounded up).
      Redemption payment = paid(payOdd, "EUR 0.10", 100);
      assertEquals(points(4), payment.points());

      assertEquals(points(2), returned(payment, "EUR 0.05").entries().single().points());
      assertEquals(points(1), returned(payment, "EUR 0.03").entries().single().points());
      assertEquals(points(1), returned(payment, "EUR 0.02").entries().single().points());
      assertEquals(points(100), balanceOf(loyalty, ada).available());
    }

    @Test
    void aReturnWorthLessThanAPointGivesBackNoneButItsMoneyCountsTowardsTheLast() {
      loyalty = withMorePayments();
      earned(loyalty, ada, 100);
      // 4 points for EUR 0.10: EUR 0.01 is worth 0.4 of a point.
      Redemption payment = paid(payOdd, "EUR 0.10", 100);

      Entry none = returned(payment, "EUR 0.01").entries().single();
      assertEquals(points(0), none.points());
      assertEquals(Option.some("EUR 0.01"), none.details().get("payment.returned"));
      assertEquals(points(96), balanceOf(loyalty, ada).available());

      assertEquals(points(4), returned(payment, "EUR 0.09").entries().single().points());
      assertEquals(points(100), balanceOf(loyalty, ada).available());
    }

    @Test
    void returningMoreThanIsLeftIsRefusedSayingWhatIsLeftAndWritesNothing() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);
      returned(payment, "EUR 6.00");

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.cancelRedemption(payment.entry(), Money.parse("EUR 15.00"),
          "goods returned", aKey()));

      LoyaltyError.ReturnExceedsPayment exceeds = assertInstanceOf(LoyaltyError.ReturnExceedsPayment.class, error);
      assertEquals(new LoyaltyError.ReturnExceedsPayment(payment.entry(), Money.parse("EUR 20.00"), Money.parse("EUR 6.00"),
          Money.parse("EUR 15.00")), exceeds);
      assertEquals(Money.parse("EUR 14.00"), exceeds.left());
      assertEquals("Payment " + payment.entry() + " paid EUR 20.00 with points, of which EUR 6.00 was given back"
          + " already: EUR 14.00 is left, less than the EUR 15.00 asked. Give back at most EUR 14.00 (cancelRedemption"
          + " without money gives back all that is left).", error.message());
    }

    /** "Give back at most EUR 14.00" would be refused too: a closed account takes nothing more. */
    @Test
    void returningMoreThanIsLeftOfAClosedMembersPaymentIsRefusedAsClosedNotAdvisedToGiveBackTheRest() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);
      returned(payment, "EUR 6.00");
      accepted(loyalty.close(ada, "Customer request", aKey()));

      assertEquals(new LoyaltyError.MemberNotActive(ada, MemberStatus.CLOSED), refusedAndWroteNothing(() ->
          loyalty.cancelRedemption(payment.entry(), Money.parse("EUR 15.00"), "goods returned", aKey())));
    }

    @Test
    void reversingAPaymentGivenBackInPartIsAdvisedToCancelTheRestNotToldItWasReversedAndWritesNothing() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);
      returned(payment, "EUR 6.00");

      assertEquals(new LoyaltyError.InvalidRequest("entry", "records a reward redemption; cancel it with cancelRedemption",
          true), refusedAndWroteNothing(() -> loyalty.reverse(Reversal.of(payment.entry(), "Till error", aKey()))));

      Receipt rest = accepted(loyalty.cancelRedemption(payment.entry(), "basket returned", aKey()));
      assertEquals(new LoyaltyError.AlreadyReversed(payment.entry(), rest.entries().single().id()),
          refusedAndWroteNothing(() -> loyalty.reverse(Reversal.of(payment.entry(), "Till error", aKey()))));
    }

    @Test
    void aWholeCancellationAfterPartialReturnsGivesBackTheRestAndStockAndLimitOnlyThen() {
      loyalty = withMorePayments();
      earnExpiring(ada, 300, Duration.ofDays(30));
      earned(loyalty, ada, 400);
      List<Lot> lots = accepted(loyalty.lots(ada));
      Redemption payment = paid(payOnce, "EUR 10.00", 500);
      assertEquals(points(500), payment.points());

      assertEquals(points(200), returned(payment, "EUR 2.00").entries().single().points());
      assertEquals(1, store.counter("reward-stock:pay-once"));
      assertEquals(1, store.counter("reward-limit:pay-once:ada:2026-03"));
      Receipt rest = accepted(loyalty.cancelRedemption(payment.entry(), "basket returned", aKey()));

      assertEquals(points(300), rest.entries().single().points());
      assertEquals(lots, accepted(loyalty.lots(ada)));
      assertEquals(new Balance(points(700), points(0), points(0)), balanceOf(loyalty, ada));
      assertEquals(0, store.counter("reward-stock:pay-once"));
      assertEquals(0, store.counter("reward-limit:pay-once:ada:2026-03"));
      assertEquals(new LoyaltyError.AlreadyReversed(payment.entry(), rest.entries().single().id()),
          refusedAndWroteNothing(() -> loyalty.cancelRedemption(payment.entry(), "again", aKey())));
      assertEquals(new LoyaltyError.AlreadyReversed(payment.entry(), rest.entries().single().id()),
          refusedAndWroteNothing(() -> loyalty.cancelRedemption(payment.entry(), Money.parse("EUR 1.00"), "again", aKey())));
    }

    @Test
    void partialReturnsThatAddUpToTheWholeMoneyCancelThePaymentAndGiveBackStockAndLimit() {
      loyalty = withMorePayments();
      earned(loyalty, ada, 1000);
      Redemption payment = paid(payOnce, "EUR 10.00", 500);

      returned(payment, "EUR 1.00");
      Receipt last = returned(payment, "EUR 4.00");

      assertEquals(0, store.counter("reward-stock:pay-once"));
      assertEquals(0, store.counter("reward-limit:pay-once:ada:2026-03"));
      assertEquals(new LoyaltyError.AlreadyReversed(payment.entry(), last.entries().single().id()),
          refusedAndWroteNothing(() -> loyalty.cancelRedemption(payment.entry(), "again", aKey())));
    }

    /**
     * As the README's "Errors are values" says of every call: money that is not positive is the
     * request's own fault, named before the redemption, what it is or its member's status.
     */
    @Test
    void aReturnOfNoMoneyIsRefusedForThatBeforeTheRedemptionOrAClosedMember() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);
      Redemption coffee = redeem(ada, FREE_COFFEE);
      io.github.loyaltyledger.ledger.EntryId unknown = io.github.loyaltyledger.ledger.EntryId.of(ada, 99);
      LoyaltyError none = new LoyaltyError.InvalidRequest("applied", "must be positive, was EUR 0.00");

      assertEquals(none, refusedAndWroteNothing(
          () -> loyalty.cancelRedemption(unknown, Money.parse("EUR 0.00"), "goods returned", aKey())));
      assertEquals(none, refusedAndWroteNothing(
          () -> loyalty.cancelRedemption(coffee.entry(), Money.parse("EUR 0.00"), "goods returned", aKey())));
      assertEquals(new LoyaltyError.InvalidRequest("applied", "must be positive, was GBP -1.00"), refusedAndWroteNothing(
          () -> loyalty.cancelRedemption(payment.entry(), Money.parse("GBP -1.00"), "goods returned", aKey())));
      accepted(loyalty.close(ada, "Customer request", aKey()));
      assertEquals(none, refusedAndWroteNothing(
          () -> loyalty.cancelRedemption(payment.entry(), Money.parse("EUR 0.00"), "goods returned", aKey())));
    }

    @Test
    void aReturnOfNoMoneyOfAnotherCurrencyOrOfARedemptionThatIsNoPaymentIsRefusedWritingNothing() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);
      Redemption coffee = redeem(ada, FREE_COFFEE);

      assertEquals(new LoyaltyError.InvalidRequest("applied", "must be positive, was EUR 0.00"), refusedAndWroteNothing(
          () -> loyalty.cancelRedemption(payment.entry(), Money.parse("EUR 0.00"), "goods returned", aKey())));
      assertEquals(new LoyaltyError.CurrencyMismatch(CurrencyUnit.EUR, CurrencyUnit.GBP), refusedAndWroteNothing(
          () -> loyalty.cancelRedemption(payment.entry(), Money.parse("GBP 1.00"), "goods returned", aKey())));
      assertEquals(new LoyaltyError.InvalidRequest("applied", "'" + coffee.entry() + "' is no payment with points, and"
          + " only a payment is given back in part: cancel it whole with cancelRedemption(redemption, reason, key)", true),
          refusedAndWroteNothing(() -> loyalty.cancelRedemption(coffee.entry(), Money.parse("EUR 1.00"), "returned", aKey())));
    }

    @Test
    void aPaymentCancelledWholeByAReleaseThatRecordedNoMoneyIsAlreadyReversedForEveryCancellationAndReversal() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);
      EntryId cancelled = accepted(loyalty.cancelRedemption(payment.entry(), "basket returned", aKey()))
          .entries().single().id();
      // The ledger as a release before partial returns wrote it: a whole cancellation without payment.returned.
      Loyalty older = Loyalty.builder().program(loyalty.program()).clock(clock)
          .store(new io.github.loyaltyledger.ForwardingStore(store) {
            @Override
            public List<Entry> referencing(EntryId original) {
              return super.referencing(original).map(e -> new Entry(e.id(), e.kind(), e.points(), e.movements(),
                  e.occurredAt(), e.recordedAt(), e.channel(), e.idempotencyKey(), e.reason(), e.programVersion(),
                  e.ruleIds(), e.reference(), e.counterparty(), e.operator(), e.expiresAt(), e.vestsAt(),
                  e.details().remove("payment.returned"), e.previousHash(), e.hash()));
            }
          }).build();
      LoyaltyError.AlreadyReversed reversed = new LoyaltyError.AlreadyReversed(payment.entry(), cancelled);

      assertEquals(reversed, refusedAndWroteNothing(() -> older.cancelRedemption(payment.entry(), "again", aKey())));
      assertEquals(reversed, refusedAndWroteNothing(
          () -> older.cancelRedemption(payment.entry(), Money.parse("EUR 1.00"), "again", aKey())));
      assertEquals(reversed, refusedAndWroteNothing(() -> older.reverse(Reversal.of(payment.entry(), "Till error", aKey()))));
    }

    @Test
    void aPartialReturnOfACapturedPaymentHoldGivesBackItsShare() {
      earned(loyalty, ada, 1000);
      Hold h = accepted(loyalty.authorize(new PointsPayment(ada, PAY, Money.parse("EUR 10.00"), points(500), TILL, aKey()), TTL));
      Redemption captured = accepted(loyalty.capture(h.id(), aKey()));

      assertEquals(points(100), returned(captured, "EUR 1.00").entries().single().points());
      assertEquals(points(600), balanceOf(loyalty, ada).available());
    }

    @Test
    void aPartialReturnRecordsTheRewardAndTheMoneyGivenBackNotTheMoneyThePaymentApplied() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);

      Entry entry = returned(payment, "EUR 6.00").entries().single();

      assertEquals(io.vavr.collection.TreeMap.of("reward.id", PAY.value(), "reward.kind", "points-as-payment",
          "payment.returned", "EUR 6.00"), entry.details());
    }

    @Test
    void theStatementSaysInWordsHowMuchOfThePaymentWasGivenBack() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);

      Entry entry = returned(payment, "EUR 6.00").entries().single();

      assertEquals("Gave back EUR 6.00 of EUR 20.00 paid with points: goods returned", entry.reason());
      io.github.loyaltyledger.insight.Statement statement = accepted(loyalty.statement(ada,
          clock.instant().minus(Duration.ofDays(1)), clock.instant().plusSeconds(1), Duration.ofDays(30)));
      assertEquals(entry.reason(), statement.lines().last().reason());
    }

    @Test
    void aPartialReturnSentAgainUnderItsKeyIsAnsweredAsBeforeAndAnotherAmountUnderItIsRefused() {
      earned(loyalty, ada, 3000);
      Redemption payment = paid(PAY, "EUR 100.00", 2000);
      IdempotencyKey key = aKey();
      Receipt first = accepted(loyalty.cancelRedemption(payment.entry(), Money.parse("EUR 6.00"), "goods returned", key));

      assertEquals(first, accepted(loyalty.cancelRedemption(payment.entry(), Money.parse("EUR 6.00"), "goods returned", key)));
      assertEquals(new LoyaltyError.IdempotencyConflict(key), refusedAndWroteNothing(
          () -> loyalty.cancelRedemption(payment.entry(), Money.parse("EUR 7.00"), "goods returned", key)));
      assertEquals(points(1600), balanceOf(loyalty, ada).available());
    }

    @Test
    void underClampThePointsAPartialReturnGivesBackFirstSettleWhatAReversalForgave() {
      loyalty = Loyalty.builder().program(Fixtures.aProgramWithRewards(tiers, ReturnedPoints.DEFAULT).toBuilder()
          .negativeBalancePolicy(NegativeBalancePolicy.CLAMP).build()).store(store).clock(clock).build();
      EntryId credit = accepted(loyalty.credit(Credit.of(ada, points(1000), "Credited by mistake", aKey())))
          .entries().single().id();
      Redemption payment = paid(PAY, "EUR 20.00", 1000);
      Entry reversal = accepted(loyalty.reverse(Reversal.of(credit, "Credited by mistake", aKey()))).entries().single();
      assertEquals(Option.some("1000"), reversal.details().get("shortfall"));

      Receipt part = returned(payment, "EUR 4.00");

      assertEquals(List.of(points(400), points(-400)), part.entries().map(Entry::points));
      assertEquals(Option.some("400"), part.entries().last().details().get("forgiven.settled"));
      assertEquals(new Balance(points(0), points(0), points(0)), balanceOf(loyalty, ada));
      accepted(loyalty.cancelRedemption(payment.entry(), "basket returned", aKey()));
      assertEquals(new Balance(points(0), points(0), points(0)), balanceOf(loyalty, ada));
    }
  }

  @Nested
  class Capture {

    @Test
    void aFullCaptureSpendsTheHeldPoints() {
      earned(loyalty, ada, 300);
      Hold h = hold(ada, 120);

      Redemption r = accepted(loyalty.capture(h.id(), aKey()));

      Entry entry = r.receipt().entries().single();
      assertEquals(EntryKind.CAPTURE, entry.kind());
      assertEquals(Option.some(h.id()), entry.reference());
      assertEquals(points(-120), entry.points());
      assertEquals(new Balance(points(180), points(0), points(0)), balanceOf(loyalty, ada));
    }

    @Test
    void aPartialCaptureReleasesTheRestToItsLots() {
      earned(loyalty, ada, 300);
      List<Lot> before = accepted(loyalty.lots(ada));
      Hold h = hold(ada, 120);

      accepted(loyalty.capture(h.id(), points(100), aKey()));

      assertEquals(new Balance(points(200), points(0), points(0)), balanceOf(loyalty, ada));
      assertEquals(before.map(l -> l.withRemaining(points(200))), accepted(loyalty.lots(ada)));
    }

    @Test
    void aCapturedOrVoidedHoldCannotBeCapturedAgain() {
      earned(loyalty, ada, 300);
      Hold captured = hold(ada, 100);
      Hold voided = hold(ada, 100);
      Receipt capture = accepted(loyalty.capture(captured.id(), aKey())).receipt();
      Receipt release = accepted(loyalty.voidHold(voided.id(), "void", aKey()));

      assertEquals(new LoyaltyError.HoldAlreadyResolved(captured.id(), capture.entries().single().id(), EntryKind.CAPTURE),
          refusedAndWroteNothing(() -> loyalty.capture(captured.id(), aKey())));
      assertEquals(new LoyaltyError.HoldAlreadyResolved(voided.id(), release.entries().single().id(), EntryKind.RELEASE),
          refusedAndWroteNothing(() -> loyalty.capture(voided.id(), aKey())));
      assertInstanceOf(LoyaltyError.HoldAlreadyResolved.class, refusedAndWroteNothing(() -> loyalty.voidHold(voided.id(), "again", aKey())));
    }

    /** "Capture at most the held points" would be refused too: a suspended member cannot capture. */
    @Test
    void capturingMoreThanASuspendedMembersHoldIsRefusedAsSuspendedNotAdvisedToCaptureLess() {
      earned(loyalty, ada, 300);
      Hold h = hold(ada, 100);
      accepted(loyalty.suspend(ada, "Fraud check", aKey()));

      assertEquals(new LoyaltyError.MemberNotActive(ada, MemberStatus.SUSPENDED),
          refusedAndWroteNothing(() -> loyalty.capture(h.id(), points(101), aKey())));
    }

    /** "Cancel the capture with cancelRedemption" would be refused too: a closed account takes nothing more. */
    @Test
    void voidingAClosedMembersCapturedHoldIsRefusedAsClosedNotAdvisedToCancelTheCapture() {
      earned(loyalty, ada, 300);
      Hold h = hold(ada, 100);
      accepted(loyalty.capture(h.id(), aKey()));
      accepted(loyalty.close(ada, "Customer request", aKey()));

      assertEquals(new LoyaltyError.MemberNotActive(ada, MemberStatus.CLOSED),
          refusedAndWroteNothing(() -> loyalty.voidHold(h.id(), "void", aKey())));
    }

    @Test
    void anExpiredHoldIsRefusedAtCaptureTimeButCanBeVoided() {
      earned(loyalty, ada, 300);
      Hold h = hold(ada, 100);
      clock.advance(TTL);

      assertEquals(new LoyaltyError.HoldExpired(h.id(), h.expiresAt(), clock.instant()),
          refusedAndWroteNothing(() -> loyalty.capture(h.id(), aKey())));
      accepted(loyalty.voidHold(h.id(), "expired at the till", aKey()));
      assertEquals(points(300), balanceOf(loyalty, ada).available());
    }

    @Test
    void theRefusalOfAnExpiredHoldSaysToVoidItBeforeHoldingItsPointsAgain() {
      earned(loyalty, ada, 300);
      Hold h = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
      clock.advance(TTL);
      String message = refused(loyalty.capture(h.id(), aKey())).message();

      // Authorizing again at once, as the message said, finds the points still held.
      assertInstanceOf(LoyaltyError.RewardUnavailable.class,
          refused(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey()))));
      assertTrue(message.contains("voidHold"), message);
      assertFalse(message.contains("pay with points"), "the hold was for a reward: " + message);
      accepted(loyalty.voidHold(h.id(), "expired at the till", aKey()));
      accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
    }

    @Test
    void aCaptureOfAllTheHeldPointsIsOneRequestWhetherItNamesThePointsOrNot() {
      earned(loyalty, ada, 300);
      Hold plain = hold(ada, 120);
      Hold reward = accepted(loyalty.authorize(Authorization.reward(ada, FREE_COFFEE, TTL, TILL, aKey())));
      IdempotencyKey first = aKey();
      IdempotencyKey second = aKey();
      Redemption whole = accepted(loyalty.capture(plain.id(), first));
      Redemption named = accepted(loyalty.capture(reward.id(), reward.points(), second));

      // A till that retries with the other overload captures the same points: it gets the first answer.
      Object before = state();
      assertEquals(whole, accepted(loyalty.capture(plain.id(), points(120), first)));
      assertEquals(named, accepted(loyalty.capture(reward.id(), second)));
      assertEquals(before, state());
      // Another amount under the key is another request.
      assertInstanceOf(LoyaltyError.IdempotencyConflict.class, refusedAndWroteNothing(() -> loyalty.capture(plain.id(), points(100), first)));
    }

    @Test
    void capturingMoreThanHeldOrAnUnknownHoldIsRefused() {
      earned(loyalty, ada, 300);
      Hold h = hold(ada, 100);

      assertEquals(new LoyaltyError.CaptureExceedsHold(h.id(), points(100), points(101)),
          refusedAndWroteNothing(() -> loyalty.capture(h.id(), points(101), aKey())));
      io.github.loyaltyledger.ledger.EntryId notAHold = io.github.loyaltyledger.ledger.EntryId.of(ada, 1);
      assertEquals(new LoyaltyError.HoldNotFound(notAHold), refusedAndWroteNothing(() -> loyalty.capture(notAHold, aKey())));
    }

    /**
     * As the README's "Errors are values" says of every call: what the request itself gets wrong
     * (points that are not positive) is named before the hold, its expiry or its member's status.
     */
    @Test
    void capturingNoPointsIsRefusedForThatBeforeTheHoldItsExpiryOrItsMember() {
      earned(loyalty, ada, 300);
      Hold expired = hold(ada, 100);
      Hold ofASuspendedMember = hold(ada, 100);
      io.github.loyaltyledger.ledger.EntryId unknown = io.github.loyaltyledger.ledger.EntryId.of(member("nobody"), 2);
      LoyaltyError notPositive = new LoyaltyError.InvalidRequest("points", "must be positive, was 0");

      assertEquals(notPositive, refusedAndWroteNothing(() -> loyalty.capture(unknown, points(0), aKey())));
      clock.advance(Duration.ofDays(365));
      assertEquals(notPositive, refusedAndWroteNothing(() -> loyalty.capture(expired.id(), points(0), aKey())));
      accepted(loyalty.suspend(ada, "check", aKey()));
      assertEquals(notPositive, refusedAndWroteNothing(() -> loyalty.capture(ofASuspendedMember.id(), points(0), aKey())));
      assertEquals(new LoyaltyError.InvalidRequest("points", "must be positive, was -5"),
          refusedAndWroteNothing(() -> loyalty.capture(ofASuspendedMember.id(), points(-5), aKey())));
    }

    /** The member's status is checked before the hold only for an enrolled member: there is no hold without one. */
    @Test
    void capturingOrVoidingAHoldOfAnIdNeverEnrolledIsRefusedAsAHoldNotFound() {
      io.github.loyaltyledger.ledger.EntryId stranger = io.github.loyaltyledger.ledger.EntryId.of(member("nobody"), 2);

      assertEquals(new LoyaltyError.HoldNotFound(stranger), refusedAndWroteNothing(() -> loyalty.capture(stranger, aKey())));
      assertEquals(new LoyaltyError.HoldNotFound(stranger),
          refusedAndWroteNothing(() -> loyalty.voidHold(stranger, "void", aKey())));
    }

    @Test
    void aRewardHoldIsCapturedWholeAndIssuesTheVoucher() {
      earned(loyalty, ada, 500);
      Hold h = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));

      assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(() -> loyalty.capture(h.id(), points(100), aKey())));
      Redemption r = accepted(loyalty.capture(h.id(), aKey()));

      assertTrue(r.voucherCode().isDefined());
      assertEquals(Option.some(GIFT_CARD), r.reward());
      assertEquals(1, store.counter("reward-stock:gift-card"));
    }

    @Test
    void aVoucherHoldWhoseRewardANewVersionRemovedIsNotCapturedWithoutItsVoucher() {
      earned(loyalty, ada, 500);
      Hold h = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
      Loyalty v2 = nextVersion(rewards -> rewards.filter(r -> !r.id().equals(GIFT_CARD)));

      Object before = state();
      assertEquals(new LoyaltyError.VoucherWithdrawn(h.id(), GIFT_CARD), refused(v2.capture(h.id(), aKey())),
          "the member would pay 200 points for a voucher nobody issued");
      assertEquals(before, state());
      accepted(v2.voidHold(h.id(), "reward withdrawn", aKey()));
      assertEquals(new Balance(points(500), points(0), points(0)), balanceOf(v2, ada));
      assertEquals(0, store.counter("reward-stock:gift-card"));
    }

    @Test
    void aHoldIsCapturedAsTheKindOfRewardItHeldNotAsANewVersionRedefinedIt() {
      earned(loyalty, ada, 500);
      Hold coffee = accepted(loyalty.authorize(Authorization.reward(ada, FREE_COFFEE, TTL, TILL, aKey())));
      Hold gift = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
      Loyalty v2 = nextVersion(rewards -> rewards.map(r -> r.id().equals(FREE_COFFEE)
          ? Reward.builder(FREE_COFFEE, "Coffee voucher", new RewardKind.Voucher(Fixtures.aSeededIssuer(7)), points(100)).build()
          : r.id().equals(GIFT_CARD)
              ? Reward.builder(GIFT_CARD, "Gift card at the till", new RewardKind.FreeItem("GIFT"), points(200)).build()
              : r));

      Redemption r = accepted(v2.capture(coffee.id(), aKey()));
      assertEquals(Option.none(), r.voucherCode(), "the hold was for a free item, not a voucher");
      assertEquals(Option.some("free-item"), r.receipt().entries().single().details().get("reward.kind"));
      assertEquals(new LoyaltyError.VoucherWithdrawn(gift.id(), GIFT_CARD), refused(v2.capture(gift.id(), aKey())),
          "the hold was for a voucher, which the new version no longer issues");
    }

    @Test
    void aVoucherHoldWhoseRewardIsNoLongerAVoucherIsRefusedSayingSoAndThatTheHoldCanBeVoided() {
      earned(loyalty, ada, 500);
      Hold h = accepted(loyalty.authorize(Authorization.reward(ada, GIFT_CARD, TTL, TILL, aKey())));
      Loyalty v2 = nextVersion(rewards -> rewards.map(r -> r.id().equals(GIFT_CARD)
          ? Reward.builder(GIFT_CARD, "Gift card at the till", new RewardKind.FreeItem("GIFT"), points(200)).build()
          : r));

      Object before = state();
      LoyaltyError error = refused(v2.capture(h.id(), aKey()));
      assertEquals(before, state());
      assertEquals(new LoyaltyError.VoucherWithdrawn(h.id(), GIFT_CARD), error);
      String message = error.message();
      assertFalse(message.contains("has no reward"), "the catalogue still has it: " + message);
      assertTrue(message.contains("no longer") && message.contains("voidHold"), message);
    }

    @Test
    void ofConcurrentCapturesOfOneHoldExactlyOneWins() throws Exception {
      earned(loyalty, ada, 300);
      Hold h = hold(ada, 100);
      List<Either<LoyaltyError, Redemption>> outcomes = race(List.range(0, 8).map(i -> {
        IdempotencyKey key = aKey();
        return () -> loyalty.capture(h.id(), key);
      }));

      assertEquals(1, outcomes.count(Either::isRight));
      assertTrue(outcomes.filter(Either::isLeft).forAll(e -> e.getLeft() instanceof LoyaltyError.HoldAlreadyResolved));
      assertEquals(new Balance(points(200), points(0), points(0)), balanceOf(loyalty, ada));
    }
  }

  @Nested
  class EventsAndHistory {

    @Test
    void listenersHearOfHoldsCapturesReleasesAndCancellations() {
      java.util.List<io.github.loyaltyledger.event.LoyaltyEvent> heard = new java.util.ArrayList<>();
      Loyalty listened = Loyalty.builder().program(Fixtures.aProgramWithRewards(tiers, ReturnedPoints.DEFAULT))
          .store(store).clock(clock).listener(heard::add).build();
      earned(listened, ada, 300);
      Hold captured = accepted(listened.authorize(Authorization.points(ada, points(100), TTL, TILL, aKey())));
      Hold voided = accepted(listened.authorize(Authorization.points(ada, points(100), TTL, TILL, aKey())));
      Redemption r = accepted(listened.capture(captured.id(), aKey()));
      accepted(listened.voidHold(voided.id(), "void", aKey()));
      accepted(listened.cancelRedemption(r.entry(), "returned", aKey()));

      assertEquals(List.of("PointsEarned", "PointsHeld", "PointsHeld", "HoldCaptured", "HoldReleased", "RedemptionCancelled"),
          List.ofAll(heard).map(e -> e.getClass().getSimpleName()));
    }

    @Test
    void aPastBalanceShowsThePointsHeldThen() {
      earned(loyalty, ada, 300);
      Hold h = hold(ada, 120);
      Instant whileHeld = clock.instant();
      clock.advance(Duration.ofMinutes(1));
      accepted(loyalty.capture(h.id(), points(20), aKey()));

      assertEquals(new Balance(points(180), points(0), points(120)), accepted(loyalty.balanceAsOf(ada, whileHeld)));
      assertEquals(new Balance(points(280), points(0), points(0)), accepted(loyalty.balanceAsOf(ada, clock.instant())));
    }
  }

  @Nested
  class ReleaseExpiredHolds {

    @Test
    void aReleaseUnderAKeyTheLibraryDerivesIsRefusedAndReleasesNothing() {
      earned(loyalty, ada, 300);
      hold(ada, 100);
      clock.advance(TTL);
      IdempotencyKey birthday = IdempotencyKey.of("birthday:ada:2026");

      LoyaltyError.InvalidRequest error = assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refusedAndWroteNothing(() -> loyalty.releaseExpiredHolds(ada, clock.instant(), birthday)));

      assertEquals("key", error.field());
      assertTrue(store.idempotencyRecord(birthday).isEmpty(), "the birthday gift would be skipped as granted");
      assertEquals(1, accepted(loyalty.releaseExpiredHolds(ada, clock.instant(),
          IdempotencyKey.of("hold-timeout:ada:" + clock.instant()))).entries().size());
    }

    @Test
    void onlyHoldsExpiredAsOfTheInstantAreReleased() {
      earned(loyalty, ada, 300);
      Hold early = hold(ada, 100);
      clock.advance(Duration.ofMinutes(10));
      Hold late = hold(ada, 50);
      clock.advance(Duration.ofMinutes(6));

      Receipt receipt = accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), aKey()));

      assertEquals(List.of(Option.some(early.id())), receipt.entries().map(Entry::reference));
      assertEquals(new Balance(points(250), points(0), points(50)), balanceOf(loyalty, ada));
      assertInstanceOf(LoyaltyError.HoldAlreadyResolved.class, refused(loyalty.capture(early.id(), aKey())));
      accepted(loyalty.capture(late.id(), aKey()));
    }

    @Test
    void withNothingDueNothingIsWritten() {
      earned(loyalty, ada, 300);
      hold(ada, 100);
      Object before = state();

      Receipt receipt = accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), aKey()));

      assertTrue(receipt.entries().isEmpty());
      assertEquals(before, state());
    }
  }

  @Nested
  class CancelRedemption {

    @Test
    void cancellingGivesBackPointsToTheirLotsStockAndLimitExactly() {
      earnExpiring(ada, 300, Duration.ofDays(30));
      earned(loyalty, ada, 400);
      Balance balance = balanceOf(loyalty, ada);
      List<Lot> lots = accepted(loyalty.lots(ada));
      Redemption gift = redeem(ada, GIFT_CARD);
      Redemption five = redeem(ada, FIVE_OFF);

      accepted(loyalty.cancelRedemption(five.entry(), "returned", aKey()));
      accepted(loyalty.cancelRedemption(gift.entry(), "returned", aKey()));

      assertEquals(balance, balanceOf(loyalty, ada));
      assertEquals(lots, accepted(loyalty.lots(ada)));
      assertEquals(0, store.counter("reward-stock:gift-card"));
      assertEquals(0, store.counter("reward-limit:five-off:ada:2026-03"));
    }

    @Test
    void aRedemptionIsCancelledAtMostOnce() {
      earned(loyalty, ada, 300);
      Redemption r = redeem(ada, FREE_COFFEE);
      Receipt cancel = accepted(loyalty.cancelRedemption(r.entry(), "returned", aKey()));

      assertEquals(new LoyaltyError.AlreadyReversed(r.entry(), cancel.entries().single().id()),
          refusedAndWroteNothing(() -> loyalty.cancelRedemption(r.entry(), "again", aKey())));
      assertInstanceOf(LoyaltyError.NotReversible.class,
          refusedAndWroteNothing(() -> loyalty.cancelRedemption(io.github.loyaltyledger.ledger.EntryId.of(ada, 1), "x", aKey())));
    }

    @Test
    void cancellingACreditIsRefusedWithTheOperationThatReversesItNotAnAdjustment() {
      EntryId credit = earned(loyalty, ada, 300).entries().single().id();

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.cancelRedemption(credit, "wrong entry", aKey()));

      assertEquals(new LoyaltyError.NotReversible(credit, EntryKind.EARN), error);
      assertTrue(error.message().contains("reverse") && !error.message().contains("adjustment")
          && !error.message().contains("cannot be reversed"), error.message());
      accepted(loyalty.reverse(Reversal.of(credit, "Returned", aKey())));
    }

    @Test
    void aCapturedHoldIsCancelledToTheLotsItCapturedFrom() {
      earned(loyalty, ada, 300);
      List<Lot> lots = accepted(loyalty.lots(ada));
      Hold h = hold(ada, 120);
      Redemption r = accepted(loyalty.capture(h.id(), points(70), aKey()));

      accepted(loyalty.cancelRedemption(r.entry(), "order cancelled", aKey()));

      assertEquals(lots, accepted(loyalty.lots(ada)));
      assertEquals(new Balance(points(300), points(0), points(0)), balanceOf(loyalty, ada));
    }

    @Test
    void pointsOfALotThatExpiredMeanwhileGetAGraceLotByDefault() {
      earnExpiring(ada, 100, Duration.ofDays(5));
      Redemption r = redeem(ada, FREE_COFFEE);
      clock.advance(Duration.ofDays(6));

      Receipt receipt = accepted(loyalty.cancelRedemption(r.entry(), "returned", aKey()));

      Entry reversal = receipt.entries().single();
      Lot grace = accepted(loyalty.lots(ada)).single();
      assertEquals(reversal.id(), grace.id());
      assertEquals(Option.some(clock.instant().plus(Duration.ofDays(30))), grace.expiresAt());
      assertEquals(grace.expiresAt(), reversal.expiresAt());
      assertEquals(points(100), balanceOf(loyalty, ada).available());
    }

    @Test
    void aGracePeriodReachingPastTheSupportedYearsEndsTheGraceLotAtTheLastSupportedInstant() {
      Loyalty lenient = withReturnedPoints(ReturnedPoints.grace(ChronoUnit.FOREVER.getDuration()));
      earnExpiring(ada, 300, Duration.ofDays(5));
      Redemption r = accepted(lenient.redeem(ada, FREE_COFFEE, TILL, aKey()));
      // The hold is still open when the lot expires: a hold that lapsed before would get no grace.
      clock.advance(Duration.ofDays(5).minus(TTL.dividedBy(2)));
      Hold h = accepted(lenient.authorize(Authorization.points(ada, points(100), TTL, TILL, aKey())));
      clock.advance(Duration.ofDays(1).plus(TTL.dividedBy(2)));

      Receipt cancelled = accepted(lenient.cancelRedemption(r.entry(), "returned", aKey()));
      Receipt voided = accepted(lenient.voidHold(h.id(), "void", aKey()));

      Option<Instant> last = Option.some(Instant.parse("9999-12-31T23:59:59.999999999Z"));
      assertEquals(last, cancelled.entries().single().expiresAt());
      assertEquals(last, voided.entries().single().expiresAt());
      assertEquals(List.of(last, last), accepted(lenient.lots(ada)).filter(l -> !l.isExpiredAt(clock.instant()))
          .map(Lot::expiresAt));
      assertEquals(points(300), balanceOf(lenient, ada).available());
    }

    @Test
    void pointsTakenFromALotAlreadyExpiredGetNoGraceSoAHoldCannotExtendAnExpiry() {
      earnExpiring(ada, 100, Duration.ofDays(5));
      clock.advance(Duration.ofDays(6));
      Hold h = hold(ada, 100);

      accepted(loyalty.voidHold(h.id(), "void", aKey()));

      Lot lot = accepted(loyalty.lots(ada)).single();
      assertEquals(io.github.loyaltyledger.ledger.EntryId.of(ada, 1), lot.id());
      assertTrue(lot.isExpiredAt(clock.instant()));
    }

    /**
     * A hold that lapsed keeps nothing from the member after its lapse (ADR 0006): voided once its
     * lot expired after the lapse, its points go back to that lot without grace, as the daily run's
     * release of the same hold gives them, so whether they expire does not depend on which came first.
     */
    @Test
    void pointsOfAHoldVoidedAfterItLapsedGetNoGraceForALotThatExpiredAfterTheLapse() {
      earnExpiring(ada, 100, Duration.ofDays(5));
      clock.advance(Duration.ofDays(5).minus(TTL.multipliedBy(2)));
      Hold h = hold(ada, 100);
      clock.advance(TTL.multipliedBy(3));

      accepted(loyalty.voidHold(h.id(), "void", aKey()));

      Lot lot = accepted(loyalty.lots(ada)).single();
      assertEquals(io.github.loyaltyledger.ledger.EntryId.of(ada, 1), lot.id(), "no grace lot");
      assertTrue(lot.isExpiredAt(clock.instant()));
    }

    @Test
    void pointsOfAGraceLotThatExpiredWhileHeldGetNoSecondGraceSoHoldsCannotPostponeAnExpiryForever() {
      earnExpiring(ada, 100, Duration.ofDays(5));
      clock.advance(Duration.ofDays(5).minus(TTL));
      Hold first = hold(ada, 100);
      clock.advance(TTL.multipliedBy(2));
      Entry graceLot = accepted(loyalty.voidHold(first.id(), "void", aKey())).entries().single();
      assertEquals(graceLot.id(), accepted(loyalty.lots(ada)).single().id(), "the first return gets its grace");

      clock.advance(Duration.ofDays(30).minus(TTL));
      Hold second = hold(ada, 100);
      clock.advance(TTL.multipliedBy(2));
      accepted(loyalty.voidHold(second.id(), "void", aKey()));

      Lot lot = accepted(loyalty.lots(ada)).filter(l -> l.remaining().isPositive()).single();
      assertEquals(graceLot.id(), lot.id(), "the points went to a new grace lot");
      assertTrue(lot.isExpiredAt(clock.instant()));
      accepted(loyalty.expire(ada, clock.instant(), aKey()));
      assertEquals(new Balance(points(0), points(0), points(0)), balanceOf(loyalty, ada));
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
    }

    @Test
    void aCancelledRedemptionsPointsFromAnExpiredGraceLotGetNoSecondGraceEither() {
      earnExpiring(ada, 100, Duration.ofDays(5));
      Redemption r = redeem(ada, FREE_COFFEE);
      clock.advance(Duration.ofDays(6));
      Entry graceLot = accepted(loyalty.cancelRedemption(r.entry(), "returned", aKey())).entries().single();
      clock.advance(Duration.ofDays(29));
      Redemption again = redeem(ada, FREE_COFFEE);
      clock.advance(Duration.ofDays(2));

      accepted(loyalty.cancelRedemption(again.entry(), "returned", aKey()));

      Lot lot = accepted(loyalty.lots(ada)).filter(l -> l.remaining().isPositive()).single();
      assertEquals(graceLot.id(), lot.id(), "the points went to a new grace lot");
      assertTrue(lot.isExpiredAt(clock.instant()));
    }

    @Test
    void pointsOfALotThatExpiredMeanwhileExpireAtOnceUnderThatPolicy() {
      Loyalty strict = withReturnedPoints(ReturnedPoints.expireAtOnce());
      earnExpiring(ada, 100, Duration.ofDays(5));
      earned(loyalty, ada, 50);
      Redemption r = accepted(strict.redeem(ada, FREE_COFFEE, TILL, aKey()));
      clock.advance(Duration.ofDays(6));

      Receipt receipt = accepted(strict.cancelRedemption(r.entry(), "returned", aKey()));

      assertEquals(List.of(EntryKind.REVERSAL, EntryKind.EXPIRE), receipt.entries().map(Entry::kind));
      assertEquals(List.of(points(100), points(-100)), receipt.entries().map(Entry::points));
      assertEquals(new Balance(points(50), points(0), points(0)), balanceOf(loyalty, ada));
      assertTrue(accepted(strict.verify(ada)).isIntact());
    }

    @Test
    void underThatPolicyOnlyThePointsGivenBackExpireNotTheRestOfTheirLot() {
      Loyalty strict = withReturnedPoints(ReturnedPoints.expireAtOnce());
      earnExpiring(ada, 300, Duration.ofDays(5));
      earned(loyalty, ada, 50);
      Redemption r = accepted(strict.redeem(ada, FREE_COFFEE, TILL, aKey()));
      Hold h = accepted(strict.authorize(Authorization.points(ada, points(30), TTL, TILL, aKey())));
      clock.advance(Duration.ofDays(6));
      // The lot expired with 170 points left in it, which the next expiry run sweeps.
      Balance before = balanceOf(strict, ada);
      assertEquals(new Balance(points(220), points(0), points(30)), before);

      Receipt cancelled = accepted(strict.cancelRedemption(r.entry(), "returned", aKey()));
      Receipt voided = accepted(strict.voidHold(h.id(), "customer left", aKey()));

      assertEquals(List.of(points(100), points(-100)), cancelled.entries().map(Entry::points),
          "a cancellation expires the 100 points it gave back, not the 170 it never took");
      assertEquals(List.of(points(0), points(-30)), voided.entries().map(Entry::points));
      assertEquals(new Balance(points(220), points(0), points(0)), balanceOf(strict, ada),
          "giving points back never lowers the available balance");
      assertTrue(accepted(strict.verify(ada)).isIntact());
      assertEquals(balanceOf(strict, ada), accepted(strict.balanceAsOf(ada, clock.instant())));
      accepted(strict.expire(ada, clock.instant(), aKey()));
      assertEquals(new Balance(points(50), points(0), points(0)), balanceOf(strict, ada));
    }

    @Test
    void aVoidedHoldWhoseLotExpiredFollowsTheSamePolicy() {
      earnExpiring(ada, 100, Duration.ofMinutes(5));
      Hold h = hold(ada, 100);
      clock.advance(Duration.ofMinutes(20));

      Receipt receipt = accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), aKey()));

      Entry release = receipt.entries().single();
      assertEquals(EntryKind.RELEASE, release.kind());
      assertEquals(Option.some(h.id()), release.reference());
      assertEquals(release.id(), accepted(loyalty.lots(ada)).single().id());
      assertEquals(new Balance(points(100), points(0), points(0)), balanceOf(loyalty, ada));
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
    }
  }

  @Nested
  class ReversingACreditWhosePointsAreHeld {

    private Loyalty under(NegativeBalancePolicy policy) {
      return Loyalty.builder().program(Fixtures.aProgramWithRewards(tiers, ReturnedPoints.DEFAULT).toBuilder()
          .negativeBalancePolicy(policy).build()).store(store).clock(clock).build();
    }

    private EntryId credited(Loyalty l, long n, Duration expiringIn) {
      return accepted(l.credit(Credit.of(ada, points(n), "Credited by mistake", aKey())
          .expiringAt(clock.instant().plus(expiringIn)))).entries().single().id();
    }

    private void assertNothingIsLeft(Loyalty l) {
      assertEquals(Balance.EMPTY, balanceOf(l, ada));
      assertEquals(List.empty(), accepted(l.lots(ada)));
      assertTrue(accepted(l.verify(ada)).isIntact());
    }

    /**
     * Asserts that reversing {@code credit} is refused as {@code held} of its points on hold by
     * {@code h}, writing nothing, and is accepted once {@code h} is voided; returns that reversal.
     */
    private Entry reversedOnceTheHoldIsVoided(Loyalty l, EntryId credit, long held, Hold h) {
      LoyaltyError error = refusedAndWroteNothing(() -> l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));
      assertEquals(new LoyaltyError.PointsOnHold(credit, points(held), List.of(h.id())), error);
      accepted(l.voidHold(h.id(), "customer left", aKey()));
      return accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey()))).entries().single();
    }

    @ParameterizedTest
    @EnumSource(value = NegativeBalancePolicy.class, names = {"REFUSE", "CLAMP"})
    void aReversalNeedingHeldPointsIsRefusedSayingTheyAreHeldNotSpentAndWritesNothing(NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId credit = credited(l, 100, Duration.ofDays(365));
      Hold h = held(l, 60);

      LoyaltyError error = refusedAndWroteNothing(() -> l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));

      assertEquals(new LoyaltyError.PointsOnHold(credit, points(60), List.of(h.id())), error);
      assertEquals(MemberStatus.ACTIVE, ((LoyaltyError.PointsOnHold) error).status());
      assertTrue(error.message().contains("capture or void the hold (capture, voidHold)"), error.message());
    }

    @Test
    void aSuspendedMembersReversalNeedingHeldPointsAdvisesVoidingTheHoldOnlySinceTheirCaptureIsRefused() {
      Loyalty l = under(NegativeBalancePolicy.REFUSE);
      EntryId credit = credited(l, 100, Duration.ofDays(365));
      Hold h = held(l, 60);
      accepted(l.suspend(ada, "card reported stolen", aKey()));

      LoyaltyError error = refusedAndWroteNothing(() -> l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));

      assertEquals(new LoyaltyError.PointsOnHold(credit, points(60), List.of(h.id()), MemberStatus.SUSPENDED), error);
      assertTrue(error.message().endsWith("; void the hold (voidHold), then send the reversal or refund again: the"
          + " member is SUSPENDED, whose capture is refused until they are reactivated."), error.message());
      assertFalse(error.message().contains("capture or void"), error.message());
      assertEquals(new LoyaltyError.MemberNotActive(ada, MemberStatus.SUSPENDED), refused(l.capture(h.id(), aKey())));
      accepted(l.voidHold(h.id(), "customer left", aKey()));
      accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));
    }

    @Test
    void underRefuseAReversalThatVoidingTheHoldCouldNotMakePossibleIsRefusedAsInsufficientNotOnHold() {
      Loyalty l = under(NegativeBalancePolicy.REFUSE);
      EntryId credit = credited(l, 100, Duration.ofDays(365));
      Hold h = held(l, 60);
      accepted(l.debit(io.github.loyaltyledger.Debit.of(ada, points(30), "coffee", aKey())));

      // 10 available, 60 held: even with the hold voided, 70 of the 100 are there. Voiding a
      // customer's hold at the till would not help, so the answer is the one that stays true.
      LoyaltyError error = refusedAndWroteNothing(() -> l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));

      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(10), points(100), points(60)), error);
      assertTrue(error.message().contains("even voiding them all would not free enough"), error.message());
      accepted(l.voidHold(h.id(), "customer left", aKey()));
      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(70), points(100)),
          refused(l.reverse(Reversal.of(credit, "Credited by mistake", aKey()))));
    }

    @Test
    void underRefuseAReversalThatVoidingTheHoldWouldMakePossibleIsRefusedAsOnHold() {
      Loyalty l = under(NegativeBalancePolicy.REFUSE);
      EntryId credit = credited(l, 100, Duration.ofDays(365));
      Hold h = held(l, 60);
      accepted(l.credit(Credit.of(ada, points(30), "Welcome", aKey())));
      accepted(l.debit(io.github.loyaltyledger.Debit.of(ada, points(20), "coffee", aKey())));

      assertEquals(new LoyaltyError.PointsOnHold(credit, points(60), List.of(h.id())),
          refused(l.reverse(Reversal.of(credit, "Credited by mistake", aKey()))));
      accepted(l.voidHold(h.id(), "customer left", aKey()));
      assertEquals(points(-100), accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey())))
          .entries().single().points());
    }

    @Test
    void underRefuseAReversalThatVoidingTheHoldWouldMakePossibleWithPointsOfOtherLotsIsRefusedAsOnHold() {
      Loyalty l = under(NegativeBalancePolicy.REFUSE);
      accepted(l.credit(Credit.of(ada, points(100), "Welcome", aKey())
          .expiringAt(clock.instant().plus(Duration.ofDays(30)))));
      EntryId credit = credited(l, 100, Duration.ofDays(365));
      // The hold takes the 100 of the welcome lot, which expires first, and 50 of the credit's.
      Hold h = held(l, 150);
      accepted(l.debit(io.github.loyaltyledger.Debit.of(ada, points(50), "coffee", aKey())));

      // Only 50 of the credit's points are held, but the void gives back all 150: then 150 are
      // available, enough for the 100 the reversal needs. Voiding the hold helps.
      assertEquals(points(-100), reversedOnceTheHoldIsVoided(l, credit, 50, h).points());
    }

    @Test
    void underClampAVoidAfterTheHoldCannotBringReversedPointsBackForTheReversalWaitsForIt() {
      Loyalty l = under(NegativeBalancePolicy.CLAMP);
      EntryId credit = credited(l, 100, Duration.ofDays(365));
      Hold h = held(l, 60);
      refused(l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));

      accepted(l.voidHold(h.id(), "customer left", aKey()));
      Entry reversal = accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey()))).entries().single();

      assertEquals(points(-100), reversal.points());
      assertNothingIsLeft(l);
    }

    @Test
    void underClampPointsACaptureSpentAreClampedOnceTheHoldIsResolved() {
      Loyalty l = under(NegativeBalancePolicy.CLAMP);
      EntryId credit = credited(l, 100, Duration.ofDays(365));
      Hold h = held(l, 60);
      accepted(l.capture(h.id(), points(20), aKey()));

      Entry reversal = accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey()))).entries().single();

      assertEquals(points(-80), reversal.points());
      assertEquals(Option.some("20"), reversal.details().get("shortfall"));
      assertNothingIsLeft(l);
    }

    @Test
    void underClampHeldPointsOfALotThatExpiredMeanwhileAreNotForgivenEither() {
      Loyalty l = under(NegativeBalancePolicy.CLAMP);
      EntryId credit = credited(l, 100, Duration.ofDays(10));
      Hold h = held(l, 60);
      clock.advance(Duration.ofDays(11));
      assertEquals(points(-40), accepted(l.expire(ada, clock.instant(), aKey())).entries().single().points());

      assertEquals(new LoyaltyError.PointsOnHold(credit, points(60), List.of(h.id())),
          refused(l.reverse(Reversal.of(credit, "Credited by mistake", aKey()))));
      accepted(l.releaseExpiredHolds(ada, clock.instant(), aKey()));
      Entry reversal = accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey()))).entries().single();

      // The 60 came back to a grace lot, and the reversal takes them; the 40 expired unused.
      assertEquals(points(-60), reversal.points());
      assertEquals(Option.some("40"), reversal.details().get("expired"));
      assertNothingIsLeft(l);
    }

    @ParameterizedTest
    @EnumSource(value = NegativeBalancePolicy.class, names = {"REFUSE", "CLAMP"})
    void aReversalNeedingPointsOfTheCreditThatAHoldTookFromAGraceLotIsRefusedAsOnHoldAndWritesNothing(
        NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId credit = credited(l, 100, Duration.ofDays(10));
      Receipt coffee = accepted(l.debit(Debit.of(ada, points(100), "coffee", aKey())));
      clock.advance(Duration.ofDays(11));
      // Cancelled after the credit's lot expired: its 100 points go to a grace lot, still the credit's.
      accepted(l.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));
      Hold h = held(l, 60);

      // Held, not spent: clamped, the void would bring the 60 back to the grace lot for the member to keep.
      assertEquals(points(-100), reversedOnceTheHoldIsVoided(l, credit, 60, h).points());
      assertNothingIsLeft(l);
    }

    @ParameterizedTest
    @EnumSource(NegativeBalancePolicy.class)
    void voidingAHoldOnACreditsPointsInAGraceLotAfterItsReversalGivesThemToTheLotTheReversalTookFrom(
        NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId credit = credited(l, 100, Duration.ofDays(10));
      Receipt coffee = accepted(l.debit(Debit.of(ada, points(100), "coffee", aKey())));
      accepted(l.credit(Credit.of(ada, points(100), "Welcome", aKey())));
      clock.advance(Duration.ofDays(11));
      accepted(l.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));
      Hold h = held(l, 60);
      // The reversal takes the credit's 40 left in the grace lot and 60 of the welcome points in place of the held ones.
      accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));

      accepted(l.voidHold(h.id(), "customer left", aKey()));
      clock.advance(Duration.ofDays(31));
      accepted(l.expire(ada, clock.instant(), aKey()));

      // The welcome points never expire: the 60 come back to them, not to the reversed credit's grace lot.
      assertEquals(new Balance(points(100), points(0), points(0)), balanceOf(l, ada));
    }

    /**
     * A credit of 100 points made by mistake, spent, and given back after its lot expired (so to a
     * grace lot, still the credit's), beside 100 welcome points that never expire.
     */
    private EntryId inAGraceLotBesideWelcomePoints(Loyalty l) {
      EntryId credit = credited(l, 100, Duration.ofDays(10));
      Receipt coffee = accepted(l.debit(Debit.of(ada, points(100), "coffee", aKey())));
      accepted(l.credit(Credit.of(ada, points(100), "Welcome", aKey())));
      clock.advance(Duration.ofDays(11));
      accepted(l.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));
      return credit;
    }

    @ParameterizedTest
    @EnumSource(NegativeBalancePolicy.class)
    void cancellingARedemptionOfACreditsPointsInAGraceLotAfterItsReversalGivesThemToTheLotTheReversalTookFrom(
        NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId credit = inAGraceLotBesideWelcomePoints(l);
      Receipt cake = accepted(l.debit(Debit.of(ada, points(60), "cake", aKey())));
      reverseThenGiveBackTheSixty(l, credit, () -> accepted(l.cancelRedemption(cake.entries().single().id(), "not served",
          aKey())));
    }

    /** A payment's return of all its money at once is a whole cancellation, not a part (ADR 0006). */
    @ParameterizedTest
    @EnumSource(NegativeBalancePolicy.class)
    void cancellingAPaymentWholeOfACreditsPointsInAGraceLotAfterItsReversalGivesThemToTheLotTheReversalTookFrom(
        NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId credit = inAGraceLotBesideWelcomePoints(l);
      Redemption cake = accepted(l.payWithPoints(new PointsPayment(ada, PAY, Money.parse("EUR 100.00"), points(60), TILL,
          aKey())));
      reverseThenGiveBackTheSixty(l, credit, () -> accepted(l.cancelRedemption(cake.entry(), Money.parse("EUR 0.60"),
          "not served", aKey())));
    }

    /**
     * Reverses the credit, then gives back 60 points spent after it, and checks they went back to
     * the welcome points, not to the reversed credit's grace lot.
     */
    private void reverseThenGiveBackTheSixty(Loyalty l, EntryId credit, Runnable giveBack) {
      // The reversal takes the credit's 40 left in the grace lot and 60 of the welcome points in place of the spent ones.
      accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));

      giveBack.run();
      clock.advance(Duration.ofDays(31));
      accepted(l.expire(ada, clock.instant(), aKey()));

      // The welcome points never expire: the 60 come back to them, not to the reversed credit's grace lot.
      assertEquals(new Balance(points(100), points(0), points(0)), balanceOf(l, ada));
      assertTrue(accepted(l.verify(ada)).isIntact());
    }

    @Test
    void underClampAReversalWaitsForAHoldWhoseVoidGivesBackItsPointsThatAnotherReversalTookFromAGraceLot() {
      Loyalty l = under(NegativeBalancePolicy.CLAMP);
      EntryId first = credited(l, 10, Duration.ofDays(5));
      Receipt coffee = accepted(l.debit(Debit.of(ada, points(10), "coffee", aKey())));
      clock.advance(Duration.ofDays(6));
      accepted(l.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));   // a grace lot of the first's
      EntryId second = credited(l, 10, Duration.ofDays(20));
      Hold h = held(l, 10);                                                                  // the second's
      // In place of its held points, the second's reversal takes the first's from the grace lot.
      accepted(l.reverse(Reversal.of(second, "Credited by mistake", aKey())));

      // The void would give them back to the grace lot, the first's again: they are held, not spent.
      reversedOnceTheHoldIsVoided(l, first, 10, h);
      assertNothingIsLeft(l);
    }

    @Test
    void underClampAReversalWaitsForAHoldOnAnotherCreditsPointsInAGraceLotWhoseReversalTookItsPointsThere() {
      Loyalty l = under(NegativeBalancePolicy.CLAMP);
      EntryId first = credited(l, 10, Duration.ofDays(5));
      EntryId second = credited(l, 10, Duration.ofDays(5));
      Receipt coffee = accepted(l.debit(Debit.of(ada, points(20), "coffee", aKey())));
      clock.advance(Duration.ofDays(6));
      accepted(l.cancelRedemption(coffee.entries().single().id(), "not served", aKey()));   // the first's, then the second's
      Hold h = held(l, 1);                                                                   // one of the first's
      // The first's reversal takes its 9 left and, in place of the held one, one of the second's.
      accepted(l.reverse(Reversal.of(first, "Credited by mistake", aKey())));

      // The void would give that point back to the second's share of the grace lot: held, not spent.
      reversedOnceTheHoldIsVoided(l, second, 1, h);
      assertNothingIsLeft(l);
    }

    @Test
    void underAllowNegativeTheHeldPointsGoIntoDeficitWhichTheVoidRepays() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId credit = credited(l, 100, Duration.ofDays(365));
      Hold h = held(l, 60);

      accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));
      assertEquals(new Balance(points(-60), points(0), points(60)), balanceOf(l, ada));
      accepted(l.voidHold(h.id(), "customer left", aKey()));

      assertNothingIsLeft(l);
    }
  }

  /**
   * A credit reversed by hand whose points a hold or redemption had taken: the reversal takes as
   * many from the member's other lots, so when those points come back they belong there, not in
   * the reversed credit's lot, which would hand them the reversed credit's sooner expiry.
   */
  @Nested
  class AfterAReversal {

    private Loyalty under(NegativeBalancePolicy policy) {
      return Loyalty.builder().program(Fixtures.aProgramWithRewards(tiers, ReturnedPoints.DEFAULT).toBuilder()
          .negativeBalancePolicy(policy).build()).store(store).clock(clock).build();
    }

    /** A credit of {@code n} points expiring in 10 days, made by mistake. */
    private EntryId mistaken(Loyalty l, long n) {
      return accepted(l.credit(Credit.of(ada, points(n), "Credited by mistake", aKey())
          .expiringAt(clock.instant().plus(Duration.ofDays(10))))).entries().single().id();
    }

    private void reversed(Loyalty l, EntryId credit) {
      accepted(l.reverse(Reversal.of(credit, "Credited by mistake", aKey())));
    }

    /**
     * The kept points are all in the year-long lot, and stay when the reversed credit's date passes;
     * the insights, replaying the ledger, find the same lots.
     */
    private void assertOnlyTheKeptPointsAreLeft(Loyalty l, long kept) {
      assertEquals(List.of(points(kept)), accepted(l.lots(ada)).map(Lot::remaining));
      assertEquals(new Balance(points(kept), points(0), points(0)), balanceOf(l, ada));
      Instant then = clock.instant();
      Liability owed = accepted(l.liability(then, ZoneOffset.UTC, RATE));
      clock.advance(Duration.ofDays(40));
      accepted(l.expire(ada, clock.instant(), aKey()));
      assertEquals(new Balance(points(kept), points(0), points(0)), balanceOf(l, ada));
      assertTrue(accepted(l.verify(ada)).isIntact());
      accepted(l.credit(Credit.of(ada, points(1), "Later", aKey())));
      assertEquals(owed, accepted(l.liability(then, ZoneOffset.UTC, RATE)), "the insights' lots as of then");
    }

    @ParameterizedTest
    @EnumSource(NegativeBalancePolicy.class)
    void voidingAHoldGivesThePointsBackToTheLotTheReversalTookThemFrom(NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId credit = mistaken(l, 100);
      earnExpiring(ada, 200, Duration.ofDays(365));
      Hold h = held(l, 60);
      reversed(l, credit);

      accepted(l.voidHold(h.id(), "customer left", aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 200);
    }

    @Test
    void releasingAnExpiredHoldDoesTheSame() {
      Loyalty l = under(NegativeBalancePolicy.REFUSE);
      EntryId credit = mistaken(l, 100);
      earnExpiring(ada, 200, Duration.ofDays(365));
      held(l, 60);
      reversed(l, credit);
      clock.advance(TTL);

      accepted(l.releaseExpiredHolds(ada, clock.instant(), aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 200);
    }

    @Test
    void theRestOfAPartlyCapturedHoldGoesBackToTheLotTheReversalTookFrom() {
      Loyalty l = under(NegativeBalancePolicy.CLAMP);
      EntryId credit = mistaken(l, 100);
      earnExpiring(ada, 200, Duration.ofDays(365));
      Hold h = held(l, 60);
      reversed(l, credit);

      accepted(l.capture(h.id(), points(25), aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 175);
    }

    /**
     * Only entries giving points back record which lots repaid a deficit ({@code deficit.repaid.*}):
     * a credit's own facts under such a name were read as one, and a cancellation threw.
     */
    @Test
    void aCreditsOwnFactNamedLikeTheDeficitRecordIsNotReadAsOneWhenPointsComeBack() {
      Loyalty l = under(NegativeBalancePolicy.CLAMP);
      EntryId credit = mistaken(l, 100);
      Redemption coffee = accepted(l.redeem(ada, FREE_COFFEE, TILL, aKey()));
      earnExpiring(ada, 30, Duration.ofDays(365));
      reversed(l, credit);
      accepted(l.credit(Credit.of(ada, points(10), "Survey", aKey())
          .explainedBy(List.empty(), io.vavr.collection.TreeMap.of("deficit.repaid.note", "see ticket 12"))));

      accepted(l.cancelRedemption(coffee.entry(), "returned", aKey()));

      // The reversal was clamped: 30 of the coffee's points go to the lot it took, and the 70 it forgave
      // are settled (taken back from the credit's lot), as under ALLOW_NEGATIVE they repay the deficit.
      assertEquals(new Balance(points(40), points(0), points(0)), balanceOf(l, ada));
      assertTrue(accepted(l.verify(ada)).isIntact());
    }

    /** A debit reversed by hand gives its points back as a cancelled redemption does. */
    @ParameterizedTest
    @EnumSource(NegativeBalancePolicy.class)
    void reversingADebitGivesThePointsBackToTheLotTheCreditsReversalTookThemFrom(NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId credit = mistaken(l, 150);
      earnExpiring(ada, 200, Duration.ofDays(365));
      Entry debit = accepted(l.debit(io.github.loyaltyledger.Debit.of(ada, points(100), "Goodwill taken back", aKey())))
          .entries().single();
      reversed(l, credit);

      accepted(l.reverse(Reversal.of(debit.id(), "Debited by mistake", aKey())));

      assertOnlyTheKeptPointsAreLeft(l, 200);
    }

    @Test
    void cancellingARedemptionGivesThePointsBackToTheLotTheReversalTookThemFrom() {
      Loyalty l = under(NegativeBalancePolicy.REFUSE);
      EntryId credit = mistaken(l, 150);
      earnExpiring(ada, 200, Duration.ofDays(365));
      Redemption coffee = accepted(l.redeem(ada, FREE_COFFEE, TILL, aKey()));
      reversed(l, credit);

      accepted(l.cancelRedemption(coffee.entry(), "returned", aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 200);
    }

    @ParameterizedTest
    @EnumSource(NegativeBalancePolicy.class)
    void voidingAHoldAfterAChainOfReversalsGivesThePointsToTheLotTheLastReversalTookThemFrom(NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId first = mistaken(l, 100);
      EntryId second = mistaken(l, 200);
      earnExpiring(ada, 300, Duration.ofDays(365));
      Hold h = held(l, 60);
      reversed(l, first);
      reversed(l, second);

      accepted(l.voidHold(h.id(), "customer left", aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 300);
    }

    @ParameterizedTest
    @EnumSource(value = NegativeBalancePolicy.class, names = {"REFUSE", "CLAMP"})
    void reversingACreditWhosePointsAnotherReversalTookInPlaceOfHeldOnesWaitsForTheHold(NegativeBalancePolicy policy) {
      Loyalty l = under(policy);
      EntryId first = mistaken(l, 100);
      EntryId second = mistaken(l, 200);
      Hold h = held(l, 60);
      reversed(l, first);
      Balance before = balanceOf(l, ada);

      assertEquals(new LoyaltyError.PointsOnHold(second, points(60), List.of(h.id())),
          refused(l.reverse(Reversal.of(second, "Credited by mistake", aKey()))));
      assertEquals(before, balanceOf(l, ada));

      accepted(l.voidHold(h.id(), "customer left", aKey()));
      reversed(l, second);
      assertEquals(new Balance(points(0), points(0), points(0)), balanceOf(l, ada));
      assertEquals(List.empty(), accepted(l.lots(ada)));
    }

    @Test
    void pointsAReversalTookFromALotAlreadyExpiredGoBackToItWithoutGrace() {
      Loyalty l = under(NegativeBalancePolicy.REFUSE);
      EntryId credit = mistaken(l, 100);
      Hold h = held(l, 60);
      earnExpiring(ada, 200, Duration.ofDays(1));
      earnExpiring(ada, 300, Duration.ofDays(365));
      clock.advance(Duration.ofDays(2));
      // The day-long lot has expired but is not swept yet: the reversal takes 60 of its points.
      reversed(l, credit);

      accepted(l.voidHold(h.id(), "customer left", aKey()));
      accepted(l.expire(ada, clock.instant(), aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 300);
    }

    @Test
    void underAllowNegativePointsGivenBackAfterALaterCreditRepaidTheDeficitGoToThatCreditsLot() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId credit = mistaken(l, 100);
      Hold h = held(l, 60);
      reversed(l, credit);
      earnExpiring(ada, 300, Duration.ofDays(365));
      assertEquals(new Balance(points(240), points(0), points(60)), balanceOf(l, ada));

      accepted(l.voidHold(h.id(), "customer left", aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 300);
    }

    @Test
    void underAllowNegativePointsGivenBackToACreditReversedSinceItRepaidTheDeficitRepayWhatItsReversalOverdrew() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId credit = mistaken(l, 40);
      Hold h = held(l, 40);
      reversed(l, credit);
      EntryId repayer = mistaken(l, 20);
      earnExpiring(ada, 20, Duration.ofDays(365));
      // The repayer's reversal overdraws again; a later credit repays half of it.
      reversed(l, repayer);
      earnExpiring(ada, 10, Duration.ofDays(365));
      assertEquals(new Balance(points(-10), points(0), points(40)), balanceOf(l, ada));

      accepted(l.voidHold(h.id(), "customer left", aKey()));

      // 20 to each credit that repaid the first deficit; the reversed one's repay the rest of its
      // own reversal's deficit and the credit that repaid the other half: none come back to its lot.
      assertEquals(List.of(points(20), points(10)), accepted(l.lots(ada)).map(Lot::remaining));
      Instant then = clock.instant();
      Liability owed = accepted(l.liability(then, ZoneOffset.UTC, RATE));
      clock.advance(Duration.ofDays(40));
      accepted(l.expire(ada, clock.instant(), aKey()));
      assertEquals(new Balance(points(30), points(0), points(0)), balanceOf(l, ada));
      assertTrue(accepted(l.verify(ada)).isIntact());
      assertEquals(owed, accepted(l.liability(then, ZoneOffset.UTC, RATE)), "the insights' lots as of then");
    }

    @Test
    void underAllowNegativeALotThatRepaidBothDeficitsGetsBackAllItRepaidAndTheReversedCreditsLotNone() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId credit = mistaken(l, 40);
      Hold h = held(l, 40);
      reversed(l, credit);
      EntryId repayer = mistaken(l, 30);
      // The year-long lot repays the last 10 of the first deficit, keeps 10, which a debit spends.
      earnExpiring(ada, 20, Duration.ofDays(365));
      Receipt coffee = accepted(l.debit(Debit.of(ada, points(10), "Coffee", aKey())));
      reversed(l, repayer);
      // The debit's points come back to a deficit again: the repayer's reversal overdrew it.
      accepted(l.reverse(Reversal.of(coffee.entries().single().id(), "Charged by mistake", aKey())));
      assertEquals(new Balance(points(-20), points(0), points(40)), balanceOf(l, ada));

      accepted(l.voidHold(h.id(), "customer left", aKey()));

      // 30 for the repayer, whose reversal's deficit they repay, and 10 for the year-long lot; and of
      // the repayer's 30, 20 repay what is left of that deficit and 10 go to the year-long lot, which
      // repaid the rest of it with the debit's points.
      assertOnlyTheKeptPointsAreLeft(l, 20);
    }

    @Test
    void underAllowNegativePointsMovedToALotWhoseCreditsReversalOverdrewRepayThatDeficitAlsoInTheInsights() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId credit = mistaken(l, 20);
      Hold h = held(l, 20);
      EntryId other = mistaken(l, 10);
      earnExpiring(ada, 10, Duration.ofDays(365));
      // The first reversal takes the other mistaken credit's 10 and the year-long lot's 10; the
      // second, finding its lot empty, overdraws.
      reversed(l, credit);
      reversed(l, other);
      assertEquals(new Balance(points(-10), points(0), points(20)), balanceOf(l, ada));

      accepted(l.voidHold(h.id(), "customer left", aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 10);
    }

    @Test
    void underAllowNegativePointsThatAGraceLotGaveToTheDeficitAreGivenBackToTheirLotNotToTheReversedCredits() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      earnExpiring(ada, 50, Duration.ofDays(1));
      EntryId credit = mistaken(l, 100);
      Hold kept = held(l, 50);
      Hold mistakenPoints = held(l, 60);
      reversed(l, credit);
      clock.advance(Duration.ofDays(2));
      // The day-long lot expired since the hold took it: its 50 points get a grace lot, which repays
      // the deficit the reversal overdrew.
      accepted(l.voidHold(kept.id(), "customer left", aKey()));
      earnExpiring(ada, 300, Duration.ofDays(365));
      assertEquals(new Balance(points(290), points(0), points(60)), balanceOf(l, ada));

      accepted(l.voidHold(mistakenPoints.id(), "customer left", aKey()));

      assertEquals(List.empty(), accepted(l.lots(ada)).filter(lot -> lot.id().equals(credit)),
          "the reversed credit's lot has points again");
      assertEquals(new Balance(points(350), points(0), points(0)), balanceOf(l, ada));
      Instant then = clock.instant();
      Liability owed = accepted(l.liability(then, ZoneOffset.UTC, RATE));
      clock.advance(Duration.ofMinutes(1));
      accepted(l.credit(Credit.of(ada, points(1), "Later", aKey())));
      assertEquals(owed, accepted(l.liability(then, ZoneOffset.UTC, RATE)), "the insights' lots as of then");
    }

    @Test
    void underAllowNegativeTheLaterCreditsThatRepaidTheDeficitGetTheirPointsBackOnce() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId first = mistaken(l, 100);
      Hold one = held(l, 60);
      EntryId second = mistaken(l, 50);
      Hold other = held(l, 50);
      reversed(l, first);
      reversed(l, second);
      earnExpiring(ada, 100, Duration.ofDays(365));
      earnExpiring(ada, 100, Duration.ofDays(365));
      assertEquals(new Balance(points(90), points(0), points(110)), balanceOf(l, ada));

      accepted(l.voidHold(one.id(), "customer left", aKey()));
      accepted(l.voidHold(other.id(), "customer left", aKey()));

      assertEquals(List.of(points(100), points(100)), accepted(l.lots(ada)).map(Lot::remaining));
      clock.advance(Duration.ofDays(40));
      accepted(l.expire(ada, clock.instant(), aKey()));
      assertEquals(new Balance(points(200), points(0), points(0)), balanceOf(l, ada));
    }

    @Test
    void underAllowNegativePointsGivenBackAfterAVoidRepaidTheDeficitGoToTheLotWhosePointsRepaidIt() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId credit = mistaken(l, 100);
      Hold h1 = held(l, 60);
      earnExpiring(ada, 50, Duration.ofDays(365));
      Hold h2 = held(l, 50);
      reversed(l, credit);
      accepted(l.voidHold(h2.id(), "customer left", aKey()));
      accepted(l.voidHold(h1.id(), "customer left", aKey()));
      assertOnlyTheKeptPointsAreLeft(l, 50);
    }

    @Test
    void underAllowNegativeTheReversedCreditsPointsRepayTheDeficitEvenWhenItsLotExpiredMeanwhile() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId credit = accepted(l.credit(Credit.of(ada, points(100), "Credited by mistake", aKey())
          .expiringAt(clock.instant().plus(Duration.ofDays(1))))).entries().single().id();
      earnExpiring(ada, 50, Duration.ofDays(365));
      Hold h = accepted(l.authorize(Authorization.points(ada, points(120), Duration.ofDays(1), TILL, aKey())));
      reversed(l, credit);
      assertEquals(new Balance(points(-70), points(0), points(120)), balanceOf(l, ada));
      clock.advance(Duration.ofDays(2));

      accepted(l.voidHold(h.id(), "customer left", aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 50);
    }

    @Test
    void cancellingARedemptionAfterAChainOfReversalsDoesTheSame() {
      Loyalty l = under(NegativeBalancePolicy.REFUSE);
      EntryId first = mistaken(l, 150);
      EntryId second = mistaken(l, 200);
      earnExpiring(ada, 300, Duration.ofDays(365));
      Redemption coffee = accepted(l.redeem(ada, FREE_COFFEE, TILL, aKey()));
      reversed(l, first);
      reversed(l, second);

      accepted(l.cancelRedemption(coffee.entry(), "returned", aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 300);
    }

    @Test
    void underAllowNegativeTheReversedCreditsPointsRepayTheDeficitAndTheOtherLotGetsItsOwnBack() {
      Loyalty l = under(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId credit = mistaken(l, 100);
      earnExpiring(ada, 30, Duration.ofDays(365));
      Hold h = held(l, 60);
      reversed(l, credit);
      assertEquals(new Balance(points(-30), points(0), points(60)), balanceOf(l, ada));

      accepted(l.voidHold(h.id(), "customer left", aKey()));

      assertOnlyTheKeptPointsAreLeft(l, 30);
    }
  }

  @Nested
  class AfterARefund {

    private Loyalty earning;

    @BeforeEach
    void aProgramThatEarnsOnPurchases() {
      earning = Loyalty.builder().program(Fixtures.aProgramWithRewards(tiers, ReturnedPoints.DEFAULT).toBuilder()
              .earnRules(io.github.loyaltyledger.earning.RuleBook.of(io.github.loyaltyledger.earning.BaseRate.of("base", "1")))
              .lotExpiry(io.github.loyaltyledger.expiry.FixedTermExpiry.days(10))
              .build())
          .store(store).clock(clock).build();
    }

    /** A purchase of {@code euros} whose points (1 per euro) expire in 10 days. */
    private IdempotencyKey bought(String euros) {
      IdempotencyKey transaction = aKey();
      accepted(earning.earn(Fixtures.aPurchase(ada, transaction, clock.instant(), Fixtures.line("A", 1, euros))));
      return transaction;
    }

    private void refunded(IdempotencyKey transaction, String euros) {
      accepted(earning.refund(io.github.loyaltyledger.earning.Refund.ofAmount(transaction, aKey(), Fixtures.eur(euros))));
    }

    private void assertOnlyTheKeptPointsAreLeft(long kept) {
      assertEquals(List.of(points(kept)), accepted(earning.lots(ada)).map(Lot::remaining));
      assertEquals(new Balance(points(kept), points(0), points(0)), balanceOf(earning, ada));
      // The refunded purchase's lot would have expired now, taking points the member kept.
      clock.advance(Duration.ofDays(40));
      accepted(earning.expire(ada, clock.instant(), aKey()));
      assertEquals(new Balance(points(kept), points(0), points(0)), balanceOf(earning, ada));
      assertTrue(accepted(earning.verify(ada)).isIntact());
    }

    @Test
    void cancellingAPaymentGivesTheRefundedPurchasesPointsBackToTheLotTheRefundTookThemFrom() {
      IdempotencyKey purchase = bought("10.00");
      earnExpiring(ada, 500, Duration.ofDays(365));
      Redemption paid = accepted(earning.payWithPoints(new PointsPayment(ada, PAY, Fixtures.eur("20.00"), points(400), TILL, aKey())));
      refunded(purchase, "10.00");

      accepted(earning.cancelRedemption(paid.entry(), "basket returned", aKey()));

      assertOnlyTheKeptPointsAreLeft(500);
    }

    @Test
    void cancellingARedemptionBetweenTwoPartialRefundsMovesEachPointOnce() {
      IdempotencyKey purchase = bought("100.00");
      earnExpiring(ada, 500, Duration.ofDays(365));
      Redemption coffee = redeem(ada, FREE_COFFEE);
      refunded(purchase, "50.00");
      accepted(earning.cancelRedemption(coffee.entry(), "returned", aKey()));
      refunded(purchase, "50.00");

      assertOnlyTheKeptPointsAreLeft(500);
    }

    @Test
    void voidingAHoldGivesTheRefundedPurchasesPointsBackToTheLotTheRefundTookThemFrom() {
      IdempotencyKey purchase = bought("100.00");
      earnExpiring(ada, 500, Duration.ofDays(365));
      Hold h = hold(ada, 150);
      refunded(purchase, "100.00");

      accepted(earning.voidHold(h.id(), "till closed", aKey()));

      assertOnlyTheKeptPointsAreLeft(500);
    }

    @Test
    void underClampARefundNeedingHeldPointsWaitsForTheHoldSoItsVoidCannotBringThemBack() {
      IdempotencyKey purchase = bought("100.00");
      Hold h = hold(ada, 100);

      LoyaltyError error = refusedAndWroteNothing(() -> earning.refund(
          io.github.loyaltyledger.earning.Refund.ofAmount(purchase, aKey(), Fixtures.eur("100.00"))));
      assertInstanceOf(LoyaltyError.PointsOnHold.class, error);
      assertEquals(List.of(h.id()), ((LoyaltyError.PointsOnHold) error).holds());
      accepted(earning.voidHold(h.id(), "till closed", aKey()));
      refunded(purchase, "100.00");

      assertEquals(Balance.EMPTY, balanceOf(earning, ada));
      assertEquals(List.empty(), accepted(earning.lots(ada)));
      assertTrue(accepted(earning.verify(ada)).isIntact());
    }

    @Test
    void releasingTwoExpiredHoldsInOneRunMovesEachRefundedPointOnce() {
      IdempotencyKey purchase = bought("100.00");
      earnExpiring(ada, 500, Duration.ofDays(365));
      hold(ada, 60);
      hold(ada, 40);
      // The purchase's lot is all held: the refund of half takes its 50 points from the other lot.
      refunded(purchase, "50.00");
      clock.advance(TTL);

      accepted(earning.releaseExpiredHolds(ada, clock.instant(), aKey()));

      // 50 of the held points go back to the other lot, the 50 the member kept to the purchase's.
      assertEquals(List.of(points(50), points(500)), accepted(earning.lots(ada)).map(Lot::remaining));
      clock.advance(Duration.ofDays(40));
      accepted(earning.expire(ada, clock.instant(), aKey()));
      assertEquals(new Balance(points(500), points(0), points(0)), balanceOf(earning, ada));
      assertTrue(accepted(earning.verify(ada)).isIntact());
    }

    @Test
    void theRestOfAPartlyCapturedHoldGoesBackToTheLotTheRefundTookFrom() {
      IdempotencyKey purchase = bought("100.00");
      earnExpiring(ada, 500, Duration.ofDays(365));
      Hold h = hold(ada, 150);
      refunded(purchase, "100.00");

      accepted(earning.capture(h.id(), points(30), aKey()));

      assertOnlyTheKeptPointsAreLeft(470);
    }

    /** A purchase of {@code euros} by {@code m} whose points (1 per euro) expire in 10 days. */
    private IdempotencyKey bought(MemberId m, String euros) {
      IdempotencyKey transaction = aKey();
      accepted(earning.earn(Fixtures.aPurchase(m, transaction, clock.instant(), Fixtures.line("A", 1, euros))));
      return transaction;
    }

    private Redemption paidWith(MemberId m, long n) {
      return accepted(earning.payWithPoints(new PointsPayment(m, PAY, Fixtures.eur("20.00"), points(n), TILL, aKey())));
    }

    /** Nothing left, in the balance, the lots, the liability the insights replay, and an intact chain. */
    private void assertNothingIsLeft(MemberId m) {
      assertEquals(Balance.EMPTY, balanceOf(earning, m));
      assertEquals(List.empty(), accepted(earning.lots(m)));
      assertEquals(points(0), accepted(earning.liability(clock.instant(), ZoneOffset.UTC, RATE)).outstanding());
      assertTrue(accepted(earning.verify(m)).isIntact());
    }

    @Test
    void underClampARefundAndTheCancellationOfThePaymentThatSpentItsPointsLeaveNothingInEitherOrder() {
      IdempotencyKey adas = bought(ada, "100.00");
      Redemption adaPaid = paidWith(ada, 100);
      IdempotencyKey bobs = bought(bob, "100.00");
      Redemption bobPaid = paidWith(bob, 100);

      refunded(adas, "100.00");
      accepted(earning.cancelRedemption(adaPaid.entry(), "basket returned", aKey()));
      accepted(earning.cancelRedemption(bobPaid.entry(), "basket returned", aKey()));
      accepted(earning.refund(io.github.loyaltyledger.earning.Refund.ofAmount(bobs, aKey(), Fixtures.eur("100.00"))));

      assertNothingIsLeft(ada);
      assertNothingIsLeft(bob);
    }

    /**
     * The refund forgave the purchase's points the first coffee spent; the second coffee's points
     * (of another lot) coming back settle it, as the refund would have taken them had they been there,
     * and the first coffee's then go to that lot.
     */
    @Test
    void underClampOtherPointsGivenBackSettleWhatARefundForgaveAsTheRefundWouldHaveTakenThem() {
      MemberId[] members = {ada, bob};
      for (MemberId m : members) {
        IdempotencyKey purchase = bought(m, "100.00");
        earnExpiring(m, 100, Duration.ofDays(365));
        Redemption first = redeem(m, FREE_COFFEE);
        Redemption second = redeem(m, FREE_COFFEE);
        if (m.equals(ada)) {
          accepted(earning.refund(io.github.loyaltyledger.earning.Refund.ofAmount(purchase, aKey(), Fixtures.eur("100.00"))));
          accepted(earning.cancelRedemption(second.entry(), "returned", aKey()));
        } else {
          accepted(earning.cancelRedemption(second.entry(), "returned", aKey()));
          accepted(earning.refund(io.github.loyaltyledger.earning.Refund.ofAmount(purchase, aKey(), Fixtures.eur("100.00"))));
        }
        assertEquals(Balance.EMPTY, balanceOf(earning, m));

        accepted(earning.cancelRedemption(first.entry(), "returned", aKey()));

        // In the year-long lot: the purchase's expired with it.
        assertEquals(List.of(io.vavr.Tuple.of(points(100), Option.some(clock.instant().plus(Duration.ofDays(365))))),
            accepted(earning.lots(m)).map(l -> io.vavr.Tuple.of(l.remaining(), l.expiresAt())));
        assertTrue(accepted(earning.verify(m)).isIntact());
      }
      assertEquals(points(200), accepted(earning.liability(clock.instant(), ZoneOffset.UTC, RATE)).outstanding());
    }

    /**
     * A hold on other points does not wait for the refund (they are not the purchase's), so the refund
     * forgives the purchase's spent points; the hold's points coming back (voided, released by the
     * daily run, or the rest of a partial capture) settle them, as the refund would have taken them
     * had the hold been resolved first.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"void", "release", "capture"})
    void underClampAHoldsPointsComingBackSettleWhatARefundForgave(String resolution) {
      IdempotencyKey purchase = bought("100.00");
      redeem(ada, FREE_COFFEE);
      earnExpiring(ada, 150, Duration.ofDays(365));
      Hold h = hold(ada, 150);
      Receipt refund = accepted(earning.refund(
          io.github.loyaltyledger.earning.Refund.ofAmount(purchase, aKey(), Fixtures.eur("100.00"))));
      assertEquals(Option.some("100"), refund.entries().head().details().get("shortfall"));

      switch (resolution) {
        case "void" -> accepted(earning.voidHold(h.id(), "till closed", aKey()));
        case "release" -> {
          clock.advance(TTL);
          accepted(earning.releaseExpiredHolds(ada, clock.instant(), aKey()));
        }
        default -> accepted(earning.capture(h.id(), points(20), aKey()));
      }

      long kept = resolution.equals("capture") ? 30 : 50;
      assertEquals(new Balance(points(kept), points(0), points(0)), balanceOf(earning, ada));
      assertEquals(List.of(points(kept)), accepted(earning.lots(ada)).map(Lot::remaining));
      assertEquals(points(kept), accepted(earning.liability(clock.instant(), ZoneOffset.UTC, RATE)).outstanding());
      assertTrue(accepted(earning.verify(ada)).isIntact());
    }

    @Test
    void underClampTheCancellationSettlesWhatTheRefundForgaveWithAReversalOfThePurchase() {
      IdempotencyKey purchase = bought("100.00");
      Redemption coffee = redeem(ada, FREE_COFFEE);
      refunded(purchase, "100.00");
      Entry award = store.entries(ada, 1, 1000).find(e -> e.kind() == EntryKind.EARN).get();

      Receipt cancelled = accepted(earning.cancelRedemption(coffee.entry(), "returned", aKey()));

      assertEquals(List.of(EntryKind.REVERSAL, EntryKind.REVERSAL), cancelled.entries().map(Entry::kind));
      assertEquals(points(100), cancelled.entries().get(0).points());
      Entry settled = cancelled.entries().get(1);
      assertEquals(Option.some(award.id()), settled.reference());
      assertEquals(points(-100), settled.points());
      assertEquals(List.of(new LotMovement(award.id(), points(-100))), settled.movements());
      assertEquals(Option.some("100"), settled.details().get("forgiven.settled"));
      assertNothingIsLeft(ada);
    }

    /**
     * The purchase's lot expired before the coffee came back: the points that settle what the refund
     * forgave go back to that lot itself, not to a grace lot as the member's own would, and are taken
     * from there.
     */
    @Test
    void underClampPointsSettlingWhatARefundForgaveGoBackToThePurchasesExpiredLotWithoutGrace() {
      IdempotencyKey purchase = bought("100.00");
      Redemption coffee = redeem(ada, FREE_COFFEE);
      refunded(purchase, "100.00");
      Entry award = store.entries(ada, 1, 1000).find(e -> e.kind() == EntryKind.EARN).get();
      clock.advance(Duration.ofDays(11));

      Receipt cancelled = accepted(earning.cancelRedemption(coffee.entry(), "returned", aKey()));

      assertEquals(List.of(new LotMovement(award.id(), points(100))), cancelled.entries().get(0).movements());
      Entry settled = cancelled.entries().get(1);
      assertEquals(List.of(new LotMovement(award.id(), points(-100))), settled.movements());
      assertEquals(Option.none(), settled.details().keySet().find(k -> k.startsWith("grace.taken.")));
      assertNothingIsLeft(ada);
    }

    /**
     * A purchase of 100.00 whose points a coffee spent, refunded by {@code euros} (which forgives the
     * points it needs), then the coffee cancelled, which settles them; returns the purchase.
     */
    private IdempotencyKey settledAfterARefundOf(String euros) {
      IdempotencyKey purchase = bought("100.00");
      Redemption coffee = redeem(ada, FREE_COFFEE);
      refunded(purchase, euros);
      accepted(earning.cancelRedemption(coffee.entry(), "returned", aKey()));
      return purchase;
    }

    /** The refund took back 30.00 of the purchase's spend; settling what it forgave takes back no more. */
    @Test
    void underClampTheReversalThatSettlesWhatARefundForgaveLeavesThePurchaseAndTheRestOfItsSpend() {
      settledAfterARefundOf("30.00");

      io.github.loyaltyledger.insight.RfmProfile profile = earning.rfm(clock.instant(), ZoneOffset.UTC).profile(ada)
          .getOrElseThrow(() -> new AssertionError("the purchase, 70.00 of which was kept, is not counted"));
      assertEquals(1, profile.purchases());
      assertEquals(Fixtures.eur("70.00"), profile.spend());
    }

    /** A statement shows no entry ids: the settling line names the purchase as the purchase's line does. */
    @Test
    void underClampTheStatementLineOfASettlementNamesThePurchaseItsRefundForgave() {
      IdempotencyKey purchase = settledAfterARefundOf("100.00");

      io.github.loyaltyledger.insight.Statement statement = accepted(earning.statement(ada,
          clock.instant().minus(Duration.ofDays(1)), clock.instant().plusSeconds(1), Duration.ofDays(30)));

      io.github.loyaltyledger.insight.StatementLine settled = statement.lines().last();
      assertEquals(points(-100), settled.points());
      assertEquals("Points of \"Purchase " + purchase + "\" that were spent when they were taken back,"
          + " settled as points came back", settled.reason());
    }

    /** As every reason the library writes, the settlement's is kept to 500 characters, however long the credit's. */
    @Test
    void underClampTheReasonOfASettlementForACreditWithALongReasonIsKeptTo500Characters() {
      Receipt credited = accepted(earning.credit(Credit.of(ada, points(100), "g".repeat(500), aKey())));
      Receipt spent = accepted(earning.debit(Debit.of(ada, points(100), "Shop", aKey())));
      accepted(earning.reverse(Reversal.of(credited.entries().head().id(), "in error", aKey())));

      Receipt given = accepted(earning.reverse(Reversal.of(spent.entries().head().id(), "shop refunded", aKey())));

      assertEquals(500, given.entries().last().reason().length());
    }

    @Test
    void underClampPointsGivenBackAfterSeveralRefundsSettleWhatEachForgaveAndTheRestStays() {
      IdempotencyKey purchase = bought("100.00");
      Redemption coffee = redeem(ada, FREE_COFFEE);
      refunded(purchase, "30.00");
      refunded(purchase, "20.00");

      accepted(earning.cancelRedemption(coffee.entry(), "returned", aKey()));

      assertEquals(List.of(points(50)), accepted(earning.lots(ada)).map(Lot::remaining));
      refunded(purchase, "50.00");
      assertNothingIsLeft(ada);
    }

    @Test
    void underClampPointsGivenBackToACreditReversedByHandDoNotComeBackToLife() {
      Receipt credited = accepted(earning.credit(Credit.of(ada, points(100), "Goodwill", aKey())));
      Receipt spent = accepted(earning.debit(Debit.of(ada, points(100), "Shop", aKey())));
      Entry reversal = accepted(earning.reverse(Reversal.of(credited.entries().head().id(), "in error", aKey())))
          .entries().head();
      assertEquals(Option.some("100"), reversal.details().get("shortfall"));

      accepted(earning.reverse(Reversal.of(spent.entries().head().id(), "shop refunded", aKey())));

      assertNothingIsLeft(ada);
    }

    /**
     * The shop debit reversed took another credit's points, not the reversed credit's: what it gives
     * back settles what the credit's reversal forgave all the same, as that reversal would have taken
     * them had they been there.
     */
    @Test
    void underClampADebitReversedByHandSettlesWhatAnotherCreditsReversalForgaveOutOfOtherPoints() {
      Receipt credited = accepted(earning.credit(Credit.of(ada, points(100), "Goodwill", aKey())));
      accepted(earning.credit(Credit.of(ada, points(100), "Welcome", aKey())));
      accepted(earning.debit(Debit.of(ada, points(100), "Shop", aKey())));
      Receipt other = accepted(earning.debit(Debit.of(ada, points(100), "Shop again", aKey())));
      accepted(earning.reverse(Reversal.of(credited.entries().head().id(), "in error", aKey())));

      Receipt given = accepted(earning.reverse(Reversal.of(other.entries().head().id(), "shop refunded", aKey())));

      assertEquals(List.of(EntryKind.REVERSAL, EntryKind.REVERSAL), given.entries().map(Entry::kind));
      assertEquals(Option.some(credited.entries().head().id()), given.entries().get(1).reference());
      assertEquals(Option.some("100"), given.entries().get(1).details().get("forgiven.settled"));
      assertNothingIsLeft(ada);
    }

    /** What a reversal forgave is found however many reversals the member made since: they are read page by page. */
    @Test
    void underClampADebitReversedByHandSettlesWhatAReversalOlderThanFiveHundredOthersForgave() {
      Receipt credited = accepted(earning.credit(Credit.of(ada, points(100), "Goodwill", aKey())));
      accepted(earning.credit(Credit.of(ada, points(100), "Welcome", aKey())));
      accepted(earning.debit(Debit.of(ada, points(100), "Shop", aKey())));
      Receipt other = accepted(earning.debit(Debit.of(ada, points(100), "Shop again", aKey())));
      accepted(earning.reverse(Reversal.of(credited.entries().head().id(), "in error", aKey())));
      // A full page of newer reversals, none of which forgave anything.
      for (int i = 0; i < 500; i++) {
        Receipt mistake = accepted(earning.credit(Credit.of(ada, points(1), "Typo", aKey())));
        accepted(earning.reverse(Reversal.of(mistake.entries().head().id(), "typo", aKey())));
      }

      Receipt given = accepted(earning.reverse(Reversal.of(other.entries().head().id(), "shop refunded", aKey())));

      assertEquals(Option.some(credited.entries().head().id()), given.entries().last().reference());
      assertEquals(Option.some("100"), given.entries().last().details().get("forgiven.settled"));
      assertNothingIsLeft(ada);
    }

    @Test
    void underClampPointsOfARefundedPurchaseSpentFromTheirGraceLotSettleThereWhenGivenBack() {
      IdempotencyKey purchase = bought("100.00");
      // Held over the lot's expiry and voided: the points go to a 30-day grace lot, where they are spent.
      clock.advance(Duration.ofDays(10).minus(TTL.dividedBy(3)));
      Hold h = hold(ada, 100);
      clock.advance(TTL.dividedBy(3).multipliedBy(2));
      accepted(earning.voidHold(h.id(), "till closed", aKey()));
      Redemption coffee = redeem(ada, FREE_COFFEE);
      refunded(purchase, "100.00");

      accepted(earning.cancelRedemption(coffee.entry(), "returned", aKey()));

      assertNothingIsLeft(ada);
    }

    /** A purchase of 100.00 refunded by {@code euros}, beside 500 points that expire in a year. */
    private void refundedBeside500Points(String euros) {
      IdempotencyKey purchase = bought("100.00");
      earnExpiring(ada, 500, Duration.ofDays(365));
      refunded(purchase, euros);
    }

    @Test
    void voidingAHoldReadsTheMembersReversalsOnce() {
      refundedBeside500Points("100.00");
      Hold h = hold(ada, 150);
      ReversalReads reads = new ReversalReads(store);

      accepted(reads.loyalty(earning).voidHold(h.id(), "till closed", aKey()));

      assertEquals(1, reads.of(ada));
    }

    @Test
    void cancellingARedemptionThatSettlesWhatARefundForgaveReadsTheMembersReversalsOnce() {
      IdempotencyKey purchase = bought("100.00");
      Redemption coffee = redeem(ada, FREE_COFFEE);
      refunded(purchase, "100.00");
      ReversalReads reads = new ReversalReads(store);

      accepted(reads.loyalty(earning).cancelRedemption(coffee.entry(), "returned", aKey()));

      assertEquals(1, reads.of(ada));
      assertNothingIsLeft(ada);
    }

    @Test
    void releasingSeveralExpiredHoldsAtOnceReadsTheMembersReversalsOnce() {
      refundedBeside500Points("40.00");
      hold(ada, 100);
      hold(ada, 50);
      hold(ada, 25);
      clock.advance(TTL.multipliedBy(2));
      ReversalReads reads = new ReversalReads(store);

      Receipt released = accepted(reads.loyalty(earning).releaseExpiredHolds(ada, clock.instant(), aKey()));

      assertEquals(3, released.entries().size());
      assertEquals(1, reads.of(ada));
    }

    @Test
    void aTillThatKeepsTheMembersTierFactsFindsWhatARefundForgaveInThemAndReadsNoReversals() {
      IdempotencyKey purchase = bought("100.00");
      Redemption coffee = redeem(ada, FREE_COFFEE);
      ReversalReads reads = new ReversalReads(store);
      Loyalty till = reads.laddered(earning);
      accepted(till.tierProgress(ada));
      // Another node refunds the purchase after this one read the member's facts.
      refunded(purchase, "100.00");

      accepted(till.cancelRedemption(coffee.entry(), "returned", aKey()));

      assertEquals(0, reads.of(ada));
      assertNothingIsLeft(ada);
    }

    @Test
    void aTillThatKeepsTheMembersTierFactsVoidsAHoldWithoutReadingTheirReversals() {
      refundedBeside500Points("100.00");
      Hold h = hold(ada, 150);
      ReversalReads reads = new ReversalReads(store);
      Loyalty till = reads.laddered(earning);
      accepted(till.tierProgress(ada));

      accepted(till.voidHold(h.id(), "till closed", aKey()));

      assertEquals(0, reads.of(ada));
      assertOnlyTheKeptPointsAreLeft(500);
    }
  }

  /**
   * The store of a test, counting per member the pages of their {@code REVERSAL} entries read (what
   * a return reads to find what reversals forgave under {@code CLAMP}).
   */
  private final class ReversalReads extends io.github.loyaltyledger.ForwardingStore {
    private final java.util.Map<MemberId, Integer> pages = new java.util.concurrent.ConcurrentHashMap<>();

    ReversalReads(InMemoryLedgerStore inner) {
      super(inner);
    }

    /** A facade with the program of {@code like}, reading through this store. */
    Loyalty loyalty(Loyalty like) {
      return Loyalty.builder().program(like.program()).store(this).clock(clock).build();
    }

    /**
     * A facade with the program of {@code like} and a one-tier ladder, reading through this store:
     * it keeps the tier facts of the members whose standing it reads.
     */
    Loyalty laddered(Loyalty like) {
      io.github.loyaltyledger.tier.TierLadder ladder = io.github.loyaltyledger.tier.TierLadder.builder(
              io.github.loyaltyledger.tier.QualificationWindow.calendarYear())
          .tier(io.github.loyaltyledger.tier.Tier.of("green", "Green", io.github.loyaltyledger.tier.Qualification.none()))
          .build();
      return Loyalty.builder().program(like.program().toBuilder().tierLadder(ladder).build()).store(this).clock(clock).build();
    }

    int of(MemberId member) {
      return pages.getOrDefault(member, 0);
    }

    @Override
    public List<Entry> history(MemberId member, io.github.loyaltyledger.store.EntryQuery query) {
      if (query.kinds().size() == 1 && query.kinds().contains(EntryKind.REVERSAL)) {
        pages.merge(member, 1, Integer::sum);
      }
      return super.history(member, query);
    }
  }

  /**
   * A ladder whose tiers give reward benefits: gold prices the free coffee at 60 (the reward has no
   * gold price of its own) and the lounge at 10 (the reward's own gold price, 150, wins), and unlocks
   * the gift card; silver unlocks the lounge, which the reward itself keeps for gold.
   */
  @Nested
  class LadderBenefits {

    private final MemberId silver = member("silver");
    private io.github.loyaltyledger.tier.TierLadder ladder;

    @BeforeEach
    void aLadderWithRewardBenefits() {
      ladder = io.github.loyaltyledger.tier.TierLadder.builder(
              io.github.loyaltyledger.tier.QualificationWindow.calendarYear())
          .tier(io.github.loyaltyledger.tier.Tier.of("green", "Green", io.github.loyaltyledger.tier.Qualification.none()))
          .tier(io.github.loyaltyledger.tier.Tier.of("silver", "Silver", io.github.loyaltyledger.tier.Qualification.points(500))
              .withBenefits(io.github.loyaltyledger.tier.TierBenefits.standard().withRewardAccess(LOUNGE.value())))
          .tier(io.github.loyaltyledger.tier.Tier.of("gold", "Gold", io.github.loyaltyledger.tier.Qualification.points(1000))
              .withBenefits(io.github.loyaltyledger.tier.TierBenefits.standard()
                  .withRewardCost(FREE_COFFEE.value(), points(60))
                  .withRewardCost(LOUNGE.value(), points(10))
                  .withRewardCost(PAY.value(), points(150))
                  .withRewardAccess(GIFT_CARD.value())))
          .build();
      TierSource byName = (m, at) -> m.equals(gold) || m.equals(silver) ? Option.some(m.value()) : Option.none();
      loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(ladder)
              .rewards(Fixtures.aCatalog(byName, ReturnedPoints.DEFAULT)).build())
          .store(store).clock(clock).maxAttempts(1000).build();
      enrolled(loyalty, silver);
    }

    /** The ladder's program with the test catalogue's rewards, its tiers as {@code catalog} tells them. */
    private Loyalty withTiersFrom(java.util.function.UnaryOperator<RewardCatalog.Builder> catalog) {
      RewardCatalog.Builder rewards = RewardCatalog.builder();
      Fixtures.aCatalog(TierSource.NONE, ReturnedPoints.DEFAULT).list().forEach(rewards::reward);
      return Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(ladder)
              .rewards(catalog.apply(rewards).build()).build())
          .store(store).clock(clock).build();
    }

    @Test
    void withoutATierSourceOfItsOwnTheCatalogueTakesTiersFromTheTierEngineAsEarningDoes() {
      Loyalty engine = withTiersFrom(c -> c);
      accepted(engine.overrideTier(new io.github.loyaltyledger.tier.TierOverride(gold,
          io.github.loyaltyledger.tier.TierId.of("gold"), "Goodwill", "ops", clock.instant().plus(Duration.ofDays(90)), aKey())));
      earned(engine, gold, 1000);
      earned(engine, ada, 1000);

      assertEquals(Option.some("gold"), engine.tierOf(gold, clock.instant()));
      assertEquals(points(60), accepted(engine.availableRewards(gold, Channel.Type.STORE)).get(0).cost());
      assertEquals(List.empty(), accepted(engine.availableRewards(gold, Channel.Type.STORE)).get(1).reasons());
      assertEquals(points(60), accepted(engine.redeem(gold, FREE_COFFEE, TILL, aKey())).points());
      assertEquals(points(150), accepted(engine.redeem(gold, LOUNGE, TILL, aKey())).points());
      assertEquals(points(200), accepted(engine.redeem(gold, GIFT_CARD, TILL, aKey())).points());
      assertEquals(points(100), accepted(engine.redeem(ada, FREE_COFFEE, TILL, aKey())).points());
      assertInstanceOf(LoyaltyError.RewardUnavailable.class, refused(engine.redeem(ada, GIFT_CARD, TILL, aKey())));
    }

    @Test
    void theLadderMarkerAskedOutsideAFacadeFailsLoudlyInsteadOfTellingNoTier() {
      Loyalty engine = withTiersFrom(c -> c);
      accepted(engine.overrideTier(new io.github.loyaltyledger.tier.TierOverride(gold,
          io.github.loyaltyledger.tier.TierId.of("gold"), "Goodwill", "ops", clock.instant().plus(Duration.ofDays(90)), aKey())));
      TierSource wrapped = (m, at) -> m.equals(ada) ? Option.some("silver") : TierSource.LADDER.tierOf(m, at);

      UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
          () -> wrapped.tierOf(gold, clock.instant()));
      assertTrue(e.getMessage().contains("Loyalty.tierOf"), e.getMessage());
      assertEquals(Option.some("gold"), engine.tierOf(gold, clock.instant()));
    }

    @Test
    void withoutALadderTheDefaultCatalogueGivesNoMemberATier() {
      RewardCatalog.Builder rewards = RewardCatalog.builder();
      Fixtures.aCatalog(TierSource.NONE, ReturnedPoints.DEFAULT).list().filter(r -> !r.id().equals(LOUNGE))
          .forEach(rewards::reward);
      Loyalty noLadder = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").rewards(rewards.build()).build())
          .store(store).clock(clock).build();
      earned(noLadder, gold, 1000);

      assertEquals(points(100), accepted(noLadder.availableRewards(gold, Channel.Type.STORE)).get(0).cost());
      assertEquals(points(100), accepted(noLadder.redeem(gold, FREE_COFFEE, TILL, aKey())).points());
      // So a reward for some tiers could never be redeemed: the program is refused when built.
      RewardCatalog.Builder withLounge = RewardCatalog.builder();
      Fixtures.aCatalog(TierSource.NONE, ReturnedPoints.DEFAULT).list().forEach(withLounge::reward);
      assertThrows(IllegalArgumentException.class, () -> LoyaltyProgram.builder("bean-club").rewards(withLounge.build()).build());
    }

    @Test
    void aCatalogueThatSaysNoMemberHasATierIsHeardEvenWithALadder() {
      // The gift card and the lounge, for some tiers only, could never be redeemed: refused when built.
      assertThrows(IllegalArgumentException.class, () -> withTiersFrom(c -> c.tiers(TierSource.NONE)));
      ladder = io.github.loyaltyledger.tier.TierLadder.builder(io.github.loyaltyledger.tier.QualificationWindow.calendarYear())
          .tier(io.github.loyaltyledger.tier.Tier.of("green", "Green", io.github.loyaltyledger.tier.Qualification.none()))
          .tier(io.github.loyaltyledger.tier.Tier.of("gold", "Gold", io.github.loyaltyledger.tier.Qualification.points(1000))
              .withBenefits(io.github.loyaltyledger.tier.TierBenefits.standard()
                  .withRewardCost(FREE_COFFEE.value(), points(60))
                  .withRewardCost(GIFT_CARD.value(), points(20))))
          .build();
      RewardCatalog.Builder rewards = RewardCatalog.builder().tiers(TierSource.NONE);
      Fixtures.aCatalogWithoutTiers(ReturnedPoints.DEFAULT).list().forEach(rewards::reward);
      Loyalty none = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").tierLadder(ladder)
          .rewards(rewards.build()).build()).store(store).clock(clock).build();
      accepted(none.overrideTier(new io.github.loyaltyledger.tier.TierOverride(gold,
          io.github.loyaltyledger.tier.TierId.of("gold"), "Goodwill", "ops", clock.instant().plus(Duration.ofDays(90)), aKey())));
      earned(none, gold, 1000);

      assertEquals(Option.some("gold"), none.tierOf(gold, clock.instant()));
      assertEquals(points(100), accepted(none.redeem(gold, FREE_COFFEE, TILL, aKey())).points());
      assertEquals(points(200), accepted(none.redeem(gold, GIFT_CARD, TILL, aKey())).points());
    }

    @Test
    void aTiersRewardCostAppliesWhereTheRewardHasNoPriceOfItsOwnForTheTier() {
      earned(loyalty, gold, 100);
      earned(loyalty, ada, 100);

      List<RewardAvailability> shown = accepted(loyalty.availableRewards(gold, Channel.Type.STORE));
      assertEquals(points(60), shown.get(0).cost());
      assertEquals(points(150), shown.get(3).cost());
      assertEquals(points(100), accepted(loyalty.availableRewards(ada, Channel.Type.STORE)).get(0).cost());
      assertEquals(points(60), redeem(gold, FREE_COFFEE).points());
      assertEquals(points(100), redeem(ada, FREE_COFFEE).points());
      assertEquals(List.of(new UnavailableReason.NotEnoughPoints(points(60), points(40), points(20))),
          ((LoyaltyError.RewardUnavailable) refusedAndWroteNothing(() -> loyalty.redeem(gold, FREE_COFFEE, TILL, aKey())))
              .reasons());
    }

    @Test
    void aHoldAndAPaymentChargeTheTiersRewardCostToo() {
      earned(loyalty, gold, 1000);

      assertEquals(points(60), accepted(loyalty.authorize(Authorization.reward(gold, FREE_COFFEE, TTL, TILL, aKey()))).points());
      LoyaltyError.InvalidRequest below = assertInstanceOf(LoyaltyError.InvalidRequest.class, refusedAndWroteNothing(
          () -> loyalty.payWithPoints(new PointsPayment(gold, PAY, Money.of(CurrencyUnit.EUR, 10), points(100), TILL, aKey()))));
      assertTrue(below.reason().contains("minimum of 150"), below.reason());
      assertEquals(points(150), accepted(loyalty.payWithPoints(
          new PointsPayment(gold, PAY, Money.of(CurrencyUnit.EUR, 10), points(150), TILL, aKey()))).points());
    }

    @Test
    void aRewardATierUnlocksIsRefusedToOtherMembersNamingTheTiersThatMayRedeemIt() {
      earned(loyalty, ada, 1000);
      earned(loyalty, silver, 1000);
      earned(loyalty, gold, 1000);

      LoyaltyError card = refusedAndWroteNothing(() -> loyalty.redeem(ada, GIFT_CARD, TILL, aKey()));
      assertEquals(List.of(new UnavailableReason.TierRequired(io.vavr.collection.HashSet.of("gold"), Option.none())),
          ((LoyaltyError.RewardUnavailable) card).reasons());
      assertTrue(card.message().contains("for tiers gold only"), card.message());
      assertEquals(List.of(new UnavailableReason.TierRequired(io.vavr.collection.HashSet.of("gold"), Option.some("silver"))),
          accepted(loyalty.availableRewards(silver, Channel.Type.STORE)).get(1).reasons());
      assertEquals(points(200), redeem(gold, GIFT_CARD).points());
    }

    @Test
    void availableRewardsShowsEachRewardAsOfferedSoItsTiersAndPricesAgreeWithItsCostAndReasons() {
      earned(loyalty, gold, 1000);
      earned(loyalty, silver, 1000);

      List<RewardAvailability> forGold = accepted(loyalty.availableRewards(gold, Channel.Type.STORE));
      assertEquals(points(60), forGold.get(0).reward().costFor(Option.some("gold")));
      assertEquals(forGold.get(0).cost(), forGold.get(0).reward().costFor(Option.some("gold")));
      assertEquals(io.vavr.collection.HashSet.of("gold"), forGold.get(1).reward().tiers());
      RewardAvailability cardForSilver = accepted(loyalty.availableRewards(silver, Channel.Type.STORE)).get(1);
      assertEquals(List.of(new UnavailableReason.TierRequired(cardForSilver.reward().tiers(), Option.some("silver"))),
          cardForSilver.reasons());
    }

    @Test
    void aRewardATierUnlocksIsAlsoOpenToTheTiersTheRewardNamesItself() {
      earned(loyalty, ada, 1000);
      earned(loyalty, silver, 1000);
      earned(loyalty, gold, 1000);

      assertEquals(List.of(new UnavailableReason.TierRequired(io.vavr.collection.HashSet.of("gold", "silver"), Option.none())),
          ((LoyaltyError.RewardUnavailable) refusedAndWroteNothing(() -> loyalty.redeem(ada, LOUNGE, TILL, aKey()))).reasons());
      assertEquals(points(300), redeem(silver, LOUNGE).points());
      assertEquals(points(150), redeem(gold, LOUNGE).points());
    }
  }

  /** Holds {@code n} of ada's points at the till on {@code l}, for {@link #TTL}. */
  private Hold held(Loyalty l, long n) {
    return accepted(l.authorize(Authorization.points(ada, points(n), TTL, TILL, aKey())));
  }
}
