package io.github.loyaltyledger.jpa;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on H2 in a file, with the durable settings {@link JpaLedgerStore#h2File} ships. */
class H2FileLedgerStoreTest extends JpaStoreContract {

  @TempDir
  static Path folder;

  @Override
  TestDatabase database() {
    return TestDatabase.h2File(folder.resolve("ledger"));
  }
}
