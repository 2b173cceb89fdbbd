// Package org owns organisations: GP practices, trusts, councils, voluntary
// and community groups, and the social prescribing schemes themselves.
package org

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
)

// Kind is an organisation's kind, fixed by the contract.
type Kind string

// Kinds lists every kind in the order forms show them.
var Kinds = []Kind{"gp_practice", "nhs_trust", "council", "vcse", "scheme", "other"}

// Label is the kind as a person reads it.
func (k Kind) Label() string {
	switch k {
	case "gp_practice":
		return "GP practice"
	case "nhs_trust":
		return "NHS trust"
	case "council":
		return "Council"
	case "vcse":
		return "Voluntary, community or social enterprise"
	case "scheme":
		return "Social prescribing scheme"
	case "other":
		return "Other"
	}
	return string(k)
}

// Organisation is one organisation.
type Organisation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Description, Website and Email describe the organisation in the
	// public directory.
	Description string `json:"description"`
	Website     string `json:"website"`
	Email       string `json:"email"`
	// Phone is a number people can ring; a scheme's is given to the
	// people it supports, beside their link worker's email.
	Phone  string `json:"phone"`
	Active bool   `json:"active"`
	// Areas are the postcode districts a scheme covers (schemes only).
	Areas []string `json:"areas,omitempty"`
	// RoleNames are a scheme's own names for its roles (RoleLabel).
	RoleNames RoleNames `json:"role_names,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input is what a person gives to create or edit an organisation.
type Input struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Areas, for a scheme, are the postcode districts it covers ("EX4").
	// Left out (nil), an update keeps the areas held; an empty list
	// clears them.
	Areas []string `json:"areas,omitempty"`
	// RoleNames, for a scheme, are its own names for its roles
	// ({"link_worker": "Community connector"}). Left out (nil), an update
	// keeps those held; an empty object clears them.
	RoleNames RoleNames `json:"role_names,omitempty"`
	// Phone is a number people can ring ("01392 000 000"). Left out
	// (nil), an update keeps the number held; "" clears it.
	Phone *string `json:"phone,omitempty"`
}

const maxNameLength = 200

// NormalisePhone tidies a phone number people can ring and says what is
// wrong with it: UK numbers, written with spaces, brackets, dashes or a
// leading +44, of 10 or 11 digits once the country code is read as 0.
func NormalisePhone(phone string) (string, string) {
	phone = strings.Join(strings.Fields(phone), " ")
	if phone == "" {
		return "", ""
	}
	digits := 0
	for i, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '(', r == ')', r == '-':
		default:
			return phone, "Enter a phone number in figures, like 01632 960100."
		}
	}
	if strings.HasPrefix(phone, "+44") {
		digits-- // +44 1392 … is 01392 …: 44 for the 0
	}
	if digits < 10 || digits > 11 {
		return phone, "Enter a phone number of 10 or 11 figures, like 01632 960100."
	}
	return phone, ""
}

// Validate checks an Input and tidies its name.
func (in *Input) Validate() error {
	fields := map[string]string{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	switch {
	case in.Name == "":
		fields["name"] = "Enter the organisation's name."
	case !oikos.PlainText(in.Name, false):
		fields["name"] = "Name must not contain control characters."
	case utf8.RuneCountInString(in.Name) > maxNameLength:
		fields["name"] = "Name must be 200 characters or fewer."
	}
	if in.Kind == "" {
		fields["kind"] = "Choose what kind of organisation this is."
	} else if !slices.Contains(Kinds, in.Kind) || !oikos.PlainText(string(in.Kind), false) {
		fields["kind"] = "Kind must be one of gp_practice, nhs_trust, council, vcse, scheme, other."
	}
	if areas, msg := NormaliseAreas(in.Areas, in.Kind); msg != "" {
		fields["areas"] = msg
	} else if in.Areas != nil {
		in.Areas = areas
	}
	if in.Phone != nil {
		phone, msg := NormalisePhone(*in.Phone)
		if msg != "" {
			fields["phone"] = msg
		}
		in.Phone = &phone
	}
	if in.RoleNames != nil {
		switch names, msg := NormaliseRoleNames(in.RoleNames); {
		case msg != "":
			fields["role_names"] = msg
		case in.Kind != "scheme" && len(names) > 0:
			fields["role_names"] = "Only a scheme names its roles."
		default:
			in.RoleNames = names
		}
	}
	return oikos.Invalid(fields)
}

// Store keeps organisations.
type Store struct{ DB *db.DB }

// Actor is who makes a change, for the audit log.
type Actor = oikos.Actor

func duplicateName() error {
	return &oikos.Error{Code: oikos.ECONFLICT, Message: "An organisation with that name already exists.",
		Fields: map[string]string{"name": "An organisation with that name already exists."}}
}

// Create adds an organisation.
func (s *Store) Create(ctx context.Context, by Actor, in Input) (Organisation, error) {
	if err := in.Validate(); err != nil {
		return Organisation{}, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	o := Organisation{ID: db.NewID("org"), Name: in.Name, Kind: in.Kind, Active: true, CreatedAt: now, UpdatedAt: now}
	if in.Phone != nil {
		o.Phone = *in.Phone
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, phone, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, o.ID, o.Name, o.Kind, o.Phone, true, db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return duplicateName()
		}
		if err != nil {
			return err
		}
		if err := setAreas(ctx, tx, o.ID, in.Areas); err != nil {
			return err
		}
		if err := setRoleNames(ctx, tx, o.ID, in.RoleNames); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: now, ActorID: by.UserID, Action: audit.Create,
			ObjectKind: "organisation", ObjectID: o.ID, Client: by.Client})
	})
	o.Areas = in.Areas
	if len(in.RoleNames) > 0 {
		o.RoleNames = in.RoleNames
	}
	return o, err
}

// Update changes an organisation's name and kind.
func (s *Store) Update(ctx context.Context, by Actor, id string, in Input) (Organisation, error) {
	if err := in.Validate(); err != nil {
		return Organisation{}, err
	}
	now := time.Now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET name = $1, kind = $2, updated_at = $3 WHERE id = $4`,
			in.Name, in.Kind, db.Millis(now), id)
		if db.IsUniqueViolation(err) {
			return duplicateName()
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("Organisation")
		}
		// Areas left out are kept, unless the organisation is no longer a
		// scheme: then it covers nothing.
		if in.Areas != nil || in.Kind != "scheme" {
			if err := setAreas(ctx, tx, id, in.Areas); err != nil {
				return err
			}
		}
		if in.RoleNames != nil || in.Kind != "scheme" {
			if err := setRoleNames(ctx, tx, id, in.RoleNames); err != nil {
				return err
			}
		}
		if in.Phone != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE organisations SET phone = $1 WHERE id = $2`, *in.Phone, id); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: now, ActorID: by.UserID, Action: audit.Update,
			ObjectKind: "organisation", ObjectID: id, Client: by.Client})
	})
	if err != nil {
		return Organisation{}, err
	}
	return s.Get(ctx, id)
}

// SetActive deactivates or reactivates an organisation. Its users keep their
// accounts; deactivation only hides it from lists for new work.
func (s *Store) SetActive(ctx context.Context, by Actor, id string, active bool) error {
	now := time.Now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET active = $1, updated_at = $2 WHERE id = $3`, active, db.Millis(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("Organisation")
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: now, ActorID: by.UserID, Action: audit.Update,
			ObjectKind: "organisation", ObjectID: id, Client: by.Client})
	})
}

