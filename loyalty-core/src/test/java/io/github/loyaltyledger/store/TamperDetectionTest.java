package io.github.loyaltyledger.store;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.redeemed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ChainTip;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Verification;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryDraft;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Editing, deleting or reordering stored entries makes verify report the first bad sequence number. */
class TamperDetectionTest {

  private final MemberId alice = member("alice");
  private InMemoryLedgerStore store;
  private Loyalty loyalty;

  @BeforeEach
  void sixEntries() {
    store = new InMemoryLedgerStore();
    loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
    enrolled(loyalty, alice);
    for (int i = 0; i < 3; i++) {
      earned(loyalty, alice, 100);
      redeemed(loyalty, alice, 10);
    }
    assertTrue(accepted(loyalty.verify(alice)).isIntact());
  }

  private Entry stored(long sequence) {
    return store.entry(EntryId.of(alice, sequence)).get();
  }

  private Verification verify() {
    Verification v = accepted(loyalty.verify(alice));
    assertFalse(v.isIntact());
    assertTrue(v.problem().isDefined());
    return v;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 3, 6})
  void alteringTheContentOfAnEntryIsReportedAtThatEntry(long sequence) {
    Entry e = stored(sequence);
    store.tamperReplace(new Entry(e.id(), e.kind(), e.points().plus(Points.of(1)), e.movements(), e.occurredAt(),
        e.recordedAt(), e.channel(), e.idempotencyKey(), e.reason(), e.programVersion(), e.ruleIds(), e.reference(),
        e.counterparty(), e.operator(), e.expiresAt(), e.vestsAt(), e.details(), e.previousHash(), e.hash()));
    assertEquals(sequence, verify().firstBadSequence().get());
  }

  /** The stored entry with another reason, re-hashed so that it is consistent in itself. */
  private Entry forgedWithNewHash(long sequence) {
    Entry e = stored(sequence);
    EntryDraft forged = new EntryDraft(e.id(), e.kind(), e.points(), e.movements(), e.occurredAt(), e.recordedAt(),
        e.channel(), e.idempotencyKey(), "a different reason", e.programVersion(), e.ruleIds(), e.reference(),
        e.counterparty(), e.operator(), e.expiresAt(), e.vestsAt(), e.details());
    return Entry.seal(forged, e.previousHash());
  }

  @Test
  void anEditWhoseHashWasRecomputedBreaksTheChainAtTheNextEntry() {
    store.tamperReplace(forgedWithNewHash(2));
    assertEquals(3, verify().firstBadSequence().get());
  }

  @Test
  void rehashingTheNewestEntryIsCaughtByTheAccountsChainTip() {
    store.tamperReplace(forgedWithNewHash(6));
    assertEquals(6, verify().firstBadSequence().get());
  }

  @Test
  void rehashingTheNewestEntryWithPointsThatOverflowTheSumIsReportedRatherThanThrown() {
    Entry e = stored(6);
    EntryDraft forged = new EntryDraft(e.id(), e.kind(), Points.of(Long.MAX_VALUE), e.movements(), e.occurredAt(),
        e.recordedAt(), e.channel(), e.idempotencyKey(), e.reason(), e.programVersion(), e.ruleIds(), e.reference(),
        e.counterparty(), e.operator(), e.expiresAt(), e.vestsAt(), e.details());
    store.tamperReplace(Entry.seal(forged, e.previousHash()));

    assertEquals(6, verify().firstBadSequence().get());
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 4})
  void deletingAnEntryIsReportedWhereItIsMissing(long sequence) {
    store.tamperDelete(EntryId.of(alice, sequence));
    assertEquals(sequence, verify().firstBadSequence().get());
  }

  @Test
  void deletingTheNewestEntryIsReportedFromTheAccountsEntryCount() {
    store.tamperDelete(EntryId.of(alice, 6));
    assertEquals(6, verify().firstBadSequence().get());
  }

  @Test
  void reorderingEntriesIsReportedAtTheFirstMovedPosition() {
    store.tamperSwap(EntryId.of(alice, 3), EntryId.of(alice, 5));
    assertEquals(3, verify().firstBadSequence().get());
  }

  @Test
  void anAccountWhoseBalanceIsSplitOtherwiseThanItsEntriesSayIsReported() {
    store.tamperAccount(alice, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(),
        new Balance(a.balance().available().minus(Points.of(10)), a.balance().pending(), a.balance().held().plus(Points.of(10))),
        a.lots()));
    Verification v = verify();
    assertEquals(6, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("balance"), v.problem().get());
  }

  @Test
  void anAccountWhoseLotsHoldOtherPointsThanItsBalanceIsReported() {
    store.tamperAccount(alice, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
        a.lots().update(0, a.lots().get(0).withRemaining(a.lots().get(0).remaining().plus(Points.of(5))))));
    assertTrue(verify().problem().get().contains("lots"));
  }

  @Test
  void pointsMovedFromOneLotToAnotherInTheAccountAreReportedAtTheLotsEntry() {
    store.tamperAccount(alice, a -> {
      io.github.loyaltyledger.ledger.Lot first = a.lots().get(0);
      io.github.loyaltyledger.ledger.Lot second = a.lots().get(1);
      return new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
          a.lots().update(0, first.withRemaining(first.remaining().plus(Points.of(5))))
              .update(1, second.withRemaining(second.remaining().minus(Points.of(5)))));
    });
    Verification v = verify();
    assertEquals(1, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("holds 75 points, but its entries leave 70"), v.problem().get());
  }

  @Test
  void anAccountThatListsALotTwiceInPlaceOfAnotherOfTheSamePointsIsReported() {
    store.tamperAccount(alice, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
        a.lots().update(1, a.lots().get(2))));
    Verification v = verify();
    assertEquals(5, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("lists lot alice#5 twice"), v.problem().get());
  }

  @Test
  void anAccountWhoseLotsHoldMorePointsThanABalanceCanIsReportedRatherThanThrown() {
    store.tamperAccount(alice, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
        a.lots().map(l -> new io.github.loyaltyledger.ledger.Lot(l.id(), Points.of(Long.MAX_VALUE),
            Points.of(Long.MAX_VALUE), l.earnedAt(), l.expiresAt(), l.vestsAt(), l.pending()))));
    assertTrue(verify().problem().get().contains("lots"));
  }

  @Test
  void aLotWhoseExpiryDiffersFromTheEntryThatCreatedItIsReportedAtThatEntry() {
    MemberId bob = member("bob");
    enrolled(loyalty, bob);
    accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(bob, Points.of(100), "Purchase", Fixtures.aKey())
        .expiringAt(java.time.Instant.parse("2027-01-01T00:00:00Z"))));
    store.tamperAccount(bob, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
        a.lots().map(l -> new io.github.loyaltyledger.ledger.Lot(l.id(), l.original(), l.remaining(), l.earnedAt(),
            io.vavr.control.Option.none(), l.vestsAt(), l.pending()))));
    Verification v = accepted(loyalty.verify(bob));
    assertFalse(v.isIntact());
    assertEquals(1, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("expires never, but its entry says 2027-01-01T00:00:00Z"), v.problem().get());
  }

  @Test
  void aLotWhoseEarnedAtDiffersFromTheEntryThatCreatedItIsReportedAtThatEntry() {
    store.tamperAccount(alice, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
        a.lots().map(l -> l.id().sequence() != 3 ? l : new io.github.loyaltyledger.ledger.Lot(l.id(), l.original(),
            l.remaining(), l.earnedAt().minusSeconds(86_400), l.expiresAt(), l.vestsAt(), l.pending()))));
    Verification v = verify();
    assertEquals(3, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("was earned at " + java.time.Instant.parse(Fixtures.START).minusSeconds(86_400)
        + ", but its entry says " + Fixtures.START), v.problem().get());
  }

  @Test
  void aLotWhoseOriginalPointsDifferFromTheEntryThatCreatedItIsReportedAtThatEntry() {
    store.tamperAccount(alice, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
        a.lots().map(l -> l.id().sequence() != 5 ? l : new io.github.loyaltyledger.ledger.Lot(l.id(), Points.of(500),
            l.remaining(), l.earnedAt(), l.expiresAt(), l.vestsAt(), l.pending()))));
    Verification v = verify();
    assertEquals(5, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("was created with 500 points, but its entry credited 100"), v.problem().get());
  }

  @ParameterizedTest(name = "entry {0} of {2} points")
  @CsvSource({"3, 200, 100", "2, 20, 10"})
  void anEntryReversedTwiceAfterItsReferenceWasRemovedIsReportedAtTheSecondReversal(long sequence, long undone,
      long points) {
    EntryId original = EntryId.of(alice, sequence);
    accepted(loyalty.reverse(io.github.loyaltyledger.Reversal.of(original, "keyed twice", Fixtures.aKey())));
    store.tamperUnreference(original);
    accepted(loyalty.reverse(io.github.loyaltyledger.Reversal.of(original, "again", Fixtures.aKey())));
    Verification v = verify();
    assertEquals(8, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("undoes " + undone + " points of entry " + original + ", which has only " + points),
        v.problem().get());
  }

  @ParameterizedTest
  @ValueSource(strings = {"capture", "void"})
  void aHoldResolvedAgainAfterItsReferenceWasRemovedIsReportedAtTheSecondResolution(String again) {
    // Another open hold keeps the held points from going below zero, so that the second resolution is written.
    accepted(loyalty.authorize(io.github.loyaltyledger.redemption.Authorization.points(alice, Points.of(100),
        java.time.Duration.ofHours(1), io.github.loyaltyledger.ledger.Channel.store("S-1"), Fixtures.aKey())));
    EntryId hold = accepted(loyalty.authorize(io.github.loyaltyledger.redemption.Authorization.points(alice, Points.of(50),
        java.time.Duration.ofHours(1), io.github.loyaltyledger.ledger.Channel.store("S-1"), Fixtures.aKey()))).id();
    accepted(loyalty.capture(hold, Fixtures.aKey()));
    store.tamperUnreference(hold);
    if (again.equals("capture")) {
      accepted(loyalty.capture(hold, Fixtures.aKey()));
    } else {
      accepted(loyalty.voidHold(hold, "Changed mind", Fixtures.aKey()));
    }
    earned(loyalty, alice, 10);
    Verification v = verify();
    assertEquals(10, v.firstBadSequence().get(), v.problem().get());
    assertTrue(v.problem().get().contains("resolves hold " + hold + ", which entry " + EntryId.of(alice, 9) + " already resolved"),
        v.problem().get());
  }

  @Test
  void aCaptureCancelledTwiceAfterItsReferenceWasRemovedIsReportedAtTheSecondCancellation() {
    EntryId hold = accepted(loyalty.authorize(io.github.loyaltyledger.redemption.Authorization.points(alice, Points.of(50),
        java.time.Duration.ofHours(1), io.github.loyaltyledger.ledger.Channel.store("S-1"), Fixtures.aKey()))).id();
    EntryId capture = accepted(loyalty.capture(hold, Fixtures.aKey())).entry();
    accepted(loyalty.cancelRedemption(capture, "Returned", Fixtures.aKey()));
    // Spent again, so that the lots the capture took from have room for a second return.
    accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(alice, Points.of(50), "Spent again", Fixtures.aKey())));
    store.tamperUnreference(capture);
    accepted(loyalty.cancelRedemption(capture, "Returned again", Fixtures.aKey()));
    Verification v = verify();
    assertFalse(v.isIntact());
    assertEquals(capture.sequence() + 3, v.firstBadSequence().get(), v.problem().get());
    assertTrue(v.problem().get().contains("undoes 100 points of entry " + capture + ", which has only 50"),
        v.problem().get());
  }

  /** Bob with a lot of 100 points that vests on 1 June 2026 and a vested lot of 100. */
  private MemberId bobWithAPendingLotAndAVestedOne() {
    MemberId bob = member("bob");
    enrolled(loyalty, bob);
    accepted(loyalty.credit(io.github.loyaltyledger.Credit.of(bob, Points.of(100), "Purchase", Fixtures.aKey())
        .vestingAt(java.time.Instant.parse("2026-06-01T00:00:00Z"))));
    earned(loyalty, bob, 100);
    return bob;
  }

  @Test
  void aPendingLotThatVestsEarlierThanItsEntrySaysIsReportedAtThatEntry() {
    MemberId bob = bobWithAPendingLotAndAVestedOne();
    store.tamperAccount(bob, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
        a.lots().map(l -> l.pending() ? new io.github.loyaltyledger.ledger.Lot(l.id(), l.original(), l.remaining(),
            l.earnedAt(), l.expiresAt(), io.vavr.control.Option.some(java.time.Instant.parse(Fixtures.START)), true) : l)));
    Verification v = accepted(loyalty.verify(bob));
    assertFalse(v.isIntact());
    assertEquals(1, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("vests " + Fixtures.START + ", but its entry says 2026-06-01T00:00:00Z"),
        v.problem().get());
  }

  @Test
  void aPendingLotAndAVestedOneThatSwappedTheirStateAreReported() {
    MemberId bob = bobWithAPendingLotAndAVestedOne();
    java.time.Instant vests = java.time.Instant.parse("2026-06-01T00:00:00Z");
    store.tamperAccount(bob, a -> new Account(a.member(), a.version(), a.lastSequence(), a.lastHash(), a.balance(),
        a.lots().map(l -> new io.github.loyaltyledger.ledger.Lot(l.id(), l.original(), l.remaining(), l.earnedAt(),
            l.expiresAt(), l.vestsAt().orElse(io.vavr.control.Option.some(vests)), !l.pending()))));
    Verification v = accepted(loyalty.verify(bob));
    assertFalse(v.isIntact());
    assertTrue(v.problem().get().contains("pending"), v.problem().get());
  }

  @Test
  void tamperingWithOneMemberLeavesOthersIntact() {
    MemberId bob = member("bob");
    enrolled(loyalty, bob);
    earned(loyalty, bob, 5);
    store.tamperDelete(EntryId.of(alice, 2));
    verify();
    assertTrue(accepted(loyalty.verify(bob)).isIntact());
  }

  /**
   * An anchor (a chain tip kept outside the database) catches what the chain alone cannot: the
   * newest entries removed, or history rewritten with recomputed hashes, the account made to match.
   */
  @Nested
  class AgainstAnAnchor {

    private ChainTip tipNow() {
      return accepted(loyalty.verify(alice)).tip().get();
    }

    private Verification verifyAgainst(ChainTip anchor) {
      return accepted(loyalty.verify(alice, anchor));
    }

    /** Removes the newest entry, a redemption of 10 from the first lot, and changes the account to match. */
    private void removeTheNewestRedemptionAndItsTraces() {
      Entry previous = stored(5);
      store.tamperDelete(EntryId.of(alice, 6));
      store.tamperAccount(alice, a -> new Account(a.member(), a.version(), 5, previous.hash(),
          new Balance(a.balance().available().plus(Points.of(10)), a.balance().pending(), a.balance().held()),
          a.lots().update(0, a.lots().get(0).withRemaining(a.lots().get(0).remaining().plus(Points.of(10))))));
    }

    /** Rewrites the reason of the newest entry, re-hashes it and moves the account's chain tip to it. */
    private void rewriteTheNewestEntryWithItsHash() {
      Entry forged = forgedWithNewHash(6);
      store.tamperReplace(forged);
      store.tamperAccount(alice, a -> new Account(a.member(), a.version(), a.lastSequence(), forged.hash(), a.balance(),
          a.lots()));
    }

    @Test
    void anIntactLedgerReportsItsNewestEntryAsItsTip() {
      assertEquals(ChainTip.of(alice, 6, stored(6).hash()), tipNow());
    }

    @Test
    void aBrokenLedgerReportsNoTip() {
      store.tamperDelete(EntryId.of(alice, 3));
      assertTrue(verify().tip().isEmpty());
    }

    @Test
    void removingTheNewestEntryAndMatchingTheAccountPassesTheChainAloneButNotTheAnchor() {
      ChainTip anchor = tipNow();
      removeTheNewestRedemptionAndItsTraces();
      assertTrue(accepted(loyalty.verify(alice)).isIntact(), "the chain alone cannot tell");

      Verification v = verifyAgainst(anchor);
      assertFalse(v.isIntact());
      assertEquals(6, v.firstBadSequence().get());
      assertTrue(v.problem().get().contains("shorter than the anchor"), v.problem().get());
      assertTrue(v.tip().isEmpty());
    }

    @Test
    void rewritingTheNewestEntryWithARecomputedHashPassesTheChainAloneButNotTheAnchor() {
      ChainTip anchor = tipNow();
      rewriteTheNewestEntryWithItsHash();
      assertTrue(accepted(loyalty.verify(alice)).isIntact(), "the chain alone cannot tell");

      Verification v = verifyAgainst(anchor);
      assertEquals(6, v.firstBadSequence().get());
      assertTrue(v.problem().get().contains("no longer matches the anchor " + anchor), v.problem().get());
    }

    @Test
    void aRewriteAfterTheAnchorIsBeyondItsReach() {
      ChainTip anchor = ChainTip.of(alice, 5, stored(5).hash());
      rewriteTheNewestEntryWithItsHash();
      assertTrue(verifyAgainst(anchor).isIntact());
    }

    @Test
    void aLedgerThatGrewSinceTheAnchorVerifiesAgainstIt() {
      ChainTip anchor = tipNow();
      earned(loyalty, alice, 7);
      Verification v = verifyAgainst(anchor);
      assertTrue(v.isIntact());
      assertEquals(ChainTip.of(alice, 7, stored(7).hash()), v.tip().get());
    }

    @Test
    void theAnchorKeptAsTextWorksAsWell() {
      ChainTip anchor = ChainTip.parse(tipNow().toString());
      removeTheNewestRedemptionAndItsTraces();
      assertFalse(verifyAgainst(anchor).isIntact());
    }

    @Test
    void anAnchorOfAnotherMemberIsRefused() {
      MemberId bob = member("bob");
      enrolled(loyalty, bob);
      earned(loyalty, bob, 5);
      ChainTip bobs = accepted(loyalty.verify(bob)).tip().get();

      LoyaltyError refused = loyalty.verify(alice, bobs).getLeft();
      assertEquals("anchor", ((LoyaltyError.InvalidRequest) refused).field());
      assertTrue(((LoyaltyError.InvalidRequest) refused).reason().contains("bob"));
    }

    @Test
    void aMemberWithoutEntriesHasTheTipBeforeTheFirstEntryAndAnyMemberPassesThroughIt() {
      MemberId bob = member("bob");
      enrolled(loyalty, bob);
      ChainTip empty = accepted(loyalty.verify(bob)).tip().get();
      assertEquals(ChainTip.of(bob, 0, Entry.GENESIS_HASH), empty);

      earned(loyalty, bob, 5);
      assertTrue(accepted(loyalty.verify(bob, empty)).isIntact());
    }
  }
}
