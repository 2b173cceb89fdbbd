package privacy

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/postcode"
	"oikos/internal/referral"
)

// MayExport reports whether p may have a copy of everything held about a
// person whose referrals are refs: a manager who may read one of them, or
// the link worker one of them is assigned to. A link worker who could only
// see the person in the triage queue is not "their" link worker.
func MayExport(p *auth.Principal, refs []auth.Object) bool {
	if p == nil {
		return false
	}
	for _, o := range refs {
		if !auth.Can(p, auth.ReadAction, o) {
			continue
		}
		switch p.Role {
		case auth.Manager:
			return true
		case auth.LinkWorker:
			if o.AssignedTo == p.UserID {
				return true
			}
		}
	}
	return false
}

// MayChange reports whether p may erase or restrict a person's record:
// managers only, and only one who may change one of the person's referrals
// (so the scheme boundary, where the policy draws one, holds here too).
func MayChange(p *auth.Principal, refs []auth.Object) bool {
	if p == nil || p.Role != auth.Manager {
		return false
	}
	return slices.ContainsFunc(refs, func(o auth.Object) bool { return auth.Can(p, auth.ChangeAction, o) })
}

// MaxReason is the longest reason kept for a request.
const MaxReason = 1000

// Details are the person's details a reason must not repeat: the reason is
// kept after erasure, so a name written in it would outlive the erasure.
type Details struct {
	GivenName, FamilyName, DateOfBirth, NHSNumber, Postcode, Phone, Email string
}

// CheckReason checks the reason given for a request: present, plain text,
// not too long, and free of the person's details, naming the field
// "reason" when it is not.
func CheckReason(reason string, d Details) error {
	reason = strings.TrimSpace(reason)
	f := map[string]string{}
	switch {
	case reason == "":
		f["reason"] = "Say why: the request the person made, or the reason for it."
	case !oikos.PlainText(reason, true):
		f["reason"] = "The reason must be text without control characters."
	case utf8.RuneCountInString(reason) > MaxReason:
		f["reason"] = fmt.Sprintf("The reason must be %d characters or fewer.", MaxReason)
	case holdsDetails(reason, d):
		f["reason"] = "Leave the person's name and details out of the reason: it is kept after their details are erased."
	}
	return oikos.Invalid(f)
}

// holdsDetails reports whether text repeats one of the person's details:
// their family name as a word, their NHS number, phone number, email
// address, date of birth or full postcode, however spaced.
func holdsDetails(text string, d Details) bool {
	lower := strings.ToLower(text)
	if hasWord(lower, strings.ToLower(d.FamilyName)) {
		return true
	}
	if e := strings.ToLower(strings.TrimSpace(d.Email)); e != "" && strings.Contains(lower, e) {
		return true
	}
	digits := onlyDigits(text)
	for _, n := range []string{d.NHSNumber, d.Phone} {
		// Six digits or more: shorter runs (a year, a day) say nothing.
		if n = onlyDigits(n); len(n) >= 6 && strings.Contains(digits, strings.TrimPrefix(n, "0")) {
			return true
		}
	}
	if pc := strings.ToLower(strings.ReplaceAll(d.Postcode, " ", "")); len(pc) >= 5 && strings.Contains(strings.ReplaceAll(lower, " ", ""), pc) {
		return true
	}
	if born, err := time.Parse(time.DateOnly, d.DateOfBirth); err == nil {
		for _, layout := range []string{time.DateOnly, "2/1/2006", "02/01/2006", "2 January 2006", "2 Jan 2006"} {
			if strings.Contains(lower, strings.ToLower(born.Format(layout))) {
				return true
			}
		}
	}
	return false
}

// hasWord reports whether word (lower case) stands as a whole word in text
// (lower case): "Bell" is in "Mrs Bell asked", not in "bellows".
func hasWord(text, word string) bool {
	word = strings.TrimSpace(word)
	if utf8.RuneCountInString(word) < 2 {
		return false
	}
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if (start == 0 || !isWordRune(before)) && (end == len(text) || !isWordRune(after)) {
			return true
		}
		i = start + 1
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// State is where a person's record stands.
type State struct {
	RestrictedAt *time.Time `json:"restricted_at"`
	ErasedAt     *time.Time `json:"erased_at"`
}

// Restricted reports whether processing is restricted.
func (s State) Restricted() bool { return s.RestrictedAt != nil }

// Erased reports whether the person's details were erased.
func (s State) Erased() bool { return s.ErasedAt != nil }

var errErased = &oikos.Error{Code: oikos.ECONFLICT, Message: "This person's details have already been erased."}

// CheckRestriction says whether a record may be restricted (restrict true)
// or its restriction lifted: not once erased, and not to the state it is
// already in.
func CheckRestriction(s State, restrict bool) error {
	switch {
	case s.Erased():
		return errErased
	case restrict && s.Restricted():
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "Processing of this person's record is already restricted."}
	case !restrict && !s.Restricted():
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "Processing of this person's record is not restricted, so there is nothing to lift."}
	}
	return nil
}

// CheckErasure says whether a record may be erased: not twice, and not
// while a referral is open. An open referral is being worked; closing it
// first, with the reason the reports count, keeps those reports true.
func CheckErasure(s State, open int) error {
	switch {
	case s.Erased():
		return errErased
	case open > 0:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: fmt.Sprintf(
			"%s still open. Close the person's open referrals first, with the reason for closing: then erase their details.", referralsOpen(open))}
	}
	return nil
}

func referralsOpen(n int) string {
	if n == 1 {
		return "One referral is"
	}
	return fmt.Sprintf("%d referrals are", n)
}

// District is what erasure keeps of a postcode: its district ("EX4"),
// which the fair-coverage report counts by, or nothing.
func District(pc string) string {
	if norm, ok := postcode.Normalise(pc); ok {
		return postcode.Outcode(norm)
	}
	return ""
}

// KeptEventReason is what erasure keeps of the reason on a referral's
// history: the closing reasons (which reports count) and the marks the
// system writes; anything else may be words about the person and goes.
func KeptEventReason(reason string) string {
	if reason == "assigned" || slices.Contains(referral.CloseReasons, reason) {
		return reason
	}
	return ""
}

// ErasePlan keeps a plan's shape (goals and steps, who does each, when,
// done and progress) and drops its words, which are the person's own.
func ErasePlan(goals []casework.Goal) []casework.Goal {
	out := make([]casework.Goal, len(goals))
	for i, g := range goals {
		g.Text = ""
		g.Steps = slices.Clone(g.Steps)
		for j := range g.Steps {
			g.Steps[j].Text = ""
		}
		out[i] = g
	}
	return out
}

// RetentionCutoff is the moment before which a referral must have closed
// for its person to be erased when the retention period is years long.
func RetentionCutoff(now time.Time, years int) time.Time {
	return now.AddDate(-years, 0, 0)
}

// DefaultRetentionYears is how long records are kept after the last
// referral closes, unless configured otherwise.
const DefaultRetentionYears = 8

// CheckRetentionYears refuses a retention period that cannot be meant.
func CheckRetentionYears(years int) error {
	if years < 1 || years > 100 {
		return fmt.Errorf("retention years %d: want a whole number of years from 1 to 100", years)
	}
	return nil
}
