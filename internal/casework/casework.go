// Package casework is the link worker's work with a person after a referral
// is accepted: contacts, the "what matters" conversation and the plan the
// person owns.
package casework

import (
	"context"
	"database/sql"
	"fmt"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// Store keeps contacts, conversations and plans.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// Referrals changes a referral's status with a contact (a reached
	// contact moves it to contacted), with its OnChange hook; left nil, a
	// store of the same database without hooks.
	Referrals *referral.Store
}

func (s *Store) referrals() *referral.Store {
	if s.Referrals == nil {
		return &referral.Store{DB: s.DB, Now: s.Now}
	}
	return s.Referrals
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Audit object kinds. Each names the part of the record touched; the object
// id is always the referral's, so one query finds everything done to it.
const (
	kindContacts     = "referral.contacts"
	kindConversation = "referral.conversations"
	kindPlan         = "referral.plan"
	kindMeasures     = "referral.measures"
)

// The audit object kinds of reads of each part, for a caller that reads
// them itself (ReadContacts, ReadConversations, ReadPlan) and audits the
// reads in one batch.
const (
	KindContacts      = kindContacts
	KindConversations = kindConversation
	KindPlan          = kindPlan
)

func (s *Store) audit(ctx context.Context, tx *sql.Tx, by referral.Actor, action, kind, referralID string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: kind, ObjectID: referralID, Client: by.Client})
}

// openReferral locks the referral for a change of its record, so that
// two edits of the same plan (or an edit and a closing) queue up; a closed
// referral's record is kept as it was when it closed.
func (s *Store) openReferral(ctx context.Context, tx *sql.Tx, id, what string) (referral.Head, error) {
	st, err := referral.Lock(ctx, tx, s.DB.Dialect, id)
	if err == nil && st.Status == referral.Closed {
		return st, &oikos.Error{Code: oikos.ECONFLICT, Message: fmt.Sprintf("This referral is closed, so its %s can no longer be changed.", what)}
	}
	return st, err
}

// read runs fn for a referral that exists, and records the read of that
// part of the person's record in the same transaction.
func (s *Store) read(ctx context.Context, by referral.Actor, referralID, kind string, fn func(tx *sql.Tx) error) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := referral.ReadHead(ctx, tx, referralID); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Read, kind, referralID)
	})
}

// queryAll reads every row of a query with scan.
func queryAll[T any](ctx context.Context, tx db.Querier, scan func(rows *sql.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// text checks one piece of free text from outside: plain, and not too
// long. label starts the message, as in "Goal must be ...".
func text(f map[string]string, name, label, v string, limit int, multiline bool) {
	switch {
	case !oikos.PlainText(v, multiline):
		f[name] = label + " must not contain control characters."
	case utf8.RuneCountInString(v) > limit:
		f[name] = fmt.Sprintf("%s must be %d characters or fewer.", label, limit)
	}
}
