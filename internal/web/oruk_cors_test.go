package web_test

import (
	"net/http"
	"strings"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestORUKFromAnotherWebsite: a page on another website reads the open
// directory as browsers do, asking first (a CORS preflight) when it sends
// a header of its own; every answer says any website may read it.
func TestORUKFromAnotherWebsite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ids, _ := seedORUKDirectory(t, d, f.orgID)
		walks := ids["Exeter Health Walks"]

		preflight := func(path string, header ...string) response {
			t.Helper()
			req, _ := http.NewRequest(http.MethodOptions, f.ts.URL+path, nil)
			req.Header.Set("Origin", "https://finder.example")
			req.Header.Set("Access-Control-Request-Method", "GET")
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			return f.send(http.DefaultTransport, req)
		}
		for _, path := range []string{"/oruk", "/oruk/", "/oruk/services", "/oruk/services/" + walks, "/oruk/organizations?full_service=true",
			"/oruk/taxonomy_terms", "/oruk/nothing_here"} {
			res := preflight(path, "Access-Control-Request-Headers", "accept, x-requested-with")
			h := res.header
			if res.status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
				!strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") || h.Get("Access-Control-Allow-Headers") != "accept, x-requested-with" ||
				h.Get("Access-Control-Max-Age") == "" || res.body != "" {
				t.Errorf("OPTIONS %s: %d %v %q", path, res.status, h, res.body)
			}
		}
		// An outlandish list of headers is not echoed back.
		if res := preflight("/oruk/services", "Access-Control-Request-Headers", strings.Repeat("x-a,", 300)); res.status != 204 || res.header.Get("Access-Control-Allow-Headers") != "" {
			t.Errorf("odd request headers: %d %v", res.status, res.header)
		}
		// The rest of the site answers no preflight: only the open data is open.
		if res := preflight("/api/v1/services"); res.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("OPTIONS /api/v1/services: %d %v", res.status, res.header)
		}

		for _, path := range []string{"/oruk/", "/oruk/services", "/oruk/services/" + walks, "/oruk/organizations", "/oruk/services/nothing_here"} {
			res := f.do("", "GET", path, "")
			if res.header.Get("Access-Control-Allow-Origin") != "*" || res.status >= 500 {
				t.Errorf("GET %s: %d without Access-Control-Allow-Origin: *", path, res.status)
			}
		}
		// The API is read-only: another method is told which it takes.
		res := f.do("", "POST", "/oruk/services", "{}")
		if res.status != http.StatusMethodNotAllowed || !strings.Contains(res.header.Get("Allow"), "GET") || res.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("POST /oruk/services: %d %v %s", res.status, res.header, res.body)
		}
		if code, _ := res.errorCode(t); code != "method_not_allowed" {
			t.Errorf("POST /oruk/services: %s", res.body)
		}
	})
}

// TestORUKOrganizationsWithServices: full_service on the list of
// organisations nests each organisation's services in full, as it does
// for one organisation.
func TestORUKOrganizationsWithServices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		seedORUKDirectory(t, d, f.orgID)
		plain := f.orukPage(t, "/oruk/organizations", "compiled/organization_list.json")
		for _, o := range plain {
			if _, ok := o["services"]; ok {
				t.Errorf("%v: services without full_service", o["name"])
			}
		}
		withServices := f.orukPage(t, "/oruk/organizations?full_service=true", "compiled/organization_list.json")
		if len(withServices) != len(plain) || len(withServices) == 0 {
			t.Fatalf("%d organisations with services, %d without", len(withServices), len(plain))
		}
		found := false
		for _, o := range withServices {
			mustValidateHSDS(t, "compiled/organization.json", "organization with its services", o)
			services, _ := o["services"].([]any)
			if len(services) == 0 {
				t.Errorf("%v: no services with full_service", o["name"])
			}
			for _, s := range services {
				s := s.(map[string]any)
				if s["name"] == "Exeter Health Walks" {
					found = true
					// In full: the places and times, not only the name.
					if sal, _ := s["service_at_locations"].([]any); len(sal) == 0 {
						t.Errorf("the walks are not in full: %v", s)
					}
					if sch, _ := s["schedules"].([]any); len(sch) != 2 {
						t.Errorf("the walks' schedules: %v", s["schedules"])
					}
				}
			}
		}
		if !found {
			t.Error("the walks are not among the organisations' services")
		}
	})
}
