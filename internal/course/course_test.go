package course

import (
	"strings"
	"testing"
	"time"

	"oikos"
)

// uk is a UK wall-clock time.
func uk(s string) time.Time {
	t, err := time.ParseInLocation(StartLayout, s, Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func starts(sessions []Session) []string {
	out := make([]string, len(sessions))
	for i, s := range sessions {
		out[i] = s.Starts.In(Zone).Format("Mon 2006-01-02T15:04")
	}
	return out
}

func TestNext(t *testing.T) {
	cases := []struct {
		name   string
		course Course
		now    string
		n      int
		want   []string
	}{
		{"weekly for 10 weeks from a date", Course{"FREQ=WEEKLY;COUNT=10", "2026-01-05T10:00", 90}, "2026-01-01T00:00", 20, []string{
			"Mon 2026-01-05T10:00", "Mon 2026-01-12T10:00", "Mon 2026-01-19T10:00", "Mon 2026-01-26T10:00", "Mon 2026-02-02T10:00",
			"Mon 2026-02-09T10:00", "Mon 2026-02-16T10:00", "Mon 2026-02-23T10:00", "Mon 2026-03-02T10:00", "Mon 2026-03-09T10:00"}},
		{"weekly for 10 weeks, half way through", Course{"FREQ=WEEKLY;COUNT=10", "2026-01-05T10:00", 90}, "2026-02-10T09:00", 3, []string{
			"Mon 2026-02-16T10:00", "Mon 2026-02-23T10:00", "Mon 2026-03-02T10:00"}},
		{"a session under way is still next", Course{"FREQ=WEEKLY;COUNT=10", "2026-01-05T10:00", 90}, "2026-01-12T11:00", 1, []string{
			"Mon 2026-01-12T10:00"}},
		{"a session just ended is not", Course{"FREQ=WEEKLY;COUNT=10", "2026-01-05T10:00", 90}, "2026-01-12T11:30", 1, []string{
			"Mon 2026-01-19T10:00"}},
		{"the course is over", Course{"FREQ=WEEKLY;COUNT=10", "2026-01-05T10:00", 90}, "2026-03-10T00:00", 5, []string{}},
		{"first Monday of the month", Course{"FREQ=MONTHLY;BYDAY=1MO", "2026-01-05T14:00", 120}, "2026-01-06T00:00", 4, []string{
			"Mon 2026-02-02T14:00", "Mon 2026-03-02T14:00", "Mon 2026-04-06T14:00", "Mon 2026-05-04T14:00"}},
		{"first Monday, from a start that is not one", Course{"FREQ=MONTHLY;BYDAY=1MO", "2026-01-20T14:00", 120}, "2026-01-01T00:00", 2, []string{
			"Mon 2026-02-02T14:00", "Mon 2026-03-02T14:00"}},
		{"last Friday of the month", Course{"FREQ=MONTHLY;BYDAY=-1FR", "2026-01-30T19:00", 60}, "2026-01-01T00:00", 3, []string{
			"Fri 2026-01-30T19:00", "Fri 2026-02-27T19:00", "Fri 2026-03-27T19:00"}},
		{"fortnightly on Tuesdays and Thursdays", Course{"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "2026-01-06T18:00", 60}, "2026-01-01T00:00", 4, []string{
			"Tue 2026-01-06T18:00", "Thu 2026-01-08T18:00", "Tue 2026-01-20T18:00", "Thu 2026-01-22T18:00"}},
		{"on the 31st skips the shorter months", Course{"FREQ=MONTHLY;BYMONTHDAY=31", "2026-01-31T10:00", 60}, "2026-01-01T00:00", 3, []string{
			"Sat 2026-01-31T10:00", "Tue 2026-03-31T10:00", "Sun 2026-05-31T10:00"}},
		{"UNTIL a date keeps that evening's session", Course{"FREQ=WEEKLY;UNTIL=20260126", "2026-01-05T19:30", 60}, "2026-01-01T00:00", 10, []string{
			"Mon 2026-01-05T19:30", "Mon 2026-01-12T19:30", "Mon 2026-01-19T19:30", "Mon 2026-01-26T19:30"}},
		{"daily for a week", Course{"FREQ=DAILY;COUNT=3", "2026-06-01T09:00", 30}, "2026-01-01T00:00", 10, []string{
			"Mon 2026-06-01T09:00", "Tue 2026-06-02T09:00", "Wed 2026-06-03T09:00"}},
		// The clocks go forward on 29 March 2026 and back on 25 October:
		// the class stays at 18:30 by the clock on the wall.
		{"weekly across the spring clock change", Course{"FREQ=WEEKLY;COUNT=3", "2026-03-22T18:30", 60}, "2026-01-01T00:00", 3, []string{
			"Sun 2026-03-22T18:30", "Sun 2026-03-29T18:30", "Sun 2026-04-05T18:30"}},
		{"weekly across the autumn clock change", Course{"FREQ=WEEKLY;COUNT=3", "2026-10-18T09:00", 60}, "2026-01-01T00:00", 3, []string{
			"Sun 2026-10-18T09:00", "Sun 2026-10-25T09:00", "Sun 2026-11-01T09:00"}},
		{"none asked for", Course{"FREQ=WEEKLY", "2026-01-05T10:00", 60}, "2026-01-01T00:00", 0, []string{}},
		{"malformed lists none", Course{"FREQ=SOMETIMES", "2026-01-05T10:00", 60}, "2026-01-01T00:00", 3, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := starts(c.course.Next(uk(c.now), c.n))
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
		})
	}
}

// The clock change moves the sessions' UTC instants, not their UK times.
func TestNextKeepsWallClockAcrossDST(t *testing.T) {
	s := Course{"FREQ=WEEKLY;COUNT=2", "2026-03-22T18:30", 60}.Next(uk("2026-01-01T00:00"), 2)
	if len(s) != 2 {
		t.Fatalf("%d sessions", len(s))
	}
	if got := s[0].Starts.UTC().Format("15:04"); got != "18:30" {
		t.Errorf("before the change: %s UTC, want 18:30 (GMT)", got)
	}
	if got := s[1].Starts.UTC().Format("15:04"); got != "17:30" {
		t.Errorf("after the change: %s UTC, want 17:30 (BST)", got)
	}
	if d := s[1].Starts.Sub(s[0].Starts); d != 7*24*time.Hour-time.Hour {
		t.Errorf("the week across the change lasts %s", d)
	}
	if s[1].Ends.Sub(s[1].Starts) != time.Hour {
		t.Errorf("session length %s", s[1].Ends.Sub(s[1].Starts))
	}
}

func TestNormalise(t *testing.T) {
	cases := []struct {
		name   string
		course Course
		field  string // "" when valid
	}{
		{"weekly course", Course{"FREQ=WEEKLY;COUNT=10", "2026-03-02T18:30", 90}, ""},
		{"prefix and lower case are tidied", Course{" rrule:freq=monthly;byday=1mo ", "2026-03-02T18:30", 90}, ""},
		{"no rule", Course{"", "2026-03-02T18:30", 90}, "course.rrule"},
		{"hourly is not a course", Course{"FREQ=HOURLY", "2026-03-02T18:30", 90}, "course.rrule"},
		{"yearly is not a course", Course{"FREQ=YEARLY", "2026-03-02T18:30", 90}, "course.rrule"},
		{"parts HSDS cannot publish", Course{"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1", "2026-03-02T18:30", 90}, "course.rrule"},
		{"DTSTART inside the rule", Course{"FREQ=WEEKLY;DTSTART=20260302T183000", "2026-03-02T18:30", 90}, "course.rrule"},
		{"COUNT and UNTIL", Course{"FREQ=WEEKLY;COUNT=3;UNTIL=20260601", "2026-03-02T18:30", 90}, "course.rrule"},
		{"numbered day on a weekly rule", Course{"FREQ=WEEKLY;BYDAY=1MO", "2026-03-02T18:30", 90}, "course.rrule"},
		{"sixth Monday", Course{"FREQ=MONTHLY;BYDAY=6MO", "2026-03-02T18:30", 90}, "course.rrule"},
		{"not a day", Course{"FREQ=WEEKLY;BYDAY=XX", "2026-03-02T18:30", 90}, "course.rrule"},
		{"month day on a weekly rule", Course{"FREQ=WEEKLY;BYMONTHDAY=1", "2026-03-02T18:30", 90}, "course.rrule"},
		{"month day 32", Course{"FREQ=MONTHLY;BYMONTHDAY=32", "2026-03-02T18:30", 90}, "course.rrule"},
		{"interval 0", Course{"FREQ=WEEKLY;INTERVAL=0", "2026-03-02T18:30", 90}, "course.rrule"},
		{"interval too long", Course{"FREQ=WEEKLY;INTERVAL=53", "2026-03-02T18:30", 90}, "course.rrule"},
		{"count too high", Course{"FREQ=DAILY;COUNT=100000", "2026-03-02T18:30", 90}, "course.rrule"},
		{"part named twice", Course{"FREQ=WEEKLY;FREQ=DAILY", "2026-03-02T18:30", 90}, "course.rrule"},
		{"part without value", Course{"FREQ=WEEKLY;COUNT=", "2026-03-02T18:30", 90}, "course.rrule"},
		{"bad until", Course{"FREQ=WEEKLY;UNTIL=tomorrow", "2026-03-02T18:30", 90}, "course.rrule"},
		{"ends in the far future", Course{"FREQ=DAILY;UNTIL=99991231", "2026-03-02T18:30", 90}, "course.rrule"},
		{"ends before it starts", Course{"FREQ=WEEKLY;UNTIL=20260101", "2026-03-02T18:30", 90}, "course.rrule"},
		{"control characters", Course{"FREQ=WEEKLY\x00", "2026-03-02T18:30", 90}, "course.rrule"},
		{"no start", Course{"FREQ=WEEKLY", "", 90}, "course.dtstart"},
		{"start without a time", Course{"FREQ=WEEKLY", "2026-03-02", 90}, "course.dtstart"},
		{"start in another century", Course{"FREQ=WEEKLY", "1926-03-02T18:30", 90}, "course.dtstart"},
		{"no length", Course{"FREQ=WEEKLY", "2026-03-02T18:30", 0}, "course.duration_minutes"},
		{"longer than a day", Course{"FREQ=WEEKLY", "2026-03-02T18:30", 1441}, "course.duration_minutes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			course := c.course
			err := course.Normalise("course")
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if strings.HasPrefix(course.RRule, "RRULE:") || course.RRule != strings.ToUpper(course.RRule) {
					t.Errorf("rule kept as %q", course.RRule)
				}
				return
			}
			e, ok := err.(*oikos.Error)
			if !ok || e.Code != oikos.EINVALID || e.Fields[c.field] == "" {
				t.Fatalf("got %v, want a problem with %s", err, c.field)
			}
		})
	}
}

