package org

import (
	"slices"
	"testing"
)

func TestChooseScheme(t *testing.T) {
	cases := []struct {
		name                        string
		named, covering, configured string
		schemes                     []string
		want                        string
	}{
		{"no schemes: none", "", "", "", nil, ""},
		{"the only scheme", "", "", "", []string{"a"}, "a"},
		{"named wins over the area", "b", "a", "", []string{"a", "b"}, "b"},
		{"the scheme covering the district", "", "b", "a", []string{"a", "b"}, "b"},
		{"several, none covers: the configured default", "", "", "b", []string{"a", "b"}, "b"},
		{"a configured default that is not a scheme is ignored", "", "", "x", []string{"a", "b"}, "a"},
		{"several, none covers, none configured: the first made", "", "", "", []string{"a", "b"}, "a"},
	}
	for _, c := range cases {
		if got := ChooseScheme(c.named, c.covering, c.schemes, c.configured); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNormaliseAreas(t *testing.T) {
	cases := []struct {
		in      []string
		kind    Kind
		want    []string
		problem bool
	}{
		{nil, "vcse", nil, false},
		{[]string{}, "scheme", []string{}, false},
		{[]string{"ex4", " EX1 ", "EX4", "pl21", "W1A"}, "scheme", []string{"EX1", "EX4", "PL21", "W1A"}, false},
		{[]string{"E X 4"}, "scheme", []string{"EX4"}, false},
		{[]string{"EX4 4QJ"}, "scheme", nil, true}, // a full postcode, not a district
		{[]string{"4EX"}, "scheme", nil, true},
		{[]string{""}, "scheme", nil, true},
		{[]string{"EX4\x00"}, "scheme", nil, true},
		{[]string{"EX4"}, "gp_practice", nil, true}, // only schemes cover areas
	}
	for _, c := range cases {
		got, problem := NormaliseAreas(c.in, c.kind)
		if (problem != "") != c.problem {
			t.Errorf("%q (%s): problem %q", c.in, c.kind, problem)
			continue
		}
		if !c.problem && !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}
