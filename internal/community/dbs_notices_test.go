package community_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// A DBS check running out within 30 days is emailed once per volunteer
// and date: to their health champion, or the scheme's managers when they
// have none; a renewed check is told about again when it too runs out.
func TestDBSExpiryEmails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d) // today is 2 March 2026
		w.keep(t, w.manager, w.champion.UserID, profile(community.KindHealthChampion, "EX2 4AB"))
		dated := func(kind, expires string) community.VolunteerInput {
			in := profile(kind, "EX4 4QJ")
			in.Phone, in.Email = ptr("07700 900123"), ptr("val.private@example.org")
			in.DBSCheckedOn, in.DBSExpiresOn = ptr("2023-03-20"), ptr(expires)
			return in
		}
		coordinated := dated(community.KindBefriender, "2026-03-20")
		coordinated.CoordinatorID = w.champion.UserID
		w.keep(t, w.manager, w.volunteer.UserID, coordinated)
		w.keep(t, w.manager, w.volunteer2.UserID, dated(community.KindVolunteer, "2026-04-01")) // the 30th day: within
		w.keep(t, w.farManager, w.farVolunteer.UserID, dated(community.KindVolunteer, "2026-04-02"))

		sweep := func(want int) {
			t.Helper()
			n, err := w.vol.SweepDBSExpiry(ctx, w.clock)
			if err != nil || n != want {
				t.Fatalf("sweep told of %d volunteers (%v), want %d", n, err, want)
			}
		}
		sweep(2)
		if to := outbox(t, d, community.KindDBSExpiring); !slices.Equal(to, []string{"usr_hc@example.org", "usr_mgr@example.org"}) {
			t.Fatalf("emailed %v, want the champion and the first scheme's manager", to)
		}
		bodies, _ := db.Strings(ctx, d.R(), "SELECT recipient || ' ' || subject || ' ' || body FROM outbox WHERE kind = $1 ORDER BY recipient",
			community.KindDBSExpiring)
		for i, want := range []string{"Val Volunteer runs out on 20 March 2026", "Vic Volunteer runs out on 1 April 2026"} {
			if !strings.Contains(bodies[i], want) {
				t.Errorf("email %d does not say %q:\n%s", i, want, bodies[i])
			}
		}
		if !strings.Contains(bodies[0], "https://oikos.example/volunteering/coordinated") ||
			!strings.Contains(bodies[1], "https://oikos.example/volunteers/usr_vol2") {
			t.Errorf("links:\n%s", strings.Join(bodies, "\n---\n"))
		}
		for _, b := range bodies {
			for _, secret := range []string{"07700", "val.private", "EX4", "Gardening", "Polish", "Safeguarding adults"} {
				if strings.Contains(b, secret) {
					t.Errorf("the email gives away %q:\n%s", secret, b)
				}
			}
		}

		// Once: a second sweep, and two at the same moment, write nothing.
		sweep(0)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.vol.SweepDBSExpiry(ctx, w.clock); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if to := outbox(t, d, community.KindDBSExpiring); len(to) != 2 {
			t.Fatalf("after sweeping again: %v", to)
		}

		// A renewed check with a new date, when it runs out: told again.
		// The champion has left meanwhile, so the managers are told.
		coordinated.DBSExpiresOn = ptr("2026-03-28")
		w.keep(t, w.manager, w.volunteer.UserID, coordinated)
		execSQL(t, d, "UPDATE users SET active = false WHERE id = 'usr_hc'")
		sweep(1)
		if to := outbox(t, d, community.KindDBSExpiring); !slices.Equal(to, []string{"usr_hc@example.org", "usr_mgr@example.org", "usr_mgr@example.org"}) {
			t.Errorf("after renewal: %v", to)
		}
		// A month on, the far scheme's volunteer's falls within 30 days
		// (its manager told, nobody of the first scheme); checks already
		// run out are not emailed.
		w.clock = w.clock.AddDate(0, 0, 5)
		sweep(1)
		if to := outbox(t, d, community.KindDBSExpiring); len(to) != 4 || to[0] != "usr_hc@example.org" || !slices.Contains(to, "usr_mgr2@example.org") {
			t.Errorf("the far scheme: %v", to)
		}
		w.clock = w.clock.AddDate(0, 2, 0)
		sweep(0)
	})
}
