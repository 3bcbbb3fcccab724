package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgramWithTiers;
import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.redemption.Reward;
import io.github.loyaltyledger.redemption.RewardCatalog;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.redemption.RewardKind;
import io.github.loyaltyledger.redemption.TierSource;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.Hold;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.ConcurrentWriteException;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class StoreFailureTest {

  private final TestClock clock = TestClock.at("2026-03-01T12:00:00Z");
  private final MemberId alice = member("alice");
  private final InMemoryLedgerStore store = new InMemoryLedgerStore();

  /** A store whose commit fails once for the key chosen: before or after forwarding it. */
  static final class FailingStore extends ForwardingStore {
    private Predicate<String> before = k -> false;
    private Predicate<String> after = k -> false;
    private Predicate<String> contended = k -> false;
    private int contentions;
    private boolean downAtEntry;
    private boolean down;
    private boolean entryTimesOut;

    FailingStore(InMemoryLedgerStore inner) {
      super(inner);
    }

    void failBefore(String key) {
      before = k -> k.equals(key);
    }

    void failAfter(String key) {
      after = k -> k.equals(key);
    }

    /**
     * The commit under the key is refused {@code times} times by a concurrent writer, as a store of
     * yours may answer a lock timeout or a deadlock: with {@link ConcurrentWriteException}, having
     * stored nothing.
     */
    void contend(String key, int times) {
      contended = k -> k.equals(key);
      contentions = times;
    }

    /** The database goes away at the next read of an entry: that read and every read after it fail. */
    void goDownAtTheNextEntryRead() {
      downAtEntry = true;
    }

    /** The next read of an entry times out; the reads after it succeed. */
    void timeOutAtTheNextEntryRead() {
      entryTimesOut = true;
    }

    @Override
    public Option<Entry> entry(EntryId id) {
      if (entryTimesOut) {
        entryTimesOut = false;
        throw new StoreDown("read of entry " + id);
      }
      if (downAtEntry) {
        down = true;
        throw new StoreDown("read of entry " + id);
      }
      return super.entry(id);
    }

    @Override
    public Option<Account> account(MemberId member) {
      if (down) {
        throw new StoreDown("read of the account of " + member);
      }
      return super.account(member);
    }

    @Override
    public CommitOutcome commit(Commit commit) {
      String key = commit.record().key().value();
      if (contended.test(key) && contentions > 0) {
        contentions--;
        MemberId member = commit.changes().isEmpty() ? MemberId.of("nobody") : commit.changes().head().account().member().id();
        throw new ConcurrentWriteException(member, 1, "the rows of " + member + " were held past the lock timeout", null);
      }
      if (before.test(key)) {
        before = k -> false;
        throw new StoreDown("commit of " + key);
      }
      CommitOutcome outcome = super.commit(commit);
      if (after.test(key)) {
        after = k -> false;
        throw new StoreDown("reply to commit of " + key);
      }
      return outcome;
    }
  }

  static final class StoreDown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreDown(String what) {
      super("the database went away during the " + what);
    }
  }

  /**
   * A purchase that crosses a tier is committed, then the tier evaluation after it meets a failing
   * store. The caller was thrown that failure for a committed purchase, sent it again, and was
   * answered from its record, which makes no evaluation: the member stayed in the old tier. The
   * purchase now answers its receipt; the failure is logged, and the next evaluation records it.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aStoreFailureInTheTierEvaluationAfterACommittedPurchaseStillAnswersThePurchasesReceipt(boolean written) {
    FailingStore failing = new FailingStore(store);
    Loyalty loyalty = aLoyalty(failing, clock, aProgramWithTiers());
    enrolled(loyalty, alice);
    if (written) {
      failing.failAfter("tier:pos-1");
    } else {
      failing.failBefore("tier:pos-1");
    }

    java.util.List<java.util.logging.LogRecord> logged = new java.util.ArrayList<>();
    Receipt[] first = new Receipt[1];
    FacadeLog.keep(logged, () -> first[0] = accepted(loyalty.earn(aPurchaseOf(alice, "60.00", key("pos-1")))));

    assertEquals(1, logged.size(), "the failure is logged once: " + logged);
    assertEquals(java.util.logging.Level.WARNING, logged.get(0).getLevel());
    assertTrue(logged.get(0).getMessage().startsWith("Tier evaluation after pos-1 failed"), logged.get(0).getMessage());
    assertInstanceOf(StoreDown.class, logged.get(0).getThrown());
    assertEquals(first[0], accepted(loyalty.earn(aPurchaseOf(alice, "60.00", key("pos-1")))));
    assertEquals(List.of(EntryKind.EARN), first[0].entries().map(Entry::kind));
    accepted(loyalty.evaluateTier(alice, key("desk-1")));
    assertEquals(Option.some("gold"), loyalty.tierOf(alice, clock.instant()));
    assertEquals(1, kinds().count(EntryKind.TIER::equals), "one upgrade, recorded once: " + kinds());
  }

  /**
   * A plan that failed on a read of the store reads the account again, to tell a ledger that moved
   * under it from a fault: with the store still down that read failed too, and its exception
   * replaced the first, so the caller (and the log) saw a failure of the account's read and lost
   * the one that stopped the request.
   */
  @Test
  void aPlanThatFailedOnTheStoreThrowsThatFailureEvenWhenTheStoreStaysDown() {
    FailingStore failing = new FailingStore(store);
    Loyalty loyalty = aLoyalty(failing, clock, Fixtures.aProgram());
    Hold hold = fortyOfAHundredHeld(loyalty);
    failing.goDownAtTheNextEntryRead();

    StoreDown thrown = assertThrows(StoreDown.class, () -> loyalty.voidHold(hold.id(), "Basket abandoned", key("void-1")));

    assertEquals("the database went away during the read of entry " + hold.id(), thrown.getMessage());
    assertEquals(List.of("the database went away during the read of the account of alice"),
        List.of(thrown.getSuppressed()).map(Throwable::getMessage));
  }

  /**
   * A plan that met one failure of the store, on a ledger no other node moved, is a fault: the call
   * throws it and writes nothing, as the store's failures are never retried; it is not taken for a
   * stale plan and made again. The same request sent again with its key is then made.
   */
  @Test
  void aPlanThatMetOneStoreFailureOnALedgerThatDidNotMoveThrowsItAndIsNotMadeAgain() {
    FailingStore failing = new FailingStore(store);
    Loyalty loyalty = aLoyalty(failing, clock, Fixtures.aProgram());
    Hold hold = fortyOfAHundredHeld(loyalty);
    failing.timeOutAtTheNextEntryRead();
    long before = store.account(alice).get().lastSequence();

    StoreDown thrown = assertThrows(StoreDown.class, () -> loyalty.voidHold(hold.id(), "Basket abandoned", key("void-1")));

    assertEquals("the database went away during the read of entry " + hold.id(), thrown.getMessage());
    assertEquals(0, thrown.getSuppressed().length);
    assertEquals(before, store.account(alice).get().lastSequence());
    assertEquals(Fixtures.points(100), accepted(loyalty.voidHold(hold.id(), "Basket abandoned", key("void-1")))
        .balance().available());
  }

  /** Alice enrolled, earning 100 points, and an open hold of 40 of them. */
  private Hold fortyOfAHundredHeld(Loyalty loyalty) {
    enrolled(loyalty, alice);
    Fixtures.earned(loyalty, alice, 100);
    return accepted(loyalty.authorize(Authorization.points(alice, Fixtures.points(40), Duration.ofMinutes(30),
        Channel.store("S-1"), key("auth-1"))));
  }

  /** A write operation a till or the desk makes under the key {@code op-1}. */
  private enum Operation {
    ENROL(w -> w.loyalty.enrol(Enrolment.of(member("carol"), key("op-1")))),
    EARN(w -> w.loyalty.earn(aPurchaseOf(w.alice, "12.50", key("op-1")))),
    CREDIT(w -> w.loyalty.credit(Credit.of(w.alice, Fixtures.points(50), "Goodwill", key("op-1")))),
    DEBIT(w -> w.loyalty.debit(Debit.of(w.alice, Fixtures.points(30), "Reward", key("op-1")))),
    ADJUST(w -> w.loyalty.adjust(Adjustment.of(w.alice, Fixtures.points(-20), "Typo", "desk", key("op-1")))),
    TRANSFER(w -> w.loyalty.transfer(Transfer.of(w.alice, w.bob, Fixtures.points(100), "Gift", key("op-1")))),
    REDEEM(w -> w.loyalty.redeem(w.alice, SCARF, Channel.store("S-1"), key("op-1"))),
    AUTHORIZE(w -> w.loyalty.authorize(Authorization.points(w.alice, Fixtures.points(40), Duration.ofMinutes(30),
        Channel.store("S-1"), key("op-1")))),
    CAPTURE(w -> w.loyalty.capture(w.hold.id(), key("op-1"))),
    VOID(w -> w.loyalty.voidHold(w.hold.id(), "Basket abandoned", key("op-1"))),
    PAY(w -> w.loyalty.payWithPoints(new PointsPayment(w.alice, Fixtures.PAY, Fixtures.eur("8.00"), Fixtures.points(300),
        Channel.store("S-1"), key("op-1")))),
    REFUND(w -> w.loyalty.refund(Refund.ofAmount(key("pos-0"), key("op-1"), Fixtures.eur("40.00")))),
    REASSIGN(w -> w.loyalty.reassign(Reassignment.of(aPurchaseOf(w.bob, "20.00", key("pos-1")), w.alice, key("op-1"))));

    private final java.util.function.Function<World, io.vavr.control.Either<LoyaltyError, ?>> call;

    Operation(java.util.function.Function<World, io.vavr.control.Either<LoyaltyError, ?>> call) {
      this.call = call;
    }
  }

  /** A reward of which two are left. */
  private static final RewardId SCARF = RewardId.of("scarf");

  /**
   * Alice with a purchase of 100.00 (1,000 points) and a hold of 60, and Bob with one of 20.00, on a
   * store of their own.
   */
  private static final class World {
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final FailingStore failing = new FailingStore(store);
    final java.util.List<LoyaltyEvent> heard = new java.util.ArrayList<>();
    final Loyalty loyalty;
    final MemberId alice = member("alice");
    final MemberId bob = member("bob");
    final Hold hold;

    World(TestClock clock) {
      loyalty = Loyalty.builder().store(failing).clock(clock).listener(heard::add).program(LoyaltyProgram.builder("bean-club")
          .earnRules(RuleBook.of(BaseRate.of("base", "10").with(RuleTerms.DEFAULT.priority(100))))
          .rewards(RewardCatalog.builder().tiers(TierSource.NONE)
              .reward(Reward.builder(SCARF, "Scarf", new RewardKind.FreeItem("SCARF"), Fixtures.points(200)).stock(2).build())
              .reward(Fixtures.aCatalogWithoutTiers(ReturnedPoints.DEFAULT).reward(Fixtures.PAY).get())
              .build()).build()).build();
      enrolled(loyalty, alice);
      enrolled(loyalty, bob);
      accepted(loyalty.earn(aPurchaseOf(alice, "100.00", key("pos-0"))));
      accepted(loyalty.earn(aPurchaseOf(bob, "20.00", key("pos-1"))));
      hold = accepted(loyalty.authorize(Authorization.points(alice, Fixtures.points(60), Duration.ofMinutes(30),
          Channel.store("S-1"), key("auth-0"))));
      heard.clear();
    }

    /** Everything the ledger holds of the members, and the stock taken. */
    List<Object> state() {
      return List.of(member("carol"), alice, bob).map(m -> (Object) store.entries(m, 1, 1000))
          .append(store.account(member("carol"))).append(store.account(alice)).append(store.account(bob))
          .append(store.counter("reward-stock:" + SCARF));
    }
  }

  /**
   * The failure contract of every write (ADR 0004, amendment of 2026-11-28): a store failure
   * reaches the caller as the store's own exception, whether the commit stored nothing or stored it
   * and lost the answer; the same request sent again with the same key then makes the change once,
   * exactly as one call without the failure would have, or answers it from its record.
   */
  @ParameterizedTest(name = "{0}, the commit stored first: {1}")
  @MethodSource("everyWriteAndBothKindsOfFailure")
  void aWriteThatMetAFailingCommitIsMadeOnceWhenSentAgainWithItsKey(Operation operation, boolean written) {
    World once = new World(clock);
    Object answer = accepted(operation.call.apply(once));
    World failed = new World(clock);
    if (written) {
      failed.failing.failAfter("op-1");
    } else {
      failed.failing.failBefore("op-1");
    }

    assertThrows(StoreDown.class, () -> operation.call.apply(failed));

    assertEquals(written, failed.store.idempotencyRecord(key("op-1")).isDefined());
    assertEquals(java.util.List.of(), failed.heard, "nothing is published for a call that threw");
    assertEquals(answer, accepted(operation.call.apply(failed)));
    assertEquals(once.state(), failed.state());
    assertEquals(written ? java.util.List.of() : once.heard, failed.heard,
        "a replay publishes nothing, so the events of a commit whose answer was lost are not heard");
    assertEquals(answer, accepted(operation.call.apply(failed)), "and again from its record");
  }

  /**
   * A store's commit that met concurrent writers of its rows (a lock timeout, a deadlock) and threw
   * {@link ConcurrentWriteException}, which promises that nothing was stored, is a conflict like a
   * stale version: the facade tries again from fresh state, and the call answers as one without it;
   * met on every attempt, it answers {@link LoyaltyError.ConcurrentModification} and writes and
   * publishes nothing, and the same request sent again once the writers are gone is made once.
   * Before, the exception escaped the call, which {@code ConcurrentWriteException} says a user of
   * {@code Loyalty} never catches.
   */
  @ParameterizedTest(name = "{0}, on every attempt: {1}")
  @MethodSource("everyWriteAndBothKindsOfFailure")
  void aCommitRefusedByConcurrentWritersIsTriedAgainAndAnswersConcurrentModificationOnlyIfEveryAttemptIs(
      Operation operation, boolean everyAttempt) {
    World once = new World(clock);
    Object answer = accepted(operation.call.apply(once));
    World contended = new World(clock);
    List<Object> before = contended.state();
    contended.failing.contend("op-1", everyAttempt ? Integer.MAX_VALUE : 2);

    if (everyAttempt) {
      LoyaltyError.ConcurrentModification refusal = assertInstanceOf(LoyaltyError.ConcurrentModification.class,
          Fixtures.refused(operation.call.apply(contended)));
      assertEquals(16, refusal.attempts());
      assertEquals(before, contended.state());
      assertEquals(java.util.List.of(), contended.heard);
      contended.failing.contend("op-1", 0);
    }

    assertEquals(answer, accepted(operation.call.apply(contended)));
    assertEquals(once.state(), contended.state());
    assertEquals(once.heard, contended.heard);
  }

  /** Every write, each with {@code false} and {@code true}. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> everyWriteAndBothKindsOfFailure() {
    return java.util.Arrays.stream(Operation.values()).flatMap(op -> java.util.stream.Stream.of(false, true)
        .map(written -> org.junit.jupiter.params.provider.Arguments.of(op, written)));
  }

  private List<EntryKind> kinds() {
    return store.entries(alice, 1, 100).map(Entry::kind);
  }
}
