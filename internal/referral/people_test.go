package referral_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
	"oikos/internal/referral"
)

func TestParsePeopleQuery(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	type q = referral.PeopleQuery
	for _, tt := range []struct {
		in   string
		want q
		bad  string // part of the message, when refused
	}{
		{in: "Hughes", want: q{Words: []string{"hughes"}}},
		{in: "  hug ", want: q{Words: []string{"hug"}}},
		{in: "Zoë O'Brien", want: q{Words: []string{"zoe", "obrien"}}},
		{in: "Hughes, Margaret", want: q{Words: []string{"hughes", "margaret"}}},
		{in: "943 476 5919", want: q{NHSNumber: "9434765919"}},
		{in: "943-476-5919", want: q{NHSNumber: "9434765919"}},
		{in: "9434765919", want: q{NHSNumber: "9434765919"}},
		{in: "9434765918", bad: "NHS number check"},
		{in: "1948-05-02", want: q{Births: []string{"1948-05-02"}}},
		{in: "2/5/1948", want: q{Births: []string{"1948-05-02"}}},
		{in: "02/05/1948", want: q{Births: []string{"1948-05-02"}}},
		{in: "2.5.1948", want: q{Births: []string{"1948-05-02"}}},
		{in: "02 05 1948", want: q{Births: []string{"1948-05-02"}}},
		{in: "02051948", want: q{Births: []string{"1948-05-02"}}},
		{in: "2/5/48", want: q{Births: []string{"1948-05-02"}}}, // 2048 is to come
		{in: "2/5/10", want: q{Births: []string{"1910-05-02", "2010-05-02"}}},
		{in: "2 May 1948", want: q{Births: []string{"1948-05-02"}}},
		{in: "2nd may 48", want: q{Births: []string{"1948-05-02"}}},
		{in: "31 Sept 1950", bad: "not a real date"},
		{in: "Hughes 2/5/1948", want: q{Words: []string{"hughes"}, Births: []string{"1948-05-02"}}},
		{in: "margaret 2 May 1948 hughes", want: q{Words: []string{"margaret", "hughes"}, Births: []string{"1948-05-02"}}},
		{in: "may", want: q{Words: []string{"may"}}}, // a name, alone
		{in: "May Hughes", want: q{Words: []string{"may", "hughes"}}},
		{in: "31/02/1950", bad: "not a real date"},
		{in: "1/1/2030", bad: "in the past"},
		{in: "1/1/1850", bad: "125 years"},
		{in: "2/5/1948 3/5/1948", bad: "one date"},
		{in: "12345", bad: "10 digits"},
		{in: "Hughes 42", bad: "neither a name nor a date"},
		{in: "EX4 3SR", bad: "postcodes and addresses are not searched"},
		{in: "07700 900456", bad: "looks like a phone number"},
		{in: "a b c d e f", bad: "at most 5 words"},
		{in: "", bad: "Enter a name"},
		{in: "   ", bad: "Enter a name"},
		{in: "'-.", bad: "Enter a name"},
		{in: "a\x00b", bad: "control characters"},
		{in: strings.Repeat("a", 201), bad: "at most 200"},
	} {
		got, err := referral.ParsePeopleQuery(tt.in, now)
		if tt.bad != "" {
			var e *oikos.Error
			if err == nil || !strings.Contains(fields(err)["q"], tt.bad) || !errorsAs(err, &e) || e.Code != oikos.EINVALID {
				t.Errorf("%q: got %+v %v, want a problem with q saying %q", tt.in, got, err, tt.bad)
			}
			continue
		}
		if err != nil || got.NHSNumber != tt.want.NHSNumber || !slices.Equal(got.Births, tt.want.Births) || !slices.Equal(got.Words, tt.want.Words) {
			t.Errorf("%q: got %+v %v, want %+v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParsePeopleQuery(f *testing.F) {
	for _, s := range []string{"Hughes", "943 476 5919", "2/5/48", "2nd May 1948 Hughes", "Zoë O'Brien", "02051948", "1948-05-02", "31/02/1950"} {
		f.Add(s)
	}
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := referral.ParsePeopleQuery(s, now)
		if err != nil {
			if oikos.ErrorCode(err) != oikos.EINVALID || fields(err)["q"] == "" {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if q.NHSNumber == "" && q.Births == nil && len(q.Words) == 0 {
			t.Fatalf("%q: nothing to look for", s)
		}
		if q.NHSNumber != "" && !referral.ValidNHSNumber(q.NHSNumber) {
			t.Fatalf("%q: NHS number %q", s, q.NHSNumber)
		}
		for _, b := range q.Births {
			if _, msg := referral.ParseBirthDate(b, now); msg != "" {
				t.Fatalf("%q: birth %q: %s", s, b, msg)
			}
		}
		for _, w := range q.Words {
			if w == "" || referral.NameKey(w) != w {
				t.Fatalf("%q: word %q is not a key", s, w)
			}
		}
	})
}

// schemes is a deployment with two schemes, Northgate (EX4) and Southway
// (TQ1), each with its people.
type schemes struct {
	north, south                  string
	lw, otherLW, manager, southLW *auth.Principal
	referrer, provider            *auth.Principal
}

func newSchemes(t *testing.T, d *db.DB) schemes {
	t.Helper()
	ctx := context.Background()
	orgs := &org.Store{DB: d}
	north, err := orgs.Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: "Northgate Scheme", Kind: "scheme", Areas: []string{"EX4"}})
	if err != nil {
		t.Fatal(err)
	}
	south, err := orgs.Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: "Southway Scheme", Kind: "scheme", Areas: []string{"TQ1"}})
	if err != nil {
		t.Fatal(err)
	}
	s := schemes{north: north.ID, south: south.ID}
	user := func(id string, role auth.Role, scheme string) *auth.Principal {
		var orgID any
		if scheme != "" {
			orgID = scheme
		}
		if _, err := d.Exec(ctx, `INSERT INTO users (id, email, name, role, organisation_id, active, created_at, updated_at)
			VALUES ($1, $2, $1, $3, $4, true, 0, 0)`, id, id+"@example.org", string(role), orgID); err != nil {
			t.Fatal(err)
		}
		return &auth.Principal{UserID: id, Role: role, SchemeID: scheme}
	}
	s.lw, s.otherLW, s.manager = user("usr_lw", auth.LinkWorker, s.north), user("usr_lw2", auth.LinkWorker, s.north), user("usr_mgr", auth.Manager, s.north)
	s.southLW = user("usr_southlw", auth.LinkWorker, s.south)
	s.referrer, s.provider = user("usr_ref", auth.Referrer, ""), user("usr_prov", auth.Provider, "")
	return s
}

