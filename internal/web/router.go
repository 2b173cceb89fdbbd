package web

import (
	"net/http"
	"slices"
	"strings"

	"oikos/internal/auth"
	"oikos/internal/web/httpx"
)

// Route is one entry of the HTTP surface, with the gate that guards it.
type Route = httpx.Route

// router registers every route through handle, which demands an access
// decision: there is no way to add a route without one. The route-by-role
// test walks Routes() and checks each.
type router struct {
	mux    *http.ServeMux
	routes []Route
	s      *Server
}

func (rt *router) handle(pattern string, access auth.Access, h http.HandlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("route " + pattern + " needs a method")
	}
	if access.Name == "" {
		panic("route " + pattern + " has no access decision")
	}
	gated := rt.s.gate(access, h)
	rt.routes = append(rt.routes, Route{Method: method, Path: path, Access: access, Handler: gated})
	rt.mux.Handle(pattern, gated)
}

// Routes lists every route, sorted by path then method.
func (s *Server) Routes() []Route {
	out := slices.Clone(s.routes)
	slices.SortFunc(out, func(a, b Route) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	return out
}

// probeMethods are the methods otherMethods tries.
var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// otherMethods lists the methods a route takes at r's address, when none
// takes r's own method there; nil when r's method has a route (one that
// refused the caller) or the address has none at all.
func (s *Server) otherMethods(r *http.Request) []string {
	var allow []string
	for _, m := range probeMethods {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		// The catch-alls ("/", "/oruk/{path...}") are no route of their own.
		if _, pattern := s.mux.Handler(probe); pattern == "" || pattern == "/" || strings.HasSuffix(pattern, "{path...}") {
			continue
		}
		if m == r.Method {
			return nil
		}
		allow = append(allow, m)
	}
	return allow
}

// isAPI reports whether a path answers in JSON rather than HTML.
func isAPI(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/api" || strings.HasPrefix(path, "/fhir/")
}

// gate enforces a route's Access before its handler runs. Anonymous callers
// are asked to sign in (401 for the API, a redirect for pages); signed-in
// callers without the right role get 404, as if the route were not there.
func (s *Server) gate(access auth.Access, h http.HandlerFunc) http.Handler {
	if access.IsPerson() {
		return s.personGate(h) // the person's own session, not a staff one
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notePattern(r)
		p := httpx.Principal(r)
		if access.Allows(p) {
			h(w, r)
			return
		}
		if p == nil {
			if isAPI(r.URL.Path) {
				s.apiError(w, r, errSignInRequired)
				return
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/sign-in?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.notFound(w, r)
			return
		}
		s.notFound(w, r)
	})
}
