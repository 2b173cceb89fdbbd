package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Dialect names the SQL flavour behind a DB. Where the two databases need
// different SQL for the same thing, a method here says it once, so domain
// code writes q + d.ForUpdate() rather than testing which database it is.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ForUpdate ends a SELECT that reads rows a transaction is about to change,
// holding them until it ends so that two changes of the same thing queue
// up rather than overwrite each other. SQLite needs no clause: a write
// transaction there holds the database's one write lock from its start
// (BEGIN IMMEDIATE).
func (d Dialect) ForUpdate() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ForUpdateOf is ForUpdate for a join, holding only the rows of the named
// tables (as the query names them) and not those it merely reads beside.
func (d Dialect) ForUpdateOf(tables ...string) string {
	if d == Postgres {
		return " FOR UPDATE OF " + strings.Join(tables, ", ")
	}
	return ""
}

// ForUpdateSkipLocked is ForUpdate for workers taking jobs from a queue:
// rows another transaction holds are passed over, not waited for.
func (d Dialect) ForUpdateSkipLocked() string {
	if d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// LockTx takes the advisory lock key inside transaction q until it ends,
// for work that must run one transaction at a time without a row to lock
// (appending to a hash chain). SQLite's write transactions already run
// one at a time, so there it does nothing.
func (d Dialect) LockTx(ctx context.Context, q Querier, key int64) error {
	if d != Postgres {
		return nil
	}
	_, err := q.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", key)
	return err
}

// SetLocal changes a PostgreSQL setting (work_mem, say) for transaction q
// only, as SET LOCAL does. SQLite has no such settings; there it does
// nothing.
func (d Dialect) SetLocal(ctx context.Context, q Querier, name, value string) error {
	if d != Postgres {
		return nil
	}
	_, err := q.ExecContext(ctx, "SELECT set_config($1, $2, true)", name, value)
	return err
}

// Placeholder is the nth (from 1) parameter of a statement whose
// parameters appear in order. SQLite looks numbered names ($n) up one by
// one, in time quadratic in their number, so a statement with thousands
// of them uses anonymous ones there.
func (d Dialect) Placeholder(n int) string {
	if d == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(n)
}

// CountDistinct is a query counting the distinct non-null values of column
// among table's rows where where holds. PostgreSQL sorts for
// COUNT(DISTINCT), comparing text by collation (over a second for a year
// of ids at national scale), where grouping hashes them; SQLite's
// COUNT(DISTINCT) is quicker than its grouping, which sorts.
func (d Dialect) CountDistinct(column, table, where string) string {
	if d == Postgres {
		return fmt.Sprintf("SELECT COUNT(*) FROM (SELECT %[1]s FROM %[2]s WHERE (%[3]s) AND %[1]s IS NOT NULL GROUP BY %[1]s) distinct_values",
			column, table, where)
	}
	return fmt.Sprintf("SELECT COUNT(DISTINCT %s) FROM %s WHERE %s", column, table, where)
}

// InProcess reports whether the database engine runs inside this process
// (SQLite, here in Go), so that its queries spend this process's CPUs;
// PostgreSQL works in processes of its own.
func (d Dialect) InProcess() bool { return d == SQLite }

// readOnlyTx reports whether read transactions can be marked read-only:
// PostgreSQL then refuses a write by mistake; the SQLite driver has no
// read-only transactions (its read pool is query_only instead).
func (d Dialect) readOnlyTx() bool { return d == Postgres }

// lockSession takes the advisory lock key on conn until unlock is called,
// across transactions (migrations queue on it). SQLite's migrators queue
// on its write lock instead, so there it does nothing.
func (d Dialect) lockSession(ctx context.Context, conn Querier, key int64) (unlock func(), err error) {
	if d != Postgres {
		return func() {}, nil
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return nil, err
	}
	return func() { conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key) }, nil
}
