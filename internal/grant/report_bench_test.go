package grant_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// BenchmarkGrantsReport times the grants report and the citizen-led trend
// over three years of a national programme: 20,000 services in 400
// districts (a quarter citizen-led, 400 funded by 20 rounds' awards, a
// tenth closed along the way), and OIKOS_GRANTS_CONNECTIONS referrals each
// connected to a service (default 300,000; the reports read only the
// connections to funded groups, through connections_service, so the
// total matters little). The scheme read covers 40 of the districts.
//
//	go test -run XXX -bench GrantsReport -benchtime 20x ./internal/grant/
func BenchmarkGrantsReport(b *testing.B) {
	n := 300_000
	if v := os.Getenv("OIKOS_GRANTS_CONNECTIONS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, side := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(side.name, func(b *testing.B) {
			d := side.open(b)
			w := newWorld(b, d)
			began := time.Now()
			fillNational(b, d, n)
			b.Logf("national programme written in %s", time.Since(began).Round(time.Millisecond))
			ctx := context.Background()
			from := time.Now().AddDate(-3, 0, 0).Format(time.DateOnly)
			rep := must(w.store.GrantsReport(ctx, manager, actor(manager), from, ""))(b)
			trend := must(w.store.CitizenLedTrend(ctx, manager, actor(manager), from, ""))(b)
			last := trend.Months[len(trend.Months)-1]
			b.Logf("report %+v; trend of %d months, last %+v", rep, len(trend.Months), last)
			if rep.GroupsRunning == 0 || rep.PeopleConnected == nil || last.Running == 0 {
				b.Fatal("the dataset did not reach the report")
			}
			b.ResetTimer()
			var reportTime, trendTime time.Duration
			for range b.N {
				t0 := time.Now()
				must(w.store.GrantsReport(ctx, manager, actor(manager), from, ""))(b)
				t1 := time.Now()
				must(w.store.CitizenLedTrend(ctx, manager, actor(manager), from, ""))(b)
				reportTime += t1.Sub(t0)
				trendTime += time.Since(t1)
			}
			b.ReportMetric(float64(reportTime.Milliseconds())/float64(b.N), "report-ms/op")
			b.ReportMetric(float64(trendTime.Milliseconds())/float64(b.N), "trend-ms/op")
		})
	}
}

