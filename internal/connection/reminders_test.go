package connection_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"oikos"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/notify"
	"oikos/internal/notify/notifytest"
	"oikos/internal/oikostest"
)

func TestReminderDate(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want string // "" when none is due
	}{
		{time.Date(2026, 3, 3, 8, 59, 0, 0, time.UTC), ""}, // GMT: 08:59
		{time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), "2026-03-04"},
		{time.Date(2026, 3, 3, 20, 59, 0, 0, time.UTC), "2026-03-04"},
		{time.Date(2026, 3, 3, 21, 0, 0, 0, time.UTC), ""},
		{time.Date(2026, 3, 3, 23, 30, 0, 0, time.UTC), ""},
		// British Summer Time: the hours are the UK's, not UTC's.
		{time.Date(2026, 6, 10, 8, 0, 0, 0, time.UTC), "2026-06-11"},  // 09:00 BST
		{time.Date(2026, 6, 10, 7, 59, 0, 0, time.UTC), ""},           // 08:59 BST
		{time.Date(2026, 6, 10, 20, 0, 0, 0, time.UTC), ""},           // 21:00 BST
		{time.Date(2026, 6, 10, 23, 30, 0, 0, time.UTC), ""},          // 00:30 BST the next day
		{time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), "2026-03-29"}, // the clocks go forward overnight
		{time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC), "2026-10-25"},
		{time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC), "2027-01-01"},
		{time.Date(2028, 2, 28, 10, 0, 0, 0, time.UTC), "2028-02-29"},
	} {
		got, ok := connection.ReminderDate(c.now)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %q, %v; want %q", c.now, got, ok, c.want)
		}
	}
}

func TestParseFirstSession(t *testing.T) {
	now := time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC) // 23:30 GMT, still the 2nd in the UK
	summer := time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		now  time.Time
		want string
		bad  bool
	}{
		{"", now, "", false},
		{"  ", now, "", false},
		{"2026-03-02", now, "2026-03-02", false},
		{" 2026-03-09 ", now, "2026-03-09", false},
		{"2027-03-02", now, "2027-03-02", false},
		{"2027-03-03", now, "", true}, // more than a year ahead
		{"2026-03-01", now, "", true}, // yesterday
		{"2026-07-01", summer, "", true},
		{"2026-07-02", summer, "2026-07-02", false}, // 00:30 BST on the 2nd
		{"2026-02-30", now, "", true},
		{"2026-3-9", now, "", true},
		{"09/03/2026", now, "", true},
		{"2026-03-09T10:00", now, "", true},
		{"next tuesday", now, "", true},
	} {
		got, msg := connection.ParseFirstSession(c.in, c.now)
		if got != c.want || (msg != "") != c.bad {
			t.Errorf("%q at %s: %q, %q", c.in, c.now, got, msg)
		}
	}
}

func FuzzParseFirstSession(f *testing.F) {
	for _, s := range []string{"", "2026-03-09", "2026-02-30", "2026-3-9", "0000-01-01", "9999-12-31", " 2026-03-02\n"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, msg := connection.ParseFirstSession(s, now)
		if msg != "" {
			if got != "" {
				t.Fatalf("%q refused but answered %q", s, got)
			}
			return
		}
		if got == "" {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("%q accepted as no date", s)
			}
			return
		}
		if got < "2026-03-02" || got > "2027-03-02" {
			t.Fatalf("%q accepted as %q", s, got)
		}
		if again, msg := connection.ParseFirstSession(got, now); again != got || msg != "" {
			t.Fatalf("%q: reading %q again gave %q, %q", s, got, again, msg)
		}
	})
}

func TestReminderChannels(t *testing.T) {
	for _, c := range []struct {
		email, phone, preferred string
		available               string
		mobile, suggested       string
	}{
		{"", "", "", "none", "", "none"},
		{"a@example.org", "", "", "none email", "", "none"},
		{"a@example.org", "", "email", "none email", "", "email"},
		{"a@example.org", "07700 900123", "text", "none email sms", "+447700900123", "sms"},
		{"a@example.org", "01392 123456", "text", "none email", "", "none"}, // a landline takes no texts
		{"not an address", "+44 7700 900123", "Phone", "none sms", "+447700900123", "sms"},
		{"a@example.org", "07700 900123", "post", "none email sms", "+447700900123", "none"},
	} {
		available, mobile, suggested := connection.ReminderChannels(c.email, c.phone, c.preferred)
		if strings.Join(available, " ") != c.available || mobile != c.mobile || suggested != c.suggested {
			t.Errorf("%+v: %v %q %q", c, available, mobile, suggested)
		}
		for _, ch := range []string{"none", "email", "sms"} {
			err := connection.CheckReminderChoice(ch, available)
			if ok := strings.Contains(" "+c.available+" ", " "+ch+" "); ok != (err == nil) {
				t.Errorf("%+v: choosing %s: %v", c, ch, err)
			}
		}
		if err := connection.CheckReminderChoice("pigeon", available); oikos.ErrorCode(err) != oikos.EINVALID {
			t.Errorf("pigeon: %v", err)
		}
	}
}

