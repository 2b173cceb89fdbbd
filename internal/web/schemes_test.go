package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
)

// secondScheme adds a scheme beside the fixture's, covering PL1, with a
// manager, link worker, commissioner and volunteer of its own, and returns
// their API tokens by role.
func (f *fixture) secondScheme(t testing.TB) (string, map[auth.Role]string, map[auth.Role]auth.User) {
	t.Helper()
	ctx := context.Background()
	o, err := (&org.Store{DB: f.db}).Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: "Plymouth Scheme", Kind: "scheme", Areas: []string{"PL1"}})
	if err != nil {
		t.Fatal(err)
	}
	tokens, users := map[auth.Role]string{}, map[auth.Role]auth.User{}
	for _, role := range []auth.Role{auth.Manager, auth.LinkWorker, auth.Commissioner, auth.Volunteer} {
		u, err := f.auth.CreateUser(ctx, auth.Actor{UserID: "system"}, auth.UserInput{
			Email: "plymouth-" + string(role) + "@example.org", Name: "Plymouth " + string(role), Role: role, OrganisationID: o.ID}, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if u.SchemeID != o.ID {
			t.Fatalf("%s's scheme is %q, want their organisation %q", role, u.SchemeID, o.ID)
		}
		if tokens[role], _, err = f.auth.CreateToken(ctx, auth.Actor{UserID: "system"}, u.ID, "test"); err != nil {
			t.Fatal(err)
		}
		users[role] = u
	}
	return o.ID, tokens, users
}

func (f *fixture) as(token, method, path, body string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return f.send(http.DefaultTransport, req)
}

