package web_test

import (
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestBudgetAPI: the contract's personal budget routes, as the link worker
// and the manager use them: an allowance, a purchase beyond the balance
// refused naming amount_pence, one above the threshold waiting, decided
// once, a reversal, and the finance CSV holding every entry the API shows.
func TestBudgetAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ref := acceptedReferral(t, f)
		base := "/api/v1/referrals/" + ref + "/budget"
		if res := f.do(auth.LinkWorker, "PUT", base, `{"allowance_pence": 0, "purpose": ""}`); res.status != 422 {
			t.Errorf("a bad allowance: %d %s", res.status, res.body)
		} else if _, fields := res.errorCode(t); fields["allowance_pence"] == nil || fields["purpose"] == nil {
			t.Errorf("a bad allowance names %v", fields)
		}
		if res := f.do(auth.LinkWorker, "PUT", base, `{"allowance_pence": 10000, "purpose": "Courses in the plan"}`); res.status != 200 {
			t.Fatalf("allowance: %d %s", res.status, res.body)
		}
		today := time.Now().Format(time.DateOnly)
		buy := func(pence string) response {
			return f.do(auth.LinkWorker, "POST", base+"/purchases", `{"supplier": "Clay Studio", "description": "Pottery", "amount_pence": `+pence+`, "date": "`+today+`"}`)
		}
		if res := buy("10001"); res.status != 422 {
			t.Errorf("beyond the balance: %d %s", res.status, res.body)
		} else if _, fields := res.errorCode(t); fields["amount_pence"] == nil {
			t.Errorf("beyond the balance names %v", fields)
		}
		small := buy("3000")
		big := buy("6000")
		if small.status != 201 || small.json(t)["status"] != "approved" || big.status != 201 || big.json(t)["status"] != "awaiting_approval" {
			t.Fatalf("purchases: %d %s; %d %s", small.status, small.body, big.status, big.body)
		}
		if res := buy("1001"); res.status != 422 {
			t.Errorf("beyond the balance counting the one waiting: %d %s", res.status, res.body)
		}
		bigID, smallID := big.json(t)["id"].(string), small.json(t)["id"].(string)
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/budget-purchases/"+bigID+"/decision", `{"decision": "approved"}`); res.status != 404 {
			t.Errorf("a link worker decides: %d", res.status)
		}
		queue := f.do(auth.Manager, "GET", "/api/v1/budget-purchases", "")
		if queue.status != 200 || queue.json(t)["total"] != 1.0 {
			t.Errorf("the manager's queue: %d %s", queue.status, queue.body)
		}
		if res := f.do(auth.Manager, "POST", "/api/v1/budget-purchases/"+bigID+"/decision", `{"decision": "approved"}`); res.status != 200 {
			t.Errorf("approve: %d %s", res.status, res.body)
		}
		if res := f.do(auth.Manager, "POST", "/api/v1/budget-purchases/"+bigID+"/decision", `{"decision": "refused", "reason": "No"}`); res.status != 409 {
			t.Errorf("a second decision: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/budget-purchases/"+smallID+"/reversal", `{"reason": "Course cancelled"}`); res.status != 201 {
			t.Errorf("reversal: %d %s", res.status, res.body)
		}
		b := f.do(auth.LinkWorker, "GET", base, "").json(t)
		if b["allowance_pence"] != 10000.0 || b["spent_pence"] != 6000.0 || b["pending_pence"] != 0.0 || b["balance_pence"] != 4000.0 {
			t.Errorf("totals after the reversal: %v", b)
		}
		entries := b["entries"].([]any)
		if len(entries) != 4 {
			t.Fatalf("entries: %v", entries)
		}
		// The CSV for finance holds the same entries, in the same order.
		res := f.do(auth.Manager, "GET", "/api/v1/budgets/ledger?format=csv", "")
		if res.status != 200 {
			t.Fatalf("ledger CSV: %d %s", res.status, res.body)
		}
		rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil || len(rows) != 1+len(entries) {
			t.Fatalf("ledger CSV rows: %d, %v\n%s", len(rows), err, res.body)
		}
		for i, e := range entries {
			e := e.(map[string]any)
			if rows[i+1][1] != e["id"] || rows[i+1][3] != e["kind"] {
				t.Errorf("CSV row %d: %v, want entry %v", i+1, rows[i+1], e)
			}
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/budgets/ledger", ""); res.status != 404 {
			t.Errorf("a link worker reads the ledger: %d", res.status)
		}
		if res := f.do(auth.Manager, "GET", "/api/v1/budgets/ledger?from=nonsense", ""); res.status != 422 {
			t.Errorf("a bad period: %d %s", res.status, res.body)
		}
		// The scheme's threshold: its managers set it, link workers read it.
		settings := "/api/v1/schemes/" + f.orgID + "/budget-settings"
		if res := f.do(auth.LinkWorker, "GET", settings, ""); res.status != 200 || res.json(t)["approval_threshold_pence"] != 5000.0 {
			t.Errorf("the default threshold: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "PUT", settings, `{"approval_threshold_pence": 100}`); res.status != 404 {
			t.Errorf("a link worker sets the threshold: %d", res.status)
		}
		if res := f.do(auth.Manager, "PUT", settings, `{"approval_threshold_pence": -1}`); res.status != 422 {
			t.Errorf("a negative threshold: %d %s", res.status, res.body)
		}
		if res := f.do(auth.Manager, "PUT", settings, `{"approval_threshold_pence": 1000}`); res.status != 200 {
			t.Errorf("set the threshold: %d %s", res.status, res.body)
		}
		if res := buy("1500"); res.status != 201 || res.json(t)["status"] != "awaiting_approval" {
			t.Errorf("above the new threshold: %d %s", res.status, res.body)
		}
	})
}

