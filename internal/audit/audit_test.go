package audit_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func appendN(t *testing.T, d *db.DB, n int) {
	t.Helper()
	for i := range n {
		err := audit.Record(context.Background(), d, audit.Event{
			At: time.Date(2026, 11, 23, 9, 0, i, 0, time.UTC), ActorID: "usr_a", Action: audit.Read,
			ObjectKind: "person", ObjectID: "per_1", Client: "127.0.0.1",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// tamper runs SQL with the append-only triggers out of the way, as an
// attacker with direct database access could.
func tamper(t *testing.T, d *db.DB, sql ...string) {
	t.Helper()
	ctx := context.Background()
	var stmts []string
	if d.Dialect == db.SQLite {
		stmts = append([]string{"DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"}, sql...)
	} else {
		stmts = append([]string{"ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"}, sql...)
	}
	for _, s := range stmts {
		if _, err := d.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestChainVerifiesAndDetectsTampering(t *testing.T) {
	cases := []struct {
		name   string
		sql    string
		wantID int64
	}{
		{"changed actor", "UPDATE audit_log SET actor_id = 'usr_b' WHERE id = 3", 3},
		{"removed entry", "DELETE FROM audit_log WHERE id = 2", 3},
		{"changed hash to match content", "UPDATE audit_log SET object_id = 'per_2', hash = 'x' WHERE id = 4", 4},
		{"removed the tail's predecessor", "DELETE FROM audit_log WHERE id = 4", 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				appendN(t, d, 5)
				n, err := audit.Verify(context.Background(), d.R())
				if err != nil || n != 5 {
					t.Fatalf("intact chain: checked %d, err %v", n, err)
				}
				tamper(t, d, tc.sql)
				_, err = audit.Verify(context.Background(), d.R())
				var broken *audit.BrokenError
				if !errors.As(err, &broken) || broken.ID != tc.wantID {
					t.Fatalf("after tampering: %v, want broken at entry %d", err, tc.wantID)
				}
			})
		})
	}
}

func TestLogIsAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		appendN(t, d, 2)
		for _, s := range []string{"UPDATE audit_log SET actor_id = 'x'", "DELETE FROM audit_log"} {
			if _, err := d.Exec(context.Background(), s); err == nil {
				t.Errorf("%s succeeded on the audit log", s)
			}
		}
	})
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					errs <- audit.Record(context.Background(), d, audit.Event{ActorID: "usr_a", Action: audit.Update, ObjectKind: "user", ObjectID: "usr_b"})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := audit.Verify(context.Background(), d.R())
		if err != nil || n != 40 {
			t.Fatalf("checked %d, err %v", n, err)
		}
	})
}
