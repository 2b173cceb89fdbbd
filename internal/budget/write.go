package budget

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
)

// Every change to a budget takes its row first (the conditional UPDATE of
// a purchase, or SELECT … FOR UPDATE on PostgreSQL; SQLite has one writer
// already), then reads and writes the entries: two requests about one
// budget queue on that row, and each sees what the one before it wrote.
// The row's CHECK constraints are the last word on overspending.

// PurchaseResult is the answer to a purchase: 201 {id, status}.
type PurchaseResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func closedConflict(what string) error {
	return &oikos.Error{Code: oikos.ECONFLICT, Message: "This referral is closed, so its budget can no longer be " + what + "."}
}

// lockBudget takes a budget's row for the rest of tx and reads its totals;
// ok is false when the referral has no budget.
func (s *Store) lockBudget(ctx context.Context, tx *sql.Tx, referralID string) (t Totals, ok bool, err error) {
	q := "SELECT allowance_pence, spent_pence, pending_pence FROM budgets WHERE referral_id = $1"
	if s.DB.Dialect == db.Postgres {
		q += " FOR UPDATE"
	}
	err = tx.QueryRowContext(ctx, q, referralID).Scan(&t.AllowancePence, &t.SpentPence, &t.PendingPence)
	if err == sql.ErrNoRows {
		return t, false, nil
	}
	t.BalancePence = t.AllowancePence - t.SpentPence - t.PendingPence
	return t, err == nil, err
}

// insertEntry appends an entry to the ledger.
func insertEntry(ctx context.Context, tx *sql.Tx, e Entry, schemeID string) error {
	var reverses any
	if e.Reverses != "" {
		reverses = e.Reverses
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO budget_entries (id, referral_id, position, scheme_id, kind, amount_pence, status, supplier,
		service_id, description, on_date, reverses, reason, by_user, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		e.ID, e.referralID, e.position, schemeID, e.Kind, e.AmountPence, e.Status, e.Supplier, e.ServiceID, e.Description, e.Date,
		reverses, e.Reason, e.ByID, db.Millis(e.RecordedAt))
	return err
}

// SetAllowance sets a referral's allowance and its purpose (the
// referral's link worker, or a manager of its scheme), creating the
// budget the first time. A change of allowance is an allocation entry of
// the difference; the allowance may not fall below what is already spent
// or awaiting approval.
func (s *Store) SetAllowance(ctx context.Context, p *auth.Principal, by oikos.Actor, referralID string, in AllowanceInput) (Budget, error) {
	var b Budget
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := visible(ctx, tx, s.DB.Dialect, p, auth.ChangeAction, referralID, true)
		if err != nil {
			return err
		}
		if r.Status == "closed" {
			return closedConflict("changed")
		}
		now := s.now()
		// A first allowance creates the row; two at once on PostgreSQL
		// queue here and the second finds the first's row below.
		if _, err := tx.ExecContext(ctx, `INSERT INTO budgets (referral_id, allowance_pence, created_at, updated_at, updated_by)
			VALUES ($1, 0, $2, $2, $3) ON CONFLICT (referral_id) DO NOTHING`, r.ID, db.Millis(now), by.UserID); err != nil {
			return err
		}
		held, _, err := s.lockBudget(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		now = s.now()
		if err := CheckAllowance(&in, held); err != nil {
			return err
		}
		change := *in.AllowancePence - held.AllowancePence
		added := 0
		if change != 0 {
			added = 1
		}
		var position int64
		if err := tx.QueryRowContext(ctx, `UPDATE budgets SET allowance_pence = $2, purpose = $3, entries = entries + $4, updated_at = $5, updated_by = $6
			WHERE referral_id = $1 RETURNING entries`, r.ID, *in.AllowancePence, in.Purpose, added, db.Millis(now), by.UserID).Scan(&position); err != nil {
			return err
		}
		if change != 0 {
			e := Entry{ID: db.NewID("bud"), Kind: Allocation, AmountPence: change, Status: Approved, Description: in.Purpose,
				Date: now.In(ukZone).Format("2006-01-02"), ByID: by.UserID, RecordedAt: now, referralID: r.ID, position: position}
			if err := insertEntry(ctx, tx, e, r.SchemeID); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, by, audit.Update, kindBudget, r.ID); err != nil {
			return err
		}
		b, err = s.read(ctx, tx, r)
		return err
	})
	return b, err
}

