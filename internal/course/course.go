// Package course owns services that run as courses: dated sessions held as
// an RFC 5545 recurrence rule (RRULE) from a first session (DTSTART), as
// in "weekly for 10 weeks from 2 March" or "the first Monday of every
// month", and the next dates they give. It is pure: the directory stores
// a Course on its service and asks here for the dates.
package course

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // UK wall-clock times must hold across the clock changes even where the host has no zone files

	"github.com/teambition/rrule-go"

	"oikos"
)

// Zone is where courses meet: every DTSTART and every date shown is UK
// wall-clock time, so a class at 18:30 stays at 18:30 when the clocks go
// forward.
var Zone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("course: the Europe/London zone is embedded, yet failed to load: " + err.Error())
	}
	return loc
}()

// StartLayout is how a first session is written: UK local time to the
// minute, "2026-03-02T18:30".
const StartLayout = "2006-01-02T15:04"

// Course is a service's dated sessions: a recurrence rule from a first
// session, and how long each session lasts.
type Course struct {
	// RRule is the recurrence, as in "FREQ=WEEKLY;COUNT=10" (an
	// "RRULE:" prefix is accepted and dropped).
	RRule string `json:"rrule"`
	// Start is the first session, UK local time, "2026-03-02T18:30".
	Start string `json:"dtstart"`
	// Minutes is how long each session lasts.
	Minutes int `json:"duration_minutes"`
}

// Session is one dated session of a course.
type Session struct {
	Starts time.Time `json:"starts_at"`
	Ends   time.Time `json:"ends_at"`
}

// Limits: enough for any real course, small enough that a rule can never
// keep a request busy.
const (
	MaxMinutes  = 24 * 60
	MaxInterval = 52
	MaxCount    = 520
	maxRule     = 200
	// maxSessions is the most sessions Next returns at once.
	maxSessions = 100
)

// The rule parts a course may use: exactly those the Open Referral (HSDS
// 3.0) schedule can publish (freq, interval, byday, bymonthday, count,
// until, wkst), so every course stored can be published as it is.
var allowedParts = map[string]bool{"FREQ": true, "INTERVAL": true, "BYDAY": true, "BYMONTHDAY": true, "COUNT": true, "UNTIL": true, "WKST": true}

// Frequencies a course may repeat at. Hourly and finer are not courses;
// yearly ones are events, not programmes.
var allowedFreq = map[string]bool{"DAILY": true, "WEEKLY": true, "MONTHLY": true}

// Parts are a rule split into its named parts, upper case, as written.
type Parts map[string]string

// Normalise checks and tidies a course, naming each field at fault under
// prefix ("course" gives "course.rrule"). A rule that gives no session at
// all is refused: it would publish a course that never meets.
func (c *Course) Normalise(prefix string) error {
	f := map[string]string{}
	name := func(field string) string {
		if prefix == "" {
			return field
		}
		return prefix + "." + field
	}
	c.RRule = strings.ToUpper(strings.TrimSpace(c.RRule))
	c.RRule = strings.TrimPrefix(c.RRule, "RRULE:")
	c.Start = strings.TrimSpace(c.Start)
	if _, msg := parseStart(c.Start); msg != "" {
		f[name("dtstart")] = msg
	}
	if c.Minutes < 1 || c.Minutes > MaxMinutes {
		f[name("duration_minutes")] = "Enter how long each session lasts, in minutes, from 1 to 1440."
	}
	if _, msg := ParseRule(c.RRule); msg != "" {
		f[name("rrule")] = msg
	}
	if len(f) == 0 {
		if _, ok := c.first(); !ok {
			f[name("rrule")] = "This rule gives no session at all: check its days and its end."
		}
	}
	return oikos.Invalid(f)
}

func parseStart(s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, "Enter the date and time of the first session, like 2026-03-02T18:30."
	}
	t, err := time.ParseInLocation(StartLayout, s, Zone)
	if err != nil {
		return time.Time{}, "Enter the first session as a date and time, like 2026-03-02T18:30 (UK time)."
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, "The first session must be between the years 2000 and 2100."
	}
	return t, ""
}

