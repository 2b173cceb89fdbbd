package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// acceptedReferral is a GP's referral that the fixture's link worker has
// accepted and taken on.
func acceptedReferral(t testing.TB, f *fixture) string {
	t.Helper()
	res := f.do(auth.Referrer, "POST", "/api/v1/referrals", referralBody)
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	id := res.json(t)["id"].(string)
	if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"accepted"}`); res.status != 200 {
		t.Fatalf("accept: %d %s", res.status, res.body)
	}
	if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/assign", `{"user_id":"`+f.users[auth.LinkWorker].ID+`"}`); res.status != 200 {
		t.Fatalf("take: %d %s", res.status, res.body)
	}
	return id
}

// wantFields checks a 422 names every field given.
func wantFields(t *testing.T, what string, res response, names ...string) {
	t.Helper()
	if res.status != 422 {
		t.Errorf("%s: status %d, want 422: %s", what, res.status, res.body)
		return
	}
	_, fields := res.errorCode(t)
	for _, n := range names {
		if fields[n] == nil {
			t.Errorf("%s: no message for %s in %s", what, n, res.body)
		}
	}
}

func auditCount(t *testing.T, d *db.DB, id, kind, action string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE object_id = $1 AND object_kind = $2 AND action = $3",
		id, kind, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const conversationBody = `{"held_at":"2026-01-12","mode":"home_visit","needs":[{"code":"loneliness","priority":1},{"code":"money_worries","priority":2}],
	"strengths":["Kind","Keen gardener"],"what_matters":"Getting out of the house and seeing people.","interests":"Roses",
	"notes":"Son visits monthly.","baseline":[{"instrument":"ons4","answers":[4,5,3,7]}]}`

const planBody = `{"goals":[{"text":"Get out of the house twice a week","steps":[
	{"text":"Go to the Tuesday lunch club","owner":"person","due":"2026-02-03"},
	{"text":"Find a befriender","owner":"link_worker"}]}]}`

func TestCaseworkAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		base := "/api/v1/referrals/" + id

		// Contacts: recorded, listed, and the first moves the referral on.
		wantFields(t, "bad contact", f.do(auth.LinkWorker, "POST", base+"/contacts", `{"at":"2999-01-01","mode":"pigeon","duration_minutes":601}`),
			"at", "mode", "duration_minutes")
		today := time.Now().UTC().Format(time.DateOnly)
		lastYear := time.Now().UTC().AddDate(-1, 0, 0).Format(time.DateOnly)
		wantFields(t, "contact before the referral", f.do(auth.LinkWorker, "POST", base+"/contacts", `{"at":"`+lastYear+`","mode":"phone"}`), "at")
		res := f.do(auth.LinkWorker, "POST", base+"/contacts", `{"at":"`+today+`","mode":"phone","duration_minutes":25,"note":"Happy to meet."}`)
		if res.status != 201 || res.json(t)["id"] == "" {
			t.Fatalf("contact: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "GET", base, ""); !strings.Contains(res.body, `"status":"contacted"`) || strings.Contains(res.body, `"first_contact_at":null`) {
			t.Errorf("after first contact: %s", res.body)
		}
		if res := f.do(auth.Manager, "GET", base+"/contacts", ""); res.status != 200 || res.json(t)["total"].(float64) != 1 || !strings.Contains(res.body, "Happy to meet") {
			t.Errorf("contacts: %d %s", res.status, res.body)
		}

		// The what-matters conversation.
		wantFields(t, "bad conversation", f.do(auth.LinkWorker, "POST", base+"/conversations",
			strings.Replace(strings.Replace(conversationBody, `"money_worries"`, `"boredom"`, 1), `"priority":1`, `"priority":4`, 1)),
			"needs[1].code", "needs[0].priority")
		wantFields(t, "bad baseline", f.do(auth.LinkWorker, "POST", base+"/conversations", strings.Replace(conversationBody, "[4,5,3,7]", "[4,5,11,7]", 1)),
			"baseline[0].answers[2]")
		if res := f.do(auth.LinkWorker, "POST", base+"/conversations", `{"held_at":"2026-01-12","mode":"phone","what_matters":"x","needs":"loneliness"}`); res.status != 400 {
			t.Errorf("needs as a string: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "POST", base+"/conversations", conversationBody); res.status != 201 || !strings.Contains(res.body, `"label":"Loneliness"`) {
			t.Fatalf("conversation: %d %s", res.status, res.body)
		}
		// held_at as the contract writes times (RFC 3339): kept by its day
		// in the UK; a time still to come is refused, naming held_at.
		wantFields(t, "a second baseline", f.do(auth.LinkWorker, "POST", base+"/conversations", conversationBody), "baseline[0].instrument")
		later := strings.Replace(conversationBody, `,"baseline":[{"instrument":"ons4","answers":[4,5,3,7]}]`, ``, 1)
		res = f.do(auth.LinkWorker, "POST", base+"/conversations", strings.Replace(later, `"2026-01-12"`, `"2026-01-13T23:30:00-01:00"`, 1))
		if res.status != 201 || res.json(t)["held_at"] != "2026-01-14" {
			t.Fatalf("conversation held at a time: %d %s", res.status, res.body)
		}
		wantFields(t, "held at a time to come", f.do(auth.LinkWorker, "POST", base+"/conversations",
			strings.Replace(conversationBody, `"2026-01-12"`, `"`+time.Now().Add(2*time.Hour).UTC().Format(time.RFC3339)+`"`, 1)), "held_at")
		res = f.do(auth.LinkWorker, "GET", base+"/conversations", "")
		if res.status != 200 || res.json(t)["total"].(float64) != 2 || !strings.Contains(res.body, "seeing people") || !strings.Contains(res.body, `"domain":"economic"`) {
			t.Errorf("conversations: %d %s", res.status, res.body)
		}

		// The plan.
		if res := f.do(auth.LinkWorker, "GET", base+"/plan", ""); res.status != 200 || !strings.Contains(res.body, `"goals":[]`) {
			t.Errorf("empty plan: %d %s", res.status, res.body)
		}
		wantFields(t, "bad plan", f.do(auth.LinkWorker, "PUT", base+"/plan", strings.Replace(strings.Replace(planBody, `"owner":"link_worker"`, `"owner":"gp"`, 1),
			`"2026-02-03"`, `"3 Feb"`, 1)), "goals[0].steps[1].owner", "goals[0].steps[0].due")
		wantFields(t, "no goals", f.do(auth.LinkWorker, "PUT", base+"/plan", `{}`), "goals")
		res = f.do(auth.LinkWorker, "PUT", base+"/plan", planBody)
		if res.status != 200 {
			t.Fatalf("plan: %d %s", res.status, res.body)
		}
		m := regexp.MustCompile(`"goals":\[\{"id":"(g_[a-z0-9]+)".*?"steps":\[\{"id":"(s_[a-z0-9]+)"`).FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("plan ids: %s", res.body)
		}
		goal, step := m[1], m[2]
		if res := f.do(auth.LinkWorker, "POST", base+"/plan/progress", `{"goal_id":"`+goal+`","step_id":"`+step+`","done":true,"progress":10}`); res.status != 200 {
			t.Errorf("progress: %d %s", res.status, res.body)
		}
		wantFields(t, "progress 11", f.do(auth.LinkWorker, "POST", base+"/plan/progress", `{"goal_id":"`+goal+`","progress":11}`), "progress")
		if res := f.do(auth.LinkWorker, "POST", base+"/plan/progress", `{"goal_id":"g_nope","done":true}`); res.status != 404 {
			t.Errorf("unknown goal: %d", res.status)
		}
		// An edit that leaves progress out keeps it.
		res = f.do(auth.Manager, "PUT", base+"/plan", `{"goals":[{"id":"`+goal+`","text":"Out twice a week","steps":[{"id":"`+step+`","text":"Lunch club","owner":"person"}]}]}`)
		if res.status != 200 || !strings.Contains(res.body, `"id":"`+step+`","text":"Lunch club","owner":"person","done":true,"progress":10`) {
			t.Errorf("edit kept progress: %d %s", res.status, res.body)
		}

		// Who may see it: the referrer made the referral but never sees
		// casework; a provider never; another link worker not either.
		other, err := f.auth.CreateUser(context.Background(), auth.Actor{UserID: "system"}, auth.UserInput{Email: "other@example.org", Name: "Other Worker",
			Role: auth.LinkWorker, OrganisationID: f.orgID}, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		otherToken, _, err := f.auth.CreateToken(context.Background(), auth.Actor{UserID: "system"}, other.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/contacts", "/conversations", "/plan"} {
			for _, role := range []auth.Role{auth.Referrer, auth.Provider, auth.Volunteer, auth.Commissioner, auth.Admin} {
				if res := f.do(role, "GET", base+path, ""); res.status != 404 {
					t.Errorf("%s reads %s: %d", role, path, res.status)
				}
			}
			req, _ := http.NewRequest("GET", f.ts.URL+base+path, nil)
			req.Header.Set("Authorization", "Bearer "+otherToken)
			if res := f.send(http.DefaultTransport, req); res.status != 404 {
				t.Errorf("another link worker reads %s: %d", path, res.status)
			}
		}
		if res := f.do(auth.Referrer, "PUT", base+"/plan", planBody); res.status != 404 {
			t.Errorf("referrer writes the plan: %d", res.status)
		}

		// Closed: read, never written.
		if res := f.do(auth.LinkWorker, "POST", base+"/status", `{"status":"closed","reason":"goals_met"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		for path, body := range map[string]string{"/contacts": `{"at":"` + today + `","mode":"phone"}`, "/conversations": conversationBody} {
			if res := f.do(auth.LinkWorker, "POST", base+path, body); res.status != 409 {
				t.Errorf("closed %s: %d %s", path, res.status, res.body)
			}
		}
		if res := f.do(auth.LinkWorker, "PUT", base+"/plan", planBody); res.status != 409 {
			t.Errorf("closed plan: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, "GET", base+"/plan", ""); res.status != 200 {
			t.Errorf("closed plan read: %d", res.status)
		}

		// Every read and write of the record is in the audit log.
		for _, c := range []struct {
			kind, action string
			want         int
		}{{"referral.contacts", "create", 1}, {"referral.contacts", "read", 1}, {"referral.conversations", "create", 2},
			{"referral.conversations", "read", 1}, {"referral.measures", "create", 1}, {"referral.plan", "update", 3}, {"referral.plan", "read", 2}} {
			if n := auditCount(t, d, id, c.kind, c.action); n != c.want {
				t.Errorf("audit %s %s: %d, want %d", c.kind, c.action, n, c.want)
			}
		}
	})
}

func TestCaseworkPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		page := "/referrals/" + id
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")

		res := lw.get(page)
		for _, want := range []string{`id="contacts"`, "No contacts recorded yet", `href="` + page + `/contacts/new"`, `href="` + page + `/conversation/new"`,
			`href="` + page + `/plan"`, "Write the plan"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("referral page lacks %s", want)
			}
		}

		// A contact: errors name the boxes and keep what was typed.
		// A fresh form has today's date in the boxes: most contacts are
		// recorded on the day.
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			loc = time.UTC
		}
		today := time.Now().In(loc)
		res = lw.get(page + "/contacts/new")
		if res.status != 200 {
			t.Fatalf("contact form: %d", res.status)
		}
		for box, v := range map[string]string{"day": today.Format("2"), "month": today.Format("1"), "year": today.Format("2006")} {
			if want := `name="at-` + box + `" type="text" inputmode="numeric" value="` + v + `"`; !strings.Contains(res.body, want) {
				t.Errorf("fresh contact form lacks %s", want)
			}
		}
		// A date before the referral came in is refused, keeping what was
		// typed rather than today.
		res = lw.post(page+"/contacts/new", url.Values{"at-day": {today.Format("2")}, "at-month": {today.Format("1")}, "at-year": {strconv.Itoa(today.Year() - 1)},
			"mode": {"phone"}, "outcome": {"reached"}})
		for _, want := range []string{`href="#at-day"`, "The date must be on or after the day the referral was received, " + today.Format("2 January 2006"),
			`name="at-year" type="text" inputmode="numeric" value="` + strconv.Itoa(today.Year()-1) + `"`} {
			if res.status != 422 || !strings.Contains(res.body, want) {
				t.Errorf("contact before the referral lacks %s (status %d)", want, res.status)
			}
		}
		res = lw.post(page+"/contacts/new", url.Values{"at-day": {"1"}, "at-month": {"1"}, "at-year": {"2999"}, "at-time": {"25:00"},
			"duration_minutes": {"twenty"}, "note": {"Rang twice"}})
		for _, want := range []string{`href="#at-day"`, `href="#at-time"`, `href="#mode"`, `href="#duration_minutes"`, ">Rang twice</textarea>"} {
			if res.status != 422 || !strings.Contains(res.body, want) {
				t.Errorf("refused contact lacks %s (status %d)", want, res.status)
			}
		}
		now := time.Now()
		res = lw.post(page+"/contacts/new", url.Values{"at-day": {now.Format("2")}, "at-month": {now.Format("1")}, "at-year": {now.Format("2006")},
			"mode": {"in_person"}, "outcome": {"reached"}, "duration_minutes": {"45"}, "note": {"Met at the library."}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("contact: %d %s", res.status, res.body)
		}
		if res := lw.get(page); !strings.Contains(res.body, "Met at the library.") || !strings.Contains(res.body, "45 minutes") || !strings.Contains(res.body, "In contact") {
			t.Errorf("referral page after a contact:\n%s", res.body)
		}

		// The what-matters conversation: the referral's reasons are ticked
		// to start with.
		res = lw.get(page + "/conversation/new")
		if res.status != 200 || !regexp.MustCompile(`id="need-loneliness" name="need" type="checkbox" value="loneliness" checked`).MatchString(res.body) {
			t.Fatalf("conversation form: %d", res.status)
		}
		form := url.Values{"held-day": {now.Format("2")}, "held-month": {now.Format("1")}, "held-year": {now.Format("2006")}, "mode": {"phone"},
			"need": {"loneliness", "housing"}, "priority-loneliness": {"1"}, "priority-housing": {"9"},
			"strengths": {"Kind\r\nGood cook\r\n"}, "ons4-0": {"5"}}
		res = lw.post(page+"/conversation/new", form)
		for _, want := range []string{`href="#what_matters"`, `href="#priority-housing"`, `href="#ons4-1"`, "Good cook"} {
			if res.status != 422 || !strings.Contains(res.body, want) {
				t.Errorf("refused conversation lacks %s (status %d)", want, res.status)
			}
		}
		form.Set("priority-housing", "3")
		form.Set("what_matters", "Seeing my friends again.\r\nMy garden.")
		for i, v := range []string{"5", "6", "4", "7"} {
			form.Set("ons4-"+string(rune('0'+i)), v)
		}
		if res := lw.post(page+"/conversation/new", form); res.status != http.StatusSeeOther {
			t.Fatalf("conversation: %d %s", res.status, res.body)
		}
		res = lw.get(page)
		for _, want := range []string{"<p>Seeing my friends again.</p>", "Social needs", "Loneliness: High priority", "Economic needs", "Housing: Low priority", "<li>Good cook</li>"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("what matters lacks %s", want)
			}
		}

		// The plan, without JavaScript.
		res = lw.get(page + "/plan")
		if res.status != 200 || !strings.Contains(res.body, `name="goal.0.text"`) || !strings.Contains(res.body, `name="goal.0.step.0.owner"`) ||
			!strings.Contains(res.body, `name="version" value="0"`) {
			t.Fatalf("empty plan form: %d\n%s", res.status, res.body)
		}
		res = lw.post(page+"/plan", url.Values{"version": {"0"}, "goal.0.id": {""}, "goal.0.text": {"See friends every week"},
			"goal.0.step.0.text": {"Ring Sue"}, "goal.0.step.0.owner": {"doctor"}, "goal.0.step.0.due-day": {"30"}, "goal.0.step.0.due-month": {"2"}, "goal.0.step.0.due-year": {"2026"},
			"goal.1.text": {""}, "goal.1.step.0.text": {""}, "goal.1.step.0.owner": {"person"}})
		for _, want := range []string{`href="#goal-0-step-0-owner"`, `href="#goal-0-step-0-due"`, `value="Ring Sue"`, "like 27 3 2027"} {
			if res.status != 422 || !strings.Contains(res.body, want) {
				t.Errorf("refused plan lacks %s (status %d)", want, res.status)
			}
		}
		res = lw.post(page+"/plan", url.Values{"version": {"0"}, "goal.0.text": {"See friends every week"}, "goal.0.step.0.text": {"Ring Sue"},
			"goal.0.step.0.owner": {"person"}, "goal.0.step.0.due": {"2020-01-01"}, "goal.0.step.1.text": {"Find a walking group"},
			"goal.0.step.1.owner": {"link_worker"}, "goal.1.text": {""}, "then": {"more"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != page+"/plan" {
			t.Fatalf("save and add more: %d %q %s", res.status, res.header.Get("Location"), res.body)
		}
		res = lw.get(page + "/plan")
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(res.body)
		goalID := regexp.MustCompile(`name="goal.0.id" value="(g_[a-z0-9]+)"`).FindStringSubmatch(res.body)
		if version == nil || version[1] == "0" || goalID == nil || !strings.Contains(res.body, `name="goal.1.text"`) || !strings.Contains(res.body, `name="goal.0.step.2.text"`) {
			t.Fatalf("plan form after saving:\n%s", res.body)
		}
		caseload := lw.get("/caseload")
		if caseload.status != 200 || !strings.Contains(caseload.body, "Margaret Hughes") || !strings.Contains(caseload.body, "Ring Sue") || !strings.Contains(caseload.body, "Overdue") {
			t.Errorf("caseload: %d\n%s", caseload.status, caseload.body)
		}
		// Someone else saves: the open form is refused and shown afresh.
		if res := f.do(auth.Manager, "PUT", "/api/v1/referrals/"+id+"/plan", `{"goals":[{"id":"`+goalID[1]+`","text":"See friends every week, and sing"}]}`); res.status != 200 {
			t.Fatalf("manager's edit: %d %s", res.status, res.body)
		}
		res = lw.post(page+"/plan", url.Values{"version": {version[1]}, "goal.0.id": {goalID[1]}, "goal.0.text": {"Stale"}})
		if res.status != 409 || !strings.Contains(res.body, "and sing") || !strings.Contains(res.body, `href="#plan"`) {
			t.Errorf("stale form: %d\n%s", res.status, res.body)
		}
		res = lw.get(page)
		if !strings.Contains(res.body, "See friends every week, and sing") {
			t.Errorf("plan on the referral page:\n%s", res.body)
		}

		// The referrer sees the referral's status, never the casework.
		ref := f.browser()
		enrol(t, ref, "referrer@example.org")
		res = ref.get(page)
		if res.status != 200 || strings.Contains(res.body, "friends") || strings.Contains(res.body, "library") || strings.Contains(res.body, `id="contacts"`) {
			t.Errorf("referrer's view: %d\n%s", res.status, res.body)
		}
		for _, path := range []string{page + "/plan", page + "/contacts/new", page + "/conversation/new", "/caseload"} {
			if res := ref.get(path); res.status != 404 {
				t.Errorf("referrer %s: %d", path, res.status)
			}
		}

		// Managers see everyone's caseload, by link worker.
		mgr := f.browser()
		enrol(t, mgr, "manager@example.org")
		if res := mgr.get("/caseload?worker=" + f.users[auth.LinkWorker].ID); res.status != 200 || !strings.Contains(res.body, "Test link_worker") || !strings.Contains(res.body, "Margaret Hughes") {
			t.Errorf("manager's caseload: %d\n%s", res.status, res.body)
		}

		// Closed: the forms are gone and refuse.
		if res := lw.post(page+"/status", url.Values{"status": {"closed"}, "reason": {"goals_met"}}); res.status != http.StatusSeeOther {
			t.Fatalf("close: %d", res.status)
		}
		if res := lw.get(page); strings.Contains(res.body, `href="`+page+`/plan"`) || !strings.Contains(res.body, "and sing") {
			t.Errorf("closed referral page offers changes")
		}
		if res := lw.get(page + "/contacts/new"); res.status != 409 {
			t.Errorf("contact form on a closed referral: %d", res.status)
		}
		if res := lw.get("/caseload"); strings.Contains(res.body, "Margaret Hughes") {
			t.Errorf("closed referral still in the caseload")
		}
	})
}

// caseworkFuzzFixture is one server, one accepted referral and a signed-in
// link worker, shared by every input of a fuzz test. Run these with
// -fuzzminimizetime 0s: the server's goroutines make coverage vary from
// run to run, so nearly every input looks new and minimising each one
// stalls the fuzzer.
func caseworkFuzzFixture(f *testing.F) (*fixture, string, *browser) {
	d := dbtest.SQLite(f)
	fx := newFixture(f, d)
	id := acceptedReferral(f, fx)
	// A signed-in session without going through two-factor set-up, which
	// the sign-in tests cover.
	token, err := fx.auth.StartSession(context.Background(), fx.users[auth.LinkWorker].ID, auth.StageFull, "127.0.0.1")
	if err != nil {
		f.Fatal(err)
	}
	lw := fx.browser()
	u, _ := url.Parse(fx.ts.URL)
	lw.client.Jar.SetCookies(u, []*http.Cookie{{Name: "oikos_session", Value: token}})
	if res := lw.get("/referrals/" + id + "/plan"); res.status != 200 {
		f.Fatalf("plan form: %d", res.status)
	}
	return fx, id, lw
}

func rowCount(t *testing.T, d *db.DB, table string) int {
	var n int
	if err := d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkRefusal fails on a 5xx, and on a 422 that names no field.
func checkRefusal(t *testing.T, res response) {
	t.Helper()
	switch {
	case res.status >= 500:
		t.Fatalf("status %d: %s", res.status, res.body)
	case res.status == 422 && strings.HasPrefix(res.header.Get("Content-Type"), "application/json"):
		if _, fields := res.errorCode(t); len(fields) == 0 {
			t.Fatalf("422 without fields: %s", res.body)
		}
	}
}

// FuzzConversationBody sends anything as a conversation: a 4xx, never a
// 5xx, and nothing written unless it is accepted.
func FuzzConversationBody(f *testing.F) {
	f.Add(conversationBody)
	f.Add(`{"held_at":"2026-01-12","mode":"phone","needs":[{"code":"loneliness","priority":1},{"code":"loneliness","priority":1}],"what_matters":"x"}`)
	f.Add(`{"held_at":"2026-01-12","mode":"phone","what_matters":"x","baseline":[{"instrument":"ons4","answers":[1,2,3,4.5]},{"instrument":"x","answers":null}]}`)
	f.Add(`{"held_at":null,"needs":[{"code":1}],"strengths":"x"}`)
	f.Add(`{"what_matters":"\ud800"}`)
	fx, id, _ := caseworkFuzzFixture(f)
	f.Fuzz(func(t *testing.T, body string) {
		fx.t = t
		before := rowCount(t, fx.db, "conversations") + rowCount(t, fx.db, "measures")
		res := fx.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/conversations", body)
		checkRefusal(t, res)
		if res.status != 201 && rowCount(t, fx.db, "conversations")+rowCount(t, fx.db, "measures") != before {
			t.Fatalf("refused (%d) but written", res.status)
		}
	})
}

// FuzzPlanBody sends anything as a plan: a 4xx or a plan that reads back.
func FuzzPlanBody(f *testing.F) {
	fuzzPutReadsBack(f, "plan", planBody,
		`{"goals":[{"id":"g_x","text":"a","done":true,"progress":10,"steps":[{"id":"s_y","text":"b","owner":"volunteer","due":"2026-01-01","done":true,"progress":3}]}]}`,
		`{"goals":[{"text":"a","progress":11,"steps":[{"text":"","owner":"me","due":"tomorrow"}]}]}`,
		`{"goals":null}`,
		`{"goals":[{"text":"a","progress":1.5}]}`)
}

// fuzzPutReadsBack PUTs anything to one part of a referral
// (/api/v1/referrals/{id}/PART) as its link worker: the answer is a 4xx
// naming the problem or a change made, never a 5xx, and the part still
// reads back afterwards.
func fuzzPutReadsBack(f *testing.F, part string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	fx, id, _ := caseworkFuzzFixture(f)
	path := "/api/v1/referrals/" + id + "/" + part
	f.Fuzz(func(t *testing.T, body string) {
		fx.t = t
		checkRefusal(t, fx.do(auth.LinkWorker, "PUT", path, body))
		if res := fx.do(auth.LinkWorker, "GET", path, ""); res.status != 200 {
			t.Fatalf("%s unreadable after %q: %d %s", part, body, res.status, res.body)
		}
	})
}

// FuzzPlanForm posts anything as the plan form: a page that names the
// problem, or a plan saved, never a 5xx.
func FuzzPlanForm(f *testing.F) {
	f.Add("version=0&goal.0.text=See+friends&goal.0.step.0.text=Ring+Sue&goal.0.step.0.owner=person&goal.0.step.0.due=2026-02-01")
	f.Add("version=0&goal.0.text=&goal.0.step.0.text=x&goal.0.step.0.owner=gp&goal.3.progress=eleven&goal.3.text=y")
	f.Add("version=x&goal.9999.step.9999.text=a&goal.0.remove=yes")
	f.Add("version=0&goal.0.text=a&goal.0.step.0.text=b&goal.0.step.0.owner=person&goal.0.step.0.due-day=31&goal.0.step.0.due-month=2&goal.0.step.0.due-year=2027")
	f.Add("version=0&goal.0.text=a&goal.0.step.0.text=b&goal.0.step.0.due-day=x&goal.0.step.0.due=2027-01-01")
	f.Add("goal.0.text=a&goal.0.text=b&goal.01.text=c&goal.0.progress=-1&goal.0.done=yes")
	fx, id, lw := caseworkFuzzFixture(f)
	f.Fuzz(func(t *testing.T, form string) {
		fx.t = t
		values, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		if v := lw.get("/referrals/" + id + "/plan"); v.status == 200 {
			// Most inputs should meet the current version, to reach the rules.
			if m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(v.body); m != nil && values.Get("version") == "0" {
				values.Set("version", m[1])
			}
		}
		res := lw.post("/referrals/"+id+"/plan", values)
		if res.status >= 500 {
			t.Fatalf("status %d for %q", res.status, form)
		}
		if res.status == 422 && !strings.Contains(res.body, "nhsuk-error-summary") {
			t.Fatalf("422 without an error summary for %q", form)
		}
	})
}
