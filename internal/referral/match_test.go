package referral_test

import (
	"context"
	"testing"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestResolveMatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		first, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		moved := margaret()
		moved.Person.NHSNumber, moved.Person.Postcode = "", "TQ1 1AA"
		same, err := s.Create(ctx, gp, moved, "", "api")
		if err != nil || same.PossibleMatchID != first.PersonID {
			t.Fatalf("possible match: %+v %v", same, err)
		}
		namesake := moved
		namesake.Person.Postcode = "PL1 2AA"
		different, err := s.Create(ctx, gp, namesake, "", "api")
		if err != nil || different.PossibleMatchID == "" {
			t.Fatalf("second possible match: %+v %v", different, err)
		}

		// The same person: the referral moves to them and the record made
		// on arrival goes.
		got, err := s.ResolveMatch(ctx, gp, same.ID, true)
		if err != nil || got.PersonID != first.PersonID || got.PossibleMatchID != "" {
			t.Fatalf("resolved as the same: %+v %v", got, err)
		}
		if _, err := s.GetPerson(ctx, same.PersonID); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("the duplicate person is still held: %v", err)
		}
		// Not the same: both are kept and the question is not asked again.
		got, err = s.ResolveMatch(ctx, gp, different.ID, false)
		if err != nil || got.PersonID != different.PersonID || got.PossibleMatchID != "" {
			t.Fatalf("resolved as different: %+v %v", got, err)
		}
		if _, err := s.ResolveMatch(ctx, gp, different.ID, true); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("resolving twice: %v", err)
		}
		if _, err := s.ResolveMatch(ctx, gp, "ref_nothing", true); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("unknown referral: %v", err)
		}
		if _, err := audit.Verify(ctx, d.R()); err != nil {
			t.Fatal(err)
		}
	})
}
