package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"oikos"
	"oikos/internal/db"
)

// Sign-in attempts (a password, or a second-factor code) are rationed per
// account and per client. Each is reserved in the database before anything
// is checked, by one statement that counts it and refuses it when the
// ration is spent: however many arrive at once, at most accountAttemptLimit
// wrong answers are checked per account in any attemptWindow. No
// transaction is open while argon2id runs, and the counts live in the
// database, so several servers on one database share them.
const (
	attemptWindow       = 15 * time.Minute
	accountAttemptLimit = 5
	clientAttemptLimit  = 20
)

// attempts is what the database holds for one key: attempts let through
// and not given back, and when the latest was let through.
type attempts struct {
	N      int
	LastAt time.Time
}

// reserve is the rationing rule that reserveSQL carries out. The count
// starts again only when a whole window has passed since the latest attempt
// let through, so that no window of that length, wherever it starts, holds
// more than limit of them (a fixed window would allow limit at its end and
// limit more at the start of the next). A key at its limit stays locked
// until a window after its last attempt; refused attempts do not extend it.
func reserve(a attempts, now time.Time, limit int) (attempts, bool) {
	if a.LastAt.IsZero() || !now.Before(a.LastAt.Add(attemptWindow)) {
		return attempts{N: 1, LastAt: now}, true
	}
	if a.N >= limit {
		return a, false
	}
	return attempts{N: a.N + 1, LastAt: now}, true
}

// reserveSQL is reserve in one statement, the one that decides: the row
// lock that ON CONFLICT takes on PostgreSQL (and SQLite's single writer)
// makes concurrent reservations of one key wait for each other and see
// each other's counts. No row comes back when the key's ration is spent.
const reserveSQL = `INSERT INTO sign_in_attempts (key, attempts, last_at) VALUES ($1, 1, $2)
	ON CONFLICT (key) DO UPDATE SET
		attempts = CASE WHEN sign_in_attempts.last_at <= $3 THEN 1 ELSE sign_in_attempts.attempts + 1 END,
		last_at = $2
	WHERE sign_in_attempts.last_at <= $3 OR sign_in_attempts.attempts < $4
	RETURNING attempts`

var errRefused = errors.New("sign-in attempt refused")

// reserveSignIn lets one attempt through on the account and on the client
// and returns the larger count, or refuses when either ration is spent.
// The upserts, in one short transaction, decide: if the client's ration is
// spent, the account's reservation rolls back with it. Call notLocked
// first.
func (s *Store) reserveSignIn(ctx context.Context, accountKey, clientKey string) (int, error) {
	now := s.now()
	limits := map[string]int{accountKey: accountAttemptLimit, clientKey: clientAttemptLimit}
	var most int
	refused := ""
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, key := range []string{accountKey, clientKey} {
			var n int
			err := tx.QueryRowContext(ctx, reserveSQL, key, db.Millis(now), db.Millis(now.Add(-attemptWindow)), limits[key]).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) {
				refused = key
				return errRefused
			}
			if err != nil {
				return err
			}
			most = max(most, n)
		}
		return nil
	})
	if err == errRefused {
		until := now.Add(attemptWindow)
		if held, err := s.attemptsOf(ctx, refused, refused); err == nil {
			until = held[refused].LastAt.Add(attemptWindow)
		}
		return 0, lockedError(until, now)
	}
	return most, err
}

// notLocked refuses, by reading alone, when the account's or the client's
// ration is plainly spent, so that a flood at a locked account queues on
// nothing: on PostgreSQL upserts of one key wait for each other's row lock,
// each holding a pooled connection, and a few hundred of them would leave
// none for anyone else.
func (s *Store) notLocked(ctx context.Context, accountKey, clientKey string) error {
	now := s.now()
	held, err := s.attemptsOf(ctx, accountKey, clientKey)
	if err != nil {
		return err
	}
	for key, a := range held {
		limit := clientAttemptLimit
		if key == accountKey {
			limit = accountAttemptLimit
		}
		if _, ok := reserve(a, now, limit); !ok {
			return lockedError(a.LastAt.Add(attemptWindow), now)
		}
	}
	return nil
}

// attemptsOf reads the counts held for one or two keys.
func (s *Store) attemptsOf(ctx context.Context, key, other string) (map[string]attempts, error) {
	rows, err := s.DB.R().QueryContext(ctx, "SELECT key, attempts, last_at FROM sign_in_attempts WHERE key IN ($1, $2)", key, other)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]attempts{}
	for rows.Next() {
		var k string
		var a attempts
		var last int64
		if err := rows.Scan(&k, &a.N, &last); err != nil {
			return nil, err
		}
		a.LastAt = db.Time(last)
		out[k] = a
	}
	return out, rows.Err()
}

// giveBack returns a reserved attempt that was right, or never checked,
// so that it does not count. Only that one attempt: a success does not
// wipe the wrong guesses before it, or a person signing in would reopen
// the ration to someone guessing at the same time.
func (s *Store) giveBack(ctx context.Context, accountKey, clientKey string) {
	// Best effort, and done even if the caller has gone: failing to give
	// back only leaves the count higher.
	s.DB.Exec(context.WithoutCancel(ctx), "UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key IN ($1, $2) AND attempts > 0",
		accountKey, clientKey)
}

// deleteOldAttempts forgets keys whose window has passed.
func (s *Store) deleteOldAttempts(ctx context.Context) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM sign_in_attempts WHERE last_at <= $1", db.Millis(s.now().Add(-attemptWindow)))
	return err
}

// failureDelay is how long to hold a wrong answer: long enough to make
// guessing slow, short enough that a person who mistyped barely notices.
func failureDelay(attempts int) time.Duration {
	d := time.Duration(attempts) * 250 * time.Millisecond
	return min(d, 2*time.Second)
}

func lockedError(until, now time.Time) error {
	mins := int(until.Sub(now).Minutes()) + 1
	return &oikos.Error{Code: oikos.ELOCKED, RetryAfter: until.Sub(now),
		Message: fmt.Sprintf("Too many failed attempts to sign in. For your security, wait %d minutes and try again.", mins)}
}

func accountKey(email string) string { return "account:" + NormaliseEmail(email) }
func clientKey(client string) string { return "client:" + ClientGroup(client) }

// ClientGroup is the unit that per-client limits count: an IPv4 address
// itself, and an IPv6 address's /64, the block one household or one
// machine is given, which holds more addresses than any limit could count
// one by one. Anything that is not an address is its own group.
func ClientGroup(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
