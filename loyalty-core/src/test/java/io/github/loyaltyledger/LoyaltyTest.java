package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgram;
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

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.LineItem;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.ReturnedLine;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.earning.RuleTerms;
import io.github.loyaltyledger.event.LoyaltyEvent;
import io.github.loyaltyledger.event.LoyaltyEventListener;
import io.github.loyaltyledger.ledger.Balance;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Fingerprint;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.LotMovement;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.Member;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.RewardId;
import io.github.loyaltyledger.tier.TierId;
import io.github.loyaltyledger.store.Commit;
import io.github.loyaltyledger.store.CommitOutcome;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.IdempotencyRecord;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.store.LedgerStore;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.ArrayList;
import org.joda.money.Money;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LoyaltyTest {

  private final MemberId alice = member("alice");
  private final MemberId bob = member("bob");
  private TestClock clock;
  private InMemoryLedgerStore store;
  private Loyalty loyalty;
  private final java.util.List<LoyaltyEvent> events = new ArrayList<>();

  @BeforeEach
  void setUp() {
    clock = TestClock.at(Fixtures.START);
    store = new InMemoryLedgerStore();
    loyalty = withPolicy(NegativeBalancePolicy.CLAMP);
  }

  private Loyalty withPolicy(NegativeBalancePolicy policy) {
    return Loyalty.builder().program(aProgram(policy)).store(store).clock(clock).listener(events::add).build();
  }

  /**
   * Alice under ALLOW_NEGATIVE, after earning 100, spending {@code spent} of them and having the
   * earn reversed: her available balance is {@code -spent}.
   */
  private Loyalty inDeficit(long spent) {
    Loyalty lenient = withPolicy(NegativeBalancePolicy.ALLOW_NEGATIVE);
    EntryId credit = earned(lenient, alice, 100).entries().head().id();
    redeemed(lenient, alice, spent);
    accepted(lenient.reverse(Reversal.of(credit, "Returned", aKey())));
    return lenient;
  }

  private Instant now() {
    return clock.instant();
  }

  /** Everything the store holds for a member, to show that a refusal wrote nothing. */
  private Object stateOf(MemberId id) {
    return List.of(store.account(id), store.entries(id, 1, 1000));
  }

  /**
   * A store of an application that keeps LedgerStore's defaults for {@code claimProgram} and
   * {@code keptProgram}: it records no program, and answers every claim with the claimant's id.
   */
  private static final class StoreRecordingNoProgram extends ForwardingStore {

    StoreRecordingNoProgram(LedgerStore inner) {
      super(inner);
    }

    @Override
    public String claimProgram(String program, io.vavr.control.Option<String> renamedFrom) {
      return program;
    }

    @Override
    public io.vavr.control.Option<String> keptProgram() {
      return io.vavr.control.Option.none();
    }
  }

  /**
   * A store keeps one program's ledger (README "Several programs"). One that records no program
   * cannot tell a facade of another program from its own, so two brands on it would share members,
   * keys and reports without a word: the builder refuses it unless told that only one program runs
   * on it.
   */
  @Nested
  class Building {

    @Test
    void aStoreThatRecordsNoProgramIsRefusedSayingWhatToDoAndKeepsNothing() {
      InMemoryLedgerStore inner = new InMemoryLedgerStore();
      LedgerStore own = new StoreRecordingNoProgram(inner);
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> Loyalty.builder().program(aProgram()).store(own).clock(clock).build());
      assertTrue(refused.getMessage().contains("StoreRecordingNoProgram records no program"), refused.getMessage());
      assertTrue(refused.getMessage().contains("override claimProgram and keptProgram"), refused.getMessage());
      assertTrue(refused.getMessage().contains("unclaimedStore()"), refused.getMessage());
      assertFalse(refused instanceof io.github.loyaltyledger.store.ProgramMismatchException);
      assertEquals(io.vavr.control.Option.none(), inner.keptProgram());
      assertEquals(0, inner.members(io.vavr.control.Option.none(), 10).size());
    }

    @Test
    void aStoreThatRecordsNoProgramIsBuiltOnWhenTheBuilderVouchesThatOnlyOneProgramRunsOnIt() {
      LedgerStore own = new StoreRecordingNoProgram(new InMemoryLedgerStore());
      Loyalty built = Loyalty.builder().program(aProgram()).store(own).clock(clock).unclaimedStore().build();
      enrolled(built, alice);
      assertEquals(Points.ZERO, balanceOf(built, alice).total());
    }

    @Test
    void aStoreThatKeepsItsProgramNeedsNoVouching() {
      Loyalty other = Loyalty.builder().program(aProgram()).store(store).clock(clock).unclaimedStore().build();
      assertEquals("bean-club", other.program().id());
      assertThrows(io.github.loyaltyledger.store.ProgramMismatchException.class,
          () -> Loyalty.builder().program(LoyaltyProgram.builder("brand-b").build()).store(store).clock(clock)
              .unclaimedStore().build());
    }
  }

  @Nested
  class Enrol {

    @Test
    void enrollingCreatesAnActiveMemberWithAnEmptyBalance() {
      Receipt receipt = accepted(loyalty.enrol(Enrolment.of(alice, aKey())
          .withBirthday(MonthDay.of(2, 29)).withZone(ZoneId.of("Europe/Paris"))));

      Member m = accepted(loyalty.member(alice));
      assertEquals(MemberStatus.ACTIVE, receipt.status());
      assertEquals(Balance.EMPTY, receipt.balance());
      assertEquals(MonthDay.of(2, 29), m.birthday().get());
      assertEquals(ZoneId.of("Europe/Paris"), m.zone());
      assertEquals(now(), m.enrolledAt());
      assertInstanceOf(LoyaltyEvent.MemberEnrolled.class, events.get(0));
    }

    @Test
    void aMemberWithoutZoneGetsTheProgramZone() {
      enrolled(loyalty, alice);
      assertEquals(ZoneId.of("UTC"), accepted(loyalty.member(alice)).zone());
    }

    @Test
    void aMemberWithoutZoneKeepsTheProgramsZoneAtEnrolmentWhenALaterVersionChangesIt() {
      enrolled(loyalty, alice);
      Loyalty moved = Loyalty.builder().program(loyalty.program().toBuilder().zone(ZoneId.of("Asia/Tokyo")).build())
          .store(store).clock(clock).build();
      enrolled(moved, bob);

      assertEquals(ZoneId.of("UTC"), accepted(moved.member(alice)).zone());
      assertEquals(ZoneId.of("Asia/Tokyo"), accepted(moved.member(bob)).zone());
    }

    @Test
    void enrollingTheSameIdTwiceWithAnotherKeyIsRefused() {
      enrolled(loyalty, alice);
      assertEquals(new LoyaltyError.MemberAlreadyEnrolled(alice), refused(loyalty.enrol(Enrolment.of(alice, aKey()))));
    }

    @Test
    void enrollingTheIdOfAClosedMemberIsRefusedAdvisingAnotherIdNotTheClosedAccount() {
      enrolled(loyalty, alice);
      accepted(loyalty.close(alice, "Customer request", aKey()));

      LoyaltyError error = refused(loyalty.enrol(Enrolment.of(alice, aKey())));

      assertEquals(new LoyaltyError.MemberAlreadyEnrolled(alice, MemberStatus.CLOSED), error);
      assertTrue(error.message().contains("choose another id"), error.message());
      assertFalse(error.message().contains("Use the existing member"), error.message());
    }

    @Test
    void enrollingTheIdOfAnErasedMemberIsRefusedAdvisingAnotherId() {
      enrolled(loyalty, alice);
      accepted(loyalty.erase(alice, aKey()));

      LoyaltyError error = refused(loyalty.enrol(Enrolment.of(alice, aKey())));

      assertEquals(new LoyaltyError.MemberAlreadyEnrolled(alice, MemberStatus.CLOSED), error);
      assertFalse(error.message().contains("Use the existing member"), error.message());
    }

    @Test
    void enrollingTheIdOfASuspendedMemberIsRefusedAdvisingToReactivateTheExistingMember() {
      enrolled(loyalty, alice);
      accepted(loyalty.suspend(alice, "Fraud check", aKey()));

      LoyaltyError error = refused(loyalty.enrol(Enrolment.of(alice, aKey())));

      assertEquals(new LoyaltyError.MemberAlreadyEnrolled(alice, MemberStatus.SUSPENDED), error);
      assertTrue(error.message().contains("reactivate"), error.message());
    }

    @Test
    void anEnrolmentInTheFutureIsRefusedAndWritesNothing() {
      LoyaltyError error = refused(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(now().plusSeconds(1))));
      assertEquals("enrolledAt", ((LoyaltyError.InvalidRequest) error).field());
      assertTrue(store.account(alice).isEmpty());
    }

    @Test
    void anEnrolmentAtAnInstantWithoutADateIsRefusedAndWritesNothing() {
      LoyaltyError error = refused(loyalty.enrol(Enrolment.of(alice, aKey()).enrolledAt(Instant.MIN)));
      assertEquals("enrolledAt", ((LoyaltyError.InvalidRequest) error).field());
      assertTrue(store.account(alice).isEmpty());
    }

    @Test
    void readingAnUnknownMemberIsRefused() {
      assertEquals(new LoyaltyError.UnknownMember(alice), refused(loyalty.member(alice)));
      assertEquals(new LoyaltyError.UnknownMember(alice), refused(loyalty.balance(alice)));
    }
  }

  @Nested
  class CreditPoints {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
    }

    @Test
    void aCreditAddsAvailablePointsAndCreatesALot() {
      Receipt receipt = accepted(loyalty.credit(Credit.of(alice, points(120), "Coffee", aKey()).via(Channel.store("S-1"))));

      Entry entry = receipt.entries().single();
      assertEquals(EntryKind.EARN, entry.kind());
      assertEquals(points(120), entry.points());
      assertEquals(Channel.store("S-1"), entry.channel());
      assertEquals(List.of(new LotMovement(entry.id(), points(120))), entry.movements());
      assertEquals(new Balance(points(120), Points.ZERO, Points.ZERO), receipt.balance());
      assertEquals(List.of(entry.id()), accepted(loyalty.lots(alice)).map(Lot::id));
    }

    @Test
    void instantsOutsideYearsOneTo9999AreRefusedAndWriteNothing() {
      earned(loyalty, alice, 50);
      enrolled(loyalty, bob);
      Object before = List.of(stateOf(alice), stateOf(bob));
      Instant beforeYearOne = Instant.parse("0000-12-31T23:59:59.999999999Z");
      Instant afterYear9999 = Instant.parse("+10000-01-01T00:00:00Z");
      Credit credit = Credit.of(alice, points(10), "x", aKey());
      List<Object> fields = List.of(
          refused(loyalty.credit(credit.occurredAt(Instant.MIN))),
          refused(loyalty.credit(credit.occurredAt(beforeYearOne))),
          refused(loyalty.credit(credit.expiringAt(Instant.MAX))),
          refused(loyalty.credit(credit.expiringAt(afterYear9999))),
          refused(loyalty.credit(credit.vestingAt(afterYear9999))),
          refused(loyalty.debit(Debit.of(alice, points(1), "x", aKey()).occurredAt(Instant.MIN))),
          refused(loyalty.adjust(Adjustment.of(alice, points(1), "x", "ops", aKey()).expiringAt(Instant.MAX))),
          refused(loyalty.transfer(Transfer.of(alice, bob, points(1), "x", aKey()).expiringAt(Instant.MAX))),
          refused(loyalty.expire(alice, Instant.MIN, aKey())),
          refused(loyalty.vest(alice, Instant.MIN, aKey())),
          refused(loyalty.announceExpiry(alice, Instant.MAX, aKey()))).map(e -> ((LoyaltyError.InvalidRequest) e).field());
      assertEquals(List.of("occurredAt", "occurredAt", "expiresAt", "expiresAt", "vestsAt", "occurredAt", "expiresAt",
          "expiresAt", "asOf", "asOf", "expiresAt"), fields);
      assertEquals(before, List.of(stateOf(alice), stateOf(bob)));
    }

    @Test
    void theFirstAndLastInstantsOfTheSupportedYearsAreAccepted() {
      accepted(loyalty.credit(Credit.of(alice, points(10), "x", aKey()).occurredAt(Instant.parse("0001-01-01T00:00:00Z"))
          .expiringAt(Instant.parse("9999-12-31T23:59:59.999999999Z"))));
      assertEquals(points(10), balanceOf(loyalty, alice).available());
    }

    @Test
    void aCreditVestingLaterIsPendingUntilVested() {
      Instant vests = now().plus(Duration.ofDays(14));
      accepted(loyalty.credit(Credit.of(alice, points(50), "Order", aKey()).vestingAt(vests)));
      assertEquals(new Balance(Points.ZERO, points(50), Points.ZERO), balanceOf(loyalty, alice));

      Receipt early = accepted(loyalty.vest(alice, now(), aKey()));
      assertTrue(early.entries().isEmpty());

      clock.set(vests);
      Receipt vested = accepted(loyalty.vest(alice, vests, aKey()));
      assertEquals(EntryKind.VEST, vested.entries().single().kind());
      assertEquals(Points.ZERO, vested.entries().single().points());
      assertEquals(new Balance(points(50), Points.ZERO, Points.ZERO), balanceOf(loyalty, alice));
    }

    @Test
    void aBonusKeepsItsRulesAndDetails() {
      Entry entry = accepted(loyalty.credit(Credit.of(alice, points(10), "Birthday", aKey()).ofKind(EntryKind.BONUS)
          .explainedBy(List.of("birthday-2026"), TreeMap.of("window", "month")))).entries().single();
      assertEquals(EntryKind.BONUS, entry.kind());
      assertEquals(List.of("birthday-2026"), entry.ruleIds());
      assertEquals("month", entry.details().get("window").get());
      assertEquals(1, entry.programVersion());
    }

    @Test
    void zeroOrNegativePointsAreRefusedAndWriteNothing() {
      Object before = stateOf(alice);
      assertEquals(new LoyaltyError.InvalidRequest("points", "must be positive, was 0"),
          refused(loyalty.credit(Credit.of(alice, points(0), "x", aKey()))));
      assertEquals(new LoyaltyError.InvalidRequest("points", "must be positive, was -5"),
          refused(loyalty.credit(Credit.of(alice, points(-5), "x", aKey()))));
      assertEquals(before, stateOf(alice));
    }

    @Test
    void aBlankReasonIsRefused() {
      LoyaltyError error = refused(loyalty.credit(Credit.of(alice, points(5), "  ", aKey())));
      assertEquals("reason", ((LoyaltyError.InvalidRequest) error).field());
    }

    @Test
    void aCreditOfAnotherKindIsRefused() {
      LoyaltyError error = refused(loyalty.credit(Credit.of(alice, points(5), "x", aKey()).ofKind(EntryKind.REDEEM)));
      assertEquals("kind", ((LoyaltyError.InvalidRequest) error).field());
    }

    @Test
    void anExpiryNotAfterTheCreditIsRefused() {
      LoyaltyError error = refused(loyalty.credit(Credit.of(alice, points(5), "x", aKey()).expiringAt(now())));
      assertEquals("expiresAt", ((LoyaltyError.InvalidRequest) error).field());
    }

    @Test
    void aBackDatedCreditExpiringAtOrBeforeItOccurredIsRefusedNamingBothInstantsAndWritesNothing() {
      earned(loyalty, alice, 50);
      Object before = stateOf(alice);
      Instant occurred = now().minus(Duration.ofDays(40));
      for (Instant expires : List.of(occurred, occurred.minus(Duration.ofDays(1)))) {
        LoyaltyError.InvalidRequest error = (LoyaltyError.InvalidRequest) refused(
            loyalty.credit(Credit.of(alice, points(10), "x", aKey()).occurredAt(occurred).expiringAt(expires)));
        assertEquals("expiresAt", error.field());
        assertEquals("Invalid request: 'expiresAt' must be after occurredAt (" + occurred + "), was " + expires
            + ": the points would be expired when credited; give a later expiry, or none for points that never expire.",
            error.message());
      }
      assertEquals(before, stateOf(alice));
    }

    @Test
    void aBackDatedCreditExpiringAfterItOccurredButBeforeNowIsKeptForImportsOfHistoryAndExpiresAtTheNextRun() {
      Instant occurred = now().minus(Duration.ofDays(40));
      Instant expired = now().minus(Duration.ofDays(10));
      accepted(loyalty.credit(Credit.of(alice, points(10), "Opening balance", aKey()).occurredAt(occurred).expiringAt(expired)));
      assertEquals(points(-10), accepted(loyalty.expire(alice, now(), aKey())).entries().single().points());
    }

    @Test
    void aVestingNotBeforeTheExpiryIsRefusedAndWritesNothing() {
      earned(loyalty, alice, 50);
      Object before = stateOf(alice);
      Instant expires = now().plus(Duration.ofDays(30));
      Credit credit = Credit.of(alice, points(10), "x", aKey()).expiringAt(expires);
      for (Instant vests : List.of(expires, expires.plusNanos(1), expires.plus(Duration.ofDays(365)))) {
        LoyaltyError error = refused(loyalty.credit(credit.vestingAt(vests)));
        assertEquals("vestsAt", ((LoyaltyError.InvalidRequest) error).field(), error.toString());
      }
      assertEquals(before, stateOf(alice));
      accepted(loyalty.credit(credit.vestingAt(expires.minusNanos(1))));
      assertEquals(points(10), balanceOf(loyalty, alice).pending());
    }

    @Test
    void aVestingBeforeTheCreditOccurredIsRefusedAndWritesNothing() {
      Object before = stateOf(alice);
      Instant occurred = now().minus(Duration.ofDays(2));
      Credit backdated = Credit.of(alice, points(10), "x", aKey()).occurredAt(occurred);
      Credit current = Credit.of(alice, points(10), "x", aKey());
      List<LoyaltyError> errors = List.of(
          refused(loyalty.credit(backdated.vestingAt(occurred.minusNanos(1)))),
          refused(loyalty.credit(current.vestingAt(now().minusSeconds(1)))));
      errors.forEach(error -> assertEquals("vestsAt", ((LoyaltyError.InvalidRequest) error).field(), error.toString()));
      assertEquals(before, stateOf(alice));
      // Vesting when they are earned, or between then and now, makes them available at once.
      accepted(loyalty.credit(backdated.vestingAt(occurred)));
      accepted(loyalty.credit(Credit.of(alice, points(5), "x", aKey()).occurredAt(occurred).vestingAt(now())));
      assertEquals(new Balance(points(15), Points.ZERO, Points.ZERO), balanceOf(loyalty, alice));
    }

    @Test
    void aCreditOccurringInTheFutureIsRefused() {
      LoyaltyError error = refused(loyalty.credit(Credit.of(alice, points(5), "x", aKey()).occurredAt(now().plusSeconds(60))));
      assertEquals("occurredAt", ((LoyaltyError.InvalidRequest) error).field());
    }

    @Test
    void aCreditThatWouldOverflowTheBalanceIsRefusedAndWritesNothing() {
      earned(loyalty, alice, 10);
      Object before = stateOf(alice);
      LoyaltyError error = refused(loyalty.credit(Credit.of(alice, points(Long.MAX_VALUE), "x", aKey())));
      assertEquals(new LoyaltyError.BalanceOverflow(alice, points(10), points(Long.MAX_VALUE)), error);
      assertEquals(before, stateOf(alice));
    }

    @Test
    void creditingAnUnknownMemberIsRefused() {
      assertEquals(new LoyaltyError.UnknownMember(bob), refused(loyalty.credit(Credit.of(bob, points(5), "x", aKey()))));
    }

    @Test
    void aSuspendedMemberCannotEarn() {
      accepted(loyalty.suspend(alice, "fraud check", aKey()));
      assertEquals(new LoyaltyError.MemberNotActive(alice, MemberStatus.SUSPENDED),
          refused(loyalty.credit(Credit.of(alice, points(5), "x", aKey()))));
    }
  }

  @Nested
  class DebitPoints {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
    }

    @Test
    void aDebitConsumesTheSoonestExpiringLotFirstAndOldestOnTies() {
      Instant june = Instant.parse("2026-06-30T00:00:00Z");
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      EntryId never = accepted(loyalty.credit(Credit.of(alice, points(100), "a", aKey()))).entries().head().id();
      EntryId juneA = accepted(loyalty.credit(Credit.of(alice, points(30), "b", aKey()).expiringAt(june))).entries().head().id();
      EntryId mayLot = accepted(loyalty.credit(Credit.of(alice, points(20), "c", aKey()).expiringAt(may))).entries().head().id();
      EntryId juneB = accepted(loyalty.credit(Credit.of(alice, points(30), "d", aKey()).expiringAt(june))).entries().head().id();

      Entry debit = redeemed(loyalty, alice, 70).entries().single();

      assertEquals(List.of(new LotMovement(mayLot, points(-20)), new LotMovement(juneA, points(-30)),
          new LotMovement(juneB, points(-20))), debit.movements());
      assertEquals(List.of(juneB, never), accepted(loyalty.lots(alice)).map(Lot::id));
      assertEquals(points(110), balanceOf(loyalty, alice).available());
    }

    @Test
    void redeemingMoreThanTheAvailableBalanceIsRefusedAndWritesNothing() {
      earned(loyalty, alice, 50);
      Object before = stateOf(alice);
      assertEquals(new LoyaltyError.InsufficientPoints(alice, points(50), points(51)),
          refused(loyalty.debit(Debit.of(alice, points(51), "Reward", aKey()))));
      assertEquals(before, stateOf(alice));
    }

    @Test
    void pendingPointsCannotBeSpent() {
      accepted(loyalty.credit(Credit.of(alice, points(50), "x", aKey()).vestingAt(now().plusSeconds(3600))));
      assertEquals(new LoyaltyError.InsufficientPoints(alice, Points.ZERO, points(1)),
          refused(loyalty.debit(Debit.of(alice, points(1), "x", aKey()))));
    }

    @Test
    void aZeroDebitIsRefused() {
      assertEquals("points", ((LoyaltyError.InvalidRequest) refused(loyalty.debit(Debit.of(alice, points(0), "x", aKey())))).field());
    }

    @Test
    void aSuspendedMemberCannotRedeem() {
      earned(loyalty, alice, 50);
      accepted(loyalty.suspend(alice, "check", aKey()));
      assertEquals(new LoyaltyError.MemberNotActive(alice, MemberStatus.SUSPENDED),
          refused(loyalty.debit(Debit.of(alice, points(5), "x", aKey()))));
    }
  }

  @Nested
  class Adjust {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
    }

    @Test
    void aPositiveAdjustmentCreatesALotAndNamesTheOperator() {
      Entry e = accepted(loyalty.adjust(Adjustment.of(alice, points(25), "Goodwill", "ops:jo", aKey()))).entries().single();
      assertEquals(EntryKind.ADJUST, e.kind());
      assertEquals("ops:jo", e.operator().get());
      assertEquals(points(25), balanceOf(loyalty, alice).available());
    }

    @Test
    void aNegativeAdjustmentConsumesLotsAndIsRefusedBeyondTheAvailableBalance() {
      earned(loyalty, alice, 30);
      accepted(loyalty.adjust(Adjustment.of(alice, points(-10), "Correction", "ops:jo", aKey())));
      assertEquals(points(20), balanceOf(loyalty, alice).available());
      assertEquals(new LoyaltyError.InsufficientPoints(alice, points(20), points(21)),
          refused(loyalty.adjust(Adjustment.of(alice, points(-21), "Correction", "ops:jo", aKey()))));
    }

    @Test
    void aZeroAdjustmentOrABlankOperatorIsRefused() {
      assertEquals("points", ((LoyaltyError.InvalidRequest) refused(
          loyalty.adjust(Adjustment.of(alice, points(0), "x", "ops", aKey())))).field());
      assertEquals("operator", ((LoyaltyError.InvalidRequest) refused(
          loyalty.adjust(Adjustment.of(alice, points(5), "x", " ", aKey())))).field());
    }

    @Test
    void aNegativeAdjustmentWithAnExpiryIsRefusedNamingTheExpiryAndWritesNothing() {
      earned(loyalty, alice, 30);
      Object before = stateOf(alice);
      LoyaltyError error = refused(loyalty.adjust(Adjustment.of(alice, points(-10), "Correction", "ops:jo", aKey())
          .expiringAt(now().plus(Duration.ofDays(30)))));
      assertEquals("expiresAt", ((LoyaltyError.InvalidRequest) error).field());
      assertEquals(before, stateOf(alice));
    }

    @Test
    void anAdjustmentOfLongMinValuePointsIsRefusedAndWritesNothing() {
      earned(loyalty, alice, 30);
      Object before = stateOf(alice);
      LoyaltyError error = refused(loyalty.adjust(
          Adjustment.of(alice, Points.of(Long.MIN_VALUE), "Correction", "ops:jo", aKey())));
      assertEquals("points", ((LoyaltyError.InvalidRequest) error).field());
      assertEquals(before, stateOf(alice));
    }

    @Test
    void aSuspendedMemberCanStillBeAdjusted() {
      accepted(loyalty.suspend(alice, "check", aKey()));
      accepted(loyalty.adjust(Adjustment.of(alice, points(5), "Goodwill", "ops", aKey())));
      assertEquals(points(5), balanceOf(loyalty, alice).available());
    }
  }

  @Nested
  class Reverse {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
    }

    @Test
    void reversingACreditTakesItsPointsBackFromItsOwnLotFirst() {
      EntryId first = earned(loyalty, alice, 100).entries().head().id();
      EntryId second = earned(loyalty, alice, 40).entries().head().id();

      Entry reversal = accepted(loyalty.reverse(Reversal.of(second, "Returned", aKey()))).entries().single();

      assertEquals(EntryKind.REVERSAL, reversal.kind());
      assertEquals(second, reversal.reference().get());
      assertEquals(points(-40), reversal.points());
      assertEquals(List.of(new LotMovement(second, points(-40))), reversal.movements());
      assertEquals(List.of(first), accepted(loyalty.lots(alice)).map(Lot::id));
    }

    @Test
    void reversingADebitRestoresThePointsToTheLotsTheyCameFrom() {
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      EntryId a = accepted(loyalty.credit(Credit.of(alice, points(30), "a", aKey()).expiringAt(may))).entries().head().id();
      EntryId b = earned(loyalty, alice, 50).entries().head().id();
      List<Lot> before = accepted(loyalty.lots(alice));
      EntryId debit = redeemed(loyalty, alice, 60).entries().head().id();

      Entry reversal = accepted(loyalty.reverse(Reversal.of(debit, "Order cancelled", aKey()))).entries().single();

      assertEquals(points(60), reversal.points());
      assertEquals(List.of(new LotMovement(a, points(30)), new LotMovement(b, points(30))), reversal.movements());
      assertEquals(before, accepted(loyalty.lots(alice)));
      assertEquals(points(80), balanceOf(loyalty, alice).available());
    }

    @Test
    void reversingACreditWhoseLotPartlyExpiredTakesBackOnlyWhatDidNotExpireEvenUnderRefuse() {
      Loyalty strict = withPolicy(NegativeBalancePolicy.REFUSE);
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      EntryId credit = accepted(strict.credit(Credit.of(alice, points(100), "by mistake", aKey()).expiringAt(may)))
          .entries().head().id();
      redeemed(strict, alice, 30);
      clock.set(may);
      assertEquals(points(-70), accepted(strict.expire(alice, may, aKey())).entries().single().points());
      earned(strict, alice, 50);

      Entry reversal = accepted(strict.reverse(Reversal.of(credit, "Credited by mistake", aKey()))).entries().single();

      // The 30 spent are taken back; the 70 that expired unused were lost once already.
      assertEquals(points(-30), reversal.points());
      assertEquals(Option.some("70"), reversal.details().get("expired"));
      assertEquals(Option.none(), reversal.details().get("shortfall"));
      assertEquals(points(20), balanceOf(strict, alice).available());
      assertTrue(accepted(strict.verify(alice)).isIntact());
    }

    @Test
    void reversingACreditWhoseSpentPointsWereGivenBackToAGraceLotAndExpiredThereDoesNotTakeThemAgain() {
      Loyalty strict = withPolicy(NegativeBalancePolicy.REFUSE);
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      EntryId credit = accepted(strict.credit(Credit.of(alice, points(100), "by mistake", aKey()).expiringAt(may)))
          .entries().head().id();
      EntryId coffee = redeemed(strict, alice, 30).entries().single().id();
      clock.set(may);
      assertEquals(points(-70), accepted(strict.expire(alice, may, aKey())).entries().single().points());
      // Given back after the lot expired, the 30 go to a grace lot, and expire there unused.
      accepted(strict.cancelRedemption(coffee, "not served", aKey()));
      clock.advance(Duration.ofDays(31));
      assertEquals(points(-30), accepted(strict.expire(alice, now(), aKey())).entries().single().points());
      earned(strict, alice, 50);

      Entry reversal = accepted(strict.reverse(Reversal.of(credit, "Credited by mistake", aKey()))).entries().single();

      assertEquals(points(0), reversal.points());
      assertEquals(Option.some("100"), reversal.details().get("expired"));
      assertEquals(points(50), balanceOf(strict, alice).available());
    }

    @Test
    void reversingAnEntryTwiceIsRefused() {
      EntryId credit = earned(loyalty, alice, 10).entries().head().id();
      EntryId reversal = accepted(loyalty.reverse(Reversal.of(credit, "x", aKey()))).entries().head().id();
      assertEquals(new LoyaltyError.AlreadyReversed(credit, reversal),
          refused(loyalty.reverse(Reversal.of(credit, "again", aKey()))));
    }

    @Test
    void reversingAReversalOrAnUnknownEntryIsRefused() {
      EntryId credit = earned(loyalty, alice, 10).entries().head().id();
      EntryId reversal = accepted(loyalty.reverse(Reversal.of(credit, "x", aKey()))).entries().head().id();
      assertEquals(new LoyaltyError.NotReversible(reversal, EntryKind.REVERSAL),
          refused(loyalty.reverse(Reversal.of(reversal, "x", aKey()))));
      EntryId missing = EntryId.of(alice, 99);
      assertEquals(new LoyaltyError.EntryNotFound(missing), refused(loyalty.reverse(Reversal.of(missing, "x", aKey()))));
    }

    @Test
    void underRefuseAReversalOfSpentPointsIsRefusedAndWritesNothing() {
      Loyalty strict = withPolicy(NegativeBalancePolicy.REFUSE);
      EntryId credit = earned(strict, alice, 100).entries().head().id();
      redeemed(strict, alice, 80);
      Object before = stateOf(alice);
      assertEquals(new LoyaltyError.InsufficientPoints(alice, points(20), points(100)),
          refused(strict.reverse(Reversal.of(credit, "Returned", aKey()))));
      assertEquals(before, stateOf(alice));
    }

    @Test
    void underClampAReversalTakesWhatIsAvailableAndRecordsTheShortfall() {
      EntryId credit = earned(loyalty, alice, 100).entries().head().id();
      redeemed(loyalty, alice, 80);
      Entry reversal = accepted(loyalty.reverse(Reversal.of(credit, "Returned", aKey()))).entries().single();
      assertEquals(points(-20), reversal.points());
      assertEquals("80", reversal.details().get("shortfall").get());
      assertEquals(Balance.EMPTY, balanceOf(loyalty, alice));
    }

    @Test
    void underAllowNegativeTheBalanceGoesBelowZeroAndLaterCreditsRepayIt() {
      Loyalty lenient = inDeficit(80);
      assertEquals(points(-80), balanceOf(lenient, alice).available());

      earned(lenient, alice, 50);
      assertEquals(points(-30), balanceOf(lenient, alice).available());
      assertTrue(accepted(lenient.lots(alice)).isEmpty());

      earned(lenient, alice, 50);
      assertEquals(points(20), balanceOf(lenient, alice).available());
      assertEquals(points(20), accepted(lenient.lots(alice)).single().remaining());
    }

    @Test
    void underAllowNegativeAReversalThatWouldTakeTheBalanceBeyondALongIsRefusedAndWritesNothing() {
      Loyalty lenient = withPolicy(NegativeBalancePolicy.ALLOW_NEGATIVE);
      EntryId first = earned(lenient, alice, Long.MAX_VALUE).entries().head().id();
      redeemed(lenient, alice, Long.MAX_VALUE);
      EntryId second = earned(lenient, alice, Long.MAX_VALUE).entries().head().id();
      redeemed(lenient, alice, Long.MAX_VALUE);
      accepted(lenient.reverse(Reversal.of(first, "Returned", aKey())));
      assertEquals(points(-Long.MAX_VALUE), balanceOf(lenient, alice).available());
      Object before = stateOf(alice);

      assertEquals(new LoyaltyError.BalanceOverflow(alice, points(-Long.MAX_VALUE), points(-Long.MAX_VALUE)),
          refused(lenient.reverse(Reversal.of(second, "Returned", aKey()))));
      assertEquals(before, stateOf(alice));
    }

    @Test
    void pendingPointsRepayADeficitWhenTheyVest() {
      Loyalty lenient = inDeficit(100);
      Instant vests = now().plus(Duration.ofDays(3));
      EntryId pendingLot = accepted(lenient.credit(Credit.of(alice, points(130), "Web order", aKey()).vestingAt(vests)))
          .entries().head().id();
      assertEquals(new Balance(points(-100), points(130), Points.ZERO), balanceOf(lenient, alice));

      clock.set(vests);
      accepted(lenient.vest(alice, vests, aKey()));

      assertEquals(new Balance(points(30), Points.ZERO, Points.ZERO), balanceOf(lenient, alice));
      Lot lot = accepted(lenient.lots(alice)).single();
      assertEquals(pendingLot, lot.id());
      assertEquals(points(30), lot.remaining());
    }

    @Test
    void aPendingLotThatVestsWhollyIntoADeficitIsNotKept() {
      Loyalty lenient = inDeficit(100);
      Instant vests = now().plus(Duration.ofDays(3));
      accepted(lenient.credit(Credit.of(alice, points(100), "Web order", aKey()).vestingAt(vests)));

      clock.set(vests);
      accepted(lenient.vest(alice, vests, aKey()));

      assertEquals(Balance.EMPTY, balanceOf(lenient, alice));
      assertTrue(accepted(lenient.lots(alice)).isEmpty(), "a lot with no points left is dropped");
    }
  }

  @Nested
  class TransferPoints {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
      enrolled(loyalty, bob);
    }

    @Test
    void aTransferMovesPointsBetweenMembersAtomically() {
      earned(loyalty, alice, 100);
      Receipt receipt = accepted(loyalty.transfer(Transfer.of(alice, bob, points(30), "Gift", aKey())));

      Entry out = receipt.entries().get(0);
      Entry in = receipt.entries().get(1);
      assertEquals(EntryKind.TRANSFER_OUT, out.kind());
      assertEquals(bob, out.counterparty().get());
      assertEquals(EntryKind.TRANSFER_IN, in.kind());
      assertEquals(out.id(), in.reference().get());
      assertEquals(points(70), balanceOf(loyalty, alice).available());
      assertEquals(points(30), balanceOf(loyalty, bob).available());
      assertEquals(List.of(new LoyaltyEvent.PointsTransferred(out, in),
              new LoyaltyEvent.PointsSent(out, balanceOf(loyalty, alice)), new LoyaltyEvent.PointsReceived(in, balanceOf(loyalty, bob))),
          List.ofAll(events).takeRight(3), "the transfer, then each side with its member's balance");
    }

    @Test
    void aTransferBeyondTheSendersBalanceIsRefusedAndWritesNothingOnEitherSide() {
      earned(loyalty, alice, 10);
      Object before = List.of(stateOf(alice), stateOf(bob));
      assertEquals(new LoyaltyError.InsufficientPoints(alice, points(10), points(11)),
          refused(loyalty.transfer(Transfer.of(alice, bob, points(11), "Gift", aKey()))));
      assertEquals(before, List.of(stateOf(alice), stateOf(bob)));
    }

    @Test
    void aTransferToOneselfOrToAClosedMemberIsRefused() {
      earned(loyalty, alice, 10);
      assertEquals("to", ((LoyaltyError.InvalidRequest) refused(loyalty.transfer(Transfer.of(alice, alice, points(1), "x", aKey())))).field());
      accepted(loyalty.close(bob, "left", aKey()));
      assertEquals(new LoyaltyError.MemberNotActive(bob, MemberStatus.CLOSED),
          refused(loyalty.transfer(Transfer.of(alice, bob, points(1), "x", aKey()))));
    }

    @Test
    void aListenerKeyedByMemberHearsEachSideOfATransferWithThatMembersBalance() {
      earned(loyalty, alice, 100);
      earned(loyalty, bob, 5);
      events.clear();

      Receipt receipt = accepted(loyalty.transfer(Transfer.of(alice, bob, points(30), "Gift", aKey())));

      java.util.Map<MemberId, LoyaltyEvent.EntryEvent> lastHeard = new java.util.HashMap<>();
      events.stream().filter(LoyaltyEvent.EntryEvent.class::isInstance).map(LoyaltyEvent.EntryEvent.class::cast)
          .forEach(e -> lastHeard.put(e.member(), e));
      assertEquals(java.util.Set.of(alice, bob), lastHeard.keySet(), "both members heard of the transfer");
      assertInstanceOf(LoyaltyEvent.PointsReceived.class, lastHeard.get(bob));
      assertEquals(bob, lastHeard.get(bob).member());
      assertEquals(receipt.entries().get(1), lastHeard.get(bob).entry(), "the receiver hears its TRANSFER_IN");
      assertEquals(balanceOf(loyalty, bob), lastHeard.get(bob).balance());
      assertInstanceOf(LoyaltyEvent.PointsSent.class, lastHeard.get(alice));
      assertEquals(receipt.entries().get(0), lastHeard.get(alice).entry(), "the sender hears its TRANSFER_OUT");
      assertEquals(balanceOf(loyalty, alice), lastHeard.get(alice).balance());
    }

    @Test
    void theReceiversEventsArriveInCommitOrderAndEachBalanceIsThePreviousOnePlusItsEntry() {
      earned(loyalty, alice, 100);
      earned(loyalty, bob, 5);
      accepted(loyalty.transfer(Transfer.of(alice, bob, points(30), "Gift", aKey())));
      redeemed(loyalty, bob, 20);
      accepted(loyalty.transfer(Transfer.of(bob, alice, points(10), "Back", aKey())));

      List<LoyaltyEvent.EntryEvent> bobs = List.ofAll(events).filter(e -> e.member().equals(bob))
          .filter(LoyaltyEvent.EntryEvent.class::isInstance).map(LoyaltyEvent.EntryEvent.class::cast);
      assertEquals(List.of(EntryKind.EARN, EntryKind.TRANSFER_IN, EntryKind.REDEEM, EntryKind.TRANSFER_OUT),
          bobs.map(e -> e.entry().kind()));
      Points total = Points.ZERO;
      for (LoyaltyEvent.EntryEvent e : bobs) {
        total = total.plus(e.entry().points());
        assertEquals(total, e.balance().total(), "the balance after " + e.entry().kind());
      }
      assertEquals(balanceOf(loyalty, bob), bobs.last().balance());
    }

    @Test
    void replayingATransferWithItsKeyPublishesNothingAgain() {
      earned(loyalty, alice, 100);
      Transfer gift = Transfer.of(alice, bob, points(30), "Gift", aKey());
      Receipt first = accepted(loyalty.transfer(gift));
      int eventsBefore = events.size();

      assertEquals(first, accepted(loyalty.transfer(gift)));

      assertEquals(eventsBefore, events.size());
      assertEquals(points(30), balanceOf(loyalty, bob).available());
    }

    /** A member's live lots as (expiry, points left), in consumption order; no expiry is never. */
    private List<io.vavr.Tuple2<Option<Instant>, Points>> lotsOf(MemberId member) {
      return accepted(loyalty.lots(member)).map(l -> io.vavr.Tuple.of(l.expiresAt(), l.remaining()));
    }

    @Test
    void aTransferWithoutAnExpiryGivesTheReceiverTheExpiriesOfTheSendersLotsTakenLotByLot() {
      Instant january = Instant.parse("2027-01-31T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(january)));
      earned(loyalty, alice, 20);

      Receipt receipt = accepted(loyalty.transfer(Transfer.of(alice, bob, points(15), "Gift", aKey())));

      assertEquals(List.of(io.vavr.Tuple.of(Option.some(january), points(10)), io.vavr.Tuple.of(Option.none(), points(5))),
          lotsOf(bob), "10 expiring in January, 5 that never do");
      assertEquals(List.of(io.vavr.Tuple.of(Option.<Instant>none(), points(15))), lotsOf(alice));
      assertEquals(List.of(EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN, EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN),
          receipt.entries().map(Entry::kind), "one pair of entries per expiry");
      List<Entry> ins = receipt.entries().filter(e -> e.kind() == EntryKind.TRANSFER_IN);
      assertEquals(List.of(Option.some(january), Option.none()), ins.map(Entry::expiresAt), "each entry says when its lot expires");
      assertEquals(receipt.entries().filter(e -> e.kind() == EntryKind.TRANSFER_OUT).map(e -> Option.some(e.id())),
          ins.map(Entry::reference), "each TRANSFER_IN references its TRANSFER_OUT");
      assertEquals(points(-15), receipt.netPoints());
      assertTrue(accepted(loyalty.verify(alice)).isIntact() && accepted(loyalty.verify(bob)).isIntact());
    }

    @Test
    void eachPartOfATransferFromLotsOfSeveralExpiriesIsPublishedWithTheBalancesAfterIt() {
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(now().plus(Duration.ofDays(30)))));
      earned(loyalty, alice, 20);
      events.clear();

      IdempotencyKey gift = aKey();
      Receipt receipt = accepted(loyalty.transfer(Transfer.of(alice, bob, points(15), "Gift", gift)));

      List<Entry> e = receipt.entries();
      // A listener that tells members once per transfer groups the parts by the request's key.
      assertEquals(List.of(gift, gift, gift, gift), e.map(Entry::idempotencyKey));
      assertEquals(List.of(new LoyaltyEvent.PointsTransferred(e.get(0), e.get(1)),
              new LoyaltyEvent.PointsSent(e.get(0), new Balance(points(20), Points.ZERO, Points.ZERO)),
              new LoyaltyEvent.PointsReceived(e.get(1), new Balance(points(10), Points.ZERO, Points.ZERO)),
              new LoyaltyEvent.PointsTransferred(e.get(2), e.get(3)),
              new LoyaltyEvent.PointsSent(e.get(2), new Balance(points(15), Points.ZERO, Points.ZERO)),
              new LoyaltyEvent.PointsReceived(e.get(3), new Balance(points(15), Points.ZERO, Points.ZERO))),
          List.ofAll(events));
    }

    @Test
    void aListenerThatTellsTheReceiverOncePerTransferFindsTheLastPartInTheEntrysDetails() {
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(now().plus(Duration.ofDays(30)))));
      accepted(loyalty.credit(Credit.of(alice, points(20), "b", aKey()).expiringAt(now().plus(Duration.ofDays(60)))));
      earned(loyalty, alice, 20);
      java.util.List<String> told = new ArrayList<>();
      java.util.Map<IdempotencyKey, Points> received = new java.util.HashMap<>();
      Loyalty notifying = Loyalty.builder().program(loyalty.program()).store(store).clock(clock).listener(event -> {
        if (event instanceof LoyaltyEvent.PointsReceived in) {
          Entry entry = in.entry();
          Points sofar = received.merge(entry.idempotencyKey(), entry.points(), Points::plus);
          if (entry.details().get(Transfer.PART_DETAIL).equals(entry.details().get(Transfer.PARTS_DETAIL))) {
            told.add(entry.member() + " received " + sofar + " from " + entry.counterparty().get());
          }
        }
      }).build();

      Receipt receipt = accepted(notifying.transfer(Transfer.of(alice, bob, points(35), "Gift", aKey())));
      accepted(notifying.transfer(Transfer.of(alice, bob, points(5), "Small gift", aKey())));

      assertEquals(java.util.List.of("bob received 35 from alice", "bob received 5 from alice"), told,
          "once per transfer, with its points");
      assertEquals(List.of("1", "1", "2", "2", "3", "3"),
          receipt.entries().map(e -> e.details().get(Transfer.PART_DETAIL).get()), "each entry says which part it is");
      assertEquals(List.fill(6, "3"), receipt.entries().map(e -> e.details().get(Transfer.PARTS_DETAIL).get()));
      assertTrue(accepted(loyalty.verify(alice)).isIntact() && accepted(loyalty.verify(bob)).isIntact());
    }

    @Test
    void theExpiryRunExpiresReceivedPointsOnTheSendersDates() {
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      Instant june = Instant.parse("2026-06-30T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(may)));
      accepted(loyalty.credit(Credit.of(alice, points(20), "b", aKey()).expiringAt(june)));
      accepted(loyalty.transfer(Transfer.of(alice, bob, points(25), "Gift", aKey())));

      clock.set(may);
      assertEquals(points(-10), accepted(loyalty.expire(bob, may, aKey())).entries().single().points());
      expireBothAndFindThemEmpty(june);
    }

    @Test
    void sendingPointsBackAndForthNoLongerKeepsThemAlivePastTheirExpiry() {
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(30), "a", aKey()).expiringAt(may)));
      for (int round = 0; round < 3; round++) {
        accepted(loyalty.transfer(Transfer.of(alice, bob, points(30), "there", aKey())));
        accepted(loyalty.transfer(Transfer.of(bob, alice, points(30), "and back", aKey())));
      }
      accepted(loyalty.transfer(Transfer.of(alice, bob, points(12), "half way", aKey())));

      expireBothAndFindThemEmpty(may);
    }

    /** Runs the expiry for both members at {@code at} and checks that it left neither any points. */
    private void expireBothAndFindThemEmpty(Instant at) {
      clock.set(at);
      accepted(loyalty.expire(alice, at, aKey()));
      accepted(loyalty.expire(bob, at, aKey()));
      assertEquals(Balance.EMPTY, balanceOf(loyalty, alice));
      assertEquals(Balance.EMPTY, balanceOf(loyalty, bob));
    }

    @Test
    void pointsPastTheirExpiryAndNotYetSweptReachTheReceiverAlreadyExpired() {
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(may)));
      clock.set(may.plusSeconds(60));
      accepted(loyalty.transfer(Transfer.of(alice, bob, points(10), "late", aKey())));

      assertEquals(points(-10), accepted(loyalty.expire(bob, now(), aKey())).entries().single().points());
    }

    @Test
    void aLateExpiryRunDatesTheExpiryOfPointsReceivedAfterItsInstantWhenTheyArrived() {
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(may)));
      clock.set(may.plus(Duration.ofDays(2)));
      Entry in = accepted(loyalty.transfer(Transfer.of(alice, bob, points(10), "late", aKey()))).entries().get(1);

      Entry expired = accepted(loyalty.expire(bob, may.plus(Duration.ofDays(1)), aKey())).entries().single();

      assertEquals(points(-10), expired.points());
      assertEquals(in.occurredAt(), expired.occurredAt(), "not before the TRANSFER_IN that gave the points");
    }

    @Test
    void aLateExpiryRunDatesAnExpiryAtItsInstantWhenOnlyPointsItLeavesAloneArrivedLater() {
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      accepted(loyalty.credit(Credit.of(bob, points(10), "a", aKey()).expiringAt(may)));
      clock.set(may.plus(Duration.ofDays(2)));
      earned(loyalty, alice, 20);
      accepted(loyalty.transfer(Transfer.of(alice, bob, points(5), "after the expiry", aKey())));

      Entry expired = accepted(loyalty.expire(bob, may, aKey())).entries().single();

      assertEquals(points(-10), expired.points());
      assertEquals(may, expired.occurredAt(), "the points received later, which never expire, date nothing");
    }

    @Test
    void aTransferFromSeveralLotsOfOneExpiryIsOnePairOfEntries() {
      Instant january = Instant.parse("2027-01-31T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(january)));
      accepted(loyalty.credit(Credit.of(alice, points(20), "b", aKey()).expiringAt(january)));
      earned(loyalty, alice, 20);

      Receipt receipt = accepted(loyalty.transfer(Transfer.of(alice, bob, points(35), "Gift", aKey())));

      assertEquals(List.of(points(-30), points(30), points(-5), points(5)), receipt.entries().map(Entry::points),
          "the two January lots are one part");
      assertEquals(List.of(io.vavr.Tuple.of(Option.some(january), points(30)), io.vavr.Tuple.of(Option.none(), points(5))),
          lotsOf(bob));
      assertEquals(List.fill(4, Option.some("2")), receipt.entries().map(e -> e.details().get(Transfer.PARTS_DETAIL)));
    }

    @Test
    void anExplicitExpiryStillAppliesToEveryReceivedPoint() {
      Instant january = Instant.parse("2027-01-31T00:00:00Z");
      Instant march = Instant.parse("2027-03-31T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(january)));
      earned(loyalty, alice, 20);

      Receipt receipt = accepted(loyalty.transfer(Transfer.of(alice, bob, points(15), "Gift", aKey()).expiringAt(march)));

      assertEquals(List.of(EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN), receipt.entries().map(Entry::kind));
      assertEquals(List.of(io.vavr.Tuple.of(Option.some(march), points(15))), lotsOf(bob));
    }

    @Test
    void theReceiversStatementAndTheLiabilityShowTheSendersDates() {
      Instant may = Instant.parse("2026-05-15T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(may)));
      earned(loyalty, alice, 20);
      accepted(loyalty.transfer(Transfer.of(alice, bob, points(15), "Gift", aKey())));

      io.github.loyaltyledger.insight.Statement statement = accepted(
          loyalty.statement(bob, Instant.parse("2026-03-01T00:00:00Z"), now().plusSeconds(1), Duration.ofDays(365)));
      assertEquals(List.of(new io.github.loyaltyledger.insight.ExpiringPoints(may, points(10))), statement.expiringSoon());
      io.github.loyaltyledger.insight.Liability liability = accepted(loyalty.liability(now(), ZoneId.of("UTC"),
          io.github.loyaltyledger.insight.RedemptionRate.of(Money.parse("EUR 1.00"), 100)));
      assertEquals(points(10), liability.byExpiry().get(io.github.loyaltyledger.insight.ExpiryBucket.WITHIN_90_DAYS).get());
      assertEquals(points(20), liability.byExpiry().get(io.github.loyaltyledger.insight.ExpiryBucket.NEVER).get());
    }

    @Test
    void transfersAreNotReversible() {
      earned(loyalty, alice, 10);
      EntryId out = accepted(loyalty.transfer(Transfer.of(alice, bob, points(5), "x", aKey()))).entries().head().id();
      assertEquals(new LoyaltyError.NotReversible(out, EntryKind.TRANSFER_OUT), refused(loyalty.reverse(Reversal.of(out, "x", aKey()))));
    }

    /**
     * After a merge (the points transferred, the other account closed), an agent undoing the
     * transfer is not told to transfer the points back, which the closed account would refuse, but
     * that it is closed and to post an adjustment, which the open member's account takes.
     */
    @Test
    void reversingATransferWhoseOtherMemberIsClosedAdvisesAnAdjustmentNotATransferBack() {
      earned(loyalty, alice, 10);
      Receipt merged = accepted(loyalty.transfer(Transfer.of(alice, bob, points(10), "Merge", aKey())));
      accepted(loyalty.close(alice, "Merged into bob", aKey()));
      EntryId in = merged.entries().last().id();

      LoyaltyError error = refused(loyalty.reverse(Reversal.of(in, "Undo the merge", aKey())));

      assertInstanceOf(LoyaltyError.NotReversible.class, error);
      assertFalse(error.message().contains("ransfer the points back"), error.message());
      assertTrue(error.message().contains("'alice'"), error.message());
      assertTrue(error.message().contains("adjustment"), error.message());
      accepted(loyalty.adjust(Adjustment.of(bob, points(-10), "Undo the merge", "desk", aKey())));
    }

    /**
     * The sender's side of a transfer to a member closed since is refused as the receiver's side is,
     * by {@code reverse} and {@code cancelRedemption} alike: naming the closed receiver and advising
     * an adjustment, not a transfer back that their closed account would refuse.
     */
    @Test
    void reversingTheSendersSideOfATransferToAClosedMemberAdvisesAnAdjustmentNamingThem() {
      earned(loyalty, alice, 10);
      EntryId out = accepted(loyalty.transfer(Transfer.of(alice, bob, points(10), "Gift", aKey()))).entries().head().id();
      accepted(loyalty.close(bob, "Left the programme", aKey()));
      LoyaltyError advice = new LoyaltyError.NotReversible(out, EntryKind.TRANSFER_OUT, false, Option.some(bob));

      assertEquals(advice, refused(loyalty.reverse(Reversal.of(out, "Undo the gift", aKey()))));
      assertEquals(advice, refused(loyalty.cancelRedemption(out, "Undo the gift", aKey())));
      assertTrue(advice.message().contains("'bob'") && advice.message().contains("adjustment"), advice.message());
    }
  }

  @Nested
  class Lifecycle {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
    }

    @Test
    void aMemberCanBeSuspendedAndReactivated() {
      assertEquals(MemberStatus.SUSPENDED, accepted(loyalty.suspend(alice, "check", aKey())).status());
      assertEquals(MemberStatus.ACTIVE, accepted(loyalty.reactivate(alice, "cleared", aKey())).status());
      earned(loyalty, alice, 5);
    }

    /**
     * An operator's goodwill sent as a credit to a suspended member is told to reactivate them, and
     * that an adjustment, which a suspended member takes, may be posted meanwhile.
     */
    @Test
    void aSuspendedMembersCreditIsRefusedWithAdviceOfTheAdjustmentThatIsAllowedMeanwhile() {
      accepted(loyalty.suspend(alice, "Fraud check", aKey()));

      LoyaltyError error = refused(loyalty.credit(Credit.of(alice, points(50), "Goodwill", aKey())));

      assertEquals(new LoyaltyError.MemberNotActive(alice, MemberStatus.SUSPENDED), error);
      assertTrue(error.message().contains("reactivate"), error.message());
      assertTrue(error.message().contains("adjust"), error.message());
      accepted(loyalty.adjust(Adjustment.of(alice, points(50), "Goodwill", "desk", aKey())));
    }

    @Test
    void suspendingASuspendedMemberOrReactivatingAnActiveOneIsRefused() {
      assertEquals(new LoyaltyError.StatusChangeNotAllowed(alice, MemberStatus.ACTIVE, MemberStatus.ACTIVE),
          refused(loyalty.reactivate(alice, "x", aKey())));
      accepted(loyalty.suspend(alice, "check", aKey()));
      assertEquals(new LoyaltyError.StatusChangeNotAllowed(alice, MemberStatus.SUSPENDED, MemberStatus.SUSPENDED),
          refused(loyalty.suspend(alice, "x", aKey())));
    }

    /**
     * A support agent asked to reopen, suspend or close a closed account is told that it is final and
     * what to do instead (enrol the customer under a new member id), not to check a status that
     * cannot change.
     */
    @Test
    void changingAClosedMembersStatusIsRefusedWithAdviceThatTheAccountIsFinal() {
      accepted(loyalty.close(alice, "Customer request", aKey()));

      for (LoyaltyError error : List.of(refused(loyalty.reactivate(alice, "reopen", aKey())),
          refused(loyalty.suspend(alice, "x", aKey())), refused(loyalty.close(alice, "x", aKey())))) {
        String message = error.message();
        assertFalse(message.contains("Check the member's status"), message);
        assertTrue(message.contains("closed account is final"), message);
        assertTrue(message.contains("new member id"), message);
      }
      // Only a second close is told that the member is already closed.
      String reopened = refused(loyalty.reactivate(alice, "reopen", aKey())).message();
      String suspended = refused(loyalty.suspend(alice, "x", aKey())).message();
      assertTrue(reopened.contains("is CLOSED and cannot become ACTIVE") && !reopened.contains("already"), reopened);
      assertTrue(suspended.contains("is CLOSED and cannot become SUSPENDED") && !suspended.contains("already"), suspended);
    }

    /** A double-click on suspend or reactivate is told that the member already has that status. */
    @Test
    void changingAMemberToTheStatusTheyHaveSaysTheyAlreadyHaveIt() {
      String reactivated = refused(loyalty.reactivate(alice, "x", aKey())).message();
      accepted(loyalty.suspend(alice, "check", aKey()));
      String suspended = refused(loyalty.suspend(alice, "x", aKey())).message();

      assertTrue(reactivated.contains("is already ACTIVE"), reactivated);
      assertTrue(suspended.contains("is already SUSPENDED"), suspended);
      assertTrue(suspended.contains("nothing needs to be done"), suspended);
    }

    /**
     * A second close of a closed account (a double-click, or a second ticket for one customer) is
     * told that the member is already closed and nothing needs to be done, not that the member
     * "is CLOSED and cannot become CLOSED".
     */
    @Test
    void closingAClosedMemberAgainSaysTheyAreAlreadyClosedAndNothingNeedsToBeDone() {
      accepted(loyalty.close(alice, "Customer request", aKey()));

      String closedAgain = refused(loyalty.close(alice, "Second ticket", aKey())).message();

      assertTrue(closedAgain.contains("is already CLOSED"), closedAgain);
      assertTrue(closedAgain.contains("nothing needs to be done"), closedAgain);
      assertFalse(closedAgain.contains("cannot become"), closedAgain);
    }

    @Test
    void closingForfeitsTheBalanceThroughAnEntryAndKeepsTheHistory() {
      earned(loyalty, alice, 70);
      accepted(loyalty.credit(Credit.of(alice, points(30), "x", aKey()).vestingAt(now().plusSeconds(60))));

      Receipt closed = accepted(loyalty.close(alice, "Customer request", aKey()));

      Entry forfeit = closed.entries().single();
      assertEquals(EntryKind.FORFEIT, forfeit.kind());
      assertEquals(points(-100), forfeit.points());
      assertEquals(Balance.EMPTY, balanceOf(loyalty, alice));
      assertEquals(3, store.entries(alice, 1, 10).size());
      assertTrue(accepted(loyalty.verify(alice)).isIntact());
    }

    @Test
    void aClosedMemberAcceptsNothing() {
      EntryId credit = earned(loyalty, alice, 10).entries().head().id();
      accepted(loyalty.close(alice, "x", aKey()));
      LoyaltyError closed = new LoyaltyError.MemberNotActive(alice, MemberStatus.CLOSED);
      assertEquals(closed, refused(loyalty.credit(Credit.of(alice, points(1), "x", aKey()))));
      // Not the advice to a suspended member: a closed account is never reactivated.
      assertEquals("Member 'alice' is CLOSED and cannot do this. A closed account is final.", closed.message());
      assertEquals(closed, refused(loyalty.adjust(Adjustment.of(alice, points(1), "x", "ops", aKey()))));
      assertEquals(closed, refused(loyalty.reverse(Reversal.of(credit, "x", aKey()))));
      assertEquals(new LoyaltyError.StatusChangeNotAllowed(alice, MemberStatus.CLOSED, MemberStatus.CLOSED),
          refused(loyalty.close(alice, "x", aKey())));
      assertEquals(new LoyaltyError.StatusChangeNotAllowed(alice, MemberStatus.CLOSED, MemberStatus.ACTIVE),
          refused(loyalty.reactivate(alice, "x", aKey())));
    }

    @Test
    void reversingAClosedMembersForfeitIsRefusedWithoutAdvisingAnAdjustmentItWouldRefuse() {
      earned(loyalty, alice, 10);
      EntryId forfeit = accepted(loyalty.close(alice, "x", aKey())).entries().single().id();

      LoyaltyError error = refused(loyalty.reverse(Reversal.of(forfeit, "x", aKey())));

      assertEquals(new LoyaltyError.NotReversible(forfeit, EntryKind.FORFEIT), error);
      assertFalse(error.message().contains("adjustment"), error.message());
      assertTrue(error.message().contains("closed"), error.message());
    }

    /**
     * Every kind that {@code reverse} refuses, and the credits {@code cancelRedemption} refuses, for a
     * member of each status: still {@code NotReversible}, whose advice for a closed member names no
     * call that refuses a closed member (cancelRedemption, an adjustment, a transfer back, a new
     * hold, overrideTier, reverse), and for an open one the call that undoes the entry.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(MemberStatus.class)
    void reversingAnEntryOfAnyKindThatCannotBeIsRefusedWithAdviceTheMembersStatusAllows(MemberStatus status) {
      enrolled(loyalty, bob);
      EntryId earn = earned(loyalty, alice, 100).entries().head().id();
      EntryId bonus = accepted(loyalty.credit(Credit.of(alice, points(5), "welcome", aKey()))).entries().head().id();
      EntryId adjust = accepted(loyalty.adjust(Adjustment.of(alice, points(5), "goodwill", "ops", aKey())))
          .entries().head().id();
      EntryId reversal = accepted(loyalty.reverse(Reversal.of(bonus, "x", aKey()))).entries().head().id();
      EntryId captured = accepted(loyalty.authorize(Authorization.points(alice, points(10), Duration.ofMinutes(5),
          Channel.store("S-1"), aKey()))).id();
      EntryId capture = accepted(loyalty.capture(captured, aKey())).entry();
      EntryId voided = accepted(loyalty.authorize(Authorization.points(alice, points(10), Duration.ofMinutes(5),
          Channel.store("S-1"), aKey()))).id();
      EntryId release = accepted(loyalty.voidHold(voided, "x", aKey())).entries().head().id();
      EntryId out = accepted(loyalty.transfer(Transfer.of(alice, bob, points(5), "x", aKey()))).entries().head().id();
      earned(loyalty, bob, 10);
      EntryId in = accepted(loyalty.transfer(Transfer.of(bob, alice, points(5), "x", aKey()))).entries().last().id();
      assertEquals(EntryKind.TRANSFER_IN, store.entry(in).get().kind());
      java.util.Map<EntryKind, EntryId> entries = new java.util.EnumMap<>(EntryKind.class);
      entries.putAll(java.util.Map.of(EntryKind.REVERSAL, reversal, EntryKind.HOLD, captured, EntryKind.CAPTURE,
          capture, EntryKind.RELEASE, release, EntryKind.TRANSFER_OUT, out, EntryKind.TRANSFER_IN, in));
      if (status == MemberStatus.SUSPENDED) {
        accepted(loyalty.suspend(alice, "check", aKey()));
      } else if (status == MemberStatus.CLOSED) {
        entries.put(EntryKind.FORFEIT, accepted(loyalty.close(alice, "x", aKey())).entries().single().id());
      }
      boolean closed = status == MemberStatus.CLOSED;

      entries.forEach((kind, entry) -> {
        LoyaltyError error = refused(loyalty.reverse(Reversal.of(entry, "x", aKey())));
        assertEquals(new LoyaltyError.NotReversible(entry, kind, closed), error);
        assertAdviceAllowedTo(status, error);
      });
      for (EntryId credit : List.of(earn, bonus, adjust)) {
        LoyaltyError error = refused(loyalty.cancelRedemption(credit, "x", aKey()));
        assertEquals(new LoyaltyError.NotReversible(credit, store.entry(credit).get().kind(), closed), error);
        assertAdviceAllowedTo(status, error);
      }
    }

    /**
     * An entry reversed or cancelled already, reversed or cancelled again: {@code AlreadyReversed},
     * whose advice (an adjustment) a closed member's account refuses, so for a closed member it
     * says the account is final instead.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(MemberStatus.class)
    void reversingAnEntryAgainIsRefusedWithAdviceTheMembersStatusAllows(MemberStatus status) {
      EntryId credit = earned(loyalty, alice, 100).entries().head().id();
      EntryId reversal = accepted(loyalty.reverse(Reversal.of(credit, "x", aKey()))).entries().head().id();
      earned(loyalty, alice, 50);
      EntryId redemption = redeemed(loyalty, alice, 10).entries().head().id();
      EntryId cancellation = accepted(loyalty.cancelRedemption(redemption, "x", aKey())).entries().head().id();
      if (status == MemberStatus.SUSPENDED) {
        accepted(loyalty.suspend(alice, "check", aKey()));
      } else if (status == MemberStatus.CLOSED) {
        accepted(loyalty.close(alice, "x", aKey()));
      }
      boolean closed = status == MemberStatus.CLOSED;

      LoyaltyError again = refused(loyalty.reverse(Reversal.of(credit, "again", aKey())));
      LoyaltyError cancelledAgain = refused(loyalty.cancelRedemption(redemption, "again", aKey()));

      assertEquals(new LoyaltyError.AlreadyReversed(credit, reversal, Option.none(), closed), again);
      assertEquals(new LoyaltyError.AlreadyReversed(redemption, cancellation, Option.none(), closed), cancelledAgain);
      for (LoyaltyError error : List.of(again, cancelledAgain)) {
        assertEquals(!closed, error.message().contains("adjustment"), error.message());
        assertEquals(closed, error.message().contains("closed, which is final"), error.message());
      }
    }

    /** Every kind's advice, for an open member and a closed one (see the test above). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(EntryKind.class)
    void theAdviceOfEveryKindThatCannotBeReversedHoldsForTheMembersStatus(EntryKind kind) {
      EntryId entry = EntryId.of(alice, 7);
      assertAdviceAllowedTo(MemberStatus.CLOSED, new LoyaltyError.NotReversible(entry, kind, true));
      if (kind != EntryKind.FORFEIT && kind != EntryKind.ERASURE) {
        assertAdviceAllowedTo(MemberStatus.ACTIVE, new LoyaltyError.NotReversible(entry, kind, false));
        assertEquals(new LoyaltyError.NotReversible(entry, kind, false), new LoyaltyError.NotReversible(entry, kind));
      } else {
        // These kinds close the account: their member is closed whatever the caller says.
        assertEquals(new LoyaltyError.NotReversible(entry, kind, true), new LoyaltyError.NotReversible(entry, kind));
      }
    }

    private void assertAdviceAllowedTo(MemberStatus status, LoyaltyError error) {
      String message = error.message();
      if (status == MemberStatus.CLOSED) {
        assertTrue(message.contains("which is final") || message.contains("erasure is final"), message);
        for (String refusedCall : List.of("cancelRedemption", "adjustment", "ransfer the points", "voidHold",
            "uthorize", "apture it", "overrideTier", "everse it", "everse the credit")) {
          assertFalse(message.contains(refusedCall), message);
        }
      } else {
        assertFalse(message.contains("closed, which is final"), message);
      }
    }
  }

  @Nested
  class Expire {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
    }

    @Test
    void lotsPastTheirExpiryExpireInOneEntryAndOthersStay() {
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      EntryId mayLot = accepted(loyalty.credit(Credit.of(alice, points(30), "a", aKey()).expiringAt(may))).entries().head().id();
      earned(loyalty, alice, 50);
      redeemed(loyalty, alice, 10);

      clock.set(may);
      Receipt receipt = accepted(loyalty.expire(alice, may, aKey()));

      Entry expiry = receipt.entries().single();
      assertEquals(EntryKind.EXPIRE, expiry.kind());
      assertEquals(points(-20), expiry.points());
      assertEquals(List.of(new LotMovement(mayLot, points(-20))), expiry.movements());
      assertEquals(points(50), balanceOf(loyalty, alice).available());
    }

    @Test
    void anExpiryRunWithNothingDueWritesNoEntryButRemembersItsKey() {
      earned(loyalty, alice, 50);
      Object before = stateOf(alice);
      IdempotencyKey run = key("expire:alice:2026-03-01");
      Receipt first = accepted(loyalty.expire(alice, now(), run));
      assertTrue(first.entries().isEmpty());
      assertEquals(before, stateOf(alice));
      assertEquals(first, store.idempotencyRecord(run).get().receipt());
    }

    @Test
    void anExpiryAsOfTheFutureIsRefused() {
      assertEquals("asOf", ((LoyaltyError.InvalidRequest) refused(loyalty.expire(alice, now().plusSeconds(1), aKey()))).field());
    }

    @Test
    void restoredPointsOfAnExpiredLotExpireAtTheNextRun() {
      Instant may = Instant.parse("2026-05-31T00:00:00Z");
      accepted(loyalty.credit(Credit.of(alice, points(30), "a", aKey()).expiringAt(may)));
      EntryId debit = redeemed(loyalty, alice, 30).entries().head().id();
      clock.set(may.plusSeconds(1));
      accepted(loyalty.reverse(Reversal.of(debit, "cancelled", aKey())));
      assertEquals(points(30), balanceOf(loyalty, alice).available());
      assertEquals(points(-30), accepted(loyalty.expire(alice, now(), aKey())).entries().single().points());
    }
  }

  @Nested
  class Idempotency {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
    }

    @Test
    void theSameRequestWithTheSameKeyReturnsTheFirstResultAndWritesNothing() {
      Credit credit = Credit.of(alice, points(10), "x", key("pos-1"));
      Receipt first = accepted(loyalty.credit(credit));
      redeemed(loyalty, alice, 5);
      Object before = stateOf(alice);
      int eventsBefore = events.size();

      Receipt again = accepted(loyalty.credit(credit));

      assertEquals(first, again);
      assertEquals(before, stateOf(alice));
      assertEquals(eventsBefore, events.size());
    }

    @Test
    void theSameRequestWithItsFactsInAMapSortedOtherwiseIsTheSameRequest() {
      java.util.Comparator<String> reversed = java.util.Comparator.reverseOrder();
      TreeMap<String, String> facts = TreeMap.of("campaign", "spring", "store", "S-12");
      TreeMap<String, String> factsReversed = TreeMap.of(reversed, "campaign", "spring", "store", "S-12");
      Credit credit = Credit.of(alice, points(10), "x", key("pos-1")).explainedBy(List.empty(), facts);
      Receipt first = accepted(loyalty.credit(credit));
      Object before = stateOf(alice);

      Receipt again = accepted(loyalty.credit(credit.explainedBy(List.empty(), factsReversed)));

      assertEquals(first, again, "replayed, not an IdempotencyConflict");
      assertEquals(before, stateOf(alice));
      assertEquals(List.of("campaign", "store"), credit.explainedBy(List.empty(), factsReversed).details().keySet().toList());
      CustomEvent event = new CustomEvent(alice, key("survey-1"), CustomEvent.SURVEY_COMPLETED, now(), Channel.web(),
          Option.none(), TreeMap.of(reversed, "answer", "yes", "score", "9"));
      assertEquals(List.of("answer", "score"), event.attributes().keySet().toList());
    }

    @Test
    void theSameKeyWithADifferentRequestIsAConflict() {
      accepted(loyalty.credit(Credit.of(alice, points(10), "x", key("pos-1"))));
      Object before = stateOf(alice);
      assertEquals(new LoyaltyError.IdempotencyConflict(key("pos-1")),
          refused(loyalty.credit(Credit.of(alice, points(11), "x", key("pos-1")))));
      assertEquals(new LoyaltyError.IdempotencyConflict(key("pos-1")),
          refused(loyalty.debit(Debit.of(alice, points(10), "x", key("pos-1")))));
      assertEquals(before, stateOf(alice));
    }

    @Test
    void conflictsAreEqualByTheirKeyAloneSoThatOnlyConflictsUnderOneKeyCountAsOne() {
      accepted(loyalty.credit(Credit.of(alice, points(10), "x", key("pos-1"))));
      accepted(loyalty.credit(Credit.of(alice, points(10), "x", key("pos-2"))));

      LoyaltyError first = refused(loyalty.credit(Credit.of(alice, points(11), "x", key("pos-1"))));
      LoyaltyError second = refused(loyalty.credit(Credit.of(alice, points(11), "x", key("pos-2"))));

      // The same member and entry kinds under another key is another conflict.
      assertEquals(List.of(Option.some(alice), Option.some(alice)), List.of(first, second)
          .map(e -> ((LoyaltyError.IdempotencyConflict) e).firstMember()));
      assertFalse(first.equals(second), "conflicts under pos-1 and pos-2 are equal");
      assertFalse(first.equals(new LoyaltyError.UnknownMember(alice)), "a conflict equals another refusal");
      assertEquals(new LoyaltyError.IdempotencyConflict(key("pos-1")).hashCode(), first.hashCode());
      assertEquals(2, HashSet.of(first, second, new LoyaltyError.IdempotencyConflict(key("pos-2"))).size());
    }

    @Test
    void aConflictNamesEachKindTheFirstRequestWroteOnceOrSaysThatItWroteNone() {
      enrolled(loyalty, bob);
      accepted(loyalty.credit(Credit.of(alice, points(10), "a", aKey()).expiringAt(now().plus(Duration.ofDays(30)))));
      earned(loyalty, alice, 20);
      // One pair of entries per expiry of the points sent: TRANSFER_OUT, TRANSFER_IN, twice.
      accepted(loyalty.transfer(Transfer.of(alice, bob, points(15), "Gift", key("gift-1"))));
      accepted(loyalty.enrol(Enrolment.of(member("carol"), key("enrol-carol"))));

      LoyaltyError.IdempotencyConflict gift = assertInstanceOf(LoyaltyError.IdempotencyConflict.class,
          refused(loyalty.credit(Credit.of(alice, points(1), "x", key("gift-1")))));
      LoyaltyError.IdempotencyConflict enrolment = assertInstanceOf(LoyaltyError.IdempotencyConflict.class,
          refused(loyalty.credit(Credit.of(alice, points(1), "x", key("enrol-carol")))));

      assertEquals(List.of(EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN), gift.firstKinds());
      assertTrue(gift.message().contains("for member 'alice', wrote entries of kinds TRANSFER_OUT, TRANSFER_IN."),
          gift.message());
      assertEquals(Option.some(member("carol")), enrolment.firstMember());
      assertEquals(List.empty(), enrolment.firstKinds());
      assertTrue(enrolment.message().contains("for member 'carol', wrote no entries (an enrolment, a status change"),
          enrolment.message());
    }

    @Test
    void anApplicationRequestUnderAKeyOfAShapeTheLibraryDerivesIsRefusedSoThatItsOwnWorkIsNotBlocked() {
      IdempotencyKey expiryRun = key("expire:alice:" + now());
      Object before = stateOf(alice);
      LoyaltyError error = refused(loyalty.credit(Credit.of(alice, points(10), "Welcome", expiryRun)));
      assertEquals("key", ((LoyaltyError.InvalidRequest) error).field());
      assertEquals(before, stateOf(alice));
      assertTrue(store.idempotencyRecord(expiryRun).isEmpty());
      accepted(loyalty.expire(alice, now(), expiryRun));
      assertEquals("key", ((LoyaltyError.InvalidRequest) refused(
          loyalty.debit(Debit.of(alice, points(1), "x", key("birthday:alice:2026"))))).field());
      assertEquals("key", ((LoyaltyError.InvalidRequest) refused(
          loyalty.enrol(Enrolment.of(bob, key("tier:pos-1"))))).field());
    }

    @Test
    void aRefusedRequestRetriedInTheSameStateIsRefusedTheSameWay() {
      Debit debit = Debit.of(alice, points(10), "x", key("pos-2"));
      LoyaltyError first = refused(loyalty.debit(debit));
      assertEquals(first, refused(loyalty.debit(debit)));
      assertTrue(store.idempotencyRecord(key("pos-2")).isEmpty());
    }

    @Test
    void aTextWithALoneSurrogateIsRefusedSoThatItIsNeverTakenForAnotherRequest() {
      // UTF-8 writes a lone surrogate as '?': accepted, "Bonus \uD800" would have the fingerprint
      // and the entry hash of "Bonus ?".
      Object before = stateOf(alice);
      LoyaltyError error = refused(loyalty.credit(Credit.of(alice, points(10), "Bonus \uD800", key("pos-4"))));
      assertEquals("reason", ((LoyaltyError.InvalidRequest) error).field());
      assertEquals(before, stateOf(alice));
      assertTrue(store.idempotencyRecord(key("pos-4")).isEmpty());
      accepted(loyalty.credit(Credit.of(alice, points(10), "Bonus ?", key("pos-4"))));
    }

    @Test
    void everyFreeTextOfARequestMustBeWellFormed() {
      String lone = "a\uDC00b";
      earned(loyalty, alice, 50);
      Object before = stateOf(alice);
      Credit credit = Credit.of(alice, points(10), "x", aKey());
      List<Object> fields = List.of(
          refused(loyalty.credit(credit.explainedBy(List.of(lone), TreeMap.empty()))),
          refused(loyalty.credit(credit.explainedBy(List.empty(), TreeMap.of(lone, "v")))),
          refused(loyalty.credit(credit.explainedBy(List.empty(), TreeMap.of("note", lone)))),
          refused(loyalty.debit(Debit.of(alice, points(1), lone, aKey()))),
          refused(loyalty.adjust(Adjustment.of(alice, points(1), "x", lone, aKey()))),
          refused(loyalty.suspend(alice, lone, aKey()))).map(e -> ((LoyaltyError.InvalidRequest) e).field());
      assertEquals(List.of("ruleIds", "details", "details", "reason", "operator", "reason"), fields);
      assertEquals(before, stateOf(alice));
    }

    @Test
    void aReturnedSkuOrAnOccasionGrantWithALoneSurrogateIsRefusedRatherThanThrownFromTheFingerprint() {
      // These texts go into the request fingerprint, which cannot encode a lone surrogate: unchecked,
      // the request threw an IllegalArgumentException instead of being refused.
      String lone = "cake\uD800";
      Object before = stateOf(alice);
      LoyaltyError returned = refused(loyalty.refund(
          io.github.loyaltyledger.earning.Refund.ofLines(key("pos-9"), key("ret-9"),
              new io.github.loyaltyledger.earning.ReturnedLine(lone, 1))));
      assertEquals("returned", ((LoyaltyError.InvalidRequest) returned).field());
      LocalDate day = LocalDate.parse("2027-03-01");
      List<io.github.loyaltyledger.occasion.OccasionGrant> grants = List.of(
          new io.github.loyaltyledger.occasion.OccasionGrant(io.github.loyaltyledger.occasion.Occasion.BIRTHDAY, alice,
              2027, day, day, io.github.loyaltyledger.occasion.OccasionReward.reward(lone), "bday-gift"),
          new io.github.loyaltyledger.occasion.OccasionGrant(io.github.loyaltyledger.occasion.Occasion.BIRTHDAY, alice,
              2027, day, day, io.github.loyaltyledger.occasion.OccasionReward.reward("cake"), lone));
      for (io.github.loyaltyledger.occasion.OccasionGrant grant : grants) {
        LoyaltyError error = refused(loyalty.grantOccasionReward(grant, now()));
        assertEquals("grant", ((LoyaltyError.InvalidRequest) error).field());
      }
      assertEquals(before, stateOf(alice));
      assertTrue(store.idempotencyRecord(key("ret-9")).isEmpty());
    }

    @Test
    void aReturnRecordedUnderTheFingerprintOfItsLinesInTheOrderSentStillReplaysWhenSentAgainAsItWas() {
      // A return recorded before its fingerprint ignored the order of its lines: the store holds the
      // fingerprint of the lines as they were sent.
      LedgerStore before = new ForwardingStore(store) {
        @Override
        public CommitOutcome commit(Commit commit) {
          IdempotencyRecord record = commit.record();
          return super.commit(!record.key().equals(key("ret-1")) ? commit : new Commit(commit.changes(),
              commit.counters(), new IdempotencyRecord(record.key(), Fingerprint.of("refund").value(key("pos-1"))
                  .text("Return on pos-1").values(List.of(new ReturnedLine("B", 1), new ReturnedLine("A", 2))).sha256(),
                  record.receipt()), commit.events()));
        }
      };
      LoyaltyProgram earning = LoyaltyProgram.builder("bean-club")
          .earnRules(RuleBook.of(BaseRate.of("base", "1").with(RuleTerms.DEFAULT.priority(100)))).build();
      Loyalty then = aLoyalty(before, clock, earning);
      accepted(then.earn(Purchase.of(alice, key("pos-1"), now(), Channel.store("S-1"),
          LineItem.of("A", 3, Money.parse("EUR 10.00")), LineItem.of("B", 2, Money.parse("EUR 5.00")))));
      Refund refund = Refund.ofLines(key("pos-1"), key("ret-1"), new ReturnedLine("B", 1), new ReturnedLine("A", 2));
      Receipt first = accepted(then.refund(refund));
      Object state = stateOf(alice);

      assertEquals(first, accepted(aLoyalty(store, clock, earning).refund(refund)));
      assertEquals(state, stateOf(alice));
    }

    @Test
    void aKeyIsUniqueAcrossMembers() {
      enrolled(loyalty, bob);
      accepted(loyalty.credit(Credit.of(alice, points(10), "x", key("pos-3"))));
      assertEquals(new LoyaltyError.IdempotencyConflict(key("pos-3")),
          refused(loyalty.credit(Credit.of(bob, points(10), "x", key("pos-3")))));
    }
  }

  @Nested
  class Reads {

    @BeforeEach
    void enrol() {
      enrolled(loyalty, alice);
    }

    @Test
    void theBalanceAsOfAnInstantReplaysTheEntriesRecordedUntilThen() {
      earned(loyalty, alice, 100);
      Instant afterFirst = now();
      clock.advance(Duration.ofDays(1));
      accepted(loyalty.credit(Credit.of(alice, points(40), "x", aKey()).vestingAt(now().plus(Duration.ofDays(10)))));
      Instant afterSecond = now();
      clock.advance(Duration.ofDays(1));
      redeemed(loyalty, alice, 30);

      assertEquals(Balance.EMPTY, accepted(loyalty.balanceAsOf(alice, afterFirst.minusSeconds(1))));
      assertEquals(new Balance(points(100), Points.ZERO, Points.ZERO), accepted(loyalty.balanceAsOf(alice, afterFirst)));
      assertEquals(new Balance(points(100), points(40), Points.ZERO), accepted(loyalty.balanceAsOf(alice, afterSecond)));
      assertEquals(balanceOf(loyalty, alice), accepted(loyalty.balanceAsOf(alice, now())));
      assertEquals("at", assertInstanceOf(LoyaltyError.InvalidRequest.class,
          refused(loyalty.balanceAsOf(alice, Instant.MAX))).field());
    }

    @Test
    void theBalanceAsOfAnInstantCountsAnEntryANodeWhoseClockIsBehindRecordedThenAndTheEntriesBeforeIt() {
      Instant ten = now();
      earned(loyalty, alice, 100);
      clock.set(ten.minus(Duration.ofHours(1)));
      redeemed(loyalty, alice, 30);
      clock.set(ten.plus(Duration.ofHours(1)));
      earned(loyalty, alice, 20);

      assertEquals(Balance.EMPTY, accepted(loyalty.balanceAsOf(alice, ten.minus(Duration.ofHours(2)))));
      assertEquals(new Balance(points(70), Points.ZERO, Points.ZERO),
          accepted(loyalty.balanceAsOf(alice, ten.minus(Duration.ofMinutes(30)))),
          "the redemption recorded at 09:00 counts, and so does the earning it spent, committed before it");
      assertEquals(new Balance(points(70), Points.ZERO, Points.ZERO), accepted(loyalty.balanceAsOf(alice, ten)));
      assertEquals(balanceOf(loyalty, alice), accepted(loyalty.balanceAsOf(alice, ten.plus(Duration.ofHours(1)))));
    }

    @Test
    void historyIsPagedNewestFirstAndFiltersByKindAndTime() {
      for (int i = 0; i < 5; i++) {
        earned(loyalty, alice, 10);
        clock.advance(Duration.ofHours(1));
      }
      redeemed(loyalty, alice, 5);

      HistoryPage first = accepted(loyalty.history(alice, EntryQuery.newest(4)));
      assertEquals(List.of(6L, 5L, 4L, 3L), first.entries().map(Entry::sequence));
      HistoryPage second = accepted(loyalty.history(alice, EntryQuery.newest(4).before(first.nextBefore().get())));
      assertEquals(List.of(2L, 1L), second.entries().map(Entry::sequence));
      assertTrue(second.nextBefore().isEmpty());

      assertEquals(List.of(6L), accepted(loyalty.history(alice, EntryQuery.newest(10).withKinds(HashSet.of(EntryKind.REDEEM))))
          .entries().map(Entry::sequence));
      Instant start = Instant.parse(Fixtures.START);
      assertEquals(List.of(3L, 2L), accepted(loyalty.history(alice, EntryQuery.newest(10)
          .between(start.plus(Duration.ofHours(1)), start.plus(Duration.ofHours(3))))).entries().map(Entry::sequence));
    }

    @Test
    void aFullPageIsTheLastWhenNoOlderEntryMatches() {
      accepted(loyalty.adjust(Adjustment.of(alice, points(5), "Fix", "ops-1", aKey())));
      earned(loyalty, alice, 10);
      earned(loyalty, alice, 10);
      EntryQuery earns = EntryQuery.newest(2).withKinds(HashSet.of(EntryKind.EARN));
      HistoryPage page = accepted(loyalty.history(alice, earns));
      assertEquals(List.of(3L, 2L), page.entries().map(Entry::sequence));
      assertTrue(page.nextBefore().isEmpty(), "the adjustment before them is not an earn");
      HistoryPage all = accepted(loyalty.history(alice, EntryQuery.newest(2)));
      assertEquals(Option.some(2L), all.nextBefore());
      assertEquals(List.of(1L), accepted(loyalty.history(alice, EntryQuery.newest(2).before(2))).entries().map(Entry::sequence));
    }

    @Test
    void aPageTellsWhetherAnOlderEntryMatchesInTheSameReadOfTheStore() {
      java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
      Loyalty counted = Loyalty.builder().program(aProgram(NegativeBalancePolicy.CLAMP)).clock(clock)
          .store(new ForwardingStore(store) {
            @Override
            public List<Entry> history(MemberId member, EntryQuery query) {
              reads.incrementAndGet();
              return super.history(member, query);
            }
          }).build();
      accepted(counted.adjust(Adjustment.of(alice, points(5), "Fix", "ops-1", aKey())));
      for (int i = 0; i < 3; i++) {
        earned(counted, alice, 10);
      }
      EntryQuery earns = EntryQuery.newest(2).withKinds(HashSet.of(EntryKind.EARN));

      HistoryPage first = accepted(counted.history(alice, earns));
      assertEquals(List.of(4L, 3L), first.entries().map(Entry::sequence));
      assertEquals(Option.some(3L), first.nextBefore());
      HistoryPage last = accepted(counted.history(alice, earns.before(3)));
      assertEquals(List.of(2L), last.entries().map(Entry::sequence));
      assertTrue(last.nextBefore().isEmpty());
      HistoryPage fullLast = accepted(counted.history(alice, earns.withLimit(3)));
      assertEquals(List.of(4L, 3L, 2L), fullLast.entries().map(Entry::sequence));
      assertTrue(fullLast.nextBefore().isEmpty(), "the adjustment before them is not an earn");
      assertEquals(3, reads.get(), "one read of the store per page");
    }

    @Test
    void aPageOfTheLargestLimitTellsWhetherAnOlderEntryMatches() {
      for (int i = 0; i <= EntryQuery.MAX_LIMIT; i++) {
        earned(loyalty, alice, 1);
      }
      HistoryPage first = accepted(loyalty.history(alice, EntryQuery.newest(EntryQuery.MAX_LIMIT)));
      assertEquals(Option.some(2L), first.nextBefore());
      HistoryPage earns = accepted(loyalty.history(alice, EntryQuery.newest(EntryQuery.MAX_LIMIT)
          .withKinds(HashSet.of(EntryKind.EARN)).before(EntryQuery.MAX_LIMIT + 1L)));
      assertEquals(EntryQuery.MAX_LIMIT, earns.entries().size());
      assertTrue(earns.nextBefore().isEmpty());
    }

    @Test
    void verifyingAnUntouchedLedgerReportsItIntact() {
      earned(loyalty, alice, 10);
      redeemed(loyalty, alice, 3);
      Verification v = accepted(loyalty.verify(alice));
      assertTrue(v.isIntact());
      assertEquals(2, v.entriesChecked());
    }
  }

  @Nested
  class Events {

    @Test
    void eachCommittedChangePublishesItsEventsAfterCommitAndRefusalsPublishNone() {
      enrolled(loyalty, alice);
      earned(loyalty, alice, 10);
      refused(loyalty.debit(Debit.of(alice, points(99), "x", aKey())));
      redeemed(loyalty, alice, 4);

      assertEquals(List.of(LoyaltyEvent.MemberEnrolled.class, LoyaltyEvent.PointsEarned.class, LoyaltyEvent.PointsRedeemed.class),
          List.ofAll(events).map(Object::getClass));
      LoyaltyEvent.PointsRedeemed redeemed = (LoyaltyEvent.PointsRedeemed) events.get(2);
      assertEquals(points(6), redeemed.balance().available());
      assertEquals(alice, redeemed.member());
    }

    @Test
    void aListenerThrowingAnErrorOrACheckedExceptionIsReportedLikeAnyOtherAndTheCallSucceeds() {
      java.util.List<LoyaltyEvent> seen = new ArrayList<>();
      java.util.List<Throwable> reported = new ArrayList<>();
      Loyalty noisy = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(e -> {
            throw new AssertionError("listener bug");
          })
          .listener(e -> LoyaltyTest.<RuntimeException>sneaky(new java.io.IOException("broker down")))
          .listener(seen::add)
          .onListenerFailure((listener, event, failure) -> reported.add(failure.getCause()))
          .build();

      accepted(noisy.enrol(Enrolment.of(alice, aKey())));

      assertEquals(1, seen.size(), "the last listener still heard of the change");
      assertEquals(List.of("listener bug", "broker down"), List.ofAll(reported).map(Throwable::getMessage));
      Loyalty fatal = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(e -> {
            throw new OutOfMemoryError("simulated");
          })
          .build();
      assertThrows(OutOfMemoryError.class, () -> fatal.credit(Credit.of(alice, points(5), "x", aKey())));
      assertEquals(points(5), balanceOf(fatal, alice).available(), "the change is committed");
    }

    @Test
    void aListenerThatCannotSayWhatItIsOrWhatWentWrongIsStillReportedAndTheCallSucceeds() {
      java.util.List<RuntimeException> reported = new ArrayList<>();
      Loyalty facade = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(new LoyaltyEventListener() {
            @Override
            public void on(LoyaltyEvent event) {
              LoyaltyTest.<RuntimeException>sneaky(new java.io.IOException() {
                private static final long serialVersionUID = 1L;

                @Override
                public String toString() {
                  return null;
                }
              });
            }

            @Override
            public String toString() {
              throw new IllegalStateException("no name yet");
            }
          })
          .onListenerFailure((listener, event, failure) -> reported.add(failure))
          .build();

      accepted(facade.enrol(Enrolment.of(alice, aKey())));

      assertEquals(1, reported.size());
      assertTrue(reported.get(0).getMessage().contains("(whose toString() failed) threw"), reported.get(0).getMessage());
    }

    @Test
    void aListenerOverflowingItsStackIsReportedAsItsFailureAndTheCallSucceeds() {
      java.util.List<LoyaltyEvent> seen = new ArrayList<>();
      java.util.List<Throwable> reported = new ArrayList<>();
      Loyalty recursive = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(new LoyaltyEventListener() {
            @Override
            public void on(LoyaltyEvent event) {
              on(event);
            }
          })
          .listener(seen::add)
          .onListenerFailure((listener, event, failure) -> reported.add(failure.getCause()))
          .build();

      accepted(recursive.enrol(Enrolment.of(alice, aKey())));

      assertEquals(1, seen.size(), "the next listener still heard of the change");
      assertEquals(1, reported.size());
      assertInstanceOf(StackOverflowError.class, reported.get(0));
    }

    @Test
    void aFailingListenerIsReportedAndDoesNotUndoTheChangeOrStopOtherListeners() {
      java.util.List<LoyaltyEvent> seen = new ArrayList<>();
      java.util.List<RuntimeException> reported = new ArrayList<>();
      Loyalty noisy = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(e -> {
            throw new IllegalStateException("listener bug");
          })
          .listener(seen::add)
          .onListenerFailure((listener, event, failure) -> reported.add(failure))
          .build();

      accepted(noisy.enrol(Enrolment.of(alice, aKey())));

      assertEquals(1, seen.size());
      assertTrue(store.account(alice).isDefined());
      assertEquals(List.of("listener bug"), List.ofAll(reported).map(Throwable::getMessage));
    }
    @Test
    void aFailureHandlerThatThrowsDoesNotFailTheCommittedCallOrKeepAnyListenerFromHearingAnyEvent() {
      // What the handler threw is logged as a warning: kept here, to be checked, not printed.
      java.util.List<java.util.logging.LogRecord> logged = new ArrayList<>();
      FacadeLog.keep(logged, () -> whenTheHandlerThrows(logged));
    }

    @Test
    void theDefaultFailureHandlerLogsWhichEventOfWhichMemberFailedNotItsPersonalData() {
      java.util.List<java.util.logging.LogRecord> logged = new ArrayList<>();
      Loyalty facade = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(e -> {
            throw new IllegalStateException("listener bug");
          })
          .build();

      FacadeLog.keep(logged, () -> accepted(facade.enrol(Enrolment.of(alice, aKey()).withBirthday(java.time.MonthDay.of(12, 10)))));

      assertEquals(1, logged.size());
      String message = logged.get(0).getMessage();
      assertTrue(message.contains("MemberEnrolled of alice"), message);
      assertFalse(message.contains("12-10"), "the birthday stays out of the log: " + message);
    }

    private void whenTheHandlerThrows(java.util.List<java.util.logging.LogRecord> logged) {
      java.util.List<EntryKind> heard = new ArrayList<>();
      Loyalty facade = creditingABonusOnEachEarn(heard, true, (listener, event, failure) -> {
        throw new IllegalStateException("handler bug", failure);
      });

      earned(facade, alice, 10);

      assertEquals(java.util.List.of(EntryKind.EARN, EntryKind.BONUS), heard,
          "the last listener heard the earn and the bonus queued behind it");
      assertEquals(points(15), balanceOf(facade, alice).available());
      java.util.List<LoyaltyEvent> seen = new ArrayList<>();
      Loyalty rethrowing = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(e -> {
            throw new IllegalStateException("listener bug");
          })
          .listener(seen::add)
          .onListenerFailure((listener, event, failure) -> {
            throw failure;
          })
          .build();
      accepted(rethrowing.credit(Credit.of(alice, points(1), "x", aKey())));
      assertEquals(1, seen.size(), "a handler rethrowing the listener's failure does not stop the delivery either");
      Loyalty overflowing = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(e -> {
            throw new IllegalStateException("listener bug");
          })
          .onListenerFailure((listener, event, failure) -> {
            throw new StackOverflowError("handler recursion");
          })
          .build();
      accepted(overflowing.credit(Credit.of(alice, points(1), "x", aKey())));
      assertEquals(java.util.List.of("handler bug", "listener bug", "handler recursion"),
          logged.stream().map(r -> r.getThrown().getMessage()).toList(), "each handler failure is logged with what it threw");
      assertTrue(logged.stream().allMatch(r -> r.getLevel() == java.util.logging.Level.WARNING));
    }

    @Test
    void aListenerThatChangesTheSameMemberLetsEveryListenerHearThatMembersEventsInCommitOrder() {
      java.util.List<EntryKind> heard = new ArrayList<>();
      java.util.List<RuntimeException> failures = new ArrayList<>();
      Loyalty facade = creditingABonusOnEachEarn(heard, false, (listener, event, failure) -> failures.add(failure));

      earned(facade, alice, 10);

      assertEquals(java.util.List.of(EntryKind.EARN, EntryKind.BONUS), heard, "the earn before the bonus it caused");
      assertEquals(java.util.List.of(), failures);
    }

    /**
     * A facade, with alice enrolled, whose first listener credits alice a first-purchase bonus on
     * each earn (and then fails, if {@code thenFail}), and whose second records the kinds of entries
     * it hears in {@code heard}.
     */
    private Loyalty creditingABonusOnEachEarn(java.util.List<EntryKind> heard, boolean thenFail,
        Loyalty.ListenerFailureHandler onFailure) {
      Loyalty[] facade = new Loyalty[1];
      facade[0] = Loyalty.builder().program(aProgram()).store(store).clock(clock)
          .listener(e -> {
            // A first-purchase bonus, credited to the same member from the listener.
            if (e instanceof LoyaltyEvent.PointsEarned earned && earned.entry().kind() == EntryKind.EARN) {
              accepted(facade[0].credit(Credit.of(alice, points(5), "Welcome bonus", aKey()).ofKind(EntryKind.BONUS)));
              if (thenFail) {
                throw new IllegalStateException("listener bug");
              }
            }
          })
          .listener(e -> {
            if (e instanceof LoyaltyEvent.EntryEvent entry) {
              heard.add(entry.entry().kind());
            }
          })
          .onListenerFailure(onFailure)
          .build();
      accepted(facade[0].enrol(Enrolment.of(alice, aKey())));
      return facade[0];
    }
  }

  @Nested
  class Arguments {

    @Test
    void nullArgumentsAreProgrammingErrors() {
      assertThrows(NullPointerException.class, () -> loyalty.credit(null));
      assertThrows(NullPointerException.class, () -> loyalty.balance(null));
      assertThrows(NullPointerException.class, () -> loyalty.suspend(alice, null, aKey()));
      assertThrows(NullPointerException.class, () -> Credit.of(null, points(1), "x", aKey()));
      assertThrows(NullPointerException.class, () -> Debit.of(alice, null, "x", aKey()));
      assertThrows(NullPointerException.class, () -> Loyalty.builder().store(store).build());
    }

    @Test
    void aNullInsideARequestsOptionalFieldOrCollectionIsRefusedWhenTheRequestIsMadeNamingTheField() {
      Credit credit = Credit.of(alice, points(1), "x", aKey());
      refusedNaming("occurredAt", () -> credit.occurredAt(null));
      refusedNaming("expiresAt", () -> credit.expiringAt(null));
      refusedNaming("vestsAt", () -> credit.vestingAt(null));
      refusedNaming("ruleIds", () -> credit.explainedBy(List.of("rule", null), TreeMap.empty()));
      refusedNaming("details", () -> credit.explainedBy(List.empty(), TreeMap.of("fact", null)));
      refusedNaming("details", () -> credit.explainedBy(List.empty(), TreeMap.of(null, "value")));
      refusedNaming("occurredAt", () -> Debit.of(alice, points(1), "x", aKey()).occurredAt(null));
      refusedNaming("expiresAt", () -> Adjustment.of(alice, points(1), "x", "op", aKey()).expiringAt(null));
      refusedNaming("expiresAt", () -> Transfer.of(alice, bob, points(1), "x", aKey()).expiringAt(null));
      Enrolment enrolment = Enrolment.of(alice, aKey());
      refusedNaming("enrolledAt", () -> enrolment.enrolledAt(null));
      refusedNaming("birthday", () -> enrolment.withBirthday(null));
      refusedNaming("zone", () -> enrolment.withZone(null));
    }

    @Test
    void aRefundOfTheLinesATillListsIsTheRefundOfThoseLinesOneByOne() {
      IdempotencyKey original = IdempotencyKey.of("pos-1");
      IdempotencyKey key = IdempotencyKey.of("ret-1");
      ReturnedLine beans = new ReturnedLine("BEANS", 2);
      ReturnedLine mug = new ReturnedLine("MUG", 1);

      assertEquals(Refund.ofLines(original, key, beans, mug), Refund.ofLines(original, key, java.util.List.of(beans, mug)));
      assertEquals(Refund.ofLines(original, key, beans, mug), Refund.ofLines(original, key, List.of(beans, mug)));
      IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
          () -> Refund.ofLines(original, key, java.util.List.of()));
      assertTrue(none.getMessage().contains("at least one line"), none.getMessage());
    }

    @Test
    void aNullInsideAnEarningRedemptionMemberOrQueryRequestIsRefusedWhenMadeNamingTheField() {
      LineItem line = Fixtures.line("BEANS", 1, "4.00");
      refusedNaming("lines", () -> Purchase.of(alice, aKey(), now(), Channel.web(), line, (LineItem) null));
      refusedNaming("categories", () -> line.inCategories((String) null));
      refusedNaming("categories", () -> line.inCategories("coffee", null));
      refusedNaming("returned", () -> Refund.ofAmount(aKey(), aKey(), null));
      refusedNaming("returned", () -> Refund.ofLines(aKey(), aKey(), new ReturnedLine("BEANS", 1), (ReturnedLine) null));
      refusedNaming("returned", () -> Refund.ofLines(aKey(), aKey(), java.util.Arrays.asList(new ReturnedLine("BEANS", 1), null)));
      refusedNaming("lines", () -> Refund.ofLines(aKey(), aKey(), (Iterable<ReturnedLine>) null));
      refusedNaming("counterparty", () -> CustomEvent.referral(alice, null, aKey(), now(), Channel.web()));
      refusedNaming("attributes", () -> new CustomEvent(alice, aKey(), CustomEvent.SURVEY_COMPLETED, now(), Channel.web(),
          Option.none(), TreeMap.of("answer", null)));
      refusedNaming("reward", () -> new Authorization(alice, Option.<RewardId>some(null), points(1), Duration.ofMinutes(5),
          Channel.web(), aKey()));
      refusedNaming("name", () -> new MemberProfile(alice, Option.<String>some(null), Option.none(), TreeMap.empty(),
          Consent.ALL));
      refusedNaming("contact", () -> new MemberProfile(alice, Option.none(), Option.<String>some(null), TreeMap.empty(),
          Consent.ALL));
      refusedNaming("externalRefs", () -> new MemberProfile(alice, Option.none(), Option.none(), TreeMap.of("crm", null),
          Consent.ALL));
      EntryQuery query = EntryQuery.newest(10);
      refusedNaming("from", () -> query.between(null, now()));
      refusedNaming("to", () -> query.between(now(), null));
      refusedNaming("kinds", () -> query.withKinds(HashSet.of((EntryKind) null)));
      refusedNaming("beforeSequence", () -> new EntryQuery(HashSet.empty(), Option.none(), Option.none(),
          Option.<Long>some(null), 10));
    }

    private void refusedNaming(String field, Executable making) {
      NullPointerException refusal = assertThrows(NullPointerException.class, making);
      assertTrue(String.valueOf(refusal.getMessage()).contains(field), field + ": " + refusal.getMessage());
    }

    @Test
    void malformedIdsAreRefusedWhenCreated() {
      assertThrows(IllegalArgumentException.class, () -> MemberId.of("has space"));
      assertThrows(IllegalArgumentException.class, () -> MemberId.of(""));
      assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.of(" padded"));
      assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.of("x".repeat(129)));
      assertThrows(IllegalArgumentException.class, () -> IdempotencyKey.of("pos-\uD800"));
    }

    /**
     * A program, reward or rule id, or a stacking group, must start with a letter or digit; one
     * starting with a hyphen was refused saying it must be "1 to 40 lower-case letters, digits or
     * hyphens", which it is.
     */
    @Test
    void anIdStartingWithAHyphenIsRefusedSayingItMustStartWithALetterOrDigit() {
      for (Executable making : List.<Executable>of(
          () -> LoyaltyProgram.builder("-bean-club").build(),
          () -> RewardId.of("-mug"),
          () -> RuleBook.of(BaseRate.of("-base", "1")),
          () -> RuleTerms.DEFAULT.inGroup("-promo"))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, making);
        assertTrue(e.getMessage().contains("starting with a letter or digit"), e.getMessage());
      }
    }

    /**
     * The fix above missed the tier id, whose form was written out in its own copy: "-gold" was
     * refused saying a tier id must be "1 to 40 lower-case letters, digits or hyphens", which it is.
     */
    @Test
    void aTierIdStartingWithAHyphenIsRefusedSayingItMustStartWithALetterOrDigit() {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TierId.of("-gold"));
      assertEquals("tier id must be 1 to 40 lower-case letters, digits or hyphens, starting with a letter or digit,"
          + " was '-gold'", e.getMessage());
    }

    /**
     * An invalid request's message ended "Correct the field and send the request again" even after
     * a reason that already said what to do ("… leave it out of a negative one. Correct the field…").
     */
    @Test
    void anInvalidRequestsMessageAddsTheGenericAdviceOnlyWhenItsReasonGivesNone() {
      enrolled(loyalty, alice);
      assertEquals("Invalid request: 'points' must be positive, was 0. Correct the field and send the request again.",
          refused(loyalty.credit(Credit.of(alice, points(0), "x", aKey()))).message());
      assertEquals("Invalid request: 'expiresAt' only a positive adjustment's points can expire; leave it out of a"
          + " negative one.",
          refused(loyalty.adjust(Adjustment.of(alice, points(-1), "x", "ops", aKey()).expiringAt(now().plusSeconds(60))))
              .message());
      assertEquals("Invalid request: 'key' 'vest:" + alice + ":" + now() + "' has the shape of a key the library derives"
          + " for its own work (tier:<purchase key>, tier-review:<member>:<date>, vest:, expire:, inactivity: or"
          + " expiry-notice: then <member>:<instant>, birthday: or anniversary: then <member>:<year>; see"
          + " IdempotencyKey); choose another.",
          refused(loyalty.credit(Credit.of(alice, points(1), "x", key("vest:" + alice + ":" + now())))).message());
      assertEquals("Invalid request: 'reason' has a NUL character (U+0000) at index 1; send well-formed text without NUL"
          + " characters.",
          refused(loyalty.credit(Credit.of(alice, points(1), "x\u0000", aKey()))).message());
    }

    @Test
    void everyRefusalExplainsWhatToDo() {
      LoyaltyError error = new LoyaltyError.InsufficientPoints(alice, points(5), points(9));
      assertTrue(error.message().contains("5") && error.message().contains("9"));
      assertFalse(new LoyaltyError.IdempotencyConflict(key("k")).message().isBlank());
      // Contention on a shared budget also ends in it, with no one else changing the member.
      String contended = new LoyaltyError.ConcurrentModification(alice, 16).message();
      assertTrue(contended.contains("'" + alice + "'") && contended.contains("16") && contended.contains("campaign budget")
          && contended.contains("same key"), contended);
    }
  }

  @ParameterizedTest
  @EnumSource(NegativeBalancePolicy.class)
  void aFullReversalOfAnUnspentCreditRestoresTheBalanceUnderEveryPolicy(NegativeBalancePolicy policy) {
    Loyalty l = withPolicy(policy);
    enrolled(l, alice);
    earned(l, alice, 10);
    EntryId credit = earned(l, alice, 25).entries().head().id();
    accepted(l.reverse(Reversal.of(credit, "x", aKey())));
    assertEquals(points(10), balanceOf(l, alice).available());
  }

  /** Throws a checked exception without declaring it, as some languages and libraries do. */
  @SuppressWarnings("unchecked")
  static <T extends Throwable> void sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
