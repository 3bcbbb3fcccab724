package io.github.loyaltyledger.jpa;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.loyaltyledger.HonestHistories;
import io.github.loyaltyledger.program.NegativeBalancePolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The honest histories ({@link HonestHistories}) on the JPA store (H2 in memory), whose stored form round-trips
 * the account's lots (earned-at, original, expiry, vesting) and the entries' references: every
 * member of every history the library writes verifies after every step. Fewer histories than on
 * the in-memory store, as each step commits to a database.
 */
class VerifyHonestHistoriesOnH2Test {

  private static final TestDatabase DATABASE = TestDatabase.h2InMemory();
  private static JpaLedgerStore store;

  @BeforeAll
  static void open() {
    store = DATABASE.open();
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @ParameterizedTest
  @EnumSource(NegativeBalancePolicy.class)
  void everyMemberVerifiesAfterEveryStepOfAnyHistoryTheLibraryWrites(NegativeBalancePolicy policy) {
    qt().withExamples(QtExamples.scaled(25, 5))
        .forAll(lists().of(integers().between(0, HonestHistories.LAST_OP).zip(integers().between(0, 2), integers().between(1, 300),
            integers().between(0, 9), HonestHistories.Op::new)).ofSizeBetween(1, 40))
        .checkAssert(script -> {
          DATABASE.wipe();
          HonestHistories.check(store, policy, script);
        });
  }
}
