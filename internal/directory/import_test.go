package directory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/org"
)

// examplesDir is the HSDS 3.0 examples folder beside the repository; tests
// read the examples from there, never from a copy.
func examplesDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "standards", "hsds-3.0", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the HSDS 3.0 examples are not at %s: %v", dir, err)
	}
	return dir
}

func readExample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func newTestImporter(d *db.DB) *directory.Importer {
	return &directory.Importer{Directory: directory.NewStore(d), Orgs: &org.Store{DB: d}, Source: "oruk"}
}

func importCount(t testing.TB, d *db.DB, query string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var exampleFiles = []string{"service_full.json", "service_list.json", "organization_full.json", "organization_list.json",
	"service_at_location_full.json", "service_at_location_list.json", "tabular.json"}

func TestImportEveryExample(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i, name := range exampleFiles {
			rep, err := newTestImporter(d).ImportDocument(ctx, readExample(t, name))
			if err != nil || len(rep.Rejected) > 0 {
				t.Fatalf("%s: %v %+v", name, err, rep.Rejected)
			}
			// Every example is the same organization and service, so the
			// first import creates them and every later one updates them.
			wantServices := 1
			if name == "organization_list.json" {
				wantServices = 0
			}
			if i == 0 && (rep.OrganisationsCreated != 1 || rep.ServicesCreated != 1) {
				t.Errorf("%s: %+v", name, rep)
			}
			if i > 0 && (rep.OrganisationsUpdated != 1 || rep.ServicesUpdated != wantServices || rep.OrganisationsCreated+rep.ServicesCreated != 0) {
				t.Errorf("%s: %+v", name, rep)
			}
			if n := importCount(t, d, "SELECT COUNT(*) FROM services"); n != 1 {
				t.Fatalf("%s: %d services", name, n)
			}
			if n := importCount(t, d, "SELECT COUNT(*) FROM organisations"); n != 1 {
				t.Fatalf("%s: %d organisations", name, n)
			}
		}

		// Importing the full service again: updated, not duplicated.
		rep, err := newTestImporter(d).ImportDocument(ctx, readExample(t, "service_full.json"))
		if err != nil || rep.ServicesUpdated != 1 || rep.ServicesCreated != 0 || rep.OrganisationsUpdated != 1 {
			t.Fatalf("re-import: %v %+v", err, rep)
		}
		if n := importCount(t, d, "SELECT COUNT(*) FROM services"); n != 1 {
			t.Fatalf("re-import made %d services", n)
		}
		var notes []string
		for _, n := range rep.Notes {
			notes = append(notes, n.Text)
		}
		for _, want := range []string{`postal_code "ABC 1234"`, "latitude 100 and longitude 101", `"Mental health support"`} {
			if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, want) }) {
				t.Errorf("no note about %s in %q", want, notes)
			}
		}

		v, err := directory.NewStore(d).ORUKService(ctx, "ac148810-d857-441c-9679-408f346de14b")
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != "Community Counselling" || v.Organisation != "Example Organization Inc." || v.LocationName != "MyCity Civic Center" ||
			v.Address != "1-30 Main Street, MyVillage, MyCity" || v.Postcode != "" || v.Latitude != nil || *v.CostPence != 3500 ||
			*v.MinAge != 12 || *v.MaxAge != 100 || v.Phone != "+44 1234 234567 ext. 100" || v.Status != "active" ||
			!slices.Equal(v.Categories, []string{"mental_health_support"}) || !slices.Equal(v.Languages, []string{"Urdu"}) ||
			len(v.Accessibility) != 1 || v.LocationID != "3a19ff88-4620-4d17-9830-ac1d859eb5d5" {
			t.Errorf("imported %+v", v)
		}
		if len(v.Schedule) != 2 || v.Schedule[0] != (directory.Session{Day: "thursday", Opens: "10:00", Closes: "18:00"}) ||
			v.ScheduleIDs[1] != "48102e86-bb50-41c4-8f1e-e269368c41d1" {
			t.Errorf("schedule %v %v", v.Schedule, v.ScheduleIDs)
		}
		if len(v.Terms) != 1 || v.Terms[0] != (directory.Term{Taxonomy: "taxonomy", TermID: "3f7b145d-84af-42d7-8fae-eaca714b02b2", Code: "code", Name: "name"}) {
			t.Errorf("terms %+v", v.Terms)
		}
	})
}