const columns = "id, name, kind, description, website, email, phone, active, created_at, updated_at"

func scan(row interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var created, updated int64
	err := row.Scan(&o.ID, &o.Name, &o.Kind, &o.Description, &o.Website, &o.Email, &o.Phone, &o.Active, &created, &updated)
	o.CreatedAt, o.UpdatedAt = db.Time(created), db.Time(updated)
	return o, err
}

// Get finds one organisation.
func (s *Store) Get(ctx context.Context, id string) (Organisation, error) {
	if !oikos.PlainText(id, false) {
		return Organisation{}, oikos.NotFound("Organisation")
	}
	o, err := scan(s.DB.R().QueryRowContext(ctx, "SELECT "+columns+" FROM organisations WHERE id = $1", id))
	if err == sql.ErrNoRows {
		return o, oikos.NotFound("Organisation")
	}
	if err != nil {
		return o, err
	}
	one := []Organisation{o}
	if err = s.loadAreas(ctx, one); err == nil {
		err = s.loadRoleNames(ctx, one)
	}
	return one[0], err
}

// Name reads an organisation's name through q: inside a transaction, or
// not.
func Name(ctx context.Context, q db.Querier, id string) (string, error) {
	if !oikos.PlainText(id, false) {
		return "", oikos.NotFound("Organisation")
	}
	var name string
	err := q.QueryRowContext(ctx, "SELECT name FROM organisations WHERE id = $1", id).Scan(&name)
	if err == sql.ErrNoRows {
		return "", oikos.NotFound("Organisation")
	}
	return name, err
}

