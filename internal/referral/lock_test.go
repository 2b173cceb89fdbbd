package referral_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestLock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		r, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		want := referral.Head{ID: r.ID, Status: referral.Received, SchemeID: r.SchemeID, PersonID: r.PersonID,
			Reference: r.Reference, ConsentShare: true, ReceivedAt: r.ReceivedAt}
		if got, err := referral.ReadHead(ctx, d.R(), r.ID); err != nil || got != want {
			t.Fatalf("ReadHead = %+v, %v; want %+v", got, err, want)
		}
		for _, id := range []string{"ref_unknown", "", strings.Repeat("a", 101), "two\nlines"} {
			if _, err := referral.ReadHead(ctx, d.R(), id); oikos.ErrorCode(err) != oikos.ENOTFOUND {
				t.Errorf("ReadHead(%q): %v, want not found", id, err)
			}
		}
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			got, err := referral.Lock(ctx, tx, d.Dialect, r.ID)
			if err != nil || got != want {
				t.Fatalf("Lock = %+v, %v; want %+v", got, err, want)
			}
			if _, err := referral.Lock(ctx, tx, d.Dialect, "ref_unknown"); oikos.ErrorCode(err) != oikos.ENOTFOUND {
				t.Errorf("Lock of an unknown referral: %v", err)
			}
			if d.Dialect != db.Postgres {
				return nil // SQLite runs one write transaction at a time
			}
			// While this transaction holds the referral another may read
			// it but not lock it (here it gives up after 200 ms).
			return d.Tx(ctx, func(other *sql.Tx) error {
				if err := d.Dialect.SetLocal(ctx, other, "lock_timeout", "200ms"); err != nil {
					return err
				}
				if h, err := referral.ReadHead(ctx, other, r.ID); err != nil || h.Status != referral.Received {
					t.Errorf("ReadHead beside a lock: %+v, %v", h, err)
				}
				if _, err := referral.Lock(ctx, other, d.Dialect, r.ID); err == nil || !strings.Contains(err.Error(), "55P03") {
					t.Errorf("a second Lock did not wait: %v", err)
				}
				return errors.New("done") // the failed statement spoilt this transaction
			})
		})
		if err != nil && err.Error() != "done" {
			t.Fatal(err)
		}
	})
}

// TestConcurrentClosing closes one referral from many requests at once:
// one closes it, the others are told it is closed already, and its history
// says it closed once.
func TestConcurrentClosing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		r, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, gp, r.ID, referral.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Transition(ctx, gp, r.ID, referral.Closed, "declined")
			}()
		}
		wg.Wait()
		closed := 0
		for _, err := range errs {
			switch {
			case err == nil:
				closed++
			case oikos.ErrorCode(err) != oikos.ECONFLICT:
				t.Errorf("a closing failed with %v, want a conflict", err)
			}
		}
		var events int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referral_events WHERE referral_id = $1 AND to_status = 'closed'", r.ID).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if closed != 1 || events != 1 {
			t.Fatalf("%d closings succeeded and %d were recorded; want 1 and 1", closed, events)
		}
	})
}
