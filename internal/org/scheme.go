package org

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/postcode"
)

// Schemes are the boundary: a referral belongs to one scheme, and the
// people who work with people (link workers, managers, volunteers,
// commissioners) see only their own scheme's. A scheme is an organisation
// of kind "scheme"; the postcode districts it covers decide which scheme a
// referral belongs to when the referrer does not say.

// districtPattern is a postcode district: area letters, district digits,
// an optional letter ("EX4", "PL21", "W1A").
var districtPattern = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?$`)

// maxAreas bounds one scheme's list; a whole region is a few hundred.
const maxAreas = 1000

// NormaliseAreas tidies a scheme's districts (upper case, no spaces, each
// once, sorted) and says what is wrong with them, or "" if nothing. Only a
// scheme covers areas.
func NormaliseAreas(areas []string, kind Kind) ([]string, string) {
	if len(areas) == 0 {
		return areas, ""
	}
	if kind != "scheme" {
		return nil, "Only a social prescribing scheme covers areas: leave areas empty for this kind."
	}
	if len(areas) > maxAreas {
		return nil, fmt.Sprintf("A scheme may cover at most %d postcode districts.", maxAreas)
	}
	out := make([]string, 0, len(areas))
	for _, a := range areas {
		d := strings.ToUpper(strings.Join(strings.Fields(a), ""))
		if !districtPattern.MatchString(d) {
			shown := a
			if !oikos.PlainText(a, false) || len(a) > 10 {
				shown = "one of them"
			}
			return nil, fmt.Sprintf("%q is not a postcode district: give the first half of a postcode, as in EX4 or PL21.", shown)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out, ""
}

// ChooseScheme decides which scheme a referral belongs to (CONTRACT.md,
// "Schemes"): the one the referrer named, else the one covering the
// person's postcode district, else the only scheme, else the configured
// default, else the first scheme made. schemes lists every active scheme,
// oldest first; it is empty in a deployment without schemes, where every
// referral belongs to none ("").
func ChooseScheme(named, covering string, schemes []string, configured string) string {
	switch {
	case named != "":
		return named
	case covering != "":
		return covering
	case len(schemes) == 0:
		return ""
	case len(schemes) == 1:
		return schemes[0]
	case configured != "" && slices.Contains(schemes, configured):
		return configured
	}
	return schemes[0]
}

// SchemeChooser settles the scheme of referrals on their way in, inside the
// transaction that writes them. It reads the schemes once and each
// district's covering scheme once, so a batch of referrals costs a query or
// two.
type SchemeChooser struct {
	// Default is the configured default scheme (OIKOS_DEFAULT_SCHEME), used
	// when several schemes exist and none covers the person's district.
	Default  string
	q        db.Querier
	schemes  []string
	loaded   bool
	covering map[string]string
}

// NewSchemeChooser reads through q (a transaction, usually).
func NewSchemeChooser(q db.Querier, configured string) *SchemeChooser {
	return &SchemeChooser{Default: configured, q: q, covering: map[string]string{}}
}

// ErrUnknownScheme answers a referral that names a scheme that is not one.
var ErrUnknownScheme = oikos.Invalid(map[string]string{"scheme_id": "No active social prescribing scheme has that id."})

// Choose returns the scheme for a referral that named the scheme named
// (or "") about a person with the given postcode.
func (c *SchemeChooser) Choose(ctx context.Context, named, personPostcode string) (string, error) {
	if !c.loaded {
		ids, err := db.Strings(ctx, c.q, "SELECT id FROM organisations WHERE kind = 'scheme' AND active = true ORDER BY created_at, id")
		if err != nil {
			return "", err
		}
		c.schemes, c.loaded = ids, true
	}
	if named != "" {
		if !slices.Contains(c.schemes, named) {
			return "", ErrUnknownScheme
		}
		return named, nil
	}
	if len(c.schemes) <= 1 {
		return ChooseScheme("", "", c.schemes, c.Default), nil
	}
	district := ""
	if pc, ok := postcode.Normalise(personPostcode); ok {
		district = postcode.Outcode(pc)
	}
	covering, seen := c.covering[district]
	if !seen && district != "" {
		err := c.q.QueryRowContext(ctx, `SELECT a.scheme_id FROM scheme_areas a JOIN organisations o ON o.id = a.scheme_id
			WHERE a.area = $1 AND o.active = true`, district).Scan(&covering)
		if err != nil && err != sql.ErrNoRows {
			return "", err
		}
		c.covering[district] = covering
	}
	return ChooseScheme("", covering, c.schemes, c.Default), nil
}

// setAreas replaces the districts scheme id covers. A district another
// scheme covers already is refused, naming that scheme.
func setAreas(ctx context.Context, tx *sql.Tx, id string, areas []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM scheme_areas WHERE scheme_id = $1", id); err != nil {
		return err
	}
	for _, a := range areas {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT o.name FROM scheme_areas a JOIN organisations o ON o.id = a.scheme_id WHERE a.area = $1`, a).Scan(&other)
		if err == nil {
			return oikos.Invalid(map[string]string{"areas": fmt.Sprintf("%s is covered by %s already: a district belongs to one scheme.", a, other)})
		}
		if err != sql.ErrNoRows {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO scheme_areas (area, scheme_id) VALUES ($1, $2)", a, id); err != nil {
			return err
		}
	}
	return nil
}

// loadAreas fills in the areas of the schemes among orgs.
func (s *Store) loadAreas(ctx context.Context, orgs []Organisation) error {
	bySchemeIndex := map[string]int{}
	for i, o := range orgs {
		if o.Kind == "scheme" {
			bySchemeIndex[o.ID] = i
		}
	}
	if len(bySchemeIndex) == 0 {
		return nil
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT scheme_id, area FROM scheme_areas ORDER BY area")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, area string
		if err := rows.Scan(&id, &area); err != nil {
			return err
		}
		if i, ok := bySchemeIndex[id]; ok {
			orgs[i].Areas = append(orgs[i].Areas, area)
		}
	}
	return rows.Err()
}

// Schemes lists the active schemes, oldest first, with their areas: for
// choosing a referral's scheme on a form, and a user's on the admin pages.
func (s *Store) Schemes(ctx context.Context) ([]Organisation, error) {
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+columns+" FROM organisations WHERE kind = 'scheme' AND active = true ORDER BY created_at, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.loadAreas(ctx, out); err != nil {
		return nil, err
	}
	return out, s.loadRoleNames(ctx, out)
}
