package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

// personWithPlan is a referral accepted by the fixture's link worker, with
// a plan of one goal and two steps.
type personWithPlan struct {
	ref                      referral.Referral
	goal, step, otherStep    string
	goalText, stepText, name string
}

func (f *fixture) personWithPlan(t testing.TB, given, family, email string) personWithPlan {
	t.Helper()
	ctx := context.Background()
	lw := f.users[auth.LinkWorker]
	by := referral.Actor{UserID: lw.ID, Client: "test"}
	refs := referral.NewStore(f.db)
	ref, err := refs.Create(ctx, by, referral.Input{
		Person:  referral.PersonInput{GivenName: given, FamilyName: family, DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ", Email: email},
		Source:  referral.SourceInput{Type: "gp", ReferrerName: "Dr Okafor", OrganisationID: f.orgID},
		Reasons: []string{"loneliness", "fear_of_going_out"}, Notes: "Staff note: " + family + " finds mornings hard",
		Consent: referral.ConsentInput{Given: true},
	}, f.users[auth.Referrer].ID, "api")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refs.Transition(ctx, by, ref.ID, referral.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := refs.Assign(ctx, by, ref.ID, lw.ID); err != nil {
		t.Fatal(err)
	}
	goalText := "Get out of the house twice a week (" + family + ")"
	plan, err := casework.NewStore(f.db).SavePlan(ctx, by, ref.ID, []casework.Goal{{Text: goalText, Steps: []casework.Step{
		{Text: "Walk to the library with " + family, Owner: casework.OwnerPerson, Due: "2030-04-01"},
		{Text: "Find a walking group near " + family, Owner: casework.OwnerLinkWorker},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	g := plan.Goals[0]
	return personWithPlan{ref: ref, goal: g.ID, step: g.Steps[0].ID, otherStep: g.Steps[1].ID,
		goalText: goalText, stepText: g.Steps[0].Text, name: given}
}

func (f *fixture) plan(t testing.TB, refID string) casework.Plan {
	t.Helper()
	p, err := casework.NewStore(f.db).Plan(context.Background(), referral.Actor{UserID: "test"}, refID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var codePattern = regexp.MustCompile(`id="sign-in-code">([A-Z0-9-]+)<`)

// printCode has the link worker print a sign-in code for a referral.
func (f *fixture) printCode(t testing.TB, refID string) string {
	t.Helper()
	res := f.do(auth.LinkWorker, http.MethodPost, "/referrals/"+refID+"/portal/code", "")
	m := codePattern.FindStringSubmatch(res.body)
	if res.status != 200 || m == nil {
		t.Fatalf("print code: %d\n%s", res.status, res.body)
	}
	return m[1]
}

func codeForm(code, day, month, year string) url.Values {
	return url.Values{"code": {code}, "dob-day": {day}, "dob-month": {month}, "dob-year": {year}}
}

// signInWithCode signs a fresh browser in as the person.
func (f *fixture) signInWithCode(t testing.TB, refID string) *browser {
	t.Helper()
	b := f.browser()
	res := b.post("/my/sign-in", codeForm(f.printCode(t, refID), "2", "5", "1948"))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/my" {
		t.Fatalf("sign in with code: %d %q\n%s", res.status, res.header.Get("Location"), res.body)
	}
	return b
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.f.ts.URL + "/my")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// auditCount counts audit entries by an actor, action and object kind.
func (f *fixture) auditCount(t testing.TB, actor, action, kind string) int {
	t.Helper()
	var n int
	if err := f.db.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 AND action = $2 AND object_kind = $3",
		actor, action, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var linkPattern = regexp.MustCompile(`https?://[^\s]+/my/link/([A-Za-z0-9_-]+)`)

func TestPersonSignsInWithALinkAndMarksAStepDone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, func(c *serverConfig) { c.BaseURL = "https://oikos.example.org" })
		p := f.personWithPlan(t, "Margaret", "Hughes", "margaret@example.org")
		res := f.do(auth.LinkWorker, http.MethodPost, "/referrals/"+p.ref.ID+"/portal/link", "")
		if res.status != 200 || !strings.Contains(res.body, "m•••@example.org") {
			t.Fatalf("email a link: %d\n%s", res.status, res.body)
		}
		var to, subject, body string
		if err := d.R().QueryRowContext(context.Background(), "SELECT recipient, subject, body FROM outbox WHERE kind = 'portal_link'").Scan(&to, &subject, &body); err != nil {
			t.Fatal(err)
		}
		m := linkPattern.FindStringSubmatch(body)
		if to != "margaret@example.org" || m == nil || !strings.HasPrefix(m[0], "https://oikos.example.org/my/link/") {
			t.Fatalf("email to %q:\n%s", to, body)
		}
		for _, secret := range []string{"Margaret", "Hughes", "loneliness", "Loneliness", "library", "mornings"} {
			if strings.Contains(subject+body, secret) {
				t.Errorf("the email gives away %q", secret)
			}
		}
		token := m[1]

		b := f.browser()
		// Opening the link (as an email scanner would) does not use it up.
		for range 2 {
			if res := b.get("/my/link/" + token); res.status != 200 || !strings.Contains(res.body, "Continue") {
				t.Fatalf("link page: %d", res.status)
			}
		}
		res = b.post("/my/link/"+token, nil)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/my" {
			t.Fatalf("continue: %d %q", res.status, res.header.Get("Location"))
		}
		setCookie := res.header.Get("Set-Cookie")
		for _, want := range []string{"oikos_person=", "Path=/my", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(setCookie, want) {
				t.Errorf("cookie %q lacks %s", setCookie, want)
			}
		}
		home := b.get("/my")
		for _, want := range []string{"Margaret, your plan", p.goalText, p.stepText, "Who does it: You", "By: 1 April 2030", "Your link worker"} {
			if !strings.Contains(home.body, want) {
				t.Errorf("plan page lacks %q", want)
			}
		}
		if home.status != 200 || strings.Contains(home.body, "mornings") {
			t.Fatalf("plan page: %d", home.status)
		}
		// The header offers the person's own sign-out, not the staff sign-in.
		if strings.Contains(home.body, `href="/sign-in"`) || !strings.Contains(home.body, `action="/my/sign-out"`) {
			t.Error("the plan page's header is the staff one")
		}

		res = b.post("/my/goals/"+p.goal+"/steps/"+p.step, url.Values{"done": {"yes"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/my?saved=step#goal-"+p.goal {
			t.Fatalf("mark done: %d %q %s", res.status, res.header.Get("Location"), res.body)
		}
		if res := b.post("/my/goals/"+p.goal, url.Values{"progress": {"7"}}); res.status != http.StatusSeeOther {
			t.Fatalf("goal progress: %d", res.status)
		}
		plan := f.plan(t, p.ref.ID)
		g := plan.Goals[0]
		if !g.Steps[0].Done || g.Steps[1].Done || g.Progress != 7 || plan.UpdatedBy != "person:"+p.ref.PersonID {
			t.Fatalf("plan after the person's changes: %+v", plan)
		}
		if res := b.get("/my?saved=step"); !strings.Contains(res.body, "Your step is saved.") || !strings.Contains(res.body, "Mark as not done") {
			t.Error("the plan page does not show the step done")
		}
		if res := b.post("/my/goals/"+p.goal, url.Values{"progress": {"11"}}); res.status != 422 {
			t.Errorf("progress 11: %d", res.status)
		}
		// The link worker (through the API) sees the step done.
		if res := f.do(auth.LinkWorker, http.MethodGet, "/api/v1/referrals/"+p.ref.ID+"/plan", ""); res.status == 200 && !strings.Contains(res.body, `"done":true`) {
			t.Errorf("link worker's plan: %s", res.body)
		}

		person := "person:" + p.ref.PersonID
		if f.auditCount(t, person, "sign_in", "person") != 1 || f.auditCount(t, person, "update", "referral.plan") != 2 ||
			f.auditCount(t, person, "read", "referral.plan") == 0 {
			t.Error("the person's sign-in, reads and changes are not all in the audit log")
		}
		if f.auditCount(t, f.users[auth.LinkWorker].ID, "issue_sign_in_link", "person") != 1 {
			t.Error("issuing the link is not audited")
		}

		// The link worked once.
		if res := f.browser().post("/my/link/"+token, nil); res.status != http.StatusGone || !strings.Contains(res.body, "does not work") {
			t.Errorf("second use: %d", res.status)
		}
		if res := f.browser().get("/my/link/" + token); res.status != http.StatusGone {
			t.Errorf("link page after use: %d", res.status)
		}
	})
}

func TestPersonSignsInWithACode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, func(c *serverConfig) { c.BaseURL = "https://oikos.example.org/" })
		p := f.personWithPlan(t, "Joan", "Pike", "")
		res := f.do(auth.LinkWorker, http.MethodPost, "/referrals/"+p.ref.ID+"/portal/code", "")
		code := codePattern.FindStringSubmatch(res.body)
		// The paper says plainly that the code signs in once, not for 14
		// days, and how to sign in again another day.
		if !strings.Contains(res.body, "The code signs you in once, and only before ") || !strings.Contains(res.body, "To sign in again another day") ||
			strings.Contains(res.body, "works once") {
			t.Errorf("the printed code's wording:\n%s", res.body)
		}
		if res.status != 200 || code == nil || !strings.Contains(res.body, "https://oikos.example.org/my/sign-in") {
			t.Fatalf("print code: %d\n%s", res.status, res.body)
		}
		// No email address: no link can be emailed.
		if res := f.do(auth.LinkWorker, http.MethodPost, "/referrals/"+p.ref.ID+"/portal/link", ""); res.status != http.StatusConflict {
			t.Errorf("link without an email address: %d", res.status)
		}

		b := f.browser()
		if res := b.get("/my"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/my/sign-in" {
			t.Fatalf("signed out: %d %q", res.status, res.header.Get("Location"))
		}
		if res := b.get("/my/sign-in"); res.status != 200 || !strings.Contains(res.body, "check") && !strings.Contains(res.body, "email") {
			t.Fatalf("sign-in page: %d", res.status)
		} else if !strings.Contains(res.body, "A code signs you in once") || !strings.Contains(res.body, "To sign in again another day") || strings.Contains(res.body, "for 14 days") {
			t.Errorf("the sign-in page reads as if a code worked for 14 days:\n%s", res.body)
		}
		res = b.post("/my/sign-in", codeForm("", "", "", ""))
		if res.status != 422 || !strings.Contains(res.body, `href="#code"`) || !strings.Contains(res.body, `href="#dob-day"`) {
			t.Errorf("empty form: %d", res.status)
		}
		res = b.post("/my/sign-in", codeForm(code[1], "5", "2", "1948"))
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "not right") || strings.Contains(res.body, code[1]) {
			t.Errorf("wrong date of birth: %d", res.status)
		}
		res = b.post("/my/sign-in", codeForm(strings.ToLower(strings.ReplaceAll(code[1], "-", " ")), "02", "05", "1948"))
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/my" {
			t.Fatalf("sign in: %d %s", res.status, res.body)
		}
		if res := b.get("/my/sign-in"); res.status != http.StatusSeeOther {
			t.Errorf("sign-in page when signed in: %d", res.status)
		}
		if res := b.get("/my"); res.status != 200 || !strings.Contains(res.body, p.goalText) {
			t.Fatalf("plan: %d", res.status)
		}
		// Her activity with its first session, and her link worker.
		prov := f.providers(t)
		c := f.connect(t, p.ref.ID, prov.serviceA, "supported")
		next := time.Now().AddDate(0, 0, 7)
		if res := f.asToken(prov.tokenA, "POST", "/api/v1/connections/"+c+"/decision", `{"decision":"accepted","first_session":"`+next.Format(time.DateOnly)+`"}`); res.status != 200 {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		// Where the walk meets and when, from the directory; and a
		// connection that ended before it started says so, without blame.
		if _, err := d.Exec(t.Context(), "UPDATE services SET location_name = 'Riverside Hall', address = '1 Quay Road, Exeter', postcode = 'EX2 4AN' WHERE id = $1", prov.serviceA); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(t.Context(), "INSERT INTO service_schedules (service_id, position, day, opens, closes) VALUES ($1, 0, $2, '10:00', '11:30'), ($1, 1, $3, '14:00', '15:00')",
			prov.serviceA, (int(next.Weekday())+6)%7+1, (int(next.Weekday())+7)%7+1); err != nil {
			t.Fatal(err)
		}
		dropped := f.connect(t, p.ref.ID, prov.serviceB, "supported")
		if _, err := d.Exec(t.Context(), "UPDATE connections SET status = 'dropped' WHERE id = $1", dropped); err != nil {
			t.Fatal(err)
		}
		// The scheme's phone number, for someone with no email to write from.
		if _, err := d.Exec(t.Context(), "UPDATE organisations SET phone = '01632 960100' WHERE id = "+firstScheme); err != nil {
			t.Fatal(err)
		}
		home := b.get("/my")
		printed := b.get("/my/print")
		for _, want := range []string{"Your activities", "Riverside walk", "They can take you", "Your first session: <strong>" + next.Format("2 January 2006") + "</strong>, 10:00 to 11:30<br>Where: Riverside Hall, 1 Quay Road, Exeter, EX2 4AN",
			"Community choir", "Did not start", "Your link worker", f.users[auth.LinkWorker].Name, "mailto:" + f.users[auth.LinkWorker].Email,
			"ring <a href=\"tel:01632%20960100\">01632 960100</a> or email"} {
			if !strings.Contains(home.body, want) {
				t.Errorf("home lacks %q", want)
			}
			if !strings.Contains(printed.body, want) {
				t.Errorf("printed plan lacks %q", want)
			}
		}
		if strings.Contains(home.body+printed.body, "stopped going") || strings.Contains(home.body+printed.body, "14:00") {
			t.Errorf("the person is told they stopped going, or the time of another day")
		}

		// The link worker records a contact and the what-matters conversation.
		ctx, cases := context.Background(), casework.NewStore(d)
		lw := referral.Actor{UserID: f.users[auth.LinkWorker].ID, Client: "test"}
		if _, err := cases.RecordContact(ctx, lw, p.ref.ID, casework.ContactInput{At: "2026-01-05", Mode: "phone", DurationMinutes: 20,
			Note: "Staff note: sounded tired"}); err != nil {
			t.Fatal(err)
		}
		if _, err := cases.RecordConversation(ctx, lw, p.ref.ID, casework.ConversationInput{HeldAt: "2026-01-12", Mode: "home_visit",
			Needs: []casework.NeedInput{{Code: "loneliness", Priority: 1}}, Strengths: []string{"Good with her hands"},
			WhatMatters: "Seeing my grandchildren more", Interests: "Knitting", Notes: "Staff note: house cold",
			Baseline: []casework.BaselineInput{{Instrument: "ucla3", Answers: []float64{3, 2, 3}}}}); err != nil {
			t.Fatal(err)
		}

		record := b.get("/my/record")
		for _, want := range []string{"What we hold about you", "Joan Pike", "2 May 1948", "EX4 4QJ", "GP: Dr Okafor, Northgate Scheme",
			"Loneliness", p.ref.Reference, p.goalText, "Your link worker has been in touch", // reaching her moved the referral on
			"5 January 2026: Phone call", "12 January 2026", "Home visit", "Seeing my grandchildren more", "Loneliness (high priority)",
			"Good with her hands", "Knitting", "UCLA three-item loneliness scale: At the start", "How often do you feel left out?",
			"2 (Some of the time)", "Your answers added up: 8"} {
			if !strings.Contains(record.body, want) {
				t.Errorf("record lacks %q", want)
			}
		}
		if record.status != 200 || strings.Contains(record.body, "Staff note") {
			t.Errorf("record: %d, or shows a staff note", record.status)
		}
		person := "person:" + p.ref.PersonID
		for _, kind := range []string{"person", "referral", "referral.contacts", "referral.conversations", "referral.measures"} {
			if f.auditCount(t, person, "read", kind) == 0 { // the home page reads measures too, for reviews due
				t.Errorf("reading the record's %s is not audited", kind)
			}
		}
		// The code worked once.
		if res := f.browser().post("/my/sign-in", codeForm(code[1], "2", "5", "1948")); res.status != http.StatusUnauthorized {
			t.Errorf("code used twice: %d", res.status)
		}
	})
}

func TestPersonSeesOnlyTheirOwnPlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mine := f.personWithPlan(t, "Joan", "Pike", "")
		theirs := f.personWithPlan(t, "Albert", "Fenwick", "")
		b := f.signInWithCode(t, mine.ref.ID)
		home := b.get("/my")
		if strings.Contains(home.body, "Fenwick") || strings.Contains(b.get("/my/record").body, "Fenwick") {
			t.Fatal("another person's plan is shown")
		}
		for _, path := range []string{
			"/my/goals/" + theirs.goal + "/steps/" + theirs.step,
			"/my/goals/" + theirs.goal,
			"/my/goals/" + mine.goal + "/steps/" + theirs.step, // my goal, their step
			"/my/goals/nothing_here",
		} {
			if res := b.post(path, url.Values{"done": {"yes"}, "progress": {"5"}}); res.status != http.StatusNotFound {
				t.Errorf("%s: %d", path, res.status)
			}
		}
		if p := f.plan(t, theirs.ref.ID); p.Goals[0].Steps[0].Done || p.Goals[0].Progress != 0 {
			t.Error("another person's plan changed")
		}
		// A closed referral's plan is no longer shown or changed.
		if _, err := referral.NewStore(d).Transition(context.Background(), referral.Actor{UserID: "test"}, mine.ref.ID, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}
		if res := b.get("/my"); strings.Contains(res.body, mine.goalText) || !strings.Contains(res.body, "no plan open") {
			t.Error("a closed referral's plan is still open to change")
		}
		if res := b.post("/my/goals/"+mine.goal+"/steps/"+mine.step, url.Values{"done": {"yes"}}); res.status != http.StatusNotFound {
			t.Errorf("step of a closed referral: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, http.MethodPost, "/referrals/"+mine.ref.ID+"/portal/code", ""); res.status != http.StatusConflict {
			t.Errorf("code for a closed referral: %d", res.status)
		}
	})
}

