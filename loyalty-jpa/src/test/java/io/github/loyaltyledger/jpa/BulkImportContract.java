package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgram;
import static io.github.loyaltyledger.Fixtures.aPurchase;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.line;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.redeemed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Debit;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.LineKind;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.ledger.Account;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryDraft;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.store.AccountChange;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JpaLedgerStore#importMembers}: the migration recipe (a history replayed through a facade on
 * the in-memory store, then copied in bulk), resuming, and the refusals. Nested in {@link
 * JpaStoreContract}, so it runs on every database.
 */
abstract class BulkImportContract {

  private final TestClock clock = TestClock.at("2026-05-01T09:00:00Z");
  private final InMemoryLedgerStore source = new InMemoryLedgerStore();
  private final Loyalty legacy = aLoyalty(source, clock, aProgram());
  private JpaLedgerStore store;
  private Loyalty loyalty;

  /** @return the store, emptied */
  abstract JpaLedgerStore emptyStore();

  /** @return a connection to the store's database, to be closed by the caller */
  abstract Connection connect() throws SQLException;

  @BeforeEach
  void emptyTheStore() {
    store = emptyStore();
    loyalty = aLoyalty(store, clock, aProgram());
  }

  /** Entries of each member of {@link #largeSource()}: five of them fill one transaction. */
  private static final int PER_LARGE_MEMBER = BulkImport.ENTRIES_PER_TRANSACTION / 5;

  private static InMemoryLedgerStore large;

  /**
   * Six members of {@link #PER_LARGE_MEMBER} entries ({@code large-0} to {@code large-5}) and one of
   * two ({@code conflicting}), built once for every database's test class: the replay is the slow part.
   */
  private static synchronized InMemoryLedgerStore largeSource() {
    if (large == null) {
      InMemoryLedgerStore store = new InMemoryLedgerStore();
      Loyalty replay = aLoyalty(store, TestClock.at("2026-05-01T09:00:00Z"), aProgram());
      for (int m = 0; m < 6; m++) {
        enrolled(replay, member("large-" + m));
        for (int i = 0; i < PER_LARGE_MEMBER; i++) {
          earned(replay, member("large-" + m), 1);
        }
      }
      enrolled(replay, member("conflicting"));
      earned(replay, member("conflicting"), 2);
      large = store;
    }
    return large;
  }

  /** Ann and Bob with an opening balance each, some history, a transfer between them and a hold. */
  private List<MemberId> migrated() {
    MemberId ann = member("ann");
    MemberId bob = member("bob");
    for (MemberId m : List.of(ann, bob)) {
      enrolled(legacy, m);
      accepted(legacy.credit(Credit.of(m, points(500), "Opening balance", key("opening-" + m))
          .occurredAt(Instant.parse("2025-12-31T23:59:59.123456789Z"))
          .expiringAt(Instant.parse("2027-12-31T00:00:00Z"))));
    }
    earned(legacy, ann, 40);
    redeemed(legacy, ann, 120);
    accepted(legacy.transfer(Transfer.of(ann, bob, points(30), "gift", key("gift-ann-bob"))));
    accepted(legacy.authorize(Authorization.points(bob, points(50), Duration.ofHours(2), Channel.store("till-7"), aKey())));
    source.saveProfile(MemberProfile.of(ann, new Consent(true, false)).withName("Ann Example"));
    return List.of(ann, bob);
  }

  @Nested
  class ImportingMembers {

    @Test
    void importedMembersVerifyAndHoldTheSourcesAccountsEntriesBalancesAndDueWork() {
      List<MemberId> members = migrated();

      ImportReport report = store.importMembers(source, members);

      assertEquals(2, report.membersImported());
      assertEquals(0, report.membersSkipped());
      for (MemberId m : members) {
        assertTrue(accepted(loyalty.verify(m)).isIntact(), m + " verifies");
        assertEquals(source.account(m), store.account(m));
        assertEquals(source.entries(m, 1, 1_000), store.entries(m, 1, 1_000));
        assertEquals(accepted(legacy.balance(m)), accepted(loyalty.balance(m)));
        assertEquals(source.dueWork(m), store.dueWork(m));
      }
      assertEquals(source.entries(member("ann"), 1, 1_000).size() + source.entries(member("bob"), 1, 1_000).size(),
          report.entries());
    }

