package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/taxonomy"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// TestDemoDirectoryDocument checks the embedded document is HSDS 3.0 that
// the compiled schemas accept, one organisation at a time with its
// services, and that it reads well: every organisation runs something and
// every description is two to four sentences.
func TestDemoDirectoryDocument(t *testing.T) {
	schemaFile, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "standards", "hsds-3.0", "schema", "compiled", "organization.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // ids must be UUIDs, web and email addresses well formed
	schema, err := c.Compile(schemaFile)
	if err != nil {
		t.Fatalf("the HSDS 3.0 compiled schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(demoDirectoryJSON))
	if err != nil {
		t.Fatal(err)
	}
	orgs, ok := doc.([]any)
	if !ok || len(orgs) == 0 {
		t.Fatalf("the document is not a list of organizations")
	}
	ids := map[string]bool{}
	for _, o := range orgs {
		org := o.(map[string]any)
		if err := schema.Validate(o); err != nil {
			t.Errorf("organization %v does not validate: %v", org["name"], err)
		}
		services, _ := org["services"].([]any)
		if len(services) == 0 {
			t.Errorf("organization %v runs no services", org["name"])
		}
		for _, s := range services {
			svc := s.(map[string]any)
			id := svc["id"].(string)
			if ids[id] {
				t.Errorf("service id %s used twice", id)
			}
			ids[id] = true
			desc, _ := svc["description"].(string)
			if n := strings.Count(desc, ". ") + 1; n < 2 || n > 5 {
				t.Errorf("%v: description has about %d sentences, want 2 to 4", svc["name"], n)
			}
			// Complete enough for a data-quality checker: a web address
			// or words saying why there is none, and a way to get in
			// touch.
			if url, _ := svc["url"].(string); url == "" && !strings.Contains(desc, "no website") {
				t.Errorf("%v: no url, and the description does not say there is no website", svc["name"])
			}
			phones, _ := svc["phones"].([]any)
			if email, _ := svc["email"].(string); email == "" && len(phones) == 0 {
				t.Errorf("%v: neither a phone number nor an email address", svc["name"])
			}
		}
	}
}

// TestDemoDirectoryLoads loads the demo directory twice on both databases
// and compares what is stored with testdata/demo_directory.txt: the rows in
// each table, every service with its organisation and categories, and how
// many are citizen-led, overdue a check and so on. Refresh it with
// go test -run TestDemoDirectoryLoads -update.
func TestDemoDirectoryLoads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var out bytes.Buffer
		for range 2 { // the second time updates in place
			if err := loadDemoDirectory(ctx, d, &out); err != nil {
				t.Fatal(err)
			}
		}
		got := demoDirectorySummary(t, d)
		golden := filepath.Join("testdata", "demo_directory.txt")
		if *update && d.Dialect == db.SQLite {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("the demo directory differs from %s (-update to accept):\n%s", golden, lineDiff(string(want), got))
		}
		line := strings.SplitAfter(out.String(), "\n")[0]
		if !strings.HasPrefix(string(want), "# "+line) {
			t.Errorf("printed %q, want the golden's first line", line)
		}

		store := directory.NewStore(d)
		all, _, err := store.List(ctx, directory.ListFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		perCategory := map[string]int{}
		for _, s := range all {
			for _, c := range s.Categories {
				perCategory[c]++
			}
			if s.Latitude == nil || s.Longitude == nil {
				t.Errorf("%s (%s) has no location", s.Name, s.Postcode)
			}
		}
		for _, c := range taxonomy.Categories {
			if perCategory[c.Code] < 5 {
				t.Errorf("category %s has %d services, want at least 5", c.Code, perCategory[c.Code])
			}
		}
	})
}

// demoDirectorySummary describes the stored directory in lines that do not
// depend on ids or the clock.
func demoDirectorySummary(t *testing.T, d *db.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	services, total, err := directory.NewStore(d).List(ctx, directory.ListFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	orgs := map[string]bool{}
	for _, s := range services {
		orgs[s.OrganisationID] = true
	}
	fmt.Fprintf(&b, "# Directory: %d services from %d organisations.\n", total, len(orgs))
	for _, table := range []string{"organisations", "services", "service_categories", "service_schedules", "service_terms", "audit_log"} {
		var n int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %d rows\n", table, n)
	}
	count := func(what string, keep func(directory.Service) bool) {
		fmt.Fprintf(&b, "%s: %d\n", what, len(slices.DeleteFunc(slices.Clone(services), func(s directory.Service) bool { return !keep(s) })))
	}
	now := time.Now()
	count("citizen-led", func(s directory.Service) bool { return s.CitizenLed })
	count("with a start date", func(s directory.Service) bool { return s.StartedOn != "" })
	count("with places free known", func(s directory.Service) bool { return s.Capacity != nil })
	count("full", func(s directory.Service) bool { return s.Capacity != nil && *s.Capacity == 0 })
	count("free", func(s directory.Service) bool { return s.Free() })
	count("with a price", func(s directory.Service) bool { return s.CostPence != nil && *s.CostPence > 0 })
	count("with ages", func(s directory.Service) bool { return s.MinAge != nil || s.MaxAge != nil })
	count("with weekly sessions", func(s directory.Service) bool { return len(s.Schedule) > 0 })
	count("overdue a check", func(s directory.Service) bool { return s.Stale(now) })
	count("from the demo's source", func(s directory.Service) bool { return s.Source == demoSource && s.SourceID != "" })
	b.WriteString("# organisation / service: categories\n")
	var lines []string
	for _, s := range services {
		lines = append(lines, fmt.Sprintf("%s / %s: %s", s.Organisation, s.Name, strings.Join(s.Categories, " ")))
	}
	slices.Sort(lines)
	b.WriteString(strings.Join(lines, "\n") + "\n")
	return b.String()
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for _, l := range w {
		if !slices.Contains(g, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
