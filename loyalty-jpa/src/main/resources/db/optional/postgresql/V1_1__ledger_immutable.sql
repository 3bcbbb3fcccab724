-- Optional: makes the database itself refuse to change or remove ledger entries and accepted
-- requests, whoever connects (the library never does either). Apply it after V1__ledger.sql:
-- add classpath:db/optional/postgresql to Flyway's locations, or run it with psql.

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % refused; correct an entry with a new one (a reversal or an adjustment)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_entry_insert_only
  BEFORE UPDATE OR DELETE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_entry_no_truncate
  BEFORE TRUNCATE ON ledger_entry
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_request_insert_only
  BEFORE UPDATE OR DELETE ON ledger_request
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_request_no_truncate
  BEFORE TRUNCATE ON ledger_request
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