// ParseRule checks an RRULE (without its "RRULE:" prefix, upper case) and
// splits it into parts. It answers a message for a person when the rule
// cannot be used for a course.
func ParseRule(rule string) (Parts, string) {
	if rule == "" {
		return nil, "Enter the recurrence rule, like FREQ=WEEKLY;COUNT=10."
	}
	if len(rule) > maxRule || !oikos.PlainText(rule, false) {
		return nil, fmt.Sprintf("The recurrence rule must be a single line of up to %d characters.", maxRule)
	}
	parts := Parts{}
	for _, p := range strings.Split(rule, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Sprintf("The recurrence rule part %q must be NAME=VALUE, as in FREQ=WEEKLY.", clip(p))
		}
		if !allowedParts[k] {
			return nil, fmt.Sprintf("The recurrence rule part %s cannot be used: a course may use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL and WKST.", clip(k))
		}
		if _, dup := parts[k]; dup {
			return nil, fmt.Sprintf("The recurrence rule names %s twice.", k)
		}
		parts[k] = v
	}
	switch {
	case parts["FREQ"] == "":
		return nil, "The recurrence rule needs FREQ: DAILY, WEEKLY or MONTHLY."
	case !allowedFreq[parts["FREQ"]]:
		return nil, "FREQ must be DAILY, WEEKLY or MONTHLY."
	case parts["COUNT"] != "" && parts["UNTIL"] != "":
		return nil, "Give COUNT or UNTIL, not both."
	}
	if v := parts["INTERVAL"]; v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > MaxInterval {
			return nil, fmt.Sprintf("INTERVAL must be a whole number from 1 to %d.", MaxInterval)
		}
	}
	if v := parts["COUNT"]; v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > MaxCount {
			return nil, fmt.Sprintf("COUNT must be a whole number from 1 to %d.", MaxCount)
		}
	}
	if v := parts["UNTIL"]; v != "" {
		u, err := parseUntil(v)
		if err != nil {
			return nil, "UNTIL must be a date like 20260601, or a time like 20260601T183000Z."
		}
		// Bounded, so that listing every session of a course stays cheap.
		if u.Year() > 2100 {
			return nil, "UNTIL must be no later than the year 2100."
		}
	}
	if v := parts["BYMONTHDAY"]; v != "" && parts["FREQ"] == "WEEKLY" {
		return nil, "BYMONTHDAY cannot be used with FREQ=WEEKLY."
	}
	if v := parts["BYDAY"]; v != "" {
		for _, d := range strings.Split(v, ",") {
			if msg := checkDay(d, parts["FREQ"]); msg != "" {
				return nil, msg
			}
		}
	}
	if v := parts["BYMONTHDAY"]; v != "" {
		for _, d := range strings.Split(v, ",") {
			n, err := strconv.Atoi(d)
			if err != nil || n == 0 || n < -31 || n > 31 {
				return nil, "BYMONTHDAY must list days of the month from 1 to 31 (or -1 for the last)."
			}
		}
	}
	if v := parts["WKST"]; v != "" && !weekday(v) {
		return nil, "WKST must be a day: MO, TU, WE, TH, FR, SA or SU."
	}
	// The library is the final judge of what is left.
	if _, err := rrule.StrToROption(rule); err != nil {
		return nil, "The recurrence rule could not be read: " + clip(err.Error())
	}
	return parts, ""
}

// checkDay checks one BYDAY entry: a day, with an ordinal ("1MO", "-1FR")
// only where the rule is monthly.
func checkDay(d, freq string) string {
	if len(d) < 2 || !weekday(d[len(d)-2:]) {
		return fmt.Sprintf("BYDAY entry %q must be a day such as MO, or for a monthly rule 1MO (first Monday) or -1FR (last Friday).", clip(d))
	}
	if n := d[:len(d)-2]; n != "" {
		if freq != "MONTHLY" {
			return "A numbered day such as 1MO needs FREQ=MONTHLY."
		}
		k, err := strconv.Atoi(n)
		if err != nil || k == 0 || k < -5 || k > 5 {
			return fmt.Sprintf("BYDAY entry %q: the week of the month must be 1 to 5, or -1 to -5 counting from the end.", clip(d))
		}
	}
	return ""
}

func weekday(s string) bool {
	switch s {
	case "MO", "TU", "WE", "TH", "FR", "SA", "SU":
		return true
	}
	return false
}

