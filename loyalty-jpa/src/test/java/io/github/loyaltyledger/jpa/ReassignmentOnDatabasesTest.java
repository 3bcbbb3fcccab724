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
import io.github.loyaltyledger.earning.BaseRate;
import io.github.loyaltyledger.earning.FirstPurchaseBonus;
import io.github.loyaltyledger.earning.Purchase;
import io.github.loyaltyledger.earning.Refund;
import io.github.loyaltyledger.earning.RuleBook;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import java.nio.file.Path;
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
