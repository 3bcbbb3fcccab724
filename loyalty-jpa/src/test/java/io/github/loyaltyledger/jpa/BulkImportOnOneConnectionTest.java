package io.github.loyaltyledger.jpa;

import static io.github.loyaltyledger.Fixtures.aLoyalty;
import static io.github.loyaltyledger.Fixtures.aProgram;
import static io.github.loyaltyledger.Fixtures.earned;
import static io.github.loyaltyledger.Fixtures.enrolled;
import static io.github.loyaltyledger.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.TestClock;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.store.InMemoryLedgerStore;
import io.vavr.collection.List;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceConfiguration;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * {@link JpaLedgerStore#importMembers} on a store whose connection pool has one connection
 * (Hibernate's built-in pool, which refuses at once when it is exhausted): the import, which runs
 * two transactions at a time where it can (PostgreSQL), falls back to one at a time; on embedded H2
 * it runs them one at a time anyway ({@link WriteLock}).
 */
class BulkImportOnOneConnectionTest {

  @Test
  void anImportOfSeveralTransactionsCompletesWhenThePoolHasOneConnection() throws SQLException {
    importWithOneConnection(TestDatabase.h2InMemory());
  }

  @Test
  void anImportOfSeveralTransactionsCompletesWhenThePoolHasOneConnectionOnPostgresql() throws SQLException {
    importWithOneConnection(TestDatabase.emptyPostgresql());
  }

  private static void importWithOneConnection(TestDatabase database) throws SQLException {
    try (Connection connection = database.connect()) {
      JpaLedgerStore.migrate(connection);
    }
    InMemoryLedgerStore source = new InMemoryLedgerStore();
    Loyalty legacy = aLoyalty(source, TestClock.at("2026-05-01T09:00:00Z"), aProgram());
    List<MemberId> members = List.range(0, 2 * BulkImport.MEMBERS_PER_TRANSACTION + 1).map(i -> member("m-" + i));
    members.forEach(m -> {
      enrolled(legacy, m);
      earned(legacy, m, 1);
    });
    EntityManagerFactory factory = Persistence.createEntityManagerFactory(
        JpaLedgerStore.persistenceConfiguration("one-connection")
            .property(PersistenceConfiguration.JDBC_URL, database.url())
            .property(PersistenceConfiguration.JDBC_USER, database.user())
            .property(PersistenceConfiguration.JDBC_PASSWORD, database.password())
            .property("hibernate.connection.pool_size", "1"));
    try (factory; JpaLedgerStore store = JpaLedgerStore.create(factory)) {

      ImportReport report = store.importMembers(source, members);

      assertEquals(members.size(), report.membersImported());
      assertEquals(source.account(members.last()), store.account(members.last()));
      assertEquals(source.entries(members.last(), 1, 10), store.entries(members.last(), 1, 10));
    }
  }
}
