package web

import (
	"net/http"

	"oikos/internal/report"
)

// The engagement report: how people connected to community services took
// part, per provider organisation and per service, with small counts
// hidden (report.ProtectEngagement). The API, the CSV and the page share
// the report.Engagement they count.

func (s *Server) countEngagement(r *http.Request, p report.Period, by report.Viewer) (csvReport, string, error) {
	e, err := report.EngagementReport(r.Context(), s.db, p, by)
	return e, e.From + "-to-" + e.To, err
}

// engagementCell is one figure as the page shows it; Note when it is
// words in place of a number ("hidden").
type engagementCell struct {
	Text string
	Note bool
}

// engagementRow is one line of an engagement table.
type engagementRow struct {
	Name, Organisation string
	Cells              []engagementCell // received, accepted, attended, completed, median days
}

type engagementTable struct {
	ID, What, Caption string
	Service           bool // a table of services, with their organisation
	Rows              []engagementRow
}

type engagementView struct {
	Report report.Engagement
	Period string
	CSV    string
	Tables []engagementTable
	Hidden int
}

func (s *Server) engagementView(r *http.Request, p report.Period, by report.Viewer) (any, error) {
	e, err := report.EngagementReport(r.Context(), s.db, p, by)
	if err != nil {
		return nil, err
	}
	v := engagementView{Report: e, Period: periodWords(p), CSV: downloadLink("/reports/engagement.csv", e.From, e.To), Hidden: len(e.Suppressed)}
	count := func(n *int) engagementCell {
		if n == nil {
			return engagementCell{Text: report.NoteSuppressed, Note: true}
		}
		return engagementCell{Text: thousands(report.NumberText(n))}
	}
	row := func(name string, l report.EngagementLine) engagementRow {
		median := engagementCell{Text: report.NumberText(l.MedianDaysToAttend)}
		switch {
		case l.MedianDaysToAttend != nil:
		case l.Attended == nil:
			median = engagementCell{Text: report.NoteSuppressed, Note: true}
		case *l.Attended == 0:
			median = engagementCell{Text: "nobody went", Note: true}
		default:
			median = engagementCell{Text: "fewer than 5 went", Note: true}
		}
		return engagementRow{Name: name, Organisation: l.OrganisationName,
			Cells: []engagementCell{count(l.Received), count(l.Accepted), count(l.Attended), count(l.Completed), median}}
	}
	orgs := engagementTable{ID: "organisations", What: "Organisation", Caption: "by provider organisation"}
	for _, l := range e.Organisations {
		orgs.Rows = append(orgs.Rows, row(l.OrganisationName, l))
	}
	services := engagementTable{ID: "services", What: "Service", Caption: "by service", Service: true}
	for _, l := range e.Services {
		services.Rows = append(services.Rows, row(l.ServiceName, l))
	}
	v.Tables = []engagementTable{orgs, services}
	return v, nil
}

func (s *Server) apiEngagement(w http.ResponseWriter, r *http.Request) {
	s.apiReport(w, r, "engagement", s.countEngagement)
}

func (s *Server) engagementPage(w http.ResponseWriter, r *http.Request) {
	s.showReport(w, r, "engagement", "Engagement with services", s.engagementView)
}

func (s *Server) engagementCSV(w http.ResponseWriter, r *http.Request) {
	s.reportCSV(w, r, "engagement", s.countEngagement)
}
