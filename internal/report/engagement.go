package report

import (
	"context"
	"encoding/csv"
	"io"
	"sort"
	"strings"

	"oikos/internal/connection"
	"oikos/internal/db"
)

// Engagement is how people connected to community services took part, per
// provider organisation and per service, for a period: connections
// received, accepted, attended at least once and completed, and the median
// days from sending to the first session attended. Counts are of people
// connected, so a count of 1 to 4 is null and its path listed in
// Suppressed (ProtectEngagement).
type Engagement struct {
	From          string           `json:"from"`
	To            string           `json:"to"`
	Organisations []EngagementLine `json:"organisations"`
	Services      []EngagementLine `json:"services"`
	Suppressed    []string         `json:"suppressed"`
}

// EngagementLine is one organisation or one service. Received, Accepted,
// Attended and Completed are nested counts of the same connections (every
// completed one was accepted), not parts of a whole.
type EngagementLine struct {
	ServiceID          string   `json:"service_id,omitempty"`
	ServiceName        string   `json:"service_name,omitempty"`
	OrganisationID     string   `json:"organisation_id"`
	OrganisationName   string   `json:"organisation_name"`
	Received           *int     `json:"received"`
	Accepted           *int     `json:"accepted"`
	Attended           *int     `json:"attended_at_least_once"`
	Completed          *int     `json:"completed"`
	MedianDaysToAttend *float64 `json:"median_days_to_first_attendance"`
}

// EngagementColumns are the counts of a line, as named in the JSON.
var EngagementColumns = []string{"received", "accepted", "attended_at_least_once", "completed"}

func (l *EngagementLine) counts() []**int {
	return []**int{&l.Received, &l.Accepted, &l.Attended, &l.Completed}
}

// EngagementReport counts the engagement figures for connections sent in
// the period, hides small numbers and records the read.
func EngagementReport(ctx context.Context, d *db.DB, p Period, by Viewer) (Engagement, error) {
	from, to := p.days()
	f, err := connection.NewStore(d, "").ServiceFigures(ctx, p.From, p.To.AddDate(0, 0, 1))
	if err != nil {
		return Engagement{}, err
	}
	e := ProtectEngagement(f, from, to)
	return e, recordRead(ctx, d, by, "engagement:"+from+".."+to)
}

// ProtectEngagement publishes figures with disclosure control:
//
//   - in every line, each count of 1 to 4 is hidden; the median days is
//     hidden too when fewer than 5 attended (a median of one or two people
//     is their own wait). The counts of a line are nested, not a partition,
//     so they are protected one by one.
//   - an organisation's count in a column is the sum of its services' counts
//     in that column, so each column of an organisation's services is a
//     group under ProtectGroup: where the organisation's count minus the
//     shown services would give away one hidden service cell (or pin hidden
//     cells adding up to under 5), the next smallest service cell in that
//     column is hidden as well. The organisation's own count is hidden only
//     when it is small itself or when every non-zero service cell is hidden
//     and the total alone would give them away (ExposedTotal). So this hides
//     the next smallest service cell, not the organisation's cell.
func ProtectEngagement(f connection.Figures, from, to string) Engagement {
	e := Engagement{From: from, To: to, Organisations: []EngagementLine{}, Services: []EngagementLine{}, Suppressed: []string{}}
	line := func(g connection.Figure) EngagementLine {
		l := EngagementLine{ServiceID: g.ServiceID, ServiceName: g.ServiceName, OrganisationID: g.OrganisationID,
			OrganisationName: g.OrganisationName, MedianDaysToAttend: g.MedianDaysToAttend}
		for i, n := range []int{g.Received, g.Accepted, g.AttendedOnce, g.Completed} {
			*l.counts()[i] = &n
		}
		if g.AttendedOnce < MinCount {
			l.MedianDaysToAttend = nil
		}
		return l
	}
	hidden := map[string]bool{}
	svcPath := func(l EngagementLine, col string) string { return "services." + l.ServiceID + "." + col }
	orgPath := func(l EngagementLine, col string) string { return "organisations." + l.OrganisationID + "." + col }
	byOrg := map[string][]int{} // organisation ID: indexes of its services
	for _, g := range f.Services {
		e.Services = append(e.Services, line(g))
		byOrg[g.OrganisationID] = append(byOrg[g.OrganisationID], len(e.Services)-1)
	}
	for _, g := range f.Organisations {
		org := line(g)
		for c, col := range EngagementColumns {
			var cells []Cell
			for _, i := range byOrg[g.OrganisationID] {
				cells = append(cells, Cell{Path: svcPath(e.Services[i], col), Count: **e.Services[i].counts()[c]})
			}
			for _, p := range ProtectGroup(cells) {
				hidden[p] = true
			}
			if n := **org.counts()[c]; Small(n) || ExposedTotal(cells) {
				hidden[orgPath(org, col)] = true
			}
		}
		e.Organisations = append(e.Organisations, org)
	}
	// Services whose organisation has no line (none in practice: both come
	// from the same connections) are still protected cell by cell.
	for _, l := range e.Services {
		for c, col := range EngagementColumns {
			if Small(**l.counts()[c]) {
				hidden[svcPath(l, col)] = true
			}
		}
	}
	apply := func(lines []EngagementLine, path func(EngagementLine, string) string) {
		for i := range lines {
			for c, col := range EngagementColumns {
				if p := path(lines[i], col); hidden[p] {
					*lines[i].counts()[c] = nil
					e.Suppressed = append(e.Suppressed, p)
				}
			}
		}
	}
	apply(e.Organisations, orgPath)
	apply(e.Services, svcPath)
	sort.Strings(e.Suppressed)
	return e
}

// WriteCSV writes one row per organisation, then one per service: the same
// figures as the JSON, a hidden count empty and named in the note.
func (e Engagement) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(append(append([]string{"list", "organisation_id", "organisation", "service_id", "service"}, EngagementColumns...),
		"median_days_to_first_attendance", "note"))
	row := func(list string, l EngagementLine) {
		rec := []string{list, l.OrganisationID, l.OrganisationName, l.ServiceID, l.ServiceName}
		var hiddenCols []string
		for c, n := range l.counts() {
			rec = append(rec, NumberText(*n))
			if *n == nil {
				hiddenCols = append(hiddenCols, EngagementColumns[c])
			}
		}
		note := ""
		if len(hiddenCols) > 0 {
			note = NoteSuppressed + ": " + strings.Join(hiddenCols, " ")
		}
		cw.Write(append(rec, NumberText(l.MedianDaysToAttend), note))
	}
	for _, l := range e.Organisations {
		row("organisation", l)
	}
	for _, l := range e.Services {
		row("service", l)
	}
	cw.Flush()
	return cw.Error()
}
