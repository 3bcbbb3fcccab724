-- Loyalty Ledger schema, version 3: member profiles (MemberProfiles), the personal data and consent
-- kept apart from the hash-chained ledger so that an erasure can delete them for real. One row per
-- member with a profile, and one row per external reference (system name to the member's id
-- there). Nothing else in the schema refers to these tables.
--
-- The member directory (MemberDirectory) needs no table of its own: it pages over the primary key
-- of ledger_account, which H2 orders as Java orders strings.

CREATE TABLE ledger_member_profile (
  member_id            VARCHAR(64)  NOT NULL,
  name                 VARCHAR,
  contact              VARCHAR,
  marketing            BOOLEAN      NOT NULL,
  birthday_offers      BOOLEAN      NOT NULL,
  CONSTRAINT ledger_member_profile_pk PRIMARY KEY (member_id)
);

CREATE TABLE ledger_member_external_ref (
  member_id            VARCHAR(64)  NOT NULL,
  system_name          VARCHAR      NOT NULL,
  external_id          VARCHAR      NOT NULL,
  CONSTRAINT ledger_member_external_ref_pk PRIMARY KEY (member_id, system_name),
  CONSTRAINT ledger_member_external_ref_profile FOREIGN KEY (member_id)
    REFERENCES ledger_member_profile (member_id)
);

-- An erasure rewrites the member's enrolment events in the outbox without the birthday; this index
-- finds them without scanning the outbox.
CREATE INDEX ledger_outbox_member ON ledger_outbox (member_id, event_type);
