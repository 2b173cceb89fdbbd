package budget_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/budget"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The people of the world below: two schemes, each with its staff.
var (
	worker       = &auth.Principal{UserID: "usr_lee", Name: "Lee Worker", Role: auth.LinkWorker, OrganisationID: "org_s1", SchemeID: "org_s1"}
	colleague    = &auth.Principal{UserID: "usr_kim", Name: "Kim Worker", Role: auth.LinkWorker, OrganisationID: "org_s1", SchemeID: "org_s1"}
	manager      = &auth.Principal{UserID: "usr_morgan", Name: "Morgan Manager", Role: auth.Manager, OrganisationID: "org_s1", SchemeID: "org_s1"}
	farManager   = &auth.Principal{UserID: "usr_far", Name: "Far Manager", Role: auth.Manager, OrganisationID: "org_s2", SchemeID: "org_s2"}
	farWorker    = &auth.Principal{UserID: "usr_farlw", Name: "Far Worker", Role: auth.LinkWorker, OrganisationID: "org_s2", SchemeID: "org_s2"}
	provider     = &auth.Principal{UserID: "usr_pat", Name: "Pat Provider", Role: auth.Provider, OrganisationID: "org_clay"}
	commissioner = &auth.Principal{UserID: "usr_cam", Name: "Cam Commissioner", Role: auth.Commissioner, OrganisationID: "org_s1", SchemeID: "org_s1"}
	admin        = &auth.Principal{UserID: "usr_ada", Name: "Ada Admin", Role: auth.Admin}
)

func actor(p *auth.Principal) oikos.Actor { return oikos.Actor{UserID: p.UserID, Client: "test"} }

// world is two schemes; in the first, Lee's case (active), a referral
// still in triage and a closed one; in the second, a case of its own; and
// a pottery course in the directory.
type world struct {
	d                           *db.DB
	store                       *budget.Store
	ref, triage, closed, farRef string
	pottery                     string
	personID                    string
}

func execSQL(t testing.TB, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// must stops the test on an error: must(f())(t).
func must[T any](v T, err error) func(t testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func newWorld(t testing.TB, d *db.DB) *world {
	t.Helper()
	now := db.Millis(time.Now())
	w := &world{d: d, store: budget.NewStore(d), ref: "ref_lee", triage: "ref_triage", closed: "ref_closed", farRef: "ref_far",
		pottery: "svc_pottery", personID: "per_ann"}
	execSQL(t, d, `INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES
		('org_s1', 'Exeter Connect', 'scheme', $1, $1), ('org_s2', 'Plymouth Links', 'scheme', $1, $1), ('org_clay', 'Clay Studio CIC', 'vcse', $1, $1)`, now)
	for _, p := range []*auth.Principal{worker, colleague, manager, farManager, farWorker, provider, commissioner, admin} {
		var org any
		if p.OrganisationID != "" {
			org = p.OrganisationID
		}
		execSQL(t, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
			p.UserID, p.UserID+"@example.org", p.Name, string(p.Role), org, now)
	}
	execSQL(t, d, `INSERT INTO services (id, organisation_id, name, last_checked_at, created_at, updated_at)
		VALUES ('svc_pottery', 'org_clay', 'Pottery for wellbeing', $1, $1, $1)`, now)
	addReferral(t, d, w.ref, "per_ann", "active", "usr_lee", "org_s1")
	addReferral(t, d, w.triage, "per_bob", "received", "", "org_s1")
	addReferral(t, d, w.closed, "per_cat", "closed", "usr_lee", "org_s1")
	addReferral(t, d, w.farRef, "per_dan", "active", "usr_farlw", "org_s2")
	return w
}

var referralCount int

// addReferral adds a person and a referral about them, straight into the
// tables: what a budget reads of a referral is its scheme, status and
// link worker.
func addReferral(t testing.TB, d *db.DB, id, personID, status, assigned, scheme string) {
	t.Helper()
	now := db.Millis(time.Now())
	referralCount++
	execSQL(t, d, `INSERT INTO people (id, given_name, family_name, date_of_birth, created_at, updated_at) VALUES ($1, 'Test', $2, '1960-01-01', $3, $3)
		ON CONFLICT (id) DO NOTHING`, personID, "Person"+personID, now)
	var to any
	if assigned != "" {
		to = assigned
	}
	execSQL(t, d, `INSERT INTO referrals (id, reference, person_id, status, source_type, consent_given, consent_share, consent_by, consent_at,
		assigned_to, received_at, updated_at, scheme_id) VALUES ($1, $2, $3, $4, 'gp', true, true, 'test', $5, $6, $5, $5, $7)`,
		id, fmt.Sprintf("R-%s", id), personID, status, now, to, scheme)
}

func pence(n int64) *int64 { return &n }

func code(err error) string {
	if err == nil {
		return ""
	}
	return oikos.ErrorCode(err)
}

// field is the problem named for a field, if err names it.
func field(err error, name string) string {
	var e *oikos.Error
	if errors.As(err, &e) {
		return e.Fields[name]
	}
	return ""
}
