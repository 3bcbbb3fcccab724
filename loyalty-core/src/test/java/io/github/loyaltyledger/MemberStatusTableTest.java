package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.FREE_COFFEE;
import static io.github.loyaltyledger.Fixtures.PAY;
import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EventAward;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.Consent;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberProfile;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.redemption.Authorization;
import io.github.loyaltyledger.redemption.PointsPayment;
import io.github.loyaltyledger.redemption.ReturnedPoints;
import io.github.loyaltyledger.redemption.TierSource;
import io.github.loyaltyledger.store.EntryQuery;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.TierId;
import io.github.loyaltyledger.tier.TierOverride;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public operation of the facade that names a member, against every status a member can be
 * in, as one table: the README's "Member status" table. Each cell sets a member with points, a
 * purchase, a redemption and (where the status allows one) an open hold in that status, runs the
 * operation, and checks the documented answer: allowed, or the typed refusal, which writes nothing.
 */
class MemberStatusTableTest {

  /** The status a cell puts its member in. */
  enum State { ACTIVE, SUSPENDED, CLOSED, ERASED, NOT_ENROLLED }

  /**
   * What a cell expects: allowed, refused as not active (with the state's status), as unknown, as a
   * status change not allowed, or with another typed refusal (the README table names it).
   */
  enum Answer { OK, NOT_ACTIVE, UNKNOWN, STATUS_CHANGE, REFUSED }

  private static final Instant START = Instant.parse(Fixtures.START);
  private static final Channel TILL = Channel.store("S-1");

  /** The member in the state, the active counterparty, and what the set-up recorded for the member. */
  record Scene(TestClock clock, Loyalty loyalty, MemberId subject, MemberId other, Purchase purchase,
      Purchase othersPurchase, EntryId earnEntry, EntryId redemption, EntryId payment, EntryId hold,
      EntryId released, EntryId release, EntryId transferOut, EntryId transferIn) {}

  /** One row of the table: an operation and its answer for each state, in {@link State} order. */
  record Row(String operation, Function<Scene, Either<LoyaltyError, ?>> call, Answer... answers) {}

  private static final Answer OK = Answer.OK;
  private static final Answer NA = Answer.NOT_ACTIVE;
  private static final Answer UNK = Answer.UNKNOWN;

