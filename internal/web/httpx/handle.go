package httpx

import "net/http"

// Handle is the one shape of the JSON API's writing calls: read the body
// into an In (DecodeJSON, so a bad body is refused before anything runs),
// run call with it, and answer call's Out with status, or hand the error,
// from the body or from call, to fail. fail is the caller's, not this
// package's, because what an error that is not *oikos.Error becomes (a
// logged 500, a FHIR OperationOutcome) is the server's to decide.
//
// It exists so that each handler says only what differs (its input, the
// store method and the status) instead of repeating decode, check, call,
// reply; call may still set headers (Location) before the body is written.
func Handle[In, Out any](w http.ResponseWriter, r *http.Request, status int, fail func(http.ResponseWriter, *http.Request, error), call func(in In) (Out, error)) {
	var in In
	if err := DecodeJSON(w, r, &in); err != nil {
		fail(w, r, err)
		return
	}
	out, err := call(in)
	if err != nil {
		fail(w, r, err)
		return
	}
	WriteJSON(w, status, out)
}
