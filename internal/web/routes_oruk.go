package web

import (
	"net/http"

	"oikos/internal/auth"
)

// addORUKRoutes registers the Open Referral UK (HSDS 3.0) API under /oruk:
// public and read-only, the directory's open data.
func (s *Server) addORUKRoutes(rt *router) {
	open := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			// Open data: any web page may read it (no credentials are involved).
			w.Header().Set("Access-Control-Allow-Origin", "*")
			h(w, r)
		}
	}
	rt.handle("GET /oruk", auth.Public, open(s.orukRoot))
	rt.handle("GET /oruk/{$}", auth.Public, open(s.orukRoot))
	rt.handle("GET /oruk/services", auth.Public, open(s.orukServices))
	rt.handle("GET /oruk/services/{id}", auth.Public, open(s.orukService))
	rt.handle("GET /oruk/organizations", auth.Public, open(s.orukOrganizations))
	rt.handle("GET /oruk/organizations/{id}", auth.Public, open(s.orukOrganization))
	rt.handle("GET /oruk/taxonomies", auth.Public, open(s.orukTaxonomies))
	rt.handle("GET /oruk/taxonomies/{id}", auth.Public, open(s.orukTaxonomy))
	rt.handle("GET /oruk/taxonomy_terms", auth.Public, open(s.orukTaxonomyTerms))
	rt.handle("GET /oruk/taxonomy_terms/{id}", auth.Public, open(s.orukTaxonomyTerm))
	rt.handle("GET /oruk/service_at_locations", auth.Public, open(s.orukServiceAtLocations))
	rt.handle("GET /oruk/service_at_locations/{id}", auth.Public, open(s.orukServiceAtLocation))
	rt.handle("GET /oruk/{path...}", auth.Public, open(s.orukNotFound))
}
