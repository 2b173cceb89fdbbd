package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/org"
	"oikos/internal/taxonomy"
)

// The HSDS 3.0 schemas and examples live beside the repository, in the
// shared standards folder; they are read from there, never copied.
func hsdsDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	hsds := filepath.Join(dir, "..", "shared", "standards", "hsds-3.0")
	if _, err := os.Stat(hsds); err != nil {
		t.Fatalf("the HSDS 3.0 standard is not at %s: %v", hsds, err)
	}
	return hsds
}

var (
	hsdsSchemasOnce sync.Once
	hsdsSchemas     map[string]*jsonschema.Schema
	hsdsSchemasErr  error
)

// hsdsSchema compiles (once) the schema at path, relative to the
// standard's schema folder, with formats (uuid, uri, email, date-time)
// asserted as validators of HSDS feeds do.
func hsdsSchema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	hsdsSchemasOnce.Do(func() {
		dir := filepath.Join(hsdsDir(t), "schema")
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		hsdsSchemas = map[string]*jsonschema.Schema{}
		for _, n := range []string{"compiled/service.json", "compiled/service_list.json", "compiled/organization.json",
			"compiled/organization_list.json", "compiled/service_at_location.json", "compiled/service_at_location_list.json",
			"taxonomy.json", "taxonomy_term.json"} {
			sch, err := c.Compile(filepath.Join(dir, n))
			if err != nil {
				hsdsSchemasErr = fmt.Errorf("compile %s: %w", n, err)
				return
			}
			hsdsSchemas[n] = sch
		}
	})
	if hsdsSchemasErr != nil {
		t.Fatal(hsdsSchemasErr)
	}
	sch := hsdsSchemas[name]
	if sch == nil {
		t.Fatalf("no schema %s", name)
	}
	return sch
}

func mustValidateHSDS(t testing.TB, schema, what string, doc any) {
	t.Helper()
	if err := hsdsSchema(t, schema).Validate(doc); err != nil {
		b, _ := json.MarshalIndent(doc, "", "  ")
		t.Errorf("%s does not validate against %s: %v\n%s", what, schema, err, orukTruncate(string(b), 3000))
	}
}

func orukTruncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// orukGet fetches an /oruk address, wanting 200 and a JSON object.
func (f *fixture) orukGet(t *testing.T, path string) map[string]any {
	t.Helper()
	res := f.do("", "GET", path, "")
	if res.status != 200 {
		t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: content type %q", path, ct)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(res.body))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("GET %s: not an object: %s", path, res.body)
	}
	return obj
}

// orukPage fetches a list page, checks its envelope and validates every
// item against schema; it returns the items.
func (f *fixture) orukPage(t *testing.T, path, schema string) []map[string]any {
	t.Helper()
	page := f.orukGet(t, path)
	for _, key := range []string{"total_items", "total_pages", "page_number", "size"} {
		if n, ok := page[key].(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			t.Fatalf("GET %s: %s is %v, want a whole number", path, key, page[key])
		}
	}
	for _, key := range []string{"first_page", "last_page", "empty"} {
		if _, ok := page[key].(bool); !ok {
			t.Fatalf("GET %s: %s is %v, want true or false", path, key, page[key])
		}
	}
	contents, ok := page["contents"].([]any)
	if !ok {
		t.Fatalf("GET %s: contents is %v, want a list", path, page["contents"])
	}
	num := func(k string) int { n, _ := page[k].(json.Number).Int64(); return int(n) }
	if num("size") != len(contents) || page["empty"] != (len(contents) == 0) || page["first_page"] != (num("page_number") == 1) ||
		page["last_page"] != (num("page_number") >= num("total_pages")) {
		t.Errorf("GET %s: inconsistent envelope %v", path, orukEnvelope(page))
	}
	var items []map[string]any
	for i, item := range contents {
		mustValidateHSDS(t, schema, fmt.Sprintf("GET %s item %d", path, i), item)
		items = append(items, item.(map[string]any))
	}
	return items
}

func orukEnvelope(page map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range page {
		if k != "contents" {
			out[k] = v
		}
	}
	return out
}

func orukPtr[T any](v T) *T { return &v }