// ukService is a realistic record from a UK feed.
func ukService(id, name string) map[string]any {
	return map[string]any{
		"id": id, "name": name, "status": "active",
		"description": "A gentle walk around the park for people getting back into activity.",
		"organization": map[string]any{"id": "0a7c7f52-5f0e-4d8e-9a7e-8c1d2b3a4f50", "name": "Devon Walking Trust",
			"description": "Volunteer-led walks across Devon.", "website": "www.devonwalks.example", "email": "hello@devonwalks.example"},
		"cost_options": []any{
			map[string]any{"id": "c1", "option": "Adults", "amount": 2.5, "currency": "GBP", "amount_description": "per walk"},
			map[string]any{"id": "c2", "option": "Visitors", "amount": "4", "currency": "USD"},
		},
		"schedules": []any{map[string]any{"id": "s1", "freq": "WEEKLY", "byday": "WE", "opens_at": "10:30:00Z", "closes_at": "12:00:00Z"}},
		"service_at_locations": []any{map[string]any{"id": "sal1", "location": map[string]any{
			"id": "l1", "location_type": "physical", "name": "Belmont Park gates", "latitude": 50.7298, "longitude": -3.5237,
			"addresses": []any{map[string]any{"id": "a1", "address_1": "Belmont Road", "city": "Exeter", "postal_code": "ex44qj",
				"country": "GB", "address_type": "physical", "state_province": "Devon"}},
		}}},
		"attributes": []any{map[string]any{"id": "at1", "taxonomy_term": map[string]any{
			"id": "t-walk", "name": "Walking", "code": "ACT-WALK", "taxonomy": "OpenActive", "description": "Walking"}}},
	}
}

func TestImportMapsAUKRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		doc, _ := json.Marshal(ukService("walk-1", "Belmont Park Health Walk"))
		rep, err := newTestImporter(d).ImportDocument(ctx, doc)
		if err != nil || rep.ServicesCreated != 1 || len(rep.Rejected) != 0 {
			t.Fatalf("%v %+v", err, rep)
		}
		s := directory.NewStore(d)
		v, err := s.ORUKService(ctx, "walk-1")
		if err != nil {
			t.Fatal(err)
		}
		// Adults at £2.50; the dollar price is left out, with a note.
		if v.CostPence == nil || *v.CostPence != 250 || v.FeesNote != "Adults: £2.50 per walk" {
			t.Errorf("cost %v %q", v.CostPence, v.FeesNote)
		}
		if v.Postcode != "EX4 4QJ" || v.Address != "Belmont Road, Exeter" || v.LocationName != "Belmont Park gates" {
			t.Errorf("place %q %q %q", v.Postcode, v.Address, v.LocationName)
		}
		// The source's coordinates win over the postcode's centroid.
		if v.Latitude == nil || math.Abs(*v.Latitude-50.7298) > 1e-9 || math.Abs(*v.Longitude+3.5237) > 1e-9 {
			t.Errorf("coordinates %v %v", v.Latitude, v.Longitude)
		}
		if !slices.Equal(v.Categories, []string{"walking_groups"}) || len(v.Terms) != 1 || v.Terms[0].Taxonomy != "OpenActive" {
			t.Errorf("categories %v terms %v", v.Categories, v.Terms)
		}
		if len(v.Schedule) != 1 || v.Schedule[0] != (directory.Session{Day: "wednesday", Opens: "10:30", Closes: "12:00"}) {
			t.Errorf("schedule %v", v.Schedule)
		}
		o, err := s.ORUKOrganisation(ctx, "0a7c7f52-5f0e-4d8e-9a7e-8c1d2b3a4f50")
		if err != nil || o.Website != "" || o.Email != "hello@devonwalks.example" {
			t.Errorf("organisation %+v %v", o, err)
		}
		var notes string
		for _, n := range rep.Notes {
			notes += n.Text + "\n"
		}
		for _, want := range []string{"in USD", `website "www.devonwalks.example"`} {
			if !strings.Contains(notes, want) {
				t.Errorf("no note about %s in\n%s", want, notes)
			}
		}

		// The feed closes it: Oikos closes it, and it leaves the lists.
		closed := ukService("walk-1", "Belmont Park Health Walk")
		closed["status"] = "temporarily closed"
		doc, _ = json.Marshal(closed)
		if rep, err := newTestImporter(d).ImportDocument(ctx, doc); err != nil || rep.ServicesUpdated != 1 {
			t.Fatalf("%v %+v", err, rep)
		}
		if v, _ := s.ORUKService(ctx, "walk-1"); v.Status != "closed" {
			t.Errorf("status %q", v.Status)
		}
		if list, total, _ := s.ORUKServices(ctx, directory.ORUKFilter{}); total != 0 || len(list) != 0 {
			t.Errorf("closed service listed: %d", total)
		}
	})
}