// TestEveryRouteAnswers404AcrossSchemes walks every route that names a
// referral or a connection, as each role of a second scheme, with the id
// of the first scheme's referral and connection: the answer must be the
// one for an id that does not exist, never a success. New routes are
// covered automatically.
func TestEveryRouteAnswers404AcrossSchemes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// The community fixture's referral is matched with a volunteer and
		// has a concern; another person's invitation to peer mentoring.
		c := f.community(t)
		refID := c.refID
		p := f.providers(t)
		conID := f.connect(t, refID, p.serviceA, "signpost")
		_, tokens, _ := f.secondScheme(t)
		tokens["health_champion"] = f.secondSchemeChampion(t)
		personID := f.do(auth.Manager, "GET", "/api/v1/referrals/"+refID, "").json(t)["person_id"].(string)
		// A purchase from the person's budget, waiting for a manager.
		if res := f.do(auth.LinkWorker, "PUT", "/api/v1/referrals/"+refID+"/budget", `{"allowance_pence": 20000, "purpose": "Courses"}`); res.status != 200 {
			t.Fatalf("allowance: %d %s", res.status, res.body)
		}
		bought := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+refID+"/budget/purchases",
			`{"supplier": "Clay Studio", "description": "Pottery course", "amount_pence": 9000, "date": "2026-03-02"}`)
		if bought.status != 201 {
			t.Fatalf("purchase: %d %s", bought.status, bought.body)
		}
		purchaseID := bought.json(t)["id"].(string)
		// A grant round of the scheme, an application to it from the
		// walkers, and a group registering itself in the scheme's area.
		today := time.Now().In(londonForTest()).Format(time.DateOnly)
		closes := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
		round := f.do(auth.Manager, "POST", "/api/v1/grant-rounds", `{"name": "Growing groups", "pot_pence": 1000000, "opens_on": "`+today+
			`", "closes_on": "`+closes+`", "needs": ["loneliness"], "areas": ["EX4"]}`)
		if round.status != 201 {
			t.Fatalf("round: %d %s", round.status, round.body)
		}
		roundID := round.json(t)["id"].(string)
		applied := f.as(p.tokenA, "POST", "/api/v1/grant-rounds/"+roundID+"/applications", `{"organisation_id": "org_walkers", "title": "Walk and talk",
			"summary": "Weekly walks for people living alone.", "needs": ["loneliness"], "areas": ["EX4"], "amount_pence": 200000, "starts_on": "`+closes+`"}`)
		if applied.status != 201 {
			t.Fatalf("application: %d %s", applied.status, applied.body)
		}
		applicationID := applied.json(t)["id"].(string)
		registered := f.public("POST", "/api/v1/group-registrations", `{"group_name": "Knit and natter", "contact_name": "Maureen", "contact_email": "m@example.net",
			"service": {"name": "Knit and natter", "description": "Knitting, tea and company on Tuesdays.", "categories": ["social_groups"], "postcode": "EX4 4QJ"}}`)
		if registered.status != 201 {
			t.Fatalf("registration: %d %s", registered.status, registered.body)
		}
		registrationID := registered.json(t)["id"].(string)

		checked := 0
		for _, rt := range f.server.Routes() {
			var real string
			switch {
			case strings.Contains(rt.Path, "referrals/{id}"):
				real = refID
			case strings.HasPrefix(rt.Path, "/fhir/") && strings.HasSuffix(rt.Path, "/{id}"):
				// A FHIR id is the referral's, written as R4 allows.
				real = strings.ReplaceAll(refID, "_", "-")
			case strings.Contains(rt.Path, "connections/{id}"):
				real = conID
			case strings.Contains(rt.Path, "people/{id}"):
				real = personID
			case strings.Contains(rt.Path, "purchases/{id}"):
				real = purchaseID
			case strings.Contains(rt.Path, "rounds/{id}"):
				real = roundID
			case strings.Contains(rt.Path, "applications/{id}"):
				real = applicationID
			case strings.Contains(rt.Path, "registrations/{id}"):
				real = registrationID
			case strings.Contains(rt.Path, "schemes/{id}"):
				real = f.orgID
			case strings.Contains(rt.Path, "concerns/{id}"):
				real = c.concernID
			case strings.Contains(rt.Path, "volunteer-matches/{id}"):
				real = c.matchID
			case strings.Contains(rt.Path, "mentor-pathway/{id}"):
				real = c.invitationID
			case strings.Contains(rt.Path, "volunteers/{user_id}"):
				real = c.volunteerID
			default:
				continue
			}
			for role, token := range tokens {
				p := &auth.Principal{Role: role}
				if role == "health_champion" {
					p.Role = auth.Volunteer
				}
				if !rt.Access.Allows(p) {
					continue
				}
				body := ""
				if rt.Method != http.MethodGet && (strings.HasPrefix(rt.Path, "/api/") || strings.HasPrefix(rt.Path, "/fhir/")) {
					body = "{}"
				}
				path := strings.Replace(strings.Replace(rt.Path, "{id}", real, 1), "{user_id}", real, 1)
				absent := strings.Replace(strings.Replace(rt.Path, "{id}", "nothing_here", 1), "{user_id}", "nothing_here", 1)
				got := f.as(token, rt.Method, concretePath(path), body)
				want := f.as(token, rt.Method, concretePath(absent), body)
				checked++
				if got.status < 400 || got.status != want.status {
					t.Errorf("%s %s as %s of another scheme: status %d, want %d as for an id that does not exist", rt.Method, rt.Path, role, got.status, want.status)
				}
				if strings.Contains(got.body, "Hughes") || strings.Contains(got.body, "Test volunteer") {
					t.Errorf("%s %s as %s of another scheme shows the person", rt.Method, rt.Path, role)
				}
			}
		}
		if checked < 40 {
			t.Errorf("only %d route and role pairs checked", checked)
		}

		// Lists and reports hold nothing of the other scheme.
		if res := f.as(tokens[auth.Manager], "GET", "/api/v1/referrals", ""); res.status != 200 || res.json(t)["total"].(float64) != 0 {
			t.Errorf("another scheme's manager lists referrals: %d %s", res.status, res.body)
		}
		if res := f.as(tokens[auth.LinkWorker], "GET", "/api/v1/referrals?status=received", ""); res.status != 200 || res.json(t)["total"].(float64) != 0 {
			t.Errorf("another scheme's link worker lists referrals: %d %s", res.status, res.body)
		}
		if res := f.as(tokens[auth.Manager], "GET", "/api/v1/connections", ""); res.status != 200 || res.json(t)["total"].(float64) != 0 {
			t.Errorf("another scheme's manager lists connections: %d %s", res.status, res.body)
		}
		for _, page := range []string{"/referrals", "/caseload"} {
			if res := f.as(tokens[auth.Manager], "GET", page, ""); res.status != 200 || strings.Contains(res.body, "Hughes") {
				t.Errorf("another scheme's manager, %s: %d, shows the person: %v", page, res.status, strings.Contains(res.body, "Hughes"))
			}
		}
		for _, token := range []string{tokens[auth.Manager], tokens[auth.Commissioner]} {
			sum := f.as(token, "GET", "/api/v1/reports/summary", "").json(t)
			if n := sum["referrals"].(map[string]any)["total"]; n != 0.0 {
				t.Errorf("another scheme's summary counts the first scheme's referral: %v", n)
			}
		}
		if n := f.do(auth.Manager, "GET", "/api/v1/reports/summary", "").json(t)["referrals"].(map[string]any)["total"]; n != nil {
			t.Errorf("the scheme's own summary: total %v, want hidden (1)", n)
		}
		// The first scheme's manager may not give the referral to the
		// other scheme's link worker.
	})
}

