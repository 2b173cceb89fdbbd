package referral_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
	"oikos/internal/referral"
)

// validNHSNumber makes the i-th NHS number that passes the Modulus 11
// check, so that every referral in a benchmark is a new person.
func validNHSNumber(i int64) string {
	for ; ; i++ {
		digits := fmt.Sprintf("4%08d", i%100_000_000)
		sum := 0
		for k := range 9 {
			sum += int(digits[k]-'0') * (10 - k)
		}
		check := (11 - sum%11) % 11
		if check != 10 {
			return digits + string(rune('0'+check))
		}
	}
}

// BenchmarkCreateReferral measures the store's Create for new people: one
// caller at a time (each referral its own durable commit) and eight at
// once (sharing commits). SQLite commits are durable (synchronous FULL in
// a file under the test's temporary directory); the test PostgreSQL
// cluster runs with fsync off, so its figures show the work, not the disk.
func BenchmarkCreateReferral(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		for _, callers := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/callers=%d", dialect, callers), func(b *testing.B) {
				var d *db.DB
				if dialect == db.SQLite {
					d = dbtest.SQLite(b)
				} else {
					d = dbtest.Postgres(b)
				}
				s := referral.NewStore(d)
				ctx := context.Background()
				by := referral.Actor{UserID: "usr_gp", Client: "bench"}
				var n atomic.Int64
				create := func() {
					i := n.Add(1)
					in := referral.Input{
						Person: referral.PersonInput{GivenName: "Margaret", FamilyName: fmt.Sprintf("Hughes%d", i), DateOfBirth: "1948-05-02",
							NHSNumber: validNHSNumber(i * 7), Postcode: "EX4 4QJ", Phone: "07700 900123"},
						Source:  referral.SourceInput{Type: "gp", ReferrerName: "Dr Okafor"},
						Reasons: []string{"loneliness", "low_mood"}, Notes: "Lives alone since her husband died.",
						Consent: referral.ConsentInput{Given: true, ShareWithProviders: true},
					}
					if _, err := s.Create(ctx, by, in, "", "api"); err != nil {
						b.Error(err)
					}
				}
				b.ResetTimer()
				if callers == 1 {
					for b.Loop() {
						create()
					}
				} else {
					// RunParallel starts parallelism × GOMAXPROCS goroutines.
					b.SetParallelism(max(1, callers/runtime.GOMAXPROCS(0)))
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							create()
						}
					})
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "referrals/s")
			})
		}
	}
}

// fillQueue makes n referrals waiting for triage in scheme, one in ten
// urgent, received over the last n minutes, with as many again already
// taken on (accepted): through Create, many at once, as a busy intake
// makes them.
func fillQueue(tb testing.TB, s *referral.Store, scheme string, n int) {
	tb.Helper()
	ctx := context.Background()
	base := time.Now().Add(-time.Duration(n) * time.Minute)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(2*n) {
					return
				}
				in := referral.Input{
					Person: referral.PersonInput{GivenName: "Margaret", FamilyName: fmt.Sprintf("Hughes%d", i), DateOfBirth: "1948-05-02",
						NHSNumber: validNHSNumber(i * 7), Postcode: "EX4 4QJ"},
					Source: referral.SourceInput{Type: "gp"}, Reasons: []string{"loneliness"}, SchemeID: scheme,
					Consent: referral.ConsentInput{Given: true},
				}
				if i%10 == 3 {
					in.Urgency = "urgent"
				}
				if _, err := s.Create(ctx, referral.Actor{UserID: "usr_gp"}, in, "", "api"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		tb.Fatal(err)
	}
	// Spread their arrival over the last n minutes, as a queue builds up,
	// and take half on (as Transition would, without a commit each).
	if _, err := s.DB.Exec(ctx, `UPDATE referrals SET received_at = CAST($1 AS BIGINT) + (CAST(substr(sent_family_name, 7) AS BIGINT) % $2) * 60000,
		status = CASE WHEN CAST(substr(sent_family_name, 7) AS BIGINT) >= $2 THEN 'accepted' ELSE status END`, base.UnixMilli(), n); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkTriageList measures the triage queue as the page reads it
// (referral.List, status received, its first 200, urgent first then
// oldest) with 10,000 referrals waiting and 10,000 more taken on: for a
// link worker (their caseload and the unassigned queue) and for a
// manager. The target is the page under 100 ms.
func BenchmarkTriageList(b *testing.B) {
	const waiting = 10_000
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			var d *db.DB
			if dialect == db.SQLite {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			ctx := context.Background()
			scheme, err := (&org.Store{DB: d}).Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: "Northgate", Kind: "scheme", Areas: []string{"EX4"}})
			if err != nil {
				b.Fatal(err)
			}
			s := referral.NewStore(d)
			fillQueue(b, s, scheme.ID, waiting)
			if dialect == db.Postgres {
				if _, err := d.Exec(ctx, "VACUUM ANALYZE referrals"); err != nil {
					b.Fatal(err)
				}
			} else if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			for _, who := range []struct {
				name string
				f    referral.Filter
			}{
				{"link_worker", referral.Filter{VisibleTo: "usr_lw"}},
				{"manager", referral.Filter{ShowRestricted: true}},
			} {
				b.Run(who.name, func(b *testing.B) {
					f := who.f
					f.Status, f.Limit, f.InScheme, f.SchemeID = referral.Received, 200, true, scheme.ID
					for b.Loop() {
						list, total, err := s.List(ctx, f)
						if err != nil || total != waiting || len(list) != 200 || list[0].Urgency != "urgent" {
							b.Fatalf("%d of %d: %v", len(list), total, err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/page")
				})
			}
		})
	}
}
