package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestParallelGuessesAreRationed sends 60 wrong passwords for one account
// at once, from 60 addresses: five are checked, the rest refused unchecked,
// and nothing waits on anything else (on PostgreSQL, a transaction that read
// through the pool used to freeze the server at 20).
func TestParallelGuessesAreRationed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s, _, orgID := newStore(t, d)
		s.Now = time.Now
		if _, err := s.CreateUser(ctx, system, auth.UserInput{Email: "lee@example.org", Name: "Lee", Role: auth.Referrer, OrganisationID: orgID}, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		// Hashers enough for all: the database alone must hold the line.
		s.Hashers = auth.NewHashers(60, 0, time.Minute)
		var mu sync.Mutex
		codes := map[string]int{}
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.CheckPassword(ctx, "lee@example.org", fmt.Sprintf("guess %d", i), fmt.Sprintf("198.51.100.%d", i))
				mu.Lock()
				codes[oikos.ErrorCode(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if ctx.Err() != nil {
			t.Fatal("the guesses did not finish in 30 seconds")
		}
		if codes[oikos.EUNAUTHORIZED] != 5 || codes[oikos.ELOCKED] != 55 {
			t.Fatalf("answers %v, want 5 checked and 55 locked", codes)
		}
		if n := s.Hashers.Stats().Runs; n != 5 {
			t.Fatalf("%d passwords checked, want 5", n)
		}
		if _, err := s.CheckPassword(ctx, "lee@example.org", "a long enough password", "203.0.113.1"); oikos.ErrorCode(err) != oikos.ELOCKED {
			t.Fatalf("right password while locked: %v", err)
		}
	})
}

// TestSuccessGivesBackOnlyItsOwnAttempt: a right password does not count,
// and does not wipe the wrong ones before it.
func TestSuccessGivesBackOnlyItsOwnAttempt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk, orgID := newStore(t, d)
		if _, err := s.CreateUser(ctx, system, auth.UserInput{Email: "lee@example.org", Name: "Lee", Role: auth.Referrer, OrganisationID: orgID}, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		try := func(pw string) string {
			clk.advance(time.Second)
			_, err := s.CheckPassword(ctx, "lee@example.org", pw, "192.0.2.1")
			return oikos.ErrorCode(err)
		}
		for i := range 4 {
			if c := try("guess"); c != oikos.EUNAUTHORIZED {
				t.Fatalf("wrong password %d: %s", i, c)
			}
		}
		for range 3 {
			if c := try("a long enough password"); c != oikos.EINTERNAL { // EINTERNAL: no error
				t.Fatalf("right password: %s", c)
			}
		}
		if c := try("guess"); c != oikos.EUNAUTHORIZED {
			t.Fatalf("fifth wrong password: %s", c)
		}
		if c := try("a long enough password"); c != oikos.ELOCKED {
			t.Fatalf("after five wrong: %s", c)
		}
		clk.advance(15 * time.Minute)
		if c := try("a long enough password"); c != oikos.EINTERNAL {
			t.Fatalf("a window later: %s", c)
		}
	})
}

// TestBusyHashersRefuseWithoutCounting: when every hasher is busy the
// sign-in is refused with 429 and the attempt is not counted.
func TestBusyHashersRefuseWithoutCounting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _, orgID := newStore(t, d)
		if _, err := s.CreateUser(ctx, system, auth.UserInput{Email: "lee@example.org", Name: "Lee", Role: auth.Referrer, OrganisationID: orgID}, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		s.Hashers = auth.NewHashers(1, 0, time.Millisecond)
		release := auth.HoldHashers(s.Hashers)
		for range 10 {
			_, err := s.CheckPassword(ctx, "lee@example.org", "guess", "192.0.2.1")
			if oikos.ErrorCode(err) != oikos.ERATELIMITED || !strings.Contains(oikos.ErrorMessage(err), "busy") {
				t.Fatalf("all hashers busy: %v", err)
			}
		}
		if _, err := s.CreateUser(ctx, system, auth.UserInput{Email: "kim@example.org", Name: "Kim", Role: auth.Referrer, OrganisationID: orgID}, "another long password"); oikos.ErrorCode(err) != oikos.ERATELIMITED {
			t.Fatalf("setting a password while busy: %v", err)
		}
		release()
		for i := range 5 {
			if _, err := s.CheckPassword(ctx, "lee@example.org", "guess", "192.0.2.1"); oikos.ErrorCode(err) != oikos.EUNAUTHORIZED {
				t.Fatalf("wrong password %d after the hashers were free: %v", i, err)
			}
		}
	})
}
