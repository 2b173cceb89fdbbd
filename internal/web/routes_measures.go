package web

import (
	"oikos/internal/auth"
)

// addMeasureRoutes registers the outcome measures: recording and scoring
// them through the API and the link worker's pages. Only link workers and
// managers reach them, and each handler then looks the referral up for a
// change: referrers never see measures.
func (s *Server) addMeasureRoutes(rt *router) {
	caseworkers := auth.Only(auth.LinkWorker, auth.Manager)
	m := &measures{s: s, store: s.outcomes}
	rt.handle("POST /api/v1/referrals/{id}/measures", caseworkers, m.apiRecord)
	rt.handle("GET /api/v1/referrals/{id}/measures", caseworkers, m.apiList)
	rt.handle("GET /referrals/{id}/measures", caseworkers, m.page)
	rt.handle("GET /referrals/{id}/measures/new", caseworkers, m.newForm)
	rt.handle("POST /referrals/{id}/measures/new", caseworkers, m.create)
}
