package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/report"
)

// coverageSeed loads population figures and people referred yesterday
// (written straight into the tables, as the referral store would).
func coverageSeed(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	rows, err := report.ParsePopulation(strings.NewReader(`area,deprivation_decile,age_band,population
EX1,2,,20000
EX1,,65_74,4000
EX2,7,,10000
EX2,,65_74,2000
EX3,7,,10000
EX4,7,,10000
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := report.ImportPopulation(ctx, d, rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	at := db.Millis(time.Now().Add(-24 * time.Hour))
	n := 0
	for _, g := range []struct {
		count      int
		pc, need   string
		unmetCount int
	}{{20, "EX1 1AA", "loneliness", 12}, {30, "EX2 5AA", "loneliness", 2}, {3, "EX3 4CC", "", 0}, {8, "EX4 6PX", "money_worries", 8}, {6, "TQ1 3BD", "", 0}} {
		for i := range g.count {
			n++
			person, ref := fmt.Sprintf("per_c%d", n), fmt.Sprintf("ref_c%d", n)
			if _, err := d.Exec(ctx, `INSERT INTO people (id, given_name, family_name, date_of_birth, postcode, age_band, created_at, updated_at)
				VALUES ($1, 'A', 'B', '1955-01-01', $2, '65_74', $3, $3)`, person, g.pc, at); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO referrals (id, reference, person_id, status, source_type, consent_given, consent_share, consent_by, consent_at, received_at, updated_at, scheme_id)
				VALUES ($1, $1, $2, 'received', 'gp', TRUE, FALSE, 'person', $3, $3, $3, `+firstScheme+`)`, ref, person, at); err != nil {
				t.Fatal(err)
			}
			if i < g.unmetCount {
				if _, err := d.Exec(ctx, `INSERT INTO unmet_needs (id, referral_id, need, priority, area, on_date, within_km, found, recorded_at)
					VALUES ($1, $2, $3, 1, $4, $5, 5, 0, $6)`, "unm_"+ref, ref, g.need, strings.Fields(g.pc)[0], time.Now().Add(-24*time.Hour).Format(time.DateOnly), at); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func TestCoverageReportAPIAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		coverageSeed(t, d)

		res := f.do(auth.Manager, "GET", "/api/v1/reports/coverage", "")
		if res.status != 200 {
			t.Fatalf("manager: %d %s", res.status, res.body)
		}
		m := res.json(t)
		overall := m["overall"].(map[string]any)
		// 20 + 30 + 3 + 8 from the areas with figures, of 50,000.
		if overall["referred"] != 61.0 || overall["population"] != 50000.0 || overall["rate_per_1000"] != 1.22 {
			t.Errorf("overall %v", overall)
		}
		areas := map[string]map[string]any{}
		for _, g := range m["by_area"].(map[string]any)["groups"].([]any) {
			areas[g.(map[string]any)["key"].(string)] = g.(map[string]any)
		}
		// EX1 is deprived (decile 2): 1.22 * 1.5 * 20 = 36.6 expected, 20 is
		// under three quarters of it.
		if ex1 := areas["EX1"]; ex1["referred"] != 20.0 || ex1["under_reached"] != true || ex1["expected_rate_per_1000"] != 1.83 {
			t.Errorf("EX1 %v", ex1)
		}
		// EX3's 3 is hidden with its rate, and EX4 (the smallest other area
		// of decile 7) with it.
		for _, k := range []string{"EX3", "EX4"} {
			if areas[k]["referred"] != nil || areas[k]["rate_per_1000"] != nil || areas[k]["under_reached"] != nil {
				t.Errorf("%s shown: %v", k, areas[k])
			}
		}
		if s := fmt.Sprint(m["suppressed"]); !strings.Contains(s, "by_area.EX3.referred") || !strings.Contains(s, "by_area.EX3.rate_per_1000") {
			t.Errorf("suppressed %s", s)
		}
		com := f.do(auth.Commissioner, "GET", "/api/v1/reports/coverage", "")
		if com.status != 200 || !reflect.DeepEqual(com.json(t), m) {
			t.Errorf("commissioner sees %d %s", com.status, com.body)
		}

		// The CSV holds the same figures.
		res = f.do(auth.Commissioner, "GET", "/api/v1/reports/coverage?format=csv", "")
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV %d %v", res.status, res.header)
		}
		records, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		lines := map[string][]string{}
		for _, r := range records[1:] {
			lines[r[0]+"."+r[1]] = r
		}
		if ex1 := lines["by_area.EX1"]; strings.Join(ex1[3:9], ",") != "2,20,20000,1,1.83,under-reached" {
			t.Errorf("CSV EX1 %v", ex1)
		}
		if ex3 := lines["by_area.EX3"]; ex3[4] != "" || ex3[6] != "" || ex3[9] != report.NoteHidden {
			t.Errorf("CSV EX3 %v", ex3)
		}
		if dl := f.do(auth.Manager, "GET", "/reports/coverage.csv", ""); dl.status != 200 || dl.body != res.body ||
			!strings.Contains(dl.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download %d %v", dl.status, dl.header)
		}

		pg := f.do(auth.Commissioner, "GET", "/reports/coverage", "")
		for _, want := range []string{"<h1>Fair coverage</h1>", `data-figure="overall-rate">1.22<`, "Under-reached</strong>",
			"postcode district EX1: 1 per 1,000 people, where 1.83 per 1,000 would be expected", "<em>hidden</em>",
			`href="/reports/coverage.csv?from=`, "Download CSV", "20,000"} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if pg.status != 200 || strings.Contains(pg.body, " style=") || strings.Contains(pg.body, "<script>") {
			t.Errorf("page %d", pg.status)
		}

		// Unmet needs: EX1's 12 lonely, EX2's 2 (hidden, and so EX1's too:
		// the need's total is shown), EX4's 8 in money worries.
		res = f.do(auth.Manager, "GET", "/api/v1/reports/unmet-needs", "")
		if res.status != 200 {
			t.Fatalf("unmet: %d %s", res.status, res.body)
		}
		u := res.json(t)
		gaps := u["gaps"].([]any)
		first := gaps[0].(map[string]any)
		if first["area"] != "EX4" || first["need"] != "money_worries" || first["referrals"] != 8.0 || first["biggest_gap"] != true || first["per_10000"] != 8.0 {
			t.Errorf("first gap %v", first)
		}
		if s := fmt.Sprint(u["suppressed"]); !strings.Contains(s, "gaps.EX1.loneliness.referrals") || !strings.Contains(s, "gaps.EX2.loneliness.referrals") {
			t.Errorf("unmet suppressed %s", s)
		}
		upg := f.do(auth.Manager, "GET", "/reports/unmet-needs", "")
		for _, want := range []string{"<h1>Unmet needs by area</h1>", "Debt or money worries in EX4: 8 referrals (8 for every 10,000 people living there)",
			"Biggest gap</strong>", "<em>hidden</em>", `href="/reports/unmet-needs.csv?from=`} {
			if !strings.Contains(upg.body, want) {
				t.Errorf("unmet page lacks %s", want)
			}
		}
		ucsv := f.do(auth.Manager, "GET", "/reports/unmet-needs.csv", "")
		if ucsv.status != 200 || !strings.Contains(ucsv.body, "\ngaps,EX4,money_worries,Debt or money worries,8,10000,8,yes,\n") {
			t.Errorf("unmet CSV %d %s", ucsv.status, ucsv.body)
		}

		// Nobody else reaches them; a commissioner reaches no person.
		for _, role := range []auth.Role{auth.LinkWorker, auth.Referrer, auth.Provider, auth.Volunteer, auth.Admin} {
			for _, path := range []string{"/api/v1/reports/coverage", "/api/v1/reports/unmet-needs", "/reports/coverage", "/reports/unmet-needs",
				"/reports/coverage.csv", "/reports/unmet-needs.csv"} {
				if res := f.do(role, "GET", path, ""); res.status != 404 {
					t.Errorf("%s %s: %d", role, path, res.status)
				}
			}
		}
		if res := f.do("", "GET", "/api/v1/reports/coverage", ""); res.status != 401 {
			t.Errorf("anonymous: %d", res.status)
		}

		// Each read is in the audit log, as one read of a report.
		var reads int
		if err := d.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE object_kind = 'report' AND object_id LIKE 'coverage:%'`).Scan(&reads); err != nil || reads < 4 {
			t.Errorf("%d coverage reads audited (%v)", reads, err)
		}
	})
}

func TestCoverageReportRefusesBadPeriods(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for query, field := range map[string]string{
		"from=2026-05-02&to=2026-05-01": "from",
		"from=2010-01-01&to=2026-01-01": "to",
		"from=2026-02-30&to=2026-05-01": "from",
		"from=yesterday":                "from",
		"to=31/12/2026":                 "to",
		"format=xml":                    "format",
	} {
		for _, api := range []string{"/api/v1/reports/coverage?", "/api/v1/reports/unmet-needs?"} {
			res := f.do(auth.Manager, "GET", api+query, "")
			if res.status != 422 {
				t.Errorf("%s%s: %d %s", api, query, res.status, res.body)
				continue
			}
			if code, fields := res.errorCode(t); code != "invalid" || fields[field] == nil {
				t.Errorf("%s%s: %s %v, want %s named", api, query, code, fields, field)
			}
		}
		if field == "format" {
			continue
		}
		for _, path := range []string{"/reports/coverage?", "/reports/unmet-needs?"} {
			pg := f.do(auth.Commissioner, "GET", path+query, "")
			if pg.status != 422 || !strings.Contains(pg.body, "There is a problem") || !strings.Contains(pg.body, `href="#`+field+`-day"`) {
				t.Errorf("%s%s: page %d", path, query, pg.status)
			}
		}
		if dl := f.do(auth.Manager, "GET", "/reports/coverage.csv?"+query, ""); dl.status != 422 {
			t.Errorf("download %s: %d", query, dl.status)
		}
	}
}
