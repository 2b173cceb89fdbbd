package outcome_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/outcome"
)

// pairsMeasure is a measure as the reference below sees it.
type pairsMeasure struct {
	outcome.Measure
	referral string
}

// referencePairs is the report's definition worked out the slow way: for
// each referral and instrument, the latest review or exit recorded in
// [from, to) (by time, then id) that has a baseline at or before it.
func referencePairs(ms []pairsMeasure, from, to time.Time) map[string]outcome.Totals {
	type key struct{ referral, instrument string }
	baselines := map[key]pairsMeasure{}
	latest := map[key]pairsMeasure{}
	for _, m := range ms {
		if m.Timepoint == outcome.Baseline {
			baselines[key{m.referral, m.Instrument}] = m
		}
	}
	for _, m := range ms {
		k := key{m.referral, m.Instrument}
		b, ok := baselines[k]
		if m.Timepoint == outcome.Baseline || !ok || b.RecordedAt.After(m.RecordedAt) || m.RecordedAt.Before(from) || !m.RecordedAt.Before(to) {
			continue
		}
		if l, ok := latest[k]; !ok || m.RecordedAt.After(l.RecordedAt) || (m.RecordedAt.Equal(l.RecordedAt) && m.ID > l.ID) {
			latest[k] = m
		}
	}
	out := map[string]outcome.Totals{}
	for k, l := range latest {
		b := baselines[k]
		t := out[k.instrument]
		h := outcome.Headline(k.instrument)
		t.Pairs++
		t.BaselineSum += b.Score[h]
		t.LatestSum += l.Score[h]
		if outcome.Improved(k.instrument, b.Score, l.Score) {
			t.Improved++
		}
		out[k.instrument] = t
	}
	return out
}

func sameTotals(got, want map[string]outcome.Totals) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		g := got[k]
		if g.Pairs != w.Pairs || g.Improved != w.Improved || math.Abs(g.BaselineSum-w.BaselineSum) > 1e-6 || math.Abs(g.LatestSum-w.LatestSum) > 1e-6 {
			return false
		}
	}
	return true
}