var dirActorForTests = directory.Actor{UserID: "usr_test", Client: "test"}

// seedDirectory adds realistic services across categories, places, times
// and prices, one with no place and one closed.
func seedORUKDirectory(t *testing.T, d *db.DB, schemeOrgID string) (ids map[string]string, orgID string) {
	t.Helper()
	ctx := context.Background()
	o, err := (&org.Store{DB: d}).Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: "Exe Valley Community Trust", Kind: "vcse"})
	if err != nil {
		t.Fatal(err)
	}
	s := directory.NewStore(d)
	inputs := []directory.Input{
		{OrganisationID: o.ID, Name: "Exeter Health Walks", Description: "Gentle led walks around the city parks, about an hour, at an easy pace.",
			Categories: []string{"walking_groups", "physical_activity"}, Postcode: "EX4 4QJ", Address: "Belmont Park, Belmont Road, Exeter",
			LocationName: "Belmont Park pavilion",
			Schedule:     []directory.Session{{Day: "tuesday", Opens: "10:00", Closes: "11:30"}, {Day: "friday", Opens: "14:00", Closes: "15:00"}},
			CostPence:    orukPtr(int64(0)), Phone: "01392 665544", Email: "walks@example.org", URL: "https://example.org/walks",
			Accessibility: []string{"Step-free route", "Benches every 500m"}, Languages: []string{"English"}, MinAge: orukPtr(18)},
		{OrganisationID: o.ID, Name: "Riverside Community Choir", Description: "A friendly choir singing pop and folk songs; no auditions and no need to read music.",
			Categories: []string{"singing_groups", "arts_creativity"}, Postcode: "EX1 1AA", Address: "St Sidwell's Centre, Exeter",
			Schedule:  []directory.Session{{Day: "wednesday", Opens: "19:00", Closes: "21:00"}},
			CostPence: orukPtr(int64(350)), FeesNote: "£3.50 a session; your first session is free."},
		{OrganisationID: schemeOrgID, Name: "Torbay Debt Advice Drop-in", Description: "Free, confidential advice on debts, bills and benefits from trained advisers.",
			Categories: []string{"money_debt_advice"}, Postcode: "TQ1 1AA", Address: "Castle Circus, Torquay",
			Schedule:  []directory.Session{{Day: "monday", Opens: "09:30", Closes: "12:30"}, {Day: "thursday", Opens: "09:30", Closes: "12:30"}},
			CostPence: orukPtr(int64(0)), Eligibility: "Anyone living in Torbay", MinAge: orukPtr(16), MaxAge: orukPtr(99)},
		{OrganisationID: o.ID, Name: "Telephone Befriending", Description: "A weekly friendly phone call from a trained volunteer for people who feel lonely.",
			Categories: []string{"befriending"}, Phone: "+44 1392 123456"},
		{OrganisationID: o.ID, Name: "Closed Knitting Circle", Description: "A knitting group that has stopped meeting.",
			Categories: []string{"hobbies_interests"}, Postcode: "EX4 4QJ"},
	}
	ids = map[string]string{}
	for _, in := range inputs {
		v, err := s.Create(ctx, dirActorForTests, in)
		if err != nil {
			t.Fatalf("%s: %v", in.Name, err)
		}
		ids[in.Name] = v.ID
	}
	if err := s.SetStatus(ctx, dirActorForTests, ids["Closed Knitting Circle"], "closed"); err != nil {
		t.Fatal(err)
	}
	return ids, o.ID
}

func publishedNames(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		if svc, ok := it["service"].(map[string]any); ok {
			it = svc
		}
		out = append(out, fmt.Sprint(it["name"]))
	}
	return out
}