// ListOptions filter and page a list.
type ListOptions struct {
	ActiveOnly bool
	After      string // the name-sorted cursor from Cursor
	Limit      int
}

// List returns organisations sorted by name, one page at a time, and the
// total that match.
func (s *Store) List(ctx context.Context, opt ListOptions) (items []Organisation, total int, err error) {
	if !oikos.PlainText(strings.ReplaceAll(opt.After, cursorSep, ""), false) {
		return nil, 0, oikos.Invalid(map[string]string{"cursor": "is not valid"})
	}
	where := "WHERE ($1 = false OR active = true)"
	if err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations "+where, opt.ActiveOnly).Scan(&total); err != nil {
		return nil, 0, err
	}
	afterName, afterID, _ := strings.Cut(opt.After, cursorSep)
	limit := opt.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+columns+" FROM organisations "+where+
		" AND ($2 = '' OR lower(name) > lower($2) OR (lower(name) = lower($2) AND id > $3)) ORDER BY lower(name), id LIMIT $4",
		opt.ActiveOnly, afterName, afterID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		items = append(items, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := s.loadAreas(ctx, items); err != nil {
		return nil, 0, err
	}
	return items, total, s.loadRoleNames(ctx, items)
}

// cursorSep joins a cursor's parts; names cannot contain it.
const cursorSep = "\x1f"

// Cursor is the opaque position after o, for the next page.
func Cursor(o Organisation) string { return o.Name + cursorSep + o.ID }

// Imported is an organisation read from another directory.
type Imported struct {
	Source, SourceID                  string
	Name, Description, Website, Email string
}

// Import creates or updates an organisation from another directory, keyed
// by its source id. An organisation of the same name that Oikos already
// holds is adopted rather than duplicated.
func (s *Store) Import(ctx context.Context, by Actor, im Imported) (id string, created bool, err error) {
	in := Input{Name: im.Name, Kind: "other"}
	if err := in.Validate(); err != nil {
		return "", false, err
	}
	fields := map[string]string{}
	for name, v := range map[string]string{"description": im.Description, "website": im.Website, "email": im.Email, "id": im.SourceID} {
		if !oikos.PlainText(v, name == "description") || utf8.RuneCountInString(v) > 5000 {
			fields[name] = "must be plain text of at most 5000 characters"
		}
	}
	if err := oikos.Invalid(fields); err != nil {
		return "", false, err
	}
	now := db.Millis(time.Now())
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT id FROM organisations WHERE source = $1 AND source_id = $2", im.Source, im.SourceID).Scan(&id)
		if err == sql.ErrNoRows {
			err = tx.QueryRowContext(ctx, "SELECT id FROM organisations WHERE lower(name) = lower($1)", in.Name).Scan(&id)
		}
		action := audit.Update
		switch {
		case err == sql.ErrNoRows:
			id, created, action = db.NewID("org"), true, audit.Create
			_, err = tx.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, description, website, email, source, source_id, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $9)`, id, in.Name, in.Kind, im.Description, im.Website, im.Email, im.Source, im.SourceID, now)
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE organisations SET name = $1, description = $2, website = $3, email = $4,
				source = $5, source_id = $6, updated_at = $7 WHERE id = $8`, in.Name, im.Description, im.Website, im.Email, im.Source, im.SourceID, now, id)
		}
		if db.IsUniqueViolation(err) {
			return duplicateName()
		}
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{ActorID: by.UserID, Action: action, ObjectKind: "organisation", ObjectID: id, Client: by.Client})
	})
	return id, created, err
}
