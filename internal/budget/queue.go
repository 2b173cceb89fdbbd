package budget

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
)

// Waiting is a purchase awaiting a manager's decision, with whom it is
// for: the manager's queue.
type Waiting struct {
	Entry
	ReferralID string `json:"referral_id"`
	Reference  string `json:"referral_reference"`
	Person     string `json:"person"`
	// BalancePence is what the budget could still commit, this purchase
	// counted as committed already.
	BalancePence int64 `json:"balance_pence"`
}

// MaxWaiting bounds the queue a manager is shown at once: far more than
// a scheme's day.
const MaxWaiting = 500

// ReferralID is the referral whose budget an entry is in.
func (e Entry) ReferralID() string { return e.referralID }

// AwaitingApproval lists the purchases of p's scheme that wait for a
// manager, oldest first, and records one read of each budget shown in one
// batch. Only a scheme's managers decide, so only they see the queue.
func (s *Store) AwaitingApproval(ctx context.Context, p *auth.Principal, by oikos.Actor) ([]Waiting, error) {
	if p == nil || !auth.Can(p, auth.ReadAction, auth.Object{Kind: auth.KindBudgetApproval, SchemeID: p.SchemeID}) {
		return nil, oikos.NotFound("Approvals")
	}
	out := []Waiting{}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Budgets with money pending are few; their entries are read by
		// the budget, not by scanning the scheme's whole ledger.
		list, err := entries(ctx, tx, `e.referral_id IN (SELECT referral_id FROM budgets WHERE pending_pence > 0) AND e.scheme_id = $1
			AND e.kind = 'purchase' AND d.entry_id IS NULL AND e.status = $2`, p.SchemeID, AwaitingApproval)
		if err != nil {
			return err
		}
		if len(list) > MaxWaiting {
			list = list[:MaxWaiting]
		}
		type about struct {
			reference, person string
			balance           int64
		}
		seen := map[string]about{}
		var events []audit.Event
		for _, e := range list {
			a, ok := seen[e.referralID]
			if !ok {
				var given, family string
				var allowance, spent, pending int64
				if err := tx.QueryRowContext(ctx, `SELECT r.reference, p.given_name, p.family_name, b.allowance_pence, b.spent_pence, b.pending_pence
					FROM referrals r JOIN people p ON p.id = r.person_id JOIN budgets b ON b.referral_id = r.id WHERE r.id = $1`, e.referralID).
					Scan(&a.reference, &given, &family, &allowance, &spent, &pending); err != nil {
					return err
				}
				a.person = strings.TrimSpace(given + " " + family)
				a.balance = allowance - spent - pending
				seen[e.referralID] = a
				events = append(events, audit.Event{At: s.now(), ActorID: by.UserID, Action: audit.Read, ObjectKind: kindBudget,
					ObjectID: e.referralID, Client: by.Client})
			}
			out = append(out, Waiting{Entry: e, ReferralID: e.referralID, Reference: a.reference, Person: a.person, BalancePence: a.balance})
		}
		return audit.AppendAll(ctx, tx, s.DB.Dialect, events)
	})
	if err != nil {
		return nil, err
	}
	// Oldest first: the one waiting longest is decided first.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].RecordedAt.Before(out[j-1].RecordedAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// ParsePounds reads an amount of money as a person types it ("45",
// "45.5", "£1,250.00") into pence; ok is false for anything else (more
// than two decimal places, letters, a sign, absurdly long).
func ParsePounds(s string) (pence int64, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "£")
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, dotted := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(whole) > 9 || len(frac) > 2 || dotted && frac == "" {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
	}
	var w, f int64
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64)
	}
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, true
}
