package portal_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/portal"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var worker = referral.Actor{UserID: "usr_worker", Client: "192.0.2.1"}

// clock is a settable time for the store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }
func isCode(err error, code string) bool { return oikos.ErrorCode(err) == code }
func unauthorised(err error) bool        { return isCode(err, oikos.EUNAUTHORIZED) }
func mustNot(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// person makes someone referred, with the given email (may be empty).
func person(t *testing.T, d *db.DB, email string) string {
	t.Helper()
	ref, err := referral.NewStore(d).Create(context.Background(), worker, referral.Input{
		Person:  referral.PersonInput{GivenName: "Margaret", FamilyName: "Hughes" + email, DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ", Email: email},
		Source:  referral.SourceInput{Type: "gp", ReferrerName: "Dr Okafor"},
		Reasons: []string{"loneliness"},
		Consent: referral.ConsentInput{Given: true},
	}, "", "api")
	if err != nil {
		t.Fatal(err)
	}
	return ref.PersonID
}

func newStore(d *db.DB) (*portal.Store, *clock) {
	c := newClock()
	s := portal.NewStore(d)
	s.Now = c.now
	return s, c
}

// actions counts the audit log's entries by action for a person.
func actions(t *testing.T, d *db.DB, personID string) map[string]int {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), "SELECT action FROM audit_log WHERE object_kind = 'person' AND object_id = $1", personID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var a string
		rows.Scan(&a)
		out[a]++
	}
	return out
}

func TestLinkIsSingleUseAndExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, c := newStore(d)
		pid := person(t, d, "margaret@example.org")
		link, err := s.IssueLink(ctx, worker, pid)
		mustNot(t, err, "issue")
		mustNot(t, s.CheckLink(ctx, link), "check before use")
		// Checking does not spend it: an email scanner may open the page.
		mustNot(t, s.CheckLink(ctx, link), "check twice")
		sess, err := s.RedeemLink(ctx, "198.51.100.7", link)
		mustNot(t, err, "redeem")
		if sess.PersonID != pid || sess.Token == "" || sess.Token == link {
			t.Fatalf("session %+v", sess)
		}
		if _, err := s.RedeemLink(ctx, "198.51.100.7", link); !unauthorised(err) {
			t.Fatalf("second use: %v", err)
		}
		if err := s.CheckLink(ctx, link); !unauthorised(err) {
			t.Fatalf("check after use: %v", err)
		}
		got, err := s.Session(ctx, sess.Token)
		if err != nil || got != pid {
			t.Fatalf("session lookup %q %v", got, err)
		}

		// A day later a new link has expired.
		late, err := s.IssueLink(ctx, worker, pid)
		mustNot(t, err, "issue again")
		c.advance(portal.LinkLifetime - time.Millisecond)
		mustNot(t, s.CheckLink(ctx, late), "just in time")
		c.advance(time.Millisecond)
		if _, err := s.RedeemLink(ctx, "198.51.100.7", late); !unauthorised(err) {
			t.Fatalf("expired link: %v", err)
		}
		for _, bad := range []string{"", "nonsense", "a\x00b", string(make([]byte, 500))} {
			if _, err := s.RedeemLink(ctx, "x", bad); !unauthorised(err) {
				t.Errorf("link %q: %v", bad, err)
			}
		}
		if _, err := s.IssueLink(ctx, worker, "per_nobody"); !isCode(err, oikos.ENOTFOUND) {
			t.Errorf("unknown person: %v", err)
		}
		a := actions(t, d, pid)
		if a[portal.ActionIssueLink] != 2 || a[audit.SignIn] != 1 {
			t.Errorf("audit %v", a)
		}
		if n, err := audit.Verify(ctx, d.R()); err != nil || n == 0 {
			t.Errorf("audit chain %d %v", n, err)
		}
	})
}