  private static final java.util.List<Row> TABLE = java.util.List.of(
      new Row("earn(Purchase)", s -> s.loyalty().earn(aPurchaseOf(s.subject(), "5.00", aKey())), OK, NA, NA, NA, UNK),
      new Row("earn(CustomEvent)", s -> s.loyalty().earn(anEvent(s.subject())), OK, NA, NA, NA, UNK),
      // The referred friend of a referral is the counterparty: any member not closed.
      new Row("earn(CustomEvent) (counterparty)", s -> s.loyalty().earn(
          CustomEvent.referral(s.other(), s.subject(), aKey(), START, TILL)), OK, OK, NA, NA, UNK),
      new Row("quote(CustomEvent) (counterparty)", s -> s.loyalty().quote(
          CustomEvent.referral(s.other(), s.subject(), aKey(), START, TILL)), OK, OK, NA, NA, UNK),
      new Row("quote(Purchase)", s -> s.loyalty().quote(aPurchaseOf(s.subject(), "5.00", aKey())), OK, NA, NA, NA, UNK),
      new Row("quote(CustomEvent)", s -> s.loyalty().quote(anEvent(s.subject())), OK, NA, NA, NA, UNK),
      new Row("refund", s -> s.loyalty().refund(Refund.ofAmount(s.purchase().transaction(), aKey(), eur("1.00"))),
          OK, OK, NA, NA, Answer.REFUSED),
      new Row("reassign (holder)", s -> s.loyalty().reassign(Reassignment.of(s.purchase(), s.other(), aKey())),
          OK, OK, NA, NA, Answer.REFUSED),
      new Row("reassign (target)", s -> s.loyalty().reassign(Reassignment.of(s.othersPurchase(), s.subject(), aKey())),
          OK, NA, NA, NA, UNK),
      new Row("redeem", s -> s.loyalty().redeem(s.subject(), FREE_COFFEE, TILL, aKey()), OK, NA, NA, NA, UNK),
      new Row("authorize(reward)", s -> s.loyalty().authorize(
          Authorization.reward(s.subject(), FREE_COFFEE, Duration.ofMinutes(10), TILL, aKey())), OK, NA, NA, NA, UNK),
      new Row("authorize(points)", s -> s.loyalty().authorize(
          Authorization.points(s.subject(), points(10), Duration.ofMinutes(10), TILL, aKey())), OK, NA, NA, NA, UNK),
      new Row("authorize(payment)", s -> s.loyalty().authorize(aPayment(s.subject()), Duration.ofMinutes(10)),
          OK, NA, NA, NA, UNK),
      new Row("payWithPoints", s -> s.loyalty().payWithPoints(aPayment(s.subject())), OK, NA, NA, NA, UNK),
      new Row("capture", s -> s.loyalty().capture(s.hold(), aKey()), OK, NA, NA, NA, Answer.REFUSED),
      new Row("capture (part)", s -> s.loyalty().capture(s.hold(), points(20), aKey()), OK, NA, NA, NA, Answer.REFUSED),
      new Row("voidHold", s -> s.loyalty().voidHold(s.hold(), "Till cancelled", aKey()), OK, OK, NA, NA, Answer.REFUSED),
      new Row("cancelRedemption", s -> s.loyalty().cancelRedemption(s.redemption(), "Changed mind", aKey()),
          OK, OK, NA, NA, Answer.REFUSED),
      new Row("cancelRedemption (part of a payment)", s -> s.loyalty().cancelRedemption(s.payment(), eur("1.00"),
          "Returned a cup", aKey()), OK, OK, NA, NA, Answer.REFUSED),
      new Row("adjust", s -> s.loyalty().adjust(Adjustment.of(s.subject(), points(5), "Goodwill", "desk", aKey())),
          OK, OK, NA, NA, UNK),
      new Row("credit", s -> s.loyalty().credit(Credit.of(s.subject(), points(5), "Credit", aKey())), OK, NA, NA, NA, UNK),
      new Row("debit", s -> s.loyalty().debit(Debit.of(s.subject(), points(5), "Debit", aKey())), OK, NA, NA, NA, UNK),
      new Row("reverse", s -> s.loyalty().reverse(Reversal.of(s.earnEntry(), "Mistake", aKey())),
          OK, OK, NA, NA, Answer.REFUSED),
      new Row("transfer (sender)", s -> s.loyalty().transfer(
          Transfer.of(s.subject(), s.other(), points(5), "Gift", aKey())), OK, NA, NA, NA, UNK),
      new Row("transfer (receiver)", s -> s.loyalty().transfer(
          Transfer.of(s.other(), s.subject(), points(5), "Gift", aKey())), OK, NA, NA, NA, UNK),
      new Row("suspend", s -> s.loyalty().suspend(s.subject(), "Fraud check", aKey()),
          OK, Answer.STATUS_CHANGE, Answer.STATUS_CHANGE, Answer.STATUS_CHANGE, UNK),
      new Row("reactivate", s -> s.loyalty().reactivate(s.subject(), "Cleared", aKey()),
          Answer.STATUS_CHANGE, OK, Answer.STATUS_CHANGE, Answer.STATUS_CHANGE, UNK),
      // Closing and erasing refuse open holds: the cells of the active and suspended member, who have one.
      new Row("close", s -> s.loyalty().close(s.subject(), "Asked to", aKey()),
          Answer.REFUSED, Answer.REFUSED, Answer.STATUS_CHANGE, Answer.STATUS_CHANGE, UNK),
      new Row("erase", s -> s.loyalty().erase(s.subject(), aKey()), Answer.REFUSED, Answer.REFUSED, OK, Answer.REFUSED, UNK),
      new Row("saveProfile", s -> s.loyalty().saveProfile(MemberProfile.of(s.subject(), Consent.ALL)),
          OK, OK, NA, NA, UNK),
      new Row("profile", s -> s.loyalty().profile(s.subject()), OK, OK, OK, OK, UNK),
      new Row("export", s -> s.loyalty().export(s.subject()), OK, OK, OK, OK, UNK),
      new Row("overrideTier", s -> s.loyalty().overrideTier(new TierOverride(s.subject(), TierId.of("gold"),
          "Goodwill", "desk", START.plus(Duration.ofDays(30)), aKey())), OK, OK, NA, NA, UNK),
      new Row("evaluateTier", s -> s.loyalty().evaluateTier(s.subject(), aKey()), OK, OK, NA, NA, UNK),
      new Row("reviewTier", s -> s.loyalty().reviewTier(s.subject(), LocalDate.of(2026, 3, 1)),
          OK, OK, OK, OK, UNK),
      new Row("tierProgress", s -> s.loyalty().tierProgress(s.subject()), OK, OK, NA, NA, UNK),
      new Row("tierHistory", s -> s.loyalty().tierHistory(s.subject()), OK, OK, OK, OK, UNK),
      new Row("statement", s -> s.loyalty().statement(s.subject(), START.minus(Duration.ofDays(1)), START,
          Duration.ofDays(30)), OK, OK, OK, OK, UNK),
      new Row("balance", s -> s.loyalty().balance(s.subject()), OK, OK, OK, OK, UNK),
      new Row("balanceAsOf", s -> s.loyalty().balanceAsOf(s.subject(), START), OK, OK, OK, OK, UNK),
      new Row("lots", s -> s.loyalty().lots(s.subject()), OK, OK, OK, OK, UNK),
      new Row("openHolds", s -> s.loyalty().openHolds(s.subject()), OK, OK, OK, OK, UNK),
      new Row("history", s -> s.loyalty().history(s.subject(), EntryQuery.newest(10)), OK, OK, OK, OK, UNK),
      new Row("explain", s -> s.loyalty().explain(s.purchase().transaction()), OK, OK, OK, OK, Answer.REFUSED),
      new Row("verify", s -> s.loyalty().verify(s.subject()), OK, OK, OK, OK, UNK),
      new Row("member", s -> s.loyalty().member(s.subject()), OK, OK, OK, OK, UNK),
      new Row("consentOf", s -> s.loyalty().consentOf(s.subject()), OK, OK, OK, OK, UNK),
      new Row("availableRewards", s -> s.loyalty().availableRewards(s.subject(), Channel.Type.STORE),
          OK, NA, NA, NA, UNK),
      new Row("expire", s -> s.loyalty().expire(s.subject(), START, aKey()), OK, OK, OK, OK, UNK),
      new Row("vest", s -> s.loyalty().vest(s.subject(), START, aKey()), OK, OK, OK, OK, UNK),
      new Row("expireInactive", s -> s.loyalty().expireInactive(s.subject(), START, aKey()), OK, OK, OK, OK, UNK),
      new Row("announceExpiry", s -> s.loyalty().announceExpiry(s.subject(), START.plus(Duration.ofDays(30)), aKey()),
          OK, OK, OK, OK, UNK),
      new Row("verify (anchor)", s -> s.loyalty().verify(s.subject(), ChainTip.of(s.subject(), 1, "0".repeat(64))),
          OK, OK, OK, OK, UNK),
      new Row("daily run", MemberStatusTableTest::aDailyRunAfterTheHoldTimesOut, OK, OK, OK, OK, OK),
      new Row("releaseExpiredHolds", s -> s.loyalty().releaseExpiredHolds(s.subject(), START, aKey()),
          OK, OK, OK, OK, UNK));

