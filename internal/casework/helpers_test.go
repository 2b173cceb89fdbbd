package casework_test

import (
	"context"
	"testing"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func actor(id string) referral.Actor { return referral.Actor{UserID: id, Client: "test"} }

var worker = actor("usr_worker")

// newReferral makes an accepted referral for Margaret.
func newReferral(t *testing.T, d *db.DB) string {
	t.Helper()
	ctx := context.Background()
	refs := referral.NewStore(d)
	r, err := refs.Create(ctx, worker, referral.Input{
		Person:  referral.PersonInput{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ"},
		Source:  referral.SourceInput{Type: "gp"},
		Reasons: []string{"loneliness"},
		Consent: referral.ConsentInput{Given: true},
	}, "", "api")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refs.Transition(ctx, worker, r.ID, referral.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func closeReferral(t *testing.T, d *db.DB, id string) {
	t.Helper()
	if _, err := referral.NewStore(d).Transition(context.Background(), worker, id, referral.Closed, "goals_met"); err != nil {
		t.Fatal(err)
	}
}

// assertAudit checks the audit log holds exactly the counted actions on
// one part of a referral, and that the chain holds.
func assertAudit(t *testing.T, d *db.DB, referralID, kind string, want map[string]int) {
	t.Helper()
	ctx := context.Background()
	entries, err := audit.ForObject(ctx, d.R(), kind, referralID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range entries {
		got[e.Action]++
	}
	for action, n := range want {
		if got[action] != n {
			t.Errorf("audit %s %s: got %d, want %d (all: %v)", kind, action, got[action], n, got)
		}
	}
	if _, err := audit.Verify(ctx, d.R()); err != nil {
		t.Error(err)
	}
}
