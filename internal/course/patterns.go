package course

import (
	"fmt"
	"oikos"
	"strconv"
	"strings"
	"time"
)

// The repeats a person chooses from in the directory editor, each a rule
// of its own; any other rule is set through the API.
const (
	EveryWeek        = "weekly"
	EveryTwoWeeks    = "fortnightly"
	MonthlyByWeekday = "monthly_weekday" // like the first Monday of the month
	MonthlyByDate    = "monthly_date"    // like the 14th of each month
)

// Patterns are the editor's repeats, in the order offered.
var Patterns = []string{EveryWeek, EveryTwoWeeks, MonthlyByWeekday, MonthlyByDate}

var dayCodes = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// FromPattern is the course a person describes in the editor: its first
// session (start, "2026-03-02T18:30"), a repeat from Patterns, and how
// many sessions (0: it carries on). A monthly repeat by weekday takes the
// first session's place in its month: the 1st to 4th such weekday, or the
// last when it falls in the month's last seven days. The course is then
// checked by Normalise like any other.
//
// Its problems are named "repeat" and "sessions"; the first session and
// the minutes are Normalise's to check.
func FromPattern(pattern, start string, minutes, sessions int) (Course, error) {
	c := Course{Start: strings.TrimSpace(start), Minutes: minutes}
	first, msg := parseStart(c.Start)
	if msg != "" {
		first = time.Date(2026, 1, 5, 0, 0, 0, 0, Zone) // the rule's shape only; Normalise names the start
	}
	var rule string
	switch pattern {
	case EveryWeek:
		rule = "FREQ=WEEKLY"
	case EveryTwoWeeks:
		rule = "FREQ=WEEKLY;INTERVAL=2"
	case MonthlyByWeekday:
		n := (first.Day()-1)/7 + 1
		if first.AddDate(0, 0, 7).Month() != first.Month() && n >= 4 {
			n = -1
		}
		rule = fmt.Sprintf("FREQ=MONTHLY;BYDAY=%d%s", n, dayCodes[first.Weekday()])
	case MonthlyByDate:
		rule = fmt.Sprintf("FREQ=MONTHLY;BYMONTHDAY=%d", first.Day())
	default:
		return c, oikos.Invalid(map[string]string{"repeat": "Choose how often the course meets."})
	}
	if sessions < 0 || sessions > MaxCount {
		return c, oikos.Invalid(map[string]string{"sessions": fmt.Sprintf("Enter how many sessions, from 1 to %d, or leave it empty if it carries on.", MaxCount)})
	}
	if sessions > 0 {
		rule += ";COUNT=" + strconv.Itoa(sessions)
	}
	c.RRule = rule
	return c, nil
}

// PatternOf reads a course back as the editor's repeat and number of
// sessions; ok is false for a rule the editor cannot show (set through
// the API), which the editor then keeps as it is.
func PatternOf(c Course) (pattern string, sessions int, ok bool) {
	parts, msg := ParseRule(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(c.RRule)), "RRULE:"))
	first, msg2 := parseStart(c.Start)
	if msg != "" || msg2 != "" {
		return "", 0, false
	}
	if n := parts["COUNT"]; n != "" {
		sessions, _ = strconv.Atoi(n)
	}
	for _, p := range Patterns {
		built, err := FromPattern(p, first.Format(StartLayout), c.Minutes, sessions)
		if err == nil && built.RRule == strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(c.RRule)), "RRULE:") {
			return p, sessions, true
		}
	}
	return "", 0, false
}

// StartParts splits a course's first session into its UK date and time,
// for the editor's boxes.
func StartParts(c Course) (day time.Time, clock string, ok bool) {
	t, msg := parseStart(c.Start)
	if msg != "" {
		return time.Time{}, "", false
	}
	return t, t.Format("15:04"), true
}
