package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.control.Either;
import java.time.Duration;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The transactional outbox and its relay. */
class OutboxTest {

  private final MemberId ada = member("ada");
  private final MemberId ben = member("ben");
  private final List<LoyaltyEvent> published = new ArrayList<>();
  private static TestDatabase database;
  private static JpaLedgerStore store;
  private TestClock clock;
  private Loyalty loyalty;

  @BeforeAll
  static void open() {
    database = TestDatabase.h2InMemory();
    store = database.open();
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @BeforeEach
  void startEmpty() {
    database.wipe();
    clock = TestClock.at(Fixtures.START);
    loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store).clock(clock).listener(published::add).build();
  }

  private void aDayOfEveryKindOfChange() {
    accepted(loyalty.enrol(Enrolment.of(ada, aKey()).withBirthday(MonthDay.of(2, 29)).withZone(ZoneId.of("Asia/Tokyo"))));
    accepted(loyalty.enrol(Enrolment.of(ben, aKey())));
    Receipt earned = accepted(loyalty.credit(Credit.of(ada, points(300), "Beans", aKey())
        .expiringAt(clock.instant().plus(Duration.ofDays(10)).plusNanos(123_456_789))));
    accepted(loyalty.credit(Credit.of(ben, points(50), "Web order", aKey()).vestingAt(clock.instant().plusSeconds(60))));
    accepted(loyalty.debit(Debit.of(ada, points(40), "Mug", aKey())));
    accepted(loyalty.transfer(Transfer.of(ada, ben, points(60), "Gift", aKey())));
    accepted(loyalty.adjust(Adjustment.of(ben, points(5), "Goodwill", "ops:jo", aKey())));
    accepted(loyalty.suspend(ben, "Card lost", aKey()));
    accepted(loyalty.reactivate(ben, "Card found", aKey()));
    clock.advance(Duration.ofDays(11));
    accepted(loyalty.vest(ben, clock.instant(), aKey()));
    accepted(loyalty.reverse(Reversal.of(earned.entries().head().id(), "Refund", aKey())));
    accepted(loyalty.credit(Credit.of(ada, points(30), "Tea", aKey()).expiringAt(clock.instant().plusSeconds(5))));
    clock.advance(Duration.ofDays(1));
    accepted(loyalty.expire(ada, clock.instant(), aKey()));
    accepted(loyalty.close(ben, "Moved away", aKey()));
  }

  @Nested
  class Relay {

    @Test
    void carriesTheEventsOfEveryEngineTiersHoldsAndNoticesIncluded() {
      io.github.loyaltyledger.tier.TierLadder ladder = io.github.loyaltyledger.tier.TierLadder.builder(
              io.github.loyaltyledger.tier.QualificationWindow.rollingMonths(12))
          .tier(io.github.loyaltyledger.tier.Tier.of("green", "Green", io.github.loyaltyledger.tier.Qualification.none()))
          .tier(io.github.loyaltyledger.tier.Tier.of("gold", "Gold", io.github.loyaltyledger.tier.Qualification.points(100)))
          .build();
      loyalty = Loyalty.builder().program(Fixtures.aProgram().toBuilder().tierLadder(ladder).build()).store(store)
          .clock(clock).listener(published::add).build();
      accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
      accepted(loyalty.credit(Credit.of(ada, points(300), "Beans", aKey()).explainedBy(io.vavr.collection.List.empty(),
          io.vavr.collection.TreeMap.of("qualifying.points", "300"))));
      accepted(loyalty.evaluateTier(ada, aKey()));
      io.github.loyaltyledger.redemption.Hold hold = accepted(loyalty.authorize(io.github.loyaltyledger.redemption.Authorization
          .points(ada, points(40), Duration.ofMinutes(5), io.github.loyaltyledger.ledger.Channel.store("S-1"), aKey())));
      accepted(loyalty.capture(hold.id(), aKey()));

      List<LoyaltyEvent> relayed = new ArrayList<>();
      assertEquals(published.size(), store.relayEvents(1_000, relayed::add));
      assertEquals(published, relayed);
      assertTrue(published.stream().anyMatch(e -> e instanceof LoyaltyEvent.TierUpgraded));
      assertTrue(published.stream().anyMatch(e -> e instanceof LoyaltyEvent.PointsHeld));
      assertTrue(published.stream().anyMatch(e -> e instanceof LoyaltyEvent.HoldCaptured));
    }

