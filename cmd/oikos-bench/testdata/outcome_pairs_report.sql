-- The summary report's outcome pairs for SWEMWBS as internal/report
-- writes them (commit 750cc42), for comparison with outcome_pairs_join.sql.
WITH follow AS (
	SELECT referral_id, id, recorded_at,
		ROW_NUMBER() OVER (PARTITION BY referral_id ORDER BY recorded_at DESC, id DESC) AS n
	FROM measures
	WHERE instrument = $1 AND timepoint IN ('review', 'exit') AND recorded_at >= $2 AND recorded_at < $3
), pairs AS (
	SELECT latest.score AS l, (SELECT m.score FROM measures m
		WHERE m.referral_id = f.referral_id AND m.instrument = $1 AND m.timepoint = 'baseline' AND m.recorded_at <= f.recorded_at
		ORDER BY m.recorded_at, m.id LIMIT 1) AS b
	FROM follow f JOIN measures latest ON latest.id = f.id
	WHERE f.n = 1
)
SELECT COUNT(*), COALESCE(SUM((b::json->>'metric')::float8), 0), COALESCE(SUM((l::json->>'metric')::float8), 0),
	COALESCE(SUM(CASE WHEN ((((l::json->>'metric')::float8 - (b::json->>'metric')::float8) * 1) >= 0.999999999) AND NOT ((((l::json->>'metric')::float8 - (b::json->>'metric')::float8) * 1) <= -0.999999999) THEN 1 ELSE 0 END), 0)
FROM pairs WHERE b IS NOT NULL
