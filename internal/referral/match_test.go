package referral_test

import (
	"context"
	"strings"
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
		if err != nil || same.PossibleMatchID != first.PersonID || same.MatchStrength != referral.Possible {
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
		if err != nil || got.PersonID != first.PersonID || got.PossibleMatchID != "" || got.MatchStrength != "" || got.Sent.Postcode != "TQ1 1AA" ||
			got.Person.Postcode != "EX4 4QJ" || !got.SentDiffers() {
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

// TestMigrationKeepsWhatWasSent runs the data half of migration 0025 on
// referrals made before it: each keeps its person's details as what was
// sent, and a possible match already flagged is "possible".
func TestMigrationKeepsWhatWasSent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		first, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		moved := margaret()
		moved.Person.NHSNumber, moved.Person.Postcode = "", "TQ1 1AA"
		second, err := s.Create(ctx, gp, moved, "", "api")
		if err != nil {
			t.Fatal(err)
		}
		// As the rows were before the migration.
		if _, err := d.Exec(ctx, `UPDATE referrals SET sent_given_name = '', sent_family_name = '', sent_date_of_birth = '', sent_nhs_number = '',
			sent_postcode = '', sent_phone = '', sent_email = '', match_strength = ''`); err != nil {
			t.Fatal(err)
		}
		all, err := db.Migrations(d.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		ran := 0
		for _, m := range all {
			if m.Version != 25 {
				continue
			}
			for _, stmt := range strings.Split(m.SQL, "\n-- ;\n") {
				if i := strings.Index(stmt, "UPDATE"); i >= 0 {
					if _, err := d.Exec(ctx, stmt[i:]); err != nil {
						t.Fatalf("%v\n%s", err, stmt)
					}
					ran++
				}
			}
		}
		if ran != 2 {
			t.Fatalf("ran %d updates of migration 0025", ran)
		}
		for _, r := range []referral.Referral{first, second} {
			got, err := s.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			p := *got.Person
			p.ID = ""
			if *got.Sent != p || got.MatchStrength != r.MatchStrength {
				t.Errorf("after the migration: sent %+v, person %+v, strength %q want %q", *got.Sent, *got.Person, got.MatchStrength, r.MatchStrength)
			}
		}
	})
}
