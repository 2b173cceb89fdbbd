-- The summary report's outcome pairs for one instrument (SWEMWBS here),
-- written as a join: the store keeps one baseline per referral and
-- instrument, so the first baseline is the baseline, found by equality
-- with no ORDER BY ... LIMIT 1; the follow-up's score comes with it from
-- the window (no second read by id); and the pairs are materialised, so
-- each score is read from JSON once however often the totals name it.
-- oikos-bench --mode reports --try cmd/oikos-bench/testdata/outcome_pairs_join.sql
WITH follow AS (
	SELECT referral_id, recorded_at, score,
		ROW_NUMBER() OVER (PARTITION BY referral_id ORDER BY recorded_at DESC, id DESC) AS n
	FROM measures
	WHERE instrument = $1 AND timepoint IN ('review', 'exit') AND recorded_at >= $2 AND recorded_at < $3
), pairs AS MATERIALIZED (
	SELECT (b.score::json->>'metric')::float8 AS b, (f.score::json->>'metric')::float8 AS l
	FROM follow f JOIN measures b ON b.referral_id = f.referral_id AND b.instrument = $1 AND b.timepoint = 'baseline'
		AND b.recorded_at <= f.recorded_at
	WHERE f.n = 1
)
SELECT COUNT(*), COALESCE(SUM(b), 0), COALESCE(SUM(l), 0),
	COALESCE(SUM(CASE WHEN l - b >= 0.999999999 AND NOT l - b <= -0.999999999 THEN 1 ELSE 0 END), 0)
FROM pairs
