package referral

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
)

// Finding a person: a link worker or manager types a name, an NHS number
// or a date of birth, as it comes (a name part typed, "943 476 5919",
// "2/5/1948", "2 May 1948"), and sees the people with a referral in their
// scheme who fit, each with those referrals. ParsePeopleQuery reads what
// was typed (pure, table-tested); People runs it.

// PeopleQuery is what a search for people looks for. Every part given
// must fit: a name and a date of birth find those with both.
type PeopleQuery struct {
	// NHSNumber is ten digits, when an NHS number was typed.
	NHSNumber string
	// Births are the dates of birth meant (YYYY-MM-DD): one, or two when a
	// year was typed with two digits and both centuries are possible.
	Births []string
	// Words are the words of a name, as name keys (NameKey), in the order
	// typed: each is the start of a first or a last name.
	Words []string
}

// Limits on what a search takes.
const (
	maxQueryRunes = 200
	maxNameWords  = 5
	// MaxFound is the most people a search answers with; when more fit,
	// the caller is told to narrow it.
	MaxFound = 50
)

func queryProblem(msg string) error { return oikos.Invalid(map[string]string{"q": msg}) }

// ParsePeopleQuery reads what a link worker typed to find a person. now
// bounds dates of birth (not in the future, within 125 years).
func ParsePeopleQuery(q string, now time.Time) (PeopleQuery, error) {
	var out PeopleQuery
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return out, queryProblem("Enter a name, an NHS number or a date of birth.")
	case !oikos.PlainText(q, false) || utf8.RuneCountInString(q) > maxQueryRunes:
		return out, queryProblem(fmt.Sprintf("Enter at most %d characters, without control characters.", maxQueryRunes))
	}
	// A date in figures: "2/5/1948", "02 05 1948", "1948-05-02".
	if _, ok := dateShape(q); ok {
		births, msg := typedDate(q, now)
		if msg != "" {
			return out, queryProblem(msg)
		}
		out.Births = births
		return out, nil
	}
	// Other digits alone (with the spaces and dashes people write them
	// with) are an NHS number, or a date of birth without separators.
	if digits := NormaliseNHSNumber(q); allDigits(digits) {
		switch len(digits) {
		case 10:
			if !ValidNHSNumber(digits) {
				return out, queryProblem("That NHS number does not pass the NHS number check. Check it against a letter or the NHS App.")
			}
			out.NHSNumber = digits
			return out, nil
		case 8:
			births, msg := typedDate(digits[:2]+"/"+digits[2:4]+"/"+digits[4:], now)
			if msg != "" {
				return out, queryProblem(msg)
			}
			out.Births = births
			return out, nil
		}
		if len(digits) == 11 && digits[0] == '0' {
			// A UK phone number: people are not found by their phone.
			return out, queryProblem("That looks like a phone number. Search by name, NHS number (10 digits) or date of birth, like 27/3/1950.")
		}
		return out, queryProblem("Enter the 10 digits of an NHS number, or a date of birth like 27/3/1950.")
	}
	tokens := strings.FieldsFunc(q, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	for i := 0; i < len(tokens); {
		// A date written in words takes three tokens ("2 May 1948", "2nd
		// may 48"); in figures, one.
		if i+3 <= len(tokens) {
			if births, msg, ok := wordDate(tokens[i:i+3], now); ok {
				if msg != "" {
					return out, queryProblem(msg)
				}
				if out.Births != nil {
					return out, queryProblem("Enter one date of birth.")
				}
				out.Births = births
				i += 3
				continue
			}
		}
		tok := tokens[i]
		i++
		if _, ok := dateShape(tok); ok {
			births, msg := typedDate(tok, now)
			if msg != "" {
				return out, queryProblem(msg)
			}
			if out.Births != nil {
				return out, queryProblem("Enter one date of birth.")
			}
			out.Births = births
			continue
		}
		if strings.ContainsFunc(tok, unicode.IsDigit) {
			// Most often a postcode ("EX4 3SR") or a house number: say
			// what the search does find people by.
			return out, queryProblem(fmt.Sprintf("%q is neither a name nor a date. Search by name, NHS number or date of birth, like 27/3/1950; postcodes and addresses are not searched.", tok))
		}
		if k := NameKey(tok); k != "" {
			out.Words = append(out.Words, k)
		}
	}
	if len(out.Words) > maxNameWords {
		return out, queryProblem(fmt.Sprintf("Enter at most %d words of the name.", maxNameWords))
	}
	if len(out.Words) == 0 && out.Births == nil {
		return out, queryProblem("Enter a name, an NHS number or a date of birth.")
	}
	return out, nil
}

func allDigits(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}

