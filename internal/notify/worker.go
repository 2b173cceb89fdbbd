package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"oikos/internal/db"
)

// Sender delivers one message. id is the outbox row's, the same on every
// attempt, so that a receiver can tell a retry from a new message.
type Sender interface {
	Send(ctx context.Context, id string, m Message) error
}

// Worker delivers the outbox. Any number of workers, in one process or
// many, may run over one database: each message is claimed by one of them
// with a conditional update before it is sent. One Worker is used by one
// goroutine at a time.
type Worker struct {
	DB     *db.DB
	Sender Sender
	Log    *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Interval is how often the outbox is polled (default 1 s).
	Interval time.Duration
	// Lease is how long a claimed message may stay "sending" before
	// another worker may take it back, as after a crash (default 5 min).
	Lease time.Duration
	// SendTimeout bounds one delivery (default 1 min).
	SendTimeout time.Duration
	// MaxAttempts is how many tries a message gets before it is marked
	// failed (kept for KeepFailed) (default 20: about 14 hours of retries).
	MaxAttempts int
	// Jitter returns a number in [0, 1) to spread retries (default random).
	Jitter func() float64
	// Sweep, when set, runs before each look at the outbox, at most once
	// a minute, to enqueue messages that fall due by the clock rather than
	// by a change (reminders before a first session). It must be safe to
	// run in many processes at once.
	Sweep func(ctx context.Context, now time.Time) error

	// KeepSent and KeepFailed are how long a message stays in the outbox
	// after it was written, once sent (default 30 days) or failed for good
	// (default 90 days, for whoever looks into why). Messages hold
	// addresses and sign-in links, so they are not kept for ever.
	KeepSent, KeepFailed time.Duration

	lastRequeue, lastSweep, lastPurge time.Time
}

// ErrTooLate is why a message claimed after its SendBy was not sent.
var ErrTooLate = errors.New("not sent: its time had passed")

// Delivery statuses, as stored in outbox.status.
const (
	StatusPending = "pending"
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Backoff is how long to wait after the attempt-th failed try: 30 s,
// doubling each time, at most an hour, made up to a tenth shorter by jitter
// (in [0, 1)) so that many messages failing together do not retry together.
func Backoff(attempt int, jitter float64) time.Duration {
	const first, ceiling = 30 * time.Second, time.Hour
	d := ceiling
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 8 { // 30 s << 7 is already past the ceiling
		d = min(first<<(attempt-1), ceiling)
	}
	jitter = min(max(jitter, 0), 1)
	return d - time.Duration(float64(d)*jitter/10)
}

// Run delivers messages until ctx ends: it polls every Interval and wakes
// early when a message is enqueued in this process. A message being sent
// when ctx ends is finished and recorded first.
func (w *Worker) Run(ctx context.Context) {
	interval := orDefault(w.Interval, time.Second)
	t := time.NewTimer(interval)
	defer t.Stop()
	lookAgain := false
	for {
		// Take the wake-up channel before looking, so that a message
		// enqueued while we look still wakes us.
		woken := wake.wait()
		sent, err := w.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			w.log().Warn("email outbox", "err", err)
		}
		wait := interval
		if lookAgain && sent == 0 {
			// Woken, but the enqueuing transaction had not yet committed:
			// look once more soon rather than a whole interval later.
			wait = min(interval, 500*time.Millisecond)
		}
		lookAgain = false
		t.Reset(wait) // since Go 1.23, Reset drops a tick not yet read
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-woken:
			// The enqueuing transaction is most likely still committing:
			// give it a moment before looking.
			select {
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			lookAgain = true
		}
	}
}

