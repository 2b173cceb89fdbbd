package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func TestOrganisationsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res := f.do(auth.Admin, "POST", "/api/v1/organisations", `{"name":"Riverside Surgery","kind":"gp_practice"}`)
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		body := res.json(t)
		id, _ := body["id"].(string)
		if id == "" || body["name"] != "Riverside Surgery" || body["kind"] != "gp_practice" {
			t.Fatalf("create returned %s", res.body)
		}
		cases := []struct {
			name, body string
			status     int
			code       string
			field      string
		}{
			{"duplicate name", `{"name":"riverside surgery","kind":"vcse"}`, 409, "conflict", "name"},
			{"unknown kind", `{"name":"X","kind":"pub"}`, 422, "invalid", "kind"},
			{"missing name", `{"kind":"vcse"}`, 422, "invalid", "name"},
			{"overlong name", `{"name":"` + strings.Repeat("a", 201) + `","kind":"vcse"}`, 422, "invalid", "name"},
			{"unknown field", `{"name":"X","kind":"vcse","colour":"blue"}`, 400, "malformed", "colour"},
			{"wrong type", `{"name":42,"kind":"vcse"}`, 400, "malformed", "name"},
			{"malformed JSON", `{"name":`, 400, "malformed", ""},
			{"NUL in name", `{"name":"a\u0000b","kind":"vcse"}`, 422, "invalid", "name"},
			{"NUL in kind", `{"name":"ab","kind":"vcse\u0000"}`, 422, "invalid", "kind"},
			{"not an object", `["x"]`, 400, "malformed", ""},
			{"two objects", `{"name":"A","kind":"vcse"}{}`, 400, "malformed", ""},
			{"empty body", ``, 400, "malformed", ""},
			{"phone in words", `{"name":"X","kind":"vcse","phone":"ring the office"}`, 422, "invalid", "phone"},
			{"phone too short", `{"name":"X","kind":"vcse","phone":"01632 9601"}`, 422, "invalid", "phone"},
		}
		for _, c := range cases {
			res := f.do(auth.Admin, "POST", "/api/v1/organisations", c.body)
			code, fields := res.errorCode(t)
			if res.status != c.status || code != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.name, res.status, code, c.status, c.code)
			}
			if c.field != "" && fields[c.field] == nil {
				t.Errorf("%s: error does not name field %s: %s", c.name, c.field, res.body)
			}
		}
		// Nothing half-written: still one organisation besides the fixture's.
		list := f.do(auth.LinkWorker, "GET", "/api/v1/organisations", "").json(t)
		if list["total"].(float64) != 2 {
			t.Fatalf("after bad input: %v organisations", list["total"])
		}
		// Only administrators create; others are told it is not there.
		if res := f.do(auth.Manager, "POST", "/api/v1/organisations", `{"name":"Y","kind":"vcse"}`); res.status != 404 {
			t.Errorf("manager create: %d", res.status)
		}
		if res := f.do("", "POST", "/api/v1/organisations", `{"name":"Y","kind":"vcse"}`); res.status != 401 {
			t.Errorf("anonymous create: %d", res.status)
		}
		if res := f.do(auth.Referrer, "GET", "/api/v1/organisations/"+id, ""); res.status != 200 {
			t.Errorf("read one: %d", res.status)
		}
		if res := f.do(auth.Admin, "PUT", "/api/v1/organisations/"+id, `{"name":"Riverside Health Centre","kind":"gp_practice"}`); res.status != 200 || res.json(t)["name"] != "Riverside Health Centre" {
			t.Errorf("update: %d %s", res.status, res.body)
		}
		for _, missing := range []string{"org_nope", "org%00x", "%ff%fe"} {
			if res := f.do(auth.Admin, "GET", "/api/v1/organisations/"+missing, ""); res.status != 404 {
				t.Errorf("%s: %d", missing, res.status)
			}
		}
	})
}

func TestListPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for i := range 7 {
			if res := f.do(auth.Admin, "POST", "/api/v1/organisations", fmt.Sprintf(`{"name":"Group %02d","kind":"vcse"}`, i)); res.status != 201 {
				t.Fatal(res.body)
			}
		}
		seen := map[string]bool{}
		path := "/api/v1/organisations?limit=3"
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			res := f.do(auth.Admin, "GET", path, "")
			body := res.json(t)
			if total, _ := body["total"].(float64); total != 8 {
				t.Fatalf("%s: %d %s", path, res.status, res.body)
			}
			for _, it := range body["items"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("%s seen twice", id)
				}
				seen[id] = true
			}
			next, _ := body["next"].(string)
			if next == "" {
				break
			}
			path = "/api/v1/organisations?limit=3&cursor=" + next
		}
		if len(seen) != 8 {
			t.Fatalf("saw %d of 8", len(seen))
		}
		for _, bad := range []string{"limit=0", "limit=501", "limit=x", "cursor=!!!", "cursor=AA"} {
			res := f.do(auth.Admin, "GET", "/api/v1/organisations?"+bad, "")
			if res.status != 422 && res.status != 400 {
				t.Errorf("%s: %d", bad, res.status)
			}
		}
	})
}

func TestUsersAndTokensAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res := f.do(auth.Admin, "POST", "/api/v1/users", fmt.Sprintf(`{"email":"Asha@Example.org","name":"Asha Patel","role":"link_worker","organisation_id":%q}`, f.orgID))
		if res.status != 201 {
			t.Fatalf("create user: %d %s", res.status, res.body)
		}
		u := res.json(t)
		userID := u["id"].(string)
		if u["email"] != "asha@example.org" || !strings.Contains(u["setup_url"].(string), "/setup/") {
			t.Fatalf("created %s", res.body)
		}
		if _, ok := u["password_hash"]; ok {
			t.Fatal("password hash exposed")
		}
		cases := []struct {
			name, body string
			status     int
			field      string
		}{
			{"duplicate email", fmt.Sprintf(`{"email":"asha@example.org","name":"A","role":"manager","organisation_id":%q}`, f.orgID), 409, "email"},
			{"bad email", `{"email":"asha","name":"A","role":"admin"}`, 422, "email"},
			{"bad role", `{"email":"b@example.org","name":"B","role":"boss"}`, 422, "role"},
			{"no organisation", `{"email":"b@example.org","name":"B","role":"referrer"}`, 422, "organisation_id"},
			{"unknown organisation", `{"email":"b@example.org","name":"B","role":"referrer","organisation_id":"org_x"}`, 422, "organisation_id"},
		}
		for _, c := range cases {
			res := f.do(auth.Admin, "POST", "/api/v1/users", c.body)
			_, fields := res.errorCode(t)
			if res.status != c.status || fields[c.field] == nil {
				t.Errorf("%s: %d %s", c.name, res.status, res.body)
			}
		}

		// A manager sees their organisation's users; a link worker only themselves.
		if res := f.do(auth.Manager, "GET", "/api/v1/users/"+userID, ""); res.status != 200 {
			t.Errorf("manager reads a colleague: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/users/"+userID, ""); res.status != 404 {
			t.Errorf("link worker reads a colleague: %d", res.status)
		}
		me := f.users[auth.LinkWorker].ID
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/users/"+me, ""); res.status != 200 {
			t.Errorf("link worker reads self: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/users", ""); res.status != 404 {
			t.Errorf("link worker lists users: %d", res.status)
		}

		// Tokens: made for a user, shown once, carry that user's rights, revocable.
		res = f.do(auth.Admin, "POST", "/api/v1/users/"+userID+"/tokens", `{"label":"GP system"}`)
		if res.status != 201 {
			t.Fatalf("token: %d %s", res.status, res.body)
		}
		tok := res.json(t)
		secret, tokID := tok["token"].(string), tok["id"].(string)
		req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		if res := f.send(http.DefaultTransport, req); res.status != 200 || res.json(t)["role"] != "link_worker" {
			t.Fatalf("using the token: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/users/"+userID+"/tokens", `{}`); res.status != 404 {
			t.Errorf("token for someone else: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, "DELETE", "/api/v1/tokens/"+tokID, ""); res.status != 404 {
			t.Errorf("revoking someone else's token: %d", res.status)
		}
		if res := f.do(auth.Admin, "DELETE", "/api/v1/tokens/"+tokID, ""); res.status != 204 {
			t.Fatalf("revoke: %d", res.status)
		}
		if res := f.send(http.DefaultTransport, req.Clone(req.Context())); res.status != 401 {
			t.Errorf("revoked token still works: %d", res.status)
		}
		for _, h := range []string{"Basic abc", "Bearer", "Bearer oikos_nope"} {
			r, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/me", nil)
			r.Header.Set("Authorization", h)
			if res := f.send(http.DefaultTransport, r); res.status != 401 {
				t.Errorf("Authorization %q: %d", h, res.status)
			}
		}

		// Deactivating a user stops their tokens at once.
		if res := f.do(auth.Admin, "DELETE", "/api/v1/users/"+f.users[auth.Provider].ID, ""); res.status != 204 {
			t.Fatalf("deactivate: %d", res.status)
		}
		if res := f.do(auth.Provider, "GET", "/api/v1/me", ""); res.status != 401 {
			t.Errorf("deactivated user's token: %d", res.status)
		}
	})
}

// FuzzCreateOrganisation feeds arbitrary bodies to the API: whatever comes
// in, the answer is never a 5xx and never a half-written organisation.
func FuzzCreateOrganisation(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Riverside","kind":"vcse"}`, `{"name":"","kind":""}`, `{"name":1}`, `{`, ``, `null`, `[]`,
		`{"name":"a","kind":"vcse","x":1}`, `{"name":"\u0000","kind":"council"}`, `{"name":"` + strings.Repeat("é", 300) + `","kind":"other"}`,
		"{\"name\":\"Caf\xe9\",\"kind\":\"vcse\"}", `{"name":"\ud800","kind":"vcse"}`,
	} {
		f.Add(seed)
	}
	fx := newFixture(f, dbtest.SQLite(f))
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest("POST", fx.ts.URL+"/api/v1/organisations", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+fx.tokens[auth.Admin])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case 201, 400, 409, 413, 422:
		default:
			t.Fatalf("status %d for %q", resp.StatusCode, body)
		}
		if !utf8.ValidString(body) && resp.StatusCode != 400 && resp.StatusCode != 413 {
			t.Fatalf("status %d for %q, which is not UTF-8", resp.StatusCode, body)
		}
	})
}
