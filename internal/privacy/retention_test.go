package privacy_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/privacy"
	"oikos/internal/referral"
)

func TestRetentionErasesOnlyThosePastTheirTime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		refs := referral.NewStore(d)
		// refer makes a referral for the named person received at from,
		// closed at closed (never, when zero).
		refer := func(family string, from, closed time.Time) string {
			t.Helper()
			refs.Now = func() time.Time { return from }
			r := must(refs.Create(ctx, worker, referral.Input{Person: referral.PersonInput{GivenName: "Ada", FamilyName: family,
				DateOfBirth: "1950-01-01", Postcode: "EX4 6PX", Phone: "07700 900" + fmt.Sprint(100+len(family))},
				Source: referral.SourceInput{Type: "gp"}, Reasons: []string{"loneliness"}, Consent: referral.ConsentInput{Given: true}}, "", "api"))(t)
			if !closed.IsZero() {
				refs.Now = func() time.Time { return closed }
				must(refs.Transition(ctx, worker, r.ID, referral.Closed, "not_appropriate"))(t)
			}
			return r.PersonID
		}
		years := func(n float64) time.Time { return now.Add(-time.Duration(n * 365.25 * 24 * float64(time.Hour))) }
		long := refer("Longago", years(10), years(9))
		recent := refer("Recent", years(7.5), years(7.2))
		mixed := refer("Mixed", years(10), years(9))
		refer("Mixed", years(1), time.Time{}) // the same person, referred again and still open
		justIn := refer("Edge", years(9), years(7.99))

		store := privacy.NewStore(d)
		due := must(store.RetentionDue(ctx, privacy.RetentionCutoff(now, 8)))(t)
		if len(due) != 1 || due[0] != long {
			t.Fatalf("due %v, want only %s", due, long)
		}
		n := must(store.RunRetention(ctx, 8))(t)
		if n != 1 {
			t.Fatalf("erased %d", n)
		}
		for id, erased := range map[string]bool{long: true, recent: false, mixed: false, justIn: false} {
			if st := must(store.State(ctx, id))(t); st.Erased() != erased {
				t.Errorf("%s erased %v, want %v", id, st.Erased(), erased)
			}
		}
		x := must(store.Export(ctx, manager, long))(t)
		if x.Person.FamilyName != "" || x.Person.Phone != "" || len(x.Requests) != 1 || x.Requests[0].By != "Oikos" ||
			x.Requests[0].Reason != privacy.RetentionReason(8) {
			t.Errorf("after retention: %+v %+v", x.Person, x.Requests)
		}
		// Run again: nobody more.
		if n := must(store.RunRetention(ctx, 8))(t); n != 0 {
			t.Errorf("a second run erased %d", n)
		}
		// A shorter period takes the other two closed ones too.
		if n := must(store.RunRetention(ctx, 7))(t); n != 2 {
			t.Errorf("seven years erased %d", n)
		}
		if _, err := audit.Verify(ctx, d.R()); err != nil {
			t.Error(err)
		}
	})
}

// TestRetentionRunsOnceADay: servers sharing a database each try the
// day's run; one runs it.
func TestRetentionRunsOnceADay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const servers = 4
		var wg sync.WaitGroup
		ran := make([]bool, servers)
		errs := make([]error, servers)
		for i := range servers {
			wg.Add(1)
			// Each server has its own connections to the database.
			own, err := db.Open(ctx, d.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer own.Close()
			go func() {
				defer wg.Done()
				ran[i], _, errs[i] = privacy.NewStore(own).RunToday(ctx, 8)
			}()
		}
		wg.Wait()
		runs := 0
		for i := range servers {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if ran[i] {
				runs++
			}
		}
		if runs != 1 {
			t.Fatalf("%d servers ran today's retention", runs)
		}
		var finished int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM retention_runs WHERE finished_at IS NOT NULL").Scan(&finished); err != nil || finished != 1 {
			t.Errorf("%d runs recorded as finished: %v", finished, err)
		}
		if again, _, err := privacy.NewStore(d).RunToday(ctx, 8); again || err != nil {
			t.Errorf("ran twice in a day: %v %v", again, err)
		}
	})
}