    @Test
    void replayingAnImportedRequestAnswersItsOriginalReceipt() {
      MemberId ann = migrated().head();
      Credit opening = Credit.of(ann, points(500), "Opening balance", key("opening-ann"))
          .occurredAt(Instant.parse("2025-12-31T23:59:59.123456789Z"))
          .expiringAt(Instant.parse("2027-12-31T00:00:00Z"));
      Receipt original = accepted(legacy.credit(opening));
      store.importMembers(source, List.of(ann, member("bob")));

      Receipt replayed = accepted(loyalty.credit(opening));

      assertEquals(original, replayed);
      assertEquals(source.account(ann), store.account(ann));
    }

    @Test
    void aTransfersRecordIsCopiedWithTheLaterOfItsTwoMembers() {
      List<MemberId> members = migrated();
      IdempotencyKey gift = key("gift-ann-bob");

      store.importMembers(source, List.of(members.head()));
      boolean afterAnn = store.idempotencyRecord(gift).isDefined();
      store.importMembers(source, members);

      assertEquals(false, afterAnn);
      assertEquals(source.idempotencyRecord(gift), store.idempotencyRecord(gift));
    }

    @Test
    void aTransfersRecordIsCopiedWhenItsTwoMembersAreInTransactionsThatRunAtTheSameTime() {
      List<MemberId> members = migrated();
      List<MemberId> quiet = List.range(1, BulkImport.MEMBERS_PER_TRANSACTION).map(i -> member("quiet-" + i));
      quiet.forEach(m -> enrolled(legacy, m));
      IdempotencyKey gift = key("gift-ann-bob");

      ImportReport report = store.importMembers(source, quiet.prepend(members.head()).append(members.last()));

      assertEquals(BulkImport.MEMBERS_PER_TRANSACTION + 1, report.membersImported());
      assertEquals(source.idempotencyRecord(gift), store.idempotencyRecord(gift));
      assertEquals(source.account(members.last()), store.account(members.last()));
    }

