package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (two facades) on one store, with the other node's request committed at the worst
 * moment: right after this node checked the entries that reference the original (is the hold still
 * open? what was refunded already?) and before it read the account. Only the database orders the
 * two nodes, so the account's version must be read before those checks for the second request to
 * be planned again and refused.
 */
class TwoNodesInterleavingTest {

  private final MemberId alice = MemberId.of("alice");
  private final TestClock clock = TestClock.at(Fixtures.START);
  private final InMemoryLedgerStore shared = new InMemoryLedgerStore();
  // The id of the program of the tills with rewards below: a store keeps one program's ledger.
  private final LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
      .earnRules(RuleBook.of(BaseRate.of("base", "1"))).build();
  private final Loyalty other = Fixtures.aLoyalty(shared, clock, program);
  private final Interleaving store = new Interleaving(shared);
  private final Loyalty node = Fixtures.aLoyalty(store, clock, program);
  private final IdempotencyKey first = IdempotencyKey.of("pos-1");

  @Nested
  class AHold {

    /**
     * Two purchases of 100 points each, 50 points spent and a hold of 40 (the newest entry), all
     * from the first purchase's lot ({@code first}), which keeps 10; returns the hold.
     */
    private Hold aHoldOnAPurchaseWithItsOtherPointsSpent() {
      enrolled(other, alice);
      accepted(other.earn(Fixtures.aPurchaseOf(alice, "100.00", first)));
      accepted(other.earn(Fixtures.aPurchaseOf(alice, "100.00", IdempotencyKey.of("pos-2"))));
      Fixtures.redeemed(other, alice, 50);
      return accepted(other.authorize(Authorization.points(alice, Points.of(40), Duration.ofMinutes(15),
          Channel.store("S-1"), aKey())));
    }

    private Hold held() {
      enrolled(other, alice);
      earned(other, alice, 100);
      return accepted(other.authorize(Authorization.points(alice, Points.of(40), Duration.ofMinutes(15),
          Channel.store("S-1"), aKey())));
    }

    @Test
    void capturedByTheOtherNodeMeanwhileIsNotCapturedAgain() {
      Hold hold = held();
      store.onceAfterReferencing(() -> accepted(other.capture(hold.id(), aKey())));
      assertInstanceOf(LoyaltyError.HoldAlreadyResolved.class, refused(node.capture(hold.id(), aKey())));
      assertEquals(1, resolutions(hold.id()));
      assertEquals(Points.of(60), shared.account(alice).get().balance().total());
    }

    @Test
    void voidedByTheOtherNodeMeanwhileIsNotCaptured() {
      Hold hold = held();
      store.onceAfterReferencing(() -> accepted(other.voidHold(hold.id(), "Cancelled", aKey())));
      assertInstanceOf(LoyaltyError.HoldAlreadyResolved.class, refused(node.capture(hold.id(), aKey())));
      assertEquals(1, resolutions(hold.id()));
      assertEquals(Points.of(100), shared.account(alice).get().balance().total());
    }

    @Test
    void voidedWhileTheOtherNodeRefundsThePurchaseItsPointsCameFromIsPlannedAgainFromTheNewState() {
      Hold hold = aHoldOnAPurchaseWithItsOtherPointsSpent();
      // Between this node's read of the account and its read of the entries, the other node refunds
      // 60 of the first purchase: the 10 left and 50 taken from the second purchase's lot in place
      // of the spent ones, which is where the hold's 40 then go back. Planned on the account as read
      // before the refund, they overfilled that lot.
      store.onceAfterReferencing(() -> accepted(other.refund(Refund.ofAmount(first, aKey(), eur("60.00")))));

      accepted(node.voidHold(hold.id(), "Cancelled", aKey()));

      assertEquals(1, resolutions(hold.id()));
      assertEquals(Points.of(200 - 50 - 60), shared.account(alice).get().balance().available());
      assertEquals(Points.ZERO, shared.account(alice).get().balance().held());
      assertEquals(shared.account(alice).get().balance().total(),
          Points.of(shared.entries(alice, 1, 1000).map(e -> e.points().value()).sum().longValue()));
    }

