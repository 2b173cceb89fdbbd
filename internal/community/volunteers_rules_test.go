package community_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/community"
	"oikos/internal/report"
)

func TestVolunteerInputValidate(t *testing.T) {
	const today = "2026-03-02"
	cases := []struct {
		name   string
		edit   func(in *community.VolunteerInput)
		fields []string // fields at fault; none: valid
	}{
		{"a full profile", func(in *community.VolunteerInput) {}, nil},
		{"no DBS at all is allowed (they are offered to nobody)", func(in *community.VolunteerInput) { in.DBSCheckedOn, in.DBSExpiresOn = nil, nil }, nil},
		{"empty DBS strings are none", func(in *community.VolunteerInput) { in.DBSCheckedOn, in.DBSExpiresOn = ptr(""), ptr(" ") }, nil},
		{"unknown kind", func(in *community.VolunteerInput) { in.Kind = "hero" }, []string{"kind"}},
		{"missing kind", func(in *community.VolunteerInput) { in.Kind = "" }, []string{"kind"}},
		{"bad postcode", func(in *community.VolunteerInput) { in.Postcode = "EX99" }, []string{"postcode"}},
		{"checked without renewal", func(in *community.VolunteerInput) { in.DBSExpiresOn = nil }, []string{"dbs_expires_on"}},
		{"renewal without check", func(in *community.VolunteerInput) { in.DBSCheckedOn = nil }, []string{"dbs_checked_on"}},
		{"check in the future", func(in *community.VolunteerInput) { in.DBSCheckedOn = ptr("2026-03-03") }, []string{"dbs_checked_on"}},
		{"check on a day that is not", func(in *community.VolunteerInput) { in.DBSCheckedOn = ptr("2025-02-30") }, []string{"dbs_checked_on"}},
		{"check as a time", func(in *community.VolunteerInput) { in.DBSCheckedOn = ptr("2025-02-01T10:00:00Z") }, []string{"dbs_checked_on"}},
		{"renewal before check", func(in *community.VolunteerInput) { in.DBSExpiresOn = ptr("2024-12-31") }, []string{"dbs_expires_on"}},
		{"renewal already passed is allowed (it shows as expired)", func(in *community.VolunteerInput) {
			in.DBSCheckedOn, in.DBSExpiresOn = ptr("2022-01-01"), ptr("2025-01-01")
		}, nil},
		{"bad day", func(in *community.VolunteerInput) { in.Availability[0].Day = "funday" }, []string{"availability[0].day"}},
		{"bad from", func(in *community.VolunteerInput) { in.Availability[0].From = "9am" }, []string{"availability[0].from"}},
		{"24:00 is not a start", func(in *community.VolunteerInput) { in.Availability[0].From = "24:00" }, []string{"availability[0].from"}},
		{"end before start", func(in *community.VolunteerInput) { in.Availability[0].To = "08:00" }, []string{"availability[0].to"}},
		{"25:00", func(in *community.VolunteerInput) { in.Availability[0].To = "25:00" }, []string{"availability[0].to"}},
		{"course with no name", func(in *community.VolunteerInput) { in.Training[0].Course = "  " }, []string{"training[0].course"}},
		{"course in the future", func(in *community.VolunteerInput) { in.Training[0].CompletedOn = "2027-01-01" }, []string{"training[0].completed_on"}},
		{"control characters in a skill", func(in *community.VolunteerInput) { in.Skills = []string{"ok", "bad\x00"} }, []string{"skills[1]"}},
		{"too many interests", func(in *community.VolunteerInput) { in.Interests = make([]string, 31) }, []string{"interests"}},
		{"long language", func(in *community.VolunteerInput) { in.Languages = []string{strings.Repeat("x", 101)} }, []string{"languages[0]"}},
		{"bad phone", func(in *community.VolunteerInput) { in.Phone = ptr("call me") }, []string{"phone"}},
		{"bad email", func(in *community.VolunteerInput) { in.Email = ptr("val at home") }, []string{"email"}},
		{"coordinator with a line break", func(in *community.VolunteerInput) { in.CoordinatorID = "usr\nx" }, []string{"coordinator_id"}},
		{"many at once", func(in *community.VolunteerInput) { in.Kind, in.Postcode = "", "" }, []string{"kind", "postcode"}},
	}
	for _, c := range cases {
		in := profile(community.KindBefriender, "ex4 4qj")
		c.edit(&in)
		err := in.Validate(today)
		if len(c.fields) == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		for _, f := range c.fields {
			wantField(t, c.name, err, f)
		}
	}

	in := profile(community.KindBefriender, "ex4 4qj")
	in.Interests = []string{" walking  football ", "Walking Football", "", "gardening"}
	in.Availability = []community.Slot{{Day: "Friday", From: "14:00", To: "16:00"}, {Day: "monday", From: "09:00", To: "12:00"}, {Day: "monday", From: "09:00", To: "12:00"}}
	if err := in.Validate(today); err != nil {
		t.Fatal(err)
	}
	if in.Postcode != "EX4 4QJ" || !slices.Equal(in.Interests, []string{"walking football", "gardening"}) {
		t.Errorf("tidied: %q %q", in.Postcode, in.Interests)
	}
	if want := []community.Slot{{"monday", "09:00", "12:00"}, {"friday", "14:00", "16:00"}}; !reflect.DeepEqual(in.Availability, want) {
		t.Errorf("slots: %v", in.Availability)
	}
}

