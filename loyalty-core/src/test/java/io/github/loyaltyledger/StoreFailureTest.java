package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgramWithTiers;
import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreFailureTest {

  private final TestClock clock = TestClock.at("2026-03-01T12:00:00Z");
  private final MemberId alice = member("alice");
  private final InMemoryLedgerStore store = new InMemoryLedgerStore();

  /** A store whose commit fails once for the key chosen: before or after forwarding it. */
  static final class FailingStore extends ForwardingStore {
    private Predicate<String> before = k -> false;
    private Predicate<String> after = k -> false;
    private boolean downAtEntry;
    private boolean down;

    FailingStore(InMemoryLedgerStore inner) {
      super(inner);
    }

    void failBefore(String key) {
      before = k -> k.equals(key);
    }

    void failAfter(String key) {
      after = k -> k.equals(key);
    }

    /** The database goes away at the next read of an entry: that read and every read after it fail. */
    void goDownAtTheNextEntryRead() {
      downAtEntry = true;
    }

    @Override
    public Option<Entry> entry(EntryId id) {
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

    Receipt first = accepted(loyalty.earn(aPurchaseOf(alice, "60.00", key("pos-1"))));

    assertEquals(first, accepted(loyalty.earn(aPurchaseOf(alice, "60.00", key("pos-1")))));
    assertEquals(List.of(EntryKind.EARN), first.entries().map(Entry::kind));
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
    enrolled(loyalty, alice);
    Fixtures.earned(loyalty, alice, 100);
    Hold hold = accepted(loyalty.authorize(Authorization.points(alice, Fixtures.points(40), Duration.ofMinutes(30),
        Channel.store("S-1"), key("auth-1"))));
    failing.goDownAtTheNextEntryRead();

    StoreDown thrown = assertThrows(StoreDown.class, () -> loyalty.voidHold(hold.id(), "Basket abandoned", key("void-1")));

    assertEquals("the database went away during the read of entry " + hold.id(), thrown.getMessage());
    assertEquals(List.of("the database went away during the read of the account of alice"),
        List.of(thrown.getSuppressed()).map(Throwable::getMessage));
  }

  private List<EntryKind> kinds() {
    return store.entries(alice, 1, 100).map(Entry::kind);
  }
}
