package referral_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func goodDetails() referral.Details {
	return referral.Details{GivenName: " Margaret ", FamilyName: "Hughes", DateOfBirth: "1948-05-02", NHSNumber: "943 476 5919",
		Postcode: "ex4 4qj", Phone: "07700 900123", Email: "m.hughes@example.org", Sex: "female", Ethnicity: "white",
		PreferredContact: "phone", InterpreterLanguage: "Welsh", AccessNeeds: []string{"Large print", " large  print", "", "Hearing loop"},
		NextOfKin: referral.NextOfKin{Name: "Ron Hughes", Relationship: "Son", Phone: "07700 900456"}}
}

func TestDetailsValidate(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		change func(d *referral.Details)
		fields []string
	}{
		{"good", func(d *referral.Details) {}, nil},
		{"nothing optional", func(d *referral.Details) {
			*d = referral.Details{GivenName: "Ann", FamilyName: "Lee", DateOfBirth: "1950-01-01", Postcode: "EX4 4QJ"}
		}, nil},
		{"not stated", func(d *referral.Details) { d.Sex, d.Ethnicity = "not_stated", "not_stated" }, nil},
		{"no name", func(d *referral.Details) { d.GivenName, d.FamilyName = " ", "" }, []string{"given_name", "family_name"}},
		{"bad choices", func(d *referral.Details) { d.Sex, d.Ethnicity, d.PreferredContact = "f", "british", "pigeon" },
			[]string{"sex", "ethnicity", "preferred_contact"}},
		{"bad NHS number", func(d *referral.Details) { d.NHSNumber = "943 476 5918" }, []string{"nhs_number"}},
		{"bad date of birth", func(d *referral.Details) { d.DateOfBirth = "02/05/1948" }, []string{"date_of_birth"}},
		{"future birth", func(d *referral.Details) { d.DateOfBirth = "2027-01-01" }, []string{"date_of_birth"}},
		{"bad postcode and email", func(d *referral.Details) { d.Postcode, d.Email = "nowhere", "not an email" }, []string{"postcode", "email"}},
		{"text preferred without a phone", func(d *referral.Details) { d.PreferredContact, d.Phone = "text", "" }, []string{"phone"}},
		{"email preferred without one", func(d *referral.Details) { d.PreferredContact, d.Email = "email", "" }, []string{"email"}},
		{"too many access needs", func(d *referral.Details) {
			d.AccessNeeds = nil
			for i := range 21 {
				d.AccessNeeds = append(d.AccessNeeds, strings.Repeat("x", i+1))
			}
		}, []string{"access_needs"}},
		{"access need too long", func(d *referral.Details) { d.AccessNeeds = []string{strings.Repeat("x", 201)} }, []string{"access_needs"}},
		{"next of kin without a name", func(d *referral.Details) { d.NextOfKin.Name = "" }, []string{"next_of_kin.name"}},
		{"control characters", func(d *referral.Details) { d.InterpreterLanguage, d.NextOfKin.Relationship = "a\x00", "b\x07" },
			[]string{"interpreter_language", "next_of_kin.relationship"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := goodDetails()
			tt.change(&d)
			err := d.Validate(now)
			got := fields(err)
			if len(got) != len(tt.fields) {
				t.Fatalf("got %v, want %v", got, tt.fields)
			}
			for _, f := range tt.fields {
				if got[f] == "" {
					t.Errorf("no message for %s: %v", f, got)
				}
			}
		})
	}
	d := goodDetails()
	if err := d.Validate(now); err != nil || d.GivenName != "Margaret" || d.NHSNumber != "9434765919" || d.Postcode != "EX4 4QJ" ||
		!slices.Equal(d.AccessNeeds, []string{"Large print", "Hearing loop"}) {
		t.Fatalf("tidied %+v %v", d, err)
	}
}

func FuzzDetailsValidate(f *testing.F) {
	b, _ := json.Marshal(goodDetails())
	f.Add(string(b))
	f.Add(`{"given_name":"Ann","family_name":"Lee","date_of_birth":"1950-01-01","postcode":"EX4 4QJ","access_needs":["x"],"next_of_kin":{"phone":"1"}}`)
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		var d referral.Details
		if json.Unmarshal([]byte(body), &d) != nil {
			return
		}
		err := d.Validate(now)
		if err != nil {
			if oikos.ErrorCode(err) != oikos.EINVALID || len(fields(err)) == 0 {
				t.Fatalf("%v", err)
			}
			return
		}
		// What passes is tidy: validating again changes nothing.
		again := d
		again.AccessNeeds = slices.Clone(d.AccessNeeds)
		if err := again.Validate(now); err != nil || !slices.Equal(again.AccessNeeds, d.AccessNeeds) || again.GivenName != d.GivenName ||
			again.Postcode != d.Postcode || again.NextOfKin != d.NextOfKin {
			t.Fatalf("not stable: %+v then %+v (%v)", d, again, err)
		}
	})
}

