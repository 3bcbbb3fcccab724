package io.github.loyaltyledger.jpa;

import jakarta.persistence.PersistenceException;
import java.io.Serial;
import java.util.Objects;

/**
 * Why a store did not start, or {@link JpaLedgerStore#migrate} applied nothing: the database's schema
 * history ({@code loyalty_schema_history}) lists a version newer than this version of the library
 * knows, so a newer version of the library migrated it. This version could write what that one
 * misreads (a store from before schema version 5, say, did not list enrolment events, so a later
 * erasure would leave the birthday in the outbox), so it neither opens nor changes such a database:
 * upgrade the library to (at least) the version that migrated it. Nothing was written.
 */
public final class SchemaTooNewException extends PersistenceException {

  @Serial
  private static final long serialVersionUID = 1L;

  /** The newest version that the database's history lists (serialized). */
  private final String databaseVersion;

  /** The newest version that this library's scripts bring a schema to (serialized). */
  private final String libraryVersion;

  /**
   * @param databaseVersion the newest version the database's history lists, not null
   * @param libraryVersion the newest version this library's scripts bring a schema to, not null
   */
  SchemaTooNewException(String databaseVersion, String libraryVersion) {
    super("the ledger schema is at version " + Objects.requireNonNull(databaseVersion, "databaseVersion")
        + ", newer than this version of Loyalty Ledger knows (schema version "
        + Objects.requireNonNull(libraryVersion, "libraryVersion") + "): a newer version of the library migrated"
        + " the database, and this one could write what that one misreads; upgrade the library to the version"
        + " that migrated it (nothing was written)");
    this.databaseVersion = databaseVersion;
    this.libraryVersion = libraryVersion;
  }

  /** @return the newest schema version that the database's history lists, as it lists it (e.g. {@code "6"}) */
  public String databaseVersion() {
    return databaseVersion;
  }

  /** @return the newest schema version that this version of the library knows (e.g. {@code "5"}) */
  public String libraryVersion() {
    return libraryVersion;
  }
}
