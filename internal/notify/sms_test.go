package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/notify"
	"oikos/internal/notify/notifytest"
)

func TestNormaliseUKMobile(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"07700900123", "+447700900123"},
		{"07700 900123", "+447700900123"},
		{" 07700-900-123 ", "+447700900123"},
		{"(07700) 900123", "+447700900123"},
		{"+447700900123", "+447700900123"},
		{"+44 7700 900123", "+447700900123"},
		{"+44 (0)7700 900123", "+447700900123"},
		{"0044 7700 900123", "+447700900123"},
		{"447700900123", "+447700900123"},
		{"07123 456789", "+447123456789"},
		{"07987.654.321", "+447987654321"},
		{"07624 123456", "+447624123456"}, // Isle of Man mobile
		{"", ""},
		{"07700 90012", ""},       // one digit short
		{"07700 9001234", ""},     // one too many
		{"01392 123456", ""},      // landline
		{"020 7946 0000", ""},     // London landline
		{"07000 123456", ""},      // personal number
		{"07600 123456", ""},      // pager
		{"+33 6 12 34 56 78", ""}, // not UK
		{"+1 202 555 0100", ""},
		{"7700900123", ""}, // no trunk 0 or country code
		{"07700 900123 ext 4", ""},
		{"++447700900123", ""},
		{"07700\n900123", ""},
		{"０７７００９００１２３", ""}, // full-width digits
		{strings.Repeat("0", 41), ""},
	} {
		got, err := notify.NormaliseUKMobile(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("%q: accepted as %q", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func FuzzNormaliseUKMobile(f *testing.F) {
	for _, s := range []string{"07700900123", "+44 (0)7700 900123", "0044 7700 900123", "07624 123456", "01392 123456", "+", "(", "44", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := notify.NormaliseUKMobile(s)
		if err != nil {
			return
		}
		if len(got) != 13 || !strings.HasPrefix(got, "+447") || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("%q normalised to %q", s, got)
		}
		if again, err := notify.NormaliseUKMobile(got); err != nil || again != got {
			t.Fatalf("%q: normalising %q again gave %q, %v", s, got, again, err)
		}
	})
}

func TestParseNotifyKey(t *testing.T) {
	const svc, secret = "26785a09-ab16-4eb0-8407-a37497a57506", "3d844edf-8d35-48ac-975b-e847b4f122b0"
	k, err := notify.ParseNotifyKey("my_test_key-" + svc + "-" + secret)
	if err != nil || k.Name != "my_test_key" || k.ServiceID != svc || k.Secret != secret {
		t.Errorf("key = %+v, %v", k, err)
	}
	// A name with hyphens.
	if k, err := notify.ParseNotifyKey("oikos-live-2026-" + svc + "-" + secret); err != nil || k.Name != "oikos-live-2026" || k.ServiceID != svc {
		t.Errorf("hyphenated name: %+v, %v", k, err)
	}
	for _, bad := range []string{"", "key", svc + "-" + secret, "-" + svc + "-" + secret, "k-" + svc + secret,
		"k-" + svc + "-" + strings.Replace(secret, "3", "g", 1), "k-" + svc + "_" + secret} {
		if _, err := notify.ParseNotifyKey(bad); err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
}

func TestNotifyJWT(t *testing.T) {
	// A token worked out apart (Python's hmac) from the documented recipe: base64url of
	// the header and of {"iss":…,"iat":…}, HMAC-SHA256 under the secret.
	got := notify.NotifyJWT("26785a09-ab16-4eb0-8407-a37497a57506", "3d844edf-8d35-48ac-975b-e847b4f122b0", time.Unix(1568818578, 0))
	parts := strings.Split(got, ".")
	if len(parts) != 3 || parts[0] != "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9" ||
		parts[1] != "eyJpc3MiOiIyNjc4NWEwOS1hYjE2LTRlYjAtODQwNy1hMzc0OTdhNTc1MDYiLCJpYXQiOjE1Njg4MTg1Nzh9" ||
		parts[2] != "YT_aQYNif0l3HaPwy62Cj9g0qsYzjnj1K5pLwkELiFw" {
		t.Errorf("token %s", got)
	}
}

func TestMessageValidateSMS(t *testing.T) {
	ok := notify.Message{Kind: "session_reminder", Channel: notify.ChannelSMS, To: "+447700900123", Body: "Reminder: Walking group tomorrow."}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]notify.Message{
		"not normalised": {Kind: "k", Channel: "sms", To: "07700900123", Body: "x"},
		"landline":       {Kind: "k", Channel: "sms", To: "+441392123456", Body: "x"},
		"subject":        {Kind: "k", Channel: "sms", To: "+447700900123", Subject: "s", Body: "x"},
		"empty":          {Kind: "k", Channel: "sms", To: "+447700900123"},
		"too long":       {Kind: "k", Channel: "sms", To: "+447700900123", Body: strings.Repeat("a", 919)},
		"control":        {Kind: "k", Channel: "sms", To: "+447700900123", Body: "a\x1bb"},
		"channel":        {Kind: "k", Channel: "pigeon", To: "a@example.org", Subject: "s", Body: "x"},
	} {
		if err := m.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

var text = notify.Message{Kind: "session_reminder", Channel: notify.ChannelSMS, To: "+447700900123",
	Body: "Reminder from Oikos: your first session at Northgate Walking Group is tomorrow."}

// newSMSWorker is a worker that sends texts to a local Notify server and
// writes emails to the log.
func newSMSWorker(t *testing.T, d *db.DB, n *notifytest.Notify) (*notify.Worker, *clock) {
	t.Helper()
	s, err := notify.NewSMSSender(n.URL, n.APIKey(), n.TemplateID)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now().Add(time.Second)}
	return &notify.Worker{DB: d, Sender: notify.ByChannel{Email: &notify.LogSender{Log: quiet}, SMS: s}, Log: quiet,
		Now: c.Now, Jitter: func() float64 { return 0 }}, c
}

func TestWorkerSendsSMS(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := notifytest.StartNotify(t)
		w, clk := newSMSWorker(t, d, n)
		enqueue(t, d, text, note)
		if got := deliver(t, w); got != 2 {
			t.Fatalf("sent %d", got)
		}
		sent := n.Sent()
		if len(sent) != 1 {
			t.Fatalf("Notify got %d texts", len(sent))
		}
		var id, channel string
		if err := d.R().QueryRowContext(context.Background(), "SELECT id, channel FROM outbox WHERE kind = 'session_reminder'").Scan(&id, &channel); err != nil {
			t.Fatal(err)
		}
		m := sent[0]
		if m.PhoneNumber != text.To || m.TemplateID != n.TemplateID || m.Personalisation["body"] != text.Body || len(m.Personalisation) != 1 ||
			m.Reference != id || channel != "sms" {
			t.Errorf("Notify got %+v (outbox %s, %s)", m, id, channel)
		}
		var status string
		var sentAt int64
		if err := d.R().QueryRowContext(context.Background(), "SELECT status, sent_at FROM outbox WHERE id = $1", id).Scan(&status, &sentAt); err != nil ||
			status != "sent" || sentAt != db.Millis(clk.Now()) {
			t.Errorf("row %s %d %v", status, sentAt, err)
		}
	})
}