    @Test
    void aKeyThatTwoTransactionsRunningAtTheSameTimeWouldRecordIsRefusedInTheLaterOneAsOneAfterTheOther() {
      // A source that the facade never writes: ann's and bob's entries carry one request key, whose
      // record lists ann's entry only. Ann's transaction records the key; bob's, running alongside
      // it, would record it too: it is refused, as it would be once ann's had committed.
      IdempotencyKey shared = key("shared-request");
      InMemoryLedgerStore annSide = new InMemoryLedgerStore();
      InMemoryLedgerStore bobSide = new InMemoryLedgerStore();
      Loyalty annLegacy = aLoyalty(annSide, clock, aProgram());
      Loyalty bobLegacy = aLoyalty(bobSide, clock, aProgram());
      MemberId ann = member("ann");
      MemberId bob = member("bob");
      enrolled(annLegacy, ann);
      accepted(annLegacy.credit(Credit.of(ann, points(10), "Opening balance", shared)));
      enrolled(bobLegacy, bob);
      accepted(bobLegacy.credit(Credit.of(bob, points(20), "Opening balance", shared)));
      List<MemberId> quiet = List.range(1, BulkImport.MEMBERS_PER_TRANSACTION).map(i -> member("quiet-" + i));
      quiet.forEach(m -> enrolled(annLegacy, m));
      LedgerStore mixed = (LedgerStore) Proxy.newProxyInstance(LedgerStore.class.getClassLoader(),
          new Class<?>[] {LedgerStore.class}, (proxy, method, args) -> {
            boolean bobs = args != null && args.length > 0 && bob.equals(args[0]);
            try {
              return method.invoke(bobs ? bobSide : annSide, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(mixed, quiet.prepend(ann).append(bob)));

      assertEquals(ImportRefusedException.Reason.KEY_TAKEN, refused.reason());
      assertEquals(bob, refused.member());
      assertEquals(annSide.idempotencyRecord(shared), store.idempotencyRecord(shared));
      assertEquals(annSide.account(ann), store.account(ann));
      assertTrue(store.account(bob).isEmpty(), "bob's transaction was not written");
    }

    @Test
    void aReturnOfAPurchaseWhosePointsExpiredPartWayIsCopiedExactlyAndExplainsAsInTheSource() {
      LoyaltyProgram expiring = LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(
          BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100).expiringAfter(Period.ofDays(30))))).build();
      Loyalty before = aLoyalty(source, clock, expiring);
      MemberId ann = member("ann");
      enrolled(before, ann);
      accepted(before.earn(aPurchase(ann, key("pos-1"), clock.instant(), line("A", 2, "15.00"),
          line("CARD", 1, "20.00").ofKind(LineKind.GIFT_CARD))));
      accepted(before.debit(Debit.of(ann, points(10), "coffee", aKey())));
      clock.advance(Duration.ofDays(31));
      accepted(before.expire(ann, clock.instant(), aKey()));
      accepted(before.earn(CustomEvent.of(ann, key("survey-1"), CustomEvent.SURVEY_COMPLETED, clock.instant(),
          Channel.app())));
      Receipt returned = accepted(before.refund(Refund.ofLines(key("pos-1"), key("return-1"),
          new ReturnedLine("A", 2), new ReturnedLine("CARD", 1))));
      Entry reversal = returned.entries().single();
      assertEquals(List.of("base"), reversal.ruleIds(), "the shape under test: a refund reversal with its rule ids");
      assertTrue(reversal.details().containsKey("refund.expired"), reversal.details().toString());

      store.importMembers(source, List.of(ann));

      Loyalty after = aLoyalty(store, clock, expiring);
      assertEquals(source.entries(ann, 1, 1_000), store.entries(ann, 1, 1_000));
      assertEquals(source.account(ann), store.account(ann));
      assertEquals(source.dueWork(ann), store.dueWork(ann));
      assertTrue(accepted(after.verify(ann)).isIntact());
      for (IdempotencyKey k : List.of(key("pos-1"), key("survey-1"), key("return-1"))) {
        assertEquals(source.idempotencyRecord(k), store.idempotencyRecord(k), k.toString());
        assertEquals(before.explain(k), after.explain(k), k.toString());
      }
      assertEquals(source.referencing(reversal.reference().get()), store.referencing(reversal.reference().get()));
      assertEquals(accepted(before.refund(Refund.ofLines(key("pos-1"), key("return-1"), new ReturnedLine("A", 2),
          new ReturnedLine("CARD", 1)))), accepted(after.refund(Refund.ofLines(key("pos-1"), key("return-1"),
          new ReturnedLine("A", 2), new ReturnedLine("CARD", 1)))), "a resent return answers its receipt");
    }

    @Test
    void theProfileOfAnImportedMemberIsCopied() {
      MemberId ann = migrated().head();

      ImportReport report = store.importMembers(source, List.of(ann));

      assertEquals(1, report.profiles());
      assertEquals(source.profile(ann), store.profile(ann));
    }

    @Test
    void anErasedMembersProfileIsNeverCopiedNorKeptThoughTheSourceStillHoldsOneAndItsErasureIsImported() {
      MemberId ann = migrated().head();
      Receipt erasure = accepted(legacy.erase(ann, key("erase-ann")));
      // Saved straight into the staging store after the replay (the port does not check erasure),
      // and an earlier profile in the target, saved under the member's id before the import.
      source.saveProfile(MemberProfile.of(ann, new Consent(true, true)).withName("Ann Example\u0000"));
      store.saveProfile(MemberProfile.of(ann, new Consent(true, true)).withContact("ann@example.com"));

      ImportReport report = store.importMembers(source, List.of(ann));

      assertEquals(1, report.membersImported());
      assertEquals(0, report.profiles());
      assertTrue(store.profile(ann).isEmpty(), "no profile of the erased member");
      assertEquals(Consent.NONE, loyalty.consentOf(ann).get());
      assertEquals(source.entries(ann, 1, 1_000), store.entries(ann, 1, 1_000));
      assertEquals(EntryKind.ERASURE, store.entries(ann, 1, 1_000).last().kind());
      assertEquals(erasure.entries().last(), store.entries(ann, 1, 1_000).last());
    }
  }

