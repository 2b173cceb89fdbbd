package directory

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/org"
	"oikos/internal/postcode"
)

// Importer reads HSDS 3.0 (Open Referral UK) documents and APIs into the
// directory: organisations through org.Store.Import, services through
// Store.Upsert, each record in its own transaction so a bad record never
// leaves half of itself behind. Records are keyed by Source and the id they
// have at their source, so importing again updates rather than duplicates.
// One Importer is for one run: it remembers the organisations it has
// written so each is written once.
type Importer struct {
	Directory *Store
	Orgs      *org.Store
	// Source names where the records come from, e.g. "oruk". Importing the
	// same records under the same source updates them.
	Source string
	Actor  Actor
	// Client fetches URLs; nil means one with a minute's timeout.
	Client *http.Client
	// PageSize is per_page when walking an API; 0 means 100.
	PageSize int

	report ImportReport
	orgs   map[string]orgOutcome // by HSDS organization id
	// fetchOrganization is set while walking an API, to fetch an
	// organization a service names but does not include.
	fetchOrganization func(ctx context.Context, id string) ([]byte, error)
}

type orgOutcome struct{ oikosID, reason string }

// ImportReport counts what an import did and lists every record it
// rejected or changed on the way in.
type ImportReport struct {
	OrganisationsCreated, OrganisationsUpdated int
	ServicesCreated, ServicesUpdated           int
	Rejected                                   []ImportProblem
	Notes                                      []ImportProblem
	// Warnings are about the import as a whole, not one record.
	Warnings []string
}

// ImportProblem is a record rejected, or a detail of one left out, and why.
type ImportProblem struct {
	Kind     string // "service", "organization" or "record"
	ID, Name string
	Text     string
}

// Written is how many records were created or updated.
func (r ImportReport) Written() int {
	return r.OrganisationsCreated + r.OrganisationsUpdated + r.ServicesCreated + r.ServicesUpdated
}

// MaxDocumentBytes caps a document or API page read from a URL.
const MaxDocumentBytes = 64 << 20

var utf8BOM = []byte("\xef\xbb\xbf")

func (imp *Importer) init() {
	if imp.orgs == nil {
		imp.orgs = map[string]orgOutcome{}
	}
	if imp.Source == "" {
		imp.Source = "oruk"
	}
	if imp.Actor.UserID == "" {
		imp.Actor = Actor{UserID: "system", Client: "import"}
	}
}

// DocumentError is an input that cannot be read at all, as opposed to a
// record in it that cannot be imported.
type DocumentError struct{ Message string }

func (e *DocumentError) Error() string { return e.Message }

func documentErrorf(format string, args ...any) error {
	return &DocumentError{Message: fmt.Sprintf(format, args...)}
}

// jsonSyntaxProblem explains why data is not JSON, in one line.
func jsonSyntaxProblem(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return documentErrorf("the document is empty")
	}
	var v any
	err := json.Unmarshal(data, &v)
	var syntax *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return documentErrorf("the document is not valid JSON: %s (at byte %d)", strings.TrimPrefix(syntax.Error(), "invalid character "), syntax.Offset)
	}
	return documentErrorf("the document is not valid JSON: %v", err)
}

// ImportDocument imports one HSDS document: a service, an organization with
// its services, a service_at_location, a list page of any of these (or a
// bare JSON list of them), or a tabular package ({"services.csv": [...]}).
// It returns a *DocumentError if the document cannot be read; records it
// cannot import are listed in the report instead.
func (imp *Importer) ImportDocument(ctx context.Context, data []byte) (ImportReport, error) {
	imp.init()
	records, err := documentRecords(data)
	if err != nil {
		return imp.report, err
	}
	return imp.report, imp.importRecords(ctx, records)
}

