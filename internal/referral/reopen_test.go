package referral_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestCheckReopen(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	day := 24 * time.Hour
	for _, tt := range []struct {
		name     string
		status   referral.Status
		closedAt *time.Time
		ok       bool
		says     string
	}{
		{"closed a minute ago", referral.Closed, at(time.Minute), true, ""},
		{"closed 89 days ago", referral.Closed, at(89 * day), true, ""},
		{"closed exactly 90 days ago", referral.Closed, at(90 * day), true, ""},
		{"closed 90 days and a second ago", referral.Closed, at(90*day + time.Second), false, "more than 90 days ago"},
		{"closed a year ago", referral.Closed, at(365 * day), false, "Make a new referral"},
		{"closed with no date", referral.Closed, nil, false, "no closing date"},
		{"open", referral.Active, nil, false, "Only a closed referral"},
		{"waiting", referral.Received, nil, false, "Only a closed referral"},
	} {
		err := referral.CheckReopen(tt.status, tt.closedAt, now)
		if (err == nil) != tt.ok || (err != nil && !strings.Contains(err.Error(), tt.says)) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestReopen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		s := referral.NewStore(d)
		s.Now = func() time.Time { return clock }
		var changes []referral.Change
		s.OnChange = func(ctx context.Context, tx *sql.Tx, c referral.Change) error {
			changes = append(changes, c)
			return nil
		}
		r, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []referral.Status{referral.Accepted, referral.Contacted} {
			if _, err := s.Transition(ctx, gp, r.ID, to, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Reopen(ctx, gp, r.ID, "Closed by mistake"); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("open: %v", err)
		}
		if _, err := s.Transition(ctx, gp, r.ID, referral.Closed, "disengaged"); err != nil {
			t.Fatal(err)
		}
		// A closed referral does not move on by Transition, which says how.
		if _, err := s.Transition(ctx, gp, r.ID, referral.Accepted, ""); oikos.ErrorCode(err) != oikos.ECONFLICT || !strings.Contains(oikos.ErrorMessage(err), "reopened") {
			t.Fatalf("transition from closed: %v", err)
		}
		for _, reason := range []string{"", "  ", strings.Repeat("x", referral.MaxReopenReason+1), "a\x00b"} {
			if _, err := s.Reopen(ctx, gp, r.ID, reason); fields(err)["reason"] == "" {
				t.Errorf("reason %q: %v", reason, err)
			}
		}
		clock = clock.AddDate(0, 0, 60)
		got, err := s.Reopen(ctx, gp, r.ID, "  She rang back: she would like to try the walking group after all. ")
		if err != nil || got.Status != referral.Accepted || got.ClosedAt != nil || got.ClosedReason != "" || got.FirstContactAt == nil {
			t.Fatalf("reopen: %+v %v", got, err)
		}
		if last := changes[len(changes)-1]; last.From != referral.Closed || last.To != referral.Accepted || !strings.HasPrefix(last.Reason, "She rang back") {
			t.Errorf("change %+v", last)
		}
		// The closing is kept in the history, then the reopening.
		var history []string
		rows, err := d.R().QueryContext(ctx, "SELECT from_status, to_status, reason FROM referral_events WHERE referral_id = $1 ORDER BY position", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var from, to, reason string
			rows.Scan(&from, &to, &reason)
			history = append(history, from+">"+to+":"+reason)
		}
		rows.Close()
		want := []string{">received:", "received>accepted:", "accepted>contacted:", "contacted>closed:disengaged",
			"closed>accepted:She rang back: she would like to try the walking group after all."}
		if !slices.Equal(history, want) {
			t.Fatalf("history %v", history)
		}
		// Closed again, it may be reopened within 90 days of this closing;
		// after them, no more.
		if _, err := s.Transition(ctx, gp, r.ID, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}
		clock = clock.AddDate(0, 0, 91)
		_, err = s.Reopen(ctx, gp, r.ID, "Too late")
		var e *oikos.Error
		if !errors.As(err, &e) || e.Code != oikos.ECONFLICT || !strings.Contains(e.Message, "more than 90 days ago") {
			t.Fatalf("late: %v", err)
		}
		if got, _ := s.Get(ctx, r.ID); got.Status != referral.Closed || got.ClosedReason != "goals_met" {
			t.Fatalf("a refused reopening changed it: %+v", got)
		}
		if _, err := s.Reopen(ctx, gp, "ref_nobody", "Why not"); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Fatalf("nobody: %v", err)
		}
	})
}

func TestOtherOpenReferrals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sc := newSchemes(t, d)
		s := referral.NewStore(d)
		first := refer(t, s, "Margaret", "Hughes", "1948-05-02", "943 476 5919", "EX4 4QJ")
		// The same NHS number again: flagged as possibly her.
		second := refer(t, s, "Margaret", "Hughes", "1948-05-02", "9434765919", "EX4 4QJ")
		if second.PossibleMatchID != first.PersonID {
			t.Fatalf("not flagged: %+v", second)
		}
		// Someone else; and her again in Southway, which Northgate never sees.
		other := refer(t, s, "John", "Hughes", "1950-01-01", "", "EX4 1AA")
		refer(t, s, "Margaret", "Hughes", "1948-05-02", "9434765919", "TQ1 1AA")
		other2 := func(r referral.Referral) []string {
			t.Helper()
			got, _ := s.Get(ctx, r.ID)
			ids, err := s.OtherOpenReferrals(ctx, got)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if got := other2(first); !slices.Equal(got, []string{second.ID}) {
			t.Errorf("first: %v", got)
		}
		if got := other2(second); !slices.Equal(got, []string{first.ID}) {
			t.Errorf("second: %v", got)
		}
		if got := other2(other); got == nil || len(got) != 0 {
			t.Errorf("someone else: %v", got)
		}
		// Reconciled onto her record; a third arrives; one closes.
		by := referral.Actor{UserID: sc.lw.UserID}
		if _, err := s.ResolveMatch(ctx, by, second.ID, true); err != nil {
			t.Fatal(err)
		}
		third := refer(t, s, "Margaret", "Hughes", "1948-05-02", "9434765919", "EX4 4QJ")
		if got := other2(first); !slices.Equal(got, []string{second.ID, third.ID}) {
			t.Errorf("after reconciling: %v", got)
		}
		if _, err := s.Transition(ctx, by, second.ID, referral.Closed, "redirected"); err != nil {
			t.Fatal(err)
		}
		if got := other2(third); !slices.Equal(got, []string{first.ID}) {
			t.Errorf("third, with the second closed: %v", got)
		}
		// On the referral as GET /api/v1/referrals/{id} answers it: a list,
		// even empty; never in the referrer's copy.
		got, _ := s.Get(ctx, other.ID)
		got, err := s.WithOtherOpenReferrals(ctx, got)
		if b, _ := json.Marshal(got); err != nil || !strings.Contains(string(b), `"other_open_referrals":[]`) {
			t.Errorf("JSON %s %v", b, err)
		}
		got, _ = s.Get(ctx, third.ID)
		if got, _ = s.WithOtherOpenReferrals(ctx, got); got.AsSent().OtherOpenReferrals != nil || len(*got.OtherOpenReferrals) != 1 {
			t.Errorf("as sent: %+v", got.AsSent())
		}
		if b, _ := json.Marshal(got.AsSent()); strings.Contains(string(b), "other_open") {
			t.Errorf("the referrer's copy tells of other referrals: %s", b)
		}
	})
}
