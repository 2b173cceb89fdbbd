package web

import "oikos/internal/auth"

// addEngagementRoutes registers the engagement report: connections
// received, accepted, attended and completed per provider organisation and
// per service. Aggregates with small numbers hidden, for managers and
// commissioners.
func (s *Server) addEngagementRoutes(rt *router) {
	readers := auth.Only(auth.Manager, auth.Commissioner)
	rt.handle("GET /api/v1/reports/engagement", readers, s.apiReport("engagement", s.countEngagement))
	rt.handle("GET /reports/engagement", readers, s.reportPage("engagement", "Engagement with services", s.engagementView))
	rt.handle("GET /reports/engagement.csv", readers, s.reportCSV("engagement", s.countEngagement))
}
