package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"oikos/internal/db"
)

// Rows is a result read row by row, as database/sql and pgx both give it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ReadAndRecord runs query, a read of personal data, hands its rows to
// read, and appends the events read returns (what was shown, one entry a
// person) to the log; it returns only once they are durably committed, so
// nothing read reaches anyone unrecorded.
//
// On PostgreSQL the read and its entries are one transaction sent in two
// round trips: BEGIN, the read, the chain's lock and its tail in the
// first; the entries and COMMIT in the second (db.Pipelined). Done
// statement by statement it took six, and on a busy machine each round
// trip, not the statements, is what a search costs. The read runs before
// the lock is taken, so the lock is held no longer than before. The read
// is planned once per connection and statement and the plan kept (a
// generic plan: plan_cache_mode, for this transaction only), so query
// must be one whose best plan does not depend on the values it is given,
// such as a page of an index read in order: the people search took two
// to ten times as long to plan afresh for each search (0.7 ms and more
// on a busy machine) as to run (0.2 ms).
//
// On SQLite, in this process, a round trip costs nothing; the read runs
// on the read pool (not holding the one writer while it reads) and the
// entries are appended after it in a transaction of their own.
func ReadAndRecord(ctx context.Context, d *db.DB, query string, args []any, read func(Rows) ([]Event, error)) error {
	if d.Dialect == db.Postgres {
		return readAndRecordPipelined(ctx, d, query, args, read)
	}
	rows, err := d.R().QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	events, err := read(rows)
	if err == nil {
		err = rows.Err()
	}
	rows.Close()
	if err != nil || len(events) == 0 {
		return err
	}
	return d.Tx(ctx, func(tx *sql.Tx) error { return AppendAll(ctx, tx, d.Dialect, events) })
}

// RecordAll appends events to the log in a transaction of their own, for
// reads that change nothing else (a list shown, a record opened): on
// PostgreSQL in two round trips (BEGIN, the lock and the tail; the
// entries and COMMIT) rather than five.
func RecordAll(ctx context.Context, d *db.DB, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if d.Dialect == db.Postgres {
		return readAndRecordPipelined(ctx, d, "", nil, func(Rows) ([]Event, error) { return events, nil })
	}
	return d.Tx(ctx, func(tx *sql.Tx) error { return AppendAll(ctx, tx, d.Dialect, events) })
}

// readAndRecordPipelined is ReadAndRecord on PostgreSQL; with no query,
// read is called with no rows and gives the events to append.
func readAndRecordPipelined(ctx context.Context, d *db.DB, query string, args []any, read func(Rows) ([]Event, error)) error {
	return d.Pipelined(ctx, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		if query != "" {
			b.Queue("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
			b.Queue(query, args...)
		}
		// As AppendAll: the lock, then the tail read in a statement of
		// its own, so that its snapshot is taken once the lock is held.
		b.Queue("SELECT pg_advisory_xact_lock($1)", int64(chainLockKey))
		b.Queue("SELECT hash, mac FROM audit_log ORDER BY id DESC LIMIT 1")
		br := c.SendBatch(ctx, b)
		events, prev, tailSeal, err := readBatch(br, query != "", read)
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		k := currentKey()
		if k == nil && tailSeal != "" {
			return ErrSealedWithoutKey
		}
		b = &pgx.Batch{}
		inserts := link(d.Dialect, prev, k, events)
		for _, ins := range inserts {
			b.Queue(ins.sql, ins.args...)
		}
		// With nothing to record, nothing is kept: a rollback, which
		// never waits for the disk.
		end := "COMMIT"
		if len(inserts) == 0 {
			end = "ROLLBACK"
		}
		b.Queue(end)
		br = c.SendBatch(ctx, b)
		for range inserts {
			if _, err = br.Exec(); err != nil {
				err = fmt.Errorf("audit append: %w", err)
				break
			}
		}
		if err == nil {
			if _, err = br.Exec(); err != nil {
				err = fmt.Errorf("%s: %w", strings.ToLower(end), err)
			}
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// readBatch takes the first batch's answers: the transaction begun, the
// plan cache's mode set, the read's rows and the events they make, the lock, and the chain's tail.
func readBatch(br pgx.BatchResults, hasRead bool, read func(Rows) ([]Event, error)) (events []Event, prev, tailSeal string, err error) {
	if _, err = br.Exec(); err != nil {
		return nil, "", "", fmt.Errorf("begin transaction: %w", err)
	}
	if !hasRead {
		events, _ = read(nil)
	} else {
		if _, err = br.Exec(); err != nil { // the plan cache's mode
			return nil, "", "", err
		}
		rows, err := br.Query()
		if err != nil {
			return nil, "", "", err
		}
		events, err = read(rows)
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
		if err != nil {
			return nil, "", "", err
		}
	}
	if _, err = br.Exec(); err != nil {
		return nil, "", "", fmt.Errorf("audit lock: %w", err)
	}
	prev = genesis
	if err = br.QueryRow().Scan(&prev, &tailSeal); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, "", "", fmt.Errorf("audit tail: %w", err)
	}
	return events, prev, tailSeal, nil
}
