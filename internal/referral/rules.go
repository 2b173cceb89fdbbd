// Package referral owns the people referred and their referrals: intake
// from every door with consent, matching people already known, triage and
// the referral's status machine, assignment and contacts.
package referral

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Status is where a referral is in its journey.
type Status string

const (
	Received  Status = "received"
	Accepted  Status = "accepted"
	Contacted Status = "contacted"
	Active    Status = "active"
	Closed    Status = "closed"
)

// Statuses lists every status in journey order.
var Statuses = []Status{Received, Accepted, Contacted, Active, Closed}

// Label is the status as a person reads it.
func (s Status) Label() string {
	switch s {
	case Received:
		return "Waiting for triage"
	case Accepted:
		return "Accepted"
	case Contacted:
		return "In contact"
	case Active:
		return "Working together"
	case Closed:
		return "Closed"
	}
	return string(s)
}

// transitions is the contract's state machine: forward one step at a time,
// or closed from anywhere open. Closed is final.
var transitions = map[Status][]Status{
	Received:  {Accepted, Closed},
	Accepted:  {Contacted, Closed},
	Contacted: {Active, Closed},
	Active:    {Closed},
}

// CloseReasons are the contract's reasons for closing.
var CloseReasons = []string{"goals_met", "disengaged", "declined", "not_appropriate", "redirected", "moved_away", "died", "other"}

// CloseReasonLabel is a close reason in words.
func CloseReasonLabel(r string) string {
	switch r {
	case "goals_met":
		return "Goals met"
	case "disengaged":
		return "Stopped taking part"
	case "declined":
		return "Declined support"
	case "not_appropriate":
		return "Not appropriate for social prescribing"
	case "redirected":
		return "Redirected to another service"
	case "moved_away":
		return "Moved away"
	case "died":
		return "Died"
	case "other":
		return "Other"
	}
	return r
}

// TransitionError explains a refused status change.
type TransitionError struct {
	From, To Status
	Reason   string
}

func (e *TransitionError) Error() string { return e.Reason }

// CheckTransition says whether a referral may go from one status to
// another, and why not. Closing needs one of CloseReasons.
func CheckTransition(from, to Status, reason string) error {
	if !slices.Contains(Statuses, to) {
		return &TransitionError{from, to, fmt.Sprintf("Unknown status %q: use received, accepted, contacted, active or closed.", to)}
	}
	if from == to {
		return &TransitionError{from, to, fmt.Sprintf("The referral is already %s.", from)}
	}
	if !slices.Contains(transitions[from], to) {
		if from == Closed {
			return &TransitionError{from, to, "The referral is closed. Within 90 days of closing it can be reopened, with a reason; after that, make a new referral."}
		}
		return &TransitionError{from, to, fmt.Sprintf("A referral that is %s cannot become %s; next it can be %s.", from, to, joinStatuses(transitions[from]))}
	}
	if to == Closed && !slices.Contains(CloseReasons, reason) {
		return &TransitionError{from, to, "Closing needs a reason: " + strings.Join(CloseReasons, ", ") + "."}
	}
	return nil
}

// ReopenWithin is how long after closing a referral may be reopened: long
// enough for a person who changes their mind, or a closing made in error,
// to go back to the same link worker and record; after it, the person is
// referred again, and counted again.
const ReopenWithin = 90 * 24 * time.Hour

// MaxReopenReason is the longest reason kept for reopening.
const MaxReopenReason = 1000

// CheckReopen says whether a referral may be reopened at now, and why not:
// only a closed referral, and only within ReopenWithin of its closing.
func CheckReopen(status Status, closedAt *time.Time, now time.Time) error {
	switch {
	case status != Closed:
		return &TransitionError{status, Accepted, "Only a closed referral can be reopened; this one is " + string(status) + "."}
	case closedAt == nil:
		return &TransitionError{status, Accepted, "This referral has no closing date, so it cannot be reopened. Make a new referral instead."}
	case now.Sub(*closedAt) > ReopenWithin:
		return &TransitionError{status, Accepted, fmt.Sprintf("This referral closed on %s, more than 90 days ago, so it cannot be reopened. Make a new referral instead.",
			closedAt.Format("2 January 2006"))}
	}
	return nil
}

