// Package db opens Oikos's store (embedded SQLite or PostgreSQL), applies the
// embedded schema migrations, and offers the small helpers every domain
// package uses: transactions, ids, timestamps, and the SQL the two
// databases write differently (methods of Dialect).
package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// DB is an open store. SQLite allows one writer at a time, so writes go through
// a pool of one connection whose transactions begin IMMEDIATE (no upgrade
// deadlocks), while reads use a separate pool. On PostgreSQL both are the same.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	url     string
	// writeTxs counts the write transactions begun, for tests that measure
	// what a request writes.
	writeTxs atomic.Int64
}

// DefaultURL is used when neither --db nor OIKOS_DB is given.
const DefaultURL = "sqlite:oikos.db"

// Open connects to the database named by rawURL: "sqlite:PATH" or
// "postgres://…". It does not migrate; call Migrate for that.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"), rawURL)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	default:
		return nil, fmt.Errorf("database URL %q: want sqlite:PATH or postgres://…", rawURL)
	}
}

func sqliteDSN(path string, extra ...string) string {
	params := []string{
		// busy_timeout first: switching a new file to WAL needs a lock
		// another process may hold.
		"_pragma=busy_timeout(10000)",
		"_pragma=journal_mode(WAL)",
		"_pragma=foreign_keys(1)",
		// FULL: a commit returns only once the WAL is on disk. NORMAL would
		// lose the last referrals and audit entries on a power cut.
		"_pragma=synchronous(FULL)",
	}
	params = append(params, extra...)
	return "file:" + path + "?" + strings.Join(params, "&")
}

func openSQLite(ctx context.Context, path, rawURL string) (*DB, error) {
	if path == "" {
		return nil, errors.New("database URL sqlite: needs a file path, as in sqlite:oikos.db")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database path %q may not contain ? or #", path)
	}
	path = (&url.URL{Path: path}).EscapedPath()
	write, err := sql.Open("sqlite", sqliteDSN(path, "_txlock=immediate"))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	// Reads map the file (256 MB at most) instead of copying pages into a
	// 2 MB cache per connection with a read() call each: a search that
	// touches thousands of rows otherwise spends most of its time in
	// system calls.
	read, err := sql.Open("sqlite", sqliteDSN(path, "_pragma=query_only(1)", "_pragma=mmap_size(268435456)"))
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return &DB{Dialect: SQLite, write: write, read: read, url: rawURL}, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	pool, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres database: %w", err)
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{Dialect: Postgres, write: pool, read: pool, url: rawURL}, nil
}

// URL is the address the DB was opened with.
func (d *DB) URL() string { return d.url }

// Close closes every connection.
func (d *DB) Close() error {
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.read.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return d.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Stats reports the connection pools, for metrics.
func (d *DB) Stats() (write, read sql.DBStats) { return d.write.Stats(), d.read.Stats() }

// Querier is what both *sql.DB and *sql.Tx offer; domain code takes it so a
// function works inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// R is the pool for reads that need no transaction.
func (d *DB) R() Querier { return d.read }

// Strings reads a query's one text column, in order.
func Strings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ReadTx runs fn in a read-only transaction on the read pool, for reads
// that need session settings (SET LOCAL) or a consistent snapshot.
func (d *DB) ReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: d.Dialect.readOnlyTx()})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Tx runs fn in a write transaction, committing when fn returns nil and rolling
// back otherwise, so nothing is ever half-written.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	d.writeTxs.Add(1)
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// WriteTxs is how many write transactions Tx has begun on d.
func (d *DB) WriteTxs() int64 { return d.writeTxs.Load() }

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random, unguessable id with a short prefix saying what it
// names, as in "org_k3x…". Random ids leak no counts and need no sequence.
func NewID(prefix string) string {
	var b [10]byte
	rand.Read(b[:])
	return prefix + "_" + idEncoding.EncodeToString(b[:])
}

// Rows is the VALUES list of a multi-row INSERT: rows groups of cols
// numbered placeholders, "($1, $2), ($3, $4)", so that one statement writes
// a whole batch.
func Rows(rows, cols int) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", r*cols+c+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Rows is Rows for the dialect: on SQLite, plain ? placeholders. SQLite
// looks a numbered placeholder ($N) up in a list as it parses, time that
// grows with the square of their number: a 500-row batch of 9 columns spent
// most of its time there, where ? costs nothing.
func (d Dialect) Rows(rows, cols int) string {
	if d != SQLite || rows <= 0 || cols <= 0 {
		return Rows(rows, cols)
	}
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	return strings.Repeat(row+", ", rows-1) + row
}

// Millis stores a time: every timestamp column is BIGINT Unix milliseconds
// (UTC), which compares and sorts the same way on both databases.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// Time reads a Millis value back.
func Time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either database.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// ErrNotFound is returned by lookups that match no row.
var ErrNotFound = errors.New("not found")

// NotFound maps sql.ErrNoRows to ErrNotFound and leaves other errors alone.
func NotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Prepare readies a statement on the write connection, for a hot path to
// run in many transactions (tx.StmtContext) without parsing it each time.
// Call it outside Tx: on SQLite the one write connection is Tx's until it
// returns.
func (d *DB) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return d.write.PrepareContext(ctx, query)
}

// Exec runs one statement outside any transaction, on the write connection.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.write.ExecContext(ctx, query, args...)
}
