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

// demoMatchVolunteers are the demo's volunteers with an in-date DBS check
// (community.DemoSeed names them), besides the demo volunteer.
var demoMatchVolunteers = []string{"usr_demo_champion", "usr_demo_bea", "usr_demo_tomasz", "usr_demo_graduate"}

// loadDemoMatches matches the past year's people still in work (the
// history's, never the demo link worker's caseload) with the volunteers in
// turn, from a fortnight after each was referred, and logs a visit a week
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
	rows, err := d.R().QueryContext(ctx, `SELECT id, received_at FROM referrals WHERE scheme_id = $1 AND channel = 'demo'
		AND external_id LIKE 'history-%' AND status IN ('contacted', 'active') ORDER BY received_at, id LIMIT 12`, scheme)
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
	var clock time.Time
	vol := community.NewVolunteering(d)
	vol.Now = func() time.Time { return clock }
	manager := &auth.Principal{UserID: managerID, Role: auth.Manager, SchemeID: scheme, OrganisationID: scheme}
	volunteers := append([]string{volunteerID}, demoMatchVolunteers...)
	modes := []string{"home_visit", "in_person", "phone", "in_person"}
	for i, p := range people {
		who := volunteers[i%len(volunteers)]
		start := time.UnixMilli(p.received).UTC().AddDate(0, 0, 14).Truncate(24 * time.Hour).Add(10 * time.Hour)
		if who == "usr_demo_graduate" {
			start = today.AddDate(0, 0, -10) // matched since her DBS check
		}
		if !start.Before(today.AddDate(0, 0, -3)) {
			start = today.AddDate(0, 0, -3)
		}
		clock = start
		m, err := vol.CreateMatch(ctx, oikos.Actor{UserID: managerID, Client: "demo"}, manager, p.id,
			community.MatchInput{VolunteerID: who, Share: community.Share{ContactDetails: true, WhatMatters: true}})
		if err != nil {
			return 0, err
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
	}
	return have + len(people), nil
}
