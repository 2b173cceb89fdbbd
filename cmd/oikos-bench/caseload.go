package main

// A link worker's caseload page at scale: a national background of
// referrals (national.go, smaller by default) and one link worker with
// o.referrals people in their care, each made through the application's
// own stores as a link worker's day makes them: referred, assigned,
// contacted, most with a what-matters conversation and a plan with dated
// steps, many connected to services that answered and where they attended.
// Then GET /caseload with the worker's browser session, one request at a
// time from a new server process: server time is the latency on loopback.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// The benched link worker's email, by which they are found again.
const benchCaseworkerEmail = "caseload.worker@bench.example"

func caseworkerID(ctx context.Context, url string) (string, error) {
	d, err := db.Open(ctx, url)
	if err != nil {
		return "", err
	}
	defer d.Close()
	var id string
	if err := d.R().QueryRowContext(ctx, "SELECT id FROM users WHERE email = $1", benchCaseworkerEmail).Scan(&id); err != nil {
		return "", fmt.Errorf("the benched link worker: %w", err)
	}
	return id, nil
}

func runCaseload(ctx context.Context, o options, dbs []string, out io.Writer) error {
	fmt.Fprintf(out, "Oikos caseload benchmark: one link worker with %d people in their care, over a background of %d referrals and %d services; %d requests of GET /caseload one at a time; %d CPUs, %s, load %s\n",
		o.referrals, o.national, o.services, o.requests, runtime.NumCPU(), runtime.Version(), loadAverage())
	spec := nationalSpec{referrals: o.national, services: o.services, seed: o.seed, now: time.Now().UTC().Truncate(24 * time.Hour)}
	file := fmt.Sprintf("caseload-%d-%d-%d-seed%d.db", o.referrals, spec.referrals, spec.services, spec.seed)
	var sides []*pageSide
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		url, c, side, done, err := nationalDB(ctx, o, spec, which, file, func(ctx context.Context, d *db.DB) error { return addCaseload(ctx, d, o, out) }, out)
		if err == nil {
			var worker string
			if worker, err = caseworkerID(ctx, url); err == nil {
				err = timePage(ctx, side, url, c, worker, "/caseload", o.requests, out)
			}
			done()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
		sides = append(sides, side)
	}
	fmt.Fprintf(out, "\n== Summary: GET /caseload, %d people in the worker's care, %d requests one at a time (load average now %s)\n", o.referrals, o.requests, loadAverage())
	printPageSummary(out, sides, 50*time.Millisecond)
	return nil
}

