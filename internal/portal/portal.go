// Package portal lets the person being supported sign in without a
// password (a one-time link by email, or a code on paper from their link
// worker) to see and update their own plan and see what is held about them.
package portal

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// Store keeps the person's one-time links, codes and sessions.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Actor is how the person appears in the audit log and to the stores they
// act through: "person:" and their id, so no staff user id is ever mistaken
// for them.
func Actor(personID, client string) referral.Actor {
	return referral.Actor{UserID: "person:" + personID, Client: client}
}

// Audit actions of the portal.
const (
	ActionIssueLink = "issue_sign_in_link"
	ActionIssueCode = "issue_sign_in_code"
	ActionSignOut   = "sign_out"
	// A code given with the wrong date of birth; and the code withdrawn
	// after too many.
	ActionRefuseCode   = "refuse_sign_in_code"
	ActionWithdrawCode = "withdraw_sign_in_code"
)

// Session is a person signed in: the secret for their cookie (only its hash
// is stored) and whose it is.
type Session struct {
	Token     string
	PersonID  string
	ExpiresAt time.Time
}

var (
	errBadLink = &oikos.Error{Code: oikos.EUNAUTHORIZED,
		Message: "This sign-in link has already been used or has expired. Ask your link worker to send a new one, or use a code they give you."}
	errBadCode = &oikos.Error{Code: oikos.EUNAUTHORIZED,
		Message: "The code or date of birth is not right, or the code has been used or has expired. Check them and try again, or ask your link worker for a new code."}
	errNoSession  = &oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "You have been signed out. Sign in again."}
	errErased     = &oikos.Error{Code: oikos.ECONFLICT, Message: "This person's details have been erased, so they cannot be given a way to sign in."}
	errRestricted = &oikos.Error{Code: oikos.ECONFLICT,
		Message: "The person has asked for their record to be restricted, so no email is sent to them. Print a sign-in code for them instead."}
	errNoEmail = &oikos.Error{Code: oikos.ECONFLICT,
		Message: "We do not hold an email address for this person. Print a sign-in code for them instead."}
)

func (s *Store) audit(ctx context.Context, tx *sql.Tx, at time.Time, by referral.Actor, action, personID string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: at, ActorID: by.UserID, Action: action,
		ObjectKind: "person", ObjectID: personID, Client: by.Client})
}