// Purchase records a purchase against a referral's budget (its link
// worker, or a manager of its scheme): approved at once up to the
// scheme's threshold, awaiting a manager above it. A purchase beyond the
// balance (counting those awaiting approval) is refused, naming
// amount_pence, however many arrive at once: the budget row is moved by
// one conditional UPDATE that only succeeds while the money is there.
func (s *Store) Purchase(ctx context.Context, p *auth.Principal, by oikos.Actor, referralID string, in PurchaseInput) (PurchaseResult, error) {
	var out PurchaseResult
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := visible(ctx, tx, s.DB.Dialect, p, auth.ChangeAction, referralID, true)
		if err != nil {
			return err
		}
		if err := CheckPurchase(&in, s.today()); err != nil {
			return err
		}
		if r.Status == "closed" {
			return closedConflict("spent")
		}
		var service any
		if in.ServiceID != "" {
			var name, org string
			err := tx.QueryRowContext(ctx, "SELECT s.name, o.name FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.id = $1",
				in.ServiceID).Scan(&name, &org)
			if err == sql.ErrNoRows {
				return oikos.Invalid(map[string]string{"service_id": "No service in the directory has that id."})
			} else if err != nil {
				return err
			}
			service = in.ServiceID
			if in.Supplier == "" {
				in.Supplier = org
			}
			if in.Description == "" {
				in.Description = name
			}
		}
		limit, err := threshold(ctx, tx, r.SchemeID)
		if err != nil {
			return err
		}
		amount := *in.AmountPence
		status := StatusFor(amount, limit)
		var spend, pend int64
		if status == Approved {
			spend = amount
		} else {
			pend = amount
		}
		now := s.now()
		var position int64
		err = tx.QueryRowContext(ctx, `UPDATE budgets SET spent_pence = spent_pence + $2, pending_pence = pending_pence + $3, entries = entries + 1,
			updated_at = $4, updated_by = $5 WHERE referral_id = $1 AND allowance_pence - spent_pence - pending_pence >= $6 RETURNING entries`,
			r.ID, spend, pend, db.Millis(now), by.UserID, amount).Scan(&position)
		if errors.Is(err, sql.ErrNoRows) {
			return s.overspend(ctx, tx, r.ID, amount)
		} else if err != nil {
			return err
		}
		// The row is ours now: the entry's time is read after the wait
		// for it, so that entries are recorded in the order they hold.
		now = s.now()
		e := Entry{ID: db.NewID("bud"), Kind: Purchase, AmountPence: amount, Status: status, Supplier: in.Supplier, Description: in.Description,
			Date: in.Date, ByID: by.UserID, RecordedAt: now, referralID: r.ID, position: position}
		if service != nil {
			id := in.ServiceID
			e.ServiceID = &id
		}
		if err := insertEntry(ctx, tx, e, r.SchemeID); err != nil {
			return err
		}
		out = PurchaseResult{ID: e.ID, Status: status}
		return s.audit(ctx, tx, by, audit.Create, kindBudget, r.ID)
	})
	return out, err
}

// overspend says why a purchase did not fit, naming amount_pence.
func (s *Store) overspend(ctx context.Context, tx *sql.Tx, referralID string, amount int64) error {
	t, ok, err := s.lockBudget(ctx, tx, referralID)
	if err != nil {
		return err
	}
	msg := "No budget has been set for this person yet: set an allowance first."
	if ok {
		msg = fmt.Sprintf("%s is more than the %s left in the budget", Pounds(amount), Pounds(max(t.BalancePence, 0)))
		if t.PendingPence > 0 {
			msg += fmt.Sprintf(" (counting %s awaiting approval)", Pounds(t.PendingPence))
		}
		msg += "."
	}
	return oikos.Invalid(map[string]string{"amount_pence": msg})
}

// entryBudget finds which budget an entry belongs to, and checks p may see
// that budget; anything else is not-found.
func (s *Store) entryBudget(ctx context.Context, tx *sql.Tx, p *auth.Principal, entryID string) (referralRef, error) {
	e, err := entry(ctx, tx, entryID)
	if err != nil {
		return referralRef{}, err
	}
	r, err := loadReferral(ctx, tx, s.DB.Dialect, e.referralID, true)
	if err != nil || !auth.Can(p, auth.ReadAction, r.object(auth.KindBudget)) {
		return referralRef{}, oikos.NotFound("Purchase")
	}
	return r, nil
}