  static Stream<Arguments> cells() {
    java.util.List<Arguments> cells = new ArrayList<>();
    for (Row row : TABLE) {
      for (State state : State.values()) {
        Answer answer = row.answers()[state.ordinal()];
        cells.add(Arguments.of(row.operation(), state, answer, row));
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "{0} on a {1} member: {2}")
  @MethodSource("cells")
  void eachOperationAnswersWhatTheReadmeTableSaysForEachStatusAndARefusalWritesNothing(
      String operation, State state, Answer answer, Row row) {
    Scene scene = aSceneWithAMember(state);
    Map<String, Object> before = snapshot(scene);
    Either<LoyaltyError, ?> result = row.call().apply(scene);
    switch (answer) {
      case OK -> assertTrue(result.isRight(), () -> operation + " on a " + state + " member was refused: " + result.getLeft());
      case NOT_ACTIVE -> assertEquals(
          Either.left(new LoyaltyError.MemberNotActive(scene.subject(),
              state == State.SUSPENDED ? MemberStatus.SUSPENDED : MemberStatus.CLOSED)),
          result.map(r -> (Object) r), operation + " on a " + state + " member");
      case UNKNOWN -> assertEquals(Either.left(new LoyaltyError.UnknownMember(scene.subject())),
          result.map(r -> (Object) r), operation + " on a member never enrolled");
      case STATUS_CHANGE -> assertRefusedWith(LoyaltyError.StatusChangeNotAllowed.class, result, operation, state);
      case REFUSED -> assertTrue(result.isLeft(), () -> operation + " on a " + state + " member was accepted");
      default -> throw new AssertionError(answer);
    }
    if (answer != Answer.OK) {
      assertEquals(before, snapshot(scene), operation + " on a " + state + " member was refused but wrote");
    }
  }

  @ParameterizedTest(name = "a {0} member")
  @EnumSource(State.class)
  void tierOfAnswersTheBaseTierForAnActiveOrSuspendedMemberAndNoneOtherwise(State state) {
    Scene scene = aSceneWithAMember(state);
    boolean open = state == State.ACTIVE || state == State.SUSPENDED;
    assertEquals(open ? Option.some("green") : Option.none(),
        scene.loyalty().tierOf(scene.subject(), START));
  }

  /**
   * A refusal to a suspended member whose advice names a call that a suspended member is refused
   * (capture, authorize, transfer) says that it waits for {@code reactivate}, as the README's
   * errors promise: an agent is not sent round to a second refusal.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("advisedToASuspendedMember")
  void aRefusalToASuspendedMemberAdvisesNoCallTheirStatusRefusesWithoutSayingToReactivateThem(
      String operation, Function<Scene, Either<LoyaltyError, ?>> call) {
    Scene scene = aSceneWithAMember(State.SUSPENDED);
    Either<LoyaltyError, ?> result = call.apply(scene);
    assertTrue(result.isLeft(), () -> operation + " was accepted");
    assertTrue(result.getLeft().message().contains("reactivate"),
        () -> operation + " advised a call a suspended member is refused: " + result.getLeft().message());
  }

  static Stream<Arguments> advisedToASuspendedMember() {
    return Stream.of(
        Arguments.of("reverse of a HOLD entry (capture it)", (Function<Scene, Either<LoyaltyError, ?>>)
            s -> s.loyalty().reverse(Reversal.of(s.hold(), "Mistake", aKey()))),
        Arguments.of("cancelRedemption of a HOLD entry (capture it)", (Function<Scene, Either<LoyaltyError, ?>>)
            s -> s.loyalty().cancelRedemption(s.hold(), "Mistake", aKey())),
        Arguments.of("reverse of a RELEASE entry (authorize a new hold)", (Function<Scene, Either<LoyaltyError, ?>>)
            s -> s.loyalty().reverse(Reversal.of(s.release(), "Mistake", aKey()))),
        Arguments.of("voidHold of a released hold (authorize a new hold)", (Function<Scene, Either<LoyaltyError, ?>>)
            s -> s.loyalty().voidHold(s.released(), "Again", aKey())),
        Arguments.of("reverse of a TRANSFER_OUT entry (transfer the points back)", (Function<Scene, Either<LoyaltyError, ?>>)
            s -> s.loyalty().reverse(Reversal.of(s.transferOut(), "Mistake", aKey()))),
        Arguments.of("reverse of the other member's TRANSFER_IN (transfer the points back)",
            (Function<Scene, Either<LoyaltyError, ?>>) s -> s.loyalty().reverse(Reversal.of(s.transferIn(), "Mistake", aKey()))));
  }

  private static void assertRefusedWith(Class<? extends LoyaltyError> type, Either<LoyaltyError, ?> result,
      String operation, State state) {
    assertTrue(result.isLeft() && type.isInstance(result.getLeft()),
        () -> operation + " on a " + state + " member: expected " + type.getSimpleName() + " but was " + result);
  }

  /** What a refusal must leave as it was: both members' entries, balances, statuses and open holds. */
  private static Map<String, Object> snapshot(Scene scene) {
    Map<String, Object> state = new LinkedHashMap<>();
    for (MemberId m : java.util.List.of(scene.subject(), scene.other())) {
      state.put(m + ".member", scene.loyalty().member(m));
      state.put(m + ".balance", scene.loyalty().balance(m));
      state.put(m + ".holds", scene.loyalty().openHolds(m));
      state.put(m + ".entries", scene.loyalty().history(m, EntryQuery.newest(EntryQuery.MAX_LIMIT)).map(HistoryPage::entries));
      state.put(m + ".profile", scene.loyalty().profile(m));
    }
    return state;
  }

  /** The daily run an hour on, when the open hold has timed out: allowed for every member, failing none. */
  private static Either<LoyaltyError, ?> aDailyRunAfterTheHoldTimesOut(Scene scene) {
    scene.clock().advance(Duration.ofHours(1));
    RunReport report = DailyRun.builder(scene.loyalty()).build().runDue(scene.clock().instant());
    assertEquals(List.empty(), report.failures(), "the run's failures");
    assertEquals(List.empty(), scene.loyalty().openHolds(scene.subject()).getOrElse(List.empty()),
        "open holds after the run");
    return Either.right(report);
  }

  private static CustomEvent anEvent(MemberId member) {
    return CustomEvent.of(member, aKey(), CustomEvent.SURVEY_COMPLETED, START, TILL);
  }

  private static PointsPayment aPayment(MemberId member) {
    return new PointsPayment(member, PAY, eur("10.00"), points(100), TILL, aKey());
  }

  /** The coffee chain of {@link Fixtures#aProgramWithTiers}, with a survey award and the Bean Club catalogue. */
  private static LoyaltyProgram aProgram() {
    return Fixtures.aProgramWithTiers().toBuilder()
        .earnRules(RuleBook.of(BaseRate.of("base", "10"), EventAward.of("survey", CustomEvent.SURVEY_COMPLETED, 25)))
        .rewards(Fixtures.aCatalog(TierSource.LADDER, ReturnedPoints.DEFAULT))
        .build();
  }

  /**
   * A member with a purchase of 20.00 (200 points), a credit of 1,000 points, a free coffee redeemed
   * and, while active or suspended, an open hold of 50 points; and an active member with a purchase
   * of their own. A closed or erased member's hold was voided first, as closing requires.
   */
  private static Scene aSceneWithAMember(State state) {
    TestClock clock = TestClock.at(Fixtures.START);
    Loyalty loyalty = aLoyalty(new InMemoryLedgerStore(), clock, aProgram());
    MemberId subject = member(state == State.NOT_ENROLLED ? "ghost" : "ada");
    MemberId other = member("bob");
    enrolled(loyalty, other);
    Purchase othersPurchase = aPurchaseOf(other, "20.00", key("pos-bob"));
    accepted(loyalty.earn(othersPurchase));
    accepted(loyalty.credit(Credit.of(other, points(1_000), "Welcome", aKey())));
    Purchase purchase = aPurchaseOf(subject, "20.00", key("pos-ada"));
    if (state == State.NOT_ENROLLED) {
      EntryId none = EntryId.of(subject, 1);
      return new Scene(clock, loyalty, subject, other, purchase, othersPurchase, none, none, none, none, none, none, none,
          none);
    }
    enrolled(loyalty, subject);
    EntryId earnEntry = accepted(loyalty.earn(purchase)).entries().head().id();
    accepted(loyalty.credit(Credit.of(subject, points(1_000), "Welcome", aKey())));
    EntryId redemption = accepted(loyalty.redeem(subject, FREE_COFFEE, TILL, aKey())).entry();
    EntryId payment = accepted(loyalty.payWithPoints(aPayment(subject))).entry();
    EntryId released = accepted(loyalty.authorize(
        Authorization.points(subject, points(30), Duration.ofMinutes(10), TILL, aKey()))).id();
    EntryId release = accepted(loyalty.voidHold(released, "Till cancelled", aKey())).entries().head().id();
    Receipt sent = accepted(loyalty.transfer(Transfer.of(subject, other, points(10), "Gift", aKey())));
    EntryId transferOut = sent.entries().head().id();
    EntryId transferIn = accepted(loyalty.history(other, EntryQuery.newest(1))).entries().head().id();
    EntryId hold = accepted(loyalty.authorize(
        Authorization.points(subject, points(50), Duration.ofMinutes(10), TILL, aKey()))).id();
    switch (state) {
      case SUSPENDED -> accepted(loyalty.suspend(subject, "Fraud check", aKey()));
      case CLOSED -> {
        accepted(loyalty.voidHold(hold, "Closing", aKey()));
        accepted(loyalty.close(subject, "Asked to", aKey()));
      }
      case ERASED -> {
        accepted(loyalty.voidHold(hold, "Erasing", aKey()));
        accepted(loyalty.erase(subject, aKey()));
      }
      default -> { }
    }
    return new Scene(clock, loyalty, subject, other, purchase, othersPurchase, earnEntry, redemption, payment, hold,
        released, release, transferOut, transferIn);
  }
}
