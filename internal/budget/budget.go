// Package budget owns personal budgets: an allowance on a referral that
// the person may spend on courses and activities in their plan, with a
// manager's approval above the scheme's threshold, and the append-only
// ledger of what was allocated, bought and put right, for finance.
package budget

import (
	"context"
	"database/sql"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
)

// Store keeps budgets and their ledger.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// ukZone is the clock people in the scheme read: a purchase's date and the
// finance ledger's days are UK days.
var ukZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// today is the UK day now, as midnight UTC of that date.
func (s *Store) today() time.Time {
	d, _ := time.Parse(time.DateOnly, s.now().In(ukZone).Format(time.DateOnly))
	return d
}

// Audit object kinds. A budget's reads and changes are on its referral's
// id, as casework's are, so one query finds everything done to it.
const (
	kindBudget = "referral.budget"
	kindLedger = "budget.ledger"
	kindScheme = "budget.settings"
)

// Entry is one line of the ledger. AmountPence is what the purchase cost
// or the reversal gave back (both more than zero: the kind says which way
// money moves), or, for an allocation, the change to the allowance
// (negative when it was lowered).
type Entry struct {
	ID          string  `json:"id"`
	Kind        string  `json:"kind"`
	AmountPence int64   `json:"amount_pence"`
	Status      string  `json:"status"`
	Supplier    string  `json:"supplier"`
	ServiceID   *string `json:"service_id"`
	Description string  `json:"description"`
	Date        string  `json:"date"`
	// By is who recorded it, by name; ByID their user id.
	By   string `json:"by"`
	ByID string `json:"by_id"`
	// Reverses is, on a reversal, the purchase it puts right, and Reason
	// why; ReversedBy is, on a purchase, the reversal that put it right.
	Reverses   string `json:"reverses,omitempty"`
	ReversedBy string `json:"reversed_by,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// DecidedBy and DecisionReason say who approved or refused a purchase
	// that waited for approval, and why.
	DecidedBy      string    `json:"decided_by,omitempty"`
	DecisionReason string    `json:"decision_reason,omitempty"`
	RecordedAt     time.Time `json:"recorded_at"`

	referralID string
	position   int64
}

// Budget is a referral's budget with its whole ledger, oldest first.
type Budget struct {
	ReferralID string `json:"referral_id"`
	Purpose    string `json:"purpose"`
	Totals
	// ApprovalThresholdPence is the scheme's: purchases above it wait for
	// a manager.
	ApprovalThresholdPence int64   `json:"approval_threshold_pence"`
	Entries                []Entry `json:"entries"`
}

// referralRef is what a budget needs to know of its referral.
type referralRef struct {
	ID, Reference, SchemeID, AssignedTo, PersonID, Status string
}

func (r referralRef) object(kind string) auth.Object {
	return auth.Object{Kind: kind, ID: r.ID, SchemeID: r.SchemeID, AssignedTo: r.AssignedTo,
		InTriage: r.AssignedTo == "" && r.Status != "closed"}
}

// loadReferral reads a referral inside tx. share holds it on PostgreSQL
// until the transaction ends, so that it cannot close under a purchase
// (SQLite has one writer already); many purchases may hold it at once.
func loadReferral(ctx context.Context, tx *sql.Tx, d db.Dialect, id string, share bool) (referralRef, error) {
	if !oikos.PlainText(id, false) || utf8.RuneCountInString(id) > 100 {
		return referralRef{}, oikos.NotFound("Referral")
	}
	q := "SELECT id, reference, scheme_id, COALESCE(assigned_to, ''), person_id, status FROM referrals WHERE id = $1"
	if share && d == db.Postgres {
		q += " FOR SHARE"
	}
	var r referralRef
	err := tx.QueryRowContext(ctx, q, id).Scan(&r.ID, &r.Reference, &r.SchemeID, &r.AssignedTo, &r.PersonID, &r.Status)
	if err == sql.ErrNoRows {
		return r, oikos.NotFound("Referral")
	}
	return r, err
}

// visible loads a referral p may act on for kind, or not-found: what p may
// not see does not exist for them.
func visible(ctx context.Context, tx *sql.Tx, d db.Dialect, p *auth.Principal, act auth.Action, id string, share bool) (referralRef, error) {
	r, err := loadReferral(ctx, tx, d, id, share)
	if err != nil {
		return r, err
	}
	if !auth.Can(p, act, r.object(auth.KindBudget)) {
		return referralRef{}, oikos.NotFound("Referral")
	}
	return r, nil
}

func (s *Store) audit(ctx context.Context, tx *sql.Tx, by oikos.Actor, action, kind, id string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: kind, ObjectID: id, Client: by.Client})
}

// Get reads a referral's budget and its ledger for p, and records the
// read. A referral without a budget has one of nothing.
func (s *Store) Get(ctx context.Context, p *auth.Principal, by oikos.Actor, referralID string) (Budget, error) {
	var b Budget
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := visible(ctx, tx, s.DB.Dialect, p, auth.ReadAction, referralID, false)
		if err != nil {
			return err
		}
		if b, err = s.read(ctx, tx, r); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Read, kindBudget, r.ID)
	})
	return b, err
}

// ForPerson reads the budgets on a person's own referrals, for their
// portal (the caller has checked the session is theirs), and records the
// read. by is the person ("person:" and their id).
func (s *Store) ForPerson(ctx context.Context, by oikos.Actor, personID string) ([]Budget, error) {
	out := []Budget{}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		ids, err := db.Strings(ctx, tx, `SELECT b.referral_id FROM budgets b JOIN referrals r ON r.id = b.referral_id
			WHERE r.person_id = $1 ORDER BY r.received_at, r.id`, personID)
		if err != nil {
			return err
		}
		var events []audit.Event
		for _, id := range ids {
			r, err := loadReferral(ctx, tx, s.DB.Dialect, id, false)
			if err != nil {
				return err
			}
			b, err := s.read(ctx, tx, r)
			if err != nil {
				return err
			}
			out = append(out, b)
			events = append(events, audit.Event{At: s.now(), ActorID: by.UserID, Action: audit.Read, ObjectKind: kindBudget, ObjectID: id, Client: by.Client})
		}
		return audit.AppendAll(ctx, tx, s.DB.Dialect, events)
	})
	return out, err
}

// read reads a budget and its ledger inside tx.
func (s *Store) read(ctx context.Context, tx *sql.Tx, r referralRef) (Budget, error) {
	b := Budget{ReferralID: r.ID, Entries: []Entry{}}
	var err error
	if b.ApprovalThresholdPence, err = threshold(ctx, tx, r.SchemeID); err != nil {
		return b, err
	}
	err = tx.QueryRowContext(ctx, "SELECT allowance_pence, spent_pence, pending_pence, purpose FROM budgets WHERE referral_id = $1", r.ID).
		Scan(&b.AllowancePence, &b.SpentPence, &b.PendingPence, &b.Purpose)
	if err == sql.ErrNoRows {
		return b, nil
	} else if err != nil {
		return b, err
	}
	b.BalancePence = b.AllowancePence - b.SpentPence - b.PendingPence
	b.Entries, err = entries(ctx, tx, "e.referral_id = $1", r.ID)
	return b, err
}

// entryColumns read an entry with its status as decided, who recorded and
// decided it, and the reversal that put it right, if any.
const entryColumns = `e.id, e.referral_id, e.position, e.kind, e.amount_pence, COALESCE(d.decision, e.status), e.supplier, e.service_id,
	e.description, e.on_date, e.by_user, COALESCE(u.name, ''), COALESCE(e.reverses, ''), COALESCE(rv.id, ''), e.reason,
	COALESCE(du.name, ''), COALESCE(d.reason, ''), e.created_at
	FROM budget_entries e LEFT JOIN budget_decisions d ON d.entry_id = e.id LEFT JOIN users u ON u.id = e.by_user
	LEFT JOIN users du ON du.id = d.by_user LEFT JOIN budget_entries rv ON rv.reverses = e.id`

func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var service sql.NullString
	var created int64
	err := row.Scan(&e.ID, &e.referralID, &e.position, &e.Kind, &e.AmountPence, &e.Status, &e.Supplier, &service, &e.Description, &e.Date,
		&e.ByID, &e.By, &e.Reverses, &e.ReversedBy, &e.Reason, &e.DecidedBy, &e.DecisionReason, &created)
	if service.Valid {
		e.ServiceID = &service.String
	}
	e.RecordedAt = db.Time(created)
	return e, err
}

func entries(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]Entry, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+entryColumns+" WHERE "+where+" ORDER BY e.referral_id, e.position", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// entry reads one entry by id inside tx, or not-found.
func entry(ctx context.Context, tx *sql.Tx, id string) (Entry, error) {
	if !oikos.PlainText(id, false) || utf8.RuneCountInString(id) > 100 {
		return Entry{}, oikos.NotFound("Purchase")
	}
	list, err := entries(ctx, tx, "e.id = $1", id)
	if err != nil {
		return Entry{}, err
	}
	if len(list) == 0 {
		return Entry{}, oikos.NotFound("Purchase")
	}
	return list[0], nil
}
