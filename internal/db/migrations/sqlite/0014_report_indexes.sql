-- The summary report pairs each referral's latest follow-up measure with
-- its baseline of the same instrument, a lookup per pair (a year of a
-- national scheme is some hundred thousand). This index answers it from
-- the index alone, already in the order the lookup wants (recorded_at,
-- then id, after the baseline timepoint), score included: no sort and no
-- read of the measure's row (see oikos-bench --mode reports --explain).
CREATE INDEX measures_baseline ON measures (referral_id, instrument, timepoint, recorded_at, id, score)
