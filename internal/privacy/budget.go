package privacy

import (
	"database/sql"

	"oikos/internal/db"
)

// Budget is the person's personal budget on a referral (package budget)
// and its whole ledger, oldest first, with each manager's decision.
type Budget struct {
	AllowancePence int64         `json:"allowance_pence"`
	SpentPence     int64         `json:"spent_pence"`
	PendingPence   int64         `json:"pending_pence"`
	Purpose        string        `json:"purpose"`
	UpdatedAt      string        `json:"updated_at"`
	Entries        []BudgetEntry `json:"entries"`
}

// BudgetEntry is one line of the ledger.
type BudgetEntry struct {
	Kind        string          `json:"kind"`
	AmountPence int64           `json:"amount_pence"`
	Status      string          `json:"status"`
	Supplier    string          `json:"supplier"`
	Description string          `json:"description"`
	Date        string          `json:"date"`
	Reason      string          `json:"reason"`
	By          string          `json:"by"`
	RecordedAt  string          `json:"recorded_at"`
	Decision    *BudgetDecision `json:"decision"`
}

// BudgetDecision is a manager's decision on a purchase.
type BudgetDecision struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	By       string `json:"by"`
	At       string `json:"at"`
}

func (r *reader) budget(ref *Referral) error {
	var b Budget
	var updated int64
	err := r.tx.QueryRowContext(r.ctx, "SELECT allowance_pence, spent_pence, pending_pence, purpose, updated_at FROM budgets WHERE referral_id = $1", ref.ID).
		Scan(&b.AllowancePence, &b.SpentPence, &b.PendingPence, &b.Purpose, &updated)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	b.UpdatedAt = stamp(updated)
	b.Entries = []BudgetEntry{}
	err = r.each(func(rows *sql.Rows) error {
		var e BudgetEntry
		var actor, name, role string
		var at int64
		var decision, dReason, dActor, dName, dRole sql.NullString
		var dAt sql.NullInt64
		if err := rows.Scan(&e.Kind, &e.AmountPence, &e.Status, &e.Supplier, &e.Description, &e.Date, &e.Reason, &actor, &name, &role, &at,
			&decision, &dReason, &dActor, &dName, &dRole, &dAt); err != nil {
			return err
		}
		e.By, e.RecordedAt = who(actor, name, role), stamp(at)
		if decision.Valid {
			e.Decision = &BudgetDecision{Decision: decision.String, Reason: dReason.String, By: who(dActor.String, dName.String, dRole.String), At: stamp(dAt.Int64)}
			e.Status = decision.String
		}
		b.Entries = append(b.Entries, e)
		return nil
	}, `SELECT e.kind, e.amount_pence, e.status, e.supplier, e.description, e.on_date, e.reason, e.by_user, `+actorSQL+`, e.created_at,
		d.decision, d.reason, d.by_user, du.name, du.role, d.at
		FROM budget_entries e LEFT JOIN users u ON u.id = e.by_user LEFT JOIN budget_decisions d ON d.entry_id = e.id
		LEFT JOIN users du ON du.id = d.by_user WHERE e.referral_id = $1 ORDER BY e.position`, ref.ID)
	ref.Budget = &b
	return err
}

func stamp(ms int64) string { return db.Time(ms).Format("2006-01-02T15:04:05.000Z07:00") }
