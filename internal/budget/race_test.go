package budget_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"oikos"
	"oikos/internal/budget"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestConcurrentPurchasesNeverOverspend sends 200 purchases at one budget
// at once, asking for several times what it holds: the only errors are
// refusals naming amount_pence, what was accepted fits the allowance, and
// the ledger adds up to the totals.
func TestConcurrentPurchasesNeverOverspend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		const allowance = 100_000
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(allowance), Purpose: "Courses"}))(t)

		const n = 200
		type answer struct {
			amount int64
			result budget.PurchaseResult
			err    error
		}
		answers := make([]answer, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		began := time.Now()
		for i := range n {
			// 137p to about £80, some above the £50 threshold: about
			// four times the allowance in all.
			amount := int64(137 + (i*7919)%8000)
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "Course", Description: "A place",
					AmountPence: pence(amount), Date: "2026-03-02"})
				answers[i] = answer{amount, r, err}
			}()
		}
		close(start)
		wg.Wait()
		took := time.Since(began)

		var accepted, refused int
		var committed, spent, pending int64
		for _, a := range answers {
			switch {
			case a.err == nil:
				accepted++
				committed += a.amount
				if a.result.Status == budget.Approved {
					spent += a.amount
				} else {
					pending += a.amount
				}
			case field(a.err, "amount_pence") != "":
				refused++
			default:
				t.Errorf("a purchase failed other than by refusal: %v", a.err)
			}
		}
		b := must(s.Get(ctx, manager, actor(manager), w.ref))(t)
		t.Logf("%d purchases in %s: %d accepted (%s committed), %d refused; balance %s", n, took, accepted, budget.Pounds(committed), refused, budget.Pounds(b.BalancePence))
		if accepted == 0 || refused == 0 {
			t.Errorf("the test proves nothing: %d accepted, %d refused", accepted, refused)
		}
		if committed > allowance || b.BalancePence < 0 {
			t.Errorf("overspent: %d committed of %d, balance %d", committed, allowance, b.BalancePence)
		}
		if b.SpentPence != spent || b.PendingPence != pending || len(b.Entries) != 1+accepted {
			t.Errorf("the budget says %+v with %d entries; the answers say spent %d, pending %d, %d accepted", b.Totals, len(b.Entries), spent, pending, accepted)
		}
		checkTotals(t, b)
		// Positions are 1, 2, 3 … with no gap or repeat.
		for i, e := range b.Entries {
			if i > 0 && e.RecordedAt.Before(b.Entries[i-1].RecordedAt) {
				t.Errorf("entry %d recorded before the one before it", i)
			}
		}
	})
}

// TestConcurrentDecisionsAndReversals: many managers deciding one
// purchase at once, and many reversing another, give exactly one
// decision and one reversal; the rest are conflicts.
func TestConcurrentDecisionsAndReversals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		must(s.SetAllowance(ctx, worker, actor(worker), w.ref, budget.AllowanceInput{AllowancePence: pence(20000), Purpose: "Courses"}))(t)
		waiting := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(9000), Date: "2026-03-02"}))(t)
		bought := must(s.Purchase(ctx, worker, actor(worker), w.ref, budget.PurchaseInput{Supplier: "A", Description: "B", AmountPence: pence(4000), Date: "2026-03-02"}))(t)

		const n = 30
		errs := make([]error, 2*n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				decision := budget.Approved
				if i%2 == 1 {
					decision = budget.Refused
				}
				_, errs[i] = s.Decide(ctx, manager, actor(manager), waiting.ID, budget.DecisionInput{Decision: decision, Reason: "Decided"})
			}()
			go func() {
				defer wg.Done()
				<-start
				_, errs[n+i] = s.Reverse(ctx, worker, actor(worker), bought.ID, budget.ReversalInput{Reason: "Refund"})
			}()
		}
		close(start)
		wg.Wait()
		for half, name := range []string{"decisions", "reversals"} {
			ok := 0
			for _, err := range errs[half*n : (half+1)*n] {
				switch code(err) {
				case "":
					ok++
				case oikos.ECONFLICT:
				default:
					t.Errorf("%s: %v", name, err)
				}
			}
			if ok != 1 {
				t.Errorf("%d %s succeeded, want 1", ok, name)
			}
		}
		b := must(s.Get(ctx, manager, actor(manager), w.ref))(t)
		checkTotals(t, b)
		if b.PendingPence != 0 || len(b.Entries) != 4 {
			t.Errorf("after: %+v, %d entries", b.Totals, len(b.Entries))
		}
	})
}
