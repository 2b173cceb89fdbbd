package directory

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/postcode"
	"oikos/internal/taxonomy"
)

// ORUKFilter selects the services the Open Referral UK API publishes. Only
// active services are ever listed. Ids are the ones the API publishes.
type ORUKFilter struct {
	Search         string // words in the name or description
	TaxonomyTermID string // an Oikos category (UUID or code) or an imported term
	TaxonomyID     string // Oikos's taxonomy or an imported one
	OrganizationID string
	ModifiedAfter  time.Time // changed on or after
	Near           *postcode.Point
	WithinMetres   float64 // with Near: only services this close; 0 for any distance
	LocatedOnly    bool    // only services with a place (service_at_locations)
	Offset, Limit  int
}

// orukConds collects SQL orukConds with "?" placeholders numbered in order.
type orukConds struct {
	where []string
	args  []any
}

func (c *orukConds) add(cond string, args ...any) {
	for _, a := range args {
		c.args = append(c.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(c.args)), 1)
	}
	c.where = append(c.where, cond)
}

func (c *orukConds) sql() string {
	if len(c.where) == 0 {
		return "1 = 1"
	}
	return strings.Join(c.where, " AND ")
}

// orukLike matches text containing s, case-insensitively, with LIKE's
// wildcards in s taken literally.
func orukLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// orukConditions turns a filter into SQL over services s. none reports that
// the filter names something that does not exist, so nothing matches.
func (s *Store) orukConditions(ctx context.Context, f ORUKFilter) (c orukConds, none bool, err error) {
	c.add("s.status = 'active'")
	if q := strings.TrimSpace(f.Search); q != "" {
		p := orukLike(q)
		c.add(`(lower(s.name) LIKE ? ESCAPE '\' OR lower(s.description) LIKE ? ESCAPE '\')`, p, p)
	}
	if f.OrganizationID != "" {
		orgID, ok, err := s.resolveOrganisation(ctx, f.OrganizationID)
		if err != nil || !ok {
			return c, true, err
		}
		c.add("s.organisation_id = ?", orgID)
	}
	if f.TaxonomyTermID != "" {
		if cat, ok := CategoryForTermID(f.TaxonomyTermID); ok {
			c.add("EXISTS (SELECT 1 FROM service_categories c WHERE c.service_id = s.id AND c.category = ?)", cat.Code)
		} else {
			terms, err := s.importedTerms(ctx)
			if err != nil {
				return c, false, err
			}
			var alts []string
			var args []any
			for _, t := range terms {
				if strings.EqualFold(t.HSDSTermID(), f.TaxonomyTermID) || (t.TermID != "" && t.TermID == f.TaxonomyTermID) {
					alts = append(alts, "(t.taxonomy = ? AND t.term_id = ? AND t.code = ? AND t.name = ?)")
					args = append(args, t.Taxonomy, t.TermID, t.Code, t.Name)
				}
			}
			if len(alts) == 0 {
				return c, true, nil
			}
			c.add("EXISTS (SELECT 1 FROM service_terms t WHERE t.service_id = s.id AND ("+strings.Join(alts, " OR ")+"))", args...)
		}
	}
	if f.TaxonomyID != "" && !IsOikosTaxonomy(f.TaxonomyID) {
		names, err := s.importedTaxonomies(ctx)
		if err != nil {
			return c, false, err
		}
		i := slices.IndexFunc(names, func(n string) bool {
			return strings.EqualFold(importedTaxonomyUUID(n), f.TaxonomyID) || n == f.TaxonomyID
		})
		if i < 0 {
			return c, true, nil
		}
		c.add("EXISTS (SELECT 1 FROM service_terms t WHERE t.service_id = s.id AND t.taxonomy = ?)", names[i])
	}
	if !f.ModifiedAfter.IsZero() {
		c.add("s.updated_at >= ?", db.Millis(f.ModifiedAfter))
	}
	if f.LocatedOnly {
		c.add("(s.location_name <> '' OR s.address <> '' OR s.postcode <> '' OR s.latitude IS NOT NULL)")
	}
	if f.Near != nil && f.WithinMetres > 0 {
		minLat, maxLat, minLon, maxLon := postcode.BoundingBox(*f.Near, f.WithinMetres/1000)
		c.add("s.latitude BETWEEN ? AND ? AND s.longitude BETWEEN ? AND ?", minLat, maxLat, minLon, maxLon)
	}
	return c, false, nil
}

