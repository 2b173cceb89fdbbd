package web

import (
	"fmt"
	"time"
)

// Dates and times as people read them, in the UK's time.

const dayFormat = "2 January 2006"

func formatDate(s string) string {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Format(dayFormat)
	}
	return s
}

// ukDay shows an instant as a UK date, with the time when one was given
// (a contact recorded by date alone is at midnight UTC).
func ukDay(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.UTC().Format(dayFormat)
	}
	loc := londonTime
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 January 2006 at 3:04pm")
}

// minutes says how long a contact lasted, in words.
func minutes(n int) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case n <= 0:
		return ""
	case n < 60:
		return plural(n, "minute")
	case n%60 == 0:
		return plural(n/60, "hour")
	}
	return plural(n/60, "hour") + " " + plural(n%60, "minute")
}

func ukToday() string {
	loc := londonTime
	if loc == nil {
		loc = time.UTC
	}
	return time.Now().In(loc).Format(time.DateOnly)
}

// longDate shows a YYYY-MM-DD date as people write it: 2 March 2026.
func longDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if londonTime != nil {
		t = t.In(londonTime)
	}
	return t.Format("2 January 2006")
}

// shortDay labels a point along a chart's bottom: 4 Mar 2026.
func shortDay(t time.Time) string {
	if londonTime != nil {
		t = t.In(londonTime)
	}
	return t.Format("2 Jan 2006")
}

// when is the "when" template function, for text built in Go.
var when = templateFuncs["when"].(func(time.Time) string)

var londonTime, _ = time.LoadLocation("Europe/London")