// detail is an attribute carrying one of Oikos's service details.
func detail(t *testing.T, code, value string) map[string]any {
	t.Helper()
	term, ok := directory.ServiceDetailTerm(code)
	if !ok {
		t.Fatalf("no service detail %q", code)
	}
	return map[string]any{"id": "d-" + code, "value": value, "taxonomy_term": term}
}

// What HSDS has no field for travels in attributes of the service details
// taxonomy; assured_date says when the source last checked the service.
func TestImportServiceDetailsAndAssuredDate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := directory.NewStore(d)
		importOne := func(rec map[string]any) directory.ImportReport {
			t.Helper()
			doc, _ := json.Marshal(rec)
			rep, err := newTestImporter(d).ImportDocument(ctx, doc)
			if err != nil || len(rep.Rejected) != 0 || rep.ServicesCreated+rep.ServicesUpdated != 1 {
				t.Fatalf("%v %+v", err, rep)
			}
			return rep
		}
		notes := func(rep directory.ImportReport) string {
			var out []string
			for _, n := range rep.Notes {
				out = append(out, n.Text)
			}
			return strings.Join(out, "\n")
		}

		rec := ukService("walk-2", "Riverside Health Walk")
		rec["assured_date"] = "2024-03-01"
		rec["attributes"] = append(rec["attributes"].([]any), detail(t, directory.DetailCitizenLed, "true"),
			detail(t, directory.DetailStartedOn, "2019-04-01"), detail(t, directory.DetailCapacity, "12"))
		if rep := importOne(rec); strings.Contains(notes(rep), "detail") || strings.Contains(notes(rep), "attribute") {
			t.Errorf("notes: %s", notes(rep))
		}
		v, err := s.ORUKService(ctx, "walk-2")
		if err != nil {
			t.Fatal(err)
		}
		if !v.CitizenLed || v.StartedOn != "2019-04-01" || v.Capacity == nil || *v.Capacity != 12 {
			t.Errorf("details: citizen-led %v, started %q, places %v", v.CitizenLed, v.StartedOn, v.Capacity)
		}
		if got := v.LastCheckedAt.UTC().Format(time.DateOnly); got != "2024-03-01" || !v.Stale(time.Now()) {
			t.Errorf("last checked %s, want the assured date 2024-03-01", got)
		}
		// The details are read, not kept as terms of another taxonomy.
		if len(v.Terms) != 1 || v.Terms[0].Taxonomy != "OpenActive" {
			t.Errorf("terms %+v", v.Terms)
		}

		// Checked in Oikos since: an older assured date does not undo it.
		if err := s.MarkChecked(ctx, directory.Actor{UserID: "usr_test", Client: "test"}, v.ID); err != nil {
			t.Fatal(err)
		}
		importOne(rec)
		if v, _ := s.ORUKService(ctx, "walk-2"); v.Stale(time.Now()) {
			t.Errorf("re-import moved the check back to %v", v.LastCheckedAt)
		}

		// Bad values are left out with a note; the record is kept.
		bad := ukService("walk-3", "Hillside Health Walk")
		bad["assured_date"] = "last spring"
		bad["attributes"] = append(bad["attributes"].([]any), detail(t, directory.DetailCitizenLed, "perhaps"),
			detail(t, directory.DetailStartedOn, "2019-02-30"), detail(t, directory.DetailCapacity, "-3"),
			map[string]any{"id": "d-x", "value": "F", "taxonomy_term": map[string]any{"id": "x", "code": "for_pets",
				"name": "For pets", "description": "For pets", "taxonomy": "Oikos service details"}})
		text := notes(importOne(bad))
		for _, want := range []string{`assured_date "last spring"`, `citizen-led attribute's value "perhaps"`, `started-on attribute's value "2019-02-30"`,
			`places-free attribute's value "-3"`, `service detail "for_pets"`} {
			if !strings.Contains(text, want) {
				t.Errorf("no note about %s in\n%s", want, text)
			}
		}
		v, _ = s.ORUKService(ctx, "walk-3")
		if v.CitizenLed || v.StartedOn != "" || v.Capacity != nil || v.Stale(time.Now()) || len(v.Terms) != 1 {
			t.Errorf("bad details kept: %+v", v)
		}

		// An assured date in the future counts as now.
		future := ukService("walk-4", "Future Health Walk")
		future["assured_date"] = time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
		importOne(future)
		if v, _ := s.ORUKService(ctx, "walk-4"); v.LastCheckedAt.After(time.Now()) {
			t.Errorf("last checked in the future: %v", v.LastCheckedAt)
		}
	})
}

