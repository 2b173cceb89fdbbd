package notify_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/notify"
	"oikos/internal/notify/notifytest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newWorker(t *testing.T, d *db.DB, smtpURL string) (*notify.Worker, *clock) {
	t.Helper()
	s, err := notify.ParseSMTPURL(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	// A second ahead, so that what the test enqueues next is already due.
	c := &clock{t: time.Now().Add(time.Second)}
	return &notify.Worker{DB: d, Sender: s, Log: quiet, Now: c.Now, Jitter: func() float64 { return 0 }}, c
}

func enqueue(t *testing.T, d *db.DB, msgs ...notify.Message) {
	t.Helper()
	if err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		for _, m := range msgs {
			if err := notify.Enqueue(context.Background(), tx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

type outboxRow struct {
	status        string
	attempts      int
	nextAttemptAt int64
	lastError     string
	sentAt        sql.NullInt64
}

func onlyRow(t *testing.T, d *db.DB) outboxRow {
	t.Helper()
	var r outboxRow
	var n int
	if err := d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM outbox").Scan(&n); err != nil || n != 1 {
		t.Fatalf("want one outbox row, have %d (%v)", n, err)
	}
	if err := d.R().QueryRowContext(context.Background(), "SELECT status, attempts, next_attempt_at, last_error, sent_at FROM outbox").
		Scan(&r.status, &r.attempts, &r.nextAttemptAt, &r.lastError, &r.sentAt); err != nil {
		t.Fatal(err)
	}
	return r
}

func deliver(t *testing.T, w *notify.Worker) int {
	t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var note = notify.Message{Kind: "referral_assigned", To: "lw@example.org", Subject: "Oikos: referral OIK-ABCD-EFGH is assigned to you",
	Body: "Hello,\n\nReferral OIK-ABCD-EFGH has been assigned to you.\n"}

func TestWorkerDelivers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := notifytest.Start(t, notifytest.Options{})
		w, clk := newWorker(t, d, smtpd.URL("Oikos <oikos@example.org>"))
		enqueue(t, d, note)
		if n := deliver(t, w); n != 1 {
			t.Fatalf("sent %d", n)
		}
		mails := smtpd.Wait(t, 1, 5*time.Second)
		m := mails[0]
		if m.From != "oikos@example.org" || len(m.To) != 1 || m.To[0] != "lw@example.org" || m.Subject != note.Subject ||
			m.Body != strings.ReplaceAll(note.Body, "\n", "\r\n") || !strings.HasPrefix(m.Header.Get("Message-ID"), "<msg_") {
			t.Errorf("arrived %+v\n%s", m, m.Raw)
		}
		r := onlyRow(t, d)
		if r.status != "sent" || r.attempts != 1 || !r.sentAt.Valid || r.sentAt.Int64 != db.Millis(clk.Now()) {
			t.Errorf("row %+v", r)
		}
		if n := deliver(t, w); n != 0 || len(smtpd.Mails()) != 1 {
			t.Errorf("sent again: %d", n)
		}
	})
}

func TestWorkerRetriesTransientFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := notifytest.Start(t, notifytest.Options{})
		smtpd.FailNext(451)
		w, clk := newWorker(t, d, smtpd.URL("oikos@example.org"))
		enqueue(t, d, note)
		if n := deliver(t, w); n != 0 {
			t.Fatalf("sent %d despite 451", n)
		}
		r := onlyRow(t, d)
		if r.status != "pending" || r.attempts != 1 || r.nextAttemptAt != db.Millis(clk.Now().Add(30*time.Second)) || !strings.Contains(r.lastError, "451") {
			t.Fatalf("after 451: %+v", r)
		}
		clk.Add(29 * time.Second)
		if n := deliver(t, w); n != 0 {
			t.Fatal("retried before the backoff ended")
		}
		clk.Add(time.Second)
		if n := deliver(t, w); n != 1 {
			t.Fatalf("retry sent %d", n)
		}
		smtpd.Wait(t, 1, 5*time.Second)
		if r := onlyRow(t, d); r.status != "sent" || r.attempts != 2 || r.lastError != "" {
			t.Errorf("after retry: %+v", r)
		}
	})
}

