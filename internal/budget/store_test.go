package budget_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/budget"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// checkTotals: the totals the store keeps are what the ledger adds up to,
// and never below zero.
func checkTotals(t *testing.T, b budget.Budget) {
	t.Helper()
	if got := budget.Tally(b.Entries); got != b.Totals {
		t.Errorf("the ledger adds up to %+v, the budget says %+v", got, b.Totals)
	}
	if b.BalancePence < 0 || b.SpentPence < 0 || b.PendingPence < 0 {
		t.Errorf("below zero: %+v", b.Totals)
	}
}

func TestBudgetJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store

		empty := must(s.Get(ctx, worker, actor(worker), w.ref))(t)
		if empty.AllowancePence != 0 || len(empty.Entries) != 0 || empty.ApprovalThresholdPence != budget.DefaultThresholdPence {
			t.Fatalf("a referral without a budget: %+v", empty)
		}
		b := must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(20000), Purpose: "Creative courses in her plan"}))(t)
		if b.AllowancePence != 20000 || b.BalancePence != 20000 || len(b.Entries) != 1 || b.Entries[0].Kind != budget.Allocation || b.Entries[0].By != "Lee Worker" {
			t.Fatalf("after the allowance: %+v", b)
		}

		// Up to £50 is approved at once; above it waits for a manager.
		small := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{ServiceID: w.pottery, AmountPence: pence(3000), Date: "2026-03-02"}))(t)
		if small.Status != budget.Approved {
			t.Errorf("£30: %s", small.Status)
		}
		atThreshold := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "Art shop", Description: "Paints", AmountPence: pence(5000), Date: "2026-03-02"}))(t)
		if atThreshold.Status != budget.Approved {
			t.Errorf("exactly £50: %s", atThreshold.Status)
		}
		big := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "Dartmoor Eco-therapy", Description: "10-week eco-therapy course", AmountPence: pence(6000), Date: "2026-03-09"}))(t)
		if big.Status != budget.AwaitingApproval {
			t.Errorf("£60: %s", big.Status)
		}
		b = must(s.Get(ctx, worker, actor(worker), w.ref))(t)
		if b.SpentPence != 8000 || b.PendingPence != 6000 || b.BalancePence != 6000 {
			t.Errorf("totals %+v", b.Totals)
		}
		checkTotals(t, b)
		pottery := b.Entries[1]
		if pottery.Supplier != "Clay Studio CIC" || pottery.Description != "Pottery for wellbeing" || pottery.ServiceID == nil || *pottery.ServiceID != w.pottery {
			t.Errorf("a purchase of a directory service takes its name and organisation: %+v", pottery)
		}

		// Above the balance, counting what awaits approval: refused, naming
		// the amount.
		_, err := s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "X", Description: "Y", AmountPence: pence(6001), Date: "2026-03-09"})
		if code(err) != oikos.EINVALID || !strings.Contains(field(err, "amount_pence"), "£60 awaiting approval") {
			t.Errorf("over the balance: %v", err)
		}
		// What is left exactly still fits.
		exact := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "Gym", Description: "Membership", AmountPence: pence(6000), Date: "2026-03-09"}))(t)

		// The manager's queue holds the two above the threshold, oldest
		// first, with whom they are for; no one else's queue does.
		queue := must(s.AwaitingApproval(ctx, manager, actor(manager)))(t)
		if len(queue) != 2 || queue[0].ID != big.ID || queue[1].ID != exact.ID || queue[0].ReferralID != w.ref || queue[0].Person == "" || queue[0].Reference == "" {
			t.Errorf("queue %+v", queue)
		}
		if q, err := s.AwaitingApproval(ctx, farManager, actor(farManager)); err != nil || len(q) != 0 {
			t.Errorf("another scheme's queue: %+v, %v", q, err)
		}
		if _, err := s.AwaitingApproval(ctx, worker, actor(worker)); code(err) != oikos.ENOTFOUND {
			t.Errorf("a link worker's queue: %v", err)
		}
		// The manager approves the big one; a second decision is refused.
		e := must(s.Decide(ctx, manager, actor(manager), big.ID, budget.DecisionInput{Decision: budget.Approved}))(t)
		if e.Status != budget.Approved || e.DecidedBy != "Morgan Manager" {
			t.Errorf("decided: %+v", e)
		}
		if _, err := s.Decide(ctx, manager, actor(manager), big.ID, budget.DecisionInput{Decision: budget.Refused, Reason: "Changed my mind"}); code(err) != oikos.ECONFLICT {
			t.Errorf("decided twice: %v", err)
		}
		if _, err := s.Decide(ctx, manager, actor(manager), small.ID, budget.DecisionInput{Decision: budget.Refused, Reason: "No"}); code(err) != oikos.ECONFLICT {
			t.Errorf("decided one approved at once: %v", err)
		}

		// A reversal restores the balance, as a new entry; twice is refused.
		before := must(s.Get(ctx, worker, actor(worker), w.ref))(t)
		rev := must(s.Reverse(ctx, worker, actor(worker), small.ID, budget.ReversalInput{Reason: "Course cancelled, refunded"}))(t)
		if rev.Kind != budget.Reversal || rev.AmountPence != 3000 || rev.Reverses != small.ID || rev.Reason != "Course cancelled, refunded" {
			t.Errorf("reversal %+v", rev)
		}
		if _, err := s.Reverse(ctx, worker, actor(worker), small.ID, budget.ReversalInput{Reason: "Again"}); code(err) != oikos.ECONFLICT {
			t.Errorf("reversed twice: %v", err)
		}
		if _, err := s.Reverse(ctx, worker, actor(worker), rev.ID, budget.ReversalInput{Reason: "Undo"}); code(err) != oikos.ECONFLICT {
			t.Errorf("reversed a reversal: %v", err)
		}
		after := must(s.Get(ctx, worker, actor(worker), w.ref))(t)
		if after.BalancePence != before.BalancePence+3000 || len(after.Entries) != len(before.Entries)+1 {
			t.Errorf("after the reversal %+v, before %+v", after.Totals, before.Totals)
		}
		// Nothing was edited: the purchase is as it was, now naming its
		// reversal.
		was, now := before.Entries[1], after.Entries[1]
		was.ReversedBy = rev.ID
		if *was.ServiceID != *now.ServiceID {
			t.Errorf("the purchase's service changed")
		}
		was.ServiceID, now.ServiceID = nil, nil
		if was != now {
			t.Errorf("the purchase changed:\nwas %+v\nnow %+v", was, now)
		}
		checkTotals(t, after)

		// A refused purchase gives its money back to the balance.
		pending := exact
		if _, err := s.Decide(ctx, manager, actor(manager), pending.ID, budget.DecisionInput{Decision: budget.Refused}); field(err, "reason") == "" {
			t.Errorf("refused without a reason: %v", err)
		}
		refused := must(s.Decide(ctx, manager, actor(manager), pending.ID, budget.DecisionInput{Decision: budget.Refused, Reason: "Not in the plan"}))(t)
		if refused.Status != budget.Refused || refused.DecisionReason != "Not in the plan" {
			t.Errorf("refused: %+v", refused)
		}
		if _, err := s.Reverse(ctx, worker, actor(worker), pending.ID, budget.ReversalInput{Reason: "x"}); code(err) != oikos.ECONFLICT {
			t.Errorf("reversed a refused purchase: %v", err)
		}
		final := must(s.Get(ctx, worker, actor(worker), w.ref))(t)
		checkTotals(t, final)
		if final.SpentPence != 5000+6000 || final.PendingPence != 0 || final.BalancePence != 9000 {
			t.Errorf("final %+v", final.Totals)
		}

		// The allowance may rise, with an allocation of the difference, but
		// never fall below what is committed.
		if _, err := s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(10999), Purpose: "Less"}); field(err, "allowance_pence") == "" {
			t.Errorf("allowance below what is spent: %v", err)
		}
		raised := must(s.SetAllowance(ctx, manager, actor(manager), w.ref, budget.AllowanceInput{AllowancePence: pence(25000), Purpose: "More courses"}))(t)
		last := raised.Entries[len(raised.Entries)-1]
		if last.Kind != budget.Allocation || last.AmountPence != 5000 || raised.Purpose != "More courses" {
			t.Errorf("raised: %+v", last)
		}
		lowered := must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(11000), Purpose: "Fewer"}))(t)
		if last := lowered.Entries[len(lowered.Entries)-1]; last.AmountPence != -14000 || lowered.BalancePence != 0 {
			t.Errorf("lowered: %+v %+v", last, lowered.Totals)
		}
		checkTotals(t, lowered)

		// The finance CSV holds the same entries, the reversal naming its
		// purchase.
		var buf bytes.Buffer
		if err := s.WriteLedgerCSV(ctx, manager, actor(manager), "", "", &buf); err != nil {
			t.Fatal(err)
		}
		rows := must(csv.NewReader(&buf).ReadAll())(t)
		if len(rows) != len(lowered.Entries)+1 {
			t.Fatalf("%d CSV rows for %d entries", len(rows)-1, len(lowered.Entries))
		}
		for i, e := range lowered.Entries {
			r := rows[i+1]
			if r[1] != e.ID || r[3] != e.Kind || r[4] != e.Status || r[5] != strconv.FormatInt(e.AmountPence, 10) || r[6] != e.Reverses {
				t.Errorf("CSV row %v, entry %+v", r, e)
			}
			if e.Kind == budget.Reversal && (r[6] != small.ID || r[9] != w.pottery) {
				t.Errorf("reversal row %v", r)
			}
		}

		// Every read and change is in the audit log, on the referral.
		entries := must(audit.ForObject(ctx, d.R(), "referral.budget", w.ref, 100))(t)
		var reads, changes int
		for _, e := range entries {
			if e.Action == audit.Read {
				reads++
			} else {
				changes++
			}
		}
		if reads < 5 || changes < 10 {
			t.Errorf("audit: %d reads, %d changes", reads, changes)
		}
		if _, err := audit.Verify(ctx, d.R()); err != nil {
			t.Error(err)
		}
	})
}

