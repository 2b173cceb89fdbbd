package connection_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

func TestClosedBy(t *testing.T) {
	cases := []struct {
		from     connection.Status
		attended int
		reason   string
		want     connection.Status
		changes  bool
	}{
		{connection.Sent, 0, "goals_met", connection.Dropped, true},
		{connection.Sent, 0, "disengaged", connection.Dropped, true},
		{connection.Waitlisted, 0, "goals_met", connection.Dropped, true},
		{connection.Waitlisted, 0, "moved_away", connection.Dropped, true},
		{connection.Accepted, 0, "goals_met", connection.Dropped, true}, // a place never taken up
		{connection.Accepted, 2, "goals_met", connection.Completed, true},
		{connection.Accepted, 1, "disengaged", connection.Dropped, true},
		{connection.Accepted, 3, "moved_away", connection.Dropped, true},
		{connection.Accepted, 3, "died", connection.Dropped, true},
		{connection.Accepted, 3, "other", connection.Dropped, true},
		{connection.Declined, 0, "goals_met", connection.Declined, false},
		{connection.Completed, 4, "disengaged", connection.Completed, false},
		{connection.Dropped, 1, "goals_met", connection.Dropped, false},
	}
	for _, c := range cases {
		got, changes := connection.ClosedBy(c.from, c.attended, c.reason)
		if got != c.want || changes != c.changes {
			t.Errorf("%s with %d sessions, closed for %s: got %s %v, want %s %v", c.from, c.attended, c.reason, got, changes, c.want, c.changes)
		}
	}
}

// TestPlainState: a connection's state in the referrer's words, and in
// the person's (their portal never says they stopped going when it ended
// with their referral).
func TestPlainState(t *testing.T) {
	cases := []struct {
		st             connection.Status
		attended       int
		want, toPerson string
	}{
		{connection.Sent, 0, "waiting for an answer", "Waiting to hear from them"},
		{connection.Waitlisted, 0, "on a waiting list", "You are on their waiting list"},
		{connection.Accepted, 0, "accepted", "They can take you"},
		{connection.Accepted, 1, "attending", "You are going"},
		{connection.Completed, 5, "completed", "Finished"},
		{connection.Declined, 0, "did not start", "They could not take you"},
		{connection.Dropped, 0, "did not start", "Did not start"},
		{connection.Dropped, 2, "stopped", "Finished"},
	}
	for _, c := range cases {
		if got := connection.PlainState(c.st, c.attended); got != c.want {
			t.Errorf("%s with %d sessions: got %q, want %q", c.st, c.attended, got, c.want)
		}
		if got := connection.PersonState(c.st, c.attended); got != c.toPerson {
			t.Errorf("%s with %d sessions, to the person: got %q, want %q", c.st, c.attended, got, c.toPerson)
		}
	}
}

