package web_test

import (
	"context"
	"strings"
	"testing"

	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

const referralBody = `{"person":{"given_name":"Margaret","family_name":"Hughes","date_of_birth":"1948-05-02",
	"nhs_number":"9434765919","postcode":"EX4 4QJ","phone":"01392 000000"},
	"source":{"type":"gp","referrer_name":"Dr Okafor"},"reasons":["loneliness","low_mood"],
	"notes":"Lost her husband last year; rarely goes out.","consent":{"given":true,"share_with_providers":true}}`

func TestReferralsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res := f.do(auth.Referrer, "POST", "/api/v1/referrals", referralBody)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		created := res.json(t)
		id := created["id"].(string)
		if created["status"] != "received" || created["person_id"] == "" {
			t.Fatalf("created %s", res.body)
		}
		for _, c := range []struct{ from, to, field string }{
			{`"9434765919"`, `"9434765918"`, "person.nhs_number"},
			{`"EX4 4QJ"`, `"EX4"`, "person.postcode"},
			{`"given":true`, `"given":false`, "consent.given"},
			{`"1948-05-02"`, `"2048-05-02"`, "person.date_of_birth"},
			{`"loneliness"`, `"boredom"`, "reasons"},
		} {
			res := f.do(auth.Referrer, "POST", "/api/v1/referrals", strings.Replace(referralBody, c.from, c.to, 1))
			if _, fields := res.errorCode(t); res.status != 422 || fields[c.field] == nil {
				t.Errorf("%s: %d %s", c.field, res.status, res.body)
			}
		}

		// The referrer sees how it is going, never the notes.
		res = f.do(auth.Referrer, "GET", "/api/v1/referrals/"+id, "")
		if res.status != 200 || strings.Contains(res.body, "husband") || !strings.Contains(res.body, `"status":"received"`) {
			t.Fatalf("referrer's view: %d %s", res.status, res.body)
		}
		if res := f.do(auth.Referrer, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"accepted"}`); res.status != 404 {
			t.Errorf("referrer changes status: %d", res.status)
		}
		for _, role := range []auth.Role{auth.Commissioner, auth.Provider, auth.Volunteer, auth.Admin} {
			if res := f.do(role, "GET", "/api/v1/referrals/"+id, ""); res.status != 404 {
				t.Errorf("%s reads a referral: %d", role, res.status)
			}
		}

		// A link worker triages: accept, take it, no skipping steps.
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/referrals?status=received", ""); !strings.Contains(res.body, id) || !strings.Contains(res.body, "husband") {
			t.Fatalf("triage queue: %s", res.body)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"active"}`); res.status != 409 {
			t.Errorf("received → active: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"accepted"}`); res.status != 200 {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		lw := f.users[auth.LinkWorker].ID
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/assign", `{"user_id":"`+f.users[auth.Manager].ID+`"}`); res.status != 422 {
			t.Errorf("link worker assigns to a manager: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/assign", `{"user_id":"`+lw+`"}`); res.status != 200 {
			t.Fatalf("take: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"closed"}`); res.status != 409 {
			t.Errorf("close without a reason: %d", res.status)
		}
		if res := f.do(auth.Manager, "GET", "/api/v1/referrals?assigned_to="+lw, ""); res.json(t)["total"].(float64) != 1 {
			t.Errorf("manager's view of the caseload: %s", res.body)
		}

		// The public door.
		self := `{"person":{"given_name":"Tom","family_name":"Reed","date_of_birth":"1990-01-31","postcode":"EX1 1AA"},
			"reasons":["employment"],"consent":{"given":true,"share_with_providers":false}}`
		res = f.doToken("", "POST", "/api/v1/self-referrals", self, "Idempotency-Key", "form-1")
		if res.status != 201 || !strings.HasPrefix(res.json(t)["reference"].(string), "OIK-") {
			t.Fatalf("self-referral: %d %s", res.status, res.body)
		}
		if res := f.doToken("", "POST", "/api/v1/self-referrals", self, "Idempotency-Key", "form-1"); res.status != 409 || !strings.Contains(res.body, "OIK-") {
			t.Errorf("the same self-referral twice: %d %s", res.status, res.body)
		}
		if res := f.do("", "POST", "/api/v1/self-referrals", strings.Replace(self, `"reasons"`, `"source":{"type":"gp"},"reasons"`, 1)); res.status != 400 {
			t.Errorf("self-referral with a source: %d", res.status)
		}
		if res := f.do(auth.Referrer, "GET", "/api/v1/referrals", ""); res.json(t)["total"].(float64) != 1 {
			t.Errorf("referrer lists only their own: %s", res.body)
		}

		// Every read of the record is in the audit log.
		entries, err := audit.ForObject(context.Background(), d.R(), "referral", id, 50)
		reads := 0
		for _, e := range entries {
			if e.Action == audit.Read {
				reads++
			}
		}
		if err != nil || reads < 2 {
			t.Errorf("audit reads %d, %v", reads, err)
		}
	})
}
