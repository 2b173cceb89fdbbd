package casework

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// ContactModes are the ways a link worker can be in touch with a person.
var ContactModes = []string{"phone", "in_person", "video", "home_visit", "text", "email", "letter"}

// ModeLabel is a contact or conversation mode in words.
func ModeLabel(mode string) string {
	switch mode {
	case "phone":
		return "Phone call"
	case "in_person":
		return "In person"
	case "video":
		return "Video call"
	case "home_visit":
		return "Home visit"
	case "text":
		return "Text message"
	case "email":
		return "Email"
	case "letter":
		return "Letter"
	}
	return mode
}

// ContactOutcomes are what came of trying to reach the person. Only
// OutcomeReached is a contact in the sense the journey counts (the first
// contact, the move to "contacted"): a call nobody answered is recorded so
// that the next link worker knows it was tried, and when.
var ContactOutcomes = []string{OutcomeReached, "no_answer", "left_message", "wrong_number"}

// OutcomeReached is a contact in which the person was reached.
const OutcomeReached = "reached"

// OutcomeLabel is a contact's outcome in words.
func OutcomeLabel(outcome string) string {
	switch outcome {
	case OutcomeReached:
		return "Spoke with them"
	case "no_answer":
		return "No answer"
	case "left_message":
		return "Left a message"
	case "wrong_number":
		return "Wrong number"
	}
	return outcome
}

// MaxContactMinutes is the longest contact recorded: a whole working day.
const MaxContactMinutes = 600

// ContactInput is a contact as recorded.
type ContactInput struct {
	// At is when it happened: a date (YYYY-MM-DD), a local date and time
	// (YYYY-MM-DDTHH:MM, UK time) or an RFC 3339 time.
	At              string `json:"at"`
	Mode            string `json:"mode"`
	DurationMinutes int    `json:"duration_minutes"`
	Note            string `json:"note,omitempty"`
	// Outcome is one of ContactOutcomes; left out, the person was reached.
	Outcome string `json:"outcome,omitempty"`
}

// Contact is one contact with the person.
type Contact struct {
	ID              string    `json:"id"`
	ReferralID      string    `json:"referral_id"`
	At              time.Time `json:"at"`
	Mode            string    `json:"mode"`
	DurationMinutes int       `json:"duration_minutes"`
	Note            string    `json:"note"`
	Outcome         string    `json:"outcome"`
	By              string    `json:"by"`
	CreatedAt       time.Time `json:"created_at"`
}

// ukTime is the clock people in the scheme read; a date and time given
// without a zone is on it.
var ukTime = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// ParseWhen reads when something happened: a date, a UK local date and
// time, or an RFC 3339 time. It may not be in the future (a date may be
// today). A date alone is midnight UTC of that day, so it never moves
// to another day.
func ParseWhen(s string, now time.Time) (time.Time, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "Enter the date."
	}
	var t time.Time
	var err error
	dateOnly := len(s) == len(time.DateOnly)
	switch {
	case dateOnly:
		t, err = time.Parse(time.DateOnly, s)
	case len(s) == len("2006-01-02T15:04"):
		t, err = time.ParseInLocation("2006-01-02T15:04", s, ukTime)
	default:
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return t, "Enter a real date, like 2026-03-27, or a date and time, like 2026-03-27T14:30."
	}
	if t.Year() < 2000 {
		return t, "The date must be in 2000 or later."
	}
	if dateOnly {
		if s > now.In(ukTime).Format(time.DateOnly) {
			return t, "The date must be today or in the past."
		}
	} else if t.After(now.Add(5 * time.Minute)) {
		// A few minutes' grace: clocks differ.
		return t, "The time must be now or in the past."
	}
	return t.UTC().Truncate(time.Millisecond), ""
}

// Validate checks and tidies a contact, naming every field at fault. It
// returns when the contact happened.
func (in *ContactInput) Validate(now time.Time) (time.Time, error) {
	f := map[string]string{}
	at, msg := ParseWhen(in.At, now)
	if msg != "" {
		f["at"] = msg
	}
	if !slices.Contains(ContactModes, in.Mode) {
		f["mode"] = "Choose how you were in touch: phone, in person, video, home visit, text, email or letter."
	}
	if in.Outcome == "" {
		in.Outcome = OutcomeReached
	} else if !slices.Contains(ContactOutcomes, in.Outcome) {
		f["outcome"] = "Choose what happened: reached, no_answer, left_message or wrong_number."
	}
	if in.DurationMinutes < 0 || in.DurationMinutes > MaxContactMinutes {
		f["duration_minutes"] = "Duration must be from 0 to 600 minutes."
	}
	in.Note = strings.TrimSpace(in.Note)
	text(f, "note", "The note", in.Note, 5000, true)
	return at, oikos.Invalid(f)
}

