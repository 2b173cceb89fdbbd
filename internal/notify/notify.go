// Package notify sends the messages Oikos owes people (a referral assigned,
// accepted or closed; a sign-in link) through a table-backed outbox that a
// background worker in the same binary delivers by SMTP.
package notify

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/db"
)

// Message is one email or text message owed to someone.
type Message struct {
	// Kind says what the message is for ("referral_assigned",
	// "portal_link", ...), for logs and metrics; it is never shown.
	Kind string
	// Channel is ChannelEmail (also when empty) or ChannelSMS. A text
	// message goes To a UK mobile number (+447…) and has no Subject.
	Channel string
	To      string
	Subject string
	Body    string
	// SendBy, when set, is when the message stops being worth sending:
	// the worker does not send it after then (a reminder of tomorrow's
	// session, once tomorrow has come).
	SendBy time.Time
}

// channel is the message's channel, email when not set.
func (m Message) channel() string {
	if m.Channel == "" {
		return ChannelEmail
	}
	return m.Channel
}

// Limits on what goes in the outbox: a notification is a short note with a
// link, never a document.
const (
	maxSubject = 200
	maxBody    = 64 << 10
)

// Validate refuses what cannot be sent safely, naming the field: above all
// a line break in To or Subject, which would let the text add headers of
// its own (header injection).
func (m Message) Validate() error {
	f := map[string]string{}
	if m.Kind == "" || len(m.Kind) > 50 || strings.Trim(m.Kind, "abcdefghijklmnopqrstuvwxyz_") != "" {
		f["kind"] = "Kind must be lower-case letters and underscores."
	}
	if m.channel() == ChannelSMS {
		return m.validateSMS(f)
	}
	if m.channel() != ChannelEmail {
		f["channel"] = "Channel must be email or sms."
	}
	if _, err := parseRecipient(m.To); err != nil {
		f["to"] = err.Error()
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		f["subject"] = "A message needs a subject."
	case !oikos.PlainText(m.Subject, false):
		f["subject"] = "The subject must be one line of text without control characters."
	case utf8.RuneCountInString(m.Subject) > maxSubject:
		f["subject"] = fmt.Sprintf("The subject must be %d characters or fewer.", maxSubject)
	}
	switch {
	case !oikos.PlainText(m.Body, true):
		f["body"] = "The body must be text without control characters."
	case len(m.Body) > maxBody:
		f["body"] = fmt.Sprintf("The body must be %d bytes or fewer.", maxBody)
	}
	return oikos.Invalid(f)
}

// validateSMS checks a text message: to a UK mobile as NormaliseUKMobile
// writes it, no subject, and a short body.
func (m Message) validateSMS(f map[string]string) error {
	if to, err := NormaliseUKMobile(m.To); err != nil || to != m.To {
		f["to"] = "A text message needs a UK mobile number written like +447700900123."
	}
	if m.Subject != "" {
		f["subject"] = "A text message has no subject."
	}
	switch {
	case strings.TrimSpace(m.Body) == "":
		f["body"] = "A text message needs some text."
	case !oikos.PlainText(m.Body, true):
		f["body"] = "The text must not contain control characters."
	case utf8.RuneCountInString(m.Body) > maxSMS:
		f["body"] = fmt.Sprintf("A text message must be %d characters or fewer.", maxSMS)
	}
	return oikos.Invalid(f)
}

// parseRecipient reads one email address, refusing anything that could
// break out of its header line.
func parseRecipient(to string) (*mail.Address, error) {
	if to == "" {
		return nil, fmt.Errorf("a message needs an address to go to")
	}
	if !oikos.PlainText(to, false) || len(to) > 320 {
		return nil, fmt.Errorf("the address must be one line without control characters")
	}
	a, err := mail.ParseAddress(to)
	if err != nil || !strings.Contains(a.Address, "@") {
		return nil, fmt.Errorf("enter an email address like name@example.org")
	}
	return a, nil
}

// Enqueue writes m to the outbox inside tx, so that it goes out if and only
// if the change that owes it commits. The worker sends it soon after.
func Enqueue(ctx context.Context, tx *sql.Tx, m Message) error {
	_, err := EnqueueID(ctx, tx, m)
	return err
}

// EnqueueID is Enqueue, answering the outbox row's id.
func EnqueueID(ctx context.Context, tx *sql.Tx, m Message) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	id := db.NewID("msg")
	now := db.Millis(time.Now())
	var sendBy sql.NullInt64
	if !m.SendBy.IsZero() {
		sendBy = sql.NullInt64{Int64: db.Millis(m.SendBy), Valid: true}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, kind, channel, recipient, subject, body, status, attempts, next_attempt_at, created_at, send_by)
		VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $8)`, id, m.Kind, m.channel(), m.To, m.Subject, m.Body, now, sendBy); err != nil {
		return "", fmt.Errorf("enqueue %s message: %w", m.Kind, err)
	}
	wake.broadcast()
	return id, nil
}

// wake tells workers in this process that a message was enqueued, so that
// they need not wait for their next poll. It is a hint: the transaction may
// not have committed yet (or may roll back), and polling still finds
// everything, including messages enqueued by other processes.
var wake waker

type waker struct {
	mu sync.Mutex
	ch chan struct{}
}

// broadcast wakes every worker waiting on the channel from wait.
func (w *waker) broadcast() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
}

// wait returns a channel closed at the next broadcast.
func (w *waker) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}
