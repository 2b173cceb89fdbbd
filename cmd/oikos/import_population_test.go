package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func TestImportPopulation(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "oikos.db")
	out, _, err := runOikos(t, "", "import", "population", filepath.Join("..", "..", "data", "population", "devon-sample.csv"), "--db", url)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "for 68 areas") || !strings.Contains(out, "1156 figures, 1156 new and 0 replaced") {
		t.Errorf("first import said %q", out)
	}
	d := openImportDB(t, url)
	if n := importedRows(t, d, "population"); n != 1156 {
		t.Errorf("%d figures held, want 1156", n)
	}

	// From standard input, replacing one figure.
	out, _, err = runOikos(t, "area,population\nEX4,47000\n", "import", "population", "-", "--db", url)
	if err != nil || !strings.Contains(out, "1 figures, 0 new and 1 replaced") {
		t.Errorf("stdin import: %v %q", err, out)
	}
	var ex4 int
	if err := d.R().QueryRowContext(context.Background(), "SELECT people FROM population WHERE area = 'EX4' AND age_band = '' AND sex = '' AND ethnicity = ''").Scan(&ex4); err != nil || ex4 != 47000 {
		t.Errorf("EX4 holds %d (%v), want 47000", ex4, err)
	}

	// A mistake on the third line: one clear line naming it, nothing written.
	_, _, err = runOikos(t, "area,population\nEX4,1\nEX5,lots\n", "import", "population", "-", "--db", url)
	if err == nil || !strings.Contains(err.Error(), "line 3, column population") || strings.Contains(err.Error(), "\n") {
		t.Errorf("bad file: %v", err)
	}
	if err := d.R().QueryRowContext(context.Background(), "SELECT people FROM population WHERE area = 'EX4' AND age_band = '' AND sex = '' AND ethnicity = ''").Scan(&ex4); err != nil || ex4 != 47000 {
		t.Errorf("a refused file changed EX4 to %d (%v)", ex4, err)
	}

	if _, _, err := runOikos(t, "", "import", "population", filepath.Join(t.TempDir(), "missing.csv"), "--db", url); err == nil || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("missing file: %v", err)
	}
	if _, stderr, err := runOikos(t, "", "import", "population", "--help"); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "area,deprivation_decile") {
		t.Errorf("help: %v %q", err, stderr)
	}
}

// TestDemoLoadsPopulation: the demo's figures are there on both databases,
// and loading the demo again changes nothing.
func TestDemoLoadsPopulation(t *testing.T) {
	if _, err := os.Stat(filepath.Join("..", "..", "data", "population", "devon-sample.csv")); err != nil {
		t.Fatal(err)
	}
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			url := dbtest.URL(t, dialect)
			for range 2 {
				if out, _, err := runOikos(t, "", "demo", "--db", url); err != nil || !strings.Contains(out, "Imported population figures for 68 areas") {
					t.Fatalf("demo: %v\n%s", err, out)
				}
			}
			if n := importedRows(t, openImportDB(t, url), "population"); n != 1156 {
				t.Errorf("%d figures after the demo twice, want 1156", n)
			}
		})
	}
}