func TestReissueRevokesOlderOfTheSameKind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(d)
		pid := person(t, d, "m@example.org")
		other := person(t, d, "o@example.org")
		link1, _ := s.IssueLink(ctx, worker, pid)
		code1, _ := s.IssueCode(ctx, worker, pid)
		link2, _ := s.IssueLink(ctx, worker, pid)
		otherLink, _ := s.IssueLink(ctx, worker, other)
		if err := s.CheckLink(ctx, link1); !unauthorised(err) {
			t.Errorf("old link still works: %v", err)
		}
		mustNot(t, s.CheckLink(ctx, link2), "new link")
		mustNot(t, s.CheckLink(ctx, otherLink), "another person's link is untouched")
		// A new link leaves the paper code alone, and the reverse.
		code2, _ := s.IssueCode(ctx, worker, pid)
		if _, err := s.RedeemCode(ctx, "x", code1, "1948-05-02"); !unauthorised(err) {
			t.Errorf("old code still works: %v", err)
		}
		mustNot(t, s.CheckLink(ctx, link2), "link after a new code")
		if _, err := s.RedeemCode(ctx, "x", code2, "1948-05-02"); err != nil {
			t.Errorf("new code: %v", err)
		}
	})
}

func TestCodeNeedsTheDateOfBirth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, c := newStore(d)
		pid := person(t, d, "") // no email: the paper code is the way in
		code, err := s.IssueCode(ctx, worker, pid)
		mustNot(t, err, "issue code")
		for _, dob := range []string{"1948-02-05", "1947-05-02", "", "not a date"} {
			if _, err := s.RedeemCode(ctx, "x", code, dob); !unauthorised(err) {
				t.Errorf("date of birth %q: %v", dob, err)
			}
		}
		// A wrong date does not spend the code; typed loosely, it works.
		sess, err := s.RedeemCode(ctx, "x", " "+lower(code)+" ", "2/5/1948")
		if err != nil || sess.PersonID != pid {
			t.Fatalf("redeem: %+v %v", sess, err)
		}
		if _, err := s.RedeemCode(ctx, "x", code, "1948-05-02"); !unauthorised(err) {
			t.Errorf("second use: %v", err)
		}
		late, _ := s.IssueCode(ctx, worker, pid)
		c.advance(portal.CodeLifetime)
		if _, err := s.RedeemCode(ctx, "x", late, "1948-05-02"); !unauthorised(err) {
			t.Errorf("expired code: %v", err)
		}
		a := actions(t, d, pid)
		if a[portal.ActionIssueCode] != 2 || a[audit.SignIn] != 1 {
			t.Errorf("audit %v", a)
		}
	})
}

