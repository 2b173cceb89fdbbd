// Package audit keeps the append-only, hash-chained log of who read or
// changed what. Each entry carries the SHA-256 of the one before it, so a row
// altered, removed or inserted after the fact breaks the chain at that point.
// Two things the chain alone cannot show are closed outside the database: a
// key (UseKey) seals each entry's hash, so a chain recomputed by someone
// without the key shows; and an anchor file (anchor.go) keeps the latest
// (id, hash) where the database cannot rewrite it, so entries cut from the
// end show.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"oikos/internal/db"
)

// Actions recorded in the log.
const (
	Read   = "read"
	Create = "create"
	Update = "update"
	Delete = "delete"
	SignIn = "sign_in"
)

// Event is one thing that happened to one object.
type Event struct {
	At         time.Time
	ActorID    string // user id, or "system", or "anonymous"
	Action     string
	ObjectKind string // "person", "referral", "user", ...
	ObjectID   string
	Client     string // the client address the request came from
}

// Entry is an Event as stored, with its place in the chain.
type Entry struct {
	ID int64
	Event
	PrevHash string
	Hash     string
	// MAC seals Hash with the key (Seal); "" when written without one.
	MAC string
}

// genesis is the previous-hash of the first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// chainLockKey serialises appends on PostgreSQL so that two transactions
// never both extend the same tail. SQLite has one writer already.
const chainLockKey = 7_140_000_002

// Hash computes an entry's hash from its content and the previous hash.
// Fields are length-prefixed so that no two different entries encode alike.
func Hash(prev string, e Event) string {
	h := sha256.New()
	for _, f := range []string{prev, strconv.FormatInt(db.Millis(e.At), 10), e.ActorID, e.Action, e.ObjectKind, e.ObjectID, e.Client} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// key is the process's audit key, set once at start from configuration.
// It lives here rather than being passed to every Append: every store in
// the process appends through this package, and an entry written by one
// that was not handed the key would break the seal.
var key atomic.Pointer[[]byte]

// MinKeyLength is the shortest key UseKey accepts: 32 bytes, as many as
// the hash, so that guessing the key is no easier than forging the hash.
const MinKeyLength = 32

// UseKey sets the key with which this process seals every entry it appends
// from now on. It is configuration (OIKOS_AUDIT_KEY): set it before
// anything is written, and give every process writing to one database the
// same key.
func UseKey(k []byte) error {
	if len(k) < MinKeyLength {
		return fmt.Errorf("the audit key must be at least %d characters (make one with: openssl rand -hex 32)", MinKeyLength)
	}
	k = append([]byte(nil), k...)
	key.Store(&k)
	return nil
}

// ForgetKey turns sealing off: for a run of the program configured
// without a key, after one with (tests run several in one process).
func ForgetKey() { key.Store(nil) }

// Sealing reports whether this process seals its entries.
func Sealing() bool { return currentKey() != nil }

// currentKey is the key set with UseKey, or nil.
func currentKey() []byte {
	if k := key.Load(); k != nil {
		return *k
	}
	return nil
}

// Seal is the MAC of an entry's hash under k: HMAC-SHA256, in hex. The
// hash covers the entry and, through the previous hash, every entry before
// it, so sealing the hash seals the chain up to that entry.
func Seal(k []byte, hash string) string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(hash))
	return hex.EncodeToString(m.Sum(nil))
}

// Append adds e to the log inside tx, so the entry commits or rolls back with
// the change it records.
func Append(ctx context.Context, tx *sql.Tx, d db.Dialect, e Event) error {
	return AppendAll(ctx, tx, d, []Event{e})
}

// maxAppend keeps one INSERT's parameters well inside both databases' limits.
const maxAppend = 500

