package connection

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/notify"
	"oikos/internal/referral"
)

// Reminders before a first session. The person chooses (or the link worker
// records their choice) whether to be reminded, by email or by text; the
// choice holds for all their connections. The provider, when accepting, or
// the link worker later, gives the date of the first session. The day
// before, a sweep in the outbox worker writes one reminder to the outbox:
// the activity's name, the date, its hours that day and its place, all from
// the directory, and nothing about why the person is going.

// Reminder channels, as stored in reminder_choices.channel.
const (
	ReminderNone  = "none"
	ReminderEmail = notify.ChannelEmail
	ReminderSMS   = notify.ChannelSMS
)

// KindSessionReminder is the outbox kind of a reminder.
const KindSessionReminder = "session_reminder"

// reminderAuditKind names the reminder choice in the audit log; the object
// id is the referral's, as for connections.
const reminderAuditKind = "referral.reminders"

// ReminderChoice is whether and how the person wants reminders, with what
// the choice can be.
type ReminderChoice struct {
	// Channel is none, email or sms; none until someone chooses.
	Channel   string     `json:"channel"`
	ChosenAt  *time.Time `json:"chosen_at"`
	ChosenBy  string     `json:"chosen_by,omitempty"`
	Email     string     `json:"email"`
	Mobile    string     `json:"mobile"`
	Available []string   `json:"available"`
	// Suggested is the channel the person's preferred contact points to,
	// for a form's first answer; it is never a choice on its own.
	Suggested string `json:"suggested"`
}

// ReminderInput is a new choice.
type ReminderInput struct {
	Channel string `json:"channel"`
}

// reminderContact is where a person can be reached, for ReminderChannels.
type reminderContact struct {
	Email, Phone, Preferred string
}

// reachableEmail reports whether an address can take a reminder.
func reachableEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == strings.TrimSpace(s) && strings.Contains(s, "@")
}

// ReminderChannels says which channels can reach the person: email with an
// address, text with a UK mobile number. suggested follows their preferred
// contact when that channel can reach them.
func ReminderChannels(email, phone, preferred string) (available []string, mobile, suggested string) {
	available = []string{ReminderNone}
	if reachableEmail(email) {
		available = append(available, ReminderEmail)
	}
	if m, err := notify.NormaliseUKMobile(phone); err == nil {
		available = append(available, ReminderSMS)
		mobile = m
	}
	suggested = ReminderNone
	want := map[string]string{"email": ReminderEmail, "sms": ReminderSMS, "text": ReminderSMS, "mobile": ReminderSMS, "phone": ReminderSMS}[strings.ToLower(strings.TrimSpace(preferred))]
	for _, c := range available {
		if c == want {
			suggested = c
		}
	}
	return available, mobile, suggested
}

// CheckReminderChoice says whether a channel may be chosen for a person
// reached by those channels, naming the field "channel".
func CheckReminderChoice(channel string, available []string) error {
	msg := ""
	switch channel {
	case ReminderNone:
		return nil
	case ReminderEmail:
		msg = "The person has no email address we can use. Add one, or choose text message or no reminders."
	case ReminderSMS:
		msg = "Text messages go only to a UK mobile number, and the person has none. Add one, or choose email or no reminders."
	default:
		return oikos.Invalid(map[string]string{"channel": "Choose none, email or sms."})
	}
	for _, c := range available {
		if c == channel {
			return nil
		}
	}
	return oikos.Invalid(map[string]string{"channel": msg})
}

// personOf finds a referral's person and how they can be reached.
func personOf(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, referralID string) (personID string, c reminderContact, err error) {
	err = q.QueryRowContext(ctx, `SELECT p.id, p.email, p.phone, p.preferred_contact FROM referrals r JOIN people p ON p.id = r.person_id
		WHERE r.id = $1`, referralID).Scan(&personID, &c.Email, &c.Phone, &c.Preferred)
	if err == sql.ErrNoRows {
		return "", c, oikos.NotFound("Referral")
	}
	return personID, c, err
}

// Reminders reads the person's reminder choice for a referral, recording
// the read on their record. Callers check access first.
func (s *Store) Reminders(ctx context.Context, by referral.Actor, referralID string) (ReminderChoice, error) {
	if !validID(referralID) {
		return ReminderChoice{}, oikos.NotFound("Referral")
	}
	var out ReminderChoice
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = s.reminderChoice(ctx, tx, referralID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: audit.Read,
			ObjectKind: reminderAuditKind, ObjectID: referralID, Client: by.Client})
	})
	return out, err
}

