package connection_test

import (
	"slices"
	"strings"
	"testing"

	"oikos/internal/connection"
	"oikos/internal/directory"
)

func cost(p int64) *int64 { return &p }
func years(n int) *int    { return &n }
func places(n int) *int   { return &n }

// walk is a free walking group 1 km away that meets on Tuesday mornings,
// with step-free access: suitable for a lonely person with no preferences.
func walk() directory.Nearby {
	return directory.Nearby{ID: "svc_walk", Name: "Riverside walk", DistanceKm: 1, Categories: []string{"walking_groups"},
		Schedule: []directory.Session{{Day: "tuesday", Opens: "10:00", Closes: "11:30"}}, CostPence: cost(0), Capacity: places(10),
		Accessibility: []string{"Step-free access"}}
}

var lonely = []connection.NeedPriority{{Code: "loneliness", Priority: 1}}

func prefs(change func(*connection.Preferences)) connection.Preferences {
	p := connection.DefaultPreferences()
	if change != nil {
		change(&p)
	}
	return p
}

// TestRankFactors checks each factor alone: its reason, whether it leaves
// the service suitable, and which way it moves the score against the plain
// walking group.
func TestRankFactors(t *testing.T) {
	base := connection.Rank(connection.Profile{Needs: lonely, Prefs: prefs(nil)}, []directory.Nearby{walk()})[0]
	if !base.Suitable || !base.WithinReach || base.WaitingList {
		t.Fatalf("plain walking group: %+v", base)
	}
	for _, want := range []string{"For loneliness", "1.0 km away", "Free", "Meets on Tuesdays"} {
		if !slices.Contains(base.Reasons, want) {
			t.Errorf("plain walking group: reasons %q lack %q", base.Reasons, want)
		}
	}
	for _, tc := range []struct {
		name     string
		profile  connection.Profile
		service  func(*directory.Nearby)
		reason   string
		suitable bool
		better   bool // scores above the plain walking group
		worse    bool // scores below it
	}{
		{name: "nearer", service: func(n *directory.Nearby) { n.DistanceKm = 0.3 }, reason: "0.3 km away", suitable: true, better: true},
		{name: "further, in reach", service: func(n *directory.Nearby) { n.DistanceKm = 4.2 }, reason: "4.2 km away", suitable: true, worse: true},
		{name: "beyond reach", service: func(n *directory.Nearby) { n.DistanceKm = 6.2 }, reason: "6.2 km away, further than the 5.0 km they can travel", worse: true},
		{name: "further reach allowed", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.MaxKm = 10 })},
			service: func(n *directory.Nearby) { n.DistanceKm = 6.2 }, reason: "6.2 km away", suitable: true, worse: true},
		{name: "priority 3 need only", profile: connection.Profile{Needs: []connection.NeedPriority{{Code: "loneliness", Priority: 3}}},
			reason: "For loneliness", suitable: true, worse: true},
		{name: "two needs met", profile: connection.Profile{Needs: []connection.NeedPriority{{Code: "loneliness", Priority: 1}, {Code: "physical_inactivity", Priority: 2}}},
			reason: "For loneliness and physical inactivity", suitable: true, better: true},
		{name: "no need met", profile: connection.Profile{Needs: []connection.NeedPriority{{Code: "money_worries", Priority: 1}}},
			reason: "1.0 km away", suitable: true, worse: true},
		{name: "interest matched", service: func(n *directory.Nearby) { n.Relevance, n.Matched = 2, []string{"birds"} },
			reason: "Matches their interest in “birds”", suitable: true, better: true},
		{name: "two interests", service: func(n *directory.Nearby) { n.Relevance, n.Matched = 2, []string{"birds", "history"} },
			reason: "Matches their interests in “birds” and “history”", suitable: true, better: true},
		{name: "free on the day", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.Days = []string{"tuesday", "friday"} })},
			reason: "Meets on Tuesdays, 10:00 to 11:30, when they are free", suitable: true},
		{name: "not free that day", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.Days = []string{"monday"} })},
			reason: "Meets on Tuesdays, when you are not free", worse: true},
		{name: "free mornings", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.Times = []string{"morning"} })},
			reason: "Meets on Tuesdays, 10:00 to 11:30, when they are free", suitable: true},
		{name: "evenings only", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.Times = []string{"evening"} })},
			reason: "Meets on Tuesdays, when you are not free", worse: true},
		{name: "times not listed", service: func(n *directory.Nearby) { n.Schedule = nil }, reason: "Times not listed: ask them", suitable: true, worse: true},
		{name: "costs, no limit", service: func(n *directory.Nearby) { n.CostPence = cost(350) }, reason: "£3.50 a session", suitable: true, worse: true},
		{name: "costs within limit", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.MaxCostPence = cost(500) })},
			service: func(n *directory.Nearby) { n.CostPence = cost(500) }, reason: "£5 a session", suitable: true, worse: true},
		{name: "costs too much", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.MaxCostPence = cost(300) })},
			service: func(n *directory.Nearby) { n.CostPence = cost(500) }, reason: "Costs £5 a session, more than the £3 they can pay", worse: true},
		{name: "free only", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.MaxCostPence = cost(0) })},
			service: func(n *directory.Nearby) { n.CostPence = cost(200) }, reason: "Costs £2 a session, and they are looking for free things", worse: true},
		{name: "cost unknown", service: func(n *directory.Nearby) { n.CostPence = nil }, reason: "Cost not listed: ask them", suitable: true, worse: true},
		{name: "access met", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.Accessibility = []string{"step_free"} })},
			reason: "Has step-free or wheelchair access, as they need", suitable: true},
		{name: "access missing", profile: connection.Profile{Prefs: prefs(func(p *connection.Preferences) { p.Accessibility = []string{"step_free", "hearing_loop"} })},
			reason: "Does not say it has a hearing loop", worse: true},
		{name: "full", service: func(n *directory.Nearby) { n.Capacity = places(0) }, reason: "Full at the moment: waiting list", worse: true},
		{name: "declined before", profile: connection.Profile{Past: map[string]connection.Past{"svc_walk": {Status: "declined"}}},
			reason: "Referred before and declined: talk it over before suggesting it again", worse: true},
		{name: "dropped before", profile: connection.Profile{Past: map[string]connection.Past{"svc_walk": {Status: "dropped"}}},
			reason: "Went before and stopped going: talk it over before suggesting it again", worse: true},
		{name: "already sent", profile: connection.Profile{Past: map[string]connection.Past{"svc_walk": {Status: "sent"}}},
			reason: "Already connected: sent, waiting for an answer", worse: true},
		{name: "completed before", profile: connection.Profile{Past: map[string]connection.Past{"svc_walk": {Status: "completed"}}},
			reason: "Went before and completed it", suitable: true},
		{name: "citizen-led", service: func(n *directory.Nearby) { n.CitizenLed = true }, reason: "Run by local people", suitable: true},
		// A memory café is put lower for someone lonely, not for a carer.
		{name: "dementia group, lonely", service: func(n *directory.Nearby) { n.Categories = append(n.Categories, "dementia_support") },
			reason: "For people living with dementia and those who care for them: check it suits them", suitable: true, worse: true},
		{name: "dementia group, a carer", profile: connection.Profile{Needs: []connection.NeedPriority{{Code: "loneliness", Priority: 1}, {Code: "caring_responsibilities", Priority: 2}}},
			service: func(n *directory.Nearby) { n.Categories = append(n.Categories, "dementia_support") },
			reason:  "For loneliness and caring responsibilities", suitable: true, better: true},
		// Whom it is for: Arthur, 85, is offered no group for young adults
		// or for women as suitable.
		{name: "for women, a man", profile: connection.Profile{Sex: "male", Age: years(85)}, service: func(n *directory.Nearby) { n.ForSex = "female" },
			reason: "For women only", worse: true},
		{name: "for women, a woman", profile: connection.Profile{Sex: "female"}, service: func(n *directory.Nearby) { n.ForSex = "female" },
			reason: "For women only", suitable: true},
		{name: "for women, sex not recorded", service: func(n *directory.Nearby) { n.ForSex = "female" }, reason: "For women only", suitable: true},
		{name: "for women, other", profile: connection.Profile{Sex: "other"}, service: func(n *directory.Nearby) { n.ForSex = "female" },
			reason: "For women only", suitable: true},
		{name: "for men, a woman", profile: connection.Profile{Sex: "female"}, service: func(n *directory.Nearby) { n.ForSex = "male" },
			reason: "For men only", worse: true},
		{name: "for anyone", profile: connection.Profile{Sex: "male"}, service: func(n *directory.Nearby) { n.ForSex = "any" },
			reason: "1.0 km away", suitable: true},
		{name: "ages 16 to 25, aged 85", profile: connection.Profile{Age: years(85)}, service: func(n *directory.Nearby) { n.MinAge, n.MaxAge = years(16), years(25) },
			reason: "For ages 16 to 25", worse: true},
		{name: "ages 16 to 25, aged 25", profile: connection.Profile{Age: years(25)}, service: func(n *directory.Nearby) { n.MinAge, n.MaxAge = years(16), years(25) },
			reason: "1.0 km away", suitable: true},
		{name: "ages 16 to 25, age not known", service: func(n *directory.Nearby) { n.MinAge, n.MaxAge = years(16), years(25) },
			reason: "For ages 16 to 25", suitable: true},
		{name: "55 and over, aged 54", profile: connection.Profile{Age: years(54)}, service: func(n *directory.Nearby) { n.MinAge = years(55) },
			reason: "For ages 55 and over", worse: true},
		{name: "up to 18, aged 19", profile: connection.Profile{Age: years(19)}, service: func(n *directory.Nearby) { n.MaxAge = years(18) },
			reason: "For ages up to 18", worse: true},
		{name: "for young women, a man of 85", profile: connection.Profile{Sex: "male", Age: years(85)},
			service: func(n *directory.Nearby) { n.ForSex, n.MinAge, n.MaxAge = "female", years(16), years(25) },
			reason:  "For women only; for ages 16 to 25", worse: true},
		{name: "for young women, a woman of 85", profile: connection.Profile{Sex: "female", Age: years(85)},
			service: func(n *directory.Nearby) { n.ForSex, n.MinAge, n.MaxAge = "female", years(16), years(25) },
			reason:  "For ages 16 to 25", worse: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.profile
			if p.Needs == nil {
				p.Needs = lonely
			}
			if p.Prefs.MaxKm == 0 {
				p.Prefs = prefs(nil)
			}
			n := walk()
			if tc.service != nil {
				tc.service(&n)
			}
			got := connection.Rank(p, []directory.Nearby{n})[0]
			if !slices.Contains(got.Reasons, tc.reason) {
				t.Errorf("reasons %q lack %q", got.Reasons, tc.reason)
			}
			if got.Suitable != tc.suitable {
				t.Errorf("suitable %v, want %v (%q)", got.Suitable, tc.suitable, got.Reasons)
			}
			if tc.better && got.Score <= base.Score || tc.worse && got.Score >= base.Score || !tc.better && !tc.worse && got.Score != base.Score {
				t.Errorf("score %v against %v: better %v worse %v", got.Score, base.Score, tc.better, tc.worse)
			}
			if !got.Suitable && !got.WaitingList && got.Score >= 0 {
				t.Errorf("an unsuitable service scores %v, not below every suitable one", got.Score)
			}
		})
	}
}

