package org

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"oikos"
)

// Schemes name their roles in their own words: one calls its link workers
// "community connectors", another "health guides" or "social
// prescribers". The words are the scheme's; the roles, and what each may
// do, stay the contract's (auth.Role).

// NameableRoles are the roles of a scheme's own people, which a scheme
// may name.
var NameableRoles = []string{"link_worker", "manager", "volunteer", "commissioner"}

// RoleNames maps a role ("link_worker") to the name a scheme gives it.
type RoleNames map[string]string

// maxRoleName bounds a role's name.
const maxRoleName = 60

// NormaliseRoleNames checks and tidies the names a scheme gives its
// roles: known roles only, each named in plain words of at most 60
// characters; a blank name goes back to the usual one, and is dropped.
// It returns the message for the field role_names when they will not do.
func NormaliseRoleNames(names RoleNames) (RoleNames, string) {
	out := RoleNames{}
	for role, name := range names {
		if !slices.Contains(NameableRoles, role) {
			return nil, fmt.Sprintf("A scheme may name only the roles %s.", strings.Join(NameableRoles, ", "))
		}
		name = strings.Join(strings.Fields(name), " ")
		switch {
		case name == "":
			continue
		case !oikos.PlainText(name, false) || utf8.RuneCountInString(name) > maxRoleName:
			return nil, fmt.Sprintf("Name each role in plain words of %d characters or fewer.", maxRoleName)
		}
		out[role] = name
	}
	return out, ""
}

// RoleLabel is what a scheme calls a role: its own name for it if it
// gave one, else fallback (the usual name, auth.Role.Label). The name is
// used as written, so "Community connector" reads as the scheme wrote it.
func RoleLabel(names RoleNames, role, fallback string) string {
	if name := names[role]; name != "" {
		return name
	}
	return fallback
}

// RoleNames reads the names scheme gives its roles (none: an empty map).
func (s *Store) RoleNames(ctx context.Context, scheme string) (RoleNames, error) {
	out := RoleNames{}
	if scheme == "" || !oikos.PlainText(scheme, false) {
		return out, nil
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT role, name FROM scheme_role_names WHERE scheme_id = $1", scheme)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var role, name string
		if err := rows.Scan(&role, &name); err != nil {
			return nil, err
		}
		out[role] = name
	}
	return out, rows.Err()
}

// setRoleNames replaces the names scheme id gives its roles.
func setRoleNames(ctx context.Context, tx *sql.Tx, id string, names RoleNames) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM scheme_role_names WHERE scheme_id = $1", id); err != nil {
		return err
	}
	roles := make([]string, 0, len(names))
	for role := range names {
		roles = append(roles, role)
	}
	slices.Sort(roles)
	for _, role := range roles {
		if _, err := tx.ExecContext(ctx, "INSERT INTO scheme_role_names (scheme_id, role, name) VALUES ($1, $2, $3)", id, role, names[role]); err != nil {
			return err
		}
	}
	return nil
}

// loadRoleNames fills in the role names of the schemes among orgs.
func (s *Store) loadRoleNames(ctx context.Context, orgs []Organisation) error {
	bySchemeIndex := map[string]int{}
	for i, o := range orgs {
		if o.Kind == "scheme" {
			bySchemeIndex[o.ID] = i
		}
	}
	if len(bySchemeIndex) == 0 {
		return nil
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT scheme_id, role, name FROM scheme_role_names")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, role, name string
		if err := rows.Scan(&id, &role, &name); err != nil {
			return err
		}
		if i, ok := bySchemeIndex[id]; ok {
			if orgs[i].RoleNames == nil {
				orgs[i].RoleNames = RoleNames{}
			}
			orgs[i].RoleNames[role] = name
		}
	}
	return rows.Err()
}
