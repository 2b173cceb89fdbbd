package referral_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var gp = referral.Actor{UserID: "usr_gp", Client: "test"}

func margaret() referral.Input {
	return referral.Input{
		Person:  referral.PersonInput{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", NHSNumber: "943 476 5919", Postcode: "ex4 4qj"},
		Source:  referral.SourceInput{Type: "gp", ReferrerName: "Dr Okafor"},
		Reasons: []string{"loneliness", "low_mood"},
		Consent: referral.ConsentInput{Given: true, ShareWithProviders: true},
	}
}

func TestCreateMatchesPeople(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		first, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		if first.Status != referral.Received || first.Reference == "" {
			t.Fatalf("created %+v", first)
		}
		// The same NHS number is the same person.
		again := margaret()
		again.Person.Postcode = "EX1 1AA"
		second, err := s.Create(ctx, gp, again, "", "api")
		if err != nil || second.PersonID != first.PersonID {
			t.Fatalf("same NHS number made a new person: %v", err)
		}
		// No NHS number, same name and birth date, new postcode: a possible match.
		moved := margaret()
		moved.Person.NHSNumber, moved.Person.Postcode = "", "TQ1 1AA"
		third, err := s.Create(ctx, gp, moved, "", "api")
		if err != nil || third.PersonID == first.PersonID || third.PossibleMatchID != first.PersonID {
			t.Fatalf("possible match: %+v %v", third, err)
		}
		got, err := s.Get(ctx, first.ID)
		if err != nil || got.Person.NHSNumber != "9434765919" || got.Person.Postcode != "EX4 4QJ" || len(got.Reasons) != 2 {
			t.Fatalf("get %+v %v", got, err)
		}
		if n, err := audit.Verify(ctx, d.R()); err != nil || n < 4 {
			t.Fatalf("audit %d %v", n, err)
		}
	})
}

func TestValidateNamesFields(t *testing.T) {
	d := dbtest.SQLite(t)
	s := referral.NewStore(d)
	in := referral.Input{Person: referral.PersonInput{DateOfBirth: "2099-01-01", NHSNumber: "9434765918", Postcode: "nowhere"},
		Source: referral.SourceInput{Type: "pigeon"}, Reasons: []string{"boredom"}, Urgency: "now"}
	_, err := s.Create(context.Background(), gp, in, "", "api")
	e, ok := err.(*oikos.Error)
	if !ok {
		t.Fatalf("%v", err)
	}
	for _, f := range []string{"person.given_name", "person.family_name", "person.date_of_birth", "person.nhs_number", "person.postcode",
		"source.type", "reasons", "urgency", "consent.given"} {
		if e.Fields[f] == "" {
			t.Errorf("no error for %s: %v", f, e.Fields)
		}
	}
	var n int
	d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM people").Scan(&n)
	if n != 0 {
		t.Fatal("a refused referral wrote a person")
	}
}

func TestTransitionsAndAssignment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		r, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, gp, r.ID, referral.Active, ""); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("received → active: %v", err)
		}
		for _, to := range []referral.Status{referral.Accepted, referral.Contacted, referral.Active} {
			if r, err = s.Transition(ctx, gp, r.ID, to, ""); err != nil {
				t.Fatalf("→ %s: %v", to, err)
			}
		}
		if r.FirstContactAt == nil {
			t.Fatal("first contact not recorded")
		}
		if _, err := s.Transition(ctx, gp, r.ID, referral.Closed, ""); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("close without reason: %v", err)
		}
		if r, err = s.Transition(ctx, gp, r.ID, referral.Closed, "goals_met"); err != nil || r.ClosedAt == nil || r.ClosedReason != "goals_met" {
			t.Fatalf("close: %v", err)
		}
		if _, err := s.Transition(ctx, gp, r.ID, referral.Accepted, ""); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("reopen: %v", err)
		}
		if _, err := s.Assign(ctx, gp, r.ID, "usr_nobody"); oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("assign to nobody: %v", err)
		}
		list, total, err := s.List(ctx, referral.Filter{Status: referral.Closed})
		if err != nil || total != 1 || list[0].ID != r.ID {
			t.Fatalf("list: %d %v", total, err)
		}
	})
}

