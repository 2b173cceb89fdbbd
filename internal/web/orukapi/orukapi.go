// Package orukapi is the Open Referral UK face of the directory, under
// /oruk: HSDS 3.0, read-only and public, with the endpoints and query
// parameters of the standard's openapi.json.
package orukapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/app"
	"oikos/internal/directory"
	"oikos/internal/postcode"
	"oikos/internal/web/httpx"
)

// The Open Referral UK API: the directory published as HSDS 3.0, read-only
// and public, with the endpoints and query parameters of the standard's
// openapi.json. Its errors use the contract's JSON error body.

const (
	orukDefaultPerPage = 50
	orukMaxPerPage     = 1000
	orukMaxPage        = 1_000_000
	orukMaxProximity   = 1_000_000 // metres: 1,000 km covers the UK
	orukStreamChunk    = 500
)

// API serves the Open Referral routes (package web lists them) from the
// directory.
type API struct {
	dir *directory.Store
	log *slog.Logger
}

// New is the Open Referral API on the application's directory.
func New(a *app.App) *API { return &API{dir: a.Directory, log: a.Log} }

// open marks an answer as open data: any web page may read it, as no
// credentials are involved (the Open Referral UK profile asks for
// Access-Control-Allow-Origin: * on every answer), and embed it.
func (a *API) open(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
}

// IsORUK reports whether a request path is under the Open Referral API.
func IsORUK(path string) bool { return path == "/oruk" || strings.HasPrefix(path, "/oruk/") }

// Preflight answers a browser's CORS preflight (OPTIONS) for any address
// under /oruk: a web page elsewhere may GET anything here, with the
// headers it asks to send, and may remember the answer for a day.
func (a *API) Preflight(w http.ResponseWriter, r *http.Request) {
	a.open(w)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" && oikos.PlainText(asked, false) && len(asked) <= 1000 {
		h.Set("Access-Control-Allow-Headers", asked)
	}
	h.Set("Access-Control-Max-Age", "86400")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Allow", "GET, HEAD, OPTIONS")
	w.WriteHeader(http.StatusNoContent)
}

