package connection

import (
	"testing"
	"time"

	"oikos"
)

func code(err error) string {
	if err == nil {
		return ""
	}
	return oikos.ErrorCode(err)
}

func TestCheckDecision(t *testing.T) {
	cases := []struct {
		from, decision Status
		reason, want   string
	}{
		{Sent, Accepted, "", ""},
		{Sent, Waitlisted, "", ""},
		{Sent, Declined, "full until spring", ""},
		{Sent, Declined, "  ", oikos.EINVALID},
		{Sent, "maybe", "", oikos.EINVALID},
		{Sent, Completed, "", oikos.EINVALID},
		{Waitlisted, Accepted, "", ""},
		{Waitlisted, Declined, "closing", ""},
		{Waitlisted, Waitlisted, "", oikos.ECONFLICT},
		{Accepted, Accepted, "", oikos.ECONFLICT},
		{Accepted, Declined, "changed our minds", oikos.ECONFLICT},
		{Declined, Accepted, "", oikos.ECONFLICT},
		{Completed, Accepted, "", oikos.ECONFLICT},
		{Dropped, Waitlisted, "", oikos.ECONFLICT},
	}
	for _, c := range cases {
		if got := code(CheckDecision(c.from, c.decision, c.reason)); got != c.want {
			t.Errorf("%s → %s (%q): got %q, want %q", c.from, c.decision, c.reason, got, c.want)
		}
	}
}

func TestCheckAttendanceAndClose(t *testing.T) {
	attendance := map[Status]string{Sent: oikos.ECONFLICT, Accepted: "", Declined: oikos.ECONFLICT, Waitlisted: oikos.ECONFLICT,
		Completed: oikos.ECONFLICT, Dropped: oikos.ECONFLICT}
	for from, want := range attendance {
		if got := code(CheckAttendance(from)); got != want {
			t.Errorf("attendance when %s: got %q, want %q", from, got, want)
		}
	}
	closing := []struct {
		from, to Status
		want     string
	}{
		{Accepted, Completed, ""},
		{Accepted, Dropped, ""},
		{Accepted, Declined, oikos.EINVALID},
		{Accepted, "attending", oikos.EINVALID},
		{Sent, Completed, oikos.ECONFLICT},
		{Waitlisted, Dropped, oikos.ECONFLICT},
		{Declined, Completed, oikos.ECONFLICT},
		{Completed, Dropped, oikos.ECONFLICT},
		{Dropped, Dropped, oikos.ECONFLICT},
	}
	for _, c := range closing {
		if got := code(CheckClose(c.from, c.to)); got != c.want {
			t.Errorf("%s → %s: got %q, want %q", c.from, c.to, got, c.want)
		}
	}
}

func TestParseSessionDate(t *testing.T) {
	made := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	// 23:30 UTC on 29 March 2026 is already 30 March in the UK (BST).
	now := time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC)
	cases := []struct{ in, want, problem string }{
		{"2026-03-10", "2026-03-10", ""},
		{" 2026-03-02 ", "2026-03-02", ""},
		{"2026-03-30", "2026-03-30", ""},
		{"2026-03-31", "", "The date must be today or in the past."},
		{"2026-03-01", "", "The date must be on or after the day the connection was made."},
		{"", "", "Enter the date of the session."},
		{"10/03/2026", "", "Enter a real date, like 2026-03-27."},
		{"2026-02-30", "", "Enter a real date, like 2026-03-27."},
	}
	for _, c := range cases {
		got, problem := ParseSessionDate(c.in, made, now)
		if got != c.want || problem != c.problem {
			t.Errorf("%q: got %q %q, want %q %q", c.in, got, problem, c.want, c.problem)
		}
	}
}