func TestThresholdIsASchemeSetting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(50000), Purpose: "Courses"}))(t)

		got := must(s.SchemeSettings(ctx, worker, "org_s1"))(t)
		if got.ApprovalThresholdPence != 5000 || !got.Default {
			t.Errorf("default: %+v", got)
		}
		if _, err := s.SetSchemeSettings(ctx, worker, actor(worker), "org_s1", budget.SettingsInput{ApprovalThresholdPence: pence(1)}); code(err) != oikos.ENOTFOUND {
			t.Errorf("a link worker set the threshold: %v", err)
		}
		if _, err := s.SetSchemeSettings(ctx, farManager, actor(farManager), "org_s1", budget.SettingsInput{ApprovalThresholdPence: pence(1)}); code(err) != oikos.ENOTFOUND {
			t.Errorf("another scheme's manager set the threshold: %v", err)
		}
		if _, err := s.SetSchemeSettings(ctx, manager, actor(manager), "org_s1", budget.SettingsInput{ApprovalThresholdPence: pence(-1)}); field(err, "approval_threshold_pence") == "" {
			t.Errorf("negative threshold: %v", err)
		}
		if _, err := s.SetSchemeSettings(ctx, admin, actor(admin), "org_clay", budget.SettingsInput{ApprovalThresholdPence: pence(1)}); code(err) != oikos.ENOTFOUND {
			t.Errorf("a threshold for an organisation that is not a scheme: %v", err)
		}
		must(s.SetSchemeSettings(ctx, manager, actor(manager), "org_s1", budget.SettingsInput{ApprovalThresholdPence: pence(10000)}))(t)
		if r := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(9000), Date: "2026-01-02"}))(t); r.Status != budget.Approved {
			t.Errorf("£90 under a £100 threshold: %s", r.Status)
		}
		must(s.SetSchemeSettings(ctx, admin, actor(admin), "org_s1", budget.SettingsInput{ApprovalThresholdPence: pence(0)}))(t)
		if r := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(1), Date: "2026-01-02"}))(t); r.Status != budget.AwaitingApproval {
			t.Errorf("1p under a zero threshold: %s", r.Status)
		}
		// The other scheme keeps the default.
		if got := must(s.SchemeSettings(ctx, farManager, "org_s2"))(t); got.ApprovalThresholdPence != 5000 {
			t.Errorf("other scheme: %+v", got)
		}
		if b := must(s.Get(ctx, worker, actor(worker), w.ref))(t); b.ApprovalThresholdPence != 0 {
			t.Errorf("the budget shows threshold %d", b.ApprovalThresholdPence)
		}
	})
}

