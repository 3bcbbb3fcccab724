package io.github.loyaltyledger.store;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.ChainTip;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Verification;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryDraft;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * An anchor kept from an earlier verification catches what the chain alone cannot: the tail of a
 * random ledger removed, or rewritten with recomputed hashes, the account made to match (ADR 0002);
 * and a ledger that only grew since verifies against every earlier anchor.
 */
class AnchorPropertiesTest {

  static final int EXAMPLES = Math.max(20, Integer.getInteger("QT_EXAMPLES", 1000) / 10);
  private static final MemberId ALICE = member("alice");

  /** A ledger of one credit and then random credits (positive) and debits (negative, refused if too large). */
  private static final class World {
    final InMemoryLedgerStore store = new InMemoryLedgerStore();
    final TestClock clock = TestClock.at(Fixtures.START);
    final Loyalty loyalty = Fixtures.aLoyalty(store, clock, Fixtures.aProgram());
    /** The account as it was when the ledger held so many entries. */
    final Map<Long, Account> accountAt = new TreeMap<>();

    World(List<Integer> activity) {
      Fixtures.enrolled(loyalty, ALICE);
      remember();
      send(100);
      activity.forEach(this::send);
    }

    private void send(int amount) {
      clock.advance(Duration.ofHours(1));
      if (amount >= 0) {
        accepted(loyalty.credit(Credit.of(ALICE, Points.of(amount + 1L), "Purchase", aKey())));
      } else {
        loyalty.debit(Debit.of(ALICE, Points.of(-amount), "Reward", aKey()));
      }
      remember();
    }

    private void remember() {
      Account account = store.account(ALICE).get();
      accountAt.put(account.lastSequence(), account);
    }

    long size() {
      return store.account(ALICE).get().lastSequence();
    }

    Entry entry(long sequence) {
      return store.entry(EntryId.of(ALICE, sequence)).get();
    }

    ChainTip tipAt(long sequence) {
      return ChainTip.of(ALICE, sequence, sequence == 0 ? Entry.GENESIS_HASH : entry(sequence).hash());
    }

    /** Rewrites every entry from {@code from} on with another reason, each re-hashed onto the one before. */
    void rewriteFrom(long from) {
      String previous = from == 1 ? Entry.GENESIS_HASH : entry(from - 1).hash();
      for (long s = from; s <= size(); s++) {
        Entry e = entry(s);
        Entry forged = Entry.seal(new EntryDraft(e.id(), e.kind(), e.points(), e.movements(), e.occurredAt(),
            e.recordedAt(), e.channel(), e.idempotencyKey(), "rewritten " + s, e.programVersion(), e.ruleIds(),
            e.reference(), e.counterparty(), e.operator(), e.expiresAt(), e.vestsAt(), e.details()), previous);
        store.tamperReplace(forged);
        previous = forged.hash();
      }
      String tip = previous;
      store.tamperAccount(ALICE, a -> new Account(a.member(), a.version(), a.lastSequence(), tip, a.balance(), a.lots()));
    }

    /** Removes every entry after the first {@code kept} and puts back the account as it was then. */
    void truncateTo(long kept) {
      for (long s = size(); s > kept; s--) {
        store.tamperDelete(EntryId.of(ALICE, s));
      }
      store.tamperAccount(ALICE, a -> accountAt.get(kept));
    }
  }

  @Test
  void aTailRemovedOrRewrittenWithRecomputedHashesIsReportedAtAnEarlierAnchor() {
    qt().withExamples(EXAMPLES)
        .forAll(lists().of(integers().between(-250, 300)).ofSizeBetween(0, 20), integers().between(0, 999),
            integers().between(0, 999), booleans().all())
        .checkAssert((activity, anchorDraw, tamperDraw, rewrite) -> {
          World world = new World(activity);
          long anchorAt = 1 + anchorDraw % world.size();
          ChainTip anchor = world.tipAt(anchorAt);
          if (rewrite) {
            world.rewriteFrom(1 + tamperDraw % anchorAt);
          } else {
            List<Long> before = world.accountAt.keySet().stream().filter(kept -> kept < anchorAt).toList();
            world.truncateTo(before.get(tamperDraw % before.size()));
          }
          assertTrue(accepted(world.loyalty.verify(ALICE)).isIntact(), "the chain alone cannot tell");

          Verification v = accepted(world.loyalty.verify(ALICE, anchor));
          assertFalse(v.isIntact());
          assertEquals(anchorAt, v.firstBadSequence().get(), v.problem().get());
        });
  }

  @Test
  void aLedgerThatOnlyGrewVerifiesAgainstEveryEarlierAnchorAndReportsItsNewestEntryAsItsTip() {
    qt().withExamples(EXAMPLES)
        .forAll(lists().of(integers().between(-250, 300)).ofSizeBetween(0, 20))
        .checkAssert(activity -> {
          World world = new World(activity);
          for (long anchorAt = 0; anchorAt <= world.size(); anchorAt++) {
            Verification v = accepted(world.loyalty.verify(ALICE, world.tipAt(anchorAt)));
            assertTrue(v.isIntact(), () -> v.problem().get());
            assertEquals(world.tipAt(world.size()), v.tip().get());
          }
        });
  }
}
