package connection

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
)

// Kind is how a person is connected to a service.
type Kind string

// Kinds of connection, from the least to the most help given.
const (
	// Signpost: the person is given the information and goes themselves.
	Signpost Kind = "signpost"
	// ActiveSignpost: the link worker contacts the provider for them.
	ActiveSignpost Kind = "active_signpost"
	// Supported: someone goes with the person to the first session.
	Supported Kind = "supported"
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []Kind{Signpost, ActiveSignpost, Supported}

// Label is the kind in words.
func (k Kind) Label() string {
	switch k {
	case Signpost:
		return "Signpost"
	case ActiveSignpost:
		return "Active signpost"
	case Supported:
		return "Supported referral"
	}
	return string(k)
}

// Explanation says in plain words what the kind means for the person.
func (k Kind) Explanation() string {
	switch k {
	case Signpost:
		return "The person has the details and gets in touch with the service themselves."
	case ActiveSignpost:
		return "You contact the service for the person, and the service gets in touch with them."
	case Supported:
		return "Someone goes with the person to their first session."
	}
	return ""
}

// ForService says what the kind asks of the service, to the service
// itself (its provider reads it on the connection's page).
func (k Kind) ForService() string {
	switch k {
	case Signpost:
		return "The person has your details and gets in touch with you themselves."
	case ActiveSignpost:
		return "The link worker has passed the person's details to you: please get in touch with them."
	case Supported:
		return "Someone comes with the person to their first session."
	}
	return ""
}

// Status is where a connection has got to.
type Status string

// Statuses of a connection. Attending is not a status of its own: an
// accepted connection with attendance recorded is attending.
const (
	Sent       Status = "sent"
	Accepted   Status = "accepted"
	Declined   Status = "declined"
	Waitlisted Status = "waitlisted"
	Completed  Status = "completed"
	Dropped    Status = "dropped"
)

// Statuses lists every status in journey order.
var Statuses = []Status{Sent, Accepted, Declined, Waitlisted, Completed, Dropped}

// Label is the status in words.
func (s Status) Label() string {
	switch s {
	case Sent:
		return "Waiting for an answer"
	case Accepted:
		return "Accepted"
	case Declined:
		return "Declined"
	case Waitlisted:
		return "On the waiting list"
	case Completed:
		return "Completed"
	case Dropped:
		return "Stopped going"
	}
	return string(s)
}

// Open reports whether the connection may still change.
func (s Status) Open() bool { return s == Sent || s == Accepted || s == Waitlisted }

// Limits on what people type.
const (
	MaxNote   = 500
	MaxReason = 500
	MaxUpdate = 1000
)

// refused is a refused change: the connection is not in a state that
// allows it. The reason is given under field.
func refused(field, msg string) error {
	return &oikos.Error{Code: oikos.ECONFLICT, Message: msg, Fields: map[string]string{field: msg}}
}

// CheckDecision says whether a provider's answer may be given now: once,
// from sent; a waiting list may later turn into a place or a no. A decline
// needs a reason, so the link worker can look for something else.
func CheckDecision(from Status, decision Status, reason string) error {
	switch decision {
	case Accepted, Declined, Waitlisted:
	default:
		return oikos.Invalid(map[string]string{"decision": "Decision must be accepted, declined or waitlisted."})
	}
	if decision == Declined && strings.TrimSpace(reason) == "" {
		return oikos.Invalid(map[string]string{"reason": "Say why the service cannot take the person."})
	}
	switch {
	case from == Sent:
		return nil
	case from == Waitlisted && decision != Waitlisted:
		return nil
	case from == Waitlisted:
		return refused("decision", "The person is already on the waiting list.")
	}
	return refused("decision", fmt.Sprintf("This connection was already answered: it is %s.", strings.ToLower(from.Label())))
}

// CheckAttendance says whether attendance may be recorded: only for an
// accepted connection (not declined, waiting or closed).
func CheckAttendance(from Status) error {
	switch from {
	case Accepted:
		return nil
	case Sent, Waitlisted:
		return refused("date", "Attendance can be recorded once the service has accepted the person.")
	case Declined:
		return refused("date", "This connection was declined, so there is no attendance to record.")
	}
	return refused("date", "This connection is closed, so attendance can no longer be recorded.")
}

// CheckClose says whether a connection may be marked completed or
// dropped: only once accepted.
func CheckClose(from Status, to Status) error {
	if to != Completed && to != Dropped {
		return oikos.Invalid(map[string]string{"status": "Status must be completed or dropped."})
	}
	switch from {
	case Accepted:
		return nil
	case Completed, Dropped:
		return refused("status", fmt.Sprintf("This connection is already closed: %s.", strings.ToLower(from.Label())))
	}
	return refused("status", "Only a connection the service has accepted can be marked completed or dropped.")
}

// ParseSessionDate reads the date of a session: a real date, not in the
// future (UK time), and not before the connection was made.
func ParseSessionDate(s string, made, now time.Time) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "Enter the date of the session."
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", "Enter a real date, like 2026-03-27."
	}
	s = d.Format(time.DateOnly)
	if s > now.In(ukClock).Format(time.DateOnly) {
		return "", "The date must be today or in the past."
	}
	if s < made.In(ukClock).Format(time.DateOnly) {
		return "", "The date must be on or after the day the connection was made."
	}
	return s, ""
}

