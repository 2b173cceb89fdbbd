package auth

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise.
const TokenPrefix = "oikos_"

// Token describes an API token; the secret itself is never stored.
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// CreateToken makes a new bearer token for a user and returns its secret,
// which is shown once.
func (s *Store) CreateToken(ctx context.Context, by Actor, userID, label string) (string, Token, error) {
	label = strings.TrimSpace(label)
	if !oikos.PlainText(label, false) {
		return "", Token{}, oikos.Invalid(map[string]string{"label": "Label must not contain control characters."})
	}
	if utf8.RuneCountInString(label) > 100 {
		return "", Token{}, oikos.Invalid(map[string]string{"label": "Label must be 100 characters or fewer."})
	}
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return "", Token{}, err
	}
	if !u.Active {
		return "", Token{}, &oikos.Error{Code: oikos.ECONFLICT, Message: "This user is deactivated and cannot have tokens."}
	}
	secret := NewToken(TokenPrefix)
	t := Token{ID: db.NewID("tok"), UserID: userID, Label: label, CreatedAt: s.now()}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
			t.ID, userID, label, HashToken(secret), db.Millis(t.CreatedAt)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: t.CreatedAt, ActorID: by.UserID, Action: audit.Create,
			ObjectKind: "api_token", ObjectID: t.ID, Client: by.Client})
	})
	return secret, t, err
}

var errBadToken = &oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "The API token is not valid. It may have been revoked."}

// TokenUser returns the active user an API token belongs to. The token
// carries exactly its user's rights.
func (s *Store) TokenUser(ctx context.Context, secret string) (User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return User{}, errBadToken
	}
	// One query for the token and its user: this runs on every API call.
	var id string
	var lastUsed sql.NullInt64
	u, err := scanUserAfter(s.DB.R().QueryRowContext(ctx, `SELECT t.token_id, t.token_last_used, `+userColumns+`
		FROM (SELECT id AS token_id, user_id AS token_user, last_used_at AS token_last_used FROM api_tokens
			WHERE token_hash = $1 AND revoked_at IS NULL) t JOIN users ON users.id = t.token_user`,
		HashToken(secret)), &id, &lastUsed)
	if oikos.ErrorCode(err) == oikos.ENOTFOUND {
		return User{}, errBadToken
	}
	if err != nil {
		return User{}, err
	}
	if !u.Active {
		return User{}, errBadToken
	}
	now := s.now()
	if !lastUsed.Valid || now.Sub(db.Time(lastUsed.Int64)) > time.Minute {
		s.DB.Exec(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", db.Millis(now), id)
	}
	return u, nil
}

// ListTokens lists a user's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, userID string) ([]Token, error) {
	rows, err := s.DB.R().QueryContext(ctx, "SELECT id, user_id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created int64
		var used, revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Label, &created, &used, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt = db.Time(created)
		if used.Valid {
			v := db.Time(used.Int64)
			t.LastUsedAt = &v
		}
		if revoked.Valid {
			v := db.Time(revoked.Int64)
			t.RevokedAt = &v
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// GetToken finds a token's description.
func (s *Store) GetToken(ctx context.Context, id string) (Token, error) {
	if !oikos.PlainText(id, false) {
		return Token{}, oikos.NotFound("Token")
	}
	var t Token
	var created int64
	err := s.DB.R().QueryRowContext(ctx, "SELECT id, user_id, label, created_at FROM api_tokens WHERE id = $1", id).Scan(&t.ID, &t.UserID, &t.Label, &created)
	if err == sql.ErrNoRows {
		return t, oikos.NotFound("Token")
	}
	t.CreatedAt = db.Time(created)
	return t, err
}

// RevokeToken stops a token working at once.
func (s *Store) RevokeToken(ctx context.Context, by Actor, id string) error {
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", db.Millis(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("Token")
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: now, ActorID: by.UserID, Action: "revoke",
			ObjectKind: "api_token", ObjectID: id, Client: by.Client})
	})
}
