package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// Lists of personal data and the audit log. Every GET route that is not
// about one object (no {id} in its path) is either a list that shows
// people (personalLists: each person shown leaves a read of their record)
// or says here why it shows nobody's record. A new list route fails
// TestEveryListIsAudited until it is placed in one or the other.

// personalLists are checked below: who may call each, and which of the
// fixture's referrals they see in it.
var personalLists = map[string]bool{
	"GET /api/v1/referrals":   true,
	"GET /referrals":          true,
	"GET /referrals/sent":     true,
	"GET /caseload":           true,
	"GET /api/v1/connections": true,
	"GET /connections":        true,
	"GET /api/v1/people":      true,
	"GET /people":             true,
	// The community half: concerns, matches (the volunteer's own page
	// among them), volunteers' profiles and the graduate pathway.
	"GET /api/v1/concerns":               true,
	"GET /concerns":                      true,
	"GET /api/v1/volunteer-matches":      true,
	"GET /volunteering":                  true,
	"GET /api/v1/volunteers":             true,
	"GET /volunteers":                    true,
	"GET /api/v1/coordinated-volunteers": true,
	"GET /volunteering/coordinated":      true,
	"GET /api/v1/mentor-pathway":         true,
	"GET /api/v1/budget-purchases":       true,
	"GET /budgets":                       true,
}

// notPersonal are the other routes without an object in their path, and
// why they need no entry for anyone's record.
var notPersonal = map[string]string{
	"GET /{$}":                         "the home page: cards only",
	"GET /about":                       "static page",
	"GET /accessibility":               "static page",
	"GET /favicon.ico":                 "static file",
	"GET /healthz":                     "operations",
	"GET /readyz":                      "operations",
	"GET /metrics":                     "operations: counts only",
	"GET /sign-in":                     "form",
	"GET /sign-in/code":                "form",
	"GET /sign-in/two-factor":          "form",
	"GET /refer":                       "the self-referral form",
	"GET /referrals/new":               "the referral form",
	"GET /account":                     "the caller's own account",
	"GET /api/v1/me":                   "the caller's own account",
	"GET /admin/organisations":         "organisations, not people",
	"GET /admin/organisations/new":     "form",
	"GET /admin/users":                 "staff accounts, not people supported (changes to them are audited)",
	"GET /admin/users/new":             "form",
	"GET /api/v1/users":                "staff accounts, not people supported (changes to them are audited)",
	"GET /api/v1/organisations":        "organisations, not people",
	"GET /directory":                   "the public directory: services",
	"GET /directory/manage":            "services",
	"GET /directory/manage/stale":      "services",
	"GET /directory/manage/new":        "form",
	"GET /api/v1/categories":           "vocabulary",
	"GET /api/v1/needs":                "vocabulary",
	"GET /api/v1/services":             "services",
	"GET /fhir/metadata":               "the CapabilityStatement: what the server offers",
	"GET /fhir/Task":                   "a search for one referral's Task, recorded as that referral's read",
	"GET /fhir/Communication":          "a search for one referral's Communication, recorded as that referral's read",
	"GET /my/sign-in":                  "form",
	"GET /my":                          "the person's own record, to the person",
	"GET /my/record":                   "the person's own record, to the person (recorded)",
	"GET /my/export":                   "the person's own copy of everything held, to the person (recorded)",
	"GET /my/export.json":              "the person's own copy of everything held, to the person (recorded)",
	"GET /my/progress":                 "the person's own record, to the person",
	"GET /my/measures/new":             "the person's own form",
	"GET /my/reminders":                "the person's own choice of reminders",
	"GET /my/goals/new":                "the person's own form",
	"GET /my/print":                    "the person's own plans, to the person (recorded, with the printing)",
	"GET /reports":                     "aggregate report, small numbers hidden (recorded as a report read)",
	"GET /reports/summary.csv":         "aggregate report",
	"GET /api/v1/reports/summary":      "aggregate report",
	"GET /reports/coverage":            "aggregate report",
	"GET /reports/coverage.csv":        "aggregate report",
	"GET /api/v1/reports/coverage":     "aggregate report",
	"GET /reports/unmet-needs":         "aggregate report",
	"GET /reports/unmet-needs.csv":     "aggregate report",
	"GET /api/v1/reports/unmet-needs":  "aggregate report",
	"GET /reports/engagement":          "aggregate report",
	"GET /reports/engagement.csv":      "aggregate report",
	"GET /api/v1/reports/engagement":   "aggregate report",
	"GET /oruk":                        "the published directory",
	"GET /oruk/{$}":                    "the published directory",
	"GET /oruk/services":               "the published directory",
	"GET /oruk/organizations":          "the published directory",
	"GET /oruk/taxonomies":             "the published directory",
	"GET /oruk/taxonomy_terms":         "the published directory",
	"GET /oruk/service_at_locations":   "the published directory",
	"GET /api/v1/reports/safeguarding": "aggregate report (recorded as a report read)",
	"GET /api/v1/reports/volunteering": "aggregate report (recorded as a report read)",
	"GET /reports/volunteering":        "aggregate report (recorded as a report read)",
	"GET /reports/volunteering.csv":    "aggregate report (recorded as a report read)",
	"GET /volunteering/details":        "the volunteer's own profile, to the volunteer (recorded)",
	"GET /volunteers/new":              "form: the names of volunteer accounts, staff-like records as the users list",
	"GET /api/v1/budgets/ledger":       "the finance ledger: references, suppliers and amounts, recorded as one read of the scheme's ledger for the period",
	"GET /budgets/ledger.csv":          "the finance ledger: references, suppliers and amounts, recorded as one read of the scheme's ledger for the period",
	"GET /api/v1/grant-rounds":         "grant rounds: pots, dates and the gap map's aggregate counts, small numbers hidden",
	"GET /grants":                      "grant rounds: pots, dates and the gap map's aggregate counts, small numbers hidden",
	"GET /grants/rounds/new":           "form, beside the scheme's gap map (aggregate, small numbers hidden)",
	"GET /api/v1/group-registrations":  "community groups and the contact each gave for the group, not people supported",
	"GET /groups/registrations":        "community groups and the contact each gave for the group, not people supported",
	"GET /groups/register":             "the public registration form",
	"GET /api/v1/reports/grants":       "aggregate report (people connected hidden when small; recorded as a report read)",
	"GET /reports/grants":              "aggregate report (people connected hidden when small; recorded as a report read)",
	"GET /reports/grants.csv":          "aggregate report",
	"GET /api/v1/reports/citizen-led":  "aggregate report of groups, not people",
	"GET /reports/citizen-led.csv":     "aggregate report of groups, not people",
}

