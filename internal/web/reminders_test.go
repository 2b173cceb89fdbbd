package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// giveMobile gives the person referred in id a UK mobile number.
func (f *fixture) giveMobile(t testing.TB, id string) {
	t.Helper()
	if _, err := f.db.Exec(context.Background(), "UPDATE people SET phone = '07700 900123' WHERE id = (SELECT person_id FROM referrals WHERE id = $1)", id); err != nil {
		t.Fatal(err)
	}
}

func TestFirstSessionAndRemindersAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.providers(t)
		id := acceptedReferral(t, f)
		a := f.connect(t, id, p.serviceA, "supported")
		decision := "/api/v1/connections/" + a + "/decision"
		nextWeek := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)

		// A past or malformed first session refuses the whole answer.
		wantFields(t, "past first session", f.asToken(p.tokenA, "POST", decision, `{"decision":"accepted","first_session":"2020-01-01"}`), "first_session")
		wantFields(t, "malformed first session", f.asToken(p.tokenA, "POST", decision, `{"decision":"accepted","first_session":"2026-13-01"}`), "first_session")
		wantFields(t, "first session with a decline", f.asToken(p.tokenA, "POST", decision, `{"decision":"declined","reason":"full","first_session":"`+nextWeek+`"}`), "first_session")
		if got := f.asToken(p.tokenA, "GET", "/api/v1/connections/"+a, "").json(t); got["status"] != "sent" || got["first_session"] != nil {
			t.Fatalf("half written: %v", got)
		}
		res := f.asToken(p.tokenA, "POST", decision, `{"decision":"accepted","first_session":"`+nextWeek+`"}`)
		if res.status != 200 || res.json(t)["first_session"] != nextWeek || res.json(t)["status"] != "accepted" {
			t.Fatalf("accept with a first session: %d %s", res.status, res.body)
		}

		// The date moves later, by the provider or the link worker.
		moved := "/api/v1/connections/" + a + "/first-session"
		wantFields(t, "past date", f.asToken(p.tokenA, "POST", moved, `{"first_session":"2020-01-01"}`), "first_session")
		wantFields(t, "not a date", f.do(auth.LinkWorker, "POST", moved, `{"first_session":"next Tuesday"}`), "first_session")
		if res := f.asToken(p.tokenB, "POST", moved, `{"first_session":"`+nextWeek+`"}`); res.status != 404 {
			t.Errorf("organisation B moves A's: %d", res.status)
		}
		if res := f.do(auth.Referrer, "POST", moved, `{"first_session":"`+nextWeek+`"}`); res.status != 404 {
			t.Errorf("referrer moves it: %d", res.status)
		}
		later := time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
		if res := f.do(auth.LinkWorker, "POST", moved, `{"first_session":"`+later+`"}`); res.status != 200 || res.json(t)["first_session"] != later {
			t.Errorf("link worker moves it: %d %s", res.status, res.body)
		}

		// The person's choice of reminders.
		reminders := "/api/v1/referrals/" + id + "/reminders"
		got := f.do(auth.LinkWorker, "GET", reminders, "").json(t)
		if got["channel"] != "none" || len(got["available"].([]any)) != 1 {
			t.Errorf("before a choice: %v", got)
		}
		wantFields(t, "text to a landline", f.do(auth.LinkWorker, "PUT", reminders, `{"channel":"sms"}`), "channel")
		wantFields(t, "email without an address", f.do(auth.LinkWorker, "PUT", reminders, `{"channel":"email"}`), "channel")
		wantFields(t, "unknown channel", f.do(auth.LinkWorker, "PUT", reminders, `{"channel":"pigeon"}`), "channel")
		f.giveMobile(t, id)
		if res := f.do(auth.LinkWorker, "PUT", reminders, `{"channel":"sms"}`); res.status != 200 || res.json(t)["channel"] != "sms" || res.json(t)["mobile"] != "+447700900123" {
			t.Errorf("choose texts: %d %s", res.status, res.body)
		}
		for _, who := range []string{"referrer", "provider"} {
			var res response
			if who == "referrer" {
				res = f.do(auth.Referrer, "GET", reminders, "")
			} else {
				res = f.asToken(p.tokenA, "GET", reminders, "")
			}
			if res.status != 404 {
				t.Errorf("%s reads the reminder choice: %d", who, res.status)
			}
		}

		// The day before, in the daytime, the sweep writes the text.
		day, _ := time.Parse(time.DateOnly, later)
		n, err := connection.NewStore(d, "").SweepReminders(context.Background(), day.Add(-24*time.Hour+11*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		var to, body string
		if err := d.R().QueryRowContext(context.Background(), "SELECT recipient, body FROM outbox WHERE kind = 'session_reminder' AND channel = 'sms'").Scan(&to, &body); err != nil ||
			to != "+447700900123" || !strings.Contains(body, "Riverside walk") || strings.Contains(body, "Margaret") || strings.Contains(body, "husband") {
			t.Errorf("reminder to %q: %q %v", to, body, err)
		}
	})
}

func TestFirstSessionAndReminderPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.providers(t)
		id := acceptedReferral(t, f)
		c := f.connect(t, id, p.serviceA, "supported")
		nextWeek := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)

		// The provider answers with the date of the first session.
		pb := f.browser()
		enrol(t, pb, p.emailA)
		if res := pb.get("/connections/" + c); res.status != 200 || !strings.Contains(res.body, `name="first_session-day"`) {
			t.Fatalf("connection page lacks the first session: %d", res.status)
		}
		res := pb.post("/connections/"+c+"/decision", url.Values{"decision": {"accepted"}, "first_session": {"2020-01-01"}})
		if res.status != 422 || !strings.Contains(res.body, `href="#first_session-day"`) {
			t.Errorf("past first session: %d", res.status)
		}
		next := time.Now().AddDate(0, 0, 7)
		if res := pb.post("/connections/"+c+"/decision", url.Values{"decision": {"accepted"}, "first_session-day": {next.Format("2")},
			"first_session-month": {next.Format("1")}, "first_session-year": {next.Format("2006")}}); res.status != 303 {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		if res := pb.get("/connections/" + c); !strings.Contains(res.body, "First session") || !strings.Contains(res.body, "First session</dt><dd class=\"nhsuk-summary-list__value\">"+next.Format("2 January 2006")) ||
			!strings.Contains(res.body, `action="/connections/`+c+`/first-session"`) {
			t.Errorf("accepted page lacks the date or its form")
		}
		res = pb.post("/connections/"+c+"/first-session", url.Values{"first_session-day": {"31"}, "first_session-month": {"Dec"}, "first_session-year": {"2026"}})
		if res.status != 422 || !strings.Contains(res.body, `href="#first_session-day"`) || !strings.Contains(res.body, "Enter a real date") {
			t.Errorf("bad date: %d", res.status)
		}
		if res := pb.post("/connections/"+c+"/first-session", url.Values{"first_session": {""}}); res.status != 303 {
			t.Errorf("clear the date: %d", res.status)
		}

		// From the email's link, without an account.
		c2 := f.connect(t, id, p.serviceB, "active_signpost")
		links := f.answerLinks(t, "choir@example.org")
		anon := f.browser()
		if res := anon.get("/answer/" + links[0]); !strings.Contains(res.body, `name="first_session-day"`) {
			t.Errorf("answer page lacks the first session")
		}
		res = anon.post("/answer/"+links[0], url.Values{"action": {"accept"}, "first_session": {"2020-01-01"}})
		if res.status != 422 || !strings.Contains(res.body, `href="#first_session-day"`) {
			t.Errorf("past date by link: %d", res.status)
		}
		if res := anon.post("/answer/"+links[0], url.Values{"action": {"accept"}, "first_session": {nextWeek}}); res.status != 200 {
			t.Errorf("accept by link: %d", res.status)
		}
		if got := f.do(auth.Manager, "GET", "/api/v1/connections/"+c2, "").json(t); got["first_session"] != nextWeek {
			t.Errorf("by link: %v", got)
		}

		// The link worker records the person's choice.
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		if res := lw.get("/referrals/" + id); !strings.Contains(res.body, "/referrals/"+id+"/reminders") {
			t.Errorf("referral page lacks the reminders link")
		}
		page := "/referrals/" + id + "/reminders"
		if res := lw.get(page); res.status != 200 || !strings.Contains(res.body, "No reminders") || strings.Contains(res.body, "Text message to") {
			t.Errorf("reminders page: %d", res.status)
		}
		if res := lw.post(page, url.Values{"channel": {"sms"}}); res.status != 422 || !strings.Contains(res.body, `href="#channel"`) {
			t.Errorf("texts to a landline: %d", res.status)
		}
		f.giveMobile(t, id)
		if res := lw.get(page); !strings.Contains(res.body, "Text message to 07700 900123") {
			t.Errorf("the mobile is not offered")
		}
		res = lw.post(page, url.Values{"channel": {"sms"}})
		if res.status != 303 {
			t.Fatalf("choose texts: %d %s", res.status, res.body)
		}
		if res := lw.get(res.header.Get("Location")); !strings.Contains(res.body, "choice of reminders is saved") {
			t.Errorf("no notice after saving")
		}
		if res := lw.get(page); !strings.Contains(res.body, `value="sms" checked`) || !strings.Contains(res.body, "Last changed") {
			t.Errorf("the choice is not shown")
		}
		if res := pb.get(page); res.status != 404 {
			t.Errorf("provider opens the reminders page: %d", res.status)
		}
	})
}

