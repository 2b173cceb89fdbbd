package web_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/notify"
	"oikos/internal/notify/notifytest"
)

// startMailer runs the outbox worker against a real SMTP server on
// 127.0.0.1 until the test ends.
func startMailer(t *testing.T, d *db.DB) *notifytest.Server {
	t.Helper()
	smtpd := notifytest.Start(t, notifytest.Options{})
	sender, err := notify.ParseSMTPURL(smtpd.URL("Oikos <oikos@example.org>"))
	if err != nil {
		t.Fatal(err)
	}
	w := &notify.Worker{DB: d, Sender: sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Interval: 100 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return smtpd
}

func TestReferralNotificationsByEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		smtpd := startMailer(t, d)
		f := newFixture(t, d, func(c *serverConfig) { c.BaseURL = "https://oikos.example.org/" })
		res := f.do(auth.Referrer, "POST", "/api/v1/referrals", referralBody)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		id := res.json(t)["id"].(string)
		ref, _ := f.do(auth.Manager, "GET", "/api/v1/referrals/"+id, "").json(t)["reference"].(string)
		if !strings.HasPrefix(ref, "OIK-") {
			t.Fatalf("reference %q", ref)
		}
		link := "https://oikos.example.org/referrals/" + id
		check := func(m notifytest.Mail, to, subject string, bodyHas ...string) {
			t.Helper()
			if len(m.To) != 1 || m.To[0] != to || m.Header.Get("To") != "<"+to+">" || m.Subject != subject {
				t.Errorf("want %q to %s; got %q to %v", subject, to, m.Subject, m.To)
			}
			for _, want := range append(bodyHas, link, ref) {
				if !strings.Contains(m.Body, want) {
					t.Errorf("%q: body lacks %q:\n%s", subject, want, m.Body)
				}
			}
			// Email is not a safe place for the person's details or needs.
			for _, secret := range []string{"Margaret", "Hughes", "1948", "9434765919", "943 476 5919", "EX4", "01392", "husband",
				"loneliness", "oneliness", "low_mood", "Low mood", "Okafor"} {
				if strings.Contains(string(m.Raw), secret) || strings.Contains(m.Body, secret) {
					t.Errorf("%q gives away %q:\n%s", subject, secret, m.Raw)
				}
			}
		}

		// A manager gives the referral to a link worker: the link worker hears.
		lw := f.users[auth.LinkWorker]
		if res := f.do(auth.Manager, "POST", "/api/v1/referrals/"+id+"/assign", `{"user_id":"`+lw.ID+`"}`); res.status != 200 {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
		mails := smtpd.Wait(t, 1, 10*time.Second)
		check(mails[0], "link_worker@example.org", "Oikos: referral "+ref+" is assigned to you", "assigned to you")

		// Accepted and closed: the referrer hears each.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"accepted"}`); res.status != 200 {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		mails = smtpd.Wait(t, 2, 10*time.Second)
		check(mails[1], "referrer@example.org", "Oikos: referral "+ref+" was accepted", "has been accepted")

		// A refused change owes nobody anything.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"active"}`); res.status != 409 {
			t.Fatalf("accepted → active: %d", res.status)
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"closed","reason":"goals_met"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		mails = smtpd.Wait(t, 3, 10*time.Second)
		check(mails[2], "referrer@example.org", "Oikos: referral "+ref+" was closed", "Reason: Goals met")

		// A link worker's own referral has no referrer, and taking it is
		// their own act: nothing to tell anyone.
		res = f.do(auth.LinkWorker, "POST", "/api/v1/referrals", strings.NewReplacer("Margaret", "Joan", "9434765919", "").Replace(referralBody))
		if res.status != 201 {
			t.Fatalf("link worker's referral: %d %s", res.status, res.body)
		}
		own := res.json(t)["id"].(string)
		f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+own+"/status", `{"status":"accepted"}`)
		f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+own+"/assign", `{"user_id":"`+lw.ID+`"}`)

		// Exactly the three, each sent once, all recorded as sent.
		deadline := time.Now().Add(10 * time.Second)
		for {
			var total, sent int
			if err := d.R().QueryRowContext(context.Background(),
				"SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0) FROM outbox").Scan(&total, &sent); err != nil {
				t.Fatal(err)
			}
			if total != 3 {
				t.Fatalf("outbox holds %d messages, want 3", total)
			}
			if sent == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of 3 recorded as sent", sent)
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // three worker polls
		if got := smtpd.Mails(); len(got) != 3 {
			t.Errorf("%d emails arrived, want 3", len(got))
		}
	})
}
