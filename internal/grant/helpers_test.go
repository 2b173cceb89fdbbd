package grant_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/grant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var (
	manager      = &auth.Principal{UserID: "usr_morgan", Name: "Morgan Manager", Role: auth.Manager, OrganisationID: "org_s1", SchemeID: "org_s1"}
	farManager   = &auth.Principal{UserID: "usr_far", Name: "Far Manager", Role: auth.Manager, OrganisationID: "org_s2", SchemeID: "org_s2"}
	commissioner = &auth.Principal{UserID: "usr_cam", Name: "Cam Commissioner", Role: auth.Commissioner, OrganisationID: "org_s1", SchemeID: "org_s1"}
	worker       = &auth.Principal{UserID: "usr_lee", Name: "Lee Worker", Role: auth.LinkWorker, OrganisationID: "org_s1", SchemeID: "org_s1"}
	provider     = &auth.Principal{UserID: "usr_pat", Name: "Pat Provider", Role: auth.Provider, OrganisationID: "org_cafe"}
	otherProv    = &auth.Principal{UserID: "usr_quin", Name: "Quin Provider", Role: auth.Provider, OrganisationID: "org_choir"}
)

func actor(p *auth.Principal) oikos.Actor { return oikos.Actor{UserID: p.UserID, Client: "test"} }

// world is two schemes (Exeter: EX1, EX4; Plymouth: PL1), two community
// organisations with a provider each, and referrals in Exeter whose
// needs went unmet: loneliness in EX4 (7 referrals), EX1 (2) and EX2
// (6), anxiety in EX4 (6).
type world struct {
	d     *db.DB
	store *grant.Store
	dir   *directory.Store
	today string
}

func execSQL(t testing.TB, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func must[T any](v T, err error) func(t testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ukToday() string {
	loc, _ := time.LoadLocation("Europe/London")
	return time.Now().In(loc).Format(time.DateOnly)
}

func day(offset int) string {
	loc, _ := time.LoadLocation("Europe/London")
	return time.Now().In(loc).AddDate(0, 0, offset).Format(time.DateOnly)
}

func newWorld(t testing.TB, d *db.DB) *world {
	t.Helper()
	now := db.Millis(time.Now())
	w := &world{d: d, store: grant.NewStore(d), dir: directory.NewStore(d), today: ukToday()}
	w.dir.CheckAward = grant.CheckServiceAward
	w.store.Directory = w.dir
	execSQL(t, d, `INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES
		('org_s1', 'Exeter Connect', 'scheme', $1, $1), ('org_s2', 'Plymouth Links', 'scheme', $1, $1),
		('org_cafe', 'Bridge Café', 'vcse', $1, $1), ('org_choir', 'Riverside Choir', 'vcse', $1, $1)`, now)
	execSQL(t, d, `INSERT INTO scheme_areas (area, scheme_id) VALUES ('EX1', 'org_s1'), ('EX4', 'org_s1'), ('PL1', 'org_s2')`)
	for _, p := range []*auth.Principal{manager, farManager, commissioner, worker, provider, otherProv} {
		execSQL(t, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
			p.UserID, p.UserID+"@example.org", p.Name, string(p.Role), p.OrganisationID, now)
	}
	n := 0
	unmet := func(need, area string, count int) {
		for range count {
			n++
			id := fmt.Sprintf("ref_%d", n)
			addReferral(t, d, id, fmt.Sprintf("per_%d", n), "org_s1")
			execSQL(t, d, `INSERT INTO unmet_needs (id, referral_id, need, priority, area, on_date, within_km, found, recorded_at)
				VALUES ($1, $2, $3, 1, $4, $5, 5, 0, $6)`, fmt.Sprintf("unm_%d_%s", n, need), id, need, area, day(-30), now)
		}
	}
	unmet("loneliness", "EX4", 7)
	unmet("loneliness", "EX1", 2)
	unmet("loneliness", "EX2", 6)
	unmet("anxiety", "EX4", 6)
	return w
}

func addReferral(t testing.TB, d *db.DB, id, personID, scheme string) {
	t.Helper()
	now := db.Millis(time.Now())
	execSQL(t, d, `INSERT INTO people (id, given_name, family_name, date_of_birth, created_at, updated_at) VALUES ($1, 'Test', 'Person', '1960-01-01', $2, $2)
		ON CONFLICT (id) DO NOTHING`, personID, now)
	execSQL(t, d, `INSERT INTO referrals (id, reference, person_id, status, source_type, consent_given, consent_share, consent_by, consent_at,
		received_at, updated_at, scheme_id) VALUES ($1, $2, $3, 'active', 'gp', true, true, 'test', $4, $4, $4, $5)`,
		id, "R-"+id, personID, now, scheme)
}

func pence(n int64) *int64 { return &n }

func code(err error) string {
	if err == nil {
		return ""
	}
	return oikos.ErrorCode(err)
}

func field(err error, name string) string {
	var e *oikos.Error
	if errors.As(err, &e) {
		return e.Fields[name]
	}
	return ""
}

// openRound is a round of the Exeter scheme open today for loneliness in
// EX4 and EX1.
func (w *world) openRound(t testing.TB, pot int64) grant.Round {
	t.Helper()
	return must(w.store.CreateRound(context.Background(), manager, actor(manager), grant.RoundInput{Name: "Community groups 2026", PotPence: pence(pot),
		OpensOn: day(-10), ClosesOn: day(20), Criteria: "New groups for people who are lonely", Needs: []string{"loneliness"}, Areas: []string{"ex4", "EX1"}}))(t)
}

func application(org string, amount int64) grant.ApplicationInput {
	return grant.ApplicationInput{OrganisationID: org, Title: "Lunch club", Summary: "A weekly lunch club for people on their own.",
		Needs: []string{"loneliness"}, AmountPence: pence(amount), StartsOn: day(40)}
}