// documentRecords detects the shape of a document and returns its records.
func documentRecords(data []byte) ([]json.RawMessage, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if err := jsonSyntaxProblem(data); err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	switch data[0] {
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, documentErrorf("the document's list could not be read: %v", err)
		}
		return list, nil
	case '{':
	default:
		return nil, documentErrorf("the document must be a JSON object or list, not %s", jsonKindOf(data))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, documentErrorf("the document could not be read: %v", err)
	}
	if contents, ok := obj["contents"]; ok {
		var list []json.RawMessage
		if err := json.Unmarshal(contents, &list); err != nil {
			return nil, documentErrorf("the page's contents must be a list, not %s", jsonKindOf(contents))
		}
		return list, nil
	}
	for key := range obj {
		if strings.HasSuffix(key, ".csv") {
			return tabularRecords(obj)
		}
	}
	switch kind := classifyRecord(obj); kind {
	case recService, recOrganization, recServiceAtLocation:
		return []json.RawMessage{data}, nil
	case recUnknown:
		return nil, documentErrorf("the document is not an HSDS service, organization, service_at_location, list page or tabular package: it has none of their fields")
	default:
		return nil, documentErrorf("the document is %s; Oikos imports services and organizations (their places and terms come with them)", kind)
	}
}

func jsonKindOf(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a number"
}

// recordKind is what an HSDS object is, judged by its fields.
type recordKind int

const (
	recUnknown recordKind = iota
	recService
	recOrganization
	recServiceAtLocation
	recLocation
	recTaxonomy
	recTaxonomyTerm
	recAPIRoot
)

func (k recordKind) String() string {
	return [...]string{"not an HSDS object", "a service", "an organization", "a service_at_location",
		"a location", "a taxonomy", "a taxonomy term", "an API's root information"}[k]
}

func hasAnyKey(obj map[string]json.RawMessage, keys ...string) bool {
	return slices.ContainsFunc(keys, func(k string) bool { _, ok := obj[k]; return ok })
}

// classifyRecord tells services, organizations and the rest apart by fields only
// each has: HSDS objects carry no type.
func classifyRecord(obj map[string]json.RawMessage) recordKind {
	if s, ok := obj["service"]; ok && jsonKindOf(s) == "an object" {
		return recServiceAtLocation
	}
	switch {
	case hasAnyKey(obj, "location_type", "latitude", "longitude", "addresses"):
		return recLocation
	case hasAnyKey(obj, "openapi_url", "profile"):
		return recAPIRoot
	case hasAnyKey(obj, "status", "service_at_locations", "schedules", "cost_options", "organization", "program_id",
		"eligibility_description", "fees_description", "minimum_age", "maximum_age", "interpretation_services",
		"application_process", "assured_date", "service_areas", "required_documents"):
		return recService
	case hasAnyKey(obj, "taxonomy", "taxonomy_id", "taxonomy_detail", "term_uri", "parent_id", "code"):
		return recTaxonomyTerm
	case hasAnyKey(obj, "version"):
		return recTaxonomy
	case hasAnyKey(obj, "name"):
		return recOrganization
	}
	return recUnknown
}

// recordIdentity reads a record's id and name for the report, whatever their types.
func recordIdentity(raw json.RawMessage) (id, name string) {
	var obj map[string]json.RawMessage
	json.Unmarshal(raw, &obj)
	text := func(v json.RawMessage) string {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return truncate(strings.Join(strings.Fields(s), " "), 80)
		}
		return truncate(string(bytes.TrimSpace(v)), 40)
	}
	return text(obj["id"]), text(obj["name"])
}

func (imp *Importer) reject(kind, id, name, reason string) {
	imp.report.Rejected = append(imp.report.Rejected, ImportProblem{Kind: kind, ID: id, Name: name, Text: reason})
}

func (imp *Importer) importRecords(ctx context.Context, records []json.RawMessage) error {
	for i, raw := range records {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := imp.importRecord(ctx, raw, i); err != nil {
			return err
		}
	}
	return nil
}

