package io.github.loyaltyledger.redemption;

import static io.github.loyaltyledger.Fixtures.PAY;
import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A till's bad day, written from the README and the Javadoc only: requests sent again after a
 * time-out, tills that crash between authorize and capture, baskets that change after the hold,
 * two tills on one member, and the daily run timing holds out. Each answer is checked against the
 * promise: exactly-once effect, a refused request writes nothing, a resent request answers what
 * the first answered, and a refusal tells the till what to do next.
 */
class TillIntegrationTest {

  private static final Channel TILL = Channel.store("S-1");
  private static final Duration TTL = Duration.ofMinutes(15);

  private final MemberId ada = member("ada");
  private TestClock clock;
  private InMemoryLedgerStore store;
  private Loyalty loyalty;

  @BeforeEach
  void setUp() {
    clock = TestClock.at(Fixtures.START);
    store = new InMemoryLedgerStore();
    loyalty = aTill(program(VoucherIssuer.secureRandom()));
    enrolled(loyalty, ada);
    earned(loyalty, ada, 1000);
  }

  /** The Bean Club catalogue with 10 points per euro, its gift card issued by {@code issuer}. */
  private static LoyaltyProgram program(VoucherIssuer issuer) {
    RewardCatalog.Builder rewards = RewardCatalog.builder().tiers(TierSource.NONE);
    Fixtures.aCatalogWithoutTiers(ReturnedPoints.DEFAULT).list()
        .map(r -> r.id().equals(Fixtures.GIFT_CARD)
            ? Reward.builder(r.id(), r.name(), new RewardKind.Voucher(issuer), r.cost()).build() : r)
        .forEach(rewards::reward);
    return LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(BaseRate.of("base", "10")))
        .rewards(rewards.build()).build();
  }

  /** A facade (an application node) on the shared store and clock. */
  private Loyalty aTill(LoyaltyProgram program) {
    return Loyalty.builder().program(program).store(store).clock(clock).build();
  }

  /** Everything a request could change for ada. */
  private Object state() {
    return List.of(store.account(ada), store.entries(ada, 1, 1000));
  }

  private LoyaltyError refusedAndWroteNothing(Supplier<Either<LoyaltyError, ?>> request) {
    Object before = state();
    LoyaltyError error = refused(request.get());
    assertEquals(before, state(), "a refused request wrote something");
    return error;
  }

  private Hold aHoldOf(long n) {
    return accepted(loyalty.authorize(Authorization.points(ada, points(n), TTL, TILL, aKey())));
  }

  @Nested
  class TheCustomerChangesTheBasketAfterTheCapture {

    @Test
    void voidingACapturedHoldIsRefusedAndPointsTheTillToCancelRedemption() {
      Hold hold = aHoldOf(300);
      Redemption captured = accepted(loyalty.capture(hold.id(), points(250), aKey()));

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.voidHold(hold.id(), "Basket emptied", aKey()));

      assertEquals(new LoyaltyError.HoldAlreadyResolved(hold.id(), captured.entry(), EntryKind.CAPTURE), error);
      assertTrue(error.message().contains("cancelRedemption") && error.message().contains(captured.entry().toString()),
          error.message());
      // Following the advice gives the captured points back.
      accepted(loyalty.cancelRedemption(captured.entry(), "Basket emptied", aKey()));
      assertEquals(new Balance(points(1000), points(0), points(0)), balanceOf(loyalty, ada));
    }

    @Test
    void voidingTheCaptureItselfIsRefusedAndPointsTheTillToCancelRedemption() {
      Hold hold = aHoldOf(300);
      Redemption captured = accepted(loyalty.capture(hold.id(), aKey()));

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.voidHold(captured.entry(), "Basket emptied", aKey()));

      assertEquals(new LoyaltyError.HoldNotFound(captured.entry()), error);
      assertTrue(error.message().contains("cancelRedemption"), error.message());
    }

    @Test
    void capturingAHoldTheDailyRunReleasedIsRefusedAndTellsTheTillToHoldAgain() {
      Hold hold = aHoldOf(300);
      clock.advance(TTL);
      accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), aKey()));

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.capture(hold.id(), aKey()));

      assertInstanceOf(LoyaltyError.HoldAlreadyResolved.class, error);
      assertTrue(error.message().contains("authorize"), error.message());
    }
  }

  @Nested
  class ARequestSentAgainAfterATimeOut {

    @Test
    void afterItSucceededAnswersTheFirstHoldAndHoldsNothingMore() {
      Authorization request = Authorization.points(ada, points(300), TTL, TILL, aKey());
      Hold first = accepted(loyalty.authorize(request));
      Object after = state();

      assertEquals(first, accepted(loyalty.authorize(request)));
      assertEquals(after, state());
      assertEquals(points(300), balanceOf(loyalty, ada).held());
    }

    @Test
    void afterItWasRefusedIsRefusedAgainUntilTheMemberHasThePoints() {
      Authorization request = Authorization.points(ada, points(1200), TTL, TILL, aKey());
      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.authorize(request));
      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(1000), points(1200)), error);
      assertFalse(error.message().contains("open holds"), error.message());
      assertInstanceOf(LoyaltyError.InsufficientPoints.class, refusedAndWroteNothing(() -> loyalty.authorize(request)));

      earned(loyalty, ada, 200);

      assertEquals(points(1200), accepted(loyalty.authorize(request)).points());
    }

    @Test
    void whileTheFirstIsStillRunningOnAnotherNodeBothAnswerTheOneCapture() throws Exception {
      CountDownLatch firstIssuing = new CountDownLatch(1);
      CountDownLatch retryAnswered = new CountDownLatch(1);
      AtomicInteger issued = new AtomicInteger();
      VoucherIssuer slowOnFirstCall = (reward, member) -> {
        if (issued.incrementAndGet() == 1) {
          firstIssuing.countDown();
          try {
            retryAnswered.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
        return "CODE-" + issued.get();
      };
      Loyalty tillNode = aTill(program(slowOnFirstCall));
      Loyalty retryNode = aTill(program(slowOnFirstCall));
      Hold hold = accepted(tillNode.authorize(Authorization.reward(ada, Fixtures.GIFT_CARD, TTL, TILL, aKey())));
      IdempotencyKey capture = aKey();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Either<LoyaltyError, Redemption>> first = pool.submit(() -> tillNode.capture(hold.id(), capture));
        firstIssuing.await();

        Redemption retried = accepted(retryNode.capture(hold.id(), capture));
        retryAnswered.countDown();

        assertEquals(retried, accepted(first.get()));
      } finally {
        pool.shutdown();
      }
      assertEquals(1, store.referencing(hold.id()).size());
      assertEquals(new Balance(points(800), points(0), points(0)), balanceOf(loyalty, ada));
    }
  }

  @Nested
  class TwoTillsServeOneMember {

    @Test
    void twoHoldsThatTogetherExceedTheBalanceHoldOnlyOne() throws Exception {
      Loyalty otherTill = aTill(program(VoucherIssuer.secureRandom()));
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<Either<LoyaltyError, Hold>>> holds = List.of(loyalty, otherTill).map(till -> pool.submit(() -> {
          go.await();
          return till.authorize(Authorization.points(ada, points(600), TTL, TILL, aKey()));
        }));
        go.countDown();
        List<Either<LoyaltyError, Hold>> outcomes = List.empty();
        for (Future<Either<LoyaltyError, Hold>> hold : holds) {
          outcomes = outcomes.append(hold.get());
        }

        assertEquals(1, outcomes.count(Either::isRight));
        assertEquals(new LoyaltyError.InsufficientPoints(ada, points(400), points(600), points(600)),
            outcomes.find(Either::isLeft).get().getLeft());
      } finally {
        pool.shutdown();
      }
      assertEquals(new Balance(points(400), points(0), points(600)), balanceOf(loyalty, ada));
    }

    @Test
    void aTillThatCrashedAfterTheHoldLeavesItToAnotherTillToCapture() {
      Authorization request = Authorization.points(ada, points(300), TTL, TILL, aKey());
      accepted(loyalty.authorize(request));
      Loyalty otherTill = aTill(program(VoucherIssuer.secureRandom()));

      // The other till learns the hold from its key, and captures it once.
      Hold hold = accepted(otherTill.authorize(request));
      IdempotencyKey capture = aKey();
      Redemption captured = accepted(otherTill.capture(hold.id(), points(120), capture));

      assertEquals(captured, accepted(loyalty.capture(hold.id(), points(120), capture)));
      assertEquals(new Balance(points(880), points(0), points(0)), balanceOf(loyalty, ada));
    }
  }

  @Nested
  class ATillThatLostItsHold {

    @Test
    void findsItAmongTheMembersOpenHoldsOldestFirstAsAuthorizeAnsweredIt() {
      Hold first = aHoldOf(100);
      Hold captured = aHoldOf(50);
      Hold voided = aHoldOf(60);
      Hold reward = accepted(loyalty.authorize(Authorization.reward(ada, Fixtures.FIVE_OFF, TTL, TILL, aKey())));
      Hold last = aHoldOf(70);
      accepted(loyalty.capture(captured.id(), points(20), aKey()));
      accepted(loyalty.voidHold(voided.id(), "Basket emptied", aKey()));

      List<Hold> open = accepted(loyalty.openHolds(ada));

      assertEquals(List.of(first, reward, last), open);
      assertEquals(balanceOf(loyalty, ada).held(), open.map(Hold::points).foldLeft(points(0), Points::plus));
      // The till tells its own hold by the key and channel it sent.
      assertEquals(last.receipt().key(), open.last().receipt().key());
      assertEquals(List.of(TILL, TILL, TILL), open.map(h -> h.receipt().entries().head().channel()));
    }

    @Test
    void aHoldPastItsExpiryIsListedUntilTheDailyRunReleasesIt() {
      Hold hold = aHoldOf(300);
      clock.advance(TTL);

      assertEquals(List.of(hold), accepted(loyalty.openHolds(ada)));
      accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), aKey()));
      assertEquals(List.empty(), accepted(loyalty.openHolds(ada)));
    }

    @Test
    void aSuspendedMembersHoldsAreListedAndAClosedMemberHasNone() {
      Hold hold = aHoldOf(300);
      accepted(loyalty.suspend(ada, "Fraud check", aKey()));
      assertEquals(List.of(hold), accepted(loyalty.openHolds(ada)));

      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.close(ada, "Left", aKey())));
      accepted(loyalty.voidHold(hold.id(), "Closing", aKey()));
      accepted(loyalty.close(ada, "Left", aKey()));

      assertEquals(List.empty(), accepted(loyalty.openHolds(ada)));
    }

    /**
     * The holds are read after the held points: a hold another till made in between counted towards
     * those points and hid an older open hold more than a page of holds back.
     */
    @Test
    void aHoldAnotherTillMakesWhileTheyAreReadHidesNoOlderOpenHold() {
      Hold older = aHoldOf(100);
      for (int i = 0; i < 500; i++) {
        accepted(loyalty.voidHold(aHoldOf(1).id(), "Basket emptied", aKey()));
      }
      AtomicInteger reads = new AtomicInteger();
      Loyalty reading = Loyalty.builder().program(loyalty.program()).store(new io.github.loyaltyledger.ForwardingStore(store) {
        @Override
        public List<io.github.loyaltyledger.ledger.Entry> history(MemberId member,
            io.github.loyaltyledger.store.EntryQuery query) {
          if (reads.getAndIncrement() == 0) {
            aHoldOf(100);
          }
          return super.history(member, query);
        }
      }).clock(clock).build();

      assertEquals(List.of(older), accepted(reading.openHolds(ada)));
      assertEquals(2, accepted(loyalty.openHolds(ada)).size());
    }

    @Test
    void anUnknownMemberIsRefused() {
      assertEquals(new LoyaltyError.UnknownMember(member("nobody")), refused(loyalty.openHolds(member("nobody"))));
    }
  }

  @Nested
  class AnotherTillsHoldKeepsThePointsFromThisOne {

    /** A hold of {@code asked} points, refused while another till holds {@code held} of ada's 1000. */
    private LoyaltyError aHoldRefusedBesideAnotherOf(long held, long asked) {
      aHoldOf(held);
      return refusedAndWroteNothing(() -> loyalty.authorize(Authorization.points(ada, points(asked), TTL, TILL, aKey())));
    }

    @Test
    void aHoldIsRefusedSayingHowManyPointsOpenHoldsHoldAndThatVoidingThemFreesThem() {
      LoyaltyError error = aHoldRefusedBesideAnotherOf(600, 500);

      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(400), points(500), points(600)), error);
      assertTrue(error.message().contains("600 more are held by open holds") && error.message().contains("openHolds")
          && error.message().contains("voiding them would free enough"), error.message());
    }

    @Test
    void aPaymentIsRefusedSayingHowManyPointsOpenHoldsHold() {
      aHoldOf(600);

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.payWithPoints(
          new PointsPayment(ada, PAY, eur("20.00"), points(500), TILL, aKey())));

      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(400), points(500), points(600)), error);
    }

    @Test
    void aRedemptionIsRefusedSayingHowManyPointsOpenHoldsHold() {
      aHoldOf(600);

      LoyaltyError error = refusedAndWroteNothing(() -> loyalty.redeem(ada, Fixtures.FIVE_OFF, TILL, aKey()));

      assertEquals(new LoyaltyError.RewardUnavailable(Fixtures.FIVE_OFF,
          List.of(new UnavailableReason.NotEnoughPoints(points(500), points(400), points(100), points(600)))), error);
      assertTrue(error.message().contains("600 more are held by open holds"), error.message());
    }

    @Test
    void aRequestThatVoidingEveryHoldWouldNotCoverSaysSo() {
      LoyaltyError error = aHoldRefusedBesideAnotherOf(300, 1200);

      assertEquals(new LoyaltyError.InsufficientPoints(ada, points(700), points(1200), points(300)), error);
      assertTrue(error.message().contains("300 more are held by open holds")
          && error.message().contains("even voiding them all would not free enough"), error.message());
    }
  }

  @Nested
  class TheBasketChangesAfterTheHold {

    @Test
    void capturingMoreThanHeldIsRefusedAndWritesNothing() {
      Hold hold = aHoldOf(300);

      assertEquals(new LoyaltyError.CaptureExceedsHold(hold.id(), points(300), points(301)),
          refusedAndWroteNothing(() -> loyalty.capture(hold.id(), points(301), aKey())));
      accepted(loyalty.capture(hold.id(), aKey()));
      assertEquals(new Balance(points(700), points(0), points(0)), balanceOf(loyalty, ada));
    }

    @Test
    void aSecondCaptureUnderAnotherKeyIsRefusedAndWritesNothing() {
      Hold hold = aHoldOf(300);
      Redemption first = accepted(loyalty.capture(hold.id(), points(100), aKey()));

      assertEquals(new LoyaltyError.HoldAlreadyResolved(hold.id(), first.entry(), EntryKind.CAPTURE),
          refusedAndWroteNothing(() -> loyalty.capture(hold.id(), points(100), aKey())));
      assertEquals(new Balance(points(900), points(0), points(0)), balanceOf(loyalty, ada));
    }
  }

  @Nested
  class TheDailyRunTimesTheHoldOut {

    @Test
    void aCaptureAtTheHoldsExpiryIsRefusedAndTheReleaseGivesThePointsBackOnce() {
      Hold hold = aHoldOf(300);
      clock.advance(TTL);

      assertEquals(new LoyaltyError.HoldExpired(hold.id(), hold.expiresAt(), clock.instant()),
          refusedAndWroteNothing(() -> loyalty.capture(hold.id(), aKey())));
      IdempotencyKey run = aKey();
      accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), run));
      Object released = state();

      accepted(loyalty.releaseExpiredHolds(ada, clock.instant(), run));
      assertEquals(released, state());
      assertEquals(new Balance(points(1000), points(0), points(0)), balanceOf(loyalty, ada));
    }
  }

  @Nested
  class APurchasePaidPartlyWithPoints {

    @Test
    void earnsOnlyOnWhatWasNotPaidWithPointsAndItsRefundLeavesThePaymentToCancelRedemption() {
      Redemption paid = accepted(loyalty.payWithPoints(new PointsPayment(ada, PAY, eur("10.00"), points(300), TILL,
          aKey())));
      IdempotencyKey sale = aKey();
      accepted(loyalty.earn(Fixtures.aPurchaseOf(ada, "10.00", sale).withPaidWithPoints(paid.moneyApplied().get())));
      assertEquals(points(1000 - 300 + 70), balanceOf(loyalty, ada).available());

      accepted(loyalty.refund(Refund.ofAmount(sale, aKey(), eur("10.00"))));
      assertEquals(points(700), balanceOf(loyalty, ada).available());

      accepted(loyalty.cancelRedemption(paid.entry(), "Returned", aKey()));
      assertEquals(points(1000), balanceOf(loyalty, ada).available());
    }
  }
}
