package web

// addConnectionRoutes registers social prescriptions: a link worker's
// connection of a person to a service, the provider's queue and answers,
// attendance, and the single-use links providers without accounts answer by.
func (s *Server) addConnectionRoutes(rt *router) {
}
