package auth

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
)

// User is a member of staff or a volunteer who signs in.
type User struct {
	ID             string `json:"id"`
	Email          string `json:"email"`
	Name           string `json:"name"`
	Role           Role   `json:"role"`
	OrganisationID string `json:"organisation_id"`
	// SchemeID is the scheme the user works in: their organisation when
	// it is a scheme, else none.
	SchemeID    string    `json:"scheme_id,omitempty"`
	Active      bool      `json:"active"`
	TwoFactor   bool      `json:"two_factor_enabled"`
	HasPassword bool      `json:"has_password"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	passwordHash string
	totpSecret   string
	totpLastStep int64
}

// Object is the user as the access policy sees it.
func (u User) Object() Object {
	return Object{Kind: "user", ID: u.ID, OrganisationID: u.OrganisationID}
}

// Principal is the user as a signed-in caller.
func (u User) Principal() *Principal {
	return &Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, OrganisationID: u.OrganisationID, SchemeID: u.SchemeID}
}

// UserInput is what an administrator gives to create or edit a user.
type UserInput struct {
	Email          string `json:"email"`
	Name           string `json:"name"`
	Role           Role   `json:"role"`
	OrganisationID string `json:"organisation_id"`
}

// NormaliseEmail trims and lower-cases an address, so one person has one account.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks a UserInput and tidies it. Whether the organisation exists
// is checked by the store.
func (in *UserInput) Validate() error {
	fields := map[string]string{}
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.OrganisationID = strings.TrimSpace(in.OrganisationID)
	switch {
	case in.Email == "":
		fields["email"] = "Enter an email address."
	case !oikos.PlainText(in.Email, false):
		fields["email"] = "Email address must not contain control characters."
	case len(in.Email) > 254:
		fields["email"] = "Email address must be 254 characters or fewer."
	default:
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || !strings.Contains(in.Email[strings.LastIndex(in.Email, "@"):], ".") {
			fields["email"] = "Enter an email address in the correct format, like name@example.org."
		}
	}
	switch {
	case in.Name == "":
		fields["name"] = "Enter the person's name."
	case !oikos.PlainText(in.Name, false):
		fields["name"] = "Name must not contain control characters."
	case utf8.RuneCountInString(in.Name) > 200:
		fields["name"] = "Name must be 200 characters or fewer."
	}
	if in.Role == "" {
		fields["role"] = "Choose a role."
	} else if !in.Role.Valid() || !oikos.PlainText(string(in.Role), false) {
		fields["role"] = "Role must be one of admin, manager, link_worker, referrer, provider, volunteer, commissioner."
	}
	if in.OrganisationID == "" && in.Role != Admin && in.Role.Valid() {
		fields["organisation_id"] = "Choose the organisation this person works for."
	} else if !oikos.PlainText(in.OrganisationID, false) || len(in.OrganisationID) > 100 {
		fields["organisation_id"] = "No organisation has that id."
	}
	return oikos.Invalid(fields)
}

// Store keeps users and everything about signing in.
type Store struct {
	DB *db.DB
	// PasswordParams are the argon2id costs for new hashes.
	PasswordParams PasswordParams
	// Now is the clock; tests set it.
	Now func() time.Time
	// Sleep holds failed sign-in answers; nil in tests that need speed.
	Sleep func(time.Duration)
	// Hashers runs every argon2id hash and check, a bounded few at once.
	Hashers *Hashers
}

// NewStore returns a Store with the default costs and the real clock.
func NewStore(d *db.DB) *Store {
	return &Store{DB: d, PasswordParams: DefaultPasswordParams, Now: time.Now, Sleep: time.Sleep, Hashers: DefaultHashers()}
}

// Actor is who makes a change, for the audit log.
type Actor = oikos.Actor

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Store) auditTx(ctx context.Context, tx *sql.Tx, by Actor, action, kind, id string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: kind, ObjectID: id, Client: by.Client})
}

// checkOrganisation checks a user's organisation exists and, for a role
// that works within a scheme, that it is a scheme when the deployment has
// any: such a user's scheme is their organisation, and one outside every
// scheme would see nobody.
func (s *Store) checkOrganisation(ctx context.Context, tx *sql.Tx, id string, role Role) error {
	if id == "" {
		return nil
	}
	var kind string
	err := tx.QueryRowContext(ctx, "SELECT kind FROM organisations WHERE id = $1", id).Scan(&kind)
	if err == sql.ErrNoRows {
		return oikos.Invalid(map[string]string{"organisation_id": "No organisation has that id."})
	}
	if err != nil || kind == "scheme" || !role.InScheme() {
		return err
	}
	var schemes int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations WHERE kind = 'scheme'").Scan(&schemes); err != nil {
		return err
	}
	if schemes > 0 {
		return oikos.Invalid(map[string]string{"organisation_id": fmt.Sprintf(
			"A %s works within a social prescribing scheme: choose the scheme as their organisation.", strings.ToLower(role.Label()))})
	}
	return nil
}

func duplicateEmail() error {
	return &oikos.Error{Code: oikos.ECONFLICT, Message: "A user with that email address already exists.",
		Fields: map[string]string{"email": "A user with that email address already exists."}}
}

// CreateUser adds a user. password may be empty: the user then sets one
// through a set-up link.
func (s *Store) CreateUser(ctx context.Context, by Actor, in UserInput, password string) (User, error) {
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	hash := ""
	if password != "" {
		if msg := ValidatePassword(password, in.Email); msg != "" {
			return User{}, oikos.Invalid(map[string]string{"password": msg})
		}
		var err error
		if hash, err = s.Hashers.Hash(ctx, password, s.PasswordParams); err != nil {
			return User{}, err
		}
	}
	now := s.now()
	u := User{ID: db.NewID("usr"), Email: in.Email, Name: in.Name, Role: in.Role, OrganisationID: in.OrganisationID,
		Active: true, HasPassword: hash != "", CreatedAt: now, UpdatedAt: now}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkOrganisation(ctx, tx, in.OrganisationID, in.Role); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, role, organisation_id, password_hash, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			u.ID, u.Email, u.Name, u.Role, nullable(u.OrganisationID), hash, true, db.Millis(now), db.Millis(now))
		if db.IsUniqueViolation(err) {
			return duplicateEmail()
		}
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Create, "user", u.ID)
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, u.ID)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// UpdateUser changes a user's email, name, role and organisation.
func (s *Store) UpdateUser(ctx context.Context, by Actor, id string, in UserInput) (User, error) {
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkOrganisation(ctx, tx, in.OrganisationID, in.Role); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET email = $1, name = $2, role = $3, organisation_id = $4, updated_at = $5 WHERE id = $6`,
			in.Email, in.Name, in.Role, nullable(in.OrganisationID), db.Millis(s.now()), id)
		if db.IsUniqueViolation(err) {
			return duplicateEmail()
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("User")
		}
		return s.auditTx(ctx, tx, by, audit.Update, "user", id)
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, id)
}

