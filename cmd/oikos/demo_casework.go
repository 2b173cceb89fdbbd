package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"oikos/internal/app"
	"oikos/internal/casework"
	"oikos/internal/outcome"
	"oikos/internal/portal"
	"oikos/internal/referral"
)

// The demo caseload: people referred over the last six months by GPs,
// nurses, social workers, friends and themselves, at every stage of the
// journey, so that the triage queue, the caseload, the person's plan and
// (later) the reports have something believable to show. Every name is
// invented.

type demoPerson struct {
	given, family, born, postcode string
	reasons                       []string
	whatMatters, interests        string
}

var demoPeople = []demoPerson{
	{"Margaret", "Hollis", "1941-02-17", "EX4 6PX", []string{"loneliness", "lives_alone"}, "Having people to talk to since Ron died.", "knitting, the radio, her garden"},
	{"Dennis", "Quarrie", "1952-09-03", "EX2 7JU", []string{"physical_inactivity", "low_mood"}, "Getting fit enough to walk the dog again.", "dogs, football, fishing"},
	{"Aisha", "Rahman", "1987-11-21", "EX1 2LB", []string{"money_worries", "anxiety"}, "Getting on top of the bills so I can sleep.", "cooking, her children's school"},
	{"Tom", "Pengelly", "1999-05-30", "EX4 4QJ", []string{"lacking_purpose", "employment"}, "Finding something worth getting up for.", "music, computers, bikes"},
	{"Eileen", "Vosper", "1938-07-08", "EX8 1NY", []string{"isolation", "fear_of_going_out"}, "Feeling safe enough to go into town.", "reading, crosswords, birds"},
	{"Gareth", "Moyle", "1964-12-12", "EX32 8PA", []string{"bereavement", "low_mood"}, "Learning to live without Jean.", "woodwork, walking, chapel"},
	{"Priya", "Nair", "1979-03-25", "EX2 5AA", []string{"caring_responsibilities", "poor_sleep"}, "An hour a week that is just for me.", "yoga, painting"},
	{"Stan", "Brimblecombe", "1945-08-19", "TQ1 3BD", []string{"loneliness", "digital_exclusion"}, "Video calls with my grandson in Leeds.", "trains, the navy, history"},
	{"Kerry", "Luscombe", "1983-01-09", "PL1 2AA", []string{"housing", "low_confidence"}, "Somewhere dry for the kids.", "swimming, baking"},
	{"Joyce", "Tremlett", "1949-04-04", "EX10 8AP", []string{"long_term_condition", "no_hobbies"}, "Doing something with my hands again.", "sewing, the WI, singing"},
	{"Liam", "Heard", "2002-06-14", "EX1 1AA", []string{"anxiety", "lacking_social_networks"}, "Making one or two friends here.", "gaming, art, anime"},
	{"Beryl", "Chudleigh", "1936-10-28", "EX16 6NJ", []string{"lives_alone", "pain"}, "Getting out of the house once a week.", "bingo, gardening, old films"},
	{"Mohammed", "Karimi", "1971-02-02", "EX4 3LS", []string{"employment", "learning"}, "Getting my English good enough for work.", "football, cooking, chess"},
	{"Sandra", "Gill", "1958-09-16", "EX39 1AA", []string{"weight", "low_mood"}, "Feeling better in myself before my daughter's wedding.", "dancing, walking by the sea"},
	{"Colin", "Abbott", "1955-11-07", "EX20 1AA", []string{"isolation", "caring_responsibilities"}, "A break from caring, and someone who understands.", "cars, the allotment"},
	{"Hannah", "Wreford", "1993-04-23", "EX2 8AA", []string{"low_mood", "lacking_purpose"}, "Feeling useful again after leaving work.", "animals, photography, climbing"},
	{"Reg", "Palk", "1940-01-31", "TQ12 1AA", []string{"loneliness", "bereavement"}, "Company at lunchtime.", "bowls, crosswords, brass bands"},
	{"Grace", "Okonjo", "1968-08-08", "EX4 1AA", []string{"benefits", "long_term_condition"}, "Sorting out my PIP so I can stop worrying.", "church choir, cooking"},
	{"Peter", "Snell", "1961-03-13", "EX14 1AA", []string{"physical_inactivity", "poor_sleep"}, "Sleeping through the night.", "cycling, local history"},
	{"Linda", "Mudge", "1950-05-05", "EX7 9AA", []string{"no_hobbies", "loneliness"}, "Something to look forward to each week.", "flowers, painting, tea dances"},
	{"Jamie", "Coombes", "1997-12-01", "PL4 6AA", []string{"food", "money_worries"}, "Not running out of food at the end of the month.", "football, music"},
	{"Maureen", "Yeo", "1944-06-22", "EX5 1AA", []string{"fear_of_going_out", "lives_alone"}, "Going to the shops on my own again.", "jigsaws, her cat, quiz shows"},
	{"Darren", "Lake", "1976-10-10", "EX31 1AA", []string{"employment", "low_confidence"}, "A job where people are kind.", "fishing, DIY, his kids"},
	{"Olive", "Sanders", "1933-03-03", "EX15 1AA", []string{"isolation", "long_term_condition"}, "Seeing a friendly face more often.", "knitting, hymns, birds"},
}

