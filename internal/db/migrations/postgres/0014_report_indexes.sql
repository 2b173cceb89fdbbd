-- The summary report pairs each referral's latest follow-up measure with
-- its baseline of the same instrument, a lookup per pair (a year of a
-- national scheme is some hundred thousand). This index answers it with
-- an index-only scan, already in the order the lookup wants (recorded_at,
-- then id, after the baseline timepoint), score included: no sort and no
-- heap fetch (see oikos-bench --mode reports --explain).
CREATE INDEX measures_baseline ON measures (referral_id, instrument, timepoint, recorded_at, id) INCLUDE (score)
