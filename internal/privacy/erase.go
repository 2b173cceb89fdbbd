package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"oikos"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// details reads the person's details inside tx, locking their row on
// PostgreSQL so that two requests about one person queue up (SQLite has
// one writer already).
func (s *Store) details(ctx context.Context, tx *sql.Tx, personID string) (State, Details, error) {
	st, err := readState(ctx, tx, personID, true, s.DB.Dialect)
	if err != nil {
		return st, Details{}, err
	}
	var d Details
	err = tx.QueryRowContext(ctx, `SELECT given_name, family_name, date_of_birth, nhs_number, postcode, phone, email FROM people WHERE id = $1`,
		personID).Scan(&d.GivenName, &d.FamilyName, &d.DateOfBirth, &d.NHSNumber, &d.Postcode, &d.Phone, &d.Email)
	return st, d, err
}

func (s *Store) request(ctx context.Context, tx *sql.Tx, by referral.Actor, personID, kind, reason string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO person_requests (id, person_id, kind, reason, by_actor, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		db.NewID("prq"), personID, kind, strings.TrimSpace(reason), by.UserID, db.Millis(s.now()))
	return err
}

// Restrict restricts processing of a person's record (restrict true) or
// lifts the restriction, with the reason given, in one audited
// transaction. An erased record, or one already in that state, is a
// conflict.
func (s *Store) Restrict(ctx context.Context, by referral.Actor, personID string, restrict bool, reason string) (State, error) {
	var out State
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		st, d, err := s.details(ctx, tx, personID)
		if err != nil {
			return err
		}
		if err := CheckRestriction(st, restrict); err != nil {
			return err
		}
		if err := CheckReason(reason, d); err != nil {
			return err
		}
		kind, action := RequestRestriction, ActionRestrict
		var at any
		if restrict {
			now := s.now()
			at, out.RestrictedAt = db.Millis(now), &now
		} else {
			kind, action = RequestLift, ActionLift
		}
		if _, err := tx.ExecContext(ctx, "UPDATE people SET restricted_at = $1, updated_at = $2 WHERE id = $3", at, db.Millis(s.now()), personID); err != nil {
			return err
		}
		if err := s.request(ctx, tx, by, personID, kind, reason); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, action, personID)
	})
	return out, err
}

// Erase removes a person's details, in one audited transaction, and keeps
// what the reports count and the audit trail (see Tables for each table).
// It is a conflict when the details are already erased or a referral is
// still open.
func (s *Store) Erase(ctx context.Context, by referral.Actor, personID, reason string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		st, d, err := s.details(ctx, tx, personID)
		if err != nil {
			return err
		}
		var open int
		if err := (&reader{ctx: ctx, tx: tx}).each(func(rows *sql.Rows) error {
			var status string
			if err := rows.Scan(&status); err != nil {
				return err
			}
			if status != string(referral.Closed) {
				open++
			}
			return nil
		}, "SELECT status FROM referrals WHERE person_id = $1"+s.DB.Dialect.ForUpdate(), personID); err != nil {
			return err
		}
		if err := CheckErasure(st, open); err != nil {
			return err
		}
		var concerns int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM concerns WHERE status = 'open' AND referral_id IN "+ofPerson, personID).Scan(&concerns); err != nil {
			return err
		}
		if concerns > 0 {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "A safeguarding concern about this person is still open: it must be closed before their details can be erased."}
		}
		if err := CheckReason(reason, d); err != nil {
			return err
		}
		if err := s.erase(ctx, tx, personID, d); err != nil {
			return err
		}
		if err := s.request(ctx, tx, by, personID, RequestErasure, reason); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, ActionErase, personID)
	})
}

// ofPerson selects the person's referrals; ofConnections their connections.
const (
	ofPerson      = "(SELECT id FROM referrals WHERE person_id = $1)"
	ofConnections = "(SELECT c.id FROM connections c JOIN referrals r ON r.id = c.referral_id WHERE r.person_id = $1)"
)