    @Test
    void handsOverExactlyTheEventsTheFacadePublishedInTheSameOrderAndOnlyOnce() {
      aDayOfEveryKindOfChange();
      List<LoyaltyEvent> relayed = new ArrayList<>();
      assertEquals(published.size(), store.relayEvents(1_000, relayed::add));
      assertEquals(published, relayed);
      assertTrue(published.stream().anyMatch(e -> e instanceof LoyaltyEvent.PointsTransferred));
      assertTrue(published.stream().anyMatch(e -> e instanceof LoyaltyEvent.PointsReceived));
      assertTrue(published.stream().anyMatch(e -> e instanceof LoyaltyEvent.MemberStatusChanged));
      assertTrue(published.stream().anyMatch(e -> e instanceof LoyaltyEvent.PointsForfeited));
      assertEquals(0, store.relayEvents(1_000, relayed::add));
    }

    @Test
    void relaysTheReceiversSideOfATransferAsTheReceiversEventInCommitOrderWithItsBalance() throws Exception {
      accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
      accepted(loyalty.enrol(Enrolment.of(ben, aKey())));
      accepted(loyalty.credit(Credit.of(ada, points(100), "Beans", aKey())));
      accepted(loyalty.credit(Credit.of(ben, points(5), "Beans", aKey())));
      accepted(loyalty.transfer(Transfer.of(ada, ben, points(30), "Gift", aKey())));
      accepted(loyalty.debit(Debit.of(ben, points(20), "Mug", aKey())));

      List<LoyaltyEvent> relayed = new ArrayList<>();
      store.relayEvents(1_000, relayed::add);

      assertEquals(published, relayed);
      assertEquals(List.of(LoyaltyEvent.MemberEnrolled.class, LoyaltyEvent.PointsEarned.class,
              LoyaltyEvent.PointsReceived.class, LoyaltyEvent.PointsRedeemed.class),
          relayed.stream().filter(e -> e.member().equals(ben)).map(Object::getClass).toList());
      LoyaltyEvent.PointsReceived received = relayed.stream().filter(LoyaltyEvent.PointsReceived.class::isInstance)
          .map(LoyaltyEvent.PointsReceived.class::cast).findFirst().orElseThrow();
      assertEquals(points(35), received.balance().available());
      assertEquals(List.of("ada", "ben"), membersOfTheRowsOf("PointsSent", "PointsReceived"),
          "each side is stored under its own member");
    }

    @Test
    void relaysInBatchesOfTheRequestedSize() {
      aDayOfEveryKindOfChange();
      List<LoyaltyEvent> relayed = new ArrayList<>();
      while (store.relayEvents(3, relayed::add) > 0) {
        assertTrue(relayed.size() <= published.size());
      }
      assertEquals(published, relayed);
    }

    @Test
    void anEventWhoseListenerFailedIsHandedAgainAndTheLaterOnesWaitForIt() {
      aDayOfEveryKindOfChange();
      List<LoyaltyEvent> relayed = new ArrayList<>();
      IllegalStateException failure = assertThrows(IllegalStateException.class, () -> store.relayEvents(1_000, e -> {
        if (relayed.size() == 2) {
          throw new IllegalStateException("broker down");
        }
        relayed.add(e);
      }));
      assertEquals("broker down", failure.getMessage());
      assertEquals(published.subList(0, 2), relayed);
      store.relayEvents(1_000, relayed::add);
      assertEquals(published, relayed);
    }