func TestWhoMayDoWhat(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(10000), Purpose: "Courses"}))(t)
		p := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(6000), Date: "2026-01-02"}))(t)
		buy := budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(100), Date: "2026-01-02"}
		allowance := budget.AllowanceInput{AllowancePence: pence(100), Purpose: "x"}

		// Those who may not see the person: not found, whatever they try.
		outsiders := map[string]func() error{
			"a colleague reads":              func() error { _, err := s.Get(ctx, colleague, actor(colleague), w.ref); return err },
			"a colleague buys":               func() error { _, err := s.Purchase(ctx, colleague, actor(colleague), w.ref, buy); return err },
			"another scheme's manager reads": func() error { _, err := s.Get(ctx, farManager, actor(farManager), w.ref); return err },
			"another scheme's manager sets": func() error {
				_, err := s.SetAllowance(ctx, farManager, actor(farManager), w.ref, allowance)
				return err
			},
			"another scheme's manager decides": func() error {
				_, err := s.Decide(ctx, farManager, actor(farManager), p.ID, budget.DecisionInput{Decision: "approved"})
				return err
			},
			"another scheme's worker reverses": func() error {
				_, err := s.Reverse(ctx, farWorker, actor(farWorker), p.ID, budget.ReversalInput{Reason: "x"})
				return err
			},
			"a provider reads":                 func() error { _, err := s.Get(ctx, provider, actor(provider), w.ref); return err },
			"a commissioner reads":             func() error { _, err := s.Get(ctx, commissioner, actor(commissioner), w.ref); return err },
			"an administrator reads":           func() error { _, err := s.Get(ctx, admin, actor(admin), w.ref); return err },
			"anyone reads an unknown referral": func() error { _, err := s.Get(ctx, manager, actor(manager), "ref_nobody"); return err },
			"the link worker decides": func() error {
				_, err := s.Decide(ctx, worker, actor(worker), p.ID, budget.DecisionInput{Decision: "approved"})
				return err
			},
			"a colleague decides": func() error {
				_, err := s.Decide(ctx, colleague, actor(colleague), p.ID, budget.DecisionInput{Decision: "approved"})
				return err
			},
			"a worker spends in triage": func() error { _, err := s.SetAllowance(ctx, worker, actor(worker), w.triage, allowance); return err },
			"the link worker reverses under another of their referrals": func() error {
				_, err := s.Reverse(ctx, worker, actor(worker), p.ID, budget.ReversalInput{Reason: "x", ReferralID: w.closed})
				return err
			},
			"an unknown purchase": func() error {
				_, err := s.Decide(ctx, manager, actor(manager), "bud_nothing", budget.DecisionInput{Decision: "approved"})
				return err
			},
			"a far manager reads their ledger of another": func() error {
				page, err := s.Ledger(ctx, farManager, actor(farManager), budget.LedgerQuery{})
				if err == nil && page.Total != 0 {
					return oikos.Errorf(oikos.EINTERNAL, "saw %d entries of another scheme", page.Total)
				}
				return oikos.NotFound("x")
			},
			"a link worker reads the ledger": func() error { _, err := s.Ledger(ctx, worker, actor(worker), budget.LedgerQuery{}); return err },
		}
		for name, try := range outsiders {
			if err := try(); code(err) != oikos.ENOTFOUND {
				t.Errorf("%s: %v, want not found", name, err)
			}
		}
		// A link worker may read a referral's budget in the triage queue.
		must(s.Get(ctx, worker, actor(worker), w.triage))(t)
		// A closed referral's budget is kept as it was; a refund can still
		// be recorded.
		if _, err := s.SetAllowance(ctx, worker, actor(worker), w.closed, allowance); code(err) != oikos.ECONFLICT {
			t.Errorf("allowance on a closed referral: %v", err)
		}
		if _, err := s.Purchase(ctx, worker, actor(worker), w.closed, buy); code(err) != oikos.ECONFLICT {
			t.Errorf("purchase on a closed referral: %v", err)
		}
		// Nothing was written by the refusals.
		b := must(s.Get(ctx, manager, actor(manager), w.ref))(t)
		if len(b.Entries) != 2 || b.PendingPence != 6000 {
			t.Errorf("after refusals: %+v", b)
		}
	})
}

func TestBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		if _, err := s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(100), Date: "2026-01-02"}); field(err, "amount_pence") == "" {
			t.Errorf("a purchase with no budget: %v", err)
		}
		for _, amount := range []*int64{nil, pence(0), pence(-500)} {
			if _, err := s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: amount, Purpose: "x"}); field(err, "allowance_pence") == "" {
				t.Errorf("allowance %v: %v", amount, err)
			}
		}
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(10000), Purpose: "Courses"}))(t)
		cases := []struct {
			in    budget.PurchaseInput
			field string
		}{
			{budget.PurchaseInput{Supplier: "A", Description: "B", Date: "2026-01-02"}, "amount_pence"},
			{budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(0), Date: "2026-01-02"}, "amount_pence"},
			{budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(-1), Date: "2026-01-02"}, "amount_pence"},
			{budget.PurchaseInput{Description: "B", AmountPence: pence(1), Date: "2026-01-02"}, "supplier"},
			{budget.PurchaseInput{ServiceID: "svc_nothing", AmountPence: pence(1), Date: "2026-01-02"}, "service_id"},
			{budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(1), Date: "02/01/2026"}, "date"},
			{budget.PurchaseInput{Supplier: "A\x00", Description: "B", AmountPence: pence(1), Date: "2026-01-02"}, "supplier"},
		}
		for _, c := range cases {
			if _, err := s.Purchase(ctx, worker, actor(worker), w.ref, c.in); field(err, c.field) == "" {
				t.Errorf("%+v: %v, want %s named", c.in, err, c.field)
			}
		}
		if b := must(s.Get(ctx, worker, actor(worker), w.ref))(t); len(b.Entries) != 1 || b.BalancePence != 10000 {
			t.Errorf("bad input left a trace: %+v", b)
		}
	})
}

