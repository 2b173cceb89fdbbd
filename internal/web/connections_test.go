package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// providers is two provider organisations, A (with an email address) and
// B (without: its service's address is used), a service each, and a
// provider user with a token in each.
type providers struct {
	serviceA, serviceB string
	tokenA, tokenB     string
	emailA, emailB     string
}

func (f *fixture) providers(t testing.TB) providers {
	t.Helper()
	ctx := context.Background()
	now := db.Millis(time.Now())
	for _, q := range []string{
		"INSERT INTO organisations (id, name, kind, email, created_at, updated_at) VALUES ('org_walkers', 'Riverside Walkers', 'vcse', 'hello@walkers.example', $1, $1)",
		"INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_choir', 'Choir Club', 'vcse', $1, $1)",
		`INSERT INTO services (id, organisation_id, name, email, last_checked_at, created_at, updated_at) VALUES
			('svc_walk', 'org_walkers', 'Riverside walk', '', $1, $1, $1), ('svc_choir', 'org_choir', 'Community choir', 'choir@example.org', $1, $1, $1)`,
	} {
		if _, err := f.db.Exec(ctx, q, now); err != nil {
			t.Fatal(err)
		}
	}
	p := providers{serviceA: "svc_walk", serviceB: "svc_choir", emailA: "pat@walkers.example", emailB: "sam@choir.example"}
	for i, org := range []string{"org_walkers", "org_choir"} {
		email := []string{p.emailA, p.emailB}[i]
		u, err := f.auth.CreateUser(ctx, auth.Actor{UserID: "system"}, auth.UserInput{Email: email, Name: "Provider " + org, Role: auth.Provider, OrganisationID: org}, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := f.auth.CreateToken(ctx, auth.Actor{UserID: "system"}, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			p.tokenA = token
		} else {
			p.tokenB = token
		}
	}
	return p
}

// connect sends a connection as the link worker and returns its id.
func (f *fixture) connect(t testing.TB, refID, serviceID, kind string) string {
	t.Helper()
	res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+refID+"/connections", `{"service_id":"`+serviceID+`","kind":"`+kind+`"}`)
	if res.status != 201 {
		t.Fatalf("connect: %d %s", res.status, res.body)
	}
	var body map[string]any
	if json.Unmarshal([]byte(res.body), &body); len(body) != 2 || body["status"] != "sent" {
		t.Fatalf("created body %s", res.body)
	}
	return body["id"].(string)
}

// answerLinks are the tokens of the answer links emailed to an address.
func (f *fixture) answerLinks(t testing.TB, to string) []string {
	t.Helper()
	rows, err := f.db.R().QueryContext(context.Background(), "SELECT body FROM outbox WHERE recipient = $1 ORDER BY created_at, id", to)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var body string
		rows.Scan(&body)
		if i := strings.Index(body, "/answer/"); i >= 0 {
			out = append(out, strings.Fields(body[i+len("/answer/"):])[0])
		}
	}
	return out
}

func (f *fixture) outboxKinds(t testing.TB, to string) map[string]int {
	t.Helper()
	rows, err := f.db.R().QueryContext(context.Background(), "SELECT kind FROM outbox WHERE recipient = $1", to)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		out[k]++
	}
	return out
}

func TestConnectionsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.providers(t)
		id := acceptedReferral(t, f)
		base := "/api/v1/referrals/" + id + "/connections"

		wantFields(t, "empty", f.do(auth.LinkWorker, "POST", base, `{}`), "service_id", "kind")
		wantFields(t, "unknown service", f.do(auth.LinkWorker, "POST", base, `{"service_id":"svc_none","kind":"signpost"}`), "service_id")
		wantFields(t, "long note", f.do(auth.LinkWorker, "POST", base, `{"service_id":"svc_walk","kind":"signpost","note":"`+strings.Repeat("a", 501)+`"}`), "note")
		if res := f.do(auth.Referrer, "POST", base, `{"service_id":"svc_walk","kind":"signpost"}`); res.status != 404 {
			t.Errorf("referrer connects: %d", res.status)
		}
		if res := f.asToken(f.otherLinkWorker(t), "POST", base, `{"service_id":"svc_walk","kind":"signpost"}`); res.status != 404 {
			t.Errorf("another link worker connects: %d", res.status)
		}
		a := f.connect(t, id, p.serviceA, "supported")
		b := f.connect(t, id, p.serviceB, "active_signpost")
		if res := f.do(auth.LinkWorker, "POST", base, `{"service_id":"svc_walk","kind":"signpost"}`); res.status != 409 {
			t.Errorf("twice to one service: %d", res.status)
		}

		// Organisation A's provider sees A's connection only: by list, by
		// id, by action and by guessing.
		res := f.asToken(p.tokenA, "GET", "/api/v1/connections", "")
		if res.status != 200 || !strings.Contains(res.body, a) || strings.Contains(res.body, b) || strings.Contains(res.body, id) {
			t.Fatalf("A's list: %d %s", res.status, res.body)
		}
		if res := f.asToken(p.tokenA, "GET", "/api/v1/connections/"+b, ""); res.status != 404 {
			t.Errorf("A reads B's: %d", res.status)
		}
		for _, path := range []string{"/decision", "/attendance", "/status", "/updates"} {
			if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+b+path, `{}`); res.status != 404 {
				t.Errorf("A posts to B's %s: %d", path, res.status)
			}
		}
		if res := f.asToken(p.tokenB, "GET", "/connections/"+a, ""); res.status != 404 {
			t.Errorf("B opens A's page: %d", res.status)
		}
		if res := f.asToken(p.tokenA, "GET", "/api/v1/referrals/"+id+"/connections", ""); res.status != 404 {
			t.Errorf("provider lists the referral's: %d", res.status)
		}
		if res := f.asToken(p.tokenA, "GET", "/api/v1/connections/con_guessed", ""); res.status != 404 {
			t.Errorf("guessed id: %d", res.status)
		}
		if res := f.do(auth.Referrer, "GET", "/api/v1/connections/"+a, ""); res.status != 404 {
			t.Errorf("referrer reads a connection: %d", res.status)
		}
		if res := f.do(auth.Manager, "GET", "/api/v1/connections", ""); !strings.Contains(res.body, a) || !strings.Contains(res.body, b) {
			t.Errorf("manager's list: %s", res.body)
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/connections?status=sent", ""); res.status != 200 || res.json(t)["total"].(float64) != 2 {
			t.Errorf("link worker's list: %s", res.body)
		}
		wantFields(t, "bad status filter", f.do(auth.LinkWorker, "GET", "/api/v1/connections?status=lost", ""), "status")

		// What the provider is shown: what was shared, not the referral.
		got := f.asToken(p.tokenA, "GET", "/api/v1/connections/"+a, "").json(t)
		if got["referral_id"] != "" || got["status"] != "sent" || got["shared_contact"] == nil {
			t.Errorf("provider's view %v", got)
		}

		// The link worker of a supported referral does not answer for it.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/connections/"+a+"/decision", `{"decision":"accepted"}`); res.status != 409 {
			t.Errorf("link worker decides a supported referral: %d %s", res.status, res.body)
		}
		wantFields(t, "decline without reason", f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/decision", `{"decision":"declined"}`), "reason")
		wantFields(t, "unknown decision", f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/decision", `{"decision":"perhaps"}`), "decision")
		if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/attendance", `{"date":"`+time.Now().Format(time.DateOnly)+`","attended":true}`); res.status != 409 {
			t.Errorf("attendance before accepting: %d", res.status)
		}
		if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/decision", `{"decision":"accepted"}`); res.status != 200 {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		res = f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/decision", `{"decision":"declined","reason":"full"}`)
		if code, fields := res.errorCode(t); res.status != 409 || code != "conflict" || fields["decision"] == nil {
			t.Errorf("deciding twice: %d %s", res.status, res.body)
		}
		tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
		wantFields(t, "future date", f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/attendance", `{"date":"`+tomorrow+`","attended":true}`), "date")
		wantFields(t, "attended missing", f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/attendance", `{"date":"`+time.Now().Format(time.DateOnly)+`"}`), "attended")
		if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/attendance", `{"date":"`+time.Now().Format(time.DateOnly)+`","attended":"yes"}`); res.status != 400 {
			t.Errorf("attended as text: %d", res.status)
		}
		res = f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/attendance", `{"date":"`+time.Now().Format(time.DateOnly)+`","attended":true}`)
		if res.status != 200 || res.json(t)["sessions_attended"].(float64) != 1 {
			t.Fatalf("attendance: %d %s", res.status, res.body)
		}
		if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/updates", `{"message":"Came along and joined in."}`); res.status != 200 {
			t.Errorf("update: %d %s", res.status, res.body)
		}
		wantFields(t, "close as declined", f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/status", `{"status":"declined"}`), "status")
		if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+a+"/status", `{"status":"completed"}`); res.status != 200 {
			t.Errorf("complete: %d %s", res.status, res.body)
		}

		// B declines; attendance on a declined connection is refused.
		if res := f.asToken(p.tokenB, "POST", "/api/v1/connections/"+b+"/decision", `{"decision":"declined","reason":"We have closed for the winter."}`); res.status != 200 {
			t.Fatalf("decline: %d %s", res.status, res.body)
		}
		res = f.asToken(p.tokenB, "POST", "/api/v1/connections/"+b+"/attendance", `{"date":"`+time.Now().Format(time.DateOnly)+`","attended":true}`)
		if res.status != 409 {
			t.Errorf("attendance on declined: %d %s", res.status, res.body)
		}

		// The link worker's list shows both, and the emails went out:
		// A's organisation and B's service were told, the link worker heard
		// of each answer, session and update.
		list := f.do(auth.LinkWorker, "GET", base, "").json(t)
		if list["total"].(float64) != 2 {
			t.Errorf("referral's connections: %v", list)
		}
		if len(f.answerLinks(t, "hello@walkers.example")) != 1 || len(f.answerLinks(t, "choir@example.org")) != 1 {
			t.Errorf("no answer link emailed to the providers")
		}
		kinds := f.outboxKinds(t, "link_worker@example.org")
		if kinds["connection_answer"] != 3 || kinds["connection_attendance"] != 1 || kinds["connection_update"] != 1 {
			t.Errorf("link worker's emails %v", kinds)
		}
	})
}

