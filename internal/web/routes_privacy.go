package web

import "oikos/internal/auth"

// addPrivacyRoutes registers the person's rights: the export of everything
// held (the person's link worker and managers, and the person from their
// own pages) and erasure and restriction on request (managers). Each
// handler then applies package privacy's rules to the person's referrals.
func (s *Server) addPrivacyRoutes(rt *router) {
	caseworkers := auth.Only(auth.LinkWorker, auth.Manager)
	managers := auth.Only(auth.Manager)
	rt.handle("GET /api/v1/people/{id}/export", caseworkers, s.apiPersonExport)
	rt.handle("POST /api/v1/people/{id}/erasure", managers, s.apiErasure)
	rt.handle("POST /api/v1/people/{id}/restriction", managers, s.apiRestriction)

	rt.handle("GET /people/{id}/export", caseworkers, s.personExportPage)
	rt.handle("GET /people/{id}/erasure", managers, s.requestPage("person_erasure", "Erase the person's details"))
	rt.handle("POST /people/{id}/erasure", managers, s.requestPost("person_erasure", "Erase the person's details", s.erasurePost))
	rt.handle("GET /people/{id}/restriction", managers, s.requestPage("person_restriction", "Restrict the person's record"))
	rt.handle("POST /people/{id}/restriction", managers, s.requestPost("person_restriction", "Restrict the person's record", s.restrictionPost))

	rt.handle("GET /my/export", auth.Person, s.myExportPage)
	rt.handle("GET /my/export.json", auth.Person, s.myExportJSON)
}
