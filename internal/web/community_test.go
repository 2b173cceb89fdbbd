package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// community is the fixture's community work: the fixture's volunteer with
// a profile (in-date DBS check), coordinated by a health champion; the
// accepted referral matched with the volunteer, sharing contact details
// only; and a concern the volunteer raised about the person.
type community struct {
	refID, volunteerID, championID, matchID, concernID string
	championToken                                      string
	// graduateRefID is another person's referral, closed with their goals
	// met, and invitationID their invitation to become a peer mentor.
	graduateRefID, invitationID string
}

// dbsInDate is a profile body with a DBS check valid for years to come.
func dbsInDate(kind, coordinator string) string {
	now := time.Now().UTC()
	body := fmt.Sprintf(`{"kind":%q,"postcode":"EX4 4QJ","interests":["gardening"],"languages":["English"],
		"availability":[{"day":"monday","from":"10:00","to":"16:00"}],"dbs_checked_on":%q,"dbs_expires_on":%q,
		"training":[{"course":"Safeguarding adults","completed_on":%q}],"phone":"07700 900111"`,
		kind, now.AddDate(0, -1, 0).Format("2006-01-02"), now.AddDate(3, 0, 0).Format("2006-01-02"), now.AddDate(0, -1, 0).Format("2006-01-02"))
	if coordinator != "" {
		body += `,"coordinator_id":"` + coordinator + `"`
	}
	return body + "}"
}

func (f *fixture) community(t testing.TB) community {
	t.Helper()
	c := community{refID: acceptedReferral(t, f), volunteerID: f.users[auth.Volunteer].ID}
	u, err := f.auth.CreateUser(context.Background(), auth.Actor{UserID: "system"}, auth.UserInput{
		Email: "champion@example.org", Name: "Hana Champion", Role: auth.Volunteer, OrganisationID: f.orgID}, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	c.championID = u.ID
	if c.championToken, _, err = f.auth.CreateToken(context.Background(), auth.Actor{UserID: "system"}, u.ID, "test"); err != nil {
		t.Fatal(err)
	}
	if res := f.do(auth.Manager, "PUT", "/api/v1/volunteers/"+c.championID, dbsInDate("health_champion", "")); res.status != 200 {
		t.Fatalf("champion profile: %d %s", res.status, res.body)
	}
	if res := f.do(auth.Manager, "PUT", "/api/v1/volunteers/"+c.volunteerID, dbsInDate("befriender", c.championID)); res.status != 200 {
		t.Fatalf("volunteer profile: %d %s", res.status, res.body)
	}
	res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+c.refID+"/volunteer-matches",
		`{"volunteer_id":"`+c.volunteerID+`","share":{"contact_details":true,"what_matters":false,"plan":false}}`)
	if res.status != 201 {
		t.Fatalf("match: %d %s", res.status, res.body)
	}
	c.matchID = res.json(t)["id"].(string)
	res = f.do(auth.Volunteer, "POST", "/api/v1/referrals/"+c.refID+"/concerns",
		`{"category":"self_neglect","level":"high","description":"The kitchen had no food and the heating was off."}`)
	if res.status != 201 {
		t.Fatalf("concern: %d %s", res.status, res.body)
	}
	c.concernID = res.json(t)["id"].(string)
	joan := strings.NewReplacer(`"Margaret"`, `"Joan"`, `"Hughes"`, `"Ellis"`, `"nhs_number":"9434765919",`, "").Replace(referralBody)
	res = f.do(auth.Referrer, "POST", "/api/v1/referrals", joan)
	if res.status != 201 {
		t.Fatalf("graduate's referral: %d %s", res.status, res.body)
	}
	c.graduateRefID = res.json(t)["id"].(string)
	for _, step := range []struct{ path, body string }{{"/status", `{"status":"accepted"}`},
		{"/assign", `{"user_id":"` + f.users[auth.LinkWorker].ID + `"}`}, {"/status", `{"status":"closed","reason":"goals_met"}`},
		{"/mentor-invitation", ""}} {
		res = f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+c.graduateRefID+step.path, step.body)
		if res.status >= 300 {
			t.Fatalf("graduate %s: %d %s", step.path, res.status, res.body)
		}
	}
	c.invitationID = res.json(t)["id"].(string)
	return c
}