func TestORUKEveryEndpointValidates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		seedORUKDirectory(t, d, f.orgID)

		root := f.orukGet(t, "/oruk/")
		if root["version"] != "3.0" || root["openapi_url"] == nil {
			t.Errorf("root %v", root)
		}
		if f.orukGet(t, "/oruk")["version"] != "3.0" {
			t.Error("/oruk without a slash")
		}

		services := f.orukPage(t, "/oruk/services", "compiled/service_list.json")
		if got := publishedNames(services); !slices.Equal(got, []string{"Exeter Health Walks", "Riverside Community Choir", "Telephone Befriending", "Torbay Debt Advice Drop-in"}) {
			t.Fatalf("services %v: closed services must not be listed", got)
		}
		for _, item := range services {
			if _, nested := item["schedules"]; nested {
				t.Errorf("list item carries nested schedules: %v", item["name"])
			}
		}
		for _, item := range f.orukPage(t, "/oruk/services?full=true", "compiled/service_list.json") {
			mustValidateHSDS(t, "compiled/service.json", "full list item", item)
			if item["name"] == "Exeter Health Walks" && item["schedules"] == nil {
				t.Error("full=true gives no schedules")
			}
		}
		minimal := f.orukPage(t, "/oruk/services?minimal=true", "compiled/service_list.json")
		if len(minimal) != 4 || minimal[0]["last_modified"] == nil || minimal[0]["description"] != nil {
			t.Errorf("minimal %v", minimal)
		}

		var walksID string
		for _, item := range services {
			id := item["id"].(string)
			full := f.orukGet(t, "/oruk/services/"+id)
			mustValidateHSDS(t, "compiled/service.json", "service "+id, full)
			if full["name"] == "Exeter Health Walks" {
				walksID = id
			}
		}
		walks := f.orukGet(t, "/oruk/services/"+walksID)
		checkPublishedWalks(t, walks)

		orgs := f.orukPage(t, "/oruk/organizations", "compiled/organization_list.json")
		if got := publishedNames(orgs); !slices.Equal(got, []string{"Exe Valley Community Trust", "Northgate Scheme"}) {
			t.Errorf("organizations %v", got)
		}
		for _, full := range f.orukPage(t, "/oruk/organizations?full=true&full_service=true", "compiled/organization_list.json") {
			mustValidateHSDS(t, "compiled/organization.json", "full organization in a list", full)
		}
		for _, o := range orgs {
			for _, q := range []string{"", "?full_service=true"} {
				full := f.orukGet(t, "/oruk/organizations/"+o["id"].(string)+q)
				mustValidateHSDS(t, "compiled/organization.json", "organization "+q, full)
				if o["name"] == "Exe Valley Community Trust" && len(full["services"].([]any)) != 3 {
					t.Errorf("organization services %v", full["services"])
				}
			}
		}

		taxonomies := f.orukPage(t, "/oruk/taxonomies", "taxonomy.json")
		if len(taxonomies) != 1 || taxonomies[0]["name"] != "Oikos community service categories" {
			t.Errorf("taxonomies %v", taxonomies)
		}
		mustValidateHSDS(t, "taxonomy.json", "taxonomy", f.orukGet(t, "/oruk/taxonomies/"+taxonomies[0]["id"].(string)))
		if f.orukGet(t, "/oruk/taxonomies/oikos-categories")["id"] != taxonomies[0]["id"] {
			t.Error("the taxonomy by its plain id")
		}
		terms := f.orukPage(t, "/oruk/taxonomy_terms?per_page=100", "taxonomy_term.json")
		if len(terms) != 21 {
			t.Errorf("%d terms, want the 21 categories", len(terms))
		}
		for _, term := range terms[:3] {
			mustValidateHSDS(t, "taxonomy_term.json", "term", f.orukGet(t, "/oruk/taxonomy_terms/"+term["id"].(string)))
		}
		if f.orukGet(t, "/oruk/taxonomy_terms/walking_groups")["name"] != "Walking groups" {
			t.Error("a term by its code")
		}

		sals := f.orukPage(t, "/oruk/service_at_locations", "compiled/service_at_location_list.json")
		if got := publishedNames(sals); len(got) != 3 || slices.Contains(got, "Telephone Befriending") {
			t.Errorf("service_at_locations %v: want the three with a place", got)
		}
		for _, item := range f.orukPage(t, "/oruk/service_at_locations?full=true", "compiled/service_at_location_list.json") {
			mustValidateHSDS(t, "compiled/service_at_location.json", "full service_at_location in a list", item)
		}
		for _, sal := range sals {
			full := f.orukGet(t, "/oruk/service_at_locations/"+sal["id"].(string))
			mustValidateHSDS(t, "compiled/service_at_location.json", "service_at_location", full)
			// openapi.json declares this answer with the service schema.
			mustValidateHSDS(t, "compiled/service.json", "service_at_location as openapi.json declares it", full)
		}

		// Every page parameter combination still gives valid pages.
		for _, q := range []string{"page=2&per_page=1", "page=99", "per_page=1000", "search=walk", "postcode=EX4+4QJ",
			"postcode=EX4+4QJ&proximity=3000", "taxonomy_term_id=walking_groups", "taxonomy_id=oikos-categories",
			"modified_after=2000-01-01T00:00:00Z", "format=json"} {
			f.orukPage(t, "/oruk/services?"+q, "compiled/service_list.json")
			f.orukPage(t, "/oruk/service_at_locations?"+q, "compiled/service_at_location_list.json")
		}
		f.orukPage(t, "/oruk/organizations?search=trust&page=1&per_page=1", "compiled/organization_list.json")
		f.orukPage(t, "/oruk/taxonomy_terms?taxonomy_id=oikos-categories&search=walk", "taxonomy_term.json")
		f.orukPage(t, "/oruk/taxonomies?search=oikos", "taxonomy.json")

		res := f.do("", "GET", "/oruk/services?format=ndjson", "")
		lines := strings.Split(strings.TrimSpace(res.body), "\n")
		if res.status != 200 || len(lines) != 4 || !strings.Contains(res.header.Get("Content-Type"), "ndjson") {
			t.Fatalf("ndjson: %d %q", res.status, res.body)
		}
		for _, line := range lines {
			doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(line))
			mustValidateHSDS(t, "compiled/service_list.json", "ndjson line", doc)
		}
	})
}

