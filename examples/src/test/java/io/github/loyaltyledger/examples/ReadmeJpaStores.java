package io.github.loyaltyledger.examples;

import io.github.loyaltyledger.Loyalty;
import io.github.loyaltyledger.jpa.H2Durability;
import io.github.loyaltyledger.jpa.JpaLedgerStore;
import io.github.loyaltyledger.program.LoyaltyProgram;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * The README's block on opening a {@link JpaLedgerStore}, compiled but not run: it is a menu of
 * alternatives, one of which needs a PostgreSQL server, and its files would go to the working
 * directory. The parameters supply what the block leaves to the reader. Each way of opening a store
 * is run by {@code loyalty-jpa}'s tests, and {@link ReadmeImportTest} runs one here.
 */
final class ReadmeJpaStores {

  private ReadmeJpaStores() {}

  static void open(LoyaltyProgram program, String secret, DataSource dataSource) {
    // --- README JPA store begins ---
    // Embedded H2 in a file (data/ledger.mv.db), durable: WRITE_DELAY=0, so no acknowledged commit
    // is lost when the process is killed (H2's default may lose the last half second).
    try (JpaLedgerStore store = JpaLedgerStore.h2File(Path.of("data/ledger"))) {
      Loyalty loyalty = Loyalty.builder().program(program).store(store).clock(Clock.systemUTC()).build();
      // ...
    }

    // Data you can make again (a simulation, a test fixture): H2 writes commits in the background,
    // within half a second; a killed process may lose the last ones, whole. Never for a live programme.
    JpaLedgerStore scratch = JpaLedgerStore.h2File(Path.of("target/sim"), H2Durability.DELAYED);

    // Any supported database by URL, with Hibernate's built-in connection pool (20 connections; the
    // store lets 10 threads use it at once, the others wait their turn):
    JpaLedgerStore store = JpaLedgerStore.fromJdbcUrl("jdbc:postgresql://db/loyalty", "app", secret);

    // Your own pool and settings: start from the store's persistence unit and add a data source.
    EntityManagerFactory emf = Persistence.createEntityManagerFactory(
        JpaLedgerStore.persistenceConfiguration("loyalty")
            .property("jakarta.persistence.nonJtaDataSource", dataSource));
    JpaLedgerStore pooled = JpaLedgerStore.create(emf);   // the schema must be applied (see below)
    // --- README JPA store ends ---
  }
}