// RecordContact records a contact with the person, or an attempt at one.
// A contact in which the person was reached also marks when the referral
// was first contacted (the measure of how long people wait) and moves an
// accepted referral on to contacted, in the same transaction: the contact
// and the status it implies are written together or not at all.
func (s *Store) RecordContact(ctx context.Context, by referral.Actor, referralID string, in ContactInput) (Contact, error) {
	now := s.now()
	at, err := in.Validate(now)
	if err != nil {
		return Contact{}, err
	}
	c := Contact{ID: db.NewID("con"), ReferralID: referralID, At: at, Mode: in.Mode, DurationMinutes: in.DurationMinutes,
		Note: in.Note, Outcome: in.Outcome, By: by.UserID, CreatedAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		ref, err := s.openReferral(ctx, tx, referralID, "contacts")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (id, referral_id, at, mode, duration_minutes, note, outcome, by_user, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.ID, referralID, db.Millis(at), c.Mode, c.DurationMinutes, c.Note, c.Outcome,
			by.UserID, db.Millis(now)); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, by, audit.Create, kindContacts, referralID); err != nil {
			return err
		}
		if c.Outcome != OutcomeReached {
			return nil
		}
		// A contact recorded by date alone on the day the referral arrived
		// (or one made before the referral was typed in) counts from the
		// referral's arrival: time to first contact is never negative.
		first := at
		if first.Before(ref.ReceivedAt) {
			first = ref.ReceivedAt
		}
		if _, err := tx.ExecContext(ctx, "UPDATE referrals SET first_contact_at = $1, updated_at = $2 WHERE id = $3 AND first_contact_at IS NULL",
			db.Millis(first), db.Millis(now), referralID); err != nil {
			return err
		}
		if ref.Status == referral.Accepted {
			_, err = s.referrals().TransitionTx(ctx, tx, by, referralID, referral.Contacted, "")
		}
		return err
	})
	if err != nil {
		return Contact{}, err
	}
	return c, nil
}

// Contacts lists the contacts with the person, newest first. The read is
// audited.
func (s *Store) Contacts(ctx context.Context, by referral.Actor, referralID string) ([]Contact, error) {
	var out []Contact
	err := s.read(ctx, by, referralID, kindContacts, func(tx *sql.Tx) (err error) {
		out, err = ReadContacts(ctx, tx, referralID)
		return err
	})
	return out, err
}

// ReadContacts is Contacts through q, unaudited: the caller audits the
// read (KindContacts).
func ReadContacts(ctx context.Context, q db.Querier, referralID string) ([]Contact, error) {
	return queryAll(ctx, q, func(rows *sql.Rows) (Contact, error) {
		c := Contact{ReferralID: referralID}
		var at, created int64
		err := rows.Scan(&c.ID, &at, &c.Mode, &c.DurationMinutes, &c.Note, &c.Outcome, &c.By, &created)
		c.At, c.CreatedAt = db.Time(at), db.Time(created)
		return c, err
	}, `SELECT id, at, mode, duration_minutes, note, outcome, by_user, created_at FROM contacts
		WHERE referral_id = $1 ORDER BY at DESC, created_at DESC, id`, referralID)
}

// Working days a referral may wait for a link worker before it is
// overdue: the referral forms promise contact "usually within 5 working
// days", and that urgent referrals are seen first.
const (
	TriageWithin       = 5
	TriageWithinUrgent = 1
)

// TriageOverdue reports whether a referral received at received, waiting
// for triage at now, has waited longer than its urgency allows
// (TriageWithin, TriageWithinUrgent, in working days).
func TriageOverdue(urgency string, received, now time.Time) bool {
	limit := TriageWithin
	if urgency == "urgent" {
		limit = TriageWithinUrgent
	}
	return connection.WorkingDaysBetween(received, now) > limit
}

// TriageOverdueBefore is when a referral of this urgency, waiting at now,
// must have come in by to be overdue: TriageOverdue(urgency, received,
// now) is received.Before(TriageOverdueBefore(urgency, now)), so that a
// whole queue is counted by one comparison in its index rather than
// referral by referral. Overdue is a matter of UK calendar days, so the
// answer is the start of a UK day: the day after the latest whose
// referrals are overdue.
func TriageOverdueBefore(urgency string, now time.Time) time.Time {
	y, m, d := now.In(ukTime).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, ukTime)
	// At most a week and a little (TriageWithin working days) back.
	for !TriageOverdue(urgency, day, now) {
		day = day.AddDate(0, 0, -1)
	}
	return day.AddDate(0, 0, 1)
}