func TestConnectionSignposts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.providers(t)
		id := acceptedReferral(t, f)
		c := f.connect(t, id, p.serviceA, "signpost")
		// For a signpost the link worker records how it went.
		for _, step := range []struct{ path, body string }{
			{"/decision", `{"decision":"accepted"}`},
			{"/attendance", `{"date":"` + time.Now().Format(time.DateOnly) + `","attended":false}`},
			{"/status", `{"status":"dropped","reason":"Found it too far."}`},
		} {
			if res := f.do(auth.LinkWorker, "POST", "/api/v1/connections/"+c+step.path, step.body); res.status != 200 {
				t.Errorf("%s: %d %s", step.path, res.status, res.body)
			}
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/connections/"+c+"/updates", `{"message":"hi"}`); res.status != 404 {
			t.Errorf("link worker sends a provider's update: %d", res.status)
		}
	})
}

func TestAnswerLinkPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.providers(t)
		id := acceptedReferral(t, f)
		c := f.connect(t, id, p.serviceA, "supported")
		links := f.answerLinks(t, "hello@walkers.example")
		if len(links) != 1 {
			t.Fatalf("links %v", links)
		}
		anon := f.browser()
		// Opening the page (as a mail scanner would) does nothing.
		for range 2 {
			res := anon.get("/answer/" + links[0])
			if res.status != 200 || !strings.Contains(res.body, "Riverside walk") || !strings.Contains(res.body, `value="accept"`) {
				t.Fatalf("answer page: %d %s", res.status, res.body)
			}
		}
		if res := f.asToken(p.tokenA, "GET", "/api/v1/connections/"+c, ""); res.json(t)["status"] != "sent" {
			t.Fatalf("GET acted: %s", res.body)
		}
		if res := anon.get("/answer/nonsense"); res.status != 404 || !strings.Contains(res.body, "This link does not work") {
			t.Errorf("unknown link: %d", res.status)
		}
		res := anon.post("/answer/"+links[0], url.Values{"action": {"decline"}})
		if res.status != 422 || !strings.Contains(res.body, `href="#reason"`) {
			t.Errorf("decline without reason: %d", res.status)
		}
		res = anon.post("/answer/"+links[0], url.Values{"action": {"accept"}})
		if res.status != 200 || !strings.Contains(res.body, "Thank you") {
			t.Fatalf("accept by link: %d %s", res.status, res.body)
		}
		for _, again := range []response{anon.post("/answer/"+links[0], url.Values{"action": {"accept"}}), anon.get("/answer/" + links[0])} {
			if again.status != 410 || !strings.Contains(again.body, "already been used") {
				t.Errorf("reused link: %d", again.status)
			}
		}
		used := links[0]
		links = f.answerLinks(t, "hello@walkers.example")
		if len(links) != 2 {
			t.Fatalf("no fresh link after accepting: %v", links)
		}
		next := links[1]
		if next == used {
			next = links[0]
		}
		// Expired: move the clock of the link back.
		if _, err := f.db.Exec(context.Background(), "UPDATE connection_links SET expires_at = $1", db.Millis(time.Now().Add(-time.Minute))); err != nil {
			t.Fatal(err)
		}
		for _, res := range []response{anon.get("/answer/" + next), anon.post("/answer/"+next, url.Values{"action": {"attended"}})} {
			if res.status != 410 || !strings.Contains(res.body, "expired") {
				t.Errorf("expired link: %d", res.status)
			}
		}
		if res := f.asToken(p.tokenA, "GET", "/api/v1/connections/"+c, ""); res.json(t)["status"] != "accepted" || res.json(t)["sessions_attended"].(float64) != 0 {
			t.Errorf("after the links: %s", res.body)
		}
		if kinds := f.outboxKinds(t, "link_worker@example.org"); kinds["connection_answer"] != 1 {
			t.Errorf("link worker not told of the answer by link: %v", kinds)
		}
	})
}

func TestConnectionPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.providers(t)
		id := acceptedReferral(t, f)
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		page := "/referrals/" + id
		if res := lw.get(page); !strings.Contains(res.body, `id="connections"`) || !strings.Contains(res.body, page+"/connections/new") {
			t.Fatalf("referral page lacks the connections section: %d", res.status)
		}
		if res := lw.get(page + "/connections/new?service_id=" + p.serviceA); res.status != 200 || !strings.Contains(res.body, `name="kind"`) {
			t.Fatalf("connect form: %d", res.status)
		}
		res := lw.post(page+"/connections", url.Values{"service_id": {p.serviceA}, "note": {strings.Repeat("n", 501)}})
		if res.status != 422 || !strings.Contains(res.body, `href="#kind"`) || !strings.Contains(res.body, `href="#note"`) {
			t.Errorf("refused connection: %d", res.status)
		}
		res = lw.post(page+"/connections", url.Values{"service_id": {p.serviceA}, "kind": {"supported"}, "note": {"Meet her at the gate"}})
		if res.status != 303 {
			t.Fatalf("connect: %d %s", res.status, res.body)
		}
		res = lw.get(page)
		if !strings.Contains(res.body, "Riverside walk") || !strings.Contains(res.body, "Waiting for an answer") {
			t.Errorf("referral page lacks the connection")
		}
		c := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+id+"/connections", "").json(t)["items"].([]any)[0].(map[string]any)["id"].(string)
		// Ten days without an answer is at least 5 working days: flagged.
		if strings.Contains(res.body, "No answer after 5 working days") {
			t.Errorf("flagged on the day it was sent")
		}
		if _, err := d.Exec(context.Background(), "UPDATE connections SET created_at = created_at - $1", int64(10*24*time.Hour/time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		if res := lw.get(page); !strings.Contains(res.body, "No answer after 5 working days") {
			t.Errorf("not flagged after ten days")
		}

		// The provider signs in, finds it in the queue, accepts and
		// records a session; errors name the fields.
		pb := f.browser()
		enrol(t, pb, p.emailA)
		if res := pb.get("/connections"); res.status != 200 || !strings.Contains(res.body, "/connections/"+c) || !strings.Contains(res.body, `href="/connections"`) {
			t.Fatalf("queue: %d", res.status)
		}
		if res := pb.get("/connections/" + c); !strings.Contains(res.body, "Meet her at the gate") || !strings.Contains(res.body, "did not agree") && !strings.Contains(res.body, "Phone") {
			t.Errorf("detail lacks the note or the contact")
		}
		if res := pb.post("/connections/"+c+"/decision", url.Values{"decision": {"declined"}}); res.status != 422 || !strings.Contains(res.body, `href="#reason"`) {
			t.Errorf("decline without reason: %d", res.status)
		}
		if res := pb.post("/connections/"+c+"/decision", url.Values{"decision": {"accepted"}}); res.status != 303 {
			t.Fatalf("accept: %d", res.status)
		}
		if res := pb.post("/connections/"+c+"/decision", url.Values{"decision": {"accepted"}}); res.status != 409 || !strings.Contains(res.body, "already answered") {
			t.Errorf("twice: %d", res.status)
		}
		if res := pb.post("/connections/"+c+"/attendance", url.Values{"date": {"2999-01-01"}, "attended": {"yes"}}); res.status != 422 || !strings.Contains(res.body, `href="#date-day"`) {
			t.Errorf("future date: %d", res.status)
		}
		if res := pb.post("/connections/"+c+"/attendance", url.Values{"date": {time.Now().Format(time.DateOnly)}, "attended": {"yes"}}); res.status != 303 {
			t.Errorf("attendance: %d", res.status)
		}
		if res := pb.post("/connections/"+c+"/update", url.Values{"message": {"Enjoyed the first walk."}}); res.status != 303 {
			t.Errorf("update: %d", res.status)
		}
		// The link worker sees it attending, with the update; the referrer
		// sees the summary and never the note or the update.
		res = lw.get(page)
		if !strings.Contains(res.body, "Attending") || !strings.Contains(res.body, "Enjoyed the first walk.") {
			t.Errorf("link worker's page lacks attending or the update")
		}
		ref := f.browser()
		enrol(t, ref, "referrer@example.org")
		res = ref.get(page)
		if res.status != 200 || !strings.Contains(res.body, "Connected to Riverside walk: attending") {
			t.Errorf("referrer's summary: %d", res.status)
		}
		for _, secret := range []string{"Enjoyed the first walk.", "Meet her at the gate", "/connections/" + c} {
			if strings.Contains(res.body, secret) {
				t.Errorf("referrer sees %q", secret)
			}
		}
		// The other organisation's provider finds nothing.
		other := f.browser()
		enrol(t, other, p.emailB)
		if res := other.get("/connections"); strings.Contains(res.body, c) {
			t.Errorf("B's queue shows A's connection")
		}
		if res := other.get("/connections/" + c); res.status != 404 {
			t.Errorf("B opens A's connection: %d", res.status)
		}
		if res := other.post("/connections/"+c+"/attendance", url.Values{"date": {time.Now().Format(time.DateOnly)}, "attended": {"yes"}}); res.status != 404 {
			t.Errorf("B records on A's connection: %d", res.status)
		}
	})
}

