package community_test

import (
	"context"
	"os"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) {
	code := m.Run()
	cleanupBench()
	dbtest.Stop()
	os.Exit(code)
}

// world is two schemes. In the first: a manager, two link workers, a
// health champion, two volunteers, a commissioner; a provider
// organisation; and Margaret's referral, accepted and assigned to the
// first link worker. In the second: a manager, a link worker and a
// volunteer, who must never see anything of the first.
type world struct {
	d          *db.DB
	vol        *community.Volunteering
	safe       *community.Safeguarding
	clock      time.Time
	referralID string
	personID   string

	manager, worker, otherWorker, champion, volunteer, volunteer2, commissioner, provider, referrer *auth.Principal
	farManager, farWorker, farVolunteer                                                             *auth.Principal
}

func execSQL(t testing.TB, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func as(p *auth.Principal) oikos.Actor { return oikos.Actor{UserID: p.UserID, Client: "test"} }

func ptr[T any](v T) *T { return &v }

func newWorld(t testing.TB, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{d: d, clock: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	now := db.Millis(w.clock)
	execSQL(t, d, `INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES
		('org_s1', 'Exeter Connect', 'scheme', $1, $1), ('org_s2', 'Plymouth Together', 'scheme', $1, $1),
		('org_p', 'Ramblers', 'vcse', $1, $1), ('org_gp', 'Surgery', 'gp_practice', $1, $1)`, now)
	users := []struct {
		id, name string
		role     auth.Role
		org      string
		into     **auth.Principal
	}{
		{"usr_mgr", "Mina Manager", auth.Manager, "org_s1", &w.manager},
		{"usr_lw", "Lee Worker", auth.LinkWorker, "org_s1", &w.worker},
		{"usr_lw_b", "Bea Worker", auth.LinkWorker, "org_s1", &w.otherWorker},
		{"usr_hc", "Hana Champion", auth.Volunteer, "org_s1", &w.champion},
		{"usr_vol", "Val Volunteer", auth.Volunteer, "org_s1", &w.volunteer},
		{"usr_vol2", "Vic Volunteer", auth.Volunteer, "org_s1", &w.volunteer2},
		{"usr_com", "Cam Commissioner", auth.Commissioner, "org_s1", &w.commissioner},
		{"usr_pro", "Pat Provider", auth.Provider, "org_p", &w.provider},
		{"usr_gp", "Dr Ref", auth.Referrer, "org_gp", &w.referrer},
		{"usr_mgr2", "Max Faraway", auth.Manager, "org_s2", &w.farManager},
		{"usr_lw2", "Lou Faraway", auth.LinkWorker, "org_s2", &w.farWorker},
		{"usr_vol3", "Vin Faraway", auth.Volunteer, "org_s2", &w.farVolunteer},
	}
	for _, u := range users {
		execSQL(t, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
			u.id, u.id+"@example.org", u.name, string(u.role), u.org, now)
		scheme := ""
		if u.org == "org_s1" || u.org == "org_s2" {
			scheme = u.org
		}
		*u.into = &auth.Principal{UserID: u.id, Name: u.name, Role: u.role, OrganisationID: u.org, SchemeID: scheme}
	}
	w.referralID = newReferral(t, d, w.worker, "org_s1", "Margaret", "EX4 4QJ")
	r, err := referral.NewStore(d).Get(ctx, w.referralID)
	if err != nil {
		t.Fatal(err)
	}
	w.personID = r.PersonID
	w.vol = community.NewVolunteering(d)
	w.vol.BaseURL = "https://oikos.example"
	w.vol.Now = func() time.Time { return w.clock }
	w.safe = community.NewSafeguarding(d)
	w.safe.BaseURL = "https://oikos.example"
	w.safe.Now = func() time.Time { return w.clock }
	return w
}

// newReferral makes a referral in a scheme, accepted and assigned to the
// link worker.
func newReferral(t testing.TB, d *db.DB, worker *auth.Principal, scheme, given, postcode string) string {
	t.Helper()
	ctx := context.Background()
	refs := referral.NewStore(d)
	by := as(worker)
	r, err := refs.Create(ctx, by, referral.Input{
		Person:   referral.PersonInput{GivenName: given, FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: postcode, Phone: "01392 000000", Email: "margaret@example.org"},
		Source:   referral.SourceInput{Type: "gp"},
		Reasons:  []string{"loneliness"},
		Consent:  referral.ConsentInput{Given: true},
		SchemeID: scheme,
	}, "usr_gp", "api")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refs.Transition(ctx, by, r.ID, referral.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := refs.Assign(ctx, by, r.ID, worker.UserID); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// profile is a volunteer's profile with an in-date DBS check.
func profile(kind, postcode string) community.VolunteerInput {
	return community.VolunteerInput{Kind: kind, Postcode: postcode, Skills: []string{"Listening"}, Interests: []string{"Gardening", "Walking football"},
		Languages: []string{"English", "Polish"}, Availability: []community.Slot{{Day: "monday", From: "09:00", To: "12:00"}},
		DBSCheckedOn: ptr("2025-01-10"), DBSExpiresOn: ptr("2028-01-10"), Training: []community.Training{{Course: "Safeguarding adults", CompletedOn: "2025-02-01"}}}
}

// keep saves a profile as the world's manager of its scheme.
func (w *world) keep(t testing.TB, manager *auth.Principal, userID string, in community.VolunteerInput) community.Volunteer {
	t.Helper()
	v, err := w.vol.SaveVolunteer(context.Background(), as(manager), manager, userID, in)
	if err != nil {
		t.Fatalf("save volunteer %s: %v", userID, err)
	}
	return v
}

// wantCode checks err's code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := oikos.ErrorCode(err); err == nil || got != code {
		t.Errorf("%s: got %v (%s), want %s", what, err, got, code)
	}
}

// wantField checks err is a 422 naming field.
func wantField(t testing.TB, what string, err error, field string) {
	t.Helper()
	e, ok := err.(*oikos.Error)
	if !ok || e.Code != oikos.EINVALID || e.Fields[field] == "" {
		t.Errorf("%s: got %v, want 422 naming %s", what, err, field)
	}
}

// audited counts the audit entries of one object by action, and checks
// the chain holds.
func audited(t testing.TB, d *db.DB, kind, id string) map[string]int {
	t.Helper()
	ctx := context.Background()
	entries, err := audit.ForObject(ctx, d.R(), kind, id, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range entries {
		got[e.Action]++
	}
	if _, err := audit.Verify(ctx, d.R()); err != nil {
		t.Error(err)
	}
	return got
}

// outbox lists the recipients of messages of a kind.
func outbox(t testing.TB, d *db.DB, kind string) []string {
	t.Helper()
	to, err := db.Strings(context.Background(), d.R(), "SELECT recipient FROM outbox WHERE kind = $1 ORDER BY recipient", kind)
	if err != nil {
		t.Fatal(err)
	}
	return to
}
