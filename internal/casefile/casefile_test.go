package casefile_test

import (
	"context"
	"testing"

	"oikos"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestReadShowsEachCallerTheirPart reads one referral's page as its link
// worker, as the referrer who made it, and as another referrer: each sees
// what auth's rules give them, the stranger nothing, and every read is
// audited in one write.
func TestReadShowsEachCallerTheirPart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, lw, gp, ref := newCase(t, d, "Lost her husband last year.")
		other := newUser(t, a, "gp@elsewhere.example", auth.Referrer, "gp_practice")
		by := oikos.Actor{UserID: lw.UserID, Client: "test"}

		writes := d.WriteTxs()
		f, err := a.CaseFiles.Read(ctx, lw, by, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.WriteTxs()-writes != 1 {
			t.Errorf("the link worker's read: %d write transactions, want 1", d.WriteTxs()-writes)
		}
		if f.Case == nil || f.Triage == nil || f.Rights == nil || !f.CanChange || f.Referral.Notes == "" {
			t.Errorf("the link worker's file lacks a part: %+v", f)
		}

		f, err = a.CaseFiles.Read(ctx, gp, oikos.Actor{UserID: gp.UserID}, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Case != nil || f.Triage != nil || f.Rights != nil || f.CanChange || f.Referral.Notes != "" || f.Referral.PersonID != "" {
			t.Errorf("the referrer sees more than how it is going: %+v", f)
		}

		writes = d.WriteTxs()
		if _, err := a.CaseFiles.Read(ctx, other, oikos.Actor{UserID: other.UserID}, ref.ID); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("another referrer: %v, want not found", err)
		}
		if d.WriteTxs() != writes {
			t.Error("a refused read wrote")
		}
	})
}

// newUser makes a user of role in an organisation of its own, of kind.
func newUser(t *testing.T, a *app.App, email string, role auth.Role, kind org.Kind) *auth.Principal {
	t.Helper()
	ctx := context.Background()
	system := oikos.Actor{UserID: "system"}
	o, err := a.Orgs.Create(ctx, system, org.Input{Name: email, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Auth.CreateUser(ctx, system, auth.UserInput{Email: email, Name: email, Role: role, OrganisationID: o.ID}, "")
	if err != nil {
		t.Fatal(err)
	}
	return u.Principal()
}

// newCase is a referral of Margaret Hughes by a GP, with notes, accepted
// by and assigned to a link worker of a scheme.
func newCase(t *testing.T, d *db.DB, notes string) (a *app.App, lw, gp *auth.Principal, ref referral.Referral) {
	t.Helper()
	ctx := context.Background()
	a = app.New(d, app.Config{})
	lw = newUser(t, a, "lw@scheme.example", auth.LinkWorker, "scheme")
	gp = newUser(t, a, "gp@practice.example", auth.Referrer, "gp_practice")
	ref, err := a.Referrals.Create(ctx, oikos.Actor{UserID: gp.UserID}, referral.Input{
		Person:  referral.PersonInput{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ"},
		Source:  referral.SourceInput{Type: "gp"},
		Reasons: []string{"loneliness"},
		Notes:   notes,
		Consent: referral.ConsentInput{Given: true},
	}, gp.UserID, "api")
	if err != nil {
		t.Fatal(err)
	}
	by := oikos.Actor{UserID: lw.UserID, Client: "test"}
	if _, err := a.Referrals.Transition(ctx, by, ref.ID, referral.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Referrals.Assign(ctx, by, ref.ID, lw.UserID); err != nil {
		t.Fatal(err)
	}
	return a, lw, gp, ref
}
