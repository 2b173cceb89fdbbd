package connection_test

// Suggestions against a large directory built by oikos-bench (make
// bench-suggestions --dir DIR keeps it): a benchmark of one Suggest call
// without HTTP. They skip unless OIKOS_SUGGEST_DB names a SQLite file (a
// scratch copy: the calls audit and record unmet needs). The check that a
// change leaves every suggestion as it was is oikos-bench --mode golden.
//
//	OIKOS_SUGGEST_DB=/tmp/s.db go test ./internal/connection -run XXX -bench Suggest -cpu 1

import (
	"context"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// bigDirectory opens the database OIKOS_SUGGEST_DB names, with the
// referrals in it.
func bigDirectory(tb testing.TB) (*db.DB, []referral.Referral) {
	tb.Helper()
	path := os.Getenv("OIKOS_SUGGEST_DB")
	if path == "" {
		tb.Skip("OIKOS_SUGGEST_DB names no database built by oikos-bench --mode suggestions")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	ids, err := db.Strings(ctx, d.R(), "SELECT id FROM referrals ORDER BY id")
	if err != nil {
		tb.Fatal(err)
	}
	refs := referral.NewStore(d)
	var out []referral.Referral
	for _, id := range ids {
		r, err := refs.Get(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		tb.Fatal("no referrals in " + path)
	}
	return d, out
}

func BenchmarkSuggestDirectory(b *testing.B) {
	d, refs := bigDirectory(b)
	s := connection.NewSuggester(d)
	ctx := context.Background()
	warm(b, s, refs)
	i := 0
	before := cpuTime()
	for b.Loop() {
		if _, err := s.Suggest(ctx, worker, refs[i%len(refs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	// The process's CPU time (user and system), which other work on a
	// shared machine does not inflate as it does the wall clock.
	b.ReportMetric(float64((cpuTime()-before).Microseconds())/1000/float64(i), "cpu-ms/op")
}

// BenchmarkSuggestDirectoryParallel has eight callers at once, as the
// HTTP benchmark does: each one's audit commit makes the others' next
// reads start afresh.
func BenchmarkSuggestDirectoryParallel(b *testing.B) {
	d, refs := bigDirectory(b)
	s := connection.NewSuggester(d)
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
	warm(b, s, refs)
	before := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Suggest(ctx, worker, refs[int(next.Add(1))%len(refs)]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-before).Microseconds())/1000/float64(next.Load()), "cpu-ms/op")
}

// warm makes one call first, which loads the directory's compact rows:
// once per server and directory change, not per call.
func warm(b *testing.B, s *connection.Suggester, refs []referral.Referral) {
	if _, err := s.Suggest(context.Background(), worker, refs[0]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
}

func cpuTime() time.Duration {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