func joinStatuses(list []Status) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, " or ")
}

// SourceTypes are who a referral came from.
var SourceTypes = []string{"gp", "nurse", "district_nurse", "social_worker", "other_professional", "self", "family_friend", "voluntary_org", "other"}

// SourceLabel is a source type in words.
func SourceLabel(t string) string {
	switch t {
	case "gp":
		return "GP"
	case "nurse":
		return "Practice nurse"
	case "district_nurse":
		return "District nurse"
	case "social_worker":
		return "Social worker"
	case "other_professional":
		return "Other professional"
	case "self":
		return "Self-referral"
	case "family_friend":
		return "Family or friend"
	case "voluntary_org":
		return "Voluntary organisation"
	case "other":
		return "Other"
	}
	return t
}

// ValidNHSNumber applies the NHS number's Modulus 11 check: ten digits, the
// last a check digit from the first nine weighted 10 down to 2.
func ValidNHSNumber(s string) bool {
	s = NormaliseNHSNumber(s)
	if len(s) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		d := s[i] - '0'
		if d > 9 {
			return false
		}
		sum += int(d) * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	if check == 10 {
		return false
	}
	return s[9]-'0' == byte(check)
}

// NormaliseNHSNumber drops the spaces and dashes people write it with.
func NormaliseNHSNumber(s string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s))
}

// FormatNHSNumber writes an NHS number as 3-3-4 digits.
func FormatNHSNumber(s string) string {
	if len(s) != 10 {
		return s
	}
	return s[:3] + " " + s[3:6] + " " + s[6:]
}

// ParseBirthDate checks a date of birth: a real date, not in the future,
// and not more than 125 years ago.
func ParseBirthDate(s string, now time.Time) (time.Time, string) {
	d, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	switch {
	case strings.TrimSpace(s) == "":
		return d, "Enter the date of birth."
	case err != nil:
		return d, "Date of birth must be a real date, like 1950-03-27."
	case d.After(now):
		return d, "Date of birth must be in the past."
	case d.Before(now.AddDate(-125, 0, 0)):
		return d, "Date of birth must be within the last 125 years."
	}
	return d, ""
}

// Age is how old someone born on born is at at, in whole years.
func Age(born, at time.Time) int {
	age := at.Year() - born.Year()
	if at.Month() < born.Month() || (at.Month() == born.Month() && at.Day() < born.Day()) {
		age--
	}
	return age
}

// AgeBand groups an age for fair-coverage reports without holding it.
func AgeBand(born, at time.Time) string {
	age := Age(born, at)
	switch {
	case age < 18:
		return "under_18"
	case age < 25:
		return "18_24"
	case age < 35:
		return "25_34"
	case age < 45:
		return "35_44"
	case age < 55:
		return "45_54"
	case age < 65:
		return "55_64"
	case age < 75:
		return "65_74"
	case age < 85:
		return "75_84"
	}
	return "85_plus"
}

// Match says how sure we are that two records are one person.
type Match int

const (
	NoMatch Match = iota
	// PossibleMatch: same name and date of birth but a different postcode,
	// or a similar name with the same birth date and postcode; shown to a
	// link worker to confirm.
	PossibleMatch
	// SameNHSNumber or same name, date of birth and postcode: the same person.
	SurelySame
)

// PersonKey is what matching compares.
type PersonKey struct {
	GivenName, FamilyName, DateOfBirth, NHSNumber, Postcode string
}

func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Compare matches a new referral's person against one already held. It is
// pure and table-tested.
func Compare(a, b PersonKey) Match {
	if a.NHSNumber != "" && b.NHSNumber != "" {
		if a.NHSNumber == b.NHSNumber {
			return SurelySame
		}
		return NoMatch // two different NHS numbers are two people
	}
	if a.DateOfBirth != b.DateOfBirth || fold(a.FamilyName) != fold(b.FamilyName) {
		return NoMatch
	}
	sameGiven := fold(a.GivenName) == fold(b.GivenName)
	samePostcode := a.Postcode != "" && a.Postcode == b.Postcode
	switch {
	case sameGiven && samePostcode:
		return SurelySame
	case sameGiven || samePostcode:
		return PossibleMatch
	}
	// Same family name and birthday only: an initial in common may be
	// "Bob" for "Robert"; worth a look.
	if ga, gb := fold(a.GivenName), fold(b.GivenName); ga != "" && gb != "" && ga[0] == gb[0] {
		return PossibleMatch
	}
	return NoMatch
}

