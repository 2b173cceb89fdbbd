package referral

import (
	"context"
	"database/sql"
	"errors"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/db"
)

// Head is what a change to a referral checks before making it: where the
// referral stands, whose it is and what its person agreed to.
type Head struct {
	ID              string
	Status          Status
	SchemeID        string
	PersonID        string
	PossibleMatchID string // "" when there is none to check
	AssignedTo      string // "" when nobody is
	Reference       string
	ConsentShare    bool
	ReceivedAt      time.Time
}

const headColumns = `id, status, scheme_id, person_id, COALESCE(possible_match_id, ''), COALESCE(assigned_to, ''),
	reference, consent_share, received_at`

// Lock reads referral id's head inside tx and holds its row until tx
// ends, so that two changes of one referral (an edit of its plan and its
// closing, two first baselines sent at once) queue up rather than decide
// on what the other is changing. Every change that depends on where a
// referral stands takes it first. An unknown or malformed id is
// oikos.NotFound("Referral").
func Lock(ctx context.Context, tx *sql.Tx, d db.Dialect, id string) (Head, error) {
	return readHead(ctx, tx, id, d.ForUpdate())
}

// ReadHead reads referral id's head without holding its row: for a read
// that only needs to know the referral is there, or where it stands.
func ReadHead(ctx context.Context, q db.Querier, id string) (Head, error) {
	return readHead(ctx, q, id, "")
}

func readHead(ctx context.Context, q db.Querier, id, lock string) (Head, error) {
	if !oikos.PlainText(id, false) || utf8.RuneCountInString(id) > 100 {
		return Head{}, oikos.NotFound("Referral")
	}
	var h Head
	var received int64
	err := q.QueryRowContext(ctx, "SELECT "+headColumns+" FROM referrals WHERE id = $1"+lock, id).
		Scan(&h.ID, &h.Status, &h.SchemeID, &h.PersonID, &h.PossibleMatchID, &h.AssignedTo, &h.Reference, &h.ConsentShare, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return Head{}, oikos.NotFound("Referral")
	} else if err != nil {
		return Head{}, err
	}
	h.ReceivedAt = db.Time(received)
	return h, nil
}