// TestReferralClosureClosesConnections: closing a referral completes or
// drops each open connection in the same transaction, tells each provider,
// and leaves declined ones alone; a closure that fails writes nothing.
func TestReferralClosureClosesConnections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newConnWorld(t, d, true)
		now := db.Millis(w.clock)
		oikostest.Exec(t, d, `INSERT INTO services (id, organisation_id, name, email, last_checked_at, created_at, updated_at)
			VALUES ('svc_art', 'org_a', 'Art for all', '', $1, $1, $1), ('svc_garden', 'org_b', 'Community garden', 'garden@example.org', $1, $1, $1)`, now)
		w.accept(t)
		made := map[string]connection.Connection{}
		for _, svc := range []string{w.walk, w.choir, "svc_art", "svc_garden"} {
			c, err := w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: svc, Kind: connection.ActiveSignpost})
			if err != nil {
				t.Fatal(err)
			}
			made[svc] = c
		}
		if _, err := w.store.Decide(ctx, providerUser, made[w.walk].ID, connection.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.Decide(ctx, providerUser, made["svc_art"].ID, connection.Waitlisted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.Decide(ctx, providerUser, made["svc_garden"].ID, connection.Declined, "Full this season"); err != nil {
			t.Fatal(err)
		}
		w.clock = w.clock.AddDate(0, 0, 7)
		for _, day := range []string{"2026-03-03", "2026-03-05"} {
			if _, err := w.store.RecordAttendance(ctx, providerUser, made[w.walk].ID, connection.AttendanceInput{Date: day, Attended: truly()}); err != nil {
				t.Fatal(err)
			}
		}
		before := len(sentMail(t, d))

		refs := referral.NewStore(d)
		refs.Now = func() time.Time { return w.clock }
		// A hook after it that fails takes the whole closure back.
		refs.OnChange = func(ctx context.Context, tx *sql.Tx, c referral.Change) error {
			if err := w.store.OnReferralChange(ctx, tx, c); err != nil {
				return err
			}
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "refused for the test"}
		}
		if _, err := refs.Transition(ctx, linkWorker, w.referralID, referral.Closed, "goals_met"); err == nil {
			t.Fatal("the failing hook did not refuse the closure")
		}
		if c, _ := w.store.Get(ctx, made[w.choir].ID); c.Status != connection.Sent {
			t.Fatalf("a refused closure changed a connection: %+v", c)
		}
		refs.OnChange = w.store.OnReferralChange
		if _, err := refs.Transition(ctx, linkWorker, w.referralID, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}

		want := map[string]connection.Status{w.walk: connection.Completed, w.choir: connection.Dropped,
			"svc_art": connection.Dropped, "svc_garden": connection.Declined}
		for svc, st := range want {
			c, err := w.store.Get(ctx, made[svc].ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != st {
				t.Errorf("%s: %s, want %s", svc, c.Status, st)
			}
			if st == connection.Declined {
				if c.Reason != "Full this season" {
					t.Errorf("the declined connection's reason changed: %q", c.Reason)
				}
				continue
			}
			if c.Reason != connection.ReferralClosedReason || c.ClosedAt == nil {
				t.Errorf("%s: %+v", svc, c)
			}
			events, err := w.store.Events(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if last := events[len(events)-1]; last.Kind != "status" || last.Status != st || last.Text != connection.ReferralClosedReason {
				t.Errorf("%s: last event %+v", svc, last)
			}
		}
		var closed []mailRow
		for _, m := range sentMail(t, d)[before:] {
			if m.kind == connection.KindConnectionClosed {
				closed = append(closed, m)
			}
		}
		// Ramblers for the walk and art; the choir's own address.
		to := map[string]int{}
		for _, m := range closed {
			to[m.to]++
			if strings.Contains(m.body, "Margaret") {
				t.Errorf("a closure email names the person:\n%s", m.body)
			}
			switch {
			case strings.Contains(m.body, "Riverside walk") && !strings.Contains(m.body, "completed"),
				strings.Contains(m.body, "Community choir") && !strings.Contains(m.body, "did not start"):
				t.Errorf("closure email:\n%s", m.body)
			}
		}
		if len(closed) != 3 || to["hello@ramblers.example"] != 2 || to["choir@example.org"] != 1 {
			t.Fatalf("closure emails %+v", closed)
		}
		// The provider's answer link for the dropped one changes nothing now.
		_, err := w.store.Decide(ctx, providerUser, made[w.choir].ID, connection.Accepted, "")
		wantErr(t, err, oikos.ECONFLICT, "decision")
	})
}

func TestStateLabel(t *testing.T) {
	cases := []struct {
		st       connection.Status
		attended int
		want     string
	}{
		{connection.Sent, 0, "Waiting for an answer"},
		{connection.Accepted, 0, "Accepted"},
		{connection.Accepted, 2, "Attending"},
		{connection.Dropped, 0, "Did not start"},
		{connection.Dropped, 3, "Stopped going"},
		{connection.Completed, 3, "Completed"},
		{connection.Declined, 0, "Declined"},
	}
	for _, c := range cases {
		if got := (connection.Connection{Status: c.st, SessionsAttended: c.attended}).StateLabel(); got != c.want {
			t.Errorf("%s with %d sessions: %q, want %q", c.st, c.attended, got, c.want)
		}
	}
}
