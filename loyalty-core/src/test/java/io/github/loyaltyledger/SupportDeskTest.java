package io.github.loyaltyledger;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.eur;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static io.github.loyaltyledger.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.EarnQuote;
import io.github.loyaltyledger.earning.FirstPurchaseBonus;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.insight.StatementLine;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.tier.Qualification;
import io.github.loyaltyledger.tier.QualificationWindow;
import io.github.loyaltyledger.tier.QualifyingActivity;
import io.github.loyaltyledger.tier.Tier;
import io.github.loyaltyledger.tier.TierLadder;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The tickets of a coffee chain's support desk, as the README's "Support desk" section answers them:
 * each test is what an agent's tool runs.
 */
class SupportDeskTest {

  private static final int EXAMPLES = Math.max(10, Integer.getInteger("QT_EXAMPLES", 1000) / 10);

  private final MemberId ada = member("ada");
  private final MemberId partner = member("partner");
  private TestClock clock;
  private Loyalty loyalty;

  @BeforeEach
  void setUp() {
    clock = TestClock.at(Fixtures.START);
    loyalty = aDesk(clock);
    enrolled(loyalty, ada);
    enrolled(loyalty, partner);
  }

  /** A facade on a fresh store for the coffee chain: 10 points a euro, 50 on a first purchase, two tiers. */
  private static Loyalty aDesk(TestClock clock) {
    TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("gold", "Gold", Qualification.points(500)))
        .build();
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
        .earnRules(RuleBook.of(BaseRate.of("base", "10"), FirstPurchaseBonus.of("first", 50)))
        .tierLadder(ladder)
        .build();
    return aLoyalty(new InMemoryLedgerStore(), clock, program);
  }

  private QualifyingActivity activityOf(MemberId member) {
    return accepted(loyalty.tierProgress(member)).activity();
  }

  /** The flat white of 3.50 is ada's first purchase (35 + 50 points, one visit), and nothing of it is the partner's. */
  private void assertThePurchaseIsAdasAlone() {
    assertEquals(points(0), balanceOf(loyalty, partner).total());
    assertEquals(0, activityOf(partner).points());
    assertEquals(0, activityOf(partner).visits());
    assertEquals(points(35 + 50), balanceOf(loyalty, ada).total());
    assertEquals(35 + 50, activityOf(ada).points());
    assertEquals(1, activityOf(ada).visits());
  }

  /** "I bought a coffee but the points went to my partner's card." */
  @Nested
  class PointsOnTheWrongCard {

    private final Purchase onTheWrongCard = aPurchaseOf(partner, "3.50", key("pos-1"));

    /** The purchase as the right member's, under a new key: the POS id is the first earn's. */
    private Purchase onTheRightCard() {
      Purchase p = onTheWrongCard;
      return new Purchase(ada, key("pos-1/ada"), p.occurredAt(), p.channel(), p.currency(), p.lines(), p.paidWithPoints());
    }

    private void moved() {
      accepted(loyalty.earn(onTheWrongCard));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("desk-1"), eur("3.50"))));
      accepted(loyalty.earn(onTheRightCard()));
    }

    @Test
    void returningThePurchaseInFullAndEarningItUnderTheRightMemberMovesItsPointsAndTierActivity() {
      moved();

      assertThePurchaseIsAdasAlone();
    }

    @Test
    void earningItUnderTheRightMemberWithThePosIdIsRefusedAsAnotherRequestAndWritesNothing() {
      accepted(loyalty.earn(onTheWrongCard));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("desk-1"), eur("3.50"))));

      LoyaltyError error = refused(loyalty.earn(aPurchaseOf(ada, "3.50", key("pos-1"))));

      assertEquals(new LoyaltyError.IdempotencyConflict(key("pos-1")), error);
      assertEquals(points(0), balanceOf(loyalty, ada).total());
    }

    @Test
    void thePosIdsConflictNamesTheFirstRequestsMemberAndEntryKindsButNotTheirPoints() {
      accepted(loyalty.credit(Credit.of(partner, points(4321), "Welcome", aKey())));
      accepted(loyalty.earn(onTheWrongCard));

      LoyaltyError.IdempotencyConflict error = assertInstanceOf(LoyaltyError.IdempotencyConflict.class,
          refused(loyalty.earn(aPurchaseOf(ada, "3.50", key("pos-1")))));

      assertEquals(Option.some(partner), error.firstMember());
      assertEquals(io.vavr.collection.List.of(EntryKind.EARN, EntryKind.BONUS), error.firstKinds());
      assertTrue(error.message().contains("for member 'partner', wrote entries of kinds EARN, BONUS"), error.message());
      assertFalse(error.message().contains("4321") || error.message().contains("4406") || error.message().contains("85"),
          error.message());
    }

    @Test
    void aLaterReturnIsRefundedUnderTheNewKeyWhileThePosIdFindsNothingLeft() {
      moved();

      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("3.50")))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1/ada"), aKey(), eur("3.50"))));

      assertEquals(points(0), balanceOf(loyalty, ada).total());
    }

    /** ADR 0005: a refund does not lower the visit count, so a return never re-arms the bonus. */
    @Test
    void theWrongMemberKeepsTheVisitSoTheirNextPurchaseEarnsNoFirstPurchaseBonus() {
      moved();

      Receipt next = accepted(loyalty.earn(aPurchaseOf(partner, "2.00", key("pos-2"))));

      assertEquals(points(20), next.netPoints());
    }
  }

  /** "The points went to my partner's card", answered in one request: {@link Loyalty#reassign}. */
  @Nested
  class Reassigning {

    private final MemberId third = member("third");
    private final Purchase onTheWrongCard = aPurchaseOf(partner, "3.50", key("pos-1"));

    private Receipt reassigned(MemberId to, String key) {
      return accepted(loyalty.reassign(Reassignment.of(onTheWrongCard, to, key(key))));
    }

    @Test
    void reassigningMovesThePointsTheTierActivityAndTheVisitToTheRightMember() {
      accepted(loyalty.earn(onTheWrongCard));

      reassigned(ada, "desk-1");

      assertThePurchaseIsAdasAlone();
      assertTrue(accepted(loyalty.verify(partner)).isIntact());
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
    }

    /** The right member earns it as earn would, so a balance that cannot take it refuses it as earn and quote do. */
    @Test
    void reassigningToAMemberWhoseBalanceCannotTakeThePointsIsRefusedAsByQuoteAndWritesNothing() {
      accepted(loyalty.earn(onTheWrongCard));
      accepted(loyalty.credit(Credit.of(ada, Points.of(Long.MAX_VALUE - 10), "migrated", aKey())));
      java.util.List<Points> before = java.util.List.of(balanceOf(loyalty, ada).total(), balanceOf(loyalty, partner).total());
      LoyaltyError overflow = new LoyaltyError.BalanceOverflow(ada, Points.of(Long.MAX_VALUE - 10), points(35 + 50));

      assertEquals(overflow, refused(loyalty.reassign(Reassignment.of(onTheWrongCard, ada, key("desk-1")))));
      Purchase p = onTheWrongCard;
      assertEquals(overflow, refused(loyalty.quote(new Purchase(ada, key("desk-1"), p.occurredAt(), p.channel(),
          p.currency(), p.lines(), p.paidWithPoints()))));
      assertEquals(before, java.util.List.of(balanceOf(loyalty, ada).total(), balanceOf(loyalty, partner).total()));
      assertEquals(1, activityOf(partner).visits());
      // Nothing was recorded under the desk's key: once the balance can take them, the same request moves it.
      accepted(loyalty.debit(Debit.of(ada, Points.of(100), "correction", aKey())));
      reassigned(ada, "desk-1");
      assertEquals(points(0), balanceOf(loyalty, partner).total());
    }

    @Test
    void theWrongMembersNextPurchaseEarnsTheFirstPurchaseBonusAsTheVisitWentWithThePurchase() {
      accepted(loyalty.earn(onTheWrongCard));
      reassigned(ada, "desk-1");

      Receipt next = accepted(loyalty.earn(aPurchaseOf(partner, "2.00", key("pos-2"))));

      assertEquals(points(20 + 50), next.netPoints());
    }

    @Test
    void theRightMemberEarnsWhatAQuoteOfThePurchaseForThemSaysNotACopyOfTheWrongAward() {
      accepted(loyalty.earn(aPurchaseOf(ada, "1.00", key("pos-0"))));
      accepted(loyalty.earn(onTheWrongCard));
      Purchase forAda = new Purchase(ada, key("desk-1"), onTheWrongCard.occurredAt(), onTheWrongCard.channel(),
          onTheWrongCard.currency(), onTheWrongCard.lines(), onTheWrongCard.paidWithPoints());
      EarnQuote quoted = accepted(loyalty.quote(forAda));

      Receipt receipt = reassigned(ada, "desk-1");

      assertEquals(points(35), quoted.total());
      assertEquals(quoted.total(), receipt.entries().filter(e -> e.member().equals(ada)).map(Entry::points)
          .foldLeft(points(0), Points::plus));
      assertEquals(quoted.outcomes(), accepted(loyalty.explain(key("desk-1"))).outcomes());
    }

    @Test
    void explainingThePosIdAfterAReassignmentAnswersWhatTheMemberWhoHasItEarnedNotTheWrongAward() {
      accepted(loyalty.earn(aPurchaseOf(ada, "1.00", key("pos-0"))));
      accepted(loyalty.earn(onTheWrongCard));
      reassigned(ada, "desk-1");

      EarnQuote explained = accepted(loyalty.explain(key("pos-1")));

      assertEquals(points(35), explained.total(), "ada earned no first-purchase bonus on it: " + explained);
      assertEquals(accepted(loyalty.explain(key("desk-1"))).outcomes(), explained.outcomes());
    }

    @Test
    void aLaterTillRefundUnderThePosIdFollowsThePurchaseToTheRightMember() {
      accepted(loyalty.earn(onTheWrongCard));
      reassigned(ada, "desk-1");

      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("till-9"), eur("1.75"))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("till-10"), eur("1.75"))));

      assertEquals(points(0), balanceOf(loyalty, ada).total());
      assertEquals(points(0), balanceOf(loyalty, partner).total());
      assertEquals(0, activityOf(ada).visits());
      assertInstanceOf(LoyaltyError.RefundExceedsPurchase.class,
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("0.01")))));
    }

    @Test
    void aPurchaseReassignedAgainToAThirdMemberIsRefundedFromThatMember() {
      enrolled(loyalty, third);
      accepted(loyalty.earn(onTheWrongCard));
      reassigned(ada, "desk-1");

      reassigned(third, "desk-2");
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("till-9"), eur("3.50"))));

      assertEquals(points(0), balanceOf(loyalty, partner).total());
      assertEquals(points(0), balanceOf(loyalty, ada).total());
      assertEquals(points(0), balanceOf(loyalty, third).total());
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
    }

    @Test
    void theSameRequestSentAgainAnswersTheFirstReceiptAndAnotherUnderItsKeyIsRefused() {
      enrolled(loyalty, third);
      accepted(loyalty.earn(onTheWrongCard));
      Receipt first = reassigned(ada, "desk-1");

      assertEquals(first, reassigned(ada, "desk-1"));
      assertEquals(new LoyaltyError.IdempotencyConflict(key("desk-1")),
          refused(loyalty.reassign(Reassignment.of(onTheWrongCard, third, key("desk-1")))));
      assertEquals(points(85), balanceOf(loyalty, ada).total());
    }

    @Test
    void aReassignmentUnderTheLongestKeyIsAccepted() {
      accepted(loyalty.earn(onTheWrongCard));

      reassigned(ada, "k".repeat(128));

      assertEquals(points(85), balanceOf(loyalty, ada).total());
    }

    @Test
    void anUnknownTransactionIsRefusedAsNoPurchase() {
      assertEquals(new LoyaltyError.PurchaseNotFound(key("pos-1")),
          refused(loyalty.reassign(Reassignment.of(onTheWrongCard, ada, key("desk-1")))));
    }

    @Test
    void refusedReassignmentsWriteNothing() {
      enrolled(loyalty, third);
      accepted(loyalty.suspend(third, "Fraud check", aKey()));
      accepted(loyalty.earn(onTheWrongCard));
      Purchase other = aPurchaseOf(partner, "9.99", key("pos-1"));

      assertEquals("to", ((LoyaltyError.InvalidRequest) refused(
          loyalty.reassign(Reassignment.of(onTheWrongCard, partner, key("desk-1"))))).field());
      assertEquals(new LoyaltyError.UnknownMember(member("nobody")),
          refused(loyalty.reassign(Reassignment.of(onTheWrongCard, member("nobody"), key("desk-1")))));
      assertInstanceOf(LoyaltyError.MemberNotActive.class,
          refused(loyalty.reassign(Reassignment.of(onTheWrongCard, third, key("desk-1")))));
      assertEquals("purchase", ((LoyaltyError.InvalidRequest) refused(
          loyalty.reassign(Reassignment.of(other, ada, key("desk-1"))))).field());
      assertEquals("reason", ((LoyaltyError.InvalidRequest) refused(
          loyalty.reassign(Reassignment.of(onTheWrongCard, ada, key("desk-1")).because(" ")))).field());

      assertEquals(points(85), balanceOf(loyalty, partner).total());
      assertEquals(points(0), balanceOf(loyalty, ada).total());
      reassigned(ada, "desk-1");
    }

    @Test
    void aPurchaseRefundedInPartIsRefusedSayingToRefundTheRestAndWritesNothing() {
      accepted(loyalty.earn(onTheWrongCard));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("till-9"), eur("1.00"))));
      Points before = balanceOf(loyalty, partner).total();

      LoyaltyError error = refused(loyalty.reassign(Reassignment.of(onTheWrongCard, ada, key("desk-1"))));

      assertEquals("purchase", ((LoyaltyError.InvalidRequest) error).field());
      assertTrue(error.message().contains("refund the rest under 'pos-1'"), error.message());
      assertEquals(before, balanceOf(loyalty, partner).total());
      assertEquals(points(0), balanceOf(loyalty, ada).total());
    }

    @Test
    void aClosedHoldersPurchaseRefundedInPartIsRefusedAsClosedNotAdvisedToRefundTheRest() {
      accepted(loyalty.earn(onTheWrongCard));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("till-9"), eur("1.00"))));
      accepted(loyalty.close(partner, "Moved away", aKey()));

      assertEquals(new LoyaltyError.MemberNotActive(partner, MemberStatus.CLOSED),
          refused(loyalty.reassign(Reassignment.of(onTheWrongCard, ada, key("desk-1")))));
    }

    @Test
    void aPurchaseRefundedInPartForASuspendedMemberIsRefusedAsNotActiveNotAdvisedToEarnItOnThem() {
      accepted(loyalty.earn(onTheWrongCard));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("till-9"), eur("1.00"))));
      accepted(loyalty.suspend(ada, "Fraud check", aKey()));

      assertEquals(new LoyaltyError.MemberNotActive(ada, MemberStatus.SUSPENDED),
          refused(loyalty.reassign(Reassignment.of(onTheWrongCard, ada, key("desk-1")))));
    }

    @Test
    void aBlankReasonIsRefusedBeforeTheMembersAndThePurchaseAsByEveryOtherDeskCall() {
      accepted(loyalty.earn(onTheWrongCard));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("till-9"), eur("1.00"))));
      accepted(loyalty.suspend(ada, "Fraud check", aKey()));
      Points before = balanceOf(loyalty, partner).total();

      for (MemberId to : java.util.List.of(member("nobody"), ada, partner)) {
        LoyaltyError error = refused(loyalty.reassign(Reassignment.of(onTheWrongCard, to, key("desk-1")).because(" ")));
        assertEquals("reason", assertInstanceOf(LoyaltyError.InvalidRequest.class, error, to + ": " + error).field());
      }
      // As a reversal by hand on the suspended member is told first.
      LoyaltyError reversal = refused(loyalty.reverse(Reversal.of(EntryId.of(ada, 99), " ", aKey())));
      assertEquals("reason", ((LoyaltyError.InvalidRequest) reversal).field(), reversal.toString());
      assertEquals(before, balanceOf(loyalty, partner).total());
    }

    @Test
    void pointsAlreadySpentUnderRefuseAreRefusedAndWriteNothing() {
      loyalty = aLoyalty(new InMemoryLedgerStore(), clock, LoyaltyProgram.builder("bean-club")
          .earnRules(RuleBook.of(BaseRate.of("base", "10"))).negativeBalancePolicy(NegativeBalancePolicy.REFUSE).build());
      enrolled(loyalty, ada);
      enrolled(loyalty, partner);
      accepted(loyalty.earn(onTheWrongCard));
      accepted(loyalty.debit(Debit.of(partner, points(30), "Spent", aKey())));

      assertInstanceOf(LoyaltyError.InsufficientPoints.class,
          refused(loyalty.reassign(Reassignment.of(onTheWrongCard, ada, key("desk-1")))));
      assertEquals(points(5), balanceOf(loyalty, partner).total());
      assertEquals(points(0), balanceOf(loyalty, ada).total());
    }

    /**
     * Whatever the order of reassignments (to any of three members, refused once a refund was made)
     * and partial returns at the till under the POS id, the members together end with what one
     * member would have had with the same sale and returns, each return answered alike, and every
     * chain verifies.
     */
    @Test
    void theMembersTogetherEndWithWhatOneMemberWouldHaveHadAfterTheSameReturns() {
      qt().withExamples(EXAMPLES).forAll(integers().between(1, 10_000), lists().of(integers().between(0, 9))
          .ofSizeBetween(0, 8)).checkAssert((price, steps) -> {
            Loyalty desk = aDesk(TestClock.at(Fixtures.START));
            Loyalty single = aDesk(TestClock.at(Fixtures.START));
            java.util.List<MemberId> members = java.util.List.of(partner, ada, third);
            members.forEach(m -> enrolled(desk, m));
            enrolled(single, partner);
            Purchase sale = aPurchaseOf(partner, eur("0.00").plusMinor(price).getAmount().toPlainString(), key("pos-1"));
            accepted(desk.earn(sale));
            accepted(single.earn(sale));
            int n = 0;
            for (int step : steps) {
              IdempotencyKey key = key("step-" + n++);
              if (step < 3) {
                desk.reassign(Reassignment.of(sale, members.get(step), key));
              } else {
                Refund back = Refund.ofAmount(key("pos-1"), key, eur("0.00").plusMinor(1 + (long) price * (step - 2) / 8));
                assertEquals(single.refund(back).isRight(), desk.refund(back).isRight(), "return " + back);
              }
            }
            assertEquals(balanceOf(single, partner).total(), members.stream().map(m -> balanceOf(desk, m).total())
                .reduce(points(0), Points::plus));
            members.forEach(m -> assertTrue(accepted(desk.verify(m)).isIntact(), m::toString));
          });
    }
  }

  /** "Please give the customer 500 points of goodwill." */
  @Nested
  class Goodwill {

    private final Adjustment goodwill = Adjustment.of(ada, points(500), "Goodwill: spilt flat white", "desk-7",
        key("desk-7-gw"));

    @Test
    void aGoodwillAdjustmentShowsOnTheStatementWithItsReasonAndKeepsTheOperatorOnItsEntry() {
      Entry entry = accepted(loyalty.adjust(goodwill)).entries().single();

      StatementLine line = accepted(loyalty.statement(ada, clock.instant(), clock.instant().plusSeconds(1),
          Duration.ZERO)).lines().single();

      assertEquals(EntryKind.ADJUST, line.kind());
      assertEquals("Goodwill: spilt flat white", line.reason());
      assertEquals(Option.some("desk-7"), entry.operator());
    }

    @Test
    void aDoubleClickIsAnsweredOnceAndAnotherAmountUnderTheSameKeyIsRefused() {
      Receipt first = accepted(loyalty.adjust(goodwill));

      assertEquals(first, accepted(loyalty.adjust(goodwill)));
      assertEquals(new LoyaltyError.IdempotencyConflict(key("desk-7-gw")), refused(loyalty.adjust(
          Adjustment.of(ada, points(50), "Goodwill: spilt flat white", "desk-7", key("desk-7-gw")))));
      assertEquals(points(500), balanceOf(loyalty, ada).total());
    }

    @Test
    void anotherAmountUnderTheSameKeyIsToldTheFirstWasAnAdjustmentOfTheSameMemberThatStands() {
      accepted(loyalty.adjust(goodwill));

      LoyaltyError.IdempotencyConflict error = assertInstanceOf(LoyaltyError.IdempotencyConflict.class,
          refused(loyalty.adjust(Adjustment.of(ada, points(50), "Goodwill", "desk-7", key("desk-7-gw")))));

      assertEquals(Option.some(ada), error.firstMember());
      assertEquals(io.vavr.collection.List.of(EntryKind.ADJUST), error.firstKinds());
      assertTrue(error.message().contains("for member 'ada', wrote entries of kind ADJUST"), error.message());
      assertTrue(error.message().contains("the first stands"), error.message());
    }

    @Test
    void aGoodwillAdjustmentIsNotTierQualifying() {
      accepted(loyalty.adjust(goodwill));

      assertEquals(0, activityOf(ada).points());
      assertEquals("green", accepted(loyalty.tierProgress(ada)).tier().value());
    }
  }

  /** "My points expired while I was in hospital." */
  @Nested
  class ExpiredPoints {

    @Test
    void expiredPointsCannotBeRevivedButAreCreditedAgainByAnAdjustmentWithANewExpiry() {
      Instant expiry = clock.instant().plus(Duration.ofDays(30));
      accepted(loyalty.credit(Credit.of(ada, points(120), "Purchase", aKey()).expiringAt(expiry)));
      clock.advance(Duration.ofDays(31));
      EntryId expired = accepted(loyalty.expire(ada, clock.instant(), aKey())).entries().single().id();

      LoyaltyError error = refused(loyalty.reverse(Reversal.of(expired, "Hospital", aKey())));
      assertTrue(error.message().contains("adjustment"), error.message());

      Instant extended = clock.instant().plus(Duration.ofDays(90));
      accepted(loyalty.adjust(Adjustment.of(ada, points(120), "Re-credit of points expired in hospital", "desk-7",
          aKey()).expiringAt(extended)));
      Lot lot = accepted(loyalty.lots(ada)).single();
      assertEquals(points(120), lot.remaining());
      assertEquals(Option.some(extended), lot.expiresAt());
    }
  }

  /** "I have two accounts, please merge them." */
  @Nested
  class MergingTwoAccounts {

    @Test
    void mergingMovesTheAvailablePointsAndClosingTheOtherForfeitsWhatIsStillPending() {
      accepted(loyalty.earn(aPurchaseOf(partner, "10.00", key("pos-1"))));
      accepted(loyalty.credit(Credit.of(partner, points(30), "Welcome", aKey())
          .vestingAt(clock.instant().plus(Duration.ofDays(14)))));
      long available = balanceOf(loyalty, partner).available().value();

      accepted(loyalty.transfer(Transfer.of(partner, ada, points(available), "Merge of partner into ada", aKey())));
      Receipt closed = accepted(loyalty.close(partner, "Merged into ada", aKey()));

      assertEquals(points(100 + 50), balanceOf(loyalty, ada).available());
      assertEquals(points(-30), closed.entries().single().points());
      assertEquals(0, activityOf(ada).points());
    }

    /** "Refund at most the EUR 6.00 left" would be refused too: a closed account takes nothing more. */
    @Test
    void aClosedAccountsPurchaseRefundedBeyondWhatIsLeftIsRefusedAsClosedNotAdvisedToRefundTheRest() {
      accepted(loyalty.earn(aPurchaseOf(partner, "10.00", key("pos-1"))));
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("4.00"))));
      accepted(loyalty.close(partner, "Merged into ada", aKey()));

      assertEquals(new LoyaltyError.MemberNotActive(partner, MemberStatus.CLOSED),
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.00")))));
    }

    @Test
    void aClosedAccountsPurchaseCannotBeRefundedSoItsPointsAreTakenBackFromTheKeptMember() {
      accepted(loyalty.earn(aPurchaseOf(partner, "10.00", key("pos-1"))));
      accepted(loyalty.transfer(Transfer.of(partner, ada, points(150), "Merge of partner into ada", aKey())));
      accepted(loyalty.close(partner, "Merged into ada", aKey()));

      assertEquals(new LoyaltyError.MemberNotActive(partner, MemberStatus.CLOSED),
          refused(loyalty.refund(Refund.ofAmount(key("pos-1"), aKey(), eur("10.00")))));
      accepted(loyalty.adjust(Adjustment.of(ada, points(-150), "Return of pos-1, bought on the merged account",
          "desk-7", aKey())));

      assertEquals(points(0), balanceOf(loyalty, ada).total());
      assertEquals(MemberStatus.CLOSED, accepted(loyalty.member(partner)).status());
    }
  }
}
