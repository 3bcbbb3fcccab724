package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.purchased;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.store.ConcurrentWriteException;
import io.github.loyaltyledger.store.MemberProfiles;
import io.github.loyaltyledger.occasion.BirthdayRule;
import io.github.loyaltyledger.occasion.OccasionReward;
import io.github.loyaltyledger.occasion.OccasionTerms;
import io.github.loyaltyledger.occasion.OccasionWindow;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.TreeSet;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.MonthDay;
import java.time.ZoneOffset;
import java.util.ArrayList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PrivacyTest {

  final TestClock clock = TestClock.at(Fixtures.START);
  final InMemoryLedgerStore store = new InMemoryLedgerStore();
  final java.util.List<LoyaltyEvent> events = new ArrayList<>();
  final Loyalty loyalty = Loyalty.builder().program(LoyaltyProgram.builder("bean-club")
          .birthdayRule(Option.some(BirthdayRule.of("bday",
              new OccasionTerms(OccasionWindow.onTheDay(), OccasionReward.points(100))))).build())
      .store(store).clock(clock).listener(events::add).build();
  final MemberId ada = member("ada");

  /**
   * On a store of the application's own that keeps no profiles or cannot list its members, saving a
   * profile or reading a report threw an IllegalStateException that said what the store was not, but
   * not what to do about it.
   */
  @Test
  void aStoreWithoutProfilesOrAMemberListIsRefusedSayingWhatTheStoreMustImplement() {
    Loyalty own = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").build())
        .store(new ForwardingStore(new InMemoryLedgerStore())).clock(clock).build();
    accepted(own.enrol(Enrolment.of(ada, aKey())));
    String profiles = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> own.saveProfile(MemberProfile.of(ada, Consent.ALL))).getMessage();
    assertEquals("io.github.loyaltyledger.ForwardingStore keeps no member profiles: it is no MemberProfiles;"
        + " to keep profiles, use a store that implements MemberProfiles, as InMemoryLedgerStore"
        + " and JpaLedgerStore do", profiles);
    String reports = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> own.breakage(clock.instant(), ZoneOffset.UTC)).getMessage();
    assertEquals("io.github.loyaltyledger.ForwardingStore cannot list members: it is no MemberDirectory; to read"
        + " reports over all members, use a store that implements MemberDirectory, as InMemoryLedgerStore and"
        + " JpaLedgerStore do", reports);
  }

  @Test
  void erasingAMemberOnAStoreThatKeepsNoProfilesAnswersTheErasureAndWithdrawsTheirConsent() {
    Loyalty own = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").build())
        .store(new ForwardingStore(new InMemoryLedgerStore())).clock(clock).build();
    accepted(own.enrol(Enrolment.of(ada, aKey())));
    IdempotencyKey key = aKey();

    Receipt receipt = accepted(own.erase(ada, key));

    assertEquals(io.vavr.collection.List.of(EntryKind.ERASURE),
        receipt.entries().map(io.github.loyaltyledger.ledger.Entry::kind));
    assertEquals(receipt, accepted(own.erase(ada, key)), "sent again, the same answer");
    assertEquals(Consent.NONE, accepted(own.consentOf(ada)));
  }

  void enrolAda() {
    accepted(loyalty.enrol(Enrolment.of(ada, aKey()).enrolledAt(Instant.parse("2026-01-01T00:00:00Z"))
        .withBirthday(MonthDay.of(3, 1))));
  }

  MemberProfile adasProfile(Consent consent) {
    return MemberProfile.of(ada, consent).withName("Ada \"Countess\" Lovelace").withContact("ada@example.org")
        .withExternalRef("crm", "C-1815");
  }

  /**
   * The in-memory store, with a hook run once just before a profile is written ({@code before})
   * and one run before each deletion ({@code beforeDeleting}).
   */
  final class ErasedMeanwhile extends ForwardingStore implements MemberProfiles {
    Runnable before = () -> { };
    Runnable beforeDeleting = () -> { };

    ErasedMeanwhile() {
      super(store);
    }

    @Override
    public Option<MemberProfile> profile(MemberId member) {
      return store.profile(member);
    }

    @Override
    public void saveProfile(MemberProfile profile) {
      Runnable hook = before;
      before = () -> { };
      hook.run();
      store.saveProfile(profile);
    }

    @Override
    public void deleteProfile(MemberId member) {
      beforeDeleting.run();
      store.deleteProfile(member);
    }
  }

  /** A facade of this test's program on {@code racing}, without listeners. */
  Loyalty facadeOn(ErasedMeanwhile racing) {
    return Loyalty.builder().program(LoyaltyProgram.builder("bean-club").build()).store(racing).clock(clock).build();
  }

  /** The store whose deletions fail as a deletion meeting concurrent writers does, while {@code contended}. */
  ErasedMeanwhile deletionsConflictingWhile(java.util.concurrent.atomic.AtomicBoolean contended) {
    ErasedMeanwhile racing = new ErasedMeanwhile();
    racing.beforeDeleting = () -> {
      if (contended.get()) {
        throw new ConcurrentWriteException(ada, 2, "deleting the profile of member ada conflicted", null);
      }
    };
    return racing;
  }

  /** The store whose deletions fail as a deletion on an unreachable database does. */
  ErasedMeanwhile deletionsFailing() {
    ErasedMeanwhile failing = new ErasedMeanwhile();
    failing.beforeDeleting = () -> {
      throw new IllegalStateException("profile database unreachable");
    };
    return failing;
  }

  @Nested
  class Profiles {

    @Test
    void aMemberWithoutAStoredProfileHasAnEmptyOneWithConsentNotRecorded() {
      enrolAda();
      assertEquals(MemberProfile.of(ada, Consent.NOT_RECORDED), accepted(loyalty.profile(ada)));
    }

    @Test
    void theConsentOfAMemberTheLedgerDoesNotKnowIsRefusedNotTakenAsConsentToEverything() {
      enrolAda();
      MemberId stranger = MemberId.of("ada-typo");
      assertEquals(new LoyaltyError.UnknownMember(stranger), refused(loyalty.consentOf(stranger)));
      assertEquals(Consent.NOT_RECORDED, accepted(loyalty.consentOf(ada)));
    }

    @Test
    void aSavedProfileIsReadBackAndItsConsentDecides() {
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.NONE.withMarketing(true))));
      assertEquals(adasProfile(new Consent(true, false)), accepted(loyalty.profile(ada)));
      assertEquals(new Consent(true, false), accepted(loyalty.consentOf(ada)));
    }

    @Test
    void aProfileWithANulIsRefusedAndNotStoredSinceOneStoreCannotKeepIt() {
      enrolAda();
      assertEquals("contact", ((LoyaltyError.InvalidRequest) refused(
          loyalty.saveProfile(adasProfile(Consent.ALL).withContact("ada\u0000@example.org")))).field());
      assertEquals("externalRefs", ((LoyaltyError.InvalidRequest) refused(
          loyalty.saveProfile(adasProfile(Consent.ALL).withExternalRef("crm\u0000", "42")))).field());
      assertEquals(MemberProfile.of(ada, Consent.NOT_RECORDED), accepted(loyalty.profile(ada)));
    }

    @Test
    void aProfileWithATextOfMoreThan500CharactersIsRefusedAndNotStoredSinceADatabaseIndexCannotHoldIt() {
      enrolAda();
      String longest = "\u00e9".repeat(500);
      MemberProfile full = adasProfile(Consent.ALL).withName(longest).withContact(longest).withExternalRef(longest, longest);
      io.vavr.collection.List<String> fields = io.vavr.collection.List.of(
          refused(loyalty.saveProfile(full.withName(longest + "x"))),
          refused(loyalty.saveProfile(full.withContact(longest + "x"))),
          refused(loyalty.saveProfile(adasProfile(Consent.ALL).withExternalRef(longest + "x", "1"))),
          refused(loyalty.saveProfile(adasProfile(Consent.ALL).withExternalRef("crm", longest + "x")))
      ).map(e -> ((LoyaltyError.InvalidRequest) e).field());
      assertEquals(io.vavr.collection.List.of("name", "contact", "externalRefs", "externalRefs"), fields);
      assertEquals(MemberProfile.of(ada, Consent.NOT_RECORDED), accepted(loyalty.profile(ada)));
      assertEquals(full, accepted(loyalty.saveProfile(full)));
    }

    @Test
    void aProfileWithALoneSurrogateIsRefusedAndNotStored() {
      enrolAda();
      assertEquals("contact", ((LoyaltyError.InvalidRequest) refused(
          loyalty.saveProfile(adasProfile(Consent.ALL).withContact("ada\uD800@example.org")))).field());
      assertEquals("externalRefs", ((LoyaltyError.InvalidRequest) refused(
          loyalty.saveProfile(adasProfile(Consent.ALL).withExternalRef("crm", "\uDFFF")))).field());
      assertEquals(MemberProfile.of(ada, Consent.NOT_RECORDED), accepted(loyalty.profile(ada)));
    }

    @Test
    void aProfileForAnUnknownOrClosedMemberIsRefused() {
      assertInstanceOf(LoyaltyError.UnknownMember.class, refused(loyalty.saveProfile(adasProfile(Consent.ALL))));
      enrolAda();
      accepted(loyalty.close(ada, "Leaving", aKey()));
      assertInstanceOf(LoyaltyError.MemberNotActive.class, refused(loyalty.saveProfile(adasProfile(Consent.ALL))));
    }

    @Test
    void aProfileSaveTheStoreCannotCompleteForConcurrentWritersIsRefusedAsAConcurrentModification() {
      ErasedMeanwhile racing = new ErasedMeanwhile();
      racing.before = () -> {
        throw new ConcurrentWriteException(ada, 3, "contended", null);
      };
      Loyalty contended = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").build())
          .store(racing).clock(clock).build();
      enrolAda();
      MemberProfile before = adasProfile(Consent.NONE);
      accepted(loyalty.saveProfile(before));

      LoyaltyError refusal = refused(contended.saveProfile(adasProfile(Consent.ALL)));

      assertEquals(new LoyaltyError.ConcurrentModification(ada, 3), refusal);
      // A profile save has no key: the advice must not ask for one.
      assertTrue(refusal.message().contains("Send the same request again, with the same key if it has one"),
          refusal.message());
      assertEquals(Option.some(before), store.profile(ada), "a refused request writes nothing");
    }
  }

  @Nested
  class ConsentIsRespected {

    @Test
    void noBirthdayRewardWithoutConsentToBirthdayOffers() {
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL.withBirthdayOffers(false))));
      DailyRun.builder(loyalty).build().runDue(clock.instant());
      assertEquals(points(0), balanceOf(loyalty, ada).total());
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      DailyRun.builder(loyalty).build().runDue(clock.instant());
      assertEquals(points(100), balanceOf(loyalty, ada).total());
    }

    @Test
    void anySegmentTargetedPromotionSkipsMembersWithoutMarketingConsent() {
      Loyalty vip = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").earnRules(RuleBook.of(
              BaseRate.of("vip-only", "1").with(RuleTerms.DEFAULT.forSegments("vip")))).build())
          .store(store).clock(clock).segmentResolver((member, at) -> TreeSet.of("vip")).build();
      enrolAda();
      accepted(vip.saveProfile(adasProfile(Consent.ALL.withMarketing(false))));
      assertEquals(points(0), accepted(vip.earn(Fixtures.aPurchaseOf(ada, "10.00", aKey()))).balance().total());
      accepted(vip.saveProfile(adasProfile(Consent.ALL)));
      assertEquals(points(10), accepted(vip.earn(Fixtures.aPurchaseOf(ada, "10.00", aKey()))).balance().total());
    }

    @Test
    void segmentTargetingSkipsMembersWithoutMarketingConsent() {
      enrolAda();
      purchased(loyalty, ada, 10, 1000);
      assertEquals(1, loyalty.rfm(clock.instant(), ZoneOffset.UTC).segmentsOf(ada, clock.instant()).size());
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL.withMarketing(false))));
      assertTrue(loyalty.rfm(clock.instant(), ZoneOffset.UTC).segmentsOf(ada, clock.instant()).isEmpty());
    }
  }

  @Nested
  class Erase {

    @Test
    void aProfileSavedWhileAnotherNodeErasesTheMemberDoesNotSurviveTheErasure() {
      ErasedMeanwhile racing = new ErasedMeanwhile();
      Loyalty thisNode = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").build()).store(racing).clock(clock)
          .build();
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.NONE)));
      // The other node's erasure commits and deletes the profile after this node checked that Ada
      // is open and before it writes her profile: neither the new profile nor the earlier one stays.
      racing.before = () -> accepted(loyalty.erase(ada, aKey()));

      LoyaltyError refusal = Fixtures.refused(thisNode.saveProfile(adasProfile(Consent.ALL)));

      assertEquals(new LoyaltyError.MemberNotActive(ada, MemberStatus.CLOSED), refusal);
      assertTrue(store.profile(ada).isEmpty(), () -> "the erased member's profile: " + store.profile(ada));
    }

    @Test
    void aProfileSaveRefusedBecauseAnotherNodeClosedTheMemberMeanwhileKeepsTheProfileStoredBefore() {
      ErasedMeanwhile racing = new ErasedMeanwhile();
      Loyalty thisNode = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").build()).store(racing).clock(clock)
          .build();
      enrolAda();
      MemberProfile before = adasProfile(Consent.NONE);
      accepted(loyalty.saveProfile(before));
      // The other node closes Ada's account (no erasure) after this node checked that she is open
      // and before it writes her new profile.
      racing.before = () -> accepted(loyalty.close(ada, "Moved abroad", aKey()));

      LoyaltyError refusal = Fixtures.refused(thisNode.saveProfile(adasProfile(Consent.ALL)));

      assertEquals(new LoyaltyError.MemberNotActive(ada, MemberStatus.CLOSED), refusal);
      assertEquals(Option.some(before), store.profile(ada), "a refused request writes nothing");
      assertEquals(Consent.NONE, accepted(loyalty.consentOf(ada)));
    }

    @Test
    void erasureDeletesTheProfileClearsTheBirthdayForfeitsAndRecordsThatItHappened() {
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      earned(loyalty, ada, 70);
      Receipt receipt = accepted(loyalty.erase(ada, aKey()));
      assertEquals(java.util.List.of(EntryKind.FORFEIT, EntryKind.ERASURE),
          receipt.entries().map(e -> e.kind()).asJava());
      assertEquals("Personal data erased at the member's request", receipt.entries().last().reason());
      assertEquals(MemberStatus.CLOSED, receipt.status());
      assertEquals(MemberProfile.of(ada, Consent.NONE), accepted(loyalty.profile(ada)));
      assertTrue(accepted(loyalty.member(ada)).birthday().isEmpty());
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
      assertInstanceOf(LoyaltyEvent.MemberErased.class, events.get(events.size() - 1));
    }

    /*
     * MemberErased says the profile is deleted: a listener that reacts to it (to confirm the erasure
     * downstream, say) must not still read the profile's name, contact and consent.
     */
    @Test
    void aListenerHearingOfTheErasureFindsTheProfileAlreadyDeleted() {
      java.util.List<Object> seen = new ArrayList<>();
      java.util.concurrent.atomic.AtomicReference<Loyalty> facade = new java.util.concurrent.atomic.AtomicReference<>();
      facade.set(Loyalty.builder().program(LoyaltyProgram.builder("bean-club").build()).store(store).clock(clock)
          .listener(event -> {
            if (event instanceof LoyaltyEvent.MemberErased) {
              seen.add(accepted(facade.get().profile(event.member())));
              seen.add(accepted(facade.get().consentOf(event.member())));
            }
          })
          .build());
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));

      accepted(facade.get().erase(ada, aKey()));

      assertEquals(java.util.List.of(MemberProfile.of(ada, Consent.NONE), Consent.NONE), seen);
    }

    @Test
    void aProfileDeletionFailingAfterTheCommitStillPublishesTheErasureOnceAndTheSameRequestAgainCompletesIt() {
      java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
      ErasedMeanwhile failingDeletion = new ErasedMeanwhile();
      failingDeletion.beforeDeleting = () -> {
        if (down.get()) {
          throw new IllegalStateException("profile database unreachable");
        }
      };
      java.util.List<LoyaltyEvent> heard = new ArrayList<>();
      Loyalty facade = Loyalty.builder().program(LoyaltyProgram.builder("bean-club").build()).store(failingDeletion)
          .clock(clock).listener(heard::add).build();
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      IdempotencyKey key = aKey();

      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> facade.erase(ada, key));
      down.set(false);
      accepted(facade.erase(ada, key));

      assertEquals(1, heard.stream().filter(LoyaltyEvent.MemberErased.class::isInstance).count());
      assertEquals(MemberProfile.of(ada, Consent.NONE), accepted(facade.profile(ada)));
    }

    /*
     * A deletion that meets concurrent writers of the profile (a row held past a database's lock
     * timeout) is a conflict, answered as one, not an exception: the erasure is committed, and the
     * same request again (its receipt from its record) completes the deletion.
     */
    @Test
    void aProfileDeletionMeetingConcurrentWritersAfterTheCommitIsAConcurrentModificationThatTheSameRequestCompletes() {
      java.util.concurrent.atomic.AtomicBoolean contended = new java.util.concurrent.atomic.AtomicBoolean(true);
      ErasedMeanwhile heldRow = deletionsConflictingWhile(contended);
      Loyalty facade = facadeOn(heldRow);
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      IdempotencyKey key = aKey();

      LoyaltyError refusal = refused(facade.erase(ada, key));

      assertEquals(new LoyaltyError.ConcurrentModification(ada, 2), refusal);
      assertTrue(refusal.message().contains("with the same key"), refusal.message());
      contended.set(false);
      Receipt receipt = accepted(facade.erase(ada, key));
      assertEquals(EntryKind.ERASURE, receipt.entries().last().kind());
      assertTrue(store.profile(ada).isEmpty(), () -> "the erased member's profile: " + store.profile(ada));
    }

    /*
     * A save racing an erasure deletes what it wrote once it sees the erasure; if that deletion meets
     * concurrent writers, the save is answered as a conflict (not with the store's exception), and the
     * same save sent again, refused for the closed member, deletes the profile no erased member keeps.
     */
    @Test
    void aSaveRacingAnErasureWhoseDeletionMeetsConcurrentWritersIsAConcurrentModificationThatTheSameSaveCompletes() {
      java.util.concurrent.atomic.AtomicBoolean contended = new java.util.concurrent.atomic.AtomicBoolean(true);
      ErasedMeanwhile racing = deletionsConflictingWhile(contended);
      Loyalty thisNode = facadeOn(racing);
      enrolAda();
      racing.before = () -> accepted(loyalty.erase(ada, aKey()));

      assertEquals(new LoyaltyError.ConcurrentModification(ada, 2), refused(thisNode.saveProfile(adasProfile(Consent.ALL))));
      contended.set(false);

      assertEquals(new LoyaltyError.MemberNotActive(ada, MemberStatus.CLOSED),
          refused(thisNode.saveProfile(adasProfile(Consent.ALL))));
      assertTrue(store.profile(ada).isEmpty(), () -> "the erased member's profile: " + store.profile(ada));
    }

    /*
     * A save racing a closing (no erasure) puts back the profile stored before; if that write meets
     * concurrent writers, the new profile stays stored, as if saved before the closing (which keeps
     * a closed member's profile): the save landed and is answered as accepted, not as a conflict
     * whose retry would be refused and change nothing.
     */
    @Test
    void aSaveRacingAClosingWhosePutBackMeetsConcurrentWritersIsAcceptedAsIfSavedBeforeTheClosing() {
      ErasedMeanwhile racing = new ErasedMeanwhile();
      Loyalty thisNode = facadeOn(racing);
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.NONE)));
      racing.before = () -> {
        accepted(loyalty.close(ada, "Moved abroad", aKey()));
        racing.before = () -> {
          throw new ConcurrentWriteException(ada, 2, "saving the profile of member ada conflicted", null);
        };
      };

      assertEquals(adasProfile(Consent.ALL), accepted(thisNode.saveProfile(adasProfile(Consent.ALL))));
      assertEquals(Option.some(adasProfile(Consent.ALL)), store.profile(ada));
      assertEquals(Consent.ALL, accepted(thisNode.consentOf(ada)));
    }

    /* The same for a member without a profile before, whose save the closing's racer cannot take out. */
    @Test
    void aFirstSaveRacingAClosingWhoseDeletionMeetsConcurrentWritersIsAcceptedAsIfSavedBeforeTheClosing() {
      ErasedMeanwhile racing = deletionsConflictingWhile(new java.util.concurrent.atomic.AtomicBoolean(true));
      Loyalty thisNode = facadeOn(racing);
      enrolAda();
      racing.before = () -> accepted(loyalty.close(ada, "Moved abroad", aKey()));

      assertEquals(adasProfile(Consent.ALL), accepted(thisNode.saveProfile(adasProfile(Consent.ALL))));
      assertEquals(Option.some(adasProfile(Consent.ALL)), store.profile(ada));
    }

    /*
     * An application that lost the key of an erasure whose profile deletion failed can still have the
     * leftover profile deleted: an erasure under another key deletes it and is accepted, writing no
     * entry (the erasure's entries are the first request's), the same when sent again; once nothing
     * is left, an erasure under yet another key is refused as before and writes nothing.
     */
    @Test
    void anErasureUnderANewKeyDeletesTheProfileAnEarlierErasureLeftAndAnswersThatErasure() {
      java.util.concurrent.atomic.AtomicBoolean contended = new java.util.concurrent.atomic.AtomicBoolean(true);
      Loyalty facade = facadeOn(deletionsConflictingWhile(contended));
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      IdempotencyKey lost = aKey();
      assertEquals(new LoyaltyError.ConcurrentModification(ada, 2), refused(facade.erase(ada, lost)));
      contended.set(false);
      IdempotencyKey another = aKey();

      Receipt receipt = accepted(facade.erase(ada, another));

      assertTrue(store.profile(ada).isEmpty(), () -> "the erased member's profile: " + store.profile(ada));
      assertEquals(new Receipt(another, ada, MemberStatus.CLOSED, io.vavr.collection.List.empty(),
          io.github.loyaltyledger.ledger.Balance.EMPTY), receipt);
      assertEquals(receipt, accepted(facade.erase(ada, another)), "sent again, the same answer");
      assertEquals(EntryKind.ERASURE, accepted(facade.erase(ada, lost)).entries().last().kind());
      assertEquals(1, store.history(ada, io.github.loyaltyledger.store.EntryQuery.newest(100)).count(
          entry -> entry.kind() == EntryKind.ERASURE));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(facade.erase(ada, aKey())));
    }

    /*
     * The erasure is committed: a profile its deletion left (until it is completed) is garbage to be
     * deleted, not the member's data, and profile and export show none of it, as consentOf does.
     */
    @Test
    void anErasedMemberWhoseProfileDeletionFailedHasNoPersonalDataInTheirProfileOrExport() {
      Loyalty facade = facadeOn(deletionsFailing());
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> facade.erase(ada, aKey()));
      assertTrue(store.profile(ada).isDefined(), "the deletion failed");

      assertEquals(MemberProfile.of(ada, Consent.NONE), accepted(facade.profile(ada)));
      String json = accepted(facade.export(ada));
      assertTrue(json.contains("\"profile\":null") && !json.contains("Lovelace") && !json.contains("C-1815"), json);
    }

    /*
     * The committed erasure withdrew every consent, even while the profile it could not delete yet
     * (until the same request is sent again) still says otherwise.
     */
    @Test
    void anErasedMemberWhoseProfileDeletionFailedConsentsToNothingAndIsInNoSegment() {
      Loyalty facade = facadeOn(deletionsFailing());
      enrolAda();
      purchased(loyalty, ada, 10, 1000);
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> facade.erase(ada, aKey()));
      assertTrue(store.profile(ada).isDefined(), "the deletion failed");

      assertEquals(Consent.NONE, accepted(facade.consentOf(ada)));
      assertTrue(loyalty.rfm(clock.instant(), ZoneOffset.UTC).segmentsOf(ada, clock.instant()).isEmpty());
    }

    @Test
    void anErasedMemberConsentsToNothingAndIsInNoSegment() {
      enrolAda();
      purchased(loyalty, ada, 10, 1000);
      accepted(loyalty.erase(ada, aKey()));
      assertEquals(Consent.NONE, accepted(loyalty.consentOf(ada)));
      assertEquals(MemberProfile.of(ada, Consent.NONE), accepted(loyalty.profile(ada)));
      assertTrue(loyalty.rfm(clock.instant(), ZoneOffset.UTC).segmentsOf(ada, clock.instant()).isEmpty());
    }

    @Test
    void theSameRequestAgainAnswersTheFirstReceiptAndAnotherIsRefused() {
      enrolAda();
      IdempotencyKey key = aKey();
      Receipt first = accepted(loyalty.erase(ada, key));
      assertEquals(first, accepted(loyalty.erase(ada, key)));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.erase(ada, aKey())));
    }

    /**
     * A support agent erasing a member a colleague erased already has nothing to correct: the refusal
     * says the erasure is complete, not "correct the field and send the request again", which would
     * have the agent retry what can only be refused.
     */
    @Test
    void erasingAMemberErasedAlreadySaysTheErasureIsCompleteRatherThanToCorrectAndResend() {
      enrolAda();
      IdempotencyKey first = aKey();
      accepted(loyalty.erase(ada, first));

      String message = refused(loyalty.erase(ada, aKey())).message();

      assertFalse(message.contains("Correct the field"), message);
      assertTrue(message.contains("'" + first + "'"), message);
      assertTrue(message.contains("nothing more to do"), message);
    }

    @Test
    void aMemberWithOpenHoldsIsRefusedAndNothingIsWritten() {
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      earned(loyalty, ada, 70);
      accepted(loyalty.authorize(Authorization.points(ada, points(30), Duration.ofMinutes(5), Channel.store("S-1"), aKey())));
      assertInstanceOf(LoyaltyError.InvalidRequest.class, refused(loyalty.erase(ada, aKey())));
      assertEquals(adasProfile(Consent.ALL), accepted(loyalty.profile(ada)));
      assertEquals(MemberStatus.ACTIVE, accepted(loyalty.member(ada)).status());
    }

    @Test
    void anUnknownMemberIsRefused() {
      assertInstanceOf(LoyaltyError.UnknownMember.class, refused(loyalty.erase(ada, aKey())));
    }
  }

  @Nested
  class Export {

    @Test
    void theExportHoldsTheMemberTheProfileTheBalanceTheLotsAndEveryEntry() {
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(new Consent(true, false))));
      earned(loyalty, ada, 70);
      String json = accepted(loyalty.export(ada));
      assertTrue(json.startsWith("{\"member\":{\"id\":\"ada\",\"enrolledAt\":\"2026-01-01T00:00:00Z\",\"birthday\":\"--03-01\","),
          json);
      assertTrue(json.contains("\"profile\":{\"name\":\"Ada \\\"Countess\\\" Lovelace\",\"contact\":\"ada@example.org\","
          + "\"externalRefs\":{\"crm\":\"C-1815\"},\"consent\":{\"marketing\":true,\"birthdayOffers\":false}}"), json);
      assertTrue(json.contains("\"balance\":{\"available\":70,\"pending\":0,\"held\":0,\"total\":70}"), json);
      assertTrue(json.contains("\"entries\":[{\"sequence\":1,\"kind\":\"EARN\",\"points\":70,"), json);
      assertTrue(json.endsWith("}]}"), json);
    }

    @Test
    void theExportTellsWhenAPendingLotVests() {
      enrolAda();
      accepted(loyalty.credit(Credit.of(ada, points(40), "Purchase", aKey())
          .vestingAt(Instant.parse("2026-05-01T00:00:00Z")).expiringAt(Instant.parse("2027-05-01T00:00:00Z"))));
      String json = accepted(loyalty.export(ada));
      assertTrue(json.contains("\"expiresAt\":\"2027-05-01T00:00:00Z\",\"vestsAt\":\"2026-05-01T00:00:00Z\","
          + "\"pending\":true}"), json);
    }

    @Test
    void afterErasureTheExportHoldsNoPersonalData() {
      enrolAda();
      accepted(loyalty.saveProfile(adasProfile(Consent.ALL)));
      accepted(loyalty.erase(ada, aKey()));
      String json = accepted(loyalty.export(ada));
      assertTrue(json.contains("\"birthday\":null") && json.contains("\"profile\":null")
          && json.contains("\"status\":\"CLOSED\"") && json.contains("\"kind\":\"ERASURE\""), json);
    }
  }
}
