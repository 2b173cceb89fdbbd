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

// formAs posts a page's form with role's token, as a script would.
func (f *fixture) formAs(role auth.Role, path string, form url.Values) response {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	return f.send(http.DefaultTransport, req)
}

// TestGPShare: a GP's referral whose reason is in words only reaches the
// link worker with those words; the link worker records the person's
// choice of what goes back to the GP record, on the page or through the
// API; the referrer sees which was chosen, and the Communication and the
// summary page follow it.
func TestGPShare(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		sr := strings.Replace(fhirServiceRequest, `"reasonCode":[{"text":"loneliness"},{"text":"Low mood"}]`,
			`"reasonCode":[{"text":"Fear of falling since a hip replacement"}]`, 1)
		res := f.fhir(auth.Referrer, "POST", "/fhir/ServiceRequest", sr)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		srID := mustFHIR(t, res, "ServiceRequest")["id"].(string)
		id := strings.ReplaceAll(srID, "-", "_")
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/assign", `{"user_id":"`+f.users[auth.LinkWorker].ID+`"}`); res.status != 200 {
			t.Fatalf("take: %d %s", res.status, res.body)
		}
		for _, step := range []string{`{"status":"accepted"}`, `{"status":"contacted"}`, `{"status":"active"}`} {
			if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", step); res.status != 200 {
				t.Fatalf("%s: %d %s", step, res.status, res.body)
			}
		}

		// The link worker sees the GP's words, and the question.
		page := f.do(auth.LinkWorker, "GET", "/referrals/"+id, "")
		for _, want := range []string{`id="reason-text"`, "Fear of falling since a hip replacement", "Given in words only",
			`action="/referrals/` + id + `/gp-share"`, `name="gp_share" type="radio" value="full"`, `value="codes_only"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the link worker's page lacks %q", want)
			}
		}

		// A choice not made: asked again, naming the field.
		res = f.formAs(auth.LinkWorker, "/referrals/"+id+"/gp-share", url.Values{})
		if res.status != 422 || !strings.Contains(res.body, "nhsuk-error-summary") || !strings.Contains(res.body, "Choose what the person wants their GP record to be sent") ||
			!strings.Contains(res.body, `href="#gp_share"`) {
			t.Errorf("no choice: %d %s", res.status, res.body)
		}
		res = f.formAs(auth.LinkWorker, "/referrals/"+id+"/gp-share", url.Values{"gp_share": {"everything"}})
		if res.status != 422 {
			t.Errorf("a choice not offered: %d", res.status)
		}
		res = f.formAs(auth.LinkWorker, "/referrals/"+id+"/gp-share", url.Values{"gp_share": {"full"}})
		if res.status != 303 || res.header.Get("Location") != "/referrals/"+id+"?done=gp-share#gp-record" {
			t.Fatalf("choose: %d %q %s", res.status, res.header.Get("Location"), res.body)
		}
		page = f.do(auth.LinkWorker, "GET", "/referrals/"+id+"?done=gp-share", "")
		if !strings.Contains(page.body, "The person&#39;s choice of what goes to their GP record is saved.") ||
			!strings.Contains(page.body, `value="full" checked`) {
			t.Errorf("after choosing: %s", page.body)
		}

		// The API: the same choice, by those who work with the person.
		wantFields(t, "a choice not offered", f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/gp-share", `{"gp_share":"some"}`), "gp_share")
		for _, role := range []auth.Role{auth.Referrer, auth.Provider, auth.Commissioner, auth.Volunteer} {
			if res := f.do(role, "POST", "/api/v1/referrals/"+id+"/gp-share", `{"gp_share":"full"}`); res.status != 404 {
				t.Errorf("%s records the choice: %d", role, res.status)
			}
			if res := f.formAs(role, "/referrals/"+id+"/gp-share", url.Values{"gp_share": {"full"}}); res.status != 404 {
				t.Errorf("%s records the choice on the page: %d", role, res.status)
			}
		}
		res = f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/gp-share", `{"gp_share":"codes_only"}`)
		if res.status != 200 || res.json(t)["gp_share"] != "codes_only" {
			t.Fatalf("API choice: %d %s", res.status, res.body)
		}

		// The referrer sees which was chosen, and cannot change it.
		if got := f.do(auth.Referrer, "GET", "/api/v1/referrals/"+id, "").json(t)["gp_share"]; got != "codes_only" {
			t.Errorf("the referrer's referral says gp_share %v", got)
		}
		page = f.do(auth.Referrer, "GET", "/referrals/"+id, "")
		if !strings.Contains(page.body, `<p id="gp-share">Codes only, as the person chose.</p>`) || strings.Contains(page.body, "/gp-share\"") {
			t.Errorf("the referrer's page: %s", page.body)
		}

		// Closed: the summary and the Communication give codes only.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"closed","reason":"goals_met"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		sum := f.do(auth.Referrer, "GET", "/referrals/"+id+"/summary", "")
		if !strings.Contains(sum.body, "The person chose to share only these codes") || strings.Contains(sum.body, `id="activities"`) {
			t.Errorf("summary, codes only: %s", sum.body)
		}
		com := f.fhir(auth.Referrer, "GET", "/fhir/Communication/"+srID, "")
		mustFHIR(t, com, "Communication")
		if !strings.Contains(com.body, "871731000000106") || !strings.Contains(com.body, "as codes only") {
			t.Errorf("communication, codes only: %s", com.body)
		}
		// The person changes their mind: both follow.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/gp-share", `{"gp_share":"full"}`); res.status != 200 {
			t.Fatalf("full: %d %s", res.status, res.body)
		}
		sum = f.do(auth.Referrer, "GET", "/referrals/"+id+"/summary", "")
		if !strings.Contains(sum.body, `id="activities"`) || !strings.Contains(sum.body, "The outcome summary in full") {
			t.Errorf("summary in full: %s", sum.body)
		}
		com = f.fhir(auth.Referrer, "GET", "/fhir/Communication/"+srID, "")
		if mustFHIR(t, com, "Communication"); strings.Contains(com.body, "as codes only") {
			t.Errorf("communication in full: %s", com.body)
		}
	})
}
