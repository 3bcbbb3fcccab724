package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.redeemed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.ChainTip;
import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Verification;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryDraft;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.redemption.Authorization;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What {@code verify} reports when someone with write access to the database changes the store's
 * tables through plain JDBC (ADR 0002, amendment of 2026-11-28): every edit, deletion or move of an
 * entry and every change of the account's balance or lots it reports; a consistent rewrite of the
 * tail (account changed to match) only an anchor reveals; what lies outside the chain it cannot see,
 * but an entry reversed twice, or a hold captured twice, through a removed row of the reference index
 * it reports at the second reversal or capture, as the chain says which entry each one resolves.
 *
 * <p>Alice's ledger: 1 a credit of 100 expiring on 1 January 2027 with a detail, 2 a redemption of
 * 10, 3 a credit of 100, 4 a redemption of 10 (from lot 1, which expires first: 80 and 100 left).
 */
abstract class TamperingThroughJdbcContract {

  private static final MemberId ALICE = member("alice");
  private static final MemberId BOB = member("bob");
  private static TestDatabase database;
  private static JpaLedgerStore shared;
  private Loyalty loyalty;
  private IdempotencyKey lastRedemption;

  /** @return the database of this test class; called once, before its first test */
  abstract TestDatabase database();

  @BeforeEach
  void aliceWithFourEntriesAndBobWithThree() {
    if (shared == null) {
      database = database();
      shared = database.open();
    }
    database.wipe();
    loyalty = Fixtures.aLoyalty(shared, TestClock.at(Fixtures.START), Fixtures.aProgram());
    enrolled(loyalty, ALICE);
    accepted(loyalty.credit(Credit.of(ALICE, Points.of(100), "Purchase", aKey())
        .expiringAt(Instant.parse("2027-01-01T00:00:00Z"))
        .explainedBy(List.of("base"), TreeMap.of("till", "T1"))));
    redeemed(loyalty, ALICE, 10);
    earned(loyalty, ALICE, 100);
    lastRedemption = aKey();
    accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ALICE, Points.of(10), "Reward", lastRedemption)));
    enrolled(loyalty, BOB);
    for (int i = 0; i < 3; i++) {
      earned(loyalty, BOB, 5);
    }
    assertTrue(verified(ALICE).isIntact());
  }

  @AfterAll
  static void closeDatabase() {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }

  private Verification verified(MemberId member) {
    return accepted(loyalty.verify(member));
  }

  private void run(String sql, Object... parameters) throws SQLException {
    try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setObject(i + 1, parameters[i]);
      }
      assertEquals(1, s.executeUpdate(), sql);
    }
  }

  private Entry stored(long sequence) {
    return shared.entry(EntryId.of(ALICE, sequence)).get();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "an entry's points            | 3 | UPDATE ledger_entry SET points = points + 1 WHERE member_id = 'alice' AND sequence_number = 3",
      "an entry's reason            | 2 | UPDATE ledger_entry SET reason = 'Goodwill' WHERE member_id = 'alice' AND sequence_number = 2",
      "an entry's details           | 1 | UPDATE ledger_entry SET details = REPLACE(details, 'T1', 'T2') WHERE member_id = 'alice' AND sequence_number = 1",
      "an entry's lot expiry        | 1 | UPDATE ledger_entry SET expires_at_seconds = expires_at_seconds + 86400 WHERE member_id = 'alice' AND sequence_number = 1",
      "a middle entry deleted       | 2 | DELETE FROM ledger_entry WHERE member_id = 'alice' AND sequence_number = 2",
      "the newest entry deleted     | 4 | DELETE FROM ledger_entry WHERE member_id = 'alice' AND sequence_number = 4",
      "the account's balance        | 4 | UPDATE ledger_account SET available = available + 10 WHERE member_id = 'alice'",
      "the account's lot expiry     | 1 | UPDATE ledger_account SET lots = REPLACE(lots, ',1798761600:0,', ',1830297600:0,') WHERE member_id = 'alice'",
      "the account's points per lot | 1 | UPDATE ledger_account SET lots = REPLACE(REPLACE(lots, 'alice#1,100,80,', 'alice#1,100,85,'), 'alice#3,100,100,', 'alice#3,100,95,') WHERE member_id = 'alice'",
      "the account's lot earned-at  | 3 | UPDATE ledger_account SET lots = REPLACE(lots, 'alice#3,100,100,1772359200:0,', 'alice#3,100,100,1772272800:0,') WHERE member_id = 'alice'",
      "the account's lot original   | 3 | UPDATE ledger_account SET lots = REPLACE(lots, 'alice#3,100,100,', 'alice#3,150,100,') WHERE member_id = 'alice'"})
  void anEditOfTheStoredLedgerIsReportedWhereItWasMade(String tampering, long sequence, String sql) throws SQLException {
    run(sql);
    Verification v = verified(ALICE);
    assertFalse(v.isIntact(), tampering);
    assertEquals(sequence, v.firstBadSequence().get(), v.problem().get());
  }

  @Test
  void anEntryMovedToAnotherMemberBreaksBothLedgers() throws SQLException {
    run("UPDATE ledger_entry SET member_id = 'bob' WHERE member_id = 'alice' AND sequence_number = 4");
    assertEquals(4, verified(ALICE).firstBadSequence().get());
    assertFalse(verified(BOB).isIntact());
  }

  /** Deletes the newest entry and changes the account row to what it was before that entry. */
  private void removeTheNewestEntryAndItsTraces() throws SQLException {
    run("DELETE FROM ledger_entry WHERE member_id = 'alice' AND sequence_number = 4");
    run("UPDATE ledger_account SET last_sequence = 3, last_hash = ?, available = available + 10,"
        + " lots = REPLACE(lots, 'alice#1,100,80,', 'alice#1,100,90,') WHERE member_id = 'alice'", stored(3).hash());
  }

  @Test
  void theNewestEntryRemovedWithTheAccountMadeToMatchIsReportedOnlyAgainstAnAnchor() throws SQLException {
    ChainTip anchor = verified(ALICE).tip().get();
    removeTheNewestEntryAndItsTraces();
    assertTrue(verified(ALICE).isIntact(), "the chain alone cannot tell");

    Verification v = accepted(loyalty.verify(ALICE, ChainTip.parse(anchor.toString())));
    assertEquals(4, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("shorter than the anchor"), v.problem().get());
  }

  @Test
  void theNewestEntryRewrittenWithItsHashRecomputedIsReportedOnlyAgainstAnAnchor() throws SQLException {
    ChainTip anchor = verified(ALICE).tip().get();
    Entry e = stored(4);
    Entry forged = Entry.seal(new EntryDraft(e.id(), e.kind(), e.points(), e.movements(), e.occurredAt(), e.recordedAt(),
        e.channel(), e.idempotencyKey(), "Goodwill", e.programVersion(), e.ruleIds(), e.reference(), e.counterparty(),
        e.operator(), e.expiresAt(), e.vestsAt(), e.details()), e.previousHash());
    run("UPDATE ledger_entry SET reason = 'Goodwill', hash = ? WHERE member_id = 'alice' AND sequence_number = 4",
        HexFormat.of().parseHex(forged.hash()));
    run("UPDATE ledger_account SET last_hash = ? WHERE member_id = 'alice'", forged.hash());
    assertTrue(verified(ALICE).isIntact(), "the chain alone cannot tell");

    Verification v = accepted(loyalty.verify(ALICE, anchor));
    assertEquals(4, v.firstBadSequence().get());
    assertTrue(v.problem().get().contains("no longer matches the anchor"), v.problem().get());
  }

  @Test
  void theAccountsStatusIsOutsideTheChain() throws SQLException {
    run("UPDATE ledger_account SET status = 'SUSPENDED' WHERE member_id = 'alice'");
    assertTrue(verified(ALICE).isIntact());
  }

  @Test
  void anEditedIdempotencyRecordIsOutsideTheChainAndAnswersTheResend() throws SQLException {
    run("UPDATE ledger_request SET available = 9999 WHERE idempotency_key = ?", lastRedemption.value());
    Receipt resent = accepted(loyalty.debit(io.github.loyaltyledger.Debit.of(ALICE, Points.of(10), "Reward", lastRedemption)));
    assertEquals(9999, resent.balance().available().value(), "a resend answers from the record");
    assertEquals(180, accepted(loyalty.balance(ALICE)).available().value(), "the ledger itself is untouched");
    assertTrue(verified(ALICE).isIntact());
  }

  @Test
  void anEntryReversedAgainAfterItsReferenceIndexRowWasRemovedIsReportedAtTheSecondReversal() throws SQLException {
    accepted(loyalty.reverse(Reversal.of(EntryId.of(ALICE, 3), "keyed twice", aKey())));
    run("DELETE FROM ledger_entry_reference WHERE member_id = 'alice' AND sequence_number = 5");

    assertTrue(loyalty.reverse(Reversal.of(EntryId.of(ALICE, 3), "again", aKey())).isRight(),
        "the index is outside the chain (ADR 0002: install V4_1 on PostgreSQL)");
    Verification v = verified(ALICE);
    assertFalse(v.isIntact(), "the second reversal undoes the entry beyond its points");
    assertEquals(6, v.firstBadSequence().get(), v.problem().get());
    assertTrue(v.problem().get().contains("undoes 200 points of entry alice#3, which has only 100"), v.problem().get());
  }

  @Test
  void aRedemptionGivenBackAgainAfterItsReferenceIndexRowWasRemovedIsReportedAtTheSecondReversal() throws SQLException {
    accepted(loyalty.reverse(Reversal.of(EntryId.of(ALICE, 4), "till error", aKey())));
    run("DELETE FROM ledger_entry_reference WHERE member_id = 'alice' AND sequence_number = 5");

    accepted(loyalty.reverse(Reversal.of(EntryId.of(ALICE, 4), "again", aKey())));
    Verification v = verified(ALICE);
    assertFalse(v.isIntact(), "the second reversal undoes the entry beyond its points");
    assertEquals(6, v.firstBadSequence().get(), v.problem().get());
    assertTrue(v.problem().get().contains("undoes 20 points of entry alice#4, which has only 10"), v.problem().get());
  }

  @Test
  void aHoldCapturedAgainAfterItsReferenceIndexRowWasRemovedIsReportedAtTheSecondCapture() throws SQLException {
    // Alice holds 100 (5) and 50 (6), captures the 50 (7); the open hold of 100 lets the second capture be written.
    accepted(loyalty.authorize(Authorization.points(ALICE, Points.of(100), Duration.ofHours(1), Channel.store("S-1"), aKey())));
    EntryId hold = accepted(loyalty.authorize(Authorization.points(ALICE, Points.of(50), Duration.ofHours(1),
        Channel.store("S-1"), aKey()))).id();
    accepted(loyalty.capture(hold, aKey()));
    run("DELETE FROM ledger_entry_reference WHERE member_id = 'alice' AND sequence_number = 7");

    accepted(loyalty.capture(hold, aKey()));
    earned(loyalty, ALICE, 10);
    Verification v = verified(ALICE);
    assertFalse(v.isIntact(), "the second capture resolves the hold again");
    assertEquals(8, v.firstBadSequence().get(), v.problem().get());
    assertTrue(v.problem().get().contains("resolves hold alice#6, which entry alice#7 already resolved"), v.problem().get());
  }
}