func TestCreateSentAgain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		in := margaret()
		in.ExternalID = "org_riverside|https://gp.example/referrals|GP-1"
		first, err := s.Create(ctx, gp, in, "", "fhir")
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Create(ctx, gp, in, "", "fhir")
		if !errors.Is(err, referral.ErrAlreadyReceived) || again.ID != first.ID || again.Person == nil || again.ExternalID != in.ExternalID {
			t.Fatalf("sent again: %+v %v", again, err)
		}
		if other, err := s.Create(ctx, gp, in, "", "api"); err != nil || other.ID == first.ID {
			t.Fatalf("the same id on another channel: %+v %v", other, err)
		}
		if found, err := s.FindExternal(ctx, "fhir", in.ExternalID); err != nil || found.ID != first.ID {
			t.Fatalf("find: %+v %v", found, err)
		}
		if _, err := s.FindExternal(ctx, "fhir", "org_riverside|https://gp.example/referrals|GP-2"); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Fatalf("find another: %v", err)
		}
		var n int
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals WHERE channel = 'fhir'").Scan(&n)
		if n != 1 {
			t.Fatalf("%d referrals from FHIR", n)
		}
	})
}

// TestCreateConcurrently sends referrals at the same moment, so that they
// share transactions: the same person is one person, the same sender's id
// one referral, a bad organisation refuses only its own referral, and the
// audit chain holds.
func TestCreateConcurrently(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		type outcome struct {
			kind string
			r    referral.Referral
			err  error
		}
		var inputs []referral.Input
		var kinds []string
		for i := range 8 {
			in := margaret()
			in.Person.Postcode = fmt.Sprintf("EX%d 1AA", i+1)
			inputs, kinds = append(inputs, in), append(kinds, "same person")
		}
		for range 8 {
			in := margaret()
			in.Person = referral.PersonInput{GivenName: "Sam", FamilyName: "Jones", DateOfBirth: "1990-01-01", Postcode: "TQ1 1AA"}
			in.ExternalID = "org_a|https://gp.example/referrals|GP-9"
			inputs, kinds = append(inputs, in), append(kinds, "sent again")
		}
		for range 4 {
			in := margaret()
			in.Source.OrganisationID = "org_nowhere"
			inputs, kinds = append(inputs, in), append(kinds, "no such organisation")
		}
		for i := range 4 {
			in := margaret()
			in.Person = referral.PersonInput{GivenName: "Ada", FamilyName: fmt.Sprintf("Person%d", i), DateOfBirth: "1970-02-03", Postcode: "PL1 1AA"}
			inputs, kinds = append(inputs, in), append(kinds, "someone else")
		}
		out := make([]outcome, len(inputs))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, in := range inputs {
			wg.Go(func() {
				<-start
				r, err := s.Create(ctx, gp, in, "", "fhir")
				out[i] = outcome{kinds[i], r, err}
			})
		}
		close(start)
		wg.Wait()
		people, firsts := map[string]bool{}, map[string]bool{}
		made := 0
		for _, o := range out {
			switch {
			case o.kind == "no such organisation":
				if oikos.ErrorCode(o.err) != oikos.EINVALID {
					t.Errorf("%s: %v", o.kind, o.err)
				}
				continue
			case o.kind == "sent again" && errors.Is(o.err, referral.ErrAlreadyReceived):
				firsts[o.r.ID] = true
				continue
			case o.err != nil:
				t.Errorf("%s: %v", o.kind, o.err)
				continue
			case o.kind == "same person":
				people[o.r.PersonID] = true
			case o.kind == "sent again":
				firsts[o.r.ID] = true
			}
			made++
		}
		if len(people) != 1 || len(firsts) != 1 || made != 8+1+4 {
			t.Errorf("people for one person %d, referrals for one sender's id %d, made %d", len(people), len(firsts), made)
		}
		var referrals, persons int
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals").Scan(&referrals)
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM people").Scan(&persons)
		if referrals != made || persons != 1+1+4 {
			t.Errorf("%d referrals and %d people in the database", referrals, persons)
		}
		if n, err := audit.Verify(ctx, d.R()); err != nil || n != referrals+persons {
			t.Errorf("audit chain: %d entries, %v", n, err)
		}
	})
}
