package community_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/report"
)

// TestVolunteeringKeptMonthsMatchCounting: the report read from kept
// closed months (volunteering_months) gives exactly the figures counted
// from the matches, month by month, over random matches of two schemes,
// and stays so through every kind of change to what a kept month counts:
// matches made back in a closed month, ended, their end moved or taken
// back, moved to another scheme, removed; a referral moved to another
// person's record; contacts logged late for a closed month.
func TestVolunteeringKeptMonthsMatchCounting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.clock = time.Date(2026, 9, 14, 10, 0, 0, 0, time.UTC)
		today := "2026-09-14"
		r := rand.New(rand.NewPCG(16, 42))
		schemes := []string{"org_s1", "org_s2"}
		var vols [2][]string
		var refs [2][]string
		for s, scheme := range schemes {
			for i := range 6 {
				id := fmt.Sprintf("usr_rv%d_%d", s, i)
				execSQL(t, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES ($1, $2, $3, 'volunteer', $4, 1, 1)`,
					id, id+"@example.org", "Volunteer "+id, scheme)
				vols[s] = append(vols[s], id)
			}
			worker := w.worker
			if s == 1 {
				worker = w.farWorker
			}
			for i := range 8 {
				refs[s] = append(refs[s], newReferral(t, d, worker, scheme, fmt.Sprintf("Person%d%c", s, 'A'+i), "EX4 4QJ"))
			}
		}
		day := func(lo, hi time.Time) string {
			n := int(hi.Sub(lo).Hours() / 24)
			return lo.AddDate(0, 0, r.IntN(n+1)).Format(time.DateOnly)
		}
		start, end := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC)
		matchN := 0
		addMatch := func(s int, from time.Time) string {
			matchN++
			id := fmt.Sprintf("vmt_r%03d", matchN)
			started := day(from, end)
			// All 'ended' as far as the one active match of a volunteer
			// with a referral is concerned: the report goes by the dates.
			var endedOn any
			status := "ended"
			if r.IntN(3) > 0 {
				st, _ := time.Parse(time.DateOnly, started)
				endedOn = day(st, end)
			}
			execSQL(t, d, `INSERT INTO volunteer_matches (id, referral_id, person_id, scheme_id, volunteer_id, status, share_contact, share_what_matters,
				share_plan, created_by, created_at, started_on, ended_on, updated_at)
				VALUES ($1, $2, (SELECT person_id FROM referrals WHERE id = $2), $3, $4, $5, false, false, false, 'usr_lw', 1, $6, $7, 1)`,
				id, refs[s][r.IntN(len(refs[s]))], schemes[s], vols[s][r.IntN(len(vols[s]))], status, started, endedOn)
			return id
		}
		var matches []string
		for range 60 {
			matches = append(matches, addMatch(r.IntN(2), start))
		}
		logDay := func(scheme, on string, minutes int) {
			execSQL(t, d, `INSERT INTO volunteer_days (scheme_id, on_date, minutes, contacts) VALUES ($1, $2, $3, 1)
				ON CONFLICT (scheme_id, on_date) DO UPDATE SET minutes = volunteer_days.minutes + $3, contacts = volunteer_days.contacts + 1`, scheme, on, minutes)
		}
		for range 40 {
			logDay(schemes[r.IntN(2)], day(start, end), 15*(1+r.IntN(8)))
		}

		periods := []report.Period{
			{From: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)},
			{From: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)},
			{From: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
		}
		compare := func(when string) {
			t.Helper()
			for _, scheme := range schemes {
				for _, p := range periods {
					live, liveMentors, err := w.vol.CountVolunteeringMonths(ctx, scheme, p, today, false)
					if err != nil {
						t.Fatal(err)
					}
					// Each match's person is its referral's, whatever has
					// moved since it was made.
					for i, m := range p.Months() {
						var people int
						if err := d.R().QueryRowContext(ctx, `SELECT COUNT(DISTINCT r.person_id) FROM volunteer_matches m JOIN referrals r ON r.id = m.referral_id
							WHERE m.scheme_id = $1 AND m.started_on <= $3 AND (m.ended_on IS NULL OR m.ended_on >= $2) `,
							scheme, m.From.Format(time.DateOnly), m.To.Format(time.DateOnly)).Scan(&people); err != nil {
							t.Fatal(err)
						}
						if m.From.Format(time.DateOnly) > today {
							people = 0 // no day of it has come
						}
						if people != live[i].PeopleSupported {
							t.Fatalf("%s, %s %s: %d people by their referrals, %d by the matches", when, scheme, m.From.Format("2006-01"), people, live[i].PeopleSupported)
						}
					}
					// Twice: the first keeps what is not kept yet, the
					// second reads it all from what was kept.
					for range 2 {
						got, mentors, err := w.vol.CountVolunteeringMonths(ctx, scheme, p, today, true)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got, live) || mentors != liveMentors {
							t.Fatalf("%s, %s %s..%s: kept months give\n%+v\ncounted give\n%+v", when, scheme, p.From.Format("2006-01"), p.To.Format("2006-01"), got, live)
						}
					}
				}
			}
		}
		keptRows := func() int {
			var n int
			if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteering_months").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		compare("at first")
		// Closed months only: October 2025 to August 2026, both schemes.
		if n := keptRows(); n != 2*11 {
			t.Fatalf("%d months kept, want 22 (the closed ones of both schemes)", n)
		}
		var active int
		for _, scheme := range schemes {
			got, _, _ := w.vol.CountVolunteeringMonths(ctx, scheme, periods[0], today, false)
			for _, c := range got {
				active += c.VolunteersActive
			}
		}
		if active == 0 {
			t.Fatal("the random matches count nothing")
		}

		changes := []struct {
			name string
			do   func()
		}{
			{"a match made back in a closed month", func() { matches = append(matches, addMatch(r.IntN(2), start)) }},
			{"a match ended in a closed month", func() {
				execSQL(t, d, "UPDATE volunteer_matches SET ended_on = $1 WHERE id = (SELECT MIN(id) FROM volunteer_matches WHERE ended_on IS NULL AND started_on <= $1)", "2026-03-15")
			}},
			{"a match's end moved earlier", func() {
				execSQL(t, d, "UPDATE volunteer_matches SET ended_on = started_on WHERE id = (SELECT MIN(id) FROM volunteer_matches WHERE ended_on > started_on)")
			}},
			{"a match's end taken back", func() {
				execSQL(t, d, "UPDATE volunteer_matches SET ended_on = NULL WHERE id = (SELECT MAX(id) FROM volunteer_matches WHERE ended_on IS NOT NULL)")
			}},
			{"a match started earlier", func() {
				execSQL(t, d, "UPDATE volunteer_matches SET started_on = '2025-10-20' WHERE id = $1", matches[r.IntN(len(matches))])
			}},
			{"a match with another volunteer", func() {
				execSQL(t, d, "UPDATE volunteer_matches SET volunteer_id = $1 WHERE id = (SELECT MIN(id) FROM volunteer_matches WHERE scheme_id = 'org_s1')", vols[0][5])
			}},
			{"a match moved to the other scheme", func() {
				execSQL(t, d, "UPDATE volunteer_matches SET scheme_id = 'org_s2' WHERE id = (SELECT MAX(id) FROM volunteer_matches WHERE scheme_id = 'org_s1')")
			}},
			{"a referral moved to another person's record", func() {
				execSQL(t, d, "UPDATE referrals SET person_id = (SELECT person_id FROM referrals WHERE id = $1) WHERE id = $2", refs[0][0], refs[0][1])
			}},
			{"a match removed", func() {
				execSQL(t, d, "DELETE FROM volunteer_matches WHERE id = (SELECT MIN(id) FROM volunteer_matches WHERE started_on < '2026-06-01')")
			}},
			{"contacts logged late in a closed month", func() { logDay("org_s1", "2026-01-31", 600) }},
		}
		for _, c := range changes {
			before := keptRows()
			c.do()
			if c.name != "contacts logged late in a closed month" && keptRows() >= before {
				t.Errorf("%s: no kept month forgotten (%d kept before, %d after)", c.name, before, keptRows())
			}
			compare(c.name)
		}
		for range 20 {
			changes[r.IntN(len(changes)-1)].do()
			compare("random changes")
		}

		// A month counted before a change that commits before it is kept
		// is not kept: it would be out of date for good.
		var gen int64
		if err := d.R().QueryRowContext(ctx, "SELECT gen FROM volunteering_changes WHERE scheme_id = 'org_s1'").Scan(&gen); err != nil {
			t.Fatal(err)
		}
		addMatch(0, start)
		execSQL(t, d, "DELETE FROM volunteering_months WHERE scheme_id = 'org_s1' AND month = '2025-11'")
		if err := w.vol.KeepMonth(ctx, "org_s1", gen, "2025-11", community.VolunteeringCounts{VolunteersActive: 99}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteering_months WHERE scheme_id = 'org_s1' AND month = '2025-11'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("a month counted before a change was kept (%d, %v)", n, err)
		}
		compare("after a change while counting")
	})
}
