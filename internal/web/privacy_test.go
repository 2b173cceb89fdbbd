package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/privacy"
	"oikos/internal/referral"
)

func TestPersonExportAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.personWithPlan(t, "Edna", "Pellow", "edna@example.org")
		path := "/api/v1/people/" + p.ref.PersonID + "/export"
		for role, want := range map[auth.Role]int{auth.Manager: 200, auth.LinkWorker: 200, auth.Referrer: 404, auth.Provider: 404,
			auth.Commissioner: 404, auth.Admin: 404, auth.Volunteer: 404, "": 401} {
			if res := f.do(role, http.MethodGet, path, ""); res.status != want {
				t.Errorf("%s: %d, want %d", role, res.status, want)
			}
		}
		res := f.do(auth.LinkWorker, http.MethodGet, path, "")
		var x privacy.Export
		if err := json.Unmarshal([]byte(res.body), &x); err != nil {
			t.Fatal(err)
		}
		if x.Person.FamilyName != "Pellow" || len(x.Referrals) != 1 || x.Referrals[0].Plan == nil || len(x.Audit) == 0 {
			t.Errorf("export %s", res.body)
		}
		if n := f.auditCount(t, f.users[auth.LinkWorker].ID, privacy.ActionExport, "person"); n != 2 {
			t.Errorf("%d exports audited", n)
		}
		if res := f.do(auth.Manager, http.MethodGet, "/api/v1/people/per_nobody/export", ""); res.status != 404 {
			t.Errorf("unknown person: %d", res.status)
		}
	})
}

func TestRestrictionAndErasureAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.personWithPlan(t, "Edna", "Pellow", "edna@example.org")
		restriction := "/api/v1/people/" + p.ref.PersonID + "/restriction"
		erasure := "/api/v1/people/" + p.ref.PersonID + "/erasure"

		// Only managers; bad bodies are named.
		if res := f.do(auth.LinkWorker, http.MethodPost, restriction, `{"restricted": true, "reason": "Asked"}`); res.status != 404 {
			t.Errorf("link worker restricting: %d", res.status)
		}
		for body, field := range map[string]string{`{"reason": "Asked"}`: "restricted", `{"restricted": true}`: "reason",
			`{"restricted": true, "reason": "Mrs Pellow asked"}`: "reason"} {
			res := f.do(auth.Manager, http.MethodPost, restriction, body)
			wantFields(t, body, res, field)
		}
		if res := f.do(auth.Manager, http.MethodPost, restriction, `{"restricted": true, "reason": "Asked", "extra": 1}`); res.status != 400 {
			t.Errorf("unknown field: %d", res.status)
		}
		res := f.do(auth.Manager, http.MethodPost, restriction, `{"restricted": true, "reason": "Asked by phone"}`)
		if res.status != 200 || res.json(t)["restricted_at"] == nil {
			t.Fatalf("restrict: %d %s", res.status, res.body)
		}
		if res := f.do(auth.Manager, http.MethodPost, restriction, `{"restricted": true, "reason": "Asked again"}`); res.status != 409 {
			t.Errorf("restricted twice: %d", res.status)
		}
		listed := func(role auth.Role) bool {
			return strings.Contains(f.do(role, http.MethodGet, "/api/v1/referrals", "").body, p.ref.ID)
		}
		if listed(auth.LinkWorker) || !listed(auth.Manager) {
			t.Errorf("listed while restricted: link worker %v, manager %v", listed(auth.LinkWorker), listed(auth.Manager))
		}
		// Their link worker still reaches the record, with the banner.
		page := f.staffBrowser(t, auth.LinkWorker).get("/referrals/" + p.ref.ID)
		if page.status != 200 || !strings.Contains(page.body, "Record restricted") {
			t.Errorf("referral page while restricted: %d", page.status)
		}
		if res := f.do(auth.Manager, http.MethodPost, restriction, `{"restricted": false, "reason": "They asked to lift it"}`); res.status != 200 ||
			res.json(t)["restricted_at"] != nil || !listed(auth.LinkWorker) {
			t.Errorf("lift: %d %s", res.status, res.body)
		}

		// Erasure: not while open; then once.
		if res := f.do(auth.Manager, http.MethodPost, erasure, `{"reason": "Asked in writing"}`); res.status != 409 {
			t.Errorf("erased while open: %d %s", res.status, res.body)
		}
		if res := f.do(auth.Manager, http.MethodPost, erasure, `{"reason": "Asked", "restricted": true}`); res.status != 422 {
			t.Errorf("erasure with restricted: %d", res.status)
		}
		if res := f.do(auth.Manager, http.MethodPost, "/api/v1/referrals/"+p.ref.ID+"/status", `{"status": "closed", "reason": "declined"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		res = f.do(auth.Manager, http.MethodPost, erasure, `{"reason": "Asked in writing"}`)
		if res.status != 200 || res.json(t)["erased_at"] == nil {
			t.Fatalf("erase: %d %s", res.status, res.body)
		}
		if res := f.do(auth.Manager, http.MethodPost, erasure, `{"reason": "Asked in writing"}`); res.status != 409 {
			t.Errorf("erased twice: %d", res.status)
		}
		got := f.do(auth.Manager, http.MethodGet, "/api/v1/referrals/"+p.ref.ID, "")
		if got.status != 200 || strings.Contains(got.body, "Pellow") || strings.Contains(got.body, "Edna") ||
			!strings.Contains(got.body, referral.ErasedName) {
			t.Errorf("erased referral: %s", got.body)
		}
	})
}

func TestPrivacyPages(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	p := f.personWithPlan(t, "Edna", "Pellow", "edna@example.org")
	manager := f.staffBrowser(t, auth.Manager)
	ref := manager.get("/referrals/" + p.ref.ID)
	expectAll(t, "referral page", ref, 200, "A copy of everything held about them", "Restrict their record", "Erase their details")
	worker := f.staffBrowser(t, auth.LinkWorker)
	ref = worker.get("/referrals/" + p.ref.ID)
	expectAll(t, "link worker's referral page", ref, 200, "A copy of everything held about them")
	if strings.Contains(ref.body, "Erase their details") {
		t.Error("a link worker is offered erasure")
	}
	expectAll(t, "export page", worker.get("/people/"+p.ref.PersonID+"/export"), 200, "Everything held about Edna Pellow",
		"Walk to the library with Pellow", "Who has read or changed the record")
	if res := f.staffBrowser(t, auth.Referrer).get("/people/" + p.ref.PersonID + "/export"); res.status != 404 {
		t.Errorf("referrer's export: %d", res.status)
	}

	// Restriction from its page: a reason with her name is refused.
	expectAll(t, "restriction page", manager.get("/people/"+p.ref.PersonID+"/restriction"), 200, "Restrict their record")
	res := manager.post("/people/"+p.ref.PersonID+"/restriction", url.Values{"restrict": {"yes"}, "reason": {"Edna Pellow rang"}})
	expectAll(t, "reason with her name", res, 422, "Leave the person")
	res = manager.post("/people/"+p.ref.PersonID+"/restriction", url.Values{"restrict": {"yes"}, "reason": {"Rang on Monday"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/referrals/"+p.ref.ID+"?done=restricted" {
		t.Fatalf("restrict: %d %s", res.status, res.header.Get("Location"))
	}
	expectAll(t, "after restricting", manager.get(res.header.Get("Location")), 200, "Record restricted", "Processing of the person")
	// The same form again is a conflict, not an undo.
	res = manager.post("/people/"+p.ref.PersonID+"/restriction", url.Values{"restrict": {"yes"}, "reason": {"Rang on Monday"}})
	expectAll(t, "restricted twice", res, 409, "already restricted")

	// The person's own copy.
	person := f.signInWithCode(t, p.ref.ID)
	expectAll(t, "own record", person.get("/my/record"), 200, "/my/export")
	expectAll(t, "own copy", person.get("/my/export"), 200, "A copy of everything we hold about you", "Walk to the library with Pellow")
	file := person.get("/my/export.json")
	if file.status != 200 || !strings.HasPrefix(file.header.Get("Content-Disposition"), "attachment") || !strings.Contains(file.body, `"family_name": "Pellow"`) {
		t.Errorf("own file: %d %q", file.status, file.header.Get("Content-Disposition"))
	}
	if n := f.auditCount(t, "person:"+p.ref.PersonID, privacy.ActionExport, "person"); n != 2 {
		t.Errorf("%d of the person's exports audited", n)
	}

	// Erasure from its page: refused while open, then done.
	expectAll(t, "erasure page", manager.get("/people/"+p.ref.PersonID+"/erasure"), 200, "This cannot be undone", "still open")
	res = manager.post("/people/"+p.ref.PersonID+"/erasure", url.Values{"reason": {"Letter of 3 March"}})
	expectAll(t, "erase while open", res, 409, "Close the person")
	if res := f.do(auth.Manager, http.MethodPost, "/api/v1/referrals/"+p.ref.ID+"/status", `{"status": "closed", "reason": "declined"}`); res.status != 200 {
		t.Fatalf("close: %d %s", res.status, res.body)
	}
	res = manager.post("/people/"+p.ref.PersonID+"/erasure", url.Values{"reason": {"Letter of 3 March"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("erase: %d %s", res.status, res.body)
	}
	after := manager.get(res.header.Get("Location"))
	expectAll(t, "after erasure", after, 200, "Details erased", "details are erased")
	if strings.Contains(after.body, "Pellow") {
		t.Error("the erased name is still shown")
	}
	// Their way in has gone.
	if res := person.get("/my/export"); res.status != http.StatusSeeOther {
		t.Errorf("the erased person is still signed in: %d", res.status)
	}
}

// FuzzRestrictionBody sends anything as a restriction request: a 4xx that
// names the problem or a change made, never a 5xx, and the person's
// record still exports afterwards.
func FuzzRestrictionBody(f *testing.F) {
	for _, s := range []string{`{"restricted": true, "reason": "Asked by phone"}`, `{"restricted": false, "reason": "Lifted"}`,
		`{"restricted": "yes", "reason": 1}`, `{"restricted": true, "reason": "Pellow"}`, `{"reason": "\ud800"}`, `[]`, `null`, `{"restricted": true}{}`} {
		f.Add(s)
	}
	fx := newFixture(f, dbtest.SQLite(f))
	p := fx.personWithPlan(f, "Edna", "Pellow", "edna@example.org")
	f.Fuzz(func(t *testing.T, body string) {
		fx.t = t
		checkRefusal(t, fx.do(auth.Manager, http.MethodPost, "/api/v1/people/"+p.ref.PersonID+"/restriction", body))
		checkRefusal(t, fx.do(auth.Manager, http.MethodPost, "/api/v1/people/"+p.ref.PersonID+"/erasure", body))
		if res := fx.do(auth.Manager, http.MethodGet, "/api/v1/people/"+p.ref.PersonID+"/export", ""); res.status != 200 {
			t.Fatalf("export after %q: %d %s", body, res.status, res.body)
		}
	})
}
