package io.github.loyaltyledger.store;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.redeemed;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Adjustment;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LedgerStore} must have. Extend it, implement {@link #newStore()}, and
 * run it against your store (it is published in {@code loyalty-core}'s test jar).
 *
 * <p>It checks the port directly (atomic commits, version and key conflicts, reads) and through
 * the {@link Loyalty} facade (round trips of every field, idempotency, concurrency with 16
 * threads on one hot member and on 1,000 members).
 */
public abstract class LedgerStoreContract {

  protected TestClock clock;
  protected LedgerStore store;
  protected Loyalty loyalty;
  protected final MemberId alice = member("alice");
  protected final MemberId bob = member("bob");

  /** For subclasses. */
  protected LedgerStoreContract() {}

  /**
   * Creates an empty store for one test. Called before each test.
   *
   * @return a store with no data
   */
  protected abstract LedgerStore newStore();

  /** Releases what {@link #newStore()} opened; called after each test. */
  protected void closeStore() {}

  /** @return how many operations each of the 16 threads performs in the concurrency tests */
  protected int operationsPerThread() {
    return 300;
  }

  @BeforeEach
  void openStore() {
    clock = TestClock.at(Fixtures.START);
    store = newStore();
    loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram(NegativeBalancePolicy.CLAMP));
  }

  @AfterEach
  void close() {
    closeStore();
  }

  /** {@link LedgerStore#attempt}: a request's reads and commit on one view. */
  @Nested
  class Attempts {

    private CommitOutcome suspend(LedgerStore on, Account read, String key) {
      return suspend(on, read, key,
          List.of(new CounterChange("attempts", on.counter("attempts"), on.counter("attempts") + 1)));
    }

    /** Commits alice's suspension from the account as {@code read}, with the counter changes given. */
    private CommitOutcome suspend(LedgerStore on, Account read, String key, List<CounterChange> counters) {
      Account next = new Account(read.member().withStatus(MemberStatus.SUSPENDED), read.version() + 1,
          read.lastSequence(), read.lastHash(), read.balance(), read.lots());
      Receipt receipt = new Receipt(key(key), alice, MemberStatus.SUSPENDED, List.empty(), Balance.EMPTY);
      return on.commit(new Commit(List.of(new AccountChange(read.version(), next, List.empty())), counters,
          new IdempotencyRecord(key(key), "f", receipt)));
    }

    /** A suspension committed on a view, from an account it read. */
    @FunctionalInterface
    private interface Suspension {
      CommitOutcome commit(LedgerStore on, Account read, String key);
    }

    /**
     * Another request commits between the attempt's read and its commit: the commit is refused as
     * stale and stores nothing, and the next attempt, reading afresh, commits.
     */
    private void aStaleCommitStoresNothingAndTheNextAttemptCommits(Suspension suspension) {
      enrolled(loyalty, alice);
      CommitOutcome stale = store.attempt(view -> {
        Account read = view.account(alice).get();
        earned(loyalty, alice, 10); // another request commits between the read and the commit
        return suspension.commit(view, read, "late");
      });
      assertEquals(CommitOutcome.STALE_ACCOUNT, stale);
      assertEquals(MemberStatus.ACTIVE, store.account(alice).get().member().status());
      assertTrue(store.idempotencyRecord(key("late")).isEmpty());
      assertEquals(0, store.counter("attempts"));
      assertEquals(CommitOutcome.COMMITTED,
          store.attempt(view -> suspension.commit(view, view.account(alice).get(), "late")));
      assertEquals(MemberStatus.SUSPENDED, store.account(alice).get().member().status());
    }

    @Test
    void theViewReadsWhatTheStoreHoldsAndItsCommitIsStored() {
      enrolled(loyalty, alice);
      Receipt earned = earned(loyalty, alice, 10);
      Account before = store.account(alice).get();
      CommitOutcome outcome = store.attempt(view -> {
        assertEquals(before, view.account(alice).get());
        assertEquals(earned, view.idempotencyRecord(earned.key()).get().receipt());
        assertEquals(earned.entries(), view.entries(alice, 1, 10));
        assertEquals(earned.entries().head(), view.entry(earned.entries().head().id()).get());
        return suspend(view, view.account(alice).get(), "suspend");
      });
      assertEquals(CommitOutcome.COMMITTED, outcome);
      assertEquals(MemberStatus.SUSPENDED, store.account(alice).get().member().status());
      assertEquals(before.version() + 1, store.account(alice).get().version());
      assertEquals(1, store.counter("attempts"));
      assertTrue(store.idempotencyRecord(key("suspend")).isDefined());
    }

    @Test
    void aCommitFromAStaleReadInsideAnAttemptStoresNothingAndTheNextAttemptCommits() {
      aStaleCommitStoresNothingAndTheNextAttemptCommits(this::suspend);
    }

    /*
     * Commits without counters (nearly every request's shape): a database store may send such a
     * commit's statements in one go, so that those after a refused one run too before the refusal
     * rolls them back.
     */
    private CommitOutcome suspendWithoutCounters(LedgerStore on, Account read, String key) {
      return suspend(on, read, key, List.empty());
    }

    @Test
    void aCommitWithoutCountersFromAStaleReadInsideAnAttemptStoresNothing() {
      aStaleCommitStoresNothingAndTheNextAttemptCommits(this::suspendWithoutCounters);
    }

    @Test
    void aCommitWhoseKeyAnotherRequestTookInsideTheAttemptStoresNothing() {
      enrolled(loyalty, alice);
      enrolled(loyalty, bob);
      Account before = store.account(alice).get();
      CommitOutcome taken = store.attempt(view -> {
        assertTrue(view.idempotencyRecord(key("taken")).isEmpty());
        Account read = view.account(alice).get();
        accepted(loyalty.credit(Credit.of(bob, points(10), "x", key("taken")))); // another request takes the key
        return suspendWithoutCounters(view, read, "taken");
      });
      assertEquals(CommitOutcome.DUPLICATE_KEY, taken);
      assertEquals(before, store.account(alice).get());
      assertEquals(bob, store.idempotencyRecord(key("taken")).get().receipt().member());
    }

    @Test
    void aCommitOfAnEntryWhoseSequenceAnotherRequestTookInsideTheAttemptIsStaleAndStoresNothing() {
      enrolled(loyalty, alice);
      Receipt late = store.attempt(view -> {
        Account read = view.account(alice).get();
        Receipt other = earned(loyalty, alice, 10); // another request commits the next sequence
        Entry taken = other.entries().head();
        Account next = new Account(read.member(), read.version() + 1, taken.sequence(), taken.hash(),
            read.balance(), read.lots());
        Receipt receipt = new Receipt(key("late"), alice, MemberStatus.ACTIVE, List.of(taken), Balance.EMPTY);
        assertEquals(CommitOutcome.STALE_ACCOUNT, view.commit(new Commit(
            List.of(new AccountChange(read.version(), next, List.of(taken))),
            new IdempotencyRecord(key("late"), "f", receipt))));
        return other;
      });
      assertTrue(store.idempotencyRecord(key("late")).isEmpty());
      assertEquals(late.entries(), store.entries(alice, 1, 10));
      assertEquals(late.balance(), store.account(alice).get().balance());
      assertEquals(points(10), balanceOf(loyalty, alice).available());
    }

    @Test
    void anAttemptNamingItsKeyAndMembersReadsWhatTheStoreHolds() {
      enrolled(loyalty, alice);
      Receipt earned = earned(loyalty, alice, 10);
      Account before = store.account(alice).get();
      assertEquals(earned, store.attempt(earned.key(), List.of(alice), view -> {
        Receipt recorded = view.idempotencyRecord(earned.key()).get().receipt();
        assertEquals(before, view.account(alice).get());
        return recorded;
      }));
      MemberId carol = member("carol");
      boolean nothing = store.attempt(key("new"), List.of(carol), view ->
          view.idempotencyRecord(key("new")).isEmpty() && view.account(carol).isEmpty());
      assertTrue(nothing);
      assertEquals(before, store.attempt(key("other"), List.of(alice), view -> {
        assertEquals(1, view.entries(alice, 1, 10).size()); // a first read of something else
        assertTrue(view.idempotencyRecord(key("other")).isEmpty());
        return view.account(alice).get();
      }));
    }

    /*
     * A store may read the account ahead, with the key: then the commit from it is refused when
     * another request overtook it (the facade tries again), else it commits; never anything between.
     */
    @Test
    void anAttemptNamingItsKeyAndMembersCommitsOnlyFromTheAccountAsStored() {
      enrolled(loyalty, alice);
      Account[] read = new Account[1];
      CommitOutcome outcome = store.attempt(key("late"), List.of(alice), view -> {
        assertTrue(view.idempotencyRecord(key("late")).isEmpty());
        earned(loyalty, alice, 10); // another request commits after the key's read
        read[0] = view.account(alice).get();
        return suspendWithoutCounters(view, read[0], "late");
      });
      Account stored = store.account(alice).get();
      if (outcome == CommitOutcome.COMMITTED) {
        assertEquals(read[0].version() + 1, stored.version());
        assertEquals(MemberStatus.SUSPENDED, stored.member().status());
      } else {
        assertEquals(CommitOutcome.STALE_ACCOUNT, outcome);
        assertEquals(MemberStatus.ACTIVE, stored.member().status());
        assertTrue(store.idempotencyRecord(key("late")).isEmpty());
      }
      assertEquals(points(10), stored.balance().available());
    }

    @Test
    void attemptsThatThrowOrOnlyReadWriteNothingAndLeaveTheStoreUsable() {
      enrolled(loyalty, alice);
      Account before = store.account(alice).get();
      for (int i = 0; i < 60; i++) {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store.attempt(view -> {
          view.account(alice);
          throw new IllegalStateException("a rule failed");
        }));
        assertEquals("a rule failed", thrown.getMessage());
        assertEquals(before, store.attempt(view -> view.account(alice).get()));
      }
      assertEquals(before, store.account(alice).get());
      assertEquals(CommitOutcome.COMMITTED, store.attempt(view -> suspend(view, view.account(alice).get(), "after")));
    }
  }

  /**
   * A store keeps one program's ledger: members, keys and counters are not kept apart by program, so
   * a facade of another program would read and write the first one's members as its own. What a
   * store must do: override {@link LedgerStore#claimProgram} to record the first program claimed
   * (atomically: of two nodes claiming a new store at once, one wins) and answer the one it keeps,
   * taking over the one named by {@code renamedFrom}; and override {@link LedgerStore#keptProgram} to
   * answer it without claiming. A store that keeps LedgerStore's defaults fails here, and the facade
   * refuses to build over it unless told that only one program runs on it
   * ({@code Loyalty.Builder.unclaimedStore()}).
   */
  @Nested
  class Programs {

    @Test
    void aStoreKeepsTheProgramItWasClaimedFor() {
      LedgerStore fresh = newStore();
      assertEquals("brand-b", fresh.claimProgram("brand-b", Option.none()));
      assertEquals(Option.some("brand-b"), fresh.keptProgram(), "a store must keep the program claimed and answer it"
          + " from keptProgram: override LedgerStore.claimProgram and LedgerStore.keptProgram, whose defaults keep none");
      assertEquals("brand-b", fresh.claimProgram("brand-c", Option.none()), "a store must answer a claim of another"
          + " program with the one it keeps, not take the claimant's");
    }

    @Test
    void aFacadeOfAnotherProgramIsRefusedOnAStoreThatKeepsTheLedgerOfOne() {
      enrolled(loyalty, alice);
      earned(loyalty, alice, 100);
      ProgramMismatchException refused = assertThrows(ProgramMismatchException.class,
          () -> Fixtures.aLoyalty(store, clock, brand("brand-b")));
      assertEquals("bean-club", refused.storeProgram());
      assertEquals("brand-b", refused.program());
      assertTrue(refused.getMessage().contains("renamedFrom(\"bean-club\")"), refused.getMessage());
      assertEquals(Points.of(100), balanceOf(loyalty, alice).available());
      assertEquals("bean-club", store.claimProgram("bean-club", Option.none()), "the store still keeps the first");
    }

    @Test
    void aNewStoreKeepsTheProgramOfTheFirstFacadeBuiltOnIt() {
      LedgerStore fresh = newStore();
      Fixtures.aLoyalty(fresh, clock, brand("brand-b"));
      assertEquals("brand-b", fresh.claimProgram("brand-b", Option.none()));
      assertThrows(ProgramMismatchException.class, () -> Fixtures.aLoyalty(fresh, clock, Fixtures.aProgram()));
    }

    @Test
    void theProgramAStoreKeepsIsReadWithoutClaimingIt() {
      LedgerStore fresh = newStore();
      assertEquals(Option.none(), fresh.keptProgram());
      assertEquals(Option.none(), fresh.keptProgram(), "reading claimed nothing");
      Fixtures.aLoyalty(fresh, clock, brand("brand-b"));
      assertEquals(Option.some("brand-b"), fresh.keptProgram());
      Loyalty.builder().program(brand("brand-c")).store(fresh).clock(clock).renamedFrom("brand-b").build();
      assertEquals(Option.some("brand-c"), fresh.keptProgram());
    }

    @Test
    void aNextVersionOfTheProgramRunsOnItsStore() {
      enrolled(loyalty, alice);
      Loyalty next = Fixtures.aLoyalty(store, clock, Fixtures.aProgram().toBuilder().build());
      assertEquals(MemberStatus.ACTIVE, accepted(next.member(alice)).status());
    }

    @Test
    void aProgramRenamedOnPurposeTakesItsStoreOverWithItsMembers() {
      enrolled(loyalty, alice);
      earned(loyalty, alice, 100);
      Loyalty renamed = Loyalty.builder().program(brand("bean-club-eu")).store(store).clock(clock)
          .renamedFrom("bean-club").build();
      assertEquals(Points.of(100), balanceOf(renamed, alice).available());
      assertThrows(ProgramMismatchException.class, () -> Fixtures.aLoyalty(store, clock, Fixtures.aProgram()),
          "the old id no longer runs on the store");
      Fixtures.aLoyalty(store, clock, brand("bean-club-eu"));
      Loyalty.builder().program(brand("bean-club-eu")).store(store).clock(clock).renamedFrom("bean-club").build();
    }

    @Test
    void aRenameFromAProgramTheStoreDoesNotKeepIsRefused() {
      ProgramMismatchException refused = assertThrows(ProgramMismatchException.class, () -> Loyalty.builder()
          .program(brand("brand-c")).store(store).clock(clock).renamedFrom("brand-b").build());
      assertEquals("bean-club", refused.storeProgram());
    }

    private io.github.loyaltyledger.program.LoyaltyProgram brand(String id) {
      return io.github.loyaltyledger.program.LoyaltyProgram.builder(id).build();
    }
  }

  @Nested
  class Port {

    @Test
    void anUnknownMemberHasNoAccountAndNoEntries() {
      assertTrue(store.account(alice).isEmpty());
      assertTrue(store.entries(alice, 1, 10).isEmpty());
      assertTrue(store.history(alice, EntryQuery.newest(10)).isEmpty());
      assertTrue(store.entry(EntryId.of(alice, 1)).isEmpty());
      assertTrue(store.idempotencyRecord(key("nothing")).isEmpty());
    }

    @Test
    void aCommitFromAStaleVersionStoresNothing() {
      enrolled(loyalty, alice);
      Receipt first = earned(loyalty, alice, 10);
      Account current = store.account(alice).get();
      Account stale = new Account(current.member(), current.version(), current.lastSequence(), current.lastHash(),
          current.balance(), current.lots());
      Receipt fake = new Receipt(key("stale"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      CommitOutcome outcome = store.commit(new Commit(
          List.of(new AccountChange(current.version() - 1, stale, List.empty())),
          new IdempotencyRecord(key("stale"), "f", fake)));
      assertEquals(CommitOutcome.STALE_ACCOUNT, outcome);
      assertEquals(current, store.account(alice).get());
      assertTrue(store.idempotencyRecord(key("stale")).isEmpty());
      assertEquals(first.entries(), store.entries(alice, 1, 10));
    }

    @Test
    void enrollingAnExistingAccountAgainIsStale() {
      enrolled(loyalty, alice);
      Account current = store.account(alice).get();
      Receipt fake = new Receipt(key("again"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      assertEquals(CommitOutcome.STALE_ACCOUNT, store.commit(new Commit(
          List.of(new AccountChange(0, Account.opened(current.member()), List.empty())),
          new IdempotencyRecord(key("again"), "f", fake))));
      assertEquals(current, store.account(alice).get());
    }

    @Test
    void aCommitThatFailsPartWayStoresNothing() {
      enrolled(loyalty, alice);
      Account current = store.account(alice).get();
      Account suspended = new Account(current.member().withStatus(MemberStatus.SUSPENDED), current.version() + 1,
          current.lastSequence(), current.lastHash(), current.balance(), current.lots());
      // An enrolment no date can represent: working out its anniversary fails after alice's change
      // (members are written in id order) was checked.
      MemberId zed = member("zed");
      Account unreadable = Account.opened(new io.github.loyaltyledger.member.Member(zed, Instant.MIN, Option.none(),
          ZoneId.of("UTC"), MemberStatus.ACTIVE));
      Receipt receipt = new Receipt(key("fails"), alice, MemberStatus.SUSPENDED, List.empty(), Balance.EMPTY);
      Object before = List.of(store.account(alice), store.entries(alice, 1, 10), store.counter("fails"));

      assertThrows(RuntimeException.class, () -> store.commit(new Commit(
          List.of(new AccountChange(current.version(), suspended, List.empty()), new AccountChange(0, unreadable, List.empty())),
          List.of(new CounterChange("fails", 0, 1)), new IdempotencyRecord(key("fails"), "f", receipt))));

      assertEquals(before, List.of(store.account(alice), store.entries(alice, 1, 10), store.counter("fails")));
      assertTrue(store.account(zed).isEmpty());
      assertTrue(store.idempotencyRecord(key("fails")).isEmpty());
      assertEquals(CommitOutcome.COMMITTED, store.commit(new Commit(
          List.of(new AccountChange(current.version(), suspended, List.empty())), new IdempotencyRecord(key("fails"), "f", receipt))),
          "the store is usable after the failure");
    }

    @Test
    void aCommitChangingOneAccountOrOneCounterTwiceIsRefusedBeforeItReachesTheStore() {
      enrolled(loyalty, alice);
      enrolled(loyalty, bob);
      Account a = store.account(alice).get();
      Account b = store.account(bob).get();
      Receipt receipt = new Receipt(key("twice"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      IdempotencyRecord record = new IdempotencyRecord(key("twice"), "f", receipt);
      AccountChange ofAlice = new AccountChange(a.version(), new Account(a.member(), a.version() + 1, a.lastSequence(),
          a.lastHash(), a.balance(), a.lots()), List.empty());
      AccountChange ofBob = new AccountChange(b.version(), new Account(b.member(), b.version() + 1, b.lastSequence(),
          b.lastHash(), b.balance(), b.lots()), List.empty());
      IllegalArgumentException twiceAnAccount = assertThrows(IllegalArgumentException.class,
          () -> new Commit(List.of(ofAlice, ofBob, ofAlice), record));
      assertTrue(twiceAnAccount.getMessage().contains("each account at most once"), twiceAnAccount.getMessage());
      List<CounterChange> counters = List.of(new CounterChange("c1", 0, 1), new CounterChange("c2", 0, 1));
      IllegalArgumentException twiceACounter = assertThrows(IllegalArgumentException.class,
          () -> new Commit(List.of(ofAlice), counters.append(new CounterChange("c1", 1, 2)), record));
      assertTrue(twiceACounter.getMessage().contains("each counter at most once"), twiceACounter.getMessage());
      // Beyond a handful of items too.
      List<CounterChange> many = List.range(0, 12).map(i -> new CounterChange("c" + i, 0, 1));
      assertThrows(IllegalArgumentException.class, () -> new Commit(List.of(ofAlice), many.append(many.get(3)), record));
      assertEquals(List.of(ofAlice, ofBob), new Commit(List.of(ofAlice, ofBob), many, record).changes(),
          "distinct changes and counters make a commit");
    }

    @Test
    void aCommitWithAKnownKeyStoresNothing() {
      enrolled(loyalty, alice);
      Receipt first = accepted(loyalty.credit(Credit.of(alice, points(10), "x", key("used"))));
      Account current = store.account(alice).get();
      Account next = new Account(current.member().withStatus(MemberStatus.SUSPENDED), current.version() + 1,
          current.lastSequence(), current.lastHash(), current.balance(), current.lots());
      CommitOutcome outcome = store.commit(new Commit(List.of(new AccountChange(current.version(), next, List.empty())),
          new IdempotencyRecord(key("used"), "other", first)));
      assertEquals(CommitOutcome.DUPLICATE_KEY, outcome);
      assertEquals(current, store.account(alice).get());
      assertEquals(first, store.idempotencyRecord(key("used")).get().receipt());
    }

    @Test
    void countersChangeAtomicallyWithTheirCommitAndRefuseStaleValues() {
      enrolled(loyalty, alice);
      assertEquals(0, store.counter("budget:spring"));
      Account current = store.account(alice).get();
      Account next = new Account(current.member(), current.version() + 1, current.lastSequence(), current.lastHash(),
          current.balance(), current.lots());
      Receipt receipt = new Receipt(key("c1"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      assertEquals(CommitOutcome.COMMITTED, store.commit(new Commit(
          List.of(new AccountChange(current.version(), next, List.empty())),
          List.of(new CounterChange("budget:spring", 0, 250), new CounterChange("stock:mug", 0, 9)),
          new IdempotencyRecord(key("c1"), "f", receipt))));
      assertEquals(250, store.counter("budget:spring"));
      assertEquals(9, store.counter("stock:mug"));

      Account after = store.account(alice).get();
      Account stale = new Account(after.member(), after.version() + 1, after.lastSequence(), after.lastHash(),
          after.balance(), after.lots());
      Receipt second = new Receipt(key("c2"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      assertEquals(CommitOutcome.STALE_COUNTER, store.commit(new Commit(
          List.of(new AccountChange(after.version(), stale, List.empty())),
          List.of(new CounterChange("stock:mug", 9, 8), new CounterChange("budget:spring", 0, 100)),
          new IdempotencyRecord(key("c2"), "f", second))));
      assertEquals(after, store.account(alice).get());
      assertEquals(9, store.counter("stock:mug"));
      assertEquals(250, store.counter("budget:spring"));
      assertTrue(store.idempotencyRecord(key("c2")).isEmpty());
    }

    @Test
    void aCounterKeyOfTheLongestLengthIsKeptWhateverItsCharacters() {
      // 200 UTF-16 units: plain, two UTF-8 bytes each, and 100 emoji (a surrogate pair each).
      List<String> longest = List.of("k", "\u00e9", "\uD83D\uDE00")
          .map(unit -> unit.repeat(CounterChange.MAX_KEY_LENGTH / unit.length()));
      Receipt receipt = new Receipt(key("longest"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      assertEquals(CommitOutcome.COMMITTED, store.commit(new Commit(List.empty(),
          longest.zipWithIndex().map(k -> new CounterChange(k._1, 0, k._2 + 1)),
          new IdempotencyRecord(key("longest"), "f", receipt))));
      assertEquals(List.of(1L, 2L, 3L), longest.map(store::counter));
      IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
          () -> new CounterChange("k".repeat(CounterChange.MAX_KEY_LENGTH + 1), 0, 1));
      assertTrue(tooLong.getMessage().contains("was 201 characters"), tooLong.getMessage());
    }

    @Test
    void aCounterKeyNoStoreCanKeepIsRefusedBeforeItReachesAnyStore() {
      // PostgreSQL refuses U+0000 in a text column, and a lone surrogate has no UTF-8 encoding (the
      // driver sends it as '?', so that such a key would name the counter "budget:?" there).
      Receipt receipt = new Receipt(key("question"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      assertEquals(CommitOutcome.COMMITTED, store.commit(new Commit(List.empty(),
          List.of(new CounterChange("budget:?", 0, 5)), new IdempotencyRecord(key("question"), "f", receipt))));
      for (String key : List.of("budget:\u0000", "budget:\uD800", "budget:\uDC00")) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new CounterChange(key, 0, 1));
        assertTrue(refused.getMessage().contains("at index 7"), refused.getMessage());
        assertEquals(0, store.counter(key), "no store holds a counter of that name");
      }
      assertEquals(5, store.counter("budget:?"));
    }

    @Test
    void aHistoryPageHoldsAtMostTheLargestLimitNewestFirst() {
      enrolled(loyalty, alice);
      for (int i = 0; i <= EntryQuery.MAX_LIMIT; i++) {
        earned(loyalty, alice, 1);
      }
      long last = store.account(alice).get().lastSequence();
      List<Entry> page = store.history(alice, EntryQuery.newest(EntryQuery.MAX_LIMIT));
      assertEquals(List.range(0, EntryQuery.MAX_LIMIT).map(i -> last - i), page.map(Entry::sequence));
      assertEquals(List.of(last - EntryQuery.MAX_LIMIT),
          store.history(alice, EntryQuery.newest(1).before(page.last().sequence())).map(Entry::sequence));
    }

    @Test
    void aMembersCounterReadByPrefixAndMemberIsTheCounterOfTheWholeName() {
      enrolled(loyalty, alice);
      enrolled(loyalty, bob);
      MemberId carol = member("carol");
      Receipt receipt = new Receipt(key("n1"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      assertEquals(CommitOutcome.COMMITTED, store.commit(new Commit(List.empty(),
          List.of(new CounterChange("earn:club:visits:alice", 0, 3), new CounterChange("earn:other:visits:alice", 0, 5),
              new CounterChange("earn:club:visits:carol", 0, 7)),
          new IdempotencyRecord(key("n1"), "f", receipt))));
      // Read in turn under two prefixes and for a member without the counter, then after the counter moved.
      for (int round = 0; round < 2; round++) {
        assertEquals(3, store.counter("earn:club:visits:", alice));
        assertEquals(5, store.counter("earn:other:visits:", alice));
        assertEquals(3, store.counter("earn:club:visits:", alice));
        assertEquals(0, store.counter("earn:club:visits:", bob));
        assertEquals(7, store.counter("earn:club:visits:", carol));
      }
      Receipt second = new Receipt(key("n2"), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
      assertEquals(CommitOutcome.COMMITTED, store.commit(new Commit(List.empty(),
          List.of(new CounterChange("earn:club:visits:alice", 3, 4), new CounterChange("earn:club:visits:bob", 0, 1)),
          new IdempotencyRecord(key("n2"), "f", second))));
      assertEquals(4, store.counter("earn:club:visits:", alice));
      assertEquals(4, store.counter("earn:club:visits:alice"));
      assertEquals(1, store.counter("earn:club:visits:", bob));
      assertEquals(5, store.counter("earn:other:visits:", alice));
      assertEquals(0, store.counter("earn:club:", alice));
    }

    @Test
    void concurrentCounterCommitsNeverLoseAnIncrement() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        CountDownLatch start = new CountDownLatch(1);
        java.util.List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            int committed = 0;
            for (int i = 0; i < 50; i++) {
              while (true) {
                long seen = store.counter("hits");
                Receipt r = new Receipt(key("hit-" + thread + "-" + i), alice, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY);
                CommitOutcome o = store.commit(new Commit(List.empty(), List.of(new CounterChange("hits", seen, seen + 1)),
                    new IdempotencyRecord(r.key(), "f", r)));
                if (o == CommitOutcome.COMMITTED) {
                  committed++;
                  break;
                }
                assertEquals(CommitOutcome.STALE_COUNTER, o);
              }
            }
            return committed;
          }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : futures) {
          total += f.get(2, TimeUnit.MINUTES);
        }
        assertEquals(400, total);
        assertEquals(400, store.counter("hits"));
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void entriesAreReadInAscendingPagesAndHistoryNewestFirst() {
      enrolled(loyalty, alice);
      for (int i = 0; i < 7; i++) {
        earned(loyalty, alice, 10);
        clock.advance(Duration.ofMinutes(10));
      }
      redeemed(loyalty, alice, 1);
      assertEquals(List.of(3L, 4L, 5L), store.entries(alice, 3, 3).map(Entry::sequence));
      assertEquals(List.of(7L, 8L), store.entries(alice, 7, 100).map(Entry::sequence));
      assertTrue(store.entries(alice, 9, 100).isEmpty());
      assertEquals(List.of(8L, 7L, 6L), store.history(alice, EntryQuery.newest(3)).map(Entry::sequence));
      assertEquals(List.of(5L, 4L), store.history(alice, EntryQuery.newest(2).before(6)).map(Entry::sequence));
      assertEquals(List.rangeClosed(1L, 8L).reverse(), store.history(alice, EntryQuery.newest(100)).map(Entry::sequence),
          "history reaches the member's first entry");
      assertEquals(List.of(1L), store.history(alice, EntryQuery.newest(5).before(2)).map(Entry::sequence));
      assertEquals(List.of(8L), store.history(alice, EntryQuery.newest(5).withKinds(HashSet.of(EntryKind.REDEEM))).map(Entry::sequence));
      Instant start = Instant.parse(Fixtures.START);
      assertEquals(List.of(3L, 2L), store.history(alice, EntryQuery.newest(5)
          .between(start.plus(Duration.ofMinutes(10)), start.plus(Duration.ofMinutes(30)))).map(Entry::sequence));
    }

    @Test
    void entriesAreFoundByTheEntryTheyReferenceAcrossMembers() {
      enrolled(loyalty, alice);
      enrolled(loyalty, bob);
      EntryId credit = earned(loyalty, alice, 10).entries().head().id();
      assertTrue(store.referencing(credit).isEmpty());
      Entry reversal = accepted(loyalty.reverse(Reversal.of(credit, "x", aKey()))).entries().head();
      assertEquals(List.of(reversal), store.referencing(credit));
      earned(loyalty, alice, 10);
      List<Entry> transfer = accepted(loyalty.transfer(Transfer.of(alice, bob, points(4), "x", aKey()))).entries();
      assertEquals(List.of(transfer.get(1)), store.referencing(transfer.get(0).id()));
    }

    @Test
    void entriesReferencingAnEntryComeInCommitOrderEvenWhenANodesClockIsBehind() {
      Loyalty earning = Fixtures.aLoyalty(store, clock, io.github.loyaltyledger.program.LoyaltyProgram.builder("bean-club")
          .earnRules(io.github.loyaltyledger.earning.RuleBook.of(io.github.loyaltyledger.earning.BaseRate.of("base", "1")))
          .build());
      enrolled(earning, alice);
      EntryId bought = accepted(earning.earn(Fixtures.aPurchaseOf(alice, "30.00", Fixtures.key("pos-1")))).entries().head().id();
      clock.advance(Duration.ofMinutes(10));
      Entry first = accepted(earning.refund(io.github.loyaltyledger.earning.Refund.ofAmount(Fixtures.key("pos-1"),
          aKey(), Fixtures.eur("5.00")))).entries().head();
      clock.advance(Duration.ofMinutes(-1));
      Entry second = accepted(earning.refund(io.github.loyaltyledger.earning.Refund.ofAmount(Fixtures.key("pos-1"),
          aKey(), Fixtures.eur("5.00")))).entries().head();
      assertTrue(second.recordedAt().isBefore(first.recordedAt()));
      assertEquals(List.of(first, second), store.referencing(bought));
    }
  }

  @Nested
  class RoundTrip {

    @Test
    void everyFieldOfEntriesAccountsAndReceiptsSurvivesTheStore() {
      accepted(loyalty.enrol(io.github.loyaltyledger.Enrolment.of(alice, aKey())
          .withBirthday(MonthDay.of(2, 29)).withZone(ZoneId.of("America/New_York"))));
      enrolled(loyalty, bob);
      Instant expiry = clock.instant().plus(Duration.ofDays(180)).plusNanos(123_456_789);
      Receipt credit = accepted(loyalty.credit(Credit.of(alice, points(500), "Latte, oat milk — 2×", key("pos-1"))
          .ofKind(EntryKind.BONUS).via(Channel.store("S-12")).expiringAt(expiry)
          .vestingAt(clock.instant().plus(Duration.ofDays(1)))
          .explainedBy(List.of("base", "happy-hour"), TreeMap.of("base", "250", "happy-hour", "250"))
          .occurredAt(clock.instant().minusSeconds(30))));
      clock.advance(Duration.ofDays(2));
      accepted(loyalty.vest(alice, clock.instant(), aKey()));
      Receipt adjust = accepted(loyalty.adjust(Adjustment.of(alice, points(7), "Goodwill", "ops:jo", aKey())));
      Receipt transfer = accepted(loyalty.transfer(Transfer.of(alice, bob, points(100), "Gift", aKey()).via(Channel.app())));
      Receipt reversal = accepted(loyalty.reverse(Reversal.of(adjust.entries().head().id(), "undo", aKey())));

      List<Entry> all = store.entries(alice, 1, 100);
      assertEquals(List.of(EntryKind.BONUS, EntryKind.VEST, EntryKind.ADJUST, EntryKind.TRANSFER_OUT, EntryKind.REVERSAL),
          all.map(Entry::kind));
      assertEquals(credit.entries().head(), all.get(0));
      assertEquals(transfer.entries().get(1), store.entry(transfer.entries().get(1).id()).get());
      assertEquals(reversal.entries().head(), all.get(4));
      assertEquals(credit, store.idempotencyRecord(key("pos-1")).get().receipt());
      assertEquals(transfer, store.idempotencyRecord(transfer.key()).get().receipt());
      Account account = store.account(alice).get();
      assertEquals(MonthDay.of(2, 29), account.member().birthday().get());
      assertEquals(ZoneId.of("America/New_York"), account.member().zone());
      assertEquals(expiry, account.lots().head().expiresAt().get());
      assertEquals(points(400), account.balance().available());
      assertTrue(accepted(loyalty.verify(alice)).isIntact());
      assertTrue(accepted(loyalty.verify(bob)).isIntact());
    }

    @Test
    void aTransferFromLotsOfSeveralExpiriesSurvivesTheStoreWithTheSendersExpiriesLotByLot() {
      enrolled(loyalty, alice);
      enrolled(loyalty, bob);
      Instant soon = clock.instant().plus(Duration.ofDays(30)).plusNanos(987_654_321);
      Instant later = clock.instant().plus(Duration.ofDays(90));
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(soon)));
      accepted(loyalty.credit(Credit.of(alice, points(20), "b", aKey()).expiringAt(later)));
      earned(loyalty, alice, 30);

      Receipt transfer = accepted(loyalty.transfer(Transfer.of(alice, bob, points(45), "Gift", aKey())));

      assertEquals(transfer.entries().filter(e -> e.member().equals(alice)), store.entries(alice, 4, 10));
      assertEquals(transfer.entries().filter(e -> e.member().equals(bob)), store.entries(bob, 1, 10));
      assertEquals(transfer, store.idempotencyRecord(transfer.key()).get().receipt());
      Account received = store.account(bob).get();
      assertEquals(List.of(Option.some(soon), Option.some(later),
          Option.<Instant>none()), received.lots().toList().map(Lot::expiresAt));
      assertEquals(List.of(points(10), points(20), points(15)),
          received.lots().toList().map(Lot::remaining));
      assertTrue(accepted(loyalty.verify(alice)).isIntact());
      assertTrue(accepted(loyalty.verify(bob)).isIntact());

      clock.advance(Duration.ofDays(31));
      assertEquals(points(-10), accepted(loyalty.expire(bob, clock.instant(), aKey())).entries().single().points());
      assertEquals(points(35), store.account(bob).get().balance().available());
    }

    @Test
    void everyWellFormedTextSurvivesTheStoreAndOneWithALoneSurrogateNeverReachesIt() {
      enrolled(loyalty, alice);
      String awkward = "caf\u00e9 \u001b\u2028 \uD83D\uDE00 ?";
      Entry credit = accepted(loyalty.credit(Credit.of(alice, points(10), awkward, aKey())
          .explainedBy(List.of(awkward), TreeMap.of(awkward, awkward)))).entries().head();
      assertEquals(credit, store.entries(alice, 1, 10).head());
      assertTrue(accepted(loyalty.verify(alice)).isIntact());

      // A store could not keep it (UTF-8 has no encoding for it), so the facade refuses it.
      Object before = List.of(store.account(alice), store.entries(alice, 1, 10));
      assertEquals("details", ((LoyaltyError.InvalidRequest) refused(loyalty.credit(Credit.of(alice, points(10), "x",
          key("lone")).explainedBy(List.empty(), TreeMap.of("note", "a\uD800b"))))).field());
      assertEquals(before, List.of(store.account(alice), store.entries(alice, 1, 10)));
      assertTrue(store.idempotencyRecord(key("lone")).isEmpty());
    }

    @Test
    void detailsInAMapThatSortsItsKeysOtherwiseAreChainedInKeyOrderSoTheyVerifyAsAnyStoreReadsThemBack() {
      // A store keeps the details as text and reads them back in key order (ADR 0002 hashes them so).
      enrolled(loyalty, alice);
      SortedMap<String, String> reversed = TreeMap.<String, String>empty(Comparator.reverseOrder())
          .put("base", "250").put("happy-hour", "250");
      Entry credit = accepted(loyalty.credit(Credit.of(alice, points(500), "Latte", aKey())
          .explainedBy(List.of("base", "happy-hour"), reversed))).entries().head();
      assertEquals(credit, store.entries(alice, 1, 10).head());
      assertTrue(store.entries(alice, 1, 10).head().hasValidHash());
      assertTrue(accepted(loyalty.verify(alice)).isIntact());
    }

    @Test
    void aTextWithANulIsRefusedOnEveryStoreSinceOneStoreCannotKeepIt() {
      // PostgreSQL refuses U+0000 in every text column: accepted in memory and on H2, the same
      // request threw from the facade on PostgreSQL.
      enrolled(loyalty, alice);
      earned(loyalty, alice, 50);
      Object before = List.of(store.account(alice), store.entries(alice, 1, 10));
      Credit credit = Credit.of(alice, points(10), "x", key("nul"));
      List<String> fields = List.of(
          refused(loyalty.credit(Credit.of(alice, points(10), "Bonus\u0000", key("nul")))),
          refused(loyalty.credit(credit.explainedBy(List.of("a\u0000b"), TreeMap.empty()))),
          refused(loyalty.credit(credit.explainedBy(List.empty(), TreeMap.of("note", "\u0000")))),
          refused(loyalty.debit(Debit.of(alice, points(1), "\u0000", key("nul")))),
          refused(loyalty.adjust(Adjustment.of(alice, points(1), "x", "ops:\u0000", key("nul"))))
      ).map(e -> assertInstanceOf(LoyaltyError.InvalidRequest.class, e).field());
      assertEquals(List.of("reason", "ruleIds", "details", "reason", "operator"), fields);
      assertEquals(before, List.of(store.account(alice), store.entries(alice, 1, 10)));
      assertTrue(store.idempotencyRecord(key("nul")).isEmpty());
    }

    @Test
    void aClosedMembersForfeitAndStatusSurviveTheStore() {
      enrolled(loyalty, alice);
      earned(loyalty, alice, 40);
      accepted(loyalty.close(alice, "bye", aKey()));
      assertEquals(MemberStatus.CLOSED, store.account(alice).get().member().status());
      assertEquals(Balance.EMPTY, balanceOf(loyalty, alice));
      assertEquals(EntryKind.FORFEIT, store.entries(alice, 2, 1).head().kind());
    }
  }

  @Nested
  class Idempotency {

    @Test
    void aReplayReturnsTheFirstReceiptFromTheStoreAndWritesNothing() {
      enrolled(loyalty, alice);
      Credit credit = Credit.of(alice, points(10), "x", key("pos-9"));
      Receipt first = accepted(loyalty.credit(credit));
      Loyalty otherNode = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
      assertEquals(first, accepted(otherNode.credit(credit)));
      assertEquals(1, store.entries(alice, 1, 10).size());
      assertEquals(new LoyaltyError.IdempotencyConflict(key("pos-9")),
          refused(otherNode.debit(Debit.of(alice, points(1), "x", key("pos-9")))));
    }
  }

  @Nested
  class Concurrency {

    private ExecutorService pool;

    @BeforeEach
    void startPool() {
      pool = Executors.newFixedThreadPool(16);
    }

    @AfterEach
    void stopPool() throws InterruptedException {
      if (pool == null) {
        return; // the store could not be opened (e.g. a database test skipped), so no pool started
      }
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    }

    /** Runs {@code task(thread)} on 16 threads released together; returns every accepted receipt. */
    private java.util.List<Receipt> onSixteenThreads(ThreadTask task) throws Exception {
      CountDownLatch start = new CountDownLatch(1);
      java.util.List<Future<java.util.List<Receipt>>> futures = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          return task.run(thread);
        }));
      }
      start.countDown();
      java.util.List<Receipt> all = new ArrayList<>();
      for (Future<java.util.List<Receipt>> f : futures) {
        all.addAll(f.get(5, TimeUnit.MINUTES));
      }
      return all;
    }

    private void keep(java.util.List<Receipt> accepted, Either<LoyaltyError, Receipt> result) {
      if (result.isRight()) {
        accepted.add(result.get());
      } else {
        assertInstanceOf(LoyaltyError.InsufficientPoints.class, result.getLeft(), "only business refusals are expected");
      }
    }

    @Test
    void sixteenThreadsOnOneMemberLoseNoAcknowledgedWrite() throws Exception {
      enrolled(loyalty, alice);
      int n = operationsPerThread();
      java.util.List<Receipt> accepted = onSixteenThreads(thread -> {
        java.util.List<Receipt> mine = new ArrayList<>();
        Random random = new Random(thread);
        for (int i = 0; i < n; i++) {
          String k = "hot-" + thread + "-" + i;
          keep(mine, random.nextInt(3) == 0
              ? loyalty.debit(Debit.of(alice, points(1 + random.nextInt(20)), "spend", key(k)))
              : loyalty.credit(Credit.of(alice, points(1 + random.nextInt(20)), "earn", key(k))));
        }
        return mine;
      });

      List<Entry> stored = store.entries(alice, 1, 1_000_000);
      Points acknowledged = List.ofAll(accepted).map(Receipt::netPoints).foldLeft(Points.ZERO, Points::plus);
      assertEquals(accepted.size(), stored.size());
      assertEquals(HashSet.ofAll(accepted).flatMap(Receipt::entries), HashSet.ofAll(stored));
      assertEquals(acknowledged, balanceOf(loyalty, alice).total());
      assertInvariants(alice);
    }

    @Test
    void sixteenThreadsOnAThousandMembersWithTransfersKeepEveryInvariant() throws Exception {
      java.util.List<MemberId> members = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        MemberId m = member("m" + i);
        members.add(m);
        enrolled(loyalty, m);
      }
      int n = operationsPerThread();
      java.util.List<Receipt> accepted = Collections.synchronizedList(onSixteenThreads(thread -> {
        java.util.List<Receipt> mine = new ArrayList<>();
        Random random = new Random(1000 + thread);
        for (int i = 0; i < n; i++) {
          MemberId m = members.get(random.nextInt(members.size()));
          String k = "many-" + thread + "-" + i;
          int dice = random.nextInt(4);
          if (dice == 0) {
            MemberId other = members.get(random.nextInt(members.size()));
            if (!other.equals(m)) {
              keep(mine, loyalty.transfer(Transfer.of(m, other, points(1 + random.nextInt(30)), "gift", key(k))));
            }
          } else if (dice == 1) {
            keep(mine, loyalty.debit(Debit.of(m, points(1 + random.nextInt(30)), "spend", key(k))));
          } else {
            keep(mine, loyalty.credit(Credit.of(m, points(1 + random.nextInt(30)), "earn", key(k))));
          }
        }
        return mine;
      }));

      Points acknowledged = List.ofAll(accepted).flatMap(Receipt::entries).map(Entry::points).foldLeft(Points.ZERO, Points::plus);
      Points stored = List.ofAll(members).map(m -> balanceOf(loyalty, m).total()).foldLeft(Points.ZERO, Points::plus);
      assertEquals(acknowledged, stored);
      for (Receipt r : accepted) {
        for (Entry e : r.entries()) {
          assertEquals(e, store.entry(e.id()).get(), "an acknowledged entry is stored as acknowledged");
        }
      }
      for (MemberId m : members) {
        assertInvariants(m);
      }
    }

    private void assertInvariants(MemberId m) {
      Account account = store.account(m).get();
      List<Entry> entries = store.entries(m, 1, 1_000_000);
      assertEquals(entries.map(Entry::points).foldLeft(Points.ZERO, Points::plus), account.balance().total());
      assertFalse(account.balance().available().isNegative());
      assertEquals(account.balance().available(),
          account.lots().filter(l -> !l.pending()).map(Lot::remaining).foldLeft(Points.ZERO, Points::plus));
      assertEquals(HashSet.ofAll(entries.map(Entry::idempotencyKey)).size(),
          entries.map(Entry::idempotencyKey).distinct().size());
      assertTrue(accepted(loyalty.verify(m)).isIntact());
    }
  }

  /** A task run by one of the 16 threads. */
  @FunctionalInterface
  protected interface ThreadTask {
    /**
     * @param thread the thread's number, 0 to 15
     * @return the receipts of the requests it got accepted
     * @throws Exception if the task fails
     */
    java.util.List<Receipt> run(int thread) throws Exception;
  }
}
