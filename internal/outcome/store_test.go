package outcome_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/outcome"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var worker = referral.Actor{UserID: "usr_worker", Client: "test"}

// problem returns the error's code and fields.
func problem(err error) (string, map[string]string) {
	var e *oikos.Error
	if !errors.As(err, &e) {
		return "", nil
	}
	return e.Code, e.Fields
}

func measureCount(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM measures").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecordAndList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := outcome.NewStore(d)
		clock := time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return clock }
		id := oikostest.AcceptedReferralOf(t, d, oikostest.Ada).ID

		// A review before any baseline is refused, naming the timepoint.
		_, err := s.Record(ctx, worker, id, "swemwbs", outcome.Review, []float64{3, 3, 3, 3, 3, 3, 3})
		if code, f := problem(err); code != oikos.EINVALID || f["timepoint"] == "" {
			t.Fatalf("review before baseline: %v", err)
		}
		base, err := s.Record(ctx, worker, id, "swemwbs", outcome.Baseline, []float64{3, 3, 3, 3, 3, 3, 3})
		if err != nil || base.ID == "" || base.Score["raw"] != 21 || base.Score["metric"] != 19.25 {
			t.Fatalf("baseline: %+v %v", base, err)
		}
		// One baseline per instrument; other instruments have their own.
		_, err = s.Record(ctx, worker, id, "swemwbs", outcome.Baseline, []float64{4, 4, 4, 4, 4, 4, 4})
		if code, f := problem(err); code != oikos.EINVALID || f["timepoint"] == "" {
			t.Fatalf("second baseline: %v", err)
		}
		if _, err := s.Record(ctx, worker, id, "ucla3", outcome.Exit, []float64{1, 1, 1}); err == nil {
			t.Fatal("an exit of ucla3 without its baseline")
		}
		clock = clock.Add(time.Minute)
		if _, err := s.Record(ctx, worker, id, "ucla3", outcome.Baseline, []float64{3, 2, 3}); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(outcome.ReviewInterval)
		review, err := s.Record(ctx, worker, id, "swemwbs", outcome.Review, []float64{4, 4, 3, 4, 3, 4, 4})
		if err != nil || review.Score["metric"] != 23.21 {
			t.Fatalf("review: %+v %v", review, err)
		}
		clock = clock.Add(time.Hour)
		if _, err := s.Record(ctx, worker, id, "swemwbs", outcome.Exit, []float64{5, 4, 4, 4, 4, 4, 4}); err != nil {
			t.Fatal(err)
		}

		list, err := s.List(ctx, worker, id)
		if err != nil || len(list) != 4 {
			t.Fatalf("list: %+v %v", list, err)
		}
		want := []struct {
			instrument, timepoint string
			headline              float64
		}{{"swemwbs", "baseline", 19.25}, {"ucla3", "baseline", 8}, {"swemwbs", "review", 23.21}, {"swemwbs", "exit", 26.02}}
		for i, w := range want {
			m := list[i]
			if m.Instrument != w.instrument || m.Timepoint != w.timepoint || m.Score[outcome.Headline(w.instrument)] != w.headline || m.By != worker.UserID {
				t.Errorf("%d: got %+v, want %+v", i, m, w)
			}
		}
		if list[0].ID != base.ID || list[0].Answers[6] != 3 || !list[0].RecordedAt.Equal(time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("first: %+v", list[0])
		}
		if !outcome.Improved("swemwbs", list[0].Score, list[3].Score) {
			t.Error("swemwbs from 19.25 to 26.02 is an improvement")
		}

		// Reviews: swemwbs has ended; ucla3's review is due now.
		due, err := s.ReviewsDue(ctx, worker, id)
		if err != nil || len(due) != 1 || due[0].Instrument != "ucla3" || !due[0].Now {
			t.Errorf("reviews due: %+v %v", due, err)
		}
		if got := oikostest.AuditActions(t, d, "referral.measures", id); got[audit.Create] != 4 || got[audit.Read] != 2 {
			t.Errorf("audit: %v", got)
		}
	})
}

func TestRecordRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := outcome.NewStore(d)
		id := oikostest.AcceptedReferralOf(t, d, oikostest.Ada).ID
		tests := []struct {
			name, instrument, timepoint string
			answers                     []float64
			fields                      []string
		}{
			{"unknown instrument", "phq9", "baseline", []float64{1}, []string{"instrument"}},
			{"wrong count", "ons4", "baseline", []float64{1, 2, 3}, []string{"answers"}},
			{"out of range", "ucla3", "baseline", []float64{1, 4, 0}, []string{"answers[1]", "answers[2]"}},
			{"fraction", "friends", "baseline", []float64{1.5}, []string{"answers[0]"}},
			{"unknown timepoint", "friends", "halfway", []float64{2}, []string{"timepoint"}},
			{"everything wrong at once", "", "", nil, []string{"instrument", "timepoint"}},
		}
		for _, tt := range tests {
			_, err := s.Record(ctx, worker, id, tt.instrument, tt.timepoint, tt.answers)
			code, f := problem(err)
			if code != oikos.EINVALID || len(f) != len(tt.fields) {
				t.Errorf("%s: got %v, want %v", tt.name, err, tt.fields)
				continue
			}
			for _, name := range tt.fields {
				if f[name] == "" {
					t.Errorf("%s: no message for %s in %v", tt.name, name, f)
				}
			}
		}
		if _, err := s.Record(ctx, worker, "ref_nobody", "friends", "baseline", []float64{2}); err == nil {
			t.Error("recorded against no referral")
		} else if code, _ := problem(err); code != oikos.ENOTFOUND {
			t.Errorf("unknown referral: %v", err)
		}
		if _, err := s.List(ctx, worker, "ref\x00"); err == nil {
			t.Error("listing a referral id with a NUL")
		}

		// A closed referral keeps its record as it was.
		if _, err := referral.NewStore(d).Transition(ctx, worker, id, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Record(ctx, worker, id, "friends", "baseline", []float64{2}); err == nil {
			t.Error("recorded on a closed referral")
		} else if code, _ := problem(err); code != oikos.ECONFLICT {
			t.Errorf("closed: %v", err)
		}
		if n := measureCount(t, d); n != 0 {
			t.Errorf("%d measures written by refused requests", n)
		}
		if got := oikostest.AuditActions(t, d, "referral.measures", id); got[audit.Create] != 0 {
			t.Errorf("refusals audited as writes: %v", got)
		}
		if due, err := s.ReviewsDue(ctx, worker, id); err != nil || len(due) != 0 {
			t.Errorf("reviews due on a closed referral: %v %v", due, err)
		}
	})
}

// Baselines written by the what-matters conversation come unscored; the
// first read scores them and keeps the score.
func TestListScoresStoredBaselines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := outcome.NewStore(d)
		id := oikostest.AcceptedReferralOf(t, d, oikostest.Ada).ID
		for i, row := range []struct{ instrument, answers string }{{"ons4", "[4,5,3,7]"}, {"swemwbs", "[2,2,2,2,2,2,2]"}, {"ucla3", "[9,9,9]"}} {
			if _, err := d.Exec(ctx, `INSERT INTO measures (id, referral_id, instrument, timepoint, answers, score, recorded_at, by_actor)
				VALUES ($1, $2, $3, 'baseline', $4, '{}', $5, 'usr_worker')`, db.NewID("msr"), id, row.instrument, row.answers, int64(1_770_000_000_000+i)); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.List(ctx, worker, id)
		if err != nil || len(list) != 3 {
			t.Fatalf("%+v %v", list, err)
		}
		if list[0].Score["anxiety"] != 7 || list[1].Score["metric"] != 15.32 || len(list[2].Score) != 0 {
			t.Errorf("scores on read: %+v", list)
		}
		var stored string
		if err := d.R().QueryRowContext(ctx, "SELECT score FROM measures WHERE instrument = 'swemwbs'").Scan(&stored); err != nil ||
			stored != `{"metric":15.32,"raw":14}` {
			t.Errorf("score kept: %q %v", stored, err)
		}
		// The stored baseline counts: a review may follow it.
		if _, err := s.Record(ctx, worker, id, "ons4", outcome.Review, []float64{6, 6, 6, 4}); err != nil {
			t.Error(err)
		}
	})
}

// Two first baselines sent at once: exactly one is kept.
func TestConcurrentBaselines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := outcome.NewStore(d)
		id := oikostest.AcceptedReferralOf(t, d, oikostest.Ada).ID
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.Record(ctx, worker, id, "friends", outcome.Baseline, []float64{float64(i)}) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if code, f := problem(err); code != oikos.EINVALID || f["timepoint"] == "" {
				t.Errorf("unexpected: %v", err)
			}
		}
		if ok != 1 || measureCount(t, d) != 1 {
			t.Errorf("%d baselines accepted, %d stored", ok, measureCount(t, d))
		}
	})
}
