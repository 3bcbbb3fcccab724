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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.time.Duration;
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
    loyalty = Loyalty.builder().program(Fixtures.aProgramWithoutTiers(ReturnedPoints.DEFAULT)).store(store)
        .clock(clock).build();
    enrolled(loyalty, ada);
    earned(loyalty, ada, 1000);
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
}
