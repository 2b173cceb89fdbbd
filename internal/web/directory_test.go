package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
)

func serviceJSON(orgID, name string) string {
	return fmt.Sprintf(`{"organisation_id":%q,"name":%q,"description":"Led walks at an easy pace, with tea after.",
		"categories":["walking_groups"],"postcode":"EX4 4QJ","address":"Belmont Park, Exeter",
		"schedule":[{"day":"tuesday","opens":"10:00","closes":"11:30"}],"cost_pence":0,"capacity":null,
		"citizen_led":true,"url":"https://example.org/walks","email":"walks@example.org","phone":"01392 000000",
		"accessibility":["Step-free route"],"eligibility":"Adults"}`, orgID, name)
}

func TestServicesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		other, _ := (&org.Store{DB: d}).Create(context.Background(), org.Actor{UserID: "system"}, org.Input{Name: "Other Group", Kind: "vcse"})

		res := f.do(auth.Provider, "POST", "/api/v1/services", serviceJSON(f.orgID, "Belmont Walkers"))
		if res.status != 201 {
			t.Fatalf("provider creates for own organisation: %d %s", res.status, res.body)
		}
		id := res.json(t)["id"].(string)
		if res := f.do(auth.Provider, "POST", "/api/v1/services", serviceJSON(other.ID, "Not Mine")); res.status != 422 {
			t.Fatalf("provider creates for another organisation: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/services", serviceJSON(f.orgID, "X")); res.status != 404 {
			t.Fatalf("link worker creates: %d", res.status)
		}
		res = f.do(auth.Manager, "POST", "/api/v1/services", serviceJSON(other.ID, "Riverside Rambles"))
		if res.status != 201 {
			t.Fatalf("manager creates for any organisation: %d %s", res.status, res.body)
		}
		otherID := res.json(t)["id"].(string)
		if res := f.do(auth.Provider, "PUT", "/api/v1/services/"+otherID, serviceJSON(other.ID, "Taken Over")); res.status != 404 {
			t.Fatalf("provider edits another organisation's service: %d", res.status)
		}

		bad := []struct{ body, field string }{
			{strings.Replace(serviceJSON(f.orgID, "A"), `"walking_groups"`, `"knitting"`, 1), "categories"},
			{strings.Replace(serviceJSON(f.orgID, "A"), `"EX4 4QJ"`, `"NOT A POSTCODE"`, 1), "postcode"},
			{strings.Replace(serviceJSON(f.orgID, "A"), `"11:30"`, `"09:00"`, 1), "schedule[0].closes"},
			{strings.Replace(serviceJSON(f.orgID, "A"), `"cost_pence":0`, `"cost_pence":-5`, 1), "cost_pence"},
			{strings.Replace(serviceJSON(f.orgID, "A"), `"tuesday"`, `"caturday"`, 1), "schedule[0].day"},
		}
		for _, b := range bad {
			res := f.do(auth.Provider, "POST", "/api/v1/services", b.body)
			if _, fields := res.errorCode(t); res.status != 422 || fields[b.field] == nil {
				t.Errorf("%s: %d %s", b.field, res.status, res.body)
			}
		}
		if res := f.do(auth.Provider, "POST", "/api/v1/services", `{"name":"x","cost_pence":"free"}`); res.status != 400 {
			t.Errorf("wrong type: %d", res.status)
		}

		search := f.do("", "GET", "/api/v1/services?q=belmont+walkers&near=EX4+4QJ&within_km=5", "")
		body := search.json(t)
		items := body["items"].([]any)
		if search.status != 200 || body["total"].(float64) != 1 {
			t.Fatalf("search: %d %s", search.status, search.body)
		}
		hit := items[0].(map[string]any)
		if hit["distance_km"] == nil || len(hit["reasons"].([]any)) == 0 || hit["id"] != id {
			t.Fatalf("hit %v", hit)
		}
		for _, q := range []string{"category=knitting", "near=ZZZ", "within_km=3", "limit=-1", "q=" + strings.Repeat("x", 9000)} {
			res := f.do("", "GET", "/api/v1/services?"+q, "")
			if res.status != 422 && res.status != 400 {
				t.Errorf("%s: %d", q[:min(len(q), 30)], res.status)
			}
		}
		if res := f.do("", "GET", "/api/v1/categories", ""); res.status != 200 || !strings.Contains(res.body, "befriending") {
			t.Errorf("categories: %d", res.status)
		}
		if res := f.do("", "GET", "/api/v1/needs", ""); res.status != 200 || !strings.Contains(res.body, `"domain":"social"`) {
			t.Errorf("needs: %d", res.status)
		}

		// Closing hides a service from the public but not from its keepers.
		if res := f.do(auth.Provider, "DELETE", "/api/v1/services/"+id, ""); res.status != 204 {
			t.Fatalf("close: %d", res.status)
		}
		if res := f.do("", "GET", "/api/v1/services/"+id, ""); res.status != 404 {
			t.Errorf("closed service, public: %d", res.status)
		}
		if res := f.do(auth.Provider, "GET", "/api/v1/services/"+id, ""); res.status != 200 {
			t.Errorf("closed service, its provider: %d", res.status)
		}
	})
}

