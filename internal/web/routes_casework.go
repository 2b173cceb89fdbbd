package web

// addCaseworkRoutes registers contacts, the what-matters conversation, the
// plan and the caseload, as API and pages.
func (s *Server) addCaseworkRoutes(rt *router) {
}
