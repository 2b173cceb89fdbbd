package auth_test

import (
	"context"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = auth.Actor{UserID: "system", Client: "test"}

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newStore(t *testing.T, d *db.DB) (*auth.Store, *clock, string) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	s := auth.NewStore(d)
	s.PasswordParams = auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}
	s.Now = c.now
	s.Sleep = nil
	o, err := (&org.Store{DB: d}).Create(context.Background(), org.Actor{UserID: "system"}, org.Input{Name: "Riverside Surgery", Kind: "gp_practice"})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, o.ID
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := auth.TOTPCode(secret, auth.TOTPStep(at))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _, orgID := newStore(t, d)
		u, err := s.CreateUser(ctx, system, auth.UserInput{Email: " Asha@Example.org ", Name: "Asha  Patel", Role: auth.LinkWorker, OrganisationID: orgID}, "")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "asha@example.org" || u.Name != "Asha Patel" || u.HasPassword {
			t.Fatalf("created %+v", u)
		}
		_, err = s.CreateUser(ctx, system, auth.UserInput{Email: "ASHA@example.org", Name: "Other", Role: auth.Manager, OrganisationID: orgID}, "")
		if oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("duplicate email: %v", err)
		}
		_, err = s.CreateUser(ctx, system, auth.UserInput{Email: "x@example.org", Name: "X", Role: auth.Manager, OrganisationID: "org_missing"}, "")
		if oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("missing organisation: %v", err)
		}
		_, err = s.CreateUser(ctx, system, auth.UserInput{Email: "not-an-email", Name: "", Role: "boss"}, "")
		e, ok := err.(*oikos.Error)
		if !ok || e.Fields["email"] == "" || e.Fields["name"] == "" || e.Fields["role"] == "" {
			t.Fatalf("bad input: %v", err)
		}
		list, total, err := s.ListUsers(ctx, auth.UserFilter{})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("list: %d %d %v", total, len(list), err)
		}
		// Every change is in the audit log, and the chain holds.
		if n, err := audit.Verify(ctx, d.R()); err != nil || n < 2 {
			t.Fatalf("audit: %d entries, %v", n, err)
		}
	})
}

func TestSignInWithPasswordAndTOTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk, orgID := newStore(t, d)
		u, err := s.CreateUser(ctx, system, auth.UserInput{Email: "sam@example.org", Name: "Sam", Role: auth.Manager, OrganisationID: orgID}, "a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckPassword(ctx, "SAM@example.org", "a long enough password", "10.0.0.1"); err != nil {
			t.Fatalf("right password: %v", err)
		}
		if _, err := s.CheckPassword(ctx, "sam@example.org", "wrong", "10.0.0.1"); oikos.ErrorCode(err) != oikos.EUNAUTHORIZED {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := s.CheckPassword(ctx, "nobody@example.org", "whatever", "10.0.0.1"); oikos.ErrorCode(err) != oikos.EUNAUTHORIZED {
			t.Fatalf("unknown email: %v", err)
		}

		secret, err := s.BeginTOTP(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := s.BeginTOTP(ctx, u.ID)
		if again != secret {
			t.Fatal("reloading the enrolment page changed the secret")
		}
		if _, err := s.ConfirmTOTP(ctx, system, u.ID, "000000"); oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("wrong enrolment code: %v", err)
		}
		codes, err := s.ConfirmTOTP(ctx, system, u.ID, code(t, secret, clk.t))
		if err != nil || len(codes) != 10 {
			t.Fatalf("confirm: %v", err)
		}
		// The enrolment code may not be replayed for sign-in.
		if err := s.CheckSecondFactor(ctx, u.ID, code(t, secret, clk.t), "10.0.0.1"); err == nil {
			t.Fatal("replayed code accepted")
		}
		clk.advance(30 * time.Second)
		if err := s.CheckSecondFactor(ctx, u.ID, code(t, secret, clk.t), "10.0.0.1"); err != nil {
			t.Fatalf("fresh code: %v", err)
		}
		if err := s.CheckSecondFactor(ctx, u.ID, codes[0], "10.0.0.1"); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if err := s.CheckSecondFactor(ctx, u.ID, codes[0], "10.0.0.1"); err == nil {
			t.Fatal("recovery code used twice")
		}
		if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != 9 {
			t.Fatalf("%d recovery codes left", n)
		}
	})
}