func TestDirectoryPages(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if res := f.do(auth.Provider, "POST", "/api/v1/services", serviceJSON(f.orgID, "Belmont Walkers")); res.status != 201 {
		t.Fatal(res.body)
	}
	anon := f.browser()
	res := anon.get("/directory?q=walking&near=EX4&within_km=10&day=tuesday")
	if res.status != 200 || !strings.Contains(res.body, "Belmont Walkers") || !strings.Contains(res.body, "In your area (EX4)") ||
		!strings.Contains(res.body, `id="distances-explained"`) {
		t.Fatalf("public search (a service in the searched district is in your area, and distances are explained): %d", res.status)
	}
	// The distance box starts at the default radius, on the empty page and
	// for a place given without one, not at its first, smallest choice.
	for _, path := range []string{"/directory", "/directory?near=EX2"} {
		if res := anon.get(path); !strings.Contains(res.body, `<option value="5" selected>Within 5 km</option>`) {
			t.Errorf("%s: the default radius (5 km) is not chosen", path)
		}
	}
	if res := anon.get("/directory?near=EX2&within_km=20"); !strings.Contains(res.body, "km from EX2") {
		t.Errorf("a service in another district: no distance from EX2")
	}
	if res := anon.get("/directory?near=nowhere"); res.status != 422 || !strings.Contains(res.body, `href="#near"`) {
		t.Fatalf("bad postcode: %d", res.status)
	}
	if res := anon.get("/directory?q=zzzzqqq"); !strings.Contains(res.body, "No results") {
		t.Fatal("no results message")
	}
	if res := anon.get("/directory/manage"); res.status != http.StatusSeeOther {
		t.Fatalf("editor for anonymous: %d", res.status)
	}

	prov := f.browser()
	enrol(t, prov, "provider@example.org")
	form := url.Values{"name": {""}, "description": {""}, "cost": {"paid"}, "cost_pounds": {"abc"}, "opens-monday": {"25:00"}, "closes-monday": {"26:00"}}
	res = prov.post("/directory/manage/new", form)
	for _, want := range []string{`href="#name"`, `href="#description"`, `href="#cost_pounds"`, `href="#opens-monday"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("empty service form: no error link %s (status %d)", want, res.status)
		}
	}
	form = url.Values{"name": {"Riverside Choir"}, "description": {"Sing with friends. No auditions."}, "categories": {"singing_groups", "arts_creativity"},
		"postcode": {"ex2 4aa"}, "cost": {"paid"}, "cost_pounds": {"2.5"}, "opens-thursday": {"19:00"}, "closes-thursday": {"20:30"}, "citizen_led": {"yes"},
		"capacity": {"0"}, "accessibility": {"Hearing loop\nStep-free access"}, "languages": {"English, Polish"}, "eligibility": {"Adults"}}
	res = prov.post("/directory/manage/new", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create service: %d %s", res.status, res.body)
	}
	page := anon.get(res.header.Get("Location"))
	for _, want := range []string{"Riverside Choir", "£2.50", "Thursday, 19:00 to 20:30", "EX2 4AA", "Singing groups", "waiting list", "Hearing loop", "Polish"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("service page lacks %q", want)
		}
	}
	editPath := strings.Replace(res.header.Get("Location"), "/directory/services/", "/directory/manage/", 1)
	if res := prov.get(editPath); res.status != 200 || !strings.Contains(res.body, `value="2.50"`) {
		t.Fatalf("edit page: %d", res.status)
	}
	if res := prov.post(editPath+"/close", nil); res.status != http.StatusSeeOther {
		t.Fatalf("close: %d", res.status)
	}
	if res := anon.get("/directory?q=choir"); strings.Contains(res.body, "Riverside Choir") {
		t.Fatal("closed service still found")
	}
	if res := prov.get("/directory/manage/stale"); res.status != 200 || !strings.Contains(res.body, "Every service has been checked") {
		t.Fatalf("stale list: %d", res.status)
	}
}