    @Test
    void releasedAfterItExpiredWhileTheOtherNodeRefundsThePurchaseItsPointsCameFromIsPlannedAgainToo() {
      aHoldOnAPurchaseWithItsOtherPointsSpent();
      clock.advance(Duration.ofMinutes(16));
      store.onceAfterReferencing(() -> accepted(other.refund(Refund.ofAmount(first, aKey(), eur("60.00")))));

      accepted(node.releaseExpiredHolds(alice, clock.instant(), aKey()));

      assertEquals(Points.of(200 - 50 - 60), shared.account(alice).get().balance().available());
      assertEquals(Points.ZERO, shared.account(alice).get().balance().held());
    }

    @Test
    void capturedByTheOtherNodeMeanwhileIsNotVoided() {
      Hold hold = held();
      store.onceAfterReferencing(() -> accepted(other.capture(hold.id(), aKey())));
      assertInstanceOf(LoyaltyError.HoldAlreadyResolved.class, refused(node.voidHold(hold.id(), "Cancelled", aKey())));
      assertEquals(1, resolutions(hold.id()));
    }
  }

  @Nested
  class AnEntry {

    @Test
    void reversedByTheOtherNodeMeanwhileIsNotReversedAgain() {
      enrolled(other, alice);
      EntryId credit = earned(other, alice, 100).entries().head().id();
      store.onceAfterReferencing(() -> accepted(other.reverse(Reversal.of(credit, "Mistake", aKey()))));
      assertInstanceOf(LoyaltyError.AlreadyReversed.class, refused(node.reverse(Reversal.of(credit, "Mistake", aKey()))));
      assertEquals(Points.ZERO, shared.account(alice).get().balance().total());
    }
  }

  @Nested
  class APurchase {

    @Test
    void refundedWholeByTheOtherNodeMeanwhileIsNotRefundedAgain() {
      enrolled(other, alice);
      IdempotencyKey till = IdempotencyKey.of("pos-1");
      accepted(other.earn(Fixtures.aPurchaseOf(alice, "30.00", till)));
      store.onceAfterReferencing(() -> accepted(other.refund(Refund.ofAmount(till, aKey(), eur("30.00")))));
      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(node.refund(Refund.ofAmount(till, aKey(), eur("30.00")))));
      assertEquals(Points.ZERO, shared.account(alice).get().balance().total());
    }

