package referral_test

import (
	"context"
	"fmt"
	"testing"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

// TestRecordList: a list of referrals leaves a read of each in the audit
// log, once however many of the request's lists show it, all in one
// transaction, findable by audit.ForObject with the referral's other reads.
func TestRecordList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		var refs []referral.Referral
		for i := range 3 {
			in := margaret()
			in.Person.NHSNumber, in.Person.FamilyName = "", fmt.Sprintf("Hughes%d", i)
			r, err := s.Create(ctx, gp, in, "", "api")
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, r)
		}
		count := func() int {
			var n int
			if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		manager := referral.Actor{UserID: "usr_manager", Client: "192.0.2.7"}
		if err := s.RecordList(ctx, manager, refs[:2], refs[1:]); err != nil {
			t.Fatal(err)
		}
		if got := count() - before; got != 3 {
			t.Fatalf("%d entries for 3 referrals in two overlapping lists", got)
		}
		for _, r := range refs {
			entries, err := audit.ForObject(ctx, d.R(), "referral", r.ID, 10)
			if err != nil || len(entries) == 0 || entries[0].ActorID != manager.UserID || entries[0].Action != audit.Read || entries[0].Client != manager.Client {
				t.Fatalf("%s: %+v %v", r.ID, entries, err)
			}
		}
		if err := s.RecordList(ctx, manager, nil, []referral.Referral{}); err != nil || count()-before != 3 {
			t.Fatalf("empty lists: %v, %d entries", err, count()-before)
		}
		// More than one statement's worth (500) still goes in one call.
		many := make([]referral.Referral, 1200)
		for i := range many {
			many[i].ID = fmt.Sprintf("ref_%04d", i)
		}
		if err := s.RecordList(ctx, manager, many); err != nil {
			t.Fatal(err)
		}
		if got := count() - before; got != 1203 {
			t.Fatalf("%d entries after a list of 1200", got)
		}
		if n, err := audit.Verify(ctx, d.R()); err != nil || n != count() {
			t.Fatalf("chain: %d %v", n, err)
		}
	})
}