  @Nested
  class Resuming {

    @Test
    void importingTheSameMembersAgainSkipsThemAndWritesNothing() throws SQLException {
      List<MemberId> members = migrated();
      ImportReport first = store.importMembers(source, members);
      long rows = rows();

      ImportReport second = store.importMembers(source, members);

      assertEquals(new ImportReport(0, 2, 0, 0, 0), second);
      assertEquals(2, first.membersImported());
      assertEquals(rows, rows());
    }

    @Test
    void aRefusalInALaterTransactionKeepsTheEarlierOnesAndTheNextRunImportsTheRest() {
      InMemoryLedgerStore large = largeSource();
      List<MemberId> members = List.range(0, 6).map(i -> member("large-" + i));
      MemberId conflicting = member("conflicting");
      enrolled(loyalty, conflicting);
      earned(loyalty, conflicting, 1);

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(large, members.insert(5, conflicting)));
      List<Boolean> storedAfterRefusal = members.map(m -> store.account(m).isDefined());
      ImportReport resumed = store.importMembers(large, members);

      assertEquals(conflicting, refused.member());
      assertEquals(List.of(true, true, true, true, true, false), storedAfterRefusal);
      assertEquals(new ImportReport(1, 5, PER_LARGE_MEMBER, PER_LARGE_MEMBER, 0), resumed);
      assertEquals(large.account(members.last()), store.account(members.last()));
    }