func TestStaffAndPersonSessionsDoNotCross(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	p := f.personWithPlan(t, "Joan", "Pike", "")
	for _, role := range auth.Roles {
		if auth.Person.Allows(f.users[role].Principal()) {
			t.Errorf("the person's pages allow %s", role)
		}
	}
	if auth.Person.Allows(nil) {
		t.Error("the person's pages allow anyone")
	}

	// A signed-in member of staff is refused the person's pages, even with
	// the person's cookie in the same browser.
	staff := f.browser()
	enrol(t, staff, "link_worker@example.org")
	person := f.signInWithCode(t, p.ref.ID)
	u, _ := url.Parse(f.ts.URL + "/my")
	staff.client.Jar.SetCookies(u, []*http.Cookie{person.cookie("oikos_person")})
	for _, path := range []string{"/my", "/my/record"} {
		if res := staff.get(path); res.status != http.StatusNotFound {
			t.Errorf("staff on %s: %d", path, res.status)
		}
	}
	if res := f.do(auth.Manager, http.MethodGet, "/my", ""); res.status != http.StatusNotFound {
		t.Errorf("API token on /my: %d", res.status)
	}
	if res := staff.post("/my/goals/"+p.goal+"/steps/"+p.step, url.Values{"done": {"yes"}}); res.status != http.StatusNotFound {
		t.Errorf("staff marking the person's step: %d", res.status)
	}

	// The person's secret opens no staff page, under either cookie name.
	token := person.cookie("oikos_person").Value
	for _, name := range []string{"oikos_person", "oikos_session"} {
		req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/referrals/"+p.ref.ID, nil)
		req.AddCookie(&http.Cookie{Name: name, Value: token})
		if res := f.send(http.DefaultTransport, req); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/sign-in") {
			t.Errorf("person's secret as %s on a staff page: %d", name, res.status)
		}
	}
	// Nor does a staff session open the person's pages from a clean browser.
	req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/my", nil)
	req.AddCookie(&http.Cookie{Name: "oikos_person", Value: staff.sessionCookie()})
	if res := f.send(http.DefaultTransport, req); res.status != http.StatusSeeOther || res.header.Get("Location") != "/my/sign-in" {
		t.Errorf("staff secret as the person's cookie: %d", res.status)
	}

	// Signing out ends the person's session on the server, not just the cookie.
	if res := person.post("/my/sign-out", nil); res.status != http.StatusSeeOther || res.header.Get("Location") != "/my/sign-in?signed_out=1" {
		t.Fatalf("sign out: %d %q", res.status, res.header.Get("Location"))
	}
	if res := person.get("/my/sign-in?signed_out=1"); !strings.Contains(res.body, "You have signed out.") {
		t.Error("no word that they signed out")
	}
	if res := person.get("/my"); res.status != http.StatusSeeOther {
		t.Errorf("after sign-out: %d", res.status)
	}
	req, _ = http.NewRequest(http.MethodGet, f.ts.URL+"/my", nil)
	req.AddCookie(&http.Cookie{Name: "oikos_person", Value: token})
	if res := f.send(http.DefaultTransport, req); res.status != http.StatusSeeOther {
		t.Errorf("old session secret after sign-out: %d", res.status)
	}
	if f.auditCount(t, "person:"+p.ref.PersonID, "sign_out", "person") != 1 {
		t.Error("sign-out not audited")
	}
}

