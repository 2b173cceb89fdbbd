package referral

import (
	"context"
	"database/sql"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
)

// What goes back to the GP record when a referral closes. The PRSB social
// prescribing standard has the person decide, with their link worker,
// what of their social prescribing reaches the GP record: the outcome
// summary in full (needs worked on, services, how they went, measures),
// or the codes only (that they were referred, the outcome). The choice is
// kept on the referral; the Communication and the letter follow it.

// GPShare is the person's choice of what the GP record is sent.
type GPShare string

const (
	// GPShareUnset: not chosen yet. Only codes go until the person says
	// more: what is in a GP record stays there.
	GPShareUnset GPShare = ""
	// GPShareFull: the outcome summary in full.
	GPShareFull GPShare = "full"
	// GPShareCodes: the codes only.
	GPShareCodes GPShare = "codes_only"
)

// GPShares are the choices a person can make, for forms and checks.
var GPShares = []GPShare{GPShareFull, GPShareCodes}

// Full reports whether the summary goes to the GP record in full.
func (g GPShare) Full() bool { return g == GPShareFull }

// Label is the choice as a person reads it.
func (g GPShare) Label() string {
	switch g {
	case GPShareFull:
		return "The outcome summary in full"
	case GPShareCodes:
		return "Codes only"
	}
	return "Codes only, until the person chooses"
}

// ParseGPShare checks a choice sent by a form or the API.
func ParseGPShare(s string) (GPShare, error) {
	for _, g := range GPShares {
		if string(g) == s {
			return g, nil
		}
	}
	return GPShareUnset, oikos.Invalid(map[string]string{"gp_share": `Choose "full" (the outcome summary in full) or "codes_only".`})
}

// SetGPShare records the person's choice of what goes back to the GP
// record, made with their link worker, with who recorded it and when; the
// change is audited. Callers check the actor may work with the referral.
// It may change at any time: the summary follows the choice when read.
func (s *Store) SetGPShare(ctx context.Context, by Actor, id string, share GPShare) (Referral, error) {
	if _, err := ParseGPShare(string(share)); err != nil {
		return Referral{}, err
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := Lock(ctx, tx, s.DB.Dialect, id); err != nil {
			return err
		}
		now := db.Millis(s.now())
		if _, err := tx.ExecContext(ctx, "UPDATE referrals SET gp_share = $1, gp_share_by = $2, gp_share_at = $3, updated_at = $3 WHERE id = $4",
			string(share), by.UserID, now, id); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Update, "referral.gp_share", id)
	})
	if err != nil {
		return Referral{}, err
	}
	return s.Get(ctx, id)
}