// TestGrantAPI: a round beside its gap map, an application only for the
// provider's own organisation and only while the round is open, an award
// within the pot, one decision, and payments within the award.
func TestGrantAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.providers(t)
		today := time.Now().In(londonForTest()).Format(time.DateOnly)
		later := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
		round := f.do(auth.Manager, "POST", "/api/v1/grant-rounds", `{"name": "Growing groups", "pot_pence": 500000, "opens_on": "`+today+
			`", "closes_on": "`+later+`", "needs": ["loneliness"], "areas": ["EX4"]}`)
		if round.status != 201 {
			t.Fatalf("round: %d %s", round.status, round.body)
		}
		roundID := round.json(t)["id"].(string)
		if res := f.as(p.tokenA, "GET", "/api/v1/grant-rounds/"+roundID, ""); res.status != 200 || res.json(t)["gap_map"] == nil {
			t.Errorf("a provider reads the round with its gap map: %d %s", res.status, res.body)
		}
		apply := func(org, pence string) response {
			return f.as(p.tokenA, "POST", "/api/v1/grant-rounds/"+roundID+"/applications", `{"organisation_id": "`+org+`", "title": "Walk and talk",
				"summary": "Weekly walks.", "needs": ["loneliness"], "areas": ["EX4"], "amount_pence": `+pence+`, "starts_on": "`+later+`"}`)
		}
		if res := apply("org_choir", "100000"); res.status != 422 {
			t.Errorf("applying for another organisation: %d %s", res.status, res.body)
		} else if _, fields := res.errorCode(t); fields["organisation_id"] == nil {
			t.Errorf("applying for another organisation names %v", fields)
		}
		mine := apply("org_walkers", "300000")
		other := apply("org_walkers", "300000")
		if mine.status != 201 || mine.json(t)["status"] != "submitted" || other.status != 201 {
			t.Fatalf("applications: %d %s", mine.status, mine.body)
		}
		id, otherID := mine.json(t)["id"].(string), other.json(t)["id"].(string)
		decide := func(id, body string) response {
			return f.do(auth.Manager, "POST", "/api/v1/grant-applications/"+id+"/decision", body)
		}
		if res := decide(id, `{"decision": "awarded", "score": 8}`); res.status != 200 {
			t.Fatalf("award: %d %s", res.status, res.body)
		}
		if res := decide(id, `{"decision": "declined", "reason": "Changed our minds"}`); res.status != 409 {
			t.Errorf("deciding twice: %d %s", res.status, res.body)
		}
		if res := decide(otherID, `{"decision": "awarded"}`); res.status != 422 {
			t.Errorf("an award beyond the pot: %d %s", res.status, res.body)
		} else if _, fields := res.errorCode(t); fields["amount_pence"] == nil {
			t.Errorf("an award beyond the pot names %v", fields)
		}
		pay := func(pence string) response {
			return f.do(auth.Manager, "POST", "/api/v1/grant-applications/"+id+"/payments", `{"amount_pence": `+pence+`, "paid_on": "`+today+`"}`)
		}
		if res := pay("200000"); res.status != 201 {
			t.Errorf("an instalment: %d %s", res.status, res.body)
		}
		if res := pay("100001"); res.status != 422 {
			t.Errorf("a payment beyond the award: %d %s", res.status, res.body)
		}
		if res := f.as(p.tokenA, "POST", "/api/v1/grant-applications/"+id+"/payments", `{"amount_pence": 1, "paid_on": "`+today+`"}`); res.status != 404 {
			t.Errorf("a provider pays itself: %d", res.status)
		}
		rep := f.do(auth.Manager, "GET", "/api/v1/reports/grants", "")
		if rep.status != 200 || rep.json(t)["awarded_pence"] != 300000.0 || rep.json(t)["paid_pence"] != 200000.0 {
			t.Errorf("grants report: %d %s", rep.status, rep.body)
		}
		if res := f.do(auth.Commissioner, "GET", "/api/v1/reports/citizen-led", ""); res.status != 200 {
			t.Errorf("citizen-led trend: %d %s", res.status, res.body)
		}
	})
}

