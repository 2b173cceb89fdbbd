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
	"oikos/internal/postcode"
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

func TestCreateFlagsLikeness(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		first, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		if first.Status != referral.Received || first.Reference == "" || first.PossibleMatchID != "" || first.MatchStrength != referral.NotAlike {
			t.Fatalf("created %+v", first)
		}
		// The same NHS number: a person of its own, flagged.
		again := margaret()
		again.Person.Postcode = "EX1 1AA"
		second, err := s.Create(ctx, gp, again, "", "api")
		if err != nil || second.PersonID == first.PersonID || second.PossibleMatchID != first.PersonID || second.MatchStrength != referral.SameNHSNumber {
			t.Fatalf("same NHS number: %+v %v", second, err)
		}
		// No NHS number, same name and birth date, new postcode: a possible
		// match with the first (the longest held of two equally alike).
		moved := margaret()
		moved.Person.NHSNumber, moved.Person.Postcode = "", "TQ1 1AA"
		third, err := s.Create(ctx, gp, moved, "", "api")
		if err != nil || third.PersonID == first.PersonID || third.PossibleMatchID != first.PersonID || third.MatchStrength != referral.Possible {
			t.Fatalf("possible match: %+v %v", third, err)
		}
		got, err := s.Get(ctx, first.ID)
		if err != nil || got.Person.NHSNumber != "9434765919" || got.Person.Postcode != "EX4 4QJ" || len(got.Reasons) != 2 || *got.Sent != (referral.Person{
			GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", NHSNumber: "9434765919", Postcode: "EX4 4QJ"}) {
			t.Fatalf("get %+v %v", got, err)
		}
		if n, err := audit.Verify(ctx, d.R()); err != nil || n != 6 {
			t.Fatalf("audit %d %v", n, err)
		}
	})
}