func TestLinkWorkerActionsAreScoped(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	p := f.personWithPlan(t, "Joan", "Pike", "joan@example.org")
	// Another link worker, to whom the referral is not assigned.
	other, err := f.auth.CreateUser(context.Background(), auth.Actor{UserID: "system"}, auth.UserInput{
		Email: "other.worker@example.org", Name: "Other Worker", Role: auth.LinkWorker, OrganisationID: f.orgID}, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := f.auth.CreateToken(context.Background(), auth.Actor{UserID: "system"}, other.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"link", "code"} {
		req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/referrals/"+p.ref.ID+"/portal/"+action, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		if res := f.send(http.DefaultTransport, req); res.status != http.StatusNotFound {
			t.Errorf("%s by a link worker not assigned: %d", action, res.status)
		}
		if res := f.do(auth.Referrer, http.MethodPost, "/referrals/"+p.ref.ID+"/portal/"+action, ""); res.status != http.StatusNotFound {
			t.Errorf("%s by the referrer: %d", action, res.status)
		}
		if res := f.do(auth.Manager, http.MethodPost, "/referrals/"+p.ref.ID+"/portal/"+action, ""); res.status != 200 {
			t.Errorf("%s by the manager: %d", action, res.status)
		}
	}
	// A new code stops the last one working.
	first := f.printCode(t, p.ref.ID)
	f.printCode(t, p.ref.ID)
	if res := f.browser().post("/my/sign-in", codeForm(first, "2", "5", "1948")); res.status != http.StatusUnauthorized {
		t.Errorf("replaced code: %d", res.status)
	}
}