// Strength says how strongly a referral's person resembles someone already
// held. Intake never decides that two are one (a caller who names someone
// must not be shown, nor joined to, their record); it records the likeness
// for a link worker to reconcile, and Strength is how the link worker is
// told of it.
type Strength string

const (
	// NotAlike: nothing worth asking about.
	NotAlike Strength = ""
	// SameNHSNumber: both records carry the same NHS number.
	SameNHSNumber Strength = "same_nhs_number"
	// SameDetails: the same name, date of birth and postcode, without
	// two NHS numbers to compare.
	SameDetails Strength = "same_details"
	// Possible: the same family name and date of birth, and the first name
	// or the postcode alike (see Compare).
	Possible Strength = "possible"
)

// StrengthOf is how strongly a (a new referral's person) resembles b (one
// held). Pure: it is Compare, told apart by what made the match.
func StrengthOf(a, b PersonKey) Strength {
	switch Compare(a, b) {
	case SurelySame:
		if a.NHSNumber != "" && a.NHSNumber == b.NHSNumber {
			return SameNHSNumber
		}
		return SameDetails
	case PossibleMatch:
		return Possible
	}
	return NotAlike
}

// Stronger reports whether s is a stronger likeness than t.
func (s Strength) Stronger(t Strength) bool { return s.rank() > t.rank() }

func (s Strength) rank() int {
	switch s {
	case SameNHSNumber:
		return 3
	case SameDetails:
		return 2
	case Possible:
		return 1
	}
	return 0
}

// Label is the likeness as a link worker reads it, above the two records.
func (s Strength) Label() string {
	switch s {
	case SameNHSNumber:
		return "This referral gives the NHS number of someone we know already."
	case SameDetails:
		return "This referral gives the same name, date of birth and postcode as someone we know already."
	case Possible:
		return "This referral may be about someone we know already."
	}
	return ""
}

// Likeness is how two records of a person compare, field by field: the
// fields that agree and those that differ, named in words. A field missing
// from either record is in neither list.
type Likeness struct {
	Agree, Differ []string
}

// Alike compares two records of a person field by field.
func Alike(a, b PersonKey) Likeness {
	var l Likeness
	add := func(field string, same bool) {
		if same {
			l.Agree = append(l.Agree, field)
		} else {
			l.Differ = append(l.Differ, field)
		}
	}
	if a.NHSNumber != "" && b.NHSNumber != "" {
		add("NHS number", a.NHSNumber == b.NHSNumber)
	}
	given, family := fold(a.GivenName) == fold(b.GivenName), fold(a.FamilyName) == fold(b.FamilyName)
	if given == family {
		add("name", given)
	} else {
		add("first name", given)
		add("last name", family)
	}
	if a.DateOfBirth != "" && b.DateOfBirth != "" {
		add("date of birth", a.DateOfBirth == b.DateOfBirth)
	}
	if a.Postcode != "" && b.Postcode != "" {
		add("postcode", strings.ReplaceAll(fold(a.Postcode), " ", "") == strings.ReplaceAll(fold(b.Postcode), " ", ""))
	}
	return l
}

// String is the likeness in a sentence, like "The NHS number and date of
// birth agree; the name and postcode differ."
func (l Likeness) String() string {
	clause := func(fields []string, one, many string) string {
		verb := many
		if len(fields) == 1 {
			verb = one
		}
		list := fields[0]
		if n := len(fields); n > 1 {
			list = strings.Join(fields[:n-1], ", ") + " and " + fields[n-1]
		}
		return "the " + list + " " + verb
	}
	var parts []string
	if len(l.Agree) > 0 {
		parts = append(parts, clause(l.Agree, "agrees", "agree"))
	}
	if len(l.Differ) > 0 {
		parts = append(parts, clause(l.Differ, "differs", "differ"))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ") + "."
	return strings.ToUpper(s[:1]) + s[1:]
}