// FuzzReminderBodies sends anything as the reminder and first session
// bodies and forms: a 4xx or a change, never a 5xx.
func FuzzReminderBodies(f *testing.F) {
	for _, seed := range []string{`{"channel":"sms"}`, `{"channel":"none"}`, `{"first_session":"2030-01-01"}`, `{"first_session":""}`,
		`{"decision":"accepted","first_session":"2026-02-30"}`, `{"channel":1}`, `[]`, `{"first_session":"\u0000"}`} {
		f.Add(seed)
	}
	d := dbtest.SQLite(f)
	fx := newFixture(f, d)
	p := fx.providers(f)
	id := acceptedReferral(f, fx)
	fx.giveMobile(f, id)
	c := fx.connect(f, id, p.serviceA, "signpost")
	f.Fuzz(func(t *testing.T, body string) {
		fx.t = t
		for _, r := range [][2]string{{"PUT", "/api/v1/referrals/" + id + "/reminders"}, {"POST", "/api/v1/connections/" + c + "/first-session"},
			{"POST", "/api/v1/connections/" + c + "/decision"}} {
			if res := fx.do(auth.Manager, r[0], r[1], body); res.status >= 500 {
				t.Fatalf("%s %s %q: %d %s", r[0], r[1], body, res.status, res.body)
			}
		}
		form := url.Values{"channel": {body}, "first_session": {body}}
		for _, path := range []string{"/referrals/" + id + "/reminders", "/connections/" + c + "/first-session"} {
			if status := fx.pageAsManager(t, path, form); status >= 500 {
				t.Fatalf("%s %q: %d", path, body, status)
			}
		}
	})
}

// The person chooses reminders on their own pages; staff do not reach them.
func TestPersonChoosesReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.personWithPlan(t, "Ada", "Lovelace", "ada@example.org")
		me := f.signInWithCode(t, p.ref.ID)
		res := me.get("/my/reminders")
		if res.status != 200 || !strings.Contains(res.body, "Email to ada@example.org") || strings.Contains(res.body, "Text message to") {
			t.Fatalf("my reminders: %d", res.status)
		}
		if res := me.post("/my/reminders", url.Values{"channel": {"sms"}}); res.status != 422 || !strings.Contains(res.body, `href="#channel"`) {
			t.Errorf("texts without a mobile: %d", res.status)
		}
		if res := me.post("/my/reminders", url.Values{"channel": {"email"}}); res.status != 303 {
			t.Fatalf("choose email: %d %s", res.status, res.body)
		}
		if res := me.get("/my/reminders?saved=1"); !strings.Contains(res.body, `value="email" checked`) || !strings.Contains(res.body, "Your choice is saved") {
			t.Errorf("the choice is not shown")
		}
		if got := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+p.ref.ID+"/reminders", "").json(t); got["channel"] != "email" {
			t.Errorf("the link worker sees %v", got)
		}
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		if res := lw.get("/my/reminders"); res.status != 404 {
			t.Errorf("staff open the person's reminders: %d", res.status)
		}
	})
}