func refer(t *testing.T, s *referral.Store, given, family, born, nhs, pc string) referral.Referral {
	t.Helper()
	in := margaret()
	in.Person = referral.PersonInput{GivenName: given, FamilyName: family, DateOfBirth: born, NHSNumber: nhs, Postcode: pc}
	r, err := s.Create(context.Background(), gp, in, "", "api")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func names(found []referral.Found) []string {
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.GivenName + " " + f.FamilyName
	}
	return out
}

func TestPeople(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sc := newSchemes(t, d)
		s := referral.NewStore(d)
		by := referral.Actor{UserID: sc.lw.UserID, Client: "test"}
		margaret := refer(t, s, "Margaret", "Hughes", "1948-05-02", "943 476 5919", "EX4 4QJ")
		zoe := refer(t, s, "Zoë", "O'Brien-Hughes", "1990-01-31", "", "EX4 1AA")
		refer(t, s, "Hugh", "Johnson", "1960-07-07", "", "EX4 2BB")
		refer(t, s, "John", "Hughes", "1948-05-02", "", "EX4 3CC")
		refer(t, s, "Mary Anne", "de la Cruz", "1975-12-25", "", "EX4 5DD")
		refer(t, s, "Margaret", "Hughes", "1951-01-01", "", "TQ1 1AA") // Southway's
		// A second referral for Margaret, on her record.
		again := refer(t, s, "Margaret", "Hughes", "1948-05-02", "9434765919", "EX4 4QJ")
		if _, err := s.ResolveMatch(ctx, by, again.ID, true); err != nil {
			t.Fatal(err)
		}

		for _, tt := range []struct {
			q    string
			want []string
		}{
			{"hughes", []string{"John Hughes", "Margaret Hughes"}},
			// Last names, then first names.
			{"HUGH", []string{"John Hughes", "Margaret Hughes", "Hugh Johnson"}},
			{"obrien", []string{"Zoë O'Brien-Hughes"}},
			{"o'brien-h", []string{"Zoë O'Brien-Hughes"}},
			{"zoe", []string{"Zoë O'Brien-Hughes"}},
			{"ZOË", []string{"Zoë O'Brien-Hughes"}},
			{"marg hug", []string{"Margaret Hughes"}},
			{"Hughes Margaret", []string{"Margaret Hughes"}},
			{"mary anne de la cruz", []string{"Mary Anne de la Cruz"}},
			{"mary cruz", nil}, // "cruz" does not begin the last name
			{"delacruz", []string{"Mary Anne de la Cruz"}},
			{"943 476 5919", []string{"Margaret Hughes"}},
			{"9434765919", []string{"Margaret Hughes"}},
			{"2/5/1948", []string{"John Hughes", "Margaret Hughes"}},
			{"2 May 1948", []string{"John Hughes", "Margaret Hughes"}},
			{"1948-05-02", []string{"John Hughes", "Margaret Hughes"}},
			{"john 2/5/48", []string{"John Hughes"}},
			{"1/1/1951", nil}, // Southway's Margaret
			{"smith", nil},
		} {
			found, more, err := s.People(ctx, by, sc.lw, tt.q)
			if err != nil || more || !slices.Equal(names(found), tt.want) && !(len(found) == 0 && tt.want == nil) {
				t.Errorf("%q: got %v (more %v) %v, want %v", tt.q, names(found), more, err, tt.want)
			}
		}

		// Margaret's two referrals, newest first, in the scheme only.
		found, _, err := s.People(ctx, by, sc.lw, "943 476 5919")
		if err != nil || len(found) != 1 || found[0].ID != margaret.PersonID || found[0].NHSNumber != "9434765919" ||
			found[0].DateOfBirth != "1948-05-02" || !slices.Equal(idsAndStatuses(found[0].Referrals), []referral.FoundReferral{{ID: again.ID, Status: referral.Received},
			{ID: margaret.ID, Status: referral.Received}}) {
			t.Fatalf("Margaret: %+v %v", found, err)
		}
		// Southway's link worker finds their own Margaret only.
		found, _, err = s.People(ctx, by, sc.southLW, "margaret")
		if err != nil || len(found) != 1 || found[0].DateOfBirth != "1951-01-01" {
			t.Fatalf("Southway: %+v %v", found, err)
		}

		// Each search is audited as one read of each person found.
		before := countReads(t, d, zoe.PersonID)
		if _, _, err := s.People(ctx, by, sc.manager, "zoe"); err != nil {
			t.Fatal(err)
		}
		if countReads(t, d, zoe.PersonID) != before+1 {
			t.Fatal("search not audited")
		}

		// Restricted at her request: left out, except for managers.
		if _, err := d.Exec(ctx, "UPDATE people SET restricted_at = 1 WHERE id = $1", zoe.PersonID); err != nil {
			t.Fatal(err)
		}
		if found, _, _ := s.People(ctx, by, sc.lw, "zoe"); len(found) != 0 {
			t.Errorf("restricted found by a link worker: %v", names(found))
		}
		if found, _, _ := s.People(ctx, by, sc.manager, "zoe"); len(found) != 1 {
			t.Errorf("restricted not found by a manager: %v", names(found))
		}
		// Erased: never found.
		if _, err := d.Exec(ctx, "UPDATE people SET erased_at = 1 WHERE id = $1", zoe.PersonID); err != nil {
			t.Fatal(err)
		}
		if found, _, _ := s.People(ctx, by, sc.manager, "zoe"); len(found) != 0 {
			t.Errorf("erased found: %v", names(found))
		}

		// Only link workers and managers search.
		for _, p := range []*auth.Principal{sc.referrer, sc.provider, nil, {UserID: "usr_admin", Role: auth.Admin}} {
			if _, _, err := s.People(ctx, by, p, "hughes"); oikos.ErrorCode(err) != oikos.ENOTFOUND {
				t.Errorf("%+v: %v", p, err)
			}
		}
		if _, _, err := s.People(ctx, by, sc.lw, "12"); fields(err)["q"] == "" {
			t.Errorf("bad query: %v", err)
		}
	})
}

