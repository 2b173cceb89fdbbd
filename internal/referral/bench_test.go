package referral_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
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
