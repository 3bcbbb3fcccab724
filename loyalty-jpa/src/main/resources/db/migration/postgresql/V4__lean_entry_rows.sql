-- Loyalty Ledger schema, version 4: leaner ledger_entry rows, which a bulk import writes by the
-- tens of thousands per second (docs/adr/0008-jpa-store.md, amendment of 2026-11-26, night).
--
-- 1. The entries that reference another (reversals, captures, releases, refunds) are found through
--    a side table written only for them, instead of an index on ledger_entry's reference columns,
--    which took an index entry (and its undo record) for every entry, most of them with no
--    reference at all. The reference columns stay on ledger_entry, which keeps the whole entry;
--    the side table only indexes them: one row per referencing entry, its primary key the
--    referenced entry first, so that LedgerStore.referencing is one index range.
-- 2. The two hashes of an entry (SHA-256, 64 lower-case hex digits in the domain) are stored as
--    their 32 bytes instead of 64 characters each: a third less row to serialise and write.

DROP INDEX ledger_entry_reference;

CREATE TABLE ledger_entry_reference (
  reference_member     VARCHAR(64)  NOT NULL,
  reference_sequence   BIGINT       NOT NULL,
  member_id            VARCHAR(64)  NOT NULL,
  sequence_number      BIGINT       NOT NULL,
  CONSTRAINT ledger_entry_reference_pk
    PRIMARY KEY (reference_member, reference_sequence, member_id, sequence_number)
);

INSERT INTO ledger_entry_reference (reference_member, reference_sequence, member_id, sequence_number)
  SELECT reference_member, reference_sequence, member_id, sequence_number
  FROM ledger_entry
  WHERE reference_member IS NOT NULL;

-- A column type change rewrites the table without firing row triggers, so this also runs where
-- the optional insert-only triggers (db/optional/postgresql) are installed.
ALTER TABLE ledger_entry
  ALTER COLUMN previous_hash TYPE BYTEA USING decode(previous_hash, 'hex'),
  ALTER COLUMN hash TYPE BYTEA USING decode(hash, 'hex');
