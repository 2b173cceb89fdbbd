package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestPageModes runs --mode triage and --mode caseload at a tiny size on
// each database, so that the page benchmarks cannot rot: the dataset
// loads, the link worker signs in and the page answers with referrals.
func TestPageModes(t *testing.T) {
	for _, which := range []string{"sqlite", "postgres"} {
		t.Run(which, func(t *testing.T) {
			if which == "postgres" {
				needPostgres(t)
			}
			for _, mode := range []struct {
				args  []string
				wants []string
			}{
				{[]string{"--mode", "triage", "--national", "900", "--waiting", "120"},
					[]string{"waiting for triage in org_benchscheme: ", "waiting for triage in org_benchscheme2: ", "requests of GET /referrals", "== Summary"}},
				{[]string{"--mode", "caseload", "--national", "900", "--referrals", "4", "--services", "50"},
					[]string{"the benched link worker's caseload: 4 people", "requests of GET /caseload", "== Summary"}},
			} {
				var out bytes.Buffer
				err := run(context.Background(), append(mode.args, "--db", which, "--dir", t.TempDir(), "--requests", "5"), &out, &out)
				if err != nil {
					t.Fatalf("%s: %v\n%s", mode.args[1], err, out.String())
				}
				got := out.String()
				for _, want := range mode.wants {
					if !strings.Contains(got, want) {
						t.Errorf("%s: the output does not say %q:\n%s", mode.args[1], want, got)
					}
				}
				if strings.Contains(got, "; 0 links to referrals") {
					t.Errorf("%s: no referrals on the page:\n%s", mode.args[1], got)
				}
			}
		})
	}
}
