package course

import (
	"oikos"
	"testing"
	"time"
)

func TestFromPattern(t *testing.T) {
	for _, c := range []struct {
		pattern, start string
		sessions       int
		rule, first3   string
	}{
		{EveryWeek, "2026-03-02T18:30", 10, "FREQ=WEEKLY;COUNT=10", "2026-03-02 2026-03-09 2026-03-16"},
		{EveryTwoWeeks, "2026-03-02T18:30", 0, "FREQ=WEEKLY;INTERVAL=2", "2026-03-02 2026-03-16 2026-03-30"},
		{MonthlyByWeekday, "2026-03-02T10:00", 6, "FREQ=MONTHLY;BYDAY=1MO;COUNT=6", "2026-03-02 2026-04-06 2026-05-04"},
		{MonthlyByWeekday, "2026-03-30T10:00", 0, "FREQ=MONTHLY;BYDAY=-1MO", "2026-03-30 2026-04-27 2026-05-25"},
		{MonthlyByWeekday, "2026-03-23T10:00", 0, "FREQ=MONTHLY;BYDAY=4MO", "2026-03-23 2026-04-27 2026-05-25"},
		{MonthlyByDate, "2026-03-14T10:00", 3, "FREQ=MONTHLY;BYMONTHDAY=14;COUNT=3", "2026-03-14 2026-04-14 2026-05-14"},
	} {
		got, err := FromPattern(c.pattern, c.start, 60, c.sessions)
		if err != nil || got.RRule != c.rule {
			t.Errorf("%s from %s: %q, %v; want %q", c.pattern, c.start, got.RRule, err, c.rule)
			continue
		}
		if err := got.Normalise("course"); err != nil {
			t.Errorf("%s: %v", c.rule, err)
		}
		var days string
		for i, s := range got.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, Zone), 3) {
			if i > 0 {
				days += " "
			}
			days += s.Starts.In(Zone).Format(time.DateOnly)
		}
		if days != c.first3 {
			t.Errorf("%s: first sessions %s, want %s", c.rule, days, c.first3)
		}
		if p, n, ok := PatternOf(got); !ok || p != c.pattern || n != c.sessions {
			t.Errorf("%s read back as %s, %d, %v", c.rule, p, n, ok)
		}
	}
	if _, err := FromPattern("hourly", "2026-03-02T10:00", 60, 0); err == nil || err.(*oikos.Error).Fields["repeat"] == "" {
		t.Errorf("an unknown repeat: %v", err)
	}
	if _, err := FromPattern(EveryWeek, "2026-03-02T10:00", 60, MaxCount+1); err == nil || err.(*oikos.Error).Fields["sessions"] == "" {
		t.Errorf("too many sessions: %v", err)
	}
	if _, _, ok := PatternOf(Course{RRule: "FREQ=DAILY;COUNT=5", Start: "2026-03-02T10:00", Minutes: 60}); ok {
		t.Error("a daily rule reads as an editor's repeat")
	}
}

func FuzzFromPattern(f *testing.F) {
	f.Add("weekly", "2026-03-02T18:30", 60, 10)
	f.Add("monthly_weekday", "2026-03-30T10:00", 90, 0)
	f.Fuzz(func(t *testing.T, pattern, start string, minutes, sessions int) {
		c, err := FromPattern(pattern, start, minutes, sessions)
		if err != nil || c.RRule == "" {
			return
		}
		if err := c.Normalise(""); err == nil {
			if p, n, ok := PatternOf(c); !ok || p != pattern || n != sessions {
				t.Fatalf("%+v read back as %s, %d, %v", c, p, n, ok)
			}
		}
	})
}
