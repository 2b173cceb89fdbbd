package directory

import (
	"slices"
	"strings"
	"testing"
)

func ids(cs []candidate) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return strings.Join(out, ",")
}

func TestRank(t *testing.T) {
	cases := []struct {
		name              string
		cands             []candidate
		hasText, hasPlace bool
		want              string
	}{
		{"text only: best match first", []candidate{{ID: "a", Relevance: 1}, {ID: "b", Relevance: 3}, {ID: "c", Relevance: 2}}, true, false, "b,c,a"},
		{"place only: nearest first", []candidate{{ID: "a", Distance: 5}, {ID: "b", Distance: 0.5}, {ID: "c", Distance: 2}}, false, true, "b,c,a"},
		{"a close good match beats a far perfect one", []candidate{{ID: "far", Relevance: 10, Distance: 40}, {ID: "near", Relevance: 8, Distance: 0.5}}, true, true, "near,far"},
		{"a much better match beats a slightly nearer one", []candidate{{ID: "weak", Relevance: 1, Distance: 1}, {ID: "strong", Relevance: 10, Distance: 3}}, true, true, "strong,weak"},
		{"ties by name then id", []candidate{{ID: "2", Name: "Choir"}, {ID: "1", Name: "choir"}, {ID: "3", Name: "Art"}}, false, false, "3,1,2"},
	}
	for _, c := range cases {
		rank(c.cands, c.hasText, c.hasPlace)
		if got := ids(c.cands); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestSpellingCorrection(t *testing.T) {
	// The index's terms are stems, most common first, as SQLite's
	// porter tokenizer writes them.
	known := []string{"walk", "group", "choir", "sing", "along", "garden", "befriend", "lone", "isol", "social"}
	cases := []struct{ in, want string }{
		{"walkng", "walking"}, // the stem with its ending, one edit away
		{"walkng grup", "walking group"},
		{"gardn", "garden"},
		{"gardning", "gardening"}, // three edits from the stem "garden": missed before
		{"gardenign", "gardening"},
		{"choir", "choir"},
		{"quiz", "quiz"},
		{"befriending", "befriending"}, // the stem with an ending: known, left alone
		{"walking", "walking"},
		{"gruop", "group"},
		{"lonliness", "loneliness"}, // a word of synonyms.txt, though no service uses it
		{"isolaton", "isolation"},
		{"lonely", "lonely"},
		{"zzzzzz", "zzzzzz"},
	}
	for _, c := range cases {
		got, changed := correctWords(strings.Fields(c.in), known)
		if got != c.want || changed != (c.in != c.want) {
			t.Errorf("%s: got %s (changed %v), want %s", c.in, got, changed, c.want)
		}
	}
	// With no index at all (PostgreSQL's use), only synonyms.txt's words.
	if got, ok := correctWords([]string{"depresion"}, nil); !ok || got != "depression" {
		t.Errorf("depresion: %s %v", got, ok)
	}
	for _, c := range []struct {
		a, b  string
		limit int
		want  int
	}{{"kitten", "sitting", 3, 3}, {"", "abc", 3, 3}, {"same", "same", 1, 0}, {"abcdef", "uvwxyz", 2, 3}} {
		if got := editDistance(c.a, c.b, c.limit); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d", c.a, c.b, got)
		}
	}
}

func TestReasonsAndWords(t *testing.T) {
	free := int64(0)
	full := 0
	v := Service{Categories: []string{"befriending"}, CostPence: &free, Capacity: &full,
		Schedule: []Session{{Day: "wednesday", Opens: "10:00", Closes: "12:00"}}}
	q := Query{Categories: []string{"befriending"}, Needs: []string{"loneliness"}, Near: "EX4 4QJ", Day: 3}
	got := reasons(v, q, 2.345, "visits")
	for _, want := range []string{"Matches your search for “visits”", "In the category Befriending", "Can help with loneliness",
		"About 2 km from EX4 4QJ", "Meets on Wednesday, 10:00 to 12:00", "Free", "Full at the moment: ask about the waiting list"} {
		if !slices.Contains(got, want) {
			t.Errorf("reasons %v lack %q", got, want)
		}
	}
	if w := words("The Walking-Group, near me!"); !slices.Equal(w, []string{"walking", "group"}) {
		t.Errorf("words: %v", w)
	}
	for _, c := range []struct {
		km              float64
		place, postcode string
		want            string
	}{
		{0.04, "EX4 4QJ", "EX4 6AH", "In your area (EX4)"},                    // both known by EX4's centre
		{0.04, "EX4", "EX4 6AH", "In your area (EX4)"},                        // a district searched from
		{5.6, "EX20 1AB", "EX20 3JP", "In your area (EX20), about 6 km away"}, // a large district, postcodes known
		{0.6, "EX4 4QJ", "EX1 2HF", "Nearby, less than 1 km from EX4 4QJ"},
		{1.2, "EX4 4QJ", "EX2 4AN", "About 1 km from EX4 4QJ"},
		{2.5, "EX4 4QJ", "", "About 3 km from EX4 4QJ"}, // no postcode: not claimed to be in the area
		{23.4, "EX4", "TQ1 3DT", "About 23 km from EX4"},
	} {
		if got := DistanceFrom(c.km, c.place, c.postcode); got != c.want {
			t.Errorf("DistanceFrom(%v, %q, %q) = %q, want %q", c.km, c.place, c.postcode, got, c.want)
		}
	}
	for km, want := range map[float64]string{0.04: "0.1 km", 0.5: "0.5 km", 3.27: "3.3 km", 12.6: "13 km"} {
		if got := FormatKm(km); got != want {
			t.Errorf("FormatKm(%v) = %s", km, got)
		}
	}
	if ftsQuery(`walk" OR x`) != `"walk" AND "x"` || tsQuery([]string{"walk", "gro"}) != "walk & gro:*" {
		t.Errorf("fts %s, ts %s", ftsQuery(`walk" OR x`), tsQuery([]string{"walk", "gro"}))
	}
}

func TestPhonePattern(t *testing.T) {
	for phone, ok := range map[string]bool{
		"01392 123456": true, "+44 (0)1392 123456": true, "0808 157 0123": true, "01392 123456 ext 12": true,
		"07700-900123": true, "text": false, "call me": false, "12": false, "0139x": false,
	} {
		if phonePattern.MatchString(phone) != ok {
			t.Errorf("%q: want %v", phone, ok)
		}
	}
}