func TestWorkerRetriesSMSWhenNotifyIsBusy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := notifytest.StartNotify(t)
		n.FailNext(429, 500)
		w, clk := newSMSWorker(t, d, n)
		enqueue(t, d, text)
		for attempt, wait := range []time.Duration{30 * time.Second, time.Minute} {
			if got := deliver(t, w); got != 0 {
				t.Fatalf("attempt %d sent", attempt+1)
			}
			r := onlyRow(t, d)
			want := []string{"429", "500"}[attempt]
			if r.status != "pending" || r.attempts != attempt+1 || r.nextAttemptAt != db.Millis(clk.Now().Add(wait)) || !strings.Contains(r.lastError, want) {
				t.Fatalf("attempt %d: %+v", attempt+1, r)
			}
			clk.Add(wait - time.Second)
			if got := deliver(t, w); got != 0 {
				t.Fatal("retried before the backoff ended")
			}
			clk.Add(time.Second)
		}
		if got := deliver(t, w); got != 1 {
			t.Fatalf("third try sent %d", got)
		}
		if r := onlyRow(t, d); r.status != "sent" || r.attempts != 3 || len(n.Sent()) != 1 || n.Tries() != 3 {
			t.Errorf("row %+v; %d sent in %d tries", r, len(n.Sent()), n.Tries())
		}
	})
}

func TestWorkerGivesUpOnRefusedSMS(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := notifytest.StartNotify(t)
		n.FailNext(400)
		w, clk := newSMSWorker(t, d, n)
		enqueue(t, d, text)
		deliver(t, w)
		r := onlyRow(t, d)
		if r.status != "failed" || r.attempts != 1 || !strings.Contains(r.lastError, "400") || !strings.Contains(r.lastError, "BadRequestError") {
			t.Fatalf("after 400: %+v", r)
		}
		clk.Add(48 * time.Hour)
		if got := deliver(t, w); got != 0 || n.Tries() != 1 {
			t.Errorf("a refused text was tried again (%d tries)", n.Tries())
		}
	})
}