func TestImportRejectsBadRecordsAndKeepsGoodOnes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		good := ukService("good", "Belmont Park Health Walk")
		noID := ukService("", "No Id Walk")
		noCategory := ukService("widgets", "Widget Repairs")
		noCategory["description"] = "We mend widgets."
		noCategory["attributes"] = []any{}
		badStatus := ukService("bad-status", "Odd Status Walk")
		badStatus["status"] = "paused"
		wrongType := ukService("wrong-type", "Typed Walk")
		wrongType["schedules"] = "every tuesday"
		noOrg := ukService("no-org", "Orphan Walk")
		delete(noOrg, "organization")
		controlChars := ukService("nul", "Nul\x00 Walk")
		badOrg := ukService("bad-org", "Badly Run Walk")
		badOrg["organization"] = map[string]any{"id": "o2", "name": ""}
		page := map[string]any{"contents": []any{good, noID, noCategory, badStatus, wrongType, noOrg, controlChars, badOrg, "a string"}}
		doc, _ := json.Marshal(page)
		rep, err := newTestImporter(d).ImportDocument(context.Background(), doc)
		if err != nil {
			t.Fatal(err)
		}
		if rep.ServicesCreated != 1 {
			t.Errorf("created %d", rep.ServicesCreated)
		}
		want := map[string]string{
			"":           "it has no id",
			"widgets":    "no category could be derived",
			"bad-status": `status "paused"`,
			"wrong-type": "field schedules must be a list",
			"no-org":     "names no organization",
			"nul":        "name: must not contain control characters",
			"o2":         "name: Enter the organisation's name.",
			"bad-org":    "its organization could not be imported",
			"#9":         "it is a string",
		}
		for id, reason := range want {
			i := slices.IndexFunc(rep.Rejected, func(p directory.ImportProblem) bool { return p.ID == id })
			if i < 0 || !strings.Contains(rep.Rejected[i].Text, reason) {
				t.Errorf("record %q: want a rejection saying %q in %+v", id, reason, rep.Rejected)
			}
		}
		if len(rep.Rejected) != len(want) {
			t.Errorf("%d rejections: %+v", len(rep.Rejected), rep.Rejected)
		}
		if n := importCount(t, d, "SELECT COUNT(*) FROM services"); n != 1 {
			t.Errorf("%d services", n)
		}
	})
}

