package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
)

// hsdsExample is the path of one of the HSDS 3.0 examples, read from the
// shared standards folder beside the repository.
func hsdsExample(t *testing.T, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "standards", "hsds-3.0", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the HSDS 3.0 example %s is not at %s", name, path)
	}
	return path
}

func openImportDB(t *testing.T, url string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func importedRows(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportHelp(t *testing.T) {
	for _, args := range [][]string{{"import", "--help"}, {"import", "oruk", "--help"}, {"import", "postcodes", "-h"}} {
		_, stderr, err := runOikos(t, "", args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "Usage: oikos") && !strings.Contains(stderr, "oikos import oruk") {
			t.Errorf("%v: %v %q", args, err, stderr)
		}
	}
	for args, want := range map[string]string{
		"import":                  "say what to import",
		"import frobnicate":       "unknown import",
		"import oruk":             "name one file or URL",
		"import oruk a.json b":    "name one file or URL",
		"import postcodes":        "name one CSV file",
		"import oruk --source= x": "--source",
	} {
		_, _, err := runOikos(t, "", strings.Fields(args)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", args, err, want)
		}
	}
}

func TestImportORUKFile(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			url := dbtest.URL(t, dialect)
			file := hsdsExample(t, "service_full.json")
			out, _, err := runOikos(t, "", "import", "oruk", file, "--db", url)
			if err != nil || !strings.Contains(out, "organisations: 1 created, 0 updated") || !strings.Contains(out, "services: 1 created, 0 updated") ||
				!strings.Contains(out, "rejected: 0") || !strings.Contains(out, "latitude 100") {
				t.Fatalf("import: %v\n%s", err, out)
			}
			// Flags first works too, and importing again updates.
			out, _, err = runOikos(t, "", "import", "oruk", "--db", url, file)
			if err != nil || !strings.Contains(out, "services: 0 created, 1 updated") {
				t.Fatalf("re-import: %v\n%s", err, out)
			}
			d := openImportDB(t, url)
			if n := importedRows(t, d, "services"); n != 1 {
				t.Errorf("%d services after importing twice", n)
			}
			// Standard input.
			data, _ := os.ReadFile(hsdsExample(t, "organization_full.json"))
			if out, _, err := runOikos(t, string(data), "import", "oruk", "-", "--db", url); err != nil || !strings.Contains(out, "1 updated") {
				t.Errorf("stdin: %v\n%s", err, out)
			}

			dir := t.TempDir()
			write := func(name, body string) string {
				path := filepath.Join(dir, name)
				os.WriteFile(path, []byte(body), 0o644)
				return path
			}
			cases := []struct{ file, want string }{
				{write("broken.json", `{"id": "x", "name": `), "not valid JSON"},
				{write("location.json", `{"id": "x", "location_type": "physical"}`), "is a location"},
				{filepath.Join(dir, "missing.json"), "cannot read"},
				{write("rejected.json", `{"contents": [{"id": "a", "name": "Orphan", "description": "d", "status": "active"}]}`),
					"all 1 records were rejected"},
			}
			for _, c := range cases {
				out, _, err := runOikos(t, "", "import", "oruk", c.file, "--db", url)
				if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
					t.Errorf("%s: %v", filepath.Base(c.file), err)
				}
				if strings.HasPrefix(filepath.Base(c.file), "rejected") && !strings.Contains(out, `service a "Orphan": it names no organization`) {
					t.Errorf("the rejected record is not listed:\n%s", out)
				}
			}
			// Some rejected, some imported: success, with every rejection listed.
			mixed := write("mixed.json", `[{"id": "a", "name": "Orphan", "description": "d", "status": "active"},
				{"id": "b", "name": "Exeter Walks", "description": "Weekly walks.", "status": "active",
				 "organization": {"id": "o", "name": "Walkers", "description": ""}}]`)
			if out, _, err := runOikos(t, "", "import", "oruk", mixed, "--db", url); err != nil || !strings.Contains(out, "services: 1 created") ||
				!strings.Contains(out, "rejected: 1") || !strings.Contains(out, "service a") {
				t.Errorf("mixed: %v\n%s", err, out)
			}
		})
	}
}

