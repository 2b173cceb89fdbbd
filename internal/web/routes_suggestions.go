package web

// addSuggestionRoutes registers the services suggested for a person, with
// reasons, and the unmet needs recorded when nothing suitable is in reach.
func (s *Server) addSuggestionRoutes(rt *router) {
}
