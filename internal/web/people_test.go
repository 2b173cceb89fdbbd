package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

const personBody = `{"given_name":"Margaret","family_name":"Hughes-Price","date_of_birth":"1948-05-02","nhs_number":"943 476 5919",
	"postcode":"ex4 4qj","phone":"01392 000000","email":"","sex":"female","ethnicity":"white","preferred_contact":"phone",
	"interpreter_language":"Welsh","access_needs":["Large print","Hearing loop"],
	"next_of_kin":{"name":"Tom Hughes","relationship":"Son","phone":"07700 900123"}}`

// TestPeopleAPI: the contract's people search and details, who may use
// them, the audit of every change, and the fields named in 422s.
func TestPeopleAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		personID := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+id, "").json(t)["person_id"].(string)

		// Found by name, NHS number and date of birth, with the referral.
		for _, q := range []string{"hughes", "marg", "943%20476%205919", "2%2F5%2F1948", "2+May+1948"} {
			res := f.do(auth.LinkWorker, "GET", "/api/v1/people?q="+q, "")
			if res.status != 200 || !strings.Contains(res.body, `"id":"`+personID+`"`) || !strings.Contains(res.body, `"id":"`+id+`","status":"accepted"`) ||
				!strings.Contains(res.body, `"more":false`) {
				t.Errorf("search %q: %d %s", q, res.status, res.body)
			}
		}
		if res := f.do(auth.Manager, "GET", "/api/v1/people?q=hughes", ""); res.status != 200 || res.json(t)["total"] != 1.0 {
			t.Errorf("manager's search: %d %s", res.status, res.body)
		}
		wantFields(t, "empty search", f.do(auth.LinkWorker, "GET", "/api/v1/people?q=", ""), "q")
		wantFields(t, "bad NHS number", f.do(auth.LinkWorker, "GET", "/api/v1/people?q=9434765918", ""), "q")
		for _, role := range []auth.Role{auth.Provider, auth.Referrer, auth.Commissioner, auth.Volunteer, auth.Admin} {
			if res := f.do(role, "GET", "/api/v1/people?q=hughes", ""); res.status != 404 && res.status != 403 {
				t.Errorf("%s searches people: %d", role, res.status)
			}
			if res := f.do(role, "GET", "/api/v1/people/"+personID, ""); res.status != 404 && res.status != 403 {
				t.Errorf("%s reads a person: %d", role, res.status)
			}
		}

		// Details: read, corrected, the change audited.
		res := f.do(auth.LinkWorker, "GET", "/api/v1/people/"+personID, "")
		if res.status != 200 || res.json(t)["family_name"] != "Hughes" || res.json(t)["access_needs"] == nil {
			t.Fatalf("details: %d %s", res.status, res.body)
		}
		before := auditCount(t, d, personID, "person", "update")
		res = f.do(auth.LinkWorker, "PUT", "/api/v1/people/"+personID, personBody)
		if res.status != 200 {
			t.Fatalf("update: %d %s", res.status, res.body)
		}
		got := res.json(t)
		if got["family_name"] != "Hughes-Price" || got["postcode"] != "EX4 4QJ" || got["nhs_number"] != "9434765919" || got["sex"] != "female" ||
			got["next_of_kin"].(map[string]any)["relationship"] != "Son" || len(got["access_needs"].([]any)) != 2 {
			t.Errorf("updated: %s", res.body)
		}
		if auditCount(t, d, personID, "person", "update") != before+1 {
			t.Error("the change is not in the audit log")
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/people/"+personID, ""); res.json(t)["interpreter_language"] != "Welsh" {
			t.Errorf("read back: %s", res.body)
		}
		// Bad values, each named.
		for _, c := range []struct{ from, to, field string }{
			{`"female"`, `"woman"`, "sex"},
			{`"white"`, `"blue"`, "ethnicity"},
			{`"preferred_contact":"phone"`, `"preferred_contact":"pigeon"`, "preferred_contact"},
			{`"1948-05-02"`, `"2948-05-02"`, "date_of_birth"},
			{`"943 476 5919"`, `"9434765918"`, "nhs_number"},
			{`"ex4 4qj"`, `"nowhere"`, "postcode"},
			{`"Tom Hughes"`, `""`, "next_of_kin.name"},
			{`"phone":"01392 000000"`, `"phone":""`, "phone"},
		} {
			wantFields(t, c.field, f.do(auth.LinkWorker, "PUT", "/api/v1/people/"+personID, strings.Replace(personBody, c.from, c.to, 1)), c.field)
		}
		if res := f.do(auth.LinkWorker, "PUT", "/api/v1/people/"+personID, `{"given_name":"M","extra":1}`); res.status != 400 {
			t.Errorf("unknown field: %d %s", res.status, res.body)
		}
		// A provider, a referrer: no such person.
		for _, role := range []auth.Role{auth.Provider, auth.Referrer} {
			if res := f.do(role, "PUT", "/api/v1/people/"+personID, personBody); res.status != 404 && res.status != 403 {
				t.Errorf("%s changes a person: %d", role, res.status)
			}
		}
	})
}