// TestWorkerDropsWhatIsTooLate: a message whose SendBy passed while it
// waited for a retry is not sent, and is kept as failed with the reason; a
// second message with time to spare goes.
func TestWorkerDropsWhatIsTooLate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := notifytest.Start(t, notifytest.Options{})
		smtpd.FailNext(451)
		w, clk := newWorker(t, d, smtpd.URL("oikos@example.org"))
		late := note
		late.SendBy = clk.Now().Add(20 * time.Second)
		enqueue(t, d, late)
		if n := deliver(t, w); n != 0 {
			t.Fatalf("sent %d despite 451", n)
		}
		clk.Add(30 * time.Second) // the retry falls after SendBy
		if n := deliver(t, w); n != 0 {
			t.Fatalf("sent %d after its time", n)
		}
		r := onlyRow(t, d)
		if r.status != "failed" || r.attempts != 2 || r.sentAt.Valid || !strings.Contains(r.lastError, "its time had passed") {
			t.Fatalf("after its time: %+v", r)
		}
		if got := smtpd.Mails(); len(got) != 0 {
			t.Fatalf("%d mails arrived", len(got))
		}
		if _, err := d.Exec(context.Background(), "DELETE FROM outbox"); err != nil {
			t.Fatal(err)
		}
		inTime := note
		inTime.SendBy = clk.Now().Add(time.Hour)
		enqueue(t, d, inTime)
		clk.Add(time.Second)
		if n := deliver(t, w); n != 1 {
			t.Fatalf("in time: sent %d", n)
		}
		smtpd.Wait(t, 1, 5*time.Second)
	})
}

// TestWorkerPurgesOldMessages: sent messages go after KeepSent, failed
// ones after KeepFailed, pending ones never; at most once an hour.
func TestWorkerPurgesOldMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := notifytest.Start(t, notifytest.Options{})
		w, clk := newWorker(t, d, smtpd.URL("oikos@example.org"))
		w.KeepSent, w.KeepFailed = 48*time.Hour, 96*time.Hour
		enqueue(t, d, note, note, note)
		deliver(t, w)
		smtpd.Wait(t, 3, 5*time.Second)
		ctx := context.Background()
		// One sent, one failed for good, one waiting (as if its server
		// kept refusing it).
		if _, err := d.Exec(ctx, `UPDATE outbox SET status = 'failed' WHERE id = (SELECT MIN(id) FROM outbox)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE outbox SET status = 'pending', next_attempt_at = $1 WHERE id = (SELECT MAX(id) FROM outbox)`,
			db.Millis(clk.Now().Add(1000*time.Hour))); err != nil {
			t.Fatal(err)
		}
		count := func() map[string]int {
			t.Helper()
			rows, err := d.R().QueryContext(ctx, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]int{}
			for rows.Next() {
				var s string
				var n int
				if err := rows.Scan(&s, &n); err != nil {
					t.Fatal(err)
				}
				out[s] = n
			}
			return out
		}
		for _, step := range []struct {
			after time.Duration
			want  map[string]int
		}{
			{47 * time.Hour, map[string]int{"sent": 1, "failed": 1, "pending": 1}},
			{2 * time.Hour, map[string]int{"failed": 1, "pending": 1}},    // 49 h: the sent one goes
			{30 * time.Minute, map[string]int{"failed": 1, "pending": 1}}, // not again within the hour
			{48 * time.Hour, map[string]int{"pending": 1}},                // 97.5 h: the failed one goes
		} {
			clk.Add(step.after)
			deliver(t, w)
			if got := count(); fmt.Sprint(got) != fmt.Sprint(step.want) {
				t.Fatalf("after %s more: %v, want %v", step.after, got, step.want)
			}
		}
	})
}

func TestWorkerServerDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		addr := notifytest.FreeAddr(t)
		w, clk := newWorker(t, d, "smtp://"+addr+"?from=oikos%40example.org")
		enqueue(t, d, note)
		for attempt, wait := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
			if n := deliver(t, w); n != 0 {
				t.Fatal("sent with the server down")
			}
			r := onlyRow(t, d)
			if r.status != "pending" || r.attempts != attempt+1 || r.nextAttemptAt != db.Millis(clk.Now().Add(wait)) || !strings.Contains(r.lastError, "connect") {
				t.Fatalf("attempt %d: %+v", attempt+1, r)
			}
			clk.Add(wait)
		}
		smtpd := notifytest.StartAt(t, addr, notifytest.Options{})
		if n := deliver(t, w); n != 1 {
			t.Fatalf("sent %d once the server is back", n)
		}
		if m := smtpd.Wait(t, 1, 5*time.Second)[0]; m.To[0] != "lw@example.org" {
			t.Errorf("arrived %+v", m)
		}
		if r := onlyRow(t, d); r.status != "sent" || r.attempts != 4 {
			t.Errorf("row %+v", r)
		}
	})
}

func TestWorkerKeepsWhatFailsForGood(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := notifytest.Start(t, notifytest.Options{})
		smtpd.FailNext(550, 550, 550)
		w, clk := newWorker(t, d, smtpd.URL("oikos@example.org"))
		w.MaxAttempts = 3
		enqueue(t, d, note)
		for range 3 {
			deliver(t, w)
			clk.Add(time.Hour)
		}
		r := onlyRow(t, d)
		if r.status != "failed" || r.attempts != 3 || !strings.Contains(r.lastError, "550") {
			t.Fatalf("after 3 refusals: %+v", r)
		}
		clk.Add(24 * time.Hour)
		if n := deliver(t, w); n != 0 || len(smtpd.Mails()) != 0 {
			t.Errorf("a failed message was tried again")
		}
	})
}

