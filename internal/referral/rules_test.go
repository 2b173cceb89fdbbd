package referral

import (
	"testing"
	"time"
)

func TestTransitions(t *testing.T) {
	cases := []struct {
		from, to Status
		reason   string
		ok       bool
	}{
		{Received, Accepted, "", true},
		{Received, Closed, "not_appropriate", true},
		{Received, Closed, "", false},
		{Received, Closed, "bored", false},
		{Received, Contacted, "", false},
		{Received, Active, "", false},
		{Accepted, Contacted, "", true},
		{Accepted, Received, "", false},
		{Contacted, Active, "", true},
		{Active, Closed, "goals_met", true},
		{Active, Accepted, "", false},
		{Closed, Received, "", false},
		{Closed, Closed, "goals_met", false},
		{Accepted, "paused", "", false},
	}
	for _, c := range cases {
		err := CheckTransition(c.from, c.to, c.reason)
		if (err == nil) != c.ok {
			t.Errorf("%s → %s (%q): %v", c.from, c.to, c.reason, err)
		}
		if err != nil && err.Error() == "" {
			t.Errorf("%s → %s: empty reason", c.from, c.to)
		}
	}
}

func TestNHSNumber(t *testing.T) {
	cases := map[string]bool{
		"9434765919":   true,
		"943 476 5919": true,
		"943-476-5919": true,
		"4010232137":   true,
		"9434765918":   false, // wrong check digit
		"943476591":    false,
		"94347659190":  false,
		"abcdefghij":   false,
		"":             false,
		"0000000000":   true,
		"1000000010":   false, // check digit would be 10
		"1234567881":   true,
	}
	for in, want := range cases {
		if got := ValidNHSNumber(in); got != want {
			t.Errorf("ValidNHSNumber(%q) = %v", in, got)
		}
	}
	if FormatNHSNumber("9434765919") != "943 476 5919" {
		t.Error("format")
	}
}

func TestBirthDateAndAgeBand(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for in, wantErr := range map[string]bool{"1950-03-27": false, "2026-11-24": true, "1890-01-01": true, "1950-02-30": true, "27/03/1950": true, "": true} {
		if _, msg := ParseBirthDate(in, now); (msg != "") != wantErr {
			t.Errorf("%q: %q", in, msg)
		}
	}
	born := time.Date(1950, 12, 1, 0, 0, 0, 0, time.UTC)
	if b := AgeBand(born, now); b != "75_84" {
		t.Errorf("age band %s", b)
	}
	if b := AgeBand(time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), now); b != "under_18" {
		t.Errorf("age band %s", b)
	}
}