// TestReopenAPI: closing then reopening within 90 days, the closing kept
// in the history; later, or not closed, 409; the reason required.
func TestReopenAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		base := "/api/v1/referrals/" + id
		if res := f.do(auth.LinkWorker, "POST", base+"/reopen", `{"reason":"Changed her mind"}`); res.status != 409 {
			t.Errorf("reopen an open referral: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "POST", base+"/status", `{"status":"closed","reason":"declined"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		wantFields(t, "no reason", f.do(auth.LinkWorker, "POST", base+"/reopen", `{"reason":" "}`), "reason")
		if res := f.do(auth.Referrer, "POST", base+"/reopen", `{"reason":"Please"}`); res.status != 404 {
			t.Errorf("referrer reopens: %d", res.status)
		}
		res := f.do(auth.LinkWorker, "POST", base+"/reopen", `{"reason":"She rang back: she would like to try the walk after all."}`)
		if res.status != 200 || res.json(t)["status"] != "accepted" || res.json(t)["assigned_to"] != f.users[auth.LinkWorker].ID {
			t.Fatalf("reopen: %d %s", res.status, res.body)
		}
		// Closed more than 90 days ago: a new referral instead.
		if res := f.do(auth.LinkWorker, "POST", base+"/status", `{"status":"closed","reason":"declined"}`); res.status != 200 {
			t.Fatalf("close again: %d %s", res.status, res.body)
		}
		old := time.Now().AddDate(0, 0, -91).UnixMilli()
		if _, err := d.Exec(t.Context(), "UPDATE referrals SET closed_at = $1 WHERE id = $2", old, id); err != nil {
			t.Fatal(err)
		}
		if res := f.do(auth.LinkWorker, "POST", base+"/reopen", `{"reason":"Too late"}`); res.status != 409 || !strings.Contains(res.body, "90 days") {
			t.Errorf("reopen after 90 days: %d %s", res.status, res.body)
		}
	})
}

// TestContactOutcomesAPI: an unanswered call is recorded and leaves the
// referral as it was; a reached one moves it on.
func TestContactOutcomesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		base := "/api/v1/referrals/" + id
		today := time.Now().UTC().Format(time.DateOnly)
		res := f.do(auth.LinkWorker, "POST", base+"/contacts", `{"at":"`+today+`","mode":"phone","outcome":"no_answer"}`)
		if res.status != 201 || res.json(t)["outcome"] != "no_answer" {
			t.Fatalf("no answer: %d %s", res.status, res.body)
		}
		if st := f.do(auth.LinkWorker, "GET", base, "").json(t)["status"]; st != "accepted" {
			t.Errorf("after no answer the referral is %v", st)
		}
		wantFields(t, "bad outcome", f.do(auth.LinkWorker, "POST", base+"/contacts", `{"at":"`+today+`","mode":"phone","outcome":"maybe"}`), "outcome")
		res = f.do(auth.LinkWorker, "POST", base+"/contacts", `{"at":"`+today+`","mode":"phone"}`)
		if res.status != 201 || res.json(t)["outcome"] != "reached" {
			t.Fatalf("reached: %d %s", res.status, res.body)
		}
		got := f.do(auth.LinkWorker, "GET", base, "").json(t)
		if got["status"] != "contacted" || got["first_contact_at"] == nil {
			t.Errorf("after reaching her: %v %v", got["status"], got["first_contact_at"])
		}
	})
}

// TestOtherOpenReferralsAPI: a second referral for the same NHS number is
// shown on the first, and the referrer sees none of it.
func TestOtherOpenReferralsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		first := acceptedReferral(t, f)
		res := f.do(auth.Referrer, "POST", "/api/v1/referrals", referralBody)
		if res.status != 201 {
			t.Fatalf("second: %d %s", res.status, res.body)
		}
		second := res.json(t)["id"].(string)
		got := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+first, "")
		if !strings.Contains(got.body, `"other_open_referrals":["`+second+`"]`) {
			t.Errorf("the first does not name the second: %s", got.body)
		}
		if got := f.do(auth.Referrer, "GET", "/api/v1/referrals/"+first, ""); strings.Contains(got.body, "other_open_referrals") {
			t.Errorf("the referrer sees other referrals: %s", got.body)
		}
	})
}