// checkPublishedWalks compares the published walk with what was stored.
func checkPublishedWalks(t *testing.T, s map[string]any) {
	t.Helper()
	get := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				m, _ := v.(map[string]any)
				v = m[k]
			case int:
				l, _ := v.([]any)
				if k >= len(l) {
					return nil
				}
				v = l[k]
			}
		}
		return v
	}
	str := func(path ...any) string { return fmt.Sprint(get(s, path...)) }
	want := map[string]string{
		str("status"): "active", str("organization", "name"): "Exe Valley Community Trust",
		str("phones", 0, "number"): "01392 665544", str("minimum_age"): "18",
		str("cost_options", 0, "amount"): "0", str("cost_options", 0, "currency"): "GBP",
		str("schedules", 0, "freq"): "WEEKLY", str("schedules", 0, "byday"): "TU", str("schedules", 0, "opens_at"): "10:00",
		str("schedules", 1, "byday"): "FR", str("schedules", 1, "closes_at"): "15:00",
		str("service_at_locations", 0, "location", "name"):                            "Belmont Park pavilion",
		str("service_at_locations", 0, "location", "addresses", 0, "postal_code"):     "EX4 4QJ",
		str("service_at_locations", 0, "location", "addresses", 0, "city"):            "Exeter",
		str("service_at_locations", 0, "location", "accessibility", 1, "description"): "Benches every 500m",
		str("languages", 0, "name"):                                                   "English",
		str("attributes", 0, "taxonomy_term", "code"):                                 "walking_groups",
		str("attributes", 1, "taxonomy_term", "name"):                                 "Physical activity",
		str("attributes", 0, "taxonomy_term", "taxonomy"):                             "Oikos community service categories",
	}
	for got, w := range want {
		if got != w {
			t.Errorf("published walk: got %q, want %q", got, w)
		}
	}
	if get(s, "service_at_locations", 0, "location", "latitude") == nil {
		t.Error("published walk has no latitude")
	}
}

