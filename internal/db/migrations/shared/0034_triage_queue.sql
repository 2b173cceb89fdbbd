-- The triage queue with 10,000 referrals waiting (oikos-bench --mode
-- triage). SQLite, without statistics, counted the queue through
-- referrals_scheme, which has the scheme and the status as two equal
-- columns, and looked every referral up in the table for who it is
-- assigned to: 10,000 lookups a page. With the status as a column of the
-- queue's own index too, that index has both, holds everything the count
-- and the page read (who it is assigned to, the person, urgency and when
-- it came), and is chosen: the count reads the index alone.
DROP INDEX referrals_triage
-- ;
CREATE INDEX referrals_triage ON referrals (scheme_id, status, urgency DESC, received_at, id, assigned_to, person_id) WHERE status = 'received'
-- ;
-- A link worker's open referrals, oldest first, beside the queue: with
-- only referrals_assigned, SQLite read the whole scheme in received order
-- (referrals_report) to find the worker's first few, 300 ms among
-- 100,000 referrals.
CREATE INDEX referrals_mine ON referrals (assigned_to, received_at, id) WHERE status <> 'closed'