// A key Notify does not know (403) fails the message at once: it is kept,
// and trying again would only be refused again.
func TestSMSWithWrongKeyFails(t *testing.T) {
	d := dbtest.SQLite(t)
	n := notifytest.StartNotify(t)
	w, _ := newSMSWorker(t, d, n)
	s := w.Sender.(notify.ByChannel).SMS.(*notify.SMSSender)
	s.Key.Secret = "00000000-0000-4000-8000-000000000000"
	enqueue(t, d, text)
	deliver(t, w)
	if r := onlyRow(t, d); r.status != "failed" || !strings.Contains(r.lastError, "403") || len(n.Sent()) != 0 {
		t.Errorf("with a wrong key: %+v", r)
	}
	// A clock more than 30 seconds out is refused the same way.
	s.Key.Secret = n.Secret
	s.Now = func() time.Time { return time.Now().Add(-time.Minute) }
	if err := s.Send(context.Background(), "msg_x", text); err == nil || !notify.IsPermanent(err) || !strings.Contains(err.Error(), "30 seconds") {
		t.Errorf("stale token: %v", err)
	}
	s.Now = nil
	if err := s.Send(context.Background(), "msg_y", text); err != nil {
		t.Errorf("good token: %v", err)
	}
}

// Notify out of reach is a failure to retry, not a refusal.
func TestSMSNotifyDown(t *testing.T) {
	s, err := notify.NewSMSSender("http://"+notifytest.FreeAddr(t), "k-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0",
		"f33517ff-2a88-4f6e-b855-c550268ce08a")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), "msg_1", text); err == nil || notify.IsPermanent(err) {
		t.Errorf("server down: %v", err)
	}
	if err := s.Send(context.Background(), "msg_1", note); err == nil || !notify.IsPermanent(err) {
		t.Errorf("an email through the SMS sender: %v", err)
	}
	for _, bad := range [][3]string{{"ftp://x", "k-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0", "f33517ff-2a88-4f6e-b855-c550268ce08a"},
		{"", "nonsense", "f33517ff-2a88-4f6e-b855-c550268ce08a"},
		{"", "k-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0", "template"}} {
		if _, err := notify.NewSMSSender(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The worker's sweep runs before it looks at the outbox, at most once a
// minute, and what it enqueues goes out in the same pass; a failing sweep
// does not hold up the rest.
func TestWorkerSweeps(t *testing.T) {
	d := dbtest.SQLite(t)
	n := notifytest.StartNotify(t)
	w, clk := newSMSWorker(t, d, n)
	sweeps := 0
	w.Sweep = func(ctx context.Context, now time.Time) error {
		sweeps++
		if sweeps == 2 {
			enqueue(t, d, text)
		}
		if sweeps == 3 {
			return context.DeadlineExceeded
		}
		return nil
	}
	deliver(t, w)
	deliver(t, w)
	if sweeps != 1 {
		t.Fatalf("swept %d times in a minute", sweeps)
	}
	clk.Add(time.Minute)
	if got := deliver(t, w); got != 1 || sweeps != 2 {
		t.Fatalf("sent %d after sweep %d", got, sweeps)
	}
	clk.Add(time.Minute)
	enqueue(t, d, note)
	if got := deliver(t, w); got != 1 || sweeps != 3 {
		t.Errorf("a failed sweep held up the outbox: sent %d", got)
	}
}

func TestOutboxMetricsByChannel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := notifytest.StartNotify(t)
		n.FailNext(400)
		w, _ := newSMSWorker(t, d, n)
		enqueue(t, d, text, note)
		deliver(t, w)
		got := outboxGauges(t, d)
		for k, v := range map[string]float64{"oikos_outbox_messages_by_channel/sms/failed": 1, "oikos_outbox_messages_by_channel/email/sent": 1,
			"oikos_outbox_messages_by_channel/sms/sent": 0, "oikos_outbox_messages/failed": 1, "oikos_outbox_messages/sent": 1} {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", k, got[k], v)
			}
		}
	})
}

// outboxGauges scrapes the outbox collector into name/label/label: value.
func outboxGauges(t *testing.T, d *db.DB) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(notify.NewCollector(d))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			for _, l := range m.GetLabel() {
				name += "/" + l.GetValue()
			}
			got[name] = m.GetGauge().GetValue()
		}
	}
	return got
}
