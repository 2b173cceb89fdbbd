package referral

import (
	"context"
	"database/sql"

	"oikos"
	"oikos/internal/audit"
)

// ResolveMatch settles a possible match a link worker has checked. When
// same is true the referral moves to the person already known, and the
// record made for it on arrival is removed if nothing else refers to it;
// otherwise the two are kept apart and the question is not asked again.
// Either way the referral keeps what it sent (Referral.Sent), which is all
// its referrer is shown.
func (s *Store) ResolveMatch(ctx context.Context, by Actor, id string, same bool) (Referral, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		head, err := Lock(ctx, tx, s.DB.Dialect, id)
		if err != nil {
			return err
		}
		personID, possible, status := head.PersonID, head.PossibleMatchID, head.Status
		if possible == "" {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "This referral has no possible match to check, or it has been checked already."}
		}
		if status == Closed {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "A closed referral cannot be changed."}
		}
		now := s.now()
		if !same {
			if _, err := tx.ExecContext(ctx, "UPDATE referrals SET possible_match_id = NULL, match_strength = '', updated_at = $1 WHERE id = $2", now.UnixMilli(), id); err != nil {
				return err
			}
			return s.auditTx(ctx, tx, by, audit.Update, "referral", id)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE referrals SET person_id = $1, possible_match_id = NULL, match_strength = '', updated_at = $2 WHERE id = $3",
			possible, now.UnixMilli(), id); err != nil {
			return err
		}
		// The record made on arrival goes when nothing else holds it.
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM referrals WHERE person_id = $1 OR possible_match_id = $1)
			+ (SELECT COUNT(*) FROM person_access WHERE person_id = $1)`, personID).Scan(&others); err != nil {
			return err
		}
		if others == 0 {
			if _, err := tx.ExecContext(ctx, "DELETE FROM people WHERE id = $1", personID); err != nil {
				return err
			}
			if err := s.auditTx(ctx, tx, by, audit.Delete, "person", personID); err != nil {
				return err
			}
		}
		if err := s.auditTx(ctx, tx, by, audit.Update, "person", possible); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Update, "referral", id)
	})
	if err != nil {
		return Referral{}, err
	}
	return s.Get(ctx, id)
}