// addCaseload gives one link worker o.referrals people, through the stores.
func addCaseload(ctx context.Context, d *db.DB, o options, out io.Writer) error {
	start := time.Now()
	setup := auth.Actor{UserID: "system", Client: "oikos-bench"}
	a := benchApp(d, app.Config{BaseURL: "http://127.0.0.1"})
	users := a.Auth
	u, err := users.CreateUser(ctx, setup, auth.UserInput{Email: benchCaseworkerEmail, Name: "Casey Worker", Role: auth.LinkWorker,
		OrganisationID: benchSchemeID}, "")
	if err != nil {
		return err
	}
	benchCaseworkerID := u.ID
	manager := referral.Actor{UserID: benchManagerID, Client: "oikos-bench"}
	worker := referral.Actor{UserID: benchCaseworkerID, Client: "oikos-bench"}
	refs, work, conns := a.Referrals, a.Casework, a.Connections
	r := rand.New(rand.NewPCG(uint64(o.seed), 0xca5e))
	districts := synthetic.Districts()
	var services []string
	rows, err := d.R().QueryContext(ctx, "SELECT id FROM services WHERE status = 'active' ORDER BY id LIMIT 2000")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		services = append(services, id)
	}
	rows.Close()
	today := time.Now()
	connected := 0
	for i := range o.referrals {
		ref, err := refs.Create(ctx, manager, nextReferral(r, districts), "", "web")
		if err != nil {
			return fmt.Errorf("referral %d: %w", i, err)
		}
		if _, err := refs.Transition(ctx, manager, ref.ID, referral.Accepted, ""); err != nil {
			return err
		}
		if _, err := refs.Assign(ctx, manager, ref.ID, benchCaseworkerID); err != nil {
			return fmt.Errorf("assign %d: %w", i, err)
		}
		// One in eight is still waiting for a first contact.
		if r.IntN(8) == 0 {
			continue
		}
		for k := range 1 + r.IntN(5) {
			at := today.AddDate(0, 0, -7*k-r.IntN(7)).Format(time.DateOnly)
			in := casework.ContactInput{At: at, Mode: casework.ContactModes[r.IntN(len(casework.ContactModes))], DurationMinutes: 10 + r.IntN(50),
				Note: "Talked about how the week went."}
			// The first moves the referral on to contacted.
			if _, err := work.RecordContact(ctx, worker, ref.ID, in); err != nil {
				return fmt.Errorf("contact %d: %w", i, err)
			}
		}
		if r.IntN(10) < 2 {
			continue
		}
		conv := casework.ConversationInput{HeldAt: today.AddDate(0, 0, -r.IntN(30)).Format(time.DateOnly), Mode: "in_person",
			WhatMatters: "Getting out and meeting people again.", Strengths: []string{"Good with people"}, Interests: interestPhrases[r.IntN(len(interestPhrases))]}
		for _, code := range []string{taxonomy.Needs[r.IntN(len(taxonomy.Needs))].Code, taxonomy.Needs[r.IntN(len(taxonomy.Needs))].Code} {
			if !slices.ContainsFunc(conv.Needs, func(n casework.NeedInput) bool { return n.Code == code }) {
				conv.Needs = append(conv.Needs, casework.NeedInput{Code: code, Priority: 1 + r.IntN(3)})
			}
		}
		if _, err := work.RecordConversation(ctx, worker, ref.ID, conv); err != nil {
			return fmt.Errorf("conversation %d: %w", i, err)
		}
		if _, err := refs.Transition(ctx, worker, ref.ID, referral.Active, ""); err != nil {
			return err
		}
		if r.IntN(10) < 8 {
			var goals []casework.Goal
			for g := range 1 + r.IntN(3) {
				goal := casework.Goal{Text: fmt.Sprintf("Goal %d: get out of the house more", g+1), Progress: r.IntN(5)}
				for st := range 1 + r.IntN(3) {
					step := casework.Step{Text: fmt.Sprintf("Step %d: try the group on Tuesday", st+1), Owner: "person", Done: r.IntN(3) == 0}
					if r.IntN(2) == 0 {
						step.Due = today.AddDate(0, 0, r.IntN(60)-20).Format(time.DateOnly)
					}
					goal.Steps = append(goal.Steps, step)
				}
				goals = append(goals, goal)
			}
			if _, err := work.SavePlan(ctx, worker, ref.ID, goals); err != nil {
				return fmt.Errorf("plan %d: %w", i, err)
			}
		}
		for range r.IntN(4) {
			c, err := conns.Create(ctx, worker, ref.ID, connection.CreateInput{ServiceID: services[r.IntN(len(services))],
				Kind: []connection.Kind{"signpost", "active_signpost", "supported"}[r.IntN(3)]})
			if err != nil {
				return fmt.Errorf("connection %d: %w", i, err)
			}
			connected++
			switch r.IntN(4) {
			case 0: // no answer yet
			case 1:
				if _, err := conns.Decide(ctx, manager, c.ID, connection.Waitlisted, ""); err != nil {
					return fmt.Errorf("waitlist %d: %w", i, err)
				}
			default:
				if _, err := conns.Decide(ctx, manager, c.ID, connection.Accepted, ""); err != nil {
					return fmt.Errorf("accept %d: %w", i, err)
				}
				attended := r.IntN(3) != 0
				if _, err := conns.RecordAttendance(ctx, manager, c.ID, connection.AttendanceInput{Date: today.Format(time.DateOnly), Attended: &attended}); err != nil {
					return fmt.Errorf("attendance %d: %w", i, err)
				}
			}
		}
	}
	fmt.Fprintf(out, "the benched link worker's caseload: %d people, %d connections, made through the stores in %.1fs\n", o.referrals, connected,
		time.Since(start).Seconds())
	return nil
}