// TestCreateNeverDiscloses is the probe of issue 12 at the store: callers
// who name someone known (by NHS number, or by name, date of birth and
// postcode), from a professional or the public door, are joined to nobody
// and shown only what they sent, before and after a link worker reconciles
// the referral with the known record.
func TestCreateNeverDiscloses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		known := margaret()
		known.Person.Phone = "01392 000000"
		real, err := s.Create(ctx, gp, known, "", "api")
		if err != nil {
			t.Fatal(err)
		}
		otherGP := referral.Actor{UserID: "usr_other_gp", Client: "probe"}
		made := func(in referral.Input, channel string) referral.Referral {
			t.Helper()
			r, err := s.Create(ctx, otherGP, in, "", channel)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		// The referrer's view: exactly what they sent, nothing held.
		shows := func(name string, r referral.Referral, sent referral.PersonInput) {
			t.Helper()
			got, err := s.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			seen := got.AsSent()
			// As sent, tidied as intake tidies it.
			pc, _ := postcode.Normalise(sent.Postcode)
			want := referral.Person{GivenName: sent.GivenName, FamilyName: sent.FamilyName, DateOfBirth: sent.DateOfBirth,
				NHSNumber: referral.NormaliseNHSNumber(sent.NHSNumber), Postcode: pc, Phone: sent.Phone, Email: sent.Email}
			if *seen.Person != want || seen.PersonID != "" || seen.PossibleMatchID != "" || seen.MatchStrength != "" || seen.Sent != nil {
				t.Errorf("%s: the referrer is shown %+v (person %q, match %q %q), want only %+v", name, *seen.Person, seen.PersonID,
					seen.PossibleMatchID, seen.MatchStrength, want)
			}
			if seen.Person.Phone == "01392 000000" {
				t.Errorf("%s: the known person's phone is shown", name)
			}
		}
		flagged := func(name string, r referral.Referral, strength referral.Strength) {
			t.Helper()
			if r.PersonID == real.PersonID || r.PossibleMatchID != real.PersonID || r.MatchStrength != strength {
				t.Errorf("%s: person %s (known %s), possible match %q %q, want a new person flagged %q", name, r.PersonID, real.PersonID,
					r.PossibleMatchID, r.MatchStrength, strength)
			}
		}

		// A known NHS number with a made-up name, birth date and postcode.
		probe := margaret()
		probe.Person = referral.PersonInput{GivenName: "Zed", FamilyName: "Nobody", DateOfBirth: "2001-01-01", NHSNumber: "9434765919", Postcode: "TR1 1AA"}
		byNHS := made(probe, "api")
		flagged("known NHS number", byNHS, referral.SameNHSNumber)
		shows("known NHS number", byNHS, probe.Person)

		// The name, date of birth and postcode alone.
		details := margaret()
		details.Person.NHSNumber = ""
		byDetails := made(details, "api")
		flagged("name, birth date and postcode", byDetails, referral.SameDetails)
		shows("name, birth date and postcode", byDetails, details.Person)

		// The public door with someone's NHS number.
		self := probe
		self.Source = referral.SourceInput{Type: "self"}
		self.Person.GivenName, self.Person.Email = "Anon", "anon@example.org"
		bySelf := made(self, "self")
		flagged("self-referral", bySelf, referral.SameNHSNumber)
		shows("self-referral", bySelf, self.Person)

		var onReal int
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals WHERE person_id = $1", real.PersonID).Scan(&onReal)
		if onReal != 1 {
			t.Errorf("%d referrals joined to the known person at intake, want only their own", onReal)
		}

		// A link worker finds the second is the same person after all: the
		// referral moves to the known record; its referrer still sees only
		// what they sent, and the link worker sees the record.
		lw := referral.Actor{UserID: "usr_lw", Client: "test"}
		resolved, err := s.ResolveMatch(ctx, lw, byDetails.ID, true)
		if err != nil || resolved.PersonID != real.PersonID || resolved.Person.Phone != "01392 000000" || resolved.MatchStrength != "" {
			t.Fatalf("resolved as the same: %+v %v", resolved, err)
		}
		if !resolved.SentDiffers() {
			t.Error("the known record has a phone the referral did not send, yet it does not differ")
		}
		shows("after reconciling", byDetails, details.Person)
		// And the probe is a different person: kept apart.
		if kept, err := s.ResolveMatch(ctx, lw, byNHS.ID, false); err != nil || kept.PersonID != byNHS.PersonID || kept.PossibleMatchID != "" {
			t.Fatalf("resolved as different: %+v %v", kept, err)
		}
		shows("after keeping apart", byNHS, probe.Person)
		if _, err := audit.Verify(ctx, d.R()); err != nil {
			t.Fatal(err)
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
// share transactions: the same person named eight times is eight records,
// each after the first flagged as like one before it (whether in the
// database or earlier in its batch), the same sender's id one referral, a
// bad organisation refuses only its own referral, and the audit chain holds.
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
		var flags []referral.Referral
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
				flags = append(flags, o.r)
			case o.kind == "sent again":
				firsts[o.r.ID] = true
			}
			made++
		}
		if len(people) != 8 || len(firsts) != 1 || made != 8+1+4 {
			t.Errorf("people for eight referrals of one person %d, referrals for one sender's id %d, made %d", len(people), len(firsts), made)
		}
		unflagged := 0
		for _, r := range flags {
			switch {
			case r.PossibleMatchID == "":
				unflagged++
			case !people[r.PossibleMatchID] || r.PossibleMatchID == r.PersonID || r.MatchStrength != referral.SameNHSNumber:
				t.Errorf("flagged as like %s (%s), not another of the same NHS number", r.PossibleMatchID, r.MatchStrength)
			}
		}
		if unflagged != 1 {
			t.Errorf("%d of the same person's referrals are flagged as like nobody, want only the first", unflagged)
		}
		var referrals, persons int
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals").Scan(&referrals)
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM people").Scan(&persons)
		if referrals != made || persons != made {
			t.Errorf("%d referrals and %d people in the database", referrals, persons)
		}
		if n, err := audit.Verify(ctx, d.R()); err != nil || n != referrals+persons {
			t.Errorf("audit chain: %d entries, %v", n, err)
		}
	})
}
