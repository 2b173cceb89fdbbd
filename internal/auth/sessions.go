package auth

import (
	"context"
	"database/sql"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
)

// Session stages: a session is "full" only after both factors.
const (
	StageSecondFactor = "second_factor" // password right, TOTP code still to enter
	StageEnrol        = "enrol"         // password right, TOTP still to set up
	StageFull         = "full"
)

// Session lifetimes.
const (
	IdleTimeout    = 30 * time.Minute
	MaxSessionAge  = 12 * time.Hour
	PartialTimeout = 10 * time.Minute // to finish the second step
	// touchEvery limits last-seen writes to one a minute per session.
	touchEvery = time.Minute
)

// Session is a browser session, stored so any replica can serve it.
type Session struct {
	TokenHash string
	UserID    string
	Stage     string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
	Client    string
}

func sessionExpiry(stage string, created, lastSeen time.Time) time.Time {
	if stage != StageFull {
		return created.Add(PartialTimeout)
	}
	idle, absolute := lastSeen.Add(IdleTimeout), created.Add(MaxSessionAge)
	if idle.Before(absolute) {
		return idle
	}
	return absolute
}

// StartSession creates a session and returns the secret for its cookie.
// Only a hash of the secret is stored.
func (s *Store) StartSession(ctx context.Context, userID, stage, client string) (string, error) {
	token := NewToken("")
	now := s.now()
	_, err := s.DB.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, stage, created_at, last_seen_at, expires_at, client)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, HashToken(token), userID, stage, db.Millis(now), db.Millis(now),
		db.Millis(sessionExpiry(stage, now, now)), client)
	return token, err
}

var errNoSession = &oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "Your session has ended. Sign in again."}

// LookupSession finds the live session for a cookie secret and its user, and
// notes the activity. An expired session is deleted.
func (s *Store) LookupSession(ctx context.Context, token string) (Session, User, error) {
	if token == "" {
		return Session{}, User{}, errNoSession
	}
	hash := HashToken(token)
	var ss Session
	var created, seen, expires int64
	err := s.DB.R().QueryRowContext(ctx, `SELECT user_id, stage, created_at, last_seen_at, expires_at, client FROM sessions WHERE token_hash = $1`, hash).
		Scan(&ss.UserID, &ss.Stage, &created, &seen, &expires, &ss.Client)
	if err == sql.ErrNoRows {
		return Session{}, User{}, errNoSession
	}
	if err != nil {
		return Session{}, User{}, err
	}
	ss.TokenHash = hash
	ss.CreatedAt, ss.LastSeen, ss.ExpiresAt = db.Time(created), db.Time(seen), db.Time(expires)
	now := s.now()
	if !now.Before(ss.ExpiresAt) {
		s.DB.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", hash)
		return Session{}, User{}, errNoSession
	}
	u, err := s.GetUser(ctx, ss.UserID)
	if err != nil || !u.Active {
		return Session{}, User{}, errNoSession
	}
	if ss.Stage == StageFull && now.Sub(ss.LastSeen) >= touchEvery {
		ss.LastSeen = now
		ss.ExpiresAt = sessionExpiry(ss.Stage, ss.CreatedAt, now)
		if _, err := s.DB.Exec(ctx, "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3",
			db.Millis(now), db.Millis(ss.ExpiresAt), hash); err != nil {
			return Session{}, User{}, err
		}
	}
	return ss, u, nil
}

// RotateSession replaces a session with a new one at a new stage, so the
// secret a browser held before signing in is worthless after.
func (s *Store) RotateSession(ctx context.Context, old Session, stage, client string) (string, error) {
	token := NewToken("")
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", old.TokenHash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, stage, created_at, last_seen_at, expires_at, client)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, HashToken(token), old.UserID, stage, db.Millis(now), db.Millis(now),
			db.Millis(sessionExpiry(stage, now, now)), client)
		return err
	})
	return token, err
}

// FinishSignIn swaps a session part way through signing in for a full one,
// with a new secret, and records the sign-in in the audit log, together.
func (s *Store) FinishSignIn(ctx context.Context, old Session, client string) (string, error) {
	token := NewToken("")
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", old.TokenHash); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, stage, created_at, last_seen_at, expires_at, client)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, HashToken(token), old.UserID, StageFull, db.Millis(now), db.Millis(now),
			db.Millis(sessionExpiry(StageFull, now, now)), client); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, Actor{UserID: old.UserID, Client: client}, audit.SignIn, "user", old.UserID)
	})
	return token, err
}

// EndSession signs a session out.
func (s *Store) EndSession(ctx context.Context, tokenHash string) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", tokenHash)
	return err
}

// RevokeSessions signs a user out everywhere.
func (s *Store) RevokeSessions(ctx context.Context, by Actor, userID string) (int64, error) {
	var n int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", userID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return s.auditTx(ctx, tx, by, "revoke_sessions", "user", userID)
	})
	return n, err
}

// CountSessions counts a user's live sessions.
func (s *Store) CountSessions(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND stage = 'full' AND expires_at > $2",
		userID, db.Millis(s.now())).Scan(&n)
	return n, err
}

// DeleteExpiredSessions clears dead sessions and old throttle rows; the
// server calls it now and then.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	now := db.Millis(s.now())
	if _, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= $1", now); err != nil {
		return err
	}
	return s.deleteOldAttempts(ctx)
}
