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

// reserveSQL is reserve in one statement: the row lock that ON CONFLICT
// takes on PostgreSQL (and SQLite's single writer) makes concurrent
// reservations of one key wait for each other and see each other's counts.
// No row comes back when the key's ration is spent.
const reserveSQL = `INSERT INTO sign_in_attempts (key, attempts, last_at) VALUES ($1, 1, $2)
	ON CONFLICT (key) DO UPDATE SET
		attempts = CASE WHEN sign_in_attempts.last_at <= $3 THEN 1 ELSE sign_in_attempts.attempts + 1 END,
		last_at = $2
	WHERE sign_in_attempts.last_at <= $3 OR sign_in_attempts.attempts < $4
	RETURNING attempts`

// reserveAttempt lets one attempt through for key and returns how many
// are now counted, or refuses with the lock's end.
func (s *Store) reserveAttempt(ctx context.Context, key string, limit int, now time.Time) (int, error) {
	var n int
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, reserveSQL, key, db.Millis(now), db.Millis(now.Add(-attemptWindow)), limit).Scan(&n)
	})
	if errors.Is(err, sql.ErrNoRows) {
		var last int64
		if err := s.DB.R().QueryRowContext(ctx, "SELECT last_at FROM sign_in_attempts WHERE key = $1", key).Scan(&last); err != nil {
			last = db.Millis(now)
		}
		return 0, lockedError(db.Time(last).Add(attemptWindow), now)
	}
	return n, err
}

// giveBack returns a reserved attempt that was right, or never checked,
// so that it does not count against the key. Only that one attempt: a
// success does not wipe the wrong guesses before it, or a person signing
// in would reopen the ration to someone guessing at the same time.
func (s *Store) giveBack(ctx context.Context, keys ...string) {
	for _, k := range keys {
		// Best effort: failing to give back only leaves the count higher.
		s.DB.Exec(context.WithoutCancel(ctx), "UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0", k)
	}
}

// reserveSignIn reserves one attempt on the account and one on the client,
// returning the larger count, or refuses when either is spent.
func (s *Store) reserveSignIn(ctx context.Context, accountKey, clientKey string) (int, error) {
	now := s.now()
	na, err := s.reserveAttempt(ctx, accountKey, accountAttemptLimit, now)
	if err != nil {
		return 0, err
	}
	nc, err := s.reserveAttempt(ctx, clientKey, clientAttemptLimit, now)
	if err != nil {
		s.giveBack(ctx, accountKey)
		return 0, err
	}
	return max(na, nc), nil
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
	return &oikos.Error{Code: oikos.ELOCKED,
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