// TestVolunteerSeesOnlyTheirMatch: the matched volunteer reads the match
// with what was shared and nothing else of the person; the referral,
// another person's match and an ended match answer 404, as for ids that
// do not exist.
func TestVolunteerSeesOnlyTheirMatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.community(t)
		res := f.do(auth.Volunteer, "GET", "/api/v1/volunteer-matches/"+c.matchID, "")
		if res.status != 200 || !strings.Contains(res.body, "Margaret") || !strings.Contains(res.body, "01392 000000") {
			t.Fatalf("own match: %d %s", res.status, res.body)
		}
		for _, unshared := range []string{"1948-05-02", "9434765919", "husband", "loneliness"} {
			if strings.Contains(res.body, unshared) {
				t.Errorf("the volunteer is shown %q, which was not shared", unshared)
			}
		}
		page := f.do(auth.Volunteer, "GET", "/volunteer-matches/"+c.matchID, "")
		if page.status != 200 || strings.Contains(page.body, "9434765919") || strings.Contains(page.body, "1948") {
			t.Errorf("match page: %d, shows unshared details", page.status)
		}
		// Shared but not held: said, not left empty.
		if !strings.Contains(page.body, `Email</dt><dd class="nhsuk-summary-list__value">None given</dd>`) {
			t.Errorf("match page leaves an email not held empty")
		}
		list := f.do(auth.Volunteer, "GET", "/api/v1/volunteer-matches", "")
		if list.status != 200 || list.json(t)["total"].(float64) != 1 {
			t.Errorf("own matches: %d %s", list.status, list.body)
		}
		// An unmatched person, as the volunteer.
		other := f.do(auth.Referrer, "POST", "/api/v1/referrals", strings.Replace(referralBody, `"Margaret"`, `"Joan"`, 1)).json(t)["id"].(string)
		for _, path := range []string{"/api/v1/referrals/" + c.refID, "/api/v1/referrals/" + other, "/referrals/" + c.refID,
			"/referrals/" + other + "/concerns/new", "/api/v1/referrals/" + other + "/volunteer-suggestions"} {
			if res := f.do(auth.Volunteer, "GET", path, ""); res.status != 404 {
				t.Errorf("volunteer GET %s: %d, want 404", path, res.status)
			}
		}
		if res := f.do(auth.Volunteer, "POST", "/api/v1/referrals/"+other+"/concerns",
			`{"category":"other","level":"low","description":"x"}`); res.status != 404 {
			t.Errorf("a concern about an unmatched person: %d, want 404", res.status)
		}
		// The champion coordinates the volunteer: figures, not the person.
		res = f.as(c.championToken, "GET", "/volunteering/coordinated", "")
		if res.status != 200 || !strings.Contains(res.body, "Test volunteer") || strings.Contains(res.body, "Margaret") {
			t.Errorf("champion's page: %d, names the volunteer %v, the person %v", res.status, strings.Contains(res.body, "Test volunteer"), strings.Contains(res.body, "Margaret"))
		}
		if res := f.as(c.championToken, "GET", "/api/v1/volunteer-matches/"+c.matchID, ""); res.status != 404 {
			t.Errorf("the champion reads the match: %d, want 404", res.status)
		}
		if res := f.as(c.championToken, "GET", "/api/v1/concerns/"+c.concernID, ""); res.status != 404 {
			t.Errorf("the champion reads the concern: %d, want 404", res.status)
		}
		// Matched again from the page: refused, and said at the top (the
		// volunteer, matched already, is no longer among the suggestions).
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		again := lw.post("/referrals/"+c.refID+"/volunteers", url.Values{"volunteer_id": {c.volunteerID}, "share": {"contact_details"}})
		if again.status != 409 || !strings.Contains(again.body, `href="#languages">This volunteer is already matched`) {
			t.Errorf("a second match from the page: %d %s", again.status, again.body)
		}
		// Ended: its history is kept for the link worker, gone for the volunteer.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/volunteer-matches/"+c.matchID+"/end", `{"reason":"Settled in the walking group"}`); res.status != 200 {
			t.Fatalf("end: %d %s", res.status, res.body)
		}
		for _, path := range []string{"/api/v1/volunteer-matches/" + c.matchID, "/volunteer-matches/" + c.matchID, "/volunteer-matches/" + c.matchID + "/concern"} {
			if res := f.do(auth.Volunteer, "GET", path, ""); res.status != 404 {
				t.Errorf("ended match, volunteer GET %s: %d, want 404", path, res.status)
			}
		}
		if res := f.do(auth.Volunteer, "POST", "/api/v1/volunteer-matches/"+c.matchID+"/contacts", `{"date":"2026-01-05","minutes":30,"mode":"phone"}`); res.status != 404 {
			t.Errorf("contact on an ended match: %d, want 404", res.status)
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/volunteer-matches/"+c.matchID, ""); res.status != 200 || !strings.Contains(res.body, `"ended"`) {
			t.Errorf("link worker reads the ended match: %d %s", res.status, res.body)
		}
	})
}