// demoWomen are the demo people who are women; the others are men. Their
// sex is recorded so that suggestions leave groups for women or for men
// only where they belong.
var demoWomen = map[string]bool{"Margaret": true, "Aisha": true, "Eileen": true, "Priya": true, "Kerry": true, "Joyce": true,
	"Beryl": true, "Sandra": true, "Hannah": true, "Grace": true, "Linda": true, "Maureen": true, "Olive": true}

// demoGPWords are some GPs' reasons in their own words, as GP systems
// send them beside (or instead of) coded reasons; the link worker sees
// them on the referral's page.
var demoGPWords = map[string]string{
	"Dennis": "Type 2 diabetes; put on weight since retiring. Keen to be more active but needs a push.",
	"Kerry":  "Damp flat, and the children's asthma is worse for it. Very anxious; struggling to cope.",
	"Beryl":  "Osteoarthritis of both knees, so housebound most days. Her daughter worries she sees nobody.",
}

// demoSources says who referred each demo person, in turn.
var demoSources = []string{"gp", "gp", "self", "nurse", "social_worker", "gp", "family_friend", "voluntary_org", "gp", "district_nurse", "self", "gp"}

// demoOwnSteps are steps people added to their own plans.
var demoOwnSteps = []string{"Ask my neighbour to come along with me", "Ring my sister on Sunday evenings",
	"Walk to the corner shop instead of taking the car", "Write down three good things each week"}

// demoPlans are goals with steps, in people's own words.
var demoPlans = [][]casework.Goal{
	{{Text: "Meet new people each week", Steps: []casework.Step{
		{Text: "Go to the Tuesday coffee morning with my neighbour", Owner: casework.OwnerPerson},
		{Text: "Ask the befriending service about a weekly call", Owner: casework.OwnerLinkWorker},
	}}},
	{{Text: "Get fitter, a bit at a time", Steps: []casework.Step{
		{Text: "Try the gentle walking group on Thursday", Owner: casework.OwnerPerson},
		{Text: "Find out about the chair-based exercise class", Owner: casework.OwnerLinkWorker},
		{Text: "Walk to the end of the road every day", Owner: casework.OwnerPerson},
	}}},
	{{Text: "Get the bills under control", Steps: []casework.Step{
		{Text: "Book an appointment with the money advice service", Owner: casework.OwnerLinkWorker},
		{Text: "Bring the letters to the appointment", Owner: casework.OwnerPerson},
	}}, {Text: "Sleep better", Steps: []casework.Step{
		{Text: "Try the wellbeing course on Wednesday evenings", Owner: casework.OwnerPerson},
	}}},
	{{Text: "Find something worth getting up for", Steps: []casework.Step{
		{Text: "Visit the volunteer centre with a volunteer", Owner: casework.OwnerVolunteer},
		{Text: "Try one volunteering session", Owner: casework.OwnerPerson},
	}}},
}

