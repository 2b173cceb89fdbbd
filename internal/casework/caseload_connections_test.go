package casework_test

import (
	"context"
	"testing"
	"time"

	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

// TestCaseloadConnections: each person in the caseload carries every
// connection's state, and one still without an answer after 5 working
// days is flagged; a closed referral's connections are not listed.
func TestCaseloadConnections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// Thursday 12 March 2026, late morning.
		now := time.Date(2026, 3, 12, 11, 0, 0, 0, time.UTC)
		s := casework.NewStore(d)
		s.Now = func() time.Time { return now }
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := d.Exec(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES ('usr_worker', 'w@example.org', 'Lee Worker', 'link_worker', 0, 0)`)
		exec(`INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_a', 'Ramblers', 'vcse', 0, 0)`)
		exec(`INSERT INTO services (id, organisation_id, name, last_checked_at, created_at, updated_at) VALUES
			('svc_walk', 'org_a', 'Riverside walk', 0, 0, 0), ('svc_choir', 'org_a', 'Community choir', 0, 0, 0),
			('svc_art', 'org_a', 'Art for all', 0, 0, 0)`)
		refs := referral.NewStore(d)
		open, closed := oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID, oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID
		for _, id := range []string{open, closed} {
			if _, err := refs.Assign(ctx, worker, id, "usr_worker"); err != nil {
				t.Fatal(err)
			}
		}
		add := func(id, referralID, service, status string, sent time.Time) {
			exec(`INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, 'org_a', 'supported', $4, 'usr_worker', $5, $5)`, id, referralID, service, status, db.Millis(sent))
		}
		add("con_walk", open, "svc_walk", "accepted", now.AddDate(0, 0, -20))
		exec(`INSERT INTO connection_attendance (connection_id, date, attended, recorded_by, recorded_at) VALUES
			('con_walk', '2026-03-01', TRUE, 'usr_x', 0), ('con_walk', '2026-03-08', TRUE, 'usr_x', 0), ('con_walk', '2026-03-10', FALSE, 'usr_x', 0)`)
		add("con_choir", open, "svc_choir", "sent", now.AddDate(0, 0, -7)) // Thursday to Thursday: 5 working days
		add("con_art", open, "svc_art", "sent", now.AddDate(0, 0, -6))     // from Friday: 4
		add("con_old", closed, "svc_walk", "sent", now.AddDate(0, 0, -30))
		closeReferral(t, d, closed)

		cases, err := s.Caseload(ctx, worker, "", "usr_worker")
		if err != nil || len(cases) != 1 {
			t.Fatalf("%+v %v", cases, err)
		}
		got := cases[0].Connections
		if len(got) != 3 {
			t.Fatalf("connections %+v", got)
		}
		want := []struct {
			id, label string
			noAnswer  bool
		}{{"con_walk", "Attending", false}, {"con_choir", "Waiting for an answer", true}, {"con_art", "Waiting for an answer", false}}
		for i, w := range want {
			c := got[i]
			if c.ID != w.id || c.Label() != w.label || c.NoAnswer != w.noAnswer {
				t.Errorf("connection %d: %+v (%s), want %+v", i, c, c.Label(), w)
			}
		}
		if got[0].SessionsAttended != 2 || got[0].ServiceName != "Riverside walk" || got[0].Status != connection.Accepted {
			t.Errorf("walk %+v", got[0])
		}
	})
}