// TestRankOrder: need first, then interests, then nearness; full services
// sink below open ones, and unsuitable ones below full ones.
func TestRankOrder(t *testing.T) {
	mk := func(id string, km float64, cats []string, change func(*directory.Nearby)) directory.Nearby {
		n := walk()
		n.ID, n.Name, n.DistanceKm, n.Categories = id, id, km, cats
		if change != nil {
			change(&n)
		}
		return n
	}
	needs := []connection.NeedPriority{{Code: "loneliness", Priority: 1}, {Code: "money_worries", Priority: 3}}
	cands := []directory.Nearby{
		mk("debt_advice_near", 0.2, []string{"money_debt_advice"}, nil),
		mk("befriending_far", 4, []string{"befriending"}, nil),
		mk("befriending_near", 1, []string{"befriending"}, nil),
		mk("garden_club", 3, []string{"hobbies_interests"}, func(n *directory.Nearby) { n.Relevance, n.Matched = 5, []string{"garden"} }),
		mk("full_lunch_club", 0.5, []string{"social_groups"}, func(n *directory.Nearby) { n.Capacity = places(0) }),
		mk("declined_choir", 0.4, []string{"singing_groups"}, nil),
		mk("distant_club", 7, []string{"social_groups"}, nil),
	}
	got := connection.Rank(connection.Profile{Needs: needs, Prefs: prefs(nil), Past: map[string]connection.Past{"declined_choir": {Status: "declined"}}}, cands)
	var order []string
	for _, s := range got {
		order = append(order, s.ID)
	}
	want := []string{"garden_club", "befriending_near", "befriending_far", "debt_advice_near", "full_lunch_club", "declined_choir", "distant_club"}
	if !slices.Equal(order, want) {
		t.Errorf("order\n got %v\nwant %v", order, want)
	}
	// The same input gives the same order, ties broken by distance, name, id.
	twins := []directory.Nearby{mk("b", 1, []string{"befriending"}, nil), mk("a", 1, []string{"befriending"}, nil)}
	if got := connection.Rank(connection.Profile{Needs: needs, Prefs: prefs(nil)}, twins); got[0].ID != "a" {
		t.Errorf("tie: %s first", got[0].ID)
	}
}