func TestImportDocumentErrors(t *testing.T) {
	d := dbtest.SQLite(t)
	for doc, want := range map[string]string{
		`{"id": "x", "name": `: "not valid JSON",
		``:                     "empty",
		`{"colour": "blue"}`:   "none of their fields",
		`42`:                   "object or list",
	} {
		_, err := newTestImporter(d).ImportDocument(context.Background(), []byte(doc))
		var de *directory.DocumentError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v", doc, err)
		}
	}
}

// hsdsFeed serves an HSDS API from a list of full services: pages of their
// one-to-one fields, each service in full, and its organization.
func hsdsFeed(t *testing.T, services []map[string]any, ignorePages bool) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/services", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		if ignorePages || page < 1 {
			page = 1
		}
		var contents []any
		for i := (page - 1) * perPage; i < len(services) && i < page*perPage; i++ {
			item := map[string]any{}
			for _, k := range []string{"id", "name", "description", "status", "organization_id"} {
				if v, ok := services[i][k]; ok {
					item[k] = v
				}
			}
			contents = append(contents, item)
		}
		pages := (len(services) + perPage - 1) / perPage
		if ignorePages {
			pages = 99
		}
		json.NewEncoder(w).Encode(map[string]any{"total_items": len(services), "total_pages": pages, "page_number": page,
			"size": len(contents), "first_page": page == 1, "last_page": !ignorePages && page >= pages, "empty": len(contents) == 0, "contents": contents})
	})
	mux.HandleFunc("GET /api/services/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, s := range services {
			if s["id"] == r.PathValue("id") && s["id"] != "missing" {
				full := map[string]any{}
				for k, v := range s {
					if k != "organization" {
						full[k] = v
					}
				}
				json.NewEncoder(w).Encode(full)
				return
			}
		}
		http.NotFound(w, r)
	})
	mux.HandleFunc("GET /api/organizations/{id}", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "name": "Devon Walking Trust", "description": "Walks."})
	})
	mux.HandleFunc("GET /api/{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"version": "3.0", "openapi_url": "https://example.org/openapi.json"}`)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func TestImportWalksAnAPI(t *testing.T) {
	var services []map[string]any
	for i := range 7 {
		s := ukService(fmt.Sprintf("walk-%d", i), fmt.Sprintf("Health Walk %d", i))
		s["organization_id"] = "0a7c7f52-5f0e-4d8e-9a7e-8c1d2b3a4f50"
		services = append(services, s)
	}
	services[3]["id"] = "missing" // listed, but its full record is gone
	ts := hsdsFeed(t, services, false)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		imp := newTestImporter(d)
		imp.PageSize = 3
		rep, err := imp.ImportURL(ctx, ts.URL+"/api/") // the API's root leads to /services
		if err != nil {
			t.Fatal(err)
		}
		if rep.ServicesCreated != 6 || rep.OrganisationsCreated != 1 || len(rep.Rejected) != 1 ||
			rep.Rejected[0].ID != "missing" || !strings.Contains(rep.Rejected[0].Text, "404") {
			t.Fatalf("%+v", rep)
		}
		// Walking it again updates every service.
		rep, err = newTestImporter(d).ImportURL(ctx, ts.URL+"/api/services")
		if err != nil || rep.ServicesUpdated != 6 || rep.ServicesCreated != 0 {
			t.Fatalf("%v %+v", err, rep)
		}
		if n := importCount(t, d, "SELECT COUNT(*) FROM services"); n != 6 {
			t.Errorf("%d services", n)
		}
		// One service by its address.
		if rep, err := newTestImporter(d).ImportURL(ctx, ts.URL+"/api/services/walk-5"); err != nil || rep.ServicesUpdated != 1 {
			t.Errorf("%v %+v", err, rep)
		}
	})

	d := dbtest.SQLite(t)
	rep, err := newTestImporter(d).ImportURL(context.Background(), hsdsFeed(t, services[:2], true).URL+"/api/services")
	if err != nil || rep.ServicesCreated != 2 || len(rep.Warnings) != 1 {
		t.Errorf("a server that ignores page: %v %+v", err, rep)
	}
	for _, bad := range []string{"ftp://example.org/services", ts.URL + "/api/nothing"} {
		if _, err := newTestImporter(d).ImportURL(context.Background(), bad); err == nil {
			t.Errorf("%s imported", bad)
		}
	}
}

