package httpx

import (
	"cmp"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"oikos"
)

// TestHandle drives Handle as the API's handlers do: the body decides
// whether call runs at all, call's error goes to fail and its result is
// written with the handler's status.
func TestHandle(t *testing.T) {
	type in struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	type out struct {
		Greeting string `json:"greeting"`
	}
	bug := errors.New("a bug")
	for _, c := range []struct {
		name        string
		body        string
		contentType string
		callErr     error
		wantStatus  int
		wantBody    string // a part of the body
		wantCalled  bool
		wantHeader  string // Location, set by call on success
	}{
		{name: "success", body: `{"name":"Ada","count":2}`, wantStatus: http.StatusCreated,
			wantBody: `{"greeting":"hello Ada"}`, wantCalled: true, wantHeader: "/things/Ada"},
		{name: "not JSON", body: `{"name":`, wantStatus: http.StatusBadRequest, wantBody: `"code":"malformed"`},
		{name: "empty", body: ``, wantStatus: http.StatusBadRequest, wantBody: `The body is empty`},
		{name: "wrong type", body: `{"count":"two"}`, wantStatus: http.StatusBadRequest, wantBody: `"fields":{"count":`},
		{name: "unknown field", body: `{"colour":"red"}`, wantStatus: http.StatusBadRequest, wantBody: `"colour":"is not a known field"`},
		{name: "trailing data", body: `{} {}`, wantStatus: http.StatusBadRequest, wantBody: `nothing after it`},
		{name: "not JSON content type", body: `{}`, contentType: "text/plain", wantStatus: http.StatusBadRequest, wantBody: `Content-Type`},
		{name: "invalid", body: `{}`, callErr: oikos.Invalid(map[string]string{"name": "Enter a name."}), wantStatus: http.StatusUnprocessableEntity,
			wantBody: `"fields":{"name":"Enter a name."}`, wantCalled: true},
		{name: "not found", body: `{}`, callErr: oikos.NotFound("thing"), wantStatus: http.StatusNotFound, wantBody: `"code":"not_found"`, wantCalled: true},
		{name: "conflict", body: `{}`, callErr: &oikos.Error{Code: oikos.ECONFLICT, Message: "Already done."}, wantStatus: http.StatusConflict,
			wantBody: `"message":"Already done."`, wantCalled: true},
		{name: "bug", body: `{}`, callErr: bug, wantStatus: http.StatusInternalServerError, wantBody: `"code":"internal"`, wantCalled: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/things", strings.NewReader(c.body))
			r.Header.Set("Content-Type", cmp.Or(c.contentType, "application/json"))
			w := httptest.NewRecorder()
			called := false
			// fail as the server's apiError does: the contract's body, or
			// a 500 for what is not *oikos.Error.
			fail := func(w http.ResponseWriter, _ *http.Request, err error) {
				if !WriteError(w, err) {
					WriteInternal(w)
				}
			}
			Handle(w, r, http.StatusCreated, fail, func(v in) (out, error) {
				called = true
				if c.callErr != nil {
					return out{}, c.callErr
				}
				w.Header().Set("Location", "/things/"+v.Name)
				return out{Greeting: "hello " + v.Name}, nil
			})
			if w.Code != c.wantStatus {
				t.Errorf("status %d, want %d (body %s)", w.Code, c.wantStatus, w.Body)
			}
			if !strings.Contains(w.Body.String(), c.wantBody) {
				t.Errorf("body %s, want it to hold %s", w.Body, c.wantBody)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if called != c.wantCalled {
				t.Errorf("call ran: %v, want %v", called, c.wantCalled)
			}
			if got := w.Header().Get("Location"); got != c.wantHeader {
				t.Errorf("Location %q, want %q", got, c.wantHeader)
			}
		})
	}
}
