package grant_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/grant/grantbench"
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
			if err := grantbench.FillNational(context.Background(), d, grantbench.Options{Connections: n, SchemeID: "org_s1", ManagerID: "usr_morgan",
				ProviderID: "usr_pat", WorkerID: "usr_lee"}); err != nil {
				b.Fatal(err)
			}
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
