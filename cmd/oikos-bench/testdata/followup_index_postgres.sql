-- The index the join form of the outcome pairs (outcome_pairs_join.sql)
-- needs for the follow-ups to be read from the index alone, score
-- included: oikos-bench --mode reports --db postgres --setup this file.
-- On SQLite the same is (instrument, timepoint, recorded_at, referral_id,
-- id, score).
CREATE INDEX bench_measures_followup ON measures (instrument, timepoint, recorded_at) INCLUDE (referral_id, id, score)
