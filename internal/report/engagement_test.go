package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"oikos/internal/connection"
)

func TestProtectEngagement(t *testing.T) {
	days := func(v float64) *float64 { return &v }
	svc := func(id, org string, rec, acc, att, done int, median *float64) connection.Figure {
		return connection.Figure{ServiceID: id, ServiceName: id, OrganisationID: org, OrganisationName: org,
			Received: rec, Accepted: acc, AttendedOnce: att, Completed: done, MedianDaysToAttend: median}
	}
	org := func(id string, rec, acc, att, done int, median *float64) connection.Figure {
		return connection.Figure{OrganisationID: id, OrganisationName: id,
			Received: rec, Accepted: acc, AttendedOnce: att, Completed: done, MedianDaysToAttend: median}
	}
	for _, tc := range []struct {
		name       string
		figures    connection.Figures
		suppressed []string
		medians    map[string]bool // line ID: median shown
	}{
		{"nothing small", connection.Figures{
			Services:      []connection.Figure{svc("a", "o", 20, 10, 8, 5, days(4))},
			Organisations: []connection.Figure{org("o", 20, 10, 8, 5, days(4))},
		}, []string{}, map[string]bool{"a": true, "o": true}},
		{"zero is shown, small hidden with the median", connection.Figures{
			Services:      []connection.Figure{svc("a", "o", 12, 6, 3, 0, days(2))},
			Organisations: []connection.Figure{org("o", 12, 6, 3, 0, days(2))},
		}, []string{"organisations.o.attended_at_least_once", "services.a.attended_at_least_once"}, map[string]bool{"a": false, "o": false}},
		{"one hidden service cell: the next smallest in its column is hidden too", connection.Figures{
			Services: []connection.Figure{svc("a", "o", 3, 0, 0, 0, nil), svc("b", "o", 9, 0, 0, 0, nil), svc("c", "o", 30, 0, 0, 0, nil)},
			// 42 - 9 - 30 would give a's 3 away.
			Organisations: []connection.Figure{org("o", 42, 0, 0, 0, nil)},
		}, []string{"services.a.received", "services.b.received"}, nil},
		{"hidden cells adding up to under 5: another is hidden", connection.Figures{
			Services:      []connection.Figure{svc("a", "o", 1, 0, 0, 0, nil), svc("b", "o", 2, 0, 0, 0, nil), svc("c", "o", 6, 0, 0, 0, nil), svc("d", "o", 40, 0, 0, 0, nil)},
			Organisations: []connection.Figure{org("o", 49, 0, 0, 0, nil)},
		}, []string{"services.a.received", "services.b.received", "services.c.received"}, nil},
		{"a shown nested count pins the pair: the organisation's count is hidden", connection.Figures{
			// received: 15 - the walk's at least 14 accepted leaves the talk 1.
			Services:      []connection.Figure{svc("a", "o", 1, 0, 0, 0, nil), svc("b", "o", 14, 14, 9, 6, days(3))},
			Organisations: []connection.Figure{org("o", 15, 14, 9, 6, days(3))},
		}, []string{"organisations.o.received", "services.a.received", "services.b.received"}, map[string]bool{"b": true, "o": true}},
		{"a shown nested count pins the pair: a third service is hidden", connection.Figures{
			Services:      []connection.Figure{svc("a", "o", 1, 0, 0, 0, nil), svc("b", "o", 14, 14, 9, 6, nil), svc("c", "o", 20, 0, 0, 0, nil)},
			Organisations: []connection.Figure{org("o", 35, 14, 9, 6, nil)},
		}, []string{"services.a.received", "services.b.received", "services.c.received"}, nil},
		{"the organisation's only service: both small cells hidden", connection.Figures{
			Services:      []connection.Figure{svc("a", "o", 4, 2, 0, 0, nil), svc("x", "p", 7, 7, 6, 5, days(1.5))},
			Organisations: []connection.Figure{org("o", 4, 2, 0, 0, nil), org("p", 7, 7, 6, 5, days(1.5))},
		}, []string{"organisations.o.accepted", "organisations.o.received", "services.a.accepted", "services.a.received"}, map[string]bool{"x": true, "p": true}},
		{"every service cell hidden: the organisation's total is exposed", connection.Figures{
			Services: []connection.Figure{svc("a", "o", 1, 0, 0, 0, nil), svc("b", "o", 1, 0, 0, 0, nil), svc("c", "o", 1, 0, 0, 0, nil),
				svc("d", "o", 1, 0, 0, 0, nil), svc("e", "o", 1, 0, 0, 0, nil)},
			Organisations: []connection.Figure{org("o", 5, 0, 0, 0, nil)},
		}, []string{"organisations.o.received", "services.a.received", "services.b.received", "services.c.received", "services.d.received", "services.e.received"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ProtectEngagement(tc.figures, "2026-04-01", "2027-03-31")
			if !reflect.DeepEqual(e.Suppressed, tc.suppressed) {
				t.Errorf("suppressed %v, want %v", e.Suppressed, tc.suppressed)
			}
			hidden := map[string]bool{}
			for _, p := range e.Suppressed {
				hidden[p] = true
			}
			check := func(list string, l EngagementLine, id string) {
				for c, n := range l.counts() {
					if p := list + "." + id + "." + EngagementColumns[c]; (*n == nil) != hidden[p] {
						t.Errorf("%s null %v, listed %v", p, *n == nil, hidden[p])
					}
				}
				if want, ok := tc.medians[id]; ok && (l.MedianDaysToAttend != nil) != want {
					t.Errorf("%s median %v, want shown %v", id, l.MedianDaysToAttend, want)
				}
			}
			for _, l := range e.Services {
				check("services", l, l.ServiceID)
			}
			for _, l := range e.Organisations {
				check("organisations", l, l.OrganisationID)
			}
		})
	}
}

