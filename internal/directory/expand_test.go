package directory

import (
	"strings"
	"testing"
	"unicode"
)

// The expansion of search words and both databases' queries for it.
func TestExpandSearchWords(t *testing.T) {
	lonely := `("lonely" OR "loneliness" OR "lonesome" OR "isolation" OR "befriending" OR "company" OR "companionship" OR "friendship")`
	cases := []struct {
		text        string
		fts, ftsAll string // with and without the last word as a prefix
		ts          string
	}{
		{"walk group", `"walk" AND "group"*`, `"walk" AND "group"`, `walk & group:*`},
		{"walk gr", `"walk" AND "gr"`, `"walk" AND "gr"`, `walk & gr`},
		{"", ``, ``, ``},
		{"Lonely", lonely, lonely, `(lonely | loneliness | lonesome | isolation | befriending | company | companionship | friendship)`},
		{"loneliness in Exeter",
			`("loneliness" OR "lonely" OR "lonesome" OR "isolation" OR "befriending" OR "company" OR "companionship" OR "friendship") AND "exeter"*`,
			`("loneliness" OR "lonely" OR "lonesome" OR "isolation" OR "befriending" OR "company" OR "companionship" OR "friendship") AND "exeter"`,
			`(loneliness | lonely | lonesome | isolation | befriending | company | companionship | friendship) & exeter:*`},
		// A form of a term is searched as typed, the other terms by their
		// first forms.
		{"isolated", `("isolated" OR "lonely" OR "loneliness" OR "lonesome" OR "befriending" OR "company" OR "companionship" OR "friendship")`, ``,
			`(isolated | lonely | loneliness | lonesome | befriending | company | companionship | friendship)`},
		// Two words side by side are one term, matched as a phrase.
		{"feeling low mood", `"feeling" AND ("low mood" OR "depression")`, `"feeling" AND ("low mood" OR "depression")`, `feeling & (low <-> mood | depression)`},
		{"depressed", `("depressed" OR "low mood")`, ``, `(depressed | low <-> mood)`},
		// "low" alone is not "low mood".
		{"low cost", `"low" AND "cost"*`, `"low" AND "cost"`, `low & cost:*`},
		// A plain ending more or less is the same word.
		{"bill", `("bill" OR "money" OR "debt" OR "benefits" OR "universal credit" OR "financial")`, ``, `(bill | money | debt | benefits | universal <-> credit | financial)`},
		{"gardens", `("gardens" OR "allotment")`, ``, `(gardens | allotment)`},
		// Query syntax typed is just words.
		{`walk" OR NOT * ( x-y`, `"walk" AND "x" AND "y"`, `"walk" AND "x" AND "y"`, `walk & x & y`},
	}
	for _, c := range cases {
		terms := expand(words(c.text))
		if got := ftsExpr(terms, true); got != c.fts {
			t.Errorf("ftsExpr(%q, prefix) = %s\nwant %s", c.text, got, c.fts)
		}
		if got := ftsExpr(terms, false); c.ftsAll != "" && got != c.ftsAll {
			t.Errorf("ftsExpr(%q) = %s\nwant %s", c.text, got, c.ftsAll)
		}
		if got := tsExpr(terms); got != c.ts {
			t.Errorf("tsExpr(%q) = %s\nwant %s", c.text, got, c.ts)
		}
	}
	if !expandedText("help with debts") || expandedText("walking group") {
		t.Error("expandedText")
	}
}

// synonyms.txt is read whole, and a mistake in it is named.
func TestSynonyms(t *testing.T) {
	if len(synonymGroups) < 5 {
		t.Fatalf("synonyms.txt has %d groups", len(synonymGroups))
	}
	for _, c := range []struct{ text, err string }{
		{"a, b\n", `"a" is empty or has a word search drops`},
		{"caring for someone, carers\n", `"caring for someone" is empty or has a word search drops`},
		{"lonely\n", "two terms or more"},
		{"lonely, alone\n# x\nsolo, lonely\n", `line 3: "lonely" is already on line 1`},
		{"lonely, alone/lonely\n", `line 1: "lonely" is already on line 1`},
		{"lonely, alone/\n", "empty"},
		{"lonely, , alone\n", "empty"},
	} {
		if _, err := parseSynonyms(c.text); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("parseSynonyms(%q): %v, want %q", c.text, err, c.err)
		}
	}
	g, err := parseSynonyms("# about\nLow Mood, depression/depressed # a note\n\n")
	if err != nil || len(g) != 1 || len(g[0]) != 2 || strings.Join(g[0][0].forms[0], " ") != "low mood" || len(g[0][1].forms) != 2 || g[0][1].forms[1][0] != "depressed" {
		t.Errorf("parseSynonyms: %v %v", g, err)
	}
}

// Whatever is typed, the queries are well formed: quotes and brackets
// pair up, and only letters, digits and spaces are inside quotes.
func FuzzSearchExpressions(f *testing.F) {
	for _, s := range []string{"loneliness", "low mood help", "isolated bills", `walk" OR NOT * (`, "{name}: x", "money-debt", "gärtnern ñ", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		terms := expand(words(text))
		fts := ftsExpr(terms, true)
		depth, quoted := 0, false
		for _, r := range fts {
			switch {
			case r == '"':
				quoted = !quoted
			case quoted:
				if !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != ' ' {
					t.Fatalf("%q: %q inside quotes in %s", text, r, fts)
				}
			case r == '(':
				depth++
			case r == ')':
				depth--
			case !strings.ContainsRune(" *ORAND", r):
				t.Fatalf("%q: %q outside quotes in %s", text, r, fts)
			}
			if depth < 0 || depth > 1 {
				t.Fatalf("%q: brackets in %s", text, fts)
			}
		}
		if quoted || depth != 0 {
			t.Fatalf("%q: unbalanced %s", text, fts)
		}
		for _, part := range strings.Fields(tsExpr(terms)) {
			switch strings.Trim(part, "()") {
			case "&", "|", "<->":
				continue
			}
			w := strings.TrimSuffix(strings.Trim(part, "()"), ":*")
			if w == "" || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) >= 0 {
				t.Fatalf("%q: %q in %s", text, part, tsExpr(terms))
			}
		}
	})
}