func TestDBSStatus(t *testing.T) {
	const today = "2026-03-02"
	cases := []struct {
		checked, expires, want string
		offered                bool
	}{
		{"", "", community.DBSMissing, false},
		{"2025-01-01", "", community.DBSMissing, false},
		{"2022-01-01", "2026-03-01", community.DBSExpired, false},
		{"2022-01-01", "2026-03-02", community.DBSExpiring, true}, // its last day
		{"2022-01-01", "2026-04-01", community.DBSExpiring, true}, // 30 days on
		{"2022-01-01", "2026-04-02", community.DBSInDate, true},
		{"2025-01-01", "2028-01-01", community.DBSInDate, true},
	}
	for _, c := range cases {
		if got := community.DBSStatus(c.checked, c.expires, today); got != c.want {
			t.Errorf("DBSStatus(%q, %q) = %s, want %s", c.checked, c.expires, got, c.want)
		}
		if got := community.DBSInDateOn(c.checked, c.expires, today); got != c.offered {
			t.Errorf("DBSInDateOn(%q, %q) = %v", c.checked, c.expires, got)
		}
	}
}

func TestAvailabilityMasks(t *testing.T) {
	monMorning := community.SlotsMask([]community.Slot{{"monday", "09:00", "12:00"}})
	if got := community.MaskPhrases(monMorning); !slices.Equal(got, []string{"Monday mornings"}) {
		t.Errorf("Monday 9 to 12: %v", got)
	}
	// A slot across noon is free in both parts; one ending at noon is not.
	across := community.SlotsMask([]community.Slot{{"tuesday", "11:30", "12:30"}, {"sunday", "17:00", "24:00"}})
	if got := community.MaskPhrases(across); !slices.Equal(got, []string{"Tuesday mornings", "Tuesday afternoons", "Sunday evenings"}) {
		t.Errorf("across: %v", got)
	}
	if community.SlotsMask([]community.Slot{{"funday", "09:00", "10:00"}}) != 0 {
		t.Error("an unknown day marks nothing")
	}
	if community.PreferenceMask(nil, nil) != 0 {
		t.Error("nothing said is 0")
	}
	if got := community.MaskPhrases(community.PreferenceMask([]string{"wednesday"}, nil)); len(got) != 3 {
		t.Errorf("Wednesday, any time: %v", got)
	}
	if got := community.MaskPhrases(community.PreferenceMask(nil, []string{"evening"})); len(got) != 7 || got[0] != "Monday evenings" {
		t.Errorf("evenings, any day: %v", got)
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{
		"walking": "walk", "walks": "walk", "walker": "walk", "walkers": "walk", "walk": "walk",
		"knitting": "knit", "knit": "knit", "swimming": "swim", "running": "run",
		"gardening": "garden", "gardens": "garden", "dance": "danc", "dancing": "danc", "dances": "danc",
		"hobbies": "hobby", "hobby": "hobby", "games": "gam", "game": "gam", "class": "class", "classes": "class",
		"chess": "chess", "bus": "bus", "football": "football", "fishing": "fish", "fishes": "fish", "Singing": "sing",
		"puzzles": "puzzl", "puzzle": "puzzl",
	}
	for in, want := range cases {
		if got := community.Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInterestTerms(t *testing.T) {
	if got := community.InterestTerms([]string{"Walking football", "gardening", "Walks", "the"}); got != "walk football garden" {
		t.Errorf("terms: %q", got)
	}
	if got := community.InterestTerms(nil); got != "" {
		t.Errorf("none: %q", got)
	}
}

func TestRankVolunteers(t *testing.T) {
	const today = "2026-03-02"
	dbs := func(c community.VolunteerCandidate) community.VolunteerCandidate {
		c.DBSCheckedOn, c.DBSExpiresOn, c.Placed = "2025-01-01", "2028-01-01", true
		return c
	}
	person := community.SuggestProfile{Located: true, Interests: []string{"gardening", "walks"}, Today: today,
		Available: community.PreferenceMask([]string{"monday"}, []string{"morning"})}
	cands := []community.VolunteerCandidate{
		dbs(community.VolunteerCandidate{UserID: "far_gardener", DistanceKm: 9, Interests: []string{"Gardening", "Walking"}}),
		dbs(community.VolunteerCandidate{UserID: "near_nobody", DistanceKm: 0.5}),
		dbs(community.VolunteerCandidate{UserID: "near_gardener", DistanceKm: 1.5, Interests: []string{"Garden design"}, Available: community.SlotsMask([]community.Slot{{"monday", "10:00", "11:00"}})}),
		{UserID: "no_dbs", DistanceKm: 0.1, Placed: true, Interests: []string{"Gardening", "Walking"}},
		{UserID: "expired", DistanceKm: 0.1, Placed: true, Interests: []string{"Gardening"}, DBSCheckedOn: "2020-01-01", DBSExpiresOn: "2026-03-01"},
	}
	got := community.RankVolunteers(person, cands)
	var ids []string
	for _, r := range got {
		ids = append(ids, r.UserID)
	}
	if !slices.Equal(ids, []string{"near_gardener", "far_gardener", "near_nobody"}) {
		t.Fatalf("order: %v", ids)
	}
	best := got[0]
	for _, want := range []string{"Shares an interest in “Garden design”", "Lives 1.5 km away", "Free on Monday mornings, which suit the person"} {
		if !slices.Contains(best.Reasons, want) {
			t.Errorf("reasons %q lack %q", best.Reasons, want)
		}
	}
	if !slices.Contains(got[1].Reasons, "Shares interests in “Gardening” and “Walking”") || !slices.Contains(got[1].Reasons, "Has not said when they are free") {
		t.Errorf("far gardener: %q", got[1].Reasons)
	}
	if !slices.Contains(got[2].Reasons, "Lives less than 1 km away") {
		t.Errorf("near: %q", got[2].Reasons)
	}

	// A person who speaks Polish: a Polish speaker ranks above a nearer
	// volunteer who shares an interest, and those who do not speak it
	// say so.
	polish := community.SuggestProfile{Located: true, Interests: []string{"chess"}, Languages: []string{"Polish"}, Today: today}
	got = community.RankVolunteers(polish, []community.VolunteerCandidate{
		dbs(community.VolunteerCandidate{UserID: "chess_player", DistanceKm: 1, Interests: []string{"Chess"}, Languages: []string{"English"}}),
		dbs(community.VolunteerCandidate{UserID: "polish_speaker", DistanceKm: 1, Languages: []string{"polish", "English"}}),
	})
	if got[0].UserID != "polish_speaker" || !slices.Contains(got[0].Reasons, "Speaks Polish") || !slices.Contains(got[1].Reasons, "Does not speak Polish") {
		t.Errorf("language: %+v", got)
	}

	// A check to be renewed within 30 days is offered, with a reason.
	soon := dbs(community.VolunteerCandidate{UserID: "soon", DistanceKm: 2})
	soon.DBSExpiresOn = "2026-03-20"
	got = community.RankVolunteers(person, []community.VolunteerCandidate{soon})
	if len(got) != 1 || !slices.Contains(got[0].Reasons, "DBS check to be renewed by 20 March 2026") {
		t.Errorf("renewal soon: %+v", got)
	}

	// Someone not placed is weighed without distance; ties go by id.
	unplaced := community.SuggestProfile{Today: today}
	got = community.RankVolunteers(unplaced, []community.VolunteerCandidate{dbs(community.VolunteerCandidate{UserID: "b"}), dbs(community.VolunteerCandidate{UserID: "a"})})
	if got[0].UserID != "a" || got[0].Score != 0 || len(got[0].Reasons) != 0 {
		t.Errorf("unplaced: %+v", got)
	}
}

func TestSharePerson(t *testing.T) {
	plan := []casework.Goal{
		{ID: "g1", Text: "Get out more", Steps: []casework.Step{{ID: "s1", Text: "Walk to the park", Owner: "volunteer"}, {ID: "s2", Text: "Call GP", Owner: "person"}}},
		{ID: "g2", Text: "Sort money", Steps: []casework.Step{{ID: "s3", Text: "Benefits check", Owner: "link_worker"}}},
	}
	facts := community.PersonFacts{GivenName: "Margaret", FamilyName: "Hughes", Phone: "01392", Email: "m@example.org", Postcode: "EX4 4QJ",
		WhatMatters: "Seeing her grandchildren", Plan: plan}
	cases := []struct {
		share community.Share
		want  community.SharedPerson
	}{
		{community.Share{}, community.SharedPerson{GivenName: "Margaret"}},
		{community.Share{ContactDetails: true}, community.SharedPerson{GivenName: "Margaret", FamilyName: "Hughes", Phone: "01392", Email: "m@example.org", Postcode: "EX4 4QJ"}},
		{community.Share{WhatMatters: true}, community.SharedPerson{GivenName: "Margaret", WhatMatters: "Seeing her grandchildren"}},
		{community.Share{Plan: true}, community.SharedPerson{GivenName: "Margaret", Plan: []community.SharedGoal{{GoalID: "g1", Goal: "Get out more",
			Steps: []community.SharedStep{{ID: "s1", Text: "Walk to the park"}}}}}},
	}
	for _, c := range cases {
		if got := community.SharePerson(c.share, facts); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: got %+v", c.share, got)
		}
	}
	if got := community.VolunteerSteps(plan[1:]); got != nil {
		t.Errorf("a plan with no volunteer step shares nothing: %+v", got)
	}
}

func TestContactInputValidate(t *testing.T) {
	const started, today = "2026-02-01", "2026-03-02"
	cases := []struct {
		in     community.ContactInput
		fields []string
	}{
		{community.ContactInput{Date: "2026-03-02", Minutes: 60, Mode: "home_visit"}, nil},
		{community.ContactInput{Date: "2026-02-01", Minutes: 720, Mode: "phone", Note: "Long chat\nabout the garden"}, nil},
		{community.ContactInput{Date: "2026-03-03", Minutes: 60, Mode: "phone"}, []string{"date"}},
		{community.ContactInput{Date: "2026-01-31", Minutes: 60, Mode: "phone"}, []string{"date"}},
		{community.ContactInput{Date: "02/03/2026", Minutes: 60, Mode: "phone"}, []string{"date"}},
		{community.ContactInput{Date: "2026-03-01", Minutes: 0, Mode: "phone"}, []string{"minutes"}},
		{community.ContactInput{Date: "2026-03-01", Minutes: -5, Mode: "phone"}, []string{"minutes"}},
		{community.ContactInput{Date: "2026-03-01", Minutes: 721, Mode: "phone"}, []string{"minutes"}},
		{community.ContactInput{Date: "2026-03-01", Minutes: 30, Mode: "telepathy"}, []string{"mode"}},
		{community.ContactInput{Date: "2026-03-01", Minutes: 30, Mode: "phone", Note: "bad\x07"}, []string{"note"}},
		{community.ContactInput{}, []string{"date", "minutes", "mode"}},
	}
	for _, c := range cases {
		err := c.in.Validate(started, today)
		if len(c.fields) == 0 && err != nil {
			t.Errorf("%+v: %v", c.in, err)
		}
		for _, f := range c.fields {
			wantField(t, c.in.Date+"/"+c.in.Mode, err, f)
		}
	}
}

func TestCheckMentorStage(t *testing.T) {
	cases := []struct {
		from, to, code string // code "" for allowed
	}{
		{"invited", "interested", ""},
		{"invited", "declined", ""},
		{"interested", "training", ""},
		{"training", "active", ""},
		{"training", "declined", ""},
		{"invited", "active", "conflict"},
		{"invited", "training", "conflict"},
		{"active", "declined", "conflict"},
		{"declined", "interested", "conflict"},
		{"interested", "invited", "invalid"},
		{"invited", "graduated", "invalid"},
		{"invited", "", "invalid"},
	}
	for _, c := range cases {
		err := community.CheckMentorStage(c.from, c.to)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s → %s: %v", c.from, c.to, err)
			}
			continue
		}
		wantCode(t, c.from+" → "+c.to, err, c.code)
	}
}

