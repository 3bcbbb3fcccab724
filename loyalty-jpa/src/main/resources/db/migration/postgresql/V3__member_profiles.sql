-- Loyalty Ledger schema, version 3: member profiles (MemberProfiles), the personal data and consent
-- kept apart from the hash-chained ledger so that an erasure can delete them for real. One row per
-- member with a profile, and one row per external reference (system name to the member's id
-- there). Nothing else in the schema refers to these tables.
--
-- The member directory (MemberDirectory) pages over the primary key of ledger_account in member-id
-- order as Java compares ids. The database's default collation (en_US.UTF-8, say) may order them
-- otherwise, so the key column is given the "C" collation (byte order, which is Java's order for
-- the ASCII that member ids consist of); its primary key index is rebuilt in that order.

ALTER TABLE ledger_account ALTER COLUMN member_id TYPE VARCHAR(64) COLLATE "C";

CREATE TABLE ledger_member_profile (
  member_id            VARCHAR(64)  NOT NULL,
  name                 TEXT,
  contact              TEXT,
  marketing            BOOLEAN      NOT NULL,
  birthday_offers      BOOLEAN      NOT NULL,
  CONSTRAINT ledger_member_profile_pk PRIMARY KEY (member_id)
);

CREATE TABLE ledger_member_external_ref (
  member_id            VARCHAR(64)  NOT NULL,
  system_name          TEXT         NOT NULL,
  external_id          TEXT         NOT NULL,
  CONSTRAINT ledger_member_external_ref_pk PRIMARY KEY (member_id, system_name),
  CONSTRAINT ledger_member_external_ref_profile FOREIGN KEY (member_id)
    REFERENCES ledger_member_profile (member_id)
);

-- An erasure rewrites the member's enrolment events in the outbox without the birthday; this index
-- finds them without scanning the outbox.
CREATE INDEX ledger_outbox_member ON ledger_outbox (member_id, event_type);