func TestCodeGuessingIsThrottled(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	p := f.personWithPlan(t, "Joan", "Pike", "")
	code := f.printCode(t, p.ref.ID)
	b := f.browser()
	// Mistyped forms are not guesses and are not counted.
	for range 12 {
		if res := b.post("/my/sign-in", codeForm("short", "2", "5", "1948")); res.status != 422 {
			t.Fatalf("malformed code: %d", res.status)
		}
	}
	for i := range 10 {
		if res := b.post("/my/sign-in", codeForm("AAAA-AAAA-AA", "2", "5", "1948")); res.status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i+1, res.status)
		}
	}
	res := b.post("/my/sign-in", codeForm(code, "2", "5", "1948"))
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "Wait 10 minutes") || res.header.Get("Retry-After") != "600" {
		t.Fatalf("after 10 wrong codes: %d, Retry-After %q", res.status, res.header.Get("Retry-After"))
	}
	// The count is per address, so a fresh browser does not get round it.
	if res := f.browser().post("/my/sign-in", codeForm(code, "2", "5", "1948")); res.status != http.StatusTooManyRequests {
		t.Errorf("same address, fresh browser: %d", res.status)
	}
}

func TestPortalActionsPartial(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	p := f.personWithPlan(t, "Joan", "Pike", "joan@example.org")
	lw := f.browser()
	enrol(t, lw, "link_worker@example.org")
	page := lw.get("/referrals/" + p.ref.ID)
	if page.status != 200 {
		t.Fatalf("referral page: %d", page.status)
	}
	for _, want := range []string{`action="/referrals/` + p.ref.ID + `/portal/link"`, `action="/referrals/` + p.ref.ID + `/portal/code"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("referral page lacks %s", want)
		}
	}
	res := lw.post("/referrals/"+p.ref.ID+"/portal/code", nil)
	if res.status != 200 || codePattern.FindStringSubmatch(res.body) == nil {
		t.Errorf("print code from the page: %d", res.status)
	}
}

// FuzzCodeSignInForm posts arbitrary bodies to the person's sign-in form:
// the answer is a page (a field error, a refusal or, for the one right code
// and date of birth, a session), never a 5xx.
func FuzzCodeSignInForm(f *testing.F) {
	for _, seed := range []string{
		"code=K7QM-4TZP-XW&dob-day=2&dob-month=5&dob-year=1948", "code=k7qm+4tzp+xw&dob-day=02&dob-month=05&dob-year=1948",
		"", "code=&dob-day=&dob-month=&dob-year=", "code=K7QM-4TZP-X0&dob-day=31&dob-month=4&dob-year=1948",
		"code=%00&dob-day=-1&dob-month=13&dob-year=99999", "code=" + strings.Repeat("A", 5000), "%%%", "code=a&code=b&dob-day=1",
	} {
		f.Add(seed)
	}
	fx := newFixture(f, dbtest.SQLite(f))
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest(http.MethodPost, fx.ts.URL+"/my/sign-in", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res := sendIn(t, &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, req)
		switch res.status {
		case http.StatusSeeOther, http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusTooManyRequests:
		default:
			t.Fatalf("status %d for %q", res.status, body)
		}
	})
}

// FuzzProgressForm posts arbitrary bodies to a signed-in person's step and
// goal forms: a change within 0 to 10, or a refusal, never a 5xx.
func FuzzProgressForm(f *testing.F) {
	for _, seed := range []string{"done=yes", "done=no&progress=7", "progress=10", "progress=11", "done=maybe&progress=-1",
		"progress=+3+", "", "%%%", "progress=%00", "done=yes&done=no", "progress=99999999999999999999"} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	fx := newFixture(f, dbtest.SQLite(f))
	p := fx.personWithPlan(f, "Joan", "Pike", "")
	b := fx.signInWithCode(f, p.ref.ID)
	f.Fuzz(func(t *testing.T, body string, step bool) {
		path := "/my/goals/" + p.goal
		if step {
			path += "/steps/" + p.step
		}
		req, _ := http.NewRequest(http.MethodPost, fx.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", fx.ts.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res := sendIn(t, b.client, req)
		if res.status != http.StatusSeeOther && res.status != http.StatusBadRequest && res.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d for %q", res.status, body)
		}
		for _, g := range fx.plan(t, p.ref.ID).Goals {
			for _, st := range g.Steps {
				if g.Progress < 0 || g.Progress > casework.MaxProgress || st.Progress < 0 || st.Progress > casework.MaxProgress {
					t.Fatalf("progress out of range after %q", body)
				}
			}
		}
	})
}

// sendIn sends a request from inside a fuzz target, where the fixture's
// helpers (bound to the *testing.F) may not report.
func sendIn(t *testing.T, c *http.Client, req *http.Request) response {
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}
