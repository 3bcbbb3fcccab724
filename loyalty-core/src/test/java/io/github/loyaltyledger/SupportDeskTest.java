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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.FirstPurchaseBonus;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.insight.StatementLine;
import io.github.loyaltyledger.ledger.Entry;
import io.github.loyaltyledger.ledger.EntryId;
import io.github.loyaltyledger.ledger.EntryKind;
import io.github.loyaltyledger.ledger.Lot;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.member.MemberStatus;
import io.github.loyaltyledger.program.LoyaltyProgram;
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

  private final MemberId ada = member("ada");
  private final MemberId partner = member("partner");
  private TestClock clock;
  private Loyalty loyalty;

  @BeforeEach
  void setUp() {
    clock = TestClock.at(Fixtures.START);
    TierLadder ladder = TierLadder.builder(QualificationWindow.rollingMonths(12))
        .tier(Tier.of("green", "Green", Qualification.none()))
        .tier(Tier.of("gold", "Gold", Qualification.points(500)))
        .build();
    LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
        .earnRules(RuleBook.of(BaseRate.of("base", "10"), FirstPurchaseBonus.of("first", 50)))
        .tierLadder(ladder)
        .build();
    loyalty = aLoyalty(new InMemoryLedgerStore(), clock, program);
    enrolled(loyalty, ada);
    enrolled(loyalty, partner);
  }

  private QualifyingActivity activityOf(MemberId member) {
    return accepted(loyalty.tierProgress(member)).activity();
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

      assertEquals(points(0), balanceOf(loyalty, partner).total());
      assertEquals(0, activityOf(partner).points());
      assertEquals(0, activityOf(partner).visits());
      assertEquals(points(35 + 50), balanceOf(loyalty, ada).total());
      assertEquals(35 + 50, activityOf(ada).points());
      assertEquals(1, activityOf(ada).visits());
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
