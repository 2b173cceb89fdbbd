-- A volunteer's DBS check running out within 30 days is told to their
-- health champion (or the scheme's managers) once per volunteer and
-- expiry date: the sweep claims this row in the transaction that writes
-- the emails to the outbox, so that servers sweeping at once, or the same
-- one every minute, write them once. A renewed check has a new date and
-- is told about again when it too runs out. Nothing of a person is here:
-- a volunteer is a user.
CREATE TABLE dbs_expiry_notices (
	volunteer_id TEXT NOT NULL REFERENCES users (id),
	expires_on TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (volunteer_id, expires_on)
)
-- ;
-- The sweep looks every minute, across schemes, for checks running out in
-- the next 30 days: a short range of this index.
CREATE INDEX volunteers_dbs_due ON volunteers (dbs_expires_on)
-- ;
-- The volunteering report counts the people behind a period's matches:
-- hundreds of thousands of referrals a year, each read for its person. With
-- both in one index the read is the index's alone, in order of id; through
-- the primary key each was a second, random read of the referral's row
-- (SQLite: 8.6 s of server CPU for the report at 500,000 matches; 4.3 to
-- 4.7 with this and the referrals looked up in order of id).
CREATE INDEX referrals_person_of ON referrals (id, person_id)
