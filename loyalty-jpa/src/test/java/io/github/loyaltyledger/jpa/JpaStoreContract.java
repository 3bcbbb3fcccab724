package io.github.loyaltyledger.jpa;

import io.github.loyaltyledger.store.DueWorkIndexContract;
import io.github.loyaltyledger.store.LedgerStore;
import io.github.loyaltyledger.store.LedgerStoreContract;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

/**
 * The core store contract, and the due-work index, member directory and profile and bulk import
 * contracts nested in it, on one database per test
 * class: the store is opened (and the schema migrated) by the first test and emptied before each
 * test, so that Hibernate starts once per database rather than once per test.
 */
abstract class JpaStoreContract extends LedgerStoreContract {

  private static TestDatabase database;
  private static JpaLedgerStore shared;

  /** @return the database of this test class; called once, before its first test */
  abstract TestDatabase database();

  @Override
  protected LedgerStore newStore() {
    if (shared == null) {
      database = database();
      shared = database.open();
    }
    database.wipe();
    return shared;
  }

  /** The due-work index contract on the same database and store. */
  @Nested
  class DueWorkIndexOnTheSameDatabase extends DueWorkIndexContract {

    @Override
    protected LedgerStore newStore() {
      return JpaStoreContract.this.newStore();
    }
  }

  /** The member directory and member profiles on the same database and store. */
  @Nested
  class MembersAndProfilesOnTheSameDatabase extends MembersAndProfilesContract {

    @Override
    JpaLedgerStore emptyStore() {
      newStore();
      return shared;
    }

    @Override
    Connection connect() throws SQLException {
      return database.connect();
    }
  }

  /** The bulk import on the same database and store. */
  @Nested
  class BulkImportOnTheSameDatabase extends BulkImportContract {

    @Override
    JpaLedgerStore emptyStore() {
      newStore();
      return shared;
    }

    @Override
    Connection connect() throws SQLException {
      return database.connect();
    }
  }

  @AfterAll
  static void closeDatabase() {
    if (shared != null) {
      shared.close();
      shared = null;
      database = null;
    }
  }

  /*
   * The hot-member test grows thousands of live lots, which the account row carries and rewrites on
   * every change; 100 operations per thread keep the suite short on a 2-core machine.
   */
  @Override
  protected int operationsPerThread() {
    return 100;
  }
}
