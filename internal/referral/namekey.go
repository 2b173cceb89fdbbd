package referral

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Name keys let a link worker find "Zoë O'Brien-Hughes" by typing "zoe",
// "obrien" or "o'brien h": a name folded to lower case without accents,
// spaces, hyphens or apostrophes, held beside it (people.given_key and
// people.family_key, migration 0030). Whoever writes a name writes its key
// with NameKey; NameKeySQL writes the same fold in SQL, which migration
// 0030 ran once over the people held before, and a test checks on both
// databases that the two agree for every letter folded.
//
// The fold is a fixed table rather than Unicode normalisation because the
// databases must compute it with nothing but replace() and translate()
// (SQLite has no accent folding, and PostgreSQL's lower() depends on the
// cluster's locale): Latin letters with accents (Latin-1 and Latin
// Extended-A, with the Welsh and Romanian letters beyond them), and the
// capitals of the Greek and Cyrillic alphabets. Anything else is kept as
// written.

// foldGroups are the letters that fold to the same text.
var foldGroups = []struct{ letters, to string }{
	{"ÀÁÂÃÄÅàáâãäåĀāĂăĄą", "a"},
	{"ÆæǼǽ", "ae"},
	{"ÇçĆćĈĉĊċČč", "c"},
	{"ÐðĎďĐđ", "d"},
	{"ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "e"},
	{"ĜĝĞğĠġĢģ", "g"},
	{"ĤĥĦħ", "h"},
	{"ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "i"},
	{"Ĳĳ", "ij"},
	{"Ĵĵ", "j"},
	{"Ķķĸ", "k"},
	{"ĹĺĻļĽľĿŀŁł", "l"},
	{"ÑñŃńŅņŇňŉŊŋ", "n"},
	{"ÒÓÔÕÖØòóôõöøŌōŎŏŐő", "o"},
	{"Œœ", "oe"},
	{"ŔŕŖŗŘř", "r"},
	{"ŚśŜŝŞşŠšſȘș", "s"},
	{"ß", "ss"},
	{"ŢţŤťŦŧȚț", "t"},
	{"Þþ", "th"},
	{"ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", "u"},
	{"ŴŵẀẁẂẃẄẅ", "w"},
	{"ÝýÿŶŷŸỲỳ", "y"},
	{"ŹźŻżŽž", "z"},
}

// nameKeyDropped are left out of a key: what separates the parts of a name.
const nameKeyDropped = " -\u2010\u2011'\u2018\u2019`.,"

// nameFolds maps each rune folded to what it becomes ("" when dropped).
var nameFolds = func() map[rune]string {
	m := map[rune]string{}
	for r := 'A'; r <= 'Z'; r++ {
		m[r] = string(r + 'a' - 'A')
	}
	for _, g := range foldGroups {
		for _, r := range g.letters {
			m[r] = g.to
		}
	}
	// Cyrillic capitals: Ѐ–Џ fold to ѐ–џ, А–Я to а–я.
	for r := rune(0x400); r <= 0x40F; r++ {
		m[r] = string(r + 0x50)
	}
	for r := rune(0x410); r <= 0x42F; r++ {
		m[r] = string(r + 0x20)
	}
	// Greek capitals Α–Ω (U+03A2 is unassigned).
	for r := rune(0x391); r <= 0x3A9; r++ {
		if r != 0x3A2 {
			m[r] = string(r + 0x20)
		}
	}
	for _, r := range nameKeyDropped {
		m[r] = ""
	}
	return m
}()

// NameKey folds a name, or what is typed of one, to its search key.
func NameKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if to, ok := nameFolds[r]; ok {
			b.WriteString(to)
		} else if r != utf8.RuneError {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NameKeySQL is the SQL expression that computes NameKey of column on the
// given dialect ("sqlite" or "postgres"): nested replace() calls on SQLite;
// one translate() for the letters that fold to one letter (and the
// characters dropped) with replace() for the rest on PostgreSQL. Runes are
// taken in code point order so that the text is stable.
func NameKeySQL(dialect, column string) string {
	runes := make([]rune, 0, len(nameFolds))
	for r := range nameFolds {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	expr := column
	if dialect == "postgres" {
		var from, to, dropped strings.Builder
		for _, r := range runes {
			switch v := nameFolds[r]; utf8.RuneCountInString(v) {
			case 0:
				dropped.WriteRune(r)
			case 1:
				from.WriteRune(r)
				to.WriteString(v)
			default:
				expr = "replace(" + expr + ", " + quote(string(r)) + ", " + quote(v) + ")"
			}
		}
		// translate() drops the characters of from past the end of to.
		return "translate(" + expr + ", " + quote(from.String()+dropped.String()) + ", " + quote(to.String()) + ")"
	}
	for _, r := range runes {
		expr = "replace(" + expr + ", " + quote(string(r)) + ", " + quote(nameFolds[r]) + ")"
	}
	return expr
}