// TestImportORUKFromAnotherOikos serves the demo directory from one Oikos
// and imports it into another through the Open Referral API: every service
// arrives with its meaning intact, and importing again only updates.
func TestImportORUKFromAnotherOikos(t *testing.T) {
	sourceURL := "sqlite:" + filepath.Join(t.TempDir(), "source.db")
	if _, _, err := runOikos(t, "", "demo", "--db", sourceURL); err != nil {
		t.Fatal(err)
	}
	addr, stop := serveInProcess(t, sourceURL)
	defer stop()
	source := directory.NewStore(openImportDB(t, sourceURL))
	want, total, err := source.List(context.Background(), directory.ListFilter{ActiveOnly: true, Limit: 1000})
	if err != nil || total < 50 {
		t.Fatalf("demo directory: %d services, %v", total, err)
	}

	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			url := dbtest.URL(t, dialect)
			api := "http://" + addr + "/oruk/"
			out, _, err := runOikos(t, "", "import", "oruk", api, "--db", url, "--page-size", "40")
			if err != nil || !strings.Contains(out, fmt.Sprintf("services: %d created, 0 updated", total)) || !strings.Contains(out, "rejected: 0") {
				t.Fatalf("import: %v\n%s", err, out)
			}
			dest := directory.NewStore(openImportDB(t, url))
			ctx := context.Background()
			for _, w := range want {
				got, err := dest.ORUKService(ctx, w.HSDSID())
				if err != nil {
					t.Errorf("%s: %v", w.Name, err)
					continue
				}
				sameImportedService(t, w, got)
			}
			out, _, err = runOikos(t, "", "import", "oruk", api+"services", "--db", url)
			if err != nil || !strings.Contains(out, fmt.Sprintf("services: 0 created, %d updated", total)) {
				t.Fatalf("re-import: %v\n%s", err, out)
			}
			if n := importedRows(t, openImportDB(t, url), "services"); n != total {
				t.Errorf("%d services after importing twice, want %d", n, total)
			}
		})
	}
}

// sameImportedService compares what HSDS can carry. Capacity, citizen-led and the
// start date have no HSDS field and do not travel.
func sameImportedService(t *testing.T, w, g directory.Service) {
	t.Helper()
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	sessions := func(list []directory.Session) []string {
		var out []string
		for _, s := range list {
			out = append(out, fmt.Sprintf("%d %s-%s", directory.DayNumber(s.Day), s.Opens, s.Closes))
		}
		return sorted(out)
	}
	intText := func(p *int) string {
		if p == nil {
			return "none"
		}
		return fmt.Sprint(*p)
	}
	costText := func(p *int64) string {
		if p == nil {
			return "unknown"
		}
		return fmt.Sprint(*p)
	}
	near := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || math.Abs(*a-*b) < 1e-9) }
	checks := []struct {
		field     string
		want, got any
	}{
		{"name", w.Name, g.Name}, {"description", w.Description, g.Description}, {"organisation", w.Organisation, g.Organisation},
		{"categories", sorted(w.Categories), sorted(g.Categories)}, {"schedule", sessions(w.Schedule), sessions(g.Schedule)},
		{"cost", costText(w.CostPence), costText(g.CostPence)}, {"fees", w.FeesNote, g.FeesNote},
		{"postcode", w.Postcode, g.Postcode}, {"address", w.Address, g.Address}, {"location", w.LocationName, g.LocationName},
		{"place", near(w.Latitude, g.Latitude) && near(w.Longitude, g.Longitude), true},
		{"phone", w.Phone, g.Phone}, {"email", w.Email, g.Email}, {"url", w.URL, g.URL}, {"eligibility", w.Eligibility, g.Eligibility},
		{"ages", intText(w.MinAge) + "-" + intText(w.MaxAge), intText(g.MinAge) + "-" + intText(g.MaxAge)},
		{"accessibility", w.Accessibility, g.Accessibility}, {"languages", w.Languages, g.Languages},
		{"status", w.Status, g.Status}, {"location id", w.HSDSLocationID(), g.HSDSLocationID()}, {"id", w.HSDSID(), g.HSDSID()},
	}
	for _, c := range checks {
		if fmt.Sprint(c.want) != fmt.Sprint(c.got) {
			t.Errorf("%s: %s: sent %v, arrived %v", w.Name, c.field, c.want, c.got)
		}
	}
}

func TestImportPostcodesCommand(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			url := dbtest.URL(t, dialect)
			csv := "pcd,pcd2,pcds,dointr,doterm,lat,long\n" +
				"EX4 4QJ,EX4  4QJ,EX4 4QJ,198001,,50.729814,-3.523749\n" +
				"EX4 9ZZ,EX4  9ZZ,EX4 9ZZ,198001,200012,99.999999,0.000000\n"
			file := filepath.Join(t.TempDir(), "ONSPD.csv")
			os.WriteFile(file, []byte(csv), 0o644)
			out, _, err := runOikos(t, "", "import", "postcodes", file, "--db", url)
			if err != nil || !strings.Contains(out, "Imported 1 postcodes") || !strings.Contains(out, "skipped 1 without coordinates") {
				t.Fatalf("%v %q", err, out)
			}
			p, ok, err := directory.NewStore(openImportDB(t, url)).Locate(context.Background(), "EX4 4QJ")
			if err != nil || !ok || p.Lat != 50.729814 {
				t.Errorf("located at %v %v %v", p, ok, err)
			}
			if _, _, err := runOikos(t, "", "import", "postcodes", filepath.Join(t.TempDir(), "none.csv"), "--db", url); err == nil || !strings.Contains(err.Error(), "cannot read") {
				t.Errorf("missing file: %v", err)
			}
		})
	}
}