// TestConcernReachesTheLinkWorkerAndClosesWithAnOutcome: a volunteer's
// concern is in the link worker's log and on the person's page at once;
// the volunteer logs a contact; a manager closes the concern only with an
// outcome; bad input is refused naming the field.
func TestConcernReachesTheLinkWorkerAndClosesWithAnOutcome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.community(t)
		res := f.do(auth.LinkWorker, "GET", "/api/v1/concerns?status=open", "")
		if res.status != 200 || !strings.Contains(res.body, c.concernID) {
			t.Fatalf("link worker's concerns: %d %s", res.status, res.body)
		}
		// Emailed at once to the link worker and the manager: a link, no details.
		for _, to := range []string{"link_worker@example.org", "manager@example.org"} {
			if n := f.outboxKinds(t, to)["safeguarding_concern"]; n != 1 {
				t.Errorf("%d concern emails to %s, want 1", n, to)
			}
		}
		var body string
		if err := d.R().QueryRowContext(context.Background(), "SELECT body FROM outbox WHERE recipient = 'link_worker@example.org' AND kind = 'safeguarding_concern'").Scan(&body); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "/concerns/"+c.concernID) || strings.Contains(body, "kitchen") || strings.Contains(body, "Margaret") {
			t.Errorf("the concern email: %q, want a link and no details", body)
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+c.refID, ""); res.json(t)["open_concerns"] != 1.0 {
			t.Errorf("open_concerns = %v, want 1", res.json(t)["open_concerns"])
		}
		if res := f.do(auth.Referrer, "GET", "/api/v1/referrals/"+c.refID, ""); strings.Contains(res.body, "open_concerns") {
			t.Errorf("the referrer is told of concerns: %s", res.body)
		}
		if page := f.do(auth.LinkWorker, "GET", "/referrals/"+c.refID, ""); !strings.Contains(page.body, "An open safeguarding concern") {
			t.Errorf("the referral page has no concern banner")
		}
		if page := f.do(auth.LinkWorker, "GET", "/", ""); !strings.Contains(page.body, "An open safeguarding concern") {
			t.Errorf("the home page has no concern banner")
		}
		wantFields(t, "bad concern", f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+c.refID+"/concerns",
			`{"category":"gossip","level":"urgent","description":""}`), "category", "level", "description")
		wantFields(t, "bad contact", f.do(auth.Volunteer, "POST", "/api/v1/volunteer-matches/"+c.matchID+"/contacts",
			`{"date":"2026-02-30","minutes":-5,"mode":"carrier pigeon"}`), "date", "minutes", "mode")
		today := time.Now().UTC().Format("2006-01-02")
		if res := f.do(auth.Volunteer, "POST", "/api/v1/volunteer-matches/"+c.matchID+"/contacts", `{"date":"`+today+`","minutes":90,"mode":"home_visit"}`); res.status != 201 {
			t.Errorf("log a visit: %d %s", res.status, res.body)
		}
		// The volunteer sees what they raised, not the actions.
		if res := f.do(auth.Volunteer, "GET", "/api/v1/concerns", ""); res.status != 200 || res.json(t)["total"].(float64) != 1 {
			t.Errorf("volunteer's own concerns: %d %s", res.status, res.body)
		}
		wantFields(t, "close without outcome", f.do(auth.Manager, "POST", "/api/v1/concerns/"+c.concernID+"/actions",
			`{"action":"Visited with the district nurse.","status":"closed"}`), "outcome")
		if res := f.do(auth.Volunteer, "POST", "/api/v1/concerns/"+c.concernID+"/actions", `{"action":"x"}`); res.status != 404 {
			t.Errorf("the volunteer acts on the concern: %d, want 404", res.status)
		}
		res = f.do(auth.Manager, "POST", "/api/v1/concerns/"+c.concernID+"/actions",
			`{"action":"Visited with the district nurse.","status":"closed","outcome":"Food bank and heating grant arranged."}`)
		if res.status != 201 || res.json(t)["status"] != "closed" {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+c.refID, ""); res.json(t)["open_concerns"] != 0.0 {
			t.Errorf("after closing, open_concerns = %v", res.json(t)["open_concerns"])
		}
		rep := f.do(auth.Manager, "GET", "/reports/volunteering", "")
		if rep.status != 200 || !strings.Contains(rep.body, "Volunteers active") {
			t.Errorf("volunteering report page: %d", rep.status)
		}
		if csv := f.do(auth.Manager, "GET", "/reports/volunteering.csv", ""); csv.status != 200 || !strings.Contains(csv.header.Get("Content-Type"), "csv") {
			t.Errorf("volunteering CSV: %d %s", csv.status, csv.header.Get("Content-Type"))
		}
	})
}