// issue stores a new secret of a kind for a person, first revoking that
// person's older unused secrets of the same kind, and clears their spent
// and expired rows while it is there.
func (s *Store) issue(ctx context.Context, tx *sql.Tx, by referral.Actor, personID, kind, secret string) error {
	now := s.now()
	lifetime, action := LinkLifetime, ActionIssueLink
	if kind == KindCode {
		lifetime, action = CodeLifetime, ActionIssueCode
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_access WHERE person_id = $1 AND
		((kind = $2 AND used_at IS NULL) OR (kind <> 'session' AND used_at IS NOT NULL) OR expires_at <= $3)`,
		personID, kind, db.Millis(now)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO person_access (token_hash, person_id, kind, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, hashSecret(kind, secret), personID, kind, db.Millis(now), db.Millis(now.Add(lifetime))); err != nil {
		return err
	}
	return s.audit(ctx, tx, now, by, action, personID)
}

// hashSecret is how links and codes are stored: SHA-256, with the kind in
// front so a code can never be presented as a link or the other way round.
func hashSecret(kind, secret string) string {
	if kind == KindCode {
		secret = "code:" + secret
	}
	return auth.HashToken(secret)
}

// personEmail finds a person's email address, or 404 for an unknown person
// and a conflict for one whose details were erased (package privacy).
// restricted reports whether they asked for their record to be restricted.
func personEmail(ctx context.Context, q db.Querier, personID string) (email string, restricted bool, err error) {
	if !oikos.PlainText(personID, false) {
		return "", false, oikos.NotFound("Person")
	}
	var erased bool
	err = q.QueryRowContext(ctx, "SELECT email, restricted_at IS NOT NULL, erased_at IS NOT NULL FROM people WHERE id = $1", personID).
		Scan(&email, &restricted, &erased)
	if err == sql.ErrNoRows {
		return "", false, oikos.NotFound("Person")
	}
	if err == nil && erased {
		return "", false, errErased
	}
	return email, restricted, err
}

// IssueLink makes a single-use sign-in link secret for a person, valid for
// 24 hours. An older unused link stops working.
func (s *Store) IssueLink(ctx context.Context, by referral.Actor, personID string) (string, error) {
	token := auth.NewToken("")
	if err := s.issueFor(ctx, by, personID, KindLink, token); err != nil {
		return "", err
	}
	return token, nil
}

// issueFor issues a secret for a person known to be held.
func (s *Store) issueFor(ctx context.Context, by referral.Actor, personID, kind, secret string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, _, err := personEmail(ctx, tx, personID); err != nil {
			return err
		}
		return s.issue(ctx, tx, by, personID, kind, secret)
	})
}

// EmailLink issues a link for a person who has an email address and hands
// it to send in the same transaction (send queues the email), so a link is
// issued and queued together or not at all. It answers a conflict when no
// email address is held.
func (s *Store) EmailLink(ctx context.Context, by referral.Actor, personID string,
	send func(ctx context.Context, tx *sql.Tx, email, token string) error) error {
	token := auth.NewToken("")
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		email, restricted, err := personEmail(ctx, tx, personID)
		if err != nil {
			return err
		}
		if restricted {
			return errRestricted
		}
		if email == "" {
			return errNoEmail
		}
		if err := s.issue(ctx, tx, by, personID, KindLink, token); err != nil {
			return err
		}
		return send(ctx, tx, email, token)
	})
}

// IssueCode makes a single-use sign-in code for a person to be given on
// paper, valid for 14 days with their date of birth. An older unused code
// stops working.
func (s *Store) IssueCode(ctx context.Context, by referral.Actor, personID string) (string, error) {
	code := NewCode()
	normal, _ := NormaliseCode(code)
	if err := s.issueFor(ctx, by, personID, KindCode, normal); err != nil {
		return "", err
	}
	return code, nil
}

// CheckLink reports whether a link can still be used, without using it:
// email scanners open links, so only the person's own "Continue" spends it.
func (s *Store) CheckLink(ctx context.Context, token string) error {
	if !plausibleToken(token) {
		return errBadLink
	}
	var one int
	err := s.DB.R().QueryRowContext(ctx, `SELECT 1 FROM person_access WHERE token_hash = $1 AND kind = 'link'
		AND used_at IS NULL AND expires_at > $2`, hashSecret(KindLink, token), db.Millis(s.now())).Scan(&one)
	if err == sql.ErrNoRows {
		return errBadLink
	}
	return err
}

// plausibleToken refuses what cannot be a link before it reaches the
// database.
func plausibleToken(token string) bool {
	return token != "" && len(token) <= 100 && oikos.PlainText(token, false)
}

// RedeemLink spends a link and starts a session for its person.
func (s *Store) RedeemLink(ctx context.Context, client, token string) (Session, error) {
	if !plausibleToken(token) {
		return Session{}, errBadLink
	}
	var sess Session
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		// One conditional update: two clicks at once spend the link once.
		err := tx.QueryRowContext(ctx, `UPDATE person_access SET used_at = $1 WHERE token_hash = $2 AND kind = 'link'
			AND used_at IS NULL AND expires_at > $1 RETURNING person_id`, db.Millis(now), hashSecret(KindLink, token)).Scan(&sess.PersonID)
		if err == sql.ErrNoRows {
			return errBadLink
		}
		if err != nil {
			return err
		}
		return s.startSession(ctx, tx, now, client, &sess)
	})
	return sess, err
}

// RedeemCode spends a code given with the person's date of birth and starts
// a session. A wrong date of birth and a wrong code give the same answer, so
// neither can be confirmed alone. After MaxDateFailures wrong dates the code
// is withdrawn; callers also throttle failures per client address.
func (s *Store) RedeemCode(ctx context.Context, client, code, dateOfBirth string) (Session, error) {
	normal, ok := NormaliseCode(code)
	dob, dobOK := NormaliseDate(dateOfBirth)
	if !ok || !dobOK {
		return Session{}, errBadCode
	}
	var sess Session
	wrongDate := false
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		hash := hashSecret(KindCode, normal)
		var held string
		err := tx.QueryRowContext(ctx, `SELECT a.person_id, p.date_of_birth FROM person_access a JOIN people p ON p.id = a.person_id
			WHERE a.token_hash = $1 AND a.kind = 'code' AND a.used_at IS NULL AND a.expires_at > $2`, hash, db.Millis(now)).Scan(&sess.PersonID, &held)
		if err == sql.ErrNoRows {
			return errBadCode
		}
		if err != nil {
			return err
		}
		heldNormal, _ := NormaliseDate(held)
		if subtle.ConstantTimeCompare([]byte(heldNormal), []byte(dob)) != 1 {
			// Committed, not rolled back: the count must survive the refusal.
			wrongDate = true
			return s.wrongDateOfBirth(ctx, tx, now, client, hash, sess.PersonID)
		}
		res, err := tx.ExecContext(ctx, "UPDATE person_access SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL", db.Millis(now), hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errBadCode
		}
		return s.startSession(ctx, tx, now, client, &sess)
	})
	if wrongDate && err == nil {
		return Session{}, errBadCode
	}
	return sess, err
}

// MaxDateFailures is how many wrong dates of birth a code survives: enough
// for a few slips of the keyboard, far too few to guess a date.
const MaxDateFailures = 5

// wrongDateOfBirth counts a wrong date of birth against a code, withdraws
// the code at the limit, and records the attempt on the person's record.
func (s *Store) wrongDateOfBirth(ctx context.Context, tx *sql.Tx, now time.Time, client, hash, personID string) error {
	var failures int
	if err := tx.QueryRowContext(ctx, "UPDATE person_access SET failures = failures + 1 WHERE token_hash = $1 RETURNING failures",
		hash).Scan(&failures); err != nil {
		return err
	}
	action := ActionRefuseCode
	if failures >= MaxDateFailures {
		if _, err := tx.ExecContext(ctx, "DELETE FROM person_access WHERE token_hash = $1", hash); err != nil {
			return err
		}
		action = ActionWithdrawCode
	}
	return s.audit(ctx, tx, now, referral.Actor{UserID: "anonymous", Client: client}, action, personID)
}

// startSession stores a new session for sess.PersonID and records the
// sign-in, inside the transaction that spent the link or code.
func (s *Store) startSession(ctx context.Context, tx *sql.Tx, now time.Time, client string, sess *Session) error {
	sess.Token = auth.NewToken("")
	sess.ExpiresAt = sessionExpiry(now, now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO person_access (token_hash, person_id, kind, created_at, expires_at, last_seen_at)
		VALUES ($1, $2, 'session', $3, $4, $3)`, auth.HashToken(sess.Token), sess.PersonID, db.Millis(now), db.Millis(sess.ExpiresAt)); err != nil {
		return err
	}
	return s.audit(ctx, tx, now, Actor(sess.PersonID, client), audit.SignIn, sess.PersonID)
}