// The ledger is append-only in the database itself: no code, however
// wrong, edits or deletes an entry, but erasure may blank its words.
func TestLedgerIsAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(10000), Purpose: "Courses"}))(t)
		p := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "A", Description: "For Ann", AmountPence: pence(6000), Date: "2026-01-02"}))(t)
		must(s.Decide(ctx, manager, actor(manager), p.ID, budget.DecisionInput{Decision: budget.Refused, Reason: "Ann has one"}))(t)
		refused := []string{
			"UPDATE budget_entries SET amount_pence = 1 WHERE id = $1",
			"UPDATE budget_entries SET status = 'approved' WHERE id = $1",
			"UPDATE budget_entries SET supplier = 'B' WHERE id = $1",
			"UPDATE budget_entries SET description = 'Something else' WHERE id = $1",
			"DELETE FROM budget_entries WHERE id = $1",
			"UPDATE budget_decisions SET decision = 'approved' WHERE entry_id = $1",
			"UPDATE budget_decisions SET reason = 'Another' WHERE entry_id = $1",
			"DELETE FROM budget_decisions WHERE entry_id = $1",
		}
		for _, q := range refused {
			if _, err := d.Exec(ctx, q, p.ID); err == nil {
				t.Errorf("%s was allowed", q)
			}
		}
		if d.Dialect == db.Postgres {
			if _, err := d.Exec(ctx, "TRUNCATE budget_decisions"); err == nil {
				t.Error("TRUNCATE was allowed")
			}
		}
		// Erasure blanks the words.
		execSQL(t, d, "UPDATE budget_entries SET description = '', reason = '' WHERE id = $1", p.ID)
		execSQL(t, d, "UPDATE budget_decisions SET reason = '' WHERE entry_id = $1", p.ID)
		// The totals row cannot be made to overspend either.
		if _, err := d.Exec(ctx, "UPDATE budgets SET spent_pence = allowance_pence + 1 WHERE referral_id = $1", w.ref); err == nil {
			t.Error("the budget row overspent")
		}
	})
}