func countReads(t *testing.T, d *db.DB, personID string) int {
	t.Helper()
	entries, err := audit.ForObject(context.Background(), d.R(), "person", personID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == audit.Read {
			n++
		}
	}
	return n
}

// Many alike: the first MaxFound in order, and more flagged.
func TestPeopleMore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sc := newSchemes(t, d)
		s := referral.NewStore(d)
		var want []string
		for i := range referral.MaxFound + 5 {
			given := fmt.Sprintf("Ann%03d", i)
			refer(t, s, given, "Smith", "1950-01-01", "", "EX4 4QJ")
			want = append(want, given+" Smith")
		}
		found, more, err := s.People(ctx, referral.Actor{UserID: "usr_lw"}, sc.lw, "smi")
		if err != nil || !more || !slices.Equal(names(found), want[:referral.MaxFound]) {
			t.Fatalf("got %d, more %v, %v: %v", len(found), more, err, names(found))
		}
		if _, err := audit.Verify(ctx, d.R()); err != nil {
			t.Fatal(err)
		}
	})
}

// fields are the fields an error names, if it is an *oikos.Error.
func fields(err error) map[string]string {
	var e *oikos.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

func errorsAs(err error, target **oikos.Error) bool { return errors.As(err, target) }

// idsAndStatuses is what the contract shows of referrals found.
func idsAndStatuses(refs []referral.FoundReferral) []referral.FoundReferral {
	out := make([]referral.FoundReferral, len(refs))
	for i, r := range refs {
		out[i] = referral.FoundReferral{ID: r.ID, Status: r.Status}
	}
	return out
}
