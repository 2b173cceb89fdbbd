package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// doToken sends an API request with a bearer token ("" for none) and extra
// headers, as name, value pairs.
func (f *fixture) doToken(token, method, path, body string, header ...string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return f.send(http.DefaultTransport, req)
}

// The person known already (referralBody, by another practice), and what
// of theirs no one else may be shown.
var knownOnly = []string{"Margaret", "Hughes", "1948-05-02", "EX4 4QJ", "01392 000000", "9434765919", "943 476 5919"}

// showsNothingKnown fails when body holds any of the known person's details
// the caller did not send themselves.
func showsNothingKnown(t *testing.T, hidden []string, what, body string, sent ...string) {
	t.Helper()
	for _, s := range hidden {
		mine := false
		for _, m := range sent {
			mine = mine || m == s
		}
		if !mine && strings.Contains(body, s) {
			t.Errorf("%s shows the known person's %q:\n%s", what, s, body)
		}
	}
}

// TestMatchingNeverDiscloses replays the probe of issue 12 from outside: a
// GP practice names a person another practice referred (by NHS number, or
// by name, birth date and postcode), through the API, FHIR and the public
// door, and is shown only what it sent, before and after a manager
// reconciles the referral with the known record; the manager sees the
// likeness explained and the record.
func TestMatchingNeverDiscloses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		other := f.referrerElsewhere(t, "gp@riverside.example", "Riverside Practice")
		known := f.doToken(other, "POST", "/api/v1/referrals", referralBody).json(t)
		knownPerson := known["person_id"].(string)
		hidden := append(slices.Clone(knownOnly), knownPerson)
		showsNothingKnown := func(t *testing.T, what, body string, sent ...string) {
			t.Helper()
			showsNothingKnown(t, hidden, what, body, sent...)
		}

		// A known NHS number with a made-up name, birth date and postcode.
		probe := `{"person":{"given_name":"Zed","family_name":"Nobody","date_of_birth":"2001-01-01","nhs_number":"9434765919","postcode":"TR1 1AA"},
			"source":{"type":"gp"},"reasons":["loneliness"],"consent":{"given":true,"share_with_providers":false}}`
		res := f.do(auth.Referrer, "POST", "/api/v1/referrals", probe)
		if res.status != 201 {
			t.Fatalf("probe: %d %s", res.status, res.body)
		}
		byNHS := res.json(t)
		if byNHS["person_id"] == knownPerson || byNHS["person_id"] == "" {
			t.Errorf("the create answer's person_id %v tells the person was known (%s)", byNHS["person_id"], knownPerson)
		}
		showsNothingKnown(t, "the create answer", res.body, "9434765919")
		got := f.do(auth.Referrer, "GET", "/api/v1/referrals/"+byNHS["id"].(string), "")
		showsNothingKnown(t, "the referrer's GET", got.body, "9434765919")
		if !strings.Contains(got.body, `"given_name":"Zed"`) || strings.Contains(got.body, "person_id") || strings.Contains(got.body, "match") {
			t.Errorf("the referrer's GET is not what they sent:\n%s", got.body)
		}

		// The name, date of birth and postcode alone.
		details := strings.Replace(referralBody, `"nhs_number":"9434765919","postcode":"EX4 4QJ","phone":"01392 000000"`, `"postcode":"EX4 4QJ"`, 1)
		byDetails := f.do(auth.Referrer, "POST", "/api/v1/referrals", details).json(t)
		detailsID := byDetails["id"].(string)
		sentDetails := []string{"Margaret", "Hughes", "1948-05-02", "EX4 4QJ"}
		got = f.do(auth.Referrer, "GET", "/api/v1/referrals/"+detailsID, "")
		showsNothingKnown(t, "the referrer's GET by details", got.body, sentDetails...)
		list := f.do(auth.Referrer, "GET", "/api/v1/referrals", "")
		showsNothingKnown(t, "the referrer's list", list.body, append(sentDetails, "9434765919")...)

		// FHIR: the contained Patient is the one sent, on create and after.
		fhirProbe := strings.NewReplacer(`"GP-123"`, `"GP-PROBE"`, `"family":"Hughes","given":["Margaret"]`, `"family":"Nobody","given":["Zed"]`,
			`"1948-05-02"`, `"2001-01-01"`, `"EX4 4QJ"`, `"TR1 1AA"`, `"telecom":[{"system":"phone","value":"01392 000000"}]`, `"telecom":[]`).Replace(fhirServiceRequest)
		res = f.fhir(auth.Referrer, "POST", "/fhir/ServiceRequest", fhirProbe)
		sr := mustFHIR(t, res, "ServiceRequest")
		showsNothingKnown(t, "the FHIR create answer", res.body, "9434765919")
		if !strings.Contains(res.body, `"family":"Nobody"`) {
			t.Errorf("the FHIR answer does not hold the Patient sent:\n%s", res.body)
		}
		srID := sr["id"].(string)
		showsNothingKnown(t, "the FHIR read", f.fhir(auth.Referrer, "GET", "/fhir/ServiceRequest/"+srID, "").body, "9434765919")
		showsNothingKnown(t, "the FHIR Task", f.fhir(auth.Referrer, "GET", "/fhir/Task?based-on=ServiceRequest/"+srID, "").body, "9434765919")

		// The public door: only a reference, and nobody joined.
		self := `{"person":{"given_name":"Anon","family_name":"Caller","date_of_birth":"1999-09-09","nhs_number":"9434765919","postcode":"PL1 1AA"},
			"reasons":["loneliness"],"consent":{"given":true,"share_with_providers":false}}`
		res = f.do("", "POST", "/api/v1/self-referrals", self)
		var answer map[string]string
		if err := json.Unmarshal([]byte(res.body), &answer); res.status != 201 || err != nil || len(answer) != 1 || answer["reference"] == "" {
			t.Errorf("self-referral answer: %d %s", res.status, res.body)
		}
		var joined int
		d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM referrals WHERE person_id = $1", knownPerson).Scan(&joined)
		if joined != 1 {
			t.Errorf("%d referrals are on the known person's record, want only their own", joined)
		}

		// The manager sees each likeness explained, and the known record.
		m := f.browser()
		enrol(t, m, "manager@example.org")
		for _, c := range []struct{ id, want string }{
			{byNHS["id"].(string), "This referral gives the NHS number of someone we know already. The NHS number agrees; the name, date of birth and postcode differ."},
			{detailsID, "This referral gives the same name, date of birth and postcode as someone we know already. The name, date of birth and postcode agree."},
		} {
			page := m.get("/referrals/" + c.id)
			if page.status != 200 || !strings.Contains(page.body, c.want) || !strings.Contains(page.body, "01392 000000") {
				t.Errorf("the manager's page does not explain the likeness %q:\n%s", c.want, page.body)
			}
		}
		seen := f.do(auth.Manager, "GET", "/api/v1/referrals/"+byNHS["id"].(string), "").json(t)
		if seen["possible_match_person_id"] != knownPerson || seen["match_strength"] != "same_nhs_number" {
			t.Errorf("the manager's GET: %v", seen)
		}

		// Reconciled as the same person: the manager sees the record (and
		// what the referral gave); the referrer still only what they sent.
		if res := m.post("/referrals/"+detailsID+"/match", url.Values{"same": {"yes"}}); res.status != 303 {
			t.Fatalf("confirm the match: %d %s", res.status, res.body)
		}
		page := m.get("/referrals/" + detailsID + "?done=match-yes")
		if !strings.Contains(page.body, "The referral is now on the record we already held.") || !strings.Contains(page.body, "01392 000000") ||
			!strings.Contains(page.body, "The details as the referral gave them") {
			t.Errorf("the manager's page after reconciling:\n%s", page.body)
		}
		seen = f.do(auth.Manager, "GET", "/api/v1/referrals/"+detailsID, "").json(t)
		if seen["person_id"] != knownPerson || seen["person"].(map[string]any)["phone"] != "01392 000000" {
			t.Errorf("the manager's GET after reconciling: %v", seen)
		}
		got = f.do(auth.Referrer, "GET", "/api/v1/referrals/"+detailsID, "")
		showsNothingKnown(t, "the referrer's GET after reconciling", got.body, sentDetails...)
		gp := f.browser()
		enrol(t, gp, "referrer@example.org")
		for _, path := range []string{"/referrals/" + detailsID, "/referrals/sent"} {
			page := gp.get(path)
			if page.status != 200 {
				t.Fatalf("%s: %d", path, page.status)
			}
			showsNothingKnown(t, "the referrer's "+path, page.body, append(sentDetails, "9434765919", "943 476 5919")...)
		}
		// Closed, its summary for the GP record names the person as sent.
		if res := f.do(auth.Manager, "POST", "/api/v1/referrals/"+detailsID+"/status", `{"status":"closed","reason":"not_appropriate"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		summary := gp.get("/referrals/" + detailsID + "/summary")
		if summary.status != 200 {
			t.Fatalf("summary: %d", summary.status)
		}
		showsNothingKnown(t, "the referrer's summary", summary.body, sentDetails...)
	})
}

// TestSelfReferralSentTwice: only the sender's own key tells a request sent
// twice; the same person named by someone else is a new referral, and
// nobody learns of the first.
func TestSelfReferralSentTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		self := `{"person":{"given_name":"Tom","family_name":"Reed","date_of_birth":"1990-01-31","postcode":"EX1 1AA"},
			"reasons":["employment"],"consent":{"given":true,"share_with_providers":false}}`
		first := f.doToken("", "POST", "/api/v1/self-referrals", self, "Idempotency-Key", "tom-1")
		if first.status != 201 {
			t.Fatalf("self-referral: %d %s", first.status, first.body)
		}
		ref := first.json(t)["reference"].(string)
		if again := f.doToken("", "POST", "/api/v1/self-referrals", self, "Idempotency-Key", "tom-1"); again.status != 409 || !strings.Contains(again.body, ref) {
			t.Errorf("the same request sent again: %d %s", again.status, again.body)
		}
		// Another sender who chose the same key for another referral
		// makes a referral of their own and learns nothing of the first.
		stranger := strings.NewReplacer("Tom", "Ann", "Reed", "Hale").Replace(self)
		if res := f.doToken("", "POST", "/api/v1/self-referrals", stranger, "Idempotency-Key", "tom-1"); res.status != 201 || strings.Contains(res.body, ref) {
			t.Errorf("the same key with another referral: %d %s", res.status, res.body)
		}
		other := f.doToken("", "POST", "/api/v1/self-referrals", self)
		if other.status != 201 || strings.Contains(other.body, ref) {
			t.Errorf("the same person named by another request: %d %s", other.status, other.body)
		}
		if res := f.doToken("", "POST", "/api/v1/self-referrals", self, "Idempotency-Key", strings.Repeat("k", 201)); res.status != 422 {
			t.Errorf("an overlong key: %d %s", res.status, res.body)
		} else if _, fields := res.errorCode(t); fields["Idempotency-Key"] == nil {
			t.Errorf("an overlong key is not named: %s", res.body)
		}

		// The public form: sent twice (a double click, a reload), it is one
		// referral with one reference; the same person on a fresh form is
		// another, and learns nothing of the first.
		anon := f.browser()
		form := anon.get("/refer")
		id := regexp.MustCompile(`name="form_id" value="([^"]+)"`).FindStringSubmatch(form.body)
		if form.status != 200 || id == nil {
			t.Fatalf("the form has no form_id: %d\n%s", form.status, form.body)
		}
		sent := selfReferralForm()
		sent.Set("form_id", id[1])
		reference := regexp.MustCompile(`id="reference">(OIK-[A-Z0-9-]+)<`)
		first, again := anon.post("/refer", sent), anon.post("/refer", sent)
		r1, r2 := reference.FindStringSubmatch(first.body), reference.FindStringSubmatch(again.body)
		if first.status != 201 || again.status != 200 || r1 == nil || r2 == nil || r1[1] != r2[1] {
			t.Errorf("the same form sent twice: %d then %d, references %v and %v", first.status, again.status, r1, r2)
		}
		sent.Set("form_id", "another form")
		if res := anon.post("/refer", sent); res.status != 201 || r1 == nil || strings.Contains(res.body, r1[1]) {
			t.Errorf("the same person on another form: %d", res.status)
		}
		var n int
		d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM referrals WHERE channel = 'self' AND sent_family_name = 'Pike'").Scan(&n)
		if n != 2 {
			t.Errorf("%d referrals from two forms, one sent twice", n)
		}
	})
}