func TestORUKServiceDetails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ids, trustID := seedORUKDirectory(t, d, f.orgID)
		ctx := context.Background()
		s := directory.NewStore(d)
		published := func(name string) string {
			v, err := s.Get(ctx, ids[name])
			if err != nil {
				t.Fatal(err)
			}
			return v.HSDSID()
		}

		// Oikos ids are published as UUIDs that lead back to the service.
		debt := f.orukGet(t, "/oruk/services/"+published("Torbay Debt Advice Drop-in"))
		sch := debt["schedules"].([]any)
		if len(sch) != 1 || sch[0].(map[string]any)["byday"] != "MO,TH" {
			t.Errorf("sessions at the same times share one schedule: %v", sch)
		}
		if debt["maximum_age"].(json.Number) != "99" || debt["eligibility_description"] != "Anyone living in Torbay" {
			t.Errorf("debt advice %v", debt)
		}
		choir := f.orukGet(t, "/oruk/services/"+published("Riverside Community Choir"))
		cost := choir["cost_options"].([]any)[0].(map[string]any)
		if cost["amount"].(json.Number) != "3.50" || choir["fees_description"] != "£3.50 a session; your first session is free." {
			t.Errorf("choir cost %v %v", cost, choir["fees_description"])
		}
		// A closed service is found by id, published as inactive.
		closed := f.orukGet(t, "/oruk/services/"+published("Closed Knitting Circle"))
		if closed["status"] != "inactive" {
			t.Errorf("closed service status %v", closed["status"])
		}
		mustValidateHSDS(t, "compiled/service.json", "closed service", closed)
		// Oikos's own ids work too.
		if f.orukGet(t, "/oruk/services/"+ids["Exeter Health Walks"])["name"] != "Exeter Health Walks" {
			t.Error("service by Oikos id")
		}

		// Filters.
		filtered := func(q string) []string {
			return publishedNames(f.orukPage(t, "/oruk/services?"+q, "compiled/service_list.json"))
		}
		trust, _ := (&org.Store{DB: d}).Get(ctx, trustID)
		trustHSDS := directory.OrgRecord{ID: trust.ID}.HSDSID()
		walkTerm := directory.CategoryTerm(orukCategory(t, "walking_groups")).ID
		cases := []struct {
			query string
			want  []string
		}{
			{"search=CHOIR", []string{"Riverside Community Choir"}},
			{"search=100%25", nil},
			{"search=debts", []string{"Torbay Debt Advice Drop-in"}},
			{"taxonomy_term_id=" + walkTerm, []string{"Exeter Health Walks"}},
			{"taxonomy_term_id=money_debt_advice", []string{"Torbay Debt Advice Drop-in"}},
			{"taxonomy_term_id=00000000-0000-4000-8000-000000000000", nil},
			{"taxonomy_id=00000000-0000-4000-8000-000000000000", nil},
			{"organization_id=" + trustHSDS, []string{"Exeter Health Walks", "Riverside Community Choir", "Telephone Befriending"}},
			{"organization_id=nothing_here", nil},
			{"modified_after=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), nil},
			{"modified_after=2000-01-01", []string{"Exeter Health Walks", "Riverside Community Choir", "Telephone Befriending", "Torbay Debt Advice Drop-in"}},
			// Nearest first; Telephone Befriending has no place, so comes last.
			// (EX1 lies south-east of EX4, towards Torquay.)
			{"postcode=TQ1+1AA", []string{"Torbay Debt Advice Drop-in", "Riverside Community Choir", "Exeter Health Walks", "Telephone Befriending"}},
			// EX1 1AA is about 1.5 km from EX4 4QJ, and Torquay 30 km.
			{"postcode=EX4+4QJ&proximity=5000", []string{"Exeter Health Walks", "Riverside Community Choir"}},
			{"postcode=EX4+4QJ&proximity=50000", []string{"Exeter Health Walks", "Riverside Community Choir", "Torbay Debt Advice Drop-in"}},
			{"postcode=EX4&proximity=5000&page=2&per_page=1", []string{"Riverside Community Choir"}},
			{"per_page=2&page=2", []string{"Telephone Befriending", "Torbay Debt Advice Drop-in"}},
		}
		for _, c := range cases {
			got := filtered(c.query)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.query, got, c.want)
			}
		}
		page := f.orukGet(t, "/oruk/services?per_page=3&page=2")
		if page["total_items"].(json.Number) != "4" || page["total_pages"].(json.Number) != "2" || page["last_page"] != true || page["first_page"] != false {
			t.Errorf("envelope %v", orukEnvelope(page))
		}
		empty := f.orukGet(t, "/oruk/services?page=5")
		if empty["empty"] != true || len(empty["contents"].([]any)) != 0 || empty["last_page"] != true {
			t.Errorf("page past the end %v", empty)
		}
	})
}

