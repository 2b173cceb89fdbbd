package audit_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// readPeople is a read of three "people" (ids in a VALUES list, less the
// one excluded), recording each as read.
func readPeople(ctx context.Context, d *db.DB, exclude string, got *[]string) error {
	*got = nil
	return audit.ReadAndRecord(ctx, d, "SELECT column1 FROM (VALUES ('per_1'), ('per_2'), ('per_3')) AS t WHERE column1 <> $1 ORDER BY column1",
		[]any{exclude}, func(rows audit.Rows) ([]audit.Event, error) {
			var events []audit.Event
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return nil, err
				}
				*got = append(*got, id)
				events = append(events, audit.Event{ActorID: "usr_a", Action: audit.Read, ObjectKind: "person", ObjectID: id, Client: "127.0.0.1"})
			}
			return events, nil
		})
}

func countEntries(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReadAndRecord: a read and its audit entries, in the chain after
// what came before and before what comes after, sealed when a key is set;
// a read that fails, or finds nothing, records nothing and leaves the
// database as usable as before.
func TestReadAndRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		appendN(t, d, 2)
		var got []string
		if err := readPeople(ctx, d, "per_2", &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != "per_1" || got[1] != "per_3" {
			t.Fatalf("read %v, want per_1 and per_3", got)
		}
		if e, err := audit.ForObject(ctx, d.R(), "person", "per_3", 10); err != nil || len(e) != 1 || e[0].Action != audit.Read || e[0].ID != 4 {
			t.Errorf("per_3: entries %+v, %v; want one read, after per_1's", e, err)
		}
		// Found nobody: nothing recorded.
		if err := audit.ReadAndRecord(ctx, d, "SELECT column1 FROM (VALUES ('per_1')) AS t WHERE column1 = $1", []any{"per_9"},
			func(rows audit.Rows) ([]audit.Event, error) {
				if rows.Next() {
					t.Error("a row where none fits")
				}
				return nil, nil
			}); err != nil {
			t.Fatal(err)
		}
		if n := countEntries(t, d); n != 4 {
			t.Fatalf("%d entries, want 4", n)
		}
		// A read that fails, by its SQL or its reader, records nothing;
		// on PostgreSQL its transaction is rolled back and the connection
		// is fit for the next (the pool has them all in turn).
		bad := errors.New("the reader gave up")
		for range 30 {
			if err := audit.ReadAndRecord(ctx, d, "SELECT no_such_column FROM audit_log", nil, func(audit.Rows) ([]audit.Event, error) {
				return []audit.Event{{ActorID: "usr_a", Action: audit.Read, ObjectKind: "person", ObjectID: "per_x"}}, nil
			}); err == nil {
				t.Fatal("a read of a column that does not exist succeeded")
			}
			err := audit.ReadAndRecord(ctx, d, "SELECT column1 FROM (VALUES ('per_1')) AS t WHERE column1 <> $1", []any{""},
				func(audit.Rows) ([]audit.Event, error) { return nil, bad })
			if !errors.Is(err, bad) {
				t.Fatalf("the reader's error: %v", err)
			}
		}
		if n := countEntries(t, d); n != 4 {
			t.Fatalf("%d entries after failed reads, want 4", n)
		}
		withKey(t, testKey, func() {
			if err := readPeople(ctx, d, "", &got); err != nil {
				t.Fatal(err)
			}
			appendN(t, d, 1)
		})
		if n, err := audit.Verify(ctx, d.R()); err != nil || n != 8 {
			t.Fatalf("checked %d, err %v; want 8 in one chain", n, err)
		}
		var sealed int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE mac <> ''").Scan(&sealed); err != nil || sealed != 4 {
			t.Fatalf("%d sealed entries (%v), want the 4 written with the key", sealed, err)
		}
		// An unsealed read after sealed entries is refused, as any append.
		if err := readPeople(ctx, d, "", &got); !errors.Is(err, audit.ErrSealedWithoutKey) {
			t.Fatalf("an unsealed read after sealed entries: %v", err)
		}
	})
}

// TestConcurrentReadsAndAppendsKeepOneChain: audited reads racing with
// other appends (several requests, several servers) make one chain.
func TestConcurrentReadsAndAppendsKeepOneChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				var got []string
				for range 10 {
					var err error
					if i%2 == 0 {
						err = readPeople(context.Background(), d, "", &got)
					} else {
						err = audit.Record(context.Background(), d, audit.Event{ActorID: "usr_a", Action: audit.Update, ObjectKind: "user", ObjectID: "usr_b"})
					}
					if err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if n, err := audit.Verify(context.Background(), d.R()); err != nil || n != 3*10*3+3*10 {
			t.Fatalf("checked %d, err %v; want 120", n, err)
		}
	})
}
