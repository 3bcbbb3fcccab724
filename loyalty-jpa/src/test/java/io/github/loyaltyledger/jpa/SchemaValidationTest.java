package io.github.loyaltyledger.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceConfiguration;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Hibernate validates the store's mapping against the schema when the entity manager factory is
 * built (README, ADR 0008): the shipped schema validates on each database, and a database whose
 * schema does not match the mapping is refused at start-up, not at the first request that reads the
 * missing column.
 */
class SchemaValidationTest {

  @Nested
  class OnH2 {

    @Test
    void theShippedSchemaValidatesAndASchemaWithoutAMappedColumnIsRefusedAtStartUp() throws Exception {
      validates(TestDatabase.h2InMemory());
    }
  }

  @Nested
  class OnPostgresql {

    @Test
    void theShippedSchemaValidatesAndASchemaWithoutAMappedColumnIsRefusedAtStartUp() throws Exception {
      TestDatabase.inPostgresqlSchema("schema_validation_test", SchemaValidationTest::validates);
    }
  }

  private static void validates(TestDatabase database) throws Exception {
    try (JpaLedgerStore store = database.open()) {
      assertEquals(0, store.counter("nothing-counted"), "the migrated schema validates and answers");
    }
    try (EntityManagerFactory factory = Persistence.createEntityManagerFactory(unit(database))) {
      assertTrue(factory.isOpen(), "the application's own factory validates the shipped schema too");
    }

    try (Connection connection = database.connect(); Statement drop = connection.createStatement()) {
      drop.execute("ALTER TABLE ledger_entry DROP COLUMN details");
    }
    PersistenceException refused = assertThrows(PersistenceException.class, database::open);
    assertTrue(messages(refused).contains("details"), "the refusal names the missing column: " + messages(refused));
  }

  private static PersistenceConfiguration unit(TestDatabase database) {
    return JpaLedgerStore.persistenceConfiguration("validation-test")
        .property(PersistenceConfiguration.JDBC_URL, database.url())
        .property(PersistenceConfiguration.JDBC_USER, database.user())
        .property(PersistenceConfiguration.JDBC_PASSWORD, database.password());
  }

  private static String messages(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      text.append(t.getMessage()).append(" / ");
    }
    return text.toString();
  }
}
