-- The summary report counts a period's referrals, connections and
-- follow-up measures in SQL. These indexes hold every column those counts
-- read, so a year of a national scheme is counted from the index alone,
-- without a read of each row.
CREATE INDEX referrals_report ON referrals (received_at, source_type, status, source_organisation_id, first_contact_at)
-- ;
CREATE INDEX connections_report ON connections (created_at, status, organisation_id)
-- ;
-- A period's review and exit measures of one instrument, with their
-- scores: the latest of each referral's is found and scored from this
-- index without reading a measure's row (its baseline comes from
-- measures_baseline, migration 0014).
CREATE INDEX measures_report ON measures (instrument, timepoint, recorded_at, referral_id, score)
