package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Enrolment;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.DueQuery;
import io.github.loyaltyledger.store.DueWork;
import io.github.loyaltyledger.store.Partition;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code DueWorkIndex.candidates} beside a commit that moves a member's due instant, on the JPA store:
 * a member due both before and after the move is answered while the commit's transaction holds the
 * moved row uncommitted, and after it committed (the contract's wording, pinned in memory by
 * {@code DueWorkTableTest}). Another session stands for the commit, so the interleaving is fixed:
 * no sleeps, no threads.
 */
class CandidatesBesideACommitTest {

  private static final Instant AT = Instant.parse(Fixtures.START);
  private static final MemberId ADA = member("ada");

  @Nested
  class OnH2 {
    @Test
    void aMemberDueBeforeAndAfterACommitMovesTheirExpiryIsAnsweredDuringAndAfterIt() throws Exception {
      answeredBesideAMove(TestDatabase.h2InMemory());
    }
  }

  @Nested
  class OnPostgresql {
    @BeforeAll
    static void requirePostgresql() {
      TestDatabase.postgresql();
    }

    @Test
    void aMemberDueBeforeAndAfterACommitMovesTheirExpiryIsAnsweredDuringAndAfterIt() throws Exception {
      answeredBesideAMove(TestDatabase.emptyPostgresql());
    }
  }

  private static void answeredBesideAMove(TestDatabase database) throws Exception {
    DueQuery expiring = new DueQuery(AT, AT, Option.none(), HashSet.empty(), HashSet.empty(), Partition.all());
    Instant dueBefore = AT.minus(Duration.ofDays(2));
    Instant dueAfter = AT.minus(Duration.ofDays(1));
    try (JpaLedgerStore store = database.open()) {
      Loyalty loyalty = Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
      accepted(loyalty.enrol(Enrolment.of(ADA, aKey()).enrolledAt(AT)));
      try (Connection c = database.connect()) {
        moveExpiry(c, dueBefore);
        c.setAutoCommit(false);
        moveExpiry(c, dueAfter); // the commit's update of the row, not yet committed
        assertEquals(List.of(ADA), store.candidates(expiring).map(DueWork::memberId), "during the commit");
        c.commit();
      }
      assertEquals(List.of(ADA), store.candidates(expiring).map(DueWork::memberId), "after the commit");
    }
  }

  private static void moveExpiry(Connection c, Instant to) throws Exception {
    try (PreparedStatement move = c.prepareStatement(
        "UPDATE ledger_due_work SET lot_expiry_seconds = ?, lot_expiry_nanos = ? WHERE member_id = ?")) {
      move.setLong(1, to.getEpochSecond());
      move.setInt(2, to.getNano());
      move.setString(3, ADA.value());
      assertEquals(1, move.executeUpdate());
    }
  }
}
