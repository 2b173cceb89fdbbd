package web

// addMeasureRoutes registers the outcome measures: recording and scoring
// them through the API and the link worker's pages.
func (s *Server) addMeasureRoutes(rt *router) {
}
