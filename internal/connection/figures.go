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

// ServiceFigures counts the connections sent in [from, to).
func (s *Store) ServiceFigures(ctx context.Context, from, to time.Time) (Figures, error) {
	rows, err := s.DB.R().QueryContext(ctx, `SELECT c.service_id, sv.name, c.organisation_id, o.name, c.status, c.created_at, c.first_attended_at
		FROM connections c JOIN services sv ON sv.id = c.service_id JOIN organisations o ON o.id = c.organisation_id
		WHERE c.created_at >= $1 AND c.created_at < $2`, db.Millis(from), db.Millis(to))
	if err != nil {
		return Figures{}, err
	}
	defer rows.Close()
	var all []FigureRow
	for rows.Next() {
		var r FigureRow
		var sent int64
		var first sql.NullInt64
		if err := rows.Scan(&r.ServiceID, &r.ServiceName, &r.OrganisationID, &r.OrganisationName, &r.Status, &sent, &first); err != nil {
			return Figures{}, err
		}
		r.Sent, r.FirstAttended = db.Time(sent), optionalTime(first)
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return Figures{}, err
	}
	return Tally(all), nil
}

// everAccepted holds the statuses only an accepted connection reaches.
var everAccepted = []Status{Accepted, Completed, Dropped}

// Tally counts rows per service and per organisation.
func Tally(rows []FigureRow) Figures {
	type acc struct {
		f    Figure
		days []int
	}
	bySvc, byOrg := map[string]*acc{}, map[string]*acc{}
	for _, r := range rows {
		svc, ok := bySvc[r.ServiceID]
		if !ok {
			svc = &acc{f: Figure{ServiceID: r.ServiceID, ServiceName: r.ServiceName, OrganisationID: r.OrganisationID, OrganisationName: r.OrganisationName}}
			bySvc[r.ServiceID] = svc
		}
		org, ok := byOrg[r.OrganisationID]
		if !ok {
			org = &acc{f: Figure{OrganisationID: r.OrganisationID, OrganisationName: r.OrganisationName}}
			byOrg[r.OrganisationID] = org
		}
		for _, a := range []*acc{svc, org} {
			a.f.Received++
			if slices.Contains(everAccepted, r.Status) {
				a.f.Accepted++
			}
			if r.Status == Completed {
				a.f.Completed++
			}
			if r.FirstAttended != nil {
				a.f.AttendedOnce++
				a.days = append(a.days, int(r.FirstAttended.Sub(dayOf(r.Sent)).Hours()/24))
			}
		}
	}
	out := func(m map[string]*acc) []Figure {
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
	return Figures{Services: out(bySvc), Organisations: out(byOrg)}
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
