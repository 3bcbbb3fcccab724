package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aKey;
import static io.github.loyaltyledger.Fixtures.aPurchaseOf;
import static io.github.loyaltyledger.Fixtures.accepted;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.key;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.Reversal;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.ledger.Receipt;
import io.github.loyaltyledger.member.MemberId;
import io.vavr.collection.List;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceConfiguration;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A request needs one connection at a time: its reads, its tier check and its commit run on the
 * connection of its attempt ({@code LedgerStore.attempt}), so a store whose pool holds a single
 * connection serves every request (Hibernate's built-in pool refuses a second checkout at once).
 */
class OneConnectionPerRequestTest {

  private static final MemberId ALICE = member("alice");

  @Nested
  class OnH2 {

    @Test
    void earningWithATierCheckAndReversingNeedOnlyTheOneConnectionOfThePool() throws SQLException {
      serveOnOneConnection(TestDatabase.h2InMemory());
    }
  }

  @Nested
  class OnPostgresql {

    @Test
    void earningWithATierCheckAndReversingNeedOnlyTheOneConnectionOfThePool() throws Exception {
      TestDatabase.inPostgresqlSchema("ledger_one_connection_test", OneConnectionPerRequestTest::serveOnOneConnection);
    }
  }

  private static void serveOnOneConnection(TestDatabase database) throws SQLException {
    try (Connection connection = database.connect()) {
      JpaLedgerStore.migrate(connection);
    }
    EntityManagerFactory factory = Persistence.createEntityManagerFactory(
        JpaLedgerStore.persistenceConfiguration("one-connection-per-request")
            .property(PersistenceConfiguration.JDBC_URL, database.url())
            .property(PersistenceConfiguration.JDBC_USER, database.user())
            .property(PersistenceConfiguration.JDBC_PASSWORD, database.password())
            .property("hibernate.connection.autocommit", "true")
            .property("hibernate.connection.pool_size", "1"));
    try (factory; JpaLedgerStore store = JpaLedgerStore.create(factory)) {
      TestClock clock = TestClock.at(Fixtures.START);
      Loyalty loyalty = aCoffeeChain(store, clock);
      enrolled(loyalty, ALICE);
      Receipt first = accepted(loyalty.earn(aPurchaseOf(ALICE, "30.00", key("pos-1"))));
      accepted(loyalty.reverse(Reversal.of(first.entries().head().id(), "keyed twice", aKey())));
      accepted(loyalty.earn(aPurchaseOf(ALICE, "30.00", key("pos-2"))));

      // A second facade knows no tier facts yet, so its tier check reads the member's entries
      // (the reversal's original among them) inside the purchase's attempt.
      Loyalty restarted = aCoffeeChain(store, clock);
      accepted(restarted.earn(aPurchaseOf(ALICE, "25.00", key("pos-3"))));

      assertEquals(List.of("gold"), restarted.tierOf(ALICE, clock.instant()).toList());
      assertEquals(Points.of(550), accepted(restarted.balance(ALICE)).total());
      assertTrue(accepted(restarted.verify(ALICE)).isIntact());
    }
  }

  private static Loyalty aCoffeeChain(JpaLedgerStore store, TestClock clock) {
    return Fixtures.aLoyalty(store, clock, Fixtures.aProgramWithTiers());
  }
}
