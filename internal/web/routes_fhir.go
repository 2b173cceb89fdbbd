package web

import "oikos/internal/auth"

// addFHIRRoutes registers the FHIR R4 endpoints under /fhir: a GP system
// sends a ServiceRequest with a bearer token and follows it as a Task.
func (s *Server) addFHIRRoutes(rt *router) {
	fhirCallers := auth.Only(auth.Referrer, auth.LinkWorker, auth.Manager)
	rt.handle("POST /fhir/ServiceRequest", fhirCallers, s.fhirCreateServiceRequest)
	rt.handle("GET /fhir/ServiceRequest/{id}", fhirCallers, s.fhirGetServiceRequest)
	rt.handle("GET /fhir/Task", fhirCallers, s.fhirSearchTask)
	// The summary for the GP record, once a referral from FHIR closes.
	rt.handle("GET /fhir/Communication", fhirCallers, s.fhirSearchCommunication)
	rt.handle("GET /fhir/Communication/{id}", fhirCallers, s.fhirGetCommunication)
}