func TestReminderText(t *testing.T) {
	f := connection.SessionFacts{Service: "Riverside walk", Date: "2026-03-04", Opens: "10:00", Closes: "12:00",
		Location: "Riverside café", Address: "1 Quay Hill, Exeter", Postcode: "EX2 4AN", Phone: "01392 111222"}
	want := "Reminder: your first session at Riverside walk is tomorrow, Wednesday 4 March, 10:00 to 12:00, " +
		"at Riverside café, 1 Quay Hill, Exeter, EX2 4AN. If you cannot go, please call 01392 111222."
	if got := connection.ReminderText(f); got != want {
		t.Errorf("text:\n%s\nwant\n%s", got, want)
	}
	// Without hours, place or phone it says what it knows.
	if got := connection.ReminderText(connection.SessionFacts{Service: "Choir", Date: "2026-03-08"}); got != "Reminder: your first session at Choir is tomorrow, Sunday 8 March." {
		t.Errorf("bare: %s", got)
	}
	m := connection.ReminderMessage(connection.ReminderSMS, "+447700900123", f)
	if m.Validate() != nil || m.Body != want || m.Subject != "" || m.Channel != "sms" {
		t.Errorf("sms %+v %v", m, m.Validate())
	}
	m = connection.ReminderMessage(connection.ReminderEmail, "margaret@example.org", f)
	if m.Validate() != nil || !strings.Contains(m.Body, want) || m.Subject != "Reminder: Riverside walk tomorrow" {
		t.Errorf("email %+v %v", m, m.Validate())
	}
}

// reminderWorld is a connection world whose walk meets on Wednesdays, with
// the person on a mobile, and a connection to the walk accepted with its
// first session on Wednesday 4 March 2026.
func reminderWorld(t *testing.T, d *db.DB) (*connWorld, connection.Connection) {
	t.Helper()
	ctx := context.Background()
	w := newConnWorld(t, d, true)
	w.accept(t)
	oikostest.Exec(t, d, "UPDATE services SET location_name = 'Riverside café', address = '1 Quay Hill, Exeter', postcode = 'EX2 4AN', phone = '01392 111222' WHERE id = 'svc_walk'")
	oikostest.Exec(t, d, "INSERT INTO service_schedules (service_id, position, day, opens, closes) VALUES ('svc_walk', 0, 3, '10:00', '12:00'), ('svc_walk', 1, 5, '14:00', '15:00')")
	c, err := w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: w.walk, Kind: connection.Supported})
	if err != nil {
		t.Fatal(err)
	}
	// A bad date leaves the connection unanswered.
	_, err = w.store.DecideWithFirstSession(ctx, providerUser, c.ID, connection.Accepted, "", "2026-03-01")
	wantErr(t, err, oikos.EINVALID, "first_session")
	_, err = w.store.DecideWithFirstSession(ctx, providerUser, c.ID, connection.Declined, "full", "2026-03-04")
	wantErr(t, err, oikos.EINVALID, "first_session")
	if got, _ := w.store.Get(ctx, c.ID); got.Status != connection.Sent || got.FirstSession != "" {
		t.Fatalf("half written: %+v", got)
	}
	if c, err = w.store.DecideWithFirstSession(ctx, providerUser, c.ID, connection.Accepted, "", "2026-03-04"); err != nil ||
		c.Status != connection.Accepted || c.FirstSession != "2026-03-04" {
		t.Fatalf("%+v %v", c, err)
	}
	return w, c
}

func TestRemindersBeforeFirstSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, c := reminderWorld(t, d)
		at := func(month time.Month, day, hour int) time.Time {
			return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
		}
		sweep := func(now time.Time) int {
			t.Helper()
			n, err := w.store.SweepReminders(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Nobody chose reminders yet: nothing goes.
		if n := sweep(at(3, 3, 10)); n != 0 {
			t.Fatalf("reminded %d without a choice", n)
		}
		choice, err := w.store.Reminders(ctx, linkWorker, w.referralID)
		if err != nil || choice.Channel != "none" || choice.ChosenAt != nil || strings.Join(choice.Available, " ") != "none email" {
			t.Fatalf("%+v %v", choice, err)
		}
		// The landline takes no texts.
		_, err = w.store.SetReminders(ctx, linkWorker, w.referralID, connection.ReminderInput{Channel: "sms"})
		wantErr(t, err, oikos.EINVALID, "channel")
		oikostest.Exec(t, d, "UPDATE people SET phone = '07700 900123' WHERE id = (SELECT person_id FROM referrals WHERE id = $1)", w.referralID)
		if choice, err = w.store.SetReminders(ctx, linkWorker, w.referralID, connection.ReminderInput{Channel: "sms"}); err != nil ||
			choice.Channel != "sms" || choice.ChosenBy != "Lee Worker" || choice.ChosenAt == nil || choice.Mobile != "+447700900123" {
			t.Fatalf("%+v %v", choice, err)
		}

		// Not two days before, not before 09:00 the day before; then once.
		for _, now := range []time.Time{at(3, 2, 10), at(3, 3, 8), at(3, 3, 21)} {
			if n := sweep(now); n != 0 {
				t.Fatalf("reminded at %s", now)
			}
		}
		if n := sweep(at(3, 3, 10)); n != 1 {
			t.Fatalf("reminded %d", n)
		}
		if n := sweep(at(3, 3, 11)); n != 0 {
			t.Fatalf("reminded again: %d", n)
		}
		texts := mailOf(t, d, connection.KindSessionReminder)
		if len(texts) != 1 || texts[0].to != "+447700900123" || texts[0].subject != "" ||
			texts[0].body != "Reminder: your first session at Riverside walk is tomorrow, Wednesday 4 March, 10:00 to 12:00, at Riverside café, 1 Quay Hill, Exeter, EX2 4AN. If you cannot go, please call 01392 111222." {
			t.Fatalf("outbox %+v", texts)
		}
		var channel, outboxID string
		var sendBy int64
		if err := d.R().QueryRowContext(ctx, "SELECT o.channel, sr.outbox_id, o.send_by FROM session_reminders sr JOIN outbox o ON o.id = sr.outbox_id WHERE sr.connection_id = $1", c.ID).
			Scan(&channel, &outboxID, &sendBy); err != nil || channel != "sms" {
			t.Fatalf("reminder row: %q %q %v", channel, outboxID, err)
		}
		// Not sent after 21:00 the evening before (GMT in March).
		if got := db.Time(sendBy); !got.Equal(at(3, 3, 21)) {
			t.Fatalf("send by %s, want 21:00 on 3 March", got)
		}

		// The session moves to Friday: a new reminder, by email now.
		_, err = w.store.SetFirstSession(ctx, linkWorker, c.ID, "2026-02-27")
		wantErr(t, err, oikos.EINVALID, "first_session")
		if c, err = w.store.SetFirstSession(ctx, linkWorker, c.ID, "2026-03-06"); err != nil || c.FirstSession != "2026-03-06" {
			t.Fatalf("%+v %v", c, err)
		}
		if _, err := w.store.SetReminders(ctx, linkWorker, w.referralID, connection.ReminderInput{Channel: "email"}); err != nil {
			t.Fatal(err)
		}
		if n := sweep(at(3, 5, 9)); n != 1 {
			t.Fatalf("moved session: reminded %d", n)
		}
		mails := mailOf(t, d, connection.KindSessionReminder)
		if len(mails) != 2 || mails[1].to != "margaret@example.org" || !strings.Contains(mails[1].body, "Friday 6 March, 14:00 to 15:00") {
			t.Fatalf("outbox %+v", mails)
		}
		for _, m := range mails {
			for _, secret := range []string{"Margaret", "Hughes", "loneliness", "Lonel", w.referralID} {
				if strings.Contains(m.body+m.subject, secret) {
					t.Errorf("the reminder tells %q: %s", secret, m.body)
				}
			}
		}

		// Choosing none, or a connection no longer accepted, stops them.
		if _, err := w.store.SetFirstSession(ctx, linkWorker, c.ID, "2026-03-11"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.SetReminders(ctx, linkWorker, w.referralID, connection.ReminderInput{Channel: "none"}); err != nil {
			t.Fatal(err)
		}
		if n := sweep(at(3, 10, 10)); n != 0 {
			t.Fatalf("reminded after choosing none")
		}
		if _, err := w.store.SetReminders(ctx, linkWorker, w.referralID, connection.ReminderInput{Channel: "email"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.Close(ctx, providerUser, c.ID, connection.Dropped, ""); err != nil {
			t.Fatal(err)
		}
		if n := sweep(at(3, 10, 10)); n != 0 {
			t.Fatalf("reminded for a dropped connection")
		}
		_, err = w.store.SetFirstSession(ctx, linkWorker, c.ID, "2026-03-12")
		wantErr(t, err, oikos.ECONFLICT, "first_session")
	})
}

// Sweeps in two processes at once write each reminder once.
func TestReminderSweepsShareTheWork(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, _ := reminderWorld(t, d)
		if _, err := w.store.SetReminders(ctx, linkWorker, w.referralID, connection.ReminderInput{Channel: "email"}); err != nil {
			t.Fatal(err)
		}
		var stores []*connection.Store
		for range 4 {
			other, err := db.Open(ctx, d.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			stores = append(stores, connection.NewStore(other, "https://oikos.example"))
		}
		var wg sync.WaitGroup
		counts := make([]int, len(stores))
		for i, s := range stores {
			wg.Go(func() {
				n, err := s.SweepReminders(ctx, time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		total := 0
		for _, n := range counts {
			total += n
		}
		if got := len(mailOf(t, d, connection.KindSessionReminder)); total != 1 || got != 1 {
			t.Errorf("sweeps wrote %v; outbox holds %d reminders", counts, got)
		}
	})
}

// A provider without an account gives the first session with the answer
// from the email's link; a bad date leaves the link unused.
func TestAnswerByLinkWithFirstSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newConnWorld(t, d, true)
		w.accept(t)
		c, err := w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: w.walk, Kind: connection.Supported})
		if err != nil {
			t.Fatal(err)
		}
		token := answerToken(t, mailOf(t, d, connection.KindConnectionSent)[0].body)
		_, err = w.store.AnswerByLinkWithFirstSession(ctx, "test", token, "accept", "", "2026-02-01")
		wantErr(t, err, oikos.EINVALID, "first_session")
		_, err = w.store.AnswerByLinkWithFirstSession(ctx, "test", token, "waitlist", "", "2026-03-09")
		wantErr(t, err, oikos.EINVALID, "first_session")
		if c, err = w.store.AnswerByLinkWithFirstSession(ctx, "test", token, "accept", "", " 2026-03-09 "); err != nil ||
			c.Status != connection.Accepted || c.FirstSession != "2026-03-09" {
			t.Fatalf("%+v %v", c, err)
		}
		if _, err := w.store.AnswerByLinkWithFirstSession(ctx, "test", token, "accept", "", ""); err != connection.ErrLinkUsed {
			t.Errorf("used twice: %v", err)
		}
	})
}

