/**
 * The Jakarta Persistence adapter of Loyalty Ledger: {@link io.github.loyaltyledger.jpa.JpaLedgerStore}
 * implements the core's {@code LedgerStore} port on a relational database (embedded H2 by default,
 * PostgreSQL in production). The entities are package-private classes separate from the domain
 * types, mapped to and from them explicitly; ledger rows are insert-only; the schema ships as
 * versioned SQL per database under {@code db/migration/} and is validated, never generated; a
 * database that a newer version of the library migrated is refused with
 * {@link io.github.loyaltyledger.jpa.SchemaTooNewException}; a commit the database failed on
 * without saying whether it stored it is reported with
 * {@link io.github.loyaltyledger.jpa.CommitOutcomeUnknownException} (send the request again with its key).
 * {@link io.github.loyaltyledger.jpa.JpaLedgerStore#importMembers} copies members in bulk from
 * another store (the migration path), reporting with {@link io.github.loyaltyledger.jpa.ImportReport}
 * and refusing with {@link io.github.loyaltyledger.jpa.ImportRefusedException}.
 */
package io.github.loyaltyledger.jpa;