func TestConcernInputs(t *testing.T) {
	ok := community.ConcernInput{Category: "self_neglect", Level: "high", Description: "The house was cold and there was no food."}
	if err := ok.Validate(); err != nil {
		t.Error(err)
	}
	for _, c := range []struct {
		in    community.ConcernInput
		field string
	}{
		{community.ConcernInput{Category: "neglect", Level: "high", Description: "x"}, "category"},
		{community.ConcernInput{Category: "other", Level: "urgent", Description: "x"}, "level"},
		{community.ConcernInput{Category: "other", Level: "low", Description: "  "}, "description"},
		{community.ConcernInput{Category: "other", Level: "low", Description: "x\x00"}, "description"},
		{community.ConcernInput{Category: "other", Level: "low", Description: strings.Repeat("x", 10001)}, "description"},
	} {
		wantField(t, c.in.Category+"/"+c.in.Level, c.in.Validate(), c.field)
	}

	actions := []struct {
		current string
		in      community.ActionInput
		field   string // "" when valid
		status  string // the status after
	}{
		{"open", community.ActionInput{Action: "Phoned her daughter"}, "", "open"},
		{"open", community.ActionInput{Action: "Referred to adult social care", Status: "closed", Outcome: "Care assessment booked"}, "", "closed"},
		{"open", community.ActionInput{Action: "Done", Status: "closed"}, "outcome", ""},
		{"open", community.ActionInput{Action: "Done", Status: "closed", Outcome: "  "}, "outcome", ""},
		{"closed", community.ActionInput{Action: "Letter sent after closing"}, "", "closed"},
		{"closed", community.ActionInput{Action: "Reopened: new worry", Status: "open"}, "", "open"},
		{"open", community.ActionInput{Action: "", Status: "open"}, "action", ""},
		{"open", community.ActionInput{Action: "x", Status: "resolved"}, "status", ""},
	}
	for _, c := range actions {
		err := c.in.Validate(c.current)
		if c.field != "" {
			wantField(t, c.in.Action, err, c.field)
			continue
		}
		if err != nil || c.in.Status != c.status {
			t.Errorf("%q on %s: %v, status %s", c.in.Action, c.current, err, c.in.Status)
		}
	}
}

