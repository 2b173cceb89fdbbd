package connection

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// Answer links let a provider without an account answer from an email. A
// link is 32 random bytes, kept only as its SHA-256, so the table cannot
// be read back into working links; it works once and for LinkTTL.

// Errors for a link that cannot be used.
var (
	ErrLinkUsed    = errors.New("this link has already been used")
	ErrLinkExpired = errors.New("this link has expired")
)

// LinkActions are what a link may do.
var LinkActions = []string{"accept", "decline", "waitlist", "attended"}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newLink makes an answer link for a connection inside tx.
func (s *Store) newLink(ctx context.Context, tx *sql.Tx, connectionID string) (string, error) {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	ttl := s.LinkTTL
	if ttl <= 0 {
		ttl = DefaultLinkTTL
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO connection_links (token_hash, connection_id, scope, created_at, expires_at)
		VALUES ($1, $2, 'answer', $3, $4)`, hashToken(token), connectionID, db.Millis(now), db.Millis(now.Add(ttl)))
	return token, err
}

// linkActor is who acts through a link, for the audit log: the provider,
// known only by their connection's link.
func linkActor(connectionID, client string) referral.Actor {
	return referral.Actor{UserID: "link:" + connectionID, Client: client}
}

// checkLink finds the connection a link is for, refusing one used,
// expired or unknown. lock holds the link row for the rest of tx.
func (s *Store) checkLink(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, token string, lock bool) (string, error) {
	if token == "" || len(token) > 100 || !oikos.PlainText(token, false) {
		return "", oikos.NotFound("Link")
	}
	query := "SELECT connection_id, expires_at, used_at FROM connection_links WHERE token_hash = $1"
	if lock {
		query += s.DB.Dialect.ForUpdate()
	}
	var id string
	var expires int64
	var used sql.NullInt64
	err := q.QueryRowContext(ctx, query, hashToken(token)).Scan(&id, &expires, &used)
	switch {
	case err == sql.ErrNoRows:
		return "", oikos.NotFound("Link")
	case err != nil:
		return "", err
	case used.Valid:
		return id, ErrLinkUsed
	case !s.now().Before(db.Time(expires)):
		return id, ErrLinkExpired
	}
	return id, nil
}

// OpenLink shows what a link is for, without using it (a mail scanner
// that follows links must not answer for the provider). The read of the
// person's shared details is audited.
func (s *Store) OpenLink(ctx context.Context, client, token string) (Connection, error) {
	id, err := s.checkLink(ctx, s.DB.R(), token, false)
	if err != nil {
		return Connection{}, err
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		return c, err
	}
	return c, s.RecordRead(ctx, linkActor(id, client), c)
}

// AnswerByLink acts through a link: accept, decline (with a reason),
// waitlist, or record that the person attended today. The link is used up
// with the answer, in one transaction; an answer refused (the connection
// was answered already) leaves it unused. While the connection stays open
// a fresh link goes to the provider for the next session.
func (s *Store) AnswerByLink(ctx context.Context, client, token, action, reason string) (Connection, error) {
	return s.answerByLink(ctx, client, token, action, reason, "")
}

// answerByLink is AnswerByLink with a checked first session date for an
// acceptance ("" for none).
func (s *Store) answerByLink(ctx context.Context, client, token, action, reason, firstSession string) (Connection, error) {
	var id string
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = s.checkLink(ctx, tx, token, true); err != nil {
			return err
		}
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		by := linkActor(id, client)
		switch action {
		case "accept":
			if err = s.decide(ctx, tx, by, c, Accepted, ""); err == nil && firstSession != "" {
				err = s.setFirstSession(ctx, tx, c.ID, firstSession)
			}
		case "decline":
			err = s.decide(ctx, tx, by, c, Declined, reason)
		case "waitlist":
			err = s.decide(ctx, tx, by, c, Waitlisted, "")
		case "attended":
			yes := true
			err = s.attend(ctx, tx, by, c, AttendanceInput{Date: s.now().In(ukClock).Format(time.DateOnly), Attended: &yes})
		default:
			err = oikos.Invalid(map[string]string{"action": "Choose accept, decline, waitlist or attended."})
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE connection_links SET used_at = $1 WHERE token_hash = $2", db.Millis(s.now()), hashToken(token)); err != nil {
			return err
		}
		return s.nextLink(ctx, tx, id)
	})
	if err != nil {
		return Connection{}, err
	}
	return s.Get(ctx, id)
}

// nextLink sends a fresh link to the provider while the connection is
// accepted or waiting, so they can answer again or record a session.
func (s *Store) nextLink(ctx context.Context, tx *sql.Tx, id string) error {
	var st Status
	var svcName, svcEmail, orgEmail, reference string
	err := tx.QueryRowContext(ctx, `SELECT c.status, sv.name, sv.email, o.email, r.reference FROM connections c
		JOIN services sv ON sv.id = c.service_id JOIN organisations o ON o.id = c.organisation_id JOIN referrals r ON r.id = c.referral_id
		WHERE c.id = $1`, id).Scan(&st, &svcName, &svcEmail, &orgEmail, &reference)
	if err != nil {
		return err
	}
	to := strings.TrimSpace(orgEmail)
	if to == "" {
		to = svcEmail
	}
	if to == "" || (st != Accepted && st != Waitlisted) {
		return nil
	}
	token, err := s.newLink(ctx, tx, id)
	if err != nil {
		return err
	}
	return s.send(ctx, tx, NextLinkMessage(to, svcName, reference, s.BaseURL, token))
}
