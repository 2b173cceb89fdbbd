package directory

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestPoundsToPence(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"35", 3500, true},
		{"0", 0, true},
		{"2.5", 250, true},
		{"2.50", 250, true},
		{"0.1", 10, true},
		{"0.29", 29, true}, // 0.29 * 100 in floating point is 28.999999999999996
		{"19.99", 1999, true},
		{"0.995", 100, true}, // half a penny rounds up
		{"0.994", 99, true},
		{"1e2", 10000, true},
		{"1.5E+1", 1500, true},
		{"100000", 10000000, true},
		{"100000.01", 0, false}, // over £100,000
		{"-5", 0, false},
		{"£5", 0, false},
		{"five", 0, false},
		{"1e99", 0, false},
		{"1e999999999", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, err := PoundsToPence(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("PoundsToPence(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestPenceToPounds(t *testing.T) {
	for pence, want := range map[int64]Number{0: "0", 350: "3.50", 3500: "35", 5: "0.05", 1999: "19.99"} {
		if got := penceToPounds(pence); got != want {
			t.Errorf("penceToPounds(%d) = %s, want %s", pence, got, want)
		}
		if back, err := PoundsToPence(string(want)); err != nil || back != pence {
			t.Errorf("round trip of %d: %d %v", pence, back, err)
		}
	}
}

func TestClockTime(t *testing.T) {
	cases := []struct{ in, want string }{
		{"10:00", "10:00"},
		{"10:00:00", "10:00"},
		{"9:30", "09:30"},
		{"09:30Z", "09:30"},
		{"18:00:00+01:00", "18:00"},
		{"18:00-05:00", "18:00"},
		{"10:00:00.000Z", "10:00"},
		{"24:00", "24:00"},
		{"", ""},
		{"10", ""},
		{"25:00", ""},
		{"10:60", ""},
		{"10:0", ""},
		{"ten:00", ""},
		{"10:00:61", ""},
	}
	for _, c := range cases {
		got, ok := clockTime(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("clockTime(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestSessionsFrom(t *testing.T) {
	cases := []struct {
		name string
		in   HSDSSchedule
		want []Session
	}{
		{"weekly, two days", HSDSSchedule{Freq: "WEEKLY", Byday: "TH,FR", OpensAt: "10:00:00", ClosesAt: "18:00:00"},
			[]Session{{"thursday", "10:00", "18:00"}, {"friday", "10:00", "18:00"}}},
		{"no freq, lower case, spaces", HSDSSchedule{Byday: "mo, we", OpensAt: "9:30", ClosesAt: "11:00"},
			[]Session{{"monday", "09:30", "11:00"}, {"wednesday", "09:30", "11:00"}}},
		{"until midnight", HSDSSchedule{Freq: "WEEKLY", Byday: "SA", OpensAt: "20:00", ClosesAt: "00:00"},
			[]Session{{"saturday", "20:00", "23:59"}}},
		{"interval one", HSDSSchedule{Freq: "WEEKLY", Interval: "1", Byday: "SU", OpensAt: "10:00", ClosesAt: "12:00"},
			[]Session{{"sunday", "10:00", "12:00"}}},
		{"monthly", HSDSSchedule{Freq: "MONTHLY", Byday: "1MO", OpensAt: "10:00", ClosesAt: "12:00"}, nil},
		{"fortnightly", HSDSSchedule{Freq: "WEEKLY", Interval: "2", Byday: "MO", OpensAt: "10:00", ClosesAt: "12:00"}, nil},
		{"no days", HSDSSchedule{Freq: "WEEKLY", OpensAt: "10:00", ClosesAt: "12:00"}, nil},
		{"bad day", HSDSSchedule{Freq: "WEEKLY", Byday: "MO,XX", OpensAt: "10:00", ClosesAt: "12:00"}, nil},
		{"numbered day in weekly", HSDSSchedule{Freq: "WEEKLY", Byday: "2MO", OpensAt: "10:00", ClosesAt: "12:00"}, nil},
		{"closes before opening", HSDSSchedule{Freq: "WEEKLY", Byday: "MO", OpensAt: "12:00", ClosesAt: "10:00"}, nil},
		{"no times", HSDSSchedule{Freq: "WEEKLY", Byday: "MO"}, nil},
	}
	for _, c := range cases {
		got, why := sessionsFrom(c.in)
		if !slices.Equal(got, c.want) || (c.want == nil) != (why != "") {
			t.Errorf("%s: got %v (%q), want %v", c.name, got, why, c.want)
		}
	}
}

func TestCleanPhone(t *testing.T) {
	cases := []struct {
		in   HSDSPhone
		want string
	}{
		{HSDSPhone{Number: `"+44 1234 234567"`, Extension: "100"}, "+44 1234 234567 ext. 100"},
		{HSDSPhone{Number: " 01392  665544 "}, "01392 665544"},
		{HSDSPhone{Number: "(01392) 665-544"}, "(01392) 665-544"},
		{HSDSPhone{Number: "call us"}, ""},
		{HSDSPhone{Number: "123"}, ""},
		{HSDSPhone{Number: "01392 665544 or 07700 900123, evenings"}, ""},
	}
	for _, c := range cases {
		got, ok := cleanPhone(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("cleanPhone(%q) = %q, %v; want %q", c.in.Number, got, ok, c.want)
		}
	}
}

func TestMapCategories(t *testing.T) {
	cases := []struct {
		name          string
		terms         []Term
		svcName, desc string
		want          []string
		fromText      bool
	}{
		{"term is a category code", []Term{{Code: "walking_groups"}}, "X", "", []string{"walking_groups"}, false},
		{"term is a category label", []Term{{Name: "Bereavement Support"}}, "X", "", []string{"bereavement_support"}, false},
		{"keyword walking", []Term{{Name: "Walking for health"}}, "X", "", []string{"walking_groups"}, false},
		{"keyword counselling", []Term{{Name: "Counselling"}}, "X", "", []string{"mental_health_support"}, false},
		{"keyword mental health", []Term{{Name: "Mental Health"}}, "X", "", []string{"mental_health_support"}, false},
		{"keyword debt", []Term{{Name: "Debt"}, {Name: "Welfare benefits"}}, "X", "", []string{"money_debt_advice"}, false},
		{"several terms, several categories", []Term{{Name: "Choir"}, {Name: "Food bank"}}, "X", "",
			[]string{"singing_groups", "food_support"}, false},
		{"unknown terms fall back to the name", []Term{{Name: "name", Code: "code"}}, "Community Counselling",
			"Suitable for people with anxiety or depression.", []string{"mental_health_support"}, true},
		{"name outweighs description", nil, "Debt Advice Drop-in", "Also a friendly chat and some walking.",
			[]string{"money_debt_advice"}, true},
		{"prefix does not match inside words", []Term{{Name: "Article"}}, "X", "", nil, false},
		{"punctuation", []Term{{Name: "Men's Shed"}}, "X", "", []string{"social_groups"}, false},
		{"nothing matches", []Term{{Name: "Widget"}}, "Widget hub", "We fix widgets.", nil, false},
	}
	for _, c := range cases {
		got, fromText := MapCategories(c.terms, c.svcName, c.desc)
		if !slices.Equal(got, c.want) || fromText != c.fromText {
			t.Errorf("%s: got %v (from text %v), want %v (from text %v)", c.name, got, fromText, c.want, c.fromText)
		}
	}
}

func TestPublishedUUIDs(t *testing.T) {
	ids := []string{"svc_abcdefghijklmnop", "svc_2345672345672345", "org_qqqqqqqqqqqqqqqq"}
	for _, id := range ids {
		kind := kindService
		if strings.HasPrefix(id, "org_") {
			kind = kindOrganisation
		}
		u := encodeUUID(kind, id)
		if !IsUUID(u) {
			t.Fatalf("%s → %s is not a UUID", id, u)
		}
		k, back, ok := decodeUUID(u)
		if !ok || k != kind || back != id {
			t.Errorf("%s → %s → %v %s %v", id, u, k, back, ok)
		}
		if strings.ToUpper(u) == u || encodeUUID(kind, id) != u {
			t.Errorf("%s: not stable lower-case", u)
		}
		if _, back, _ := decodeUUID(encodeUUID(kindLocation, id)); id[:3] == "svc" && back != id {
			t.Errorf("location of %s decodes to %s", id, back)
		}
	}
	// Ids db.NewID did not make get name-based UUIDs, which do not decode.
	for _, id := range []string{"svc_demo_walks", "legacy-42", "svc_ABCDEFGHIJKLMNOP"} {
		u := encodeUUID(kindService, id)
		if _, _, ok := decodeUUID(u); ok || !IsUUID(u) || u[14] != '5' {
			t.Errorf("%s → %s", id, u)
		}
	}
	// Random UUIDs from elsewhere do not decode.
	for _, u := range []string{"ac148810-d857-441c-9679-408f346de14b", "00000000-0000-8000-aa00-000000000000"} {
		if _, _, ok := decodeUUID(u); ok {
			t.Errorf("%s decoded", u)
		}
	}
	for s, want := range map[string]bool{"ac148810-d857-441c-9679-408f346de14b": true, "AC148810-D857-441C-9679-408F346DE14B": true,
		"ac148810d857441c9679408f346de14b": false, "ac148810-d857-441c-9679-408f346de14": false, "zc148810-d857-441c-9679-408f346de14b": false} {
		if IsUUID(s) != want {
			t.Errorf("IsUUID(%q) != %v", s, want)
		}
	}
}

func TestDocumentShapes(t *testing.T) {
	cases := []struct {
		name, doc string
		records   int
		err       string
	}{
		{"service", `{"id": "a", "name": "b", "status": "active"}`, 1, ""},
		{"organization", `{"id": "a", "name": "b", "description": "c", "services": []}`, 1, ""},
		{"page", `{"total_items": 2, "contents": [{"id": "a"}, {"id": "b"}]}`, 2, ""},
		{"bare list", `[{"id": "a"}]`, 1, ""},
		{"byte order mark", "\ufeff[]", 0, ""},
		{"tabular", `{"services.csv": [{"id": "s", "organization_id": "o", "name": "n"}], "organizations.csv": [{"id": "o", "name": "O"}]}`, 1, ""},
		{"tabular with a lone organization", `{"organizations.csv": [{"id": "o", "name": "O"}]}`, 1, ""},
		{"not JSON", `{"id": `, 0, "not valid JSON"},
		{"empty", ``, 0, "empty"},
		{"string", `"hello"`, 0, "object or list"},
		{"contents not a list", `{"contents": 5}`, 0, "must be a list"},
		{"a location", `{"id": "a", "location_type": "physical"}`, 0, "is a location"},
		{"a taxonomy", `{"id": "a", "name": "n", "description": "d", "version": "1"}`, 0, "is a taxonomy"},
		{"unknown", `{"colour": "blue"}`, 0, "none of their fields"},
		{"bad table", `{"services.csv": 3}`, 0, "list of rows"},
	}
	for _, c := range cases {
		records, err := documentRecords([]byte(c.doc))
		if len(records) != c.records || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: %d records, %v", c.name, len(records), err)
		}
	}
}

func TestNumberReadsFeedsLeniently(t *testing.T) {
	var v struct{ A, B, C, D Number }
	if err := json.Unmarshal([]byte(`{"A": 12, "B": "35.50", "C": null, "D": ""}`), &v); err != nil || v.A != "12" || v.B != "35.50" || v.C != "" || v.D != "" {
		t.Fatalf("%+v %v", v, err)
	}
	for _, bad := range []string{`{"A": "twelve"}`, `{"A": true}`, `{"A": [1]}`, `{"A": "1 2"}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s read", bad)
		}
	}
}
