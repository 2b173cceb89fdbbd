package app_test

import (
	"context"
	"testing"
	"time"

	"oikos"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/notify"
	"oikos/internal/org"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestReferralChangesTellTheReferrer checks the application wires a
// referral's changes to the outbox, whoever builds it (oikos serve, the
// other commands, the benchmarks): accepting and closing a referral each
// leave the referrer a message, in the change's transaction.
func TestReferralChangesTellTheReferrer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := app.New(d, app.Config{BaseURL: "https://oikos.example.org"})
		gp, ref := gpReferral(t, a)
		worker := oikos.Actor{UserID: "usr_worker", Client: "test"}
		for _, step := range []struct {
			to   referral.Status
			kind string
		}{{referral.Accepted, notify.KindReferralAccepted}, {referral.Closed, notify.KindReferralClosed}} {
			reason := ""
			if step.to == referral.Closed {
				reason = "goals_met"
			}
			if _, err := a.Referrals.Transition(ctx, worker, ref.ID, step.to, reason); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND recipient = $2", step.kind, gp.Email).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%s: %d messages to the referrer, want 1", step.to, n)
			}
		}
	})
}

// TestQuietTellsNobody checks a quiet application (the demo's made-up
// past) leaves the outbox empty.
func TestQuietTellsNobody(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	a := app.New(d, app.Config{Quiet: true})
	_, ref := gpReferral(t, a)
	if _, err := a.Referrals.Transition(ctx, oikos.Actor{UserID: "usr_worker"}, ref.ID, referral.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d messages in the outbox (%v), want none", n, err)
	}
}

// gpReferral is a referral made by a GP whose email address is held.
func gpReferral(t *testing.T, a *app.App) (gp auth.User, ref referral.Referral) {
	t.Helper()
	ctx := context.Background()
	system := oikos.Actor{UserID: "system", Client: "test"}
	practice, err := a.Orgs.Create(ctx, system, org.Input{Name: "Riverside Surgery", Kind: "gp_practice"})
	if err != nil {
		t.Fatal(err)
	}
	gp, err = a.Auth.CreateUser(ctx, system, auth.UserInput{Email: "gp@riverside.example", Name: "Dr Okafor", Role: auth.Referrer,
		OrganisationID: practice.ID}, "")
	if err != nil {
		t.Fatal(err)
	}
	ref, err = a.Referrals.Create(ctx, oikos.Actor{UserID: gp.ID, Client: "test"}, referral.Input{
		Person:  referral.PersonInput{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ"},
		Source:  referral.SourceInput{Type: "gp"},
		Reasons: []string{"loneliness"},
		Consent: referral.ConsentInput{Given: true},
	}, gp.ID, "api")
	if err != nil {
		t.Fatal(err)
	}
	return gp, ref
}

// TestSweepTellsOfDBSRunningOut checks the sweep the outbox worker runs
// (oikos serve: notify.Worker.Sweep) writes, besides the reminders, the
// email of a volunteer's DBS check running out, once, and keeps the
// volunteering report's closed months.
func TestSweepTellsOfDBSRunningOut(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := app.New(d, app.Config{BaseURL: "https://oikos.example.org"})
		now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
		for _, q := range []string{
			"INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_s', 'Scheme', 'scheme', 1, 1)",
			`INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES
				('usr_m', 'manager@example.org', 'Manager', 'manager', 'org_s', 1, 1), ('usr_v', 'v@example.org', 'Val Volunteer', 'volunteer', 'org_s', 1, 1)`,
			`INSERT INTO volunteers (user_id, scheme_id, kind, postcode, latitude, longitude, dbs_checked_on, dbs_expires_on, created_at, updated_at, updated_by)
				VALUES ('usr_v', 'org_s', 'volunteer', 'EX4 4QJ', 50.7, -3.5, '2023-05-20', '2026-05-20', 1, 1, 'usr_m')`,
		} {
			if _, err := d.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if err := a.Sweep(ctx, now); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND recipient = 'manager@example.org'", community.KindDBSExpiring).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d emails of the DBS check running out, want 1", n)
		}
		// And it counts ahead the closed months of the volunteering
		// report's last year, May 2025 to April 2026, of the scheme (and
		// of no scheme, as in a deployment without schemes).
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteering_months WHERE month >= '2025-05' AND month <= '2026-04'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 24 {
			t.Errorf("%d months of the volunteering report kept, want 24", n)
		}
	})
}

// TestServicesNameAwardsThroughTheGrants checks the directory asks the
// grants programme whether a service may name an award: an id that is no
// award is refused naming grant_application_id, in the grants' own words.
func TestServicesNameAwardsThroughTheGrants(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	a := app.New(d, app.Config{})
	system := oikos.Actor{UserID: "system", Client: "test"}
	group, err := a.Orgs.Create(ctx, system, org.Input{Name: "Bridge Café", Kind: "vcse"})
	if err != nil {
		t.Fatal(err)
	}
	award := "gra_nothing"
	_, err = a.Directory.Create(ctx, system, directory.Input{OrganisationID: group.ID, Name: "Bridge Café lunches",
		Description: "A warm lunch and company every Wednesday.", Categories: []string{"befriending"}, Postcode: "EX4 4QJ",
		GrantApplicationID: &award})
	if e, ok := err.(*oikos.Error); !ok || e.Fields["grant_application_id"] != "No grant application has that id." {
		t.Errorf("a service naming no award: %v", err)
	}
}
