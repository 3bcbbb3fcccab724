package io.github.loyaltyledger.jpa;

import org.junit.jupiter.api.BeforeAll;

/**
 * The store parity property on a real PostgreSQL server (see {@link TestDatabase#postgresql()}), in
 * a schema of its own. Every request and reading is a round trip to the server; its number of
 * scripts is set apart from H2's (system property {@code PARITY_PG_EXAMPLES}, 50 by default, about
 * 13 s).
 */
class StoreParityOnPostgresqlPropertiesTest extends StoreParityContract {

  @BeforeAll
  static void requirePostgresql() {
    TestDatabase.postgresql();
  }

  @Override
  void onDatabase(TestDatabase.Work work) throws Exception {
    TestDatabase.inPostgresqlSchema("store_parity_test", work);
  }

  @Override
  int examples() {
    return Integer.getInteger("PARITY_PG_EXAMPLES", 50);
  }
}