// secondSchemeChampion is a health champion of the second scheme (made by
// secondScheme), coordinating that scheme's volunteer: their API token.
func (f *fixture) secondSchemeChampion(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	var schemeID, managerToken string
	if err := f.db.R().QueryRowContext(ctx, "SELECT id FROM organisations WHERE name = 'Plymouth Scheme'").Scan(&schemeID); err != nil {
		t.Fatal(err)
	}
	mgr, err := f.auth.CreateUser(ctx, auth.Actor{UserID: "system"}, auth.UserInput{
		Email: "plymouth-keeper@example.org", Name: "Plymouth keeper", Role: auth.Manager, OrganisationID: schemeID}, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if managerToken, _, err = f.auth.CreateToken(ctx, auth.Actor{UserID: "system"}, mgr.ID, "test"); err != nil {
		t.Fatal(err)
	}
	u, err := f.auth.CreateUser(ctx, auth.Actor{UserID: "system"}, auth.UserInput{
		Email: "plymouth-champion@example.org", Name: "Plymouth champion", Role: auth.Volunteer, OrganisationID: schemeID}, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if res := f.as(managerToken, "PUT", "/api/v1/volunteers/"+u.ID, dbsInDate("health_champion", "")); res.status != 200 {
		t.Fatalf("champion of the second scheme: %d %s", res.status, res.body)
	}
	token, _, err := f.auth.CreateToken(ctx, auth.Actor{UserID: "system"}, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestReferralsBelongToTheSchemeCoveringThePerson: the scheme named, else
// the one covering the person's district, else the first; and assignment
// stays within the scheme.
func TestReferralsBelongToTheSchemeCoveringThePerson(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		plymouth, tokens, users := f.secondScheme(t)
		create := func(body string) response {
			return f.do(auth.Referrer, "POST", "/api/v1/referrals", body)
		}
		schemeOf := func(id string, token string) string {
			res := f.as(token, "GET", "/api/v1/referrals/"+id, "")
			if res.status != 200 {
				t.Fatalf("read %s: %d %s", id, res.status, res.body)
			}
			return res.json(t)["scheme_id"].(string)
		}
		inPlymouth := strings.Replace(referralBody, "EX4 4QJ", "PL1 2AA", 1)
		res := create(inPlymouth)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		id := res.json(t)["id"].(string)
		if got := schemeOf(id, tokens[auth.Manager]); got != plymouth {
			t.Errorf("PL1 referral belongs to %q, want Plymouth %q", got, plymouth)
		}
		if res := f.do(auth.Manager, "GET", "/api/v1/referrals/"+id, ""); res.status != 404 {
			t.Errorf("the other scheme's manager reads it: %d", res.status)
		}
		// Outside every area: the first scheme made.
		res = create(strings.Replace(referralBody, "EX4 4QJ", "LS1 1AA", 1))
		if got := schemeOf(res.json(t)["id"].(string), f.tokens[auth.Manager]); got != f.orgID {
			t.Errorf("LS1 referral belongs to %q, want the first scheme %q", got, f.orgID)
		}
		// Named: wins over the area.
		res = create(strings.Replace(referralBody, `"reasons"`, `"scheme_id":"`+plymouth+`","reasons"`, 1))
		if got := schemeOf(res.json(t)["id"].(string), tokens[auth.Manager]); got != plymouth {
			t.Errorf("named scheme: %q", got)
		}
		res = create(strings.Replace(referralBody, `"reasons"`, `"scheme_id":"org_nope","reasons"`, 1))
		if code, fields := res.errorCode(t); res.status != 422 || code != "invalid" || fields["scheme_id"] == nil {
			t.Errorf("unknown scheme: %d %s", res.status, res.body)
		}
		// Assignment within the scheme only.
		res = f.as(tokens[auth.Manager], "POST", "/api/v1/referrals/"+id+"/assign", `{"user_id":"`+f.users[auth.LinkWorker].ID+`"}`)
		if _, fields := res.errorCode(t); res.status != 422 || fields["user_id"] == nil {
			t.Errorf("assign to another scheme's link worker: %d %s", res.status, res.body)
		}
		if res := f.as(tokens[auth.Manager], "POST", "/api/v1/referrals/"+id+"/assign", `{"user_id":"`+users[auth.LinkWorker].ID+`"}`); res.status != 200 {
			t.Errorf("assign within the scheme: %d %s", res.status, res.body)
		}
		// A link worker's organisation must be a scheme once there are any.
		res = f.do(auth.Admin, "POST", "/api/v1/organisations", `{"name":"Riverside Surgery","kind":"gp_practice"}`)
		gp := res.json(t)["id"].(string)
		res = f.do(auth.Admin, "POST", "/api/v1/users", `{"email":"lw@gp.example","name":"New Worker","role":"link_worker","organisation_id":"`+gp+`"}`)
		if _, fields := res.errorCode(t); res.status != 422 || fields["organisation_id"] == nil {
			t.Errorf("link worker outside a scheme: %d %s", res.status, res.body)
		}
	})
}

// TestSchemeAreas: districts are set with the scheme, tidied, refused when
// malformed or another scheme's, and kept by an update that leaves them out.
func TestSchemeAreas(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res := f.do(auth.Admin, "PUT", "/api/v1/organisations/"+f.orgID, `{"name":"Northgate Scheme","kind":"scheme","areas":["ex4"," EX1 ","EX4"]}`)
		if res.status != 200 {
			t.Fatalf("set areas: %d %s", res.status, res.body)
		}
		if got := res.json(t)["areas"]; len(got.([]any)) != 2 || got.([]any)[0] != "EX1" {
			t.Errorf("areas %v, want [EX1 EX4]", got)
		}
		res = f.do(auth.Admin, "PUT", "/api/v1/organisations/"+f.orgID, `{"name":"Northgate Scheme","kind":"scheme"}`)
		if got := res.json(t)["areas"]; got == nil || len(got.([]any)) != 2 {
			t.Errorf("an update without areas kept %v", got)
		}
		for body, field := range map[string]string{
			`{"name":"Other Scheme","kind":"scheme","areas":["EX4"]}`:    "areas",
			`{"name":"Other Scheme","kind":"scheme","areas":["4EX"]}`:    "areas",
			`{"name":"A practice","kind":"gp_practice","areas":["EX9"]}`: "areas",
		} {
			res := f.do(auth.Admin, "POST", "/api/v1/organisations", body)
			if _, fields := res.errorCode(t); res.status != 422 || fields[field] == nil {
				t.Errorf("%s: %d %s", body, res.status, res.body)
			}
		}
	})
}

// londonForTest is the UK clock, for dates the rules read as UK days.
func londonForTest() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}

// public sends a request without credentials, as anyone may.
func (f *fixture) public(method, path, body string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b)}
}
