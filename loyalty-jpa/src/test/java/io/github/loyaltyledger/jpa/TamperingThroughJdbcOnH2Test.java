package io.github.loyaltyledger.jpa;

/** Tampering through JDBC on H2 in memory. */
class TamperingThroughJdbcOnH2Test extends TamperingThroughJdbcContract {

  @Override
  TestDatabase database() {
    return TestDatabase.h2InMemory();
  }
}
