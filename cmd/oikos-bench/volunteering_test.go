package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary be the benchmark's server process too:
// the timed modes start os.Executable() with --mode serve.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "--mode" && os.Args[2] == "serve" {
		if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestVolunteeringMode runs --mode volunteering at a tiny size on each
// database, so that the mode cannot rot: the dataset loads, suggestions
// answer with volunteers and the report counts the year.
func TestVolunteeringMode(t *testing.T) {
	for _, which := range []string{"sqlite", "postgres"} {
		t.Run(which, func(t *testing.T) {
			if which == "postgres" {
				needPostgres(t)
			}
			var out bytes.Buffer
			err := run(context.Background(), []string{"--mode", "volunteering", "--db", which, "--dir", t.TempDir(), "--volunteers", "400",
				"--matches", "300", "--contacts", "2000", "--referrals", "6", "--requests", "10", "--rounds", "1", "--warm", "1", "--drop-cache=false"}, &out, &out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			got := out.String()
			for _, want := range []string{"400 volunteers, 240 referrals, 300 matches, 2000 contacts written", "volunteer suggestions, 10 requests",
				`"matches":`, "The volunteering report for one year"} {
				if !strings.Contains(got, want) {
					t.Errorf("the output does not say %q:\n%s", want, got)
				}
			}
			if strings.Contains(got, " 0.0 suggested") {
				t.Errorf("no volunteers suggested:\n%s", got)
			}
		})
	}
}

// TestGrantsMode runs --mode grants at a tiny size on each database: the
// programme loads and both routes answer, cold and warm.
func TestGrantsMode(t *testing.T) {
	for _, which := range []string{"sqlite", "postgres"} {
		t.Run(which, func(t *testing.T) {
			if which == "postgres" {
				needPostgres(t)
			}
			var out bytes.Buffer
			err := run(context.Background(), []string{"--mode", "grants", "--db", which, "--dir", t.TempDir(), "--national", "500", "--rounds", "1",
				"--warm", "1", "--drop-cache=false"}, &out, &out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			got := out.String()
			for _, want := range []string{"national programme written", `"groups_running":360`, `"months":[`, "== Summary"} {
				if !strings.Contains(got, want) {
					t.Errorf("the output does not say %q:\n%s", want, got)
				}
			}
		})
	}
}

// needPostgres skips a test's PostgreSQL half on a developer machine
// without PostgreSQL, and fails it under CI=true, where make test installs
// it: the benchmark modes are then always tried on both databases where
// it counts, as dbtest does for the packages' own tests.
func needPostgres(t *testing.T) {
	t.Helper()
	if findPGBin() != "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("PostgreSQL is not installed")
	}
	t.Skip("PostgreSQL is not installed; CI=true makes this a failure")
}