func TestLedger(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(100000), Purpose: "Courses"}))(t)
		for i := range 7 {
			must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "=HYPERLINK(\"http://evil\")", Description: "Session",
				AmountPence: pence(int64(100 + i)), Date: "2026-01-02"}))(t)
		}
		must(s.SetAllowance(ctx, farManager, actor(farManager), w.farRef, budget.AllowanceInput{AllowancePence: pence(999), Purpose: "Elsewhere"}))(t)

		// JSON, a page at a time.
		var seen []budget.LedgerRow
		q := budget.LedgerQuery{Limit: 3}
		for range 5 {
			page := must(s.Ledger(ctx, manager, actor(manager), q))(t)
			if page.Total != 8 {
				t.Fatalf("total %d", page.Total)
			}
			seen = append(seen, page.Items...)
			if page.Next == nil {
				break
			}
			q.Cursor = *page.Next
		}
		if len(seen) != 8 || seen[0].Kind != budget.Allocation || seen[1].Reference != "R-ref_lee" {
			t.Fatalf("pages: %+v", seen)
		}
		// One budget's entries come in the order they were recorded.
		for i, r := range seen[1:] {
			if r.AmountPence != int64(100+i) || r.Supplier != "=HYPERLINK(\"http://evil\")" {
				t.Errorf("row %d: %+v", i+1, r)
			}
		}
		if _, err := s.Ledger(ctx, manager, actor(manager), budget.LedgerQuery{Cursor: "nonsense!"}); field(err, "cursor") == "" {
			t.Errorf("bad cursor: %v", err)
		}
		if _, err := s.Ledger(ctx, manager, actor(manager), budget.LedgerQuery{From: "yesterday"}); field(err, "from") == "" {
			t.Errorf("bad from: %v", err)
		}
		if page := must(s.Ledger(ctx, manager, actor(manager), budget.LedgerQuery{From: "2020-01-01", To: "2020-12-31"}))(t); page.Total != 0 {
			t.Errorf("a year long past holds %d", page.Total)
		}

		// CSV: the same rows, formulas written as text.
		var buf bytes.Buffer
		if err := s.WriteLedgerCSV(ctx, manager, actor(manager), "", "", &buf); err != nil {
			t.Fatal(err)
		}
		rows := must(csv.NewReader(&buf).ReadAll())(t)
		if len(rows) != 9 || strings.Join(rows[0], ",") != strings.Join(budget.LedgerColumns, ",") {
			t.Fatalf("csv: %v", rows)
		}
		for i, r := range rows[1:] {
			want := seen[i]
			if r[0] != want.RecordedAt.Format(time.RFC3339) || r[1] != want.ID || r[2] != want.Date || r[3] != want.Kind || r[4] != want.Status ||
				r[5] != strconv.FormatInt(want.AmountPence, 10) || r[6] != want.Reverses || r[7] != "R-ref_lee" || r[9] != "" {
				t.Errorf("row %d: %v, want %+v", i, r, want)
			}
		}
		if got := rows[2][8]; got != "'=HYPERLINK(\"http://evil\")" {
			t.Errorf("supplier written as %q", got)
		}
		if got := rows[1][11]; got != "Lee Worker" {
			t.Errorf("by %q", got)
		}
		if err := s.WriteLedgerCSV(ctx, worker, actor(worker), "", "", &buf); code(err) != oikos.ENOTFOUND {
			t.Errorf("a link worker's CSV: %v", err)
		}
		var reads int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE object_kind = 'budget.ledger' AND object_id LIKE 'org_s1:%'").Scan(&reads); err != nil || reads < 5 {
			t.Errorf("%d ledger reads audited (%v)", reads, err)
		}
	})
}

