package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"oikos"
	"oikos/internal/fhir"
	"oikos/internal/web/fhirapi"
	"oikos/internal/web/httpx"
	"oikos/internal/web/orukapi"
)

// Answering a request: a page, a page that explains a problem, or the
// API's JSON error; every error reaches the caller through one of these.

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	t, ok := s.pages.byName[name]
	if !ok {
		panic("no template " + name)
	}
	if err := checkPageData(name, pg.Data); err != nil {
		panic(err)
	}
	pg.Service = s.app.Config.ServiceName
	pg.Assets = s.pages.assets
	for k, msg := range pg.Errors {
		if strings.HasSuffix(k, "-day") {
			// Beside day, month and year boxes, examples in that order,
			// whatever words the rules wrote for the API.
			pg.Errors[k] = dayMonthYear(msg)
		}
	}
	if pg.User == nil {
		pg.User = httpx.Principal(r)
	}
	pg.Path = r.URL.Path
	pg.Nav = s.navFor(pg.User, r.URL.Path)
	if pg.Alerts == nil && pg.User != nil && s.safe != nil {
		// Immediate concerns stand above everything until read; a page
		// is still shown when they cannot be looked up.
		alerts, err := s.safe.Unacknowledged(r.Context(), pg.User)
		if err != nil {
			s.log.Error("immediate concerns", "err", err)
		}
		pg.Alerts = alerts
	}
	if pg.Form == nil {
		pg.Form = url.Values{}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		s.log.Error("render page", "template", name, "err", err)
		s.internalError(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// renderError shows a page that explains a problem in plain English.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	s.render(w, r, status, "error", &page{Title: title, Data: errorPage{Message: message}})
}

// notFound answers what no route takes, and what a route refuses the
// caller. Under /fhir and /oruk a request for an address that exists, by
// a method it does not take, is told so (405 with Allow), in the API's
// own terms.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	switch {
	case fhirapi.IsFHIR(r.URL.Path):
		s.fhir.Unrouted(w, r, s.otherMethods(r))
		return
	case orukapi.IsORUK(r.URL.Path):
		s.oruk.Unrouted(w, r, s.otherMethods(r))
		return
	}
	if isAPI(r.URL.Path) {
		s.apiError(w, r, errRouteNotFound)
		return
	}
	s.renderError(w, r, http.StatusNotFound, "Page not found",
		"If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.")
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request) {
	if fhirapi.IsFHIR(r.URL.Path) {
		fhirapi.WriteProblem(w, fhir.OperationOutcome(http.StatusInternalServerError, "exception", fhir.ServerFault, ""))
		return
	}
	if isAPI(r.URL.Path) {
		httpx.WriteJSON(w, http.StatusInternalServerError, httpx.ErrorBody{Error: httpx.ErrorDetail{Code: "internal", Message: "Something went wrong on our side. It has been logged; please try again."}})
		return
	}
	t := s.pages.byName["error"]
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, "layout", &page{Title: "Sorry, there is a problem with the service", Service: s.app.Config.ServiceName,
		Assets: s.pages.assets, Form: url.Values{}, Data: errorPage{Message: "Try again later. If the problem continues, contact your administrator."}})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	if err == nil {
		buf.WriteTo(w)
	}
}

// pageError answers a page request that failed: the 404 page for anything
// not found, a plain explanation for other errors a person caused, and the
// 500 page for bugs.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	var e *oikos.Error
	switch {
	case !errors.As(err, &e):
		s.log.Error("internal error", "route", r.Pattern, "err", err)
		s.internalError(w, r)
	case e.Code == oikos.ENOTFOUND:
		s.notFound(w, r)
	default:
		httpx.SetRetryAfter(w, e)
		s.renderError(w, r, httpx.StatusFor(e.Code), "There is a problem", e.Message)
	}
}

// formError re-renders a form page with the error's field messages, or its
// message against the given field when the error is not about fields.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, name string, pg *page, err error, field string, order ...string) {
	var e *oikos.Error
	if !errors.As(err, &e) {
		s.log.Error("internal error", "route", r.Pattern, "err", err)
		s.internalError(w, r)
		return
	}
	pg.Errors = map[string]string{}
	for k, v := range e.Fields {
		pg.Errors[k] = v
	}
	if len(pg.Errors) == 0 {
		pg.Errors[field] = e.Message
	}
	pg.ErrorOrder = fieldOrder(pg.Errors, order...)
	if pg.Form == nil {
		pg.Form = r.PostForm
	}
	httpx.SetRetryAfter(w, e)
	s.render(w, r, httpx.StatusFor(e.Code), name, pg)
}

// crossOriginRefused answers a request another website's page made with
// this site's cookies: a page for forms, and for the API the same body as
// every other API error (an OperationOutcome under /fhir).
func (s *Server) crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	const msg = "The request came from another website, so it was refused."
	switch {
	case fhirapi.IsFHIR(r.URL.Path):
		fhirapi.WriteProblem(w, fhir.OperationOutcome(http.StatusForbidden, "forbidden", msg, ""))
	case isAPI(r.URL.Path):
		httpx.WriteJSON(w, http.StatusForbidden, httpx.ErrorBody{Error: httpx.ErrorDetail{Code: "cross_origin", Message: msg +
			" Call the API from a server with a bearer token, or from this site's own pages."}})
	default:
		s.renderError(w, r, http.StatusForbidden, "This form could not be sent", msg+" Go back, reload the page and try again.")
	}
}

var (
	errSignInRequired   = &oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "Sign in, or send an API token as Authorization: Bearer TOKEN."}
	errBadAuthorization = &oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "The Authorization header must be Bearer followed by an API token."}
	errRouteNotFound    = &oikos.Error{Code: oikos.ENOTFOUND, Message: "There is nothing at this address."}
)

// apiError answers an API request with the contract's error body. Errors
// that are not *oikos.Error are bugs: logged, and answered with a bland 500.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	if fhirapi.IsFHIR(r.URL.Path) {
		s.fhir.Error(w, r, err) // an OperationOutcome, as FHIR clients expect
		return
	}
	if !httpx.WriteError(w, err) {
		s.log.Error("internal error", "route", r.Pattern, "err", err)
		s.internalError(w, r)
	}
}

// reply answers an API request with v and status, or with err.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, v)
}