// TestCourseInOpenReferral: a service run as a course publishes its rule
// in the Open Referral schedule fields, valid against HSDS 3.0, and its
// page lists the next sessions.
func TestCourseInOpenReferral(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newFixture(t, d)
	body := strings.Replace(serviceJSON(f.orgID, "Pottery for wellbeing"), `"eligibility":"Adults"`,
		`"eligibility":"Adults","course":{"rrule":"FREQ=WEEKLY;COUNT=10","dtstart":"2030-03-04T18:30","duration_minutes":90}`, 1)
	res := f.do(auth.Provider, "POST", "/api/v1/services", body)
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	id := res.json(t)["id"].(string)
	var found bool
	for _, item := range f.orukPage(t, "/oruk/services", "compiled/service_list.json") {
		if item["name"] != "Pottery for wellbeing" {
			continue
		}
		full := f.orukGet(t, "/oruk/services/"+item["id"].(string))
		mustValidateHSDS(t, "compiled/service.json", "the course", full)
		for _, s := range full["schedules"].([]any) {
			s := s.(map[string]any)
			if s["dtstart"] == "2030-03-04" && fmt.Sprint(s["count"]) == "10" && s["freq"] == "WEEKLY" && s["byday"] == "MO" && s["opens_at"] == "18:30" && s["closes_at"] == "20:00" {
				found = true
			}
		}
		if !found {
			t.Errorf("no course schedule in %v", full["schedules"])
		}
	}
	if !found {
		t.Error("the course is not published")
	}
	if page := f.do("", "GET", "/directory/services/"+id, ""); page.status != 200 || !strings.Contains(page.body, "Monday 4 March 2030, 6:30pm to 8pm") {
		t.Errorf("the service page's next sessions: %d", page.status)
	}
}

