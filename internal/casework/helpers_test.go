package casework_test

import (
	"context"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func actor(id string) referral.Actor { return referral.Actor{UserID: id, Client: "test"} }

var worker = actor("usr_worker")

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
	got := oikostest.AuditActions(t, d, kind, referralID)
	for action, n := range want {
		if got[action] != n {
			t.Errorf("audit %s %s: got %d, want %d (all: %v)", kind, action, got[action], n, got)
		}
	}
}