// Unrouted answers a request under /oruk that no route takes: the API is
// read-only, so 405 naming the methods it takes where the address
// exists (allow, from the router), else 404; in the API's JSON, open to
// all.
func (a *API) Unrouted(w http.ResponseWriter, r *http.Request, allow []string) {
	a.open(w)
	if len(allow) == 0 {
		a.NotFound(w, r)
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	httpx.WriteJSON(w, http.StatusMethodNotAllowed, httpx.ErrorBody{Error: httpx.ErrorDetail{Code: "method_not_allowed",
		Message: "The Open Referral API is read-only: this address takes " + strings.Join(allow, ", ") + "."}})
}

// orukQuery is the parsed query string.
type orukQuery struct {
	page, perPage              int
	search                     string
	taxonomyTermID, taxonomyID string
	organizationID, parentID   string
	modifiedAfter              time.Time
	minimal, full, fullService bool
	near                       *postcode.Point
	proximity                  float64
	ndjson                     bool
}

// orukPage is the HSDS page envelope; every field is always present.
type orukPage struct {
	TotalItems int   `json:"total_items"`
	TotalPages int   `json:"total_pages"`
	PageNumber int   `json:"page_number"`
	Size       int   `json:"size"`
	FirstPage  bool  `json:"first_page"`
	LastPage   bool  `json:"last_page"`
	Empty      bool  `json:"empty"`
	Contents   []any `json:"contents"`
}

func newORUKPage(items []any, total, page, perPage int) orukPage {
	if items == nil {
		items = []any{}
	}
	pages := (total + perPage - 1) / perPage
	return orukPage{TotalItems: total, TotalPages: pages, PageNumber: page, Size: len(items),
		FirstPage: page == 1, LastPage: page >= pages, Empty: len(items) == 0, Contents: items}
}

func orukBadQuery(fields map[string]string) error {
	msg := "Some query parameters need correcting."
	if len(fields) == 1 {
		for name, why := range fields {
			msg = fmt.Sprintf("Query parameter %s %s.", name, why)
		}
	}
	return &oikos.Error{Code: oikos.EMALFORMED, Message: msg, Fields: fields}
}

// params reads and checks the query string, naming every parameter at
// fault. Unknown parameters are ignored, as HSDS clients send their own.
func (a *API) params(r *http.Request) (orukQuery, error) {
	q := orukQuery{page: 1, perPage: orukDefaultPerPage}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return q, orukBadQuery(map[string]string{"query": "could not be read: check its % escapes"})
	}
	fields := map[string]string{}
	for name, list := range values {
		if !oikos.PlainText(name, false) {
			fields["query"] = "holds a parameter name that is not plain text"
			continue
		}
		for _, v := range list {
			if !oikos.PlainText(v, false) {
				fields[name] = "must be valid UTF-8 text without control characters"
			}
		}
	}
	get := func(name string) string {
		if _, bad := fields[name]; bad {
			return ""
		}
		return strings.TrimSpace(values.Get(name))
	}
	whole := func(name string, lo, hi int) (int, bool) {
		v := get(name)
		if v == "" {
			return 0, false
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			fields[name] = fmt.Sprintf("must be a whole number from %s to %s", orukThousands(lo), orukThousands(hi))
			return 0, false
		}
		return n, true
	}
	flag := func(name string) bool {
		v := get(name)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			fields[name] = "must be true or false"
		}
		return b
	}
	text := func(name string, limit int) string {
		v := get(name)
		if utf8.RuneCountInString(v) > limit {
			fields[name] = fmt.Sprintf("must be %d characters or fewer", limit)
			return ""
		}
		return v
	}

	if n, ok := whole("page", 1, orukMaxPage); ok {
		q.page = n
	}
	q.minimal = flag("minimal")
	if q.minimal {
		// openapi.json: with minimal, aim to return everything in one page.
		q.perPage = orukMaxPerPage
	}
	if n, ok := whole("per_page", 1, orukMaxPerPage); ok {
		q.perPage = n
	}
	q.full, q.fullService = flag("full"), flag("full_service")
	// Every term Oikos publishes is a top-level term, so top_only changes
	// nothing; it is still checked.
	flag("top_only")
	q.search = text("search", 200)
	q.taxonomyTermID, q.taxonomyID = text("taxonomy_term_id", 200), text("taxonomy_id", 200)
	q.organizationID, q.parentID = text("organization_id", 200), text("parent_id", 200)
	if v := get("modified_after"); v != "" {
		t, ok := orukModifiedAfter(v)
		if !ok {
			fields["modified_after"] = "must be a date and time like 2024-03-01T09:00:00Z, or a date like 2024-03-01"
		}
		q.modifiedAfter = t
	}
	switch f := strings.ToLower(get("format")); f {
	case "", "json":
	case "ndjson":
		q.ndjson = true
	default:
		fields["format"] = "must be json or ndjson"
	}
	if v := get("proximity"); v != "" {
		m, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(m) || m <= 0 || m > orukMaxProximity {
			fields["proximity"] = "must be a distance in metres, more than 0 and up to " + orukThousands(orukMaxProximity)
		}
		q.proximity = m
		if get("postcode") == "" && fields["postcode"] == "" {
			fields["proximity"] = "needs a postcode to measure from"
		}
	}
	if v := text("postcode", 20); v != "" {
		p, ok, err := a.dir.Locate(r.Context(), v)
		if err != nil {
			return q, err
		}
		if !ok {
			fields["postcode"] = "must be a UK postcode like EX1 1AA, or a postcode district like EX1"
		}
		q.near = &p
	}
	if len(fields) > 0 {
		return q, orukBadQuery(fields)
	}
	return q, nil
}