// importRecord imports one record of any kind. Its error is fatal to the
// whole import (the context ended); a bad record is only reported.
func (imp *Importer) importRecord(ctx context.Context, raw json.RawMessage, position int) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		imp.reject("record", "#"+strconv.Itoa(position+1), "", "it is "+jsonKindOf(raw)+", not an HSDS object")
		return nil
	}
	switch kind := classifyRecord(obj); kind {
	case recService:
		return imp.importService(ctx, raw, nil)
	case recOrganization:
		return imp.importOrganizationRecord(ctx, raw)
	case recServiceAtLocation:
		return imp.importServiceAtLocation(ctx, raw)
	default:
		id, name := recordIdentity(raw)
		if id == "" {
			id = "#" + strconv.Itoa(position+1)
		}
		imp.reject("record", id, name, "it is "+kind.String()+", which Oikos does not import on its own")
	}
	return nil
}

// decodeProblem explains, naming the field, why a record could not be read.
func decodeProblem(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return fmt.Sprintf("field %s must be %s, not %s", typ.Field, jsonTypeWord(typ.Type.Kind().String()), typ.Value)
	}
	return "it could not be read: " + strings.TrimPrefix(err.Error(), "json: ")
}

func jsonTypeWord(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "a number"
}

func (imp *Importer) importServiceAtLocation(ctx context.Context, raw json.RawMessage) error {
	var sal HSDSServiceAtLocation
	if err := json.Unmarshal(raw, &sal); err != nil {
		id, name := recordIdentity(raw)
		imp.reject("service_at_location", id, name, decodeProblem(err))
		return nil
	}
	if sal.Service == nil {
		id, _ := recordIdentity(raw)
		imp.reject("service_at_location", id, "", "it does not include its service")
		return nil
	}
	svc := *sal.Service
	sal.Service = nil
	svc.ServiceAtLocations = append([]HSDSServiceAtLocation{sal}, svc.ServiceAtLocations...)
	return imp.importServiceValue(ctx, svc, nil)
}

