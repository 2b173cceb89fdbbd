package referral_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

// The triage queue lists urgent referrals first, then the oldest, as the
// referral form promises; other lists stay oldest first.
func TestTriageOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sc := newSchemes(t, d)
		s := referral.NewStore(d)
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return clock }
		var made []string
		for i, urgency := range []string{"routine", "urgent", "routine", "urgent", "routine"} {
			clock = clock.Add(time.Hour)
			in := margaret()
			in.Person.NHSNumber, in.Person.FamilyName, in.Urgency, in.SchemeID = "", "Hughes"+string(rune('A'+i)), urgency, sc.north
			r, err := s.Create(ctx, gp, in, "", "api")
			if err != nil {
				t.Fatal(err)
			}
			made = append(made, r.ID)
		}
		// The oldest routine and the newest urgent are taken on.
		for _, id := range []string{made[0], made[3]} {
			if _, err := s.Transition(ctx, gp, id, referral.Accepted, ""); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(f referral.Filter) []string {
			t.Helper()
			f.InScheme, f.SchemeID = true, sc.north
			list, _, err := s.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range list {
				out = append(out, r.ID)
			}
			return out
		}
		if got, want := ids(referral.Filter{Status: referral.Received}), []string{made[1], made[2], made[4]}; !slices.Equal(got, want) {
			t.Errorf("queue %v, want %v", got, want)
		}
		if got, want := ids(referral.Filter{Status: referral.Received, VisibleTo: sc.lw.UserID, Limit: 1, Offset: 1}), []string{made[2]}; !slices.Equal(got, want) {
			t.Errorf("second page %v, want %v", got, want)
		}
		if got, want := ids(referral.Filter{Status: referral.Accepted}), []string{made[0], made[3]}; !slices.Equal(got, want) {
			t.Errorf("accepted %v, want %v", got, want)
		}
		if got, want := ids(referral.Filter{}), made; !slices.Equal(got, want) {
			t.Errorf("all %v, want %v", got, want)
		}
	})
}