// orukThousands writes a whole number with thousands separators: 1,000,000.
func orukThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// orukModifiedAfter reads an RFC 3339 date-time, or a date (midnight UTC).
// A "+" of a time zone arrives as a space when the client did not escape
// it, so a space there is read as "+".
func orukModifiedAfter(v string) (time.Time, bool) {
	for _, candidate := range []string{v, strings.Replace(v, " ", "+", 1)} {
		if t, err := time.Parse(time.RFC3339Nano, candidate); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// error answers with the contract's error body; unexpected errors are
// logged and answered with a JSON 500.
func (a *API) error(w http.ResponseWriter, r *http.Request, err error) {
	if httpx.WriteError(w, err) {
		return
	}
	a.log.Error("internal error", "route", r.Pattern, "err", err)
	httpx.WriteInternal(w)
}

// serveList answers a list endpoint with what fetch finds for the query:
// one page, or with format=ndjson every item, one JSON object a line.
func (a *API) serveList(w http.ResponseWriter, r *http.Request, fetchFor func(ctx context.Context, q orukQuery, offset, limit int) ([]any, int, error)) {
	a.open(w)
	q, err := a.params(r)
	if err != nil {
		a.error(w, r, err)
		return
	}
	fetch := func(ctx context.Context, offset, limit int) ([]any, int, error) {
		return fetchFor(ctx, q, offset, limit)
	}
	ctx := r.Context()
	if !q.ndjson {
		items, total, err := fetch(ctx, (q.page-1)*q.perPage, q.perPage)
		if err != nil {
			a.error(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, newORUKPage(items, total, q.page, q.perPage))
		return
	}
	items, total, err := fetch(ctx, 0, orukStreamChunk)
	if err != nil {
		a.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for offset := 0; ; {
		for _, item := range items {
			if enc.Encode(item) != nil {
				return
			}
		}
		offset += len(items)
		if len(items) == 0 || offset >= total {
			return
		}
		// Headers are sent: a failure now can only cut the stream short.
		if items, total, err = fetch(ctx, offset, orukStreamChunk); err != nil {
			a.log.Error("ndjson stream", "route", r.Pattern, "err", err)
			return
		}
	}
}

// orukSlice slices an in-memory list.
func orukSlice[T any](list []T, offset, limit int) ([]any, int) {
	var out []any
	for i := offset; i < len(list) && i < offset+limit; i++ {
		out = append(out, list[i])
	}
	return out, len(list)
}

// Root says which version of the standard this is, and where its API is described.
func (a *API) Root(w http.ResponseWriter, r *http.Request) {
	a.open(w)
	httpx.WriteJSON(w, http.StatusOK, map[string]string{
		"version":     directory.HSDSVersion,
		"profile":     "https://openreferraluk.org",
		"openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
	})
}

// NotFound answers any other address under /oruk.
func (a *API) NotFound(w http.ResponseWriter, r *http.Request) {
	a.open(w)
	httpx.WriteError(w, &oikos.Error{Code: oikos.ENOTFOUND,
		Message: "There is nothing at this address in the Open Referral API: see /oruk/ and its endpoints."})
}

// orukFilter is the service filter the query asks for.
func (q orukQuery) filter() directory.ORUKFilter {
	return directory.ORUKFilter{Search: q.search, TaxonomyTermID: q.taxonomyTermID, TaxonomyID: q.taxonomyID,
		OrganizationID: q.organizationID, ModifiedAfter: q.modifiedAfter, Near: q.near, WithinMetres: q.proximity}
}

// servicePage loads a page of services with their organisations.
func (a *API) servicePage(ctx context.Context, f directory.ORUKFilter) ([]directory.Service, map[string]directory.OrgRecord, int, error) {
	list, total, err := a.dir.ORUKServices(ctx, f)
	if err != nil {
		return nil, nil, 0, err
	}
	orgs, err := a.dir.ORUKOrganisationRecords(ctx, list)
	return list, orgs, total, err
}

// orukMinimalService is a service reduced to what a client needs to decide
// whether to fetch it again. openapi.json asks for just the id and last
// modified date; name and status are kept too because service_list.json
// requires them.
type orukMinimalService struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	LastModified string `json:"last_modified"`
}

// Services lists the services, a page at a time or all as NDJSON.
func (a *API) Services(w http.ResponseWriter, r *http.Request) {
	a.serveList(w, r, func(ctx context.Context, q orukQuery, offset, limit int) ([]any, int, error) {
		f := q.filter()
		f.Offset, f.Limit = offset, limit
		list, orgs, total, err := a.servicePage(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		var items []any
		for _, v := range list {
			o := orgs[v.OrganisationID]
			switch {
			case q.minimal:
				core := v.HSDSCore(o)
				items = append(items, orukMinimalService{ID: core.ID, Name: core.Name, Status: core.Status, LastModified: core.LastModified})
			case q.full:
				items = append(items, v.HSDSFull(o))
			default:
				items = append(items, v.HSDSCore(o))
			}
		}
		return items, total, nil
	})
}

// withOrganisation loads the service the path names, with load, and its
// organisation.
func (a *API) withOrganisation(r *http.Request, load func(ctx context.Context, id string) (directory.Service, error)) (directory.Service, directory.OrgRecord, error) {
	v, err := load(r.Context(), r.PathValue("id"))
	if err != nil {
		return v, directory.OrgRecord{}, err
	}
	orgs, err := a.dir.ORUKOrganisationRecords(r.Context(), []directory.Service{v})
	return v, orgs[v.OrganisationID], err
}

// Service is one service in full.
func (a *API) Service(w http.ResponseWriter, r *http.Request) {
	a.open(w)
	v, o, err := a.withOrganisation(r, a.dir.ORUKService)
	if err != nil {
		a.error(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v.HSDSFull(o))
}

// organizationFull nests the organisation's active services: in full
// with full_service, else their one-to-one fields.
func (a *API) organizationFull(ctx context.Context, o directory.OrgRecord, fullService bool) (directory.HSDSOrganization, error) {
	h := o.HSDS()
	list, err := a.dir.ORUKServicesOf(ctx, o.ID)
	if err != nil {
		return h, err
	}
	for _, v := range list {
		svc := v.HSDSCore(o)
		if fullService {
			svc = v.HSDSFull(o)
		}
		svc.Organization = nil // it is the organisation this nests in
		h.Services = append(h.Services, svc)
	}
	return h, nil
}

// Organizations lists the organisations.
func (a *API) Organizations(w http.ResponseWriter, r *http.Request) {
	a.serveList(w, r, func(ctx context.Context, q orukQuery, offset, limit int) ([]any, int, error) {
		list, total, err := a.dir.ORUKOrganisations(ctx, q.search, offset, limit)
		if err != nil {
			return nil, 0, err
		}
		var items []any
		for _, o := range list {
			// full_service asks for the services in full, which are
			// only ever nested in the full organisation.
			if !q.full && !q.fullService {
				items = append(items, o.HSDS())
				continue
			}
			h, err := a.organizationFull(ctx, o, q.fullService)
			if err != nil {
				return nil, 0, err
			}
			items = append(items, h)
		}
		return items, total, nil
	})
}

// Organization is one organisation, with its services.
func (a *API) Organization(w http.ResponseWriter, r *http.Request) {
	a.open(w)
	q, err := a.params(r)
	if err != nil {
		a.error(w, r, err)
		return
	}
	o, err := a.dir.ORUKOrganisation(r.Context(), r.PathValue("id"))
	if err != nil {
		a.error(w, r, err)
		return
	}
	h, err := a.organizationFull(r.Context(), o, q.fullService)
	if err != nil {
		a.error(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h)
}

func orukMatches(search string, texts ...string) bool {
	if search == "" {
		return true
	}
	search = strings.ToLower(search)
	return slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(strings.ToLower(t), search) })
}

// Taxonomies lists the vocabularies services are tagged with.
func (a *API) Taxonomies(w http.ResponseWriter, r *http.Request) {
	a.serveList(w, r, func(ctx context.Context, q orukQuery, offset, limit int) ([]any, int, error) {
		all, err := a.dir.ORUKTaxonomies(ctx)
		if err != nil {
			return nil, 0, err
		}
		var found []directory.HSDSTaxonomy
		for _, t := range all {
			if orukMatches(q.search, t.Name, t.Description) {
				found = append(found, t)
			}
		}
		items, total := orukSlice(found, offset, limit)
		return items, total, nil
	})
}

// orukSameTaxonomy reports whether id names taxonomy t: by its published id,
// by Oikos's plain id, or by the name an imported taxonomy is known by.
func orukSameTaxonomy(t directory.HSDSTaxonomy, id string) bool {
	return strings.EqualFold(t.ID, id) || t.Name == id || (directory.IsOikosTaxonomy(id) && t.ID == directory.OikosTaxonomy().ID)
}

// Taxonomy is one vocabulary.
func (a *API) Taxonomy(w http.ResponseWriter, r *http.Request) {
	a.open(w)
	all, err := a.dir.ORUKTaxonomies(r.Context())
	if err != nil {
		a.error(w, r, err)
		return
	}
	id := r.PathValue("id")
	if i := slices.IndexFunc(all, func(t directory.HSDSTaxonomy) bool { return orukSameTaxonomy(t, id) }); i >= 0 {
		httpx.WriteJSON(w, http.StatusOK, all[i])
		return
	}
	a.error(w, r, oikos.NotFound("Taxonomy"))
}

// TaxonomyTerms lists the terms of the vocabularies.
func (a *API) TaxonomyTerms(w http.ResponseWriter, r *http.Request) {
	a.serveList(w, r, func(ctx context.Context, q orukQuery, offset, limit int) ([]any, int, error) {
		all, err := a.dir.ORUKTerms(ctx)
		if err != nil {
			return nil, 0, err
		}
		var found []directory.HSDSTaxonomyTerm
		for _, t := range all {
			switch {
			case q.parentID != "":
				continue // no term Oikos publishes has a parent
			case q.taxonomyID != "" && (t.TaxonomyDetail == nil || !orukSameTaxonomy(*t.TaxonomyDetail, q.taxonomyID)):
				continue
			case !orukMatches(q.search, t.Name, t.Code, t.Description):
				continue
			}
			found = append(found, t)
		}
		items, total := orukSlice(found, offset, limit)
		return items, total, nil
	})
}

// TaxonomyTerm is one term.
func (a *API) TaxonomyTerm(w http.ResponseWriter, r *http.Request) {
	a.open(w)
	all, err := a.dir.ORUKTerms(r.Context())
	if err != nil {
		a.error(w, r, err)
		return
	}
	id := r.PathValue("id")
	if c, ok := directory.CategoryForTermID(id); ok {
		httpx.WriteJSON(w, http.StatusOK, directory.CategoryTerm(c))
		return
	}
	if i := slices.IndexFunc(all, func(t directory.HSDSTaxonomyTerm) bool { return strings.EqualFold(t.ID, id) }); i >= 0 {
		httpx.WriteJSON(w, http.StatusOK, all[i])
		return
	}
	a.error(w, r, oikos.NotFound("Taxonomy term"))
}

// ServiceAtLocations lists each service at its place.
func (a *API) ServiceAtLocations(w http.ResponseWriter, r *http.Request) {
	a.serveList(w, r, func(ctx context.Context, q orukQuery, offset, limit int) ([]any, int, error) {
		f := q.filter()
		f.LocatedOnly, f.Offset, f.Limit = true, offset, limit
		list, orgs, total, err := a.servicePage(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		var items []any
		for _, v := range list {
			sal, ok := v.HSDSServiceAtLocationList(orgs[v.OrganisationID])
			if q.full {
				sal, ok = v.HSDSServiceAtLocationFull(orgs[v.OrganisationID])
			}
			if ok {
				items = append(items, sal)
			}
		}
		return items, total, nil
	})
}

// ServiceAtLocation is one service at its place.
func (a *API) ServiceAtLocation(w http.ResponseWriter, r *http.Request) {
	a.open(w)
	v, o, err := a.withOrganisation(r, a.dir.ORUKServiceAtLocation)
	if err != nil {
		a.error(w, r, err)
		return
	}
	sal, _ := v.HSDSServiceAtLocationFull(o)
	httpx.WriteJSON(w, http.StatusOK, sal)
}
