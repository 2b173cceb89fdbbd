package web

import (
	"errors"
	"net/http"
	"strings"

	"oikos"
	"oikos/internal/fhir"
)

func asError(err error, target **oikos.Error) bool { return errors.As(err, target) }

// crossOriginRefused answers a request another website's page made with
// this site's cookies: a page for forms, and for the API the same body as
// every other API error (an OperationOutcome under /fhir).
func (s *Server) crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	const msg = "The request came from another website, so it was refused."
	switch {
	case strings.HasPrefix(r.URL.Path, "/fhir/") || r.URL.Path == "/fhir":
		writeFHIR(w, http.StatusForbidden, fhir.Outcome("forbidden", msg))
	case isAPI(r.URL.Path):
		writeJSON(w, http.StatusForbidden, errorBody{Error: errorDetail{Code: "cross_origin", Message: msg +
			" Call the API from a server with a bearer token, or from this site's own pages."}})
	default:
		s.renderError(w, r, http.StatusForbidden, "This form could not be sent", msg+" Go back, reload the page and try again.")
	}
}
