package taxonomy

import (
	"slices"
	"testing"
)

func TestVocabulariesAreConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Categories {
		if seen[c.Code] || c.Label == "" || c.Description == "" {
			t.Errorf("category %q repeated or unlabelled", c.Code)
		}
		seen[c.Code] = true
		if len(NeedsMetBy(c.Code)) == 0 {
			t.Errorf("category %s meets no need", c.Code)
		}
	}
	for _, n := range Needs {
		if seen[n.Code] {
			t.Errorf("need %s repeated or clashes with a category", n.Code)
		}
		seen[n.Code] = true
		switch n.Domain {
		case Social, Mental, Physical, Economic:
		default:
			t.Errorf("need %s has domain %q", n.Code, n.Domain)
		}
		for _, c := range n.Categories {
			if _, ok := CategoryByCode(c); !ok {
				t.Errorf("need %s maps to unknown category %s", n.Code, c)
			}
		}
	}
	// The design's needs vocabulary, all of it, under these codes.
	for _, code := range []string{"lacking_social_networks", "isolation", "loneliness", "low_mood", "anxiety", "fear_of_going_out",
		"low_confidence", "lacking_purpose", "no_hobbies", "lives_alone", "bereavement", "caring_responsibilities", "poor_sleep",
		"pain", "physical_inactivity", "weight", "long_term_condition", "money_worries", "housing", "employment", "benefits",
		"food", "digital_exclusion", "learning"} {
		if _, ok := NeedByCode(code); !ok {
			t.Errorf("need %s missing", code)
		}
	}
}

func TestCategoriesForNeeds(t *testing.T) {
	cases := []struct {
		needs []string
		has   []string
		not   []string
	}{
		{[]string{"loneliness"}, []string{"befriending", "social_groups", "volunteering"}, []string{"money_debt_advice"}},
		{[]string{"money_worries", "housing"}, []string{"money_debt_advice", "housing_advice"}, []string{"befriending"}},
		{[]string{"unknown"}, nil, []string{"befriending"}},
		{nil, nil, []string{"befriending"}},
	}
	for _, c := range cases {
		got := CategoriesForNeeds(c.needs)
		for _, h := range c.has {
			if !slices.Contains(got, h) {
				t.Errorf("%v: missing %s in %v", c.needs, h, got)
			}
		}
		for _, n := range c.not {
			if slices.Contains(got, n) {
				t.Errorf("%v: unexpected %s", c.needs, n)
			}
		}
	}
}