func TestPersonDetails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sc := newSchemes(t, d)
		s := referral.NewStore(d)
		s.Now = func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
		lwBy := referral.Actor{UserID: sc.lw.UserID, Client: "test"}
		r := refer(t, s, "Margaret", "Hughes", "1948-05-02", "", "EX4 4QJ")

		// In the triage queue: any link worker of the scheme, and its
		// managers; nobody else.
		for _, p := range []*auth.Principal{sc.lw, sc.otherLW, sc.manager} {
			got, err := s.PersonDetails(ctx, lwBy, p, r.PersonID)
			if err != nil || got.GivenName != "Margaret" || got.AccessNeeds == nil || got.ID != r.PersonID {
				t.Fatalf("%s: %+v %v", p.UserID, got, err)
			}
		}
		for _, p := range []*auth.Principal{sc.southLW, sc.referrer, sc.provider, nil} {
			if _, err := s.PersonDetails(ctx, lwBy, p, r.PersonID); oikos.ErrorCode(err) != oikos.ENOTFOUND {
				t.Errorf("%+v read: %v", p, err)
			}
			if _, err := s.UpdatePersonDetails(ctx, lwBy, p, r.PersonID, goodDetails()); oikos.ErrorCode(err) != oikos.ENOTFOUND {
				t.Errorf("%+v change: %v", p, err)
			}
		}
		if _, err := s.PersonDetails(ctx, lwBy, sc.lw, "per_nobody"); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("nobody: %v", err)
		}

		// Assigned to one link worker: the other no longer sees them.
		if _, err := s.Assign(ctx, lwBy, r.ID, sc.lw.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PersonDetails(ctx, lwBy, sc.otherLW, r.PersonID); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("another link worker's person: %v", err)
		}

		// Corrected: a birth date that moves them into another age band.
		in := goodDetails()
		in.DateOfBirth = "1958-05-02"
		got, err := s.UpdatePersonDetails(ctx, lwBy, sc.lw, r.PersonID, in)
		if err != nil || got.GivenName != "Margaret" || got.NHSNumber != "9434765919" || got.ID != r.PersonID {
			t.Fatalf("update: %+v %v", got, err)
		}
		read, err := s.PersonDetails(ctx, lwBy, sc.lw, r.PersonID)
		if err != nil || read.Sex != "female" || read.Ethnicity != "white" || read.PreferredContact != "phone" || read.InterpreterLanguage != "Welsh" ||
			!slices.Equal(read.AccessNeeds, []string{"Large print", "Hearing loop"}) || read.NextOfKin.Name != "Ron Hughes" ||
			read.DateOfBirth != "1958-05-02" || read.Postcode != "EX4 4QJ" {
			t.Fatalf("read back %+v %v", read, err)
		}
		var band string
		if err := d.R().QueryRowContext(ctx, "SELECT age_band FROM people WHERE id = $1", r.PersonID).Scan(&band); err != nil || band != "65_74" {
			t.Errorf("age band %q %v", band, err)
		}
		// What the referral sent is kept for its referrer.
		if ref, _ := s.Get(ctx, r.ID); ref.Sent.DateOfBirth != "1948-05-02" || ref.Person.DateOfBirth != "1958-05-02" {
			t.Errorf("sent %+v, record %+v", ref.Sent, ref.Person)
		}
		// Found by the new name key at once.
		in.FamilyName = "Hughes-Évans"
		if _, err := s.UpdatePersonDetails(ctx, lwBy, sc.manager, r.PersonID, in); err != nil {
			t.Fatal(err)
		}
		if found, _, _ := s.People(ctx, lwBy, sc.lw, "hughesev"); len(found) != 1 {
			t.Errorf("not found by the corrected name: %v", names(found))
		}

		// Bad values change nothing.
		bad := goodDetails()
		bad.Sex = "unknown"
		if _, err := s.UpdatePersonDetails(ctx, lwBy, sc.lw, r.PersonID, bad); fields(err)["sex"] == "" {
			t.Fatalf("bad sex: %v", err)
		}

		// Every read and change is in the audit log.
		entries, err := audit.ForObject(ctx, d.R(), "person", r.PersonID, 100)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range entries {
			count[e.Action]++
		}
		if count[audit.Update] != 2 || count[audit.Read] < 5 {
			t.Errorf("audit %v", count)
		}

		// Erased: nothing left to change.
		if _, err := d.Exec(ctx, "UPDATE people SET erased_at = 1 WHERE id = $1", r.PersonID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdatePersonDetails(ctx, lwBy, sc.manager, r.PersonID, goodDetails()); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("erased: %v", err)
		}
	})
}

func TestMayHandlePerson(t *testing.T) {
	lw := &auth.Principal{UserID: "usr_lw", Role: auth.LinkWorker, SchemeID: "org_n"}
	mgr := &auth.Principal{UserID: "usr_m", Role: auth.Manager, SchemeID: "org_n"}
	ref := &auth.Principal{UserID: "usr_gp", Role: auth.Referrer}
	mine := auth.Object{Kind: "referral", ID: "ref_1", SchemeID: "org_n", AssignedTo: "usr_lw", CreatedBy: "usr_gp"}
	queue := auth.Object{Kind: "referral", ID: "ref_2", SchemeID: "org_n", InTriage: true}
	others := auth.Object{Kind: "referral", ID: "ref_3", SchemeID: "org_n", AssignedTo: "usr_lw2"}
	south := auth.Object{Kind: "referral", ID: "ref_4", SchemeID: "org_s", InTriage: true}
	for _, tt := range []struct {
		name string
		p    *auth.Principal
		refs []auth.Object
		want bool
	}{
		{"their own", lw, []auth.Object{mine}, true},
		{"in the queue", lw, []auth.Object{queue}, true},
		{"another's, with one of their own", lw, []auth.Object{others, mine}, true},
		{"another's only", lw, []auth.Object{others}, false},
		{"another scheme's queue", lw, []auth.Object{south}, false},
		{"manager, their scheme", mgr, []auth.Object{others}, true},
		{"manager, another scheme", mgr, []auth.Object{south}, false},
		{"the referrer", ref, []auth.Object{mine}, false},
		{"no referrals", mgr, nil, false},
		{"nobody", nil, []auth.Object{mine}, false},
	} {
		if got := referral.MayHandlePerson(tt.p, auth.ChangeAction, tt.refs); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}
