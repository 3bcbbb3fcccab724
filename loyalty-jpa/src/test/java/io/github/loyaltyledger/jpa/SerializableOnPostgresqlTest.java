package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.member;
import static io.github.loyaltyledger.Fixtures.points;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Credit;
import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Transfer;
import io.github.loyaltyledger.ledger.IdempotencyKey;
import io.github.loyaltyledger.member.MemberId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL whose transactions default to {@code SERIALIZABLE} ({@code default_transaction_isolation},
 * a setting some production databases carry): there a read can fail with a serialization failure
 * ("could not serialize access due to read/write dependencies among transactions"), which the store's
 * commit path classifies as a conflict but which a request's reads threw from the facade as a
 * {@code PersistenceException}. The store relies on READ COMMITTED's behaviour (ADR 0008) and runs its
 * requests' transactions so whatever the database's default.
 */
class SerializableOnPostgresqlTest {

  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  /*
   * The classic structure PostgreSQL cancels a reader for: another transaction (the pivot) read a row
   * before a third changed and committed it, then changes the sender's account and commits, after
   * the transfer's transaction began and before it reads that account.
   */
  @Test
  void aTransferWhoseReadMeetsAnotherNodesSerializationConflictCommitsInsteadOfThrowing() throws Exception {
    TestDatabase database = TestDatabase.emptyPostgresql();
    TestDatabase serializable = new TestDatabase(
        database.url() + (database.url().contains("?") ? "&" : "?")
            + "options=-c%20default_transaction_isolation=serializable",
        database.user(), database.password());
    MemberId ada = member("ada");
    MemberId ben = member("ben");
    MemberId cy = member("cy");
    try (JpaLedgerStore store = serializable.open();
        Connection pivot = serializable.connect();
        Connection third = serializable.connect()) {
      Runnable[] atNextInstant = {null};
      Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          Runnable hook = atNextInstant[0];
          atNextInstant[0] = null;
          if (hook != null) {
            hook.run();
          }
          return Instant.parse(Fixtures.START);
        }
      };
      Loyalty loyalty = Loyalty.builder().program(Fixtures.aProgram()).store(store).clock(clock).build();
      for (MemberId m : java.util.List.of(ada, ben, cy)) {
        Fixtures.enrolled(loyalty, m);
      }
      accepted(loyalty.credit(Credit.of(ada, points(100), "Beans", IdempotencyKey.of("beans"))));

      pivot.setAutoCommit(false);
      run(pivot, "SELECT version FROM ledger_account WHERE member_id = ?", cy, true);
      run(third, "UPDATE ledger_account SET version = version WHERE member_id = ?", cy, false);
      // The transfer's attempt has read its key, which began its transaction, when it asks the time.
      atNextInstant[0] = () -> {
        try {
          run(pivot, "UPDATE ledger_account SET version = version WHERE member_id = ?", ada, false);
          pivot.commit();
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      };

      accepted(loyalty.transfer(Transfer.of(ada, ben, points(30), "Gift", IdempotencyKey.of("gift"))));
      assertEquals(points(70), Fixtures.balanceOf(loyalty, ada).available());
      assertEquals(points(30), Fixtures.balanceOf(loyalty, ben).available());
    }
  }

  private static void run(Connection connection, String sql, MemberId member, boolean query) throws java.sql.SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, member.value());
      if (query) {
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
        }
      } else {
        assertEquals(1, statement.executeUpdate());
      }
    }
  }
}
