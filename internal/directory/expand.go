package directory

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// Search words are widened with the synonyms of synonyms.txt before either
// database sees them, so that both find the same services for them: a
// person typing "loneliness" finds befriending and lunch clubs, though no
// service uses the word and neither stemmer joins it to "lonely".

//go:embed synonyms.txt
var synonymsText string

// A synonym is one term of synonyms.txt: the forms of one word (or words
// side by side) that stemming joins, each as its words. The first is
// searched for; any is recognised.
type synonym struct{ forms [][]string }

// synonymGroups are the groups of synonyms.txt.
var synonymGroups = mustParseSynonyms(synonymsText)

// synonymWords are the words of every synonym, as known words for spelling
// correction: "lonliness" is corrected to a word no service need use.
var synonymWords = func() []string {
	var out []string
	for _, g := range synonymGroups {
		for _, t := range g {
			for _, f := range t.forms {
				for _, w := range f {
					if !slices.Contains(out, w) {
						out = append(out, w)
					}
				}
			}
		}
	}
	return out
}()

func mustParseSynonyms(text string) [][]synonym {
	groups, err := parseSynonyms(text)
	if err != nil {
		panic("directory: synonyms.txt: " + err.Error())
	}
	return groups
}

// parseSynonyms reads groups of terms, one group a line, terms separated
// by commas, forms of a term by "/"; # starts a comment. A form is split
// into words as search text is, so it matches what people type the way
// they type it. A form may be in one place only: otherwise which group a
// search meant would depend on the order of the file.
func parseSynonyms(text string) ([][]synonym, error) {
	var groups [][]synonym
	seen := map[string]int{}
	for n, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if strings.TrimSpace(line) == "" {
			continue
		}
		var group []synonym
		for _, rawTerm := range strings.Split(line, ",") {
			var t synonym
			for _, raw := range strings.Split(rawTerm, "/") {
				ws := words(raw)
				if len(ws) == 0 || len(ws) != len(strings.Fields(raw)) {
					return nil, fmt.Errorf("line %d: %q is empty or has a word search drops", n+1, strings.TrimSpace(raw))
				}
				key := strings.Join(ws, " ")
				if first, ok := seen[key]; ok {
					return nil, fmt.Errorf("line %d: %q is already on line %d", n+1, key, first)
				}
				seen[key] = n + 1
				t.forms = append(t.forms, ws)
			}
			group = append(group, t)
		}
		if len(group) < 2 {
			return nil, fmt.Errorf("line %d: a group needs two terms or more", n+1)
		}
		groups = append(groups, group)
	}
	return groups, nil
}

// A term is one part of a search, all of which must match: any of its
// alternatives, each one word or words side by side. The first is what was
// typed.
type term struct {
	alts [][]string
}

// expanded reports whether the term was widened with synonyms.
func (t term) expanded() bool { return len(t.alts) > 1 }

// expand turns search words into terms, widening each that starts a
// synonym (the longest, where two start alike) with the other terms of its
// group. A word matches a synonym's word with or without a plain ending
// ("bill" is "bills"), as stemming would read them.
func expand(ws []string) []term {
	var out []term
	for i := 0; i < len(ws); {
		group, matched, size := -1, -1, 0
		for g, terms := range synonymGroups {
			for k, t := range terms {
				for _, f := range t.forms {
					if len(f) > size && len(f) <= len(ws)-i && slices.EqualFunc(f, ws[i:i+len(f)], sameWord) {
						group, matched, size = g, k, len(f)
					}
				}
			}
		}
		if group < 0 {
			out = append(out, term{alts: [][]string{{ws[i]}}})
			i++
			continue
		}
		t := term{alts: [][]string{slices.Clone(ws[i : i+size])}}
		for k, other := range synonymGroups[group] {
			if k != matched {
				t.alts = append(t.alts, other.forms[0])
			}
		}
		out = append(out, t)
		i += size
	}
	return out
}

// plainEndings are the endings by which a word people type differs from
// the same word in synonyms.txt.
var plainEndings = []string{"s", "es", "ing", "ed", "er", "ers"}

// sameWord reports whether a and b are one word, or one with a plain
// ending more than the other (of three letters or more before it).
func sameWord(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if a == b {
		return true
	}
	if len(a) < 3 || !strings.HasPrefix(b, a) {
		return false
	}
	return slices.Contains(plainEndings, b[len(a):])
}

// typedOnly is terms without their synonyms: what was typed.
func typedOnly(terms []term) []term {
	out := make([]term, len(terms))
	for i, t := range terms {
		out[i] = term{alts: t.alts[:1]}
	}
	return out
}

// expandedText reports whether any of text's words has synonyms.
func expandedText(text string) bool {
	return slices.ContainsFunc(expand(words(text)), term.expanded)
}

// ftsExpr writes terms as an FTS5 query: every term must match, any of a
// term's alternatives, each quoted as a phrase so that nothing typed is
// read as query syntax (words hold only letters and digits). With
// prefixLast a last term of one word of three letters or more, as typed,
// matches as a prefix too, so a half-typed word still finds.
func ftsExpr(terms []term, prefixLast bool) string {
	out := make([]string, len(terms))
	for i, t := range terms {
		alts := make([]string, len(t.alts))
		for j, a := range t.alts {
			alts[j] = `"` + strings.Join(a, " ") + `"`
		}
		if len(alts) == 1 {
			out[i] = alts[0]
			if prefixLast && i == len(terms)-1 && len(t.alts[0]) == 1 && len(t.alts[0][0]) >= 3 {
				out[i] += "*"
			}
			continue
		}
		out[i] = "(" + strings.Join(alts, " OR ") + ")"
	}
	// FTS5 reads two phrases side by side as both, but not a bracket
	// beside a phrase: AND is always understood.
	return strings.Join(out, " AND ")
}

// tsExpr writes terms for PostgreSQL's to_tsquery: & between terms, | between
// alternatives, <-> between the words of one, the last typed word of three
// letters or more as a prefix (:*), as ftsExpr.
func tsExpr(terms []term) string {
	out := make([]string, len(terms))
	for i, t := range terms {
		alts := make([]string, len(t.alts))
		for j, a := range t.alts {
			alts[j] = strings.Join(a, " <-> ")
		}
		if len(alts) == 1 {
			out[i] = alts[0]
			if i == len(terms)-1 && len(t.alts[0]) == 1 && len(t.alts[0][0]) >= 3 {
				out[i] += ":*"
			}
			continue
		}
		out[i] = "(" + strings.Join(alts, " | ") + ")"
	}
	return strings.Join(out, " & ")
}

// SynonymForms lists the terms of synonyms.txt as search text, each as
// its forms (the first searched for), for tests that check them against a
// database.
func SynonymForms() [][]string {
	var out [][]string
	for _, g := range synonymGroups {
		for _, t := range g {
			var forms []string
			for _, f := range t.forms {
				forms = append(forms, strings.Join(f, " "))
			}
			out = append(out, forms)
		}
	}
	return out
}
