package web

import (
	"oikos/internal/auth"
)

// addSuggestionRoutes registers the services suggested for a person, with
// reasons, and the unmet needs recorded when nothing suitable is in reach.
// Only link workers and managers reach them, and each handler then looks
// the referral up for a change.
func (s *Server) addSuggestionRoutes(rt *router) {
	caseworkers := auth.Only(auth.LinkWorker, auth.Manager)
	h := &suggestions{s: s, store: s.suggest}
	rt.handle("GET /api/v1/referrals/{id}/suggestions", caseworkers, h.apiList)
	rt.handle("GET /api/v1/referrals/{id}/preferences", caseworkers, h.apiGetPreferences)
	rt.handle("PUT /api/v1/referrals/{id}/preferences", caseworkers, h.apiPutPreferences)
	rt.handle("GET /referrals/{id}/suggestions", caseworkers, h.page)
	rt.handle("POST /referrals/{id}/suggestions/preferences", caseworkers, h.savePreferences)
}
