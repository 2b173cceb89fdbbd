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
		// Nobody is joined to a record made earlier in the batch; the
		// likeness is flagged, as it would be across batches.
		if sameNHS.r.PersonID == first.r.PersonID || sameNHS.r.PossibleMatchID != first.r.PersonID || sameNHS.r.MatchStrength != SameNHSNumber {
			t.Errorf("the same NHS number in one batch: person %s, possible %s (%s)", sameNHS.r.PersonID, sameNHS.r.PossibleMatchID, sameNHS.r.MatchStrength)
		}
		if maybe.r.PersonID == first.r.PersonID || maybe.r.PossibleMatchID != first.r.PersonID || maybe.r.MatchStrength != Possible {
			t.Errorf("same name and birth date, no NHS number, another postcode: person %s, possible %s (%s)", maybe.r.PersonID, maybe.r.PossibleMatchID, maybe.r.MatchStrength)
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
			} else if made && (got.PersonID != j.r.PersonID || got.Reference != j.r.Reference || got.ExternalID != j.in.ExternalID ||
				got.PossibleMatchID != j.r.PossibleMatchID || got.MatchStrength != j.r.MatchStrength || *got.Sent != *j.r.Sent) {
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
		if n, err := audit.Verify(ctx, d.R()); err != nil || n != 4*2+2 { // a person and a referral each
			t.Errorf("audit chain: %d entries, %v", n, err)
		}
	})
}

func TestMatchAmong(t *testing.T) {
	margaret := PersonKey{"Margaret", "Hughes", "1948-05-02", "9434765919", "EX4 4QJ"}
	made := []matchable{{"per_other", PersonKey{"John", "Smith", "1950-01-01", "", "EX1 1AA"}, "s1"}, {"per_m", margaret, "s1"},
		{"per_m2", PersonKey{"Margaret", "Hughes", "1948-05-02", "", "TQ1 1AA"}, "s1"},
		{"per_far", margaret, "s2"}}
	for _, c := range []struct {
		name         string
		key          PersonKey
		found        string // a likeness found in the database first
		foundAs      Strength
		wantID       string
		wantStrength Strength
	}{
		{"same NHS number, other details made up", PersonKey{"Zed", "Nobody", "2001-01-01", "9434765919", "TR1 1AA"}, "", NotAlike, "per_m", SameNHSNumber},
		{"same name, birth date and postcode", PersonKey{"margaret", "HUGHES", "1948-05-02", "", "EX4 4QJ"}, "", NotAlike, "per_m", SameDetails},
		{"moved house", PersonKey{"Margaret", "Hughes", "1948-05-02", "", "PL1 1AA"}, "", NotAlike, "per_m", Possible},
		{"as strong in the database keeps its place", PersonKey{"Margaret", "Hughes", "1948-05-02", "", "PL1 1AA"}, "per_db", Possible, "per_db", Possible},
		{"stronger in the batch wins", PersonKey{"Margaret", "Hughes", "1948-05-02", "", "TQ1 1AA"}, "per_db", Possible, "per_m2", SameDetails},
		{"weaker in the batch loses", PersonKey{"Margaret", "Hughes", "1948-05-02", "9434765919", "PL1 1AA"}, "per_db", SameNHSNumber, "per_db", SameNHSNumber},
		{"another NHS number: only the record without one is alike", PersonKey{"Margaret", "Hughes", "1948-05-02", "4010232137", "EX4 4QJ"}, "", NotAlike, "per_m2", Possible},
		{"another birth date", PersonKey{"Margaret", "Hughes", "1948-05-03", "", "EX4 4QJ"}, "", NotAlike, "", NotAlike},
		{"nobody alike", PersonKey{"Zed", "Nobody", "2000-01-01", "", "EX4 4QJ"}, "", NotAlike, "", NotAlike},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, strength := matchAmong(made, c.key, "s1", c.found, c.foundAs)
			if id != c.wantID || strength != c.wantStrength {
				t.Errorf("got %q %q, want %q %q", id, strength, c.wantID, c.wantStrength)
			}
		})
	}
}