// TestCommunityRoutesByRole: the routes naming a concern, a match or a
// volunteer, called with real ids of the same scheme by each role, answer
// only those the contract names.
func TestCommunityRoutesByRole(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	c := f.community(t)
	const champion = auth.Role("health_champion")
	call := func(role auth.Role, method, path, body string) int {
		if role == champion {
			return f.as(c.championToken, method, path, body).status
		}
		return f.do(role, method, path, body).status
	}
	roles := append(append([]auth.Role{}, auth.Roles...), champion)
	cases := []struct {
		method, path string
		ok           map[auth.Role]int
	}{
		{"GET", "/api/v1/concerns/" + c.concernID, map[auth.Role]int{auth.Manager: 200, auth.LinkWorker: 200, auth.Volunteer: 200}},
		{"GET", "/concerns/" + c.concernID, map[auth.Role]int{auth.Manager: 200, auth.LinkWorker: 200, auth.Volunteer: 200}},
		{"GET", "/api/v1/volunteer-matches/" + c.matchID, map[auth.Role]int{auth.Manager: 200, auth.LinkWorker: 200, auth.Volunteer: 200}},
		{"GET", "/volunteer-matches/" + c.matchID, map[auth.Role]int{auth.Manager: 200, auth.LinkWorker: 200, auth.Volunteer: 200}},
		{"GET", "/volunteer-matches/" + c.matchID + "/concern", map[auth.Role]int{auth.Volunteer: 200}},
		{"GET", "/api/v1/volunteers/" + c.volunteerID, map[auth.Role]int{auth.Manager: 200, auth.Volunteer: 200, champion: 200}},
		{"GET", "/volunteers/" + c.volunteerID, map[auth.Role]int{auth.Manager: 200}},
		{"GET", "/api/v1/volunteers/" + c.championID, map[auth.Role]int{auth.Manager: 200, champion: 200}},
		{"GET", "/volunteering/coordinated", map[auth.Role]int{champion: 200, auth.Volunteer: 200}},
		{"GET", "/volunteering", map[auth.Role]int{champion: 200, auth.Volunteer: 200}},
		{"GET", "/referrals/" + c.refID + "/volunteers", map[auth.Role]int{auth.Manager: 200, auth.LinkWorker: 200}},
		{"GET", "/api/v1/referrals/" + c.refID + "/volunteer-suggestions", map[auth.Role]int{auth.Manager: 200, auth.LinkWorker: 200}},
		{"GET", "/referrals/" + c.refID + "/concerns/new", map[auth.Role]int{auth.Manager: 200, auth.LinkWorker: 200}},
		{"GET", "/reports/volunteering", map[auth.Role]int{auth.Manager: 200, auth.Commissioner: 200}},
		{"GET", "/api/v1/reports/volunteering", map[auth.Role]int{auth.Manager: 200, auth.Commissioner: 200}},
	}
	for _, tc := range cases {
		for _, role := range roles {
			want, ok := tc.ok[role]
			if !ok {
				want = 404
			}
			if role == "" {
				continue
			}
			if got := call(role, tc.method, tc.path, ""); got != want {
				t.Errorf("%s %s as %s: %d, want %d", tc.method, tc.path, role, got, want)
			}
		}
	}
}