// readsBy counts reads of a referral (or a part of it) by one user.
func readsBy(t *testing.T, d *db.DB, kind, referralID, userID string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log
		WHERE object_kind = $1 AND object_id = $2 AND actor_id = $3 AND action = 'read'`, kind, referralID, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEveryListIsAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		routes := map[string]bool{}
		for _, rt := range f.server.Routes() {
			routes[rt.Method+" "+rt.Path] = true
			if rt.Method != http.MethodGet || (strings.Contains(rt.Path, "{") && !strings.HasSuffix(rt.Path, "{$}")) {
				continue
			}
			key := rt.Method + " " + rt.Path
			_, listed := personalLists[key]
			_, exempt := notPersonal[key]
			if listed == exempt {
				t.Errorf("%s: say whether it lists people (personalLists, and audit each one shown) or why not (notPersonal)", key)
			}
		}
		for key := range notPersonal {
			if !routes[key] {
				t.Errorf("%s is in notPersonal but is not a route", key)
			}
		}

		// Two people: one taken on by the link worker and sent to a
		// provider's service, one waiting in the triage queue.
		taken := acceptedReferral(t, f)
		other := strings.NewReplacer(`"Margaret"`, `"Joan"`, `"Hughes"`, `"Ellis"`, `"nhs_number":"9434765919",`, "").Replace(referralBody)
		res := f.do(auth.Referrer, "POST", "/api/v1/referrals", other)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		waiting := res.json(t)["id"].(string)
		p := f.providers(t)
		f.connect(t, taken, p.serviceA, "active_signpost")
		var providerID string
		if err := d.R().QueryRowContext(context.Background(), "SELECT id FROM users WHERE email = $1", p.emailA).Scan(&providerID); err != nil {
			t.Fatal(err)
		}

		personID := f.do(auth.Manager, "GET", "/api/v1/referrals/"+taken, "").json(t)["person_id"].(string)
		// The link worker buys something for the person taken on above the
		// approval threshold: it waits in the manager's queue.
		if res := f.do(auth.LinkWorker, "PUT", "/api/v1/referrals/"+taken+"/budget", `{"allowance_pence": 20000, "purpose": "Courses"}`); res.status != 200 {
			t.Fatalf("allowance: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+taken+"/budget/purchases",
			`{"supplier": "Clay Studio", "description": "Pottery course", "amount_pence": 9000, "date": "2026-03-02"}`); res.status != 201 {
			t.Fatalf("purchase: %d %s", res.status, res.body)
		}
		c := f.community(t)

		type caller struct {
			name, token, userID string
		}
		as := func(role auth.Role) caller { return caller{string(role), f.tokens[role], f.users[role].ID} }
		provider := caller{"provider of the service", p.tokenA, providerID}
		cases := []struct {
			route string
			who   caller
			kind  string // what each person shown is read as
			shown []string
			query string
		}{
			{"GET /api/v1/referrals", as(auth.Manager), "referral", []string{taken, waiting}, ""},
			{"GET /api/v1/referrals", as(auth.LinkWorker), "referral", []string{taken, waiting}, ""},
			{"GET /api/v1/referrals", as(auth.Referrer), "referral", []string{taken, waiting}, ""},
			{"GET /referrals", as(auth.Manager), "referral", []string{waiting}, ""},
			{"GET /referrals", as(auth.LinkWorker), "referral", []string{taken, waiting}, ""},
			{"GET /referrals/sent", as(auth.Referrer), "referral", []string{taken, waiting}, ""},
			{"GET /caseload", as(auth.LinkWorker), "referral", []string{taken}, ""},
			{"GET /caseload", as(auth.Manager), "referral", []string{taken}, ""},
			{"GET /api/v1/connections", provider, "referral.connections", []string{taken}, ""},
			{"GET /api/v1/connections", as(auth.LinkWorker), "referral.connections", []string{taken}, ""},
			{"GET /connections", provider, "referral.connections", []string{taken}, ""},
			{"GET /api/v1/concerns", as(auth.Manager), "concern", []string{c.concernID}, ""},
			{"GET /api/v1/concerns", as(auth.Volunteer), "concern", []string{c.concernID}, ""},
			{"GET /concerns", as(auth.LinkWorker), "concern", []string{c.concernID}, ""},
			{"GET /api/v1/volunteer-matches", as(auth.Volunteer), "volunteer_match", []string{c.matchID}, ""},
			{"GET /api/v1/volunteer-matches", as(auth.LinkWorker), "volunteer_match", []string{c.matchID}, ""},
			{"GET /volunteering", as(auth.Volunteer), "volunteer_match", []string{c.matchID}, ""},
			{"GET /api/v1/volunteers", as(auth.Manager), "volunteer", []string{c.volunteerID, c.championID}, ""},
			{"GET /volunteers", as(auth.Manager), "volunteer", []string{c.volunteerID, c.championID}, ""},
			{"GET /api/v1/volunteers", caller{"health champion", c.championToken, c.championID}, "volunteer", []string{c.volunteerID}, ""},
			{"GET /api/v1/coordinated-volunteers", caller{"health champion", c.championToken, c.championID}, "volunteer", []string{c.volunteerID}, ""},
			{"GET /volunteering/coordinated", caller{"health champion", c.championToken, c.championID}, "volunteer", []string{c.volunteerID}, ""},
			{"GET /api/v1/mentor-pathway", as(auth.LinkWorker), "mentor_invitation", []string{c.invitationID}, ""},
			{"GET /api/v1/people", as(auth.LinkWorker), "person", []string{personID}, "?q=hughes"},
			{"GET /api/v1/people", as(auth.Manager), "person", []string{personID}, "?q=9434765919"},
			{"GET /people", as(auth.LinkWorker), "person", []string{personID}, "?q=margaret+hughes"},
			{"GET /api/v1/budget-purchases", as(auth.Manager), "referral.budget", []string{taken}, ""},
			{"GET /budgets", as(auth.Manager), "referral.budget", []string{taken}, ""},
		}
		checked := map[string]bool{}
		for _, c := range cases {
			checked[c.route] = true
			before := map[string]int{}
			for _, id := range c.shown {
				before[id] = readsBy(t, d, c.kind, id, c.who.userID)
			}
			path := strings.TrimPrefix(c.route, "GET ") + c.query
			res := f.asToken(c.who.token, "GET", path, "")
			if res.status != 200 {
				t.Errorf("%s as %s: status %d", c.route, c.who.name, res.status)
				continue
			}
			for _, id := range c.shown {
				if readsBy(t, d, c.kind, id, c.who.userID) != before[id]+1 {
					t.Errorf("%s as %s: no read of %s (%s) in the audit log", c.route, c.who.name, id, c.kind)
				}
			}
		}
		for route := range personalLists {
			if !checked[route] {
				t.Errorf("%s is a personal list but no case checks it", route)
			}
		}
	})
}