// What is something recorded about a connection, for MayRecord.
type What int

const (
	// RecordDecision is accepting, declining or waitlisting.
	RecordDecision What = iota
	// RecordAttendance is a session attended or missed.
	RecordAttendance
	// RecordClose is marking completed or dropped.
	RecordClose
	// RecordUpdate is a short message from the provider to the link worker.
	RecordUpdate
)

// MayRecord says who answers for a connection, once the caller is known
// to see it: the provider (and a manager) always; the link worker only for
// a signpost, where no provider is asked and the person tells the link
// worker how it went. Updates come from the provider only.
func MayRecord(role string, kind Kind, what What) bool {
	switch role {
	case "provider", "manager":
		return true
	case "link_worker":
		return kind == Signpost && what != RecordUpdate
	}
	return false
}

// ukClock is the clock people in the scheme read.
var ukClock = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// WorkingDaysBetween counts the working days (Monday to Friday, UK time)
// after from's day up to and including to's day: sent on a Friday and
// looked at the next Friday is 5. Bank holidays are not counted out: the
// flag it feeds is a prompt to chase, and a day early does no harm.
func WorkingDaysBetween(from, to time.Time) int {
	a := dayOf(from)
	b := dayOf(to)
	if !b.After(a) {
		return 0
	}
	days := int(b.Sub(a).Hours()/24 + 0.5)
	weeks, rest := days/7, days%7
	n := weeks * 5
	wd := a.Weekday()
	for i := 1; i <= rest; i++ {
		switch (wd + time.Weekday(i)) % 7 {
		case time.Saturday, time.Sunday:
		default:
			n++
		}
	}
	return n
}

// dayOf is the UK calendar day of t, as midnight UTC of that date.
func dayOf(t time.Time) time.Time {
	y, m, d := t.In(ukClock).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ChaseAfter is how many working days a connection waits for an answer
// before the link worker is prompted to chase it.
const ChaseAfter = 5

// NeedsChasing reports whether a sent connection has had no answer for
// ChaseAfter working days.
func NeedsChasing(st Status, sent, now time.Time) bool {
	return st == Sent && WorkingDaysBetween(sent, now) >= ChaseAfter
}

// checkText checks free text from outside under field.
func checkText(f map[string]string, field, v string, limit int) {
	switch {
	case !oikos.PlainText(v, true):
		f[field] = "must not contain control characters"
	case utf8.RuneCountInString(v) > limit:
		f[field] = fmt.Sprintf("must be %d characters or fewer", limit)
	}
}

// validKind reports whether k is one of Kinds.
func validKind(k Kind) bool { return slices.Contains(Kinds, k) }