    @Test
    void reassignedByTheOtherNodeWhileARefundLooksItUpIsRefundedFromTheMemberWhoHasItNow() {
      MemberId bob = MemberId.of("bob");
      enrolled(other, alice);
      enrolled(other, bob);
      Purchase sale = Fixtures.aPurchaseOf(alice, "30.00", first);
      accepted(other.earn(sale));
      store.onceAfterReferencing(() -> accepted(other.reassign(Reassignment.of(sale, bob, aKey()))));

      accepted(node.refund(Refund.ofAmount(first, aKey(), eur("10.00"))));

      assertEquals(Points.ZERO, shared.account(alice).get().balance().total());
      assertEquals(Points.of(20), shared.account(bob).get().balance().total());
    }
  }

  /**
   * A till that times out and sends its request again to another node, under the same key, while
   * the first is still being written: the node that plans after the other committed must answer
   * the first result, not refuse the request because the first one changed the ledger (the hold is
   * captured, the stock taken, the points spent).
   */
  @Nested
  class TheSameKeySentToBothNodes {

    private final LoyaltyProgram withRewards = Fixtures.aProgramWithoutTiers(ReturnedPoints.DEFAULT);
    private final Loyalty otherTill = Fixtures.aLoyalty(shared, clock, withRewards);
    private final Loyalty thisTill = Fixtures.aLoyalty(store, clock, withRewards);
    private final Channel till = Channel.store("S-1");
    private final IdempotencyKey retried = IdempotencyKey.of("pos-retried");

    /**
     * Sends a request to this node while the other commits it under the same key, right after this
     * node found the key free: both must answer the other's result.
     */
    private <T> void answersTheFirstResult(java.util.function.Function<Loyalty, Either<LoyaltyError, T>> request) {
      java.util.List<Either<LoyaltyError, T>> first = new java.util.ArrayList<>();
      store.onceAfterRecordRead(() -> first.add(request.apply(otherTill)));
      Either<LoyaltyError, T> again = request.apply(thisTill);
      assertEquals(1, first.size(), "the other node committed meanwhile");
      accepted(first.get(0));
      assertEquals(first.get(0), again);
    }

    private void enrolledWith(long points) {
      enrolled(otherTill, alice);
      earned(otherTill, alice, points);
    }

    private Hold held(Authorization request) {
      enrolledWith(300);
      return accepted(otherTill.authorize(request));
    }

    @Test
    void aCaptureAnswersItsRedemptionNotHoldAlreadyResolved() {
      Hold hold = held(Authorization.points(alice, Points.of(40), Duration.ofMinutes(15), till, aKey()));
      answersTheFirstResult(loyalty -> loyalty.capture(hold.id(), retried));
      assertEquals(1, resolutions(hold.id()));
    }

    @Test
    void aVoidAnswersItsReceiptNotHoldAlreadyResolved() {
      Hold hold = held(Authorization.points(alice, Points.of(40), Duration.ofMinutes(15), till, aKey()));
      answersTheFirstResult(loyalty -> loyalty.voidHold(hold.id(), "Cancelled", retried));
      assertEquals(1, resolutions(hold.id()));
    }

    @Test
    void aCancellationAnswersItsReceiptNotAlreadyReversed() {
      enrolledWith(300);
      EntryId coffee = accepted(otherTill.redeem(alice, Fixtures.FREE_COFFEE, till, aKey())).entry();
      answersTheFirstResult(loyalty -> loyalty.cancelRedemption(coffee, "Returned", retried));
      assertEquals(Points.of(300), shared.account(alice).get().balance().available());
    }

    @Test
    void aRedemptionOfTheLastUnitAnswersItsVoucherNotOutOfStock() {
      enrolledWith(600);
      accepted(otherTill.redeem(alice, Fixtures.GIFT_CARD, till, aKey()));
      answersTheFirstResult(loyalty -> loyalty.redeem(alice, Fixtures.GIFT_CARD, till, retried));
      assertEquals(2L, shared.counter("reward-stock:" + Fixtures.GIFT_CARD));
      assertEquals(Points.of(200), shared.account(alice).get().balance().available());
    }

    @Test
    void aHoldOfEveryPointAnswersItsHoldNotInsufficientPoints() {
      enrolledWith(300);
      answersTheFirstResult(loyalty -> loyalty.authorize(
          Authorization.points(alice, Points.of(300), Duration.ofMinutes(15), till, retried)));
      assertEquals(Points.of(300), shared.account(alice).get().balance().held());
    }

    @Test
    void aPaymentWithEveryPointAnswersItsRedemptionNotInsufficientPoints() {
      enrolledWith(300);
      answersTheFirstResult(loyalty -> loyalty.payWithPoints(
          new PointsPayment(alice, Fixtures.PAY, eur("6.00"), Points.of(300), till, retried)));
      assertEquals(Points.ZERO, shared.account(alice).get().balance().available());
    }

    @Test
    void anotherRequestCommittedUnderTheKeyMeanwhileIsAnIdempotencyConflictNotTheRefusalItCaused() {
      Hold hold = held(Authorization.points(alice, Points.of(40), Duration.ofMinutes(15), till, aKey()));
      store.onceAfterRecordRead(() -> accepted(otherTill.voidHold(hold.id(), "Cancelled", retried)));
      assertEquals(new LoyaltyError.IdempotencyConflict(retried), refused(thisTill.capture(hold.id(), retried)));
      assertEquals(1, resolutions(hold.id()));
    }
  }

  private int resolutions(EntryId hold) {
    return shared.referencing(hold).count(e -> e.kind() == EntryKind.CAPTURE || e.kind() == EntryKind.RELEASE);
  }

  /**
   * The shared store, as this node sees it, with a hook run once after a {@code referencing} read,
   * or once after the read of an idempotency record that found none.
   */
  private static final class Interleaving extends ForwardingStore {
    private Runnable after = () -> { };
    private Runnable afterRecord = () -> { };

    Interleaving(LedgerStore inner) {
      super(inner);
    }

    void onceAfterReferencing(Runnable hook) {
      after = hook;
    }

    void onceAfterRecordRead(Runnable hook) {
      afterRecord = hook;
    }

    @Override
    public Option<IdempotencyRecord> idempotencyRecord(IdempotencyKey key) {
      Option<IdempotencyRecord> found = super.idempotencyRecord(key);
      if (found.isEmpty()) {
        Runnable hook = afterRecord;
        afterRecord = () -> { };
        hook.run();
      }
      return found;
    }

    @Override
    public List<Entry> referencing(EntryId original) {
      List<Entry> found = super.referencing(original);
      Runnable hook = after;
      after = () -> { };
      hook.run();
      return found;
    }
  }
}
