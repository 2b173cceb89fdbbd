package web

// addPortalRoutes registers the person's own pages under /my and the link
// worker's actions that let a person in.
func (s *Server) addPortalRoutes(rt *router) {
}
