-- Loyalty Ledger schema, version 2: the due-work index (DueWorkIndex), one row per member,
-- written in the transaction of every commit that changes the member's account. The columns
-- next_*, last_active_*, holds_points, birthday and enrolment_day index what DueWork holds, so that
-- the daily run's query reads only the members with work due; due_work is the whole DueWork as
-- text. Instants are epoch seconds plus nanoseconds, like everywhere else in the schema.

CREATE TABLE ledger_due_work (
  member_id            VARCHAR(64)  NOT NULL,
  account_version      BIGINT       NOT NULL,
  vesting_seconds      BIGINT,
  vesting_nanos        INTEGER,
  lot_expiry_seconds   BIGINT,
  lot_expiry_nanos     INTEGER,
  hold_expiry_seconds  BIGINT,
  hold_expiry_nanos    INTEGER,
  tier_review_seconds  BIGINT,
  tier_review_nanos    INTEGER,
  last_active_seconds  BIGINT       NOT NULL,
  last_active_nanos    INTEGER      NOT NULL,
  holds_points         BOOLEAN      NOT NULL,
  birthday             VARCHAR(8),
  enrolment_day        VARCHAR(8)   NOT NULL,
  partition_hash       BIGINT       NOT NULL,
  due_work             TEXT         NOT NULL,
  CONSTRAINT ledger_due_work_pk PRIMARY KEY (member_id)
);

CREATE INDEX ledger_due_work_vesting ON ledger_due_work (vesting_seconds);
CREATE INDEX ledger_due_work_lot_expiry ON ledger_due_work (lot_expiry_seconds);
CREATE INDEX ledger_due_work_hold_expiry ON ledger_due_work (hold_expiry_seconds);
CREATE INDEX ledger_due_work_tier_review ON ledger_due_work (tier_review_seconds);
CREATE INDEX ledger_due_work_inactive ON ledger_due_work (holds_points, last_active_seconds);
CREATE INDEX ledger_due_work_birthday ON ledger_due_work (birthday);
CREATE INDEX ledger_due_work_enrolment ON ledger_due_work (enrolment_day);
