package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// engagementSeed writes connections sent three days ago, straight into the
// tables as the connection store would: the walk 12 (all accepted, 8 went
// two days after sending, 5 completed), the talk 3 (sent) at the same
// organisation, and the choir 2 at another.
func engagementSeed(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	sent := time.Now().Add(-72 * time.Hour)
	at, went := db.Millis(sent), db.Millis(sent.Add(48*time.Hour))
	for _, q := range []string{
		"INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_eng_walkers', 'Riverside Walkers', 'vcse', $1, $1)",
		"INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_eng_choir', 'Choir Club', 'vcse', $1, $1)",
		`INSERT INTO services (id, organisation_id, name, email, last_checked_at, created_at, updated_at) VALUES
			('svc_eng_walk', 'org_eng_walkers', 'Riverside walk', '', $1, $1, $1), ('svc_eng_talk', 'org_eng_walkers', 'Walk and talk', '', $1, $1, $1),
			('svc_eng_choir', 'org_eng_choir', 'Community choir', '', $1, $1, $1)`,
	} {
		if _, err := d.Exec(ctx, q, at); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, g := range []struct {
		service, org            string
		count, accepted, wentTo int
		completed               int
	}{{"svc_eng_walk", "org_eng_walkers", 12, 12, 8, 5}, {"svc_eng_talk", "org_eng_walkers", 3, 0, 0, 0}, {"svc_eng_choir", "org_eng_choir", 2, 0, 0, 0}} {
		for i := range g.count {
			n++
			person, ref, con := fmt.Sprintf("per_e%d", n), fmt.Sprintf("ref_e%d", n), fmt.Sprintf("con_e%d", n)
			if _, err := d.Exec(ctx, `INSERT INTO people (id, given_name, family_name, date_of_birth, postcode, created_at, updated_at)
				VALUES ($1, 'A', 'B', '1955-01-01', 'EX1 1AA', $2, $2)`, person, at); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO referrals (id, reference, person_id, status, source_type, consent_given, consent_share, consent_by, consent_at, received_at, updated_at, scheme_id)
				VALUES ($1, $1, $2, 'accepted', 'gp', TRUE, FALSE, 'person', $3, $3, $3, `+firstScheme+`)`, ref, person, at); err != nil {
				t.Fatal(err)
			}
			status := "sent"
			switch {
			case i < g.completed:
				status = "completed"
			case i < g.accepted:
				status = "accepted"
			}
			var first *int64
			if i < g.wentTo {
				first = &went
			}
			if _, err := d.Exec(ctx, `INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status, created_by, created_at, first_attended_at, updated_at, scheme_id)
				VALUES ($1, $2, $3, $4, 'signpost', $5, 'system', $6, $7, $6, `+firstScheme+`)`, con, ref, g.service, g.org, status, at, first); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestEngagementReportAPIAndPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		engagementSeed(t, d)

		res := f.do(auth.Commissioner, "GET", "/api/v1/reports/engagement", "")
		if res.status != 200 {
			t.Fatalf("commissioner: %d %s", res.status, res.body)
		}
		m := res.json(t)
		lines := map[string]map[string]any{}
		for _, list := range []string{"organisations", "services"} {
			for _, l := range m[list].([]any) {
				l := l.(map[string]any)
				id := l["organisation_id"].(string)
				if list == "services" {
					id = l["service_id"].(string)
				}
				lines[id] = l
			}
		}
		figures := func(id string) string {
			l := lines[id]
			return fmt.Sprint(l["received"], " ", l["accepted"], " ", l["attended_at_least_once"], " ", l["completed"], " ", l["median_days_to_first_attendance"])
		}
		for id, want := range map[string]string{
			// The talk's 3 is hidden, and the walk's 12 with it: the
			// organisation's 15 less 12 would give the 3 away.
			"svc_eng_walk":    "<nil> 12 8 5 2",
			"svc_eng_talk":    "<nil> 0 0 0 <nil>",
			"org_eng_walkers": "15 12 8 5 2",
			"svc_eng_choir":   "<nil> 0 0 0 <nil>",
			"org_eng_choir":   "<nil> 0 0 0 <nil>",
		} {
			if got := figures(id); got != want {
				t.Errorf("%s: %s, want %s", id, got, want)
			}
		}
		suppressed := fmt.Sprint(m["suppressed"])
		want := "[organisations.org_eng_choir.received services.svc_eng_choir.received services.svc_eng_talk.received services.svc_eng_walk.received]"
		if suppressed != want {
			t.Errorf("suppressed %s, want %s", suppressed, want)
		}
		from, to := m["from"].(string), m["to"].(string)
		if n := auditCount(t, d, "engagement:"+from+".."+to, "report", "read"); n != 1 {
			t.Errorf("%d reads recorded", n)
		}

		dl := f.do(auth.Manager, "GET", "/api/v1/reports/engagement?format=csv", "")
		if dl.status != 200 || !strings.HasPrefix(dl.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(dl.header.Get("Content-Disposition"), "oikos-engagement-"+from+"-to-"+to+".csv") {
			t.Fatalf("csv: %d %v", dl.status, dl.header)
		}
		rows, err := csv.NewReader(strings.NewReader(dl.body)).ReadAll()
		if err != nil || len(rows) != 6 {
			t.Fatalf("csv rows %v %v", rows, err)
		}
		if got := strings.Join(rows[5], "|"); got != "service|org_eng_walkers|Riverside Walkers|svc_eng_talk|Walk and talk||0|0|0||hidden: received" {
			t.Errorf("talk row %s", got)
		}

		pg := f.do(auth.Manager, "GET", "/reports/engagement", "")
		if pg.status != 200 {
			t.Fatalf("page: %d %s", pg.status, pg.body)
		}
		for _, s := range []string{"Engagement with services", `data-table="organisations"`, `data-table="services"`, "Riverside walk",
			"<em>hidden</em>", "<em>nobody went</em>", `href="/reports/engagement.csv?from=` + from + "&amp;to=" + to, "Download CSV"} {
			if !strings.Contains(pg.body, s) {
				t.Errorf("page lacks %q", s)
			}
		}
		if strings.Contains(pg.body, "<script>") || strings.Contains(pg.body, "style=") {
			t.Error("inline script or style")
		}
		if page := f.do(auth.Manager, "GET", "/reports/engagement.csv", ""); page.status != 200 || page.body != dl.body {
			t.Errorf("page csv: %d", page.status)
		}
		if reports := f.do(auth.Manager, "GET", "/reports", ""); !strings.Contains(reports.body, `href="/reports/engagement"`) {
			t.Error("the scheme report does not link to engagement")
		}

		for _, role := range []auth.Role{auth.Admin, auth.LinkWorker, auth.Referrer, auth.Provider, auth.Volunteer} {
			for _, path := range []string{"/api/v1/reports/engagement", "/reports/engagement", "/reports/engagement.csv"} {
				if res := f.do(role, "GET", path, ""); res.status != 404 {
					t.Errorf("%s %s: %d", role, path, res.status)
				}
			}
		}
	})
}

