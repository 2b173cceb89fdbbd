package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"oikos"
	"oikos/internal/web/fhirapi"
)

// TestErrorOutcome: an error met under /fhir is an OperationOutcome with
// the status the rest of the API gives it, and its headers: a 429 says
// when to try again, a 401 how to authenticate.
func TestErrorOutcome(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		code   string
		header string
		value  string
	}{
		{&oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many.", RetryAfter: 90 * time.Second}, 429, "throttled", "Retry-After", "90"},
		{&oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many."}, 429, "throttled", "Retry-After", "60"},
		{&oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "Sign in."}, 401, "login", "WWW-Authenticate", `Bearer realm="oikos"`},
		{&oikos.Error{Code: oikos.ENOTFOUND, Message: "Not here."}, 404, "not-found", "Retry-After", ""},
		{oikos.Invalid(map[string]string{"reasons": "Give a reason."}), 422, "invalid", "Content-Type", "application/fhir+json; charset=utf-8"},
	} {
		w := httptest.NewRecorder()
		(&fhirapi.API{}).Error(w, httptest.NewRequest(http.MethodPost, "/fhir/ServiceRequest", nil), c.err)
		var oo struct {
			ResourceType string
			Issue        []struct{ Code string }
		}
		json.Unmarshal(w.Body.Bytes(), &oo)
		if w.Code != c.status || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 || oo.Issue[0].Code != c.code ||
			w.Header().Get(c.header) != c.value {
			t.Errorf("%v: %d %v %s", c.err, w.Code, w.Header(), w.Body)
		}
	}
}