    @Test
    void aMemberWithoutEntriesIsSkippedIfEnrolledAtTheSameInstantAndRefusedOtherwise() {
      MemberId ann = member("ann");
      enrolled(legacy, ann);
      store.importMembers(source, List.of(ann));
      earned(loyalty, ann, 3);
      enrolled(loyalty, member("bob"));
      clock.advance(Duration.ofMinutes(1));
      enrolled(legacy, member("bob"));

      ImportReport again = store.importMembers(source, List.of(ann));
      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, List.of(member("bob"))));

      assertEquals(1, again.membersSkipped());
      assertEquals(ImportRefusedException.Reason.CONFLICTING_MEMBER, refused.reason());
    }

    @Test
    void aMemberThatMovedOnSinceItsImportIsSkipped() {
      List<MemberId> members = migrated();
      store.importMembers(source, members);
      earned(loyalty, members.head(), 7);
      Account movedOn = store.account(members.head()).get();

      ImportReport again = store.importMembers(source, members);

      assertEquals(2, again.membersSkipped());
      assertEquals(movedOn, store.account(members.head()).get());
    }
  }

  @Nested
  class Refusals {

    @Test
    void aMemberHeldWithAnotherChainIsRefusedAndNothingOfItsTransactionIsWritten() throws SQLException {
      List<MemberId> members = migrated();
      enrolled(loyalty, member("bob"));
      earned(loyalty, member("bob"), 1);
      long rows = rows();

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members));

      assertEquals(ImportRefusedException.Reason.CONFLICTING_MEMBER, refused.reason());
      assertEquals(member("bob"), refused.member());
      assertTrue(store.account(member("ann")).isEmpty(), "ann, in the same transaction, was not written");
      assertEquals(rows, rows());
      assertTrue(refused.getMessage().contains("bob"), refused.getMessage());
    }

    @Test
    void aRefusalRollsBackTheLaterTransactionThatRanAlongsideItAndTheNextRunImportsEverything() throws SQLException {
      InMemoryLedgerStore large = largeSource();
      List<MemberId> members = List.range(0, 6).map(i -> member("large-" + i));
      MemberId conflicting = member("conflicting");
      enrolled(loyalty, conflicting);
      earned(loyalty, conflicting, 1);
      long rows = rows();

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(large, members.prepend(conflicting)));
      long rowsAfterRefusal = rows();
      ImportReport resumed = store.importMembers(large, members);

      assertEquals(conflicting, refused.member());
      assertEquals(rows, rowsAfterRefusal, "neither the refused transaction nor the one after it was written");
      assertEquals(new ImportReport(6, 0, 6L * PER_LARGE_MEMBER, 6L * PER_LARGE_MEMBER, 0), resumed);
      for (MemberId m : members) {
        assertEquals(large.account(m), store.account(m));
      }
    }

    @Test
    void ofSeveralBrokenChainsTheFirstInTheCallersOrderIsRefusedBeforeAnythingIsWritten() throws SQLException {
      List<MemberId> members = migrated();
      appendForgedEntry(source, members.head());
      appendForgedEntry(source, members.last());

      ImportRefusedException forward = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members));
      ImportRefusedException backward = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members.reverse()));

      assertEquals(members.head(), forward.member());
      assertEquals(members.last(), backward.member());
      assertEquals(0, rows());
    }

    @Test
    void aBrokenChainInTheSourceIsRefusedNamingMemberAndSequenceBeforeAnythingIsWritten() throws SQLException {
      List<MemberId> members = migrated();
      MemberId bob = member("bob");
      long forged = appendForgedEntry(source, bob);

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members));

      assertEquals(ImportRefusedException.Reason.BROKEN_CHAIN, refused.reason());
      assertEquals(bob, refused.member());
      assertEquals(io.vavr.control.Option.some(forged), refused.sequence());
      assertEquals(0, rows());
    }

    @Test
    void aMemberMissingFromTheSourceIsRefusedBeforeAnythingIsWritten() throws SQLException {
      List<MemberId> members = migrated().append(member("nobody"));

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members));

      assertEquals(ImportRefusedException.Reason.UNKNOWN_MEMBER, refused.reason());
      assertEquals(0, rows());
    }

    @Test
    void aRequestKeyTheStoreRecordedForAnotherRequestIsRefusedAndNothingOfItsTransactionIsWritten()
        throws SQLException {
      List<MemberId> members = migrated();
      enrolled(loyalty, member("cy"));
      accepted(loyalty.credit(Credit.of(member("cy"), points(5), "Purchase", key("gift-ann-bob"))));
      long rows = rows();

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members));

      assertEquals(ImportRefusedException.Reason.KEY_TAKEN, refused.reason());
      assertTrue(refused.getMessage().contains("gift-ann-bob"), refused.getMessage());
      assertEquals(rows, rows());
    }

    @Test
    void aRequestKeyTheStoreRecordedForAnotherRequestIsRefusedWhenOnlyOneSideOfItsTransferIsImported()
        throws SQLException {
      migrated();
      enrolled(loyalty, member("cy"));
      accepted(loyalty.credit(Credit.of(member("cy"), points(5), "Purchase", key("gift-ann-bob"))));
      long rows = rows();

      for (MemberId side : List.of(member("ann"), member("bob"))) {
        ImportRefusedException refused = assertThrows(ImportRefusedException.class,
            () -> store.importMembers(source, List.of(side)), side.toString());

        assertEquals(ImportRefusedException.Reason.KEY_TAKEN, refused.reason());
        assertEquals(side, refused.member());
        assertTrue(refused.getMessage().contains("gift-ann-bob"), refused.getMessage());
        assertEquals(rows, rows(), "nothing of " + side + "'s transaction is written");
      }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.loyaltyledger.jpa.BulkImportContract#textsNoStoreCanKeep")
    void anEntryTextNoStoreCanKeepIsRefusedNamingMemberEntryAndFieldBeforeAnythingIsWritten(String field,
        UnaryOperator<EntryDraft> unkeepable) throws SQLException {
      List<MemberId> members = migrated();
      MemberId bob = member("bob");
      long note = appendNote(source, bob, unkeepable);

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members));

      assertEquals(ImportRefusedException.Reason.UNSTORABLE_TEXT, refused.reason());
      assertEquals(bob, refused.member());
      assertEquals(io.vavr.control.Option.some(note), refused.sequence());
      assertTrue(refused.getMessage().contains(field), refused.getMessage());
      assertEquals(0, rows());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.loyaltyledger.jpa.BulkImportContract#profilesNoStoreCanKeep")
    void aProfileTextNoStoreCanKeepOrLongerThanAProfileTakesIsRefusedNamingMemberAndFieldBeforeAnythingIsWritten(
        String field, UnaryOperator<MemberProfile> unkeepable) throws SQLException {
      List<MemberId> members = migrated();
      MemberId bob = member("bob");
      source.saveProfile(unkeepable.apply(MemberProfile.of(bob, new Consent(true, true))));

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members));

      assertEquals(ImportRefusedException.Reason.UNSTORABLE_TEXT, refused.reason());
      assertEquals(bob, refused.member());
      assertTrue(refused.getMessage().contains(field), refused.getMessage());
      assertEquals(0, rows());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.loyaltyledger.jpa.BulkImportContract#fingerprintsNoStoreCanKeep")
    void aRequestsFingerprintThatIsNotTheFacadesSha256IsRefusedNamingMemberEntryAndKeyBeforeAnythingIsWritten(
        String what, String fingerprint) throws SQLException {
      List<MemberId> members = migrated();
      MemberId bob = member("bob");
      long note = appendNote(source, bob, UnaryOperator.identity(), fingerprint);

      ImportRefusedException refused = assertThrows(ImportRefusedException.class,
          () -> store.importMembers(source, members));

      assertEquals(ImportRefusedException.Reason.UNSTORABLE_TEXT, refused.reason());
      assertEquals(bob, refused.member());
      assertEquals(io.vavr.control.Option.some(note), refused.sequence());
      assertTrue(refused.getMessage().contains("note-bob") && refused.getMessage().contains("fingerprint"),
          refused.getMessage());
      assertEquals(0, rows());
    }

    @Test
    void nullArgumentsThrowNullPointerException() {
      List<MemberId> members = migrated();
      java.util.List<MemberId> withNull = new java.util.ArrayList<>(members.asJava());
      withNull.add(null);

      assertThrows(NullPointerException.class, () -> store.importMembers(null, members));
      assertThrows(NullPointerException.class, () -> store.importMembers(source, null));
      assertThrows(NullPointerException.class, () -> store.importMembers(source, withNull));
      assertTrue(store.account(member("ann")).isEmpty());
    }
  }

  /**
   * Appends to the member's ledger in the source, bypassing the facade, an entry whose content does
   * not match its hash (a copy of the newest entry, renumbered, keeping its hash).
   *
   * @return the forged entry's sequence number
   */
  static long appendForgedEntry(InMemoryLedgerStore source, MemberId member) {
    Account account = source.account(member).get();
    Entry newest = source.entries(member, account.lastSequence(), 1).head();
    Entry forged = new Entry(EntryId.of(member, account.lastSequence() + 1), newest.kind(), newest.points(),
        newest.movements(), newest.occurredAt(), newest.recordedAt(), newest.channel(), newest.idempotencyKey(),
        newest.reason(), newest.programVersion(), newest.ruleIds(), newest.reference(), newest.counterparty(),
        newest.operator(), newest.expiresAt(), newest.vestsAt(), newest.details(), newest.hash(), newest.hash());
    Account after = new Account(account.member(), account.version() + 1, forged.sequence(), forged.hash(),
        account.balance(), account.lots());
    IdempotencyKey key = IdempotencyKey.of("forged-" + member);
    CommitOutcome outcome = source.commit(new Commit(List.of(new AccountChange(account.version(), after, List.of(forged))),
        new IdempotencyRecord(key, "forged", new Receipt(key, member, MemberStatus.ACTIVE, List.empty(), Balance.EMPTY))));
    assertEquals(CommitOutcome.COMMITTED, outcome);
    return forged.sequence();
  }

  /**
   * Entry texts with a NUL, which PostgreSQL cannot store. (An unpaired surrogate cannot be sealed
   * into a chain: the hash refuses it.)
   */
  static Stream<Arguments> textsNoStoreCanKeep() {
    return Stream.of(
        Arguments.of("reason", (UnaryOperator<EntryDraft>) d -> new EntryDraft(d.id(), d.kind(), d.points(),
            d.movements(), d.occurredAt(), d.recordedAt(), d.channel(), d.idempotencyKey(), "Note\u0000", 1,
            d.ruleIds(), d.reference(), d.counterparty(), d.operator(), d.expiresAt(), d.vestsAt(), d.details())),
        Arguments.of("operator", (UnaryOperator<EntryDraft>) d -> d.withOperator("ops\u0000")),
        Arguments.of("rule id", (UnaryOperator<EntryDraft>) d -> d.withRuleIds(List.of("base", "bonus\u0000"))),
        Arguments.of("detail", (UnaryOperator<EntryDraft>) d -> d.withDetails(TreeMap.of("note", "a\u0000b"))),
        Arguments.of("detail", (UnaryOperator<EntryDraft>) d -> d.withDetails(TreeMap.of("n\u0000", "b"))));
  }

  /** Profile texts that PostgreSQL cannot store, or longer than {@code Loyalty.saveProfile} takes. */
  static Stream<Arguments> profilesNoStoreCanKeep() {
    return Stream.of(
        Arguments.of("name", (UnaryOperator<MemberProfile>) p -> p.withName("Bob\u0000")),
        Arguments.of("contact", (UnaryOperator<MemberProfile>) p -> p.withContact("b".repeat(501))),
        Arguments.of("external", (UnaryOperator<MemberProfile>) p -> p.withExternalRef("crm\u0000", "7")),
        Arguments.of("external", (UnaryOperator<MemberProfile>) p -> p.withExternalRef("crm", "7".repeat(501))));
  }

  /**
   * Request fingerprints other than the 64 lower-case hex digits of SHA-256 that the facade writes:
   * one longer than the column, one with a NUL (which PostgreSQL cannot store), and ones that no
   * resent request could ever match.
   */
  static Stream<Arguments> fingerprintsNoStoreCanKeep() {
    return Stream.of(
        Arguments.of("longer than the column", "a".repeat(129)),
        Arguments.of("a NUL", "0".repeat(63) + "\u0000"),
        Arguments.of("not hex", "forged"),
        Arguments.of("upper-case hex", "A".repeat(64)),
        Arguments.of("one digit short", "0".repeat(63)),
        Arguments.of("blank", " ".repeat(64)));
  }

  /**
   * Appends to the member's ledger in the source, bypassing the facade, a sealed zero-point
   * adjustment (its hash matches), as the draft operator leaves it.
   *
   * @return the entry's sequence number
   */
  static long appendNote(InMemoryLedgerStore source, MemberId member, UnaryOperator<EntryDraft> edit) {
    return appendNote(source, member, edit, "0".repeat(64));
  }

  /**
   * Appends a note as {@link #appendNote(InMemoryLedgerStore, MemberId, UnaryOperator)} does, its
   * request recorded with the given fingerprint.
   *
   * @return the entry's sequence number
   */
  static long appendNote(InMemoryLedgerStore source, MemberId member, UnaryOperator<EntryDraft> edit,
      String fingerprint) {
    Account account = source.account(member).get();
    Entry newest = source.entries(member, account.lastSequence(), 1).head();
    IdempotencyKey key = IdempotencyKey.of("note-" + member);
    EntryDraft draft = edit.apply(EntryDraft.of(EntryId.of(member, account.lastSequence() + 1), EntryKind.ADJUST,
        io.github.loyaltyledger.ledger.Points.ZERO, newest.occurredAt(), newest.recordedAt(), Channel.system(), key,
        "Note", 1));
    Entry note = Entry.seal(draft, account.lastHash());
    Account after = new Account(account.member(), account.version() + 1, note.sequence(), note.hash(),
        account.balance(), account.lots());
    CommitOutcome outcome = source.commit(new Commit(List.of(new AccountChange(account.version(), after, List.of(note))),
        new IdempotencyRecord(key, fingerprint, new Receipt(key, member, MemberStatus.ACTIVE, List.of(note),
            account.balance()))));
    assertEquals(CommitOutcome.COMMITTED, outcome);
    return note.sequence();
  }

  /** The number of rows in the tables an import writes. */
  private long rows() throws SQLException {
    long rows = 0;
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String table : new String[] {"ledger_account", "ledger_entry", "ledger_entry_reference", "ledger_request", "ledger_due_work",
          "ledger_member_profile", "ledger_member_external_ref"}) {
        try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
          r.next();
          rows += r.getLong(1);
        }
      }
    }
    return rows;
  }
}
