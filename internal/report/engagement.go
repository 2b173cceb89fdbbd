package report

import (
	"context"
	"io"
	"slices"
	"sort"
	"strings"

	"oikos/internal/connection"
	"oikos/internal/csvsafe"
	"oikos/internal/db"
)

// Engagement is how people connected to community services took part, per
// provider organisation and per service, for a period: connections
// received, accepted, attended at least once and completed, and the median
// days from sending to the first session attended. Counts are of people
// connected, so a count of 1 to 4 is null and its path listed in
// Suppressed (ProtectEngagement).
type Engagement struct {
	Period        PeriodJSON       `json:"period"`
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
// the period, month by month, hides small numbers and records the read.
func EngagementReport(ctx context.Context, d *db.DB, p Period, by Viewer) (Engagement, error) {
	store := connection.NewStore(d, "")
	var months []connection.Figures
	p.Scheme = by.SchemeID
	for _, m := range p.Months() {
		f, err := store.ServiceFigures(ctx, p.Scheme, m.From, m.To.AddDate(0, 0, 1))
		if err != nil {
			return Engagement{}, err
		}
		months = append(months, f)
	}
	// The medians, which months do not add up to.
	whole, err := store.ServiceFigures(ctx, p.Scheme, p.From, p.To.AddDate(0, 0, 1))
	if err != nil {
		return Engagement{}, err
	}
	e := PublishEngagement(p, months, whole)
	return e, recordRead(ctx, d, by, "engagement:"+e.From+".."+e.To)
}

// PublishEngagement makes the report of a period from its months'
// figures: each count the sum of the months', hidden where any month
// hides it (ProtectEngagement, see Period). The medians come from whole,
// the figures of the whole period, shown where at least 5 attended and
// the count of those who attended is shown.
func PublishEngagement(p Period, months []connection.Figures, whole connection.Figures) Engagement {
	from, to := p.days()
	hidden := map[string]bool{}
	for _, m := range months {
		for _, path := range ProtectEngagement(m, from, to).Suppressed {
			hidden[path] = true
		}
	}
	sum := addFigures(months, whole)
	e := engagementLines(sum, from, to)
	e.Period = p.JSON()
	for i := range e.Services {
		if hidden[engagementPath("services", e.Services[i].ServiceID, "attended_at_least_once")] {
			e.Services[i].MedianDaysToAttend = nil
		}
	}
	for i := range e.Organisations {
		if hidden[engagementPath("organisations", e.Organisations[i].OrganisationID, "attended_at_least_once")] {
			e.Organisations[i].MedianDaysToAttend = nil
		}
	}
	e.hide(hidden)
	return e
}

// addFigures adds up months' figures, line by line, in the order and with
// the medians of whole (whose lines are those of every month together).
func addFigures(months []connection.Figures, whole connection.Figures) connection.Figures {
	type key struct{ svc, org string }
	sums := map[key]*connection.Figure{}
	for _, m := range months {
		for _, list := range [][]connection.Figure{m.Services, m.Organisations} {
			for _, f := range list {
				k := key{f.ServiceID, f.OrganisationID}
				if sums[k] == nil {
					sums[k] = &connection.Figure{}
				}
				s := sums[k]
				s.Received += f.Received
				s.Accepted += f.Accepted
				s.AttendedOnce += f.AttendedOnce
				s.Completed += f.Completed
			}
		}
	}
	out := connection.Figures{}
	line := func(f connection.Figure) connection.Figure {
		s := sums[key{f.ServiceID, f.OrganisationID}]
		if s == nil {
			s = &connection.Figure{}
		}
		f.Received, f.Accepted, f.AttendedOnce, f.Completed = s.Received, s.Accepted, s.AttendedOnce, s.Completed
		return f
	}
	for _, f := range whole.Services {
		out.Services = append(out.Services, line(f))
	}
	for _, f := range whole.Organisations {
		out.Organisations = append(out.Organisations, line(f))
	}
	return out
}

func engagementPath(list, id, col string) string { return list + "." + id + "." + col }

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
//   - a line's shown nested counts bound its hidden ones (pinned), so more
//     service cells are hidden, smallest first, until no hidden cell can be
//     worked out exactly from the organisation's count; if none is left to
//     hide, the organisation's count is hidden. Sums across columns of
//     different services are not checked further than this.
func ProtectEngagement(f connection.Figures, from, to string) Engagement {
	e := engagementLines(f, from, to)
	hidden := map[string]bool{}
	svcPath := func(l EngagementLine, col string) string { return engagementPath("services", l.ServiceID, col) }
	orgPath := func(l EngagementLine, col string) string {
		return engagementPath("organisations", l.OrganisationID, col)
	}
	byOrg := map[string][]int{} // organisation ID: indexes of its services
	for i, l := range e.Services {
		byOrg[l.OrganisationID] = append(byOrg[l.OrganisationID], i)
	}
	for _, org := range e.Organisations {
		for c, col := range EngagementColumns {
			var cells []Cell
			for _, i := range byOrg[org.OrganisationID] {
				cells = append(cells, Cell{Path: svcPath(e.Services[i], col), Count: **e.Services[i].counts()[c]})
			}
			for _, p := range ProtectGroup(cells) {
				hidden[p] = true
			}
			if n := **org.counts()[c]; Small(n) || ExposedTotal(cells) {
				hidden[orgPath(org, col)] = true
				continue
			}
			// The shown nested counts of a service bound its hidden ones
			// (accepted 14 shown: received is at least 14), which can pin a
			// hidden cell where ProtectGroup alone would not: hide more
			// until none is pinned.
			total := **org.counts()[c]
			rows := byOrg[org.OrganisationID]
			for pinned(cells, total, c, func(k int) [4]*int { return shownCounts(e.Services[rows[k]], hidden, svcPath) }) {
				next := -1
				for k, cell := range cells {
					if !cell.Suppressed && cell.Count > 0 && (next < 0 || cell.Count < cells[next].Count) {
						next = k
					}
				}
				if next < 0 {
					hidden[orgPath(org, col)] = true
					break
				}
				cells[next].Suppressed = true
				hidden[cells[next].Path] = true
			}
		}
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
	e.hide(hidden)
	return e
}

// engagementLines lays out the figures as the report's lines, nothing
// hidden yet but the medians of fewer than 5 who attended.
func engagementLines(f connection.Figures, from, to string) Engagement {
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
	for _, g := range f.Services {
		e.Services = append(e.Services, line(g))
	}
	for _, g := range f.Organisations {
		e.Organisations = append(e.Organisations, line(g))
	}
	return e
}

// hide blanks the counts hidden names and lists them in Suppressed.
func (e *Engagement) hide(hidden map[string]bool) {
	apply := func(list string, lines []EngagementLine, id func(EngagementLine) string) {
		for i := range lines {
			for c, col := range EngagementColumns {
				if p := engagementPath(list, id(lines[i]), col); hidden[p] {
					*lines[i].counts()[c] = nil
					e.Suppressed = append(e.Suppressed, p)
				}
			}
		}
	}
	apply("organisations", e.Organisations, func(l EngagementLine) string { return l.OrganisationID })
	apply("services", e.Services, func(l EngagementLine) string { return l.ServiceID })
	sort.Strings(e.Suppressed)
}

// nestedBelow lists, for each column, the columns whose counts can be no
// more than it: every accepted, attended or completed connection was
// received, and every completed one accepted. (Attending does not always
// follow accepting, nor completing attending.)
var nestedBelow = [4][]int{{1, 2, 3}, {3}, {}, {}}

// shownCounts is a line's counts as a reader sees them: nil when hidden.
func shownCounts(l EngagementLine, hidden map[string]bool, path func(EngagementLine, string) string) [4]*int {
	var out [4]*int
	for c, n := range l.counts() {
		if !hidden[path(l, EngagementColumns[c])] {
			out[c] = *n
		}
	}
	return out
}

// pinned reports whether a reader could work out a hidden cell of column c
// exactly: the hidden cells add up to total less the shown ones, and each
// lies between its bounds (at least 1 and its line's shown counts nested
// below it; at most its line's shown counts nested above it).
func pinned(cells []Cell, total, c int, shown func(k int) [4]*int) bool {
	const unbounded = 1 << 40
	sum := total
	lo, hi := make([]int, len(cells)), make([]int, len(cells))
	for k, cell := range cells {
		if !cell.Suppressed {
			sum -= cell.Count
			continue
		}
		row := shown(k)
		lo[k], hi[k] = 1, unbounded
		for _, b := range nestedBelow[c] {
			if row[b] != nil {
				lo[k] = max(lo[k], *row[b])
			}
		}
		for a, below := range nestedBelow {
			if slices.Contains(below, c) && row[a] != nil {
				hi[k] = min(hi[k], *row[a])
			}
		}
	}
	sumLo, sumHi, open := 0, 0, 0 // open: hidden cells with no upper bound
	for k, cell := range cells {
		if cell.Suppressed {
			sumLo += lo[k]
			if hi[k] == unbounded {
				open++
			} else {
				sumHi += hi[k]
			}
		}
	}
	for k, cell := range cells {
		if !cell.Suppressed {
			continue
		}
		upper := min(hi[k], sum-(sumLo-lo[k]))
		lower := lo[k]
		if othersOpen := open - btoi(hi[k] == unbounded); othersOpen == 0 {
			lower = max(lower, sum-(sumHi-hi[k]*btoi(hi[k] != unbounded)))
		}
		if upper <= lower {
			return true
		}
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// WriteCSV writes one row per organisation, then one per service: the same
// figures as the JSON, a hidden count empty and named in the note.
func (e Engagement) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
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
