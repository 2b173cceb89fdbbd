package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestTriageAssignAndMatch: a manager sees that a new referral may be
// someone known already, confirms it, and assigns the referral to a link
// worker, all from the referral's page; a referrer can do neither.
func TestTriageAssignAndMatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		first := f.do(auth.Referrer, "POST", "/api/v1/referrals", referralBody).json(t)
		// The same name and birth date, no NHS number, a new postcode.
		moved := strings.NewReplacer(`"nhs_number":"9434765919",`, "", `"EX4 4QJ"`, `"TQ1 1AA"`).Replace(referralBody)
		second := f.do(auth.Referrer, "POST", "/api/v1/referrals", moved).json(t)
		id := second["id"].(string)

		m := f.browser()
		enrol(t, m, "manager@example.org")
		page := m.get("/referrals/" + id)
		if page.status != 200 || !strings.Contains(page.body, "Possibly known already") || !strings.Contains(page.body, "Yes, the same person") ||
			!strings.Contains(page.body, `value="`+f.users[auth.LinkWorker].ID+`"`) {
			t.Fatalf("referral page for a manager: %d\n%s", page.status, page.body)
		}

		gp := f.browser()
		enrol(t, gp, "referrer@example.org")
		if res := gp.post("/referrals/"+id+"/match", url.Values{"same": {"yes"}}); res.status != 404 {
			t.Errorf("a referrer confirming a match: %d", res.status)
		}
		if res := gp.post("/referrals/"+id+"/assign", url.Values{"user_id": {f.users[auth.LinkWorker].ID}}); res.status != 404 {
			t.Errorf("a referrer assigning: %d", res.status)
		}

		if res := m.post("/referrals/"+id+"/match", url.Values{"same": {"maybe"}}); res.status != 422 {
			t.Errorf("an answer that is neither: %d", res.status)
		}
		if res := m.post("/referrals/"+id+"/match", url.Values{"same": {"yes"}}); res.status != 303 {
			t.Fatalf("confirm the match: %d %s", res.status, res.body)
		}
		got := f.do(auth.Manager, "GET", "/api/v1/referrals/"+id, "").json(t)
		if got["person_id"] != first["person_id"] {
			t.Errorf("the referral did not move to the known person: %v, want %v", got["person_id"], first["person_id"])
		}
		if res := m.post("/referrals/"+id+"/assign", url.Values{"user_id": {f.users[auth.Referrer].ID}}); res.status != 422 {
			t.Errorf("assigning to someone who is not a link worker: %d", res.status)
		}
		if res := m.post("/referrals/"+id+"/assign", url.Values{"user_id": {f.users[auth.LinkWorker].ID}}); res.status != 303 {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
		got = f.do(auth.Manager, "GET", "/api/v1/referrals/"+id, "").json(t)
		if got["assigned_to"] != f.users[auth.LinkWorker].ID {
			t.Errorf("assigned to %v", got["assigned_to"])
		}
		if page := m.get("/referrals/" + id + "?done=assigned"); !strings.Contains(page.body, "Link worker: <strong>Test link_worker</strong>") {
			t.Errorf("the page does not say who has it:\n%s", page.body)
		}
	})
}

// TestTriageQueue: urgent referrals first, each with its reasons, area
// and, when it has waited too long, an overdue flag.
func TestTriageQueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		old := f.do(auth.Referrer, "POST", "/api/v1/referrals", referralBody).json(t)["id"].(string)
		urgent := strings.NewReplacer(`"Margaret"`, `"Arthur"`, `"nhs_number":"9434765919",`, "", `"EX4 4QJ"`, `"TQ1 1AA"`,
			`"reasons":`, `"urgency":"urgent","reasons":`).Replace(referralBody)
		res := f.do(auth.Referrer, "POST", "/api/v1/referrals", urgent)
		if res.status != 201 {
			t.Fatalf("urgent: %d %s", res.status, res.body)
		}
		// The routine one has waited three weeks.
		if _, err := d.Exec(t.Context(), "UPDATE referrals SET received_at = received_at - $1 WHERE id = $2", int64(21*24*3600*1000), old); err != nil {
			t.Fatal(err)
		}
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		page := lw.get("/referrals")
		arthur, margaret := strings.Index(page.body, "Arthur Hughes"), strings.Index(page.body, "Margaret Hughes")
		if page.status != 200 || arthur < 0 || margaret < 0 || arthur > margaret {
			t.Fatalf("urgent not first: %d (at %d and %d)", page.status, arthur, margaret)
		}
		for _, want := range []string{"Loneliness", "TQ1 · GP", "EX4 · GP", "Overdue", "21 days ago", "1 has waited longer than promised"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the queue lacks %q", want)
			}
		}
	})
}