// DeliverDue sends every message that is due, one at a time, and returns
// how many were sent. It stops early when ctx ends.
func (w *Worker) DeliverDue(ctx context.Context) (sent int, err error) {
	if err := w.requeueLapsed(ctx); err != nil {
		return 0, err
	}
	if err := w.purge(ctx); err != nil {
		return 0, err
	}
	if now := w.now(); w.Sweep != nil && (now.Sub(w.lastSweep) >= time.Minute || w.lastSweep.After(now)) {
		w.lastSweep = now
		if err := w.Sweep(ctx, now); err != nil {
			// A failed sweep must not hold up messages already due.
			w.log().Warn("outbox sweep", "err", err)
		}
	}
	for ctx.Err() == nil {
		c, ok, err := w.claim(ctx)
		if err != nil || !ok {
			return sent, err
		}
		// Finish this message even if ctx ends meanwhile: stopping halfway
		// would leave it claimed until its lease runs out.
		sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), orDefault(w.SendTimeout, time.Minute))
		var sendErr error
		if !c.SendBy.IsZero() && !w.now().Before(c.SendBy) {
			sendErr = Permanent(ErrTooLate)
		} else {
			sendErr = w.Sender.Send(sendCtx, c.id, c.Message)
		}
		err = w.record(sendCtx, c, sendErr)
		cancel()
		if err != nil {
			return sent, err
		}
		if sendErr == nil {
			sent++
		}
	}
	return sent, nil
}

// claimed is a message this worker has taken to send.
type claimed struct {
	Message
	id       string
	attempts int
}

