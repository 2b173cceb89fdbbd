// Package oikostest holds the fixtures that the storage tests of several
// domain packages share: a referral ready for casework, the audit entries on
// an object, SQL run to set a scene. Only tests import it.
package oikostest

import (
	"context"
	"testing"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// Worker is the link worker the fixtures act as.
var Worker = oikos.Actor{UserID: "usr_worker", Client: "test"}

// Ada is a second person to refer (Margaret is the first): invented,
// living in Exeter.
var Ada = referral.PersonInput{GivenName: "Ada", FamilyName: "Okafor", DateOfBirth: "1951-09-14", Postcode: "EX4 4QJ"}

// AcceptedReferralOf refers the person (by their GP, for loneliness, with
// their consent) and accepts the referral, as Worker: for storage tests
// that need no user accounts (AcceptedReferral makes one for a real link
// worker).
func AcceptedReferralOf(t testing.TB, d *db.DB, p referral.PersonInput) referral.Referral {
	t.Helper()
	ctx := context.Background()
	refs := referral.NewStore(d)
	r, err := refs.Create(ctx, Worker, referral.Input{
		Person:  p,
		Source:  referral.SourceInput{Type: "gp"},
		Reasons: []string{"loneliness"},
		Consent: referral.ConsentInput{Given: true},
	}, "", "api")
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := refs.Transition(ctx, Worker, r.ID, referral.Accepted, "")
	if err != nil {
		t.Fatal(err)
	}
	return accepted
}

// AuditActions counts the audit log's entries on one object by action,
// after checking the log's hash chain holds.
func AuditActions(t testing.TB, d *db.DB, kind, objectID string) map[string]int {
	t.Helper()
	ctx := context.Background()
	if _, err := audit.Verify(ctx, d.R()); err != nil {
		t.Error(err)
	}
	entries, err := audit.ForObject(ctx, d.R(), kind, objectID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range entries {
		got[e.Action]++
	}
	return got
}

// Exec runs SQL that sets a scene, stopping the test if it fails.
func Exec(t testing.TB, d *db.DB, query string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