func orukCategory(t *testing.T, code string) taxonomy.Category {
	t.Helper()
	cat, ok := taxonomy.CategoryByCode(code)
	if !ok {
		t.Fatalf("no category %s", code)
	}
	return cat
}

func TestORUKRefusesBadParameters(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	cases := []struct{ query, field string }{
		{"page=0", "page"},
		{"page=-3", "page"},
		{"page=two", "page"},
		{"per_page=0", "per_page"},
		{"per_page=1001", "per_page"},
		{"per_page=lots", "per_page"},
		{"modified_after=yesterday", "modified_after"},
		{"modified_after=2024-13-01", "modified_after"},
		{"proximity=1000", "proximity"},
		{"postcode=EX4+4QJ&proximity=far", "proximity"},
		{"postcode=EX4+4QJ&proximity=-5", "proximity"},
		{"postcode=NOT+A+POSTCODE", "postcode"},
		{"postcode=ZZ9+9ZZ", "postcode"},
		{"search=%FF%FE", "search"},
		{"search=a%00b", "search"},
		{"minimal=perhaps", "minimal"},
		{"full=2", "full"},
		{"format=xml", "format"},
		{"search=" + strings.Repeat("x", 201), "search"},
	}
	for _, path := range []string{"/oruk/services", "/oruk/service_at_locations"} {
		for _, c := range cases {
			res := f.do("", "GET", path+"?"+c.query, "")
			code, fields := res.errorCode(t)
			if res.status != 400 || code != "malformed" || fields[c.field] == nil {
				t.Errorf("%s?%s: %d %s", path, c.query, res.status, res.body)
			}
		}
	}
	res := f.do("", "GET", "/oruk/services?page=0&per_page=x", "")
	if _, fields := res.errorCode(t); len(fields) != 2 {
		t.Errorf("every bad parameter is named: %s", res.body)
	}
	for _, path := range []string{"/oruk/services/nothing_here", "/oruk/services/00000000-0000-4000-8000-000000000000",
		"/oruk/organizations/nothing_here", "/oruk/taxonomies/nothing_here", "/oruk/taxonomy_terms/nothing_here",
		"/oruk/service_at_locations/nothing_here", "/oruk/nothing_here"} {
		res := f.do("", "GET", path, "")
		if code, _ := res.errorCode(t); res.status != 404 || code != "not_found" {
			t.Errorf("%s: %d %s", path, res.status, res.body)
		}
	}
	// Organisations that run no active service and came from no other
	// directory (the fixture's scheme) are not published.
	if page := f.orukGet(t, "/oruk/organizations"); page["total_items"].(json.Number) != "0" {
		t.Errorf("organizations %v", page)
	}
	if res := f.do("", "GET", "/oruk/services", ""); res.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("open data should be readable from any web page")
	}
}

// hsdsExamples are the standard's examples that hold services or
// organizations.
var hsdsExamples = []string{"service_full.json", "service_list.json", "organization_full.json", "organization_list.json",
	"service_at_location_full.json", "service_at_location_list.json", "tabular.json"}