// Decide approves or refuses a purchase awaiting approval (a manager of
// the referral's scheme), once: a second decision is a conflict, even
// when two arrive together (the decision's primary key).
func (s *Store) Decide(ctx context.Context, p *auth.Principal, by oikos.Actor, entryID string, in DecisionInput) (Entry, error) {
	var out Entry
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.entryBudget(ctx, tx, p, entryID)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ChangeAction, r.object(auth.KindBudgetApproval)) {
			return oikos.NotFound("Purchase")
		}
		if err := CheckDecision(&in); err != nil {
			return err
		}
		if _, _, err := s.lockBudget(ctx, tx, r.ID); err != nil {
			return err
		}
		e, err := entry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if err := MayDecide(e.Kind, e.Status); err != nil {
			return err
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `INSERT INTO budget_decisions (entry_id, referral_id, decision, reason, by_user, at) VALUES ($1, $2, $3, $4, $5, $6)`,
			e.ID, r.ID, in.Decision, in.Reason, by.UserID, db.Millis(now))
		if db.IsUniqueViolation(err) {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "This purchase has already been decided."}
		} else if err != nil {
			return err
		}
		var spend int64
		if in.Decision == Approved {
			spend = e.AmountPence
		}
		if _, err := tx.ExecContext(ctx, `UPDATE budgets SET pending_pence = pending_pence - $2, spent_pence = spent_pence + $3, updated_at = $4, updated_by = $5
			WHERE referral_id = $1`, r.ID, e.AmountPence, spend, db.Millis(now), by.UserID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, by, audit.Update, kindBudget, r.ID); err != nil {
			return err
		}
		out, err = entry(ctx, tx, entryID)
		return err
	})
	return out, err
}

// Reverse puts an approved purchase right with a new reversal entry that
// gives its amount back (the referral's link worker, or a manager of its
// scheme), once. Nothing is edited: the purchase stays in the ledger,
// and the reversal names it. A refund after the referral closed is still
// recorded, so a reversal does not need it open.
func (s *Store) Reverse(ctx context.Context, p *auth.Principal, by oikos.Actor, entryID string, in ReversalInput) (Entry, error) {
	var out Entry
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.entryBudget(ctx, tx, p, entryID)
		if err != nil {
			return err
		}
		if in.ReferralID != "" && in.ReferralID != r.ID {
			return oikos.NotFound("Purchase")
		}
		if !auth.Can(p, auth.ChangeAction, r.object(auth.KindBudget)) {
			return oikos.NotFound("Purchase")
		}
		if err := CheckReversal(&in); err != nil {
			return err
		}
		if _, _, err := s.lockBudget(ctx, tx, r.ID); err != nil {
			return err
		}
		e, err := entry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if err := MayReverse(e.Kind, e.Status, e.ReversedBy != ""); err != nil {
			return err
		}
		now := s.now()
		var position int64
		if err := tx.QueryRowContext(ctx, `UPDATE budgets SET spent_pence = spent_pence - $2, entries = entries + 1, updated_at = $3, updated_by = $4
			WHERE referral_id = $1 RETURNING entries`, r.ID, e.AmountPence, db.Millis(now), by.UserID).Scan(&position); err != nil {
			return err
		}
		rev := Entry{ID: db.NewID("bud"), Kind: Reversal, AmountPence: e.AmountPence, Status: Approved, Supplier: e.Supplier, ServiceID: e.ServiceID,
			Description: e.Description, Date: now.In(ukZone).Format("2006-01-02"), Reverses: e.ID, Reason: in.Reason, ByID: by.UserID,
			RecordedAt: now, referralID: r.ID, position: position}
		err = insertEntry(ctx, tx, rev, r.SchemeID)
		if db.IsUniqueViolation(err) {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "This purchase has already been reversed."}
		} else if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, by, audit.Create, kindBudget, r.ID); err != nil {
			return err
		}
		out, err = entry(ctx, tx, rev.ID)
		return err
	})
	return out, err
}
