package web

import "oikos/internal/auth"

// addCoverageRoutes registers the fair-coverage reports: referral rates
// against population by area and group, and unmet needs by area.
// Aggregates with small numbers hidden, for managers and commissioners.
func (s *Server) addCoverageRoutes(rt *router) {
	readers := auth.Only(auth.Manager, auth.Commissioner)
	rt.handle("GET /api/v1/reports/coverage", readers, s.apiReport("coverage", s.countCoverage))
	rt.handle("GET /api/v1/reports/unmet-needs", readers, s.apiReport("unmet-needs", s.countUnmet))
	rt.handle("GET /reports/coverage", readers, s.reportPage("coverage", "Fair coverage", s.coverageView))
	rt.handle("GET /reports/coverage.csv", readers, s.reportCSV("coverage", s.countCoverage))
	rt.handle("GET /reports/unmet-needs", readers, s.reportPage("coverage_unmet", "Unmet needs by area", s.unmetView))
	rt.handle("GET /reports/unmet-needs.csv", readers, s.reportCSV("unmet-needs", s.countUnmet))
}