// dateShape splits a date typed in figures ("2/5/1948", "02-05-48",
// "2.5.1948", "1948-05-02") into its three numbers, day, month, year,
// with the year as typed (two or four digits).
func dateShape(s string) ([3]string, bool) {
	var parts [3]string
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ' ' })
	if len(fields) != 3 {
		return parts, false
	}
	for _, f := range fields {
		if !allDigits(f) || len(f) > 4 {
			return parts, false
		}
	}
	switch {
	case len(fields[0]) == 4 && len(fields[1]) <= 2 && len(fields[2]) <= 2: // year first
		return [3]string{fields[2], fields[1], fields[0]}, true
	case len(fields[0]) <= 2 && len(fields[1]) <= 2 && (len(fields[2]) == 2 || len(fields[2]) == 4):
		return [3]string{fields[0], fields[1], fields[2]}, true
	}
	return parts, false
}

// typedDate reads a date of birth typed in figures, day first as people
// write them in the UK.
func typedDate(s string, now time.Time) ([]string, string) {
	parts, ok := dateShape(s)
	if !ok {
		return nil, fmt.Sprintf("%q is not a date. Write a date of birth like 27/3/1950.", s)
	}
	d, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	return birthsOn(d, m, parts[2], s, now)
}

// months are the names of the months and the short forms people use.
var months = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// wordDate reads a date written as day, month name, year: "2 May 1948",
// "2nd may 48". ok is false when the tokens are not of that shape at all.
func wordDate(tokens []string, now time.Time) (births []string, msg string, ok bool) {
	day := strings.ToLower(strings.TrimSpace(tokens[0]))
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(day, suffix) && len(day) > len(suffix) {
			day = strings.TrimSuffix(day, suffix)
			break
		}
	}
	m, isMonth := months[strings.TrimSuffix(strings.ToLower(tokens[1]), ".")]
	year := tokens[2]
	if !allDigits(day) || len(day) > 2 || !isMonth || !allDigits(year) || (len(year) != 2 && len(year) != 4) {
		return nil, "", false
	}
	d, _ := strconv.Atoi(day)
	births, msg = birthsOn(d, m, year, strings.Join(tokens, " "), now)
	return births, msg, true
}

// birthsOn checks a day, month and year typed (two or four digits) as a
// date of birth, and gives the dates it can mean: a two-digit year means
// whichever of its two centuries are possible.
func birthsOn(d, m int, year, typed string, now time.Time) ([]string, string) {
	y, _ := strconv.Atoi(year)
	years := []int{y}
	if len(year) == 2 {
		years = []int{1900 + y, 2000 + y}
	}
	var out []string
	real := false
	for _, y := range years {
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d || int(t.Month()) != m {
			continue
		}
		real = true
		if iso := t.Format(time.DateOnly); !t.After(now) && !t.Before(now.AddDate(-125, 0, 0)) {
			out = append(out, iso)
		}
	}
	switch {
	case !real:
		return nil, fmt.Sprintf("%s is not a real date.", typed)
	case len(out) == 0:
		return nil, fmt.Sprintf("%s cannot be a date of birth: it must be in the past, and within the last 125 years.", typed)
	}
	return out, ""
}

// Found is a person a search found, with their referrals in the caller's
// scheme (newest first).
type Found struct {
	ID          string          `json:"id"`
	GivenName   string          `json:"given_name"`
	FamilyName  string          `json:"family_name"`
	DateOfBirth string          `json:"date_of_birth"`
	NHSNumber   string          `json:"nhs_number"`
	Referrals   []FoundReferral `json:"referrals"`

	familyKey, givenKey string
}

// FoundReferral is one referral of a person found.
type FoundReferral struct {
	ID     string `json:"id"`
	Status Status `json:"status"`

	// AssignedTo and SchemeID are for the access policy (AccessObject):
	// a page offers a link only to the referrals its reader may open.
	AssignedTo string `json:"-"`
	SchemeID   string `json:"-"`
}

// AccessObject is the referral found as the access policy sees it.
func (r FoundReferral) AccessObject() auth.Object {
	return accessObject(r.ID, r.SchemeID, r.AssignedTo, "", r.Status)
}

// MaySearchPeople reports whether p may look for people: link workers and
// managers, who work with people in their scheme.
func MaySearchPeople(p *auth.Principal) bool {
	return p != nil && (p.Role == auth.LinkWorker || p.Role == auth.Manager)
}

