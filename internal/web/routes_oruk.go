package web

// addORUKRoutes registers the Open Referral UK (HSDS 3.0) API under /oruk.
func (s *Server) addORUKRoutes(rt *router) {}
