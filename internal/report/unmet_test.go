package report

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func TestOrderGaps(t *testing.T) {
	gaps := []UnmetGap{
		{Area: "EX10", Need: "loneliness", Referrals: valueRef(7)},
		{Area: "EX2", Need: "debt", Referrals: nil},
		{Area: "EX2", Need: "loneliness", Referrals: valueRef(7)},
		{Area: "EX1", Need: "housing", Referrals: nil},
		{Area: "PL1", Need: "food", Referrals: valueRef(12)},
		{Area: "EX2", Need: "anxiety", Referrals: valueRef(0)},
	}
	OrderGaps(gaps)
	var got []string
	for _, g := range gaps {
		got = append(got, g.Area+"/"+g.Need)
	}
	// Largest first, ties by area as read (EX2 before EX10); hidden last,
	// by area and need only.
	want := []string{"PL1/food", "EX2/loneliness", "EX10/loneliness", "EX2/anxiety", "EX1/housing", "EX2/debt"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestUnmetReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		importCSV(t, d, "area,population\nEX4,50000\nEX2,30000\n")
		s := &seed{t: t, d: d, at: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
		n := 0
		unmet := func(count int, area, need, day string) {
			t.Helper()
			for _, ref := range s.refer(count, area+" 1AA", "", "", "") {
				n++
				if _, err := d.Exec(context.Background(), `INSERT INTO unmet_needs (id, referral_id, need, priority, area, on_date, within_km, found, recorded_at)
					VALUES ($1, $2, $3, 1, $4, $5, 5, 0, 0)`, fmt.Sprintf("unm_%d", n), ref, need, area, day); err != nil {
					t.Fatal(err)
				}
			}
		}
		unmet(12, "EX4", "loneliness", "2026-03-10")
		unmet(6, "EX2", "loneliness", "2026-03-11")
		unmet(2, "TQ1", "loneliness", "2026-03-12")
		unmet(9, "EX4", "money_worries", "2026-03-10")
		unmet(3, "EX2", "money_worries", "2026-03-10")
		unmet(3, "EX4", "housing", "2026-03-31")
		unmet(40, "EX4", "food", "2026-04-01") // after the window

		u, err := unmetNeeds(context.Background(), d, period(t, "2026-03-01", "2026-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		var needs []string
		for _, x := range u.Needs {
			needs = append(needs, x.Need+"="+intOf(x.Referrals))
		}
		if want := []string{"loneliness=20", "money_worries=12", "housing=null"}; !slices.Equal(needs, want) {
			t.Errorf("needs %v, want %v", needs, want)
		}
		var gaps []string
		for _, g := range u.Gaps {
			gaps = append(gaps, fmt.Sprintf("%s/%s=%s biggest=%v", g.Area, g.Need, intOf(g.Referrals), g.BiggestGap))
		}
		// TQ1's 2 lonely people are hidden, and so EX2's 6 (the smallest
		// shown) against differencing from the need's 20; EX2's 3 in debt
		// hides EX4's 9 with it; EX4's 3 in housing is small.
		want := []string{
			"EX4/loneliness=12 biggest=true",
			"EX2/loneliness=null biggest=false", "EX2/money_worries=null biggest=false",
			"EX4/housing=null biggest=false", "EX4/money_worries=null biggest=false", "TQ1/loneliness=null biggest=false",
		}
		if !slices.Equal(gaps, want) {
			t.Errorf("gaps:\n got %v\nwant %v", gaps, want)
		}
		if g := u.Gaps[0]; g.Label != "Loneliness" || g.Population == nil || *g.Population != 50000 || g.PerTenThousand == nil || *g.PerTenThousand != 2.4 {
			t.Errorf("EX4 loneliness: %+v", g)
		}
		wantSuppressed := []string{"gaps.EX2.loneliness.referrals", "gaps.EX2.money_worries.referrals", "gaps.EX4.housing.referrals",
			"gaps.EX4.money_worries.referrals", "gaps.TQ1.loneliness.referrals", "needs.housing.referrals"}
		if !slices.Equal(u.Suppressed, wantSuppressed) {
			t.Errorf("suppressed:\n got %v\nwant %v", u.Suppressed, wantSuppressed)
		}

		// The attacker: each need's areas add up to its total.
		known := map[string]int{}
		var sums [][]string
		for _, x := range u.Needs {
			var row []string
			for _, g := range u.Gaps {
				if g.Need == x.Need {
					if g.Referrals != nil {
						known[g.path()] = *g.Referrals
					}
					row = append(row, g.path())
				}
			}
			if x.Referrals != nil {
				known["needs."+x.Need] = *x.Referrals
			}
			sums = append(sums, append(row, "needs."+x.Need))
		}
		for cell, n := range solveSums(known, sums) {
			if n > 0 {
				t.Errorf("%s recovered by differencing: %d", cell, n)
			}
		}
	})
}
