package web

// addFHIRRoutes registers the FHIR R4 endpoints under /fhir.
func (s *Server) addFHIRRoutes(rt *router) {}
