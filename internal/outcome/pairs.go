package outcome

// Outcome pairs: what the summary report counts (migration 0021). Each
// review or exit measure with a baseline before it is one pair: the
// instrument's headline score at baseline and at that measure, and whether
// the person improved by the instrument's meaningful change (Improved).
// The pair is written with the measure, in the same transaction, so the
// report sums a range of one index instead of pairing a year of measures
// when it is read. next_at links a referral's follow-ups of an instrument
// in time order: the latest in a period is the one with nothing next
// before the period ends.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"oikos/internal/db"
)

// Insert stores one measure (and its pair, for a review or exit that has
// a baseline). m.Score nil stores it unscored, to be scored when first
// read. A second baseline is refused by the database (a unique violation,
// see db.IsUniqueViolation). Two follow-ups of one referral must not be
// inserted at once (Store.Record holds the referral's row), or the second
// could miss the first when linking them in time order.
func Insert(ctx context.Context, tx *sql.Tx, referralID string, m Measure) error {
	answers, err := json.Marshal(m.Answers)
	if err != nil {
		return err
	}
	score := []byte("{}")
	if len(m.Score) > 0 {
		score, _ = json.Marshal(m.Score)
	}
	at := db.Millis(m.RecordedAt)
	if _, err := tx.ExecContext(ctx, `INSERT INTO measures (id, referral_id, instrument, timepoint, answers, score, recorded_at, by_actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, m.ID, referralID, m.Instrument, m.Timepoint, string(answers), string(score), at, m.By); err != nil {
		return err
	}
	if m.Timepoint == Baseline {
		return nil
	}
	return addPair(ctx, tx, referralID, m.ID, m.Instrument, at, m.Score, m.Answers)
}

// pair is one row of outcome_pairs.
type pair struct {
	measureID, referralID, instrument string
	recordedAt                        int64
	nextAt                            sql.NullInt64
	baseline, latest                  sql.NullFloat64
	improved                          bool
}

// pairOf compares a follow-up's score with its baseline's.
func pairOf(instrument string, baseline, latest Score) (b, l sql.NullFloat64, improved bool) {
	h := Headline(instrument)
	if v, ok := baseline[h]; ok {
		b = sql.NullFloat64{Float64: v, Valid: true}
	}
	if v, ok := latest[h]; ok {
		l = sql.NullFloat64{Float64: v, Valid: true}
	}
	return b, l, Improved(instrument, baseline, latest)
}

// storedScore reads a stored score, scoring the answers where it was
// stored unscored; ok is false when neither can be read.
func storedScore(instrument, answers, score string) (Score, bool) {
	var s Score
	if json.Unmarshal([]byte(score), &s) == nil && len(s) > 0 {
		return s, true
	}
	var a []int
	if json.Unmarshal([]byte(answers), &a) != nil {
		return nil, false
	}
	s, err := ScoreAnswers(instrument, a)
	return s, err == nil
}

// addPair writes a new follow-up's pair and links it between the
// referral's follow-ups before and after it. Follow-ups are ordered by
// recorded_at, then id. A follow-up without a baseline at or before it has
// no pair (the store refuses one; older data may hold one).
func addPair(ctx context.Context, tx *sql.Tx, referralID, measureID, instrument string, at int64, score Score, answers []int) error {
	var bAnswers, bScore string
	var bAt int64
	err := tx.QueryRowContext(ctx, `SELECT answers, score, recorded_at FROM measures
		WHERE referral_id = $1 AND instrument = $2 AND timepoint = 'baseline'`, referralID, instrument).Scan(&bAnswers, &bScore, &bAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && bAt > at) {
		return nil
	}
	if err != nil {
		return err
	}
	baseline, ok := storedScore(instrument, bAnswers, bScore)
	if !ok {
		return nil
	}
	if len(score) == 0 {
		if score, err = ScoreAnswers(instrument, answers); err != nil {
			return nil
		}
	}
	p := pair{measureID: measureID, referralID: referralID, instrument: instrument, recordedAt: at}
	p.baseline, p.latest, p.improved = pairOf(instrument, baseline, score)
	if err := tx.QueryRowContext(ctx, `SELECT MIN(recorded_at) FROM outcome_pairs
		WHERE referral_id = $1 AND instrument = $2 AND (recorded_at > $3 OR (recorded_at = $3 AND measure_id > $4))`,
		referralID, instrument, at, measureID).Scan(&p.nextAt); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outcome_pairs SET next_at = $3
		WHERE measure_id = (SELECT measure_id FROM outcome_pairs
			WHERE referral_id = $1 AND instrument = $2 AND (recorded_at < $3 OR (recorded_at = $3 AND measure_id < $4))
			ORDER BY recorded_at DESC, measure_id DESC LIMIT 1)`, referralID, instrument, at, measureID); err != nil {
		return err
	}
	return insertPairs(ctx, tx, []pair{p})
}

// insertPairs writes pairs, up to pairsPerInsert to a statement.
func insertPairs(ctx context.Context, tx *sql.Tx, pairs []pair) error {
	const cols = 8
	for len(pairs) > 0 {
		n := min(len(pairs), pairsPerInsert)
		var q strings.Builder
		// Each pair carries its referral's scheme, for the scheme's report.
		q.WriteString("INSERT INTO outcome_pairs (measure_id, referral_id, instrument, recorded_at, next_at, baseline, latest, improved, scheme_id) VALUES ")
		args := make([]any, 0, n*cols)
		for i, p := range pairs[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, (SELECT scheme_id FROM referrals WHERE id = $%d))",
				i*cols+1, i*cols+2, i*cols+3, i*cols+4, i*cols+5, i*cols+6, i*cols+7, i*cols+8, i*cols+2)
			improved := 0
			if p.improved {
				improved = 1
			}
			args = append(args, p.measureID, p.referralID, p.instrument, p.recordedAt, p.nextAt, p.baseline, p.latest, improved)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		pairs = pairs[n:]
	}
	return nil
}