// parseUntil reads UNTIL: a date (the whole of that UK day) or a UTC time.
func parseUntil(v string) (time.Time, error) {
	if len(v) == 8 {
		d, err := time.ParseInLocation("20060102", v, Zone)
		return d.Add(24*time.Hour - time.Second), err
	}
	if strings.HasSuffix(v, "Z") {
		return time.Parse("20060102T150405Z", v)
	}
	return time.ParseInLocation("20060102T150405", v, Zone)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// rule builds the library's rule for a course already normalised.
func (c Course) rule() (*rrule.RRule, bool) {
	start, msg := parseStart(c.Start)
	if msg != "" {
		return nil, false
	}
	parts, msg := ParseRule(c.RRule)
	if msg != "" {
		return nil, false
	}
	// UNTIL is read here rather than by the library, which would read a
	// bare date as UTC midnight and drop a UK evening session on the last
	// day.
	until := parts["UNTIL"]
	delete(parts, "UNTIL")
	opt, err := rrule.StrToROptionInLocation(parts.String(), Zone)
	if err != nil {
		return nil, false
	}
	if until != "" {
		u, err := parseUntil(until)
		if err != nil {
			return nil, false
		}
		opt.Until = u
	}
	// The library counts in the zone of DTSTART: in UK time, each session
	// keeps its wall-clock time across the clock changes.
	opt.Dtstart = start
	r, err := rrule.NewRRule(*opt)
	return r, err == nil
}

// String writes parts back as a rule, FREQ first, the rest in a fixed
// order.
func (p Parts) String() string {
	var out []string
	for _, k := range []string{"FREQ", "INTERVAL", "WKST", "COUNT", "UNTIL", "BYMONTHDAY", "BYDAY"} {
		if v, ok := p[k]; ok {
			out = append(out, k+"="+v)
		}
	}
	return strings.Join(out, ";")
}

func (c Course) first() (time.Time, bool) {
	r, ok := c.rule()
	if !ok {
		return time.Time{}, false
	}
	next := r.Iterator()
	t, ok := next()
	return t, ok
}

// Next lists up to n sessions of the course that have not yet ended at
// now, in order. A course that is malformed or over lists none.
func (c Course) Next(now time.Time, n int) []Session {
	out := []Session{}
	if n <= 0 {
		return out
	}
	n = min(n, maxSessions)
	r, ok := c.rule()
	if !ok {
		return out
	}
	length := time.Duration(c.Minutes) * time.Minute
	next := r.Iterator()
	for len(out) < n {
		t, ok := next()
		if !ok {
			break
		}
		if end := t.Add(length); end.After(now) {
			out = append(out, Session{Starts: t, Ends: end})
		}
	}
	return out
}

// Last is when the last session starts, for a course that ends (COUNT or
// UNTIL); ok is false for one that runs on.
func (c Course) Last() (time.Time, bool) {
	parts, msg := ParseRule(c.RRule)
	if msg != "" || (parts["COUNT"] == "" && parts["UNTIL"] == "") {
		return time.Time{}, false
	}
	r, ok := c.rule()
	if !ok {
		return time.Time{}, false
	}
	all := r.All()
	if len(all) == 0 {
		return time.Time{}, false
	}
	return all[len(all)-1], true
}

// Schedule is a course as an Open Referral (HSDS 3.0) schedule: the
// fields the directory's ORUK export fills for it. Times are UK local
// ("18:30"); timezone is the UTC offset of the first session in hours,
// which HSDS takes as a number (it cannot name Europe/London, so a
// reader must apply it with care across the clock changes).
type Schedule struct {
	Freq       string `json:"freq"`
	Interval   int    `json:"interval,omitempty"`
	Byday      string `json:"byday,omitempty"`
	Bymonthday string `json:"bymonthday,omitempty"`
	Count      int    `json:"count,omitempty"`
	Until      string `json:"until,omitempty"`
	Wkst       string `json:"wkst,omitempty"`
	Dtstart    string `json:"dtstart"`
	ValidFrom  string `json:"valid_from"`
	ValidTo    string `json:"valid_to,omitempty"`
	OpensAt    string `json:"opens_at"`
	ClosesAt   string `json:"closes_at"`
	Timezone   int    `json:"timezone"`
}

// HSDS maps a course onto the Open Referral schedule fields (the rule
// parts a course may use are exactly those the schedule has). ok is false
// for a course that does not hold.
func (c Course) HSDS() (Schedule, bool) {
	start, msg := parseStart(c.Start)
	parts, msg2 := ParseRule(c.RRule)
	if msg != "" || msg2 != "" {
		return Schedule{}, false
	}
	s := Schedule{Freq: parts["FREQ"], Byday: parts["BYDAY"], Bymonthday: parts["BYMONTHDAY"], Wkst: parts["WKST"],
		Dtstart: start.Format(time.DateOnly), ValidFrom: start.Format(time.DateOnly), OpensAt: start.Format("15:04"),
		ClosesAt: start.Add(time.Duration(c.Minutes) * time.Minute).Format("15:04")}
	s.Interval, _ = strconv.Atoi(parts["INTERVAL"])
	s.Count, _ = strconv.Atoi(parts["COUNT"])
	if u := parts["UNTIL"]; u != "" {
		t, err := parseUntil(u)
		if err != nil {
			return Schedule{}, false
		}
		s.Until = t.In(Zone).Format(time.DateOnly)
	}
	if last, ok := c.Last(); ok {
		s.ValidTo = last.Format(time.DateOnly)
	}
	_, offset := start.Zone()
	s.Timezone = offset / 3600
	return s, true
}