func TestForPerson(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		if got := must(s.ForPerson(ctx, oikos.Actor{UserID: "person:" + w.personID}, w.personID))(t); len(got) != 0 {
			t.Errorf("before any budget: %+v", got)
		}
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(10000), Purpose: "Courses"}))(t)
		must(s.SetAllowance(ctx, manager, actor(manager), w.triage, budget.AllowanceInput{AllowancePence: pence(10000), Purpose: "Bob's"}))(t)
		got := must(s.ForPerson(ctx, oikos.Actor{UserID: "person:" + w.personID}, w.personID))(t)
		if len(got) != 1 || got[0].ReferralID != w.ref || got[0].BalancePence != 10000 {
			t.Errorf("her budgets: %+v", got)
		}
		entries := must(audit.ForObject(ctx, d.R(), "referral.budget", w.ref, 10))(t)
		if entries[0].ActorID != "person:"+w.personID || entries[0].Action != audit.Read {
			t.Errorf("her read is not audited: %+v", entries[0])
		}
	})
}

// TestLedgerCSVText: the free-text columns of the finance CSV come back as
// typed, quoted where they need it, and a would-be formula as text, on
// both databases (the ledger is read as one packed column per row).
func TestLedgerCSVText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(10000), Purpose: "Courses"}))(t)
		supplier, description := `=HYPERLINK("http://x")`, "Clay, \"wheel\" and glaze\nten weeks"
		today := time.Now().Format(time.DateOnly)
		bought := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: supplier, Description: description,
			AmountPence: pence(1500), Date: today}))(t)
		var buf bytes.Buffer
		if err := s.WriteLedgerCSV(ctx, manager, actor(manager), "", "", &buf); err != nil {
			t.Fatal(err)
		}
		rows := must(csv.NewReader(&buf).ReadAll())(t)
		if len(rows) != 3 || len(rows[2]) != len(budget.LedgerColumns) {
			t.Fatalf("rows %q", rows)
		}
		r := rows[2]
		want := []string{bought.ID, today, budget.Purchase, budget.Approved, "1500", "", "R-" + w.ref, "'" + supplier, "", description, worker.Name}
		if got := r[1:]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("CSV row\n got %q\nwant %q", got, want)
		}
		if _, err := time.Parse(time.RFC3339, r[0]); err != nil {
			t.Errorf("recorded_at %q: %v", r[0], err)
		}
		// A referral moved to another scheme since keeps its entries in
		// this scheme's ledger, still with its reference.
		execSQL(t, d, `UPDATE referrals SET scheme_id = 'org_s2' WHERE id = $1`, w.ref)
		buf.Reset()
		if err := s.WriteLedgerCSV(ctx, manager, actor(manager), "", "", &buf); err != nil {
			t.Fatal(err)
		}
		rows = must(csv.NewReader(&buf).ReadAll())(t)
		if len(rows) != 3 || rows[2][7] != "R-"+w.ref || rows[1][7] != "R-"+w.ref {
			t.Errorf("after the move: %q", rows)
		}
	})
}
