package io.github.loyaltyledger.jpa;

/** The store parity property on H2 in memory (system property {@code PARITY_EXAMPLES}, 50 scripts by default). */
class StoreParityOnH2PropertiesTest extends StoreParityContract {

  @Override
  void onDatabase(TestDatabase.Work work) throws Exception {
    work.on(TestDatabase.h2InMemory());
  }

  @Override
  int examples() {
    return Integer.getInteger("PARITY_EXAMPLES", 50);
  }
}