func TestSignInLocksAfterRepeatedFailures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk, orgID := newStore(t, d)
		if _, err := s.CreateUser(ctx, system, auth.UserInput{Email: "lee@example.org", Name: "Lee", Role: auth.Referrer, OrganisationID: orgID}, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := s.CheckPassword(ctx, "lee@example.org", "guess", "10.0.0.2"); oikos.ErrorCode(err) != oikos.EUNAUTHORIZED {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// Locked now, even with the right password.
		if _, err := s.CheckPassword(ctx, "lee@example.org", "a long enough password", "10.0.0.3"); oikos.ErrorCode(err) != oikos.ELOCKED {
			t.Fatalf("after 5 failures: %v", err)
		}
		clk.advance(16 * time.Minute)
		if _, err := s.CheckPassword(ctx, "lee@example.org", "a long enough password", "10.0.0.3"); err != nil {
			t.Fatalf("after the lock ends: %v", err)
		}
		// A client trying many accounts is locked too.
		for i := range 20 {
			s.CheckPassword(ctx, "someone"+string(rune('a'+i))+"@example.org", "guess", "10.9.9.9")
		}
		if _, err := s.CheckPassword(ctx, "lee@example.org", "a long enough password", "10.9.9.9"); oikos.ErrorCode(err) != oikos.ELOCKED {
			t.Fatalf("client after 20 failures: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk, orgID := newStore(t, d)
		u, _ := s.CreateUser(ctx, system, auth.UserInput{Email: "kim@example.org", Name: "Kim", Role: auth.Provider, OrganisationID: orgID}, "a long enough password")
		partial, err := s.StartSession(ctx, u.ID, auth.StageSecondFactor, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		ss, _, err := s.LookupSession(ctx, partial)
		if err != nil || ss.Stage != auth.StageSecondFactor {
			t.Fatalf("partial session: %v", err)
		}
		full, err := s.RotateSession(ctx, ss, auth.StageFull, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.LookupSession(ctx, partial); err == nil {
			t.Fatal("old session secret still works after rotation")
		}
		clk.advance(20 * time.Minute)
		if _, _, err := s.LookupSession(ctx, full); err != nil {
			t.Fatalf("active session: %v", err)
		}
		clk.advance(20 * time.Minute) // 20 minutes idle since last use: still alive
		if _, _, err := s.LookupSession(ctx, full); err != nil {
			t.Fatalf("session idle 20 minutes: %v", err)
		}
		clk.advance(31 * time.Minute)
		if _, _, err := s.LookupSession(ctx, full); err == nil {
			t.Fatal("session idle 31 minutes still works")
		}
		// Revocation ends every session at once.
		a, _ := s.StartSession(ctx, u.ID, auth.StageFull, "x")
		b, _ := s.StartSession(ctx, u.ID, auth.StageFull, "y")
		if n, err := s.RevokeSessions(ctx, system, u.ID); err != nil || n != 2 {
			t.Fatalf("revoked %d, %v", n, err)
		}
		for _, tok := range []string{a, b} {
			if _, _, err := s.LookupSession(ctx, tok); err == nil {
				t.Fatal("revoked session works")
			}
		}
		// Deactivated users' sessions stop working.
		c, _ := s.StartSession(ctx, u.ID, auth.StageFull, "z")
		if err := s.SetActive(ctx, system, u.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.LookupSession(ctx, c); err == nil {
			t.Fatal("deactivated user's session works")
		}
	})
}

func TestTokensAndSetupLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk, orgID := newStore(t, d)
		u, _ := s.CreateUser(ctx, system, auth.UserInput{Email: "ana@example.org", Name: "Ana", Role: auth.LinkWorker, OrganisationID: orgID}, "")
		secret, tok, err := s.CreateToken(ctx, system, u.ID, "GP system")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.TokenUser(ctx, secret)
		if err != nil || got.ID != u.ID || got.Role != auth.LinkWorker {
			t.Fatalf("token user %+v, %v", got, err)
		}
		var stored int
		d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1", secret).Scan(&stored)
		if stored != 0 {
			t.Fatal("token stored in the clear")
		}
		if err := s.RevokeToken(ctx, system, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, secret); err == nil {
			t.Fatal("revoked token works")
		}
		if _, err := s.TokenUser(ctx, "oikos_made-up"); err == nil {
			t.Fatal("made-up token works")
		}

		link, err := s.CreateSetupLink(ctx, system, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UseSetupLink(ctx, link, "short", "x"); oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("short password: %v", err)
		}
		if _, err := s.UseSetupLink(ctx, link, "a long enough password", "x"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UseSetupLink(ctx, link, "another long password", "x"); err == nil {
			t.Fatal("set-up link used twice")
		}
		if _, err := s.CheckPassword(ctx, u.Email, "a long enough password", "x"); err != nil {
			t.Fatal(err)
		}
		old, _ := s.CreateSetupLink(ctx, system, u.ID)
		clk.advance(auth.SetupLinkLifetime + time.Minute)
		if _, err := s.SetupLinkUser(ctx, old); err == nil {
			t.Fatal("expired set-up link works")
		}
	})
}
