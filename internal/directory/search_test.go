package directory_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
)

// seedSearch makes a small directory across Exeter, Exmouth and Plymouth.
func seedSearch(t *testing.T, d *db.DB) *directory.Store {
	t.Helper()
	ctx := context.Background()
	s := directory.NewStore(d)
	orgID := newOrg(t, d, "Devon Community Network")
	free, paid := ptr(int64(0)), ptr(int64(400))
	for _, in := range []directory.Input{
		{Name: "Exeter Health Walks", Description: "Gentle led walks around the city parks at an easy pace.", Categories: []string{"walking_groups", "physical_activity"},
			Postcode: "EX4 4QJ", Schedule: []directory.Session{{Day: "tuesday", Opens: "10:00", Closes: "11:30"}}, CostPence: free},
		{Name: "Exmouth Seafront Strollers", Description: "A walking group along the seafront, with tea afterwards.", Categories: []string{"walking_groups"},
			Postcode: "EX8 1AA", Schedule: []directory.Session{{Day: "thursday", Opens: "10:00", Closes: "11:00"}}, CostPence: free},
		{Name: "Plymouth Hoe Walkers", Description: "Weekly walks on the Hoe for all abilities.", Categories: []string{"walking_groups"},
			Postcode: "PL1 2PA", Schedule: []directory.Session{{Day: "tuesday", Opens: "09:30", Closes: "11:00"}}, CostPence: free},
		{Name: "Telephone Friends", Description: "A volunteer rings you every week for a chat.", Categories: []string{"befriending"},
			Postcode: "EX1 1AA", CostPence: free},
		{Name: "Sidwell Street Choir", Description: "Community choir, no auditions, all voices welcome. Singing for joy.", Categories: []string{"singing_groups", "arts_creativity"},
			Postcode: "EX4 6NS", Schedule: []directory.Session{{Day: "monday", Opens: "19:00", Closes: "21:00"}}, CostPence: paid, Capacity: ptr(0)},
		{Name: "Money Matters Advice", Description: "Free confidential advice on debt, benefits and bills.", Categories: []string{"money_debt_advice"},
			Postcode: "EX2 4AA", CostPence: free},
		{Name: "Closed Knitting Circle", Description: "Knitting and a natter.", Categories: []string{"hobbies_interests"}, Postcode: "EX4 4QJ"},
	} {
		in.OrganisationID = orgID
		v, err := s.Create(ctx, editor, in)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(v.Name, "Closed") {
			if err := s.SetStatus(ctx, editor, v.ID, "closed"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

func names(res directory.Results) []string {
	var out []string
	for _, h := range res.Items {
		out = append(out, h.Name)
	}
	return out
}

func TestSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := seedSearch(t, d)
		ctx := context.Background()
		cases := []struct {
			name      string
			params    string
			want      []string // in this order
			anyOrder  bool
			reason    string // a reason every hit carries
			corrected string
		}{
			{name: "stemming: walk finds walking", params: "q=walk", want: []string{"Exeter Health Walks", "Exmouth Seafront Strollers", "Plymouth Hoe Walkers"}, anyOrder: true},
			{name: "category labels are searched", params: "q=singing", want: []string{"Sidwell Street Choir"}},
			{name: "every word must match", params: "q=walk+seafront", want: []string{"Exmouth Seafront Strollers"}},
			{name: "a typo is corrected", params: "q=walkng", want: []string{"Exeter Health Walks", "Exmouth Seafront Strollers", "Plymouth Hoe Walkers"}, anyOrder: true, corrected: "walk*"},
			{name: "near sorts nearest first within the radius", params: "near=EX1+1AA&within_km=20&category=walking_groups", want: []string{"Exeter Health Walks", "Exmouth Seafront Strollers"}, reason: "km from EX1 1AA"},
			{name: "a service in the district searched from is in your area", params: "q=walks&near=EX4", want: []string{"Exeter Health Walks"}, reason: "In your area (EX4)"},
			{name: "text and place", params: "q=walks&near=PL1+2PA&within_km=200", want: []string{"Plymouth Hoe Walkers", "Exeter Health Walks", "Exmouth Seafront Strollers"}},
			{name: "need finds the categories that meet it", params: "need=loneliness&near=EX1&within_km=30", want: []string{"Telephone Friends", "Sidwell Street Choir", "Exeter Health Walks", "Exmouth Seafront Strollers"}, anyOrder: true, reason: "Can help with loneliness"},
			{name: "day", params: "day=tuesday", want: []string{"Exeter Health Walks", "Plymouth Hoe Walkers"}, reason: "Meets on Tuesday"},
			{name: "free only", params: "free=true&category=singing_groups", want: nil},
			{name: "closed services are not found", params: "q=knitting", want: nil},
			{name: "no filters lists by name", params: "", want: []string{"Exeter Health Walks", "Exmouth Seafront Strollers", "Money Matters Advice", "Plymouth Hoe Walkers", "Sidwell Street Choir", "Telephone Friends"}},
			{name: "query syntax is just text", params: "q=" + url.QueryEscape(`walk" OR NOT * (`), want: []string{"Exeter Health Walks", "Exmouth Seafront Strollers", "Plymouth Hoe Walkers"}, anyOrder: true},
		}
		for _, c := range cases {
			v, _ := url.ParseQuery(c.params)
			q, err := directory.ParseQuery(v, 50)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			res, err := s.Search(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got := names(res)
			if c.anyOrder {
				slices.Sort(got)
				slices.Sort(c.want)
			}
			if !slices.Equal(got, c.want) || res.Total != len(c.want) {
				t.Errorf("%s: got %v (total %d), want %v", c.name, got, res.Total, c.want)
			}
			if corrected := res.Corrected != ""; corrected != (c.corrected != "") || (corrected && !strings.HasPrefix(res.Corrected, strings.TrimSuffix(c.corrected, "*"))) {
				t.Errorf("%s: corrected %q, want %q", c.name, res.Corrected, c.corrected)
			}
			for _, h := range res.Items {
				if c.reason != "" && !slices.ContainsFunc(h.Reasons, func(r string) bool { return strings.Contains(r, c.reason) }) {
					t.Errorf("%s: %s has reasons %v, want one with %q", c.name, h.Name, h.Reasons, c.reason)
				}
				if q.Near != "" && h.DistanceKm == nil {
					t.Errorf("%s: %s has no distance", c.name, h.Name)
				}
			}
		}

		// Pages join up without gaps or repeats.
		v, _ := url.ParseQuery("limit=2")
		q, _ := directory.ParseQuery(v, 50)
		var all []string
		for range 10 {
			res, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, names(res)...)
			if res.Next < 0 {
				break
			}
			q.Offset = res.Next
		}
		if len(all) != 6 {
			t.Errorf("paged through %v", all)
		}
	})
}

func TestParseQueryNamesTheBadParameter(t *testing.T) {
	cases := map[string]string{
		"category=knitting":             "category",
		"need=boredom":                  "need",
		"near=XYZ":                      "near",
		"near=ZZ9+9ZZ":                  "near",
		"within_km=5":                   "within_km",
		"near=EX4&within_km=-1":         "within_km",
		"near=EX4&within_km=lots":       "within_km",
		"near=EX4&within_km=NaN":        "within_km",
		"day=someday":                   "day",
		"free=maybe":                    "free",
		"limit=0":                       "limit",
		"limit=100000":                  "limit",
		"cursor=nonsense":               "cursor",
		"q=" + strings.Repeat("a", 201): "q",
		"q=%ff%fe":                      "q",
		"q=a%00b":                       "q",
	}
	for params, field := range cases {
		v, err := url.ParseQuery(params)
		if err != nil {
			t.Fatalf("%s: %v", params, err)
		}
		_, err = directory.ParseQuery(v, 50)
		e, ok := err.(*oikos.Error)
		if !ok || e.Code != oikos.EINVALID || e.Fields[field] == "" {
			t.Errorf("%s: %v, want an error naming %s", params, err, field)
		}
	}
	v, _ := url.ParseQuery("q=walk&category=befriending,walking_groups&need=loneliness&near=ex4+4qj&within_km=2.5&day=Tuesday&free=on&limit=20")
	q, err := directory.ParseQuery(v, 50)
	if err != nil || q.Near != "EX4 4QJ" || q.WithinKm != 2.5 || q.Day != 2 || !q.FreeOnly || len(q.Categories) != 2 || q.Limit != 20 {
		t.Fatalf("good query: %+v %v", q, err)
	}
}

// Paging a search by words gives the same order as one long page, on
// SQLite through the path that ranks in the index and reads only the best
// rows (with ties at the end of a page).
func TestSearchWordsPagesAgree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := seedSearch(t, d)
		ctx := context.Background()
		// Services that score alike, to be ordered by name across pages.
		orgID := newOrg(t, d, "Tea Dances")
		for _, name := range []string{"Tea Dance C", "Tea Dance A", "Tea Dance D", "Tea Dance B"} {
			if _, err := s.Create(ctx, editor, directory.Input{OrganisationID: orgID, Name: name, Description: "A tea dance.",
				Categories: []string{"social_groups"}, Postcode: "EX1 1AA"}); err != nil {
				t.Fatal(err)
			}
		}
		// A name holding the words comes before a description full of them.
		for _, in := range []struct{ name, description string }{
			{"Riverside Social", "Choir choir choir choir choir choir choir choir."},
			{"Friends of the Long Valley and Upper Riverside Community Association Village Hall, Playing Fields and Gardens Choir", "Songs, tea and cake, and a warm welcome for everyone who lives in the valley and beyond it."},
		} {
			if _, err := s.Create(ctx, editor, directory.Input{OrganisationID: orgID, Name: in.name, Description: in.description,
				Categories: []string{"singing_groups", "social_groups"}, Postcode: "EX1 1AA"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, query := range []string{"q=choir", "q=choir&category=social_groups"} {
			v, _ := url.ParseQuery(query)
			q, _ := directory.ParseQuery(v, 50)
			res, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(res); len(got) < 2 || got[len(got)-1] != "Riverside Social" {
				t.Errorf("%s: %v, want the services named for the word first", query, got)
			}
		}
		for _, text := range []string{"walk", "walks", "walking group", "wal", "tea dance", "tea", "choir"} {
			v, _ := url.ParseQuery("q=" + url.QueryEscape(text))
			q, _ := directory.ParseQuery(v, 50)
			whole, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for limit := 1; limit <= 3; limit++ {
				q.Limit, q.Offset = limit, 0
				var paged []string
				for range 10 {
					res, err := s.Search(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if res.Total != whole.Total {
						t.Errorf("%q limit %d offset %d: total %d, want %d", text, limit, q.Offset, res.Total, whole.Total)
					}
					paged = append(paged, names(res)...)
					if res.Next < 0 {
						break
					}
					q.Offset = res.Next
				}
				if !slices.Equal(paged, names(whole)) {
					t.Errorf("%q in pages of %d: %v, want %v", text, limit, paged, names(whole))
				}
			}
			if text == "walk" && whole.Total != 3 || text == "tea" && !slices.Equal(names(whole)[:4], []string{"Tea Dance A", "Tea Dance B", "Tea Dance C", "Tea Dance D"}) {
				t.Errorf("%s: %v", text, names(whole))
			}
		}
		// Past the end: no items, and still the total.
		v, _ := url.ParseQuery("q=walk")
		q, _ := directory.ParseQuery(v, 50)
		q.Offset = 10
		res, err := s.Search(ctx, q)
		if err != nil || len(res.Items) != 0 || res.Total != 3 || res.Next != -1 {
			t.Errorf("past the end: %v total %d next %d, %v", names(res), res.Total, res.Next, err)
		}
	})
}

// seedWords makes a directory whose services say what they do in the
// words providers use, which are seldom the words people search with.
func seedWords(t *testing.T, d *db.DB) *directory.Store {
	t.Helper()
	s := directory.NewStore(d)
	orgID := newOrg(t, d, "Exeter Community Network")
	for _, in := range []directory.Input{
		{Name: "Telephone Befriending", Description: "A volunteer rings you each week for a chat, if you feel lonely or isolated.", Categories: []string{"befriending"}, Postcode: "EX4 4QJ"},
		{Name: "Friday Lunch Club", Description: "A hot lunch and good company, every Friday.", Categories: []string{"social_groups"}, Postcode: "EX1 1AA"},
		{Name: "Knit and Natter", Description: "Bring your knitting.", Categories: []string{"hobbies_interests"}, Postcode: "EX4 4QJ"},
		{Name: "Ludwell Community Garden", Description: "Grow vegetables and flowers with others in our gardens.", Categories: []string{"nature_ecotherapy"}, Postcode: "EX2 4AA"},
		{Name: "Gardening for Beginners", Description: "Learn to grow flowers and herbs.", Categories: []string{"nature_ecotherapy", "education_training"}, Postcode: "EX4 4QJ"},
		{Name: "Starter Plots", Description: "Take on a small allotment plot with help from experienced growers.", Categories: []string{"hobbies_interests"}, Postcode: "EX2 4AA"},
		{Name: "Advice Drop-in", Description: "Free advice on debts, benefits and bills.", Categories: []string{"housing_advice"}, Postcode: "EX1 1AA"},
		{Name: "Talking Together", Description: "Peer support for people living with depression.", Categories: []string{"support_groups"}, Postcode: "EX4 4QJ"},
		{Name: "Mood Boost Course", Description: "Six weeks of ideas for low mood and stress.", Categories: []string{"education_training"}, Postcode: "EX4 4QJ"},
		{Name: "Walking Football", Description: "Football at walking pace.", Categories: []string{"physical_activity"}, Postcode: "EX4 4QJ"},
	} {
		in.OrganisationID = orgID
		if _, err := s.Create(context.Background(), editor, in); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestSearchFindsWhatPeopleType: word forms find each other, a few
// synonyms from the field widen a search, spelling is corrected, and the
// obvious service comes first, on both databases, with words alone and
// near a place.
func TestSearchFindsWhatPeopleType(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := seedWords(t, d)
		lonely := []string{"Telephone Befriending", "Friday Lunch Club"}
		garden := []string{"Gardening for Beginners", "Ludwell Community Garden", "Starter Plots"}
		mood := []string{"Mood Boost Course", "Talking Together"}
		cases := []struct {
			q         string
			want      []string // in any order
			first     string   // the obvious one, first
			last      string   // one matching only a synonym, after those matching the words
			corrected string
		}{
			{q: "loneliness", want: lonely, first: "Telephone Befriending"},
			{q: "lonely", want: lonely, first: "Telephone Befriending"},
			{q: "company", want: lonely, first: "Friday Lunch Club"},
			{q: "lonesome", want: lonely, first: "Telephone Befriending"},
			{q: "isolation", want: lonely, first: "Telephone Befriending"},
			{q: "befriending", want: lonely, first: "Telephone Befriending"},
			{q: "garden", want: garden},
			{q: "gardens", want: garden},
			{q: "gardening", want: garden, last: "Starter Plots"},
			{q: "allotment", want: garden, first: "Starter Plots"},
			{q: "gardning", want: garden, last: "Starter Plots", corrected: "gardening"},
			{q: "lonliness", want: lonely, first: "Telephone Befriending", corrected: "loneliness"},
			{q: "low mood", want: mood, first: "Mood Boost Course"},
			{q: "depression", want: mood, first: "Talking Together"},
			{q: "money", want: []string{"Advice Drop-in"}},
			{q: "debt advice", want: []string{"Advice Drop-in"}},
			{q: "walking", want: []string{"Walking Football"}},
			{q: "low", want: []string{"Mood Boost Course"}}, // "low" alone is not "low mood"
		}
		for _, c := range cases {
			for _, near := range []string{"", "&near=EX4&within_km=10"} {
				v, _ := url.ParseQuery("q=" + url.QueryEscape(c.q) + near)
				q, err := directory.ParseQuery(v, 50)
				if err != nil {
					t.Fatal(err)
				}
				res, err := s.Search(context.Background(), q)
				if err != nil {
					t.Fatalf("%s%s: %v", c.q, near, err)
				}
				got := names(res)
				sorted, want := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(c.want))
				if !slices.Equal(sorted, want) || res.Total != len(want) {
					t.Errorf("%q%s: got %v (total %d), want %v", c.q, near, got, res.Total, c.want)
					continue
				}
				if c.first != "" && got[0] != c.first || c.last != "" && got[len(got)-1] != c.last {
					t.Errorf("%q%s: %v, want %s first and %s last", c.q, near, got, c.first, c.last)
				}
				if res.Corrected != c.corrected {
					t.Errorf("%q%s: corrected to %q, want %q", c.q, near, res.Corrected, c.corrected)
				}
				for _, h := range res.Items {
					if !slices.ContainsFunc(h.Reasons, func(r string) bool { return strings.HasPrefix(r, "Matches your search") }) {
						t.Errorf("%q%s: %s has no reason for matching: %v", c.q, near, h.Name, h.Reasons)
					}
				}
			}
		}
	})
}

// TestSynonymTermsSurviveStemming: every form of synonyms.txt keeps all
// its words through each database's reading of it (PostgreSQL drops its
// stop words from a tsquery, which would turn a phrase into one common
// word) and finds what uses it, and the forms written together stem
// together: a service using only the later forms is found by the first,
// the one searched for.
func TestSynonymTermsSurviveStemming(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewStore(d)
		orgID := newOrg(t, d, "Words")
		ctx := context.Background()
		terms := directory.SynonymForms()
		for i, forms := range terms {
			about := forms[0]
			if len(forms) > 1 {
				about = strings.Join(forms[1:], " and ")
			}
			in := directory.Input{OrganisationID: orgID, Name: fmt.Sprintf("Service %d", i), Description: "We help with " + about + " here.",
				Categories: []string{"support_groups"}, Postcode: "EX4 4QJ"}
			if _, err := s.Create(ctx, editor, in); err != nil {
				t.Fatal(err)
			}
			if d.Dialect != db.Postgres {
				continue
			}
			for _, f := range forms {
				var nodes int
				if err := d.R().QueryRowContext(ctx, "SELECT numnode(plainto_tsquery('english', $1))", f).Scan(&nodes); err != nil {
					t.Fatal(err)
				}
				// n words joined by n-1 operators.
				if n := len(strings.Fields(f)); nodes != 2*n-1 {
					t.Errorf("%q reads as %d nodes on PostgreSQL, want %d: a word is dropped", f, nodes, 2*n-1)
				}
			}
		}
		for i, forms := range terms {
			for _, f := range forms {
				res, err := s.Search(ctx, directory.Query{Text: f, Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				if res.Corrected != "" || !slices.Contains(names(res), fmt.Sprintf("Service %d", i)) {
					t.Errorf("%q does not find the service about %q: %v (corrected to %q)", f, strings.Join(forms, "/"), names(res), res.Corrected)
				}
			}
		}
	})
}
