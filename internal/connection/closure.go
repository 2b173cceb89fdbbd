package connection

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/notify"
	"oikos/internal/referral"
)

// Closing the loop: when a referral closes, nothing it started may stay
// open, or a provider keeps a place for someone who is no longer coming and
// the link worker's caseload keeps chasing it.

// ReferralClosedReason is the reason a connection records when its
// referral's closure closed it.
const ReferralClosedReason = "referral closed"

// KindConnectionClosed is the email telling a provider that a connection
// was closed because the referral behind it closed.
const KindConnectionClosed = "connection_closed"

// ClosedBy says what an open connection becomes when its referral closes
// for closeReason, given the sessions the person attended. Only a person
// who has been going, on a referral closed with their goals met, has
// completed; everything else open (no answer yet, a waiting list, a place
// never taken up, or going but the referral closed for another reason)
// is dropped. ok is false for a connection already closed or declined,
// which keeps its own ending.
func ClosedBy(from Status, attended int, closeReason string) (to Status, ok bool) {
	if !from.Open() {
		return from, false
	}
	if from == Accepted && attended > 0 && closeReason == "goals_met" {
		return Completed, true
	}
	return Dropped, true
}

// PlainState is how a connection is going in the referrer's words: where
// the person got to, never why. A connection that ended before the person
// went to a session "did not start".
func PlainState(st Status, attended int) string {
	switch st {
	case Sent:
		return "waiting for an answer"
	case Waitlisted:
		return "on a waiting list"
	case Accepted:
		if attended > 0 {
			return "attending"
		}
		return "accepted"
	case Completed:
		return "completed"
	case Declined:
		return "did not start"
	case Dropped:
		if attended > 0 {
			return "stopped"
		}
		return "did not start"
	}
	return string(st)
}

// PersonState is how a connection stands in the words of the person it
// is for, agreeing with what staff see (StateLabel) and blaming nobody: a
// connection dropped before the first session "did not start", and one
// ended after sessions (most often because the referral closed) is
// "finished", not "you stopped going".
func PersonState(st Status, attended int) string {
	switch st {
	case Sent:
		return "Waiting to hear from them"
	case Waitlisted:
		return "You are on their waiting list"
	case Accepted:
		if attended > 0 {
			return "You are going"
		}
		return "They can take you"
	case Declined:
		return "They could not take you"
	case Completed:
		return "Finished"
	case Dropped:
		if attended > 0 {
			return "Finished"
		}
		return "Did not start"
	}
	return st.Label()
}

// StateLabel is the connection's state as staff read it: "Attending" once
// the person has been to a session, "Did not start" for one dropped
// before the first (as the referral's closure drops a connection never
// answered), else the status's label.
func (c Connection) StateLabel() string {
	switch {
	case c.Status == Accepted && c.SessionsAttended > 0:
		return "Attending"
	case c.Status == Dropped && c.SessionsAttended == 0:
		return "Did not start"
	}
	return c.Status.Label()
}

// PlainState is the connection's state in the referrer's words.
func (c Connection) PlainState() string { return PlainState(c.Status, c.SessionsAttended) }

// OnReferralChange is a referral.Store OnChange hook: when a referral
// closes, each of its open connections is completed or dropped (ClosedBy)
// in the same transaction, with ReferralClosedReason, and the provider
// organisation is emailed that nothing more is needed.
func (s *Store) OnReferralChange(ctx context.Context, tx *sql.Tx, c referral.Change) error {
	if c.To != referral.Closed || c.From == referral.Closed {
		return nil
	}
	return s.closeForReferral(ctx, tx, c.By, c.ReferralID, c.Reason)
}

// openConnection is what closing needs of one open connection.
type openConnection struct {
	id, reference, service, to string
	status                     Status
	attended                   int
}