// ORUKServices lists the services a filter selects, in name order or, with
// Near, nearest first, with the total that match.
func (s *Store) ORUKServices(ctx context.Context, f ORUKFilter) ([]Service, int, error) {
	c, none, err := s.orukConditions(ctx, f)
	if err != nil || none {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	if f.Near != nil {
		return s.orukServicesNear(ctx, f, c, limit)
	}
	var total int
	if err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM services s WHERE "+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(c.args)
	args := append(c.args, limit, f.Offset)
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE "+
		c.sql()+" ORDER BY lower(s.name), s.id LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := s.scanORUKServices(ctx, rows)
	return list, total, err
}

func (s *Store) scanORUKServices(ctx context.Context, rows *sql.Rows) ([]Service, error) {
	defer rows.Close()
	var out []Service
	for rows.Next() {
		v, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.attach(ctx, out)
}

// orukServicesNear measures the distance to every candidate (the bounding
// box has already narrowed them when there is a radius), then pages through
// them nearest first; services with no known place come last.
func (s *Store) orukServicesNear(ctx context.Context, f ORUKFilter, c orukConds, limit int) ([]Service, int, error) {
	rows, err := s.DB.R().QueryContext(ctx, "SELECT s.id, lower(s.name), s.latitude, s.longitude FROM services s WHERE "+c.sql(), c.args...)
	if err != nil {
		return nil, 0, err
	}
	type nearby struct {
		id, name string
		km       float64
	}
	var found []nearby
	for rows.Next() {
		var near nearby
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&near.id, &near.name, &lat, &lon); err != nil {
			rows.Close()
			return nil, 0, err
		}
		near.km = -1
		if lat.Valid && lon.Valid {
			near.km = postcode.DistanceKm(*f.Near, postcode.Point{Lat: lat.Float64, Lon: lon.Float64})
		}
		if f.WithinMetres > 0 && (near.km < 0 || near.km*1000 > f.WithinMetres) {
			continue
		}
		found = append(found, near)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	slices.SortFunc(found, func(a, b nearby) int {
		switch {
		case (a.km < 0) != (b.km < 0):
			if a.km < 0 {
				return 1
			}
			return -1
		case a.km < b.km:
			return -1
		case a.km > b.km:
			return 1
		}
		return strings.Compare(a.name+"\x00"+a.id, b.name+"\x00"+b.id)
	})
	total := len(found)
	if f.Offset >= total {
		return nil, total, nil
	}
	page := found[f.Offset:min(total, f.Offset+limit)]
	ids := make([]string, len(page))
	for i, near := range page {
		ids[i] = near.id
	}
	list, err := s.servicesByIDs(ctx, ids)
	return list, total, err
}

// servicesByIDs loads services in the order of ids.
func (s *Store) servicesByIDs(ctx context.Context, ids []string) ([]Service, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.id IN ("+
		strings.Join(marks, ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	list, err := s.scanORUKServices(ctx, rows)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b Service) int { return slices.Index(ids, a.ID) - slices.Index(ids, b.ID) })
	return list, nil
}

// ORUKService finds a service by the id the API publishes for it (or its
// Oikos id). Closed services are found too: they are published as inactive.
func (s *Store) ORUKService(ctx context.Context, id string) (Service, error) {
	oikosID, ok, err := s.resolve(ctx, "services", kindService, id)
	if err != nil {
		return Service{}, err
	}
	if !ok {
		return Service{}, oikos.NotFound("Service")
	}
	return s.Get(ctx, oikosID)
}

// ORUKServiceAtLocation finds the service behind a published
// service_at_location id. Only active services with a place have one.
func (s *Store) ORUKServiceAtLocation(ctx context.Context, id string) (Service, error) {
	kind, oikosID, ok := decodeUUID(id)
	if !ok || kind != kindServiceAtLocation {
		var err error
		if oikosID, ok, err = s.scanDerived(ctx, "services", kindServiceAtLocation, id); err != nil || !ok {
			return Service{}, orukNotFound(err, "Service at location")
		}
	}
	v, err := s.Get(ctx, oikosID)
	if err != nil || v.Status != "active" || !v.HasLocation() {
		return Service{}, orukNotFound(err, "Service at location")
	}
	return v, nil
}

func orukNotFound(err error, what string) error {
	if err == nil || oikos.ErrorCode(err) == oikos.ENOTFOUND {
		return oikos.NotFound(what)
	}
	return err
}

// resolve turns a published id into an Oikos id in table: a reversible UUID,
// an imported record's source id, an Oikos id itself, or a name-based UUID
// of an id db.NewID did not make.
func (s *Store) resolve(ctx context.Context, table string, kind idKind, id string) (string, bool, error) {
	if !oikos.PlainText(id, false) || id == "" || len(id) > 200 {
		return "", false, nil
	}
	// A UUID made by this Oikos names its own record; one made by another
	// Oikos is a source id here, so a miss falls through to source ids.
	if k, oikosID, ok := decodeUUID(id); ok && k == kind {
		if found, ok, err := s.exists(ctx, table, oikosID); err != nil || ok {
			return found, ok, err
		}
	}
	var oikosID string
	err := s.DB.R().QueryRowContext(ctx, "SELECT id FROM "+table+" WHERE source <> '' AND lower(source_id) = $1 ORDER BY created_at, id LIMIT 1",
		strings.ToLower(id)).Scan(&oikosID)
	if err == nil {
		return oikosID, true, nil
	}
	if err != sql.ErrNoRows {
		return "", false, err
	}
	if found, ok, err := s.exists(ctx, table, id); err != nil || ok {
		return found, ok, err
	}
	return s.scanDerived(ctx, table, kind, id)
}

func (s *Store) exists(ctx context.Context, table, id string) (string, bool, error) {
	var found string
	err := s.DB.R().QueryRowContext(ctx, "SELECT id FROM "+table+" WHERE id = $1", id).Scan(&found)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return found, err == nil, err
}

// scanDerived finds the row whose name-based UUID is id. Only ids not made
// by db.NewID publish such UUIDs, so only those are tried.
func (s *Store) scanDerived(ctx context.Context, table string, kind idKind, id string) (string, bool, error) {
	if !IsUUID(id) {
		return "", false, nil
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT id FROM "+table+" WHERE length(id) <> $1", canonicalIDLength)
	if err != nil {
		return "", false, err
	}
	defer rows.Close()
	for rows.Next() {
		var candidate string
		if err := rows.Scan(&candidate); err != nil {
			return "", false, err
		}
		if strings.EqualFold(encodeUUID(kind, candidate), id) {
			return candidate, true, nil
		}
	}
	return "", false, rows.Err()
}

// publishedOrganisation is the condition for an organisation to appear in
// the API: it came from another directory, or it runs an active service.
// Other organisations (GP practices, councils) are Oikos's users, not
// directory entries.
const publishedOrganisation = `(o.source <> '' OR EXISTS (SELECT 1 FROM services x WHERE x.organisation_id = o.id AND x.status = 'active'))`

const orukOrgColumns = "o.id, o.name, o.description, o.website, o.email, o.source, o.source_id"

func scanORUKOrg(row interface{ Scan(...any) error }) (OrgRecord, error) {
	var o OrgRecord
	err := row.Scan(&o.ID, &o.Name, &o.Description, &o.Website, &o.Email, &o.Source, &o.SourceID)
	return o, err
}

// ORUKOrganisations lists published organisations in name order.
func (s *Store) ORUKOrganisations(ctx context.Context, search string, offset, limit int) ([]OrgRecord, int, error) {
	var c orukConds
	c.add(publishedOrganisation)
	if q := strings.TrimSpace(search); q != "" {
		p := orukLike(q)
		c.add(`(lower(o.name) LIKE ? ESCAPE '\' OR lower(o.description) LIKE ? ESCAPE '\')`, p, p)
	}
	var total int
	if err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations o WHERE "+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(c.args)
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+orukOrgColumns+" FROM organisations o WHERE "+c.sql()+
		" ORDER BY lower(o.name), o.id LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []OrgRecord
	for rows.Next() {
		o, err := scanORUKOrg(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// ORUKOrganisation finds a published organisation by its published id.
func (s *Store) ORUKOrganisation(ctx context.Context, id string) (OrgRecord, error) {
	oikosID, ok, err := s.resolveOrganisation(ctx, id)
	if err != nil {
		return OrgRecord{}, err
	}
	if !ok {
		return OrgRecord{}, oikos.NotFound("Organization")
	}
	o, err := scanORUKOrg(s.DB.R().QueryRowContext(ctx, "SELECT "+orukOrgColumns+" FROM organisations o WHERE o.id = $1 AND "+publishedOrganisation, oikosID))
	if err == sql.ErrNoRows {
		return o, oikos.NotFound("Organization")
	}
	return o, err
}

func (s *Store) resolveOrganisation(ctx context.Context, id string) (string, bool, error) {
	return s.resolve(ctx, "organisations", kindOrganisation, id)
}

// ORUKOrganisationRecords loads the organisations behind a page of services.
func (s *Store) ORUKOrganisationRecords(ctx context.Context, services []Service) (map[string]OrgRecord, error) {
	out := map[string]OrgRecord{}
	var ids []string
	for _, v := range services {
		if !slices.Contains(ids, v.OrganisationID) {
			ids = append(ids, v.OrganisationID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+orukOrgColumns+" FROM organisations o WHERE o.id IN ("+strings.Join(marks, ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanORUKOrg(rows)
		if err != nil {
			return nil, err
		}
		out[o.ID] = o
	}
	return out, rows.Err()
}

// ORUKServicesOf lists an organisation's active services, all of them.
func (s *Store) ORUKServicesOf(ctx context.Context, organisationID string) ([]Service, error) {
	var out []Service
	for {
		page, total, err := s.List(ctx, ListFilter{OrganisationID: organisationID, ActiveOnly: true, Offset: len(out), Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// importedTerms lists every distinct term kept from imports.
func (s *Store) importedTerms(ctx context.Context) ([]Term, error) {
	rows, err := s.DB.R().QueryContext(ctx, "SELECT DISTINCT taxonomy, term_id, code, name FROM service_terms ORDER BY taxonomy, name, code, term_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Term
	for rows.Next() {
		var t Term
		if err := rows.Scan(&t.Taxonomy, &t.TermID, &t.Code, &t.Name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// importedTaxonomies lists the taxonomies imported terms came from.
func (s *Store) importedTaxonomies(ctx context.Context) ([]string, error) {
	return db.Strings(ctx, s.DB.R(), "SELECT DISTINCT taxonomy FROM service_terms WHERE taxonomy <> '' ORDER BY taxonomy")
}

// ORUKTaxonomies lists Oikos's taxonomy, then those of imported terms.
func (s *Store) ORUKTaxonomies(ctx context.Context) ([]HSDSTaxonomy, error) {
	names, err := s.importedTaxonomies(ctx)
	if err != nil {
		return nil, err
	}
	out := []HSDSTaxonomy{OikosTaxonomy()}
	for _, n := range names {
		t := ImportedTaxonomy(n)
		if !slices.ContainsFunc(out, func(x HSDSTaxonomy) bool { return x.ID == t.ID }) {
			out = append(out, t)
		}
	}
	return out, nil
}

// ORUKTerms lists Oikos's categories as terms, then the imported terms, each
// once.
func (s *Store) ORUKTerms(ctx context.Context) ([]HSDSTaxonomyTerm, error) {
	imported, err := s.importedTerms(ctx)
	if err != nil {
		return nil, err
	}
	var out []HSDSTaxonomyTerm
	seen := map[string]bool{}
	for _, c := range taxonomy.Categories {
		t := CategoryTerm(c)
		seen[t.ID] = true
		out = append(out, t)
	}
	for _, it := range imported {
		t := it.HSDS()
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	return out, nil
}