func (s *Store) reminderChoice(ctx context.Context, tx *sql.Tx, referralID string) (ReminderChoice, error) {
	personID, contact, err := personOf(ctx, tx, referralID)
	if err != nil {
		return ReminderChoice{}, err
	}
	out := ReminderChoice{Channel: ReminderNone}
	out.Available, out.Mobile, out.Suggested = ReminderChannels(contact.Email, contact.Phone, contact.Preferred)
	if reachableEmail(contact.Email) {
		out.Email = contact.Email
	}
	var at int64
	err = tx.QueryRowContext(ctx, `SELECT rc.channel, rc.chosen_at, COALESCE(u.name, rc.chosen_by) FROM reminder_choices rc
		LEFT JOIN users u ON u.id = rc.chosen_by WHERE rc.person_id = $1`, personID).Scan(&out.Channel, &at, &out.ChosenBy)
	switch {
	case err == sql.ErrNoRows:
		return out, nil
	case err != nil:
		return out, err
	}
	t := db.Time(at)
	out.ChosenAt = &t
	return out, nil
}

// SetReminders records whether and how the person wants reminders, for
// every connection made for them. A channel that cannot reach them is
// refused (422 naming channel).
func (s *Store) SetReminders(ctx context.Context, by referral.Actor, referralID string, in ReminderInput) (ReminderChoice, error) {
	if !validID(referralID) {
		return ReminderChoice{}, oikos.NotFound("Referral")
	}
	var out ReminderChoice
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		personID, contact, err := personOf(ctx, tx, referralID)
		if err != nil {
			return err
		}
		available, _, _ := ReminderChannels(contact.Email, contact.Phone, contact.Preferred)
		channel := strings.TrimSpace(in.Channel)
		if err := CheckReminderChoice(channel, available); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reminder_choices (person_id, channel, chosen_by, chosen_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (person_id) DO UPDATE SET channel = excluded.channel, chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at`,
			personID, channel, by.UserID, db.Millis(s.now())); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: audit.Update,
			ObjectKind: reminderAuditKind, ObjectID: referralID, Client: by.Client}); err != nil {
			return err
		}
		out, err = s.reminderChoice(ctx, tx, referralID)
		return err
	})
	return out, err
}

// ParseFirstSession reads the date of a first session: optional (""),
// else a real date from today (UK time) to a year ahead. It answers the
// date and, when it cannot be used, why.
func ParseFirstSession(s string, now time.Time) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return "", "Enter a real date, like 2026-03-27."
	}
	s = d.Format(time.DateOnly)
	today := now.In(ukClock)
	if s < today.Format(time.DateOnly) {
		return "", "The first session must be today or later."
	}
	if s > today.AddDate(1, 0, 0).Format(time.DateOnly) {
		return "", "The first session must be within a year."
	}
	return s, ""
}

// DecideWithFirstSession is Decide with the date of the first session,
// which may come with an acceptance, in one transaction: a bad date leaves
// the connection unanswered.
func (s *Store) DecideWithFirstSession(ctx context.Context, by referral.Actor, id string, decision Status, reason, firstSession string) (Connection, error) {
	if strings.TrimSpace(firstSession) == "" {
		return s.Decide(ctx, by, id, decision, reason)
	}
	date, msg := ParseFirstSession(firstSession, s.now())
	if msg == "" && decision != Accepted {
		msg = "Give the date of the first session only when you accept the person."
	}
	if msg != "" {
		return Connection{}, oikos.Invalid(map[string]string{"first_session": msg})
	}
	return s.change(ctx, id, func(tx *sql.Tx, c Connection) error {
		if err := s.decide(ctx, tx, by, c, decision, reason); err != nil {
			return err
		}
		return s.setFirstSession(ctx, tx, c.ID, date)
	})
}

// AnswerByLinkWithFirstSession is AnswerByLink where an acceptance may
// give the date of the first session; a bad date refuses the answer and
// leaves the link unused.
func (s *Store) AnswerByLinkWithFirstSession(ctx context.Context, client, token, action, reason, firstSession string) (Connection, error) {
	date, msg := ParseFirstSession(firstSession, s.now())
	if msg == "" && date != "" && action != "accept" {
		msg = "Give the date of the first session only when you accept the person."
	}
	if msg != "" {
		return Connection{}, oikos.Invalid(map[string]string{"first_session": msg})
	}
	return s.answerByLink(ctx, client, token, action, reason, date)
}

// SetFirstSession records (or moves, or with "" clears) the date of an
// accepted connection's first session. A new date owes a new reminder.
func (s *Store) SetFirstSession(ctx context.Context, by referral.Actor, id, firstSession string) (Connection, error) {
	date, msg := ParseFirstSession(firstSession, s.now())
	if msg != "" {
		return Connection{}, oikos.Invalid(map[string]string{"first_session": msg})
	}
	return s.change(ctx, id, func(tx *sql.Tx, c Connection) error {
		if c.Status != Accepted {
			return refused("first_session", "The date of the first session can be given once the service has accepted the person.")
		}
		if err := s.setFirstSession(ctx, tx, c.ID, date); err != nil {
			return err
		}
		if err := s.event(ctx, tx, c.ID, by, "first_session", c.Status, date); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Update, c.ReferralID)
	})
}

func (s *Store) setFirstSession(ctx context.Context, tx *sql.Tx, id, date string) error {
	_, err := tx.ExecContext(ctx, "UPDATE connections SET first_session = $1, updated_at = $2 WHERE id = $3", date, db.Millis(s.now()), id)
	return err
}

// Reminder hours: a reminder goes the day before the first session, in the
// daytime (UK time), so that nobody is woken by one.
const (
	reminderFrom  = 9  // 09:00
	reminderUntil = 21 // 21:00
)

// ReminderDate is the date of the first sessions whose reminders are due
// at now: tomorrow's (UK time), between 09:00 and 21:00; ok is false
// outside those hours. A first session given after 21:00 the day before
// gets no reminder.
func ReminderDate(now time.Time) (date string, ok bool) {
	t := now.In(ukClock)
	if t.Hour() < reminderFrom || t.Hour() >= reminderUntil {
		return "", false
	}
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 12, 0, 0, 0, time.UTC).Format(time.DateOnly), true
}

// reminderSendBy is when a reminder of a session on date stops being
// sent: the end of the hours reminders go out, the evening before. It
// says "tomorrow", and a text late at night, or on the day, would be
// wrong or unwelcome.
func reminderSendBy(date string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, date, ukClock)
	if err != nil {
		return time.Time{}
	}
	return time.Date(d.Year(), d.Month(), d.Day()-1, reminderUntil, 0, 0, 0, ukClock)
}

// SessionFacts is what a reminder says, all from the directory.
type SessionFacts struct {
	Service  string
	Date     string // YYYY-MM-DD
	Opens    string // HH:MM, or "" when the directory has no hours that day
	Closes   string
	Location string
	Address  string
	Postcode string
	Phone    string
}

// ReminderText is a reminder in words: the activity, the day, the hours
// and the place, and whom to call, never why the person is going.
func ReminderText(f SessionFacts) string {
	day := f.Date
	if d, err := time.Parse(time.DateOnly, f.Date); err == nil {
		day = d.Format("Monday 2 January")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Reminder: your first session at %s is tomorrow, %s", f.Service, day)
	switch {
	case f.Opens != "" && f.Closes != "":
		fmt.Fprintf(&b, ", %s to %s", f.Opens, f.Closes)
	case f.Opens != "":
		fmt.Fprintf(&b, ", from %s", f.Opens)
	}
	var place []string
	for _, p := range []string{f.Location, f.Address, f.Postcode} {
		if p = strings.TrimSpace(p); p != "" && !strings.Contains(strings.Join(place, ", "), p) {
			place = append(place, p)
		}
	}
	if len(place) > 0 {
		b.WriteString(", at " + strings.Join(place, ", "))
	}
	b.WriteString(".")
	if f.Phone != "" {
		fmt.Fprintf(&b, " If you cannot go, please call %s.", f.Phone)
	}
	return b.String()
}

// ReminderMessage is the reminder for one channel.
func ReminderMessage(channel, to string, f SessionFacts) notify.Message {
	text := ReminderText(f)
	if channel == ReminderSMS {
		return notify.Message{Kind: KindSessionReminder, Channel: notify.ChannelSMS, To: to, Body: text}
	}
	return notify.Message{Kind: KindSessionReminder, Channel: notify.ChannelEmail, To: to,
		Subject: "Reminder: " + f.Service + " tomorrow",
		Body: "Hello,\n\n" + text + "\n\nYou are getting this because you asked for reminders. " +
			"To stop them, tell your link worker.\n\nThis message was sent automatically by Oikos. Replies are not read.\n"}
}

// dueReminder is one first session owed a reminder.
type dueReminder struct {
	connectionID, channel, email, phone string
	facts                               SessionFacts
}

// SweepReminders writes to the outbox the reminders due at now, each once:
// the row in session_reminders, claimed in the same transaction as the
// message, keeps a second sweep (in this process or another) from writing
// it again. A person who cannot be reached by the channel they chose (the
// number is no longer a mobile) is skipped. It answers how many it wrote.
func (s *Store) SweepReminders(ctx context.Context, now time.Time) (int, error) {
	date, ok := ReminderDate(now)
	if !ok {
		return 0, nil
	}
	rows, err := s.DB.R().QueryContext(ctx, `SELECT c.id, rc.channel, p.email, p.phone, sv.name, sv.location_name, sv.address, sv.postcode, sv.phone,
		COALESCE((SELECT MIN(sc.opens) FROM service_schedules sc WHERE sc.service_id = c.service_id AND sc.day = $2), ''),
		COALESCE((SELECT MAX(sc.closes) FROM service_schedules sc WHERE sc.service_id = c.service_id AND sc.day = $2), '')
		FROM connections c JOIN referrals r ON r.id = c.referral_id JOIN people p ON p.id = r.person_id
		JOIN reminder_choices rc ON rc.person_id = p.id JOIN services sv ON sv.id = c.service_id
		WHERE c.first_session = $1 AND c.status = 'accepted' AND rc.channel <> 'none' AND r.status <> 'closed' AND r.consent_given
		AND p.restricted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM session_reminders sr WHERE sr.connection_id = c.id AND sr.first_session = c.first_session)
		ORDER BY c.id`, date, isoWeekday(date))
	if err != nil {
		return 0, fmt.Errorf("find reminders due: %w", err)
	}
	var due []dueReminder
	for rows.Next() {
		var d dueReminder
		f := &d.facts
		if err := rows.Scan(&d.connectionID, &d.channel, &d.email, &d.phone, &f.Service, &f.Location, &f.Address, &f.Postcode, &f.Phone,
			&f.Opens, &f.Closes); err != nil {
			rows.Close()
			return 0, err
		}
		f.Date = date
		due = append(due, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	written := 0
	for _, d := range due {
		to := d.email
		if d.channel == ReminderSMS {
			to, _ = notify.NormaliseUKMobile(d.phone)
		}
		m := ReminderMessage(d.channel, to, d.facts)
		m.SendBy = reminderSendBy(date)
		if m.Validate() != nil {
			slog.Default().Warn("reminder skipped: the person cannot be reached by the channel they chose", "connection", d.connectionID, "channel", d.channel)
			continue
		}
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO session_reminders (connection_id, first_session, channel, outbox_id, created_at)
				VALUES ($1, $2, $3, '', $4) ON CONFLICT (connection_id, first_session) DO NOTHING`, d.connectionID, date, d.channel, db.Millis(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // another sweep wrote it
			}
			id, err := notify.EnqueueID(ctx, tx, m)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE session_reminders SET outbox_id = $1 WHERE connection_id = $2 AND first_session = $3", id, d.connectionID, date); err != nil {
				return err
			}
			written++
			return nil
		})
		if err != nil {
			return written, fmt.Errorf("write reminder for connection %s: %w", d.connectionID, err)
		}
	}
	return written, nil
}

// Sweep is SweepReminders in the shape of notify.Worker's Sweep.
func (s *Store) Sweep(ctx context.Context, now time.Time) error {
	n, err := s.SweepReminders(ctx, now)
	if n > 0 {
		slog.Default().Info("reminders before first sessions written to the outbox", "count", n)
	}
	return err
}

// isoWeekday is a date's day as the directory numbers them: 1 Monday to 7
// Sunday.
func isoWeekday(date string) int {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0
	}
	if wd := int(d.Weekday()); wd != 0 {
		return wd
	}
	return 7
}