func (s *Store) closeForReferral(ctx context.Context, tx *sql.Tx, by referral.Actor, referralID, closeReason string) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, r.reference, sv.name, COALESCE(NULLIF(o.email, ''), sv.email), c.status,
		(SELECT COUNT(*) FROM connection_attendance a WHERE a.connection_id = c.id AND a.attended)
		FROM connections c JOIN referrals r ON r.id = c.referral_id JOIN services sv ON sv.id = c.service_id
		JOIN organisations o ON o.id = c.organisation_id
		WHERE c.referral_id = $1 AND c.status IN ('sent', 'accepted', 'waitlisted') ORDER BY c.created_at, c.id`+s.DB.Dialect.ForUpdateOf("c"), referralID)
	if err != nil {
		return err
	}
	var open []openConnection
	for rows.Next() {
		var o openConnection
		if err := rows.Scan(&o.id, &o.reference, &o.service, &o.to, &o.status, &o.attended); err != nil {
			rows.Close()
			return err
		}
		open = append(open, o)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(open) == 0 {
		return nil
	}
	now := db.Millis(s.now())
	for _, o := range open {
		to, ok := ClosedBy(o.status, o.attended, closeReason)
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET status = $1, reason = $2, closed_at = $3, updated_at = $3
			WHERE id = $4 AND status = $5`, string(to), ReferralClosedReason, now, o.id, string(o.status)); err != nil {
			return err
		}
		if err := s.event(ctx, tx, o.id, by, "status", to, ReferralClosedReason); err != nil {
			return err
		}
		if err := s.send(ctx, tx, ClosedMessage(o.to, o.service, o.reference, PlainState(to, o.attended), s.BaseURL, o.id)); err != nil {
			return err
		}
	}
	return s.audit(ctx, tx, by, audit.Update, referralID)
}

// ClosedMessage tells a provider organisation that the referral behind a
// connection has closed, so the connection is closed too and nothing more
// is needed from them. Like every connection email it does not say who
// the person is or why.
func ClosedMessage(to, service, reference, state, baseURL, connectionID string) notify.Message {
	return notify.Message{Kind: KindConnectionClosed, To: to,
		Subject: fmt.Sprintf("Oikos: referral %s to %s has closed", reference, service),
		Body: fmt.Sprintf("Hello,\n\nThe link worker has closed referral %s, so its connection to %s is closed too: %s.\n\n"+
			"You do not need to do anything more for it, and any answer link you were sent for it no longer changes anything.\n\n"+
			"If you have an Oikos account, you can see it here:\n%s\n"+privacyFooter,
			reference, service, strings.ToLower(state), baseURL+"/connections/"+url.PathEscape(connectionID))}
}

// LastChange is when a referral or any of its connections last changed,
// for the FHIR Task's lastModified.
func (s *Store) LastChange(ctx context.Context, referralID string) (time.Time, error) {
	var referralAt int64
	var connectionAt sql.NullInt64
	err := s.DB.R().QueryRowContext(ctx, `SELECT r.updated_at, (SELECT MAX(c.updated_at) FROM connections c WHERE c.referral_id = r.id)
		FROM referrals r WHERE r.id = $1`, referralID).Scan(&referralAt, &connectionAt)
	if err == sql.ErrNoRows {
		return time.Time{}, oikos.NotFound("Referral")
	} else if err != nil {
		return time.Time{}, err
	}
	if connectionAt.Valid && connectionAt.Int64 > referralAt {
		return db.Time(connectionAt.Int64), nil
	}
	return db.Time(referralAt), nil
}

// ForReferrer lists the connections of every referral a referrer made, as
// summaries (Connection.Summary), by referral id, oldest first: one query
// for their whole list of referrals, its read recorded once for each
// person's record in it.
func (s *Store) ForReferrer(ctx context.Context, by referral.Actor, referrerUserID string) (map[string][]Connection, error) {
	if !validID(referrerUserID) {
		return map[string][]Connection{}, nil
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+connectionColumns+connectionFrom+
		" WHERE r.referrer_user_id = $1 ORDER BY c.created_at, c.id", referrerUserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.RecordListRead(ctx, by, items); err != nil {
		return nil, err
	}
	out := map[string][]Connection{}
	for _, c := range items {
		out[c.ReferralID] = append(out[c.ReferralID], c.Summary())
	}
	return out, nil
}