func TestCodeIsWithdrawnAfterTooManyWrongDates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(d)
		pid := person(t, d, "")
		code, err := s.IssueCode(ctx, worker, pid)
		mustNot(t, err, "issue code")
		for i := range portal.MaxDateFailures - 1 {
			if _, err := s.RedeemCode(ctx, "203.0.113.9", code, fmt.Sprintf("1950-01-%02d", i+1)); !unauthorised(err) {
				t.Fatalf("wrong date %d: %v", i+1, err)
			}
		}
		// One short of the limit, the right date still works...
		again, err := s.IssueCode(ctx, worker, pid)
		mustNot(t, err, "issue another")
		for i := range portal.MaxDateFailures - 1 {
			s.RedeemCode(ctx, "203.0.113.9", again, fmt.Sprintf("1950-02-%02d", i+1))
		}
		if _, err := s.RedeemCode(ctx, "x", again, "1948-05-02"); err != nil {
			t.Fatalf("right date after %d wrong: %v", portal.MaxDateFailures-1, err)
		}
		// ...and at the limit the code is gone.
		last, _ := s.IssueCode(ctx, worker, pid)
		for i := range portal.MaxDateFailures {
			s.RedeemCode(ctx, "203.0.113.9", last, fmt.Sprintf("1950-03-%02d", i+1))
		}
		if _, err := s.RedeemCode(ctx, "x", last, "1948-05-02"); !unauthorised(err) {
			t.Fatalf("right date after the code was withdrawn: %v", err)
		}
		a := actions(t, d, pid)
		if a[portal.ActionRefuseCode] != 3*(portal.MaxDateFailures-1) || a[portal.ActionWithdrawCode] != 1 {
			t.Errorf("audit %v", a)
		}
	})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestSessionTimeouts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, c := newStore(d)
		pid := person(t, d, "m@example.org")
		signIn := func() string {
			t.Helper()
			link, err := s.IssueLink(ctx, worker, pid)
			mustNot(t, err, "issue")
			sess, err := s.RedeemLink(ctx, "x", link)
			mustNot(t, err, "redeem")
			return sess.Token
		}
		lastSeen := func(token string) int64 {
			var v sql.NullInt64
			d.R().QueryRowContext(ctx, "SELECT MAX(last_seen_at) FROM person_access WHERE kind = 'session' AND person_id = $1", pid).Scan(&v)
			return v.Int64
		}

		// Idle: 29 minutes is fine and counts as activity; 30 idle is not.
		idle := signIn()
		c.advance(29 * time.Minute)
		if _, err := s.Session(ctx, idle); err != nil {
			t.Fatalf("after 29 idle minutes: %v", err)
		}
		c.advance(29 * time.Minute)
		if _, err := s.Session(ctx, idle); err != nil {
			t.Fatalf("active, 58 minutes in: %v", err)
		}
		// Activity is written at most once a minute.
		before := lastSeen(idle)
		c.advance(30 * time.Second)
		s.Session(ctx, idle)
		if lastSeen(idle) != before {
			t.Error("last seen written twice within a minute")
		}
		c.advance(30 * time.Minute)
		if _, err := s.Session(ctx, idle); !unauthorised(err) {
			t.Fatalf("after 30 idle minutes: %v", err)
		}

		// Absolute: busy all day, still ends after 12 hours.
		busy := signIn()
		for elapsed := time.Duration(0); elapsed < portal.MaxSessionAge-20*time.Minute; elapsed += 20 * time.Minute {
			c.advance(20 * time.Minute)
			if _, err := s.Session(ctx, busy); err != nil {
				t.Fatalf("busy session ended after %v: %v", elapsed+20*time.Minute, err)
			}
		}
		c.advance(20 * time.Minute)
		if _, err := s.Session(ctx, busy); !unauthorised(err) {
			t.Fatalf("session outlived 12 hours: %v", err)
		}

		// Signing out ends it at once; twice is harmless.
		out := signIn()
		mustNot(t, s.SignOut(ctx, "x", out), "sign out")
		mustNot(t, s.SignOut(ctx, "x", out), "sign out again")
		if _, err := s.Session(ctx, out); !unauthorised(err) {
			t.Fatalf("after sign-out: %v", err)
		}
		if a := actions(t, d, pid); a[portal.ActionSignOut] != 1 {
			t.Errorf("audit %v", a)
		}
		mustNot(t, s.DeleteExpired(ctx), "delete expired")
		var left int
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM person_access WHERE person_id = $1", pid).Scan(&left)
		if left != 0 {
			t.Errorf("%d rows left after housekeeping", left)
		}
	})
}

func TestEmailLinkQueuesWithTheLinkOrNotAtAll(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(d)
		withEmail, without := person(t, d, "margaret@example.org"), person(t, d, "")
		var sentTo, sentToken string
		send := func(ctx context.Context, tx *sql.Tx, email, token string) error {
			sentTo, sentToken = email, token
			return nil
		}
		mustNot(t, s.EmailLink(ctx, worker, withEmail, send), "email link")
		if sentTo != "margaret@example.org" {
			t.Errorf("sent to %q", sentTo)
		}
		mustNot(t, s.CheckLink(ctx, sentToken), "emailed link works")
		if err := s.EmailLink(ctx, worker, without, send); !isCode(err, oikos.ECONFLICT) {
			t.Errorf("no email address: %v", err)
		}
		// When queueing fails, no link is left behind.
		boom := errors.New("outbox unavailable")
		var lost string
		err := s.EmailLink(ctx, worker, withEmail, func(ctx context.Context, tx *sql.Tx, email, token string) error {
			lost = token
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("send failure: %v", err)
		}
		if err := s.CheckLink(ctx, lost); !unauthorised(err) {
			t.Errorf("link kept though its email failed: %v", err)
		}
		mustNot(t, s.CheckLink(ctx, sentToken), "the earlier link survives a failed re-issue")
	})
}