func TestEngagementReportBadPeriod(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res := f.do(auth.Manager, "GET", "/api/v1/reports/engagement?from=yesterday", "")
		if res.status != 422 {
			t.Fatalf("api: %d %s", res.status, res.body)
		}
		if code, fields := res.errorCode(t); code != "invalid" || fields["from"] == nil {
			t.Errorf("api: %s %v", code, fields)
		}
		if res := f.do(auth.Manager, "GET", "/api/v1/reports/engagement?format=xml", ""); res.status != 422 {
			t.Errorf("format: %d", res.status)
		}
		pg := f.do(auth.Manager, "GET", "/reports/engagement?from=2026-02-30", "")
		if pg.status != 422 || !strings.Contains(pg.body, "There is a problem") || !strings.Contains(pg.body, `href="#from-day"`) {
			t.Errorf("page: %d", pg.status)
		}
		if dl := f.do(auth.Manager, "GET", "/reports/engagement.csv?from=yesterday", ""); dl.status != 422 {
			t.Errorf("csv: %d", dl.status)
		}
		// No connections: empty lists, not null.
		empty := f.do(auth.Commissioner, "GET", "/api/v1/reports/engagement", "")
		if empty.status != 200 || !strings.Contains(empty.body, `"services":[]`) || !strings.Contains(empty.body, `"suppressed":[]`) {
			t.Errorf("empty: %d %s", empty.status, empty.body)
		}
		if pg := f.do(auth.Manager, "GET", "/reports/engagement", ""); pg.status != 200 || !strings.Contains(pg.body, "No connections were sent") {
			t.Errorf("empty page: %d", pg.status)
		}
	})
}