// claim takes the oldest due message, marking it sending and counting the
// attempt. While sending, next_attempt_at holds when the claim lapses.
func (w *Worker) claim(ctx context.Context) (c claimed, ok bool, err error) {
	now := w.now()
	// Look on the read pool first: on SQLite a write, even one that
	// changes nothing, takes the database's only write lock.
	var one int
	err = w.DB.R().QueryRowContext(ctx, "SELECT 1 FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1", db.Millis(now)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	} else if err != nil {
		return c, false, fmt.Errorf("look for due messages: %w", err)
	}
	// The outer status test makes the claim safe on its own: of two
	// workers racing for a row, one updates it and the other finds it no
	// longer pending. SKIP LOCKED lets PostgreSQL workers pass each other
	// instead of queueing on the same row.
	var sendBy sql.NullInt64
	err = w.DB.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $1
			WHERE id = (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2
				ORDER BY next_attempt_at, id LIMIT 1`+w.DB.Dialect.ForUpdateSkipLocked()+`)
			AND status = 'pending'
			RETURNING id, kind, channel, recipient, subject, body, attempts, send_by`,
			db.Millis(now.Add(orDefault(w.Lease, 5*time.Minute))), db.Millis(now)).
			Scan(&c.id, &c.Kind, &c.Channel, &c.To, &c.Subject, &c.Body, &c.attempts, &sendBy)
	})
	if sendBy.Valid {
		c.SendBy = db.Time(sendBy.Int64)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil // another worker took it
	} else if err != nil {
		return c, false, fmt.Errorf("claim a message: %w", err)
	}
	return c, true, nil
}

// record stores how a send went: sent, or back to pending with a later
// next_attempt_at, or failed for good after MaxAttempts. Nothing is deleted.
func (w *Worker) record(ctx context.Context, c claimed, sendErr error) error {
	now := w.now()
	if sendErr == nil {
		res, err := w.DB.Exec(ctx, "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = '' WHERE id = $2 AND status = 'sending'", db.Millis(now), c.id)
		if err != nil {
			return fmt.Errorf("mark message %s sent: %w", c.id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			w.log().Warn("email sent after its claim lapsed; it may be sent twice", "id", c.id, "kind", c.Kind)
		}
		w.log().Info("message sent", "id", c.id, "kind", c.Kind, "channel", c.channel(), "attempts", c.attempts)
		return nil
	}
	status, next := StatusPending, now.Add(Backoff(c.attempts, w.jitter()))
	if c.attempts >= orDefault(w.MaxAttempts, 20) || IsPermanent(sendErr) {
		status = StatusFailed
		// The recipient is not logged: for the person's portal it is their
		// own address. The outbox row has it.
		if errors.Is(sendErr, ErrTooLate) {
			w.log().Warn("message not sent: its time had passed", "id", c.id, "kind", c.Kind, "channel", c.channel(), "attempts", c.attempts)
		} else {
			w.log().Error("message failed for good; it stays in the outbox", "id", c.id, "kind", c.Kind, "channel", c.channel(), "attempts", c.attempts, "err", sendErr)
		}
	} else {
		w.log().Warn("message not sent; will retry", "id", c.id, "kind", c.Kind, "channel", c.channel(), "attempts", c.attempts, "retry_at", next.UTC().Format(time.RFC3339), "err", sendErr)
	}
	_, err := w.DB.Exec(ctx, "UPDATE outbox SET status = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4 AND status = 'sending'",
		status, db.Millis(next), errorText(sendErr), c.id)
	if err != nil {
		return fmt.Errorf("record failed send of message %s: %w", c.id, err)
	}
	return nil
}

func (w *Worker) jitter() float64 {
	if w.Jitter == nil {
		return rand.Float64()
	}
	return w.Jitter()
}

// requeueLapsed returns messages whose claim lapsed (their worker died or
// hung mid-send) to pending, at most once a minute. The message may have gone
// out before the worker died: delivery is at least once, never at most once.
func (w *Worker) requeueLapsed(ctx context.Context) error {
	now := w.now()
	if now.Sub(w.lastRequeue) < time.Minute && !w.lastRequeue.After(now) {
		return nil
	}
	w.lastRequeue = now
	var one int
	err := w.DB.R().QueryRowContext(ctx, "SELECT 1 FROM outbox WHERE status = 'sending' AND next_attempt_at <= $1 LIMIT 1", db.Millis(now)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("look for lapsed claims: %w", err)
	}
	res, err := w.DB.Exec(ctx, `UPDATE outbox SET status = CASE WHEN attempts >= $2 THEN 'failed' ELSE 'pending' END,
		last_error = 'The worker sending it stopped before it finished.'
		WHERE status = 'sending' AND next_attempt_at <= $1`, db.Millis(now), orDefault(w.MaxAttempts, 20))
	if err != nil {
		return fmt.Errorf("requeue lapsed claims: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		w.log().Warn("emails whose sending stopped halfway are queued again", "count", n)
	}
	return nil
}

// purge deletes the messages kept long enough (KeepSent, KeepFailed), at
// most once an hour, looking on the read pool first so that SQLite's write
// lock is taken only when there is something to delete.
func (w *Worker) purge(ctx context.Context) error {
	now := w.now()
	if now.Sub(w.lastPurge) < time.Hour && !w.lastPurge.After(now) {
		return nil
	}
	w.lastPurge = now
	sentBefore := db.Millis(now.Add(-orDefault(w.KeepSent, 30*24*time.Hour)))
	failedBefore := db.Millis(now.Add(-orDefault(w.KeepFailed, 90*24*time.Hour)))
	const old = `(status = 'sent' AND created_at < $1) OR (status = 'failed' AND created_at < $2)`
	var one int
	err := w.DB.R().QueryRowContext(ctx, "SELECT 1 FROM outbox WHERE "+old+" LIMIT 1", sentBefore, failedBefore).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("look for old messages: %w", err)
	}
	res, err := w.DB.Exec(ctx, "DELETE FROM outbox WHERE "+old, sentBefore, failedBefore)
	if err != nil {
		return fmt.Errorf("delete old messages: %w", err)
	}
	n, _ := res.RowsAffected()
	w.log().Info("old messages deleted from the outbox", "count", n)
	return nil
}

// errorText keeps an error for the outbox row: one line of printable text,
// at most 500 characters, whatever the mail server said.
func errorText(err error) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(err.Error(), "?"))
	if utf8.RuneCountInString(s) > 500 {
		s = string([]rune(s)[:500])
	}
	return s
}
