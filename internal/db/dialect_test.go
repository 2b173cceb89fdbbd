package db_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func TestDialectSQL(t *testing.T) {
	for _, c := range []struct {
		what             string
		sqlite, postgres string
		of               func(db.Dialect) string
	}{
		{"ForUpdate", "", " FOR UPDATE", db.Dialect.ForUpdate},
		{"ForUpdateOf one table", "", " FOR UPDATE OF c",
			func(d db.Dialect) string { return d.ForUpdateOf("c") }},
		{"ForUpdateOf two tables", "", " FOR UPDATE OF c, r",
			func(d db.Dialect) string { return d.ForUpdateOf("c", "r") }},
		{"ForUpdateSkipLocked", "", " FOR UPDATE SKIP LOCKED", db.Dialect.ForUpdateSkipLocked},
		{"Placeholder 1", "?", "$1", func(d db.Dialect) string { return d.Placeholder(1) }},
		{"Placeholder 12", "?", "$12", func(d db.Dialect) string { return d.Placeholder(12) }},
		{"CountDistinct",
			"SELECT COUNT(DISTINCT a) FROM t WHERE x = $1 OR y = $2",
			"SELECT COUNT(*) FROM (SELECT a FROM t WHERE (x = $1 OR y = $2) AND a IS NOT NULL GROUP BY a) distinct_values",
			func(d db.Dialect) string { return d.CountDistinct("a", "t", "x = $1 OR y = $2") }},
		{"InProcess", "true", "false", func(d db.Dialect) string {
			if d.InProcess() {
				return "true"
			}
			return "false"
		}},
	} {
		if got := c.of(db.SQLite); got != c.sqlite {
			t.Errorf("%s on SQLite = %q, want %q", c.what, got, c.sqlite)
		}
		if got := c.of(db.Postgres); got != c.postgres {
			t.Errorf("%s on PostgreSQL = %q, want %q", c.what, got, c.postgres)
		}
	}
}

// TestDialectStatements runs what the methods write on each database: the
// statements are valid there and do what they say.
func TestDialectStatements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dl := d.Dialect
		if _, err := d.Exec(ctx, "CREATE TABLE dialect_t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)"); err != nil {
			t.Fatal(err)
		}
		// Placeholders in order, as a multi-row insert writes them.
		insert := "INSERT INTO dialect_t (id, a, b) VALUES "
		var args []any
		for i, row := range [][]any{{1, "x", "p"}, {2, "x", "p"}, {3, "y", "q"}, {4, nil, "q"}} {
			if i > 0 {
				insert += ", "
			}
			insert += "(" + dl.Placeholder(len(args)+1) + ", " + dl.Placeholder(len(args)+2) + ", " + dl.Placeholder(len(args)+3) + ")"
			args = append(args, row...)
		}
		if _, err := d.Exec(ctx, insert, args...); err != nil {
			t.Fatalf("%s: %v", insert, err)
		}
		// Distinct non-null values, with a condition holding an OR.
		var n int
		if err := d.R().QueryRowContext(ctx, dl.CountDistinct("a", "dialect_t", "b = $1 OR b = $2"), "p", "q").Scan(&n); err != nil || n != 2 {
			t.Fatalf("CountDistinct = %d, %v; want 2", n, err)
		}
		if err := d.R().QueryRowContext(ctx, dl.CountDistinct("a", "dialect_t", "b = $1"), "q").Scan(&n); err != nil || n != 1 {
			t.Fatalf("CountDistinct of q = %d, %v; want 1", n, err)
		}

		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var id int
			for _, q := range []string{
				"SELECT id FROM dialect_t WHERE id = 1" + dl.ForUpdate(),
				"SELECT c.id FROM dialect_t c JOIN dialect_t r ON r.id = c.id WHERE c.id = 1" + dl.ForUpdateOf("c"),
				"SELECT id FROM dialect_t WHERE id = 1 LIMIT 1" + dl.ForUpdateSkipLocked(),
			} {
				if err := tx.QueryRowContext(ctx, q).Scan(&id); err != nil || id != 1 {
					return errors.New(q + ": " + errString(err))
				}
			}
			if err := dl.LockTx(ctx, tx, 7_140_000_999); err != nil {
				return err
			}
			if err := dl.SetLocal(ctx, tx, "work_mem", "64MB"); err != nil {
				return err
			}
			if dl != db.Postgres {
				return nil // one writer at a time: nothing to contend with
			}
			var mem string
			if err := tx.QueryRowContext(ctx, "SHOW work_mem").Scan(&mem); err != nil || mem != "64MB" {
				return errors.New("work_mem in the transaction: " + mem + " " + errString(err))
			}
			// A second transaction, while this one holds row 1 and the
			// advisory lock, waits for each (here: gives up after 200 ms)
			// and skips row 1 when told to.
			return d.Tx(ctx, func(other *sql.Tx) error {
				if err := dl.SetLocal(ctx, other, "lock_timeout", "200ms"); err != nil {
					return err
				}
				var first int
				if err := other.QueryRowContext(ctx, "SELECT id FROM dialect_t ORDER BY id LIMIT 1"+dl.ForUpdateSkipLocked()).Scan(&first); err != nil || first != 2 {
					return errors.New("skip locked found " + errString(err))
				}
				for what, try := range map[string]func() error{
					"ForUpdate": func() error {
						return other.QueryRowContext(ctx, "SELECT id FROM dialect_t WHERE id = 1"+dl.ForUpdate()).Scan(&first)
					},
					"LockTx": func() error { return dl.LockTx(ctx, other, 7_140_000_999) },
				} {
					// Savepoints keep the transaction usable after a timeout.
					if _, err := other.ExecContext(ctx, "SAVEPOINT try"); err != nil {
						return err
					}
					if err := try(); err == nil || !strings.Contains(err.Error(), "55P03") {
						return errors.New(what + " did not wait for the first transaction: " + errString(err))
					}
					if _, err := other.ExecContext(ctx, "ROLLBACK TO SAVEPOINT try"); err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if dl == db.Postgres {
			// SET LOCAL ends with its transaction.
			var mem string
			if err := d.R().QueryRowContext(ctx, "SHOW work_mem").Scan(&mem); err != nil || mem == "64MB" {
				t.Fatalf("work_mem after the transaction: %s %v", mem, err)
			}
		}
	})
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