func (imp *Importer) importOrganizationRecord(ctx context.Context, raw json.RawMessage) error {
	// Services are decoded one by one so that one bad service does not
	// take its organization and siblings with it.
	var rec struct {
		HSDSOrganization
		Services []json.RawMessage `json:"services"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		id, name := recordIdentity(raw)
		imp.reject("organization", id, name, decodeProblem(err))
		return nil
	}
	o := rec.HSDSOrganization
	o.Services = nil
	imp.organisation(ctx, o)
	for _, svc := range rec.Services {
		if err := imp.importService(ctx, svc, &o); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (imp *Importer) importService(ctx context.Context, raw json.RawMessage, parent *HSDSOrganization) error {
	var svc HSDSService
	if err := json.Unmarshal(raw, &svc); err != nil {
		id, name := recordIdentity(raw)
		imp.reject("service", id, name, decodeProblem(err))
		return nil
	}
	return imp.importServiceValue(ctx, svc, parent)
}

func (imp *Importer) importServiceValue(ctx context.Context, svc HSDSService, parent *HSDSOrganization) error {
	id, name := truncate(strings.TrimSpace(svc.ID), 80), truncate(strings.Join(strings.Fields(svc.Name), " "), 80)
	orgID, why := imp.organisationFor(ctx, svc, parent)
	if err := ctx.Err(); err != nil {
		return err
	}
	if why != "" {
		imp.reject("service", id, name, why)
		return nil
	}
	m, reason := mapService(svc, orgID, imp.Source)
	if reason != "" {
		imp.reject("service", id, name, reason)
		return nil
	}
	oikosID, created, err := imp.Directory.Upsert(ctx, imp.Actor, m.Imported)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		imp.reject("service", id, name, refusalReason(err))
		return nil
	}
	if m.Point != nil {
		if err := imp.Directory.placeAt(ctx, oikosID, *m.Point); err != nil {
			m.note("its coordinates could not be saved, so it is placed by postcode: %v", err)
		}
	}
	if created {
		imp.report.ServicesCreated++
	} else {
		imp.report.ServicesUpdated++
	}
	for _, n := range m.Notes {
		imp.report.Notes = append(imp.report.Notes, ImportProblem{Kind: "service", ID: id, Name: name, Text: n})
	}
	return nil
}

// placeAt records where the source placed an imported service. It runs
// after Upsert, which places the service by postcode: if it fails the
// service is still whole, only less precisely placed.
func (s *Store) placeAt(ctx context.Context, id string, p postcode.Point) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE services SET latitude = $1, longitude = $2 WHERE id = $3", p.Lat, p.Lon, id)
		return err
	})
}

// hsdsFieldNames names Oikos's fields as the HSDS document does, so that a
// rejection points at what to fix in the source.
var hsdsFieldNames = map[string]string{
	"organisation_id": "organization", "categories": "attributes (categories)", "postcode": "postal_code",
	"address": "addresses", "location_name": "location.name", "cost_pence": "cost_options.amount",
	"phone": "phones.number", "eligibility": "eligibility_description", "min_age": "minimum_age",
	"max_age": "maximum_age", "schedule": "schedules", "accessibility": "accessibility.description",
	"languages": "languages.name",
}

// refusalReason explains why the store refused a record, naming the fields.
func refusalReason(err error) string {
	var e *oikos.Error
	if !errors.As(err, &e) {
		return "the database refused it: " + err.Error()
	}
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		name := k
		if base, rest, found := strings.Cut(k, "["); found {
			if h, ok := hsdsFieldNames[base]; ok {
				name = h + "[" + rest
			}
		} else if h, ok := hsdsFieldNames[k]; ok {
			name = h
		}
		parts = append(parts, name+": "+e.Fields[k])
	}
	return strings.Join(parts, "; ")
}

// organisationFor finds or imports the organisation that runs svc.
func (imp *Importer) organisationFor(ctx context.Context, svc HSDSService, parent *HSDSOrganization) (string, string) {
	switch {
	case parent != nil:
		return imp.organisation(ctx, *parent)
	case svc.Organization != nil && (svc.Organization.ID != "" || svc.Organization.Name != ""):
		if svc.Organization.ID == "" {
			svc.Organization.ID = svc.OrganizationID
		}
		return imp.organisation(ctx, *svc.Organization)
	case strings.TrimSpace(svc.OrganizationID) != "":
	default:
		return "", "it names no organization"
	}
	hsdsID := strings.TrimSpace(svc.OrganizationID)
	if out, ok := imp.orgs[hsdsID]; ok {
		return out.oikosID, out.reason
	}
	if id, ok := cleanSourceID(hsdsID); ok {
		var oikosID string
		err := imp.Directory.DB.R().QueryRowContext(ctx, "SELECT id FROM organisations WHERE source = $1 AND source_id = $2", imp.Source, id).Scan(&oikosID)
		if err == nil {
			return oikosID, ""
		}
		if err != sql.ErrNoRows {
			return "", "its organization could not be looked up: " + err.Error()
		}
		if imp.fetchOrganization != nil {
			data, err := imp.fetchOrganization(ctx, id)
			if err != nil {
				return "", fmt.Sprintf("its organization %s could not be fetched: %v", truncate(id, 60), err)
			}
			var o HSDSOrganization
			if err := json.Unmarshal(data, &o); err != nil {
				return "", fmt.Sprintf("its organization %s could not be read: %s", truncate(id, 60), decodeProblem(err))
			}
			o.Services = nil
			if o.ID == "" {
				o.ID = id
			}
			return imp.organisation(ctx, o)
		}
	}
	return "", fmt.Sprintf("its organization %s is not in the document and has not been imported before", truncate(hsdsID, 60))
}

// organisation imports an organization once per run and returns its Oikos
// id, or why it could not be imported.
func (imp *Importer) organisation(ctx context.Context, o HSDSOrganization) (string, string) {
	id, ok := cleanSourceID(o.ID)
	name := truncate(strings.Join(strings.Fields(o.Name), " "), 80)
	if !ok {
		reason := "it has no id"
		if strings.TrimSpace(o.ID) != "" {
			reason = "its id must be plain text of at most 200 characters"
		}
		imp.reject("organization", truncate(o.ID, 80), name, reason)
		return "", "its organization cannot be imported: " + reason
	}
	if out, ok := imp.orgs[id]; ok {
		return out.oikosID, out.reason
	}
	var notes []string
	in := org.Imported{Source: imp.Source, SourceID: id, Name: o.Name, Description: strings.TrimSpace(o.Description)}
	if utf8.RuneCountInString(in.Description) > maxDescription {
		in.Description = string([]rune(in.Description)[:maxDescription-1]) + "…"
		notes = append(notes, fmt.Sprintf("description was longer than %d characters and was shortened", maxDescription))
	}
	if w := strings.TrimSpace(o.Website); w != "" {
		if u, err := url.Parse(w); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && oikos.PlainText(w, false) && len(w) <= 2000 {
			in.Website = w
		} else {
			notes = append(notes, fmt.Sprintf("website %q is not a web address starting http:// or https://, so it was left out", truncate(w, 60)))
		}
	}
	if e := strings.TrimSpace(o.Email); e != "" {
		if publishableEmail(e) != "" && len(e) <= 254 {
			in.Email = e
		} else {
			notes = append(notes, fmt.Sprintf("email %q is not an email address, so it was left out", truncate(e, 60)))
		}
	}
	oikosID, created, err := imp.Orgs.Import(ctx, org.Actor{UserID: imp.Actor.UserID, Client: imp.Actor.Client}, in)
	if err != nil {
		reason := refusalReason(err)
		imp.reject("organization", truncate(id, 80), name, reason)
		out := orgOutcome{reason: "its organization could not be imported: " + reason}
		if ctx.Err() == nil {
			imp.orgs[id] = out
		}
		return "", out.reason
	}
	imp.orgs[id] = orgOutcome{oikosID: oikosID}
	if created {
		imp.report.OrganisationsCreated++
	} else {
		imp.report.OrganisationsUpdated++
	}
	for _, n := range notes {
		imp.report.Notes = append(imp.report.Notes, ImportProblem{Kind: "organization", ID: truncate(id, 80), Name: name, Text: n})
	}
	return oikosID, ""
}

// ImportURL imports from the web: an HSDS API (its root, or its /services
// endpoint, walked page by page, fetching each service in full when the
// list gives only its one-to-one fields), one service (/services/{id}), or
// a document at any other address.
func (imp *Importer) ImportURL(ctx context.Context, rawURL string) (ImportReport, error) {
	imp.init()
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return imp.report, documentErrorf("%q is not a web address starting http:// or https://", rawURL)
	}
	path := strings.TrimSuffix(u.Path, "/")
	if strings.HasSuffix(path, "/services") {
		return imp.report, imp.walk(ctx, u)
	}
	data, err := imp.fetch(ctx, u.String())
	if err != nil {
		return imp.report, err
	}
	var obj map[string]json.RawMessage
	json.Unmarshal(bytes.TrimPrefix(data, utf8BOM), &obj)
	if _, isPage := obj["contents"]; isPage {
		return imp.report, imp.walk(ctx, u)
	}
	if hasAnyKey(obj, "version", "openapi_url") && !hasAnyKey(obj, "id", "name") {
		// The API's root: its services are one level down.
		services := *u
		services.Path = path + "/services"
		services.RawQuery = ""
		return imp.report, imp.walk(ctx, &services)
	}
	return imp.ImportDocument(ctx, data)
}

func (imp *Importer) client() *http.Client {
	if imp.Client != nil {
		return imp.Client
	}
	return &http.Client{Timeout: time.Minute}
}

// fetch GETs a JSON document, refusing anything but 200 and anything
// larger than MaxDocumentBytes.
func (imp *Importer) fetch(ctx context.Context, address string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return nil, documentErrorf("%s: %v", address, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Oikos-importer/1")
	resp, err := imp.client().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, documentErrorf("could not fetch %s: %v", address, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, documentErrorf("fetching %s answered %s", address, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxDocumentBytes+1))
	if err != nil {
		return nil, documentErrorf("could not read %s: %v", address, err)
	}
	if len(data) > MaxDocumentBytes {
		return nil, documentErrorf("%s is larger than %d MB", address, MaxDocumentBytes>>20)
	}
	return data, nil
}

// maxPages stops a walk that never ends.
const maxPages = 100000

// walk imports an HSDS list endpoint page by page until its last page.
func (imp *Importer) walk(ctx context.Context, list *url.URL) error {
	base := *list
	base.RawQuery, base.Fragment = "", ""
	base.Path = strings.TrimSuffix(base.Path, "/")
	// The list endpoint (/services, /service_at_locations…) sits at the
	// API's root, beside /services/{id} and /organizations/{id}.
	root := base
	root.Path = base.Path[:max(0, strings.LastIndex(base.Path, "/"))]
	imp.fetchOrganization = func(ctx context.Context, id string) ([]byte, error) {
		o := root
		o.Path = root.Path + "/organizations/" + url.PathEscape(id)
		return imp.fetch(ctx, o.String())
	}
	defer func() { imp.fetchOrganization = nil }()
	perPage := imp.PageSize
	if perPage <= 0 {
		perPage = 100
	}
	var firstIDs string
	for page := 1; page <= maxPages; page++ {
		q := list.Query()
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(perPage))
		pageURL := base
		pageURL.RawQuery = q.Encode()
		data, err := imp.fetch(ctx, pageURL.String())
		if err != nil {
			return err
		}
		var env struct {
			Contents   *[]json.RawMessage `json:"contents"`
			LastPage   *bool              `json:"last_page"`
			TotalPages *int               `json:"total_pages"`
		}
		if err := json.Unmarshal(bytes.TrimPrefix(data, utf8BOM), &env); err != nil || env.Contents == nil {
			if jsonErr := jsonSyntaxProblem(bytes.TrimPrefix(data, utf8BOM)); jsonErr != nil {
				return documentErrorf("page %d of %s: %v", page, base.String(), jsonErr)
			}
			return documentErrorf("page %d of %s is not an HSDS page: it has no contents list", page, base.String())
		}
		items := *env.Contents
		if len(items) == 0 {
			break
		}
		ids := pageIDs(items)
		if page > 1 && ids == firstIDs {
			imp.report.Warnings = append(imp.report.Warnings, fmt.Sprintf(
				"page %d repeated page 1, so the server seems to ignore the page parameter: stopped there", page))
			break
		}
		if page == 1 {
			firstIDs = ids
		}
		for i, item := range items {
			if err := ctx.Err(); err != nil {
				return err
			}
			full, err := imp.detail(ctx, root, item)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				id, name := recordIdentity(item)
				imp.reject("service", id, name, err.Error())
				continue
			}
			if err := imp.importRecord(ctx, full, (page-1)*perPage+i); err != nil {
				return err
			}
		}
		if (env.LastPage != nil && *env.LastPage) || (env.TotalPages != nil && page >= *env.TotalPages) {
			break
		}
	}
	return nil
}

func pageIDs(items []json.RawMessage) string {
	var ids []string
	for _, item := range items {
		id, _ := recordIdentity(item)
		ids = append(ids, id)
	}
	return strings.Join(ids, "\x00")
}

// detail fetches /services/{id} for a list item that carries only a
// service's one-to-one fields.
func (imp *Importer) detail(ctx context.Context, apiRoot url.URL, item json.RawMessage) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(item, &obj) != nil || classifyRecord(obj) != recService ||
		hasAnyKey(obj, "service_at_locations", "schedules", "attributes", "phones", "cost_options") {
		return item, nil
	}
	var id string
	if json.Unmarshal(obj["id"], &id) != nil || strings.TrimSpace(id) == "" {
		return item, nil
	}
	u := apiRoot
	u.Path = apiRoot.Path + "/services/" + url.PathEscape(id)
	data, err := imp.fetch(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("its full record could not be fetched: %v", err)
	}
	if err := jsonSyntaxProblem(bytes.TrimPrefix(data, utf8BOM)); err != nil {
		return nil, fmt.Errorf("its full record could not be read: %v", err)
	}
	return bytes.TrimPrefix(data, utf8BOM), nil
}