// pairRows reads outcome_pairs whole, in a fixed order.
func pairRows(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), `SELECT measure_id, referral_id, instrument, recorded_at, next_at, baseline, latest, improved
		FROM outcome_pairs ORDER BY measure_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, ref, in string
		var at int64
		var next sql.NullInt64
		var b, l sql.NullFloat64
		var improved int
		if err := rows.Scan(&id, &ref, &in, &at, &next, &b, &l, &improved); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(id, ref, in, at, next, b, l, improved))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func totalsIn(t *testing.T, d *db.DB, from, to time.Time) map[string]outcome.Totals {
	t.Helper()
	var got map[string]outcome.Totals
	err := d.ReadTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		got, err = outcome.PairTotals(context.Background(), tx, "", db.Millis(from), db.Millis(to))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestPairsMatchTheirDefinition records baselines, then follow-ups in a
// random order (some at the same moment, one before its baseline), and
// checks the kept pairs against the definition worked out from the
// measures for many periods; then that a rebuild from the measures alone
// writes the same rows, and that CatchUp does one when a migration asks.
func TestPairsMatchTheirDefinition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(6, 21))
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		at := func(days int) time.Time { return start.Add(time.Duration(days) * 24 * time.Hour) }
		answers := map[string]func() []int{
			"friends": func() []int { return []int{r.IntN(6)} },
			"ucla3":   func() []int { return []int{1 + r.IntN(3), 1 + r.IntN(3), 1 + r.IntN(3)} },
		}
		var baselines, followUps []pairsMeasure
		n := 0
		for range 6 {
			ref := oikostest.AcceptedReferralOf(t, d, oikostest.Ada).ID
			for _, code := range []string{"friends", "ucla3"} {
				b := at(r.IntN(60))
				n++
				baselines = append(baselines, pairsMeasure{outcome.Measure{ID: fmt.Sprintf("msr_%03d", n), Instrument: code,
					Timepoint: outcome.Baseline, Answers: answers[code](), RecordedAt: b, By: "usr_test"}, ref})
				for k := range r.IntN(6) {
					day := r.IntN(300) + 60
					if k == 3 {
						day = r.IntN(60) // perhaps before the baseline
					}
					tp := outcome.Review
					if r.IntN(4) == 0 {
						tp = outcome.Exit
					}
					n++
					followUps = append(followUps, pairsMeasure{outcome.Measure{ID: fmt.Sprintf("msr_%03d", n), Instrument: code,
						Timepoint: tp, Answers: answers[code](), RecordedAt: at(day), By: "usr_test"}, ref})
				}
			}
		}
		// Two follow-ups of one referral at the same moment: the later id
		// is the latest.
		twin := followUps[0]
		twin.ID, twin.Answers = "msr_999", answers[twin.Instrument]()
		followUps = append(followUps, twin)
		r.Shuffle(len(followUps), func(i, j int) { followUps[i], followUps[j] = followUps[j], followUps[i] })

		var all []pairsMeasure
		for _, group := range [][]pairsMeasure{baselines, followUps} {
			for i, m := range group {
				score, err := outcome.ScoreAnswers(m.Instrument, m.Answers)
				if err != nil {
					t.Fatal(err)
				}
				if i%2 == 0 {
					group[i].Score = score // the rest are stored unscored
				}
				err = d.Tx(ctx, func(tx *sql.Tx) error { return outcome.Insert(ctx, tx, m.referral, group[i].Measure) })
				if err != nil {
					t.Fatal(err)
				}
				m.Score = score
				all = append(all, m)
			}
		}

		check := func(stage string) {
			t.Helper()
			for _, span := range [][2]int{{0, 400}, {0, 1}, {60, 120}, {100, 200}, {150, 151}, {200, 365}, {365, 400}} {
				from, to := at(span[0]), at(span[1])
				got, want := totalsIn(t, d, from, to), referencePairs(all, from, to)
				if !sameTotals(got, want) {
					t.Fatalf("%s, days %v: pairs %+v, want %+v", stage, span, got, want)
				}
			}
		}
		check("recorded one by one")
		if want := referencePairs(all, at(0), at(400)); want["friends"].Pairs == 0 || want["ucla3"].Pairs == 0 {
			t.Fatalf("the test made no pairs: %+v", want)
		}

		kept := pairRows(t, d)
		written, err := outcome.Rebuild(ctx, d)
		if err != nil || written != len(kept) {
			t.Fatalf("rebuild wrote %d, %v; want %d", written, err, len(kept))
		}
		if rebuilt := pairRows(t, d); !slices.Equal(rebuilt, kept) {
			t.Fatalf("rebuilt pairs differ:\n%v\nkept:\n%v", rebuilt, kept)
		}

		// As migration 0021 leaves a database whose measures came before it.
		if _, err := d.Exec(ctx, `DELETE FROM outcome_pairs`); err != nil {
			t.Fatal(err)
		}
		if n, err := outcome.CatchUp(ctx, d); err != nil || n != 0 {
			t.Fatalf("catch-up with nothing pending: %d, %v", n, err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO rebuilds_pending (name) VALUES ('outcome_pairs')`); err != nil {
			t.Fatal(err)
		}
		// Two servers starting at once: one rebuilds, the other finds it
		// done.
		results := make(chan int, 2)
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				n, err := outcome.CatchUp(ctx, d)
				results <- n
				errs <- err
			}()
		}
		n1, n2 := <-results, <-results
		if err := errors.Join(<-errs, <-errs); err != nil || n1+n2 != len(kept) {
			t.Fatalf("catch-ups at once: %d and %d, %v; want %d in all", n1, n2, err, len(kept))
		}
		if rebuilt := pairRows(t, d); !slices.Equal(rebuilt, kept) {
			t.Fatalf("caught-up pairs differ:\n%v\nkept:\n%v", rebuilt, kept)
		}
		check("caught up")
		if n, err := outcome.CatchUp(ctx, d); err != nil || n != 0 {
			t.Fatalf("second catch-up: %d, %v", n, err)
		}
	})
}
