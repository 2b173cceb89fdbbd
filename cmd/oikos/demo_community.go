package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"oikos"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
)

// demoChampionEmail is the demo's health champion (community.DemoSeed
// makes the account), who signs in with the demo password to see the
// volunteers she coordinates.
const demoChampionEmail = "champion.volunteer@oikos.example"

// loadDemoCommunity gives the demo scheme its volunteers, a health
// champion, matches with logged hours, a graduate peer mentor and a closed
// safeguarding concern (community.DemoSeed), after the caseload they work
// with; then matches enough of the past year's people with volunteers for
// the volunteering report to show its figures rather than "hidden". The
// health champion signs in with password, as the other demo accounts do.
// Run again, it leaves what is there.
func loadDemoCommunity(ctx context.Context, a *app.App, password string, out io.Writer) error {
	ids := map[string]string{}
	var scheme string
	for _, email := range []string{"manager@oikos.example", "linkworker@oikos.example", "volunteer@oikos.example"} {
		u, err := a.Auth.GetUserByEmail(ctx, email)
		if err != nil {
			return err
		}
		ids[email], scheme = u.ID, u.SchemeID
	}
	today := time.Now().UTC().Truncate(24 * time.Hour).Add(9 * time.Hour)
	if err := community.DemoSeed(ctx, a.DB, community.DemoInput{SchemeID: scheme, ManagerID: ids["manager@oikos.example"],
		LinkWorkerID: ids["linkworker@oikos.example"], VolunteerID: ids["volunteer@oikos.example"], Today: today}); err != nil {
		return fmt.Errorf("demo volunteers: %w", err)
	}
	champion, err := a.Auth.GetUserByEmail(ctx, demoChampionEmail)
	if err != nil {
		return err
	}
	if err := a.Auth.SetPassword(ctx, cliActor, champion.ID, password); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo health champion (a volunteer who coordinates others): %s, with the same password\n", demoChampionEmail)
	n, err := loadDemoMatches(ctx, a.DB, scheme, ids["manager@oikos.example"], ids["volunteer@oikos.example"], today)
	if err != nil {
		return fmt.Errorf("demo matches: %w", err)
	}
	fmt.Fprintf(out, "Demo volunteers: a health champion, befrienders, a graduate peer mentor, %d matches with logged visits, a closed safeguarding concern\n", n)
	return nil
}

// demoWaves are the demo's matches beyond DemoSeed's, in waves on the
// same day, so that the volunteering report, which protects each month's
// figures as a report of its own (a count of 1 to 4 in any month hides it
// in every period with that month), shows the year's figures: the first
// wave's five volunteers and people run on through every month after it;
// and every month with a match made has five or more, the later waves
// falling on the days DemoSeed made its matches (90 and 60 days ago) and
// on the day the graduate peer mentor was first matched (10 days ago).
// daysAgo 0 is the first wave's: a fortnight after the last of its people
// was referred. The volunteers are DemoSeed's, with a DBS check in date
// on the day (Ravi Kumar's ran out 10 days ago).
var demoWaves = []struct {
	daysAgo    int
	volunteers []string
}{
	{0, []string{"", "usr_demo_champion", "usr_demo_bea", "usr_demo_tomasz", "usr_demo_ravi"}},
	{90, []string{"usr_demo_champion", "usr_demo_tomasz", "usr_demo_ravi", ""}},
	{60, []string{"usr_demo_bea", "usr_demo_champion", "usr_demo_ravi", "usr_demo_tomasz"}},
	{10, []string{"usr_demo_graduate", "usr_demo_champion", "usr_demo_bea", "usr_demo_tomasz", ""}},
}

// loadDemoMatches matches the past year's people still in work (the
// history's, never the demo link worker's caseload) with the volunteers in
// waves (demoWaves; "" is the demo volunteer), and logs a visit a week
// until today. It does nothing once the scheme has more than DemoSeed's
// two matches, and says how many matches the scheme has.
func loadDemoMatches(ctx context.Context, d *db.DB, scheme, managerID, volunteerID string, today time.Time) (int, error) {
	var have int
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteer_matches WHERE scheme_id = $1", scheme).Scan(&have); err != nil {
		return 0, err
	}
	if have > 2 {
		return have, nil
	}
	want := 0
	for _, w := range demoWaves {
		want += len(w.volunteers)
	}
	rows, err := d.R().QueryContext(ctx, `SELECT id, received_at FROM referrals WHERE scheme_id = $1 AND channel = 'demo'
		AND external_id LIKE 'history-%' AND status IN ('contacted', 'active') ORDER BY received_at, id LIMIT $2`, scheme, want)
	if err != nil {
		return 0, err
	}
	type person struct {
		id       string
		received int64
	}
	var people []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.received); err != nil {
			rows.Close()
			return 0, err
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(people) < want {
		return 0, fmt.Errorf("the demo's history has %d people in work to match with volunteers, not %d", len(people), want)
	}
	var clock time.Time
	vol := community.NewVolunteering(d)
	vol.Now = func() time.Time { return clock }
	manager := &auth.Principal{UserID: managerID, Role: auth.Manager, SchemeID: scheme, OrganisationID: scheme}
	modes := []string{"home_visit", "in_person", "phone", "in_person"}
	i := 0
	for _, w := range demoWaves {
		start := today.AddDate(0, 0, -w.daysAgo)
		if w.daysAgo == 0 {
			last := time.UnixMilli(people[len(w.volunteers)-1].received).UTC()
			start = last.AddDate(0, 0, 14).Truncate(24 * time.Hour).Add(10 * time.Hour)
		}
		for _, who := range w.volunteers {
			if who == "" {
				who = volunteerID
			}
			p := people[i]
			clock = start
			m, err := vol.CreateMatch(ctx, oikos.Actor{UserID: managerID, Client: "demo"}, manager, p.id,
				community.MatchInput{VolunteerID: who, Share: community.Share{ContactDetails: true, WhatMatters: true}})
			if err != nil {
				return 0, fmt.Errorf("match %s with %s: %w", who, p.id, err)
			}
			v := &auth.Principal{UserID: who, Role: auth.Volunteer, SchemeID: scheme, OrganisationID: scheme}
			for week := 0; week < 8; week++ {
				clock = start.AddDate(0, 0, 2+7*week)
				if clock.After(today) {
					break
				}
				in := community.ContactInput{Date: clock.Format(time.DateOnly), Minutes: 45 + 15*((i+week)%5), Mode: modes[(i+week)%len(modes)]}
				if _, err := vol.LogContact(ctx, oikos.Actor{UserID: who, Client: "demo"}, v, m.ID, in); err != nil {
					return 0, err
				}
			}
			i++
		}
	}
	return have + i, nil
}