// People finds the people with a referral in p's scheme who fit what was
// typed (ParsePeopleQuery), at most MaxFound of them, and says whether
// more fit. Last names are matched before first names: "john" lists the
// Johnsons, then the Johns. People whose details were erased are never
// found, nor, except by a manager, those whose record is restricted. Each
// person answered is recorded as read in the audit log, in one append.
func (s *Store) People(ctx context.Context, by Actor, p *auth.Principal, q string) (found []Found, more bool, err error) {
	if !MaySearchPeople(p) {
		return nil, false, oikos.NotFound("Person")
	}
	pq, err := ParsePeopleQuery(q, s.now())
	if err != nil {
		return nil, false, err
	}
	// One statement, audited as it is read (audit.ReadAndRecord): on a
	// busy server each round trip to the database costs more than the
	// search itself.
	u := unionOf(peopleQueries(pq, p.SchemeID, p.Role == auth.Manager), p.SchemeID)
	now := s.now()
	err = audit.ReadAndRecord(ctx, s.DB, u.sql, u.args, func(rows audit.Rows) ([]audit.Event, error) {
		var err error
		if found, more, err = collectFound(rows, pq); err != nil {
			return nil, err
		}
		events := make([]audit.Event, len(found))
		for i, f := range found {
			events[i] = audit.Event{At: now, ActorID: by.UserID, Action: audit.Read, ObjectKind: "person", ObjectID: f.ID, Client: by.Client}
		}
		return events, nil
	})
	if err != nil {
		return nil, false, err
	}
	if len(found) == 0 {
		return []Found{}, false, nil
	}
	return found, more, nil
}

// keyRange is the half-open range of keys that begin with prefix: every
// key that begins with it sorts before prefix followed by the last code
// point, byte by byte (the keys' collation on both databases).
func keyRange(prefix string) (string, string) { return prefix, prefix + "\U0010FFFF" }

// nameSplit is one way of reading the words of a name: the first name
// begins with given and the last name with family ("" for either: any).
type nameSplit struct{ given, family string }

// nameSplits are the readings of the words typed: one word is a last name
// or a first name; several are a first name then a last name, or a last
// name then a first name, split at each place. Words of one part join
// without spaces, as keys do ("mary anne" is "maryanne").
func nameSplits(words []string) []nameSplit {
	if len(words) == 1 {
		return []nameSplit{{family: words[0]}, {given: words[0]}}
	}
	var out []nameSplit
	for k := 1; k < len(words); k++ {
		first, rest := strings.Join(words[:k], ""), strings.Join(words[k:], "")
		out = append(out, nameSplit{given: first, family: rest}, nameSplit{given: rest, family: first})
	}
	return out
}

// peopleSQL is one statement of a search, with its arguments.
type peopleSQL struct {
	sql  string
	args []any
}

// peopleQueries writes the statements of a search: each reading of a name
// is one range of an index, read in key order and cut at MaxFound+1, so
// that even a common name reads one page.
func peopleQueries(pq PeopleQuery, scheme string, withRestricted bool) []peopleSQL {
	const byFamily, byGiven = "p.family_key, p.given_key, p.id", "p.given_key, p.family_key, p.id"
	var queries []peopleSQL
	// Each statement carries the keys it is ordered by (o1, o2, then id),
	// so that the union of them (unionOf) can keep each one's order.
	add := func(where string, args []any, order string) {
		keys := "p.family_key AS o1, p.given_key AS o2"
		if order == byGiven {
			keys = "p.given_key AS o1, p.family_key AS o2"
		}
		cols := "SELECT " + keys + ", p.id, p.given_name, p.family_name, p.date_of_birth, p.nhs_number FROM people p WHERE p.erased_at IS NULL"
		args = append(args, scheme)
		c := fmt.Sprintf(" AND EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = p.id AND r.scheme_id = $%d)", len(args))
		if !withRestricted {
			c += " AND p.restricted_at IS NULL"
		}
		args = append(args, MaxFound+1)
		queries = append(queries, peopleSQL{cols + where + c + " ORDER BY " + order + fmt.Sprintf(" LIMIT $%d", len(args)), args})
	}
	// nameConds narrows by a reading of the name, numbering its
	// parameters after those in args.
	nameConds := func(split nameSplit, args []any) (string, []any) {
		var where string
		for _, part := range []struct{ column, prefix string }{{"p.family_key", split.family}, {"p.given_key", split.given}} {
			if part.prefix == "" {
				continue
			}
			lo, hi := keyRange(part.prefix)
			args = append(args, lo, hi)
			where += fmt.Sprintf(" AND %s >= $%d AND %s < $%d", part.column, len(args)-1, part.column, len(args))
		}
		return where, args
	}
	switch {
	case pq.NHSNumber != "":
		// nhs_number <> '' lets both databases use the partial index.
		add(" AND p.nhs_number <> '' AND p.nhs_number = $1", []any{pq.NHSNumber}, byFamily)
	case pq.Births != nil:
		marks := make([]string, len(pq.Births))
		args := make([]any, len(pq.Births))
		for i, b := range pq.Births {
			marks[i], args[i] = fmt.Sprintf("$%d", i+1), b
		}
		where := " AND p.date_of_birth IN (" + strings.Join(marks, ", ") + ")"
		if len(pq.Words) == 0 {
			add(where, args, byFamily)
		}
		for _, split := range nameSplits(pq.Words) {
			w, a := nameConds(split, slices.Clone(args))
			add(where+w, a, byFamily)
		}
	default:
		for _, split := range nameSplits(pq.Words) {
			w, a := nameConds(split, nil)
			order := byFamily
			if split.family == "" {
				order = byGiven
			}
			add(w, a, order)
		}
	}
	return queries
}

