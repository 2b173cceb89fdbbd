package web

import "oikos/internal/auth"

// addReportRoutes registers the scheme reports: the summary API, its pages,
// charts and CSV downloads, for managers and commissioners. Reports are
// aggregates with small numbers hidden, so both roles see the same.
func (s *Server) addReportRoutes(rt *router) {
	readers := auth.Only(auth.Manager, auth.Commissioner)
	rt.handle("GET /api/v1/reports/summary", readers, s.apiSummaryReport)
	rt.handle("GET /reports", readers, s.reportsPage)
	rt.handle("GET /reports/summary.csv", readers, s.summaryCSV)
}