func TestWorkerTakesBackLapsedClaims(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := notifytest.Start(t, notifytest.Options{})
		w, clk := newWorker(t, d, smtpd.URL("oikos@example.org"))
		enqueue(t, d, note)
		// A worker claimed it, then died before it finished.
		if _, err := d.Exec(context.Background(), "UPDATE outbox SET status = 'sending', attempts = 1, next_attempt_at = $1",
			db.Millis(clk.Now().Add(5*time.Minute))); err != nil {
			t.Fatal(err)
		}
		if n := deliver(t, w); n != 0 {
			t.Fatal("took a claim that had not lapsed")
		}
		clk.Add(5*time.Minute + time.Second)
		if n := deliver(t, w); n != 1 {
			t.Fatalf("lapsed claim: sent %d", n)
		}
		smtpd.Wait(t, 1, 5*time.Second)
		if r := onlyRow(t, d); r.status != "sent" || r.attempts != 2 {
			t.Errorf("row %+v", r)
		}
	})
}

// Two workers over one database, as in two server processes, send each
// message exactly once.
func TestWorkersShareTheOutbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := notifytest.Start(t, notifytest.Options{})
		var msgs []notify.Message
		for i := range 30 {
			m := note
			m.To = fmt.Sprintf("lw%d@example.org", i)
			msgs = append(msgs, m)
		}
		enqueue(t, d, msgs...)
		other, err := db.Open(context.Background(), d.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, handle := range []*db.DB{d, other} {
			w, _ := newWorker(t, handle, smtpd.URL("oikos@example.org"))
			w.Now = time.Now
			wg.Go(func() {
				n, err := w.DeliverDue(context.Background())
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		got := smtpd.Wait(t, 30, 10*time.Second)
		seen := map[string]int{}
		for _, m := range got {
			seen[m.To[0]]++
		}
		if counts[0]+counts[1] != 30 || len(got) != 30 || len(seen) != 30 {
			t.Errorf("workers sent %v; %d arrived for %d recipients", counts, len(got), len(seen))
		}
		t.Logf("shares: %v", counts)
	})
}

// Run wakes when a message is enqueued in the same process rather than
// waiting for its next poll.
func TestRunWakesOnEnqueue(t *testing.T) {
	d := dbtest.SQLite(t)
	smtpd := notifytest.Start(t, notifytest.Options{})
	w, _ := newWorker(t, d, smtpd.URL("oikos@example.org"))
	w.Now, w.Interval = time.Now, time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	time.Sleep(100 * time.Millisecond) // let Run make its first, empty pass
	start := time.Now()
	enqueue(t, d, note)
	smtpd.Wait(t, 1, 10*time.Second)
	t.Logf("delivered %v after enqueue", time.Since(start))
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestSMTPOverTLS(t *testing.T) {
	serverTLS, clientTLS := notifytest.TLS(t)
	for _, implicit := range []bool{false, true} {
		t.Run(fmt.Sprintf("implicit=%v", implicit), func(t *testing.T) {
			smtpd := notifytest.Start(t, notifytest.Options{TLS: serverTLS, Implicit: implicit, Username: "oikos", Password: "s3cret:pw"})
			s, err := notify.ParseSMTPURL(smtpd.URL("oikos@example.org"))
			if err != nil {
				t.Fatal(err)
			}
			s.TLSConfig = clientTLS
			if err := s.Send(context.Background(), "msg_1", note); err != nil {
				t.Fatalf("send: %v", err)
			}
			if m := smtpd.Wait(t, 1, 5*time.Second)[0]; m.Subject != note.Subject {
				t.Errorf("arrived %+v", m)
			}
			// A wrong password is refused, and the error does not repeat it.
			s.Password = "wrong-password"
			if err := s.Send(context.Background(), "msg_2", note); err == nil || strings.Contains(err.Error(), "wrong-password") {
				t.Errorf("wrong password: %v", err)
			}
		})
	}
	// A certificate the client does not trust stops the send.
	smtpd := notifytest.Start(t, notifytest.Options{TLS: serverTLS})
	s, _ := notify.ParseSMTPURL(smtpd.URL("oikos@example.org"))
	if err := s.Send(context.Background(), "msg_1", note); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("untrusted certificate: %v", err)
	}
}

func TestOutboxMetrics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := notifytest.Start(t, notifytest.Options{})
		w, _ := newWorker(t, d, smtpd.URL("oikos@example.org"))
		enqueue(t, d, note, note)
		smtpd.FailNext(451)
		w.Now = time.Now
		deliver(t, w)
		got := outboxGauges(t, d)
		want := map[string]float64{"oikos_outbox_messages/pending": 1, "oikos_outbox_messages/sent": 1, "oikos_outbox_messages/failed": 0,
			"oikos_outbox_messages/sending": 0, "oikos_outbox_scrape_ok": 1, "oikos_outbox_oldest_due_seconds": 0}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
			}
		}
	})
}
