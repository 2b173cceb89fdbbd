package connection

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"time"

	"oikos/internal/db"
)

// Figure counts the connections made to one service or one provider
// organisation in a period: how many were received, accepted, attended at
// least once and completed, and the median days from sending to the first
// session attended (nil when nobody has attended yet).
type Figure struct {
	ServiceID          string   `json:"service_id,omitempty"`
	ServiceName        string   `json:"service_name,omitempty"`
	OrganisationID     string   `json:"organisation_id"`
	OrganisationName   string   `json:"organisation_name"`
	Received           int      `json:"received"`
	Accepted           int      `json:"accepted"`
	AttendedOnce       int      `json:"attended_at_least_once"`
	Completed          int      `json:"completed"`
	MedianDaysToAttend *float64 `json:"median_days_to_first_attendance"`
}

// Figures are the engagement figures per service and per organisation,
// each list ordered by name.
type Figures struct {
	Services      []Figure `json:"services"`
	Organisations []Figure `json:"organisations"`
}

// FigureRow is one connection as the figures count it.
type FigureRow struct {
	ServiceID, ServiceName, OrganisationID, OrganisationName string
	Status                                                   Status
	Sent                                                     time.Time
	// FirstAttended is the day of the first session attended, if any.
	FirstAttended *time.Time
}

// ServiceFigures counts the connections of a scheme sent in [from, to). The counts
// are grouped in SQL, by service and status, and only attended connections
// come to Go, for the days to their first session (the sending day is the
// UK's, which SQL does not know). Both read migration 0023's index alone: a
// year of a national scheme is half a million connections, and fetching
// each row with its names took eight seconds.
func (s *Store) ServiceFigures(ctx context.Context, scheme string, from, to time.Time) (Figures, error) {
	t := newTally()
	err := s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		q, err := tx.QueryContext(ctx, `SELECT g.service_id, sv.name, g.organisation_id, o.name, g.status, g.attended, g.n
			FROM (SELECT service_id, organisation_id, status, CASE WHEN first_attended_at IS NULL THEN 0 ELSE 1 END AS attended, COUNT(*) AS n
				FROM connections WHERE scheme_id = $3 AND created_at >= $1 AND created_at < $2
				GROUP BY service_id, organisation_id, status, CASE WHEN first_attended_at IS NULL THEN 0 ELSE 1 END) g
			JOIN services sv ON sv.id = g.service_id JOIN organisations o ON o.id = g.organisation_id`, db.Millis(from), db.Millis(to), scheme)
		if err != nil {
			return err
		}
		defer q.Close()
		for q.Next() {
			var r FigureRow
			var attended, n int
			if err := q.Scan(&r.ServiceID, &r.ServiceName, &r.OrganisationID, &r.OrganisationName, &r.Status, &attended, &n); err != nil {
				return err
			}
			t.count(r, attended == 1, n)
		}
		if err := q.Err(); err != nil {
			return err
		}
		q.Close()
		q, err = tx.QueryContext(ctx, `SELECT service_id, organisation_id, created_at, first_attended_at FROM connections
			WHERE scheme_id = $3 AND created_at >= $1 AND created_at < $2 AND first_attended_at IS NOT NULL`, db.Millis(from), db.Millis(to), scheme)
		if err != nil {
			return err
		}
		defer q.Close()
		for q.Next() {
			var r FigureRow
			var sent, first int64
			if err := q.Scan(&r.ServiceID, &r.OrganisationID, &sent, &first); err != nil {
				return err
			}
			day := db.Time(first)
			r.Sent, r.FirstAttended = db.Time(sent), &day
			t.wait(r)
		}
		return q.Err()
	})
	if err != nil {
		return Figures{}, err
	}
	return t.figures(), nil
}

// everAccepted holds the statuses only an accepted connection reaches.
var everAccepted = []Status{Accepted, Completed, Dropped}

// Tally counts rows per service and per organisation.
func Tally(rows []FigureRow) Figures {
	t := newTally()
	for _, r := range rows {
		t.count(r, r.FirstAttended != nil, 1)
		if r.FirstAttended != nil {
			t.wait(r)
		}
	}
	return t.figures()
}

type tallyLine struct {
	f    Figure
	days []int
}

// tally adds up figures per service and per organisation.
type tally struct{ bySvc, byOrg map[string]*tallyLine }

func newTally() *tally { return &tally{bySvc: map[string]*tallyLine{}, byOrg: map[string]*tallyLine{}} }

// count adds n connections like r, attended at least once or not.
func (t *tally) count(r FigureRow, attended bool, n int) {
	svc, ok := t.bySvc[r.ServiceID]
	if !ok {
		svc = &tallyLine{f: Figure{ServiceID: r.ServiceID, ServiceName: r.ServiceName, OrganisationID: r.OrganisationID, OrganisationName: r.OrganisationName}}
		t.bySvc[r.ServiceID] = svc
	}
	org, ok := t.byOrg[r.OrganisationID]
	if !ok {
		org = &tallyLine{f: Figure{OrganisationID: r.OrganisationID, OrganisationName: r.OrganisationName}}
		t.byOrg[r.OrganisationID] = org
	}
	for _, a := range []*tallyLine{svc, org} {
		a.f.Received += n
		if slices.Contains(everAccepted, r.Status) {
			a.f.Accepted += n
		}
		if r.Status == Completed {
			a.f.Completed += n
		}
		if attended {
			a.f.AttendedOnce += n
		}
	}
}

// wait adds an attended connection's days from sending to its first
// session to its lines, once counted.
func (t *tally) wait(r FigureRow) {
	d := int(r.FirstAttended.Sub(dayOf(r.Sent)).Hours() / 24)
	for _, a := range []*tallyLine{t.bySvc[r.ServiceID], t.byOrg[r.OrganisationID]} {
		if a != nil {
			a.days = append(a.days, d)
		}
	}
}

func (t *tally) figures() Figures {
	out := func(m map[string]*tallyLine) []Figure {
		list := []Figure{}
		for _, a := range m {
			a.f.MedianDaysToAttend = Median(a.days)
			list = append(list, a.f)
		}
		sort.Slice(list, func(i, j int) bool {
			if list[i].OrganisationName != list[j].OrganisationName {
				return list[i].OrganisationName < list[j].OrganisationName
			}
			return list[i].ServiceName+list[i].ServiceID < list[j].ServiceName+list[j].ServiceID
		})
		return list
	}
	return Figures{Services: out(t.bySvc), Organisations: out(t.byOrg)}
}

// Median is the middle value (the mean of the middle two for an even
// count), or nil for none.
func Median(v []int) *float64 {
	if len(v) == 0 {
		return nil
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := float64(s[len(s)/2])
	if len(s)%2 == 0 {
		m = float64(s[len(s)/2-1]+s[len(s)/2]) / 2
	}
	return &m
}