// TestTriageQueuePages: a long queue comes a page at a time, urgent
// first across the pages, with links to the next and previous pages (no
// JavaScript needed), the count of all waiting and of all overdue; a page
// number that is not one is refused, naming it.
func TestTriageQueuePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		routine := strings.Replace(referralBody, `"nhs_number":"9434765919",`, "", 1)
		urgent := strings.NewReplacer(`"Margaret"`, `"Arthur"`, `"reasons":`, `"urgency":"urgent","reasons":`).Replace(routine)
		for i := range 57 {
			body := routine
			if i >= 54 { // the newest three: urgent, so first
				body = urgent
			}
			if res := f.do(auth.Referrer, "POST", "/api/v1/referrals", body); res.status != 201 {
				t.Fatalf("referral %d: %d %s", i, res.status, res.body)
			}
		}
		// Ten routine ones have waited three weeks.
		if _, err := d.Exec(t.Context(), `UPDATE referrals SET received_at = received_at - $1 WHERE id IN
			(SELECT id FROM referrals WHERE urgency = 'routine' ORDER BY id LIMIT 10)`, int64(21*24*3600*1000)); err != nil {
			t.Fatal(err)
		}
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		first := lw.get("/referrals")
		items := func(body string) int {
			return strings.Count(body, `<h3 class="nhsuk-heading-s nhsuk-u-margin-bottom-1"><a href="/referrals/ref_`)
		}
		if first.status != 200 || items(first.body) != 50 {
			t.Fatalf("page 1: %d, %d referrals, want 50", first.status, items(first.body))
		}
		for _, want := range []string{"57 referrals are waiting", "10 have waited longer than promised", "Showing 1 to 50 of 57.",
			`href="/referrals?page=2" id="waiting-next"`} {
			if !strings.Contains(first.body, want) {
				t.Errorf("page 1 lacks %q", want)
			}
		}
		if arthur, margaret := strings.LastIndex(first.body, "Arthur Hughes"), strings.Index(first.body, "Margaret Hughes"); arthur < 0 || arthur > margaret {
			t.Errorf("the urgent referrals are not first (%d, %d)", arthur, margaret)
		}
		if strings.Contains(first.body, "waiting-prev") {
			t.Error("page 1 links to a previous page")
		}
		second := lw.get("/referrals?page=2")
		if second.status != 200 || items(second.body) != 7 || strings.Contains(second.body, "Arthur Hughes") {
			t.Fatalf("page 2: %d, %d referrals, want 7 routine", second.status, items(second.body))
		}
		for _, want := range []string{"Showing 51 to 57 of 57.", `href="/referrals" id="waiting-prev"`, "10 have waited longer than promised"} {
			if !strings.Contains(second.body, want) {
				t.Errorf("page 2 lacks %q", want)
			}
		}
		if strings.Contains(second.body, "waiting-next") {
			t.Error("the last page links to a next page")
		}
		if beyond := lw.get("/referrals?page=3"); beyond.status != 200 || items(beyond.body) != 0 ||
			!strings.Contains(beyond.body, `No more referrals wait beyond this page. <a href="/referrals">`) {
			t.Errorf("beyond the last page: %d\n%s", beyond.status, beyond.body)
		}
		for _, bad := range []string{"0", "-1", "two", "1.5", "9999999"} {
			if res := lw.get("/referrals?page=" + bad); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "The page number must be") {
				t.Errorf("page=%s: %d", bad, res.status)
			}
		}
	})
}