// TestPurchasesRaceOverHTTP sends 200 purchases at one budget at once
// through the server: exactly what the allowance holds is bought, every
// other answer is a 422 naming amount_pence, and nothing else comes back.
func TestPurchasesRaceOverHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ref := acceptedReferral(t, f)
		base := "/api/v1/referrals/" + ref + "/budget"
		if res := f.do(auth.LinkWorker, "PUT", base, `{"allowance_pence": 10000, "purpose": "Courses"}`); res.status != 200 {
			t.Fatalf("allowance: %d %s", res.status, res.body)
		}
		today := time.Now().Format(time.DateOnly)
		const n = 200
		statuses := make([]int, n)
		bodies := make([]string, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res := f.do(auth.LinkWorker, "POST", base+"/purchases", `{"supplier": "Clay Studio", "description": "One session", "amount_pence": 100, "date": "`+today+`"}`)
				statuses[i], bodies[i] = res.status, res.body
			}()
		}
		close(start)
		wg.Wait()
		bought := 0
		for i, st := range statuses {
			switch {
			case st == 201:
				bought++
			case st == 422 && strings.Contains(bodies[i], `"amount_pence"`):
			default:
				t.Errorf("purchase %d: %d %s", i, st, bodies[i])
			}
		}
		b := f.do(auth.LinkWorker, "GET", base, "").json(t)
		if bought != 100 || b["spent_pence"] != 10000.0 || b["balance_pence"] != 0.0 || len(b["entries"].([]any)) != 101 {
			t.Errorf("%d bought; budget %v spent, %v left, %d entries", bought, b["spent_pence"], b["balance_pence"], len(b["entries"].([]any)))
		}
	})
}

// TestReversalNamesItsReferral: a reversal posted under one referral's
// address but naming a purchase of another referral (one the same link
// worker may see) is not found, on the page and through the API when the
// caller names the referral, and nothing is reversed; under its own
// referral it goes through.
func TestReversalNamesItsReferral(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mine, other := acceptedReferral(t, f), acceptedReferral(t, f)
		for _, ref := range []string{mine, other} {
			if res := f.do(auth.LinkWorker, "PUT", "/api/v1/referrals/"+ref+"/budget", `{"allowance_pence": 5000, "purpose": "Courses"}`); res.status != 200 {
				t.Fatalf("allowance: %d %s", res.status, res.body)
			}
		}
		res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+other+"/budget/purchases",
			`{"supplier": "Clay Studio", "description": "Pottery", "amount_pence": 2000, "date": "`+time.Now().Format(time.DateOnly)+`"}`)
		if res.status != 201 {
			t.Fatalf("purchase: %d %s", res.status, res.body)
		}
		bought := res.json(t)["id"].(string)
		page := f.formAs(auth.LinkWorker, "/referrals/"+mine+"/budget/purchases/"+bought+"/reversal", url.Values{"reason": {"Refund"}})
		if page.status != 404 {
			t.Errorf("the page reversed another referral's purchase: %d %s", page.status, page.body)
		}
		api := f.do(auth.LinkWorker, "POST", "/api/v1/budget-purchases/"+bought+"/reversal", `{"reason": "Refund", "referral_id": "`+mine+`"}`)
		if api.status != 404 {
			t.Errorf("the API reversed another referral's purchase: %d %s", api.status, api.body)
		}
		if b := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+other+"/budget", "").json(t); b["spent_pence"] != 2000.0 || len(b["entries"].([]any)) != 2 {
			t.Errorf("the other budget changed: %v", b)
		}
		page = f.formAs(auth.LinkWorker, "/referrals/"+other+"/budget/purchases/"+bought+"/reversal", url.Values{"reason": {"Refund"}})
		if page.status != 303 || !strings.Contains(page.header.Get("Location"), "/referrals/"+other+"/budget") {
			t.Errorf("the reversal under its own referral: %d %v", page.status, page.header)
		}
	})
}