    @Test
    void aListenersFailureIsWhatTheRelayThrowsThoughMarkingTheEarlierEventsFailedToo() throws Exception {
      aDayOfEveryKindOfChange();
      List<LoyaltyEvent> relayed = new ArrayList<>();
      IllegalStateException failure;
      try {
        failure = assertThrows(IllegalStateException.class, () -> store.relayEvents(1_000, e -> {
          if (relayed.size() == 3) {
            throw new IllegalStateException("broker down");
          }
          if (relayed.size() == 2) { // the two enrolment events are marked delivered already
            refusingDeliveredMarks(true);
          }
          relayed.add(e);
        }));
      } finally {
        refusingDeliveredMarks(false);
      }
      assertEquals("broker down", failure.getMessage());
      assertEquals(1, failure.getSuppressed().length, "the failed marking is attached to the listener's failure");
      String marking = causes(failure.getSuppressed()[0]);
      assertTrue(marking.contains(RefuseDeliveredMarks.MESSAGE), marking);
      // The events whose marking failed come again, the one whose listener failed too.
      List<LoyaltyEvent> again = new ArrayList<>();
      store.relayEvents(1_000, again::add);
      assertEquals(published.subList(2, published.size()), again);
    }

    /*
     * An enrolment event is handed over inside a transaction that locks its row: whatever the
     * listener throws, an Error too, must end that transaction, or the row stays locked by a
     * connection that never returns to the pool, and no later call can hand the event again.
     */
    @Test
    void anEnrolmentEventWhoseListenerThrewAnErrorIsHandedAgainByTheNextCall() {
      accepted(loyalty.enrol(Enrolment.of(ada, aKey()).withBirthday(MonthDay.of(2, 29))));
      accepted(loyalty.credit(Credit.of(ada, points(10), "Beans", aKey())));
      NoClassDefFoundError failure = assertThrows(NoClassDefFoundError.class, () -> store.relayEvents(1_000, e -> {
        throw new NoClassDefFoundError("com/example/broker/Client");
      }));
      assertEquals("com/example/broker/Client", failure.getMessage());

      List<LoyaltyEvent> relayed = new ArrayList<>();
      assertEquals(2, store.relayEvents(1_000, relayed::add));
      assertEquals(published, relayed);
    }
  }