func TestMostTelling(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"completed"}, "completed"},
		{[]string{"completed", "dropped"}, "dropped"},
		{[]string{"declined", "sent"}, "sent"},
		{[]string{"dropped", "completed", "declined"}, "dropped"},
		{[]string{"waitlisted", "declined"}, "waitlisted"},
	} {
		if got := connection.MostTelling(tc.in); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFindUnmet(t *testing.T) {
	suitable := func(needs ...string) connection.Scored {
		return connection.Scored{Suitable: true, NeedsMet: needs}
	}
	unsuitable := connection.Scored{NeedsMet: []string{"loneliness"}}
	needs := []connection.NeedPriority{{Code: "loneliness", Priority: 1}, {Code: "money_worries", Priority: 2}, {Code: "housing", Priority: 3}}
	for _, tc := range []struct {
		name   string
		ranked []connection.Scored
		want   []string
	}{
		{"nothing at all", nil, []string{"loneliness:0", "money_worries:0"}},
		{"enough for loneliness", []connection.Scored{suitable("loneliness"), suitable("loneliness"), suitable("loneliness", "money_worries")},
			[]string{"money_worries:1"}},
		{"unsuitable ones do not count", []connection.Scored{suitable("loneliness"), suitable("loneliness"), unsuitable, unsuitable},
			[]string{"loneliness:2", "money_worries:0"}},
		{"all met", []connection.Scored{suitable("loneliness", "money_worries"), suitable("loneliness", "money_worries"), suitable("loneliness", "money_worries")}, nil},
	} {
		var got []string
		for _, u := range connection.FindUnmet(needs, tc.ranked, 3, "EX4", 5) {
			if u.Area != "EX4" || u.WithinKm != 5 || u.Label == "" {
				t.Errorf("%s: %+v", tc.name, u)
			}
			got = append(got, u.Need+":"+string(rune('0'+u.Found)))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestInterestWords(t *testing.T) {
	for text, want := range map[string]string{
		"I like gardening and my dog":                      "gardening dog",
		"Keen on birds, birds, BIRDS; loves local history": "birds local history",
		"":           "",
		"a an to of": "",
		"one two three four five six seven eight nine ten": "one two three four five six seven eight",
	} {
		if got := strings.Join(directory.InterestWords(text), " "); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestAgesLabel(t *testing.T) {
	for _, tt := range []struct {
		min, max *int
		want     string
	}{
		{years(16), years(25), "For ages 16 to 25"},
		{years(55), nil, "For ages 55 and over"},
		{nil, years(18), "For ages up to 18"},
		{years(18), years(18), "For age 18 only"},
		{years(0), nil, ""},
		{years(0), years(11), "For ages 0 to 11"},
		{nil, nil, ""},
	} {
		if got := connection.AgesLabel(tt.min, tt.max); got != tt.want {
			t.Errorf("%v-%v: %q, want %q", tt.min, tt.max, got, tt.want)
		}
	}
}