func TestMayRaise(t *testing.T) {
	ref := auth.Object{Kind: "referral", SchemeID: "s1", AssignedTo: "lw"}
	triage := auth.Object{Kind: "referral", SchemeID: "s1", InTriage: true}
	facts := community.RaiseFacts{Referral: ref, MatchedVolunteers: []string{"vol"}, ConnectedOrganisations: []string{"org_p"}}
	cases := []struct {
		name string
		p    *auth.Principal
		f    community.RaiseFacts
		want bool
	}{
		{"their link worker", &auth.Principal{UserID: "lw", Role: auth.LinkWorker, SchemeID: "s1"}, facts, true},
		{"another link worker", &auth.Principal{UserID: "lw2", Role: auth.LinkWorker, SchemeID: "s1"}, facts, false},
		{"a link worker who spoke to them in triage", &auth.Principal{UserID: "lw2", Role: auth.LinkWorker, SchemeID: "s1"}, community.RaiseFacts{Referral: triage}, true},
		{"a manager of the scheme", &auth.Principal{UserID: "m", Role: auth.Manager, SchemeID: "s1"}, facts, true},
		{"a manager of another scheme", &auth.Principal{UserID: "m", Role: auth.Manager, SchemeID: "s2"}, facts, false},
		{"their volunteer", &auth.Principal{UserID: "vol", Role: auth.Volunteer, SchemeID: "s1"}, facts, true},
		{"another volunteer", &auth.Principal{UserID: "vol2", Role: auth.Volunteer, SchemeID: "s1"}, facts, false},
		{"their volunteer, from another scheme", &auth.Principal{UserID: "vol", Role: auth.Volunteer, SchemeID: "s2"}, facts, false},
		{"a provider they are connected to", &auth.Principal{UserID: "p", Role: auth.Provider, OrganisationID: "org_p"}, facts, true},
		{"another provider", &auth.Principal{UserID: "p", Role: auth.Provider, OrganisationID: "org_q"}, facts, false},
		{"a provider with no organisation", &auth.Principal{UserID: "p", Role: auth.Provider}, community.RaiseFacts{Referral: ref, ConnectedOrganisations: []string{""}}, false},
		{"the referrer", &auth.Principal{UserID: "gp", Role: auth.Referrer}, facts, false},
		{"a commissioner", &auth.Principal{UserID: "c", Role: auth.Commissioner, SchemeID: "s1"}, facts, false},
		{"an administrator", &auth.Principal{UserID: "a", Role: auth.Admin}, facts, false},
		{"nobody", nil, facts, false},
	}
	for _, c := range cases {
		if got := community.MayRaise(c.p, c.f); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
	if community.MayClose(&auth.Principal{Role: auth.LinkWorker}) || !community.MayClose(&auth.Principal{Role: auth.Manager}) {
		t.Error("only managers close concerns")
	}
}

func TestProtectVolunteering(t *testing.T) {
	period := report.PeriodJSON{From: "2025-04-01", To: "2026-03-31"}
	cases := []struct {
		name       string
		c          community.VolunteeringCounts
		suppressed []string
	}{
		{"nothing small", community.VolunteeringCounts{VolunteersActive: 12, Matches: 20, PeopleSupported: 18, PeerMentors: 12, GraduatesActive: 5, Minutes: 6000}, nil},
		{"four peer mentors not graduates hide the graduates", community.VolunteeringCounts{VolunteersActive: 12, Matches: 20, PeopleSupported: 18, PeerMentors: 9, GraduatesActive: 5},
			[]string{"graduates_active"}},
		{"zeros are shown", community.VolunteeringCounts{}, nil},
		{"one volunteer hides their hours", community.VolunteeringCounts{VolunteersActive: 1, Matches: 0, PeopleSupported: 6, Minutes: 90}, []string{"volunteers_active", "hours"}},
		{"small matches and people", community.VolunteeringCounts{VolunteersActive: 7, Matches: 3, PeopleSupported: 4, Minutes: 600}, []string{"matches", "people_supported"}},
		{"two peer mentors who are not graduates hide the graduates", community.VolunteeringCounts{VolunteersActive: 7, Matches: 9, PeopleSupported: 9, PeerMentors: 9, GraduatesActive: 7},
			[]string{"graduates_active"}},
		{"all peer mentors graduates: nothing to difference", community.VolunteeringCounts{VolunteersActive: 7, Matches: 9, PeopleSupported: 9, PeerMentors: 6, GraduatesActive: 6}, nil},
		{"three graduates of eight", community.VolunteeringCounts{VolunteersActive: 7, Matches: 9, PeopleSupported: 9, PeerMentors: 8, GraduatesActive: 3},
			[]string{"graduates_active"}},
		{"three peer mentors", community.VolunteeringCounts{VolunteersActive: 7, Matches: 9, PeopleSupported: 9, PeerMentors: 3, GraduatesActive: 3},
			[]string{"graduates_active", "peer_mentors"}},
	}
	for _, c := range cases {
		got := community.ProtectVolunteering(c.c, period)
		want := c.suppressed
		if want == nil {
			want = []string{}
		}
		g, w := slices.Sorted(slices.Values(got.Suppressed)), slices.Sorted(slices.Values(want))
		if !slices.Equal(g, w) {
			t.Errorf("%s: suppressed %v, want %v", c.name, got.Suppressed, want)
		}
		for path, v := range map[string]bool{"volunteers_active": got.VolunteersActive == nil, "matches": got.Matches == nil, "people_supported": got.PeopleSupported == nil,
			"peer_mentors": got.PeerMentors == nil, "graduates_active": got.GraduatesActive == nil, "hours": got.Hours == nil} {
			if v != slices.Contains(want, path) {
				t.Errorf("%s: %s null is %v", c.name, path, v)
			}
		}
	}
	if got := community.ProtectVolunteering(community.VolunteeringCounts{VolunteersActive: 5, Minutes: 95}, period); *got.Hours != 1.6 {
		t.Errorf("95 minutes: %v hours", *got.Hours)
	}
}

// TestPublishVolunteering: a period's figures are its months' added up,
// each hidden where any month hides it; the peer mentors are the last
// day's, protected on their own.
func TestPublishVolunteering(t *testing.T) {
	period := report.PeriodJSON{From: "2026-01-01", To: "2026-03-31"}
	month := func(vols, matches, people int, minutes int64) community.VolunteeringCounts {
		return community.VolunteeringCounts{VolunteersActive: vols, Matches: matches, PeopleSupported: people, Minutes: minutes}
	}
	cases := []struct {
		name       string
		months     []community.VolunteeringCounts
		mentors    community.VolunteeringCounts
		suppressed []string
	}{
		{"every month shown", []community.VolunteeringCounts{month(6, 5, 7, 600), month(8, 0, 9, 300), month(7, 6, 8, 0)},
			community.VolunteeringCounts{PeerMentors: 12, GraduatesActive: 5}, []string{}},
		// January's three matches would be March's total minus February's
		// and March's own reports: hidden for the quarter, although 9.
		{"a month hides its small count in the period", []community.VolunteeringCounts{month(6, 3, 7, 600), month(8, 0, 9, 300), month(7, 6, 8, 0)},
			community.VolunteeringCounts{}, []string{"matches"}},
		{"one month's single volunteer hides the hours too", []community.VolunteeringCounts{month(1, 0, 0, 60), month(8, 5, 9, 300), month(7, 6, 8, 0)},
			community.VolunteeringCounts{}, []string{"volunteers_active", "hours"}},
		{"a month of zeros hides nothing", []community.VolunteeringCounts{month(0, 0, 0, 0), month(8, 5, 9, 300)},
			community.VolunteeringCounts{PeerMentors: 3, GraduatesActive: 3}, []string{"graduates_active", "peer_mentors"}},
	}
	for _, c := range cases {
		got := community.PublishVolunteering(c.months, c.mentors, period)
		if !slices.Equal(got.Suppressed, c.suppressed) {
			t.Errorf("%s: suppressed %v, want %v", c.name, got.Suppressed, c.suppressed)
		}
		var sum community.VolunteeringCounts
		for _, m := range c.months {
			sum.VolunteersActive, sum.Matches, sum.PeopleSupported, sum.Minutes = sum.VolunteersActive+m.VolunteersActive, sum.Matches+m.Matches,
				sum.PeopleSupported+m.PeopleSupported, sum.Minutes+m.Minutes
		}
		for path, f := range map[string]struct {
			got  *int
			want int
		}{"volunteers_active": {got.VolunteersActive, sum.VolunteersActive}, "matches": {got.Matches, sum.Matches},
			"people_supported": {got.PeopleSupported, sum.PeopleSupported}, "peer_mentors": {got.PeerMentors, c.mentors.PeerMentors},
			"graduates_active": {got.GraduatesActive, c.mentors.GraduatesActive}} {
			switch hidden := slices.Contains(c.suppressed, path); {
			case hidden && f.got != nil, !hidden && (f.got == nil || *f.got != f.want):
				t.Errorf("%s: %s is %v, want %d (hidden %v)", c.name, path, f.got, f.want, hidden)
			}
		}
		if hidden := slices.Contains(c.suppressed, "hours"); hidden != (got.Hours == nil) || (!hidden && *got.Hours != float64(sum.Minutes*10/60)/10) {
			t.Errorf("%s: hours %v", c.name, got.Hours)
		}
	}
}

func TestProtectConcerns(t *testing.T) {
	period := report.PeriodJSON{From: "2025-04-01", To: "2026-03-31"}
	got := community.ProtectConcerns(community.ConcernCounts{ByLevel: map[string]int{"low": 10, "medium": 8, "high": 6, "immediate": 2}, Closed: 20,
		Minutes: []int64{5, 30, 60, 120, 240, 600}}, period)
	if got.Raised == nil || *got.Raised != 26 || got.ByLevel["immediate"] != nil || got.ByLevel["high"] != nil || got.ByLevel["low"] == nil {
		t.Errorf("levels: %+v", got)
	}
	if got.Closed == nil || *got.Closed != 20 || got.MedianMinutesToFirstAction == nil || *got.MedianMinutesToFirstAction != 90 {
		t.Errorf("closed and median: %+v", got)
	}
	small := community.ProtectConcerns(community.ConcernCounts{ByLevel: map[string]int{"high": 3}, Closed: 1, Minutes: []int64{10, 20}}, period)
	if small.Raised != nil || small.Closed != nil || small.ActedOn != nil || small.MedianMinutesToFirstAction != nil {
		t.Errorf("small: %+v", small)
	}
	// Three still open of eight: closed (5) would give them away.
	open := community.ProtectConcerns(community.ConcernCounts{ByLevel: map[string]int{"low": 8}, Closed: 5}, period)
	if open.Raised == nil || open.Closed != nil {
		t.Errorf("open: %+v", open)
	}
}

// TestPublishConcerns: the safeguarding figures beside the volunteering
// report are its months' added up, hidden where any month hides them, and
// the groups protected again with those cells hidden.
func TestPublishConcerns(t *testing.T) {
	period := report.PeriodJSON{From: "2026-01-01", To: "2026-02-28"}
	january := community.ConcernCounts{ByLevel: map[string]int{"low": 6, "medium": 7, "high": 2}, Closed: 15, Minutes: []int64{10, 20, 30, 40, 50}}
	february := community.ConcernCounts{ByLevel: map[string]int{"low": 8, "medium": 9, "high": 6}, Closed: 23, Minutes: []int64{60, 70}}
	got := community.PublishConcerns([]community.ConcernCounts{january, february}, period)
	// January hides its 2 high (and, lest raised give them away, its 6
	// low); February its 2 acted on. So the two months hide both levels
	// and those acted on, although 14, 8 and 7; raised (38) and closed
	// (38) are shown.
	if got.ByLevel["high"] != nil || got.ByLevel["low"] != nil || got.ByLevel["medium"] == nil || *got.ByLevel["medium"] != 16 {
		t.Errorf("levels: %v", got.ByLevel)
	}
	if got.Raised == nil || *got.Raised != 38 || got.Closed == nil || *got.Closed != 38 || got.ActedOn != nil || got.MedianMinutesToFirstAction != nil {
		t.Errorf("totals: %+v", got)
	}
	if one := community.PublishConcerns([]community.ConcernCounts{february}, period); one.ByLevel["high"] == nil || one.ActedOn != nil {
		t.Errorf("February alone: %+v", one)
	}
}

func TestVolunteeringCSV(t *testing.T) {
	r := community.ProtectVolunteering(community.VolunteeringCounts{VolunteersActive: 3, Matches: 12, PeopleSupported: 10, PeerMentors: 0, Minutes: 600},
		report.PeriodJSON{From: "2025-04-01", To: "2026-03-31"})
	var b bytes.Buffer
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "figure,value,note\nperiod.from,2025-04-01,\nperiod.to,2026-03-31,\nvolunteers_active,,hidden\nmatches,12,\nhours,,hidden\n" +
		"people_supported,10,\npeer_mentors,0,\ngraduates_active,0,\n"
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
}

// InterestPhrases keeps what the person said as phrases: a strength like
// "Good baker / Kind neighbour" is two strengths, never four words.
func TestInterestPhrases(t *testing.T) {
	for _, c := range []struct {
		name      string
		interests string
		strengths []string
		want      []string
	}{
		{"nothing", "", nil, []string{}},
		{"commas", "gardening, singing", nil, []string{"gardening", "singing"}},
		{"strengths kept whole", "gardening, singing", []string{"Good baker / Kind neighbour"}, []string{"gardening", "singing", "Good baker", "Kind neighbour"}},
		{"lines and semicolons", "walking\r\nbirdwatching; local history", []string{"Good listener"}, []string{"walking", "birdwatching", "local history", "Good listener"}},
		{"each once whatever its case", "Singing, singing,  SINGING ", []string{"singing"}, []string{"Singing"}},
		{"a phrase of nothing worth matching is dropped", "a, the, of", []string{" / "}, []string{}},
		{"spaces tidied", "  arts   and crafts ", nil, []string{"arts and crafts"}},
		{"capped", "a1x, b1x, c1x, d1x, e1x, f1x, g1x, h1x, i1x, j1x, k1x, l1x, m1x, n1x", nil,
			[]string{"a1x", "b1x", "c1x", "d1x", "e1x", "f1x", "g1x", "h1x", "i1x", "j1x", "k1x", "l1x"}},
	} {
		if got := community.InterestPhrases(c.interests, c.strengths); !slices.Equal(got, c.want) {
			t.Errorf("%s: InterestPhrases(%q, %q) = %q, want %q", c.name, c.interests, c.strengths, got, c.want)
		}
	}
	// Matching still takes the words of each phrase.
	person := community.SuggestProfile{Interests: community.InterestPhrases("", []string{"Good baker / Kind neighbour"}), Today: "2026-03-02"}
	ranked := community.RankVolunteers(person, []community.VolunteerCandidate{{UserID: "baker", DBSCheckedOn: "2025-01-01", DBSExpiresOn: "2027-01-01", Interests: []string{"Baking"}}})
	if len(ranked) != 1 || len(ranked[0].SharedInterests) != 1 {
		t.Errorf("a strength's words no longer match a volunteer's interest: %+v", ranked)
	}
}
