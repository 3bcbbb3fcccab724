-- Loyalty Ledger schema, version 6: closed members leave the birthday and anniversary indexes
-- (docs/adr/0008-jpa-store.md, amendment of 2026-11-27, "closed members receive no occasions").
--
-- Closing is final (an erased member is closed), so the daily run grants a closed member no
-- birthday and no anniversary; kept in the month-day indexes, every closed member was still read
-- and decoded on each of their days, every year, for ever. A closed member's row now holds neither
-- day: enrolment_day may be null, and the rows of members closed before this version are cleared.
-- The whole DueWork, in due_work, still holds the member's birthday and enrolment as before.

ALTER TABLE ledger_due_work ALTER COLUMN enrolment_day DROP NOT NULL;

UPDATE ledger_due_work SET birthday = NULL, enrolment_day = NULL
  WHERE member_id IN (SELECT member_id FROM ledger_account WHERE status = 'CLOSED');