// TestVolunteerProfilesRefuseBadInput: bad dates, times and kinds are
// refused naming the field; a volunteer whose DBS check has run out is
// matched with nobody (422 naming volunteer_id); a volunteer reads and
// corrects only their own profile.
func TestVolunteerProfilesRefuseBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.community(t)
		wantFields(t, "bad profile", f.do(auth.Manager, "PUT", "/api/v1/volunteers/"+c.volunteerID,
			`{"kind":"wizard","postcode":"EX4 4QJ","dbs_checked_on":"2026-02-30","dbs_expires_on":"soon",
			"availability":[{"day":"someday","from":"25:00","to":"10:00"}]}`), "kind", "dbs_checked_on", "dbs_expires_on")
		wantFields(t, "bad own details", f.do(auth.Volunteer, "PATCH", "/api/v1/volunteers/"+c.volunteerID,
			`{"availability":[{"day":"monday","from":"25:00","to":"10:00"}]}`), "availability[0].from")
		if res := f.do(auth.Volunteer, "PATCH", "/api/v1/volunteers/"+c.volunteerID, `{"phone":"07700 900222"}`); res.status != 200 || !strings.Contains(res.body, "07700 900222") {
			t.Errorf("own phone: %d %s", res.status, res.body)
		}
		if res := f.do(auth.Volunteer, "PATCH", "/api/v1/volunteers/"+c.championID, `{"phone":"07700 900333"}`); res.status != 404 {
			t.Errorf("a volunteer corrects another's details: %d, want 404", res.status)
		}
		if res := f.do(auth.Volunteer, "GET", "/api/v1/volunteers/"+c.championID, ""); res.status != 404 {
			t.Errorf("a volunteer reads another's profile: %d, want 404", res.status)
		}
		past := time.Now().UTC().AddDate(0, 0, -2).Format("2006-01-02")
		expired := strings.Replace(dbsInDate("health_champion", ""), `"dbs_expires_on":"`+time.Now().UTC().AddDate(3, 0, 0).Format("2006-01-02")+`"`, `"dbs_expires_on":"`+past+`"`, 1)
		if res := f.do(auth.Manager, "PUT", "/api/v1/volunteers/"+c.championID, expired); res.status != 200 {
			t.Fatalf("expired DBS kept: %d %s", res.status, res.body)
		}
		other := f.do(auth.Referrer, "POST", "/api/v1/referrals", strings.Replace(referralBody, `"Margaret"`, `"Rose"`, 1)).json(t)["id"].(string)
		f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+other+"/status", `{"status":"accepted"}`)
		f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+other+"/assign", `{"user_id":"`+f.users[auth.LinkWorker].ID+`"}`)
		wantFields(t, "match with an expired DBS check", f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+other+"/volunteer-matches",
			`{"volunteer_id":"`+c.championID+`","share":{"contact_details":false,"what_matters":false,"plan":false}}`), "volunteer_id")
		res := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+other+"/volunteer-suggestions", "")
		if res.status != 200 || strings.Contains(res.body, c.championID) {
			t.Errorf("suggestions offer a volunteer whose DBS check ran out: %d %s", res.status, res.body)
		}
	})
}
