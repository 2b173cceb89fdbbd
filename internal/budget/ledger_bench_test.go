package budget_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// BenchmarkLedgerCSV streams a national year of the finance ledger (a
// million entries across 10,000 budgets; OIKOS_LEDGER_ROWS to change it)
// as CSV, on each database, and reports rows a second and the largest
// heap seen while it ran: the ledger must go out in constant memory.
//
//	go test -run XXX -bench LedgerCSV -benchtime 3x ./internal/budget/
func BenchmarkLedgerCSV(b *testing.B) {
	rows := 1_000_000
	if v := os.Getenv("OIKOS_LEDGER_ROWS"); v != "" {
		rows, _ = strconv.Atoi(v)
	}
	for _, side := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(side.name, func(b *testing.B) {
			d := side.open(b)
			w := newWorld(b, d)
			began := time.Now()
			fillLedger(b, d, rows)
			b.Logf("%d entries written in %s", rows, time.Since(began).Round(time.Millisecond))
			ctx := context.Background()
			// The whole year filled, as whole months (the default period,
			// twelve calendar months, would leave out its first weeks).
			from := time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			b.ResetTimer()
			var cpu time.Duration
			for range b.N {
				peak := watchHeap()
				before := cpuTime()
				var out countingWriter
				if err := w.store.WriteLedgerCSV(ctx, manager, actor(manager), from, "", &out); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - before
				top := peak()
				if out.lines.Load() != int64(rows)+1 {
					b.Fatalf("%d lines, want %d", out.lines.Load(), rows+1)
				}
				b.ReportMetric(float64(top-base.HeapInuse)/(1<<20), "peak-heap-MB")
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			// The process's own CPU time per run: on a shared machine the
			// wall clock says more about the neighbours.
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// countingWriter throws the CSV away, counting its lines.
type countingWriter struct{ lines atomic.Int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	var n int64
	for _, ch := range p {
		if ch == '\n' {
			n++
		}
	}
	c.lines.Add(n)
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// watchHeap samples the heap until the returned function is called, which
// gives the largest seen.
func watchHeap() func() uint64 {
	var top uint64
	var mu sync.Mutex
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			mu.Lock()
			top = max(top, m.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return top
	}
}

// fillLedger writes rows entries to 10,000 budgets of the first scheme
// over the last year, many rows per statement.
func fillLedger(b *testing.B, d *db.DB, rows int) {
	b.Helper()
	ctx := context.Background()
	const budgets = 10_000
	now := time.Now()
	ms := db.Millis(now)
	write := func(table string, cols []string, n int, row func(i int) []any) {
		defer func(t time.Time) { b.Logf("%s: %s", table, time.Since(t)) }(time.Now())
		// Small statements: binding thousands of parameters to one is slow
		// in the SQLite driver.
		per := 50
		for start := 0; start < n; start += per * 400 {
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				for s := start; s < min(n, start+per*400); s += per {
					k := min(per, n-s)
					args := make([]any, 0, k*len(cols))
					for i := s; i < s+k; i++ {
						args = append(args, row(i)...)
					}
					q := "INSERT INTO " + table + " (" + join(cols) + ") VALUES " + db.Rows(k, len(cols))
					if _, err := tx.ExecContext(ctx, q, args...); err != nil {
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
	write("people", []string{"id", "given_name", "family_name", "date_of_birth", "created_at", "updated_at"}, budgets, func(i int) []any {
		return []any{fmt.Sprintf("per_b%d", i), "Bench", "Person", "1960-01-01", ms, ms}
	})
	write("referrals", []string{"id", "reference", "person_id", "status", "source_type", "consent_given", "consent_share", "consent_by", "consent_at",
		"assigned_to", "received_at", "updated_at", "scheme_id"}, budgets, func(i int) []any {
		return []any{fmt.Sprintf("ref_b%d", i), fmt.Sprintf("R-B%06d", i), fmt.Sprintf("per_b%d", i), "active", "gp", true, true, "bench", ms, "usr_lee", ms, ms, "org_s1"}
	})
	perBudget := rows/budgets + 1
	write("budgets", []string{"referral_id", "allowance_pence", "spent_pence", "entries", "purpose", "created_at", "updated_at", "updated_by"}, budgets, func(i int) []any {
		return []any{fmt.Sprintf("ref_b%d", i), int64(perBudget) * 10_000, int64(perBudget-1) * 1_000, perBudget, "Courses", ms, ms, "usr_lee"}
	})
	year := now.AddDate(-1, 0, 2).UnixMilli()
	span := ms - year
	write("budget_entries", []string{"id", "referral_id", "position", "scheme_id", "kind", "amount_pence", "status", "supplier", "description",
		"on_date", "by_user", "created_at"}, rows, func(i int) []any {
		budget, position := i%budgets, i/budgets+1
		kind, amount := "purchase", int64(1_000)
		if position == 1 {
			kind, amount = "allocation", int64(perBudget)*10_000
		}
		at := year + int64(i)*span/int64(rows)
		return []any{fmt.Sprintf("bud_b%08d", i), fmt.Sprintf("ref_b%d", budget), position, "org_s1", kind, amount, "approved",
			"Clay Studio CIC", "Pottery course, ten weeks", time.UnixMilli(at).Format("2006-01-02"), "usr_lee", at}
	})
	if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

func join(cols []string) string {
	out := ""
	for i, c := range cols {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}
