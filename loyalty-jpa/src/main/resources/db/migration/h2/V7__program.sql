-- Loyalty Ledger schema, version 7: the program whose ledger the database keeps
-- (docs/adr/0008-jpa-store.md, amendment of 2026-11-28, "one store per program").
--
-- Accounts, entries, requests and the outbox are keyed by member, entry and request key alone, not
-- by program: a database keeps one program's ledger. The one row of this table names that program;
-- a facade of another program is refused when it is built (ProgramMismatchException). A database
-- migrated from an earlier version has no row: the first facade built on it writes its program's.
-- For several programs, give each a schema of its own (README "Several programs").
-- IF NOT EXISTS: applying the script again (a history restored from a backup) changes nothing.

CREATE TABLE IF NOT EXISTS ledger_program (
  slot                 INTEGER      NOT NULL,
  program_id           VARCHAR(40)  NOT NULL,
  CONSTRAINT ledger_program_pk PRIMARY KEY (slot),
  CONSTRAINT ledger_program_one_row CHECK (slot = 1)
);
