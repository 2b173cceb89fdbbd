package web

// addCoverageRoutes registers the fair-coverage reports: referral rates
// against population by area and group, and unmet needs by area.
func (s *Server) addCoverageRoutes(rt *router) {
}