func TestEngagementCSV(t *testing.T) {
	e := ProtectEngagement(connection.Figures{
		Services:      []connection.Figure{{ServiceID: "svc_a", ServiceName: "Walk, by the river", OrganisationID: "org_o", OrganisationName: "Walkers", Received: 12, Accepted: 3, AttendedOnce: 0}},
		Organisations: []connection.Figure{{OrganisationID: "org_o", OrganisationName: "Walkers", Received: 12, Accepted: 3}},
	}, "2026-04-01", "2027-03-31")
	var b bytes.Buffer
	if err := e.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := `list,organisation_id,organisation,service_id,service,received,accepted,attended_at_least_once,completed,median_days_to_first_attendance,note
organisation,org_o,Walkers,,,12,,0,0,,hidden: accepted
service,org_o,Walkers,svc_a,"Walk, by the river",12,,0,0,,hidden: accepted
`
	if got := b.String(); got != want {
		t.Errorf("csv:\n%s\nwant:\n%s", got, strings.TrimSpace(want))
	}
}

// TestCSVCellsAreText: names a provider typed (outside input) that a
// spreadsheet would run as a formula come out as text, and figures as
// numbers.
func TestCSVCellsAreText(t *testing.T) {
	e := ProtectEngagement(connection.Figures{
		Services: []connection.Figure{{ServiceID: "svc_a", ServiceName: `=HYPERLINK("http://evil.example","Walks")`, OrganisationID: "org_o",
			OrganisationName: "@Walkers", Received: 12, Accepted: 6}},
		Organisations: []connection.Figure{{OrganisationID: "org_o", OrganisationName: "@Walkers", Received: 12, Accepted: 6}},
	}, "2026-04-01", "2027-03-31")
	var b bytes.Buffer
	if err := e.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := `list,organisation_id,organisation,service_id,service,received,accepted,attended_at_least_once,completed,median_days_to_first_attendance,note
organisation,org_o,'@Walkers,,,12,6,0,0,,
service,org_o,'@Walkers,svc_a,"'=HYPERLINK(""http://evil.example"",""Walks"")",12,6,0,0,,
`
	if got := b.String(); got != want {
		t.Errorf("csv:\n%s\nwant:\n%s", got, strings.TrimSpace(want))
	}
}
