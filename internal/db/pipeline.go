package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pipelined runs fn with one PostgreSQL connection of the pool as pgx
// sees it, for a write transaction whose statements fn sends in batches
// (pgx.Batch: several statements, one round trip), which database/sql
// cannot do. On a busy machine each round trip waits for the server
// process to be scheduled and then for this one; a read that must be
// audited as it is answered otherwise takes six of them (the read, begin,
// the audit chain's lock, its tail, the entries, commit).
//
// fn begins and ends the transaction itself (BEGIN and COMMIT among its
// statements). Should it return with the transaction still open (it
// failed midway), the transaction is rolled back here; a connection that
// cannot be rolled back is closed rather than reused (pgx's database/sql
// driver refuses to hand out a connection inside a transaction). It
// counts as a write transaction (WriteTxs). PostgreSQL only.
func (d *DB) Pipelined(ctx context.Context, fn func(c *pgx.Conn) error) error {
	if d.Dialect != Postgres {
		return errors.New("pipelined transactions need PostgreSQL")
	}
	d.writeTxs.Add(1)
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) (err error) {
		sc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipelined transactions need the pgx driver, not %T", driverConn)
		}
		c := sc.Conn()
		defer func() {
			p := recover()
			if c.PgConn().TxStatus() != 'I' && !c.IsClosed() {
				// Not the caller's context: a cancelled request must
				// still leave the connection clean.
				if _, rbErr := c.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
					c.Close(context.WithoutCancel(ctx))
				}
			}
			if p != nil {
				panic(p)
			}
		}()
		return fn(c)
	})
}
