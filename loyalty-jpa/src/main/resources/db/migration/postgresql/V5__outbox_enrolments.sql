-- Loyalty Ledger schema, version 5: the outbox's enrolment events are found through a side table
-- written only for them (docs/adr/0008-jpa-store.md, amendment of 2026-11-26, second morning).
--
-- An erasure rewrites the member's enrolment events in the outbox without the birthday (the one
-- personal datum an event carries). Version 3 found them through an index on the member and event
-- type of every outbox row, so every event of every commit took an index entry at a place of its
-- own in that index (on H2 one more B-tree page, and its chunk's metadata, rewritten per commit;
-- 7% of the bytes a year of Bean Club wrote). Only enrolment events need finding: the side table
-- holds one row for each, its primary key the member first, so an erasure's lookup is one index
-- range and other events write nothing here.

CREATE TABLE ledger_outbox_enrolment (
  member_id            VARCHAR(64)  NOT NULL,
  outbox_id            BIGINT       NOT NULL,
  CONSTRAINT ledger_outbox_enrolment_pk PRIMARY KEY (member_id, outbox_id)
);

INSERT INTO ledger_outbox_enrolment (member_id, outbox_id)
  SELECT member_id, id
  FROM ledger_outbox
  WHERE event_type = 'MemberEnrolled';

DROP INDEX ledger_outbox_member;