  /** Adds (or drops) a trigger that fails every update of the outbox, the relay's delivered marks. */
  private static void refusingDeliveredMarks(boolean refusing) {
    try (java.sql.Connection c = database.connect(); java.sql.Statement s = c.createStatement()) {
      s.execute(refusing
          ? "CREATE TRIGGER refuse_delivered_marks BEFORE UPDATE ON ledger_outbox FOR EACH ROW CALL \""
              + RefuseDeliveredMarks.class.getName() + "\""
          : "DROP TRIGGER IF EXISTS refuse_delivered_marks");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The messages of a failure and its causes, one a line. */
  private static String causes(Throwable failure) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t).append('\n');
    }
    return messages.toString();
  }

  /** An H2 trigger standing for a database that fails the relay's delivered marks. */
  public static final class RefuseDeliveredMarks implements org.h2.api.Trigger {

    static final String MESSAGE = "the outbox refuses delivered marks (test)";

    @Override
    public void fire(java.sql.Connection connection, Object[] oldRow, Object[] newRow) throws java.sql.SQLException {
      throw new java.sql.SQLException(MESSAGE);
    }
  }

  /** The {@code member_id} of the outbox rows of the given event types, in id order. */
  private static List<String> membersOfTheRowsOf(String... types) throws java.sql.SQLException {
    List<String> members = new ArrayList<>();
    try (java.sql.Connection c = database.connect();
        java.sql.PreparedStatement select = c.prepareStatement("SELECT member_id FROM ledger_outbox"
            + " WHERE event_type IN (?, ?) ORDER BY id")) {
      select.setString(1, types[0]);
      select.setString(2, types[1]);
      try (java.sql.ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          members.add(rs.getString(1));
        }
      }
    }
    return members;
  }

  @Nested
  class Erasure {

    /*
     * The relay reads its batch first and hands the events over one by one: an erasure that commits
     * in between must still keep the birthday out of the enrolment event handed over after it.
     */
    @Test
    void anEnrolmentEventRelayedAfterTheMembersErasureCommittedCarriesNoBirthdayThoughTheBatchWasReadBefore() {
      accepted(loyalty.enrol(Enrolment.of(ben, aKey())));
      store.relayEvents(1_000, event -> { });
      accepted(loyalty.credit(Credit.of(ben, points(10), "Beans", aKey())));
      accepted(loyalty.enrol(Enrolment.of(ada, aKey()).withBirthday(MonthDay.of(2, 29))));

      List<LoyaltyEvent> relayed = new ArrayList<>();
      assertEquals(2, store.relayEvents(1_000, event -> {
        if (event instanceof LoyaltyEvent.PointsEarned) {
          accepted(loyalty.erase(ada, aKey())); // commits after the batch was read, before ada's enrolment is handed over
        }
        relayed.add(event);
      }));
      LoyaltyEvent.MemberEnrolled enrolled = (LoyaltyEvent.MemberEnrolled) relayed.get(1);
      assertEquals(ada, enrolled.member());
      assertTrue(enrolled.enrolled().birthday().isEmpty(), "the erased birthday was handed over: " + enrolled);
    }

    /*
     * A listener that writes to the ledger as it handles an enrolment event (a welcome bonus) while a
     * till's request for the same member is being committed: the till's thread holds the facade's
     * lock on the member and waits to write; the listener must not hold what that thread waits for
     * (on H2, the database's write lock) while it waits for the member's lock, or both wait for ever.
     */
    @Test
    void aListenerThatCreditsTheEnrolledMemberWhileATillWritesForThemBothCommit() throws Exception {
      accepted(loyalty.enrol(Enrolment.of(ada, aKey()).withBirthday(MonthDay.of(2, 29))));
      java.util.concurrent.CountDownLatch handingOver = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CompletableFuture<Thread> tillStarted = new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.FutureTask<Integer> relay = new java.util.concurrent.FutureTask<>(
          () -> store.relayEvents(1_000, event -> {
            if (event instanceof LoyaltyEvent.MemberEnrolled) {
              handingOver.countDown();
              // Once the till waits (to write, or for the member the listener is about to credit).
              ThreadStates.settled(tillStarted.join());
              accepted(loyalty.credit(Credit.of(ada, points(50), "Welcome", Fixtures.key("welcome"))));
            }
          }));
      Thread relaying = new Thread(relay);
      java.util.concurrent.FutureTask<Receipt> till = new java.util.concurrent.FutureTask<>(
          () -> accepted(loyalty.credit(Credit.of(ada, points(5), "Beans", Fixtures.key("till-1")))));
      Thread tillThread = new Thread(till);
      relaying.start();
      handingOver.await();
      tillThread.start();
      tillStarted.complete(tillThread);

      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
        till.get();
        relay.get();
      }, "the relay's listener and the till wait for each other");
      assertEquals(points(55), Fixtures.balanceOf(loyalty, ada).available());
    }

    /*
     * The relay hands an enrolment event over while another thread erases the member: the erasure
     * does not commit while the birthday is being handed over; it is refused as a concurrent
     * modification, writing nothing, and commits when sent again after the listener returned (on H2
     * as on PostgreSQL: OutboxRelayOnPostgresqlTest).
     */
    @Test
    void anErasureWhileTheRelayHandsOverTheEnrolmentEventIsRefusedAndCommitsWhenSentAgain() throws Exception {
      erasingWhileHandedOver(() -> { });
    }

    /*
     * The listener of the enrolment event credits the member (a welcome bonus) after another thread
     * began to erase that member through the same facade. The erasure holds the facade's lock on the
     * member, which the listener's credit waits for: had the erasure waited for the listener, both
     * would have waited for ever. It is refused instead, and the credit commits.
     */
    @Test
    void aListenerThatCreditsTheMemberWhoseErasureBeganMeanwhileEndsAndTheErasureIsRefused() throws Exception {
      erasingWhileHandedOver(() -> {
        accepted(loyalty.credit(Credit.of(ada, points(50), "Welcome", Fixtures.key("welcome"))));
        assertEquals(points(50), Fixtures.balanceOf(loyalty, ada).available());
      });
    }

    /**
     * Erases the member on another thread while the relay hands over its enrolment event, then lets
     * the listener do {@code then}: the erasure is refused as a concurrent modification and writes
     * nothing; sent again, now that the event is delivered, it commits, and the relay does not hand
     * the event again.
     */
    private void erasingWhileHandedOver(Runnable then) throws Exception {
      accepted(loyalty.enrol(Enrolment.of(ada, aKey()).withBirthday(MonthDay.of(2, 29))));
      IdempotencyKey key = aKey();
      java.util.concurrent.FutureTask<Either<LoyaltyError, Receipt>> erasure =
          new java.util.concurrent.FutureTask<>(() -> loyalty.erase(ada, key));
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> store.relayEvents(1_000, event -> {
            assertTrue(((LoyaltyEvent.MemberEnrolled) event).enrolled().birthday().isDefined());
            Thread erasing = new Thread(erasure);
            erasing.start();
            ThreadStates.settled(erasing);
            then.run();
          }), "the erasure and the relay's listener wait for each other");
      Either<LoyaltyError, Receipt> erased = erasure.get();
      assertTrue(erased.isLeft() && erased.getLeft() instanceof LoyaltyError.ConcurrentModification,
          "the erasure was not refused while the birthday was being handed over: " + erased);
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
      assertTrue(store.history(ada, io.github.loyaltyledger.store.EntryQuery.newest(1)
              .withKinds(io.vavr.collection.HashSet.of(io.github.loyaltyledger.ledger.EntryKind.ERASURE))).isEmpty(),
          "the refused erasure wrote its entry");
      accepted(loyalty.erase(ada, key));
      List<LoyaltyEvent> later = new ArrayList<>();
      store.relayEvents(1_000, later::add);
      assertTrue(later.stream().noneMatch(LoyaltyEvent.MemberEnrolled.class::isInstance),
          "the enrolment event was marked delivered: " + later);
    }
  }

  @Nested
  class Writing {

    @Test
    void aReplayedRequestAddsNoEvent() {
      accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
      Credit credit = Credit.of(ada, points(10), "x", Fixtures.key("pos-1"));
      accepted(loyalty.credit(credit));
      accepted(loyalty.credit(credit));
      List<LoyaltyEvent> relayed = new ArrayList<>();
      store.relayEvents(1_000, relayed::add);
      assertEquals(published, relayed);
      assertEquals(2, relayed.size());
    }

    @Test
    void aReplayedTransferAddsNoEvent() {
      accepted(loyalty.enrol(Enrolment.of(ada, aKey())));
      accepted(loyalty.enrol(Enrolment.of(ben, aKey())));
      accepted(loyalty.credit(Credit.of(ada, points(100), "Beans", aKey())));
      Transfer gift = Transfer.of(ada, ben, points(30), "Gift", Fixtures.key("gift-1"));
      accepted(loyalty.transfer(gift));
      store.relayEvents(1_000, event -> { });

      accepted(loyalty.transfer(gift));

      List<LoyaltyEvent> relayed = new ArrayList<>();
      assertEquals(0, store.relayEvents(1_000, relayed::add));
      assertEquals(6, published.size(), "two enrolments, the credit, and the transfer's three events once");
    }
  }
}