const onsHeader = "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua24,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21\n"

func onsRow(pcd, pcds, lat, long string) string {
	fields := make([]string, strings.Count(onsHeader, ",")+1)
	fields[0], fields[1], fields[2] = pcd, pcd, pcds
	fields[41], fields[42] = lat, long
	fields[16] = "E92000001"
	return strings.Join(fields, ",") + "\n"
}

func TestImportPostcodes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := directory.NewStore(d)
		centroid, ok, err := s.Locate(ctx, "EX4 4QJ")
		if err != nil || !ok {
			t.Fatalf("district centroid: %v %v", ok, err)
		}
		csv := onsHeader +
			onsRow("EX4 4QJ", "EX4 4QJ", "50.729814", "-3.523749") +
			onsRow("EX1 1AA", "EX1 1AA", "50.722459", "-3.529120") +
			onsRow("EX9 9ZZ", "EX9 9ZZ", "99.999999", "0.000000") + // terminated, no grid reference
			onsRow("XXX", "NOT A CODE", "50.1", "-3.1") +
			onsRow("EX1 1AA", "EX1 1AA", "50.722460", "-3.529121") // repeated: the last wins
		rep, err := directory.ImportPostcodes(ctx, d, strings.NewReader(csv), nil)
		if err != nil || rep.Imported != 3 || rep.NoLocation != 1 || rep.Invalid != 1 {
			t.Fatalf("%+v %v", rep, err)
		}
		full, ok, err := s.Locate(ctx, "ex44qj")
		if err != nil || !ok || full.Lat != 50.729814 || full.Lon != -3.523749 || full == centroid {
			t.Errorf("full postcode %v (centroid %v) %v %v", full, centroid, ok, err)
		}
		if p, _, _ := s.Locate(ctx, "EX1 1AA"); p.Lat != 50.722460 {
			t.Errorf("repeated postcode %v", p)
		}
		if _, ok, _ := s.Locate(ctx, "EX9 9ZZ"); ok && importCount(t, d, "SELECT COUNT(*) FROM postcodes WHERE postcode = 'EX9 9ZZ'") != 0 {
			t.Error("a postcode without coordinates was imported")
		}
		// A second edition updates in place.
		rep, err = directory.ImportPostcodes(ctx, d, strings.NewReader(onsHeader+onsRow("EX4 4QJ", "EX4 4QJ", "50.7300", "-3.5200")), nil)
		if p, _, _ := s.Locate(ctx, "EX4 4QJ"); err != nil || rep.Imported != 1 || p.Lat != 50.73 {
			t.Errorf("update: %v %+v %v", err, rep, p)
		}
		if n := importCount(t, d, "SELECT COUNT(*) FROM postcodes"); n != 2 {
			t.Errorf("%d postcodes", n)
		}

		// Batches: more rows than one transaction writes.
		var big strings.Builder
		big.WriteString("pcds,lat,long\n")
		n := directory.PostcodeBatch + 7
		for i := range n {
			fmt.Fprintf(&big, "EX%d %dAB,50.%06d,-3.5\n", 1+i%30, i%10, i)
		}
		var progress []int
		rep, err = directory.ImportPostcodes(ctx, d, strings.NewReader(big.String()), func(w int) { progress = append(progress, w) })
		if err != nil || rep.Imported != n || len(progress) != 2 || progress[0] != directory.PostcodeBatch {
			t.Errorf("batches: %v %+v %v", err, rep, progress)
		}
	})
	for csv, want := range map[string]string{
		"":                       "empty",
		"pcd,x,y\nEX1 1AA,1,2\n": "lat and long",
		"a,lat,long\n":           "no postcode column",
	} {
		if _, err := directory.ImportPostcodes(context.Background(), dbtest.SQLite(t), strings.NewReader(csv), nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", csv, err)
		}
	}
}

