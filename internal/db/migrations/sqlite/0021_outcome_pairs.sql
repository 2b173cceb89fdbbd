-- The summary report's outcome figures, kept as measures are recorded
-- rather than worked out when the report is read: at national scale the
-- pairing (each referral's latest follow-up in the period, then its
-- baseline) took nine of the report's ten seconds.
--
-- One row per review or exit measure that has a baseline before it: the
-- instrument's headline score then and at this measure, and whether the
-- person improved by at least the instrument's meaningful change
-- (outcome.Improved, worked out in Go when the measure is recorded).
-- next_at is when the same referral's next review or exit of the same
-- instrument was recorded, NULL while this one is the latest. So the
-- latest follow-up of each referral in a period [from, to) is the row with
-- from <= recorded_at < to and no next_at before to: a range read of one
-- index, with no grouping or sorting.
CREATE TABLE outcome_pairs (
	measure_id TEXT PRIMARY KEY REFERENCES measures (id) ON DELETE CASCADE,
	referral_id TEXT NOT NULL,
	instrument TEXT NOT NULL,
	recorded_at BIGINT NOT NULL,
	next_at BIGINT,
	baseline REAL,
	latest REAL,
	improved INTEGER NOT NULL
)
-- ;
-- A referral's follow-ups of one instrument in order, to find the ones
-- before and after a new one.
CREATE INDEX outcome_pairs_sequence ON outcome_pairs (referral_id, instrument, recorded_at)
-- ;
-- Everything the report reads, in period order.
CREATE INDEX outcome_pairs_report ON outcome_pairs (recorded_at, next_at, instrument, baseline, latest, improved)
-- ;
-- The indexes the report's pairing read (0012, 0014) have no other use.
DROP INDEX measures_report
-- ;
DROP INDEX measures_baseline
-- ;
-- Work left for Go after the schema changes: outcome.CatchUp fills
-- outcome_pairs from the measures already recorded (improvement is a Go
-- rule), in one transaction that also removes this row.
CREATE TABLE rebuilds_pending (name TEXT PRIMARY KEY)
-- ;
INSERT INTO rebuilds_pending (name) SELECT 'outcome_pairs' WHERE EXISTS (SELECT 1 FROM measures WHERE timepoint <> 'baseline')