// FuzzConnectionBodies sends anything as each connection body: a 4xx, or
// a change; a refused new connection writes nothing. Run with
// -fuzzminimizetime 0s (see caseworkFuzzFixture).
func FuzzConnectionBodies(f *testing.F) {
	for _, seed := range []string{`{"service_id":"svc_walk","kind":"signpost"}`, `{"service_id":"svc_walk","kind":"supported","note":"x"}`,
		`{"decision":"declined","reason":"full"}`, `{"date":"2026-01-01","attended":true}`, `{"status":"completed"}`, `{"message":"hi"}`,
		`{"kind":"\u0000"}`, `{"date":"9999-99-99","attended":null}`, `[]`, `{"service_id":1}`} {
		f.Add(seed)
	}
	d := dbtest.SQLite(f)
	fx := newFixture(f, d)
	p := fx.providers(f)
	id := acceptedReferral(f, fx)
	c := fx.connect(f, id, p.serviceA, "signpost")
	f.Fuzz(func(t *testing.T, body string) {
		fx.t = t
		before := rowCount(t, fx.db, "connections")
		if res := fx.do(auth.Manager, "POST", "/api/v1/referrals/"+id+"/connections", body); res.status != 201 && rowCount(t, fx.db, "connections") != before {
			t.Fatalf("refused (%d) but written: %q", res.status, body)
		}
		for _, path := range []string{"/api/v1/connections/" + c + "/decision",
			"/api/v1/connections/" + c + "/attendance", "/api/v1/connections/" + c + "/status"} {
			if res := fx.do(auth.Manager, "POST", path, body); res.status >= 500 {
				t.Fatalf("%s %q: %d %s", path, body, res.status, res.body)
			}
		}
		if res := fx.asToken(p.tokenA, "POST", "/api/v1/connections/"+c+"/updates", body); res.status >= 500 {
			t.Fatalf("update %q: %d", body, res.status)
		}
	})
}