func TestCompare(t *testing.T) {
	base := PersonKey{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ"}
	with := func(f func(*PersonKey)) PersonKey { k := base; f(&k); return k }
	cases := []struct {
		name string
		a, b PersonKey
		want Match
	}{
		{"same NHS number", with(func(k *PersonKey) { k.NHSNumber = "9434765919" }), PersonKey{NHSNumber: "9434765919"}, SurelySame},
		{"different NHS numbers", with(func(k *PersonKey) { k.NHSNumber = "9434765919" }), with(func(k *PersonKey) { k.NHSNumber = "4010232137" }), NoMatch},
		{"same name, birth date, postcode", base, with(func(k *PersonKey) { k.GivenName = "  margaret " }), SurelySame},
		{"moved house", base, with(func(k *PersonKey) { k.Postcode = "EX1 1AA" }), PossibleMatch},
		{"nickname at same address", base, with(func(k *PersonKey) { k.GivenName = "Maggie" }), PossibleMatch},
		{"different birth date", base, with(func(k *PersonKey) { k.DateOfBirth = "1948-05-03" }), NoMatch},
		{"different family name", base, with(func(k *PersonKey) { k.FamilyName = "Hugh" }), NoMatch},
		{"different initial and postcode", base, with(func(k *PersonKey) { k.GivenName = "Susan"; k.Postcode = "EX1 1AA" }), NoMatch},
	}
	for _, c := range cases {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestStrengthOf(t *testing.T) {
	known := PersonKey{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", NHSNumber: "9434765919", Postcode: "EX4 4QJ"}
	with := func(f func(*PersonKey)) PersonKey { k := known; f(&k); return k }
	for _, c := range []struct {
		name string
		sent PersonKey
		want Strength
	}{
		// The probe: a known NHS number with every other detail made up.
		{"known NHS number, made-up details", PersonKey{GivenName: "Zed", FamilyName: "Nobody", DateOfBirth: "2001-01-01", NHSNumber: "9434765919", Postcode: "TR1 1AA"}, SameNHSNumber},
		{"everything the same", known, SameNHSNumber},
		{"name, birth date and postcode, no NHS number", with(func(k *PersonKey) { k.NHSNumber = ""; k.GivenName = "MARGARET" }), SameDetails},
		{"another NHS number, same details", with(func(k *PersonKey) { k.NHSNumber = "4010232137" }), NotAlike},
		{"moved house", with(func(k *PersonKey) { k.NHSNumber = ""; k.Postcode = "TQ1 1AA" }), Possible},
		{"nickname at the same address", with(func(k *PersonKey) { k.NHSNumber = ""; k.GivenName = "Maggie" }), Possible},
		{"another birth date", with(func(k *PersonKey) { k.NHSNumber = ""; k.DateOfBirth = "1948-05-03" }), NotAlike},
		{"nobody alike", PersonKey{GivenName: "Sam", FamilyName: "Jones", DateOfBirth: "1990-01-01", Postcode: "PL1 1AA"}, NotAlike},
	} {
		if got := StrengthOf(c.sent, known); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	order := []Strength{NotAlike, Possible, SameDetails, SameNHSNumber}
	for i := range order {
		for j := range order {
			if got := order[i].Stronger(order[j]); got != (i > j) {
				t.Errorf("%q stronger than %q: %v", order[i], order[j], got)
			}
		}
	}
	for _, s := range order[1:] {
		if s.Label() == "" {
			t.Errorf("%q has no words", s)
		}
	}
}

func TestAlike(t *testing.T) {
	known := PersonKey{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", NHSNumber: "9434765919", Postcode: "EX4 4QJ"}
	for _, c := range []struct {
		name string
		sent PersonKey
		want string
	}{
		{"the probe", PersonKey{GivenName: "Zed", FamilyName: "Nobody", DateOfBirth: "2001-01-01", NHSNumber: "9434765919", Postcode: "TR1 1AA"},
			"The NHS number agrees; the name, date of birth and postcode differ."},
		{"all agree", PersonKey{GivenName: " margaret", FamilyName: "HUGHES", DateOfBirth: "1948-05-02", NHSNumber: "9434765919", Postcode: "ex4 4qj"},
			"The NHS number, name, date of birth and postcode agree."},
		{"no NHS number sent, moved house", PersonKey{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: "TQ1 1AA"},
			"The name and date of birth agree; the postcode differs."},
		{"a nickname", PersonKey{GivenName: "Maggie", FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ"},
			"The last name, date of birth and postcode agree; the first name differs."},
		{"a new family name", PersonKey{GivenName: "Margaret", FamilyName: "Evans", DateOfBirth: "1948-05-02", NHSNumber: "9434765919"},
			"The NHS number, first name and date of birth agree; the last name differs."},
	} {
		if got := Alike(c.sent, known).String(); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	if s := (Likeness{}).String(); s != "" {
		t.Errorf("nothing compared: %q", s)
	}
}

func TestAge(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, tt := range []struct {
		born, at string
		age      int
		band     string
	}{
		{"1948-05-02", "2026-05-01", 77, "75_84"},
		{"1948-05-02", "2026-05-02", 78, "75_84"},
		{"2000-02-29", "2001-02-28", 0, "under_18"},
		{"2000-02-29", "2001-03-01", 1, "under_18"},
		// Born 1 March in a leap year: a year older on 1 March, though
		// it is the 60th day of one year and the 61st of the other.
		{"2000-03-01", "2025-03-01", 25, "25_34"},
		{"2001-12-31", "2026-12-30", 24, "18_24"},
		{"1941-01-01", "2026-01-01", 85, "85_plus"},
	} {
		if got := Age(d(tt.born), d(tt.at)); got != tt.age {
			t.Errorf("born %s, at %s: %d, want %d", tt.born, tt.at, got, tt.age)
		}
		if got := AgeBand(d(tt.born), d(tt.at)); got != tt.band {
			t.Errorf("born %s, at %s: band %s, want %s", tt.born, tt.at, got, tt.band)
		}
	}
}