// pairsPerInsert keeps a statement under SQLite's default limit of 32,766
// parameters and PostgreSQL's 65,535.
const pairsPerInsert = 500

// CatchUp fills outcome_pairs from the measures recorded before it
// existed, once: migration 0021 leaves a note in rebuilds_pending where
// there are any. Run it after migrating, before serving. Servers starting
// together on one PostgreSQL database queue on the note's row, and the
// later ones find it gone.
func CatchUp(ctx context.Context, d *db.DB) (int, error) {
	var pending int
	if err := d.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM rebuilds_pending WHERE name = 'outcome_pairs'`).Scan(&pending); err != nil {
		return 0, err
	}
	if pending == 0 {
		return 0, nil
	}
	written := 0
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM rebuilds_pending WHERE name = 'outcome_pairs'`+d.Dialect.ForUpdate()).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // another process did it meanwhile
		} else if err != nil {
			return err
		}
		written, err = rebuild(ctx, tx)
		return err
	})
	return written, err
}

// rebuildMeasures is about how many measures Rebuild reads at once: a
// slice ends with a whole referral.
const rebuildMeasures = 20_000

// Rebuild writes outcome_pairs anew from every measure, in one
// transaction.
func Rebuild(ctx context.Context, d *db.DB) (int, error) {
	written := 0
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		written, err = rebuild(ctx, tx)
		return err
	})
	return written, err
}

// rebuild reads the referrals' measures a slice of referrals at a time,
// in order, so its memory stays small whatever the store holds.
func rebuild(ctx context.Context, tx *sql.Tx) (int, error) {
	written := 0
	if _, err := tx.ExecContext(ctx, `DELETE FROM outcome_pairs`); err != nil {
		return 0, err
	}
	after := ""
	for {
		var upTo sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MAX(referral_id) FROM (SELECT referral_id FROM measures
			WHERE referral_id > $1 ORDER BY referral_id LIMIT $2) slice`, after, rebuildMeasures).Scan(&upTo); err != nil {
			return 0, err
		}
		if !upTo.Valid {
			break
		}
		pairs, err := slicePairs(ctx, tx, after, upTo.String)
		if err != nil {
			return 0, err
		}
		if err := insertPairs(ctx, tx, pairs); err != nil {
			return 0, err
		}
		written += len(pairs)
		after = upTo.String
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM rebuilds_pending WHERE name = 'outcome_pairs'`)
	return written, err
}

// slicePairs works out the pairs of the referrals after..upTo.
func slicePairs(ctx context.Context, tx *sql.Tx, after, upTo string) ([]pair, error) {
	rows, err := tx.QueryContext(ctx, `SELECT f.id, f.referral_id, f.instrument, f.recorded_at, f.answers, f.score, b.answers, b.score
		FROM measures f JOIN measures b ON b.referral_id = f.referral_id AND b.instrument = f.instrument
			AND b.timepoint = 'baseline' AND b.recorded_at <= f.recorded_at
		WHERE f.referral_id > $1 AND f.referral_id <= $2 AND f.timepoint <> 'baseline'
		ORDER BY f.referral_id, f.instrument, f.recorded_at, f.id`, after, upTo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pair
	for rows.Next() {
		var p pair
		var answers, score, bAnswers, bScore string
		if err := rows.Scan(&p.measureID, &p.referralID, &p.instrument, &p.recordedAt, &answers, &score, &bAnswers, &bScore); err != nil {
			return nil, err
		}
		baseline, ok1 := storedScore(p.instrument, bAnswers, bScore)
		latest, ok2 := storedScore(p.instrument, answers, score)
		if !ok1 || !ok2 {
			continue
		}
		p.baseline, p.latest, p.improved = pairOf(p.instrument, baseline, latest)
		if n := len(out); n > 0 && out[n-1].referralID == p.referralID && out[n-1].instrument == p.instrument {
			out[n-1].nextAt = sql.NullInt64{Int64: p.recordedAt, Valid: true}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Totals is what the summary report reads of one instrument's pairs.
type Totals struct {
	Pairs, Improved        int
	BaselineSum, LatestSum float64
}

// PairTotals sums, per instrument, the pairs of each referral's latest
// follow-up recorded in [from, to) (milliseconds).
func PairTotals(ctx context.Context, tx *sql.Tx, scheme string, from, to int64) (map[string]Totals, error) {
	rows, err := tx.QueryContext(ctx, `SELECT instrument, COUNT(*), COALESCE(SUM(baseline), 0), COALESCE(SUM(latest), 0), COALESCE(SUM(improved), 0)
		FROM outcome_pairs
		WHERE scheme_id = $3 AND recorded_at >= $1 AND recorded_at < $2 AND (next_at IS NULL OR next_at >= $2)
		GROUP BY instrument`, from, to, scheme)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Totals{}
	for rows.Next() {
		var code string
		var t Totals
		if err := rows.Scan(&code, &t.Pairs, &t.BaselineSum, &t.LatestSum, &t.Improved); err != nil {
			return nil, err
		}
		out[code] = t
	}
	return out, rows.Err()
}
