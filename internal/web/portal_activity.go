package web

import (
	"context"
	"strings"
	"time"

	"oikos"
	"oikos/internal/connection"
	"oikos/internal/directory"
)

// Where and when a person's first session is, from the directory: the
// date alone leaves them to find out the time and the place, which is
// just what someone anxious about going needs told.

// activityServices are the directory entries of the services the person
// has a first session still to come at, by id: their schedule and
// address. A service since removed from the directory is left out.
func (s *Server) activityServices(ctx context.Context, conns []connection.Connection, today string) (map[string]directory.Service, error) {
	out := map[string]directory.Service{}
	for _, c := range conns {
		if _, seen := out[c.ServiceID]; seen || c.FirstSession == "" || c.FirstSession < today || !c.Status.Open() {
			continue
		}
		svc, err := s.dir.Get(ctx, c.ServiceID)
		if oikos.ErrorCode(err) == oikos.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[c.ServiceID] = svc
	}
	return out, nil
}

// sessionTimes is when a service meets on the day of date (YYYY-MM-DD),
// from its weekly schedule ("10:00 to 12:00"); "" when it gives no time
// for that weekday, since a time from another day would mislead.
func sessionTimes(schedule []directory.Session, date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	day := directory.Days[(int(d.Weekday())+6)%7]
	var times []string
	for _, s := range schedule {
		if strings.EqualFold(s.Day, day) && s.Opens != "" {
			t := s.Opens
			if s.Closes != "" {
				t += " to " + s.Closes
			}
			times = append(times, t)
		}
	}
	return strings.Join(times, " and ")
}

// serviceAddress is where a service meets, in one line.
func serviceAddress(svc directory.Service) string {
	var parts []string
	for _, p := range []string{svc.LocationName, svc.Address, svc.Postcode} {
		if p = strings.TrimSpace(p); p != "" && !strings.Contains(strings.Join(parts, ", "), p) {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
