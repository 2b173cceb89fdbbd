package oikostest_test

import (
	"context"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestFixtures checks that each fixture is what its name promises, on both
// databases: the tests that use them rely on it without looking.
func TestFixtures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := oikostest.NewScheme(t, d, "Northgate Scheme", "EX4")
		users := auth.NewStore(d)
		for _, role := range auth.Roles {
			u := s.Users[role]
			if u.Role != role || u.Email != string(role)+"@northgate.example" {
				t.Errorf("the %s is %+v", role, u)
			}
			if (role == auth.Admin) != (u.OrganisationID == "") || (role != auth.Admin && u.OrganisationID != s.Org.ID) {
				t.Errorf("the %s belongs to %q, the scheme is %s", role, u.OrganisationID, s.Org.ID)
			}
			got, err := users.TokenUser(ctx, s.Tokens[role])
			if err != nil || got.ID != u.ID {
				t.Errorf("the %s's token is for %+v: %v", role, got, err)
			}
		}
		lw := s.Users[auth.LinkWorker]

		received := oikostest.NewReferral(t, d, oikostest.Referral{})
		if received.Status != referral.Received || received.AssignedTo != "" || received.SchemeID != s.Org.ID {
			t.Errorf("a new referral: %+v", received)
		}
		accepted := oikostest.AcceptedReferral(t, d, lw)
		if accepted.Status != referral.Accepted || accepted.AssignedTo != lw.ID {
			t.Errorf("an accepted referral: status %s, assigned to %q", accepted.Status, accepted.AssignedTo)
		}
		gp := s.Users[auth.Referrer]
		sent := oikostest.NewReferral(t, d, oikostest.Referral{Referrer: &gp})
		if sent.ReferrerUserID != gp.ID {
			t.Errorf("a GP's referral names referrer %q, want %s", sent.ReferrerUserID, gp.ID)
		}
		if plan := oikostest.SavePlan(t, d, lw, accepted.ID); len(plan.Goals) != 1 || len(plan.Goals[0].Steps) != 2 {
			t.Errorf("the plan: %+v", plan)
		}

		svc := oikostest.NewService(t, d, directory.Input{OrganisationID: s.Org.ID, Name: "Northgate Walk", Postcode: "EX4 4QJ"})
		if svc.Status != "active" || len(svc.Categories) != 1 || svc.CostPence == nil || *svc.CostPence != 0 || len(svc.Schedule) != 1 {
			t.Errorf("a service: %+v", svc)
		}
		ref, c := oikostest.ConnectedReferral(t, d, lw, svc.ID)
		if c.ReferralID != ref.ID || c.ServiceID != svc.ID || c.Status != connection.Sent || !ref.ConsentShare {
			t.Errorf("a referral with a connection: %+v and %+v", ref, c)
		}
		if u := oikostest.User(t, d, "link_worker@northgate.example"); u.ID != lw.ID {
			t.Errorf("User found %+v, want the link worker", u)
		}
	})
}

func TestKeyring(t *testing.T) {
	at := time.Now()
	k := oikostest.Keyring{Now: func() time.Time { return at }}
	if k.Known("a@example.org") || k.Code("a@example.org") != "" {
		t.Fatal("an empty keyring knows someone")
	}
	step := auth.TOTPStep(at)
	k.Enrolled("A@example.org", "JBSWY3DPEHPK3PXP", step, []string{"r1", "r2"})
	// The enrolment used this step's code: the next code is the next
	// step's, which the server accepts for clock skew; after that, the
	// recovery codes, in order, and then nothing.
	want, _ := auth.TOTPCode("JBSWY3DPEHPK3PXP", step+1)
	for i, w := range []string{want, "r1", "r2", ""} {
		if got := k.Code("a@example.org"); got != w {
			t.Errorf("code %d: %q, want %q", i, got, w)
		}
	}
}
