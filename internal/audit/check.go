package audit

import (
	"context"
	"crypto/hmac"
	"fmt"
	"time"

	"oikos/internal/db"
)

// CheckOptions are what Check holds the log against besides its own chain.
type CheckOptions struct {
	// Key, when set, is the key entries were sealed with (UseKey).
	Key []byte
	// Anchors are the lines of the anchor file (ReadAnchors).
	Anchors []Anchor
}

// Result is what Check checked.
type Result struct {
	// Entries is how many entries hold their place in the chain.
	Entries int
	// Sealed is how many entries' seals were checked (with a key).
	Sealed int
	// Unsealed is how many of the oldest entries carry no seal: written
	// before a key was set, so the chain alone protects them.
	Unsealed int
	// Anchored is how many anchors the log matched, and Latest the one with
	// the highest id (zero when none).
	Anchored int
	Latest   Anchor
}

// Check walks the whole chain in order, as Verify does, and with a key checks
// every entry's seal, and with anchors checks that the log still holds each
// anchored entry unchanged. It returns what it checked and, at the first
// fault, a *BrokenError naming the entry.
//
// What each catches: the chain, an entry changed, removed or inserted
// (unless the chain was recomputed after it); the key, a chain recomputed
// by someone without it (the seals no longer match, or are missing); the
// anchors, entries cut from the end (an anchored entry is missing), and any
// rewrite up to the latest anchor even by someone holding the key.
func Check(ctx context.Context, q db.Querier, o CheckOptions) (Result, error) {
	var r Result
	anchored := map[int64][]Anchor{}
	for _, a := range o.Anchors {
		if o.Key != nil && a.MAC != "" && !hmac.Equal([]byte(Seal(o.Key, a.Hash)), []byte(a.MAC)) {
			return r, &BrokenError{ID: a.ID, Reason: "its anchor carries a seal that does not match the key: the anchor file was written with another key, or forged"}
		}
		anchored[a.ID] = append(anchored[a.ID], a)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor_id, action, object_kind, object_id, client, prev_hash, hash, mac
		FROM audit_log ORDER BY id`)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	prev := genesis
	sealed := false
	var last Entry
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.ObjectKind, &e.ObjectID, &e.Client, &e.PrevHash, &e.Hash, &e.MAC); err != nil {
			return r, err
		}
		e.At = db.Time(at)
		if e.PrevHash != prev {
			return r, &BrokenError{ID: e.ID, Reason: "does not follow the entry before it (an entry was removed, inserted or changed)"}
		}
		if want := Hash(e.PrevHash, e.Event); want != e.Hash {
			return r, &BrokenError{ID: e.ID, Reason: "its content does not match its hash (the entry was changed)"}
		}
		if o.Key != nil {
			switch {
			case e.MAC == "" && sealed:
				return r, &BrokenError{ID: e.ID, Reason: "carries no seal though entries before it do: it was written without the audit key, or the chain was recomputed from here"}
			case e.MAC == "":
				r.Unsealed++
			case !hmac.Equal([]byte(Seal(o.Key, e.Hash)), []byte(e.MAC)):
				return r, &BrokenError{ID: e.ID, Reason: "its seal does not match its hash: the chain was recomputed from here by someone without the key, or this is not the key it was written with"}
			default:
				sealed = true
				r.Sealed++
			}
		}
		for _, a := range anchored[e.ID] {
			if a.Hash != e.Hash {
				return r, &BrokenError{ID: e.ID, Reason: fmt.Sprintf("differs from its anchor of %s: the log was rewritten up to here", a.At.Format(time.RFC3339))}
			}
			r.Anchored++
			if a.ID >= r.Latest.ID {
				r.Latest = a
			}
		}
		delete(anchored, e.ID)
		prev = e.Hash
		last = e
		r.Entries++
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	if len(anchored) > 0 {
		var missing Anchor
		for id, as := range anchored {
			if missing.ID == 0 || id < missing.ID {
				missing = as[0]
			}
		}
		return r, &BrokenError{ID: missing.ID, Reason: fmt.Sprintf("is missing, though the anchor file recorded it at %s: entries were cut from the end of the log", missing.At.Format(time.RFC3339))}
	}
	if o.Key != nil && r.Entries > 0 && last.MAC == "" {
		return r, &BrokenError{ID: last.ID, Reason: "no entry carries a seal: the log was written without the audit key, or the whole chain was recomputed"}
	}
	return r, nil
}
