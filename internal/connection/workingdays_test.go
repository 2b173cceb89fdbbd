package connection

import (
	"testing"
	"time"
)

// TestOverdue: a connection is flagged on the fifth working day after the
// day it was sent, whatever day of the week that was; weekends do not
// count, and an answer of any kind ends the wait.
func TestOverdue(t *testing.T) {
	// 2 March 2026 is a Monday.
	day := func(d int) time.Time { return time.Date(2026, 3, d, 11, 0, 0, 0, time.UTC) }
	cases := []struct {
		name          string
		st            Status
		sent          time.Time
		notYet, flags time.Time
	}{
		{"sent Monday", Sent, day(2), day(6), day(9)},
		{"sent Wednesday", Sent, day(4), day(10), day(11)},
		{"sent Friday", Sent, day(6), day(12), day(13)},
		// Sent at the weekend: the wait starts on Monday, so the fifth
		// working day is the Friday.
		{"sent Saturday", Sent, day(7), day(12), day(13)},
		{"sent Sunday", Sent, day(8), day(12), day(13)},
		{"a late Sunday evening in summer time is Monday in the UK", Sent, time.Date(2026, 6, 7, 23, 30, 0, 0, time.UTC),
			time.Date(2026, 6, 12, 12, 0, 0, 0, time.UTC), time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		conn := Connection{Status: c.st, CreatedAt: c.sent}
		if Overdue(conn, c.notYet) {
			t.Errorf("%s: flagged already on %s (%d working days)", c.name, c.notYet.Weekday(), WaitingDays(conn, c.notYet))
		}
		if !Overdue(conn, c.flags) {
			t.Errorf("%s: not flagged on %s %s (%d working days)", c.name, c.flags.Weekday(), c.flags.Format(time.DateOnly), WaitingDays(conn, c.flags))
		}
	}
	for _, st := range []Status{Accepted, Waitlisted, Declined, Completed, Dropped} {
		conn := Connection{Status: st, CreatedAt: day(2)}
		if Overdue(conn, day(30)) || WaitingDays(conn, day(30)) != 0 {
			t.Errorf("%s: an answered connection is flagged as waiting", st)
		}
	}
}

func TestWaitingDaysOverWeekends(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 11, 0, 0, 0, time.UTC) }
	cases := []struct {
		sent, now time.Time
		want      int
	}{
		{day(6), day(7), 0},   // Friday to Saturday
		{day(6), day(8), 0},   // Friday to Sunday
		{day(6), day(9), 1},   // Friday to Monday
		{day(7), day(8), 0},   // Saturday to Sunday
		{day(8), day(9), 1},   // Sunday to Monday
		{day(2), day(16), 10}, // two whole weeks
		{day(2), day(22), 14}, // to the third Sunday
	}
	for _, c := range cases {
		got := WaitingDays(Connection{Status: Sent, CreatedAt: c.sent}, c.now)
		if got != c.want {
			t.Errorf("%s %s to %s %s: got %d working days, want %d", c.sent.Weekday(), c.sent.Format(time.DateOnly),
				c.now.Weekday(), c.now.Format(time.DateOnly), got, c.want)
		}
	}
}
