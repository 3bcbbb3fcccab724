package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.balanceOf;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The database failing as a request commits: the connection lost before the database committed
 * (nothing stored) or after it (stored, but the answer never arrived). The caller cannot tell the
 * two apart, so the store says that it cannot, and that the same request sent again with the same
 * key is safe; sent again, it has exactly one effect either way.
 */
class DatabaseFailureTest {

  private static final MemberId ALICE = member("alice");
  private static final MemberId BOB = member("bob");

  /** When the next {@code Connection.commit} fails as a lost connection would. */
  enum Fault { NONE, BEFORE_THE_COMMIT, AFTER_THE_COMMIT }

  @Nested
  class OnH2 {

    @Test
    void aCreditWhoseCommitsAnswerWasLostIsReportedAsUncertainAndSentAgainIsMadeOnce() throws Exception {
      creditWhoseAnswerIsLost(TestDatabase.h2InMemory());
    }

    @Test
    void aTransferWhoseCommitFailedIsReportedAsUncertainWritesNothingAndSentAgainIsMadeOnce() throws Exception {
      transferWhoseCommitFails(TestDatabase.h2InMemory());
    }
  }

  @Nested
  class OnPostgresql {

    @Test
    void aCreditWhoseCommitsAnswerWasLostIsReportedAsUncertainAndSentAgainIsMadeOnce() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_failure_credit_test", DatabaseFailureTest::creditWhoseAnswerIsLost);
    }

    @Test
    void aTransferWhoseCommitFailedIsReportedAsUncertainWritesNothingAndSentAgainIsMadeOnce() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_failure_transfer_test", DatabaseFailureTest::transferWhoseCommitFails);
    }
  }

  private static void creditWhoseAnswerIsLost(TestDatabase database) throws SQLException {
    FlakyCommits flaky = new FlakyCommits(database);
    try (EntityManagerFactory factory = flaky.factory(); JpaLedgerStore store = JpaLedgerStore.create(factory)) {
      Loyalty loyalty = aCoffeeChain(store);
      enrolled(loyalty, ALICE);
      Credit credit = Credit.of(ALICE, Points.of(100), "Purchase", key("pos-1"));

      flaky.next = Fault.AFTER_THE_COMMIT;
      CommitOutcomeUnknownException uncertain = assertThrows(CommitOutcomeUnknownException.class,
          () -> loyalty.credit(credit));

      assertEquals(key("pos-1"), uncertain.key());
      assertTrue(uncertain.getMessage().contains("send the same request again with the same key"),
          uncertain.getMessage());
      Receipt again = accepted(loyalty.credit(credit));
      assertEquals(Points.of(100), again.balance().available());
      assertEquals(Points.of(100), balanceOf(loyalty, ALICE).available());
      assertEquals(1, accepted(loyalty.verify(ALICE)).entriesChecked(), "one credit");
    }
  }

  private static void transferWhoseCommitFails(TestDatabase database) throws SQLException {
    FlakyCommits flaky = new FlakyCommits(database);
    try (EntityManagerFactory factory = flaky.factory(); JpaLedgerStore store = JpaLedgerStore.create(factory)) {
      Loyalty loyalty = aCoffeeChain(store);
      enrolled(loyalty, ALICE);
      enrolled(loyalty, BOB);
      earned(loyalty, ALICE, 100);
      Transfer transfer = Transfer.of(ALICE, BOB, Points.of(30), "Gift", key("gift-1"));

      flaky.next = Fault.BEFORE_THE_COMMIT;
      assertThrows(CommitOutcomeUnknownException.class, () -> loyalty.transfer(transfer));

      assertEquals(Points.of(100), balanceOf(loyalty, ALICE).available());
      assertEquals(Points.ZERO, balanceOf(loyalty, BOB).available());
      accepted(loyalty.transfer(transfer));
      accepted(loyalty.transfer(transfer));
      assertEquals(Points.of(70), balanceOf(loyalty, ALICE).available());
      assertEquals(Points.of(30), balanceOf(loyalty, BOB).available());
      assertTrue(accepted(loyalty.verify(ALICE)).firstBadSequence().isEmpty());
      assertTrue(accepted(loyalty.verify(BOB)).firstBadSequence().isEmpty());
    }
  }

  private static Loyalty aCoffeeChain(JpaLedgerStore store) {
    return Fixtures.aLoyalty(store, TestClock.at(Fixtures.START), Fixtures.aProgram());
  }

  /**
   * A data source on the test's database whose connections fail their next commit, once, with a
   * lost connection's SQL state: before the database committed, or after it.
   */
  private static final class FlakyCommits {
    private final TestDatabase database;
    volatile Fault next = Fault.NONE;

    FlakyCommits(TestDatabase database) throws SQLException {
      this.database = database;
      try (Connection connection = database.connect()) {
        JpaLedgerStore.migrate(connection);
      }
    }

    EntityManagerFactory factory() {
      DataSource source = JdbcProxy.of(DataSource.class, (self, method, args) -> {
        if (method.getName().equals("getConnection")) {
          return connection(database.connect());
        }
        throw new java.sql.SQLFeatureNotSupportedException(method.getName());
      });
      return Persistence.createEntityManagerFactory(JpaLedgerStore.persistenceConfiguration("flaky-commits")
          .property("jakarta.persistence.nonJtaDataSource", source));
    }

    private Connection connection(Connection real) {
      return JdbcProxy.of(Connection.class, (self, method, args) -> {
        if (method.getName().equals("commit") && next != Fault.NONE) {
          Fault fault = next;
          next = Fault.NONE;
          if (fault == Fault.AFTER_THE_COMMIT) {
            real.commit();
          } else {
            real.rollback();
          }
          throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
        }
        return JdbcProxy.call(real, method, args);
      });
    }
  }
}
