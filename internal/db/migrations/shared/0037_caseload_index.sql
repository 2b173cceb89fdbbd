-- A link worker's caseload reads their open referrals in their scheme.
-- With the scheme beside it in the query (0028), SQLite chose the scheme's
-- index, which in a deployment of one scheme is every referral: the
-- caseload of 300 among 100,000 referrals took 180 ms a query instead of
-- 10. Leading with the link worker and then the scheme keeps it a short
-- range.
DROP INDEX referrals_assigned
-- ;
CREATE INDEX referrals_assigned ON referrals (assigned_to, scheme_id, status)