// demoNHSNumber makes a valid (Modulus 11) NHS number from n.
func demoNHSNumber(n int) string {
	for {
		digits := fmt.Sprintf("9%08d", n%100000000)
		sum := 0
		for i := 0; i < 9; i++ {
			sum += int(digits[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check != 10 {
			return digits + fmt.Sprint(check)
		}
		n++
	}
}

// loadDemoCasework adds the demo caseload once; run again, it leaves it be.
func loadDemoCasework(ctx context.Context, a *app.App, out io.Writer) error {
	d, users := a.DB, a.Auth
	var have int
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals WHERE channel = 'demo'").Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return nil
	}
	lw, err := users.GetUserByEmail(ctx, "linkworker@oikos.example")
	if err != nil {
		return err
	}
	gp, err := users.GetUserByEmail(ctx, "gp@oikos.example")
	if err != nil {
		return err
	}
	var clock time.Time
	now := func() time.Time { return clock }
	// The same application on a clock of its own, so that the history
	// happens over months, with what a real change does, except telling
	// people of it: that past is made up.
	cfg := a.Config
	cfg.Now, cfg.Quiet = now, true
	demo := app.New(d, cfg)
	refs, cases, measures := demo.Referrals, demo.Casework, demo.Outcomes
	worker := referral.Actor{UserID: lw.ID, Client: "demo"}
	r := rand.New(rand.NewPCG(7, 11))
	today := time.Now().UTC().Truncate(24 * time.Hour).Add(9 * time.Hour)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }

	for i, p := range demoPeople {
		// Spread arrivals over six months, the newest still waiting.
		received := today.AddDate(0, 0, -(180 - i*7)).Add(time.Duration(r.IntN(8*60)) * time.Minute)
		if received.After(today) {
			received = today.Add(-time.Duration(i) * time.Hour)
		}
		clock = received
		source := demoSources[i%len(demoSources)]
		referrer, by := "", referral.Actor{UserID: "system", Client: "demo"}
		if source == "gp" {
			referrer, by = gp.ID, referral.Actor{UserID: gp.ID, Client: "demo"}
		}
		in := referral.Input{
			Person: referral.PersonInput{GivenName: p.given, FamilyName: p.family, DateOfBirth: p.born, Postcode: p.postcode,
				NHSNumber: demoNHSNumber(40000000 + i*7919), Phone: fmt.Sprintf("07700 900%03d", i)},
			Source:  referral.SourceInput{Type: source},
			Reasons: p.reasons, Urgency: "routine",
			Consent: referral.ConsentInput{Given: true, ShareWithProviders: i%4 != 3},
		}
		if source == "gp" {
			in.Source.ReferrerName = "Dr Tom Okafor"
			in.ReasonText = demoGPWords[p.given]
		}
		if i%9 == 4 {
			in.Urgency = "urgent"
		}
		ref, err := refs.Create(ctx, by, in, referrer, "demo")
		if err != nil {
			return fmt.Errorf("demo referral for %s %s: %w", p.given, p.family, err)
		}
		sex := "male"
		if demoWomen[p.given] {
			sex = "female"
		}
		if _, err := d.Exec(ctx, "UPDATE people SET sex = $1 WHERE id = $2", sex, ref.PersonID); err != nil {
			return err
		}
		stage := len(demoPeople) - i // the oldest have gone furthest
		if stage <= 4 {
			continue // still waiting for triage
		}
		step := func(days int) { clock = clock.AddDate(0, 0, days).Add(time.Duration(r.IntN(120)) * time.Minute) }
		step(1 + r.IntN(4))
		if _, err := refs.Transition(ctx, worker, ref.ID, referral.Accepted, ""); err != nil {
			return err
		}
		if _, err := refs.Assign(ctx, worker, ref.ID, lw.ID); err != nil {
			return err
		}
		if stage <= 6 {
			continue
		}
		step(1 + r.IntN(5))
		if _, err := cases.RecordContact(ctx, worker, ref.ID, casework.ContactInput{At: day(clock), Mode: []string{"phone", "in_person", "home_visit"}[i%3],
			DurationMinutes: 20 + r.IntN(40), Note: "First conversation; agreed to meet."}); err != nil {
			return err // reaching them moved the referral on to contacted
		}
		if stage <= 8 {
			continue
		}
		step(3 + r.IntN(7))
		needs := []casework.NeedInput{{Code: p.reasons[0], Priority: 1}}
		for _, code := range p.reasons[1:] {
			needs = append(needs, casework.NeedInput{Code: code, Priority: 2})
		}
		ons4 := []float64{float64(3 + r.IntN(3)), float64(3 + r.IntN(3)), float64(3 + r.IntN(3)), float64(5 + r.IntN(4))}
		if _, err := cases.RecordConversation(ctx, worker, ref.ID, casework.ConversationInput{HeldAt: day(clock), Mode: "in_person", Needs: needs,
			Strengths: []string{"Knows what they want", "Good sense of humour"}, WhatMatters: p.whatMatters, Interests: p.interests,
			Baseline: []casework.BaselineInput{{Instrument: "ons4", Answers: ons4}}}); err != nil {
			return err
		}
		for _, m := range []struct {
			instrument string
			answers    []float64
		}{{"ucla3", []float64{float64(2 + r.IntN(2)), float64(2 + r.IntN(2)), float64(2 + r.IntN(2))}}, {"friends", []float64{float64(r.IntN(3))}},
			{"gp_appointments", []float64{float64(2 + r.IntN(5))}}} {
			if _, err := measures.Record(ctx, worker, ref.ID, m.instrument, outcome.Baseline, m.answers); err != nil {
				return err
			}
		}
		goals := demoPlans[i%len(demoPlans)]
		if _, err := cases.SavePlan(ctx, worker, ref.ID, goals); err != nil {
			return err
		}
		if _, err := refs.Transition(ctx, worker, ref.ID, referral.Active, ""); err != nil {
			return err
		}
		if stage <= 12 {
			continue
		}
		// Twelve weeks on: a review, mostly better.
		step(80 + r.IntN(10))
		if clock.After(today) {
			continue
		}
		plan, err := cases.Plan(ctx, worker, ref.ID)
		if err != nil {
			return err
		}
		done, progress := true, 5+r.IntN(5)
		if _, err := cases.SetProgress(ctx, worker, ref.ID, casework.ProgressUpdate{GoalID: plan.Goals[0].ID, StepID: plan.Goals[0].Steps[0].ID, Done: &done}); err != nil {
			return err
		}
		if _, err := cases.SetProgress(ctx, worker, ref.ID, casework.ProgressUpdate{GoalID: plan.Goals[0].ID, Progress: &progress}); err != nil {
			return err
		}
		if i%3 == 0 {
			// Some add a step of their own from their own pages, which
			// their link worker sees marked as theirs.
			if _, _, err := cases.ChangeOwnPlan(ctx, portal.Actor(ref.PersonID, "demo"), ref.ID, casework.OwnChange{Add: true,
				GoalID: plan.Goals[0].ID, Text: demoOwnSteps[i%len(demoOwnSteps)]}); err != nil {
				return err
			}
		}
		better := func(v float64, by int, lo, hi float64) float64 { return max(lo, min(hi, v+float64(by))) }
		review := []float64{better(ons4[0], 1+r.IntN(3), 0, 10), better(ons4[1], 1+r.IntN(2), 0, 10), better(ons4[2], r.IntN(3), 0, 10), better(ons4[3], -1-r.IntN(3), 0, 10)}
		if _, err := measures.Record(ctx, worker, ref.ID, "ons4", outcome.Review, review); err != nil {
			return err
		}
		if _, err := measures.Record(ctx, worker, ref.ID, "friends", outcome.Review, []float64{float64(1 + r.IntN(4))}); err != nil {
			return err
		}
		if stage <= 17 {
			continue
		}
		step(14 + r.IntN(14))
		if clock.After(today) {
			continue
		}
		if _, err := measures.Record(ctx, worker, ref.ID, "ucla3", outcome.Exit, []float64{1, float64(1 + r.IntN(2)), 1}); err != nil {
			return err
		}
		// What goes back to their GP record: most choose the summary in
		// full, some codes only, a few had not said by the time it closed.
		if share := []referral.GPShare{referral.GPShareFull, referral.GPShareFull, referral.GPShareCodes, referral.GPShareUnset}[i%4]; share != referral.GPShareUnset {
			if _, err := refs.SetGPShare(ctx, worker, ref.ID, share); err != nil {
				return err
			}
		}
		reason := []string{"goals_met", "goals_met", "goals_met", "disengaged", "moved_away"}[i%5]
		if _, err := refs.Transition(ctx, worker, ref.ID, referral.Closed, reason); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "Demo caseload: %d people referred over six months, at every stage\n", len(demoPeople))
	return nil
}
