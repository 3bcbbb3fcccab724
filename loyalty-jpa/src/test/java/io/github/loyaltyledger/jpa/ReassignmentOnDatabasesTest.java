package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Reassignment;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.LoyaltyError;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.CustomEvent;
import io.github.loyaltyledger.earning.EventAward;
import io.github.loyaltyledger.earning.FirstPurchaseBonus;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.ledger.Channel;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A purchase reassigned to another member is found there, through the entry-reference index and
 * the reassignment's idempotency record, by a till's refund under the POS id sent after a restart.
 */
class ReassignmentOnDatabasesTest {

  private final MemberId ada = member("ada");
  private final MemberId partner = member("partner");
  private final TestClock clock = TestClock.at(Fixtures.START);
  private final LoyaltyProgram program = LoyaltyProgram.builder("bean-club")
      .earnRules(RuleBook.of(BaseRate.of("base", "10"), FirstPurchaseBonus.of("first", 50))).build();

  @Test
  void aRefundAfterARestartOnH2FollowsTheReassignedPurchase(@TempDir Path dir) {
    reassignedThenRefundedAfterARestart(TestDatabase.h2File(dir.resolve("ledger")));
  }

  @Test
  void aRefundAfterARestartOnPostgresqlFollowsTheReassignedPurchase() {
    reassignedThenRefundedAfterARestart(TestDatabase.emptyPostgresql());
  }

  /**
   * A refund or reassignment under a custom event's key is refused advising reverse of the entries
   * of its award not reversed yet, read through the idempotency record and the entry-reference
   * index after a restart: word for word as on the in-memory store.
   */
  @Test
  void aRefundOrReassignmentUnderAnEventsKeyAfterARestartOnH2IsAdvisedAsInMemory(@TempDir Path dir) {
    TestDatabase database = TestDatabase.h2File(dir.resolve("ledger"));
    try (JpaLedgerStore store = database.open()) {
      assertEquals(adviceUnderAnEventsKey(new InMemoryLedgerStore(), true), adviceUnderAnEventsKey(store, true));
    }
    try (JpaLedgerStore store = database.open()) {
      assertEquals(adviceUnderAnEventsKey(new InMemoryLedgerStore(), true).subList(1, 3),
          adviceUnderAnEventsKey(store, false).subList(1, 3));
    }
  }

  /**
   * The advice before and after one of the two entries of a review's award is reversed, and to a
   * reassignment; with {@code write} unset, read from what an earlier facade wrote.
   */
  private List<LoyaltyError> adviceUnderAnEventsKey(io.github.loyaltyledger.store.LedgerStore store, boolean write) {
    Loyalty loyalty = Fixtures.aLoyalty(store, clock, program.toBuilder().earnRules(RuleBook.of(
        EventAward.of("review", CustomEvent.REVIEW_WRITTEN, 25),
        EventAward.of("review-extra", CustomEvent.REVIEW_WRITTEN, 10).with(
            io.github.loyaltyledger.earning.RuleTerms.DEFAULT))).build());
    LoyaltyError before = null;
    if (write) {
      accepted(loyalty.enrol(Enrolment.of(ada, key("enrol-ada"))));
      accepted(loyalty.enrol(Enrolment.of(partner, key("enrol-partner"))));
      Receipt review = accepted(loyalty.earn(
          CustomEvent.of(ada, key("review-1"), CustomEvent.REVIEW_WRITTEN, clock.instant(), Channel.web())));
      before = Fixtures.refused(loyalty.refund(Refund.ofAmount(key("review-1"), key("till-1"), Fixtures.eur("1.00"))));
      accepted(loyalty.reverse(Reversal.of(review.entries().get(0).id(), "fake review", key("undo-1"))));
    }
    return java.util.Arrays.asList(before,
        Fixtures.refused(loyalty.refund(Refund.ofAmount(key("review-1"), key("till-2"), Fixtures.eur("1.00")))),
        Fixtures.refused(loyalty.reassign(Reassignment.of(Fixtures.aPurchaseOf(ada, "1.00", key("review-1")), partner,
            key("desk-1")))));
  }

  private void reassignedThenRefundedAfterARestart(TestDatabase database) {
    Purchase sale = Fixtures.aPurchaseOf(partner, "3.50", key("pos-1"));
    try (JpaLedgerStore store = database.open()) {
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, program);
      accepted(loyalty.enrol(Enrolment.of(ada, key("enrol-ada"))));
      accepted(loyalty.enrol(Enrolment.of(partner, key("enrol-partner"))));
      accepted(loyalty.earn(sale));
      accepted(loyalty.reassign(Reassignment.of(sale, ada, key("desk-1"))));
    }
    try (JpaLedgerStore store = database.open()) {
      Loyalty loyalty = Fixtures.aLoyalty(store, clock, program);
      assertEquals(Points.of(85), accepted(loyalty.balance(ada)).total());
      accepted(loyalty.refund(Refund.ofAmount(key("pos-1"), key("till-9"), Fixtures.eur("3.50"))));
      assertEquals(Points.ZERO, accepted(loyalty.balance(ada)).total());
      assertEquals(Points.ZERO, accepted(loyalty.balance(partner)).total());
      assertTrue(accepted(loyalty.verify(ada)).isIntact());
      assertTrue(accepted(loyalty.verify(partner)).isIntact());
    }
  }
}
