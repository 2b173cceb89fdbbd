package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// sharedDir holds the migrations both dialects run as written. A version
// lives either there or in each dialect's own folder (where the SQL
// differs, or where only one dialect needs the change), never both, so a
// script is kept once wherever the two databases agree.
const sharedDir = "shared"

// Migrations lists the embedded migrations for a dialect in version order.
// Files are named NNNN_name.sql, under migrations/shared/ when both
// dialects run the same script and under migrations/<dialect>/ otherwise.
func Migrations(d Dialect) ([]Migration, error) {
	shared, err := readMigrations(sharedDir)
	if err != nil {
		return nil, err
	}
	own, err := readMigrations(string(d))
	if err != nil {
		return nil, err
	}
	out := append(shared, own...)
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two %s migrations numbered %d (a version is in migrations/shared or in each dialect's folder, not both)", d, out[i].Version)
		}
	}
	return out, nil
}

// readMigrations reads the scripts of one folder under migrations/.
func readMigrations(folder string) ([]Migration, error) {
	dir := path.Join("migrations", folder)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s/%s: want NNNN_name.sql", folder, name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(body)})
	}
	return out, nil
}

// migrationLockKey is the PostgreSQL advisory lock that serialises migrators.
const migrationLockKey = 7_140_000_001

// Migrate brings the schema up to date. It is safe to run twice and from two
// processes at once: PostgreSQL migrators queue on an advisory lock, SQLite
// ones on the database's single write lock (BEGIN IMMEDIATE). It returns the
// versions it applied.
func (d *DB) Migrate(ctx context.Context) ([]int, error) {
	all, err := Migrations(d.Dialect)
	if err != nil {
		return nil, err
	}
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	unlock, err := d.Dialect.lockSession(ctx, conn, migrationLockKey)
	if err != nil {
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	defer unlock()

	// The write pool begins transactions IMMEDIATE on SQLite, so a second
	// migrator waits here until the first has committed.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var done []int
	for _, m := range all {
		if applied[m.Version] {
			continue
		}
		if err := execScript(ctx, tx, m.SQL); err != nil {
			return nil, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.Version, m.Name, Millis(time.Now())); err != nil {
			return nil, err
		}
		done = append(done, m.Version)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit migrations: %w", err)
	}
	return done, nil
}

// execScript runs a migration file. Statements are separated by a line
// holding only "-- ;" so that trigger bodies may contain semicolons.
func execScript(ctx context.Context, tx *sql.Tx, script string) error {
	for _, stmt := range strings.Split(script, "\n-- ;\n") {
		if strings.TrimSpace(stripComments(stmt)) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w\nin statement:\n%s", err, strings.TrimSpace(stmt))
		}
	}
	return nil
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// SchemaVersion is the highest applied migration, or 0 on an empty database.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := d.read.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}