// FuzzConnectionForms posts anything as the connection forms and the
// answer link's form: never a 5xx. Run with -fuzzminimizetime 0s.
func FuzzConnectionForms(f *testing.F) {
	for _, seed := range [][3]string{{"accepted", "", ""}, {"declined", "full", "2026-01-01"}, {"x\x00", "\xff", "yes"}, {"", "", "no"}} {
		f.Add(seed[0], seed[1], seed[2])
	}
	d := dbtest.SQLite(f)
	fx := newFixture(f, d)
	p := fx.providers(f)
	id := acceptedReferral(f, fx)
	c := fx.connect(f, id, p.serviceA, "supported")
	links := fx.answerLinks(f, "hello@walkers.example")
	anon := fx.browser()
	f.Fuzz(func(t *testing.T, a, b, date string) {
		fx.t = t
		for _, path := range []string{"/connections/" + c + "/decision", "/connections/" + c + "/attendance", "/connections/" + c + "/status", "/referrals/" + id + "/connections"} {
			req := url.Values{"decision": {a}, "reason": {b}, "date": {date}, "attended": {a}, "status": {a}, "close_reason": {b},
				"service_id": {b}, "kind": {a}, "note": {b}}
			req2 := fx.pageAsManager(t, path, req)
			if req2 >= 500 {
				t.Fatalf("%s: %d", path, req2)
			}
		}
		if res := anon.post("/answer/"+links[0], url.Values{"action": {a}, "reason": {b}}); res.status >= 500 {
			t.Fatalf("answer: %d", res.status)
		}
	})
}

// pageAsManager posts a form with the manager's token, as a script would,
// and returns the status.
func (f *fixture) pageAsManager(t testing.TB, path string, form url.Values) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+f.tokens[auth.Manager])
	return f.send(http.DefaultTransport, req).status
}
