-- Loyalty Ledger schema, version 1. Instants are stored exactly, as epoch seconds plus
-- nanoseconds, because entry hashes cover them to the nanosecond.

CREATE TABLE ledger_account (
  member_id            VARCHAR(64)  NOT NULL,
  version              BIGINT       NOT NULL,
  status               VARCHAR(16)  NOT NULL,
  enrolled_at_seconds  BIGINT       NOT NULL,
  enrolled_at_nanos    INTEGER      NOT NULL,
  birthday             VARCHAR(8),
  zone_id              VARCHAR(64)  NOT NULL,
  last_sequence        BIGINT       NOT NULL,
  last_hash            VARCHAR(64)  NOT NULL,
  available            BIGINT       NOT NULL,
  pending              BIGINT       NOT NULL,
  held                 BIGINT       NOT NULL,
  lots                 TEXT    NOT NULL,
  CONSTRAINT ledger_account_pk PRIMARY KEY (member_id)
);

CREATE TABLE ledger_entry (
  member_id            VARCHAR(64)  NOT NULL,
  sequence_number      BIGINT       NOT NULL,
  kind                 VARCHAR(32)  NOT NULL,
  points               BIGINT       NOT NULL,
  movements            TEXT    NOT NULL,
  occurred_at_seconds  BIGINT       NOT NULL,
  occurred_at_nanos    INTEGER      NOT NULL,
  recorded_at_seconds  BIGINT       NOT NULL,
  recorded_at_nanos    INTEGER      NOT NULL,
  channel              VARCHAR(80)  NOT NULL,
  idempotency_key      VARCHAR(128) NOT NULL,
  reason               TEXT    NOT NULL,
  program_version      INTEGER      NOT NULL,
  rule_ids             TEXT    NOT NULL,
  reference_member     VARCHAR(64),
  reference_sequence   BIGINT,
  counterparty         VARCHAR(64),
  operator_name        TEXT   ,
  expires_at_seconds   BIGINT,
  expires_at_nanos     INTEGER,
  vests_at_seconds     BIGINT,
  vests_at_nanos       INTEGER,
  details              TEXT    NOT NULL,
  previous_hash        VARCHAR(64)  NOT NULL,
  hash                 VARCHAR(64)  NOT NULL,
  CONSTRAINT ledger_entry_pk PRIMARY KEY (member_id, sequence_number)
);

CREATE INDEX ledger_entry_reference ON ledger_entry (reference_member, reference_sequence);

CREATE TABLE ledger_request (
  idempotency_key      VARCHAR(128) NOT NULL,
  fingerprint          VARCHAR(128) NOT NULL,
  member_id            VARCHAR(64)  NOT NULL,
  status               VARCHAR(16)  NOT NULL,
  available            BIGINT       NOT NULL,
  pending              BIGINT       NOT NULL,
  held                 BIGINT       NOT NULL,
  entry_ids            TEXT    NOT NULL,
  CONSTRAINT ledger_request_key_unique PRIMARY KEY (idempotency_key)
);

CREATE TABLE ledger_counter (
  counter_key          VARCHAR(200) NOT NULL,
  counter_value        BIGINT       NOT NULL,
  CONSTRAINT ledger_counter_pk PRIMARY KEY (counter_key)
);
