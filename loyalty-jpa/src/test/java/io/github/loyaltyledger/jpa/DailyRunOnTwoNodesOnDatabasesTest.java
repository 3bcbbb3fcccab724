package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.DailyRunOnTwoNodes;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The daily run on two nodes (two stores with their own pools, two facades) on one database, at
 * once and on overlapping shares: see {@link DailyRunOnTwoNodes}. One node alone on another
 * database of the same kind gives the expected ledgers.
 */
class DailyRunOnTwoNodesOnDatabasesTest {

  private static final int ROUNDS = 15;

  private static DailyRunOnTwoNodes.Shared twoNodesOn(TestDatabase database) {
    JpaLedgerStore first = database.open();
    JpaLedgerStore second = database.open();
    return new DailyRunOnTwoNodes.Shared(first, second, () -> {
      first.close();
      second.close();
    });
  }

  private static void check(Supplier<TestDatabase> databases) {
    DailyRunOnTwoNodes.check(ROUNDS, () -> databases.get().open(), () -> twoNodesOn(databases.get()));
  }

  @Nested
  class OnH2 {

    @Test
    void twoNodesRunningTheSameDayAtOnceOnOverlappingSharesDoEveryPieceOfWorkOnceAsOneNodeWould() {
      check(TestDatabase::h2InMemory);
    }
  }

  @Nested
  class OnPostgresql {

    /* Skips (or, on CI, fails) before the test runs, not inside the rounds. */
    @BeforeEach
    void requirePostgresql() {
      TestDatabase.postgresql();
    }

    @Test
    void twoNodesRunningTheSameDayAtOnceOnOverlappingSharesDoEveryPieceOfWorkOnceAsOneNodeWould() {
      check(TestDatabase::emptyPostgresql);
    }
  }
}