// AppendAll adds events to the log inside tx, in order, reading the chain's
// tail once and writing them in one statement: for a batch of changes that
// commit together.
func AppendAll(ctx context.Context, tx *sql.Tx, d db.Dialect, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := d.LockTx(ctx, tx, chainLockKey); err != nil {
		return fmt.Errorf("audit lock: %w", err)
	}
	prev, tailSeal := genesis, ""
	err := tx.QueryRowContext(ctx, "SELECT hash, mac FROM audit_log ORDER BY id DESC LIMIT 1").Scan(&prev, &tailSeal)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("audit tail: %w", err)
	}
	k := currentKey()
	if k == nil && tailSeal != "" {
		// An unsealed entry after sealed ones would make every later
		// check fail: refuse the change instead, plainly.
		return ErrSealedWithoutKey
	}
	for _, ins := range link(d, prev, k, events) {
		if _, err := tx.ExecContext(ctx, ins.sql, ins.args...); err != nil {
			return fmt.Errorf("audit append: %w", err)
		}
	}
	return nil
}

// insert is one statement appending a run of entries.
type insert struct {
	sql  string
	args []any
}

// link places events in the chain after the entry whose hash is prev,
// sealing each with k when there is one, and writes the INSERTs that
// append them, in order, at most maxAppend entries each.
func link(d db.Dialect, prev string, k []byte, events []Event) []insert {
	var out []insert
	for len(events) > 0 {
		n := min(len(events), maxAppend)
		args := make([]any, 0, 9*n)
		for _, e := range events[:n] {
			if e.At.IsZero() {
				e.At = time.Now()
			}
			hash, mac := Hash(prev, e), ""
			if k != nil {
				mac = Seal(k, hash)
			}
			args = append(args, db.Millis(e.At), e.ActorID, e.Action, e.ObjectKind, e.ObjectID, e.Client, prev, hash, mac)
			prev = hash
		}
		// Rows get ids in the order of the VALUES list: the chain's order.
		out = append(out, insert{`INSERT INTO audit_log (at, actor_id, action, object_kind, object_id, client, prev_hash, hash, mac)
			VALUES ` + d.Rows(n, 9), args})
		events = events[n:]
	}
	return out
}

// ErrSealedWithoutKey refuses a write to a sealed audit log by a process
// that does not hold the key (a command or server started without
// OIKOS_AUDIT_KEY).
var ErrSealedWithoutKey = errors.New("the audit log is sealed with a key, and this process has none: set OIKOS_AUDIT_KEY (or --audit-key) to the key every server and command on this database uses")

// Record appends e in a transaction of its own: for reads, which change
// nothing else (RecordAll).
func Record(ctx context.Context, d *db.DB, e Event) error {
	return RecordAll(ctx, d, []Event{e})
}

// BrokenError names the first entry where the chain does not hold.
type BrokenError struct {
	ID     int64
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit log entry %d: %s", e.ID, e.Reason)
}

// Verify walks the whole chain in order. It returns how many entries it
// checked and, if the chain is broken, a *BrokenError for the first bad entry.
// It checks the chain alone: Check also checks the seals and anchors.
func Verify(ctx context.Context, q db.Querier) (int, error) {
	r, err := Check(ctx, q, CheckOptions{})
	return r.Entries, err
}

// ForObject lists the entries about one object, newest first.
func ForObject(ctx context.Context, q db.Querier, kind, id string, limit int) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor_id, action, object_kind, object_id, client, prev_hash, hash, mac
		FROM audit_log WHERE object_kind = $1 AND object_id = $2 ORDER BY id DESC LIMIT $3`, kind, id, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.ObjectKind, &e.ObjectID, &e.Client, &e.PrevHash, &e.Hash, &e.MAC); err != nil {
			return nil, err
		}
		e.At = db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ClientAddress trims a remote address to its host, the part worth keeping.
func ClientAddress(remote string) string {
	if i := strings.LastIndex(remote, ":"); i > 0 && !strings.HasSuffix(remote, "]") {
		return strings.Trim(remote[:i], "[]")
	}
	return remote
}