// placeholder is a statement's numbered parameter.
var placeholder = regexp.MustCompile(`\$[0-9]+`)

// unionOf joins a search's statements into one, each still read in its
// own order and cut at its own limit, with the statement's number (k) on
// each row, and each person found with their referrals in the scheme,
// newest first: one round trip to the database rather than one for each
// reading of a name and one for the referrals.
func unionOf(queries []peopleSQL, scheme string) peopleSQL {
	var parts []string
	var args []any
	for k, q := range queries {
		off := len(args)
		renumbered := placeholder.ReplaceAllStringFunc(q.sql, func(m string) string {
			n, _ := strconv.Atoi(m[1:])
			return "$" + strconv.Itoa(n+off)
		})
		parts = append(parts, fmt.Sprintf("SELECT %d AS k, q%d.* FROM (%s) q%d", k, k, renumbered, k))
		args = append(args, q.args...)
	}
	args = append(args, scheme)
	// Every person found has a referral in the scheme (each statement
	// checks), so the join loses nobody.
	return peopleSQL{"SELECT u.k, u.id, u.given_name, u.family_name, u.date_of_birth, u.nhs_number, r.id, r.status, COALESCE(r.assigned_to, ''), r.scheme_id FROM (" +
		strings.Join(parts, " UNION ALL ") + fmt.Sprintf(") u JOIN referrals r ON r.person_id = u.id AND r.scheme_id = $%d", len(args)) +
		" ORDER BY u.k, u.o1, u.o2, u.id, r.received_at DESC, r.id", args}
}

// collectFound merges what a search's readings (unionOf) found in
// last-name order, each person with their referrals in the scheme.
func collectFound(rows audit.Rows, pq PeopleQuery) ([]Found, bool, error) {
	var out []Found
	byID := map[string]int{}
	firstIn := map[string]int{} // the statement that found each person first
	people := map[int]int{}     // how many people each statement found so far
	last := map[int]string{}    // the person of each statement's last row
	more := false
	for rows.Next() {
		var f Found
		var k int
		var r FoundReferral
		if err := rows.Scan(&k, &f.ID, &f.GivenName, &f.FamilyName, &f.DateOfBirth, &f.NHSNumber, &r.ID, &r.Status, &r.AssignedTo, &r.SchemeID); err != nil {
			return nil, false, err
		}
		// A person's rows (one a referral) come together, in the
		// statement's own order.
		if last[k] != f.ID {
			last[k] = f.ID
			people[k]++
		}
		if people[k] > MaxFound {
			more = true // the one past the page, read to know there are more
			continue
		}
		i, ok := byID[f.ID]
		if !ok {
			i, byID[f.ID], firstIn[f.ID] = len(out), len(out), k
			f.familyKey, f.givenKey = NameKey(f.FamilyName), NameKey(f.GivenName)
			out = append(out, f)
		}
		if firstIn[f.ID] == k {
			out[i].Referrals = append(out[i].Referrals, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	// A one-word name: last names first, then first names; otherwise in
	// last-name order.
	oneWord := pq.NHSNumber == "" && pq.Births == nil && len(pq.Words) == 1
	slices.SortStableFunc(out, func(a, b Found) int {
		if oneWord {
			fa, fb := strings.HasPrefix(a.familyKey, pq.Words[0]), strings.HasPrefix(b.familyKey, pq.Words[0])
			if fa != fb {
				if fa {
					return -1
				}
				return 1
			}
			if !fa {
				return cmpKeys(a.givenKey, a.familyKey, a.ID, b.givenKey, b.familyKey, b.ID)
			}
		}
		return cmpKeys(a.familyKey, a.givenKey, a.ID, b.familyKey, b.givenKey, b.ID)
	})
	if len(out) > MaxFound {
		out, more = out[:MaxFound], true
	}
	return out, more, nil
}

func cmpKeys(a1, a2, a3, b1, b2, b3 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	if c := strings.Compare(a2, b2); c != 0 {
		return c
	}
	return strings.Compare(a3, b3)
}
