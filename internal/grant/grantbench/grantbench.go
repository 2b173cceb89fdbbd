// Package grantbench writes a national grants programme straight into the
// tables, for the grants report's benchmarks (the grant package's
// BenchmarkGrantsReport and oikos-bench --mode grants): three years of
// 20,000 services in 400 districts (a quarter citizen-led, 400 funded by
// 20 rounds' awards, a tenth closed along the way) and a number of
// referrals each connected to a service, two in a hundred to a funded
// group. The scheme covers 40 of the districts.
package grantbench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"oikos/internal/db"
)

// Options names how many connections to write and the scheme and people
// the rows name (they must exist: the tables' keys point at them).
type Options struct {
	Connections int
	SchemeID    string
	ManagerID   string // decides, pays and opens the rounds
	ProviderID  string // submits the applications
	WorkerID    string // makes the connections
}

// FillNational writes the programme straight into the tables, fifty rows
// a statement, for the scheme and people named in o.
func FillNational(ctx context.Context, d *db.DB, o Options) error {
	connections := o.Connections
	now := time.Now()
	ms := db.Millis(now)
	threeYears := now.AddDate(-3, 0, 0).UnixMilli()
	span := ms - threeYears
	at := func(i, of int) int64 { return threeYears + int64(i)*span/int64(of) }
	var failed error
	write := func(table string, cols []string, n int, row func(i int) []any) {
		if failed != nil {
			return
		}
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
				failed = fmt.Errorf("%s: %w", table, err)
				return
			}
		}
	}
	const services, orgs, rounds, funded = 20_000, 2_000, 20, 400
	district := func(i int) string { return fmt.Sprintf("NB%d", i%400+1) }
	areas := make([]string, 40)
	for i := range areas {
		areas[i] = fmt.Sprintf("('NB%d', '%s')", i*10+5, o.SchemeID)
	}
	if _, err := d.Exec(ctx, "INSERT INTO scheme_areas (area, scheme_id) VALUES "+strings.Join(areas, ", ")); err != nil {
		return err
	}
	write("organisations", []string{"id", "name", "kind", "created_at", "updated_at"}, orgs, func(i int) []any {
		return []any{fmt.Sprintf("org_n%d", i), fmt.Sprintf("National group %d", i), "vcse", ms, ms}
	})
	write("grant_rounds", []string{"id", "scheme_id", "name", "pot_pence", "awarded_pence", "opens_on", "closes_on", "needs", "created_by", "created_at"}, rounds,
		func(i int) []any {
			opens := time.UnixMilli(at(i, rounds))
			return []any{fmt.Sprintf("grr_n%d", i), o.SchemeID, fmt.Sprintf("Round %d", i), int64(10_000_000), int64(funded / rounds * 500_000),
				opens.Format(time.DateOnly), opens.AddDate(0, 1, 0).Format(time.DateOnly), "loneliness", o.ManagerID, at(i, rounds)}
		})
	write("grant_applications", []string{"id", "round_id", "organisation_id", "title", "amount_pence", "starts_on", "status", "awarded_pence", "paid_pence",
		"decided_by", "decided_at", "submitted_by", "submitted_at"}, 3*funded, func(i int) []any {
		status, awarded, paid := "declined", int64(0), int64(0)
		if i < funded {
			status, awarded, paid = "awarded", 500_000, 250_000
		}
		decided := at(i%rounds, rounds) + 40*24*3600*1000
		return []any{fmt.Sprintf("gra_n%d", i), fmt.Sprintf("grr_n%d", i%rounds), fmt.Sprintf("org_n%d", i%orgs), "Group", int64(500_000), "2026-01-01",
			status, awarded, paid, o.ManagerID, decided, o.ProviderID, decided - 20*24*3600*1000}
	})
	write("grant_payments", []string{"id", "application_id", "amount_pence", "paid_on", "by_user", "created_at"}, funded, func(i int) []any {
		t := at(i%rounds, rounds) + 60*24*3600*1000
		return []any{fmt.Sprintf("grp_n%d", i), fmt.Sprintf("gra_n%d", i), int64(250_000), time.UnixMilli(t).Format(time.DateOnly), o.ManagerID, t}
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
	if failed != nil {
		return failed
	}
	if _, err := d.Exec(ctx, "UPDATE services SET status = 'closed', updated_at = created_at + 17280000000 WHERE id LIKE 'svc_n%' AND (CAST(substr(id, 6) AS INTEGER) % 10) = 4"); err != nil {
		return err
	}
	write("people", []string{"id", "given_name", "family_name", "date_of_birth", "created_at", "updated_at"}, connections, func(i int) []any {
		return []any{fmt.Sprintf("per_n%d", i), "Bench", "Person", "1960-01-01", ms, ms}
	})
	write("referrals", []string{"id", "reference", "person_id", "status", "source_type", "consent_given", "consent_share", "consent_by", "consent_at",
		"received_at", "updated_at", "scheme_id"}, connections, func(i int) []any {
		return []any{fmt.Sprintf("ref_n%d", i), fmt.Sprintf("R-N%07d", i), fmt.Sprintf("per_n%d", i), "active", "gp", true, true, "bench", at(i, connections),
			at(i, connections), ms, o.SchemeID}
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
			"accepted", o.WorkerID, created, attended, created, o.SchemeID}
	})
	if failed != nil {
		return failed
	}
	_, err := d.Exec(ctx, "ANALYZE")
	return err
}