// TestPeoplePages: a link worker finds a person, opens their details and
// corrects them (mistakes named, the change audited); the referral page
// leads to the details and shows the person's other open referral; a
// provider reaches none of it.
func TestPeoplePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		personID := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+id, "").json(t)["person_id"].(string)
		res := f.do(auth.Referrer, "POST", "/api/v1/referrals", referralBody)
		if res.status != 201 {
			t.Fatalf("second referral: %d %s", res.status, res.body)
		}
		second := res.json(t)["id"].(string)
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")

		if res := lw.get("/people"); res.status != 200 || !strings.Contains(res.body, `href="/people"`) || !strings.Contains(res.body, `name="q"`) {
			t.Fatalf("search page: %d", res.status)
		}
		if res := lw.get("/people?q=9434765918"); res.status != 422 || !strings.Contains(res.body, `href="#q"`) {
			t.Errorf("a wrong NHS number: %d", res.status)
		}
		for _, q := range []string{"hughes", "943+476+5919", "2%2F5%2F1948"} {
			res := lw.get("/people?q=" + q)
			if res.status != 200 || !strings.Contains(res.body, `href="/people/`+personID+`"`) || !strings.Contains(res.body, `href="/referrals/`+id+`"`) {
				t.Errorf("search %q: %d", q, res.status)
			}
		}
		if res := lw.get("/people?q=nobody+at+all"); res.status != 200 || !strings.Contains(res.body, "Nobody found") {
			t.Errorf("nobody: %d", res.status)
		}

		page := lw.get("/referrals/" + id)
		for _, want := range []string{`href="/people/` + personID + `"`, `id="other-open"`, `href="/referrals/` + second + `"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("referral page lacks %s", want)
			}
		}

		if res := lw.get("/people/" + personID); res.status != 200 || !strings.Contains(res.body, "Margaret Hughes") || !strings.Contains(res.body, "Not asked yet") {
			t.Fatalf("details: %d", res.status)
		}
		if res := lw.get("/people/" + personID + "/edit"); res.status != 200 || !strings.Contains(res.body, `value="Hughes"`) || !strings.Contains(res.body, `name="dob-day"`) {
			t.Fatalf("form: %d", res.status)
		}
		form := url.Values{"given_name": {"Margaret"}, "family_name": {"Hughes"}, "dob-day": {"31"}, "dob-month": {"2"}, "dob-year": {"1948"},
			"nhs_number": {"943 476 5919"}, "postcode": {"EX4 4QJ"}, "phone": {"01392 000000"}, "sex": {"woman"}, "kin_phone": {"07700 900123"},
			"access_needs": {"Large print\r\nHearing loop"}}
		res = lw.post("/people/"+personID+"/edit", form)
		for _, want := range []string{`href="#dob-day"`, `href="#sex"`, `href="#kin_name"`, "Hearing loop</textarea>"} {
			if res.status != 422 || !strings.Contains(res.body, want) {
				t.Errorf("refused details lack %s (status %d)", want, res.status)
			}
		}
		before := auditCount(t, d, personID, "person", "update")
		form.Set("dob-day", "2")
		form.Set("dob-month", "5")
		form.Set("sex", "female")
		form.Set("ethnicity", "white")
		form.Set("preferred_contact", "phone")
		form.Set("interpreter_language", "Welsh")
		form.Set("kin_name", "Tom Hughes")
		form.Set("kin_relationship", "Son")
		res = lw.post("/people/"+personID+"/edit", form)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/people/"+personID+"?done=saved" {
			t.Fatalf("save: %d %s", res.status, res.body)
		}
		res = lw.get("/people/" + personID + "?done=saved")
		for _, want := range []string{"Their details are saved.", "Female", "Welsh", "Hearing loop", "Tom Hughes (Son)", "Phone call"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("details after saving lack %s", want)
			}
		}
		if auditCount(t, d, personID, "person", "update") != before+1 {
			t.Error("the change is not in the audit log")
		}

		prov := f.browser()
		enrol(t, prov, "provider@example.org")
		for _, path := range []string{"/people?q=hughes", "/people/" + personID, "/people/" + personID + "/edit"} {
			if res := prov.get(path); res.status != 404 {
				t.Errorf("provider GET %s: %d", path, res.status)
			}
		}
		if res := prov.post("/people/"+personID+"/edit", form); res.status != 404 {
			t.Errorf("provider changes a person: %d", res.status)
		}
	})
}