// The whole way: the outbox worker's sweep finds the reminder due, and the
// worker sends it as a text through (a local) Notify.
func TestReminderReachesNotify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newConnWorld(t, d, true)
		w.clock = time.Now()
		w.accept(t)
		oikostest.Exec(t, d, "UPDATE people SET phone = '+44 7700 900123' WHERE id = (SELECT person_id FROM referrals WHERE id = $1)", w.referralID)
		if _, err := w.store.SetReminders(ctx, linkWorker, w.referralID, connection.ReminderInput{Channel: "sms"}); err != nil {
			t.Fatal(err)
		}
		c, err := w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: w.walk, Kind: connection.Signpost})
		if err != nil {
			t.Fatal(err)
		}
		london, _ := time.LoadLocation("Europe/London")
		first := time.Now().In(london).AddDate(0, 0, 5)
		if _, err := w.store.DecideWithFirstSession(ctx, providerUser, c.ID, connection.Accepted, "", first.Format(time.DateOnly)); err != nil {
			t.Fatal(err)
		}
		n := notifytest.StartNotify(t)
		sms, err := notify.NewSMSSender(n.URL, n.APIKey(), n.TemplateID)
		if err != nil {
			t.Fatal(err)
		}
		y, m, day := first.Date()
		dayBefore := time.Date(y, m, day-1, 10, 0, 0, 0, london)
		worker := &notify.Worker{DB: d, Sender: notify.ByChannel{Email: &notify.LogSender{Log: slog.New(slog.DiscardHandler)}, SMS: sms},
			Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return dayBefore }, Sweep: w.store.Sweep}
		if _, err := worker.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		got := n.Wait(t, 1, 10*time.Second)
		if got[0].PhoneNumber != "+447700900123" || !strings.HasPrefix(got[0].Personalisation["body"], "Reminder: your first session at Riverside walk is tomorrow") {
			t.Errorf("Notify got %+v", got[0])
		}
	})
}
