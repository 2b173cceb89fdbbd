-- Schemes are the boundary (DESIGN.md, "Schemes"): one deployment may host
-- several social prescribing schemes, each an organisation of kind
-- 'scheme' covering postcode districts. A district belongs to at most one
-- scheme, so the scheme covering a person's postcode is never in doubt.
CREATE TABLE scheme_areas (
	area TEXT PRIMARY KEY,
	scheme_id TEXT NOT NULL REFERENCES organisations (id)
)
-- ;
CREATE INDEX scheme_areas_scheme ON scheme_areas (scheme_id)
-- ;
-- Every referral belongs to one scheme: scheme_id is the scheme
-- organisation's id, or '' in a deployment without schemes, which works as
-- one. '' rather than NULL so that "this scheme's" is one equality, the
-- same on both databases and able to lead an index. Referrals made before
-- schemes had areas belong to the first scheme created (the only one, in
-- every deployment so far).
ALTER TABLE referrals ADD COLUMN scheme_id TEXT NOT NULL DEFAULT ''
-- ;
UPDATE referrals SET scheme_id = COALESCE((SELECT id FROM organisations WHERE kind = 'scheme' ORDER BY created_at, id LIMIT 1), '')
-- ;
-- Connections and outcome pairs carry their referral's scheme, written with
-- them, so that a scheme's report reads its own rows from one index
-- without a join per row.
ALTER TABLE connections ADD COLUMN scheme_id TEXT NOT NULL DEFAULT ''
-- ;
UPDATE connections SET scheme_id = COALESCE((SELECT r.scheme_id FROM referrals r WHERE r.id = connections.referral_id), '')
-- ;
ALTER TABLE outcome_pairs ADD COLUMN scheme_id TEXT NOT NULL DEFAULT ''
-- ;
UPDATE outcome_pairs SET scheme_id = COALESCE((SELECT r.scheme_id FROM referrals r WHERE r.id = outcome_pairs.referral_id), '')
-- ;
-- The triage queue and a manager's lists read one scheme's referrals in
-- received order.
CREATE INDEX referrals_scheme ON referrals (scheme_id, status, received_at)
-- ;
-- The report indexes (0012, 0021, 0023), led by the scheme.
DROP INDEX referrals_report
-- ;
CREATE INDEX referrals_report ON referrals (scheme_id, received_at, source_type, status, source_organisation_id, first_contact_at)
-- ;
DROP INDEX connections_report
-- ;
CREATE INDEX connections_report ON connections (scheme_id, created_at, status, organisation_id)
-- ;
DROP INDEX connections_engagement
-- ;
CREATE INDEX connections_engagement ON connections (scheme_id, created_at, service_id, organisation_id, status, first_attended_at)
-- ;
DROP INDEX outcome_pairs_report
-- ;
CREATE INDEX outcome_pairs_report ON outcome_pairs (scheme_id, recorded_at, next_at, instrument, baseline, latest, improved)
