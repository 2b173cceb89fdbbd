package web_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// reportReferral makes a referral from a source type, for a person of
// their own (so that none is taken for another).
func reportReferral(t *testing.T, f *fixture, n int, source string) string {
	t.Helper()
	body := strings.Replace(referralBody, `"type":"gp"`, `"type":"`+source+`"`, 1)
	body = strings.Replace(body, `"family_name":"Hughes"`, `"family_name":"Hughes`+strings.Repeat("e", n)+`"`, 1)
	body = strings.Replace(body, `"nhs_number":"9434765919",`, "", 1)
	res := f.do(auth.Referrer, "POST", "/api/v1/referrals", body)
	if res.status != 201 {
		t.Fatalf("referral: %d %s", res.status, res.body)
	}
	return res.json(t)["id"].(string)
}

func TestSummaryReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var ids []string
		for i := range 7 {
			ids = append(ids, reportReferral(t, f, i, "gp"))
		}

		// Managers and commissioners read the same aggregates.
		res := f.do(auth.Manager, "GET", "/api/v1/reports/summary", "")
		if res.status != 200 {
			t.Fatalf("manager: %d %s", res.status, res.body)
		}
		m := res.json(t)
		refs := m["referrals"].(map[string]any)
		if refs["total"] != 7.0 || refs["by_source_type"].(map[string]any)["gp"] != 7.0 || refs["by_status"].(map[string]any)["received"] != 7.0 {
			t.Errorf("referrals %v", refs)
		}
		if s := m["suppressed"].([]any); len(s) != 0 {
			t.Errorf("suppressed %v", s)
		}
		for _, k := range []string{"connections", "outcomes", "services"} {
			if m[k] == nil {
				t.Errorf("no %s in %s", k, res.body)
			}
		}
		com := f.do(auth.Commissioner, "GET", "/api/v1/reports/summary", "")
		if com.status != 200 || !reflect.DeepEqual(com.json(t), m) {
			t.Errorf("commissioner sees %d %s, manager %s", com.status, com.body, res.body)
		}
		for _, role := range []auth.Role{auth.LinkWorker, auth.Referrer, auth.Provider, auth.Volunteer, auth.Admin} {
			for _, path := range []string{"/api/v1/reports/summary", "/reports", "/reports/summary.csv"} {
				if res := f.do(role, "GET", path, ""); res.status != 404 {
					t.Errorf("%s %s: %d", role, path, res.status)
				}
			}
		}
		if res := f.do("", "GET", "/api/v1/reports/summary", ""); res.status != 401 {
			t.Errorf("anonymous: %d", res.status)
		}
		// A commissioner never reaches a person.
		for _, path := range []string{"/api/v1/referrals/" + ids[0], "/referrals/" + ids[0], "/referrals/" + ids[0] + "/measures"} {
			if res := f.do(auth.Commissioner, "GET", path, ""); res.status != 404 {
				t.Errorf("commissioner %s: %d", path, res.status)
			}
		}

		// One self-referral is a small count: hidden, with the GPs' 7 as
		// the second cell, on the API, the CSV and the page alike.
		reportReferral(t, f, 8, "self")
		m = f.do(auth.Commissioner, "GET", "/api/v1/reports/summary", "").json(t)
		bySource := m["referrals"].(map[string]any)["by_source_type"].(map[string]any)
		if bySource["self"] != nil || bySource["gp"] != nil || m["referrals"].(map[string]any)["total"] != 8.0 {
			t.Errorf("by source %v", m["referrals"])
		}
		js, _ := json.Marshal(m["suppressed"])
		if !strings.Contains(string(js), "referrals.by_source_type.self") || !strings.Contains(string(js), "referrals.by_source_type.gp") {
			t.Errorf("suppressed %s", js)
		}
		csv := f.do(auth.Manager, "GET", "/api/v1/reports/summary?format=csv", "")
		if csv.status != 200 || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(csv.body, "\nreferrals.total,8,\n") || !strings.Contains(csv.body, "\nreferrals.by_source_type.self,,hidden\n") {
			t.Errorf("CSV %d %s", csv.status, csv.body)
		}
		if dl := f.do(auth.Commissioner, "GET", "/reports/summary.csv", ""); dl.status != 200 || dl.body != csv.body ||
			!strings.Contains(dl.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download %d %v", dl.status, dl.header)
		}

		pg := f.do(auth.Manager, "GET", "/reports", "")
		for _, want := range []string{`<svg`, `role="img"`, `<title id="chart-sources-title">`, `data-path="referrals.total">8<`,
			`data-path="referrals.by_source_type.self"><em>hidden</em>`, `Download CSV`, `href="/reports/summary.csv?from=`} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if pg.status != 200 || strings.Contains(pg.body, " style=") {
			t.Errorf("page %d", pg.status)
		}
	})
}

func TestSummaryReportRefusesBadPeriods(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for query, field := range map[string]string{
		"from=2026-05-02&to=2026-05-01": "from",
		"from=2010-01-01&to=2026-01-01": "to",
		"from=2026-02-30&to=2026-05-01": "from",
		"from=yesterday":                "from",
		"to=31/12/2026":                 "to",
		"format=xml":                    "format",
	} {
		res := f.do(auth.Manager, "GET", "/api/v1/reports/summary?"+query, "")
		if res.status != 422 {
			t.Errorf("%s: %d %s", query, res.status, res.body)
			continue
		}
		if code, fields := res.errorCode(t); code != "invalid" || fields[field] == nil {
			t.Errorf("%s: %s %v, want %s named", query, code, fields, field)
		}
		if field == "format" {
			continue
		}
		pg := f.do(auth.Manager, "GET", "/reports?"+query, "")
		if pg.status != 422 || !strings.Contains(pg.body, "There is a problem") || !strings.Contains(pg.body, `href="#`+field+`-day"`) {
			t.Errorf("page %s: %d", query, pg.status)
		}
	}
	// A period of one day, and the default of the last twelve months.
	for _, q := range []string{"from=2026-05-01&to=2026-05-01", ""} {
		if res := f.do(auth.Manager, "GET", "/api/v1/reports/summary?"+q, ""); res.status != 200 {
			t.Errorf("%q: %d %s", q, res.status, res.body)
		}
	}
}

// FuzzSummaryReportQuery sends whatever dates and format to the report:
// the answer is a report or a 422, never a 5xx.
func FuzzSummaryReportQuery(f *testing.F) {
	for _, s := range [][3]string{{"2026-01-01", "2026-03-31", ""}, {"", "", "csv"}, {"2026-13-01", "x", "json"}, {"9999-12-31", "0000-01-01", "pdf"}} {
		f.Add(s[0], s[1], s[2])
	}
	fx := newFixture(f, dbtest.SQLite(f))
	f.Fuzz(func(t *testing.T, from, to, format string) {
		q := url.Values{"from": {from}, "to": {to}, "format": {format}}.Encode()
		fx.t = t // the fixture's helpers report on the running target
		res := fx.do(auth.Commissioner, "GET", "/api/v1/reports/summary?"+q, "")
		if res.status != 200 && res.status != 422 {
			t.Fatalf("%s: %d %s", q, res.status, res.body)
		}
	})
}