func TestMayRecord(t *testing.T) {
	cases := []struct {
		role string
		kind Kind
		what What
		want bool
	}{
		{"provider", Supported, RecordDecision, true},
		{"provider", Signpost, RecordAttendance, true},
		{"manager", ActiveSignpost, RecordClose, true},
		{"link_worker", Signpost, RecordDecision, true},
		{"link_worker", Signpost, RecordAttendance, true},
		{"link_worker", Signpost, RecordClose, true},
		{"link_worker", ActiveSignpost, RecordAttendance, false},
		{"link_worker", Supported, RecordDecision, false},
		{"link_worker", Signpost, RecordUpdate, false},
		{"provider", Supported, RecordUpdate, true},
		{"referrer", Signpost, RecordAttendance, false},
		{"admin", Signpost, RecordDecision, false},
		{"", Signpost, RecordDecision, false},
	}
	for _, c := range cases {
		if got := MayRecord(c.role, c.kind, c.what); got != c.want {
			t.Errorf("%s %s %d: got %v", c.role, c.kind, c.what, got)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	d := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
	// 2 March 2026 is a Monday; 6 March a Friday.
	cases := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"same day", d(2, 9), d(2, 17), 0},
		{"next day", d(2, 17), d(3, 9), 1},
		{"Friday to Monday", d(6, 9), d(9, 9), 1},
		{"Friday to Saturday", d(6, 9), d(7, 9), 0},
		{"Saturday to Sunday", d(7, 9), d(8, 9), 0},
		{"Saturday to Monday", d(7, 9), d(9, 9), 1},
		{"Monday to Monday", d(2, 9), d(9, 9), 5},
		{"Friday to Friday", d(6, 9), d(13, 9), 5},
		{"Friday to Thursday", d(6, 9), d(12, 9), 4},
		{"two weeks and a day", d(2, 9), d(17, 9), 11},
		{"backwards", d(9, 9), d(2, 9), 0},
		// 23:30 UTC on Friday 27 March is still Friday in the UK (GMT);
		// 23:30 UTC on Sunday 29 March is Monday 30th in BST.
		{"across the clocks going forward", d(27, 23), time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC), 1},
	}
	for _, c := range cases {
		if got := WorkingDaysBetween(c.from, c.to); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestNeedsChasing(t *testing.T) {
	mon := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		st   Status
		now  time.Time
		want bool
	}{
		{Sent, mon.AddDate(0, 0, 4), false},
		{Sent, mon.AddDate(0, 0, 7), true},
		{Waitlisted, mon.AddDate(0, 0, 30), false},
		{Accepted, mon.AddDate(0, 0, 30), false},
	}
	for _, c := range cases {
		if got := NeedsChasing(c.st, mon, c.now); got != c.want {
			t.Errorf("%s after %v: got %v", c.st, c.now.Sub(mon), got)
		}
	}
}

func TestMedianAndTally(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want float64
	}{{[]int{3}, 3}, {[]int{5, 1, 3}, 3}, {[]int{4, 1, 3, 10}, 3.5}} {
		if got := Median(c.in); got == nil || *got != c.want {
			t.Errorf("median %v: got %v", c.in, got)
		}
	}
	if Median(nil) != nil {
		t.Error("median of nothing should be nil")
	}
	sent := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	day := func(n int) *time.Time { t := time.Date(2026, 3, 2+n, 0, 0, 0, 0, time.UTC); return &t }
	f := Tally([]FigureRow{
		{ServiceID: "s1", ServiceName: "Walk", OrganisationID: "o1", OrganisationName: "Ramblers", Status: Completed, Sent: sent, FirstAttended: day(2)},
		{ServiceID: "s1", ServiceName: "Walk", OrganisationID: "o1", OrganisationName: "Ramblers", Status: Accepted, Sent: sent, FirstAttended: day(6)},
		{ServiceID: "s1", ServiceName: "Walk", OrganisationID: "o1", OrganisationName: "Ramblers", Status: Declined, Sent: sent},
		{ServiceID: "s2", ServiceName: "Choir", OrganisationID: "o1", OrganisationName: "Ramblers", Status: Sent, Sent: sent},
	})
	if len(f.Services) != 2 || len(f.Organisations) != 1 {
		t.Fatalf("%+v", f)
	}
	walk, choir, org := f.Services[1], f.Services[0], f.Organisations[0]
	if walk.Received != 3 || walk.Accepted != 2 || walk.AttendedOnce != 2 || walk.Completed != 1 || *walk.MedianDaysToAttend != 4 {
		t.Errorf("walk %+v", walk)
	}
	if choir.Received != 1 || choir.Accepted != 0 || choir.MedianDaysToAttend != nil {
		t.Errorf("choir %+v", choir)
	}
	if org.Received != 4 || org.Accepted != 2 || org.ServiceID != "" {
		t.Errorf("org %+v", org)
	}
}
