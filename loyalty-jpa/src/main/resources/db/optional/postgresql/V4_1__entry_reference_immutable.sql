-- Optional: extends V1_1__ledger_immutable.sql to the side table of schema version 4, so that the
-- database also refuses to change or remove the rows that tie a reversal, capture, release or
-- refund to the entry it references (the library never does either). Apply it after
-- V4__lean_entry_rows.sql and V1_1__ledger_immutable.sql, whose function it uses.

CREATE TRIGGER ledger_entry_reference_insert_only
  BEFORE UPDATE OR DELETE ON ledger_entry_reference
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_entry_reference_no_truncate
  BEFORE TRUNCATE ON ledger_entry_reference
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