// fillNational writes the programme straight into the tables, fifty rows
// a statement.
func fillNational(b *testing.B, d *db.DB, connections int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	ms := db.Millis(now)
	threeYears := now.AddDate(-3, 0, 0).UnixMilli()
	span := ms - threeYears
	at := func(i, of int) int64 { return threeYears + int64(i)*span/int64(of) }
	write := func(table string, cols []string, n int, row func(i int) []any) {
		const per = 50
		for start := 0; start < n; start += per * 400 {
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				for s := start; s < min(n, start+per*400); s += per {
					k := min(per, n-s)
					args := make([]any, 0, k*len(cols))
					for i := s; i < s+k; i++ {
						args = append(args, row(i)...)
					}
					if _, err := tx.ExecContext(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES "+db.Rows(k, len(cols)), args...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	const services, orgs, rounds, funded = 20_000, 2_000, 20, 400
	district := func(i int) string { return fmt.Sprintf("NB%d", i%400+1) }
	areas := make([]string, 40)
	for i := range areas {
		areas[i] = fmt.Sprintf("('NB%d', 'org_s1')", i*10+5)
	}
	if _, err := d.Exec(ctx, "INSERT INTO scheme_areas (area, scheme_id) VALUES "+strings.Join(areas, ", ")); err != nil {
		b.Fatal(err)
	}
	write("organisations", []string{"id", "name", "kind", "created_at", "updated_at"}, orgs, func(i int) []any {
		return []any{fmt.Sprintf("org_n%d", i), fmt.Sprintf("National group %d", i), "vcse", ms, ms}
	})
	write("grant_rounds", []string{"id", "scheme_id", "name", "pot_pence", "awarded_pence", "opens_on", "closes_on", "needs", "created_by", "created_at"}, rounds,
		func(i int) []any {
			opens := time.UnixMilli(at(i, rounds))
			return []any{fmt.Sprintf("grr_n%d", i), "org_s1", fmt.Sprintf("Round %d", i), int64(10_000_000), int64(funded / rounds * 500_000),
				opens.Format(time.DateOnly), opens.AddDate(0, 1, 0).Format(time.DateOnly), "loneliness", "usr_morgan", at(i, rounds)}
		})
	write("grant_applications", []string{"id", "round_id", "organisation_id", "title", "amount_pence", "starts_on", "status", "awarded_pence", "paid_pence",
		"decided_by", "decided_at", "submitted_by", "submitted_at"}, 3*funded, func(i int) []any {
		status, awarded, paid := "declined", int64(0), int64(0)
		if i < funded {
			status, awarded, paid = "awarded", 500_000, 250_000
		}
		decided := at(i%rounds, rounds) + 40*24*3600*1000
		return []any{fmt.Sprintf("gra_n%d", i), fmt.Sprintf("grr_n%d", i%rounds), fmt.Sprintf("org_n%d", i%orgs), "Group", int64(500_000), "2026-01-01",
			status, awarded, paid, "usr_morgan", decided, "usr_pat", decided - 20*24*3600*1000}
	})
	write("grant_payments", []string{"id", "application_id", "amount_pence", "paid_on", "by_user", "created_at"}, funded, func(i int) []any {
		t := at(i%rounds, rounds) + 60*24*3600*1000
		return []any{fmt.Sprintf("grp_n%d", i), fmt.Sprintf("gra_n%d", i), int64(250_000), time.UnixMilli(t).Format(time.DateOnly), "usr_morgan", t}
	})
	write("services", []string{"id", "organisation_id", "name", "citizen_led", "postcode", "grant_application_id", "created_at", "updated_at", "last_checked_at"},
		services, func(i int) []any {
			var award any
			if i < funded {
				award = fmt.Sprintf("gra_n%d", i)
			}
			created := at(i, services)
			if i < funded {
				created = at(i%rounds, rounds) + 50*24*3600*1000
			}
			return []any{fmt.Sprintf("svc_n%d", i), fmt.Sprintf("org_n%d", i%orgs), fmt.Sprintf("Service %d", i), i%4 == 0 || i < funded,
				district(i) + " 1AA", award, created, created, created}
		})
	// A tenth close, each a while after it started: the trigger records it.
	if _, err := d.Exec(ctx, "UPDATE services SET status = 'closed', updated_at = created_at + 17280000000 WHERE id LIKE 'svc_n%' AND (CAST(substr(id, 6) AS INTEGER) % 10) = 4"); err != nil {
		b.Fatal(err)
	}
	write("people", []string{"id", "given_name", "family_name", "date_of_birth", "created_at", "updated_at"}, connections, func(i int) []any {
		return []any{fmt.Sprintf("per_n%d", i), "Bench", "Person", "1960-01-01", ms, ms}
	})
	write("referrals", []string{"id", "reference", "person_id", "status", "source_type", "consent_given", "consent_share", "consent_by", "consent_at",
		"received_at", "updated_at", "scheme_id"}, connections, func(i int) []any {
		return []any{fmt.Sprintf("ref_n%d", i), fmt.Sprintf("R-N%07d", i), fmt.Sprintf("per_n%d", i), "active", "gp", true, true, "bench", at(i, connections),
			at(i, connections), ms, "org_s1"}
	})
	write("connections", []string{"id", "referral_id", "service_id", "organisation_id", "kind", "status", "created_by", "created_at", "first_attended_at",
		"updated_at", "scheme_id"}, connections, func(i int) []any {
		// Two in a hundred go to a funded group, as funded groups are about
		// two in a hundred services.
		svc := 400 + (i*7919)%(services-400)
		if i%50 == 0 {
			svc = (i / 50) % funded
		}
		created := at(i, connections)
		var attended any
		if i%3 != 0 {
			attended = created + 7*24*3600*1000
		}
		return []any{fmt.Sprintf("con_n%d", i), fmt.Sprintf("ref_n%d", i), fmt.Sprintf("svc_n%d", svc), fmt.Sprintf("org_n%d", svc%orgs), "signpost",
			"accepted", "usr_lee", created, attended, created, "org_s1"}
	})
	if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
}