// FuzzImportORUK feeds arbitrary bytes and mutated examples to the
// importer on a real database. It must never panic, never leave a service
// without its categories, and report exactly what it wrote.
func FuzzImportORUK(f *testing.F) {
	dir := examplesDir(f)
	for _, name := range exampleFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	walk, _ := json.Marshal(ukService("walk", "Belmont Park Health Walk"))
	f.Add(walk)
	f.Add([]byte(`{"contents": [{"id": "a", "name": "Walk", "description": "walking", "status": "active", "organization": {"id": "o", "name": "O"}}, 5, null]}`))
	f.Add([]byte(`[{"id": "a", "status": "active", "minimum_age": "1e400", "cost_options": [{"amount": "1e99"}]}]`))
	f.Add([]byte(`{"services.csv": [{"id": 1}], "organizations.csv": "x"}`))
	f.Add([]byte(`{"id": "d", "name": "Walk", "description": "walking", "assured_date": "2024-02-30T25:00:00Z", "organization": {"id": "o", "name": "O"},
		"attributes": [{"id": "1", "value": "1e9", "taxonomy_term": {"id": "t", "code": "capacity", "taxonomy": "Oikos service details"}},
		{"id": "2", "value": "0099-01-01", "taxonomy_term": {"id": "u", "code": "started_on", "taxonomy_id": "oikos-service-details"}}]}`))
	f.Add([]byte("\xff\xfe{"))

	d := dbtest.SQLite(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		// Counts before and after, rather than emptying the tables: the
		// fuzzer's coverage instrumentation makes every statement slow.
		services := importCount(t, d, "SELECT COUNT(*) FROM services")
		orgs := importCount(t, d, "SELECT COUNT(*) FROM organisations")
		rep, err := newTestImporter(d).ImportDocument(ctx, data)
		var de *directory.DocumentError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("an error other than a document error: %v", err)
		}
		if n := importCount(t, d, "SELECT COUNT(*) FROM services") - services; n != rep.ServicesCreated {
			t.Fatalf("%d new services in the database, %d reported created", n, rep.ServicesCreated)
		}
		if n := importCount(t, d, "SELECT COUNT(*) FROM organisations") - orgs; n != rep.OrganisationsCreated {
			t.Fatalf("%d new organisations in the database, %d reported created", n, rep.OrganisationsCreated)
		}
		if rep.Written() > 0 {
			if n := importCount(t, d, "SELECT COUNT(*) FROM services s WHERE NOT EXISTS (SELECT 1 FROM service_categories c WHERE c.service_id = s.id)"); n != 0 {
				t.Fatalf("%d services without categories", n)
			}
		}
		for _, p := range append(rep.Rejected, rep.Notes...) {
			if p.Text == "" || strings.Contains(p.Text, "\n") {
				t.Fatalf("unclear report line %+v", p)
			}
		}
	})
}
