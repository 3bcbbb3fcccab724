package io.github.loyaltyledger.jpa;

import org.junit.jupiter.api.Test;

/**
 * Embedded H2 with a short {@code LOCK_TIMEOUT}, where an application's own transaction holds a row
 * the store writes: the store's writers take turns ({@link WriteLock}), but an application's
 * transaction on the same database does not take that lock.
 */
class LockTimeoutOnH2Test {

  @Test
  void aProfileSaveThatTimesOutOnEveryTryIsRefusedAsAConcurrentModificationAndWritesNothing() throws Exception {
    TestDatabase database = TestDatabase.h2InMemory();
    LockTimeoutOnPostgresqlTest.profileSaveTimingOutOnEveryTry(database,
        new TestDatabase(database.url() + ";LOCK_TIMEOUT=50", database.user(), database.password()));
  }

  @Test
  void aProfileDeletionThatTimesOutOnEveryTryIsAConflictAndAnErasureMeetingItCompletesWhenSentAgain()
      throws Exception {
    TestDatabase database = TestDatabase.h2InMemory();
    LockTimeoutOnPostgresqlTest.profileDeletionTimingOutOnEveryTry(database,
        new TestDatabase(database.url() + ";LOCK_TIMEOUT=50", database.user(), database.password()));
  }
}