func TestHSDS(t *testing.T) {
	s, ok := Course{"FREQ=WEEKLY;COUNT=10", "2026-03-02T18:30", 90}.HSDS()
	if !ok {
		t.Fatal("not mapped")
	}
	want := Schedule{Freq: "WEEKLY", Count: 10, Dtstart: "2026-03-02", ValidFrom: "2026-03-02", ValidTo: "2026-05-04",
		OpensAt: "18:30", ClosesAt: "20:00", Timezone: 0}
	if s != want {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
	s, _ = Course{"FREQ=MONTHLY;BYDAY=1MO;INTERVAL=1", "2026-06-01T14:00", 60}.HSDS()
	if s.Byday != "1MO" || s.Interval != 1 || s.ValidTo != "" || s.Timezone != 1 {
		t.Errorf("monthly: %+v", s)
	}
	s, _ = Course{"FREQ=WEEKLY;UNTIL=20260126", "2026-01-05T19:30", 60}.HSDS()
	if s.Until != "2026-01-26" || s.ValidTo != "2026-01-26" {
		t.Errorf("until: %+v", s)
	}
	if _, ok := (Course{"FREQ=NEVER", "2026-01-05T19:30", 60}).HSDS(); ok {
		t.Error("a malformed course was mapped")
	}
}

// A rule that can never meet (every twelfth month from February, on the
// 30th) is refused quickly rather than searched for ever.
func TestImpossibleRuleIsRefusedQuickly(t *testing.T) {
	start := time.Now()
	c := Course{"FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30", "2026-02-01T10:00", 60}
	if err := c.Normalise("course"); err == nil {
		t.Error("a rule that never meets was accepted")
	}
	c = Course{"FREQ=DAILY;INTERVAL=7;BYDAY=TU", "2026-01-05T10:00", 60}
	if err := c.Normalise("course"); err == nil {
		t.Error("a daily rule that never meets was accepted")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"FREQ=WEEKLY;COUNT=10", "FREQ=MONTHLY;BYDAY=1MO", "RRULE:FREQ=DAILY;UNTIL=20260601T000000Z", "FREQ=MONTHLY;BYMONTHDAY=-1,15", ";;=", "FREQ=WEEKLY;BYDAY=-5SU,+2MO"} {
		f.Add(s, "2026-03-02T18:30", 60)
	}
	f.Fuzz(func(t *testing.T, rule, start string, minutes int) {
		c := Course{RRule: rule, Start: start, Minutes: minutes}
		err := c.Normalise("course")
		if err != nil {
			if oikos.ErrorCode(err) != oikos.EINVALID {
				t.Fatalf("%q: %v", rule, err)
			}
			return
		}
		// What is accepted gives sessions, in order, of the stated length.
		s := c.Next(uk("2000-01-01T00:00"), 5)
		if len(s) == 0 {
			t.Fatalf("%q accepted but gives no session", c.RRule)
		}
		for i := range s {
			if s[i].Ends.Sub(s[i].Starts) != time.Duration(c.Minutes)*time.Minute || (i > 0 && !s[i].Starts.After(s[i-1].Starts)) {
				t.Fatalf("%q: sessions %v", c.RRule, s)
			}
		}
		if _, ok := c.HSDS(); !ok {
			t.Fatalf("%q accepted but cannot be published", c.RRule)
		}
	})
}
