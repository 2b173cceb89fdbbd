package db_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, dialect)
			if dialect == db.Postgres {
				// The template is already migrated; start from an empty database
				// to see two migrators race.
				url = emptyPostgres(t)
			}
			all, err := db.Migrations(dialect)
			if err != nil || len(all) == 0 {
				t.Fatalf("migrations: %v (%d)", err, len(all))
			}
			var wg sync.WaitGroup
			applied := make([][]int, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d, err := db.Open(ctx, url)
					if err != nil {
						errs[i] = err
						return
					}
					defer d.Close()
					applied[i], errs[i] = d.Migrate(ctx)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := len(applied[0]) + len(applied[1]); got != len(all) {
				t.Fatalf("two concurrent migrators applied %d migrations between them, want %d", got, len(all))
			}
			d, err := db.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			again, err := d.Migrate(ctx)
			if err != nil || len(again) != 0 {
				t.Fatalf("third migrate applied %v, err %v; want nothing", again, err)
			}
			v, err := d.SchemaVersion(ctx)
			if err != nil || v != all[len(all)-1].Version {
				t.Fatalf("schema version %d, %v", v, err)
			}
		})
	}
}

func emptyPostgres(t *testing.T) string {
	t.Helper()
	d := dbtest.Postgres(t)
	name := "empty_" + db.NewID("x")[2:]
	if _, err := d.R().ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u := d.URL()
	// Swap the database name in postgres://app@/NAME?…
	start := len("postgres://app@/")
	end := start
	for end < len(u) && u[end] != '?' {
		end++
	}
	return u[:start] + name + u[end:]
}

func TestTxRollsBackOnError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
				"org_a", "A", "vcse", 1, 1); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v", err)
		}
		var n int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations").Scan(&n); err != nil || n != 0 {
			t.Fatalf("after rollback: %d rows, %v", n, err)
		}
		// Unique violations are recognised on both databases.
		insert := func() error {
			return d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
					db.NewID("org"), "Same", "vcse", 1, 1)
				return err
			})
		}
		if err := insert(); err != nil {
			t.Fatal(err)
		}
		if err := insert(); !db.IsUniqueViolation(err) {
			t.Fatalf("second insert: %v, want unique violation", err)
		}
	})
}

func TestOpenRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "mysql://x", "sqlite:"} {
		if _, err := db.Open(context.Background(), u); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
	}
}