// Session finds whose live session a cookie secret is, and notes the
// activity (at most once a minute). An ended session is deleted.
func (s *Store) Session(ctx context.Context, token string) (string, error) {
	if !plausibleToken(token) {
		return "", errNoSession
	}
	hash := auth.HashToken(token)
	var personID string
	var created, seen, expires int64
	err := s.DB.R().QueryRowContext(ctx, `SELECT person_id, created_at, last_seen_at, expires_at FROM person_access
		WHERE token_hash = $1 AND kind = 'session'`, hash).Scan(&personID, &created, &seen, &expires)
	if err == sql.ErrNoRows {
		return "", errNoSession
	}
	if err != nil {
		return "", err
	}
	now := s.now()
	if !now.Before(db.Time(expires)) {
		s.DB.Exec(ctx, "DELETE FROM person_access WHERE token_hash = $1", hash)
		return "", errNoSession
	}
	if needsTouch(db.Time(seen), now) {
		if _, err := s.DB.Exec(ctx, "UPDATE person_access SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3",
			db.Millis(now), db.Millis(sessionExpiry(db.Time(created), now)), hash); err != nil {
			return "", err
		}
	}
	return personID, nil
}

// SignOut ends a session. Signing out twice is not an error.
func (s *Store) SignOut(ctx context.Context, client, token string) error {
	if !plausibleToken(token) {
		return nil
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var personID string
		err := tx.QueryRowContext(ctx, "DELETE FROM person_access WHERE token_hash = $1 AND kind = 'session' RETURNING person_id",
			auth.HashToken(token)).Scan(&personID)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, s.now(), Actor(personID, client), ActionSignOut, personID)
	})
}

// DeleteExpired clears ended sessions and links and codes that are spent or
// past their time; housekeeping calls it now and then.
func (s *Store) DeleteExpired(ctx context.Context) error {
	_, err := s.DB.Exec(ctx, "DELETE FROM person_access WHERE expires_at <= $1 OR (kind <> 'session' AND used_at IS NOT NULL)",
		db.Millis(s.now()))
	return err
}