// TestORUKExamplesRoundTrip imports each example of the standard, then
// publishes it again: what comes out validates and keeps its meaning.
func TestORUKExamplesRoundTrip(t *testing.T) {
	dir := filepath.Join(hsdsDir(t), "examples")
	for _, name := range hsdsExamples {
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				f := newFixture(t, d)
				data, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				imp := &directory.Importer{Directory: directory.NewStore(d), Orgs: &org.Store{DB: d}, Source: "oruk"}
				rep, err := imp.ImportDocument(context.Background(), data)
				if err != nil || len(rep.Rejected) > 0 || rep.Written() == 0 {
					t.Fatalf("import: %v %+v", err, rep)
				}
				var source map[string]any
				json.Unmarshal(data, &source)

				const orgID, serviceID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "ac148810-d857-441c-9679-408f346de14b"
				o := f.orukGet(t, "/oruk/organizations/"+orgID)
				mustValidateHSDS(t, "compiled/organization.json", "organization", o)
				if o["id"] != orgID || o["name"] != "Example Organization Inc." || o["website"] != "http://example.com" {
					t.Errorf("organization %v", o)
				}
				if name == "organization_list.json" {
					return
				}
				s := f.orukGet(t, "/oruk/services/"+serviceID)
				mustValidateHSDS(t, "compiled/service.json", "service", s)
				if s["id"] != serviceID || s["name"] != "Community Counselling" || s["organization"].(map[string]any)["name"] != "Example Organization Inc." ||
					s["organization_id"] != orgID || s["status"] != "active" {
					t.Errorf("service %v", s)
				}
				// The example's place has latitude 100, which is not on Earth:
				// the place keeps its name and id, without coordinates.
				if name != "service_list.json" {
					loc := s["service_at_locations"].([]any)[0].(map[string]any)["location"].(map[string]any)
					if loc["id"] != "3a19ff88-4620-4d17-9830-ac1d859eb5d5" || loc["name"] != "MyCity Civic Center" || loc["latitude"] != nil {
						t.Errorf("location %v", loc)
					}
					if !slices.ContainsFunc(rep.Notes, func(n directory.ImportProblem) bool { return strings.Contains(n.Text, "latitude 100") }) {
						t.Errorf("the dropped coordinates are not reported: %+v", rep.Notes)
					}
				}
				if name == "service_full.json" || name == "organization_full.json" || name == "service_at_location_full.json" || name == "tabular.json" {
					sch := s["schedules"].([]any)[0].(map[string]any)
					if sch["id"] != "48102e86-bb50-41c4-8f1e-e269368c41d1" || sch["byday"] != "TH,FR" || sch["opens_at"] != "10:00" || sch["closes_at"] != "18:00" {
						t.Errorf("schedule %v", sch)
					}
				}
				if name == "service_full.json" || name == "organization_full.json" {
					var termNames []string
					for _, a := range s["attributes"].([]any) {
						termNames = append(termNames, a.(map[string]any)["taxonomy_term"].(map[string]any)["name"].(string))
					}
					if !slices.Contains(termNames, "name") || !slices.Contains(termNames, "Mental health support") {
						t.Errorf("terms %v: want the imported term and the derived category", termNames)
					}
					if s["phones"].([]any)[0].(map[string]any)["number"] != "+44 1234 234567 ext. 100" {
						t.Errorf("phone %v", s["phones"])
					}
					if c := s["cost_options"].([]any)[0].(map[string]any); c["amount"].(json.Number) != "35" {
						t.Errorf("cost %v", c)
					}
					// The imported term's taxonomy is published too.
					f.orukPage(t, "/oruk/taxonomies", "taxonomy.json")
					terms := f.orukPage(t, "/oruk/taxonomy_terms?search=name", "taxonomy_term.json")
					if len(terms) != 1 || terms[0]["id"] != "3f7b145d-84af-42d7-8fae-eaca714b02b2" {
						t.Errorf("imported terms %v", terms)
					}
					if got := publishedNames(f.orukPage(t, "/oruk/services?taxonomy_term_id=3f7b145d-84af-42d7-8fae-eaca714b02b2", "compiled/service_list.json")); !slices.Equal(got, []string{"Community Counselling"}) {
						t.Errorf("by imported term: %v", got)
					}
				}
			})
		})
	}
}

// TestSchemaValidationIsStrict guards the tests above from passing
// vacuously: the validator must refuse a bad id format and a bad status.
func TestSchemaValidationIsStrict(t *testing.T) {
	for _, doc := range []string{
		`{"id": "svc_123", "name": "x", "status": "active"}`,
		`{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "open"}`,
		`{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active", "url": "example.org"}`,
		`{"id": "ac148810-d857-441c-9679-408f346de14b", "status": "active"}`,
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if hsdsSchema(t, "compiled/service_list.json").Validate(v) == nil {
			t.Errorf("%s validated", doc)
		}
	}
}
