package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.LedgerStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on H2 in a file, with the durable settings {@link JpaLedgerStore#h2File} ships. */
class H2FileLedgerStoreTest extends LedgerStoreContract {

  @TempDir
  static Path folder;

  private static TestDatabase database;
  private static JpaLedgerStore shared;

  @BeforeAll
  static void openDatabase() {
    database = TestDatabase.h2File(folder.resolve("ledger"));
    shared = JpaLedgerStore.h2File(folder.resolve("ledger"));
  }

  @AfterAll
  static void closeDatabase() {
    shared.close();
  }

  @Override
  protected LedgerStore newStore() {
    database.wipe();
    return shared;
  }

  @Override
  protected int operationsPerThread() {
    return 100;
  }
}
