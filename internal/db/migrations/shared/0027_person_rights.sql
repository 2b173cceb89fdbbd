-- The person's rights under UK GDPR: restriction and erasure on request,
-- and erasure when the retention period has passed.
--
-- restricted_at: when processing was restricted at the person's request
-- (NULL: not restricted). The record stays, but lists and searches leave it
-- out except for managers, and no new connections or messages are made.
ALTER TABLE people ADD COLUMN restricted_at BIGINT
-- ;
-- Lists leave out the few restricted people with NOT IN over this index.
CREATE INDEX people_restricted ON people (id) WHERE restricted_at IS NOT NULL
-- ;
-- erased_at: when the person's details were erased (NULL: not erased). The
-- row stays, with only what the reports count (age band, sex, ethnicity,
-- postcode district), so that referrals, measures and connections still add
-- up in every report.
ALTER TABLE people ADD COLUMN erased_at BIGINT
-- ;
-- Each request a manager acted on (or the retention job's erasure), with
-- the reason given: kept after erasure, as the record that it was done.
-- Reasons are checked to hold none of the person's details.
CREATE TABLE person_requests (
	id TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES people (id),
	kind TEXT NOT NULL CHECK (kind IN ('erasure','restriction','lift_restriction')),
	reason TEXT NOT NULL,
	by_actor TEXT NOT NULL,
	at BIGINT NOT NULL
)
-- ;
CREATE INDEX person_requests_person ON person_requests (person_id, at)
-- ;
-- One row per day the retention job ran: the primary key lets one server
-- of several on one database claim the day's run, and keeps a history.
CREATE TABLE retention_runs (
	day TEXT PRIMARY KEY,
	started_at BIGINT NOT NULL,
	finished_at BIGINT,
	erased INTEGER NOT NULL DEFAULT 0
)