// SetActive deactivates or reactivates a user. Deactivating also ends their
// sessions and revokes their API tokens at once.
func (s *Store) SetActive(ctx context.Context, by Actor, id string, active bool) error {
	now := db.Millis(s.now())
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET active = $1, updated_at = $2 WHERE id = $3", active, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("User")
		}
		if !active {
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", now, id); err != nil {
				return err
			}
		}
		return s.auditTx(ctx, tx, by, audit.Update, "user", id)
	})
}

// userColumns read a user; the scheme is the organisation when that is a
// scheme (a primary-key probe, cheap enough for every API call).
const userColumns = `id, email, name, role, COALESCE(organisation_id, ''),
	COALESCE((SELECT o.id FROM organisations o WHERE o.id = users.organisation_id AND o.kind = 'scheme'), ''),
	active, totp_enabled, password_hash, totp_secret, totp_last_step, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	return scanUserAfter(row)
}

// scanUserAfter scans a row whose first columns go to before, followed
// by userColumns.
func scanUserAfter(row interface{ Scan(...any) error }, before ...any) (User, error) {
	var u User
	var created, updated int64
	err := row.Scan(append(before, &u.ID, &u.Email, &u.Name, &u.Role, &u.OrganisationID, &u.SchemeID, &u.Active, &u.TwoFactor, &u.passwordHash,
		&u.totpSecret, &u.totpLastStep, &created, &updated)...)
	u.CreatedAt, u.UpdatedAt = db.Time(created), db.Time(updated)
	u.HasPassword = u.passwordHash != ""
	if err == sql.ErrNoRows {
		return u, oikos.NotFound("User")
	}
	return u, err
}

// GetUser finds a user by id.
func (s *Store) GetUser(ctx context.Context, id string) (User, error) {
	return ReadUser(ctx, s.DB.R(), id)
}

// ReadUser is GetUser through q: inside a transaction, or not.
func ReadUser(ctx context.Context, q db.Querier, id string) (User, error) {
	if !oikos.PlainText(id, false) {
		return User{}, oikos.NotFound("User")
	}
	return scanUser(q.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", id))
}

// GetUserByEmail finds a user by email address, in any case.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (User, error) {
	if !oikos.PlainText(email, false) {
		return User{}, oikos.NotFound("User")
	}
	return scanUser(s.DB.R().QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE email = $1", NormaliseEmail(email)))
}

// UserFilter narrows a user list.
type UserFilter struct {
	OrganisationID string
	After          string // cursor: last email seen
	Limit          int
}

// ListUsers returns users sorted by email, a page at a time, with the total.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, int, error) {
	return ReadUsers(ctx, s.DB.R(), f)
}

// ReadUsers is ListUsers through q: inside a transaction, or not.
func ReadUsers(ctx context.Context, q db.Querier, f UserFilter) ([]User, int, error) {
	if !oikos.PlainText(f.After, false) || !oikos.PlainText(f.OrganisationID, false) {
		return nil, 0, oikos.Invalid(map[string]string{"cursor": "is not valid"})
	}
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE ($1 = '' OR organisation_id = $1)", f.OrganisationID).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := q.QueryContext(ctx, "SELECT "+userColumns+" FROM users WHERE ($1 = '' OR organisation_id = $1) AND email > $2 ORDER BY email LIMIT $3",
		f.OrganisationID, f.After, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// SetPassword replaces a user's password and ends their other sessions.
func (s *Store) SetPassword(ctx context.Context, by Actor, id, password string) error {
	u, err := s.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if msg := ValidatePassword(password, u.Email); msg != "" {
		return oikos.Invalid(map[string]string{"password": msg})
	}
	hash, err := s.Hashers.Hash(ctx, password, s.PasswordParams)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3", hash, db.Millis(s.now()), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", id); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Update, "user", id)
	})
}