// erase does the erasing inside tx: what each table keeps is in Tables.
func (s *Store) erase(ctx context.Context, tx *sql.Tx, personID string, d Details) error {
	exec := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}
	// Messages first, while the addresses are still known. An address
	// another person also holds (a couple sharing one) keeps its messages:
	// they may be the other person's.
	email, mobile := recipients(d.Email, d.Phone)
	var shared int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id <> $1 AND erased_at IS NULL
		AND ((email <> '' AND lower(email) = lower($2)) OR (phone <> '' AND phone = $3))`, personID, email, d.Phone).Scan(&shared); err != nil {
		return err
	}
	if shared > 0 {
		email, mobile = "", ""
	}
	if err := exec("DELETE"+messagesSQL, email, mobile, personID); err != nil {
		return err
	}
	now := db.Millis(s.now())
	steps := []struct {
		q    string
		args []any
	}{
		{`UPDATE people SET given_name = '', family_name = '', given_key = '', family_key = '', date_of_birth = '', nhs_number = '', postcode = $2, phone = '', email = '',
			preferred_contact = '', interpreter_language = '', access_needs = '[]', next_of_kin_name = '', next_of_kin_relationship = '',
			next_of_kin_phone = '', restricted_at = NULL, erased_at = $3, updated_at = $3 WHERE id = $1`, []any{personID, District(d.Postcode), now}},
		// The details each referral gave, which its referrer sees, go too.
		{`UPDATE referrals SET notes = '', reason_text = '', referrer_name = '', sent_given_name = '', sent_family_name = '', sent_date_of_birth = '',
			sent_nhs_number = '', sent_postcode = '', sent_phone = '', sent_email = '' WHERE person_id = $1`, nil},
		{"UPDATE contacts SET note = '' WHERE referral_id IN " + ofPerson, nil},
		{`UPDATE conversations SET what_matters = '', strengths = '[]', interests = '', notes = '' WHERE referral_id IN ` + ofPerson, nil},
		{`UPDATE connections SET shared_contact = '{}', note_for_provider = '', reason = '' WHERE referral_id IN ` + ofPerson, nil},
		{"UPDATE connection_events SET text = '' WHERE connection_id IN " + ofConnections, nil},
		{"DELETE FROM connection_links WHERE connection_id IN " + ofConnections, nil},
		{"DELETE FROM session_reminders WHERE connection_id IN " + ofConnections, nil},
		{"DELETE FROM referral_preferences WHERE referral_id IN " + ofPerson, nil},
		// The budget ledger is append-only and kept for finance: its
		// triggers let erasure blank the words, and nothing else.
		{"UPDATE budgets SET purpose = '' WHERE referral_id IN " + ofPerson, nil},
		{"UPDATE budget_entries SET description = '', reason = '' WHERE referral_id IN " + ofPerson, nil},
		{"UPDATE budget_decisions SET reason = '' WHERE referral_id IN " + ofPerson, nil},
		{"UPDATE volunteer_matches SET end_reason = '' WHERE referral_id IN " + ofPerson, nil},
		{"UPDATE volunteer_contacts SET note = '' WHERE referral_id IN " + ofPerson, nil},
		{"DELETE FROM reminder_choices WHERE person_id = $1", nil},
		{"DELETE FROM person_access WHERE person_id = $1", nil},
	}
	for _, st := range steps {
		args := st.args
		if args == nil {
			args = []any{personID}
		}
		if err := exec(st.q, args...); err != nil {
			return err
		}
	}
	if err := s.eraseEventReasons(ctx, tx, personID); err != nil {
		return err
	}
	return s.erasePlans(ctx, tx, personID)
}

// eraseEventReasons blanks the reasons on the referrals' history that are
// not closing reasons (KeptEventReason).
func (s *Store) eraseEventReasons(ctx context.Context, tx *sql.Tx, personID string) error {
	type key struct {
		referral string
		position int
	}
	var blank []key
	err := (&reader{ctx: ctx, tx: tx}).each(func(rows *sql.Rows) error {
		var k key
		var reason string
		if err := rows.Scan(&k.referral, &k.position, &reason); err != nil {
			return err
		}
		if KeptEventReason(reason) != reason {
			blank = append(blank, k)
		}
		return nil
	}, "SELECT referral_id, position, reason FROM referral_events WHERE reason <> '' AND referral_id IN "+ofPerson, personID)
	if err != nil {
		return err
	}
	for _, k := range blank {
		if _, err := tx.ExecContext(ctx, "UPDATE referral_events SET reason = '' WHERE referral_id = $1 AND position = $2", k.referral, k.position); err != nil {
			return err
		}
	}
	return nil
}

// erasePlans keeps each plan's shape and progress without its words.
func (s *Store) erasePlans(ctx context.Context, tx *sql.Tx, personID string) error {
	plans := map[string]string{}
	err := (&reader{ctx: ctx, tx: tx}).each(func(rows *sql.Rows) error {
		var id, goals string
		if err := rows.Scan(&id, &goals); err != nil {
			return err
		}
		plans[id] = goals
		return nil
	}, "SELECT referral_id, goals FROM plans WHERE referral_id IN "+ofPerson, personID)
	if err != nil {
		return err
	}
	for id, stored := range plans {
		var goals []casework.Goal
		if err := json.Unmarshal([]byte(stored), &goals); err != nil {
			return err
		}
		erased, err := json.Marshal(ErasePlan(goals))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE plans SET goals = $1 WHERE referral_id = $2", string(erased), id); err != nil {
			return err
		}
	}
	return nil
}
