package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// BenchmarkAppendAll measures one transaction appending a batch, as the
// referral intake's group commit and a list's read record do, without and
// with the audit key.
func BenchmarkAppendAll(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		for _, n := range []int{1, 50, 500} {
			b.Run(fmt.Sprintf("%s/batch=%d", dialect, n), func(b *testing.B) { benchAppend(b, dialect, n) })
			b.Run(fmt.Sprintf("%s/batch=%d/sealed", dialect, n), func(b *testing.B) {
				if err := audit.UseKey(testKey); err != nil {
					b.Fatal(err)
				}
				defer audit.ForgetKey()
				benchAppend(b, dialect, n)
			})
		}
	}
}

func benchAppend(b *testing.B, dialect db.Dialect, n int) {
	var d *db.DB
	if dialect == db.SQLite {
		d = dbtest.SQLite(b)
	} else {
		d = dbtest.Postgres(b)
	}
	events := make([]audit.Event, n)
	for i := range events {
		events[i] = audit.Event{ActorID: "usr_a", Action: audit.Read, ObjectKind: "referral", ObjectID: fmt.Sprintf("ref_%d", i), Client: "127.0.0.1"}
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return audit.AppendAll(ctx, tx, d.Dialect, events) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// BenchmarkSeal is the key's cost on each entry appended.
func BenchmarkSeal(b *testing.B) {
	hash := audit.Hash("", audit.Event{ActorID: "usr_a", Action: audit.Read, ObjectKind: "referral", ObjectID: "ref_1"})
	for b.Loop() {
		audit.Seal(testKey, hash)
	}
}
