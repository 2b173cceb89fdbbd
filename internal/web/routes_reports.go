package web

// addReportRoutes registers the scheme reports: the summary API, its pages,
// charts and CSV downloads, for managers and commissioners.
func (s *Server) addReportRoutes(rt *router) {
}
