package referral

import (
	"context"
	"errors"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func batchInput(given, family, nhs, postcode string) Input {
	in := Input{Person: PersonInput{GivenName: given, FamilyName: family, DateOfBirth: "1948-05-02", NHSNumber: nhs, Postcode: postcode},
		Source: SourceInput{Type: "gp"}, Reasons: []string{"loneliness"}, Consent: ConsentInput{Given: true}}
	if err := in.Validate(time.Now()); err != nil {
		panic(err)
	}
	return in
}

// TestWriteBatch writes referrals as one batch, as concurrent Creates do,
// and checks each is answered as if it had come alone, in order.
func TestWriteBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d)
		by := Actor{UserID: "usr_gp", Client: "test"}
		job := func(in Input, referrer string) *intake { return newIntake(ctx, by, in, referrer, "fhir", s.now()) }

		sent := batchInput("Sam", "Jones", "", "TQ1 1AA")
		sent.ExternalID = "org_a|https://gp.example|7"
		noOrg := batchInput("Ann", "Lee", "", "PL1 1AA")
		noOrg.Source.OrganisationID = "org_nowhere"
		gone, cancel := context.WithCancel(ctx)
		cancel()
		left := job(batchInput("Bob", "Gone", "", "PL2 2AA"), "")
		left.ctx = gone
		first := job(batchInput("Margaret", "Hughes", "9434765919", "EX4 4QJ"), "")
		sameNHS := job(batchInput("Margaret", "Hughes", "943 476 5919", "EX1 1AA"), "")
		maybe := job(batchInput("Margaret", "hughes", "", "TQ9 9AA"), "")
		sentFirst, sentAgain, refused := job(sent, ""), job(sent, ""), job(noOrg, "")
		batch := []*intake{first, sameNHS, maybe, sentFirst, sentAgain, refused, left}
		s.writeBatch(ctx, batch)

		for _, j := range []*intake{first, sameNHS, maybe, sentFirst} {
			if j.err != nil {
				t.Fatalf("%s: %v", j.in.Person.GivenName, j.err)
			}
		}
		if sameNHS.r.PersonID != first.r.PersonID {
			t.Error("the same NHS number in one batch made two people")
		}
		if maybe.r.PersonID == first.r.PersonID || maybe.r.PossibleMatchID != first.r.PersonID {
			t.Errorf("same name and birth date, no NHS number, another postcode: person %s, possible %s", maybe.r.PersonID, maybe.r.PossibleMatchID)
		}
		if sentAgain.err != ErrAlreadyReceived || sentAgain.existingID != sentFirst.r.ID {
			t.Errorf("sent twice in one batch: %v %s", sentAgain.err, sentAgain.existingID)
		}
		if oikos.ErrorCode(refused.err) != oikos.EINVALID {
			t.Errorf("no such organisation: %v", refused.err)
		}
		if !errors.Is(left.err, context.Canceled) {
			t.Errorf("caller gone before the batch: %v", left.err)
		}
		for _, j := range batch {
			got, err := s.Get(ctx, j.r.ID)
			if made := j.err == nil; made != (err == nil) {
				t.Errorf("%s: answered %v, stored %v", j.in.Person.GivenName, j.err, err)
			} else if made && (got.PersonID != j.r.PersonID || got.Reference != j.r.Reference || got.ExternalID != j.in.ExternalID) {
				t.Errorf("stored %+v, answered %+v", got, j.r)
			}
		}

		// A referral that fails in the database (here: a referrer who does
		// not exist) fails alone; the others in its batch are still made.
		bad, good := job(batchInput("Eve", "Bad", "", "EX2 2AA"), "usr_missing"), job(batchInput("Gus", "Good", "", "EX3 3AA"), "")
		s.writeBatch(ctx, []*intake{bad, good})
		if bad.err == nil || oikos.ErrorCode(bad.err) != oikos.EINTERNAL {
			t.Errorf("referrer missing: %v", bad.err)
		}
		if good.err != nil {
			t.Errorf("its neighbour: %v", good.err)
		}
		if _, err := s.Get(ctx, bad.r.ID); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("the failed referral was stored: %v", err)
		}
		var people int
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM people WHERE family_name = 'Bad'").Scan(&people)
		if people != 0 {
			t.Error("the failed referral left its person behind")
		}
		if n, err := audit.Verify(ctx, d.R()); err != nil || n != 7+2 {
			t.Errorf("audit chain: %d entries, %v", n, err)
		}
	})
}

func TestMatchAmong(t *testing.T) {
	margaret := PersonKey{"Margaret", "Hughes", "1948-05-02", "9434765919", "EX4 4QJ"}
	made := []matchable{{"per_other", PersonKey{"John", "Smith", "1950-01-01", "", "EX1 1AA"}}, {"per_m", margaret}}
	for _, c := range []struct {
		name               string
		key                PersonKey
		possible           string
		wantSame, wantPoss string
	}{
		{"same NHS number", PersonKey{"Maggie", "Hughes-Smith", "1948-05-02", "9434765919", "TR1 1AA"}, "", "per_m", ""},
		{"same name, birth date and postcode", PersonKey{"margaret", "HUGHES", "1948-05-02", "", "EX4 4QJ"}, "", "per_m", ""},
		{"moved house", PersonKey{"Margaret", "Hughes", "1948-05-02", "", "TQ1 1AA"}, "", "", "per_m"},
		{"possible already found keeps its place", PersonKey{"Margaret", "Hughes", "1948-05-02", "", "TQ1 1AA"}, "per_db", "", "per_db"},
		{"another NHS number", PersonKey{"Margaret", "Hughes", "1948-05-02", "4010232137", "EX4 4QJ"}, "", "", ""},
		{"another birth date", PersonKey{"Margaret", "Hughes", "1948-05-03", "", "EX4 4QJ"}, "", "", ""},
		{"nobody made yet", PersonKey{"Zed", "Nobody", "2000-01-01", "", "EX4 4QJ"}, "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			same, poss := matchAmong(made, c.key, c.possible)
			if same != c.wantSame || poss != c.wantPoss {
				t.Errorf("got %q %q, want %q %q", same, poss, c.wantSame, c.wantPoss)
			}
		})
	}
}
