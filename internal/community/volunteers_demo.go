package community

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/db"
)

// DemoInput names who the demo region already has: its scheme, its
// manager and link worker, and the volunteer account people sign in with.
type DemoInput struct {
	SchemeID, ManagerID, LinkWorkerID, VolunteerID string
	// Today is the demo's day; everything is dated before it.
	Today time.Time
}

// demoVolunteers are the demo's other volunteers: accounts that do not
// sign in, with profiles. The first is the health champion.
var demoVolunteers = []struct {
	id, name, kind, postcode string
	interests, languages     []string
	expires                  string // DBS renewal, days from today ("" none)
}{
	{"usr_demo_champion", "Grace Adeyemi", KindHealthChampion, "EX4 6PX", []string{"Walking", "Choirs"}, []string{"English", "Yoruba"}, "700"},
	{"usr_demo_bea", "Bea Hart", KindBefriender, "EX2 4AN", []string{"Gardening", "Baking"}, []string{"English"}, "400"},
	{"usr_demo_tomasz", "Tomasz Nowak", KindVolunteer, "EX1 2LP", []string{"Football", "Chess"}, []string{"English", "Polish"}, "20"},
	{"usr_demo_ravi", "Ravi Kumar", KindBefriender, "EX4 3SB", []string{"Cooking", "Cricket"}, []string{"English", "Punjabi"}, "-10"},
	{"usr_demo_graduate", "Lily Evans", KindPeerMentor, "EX2 7JE", []string{"Knitting", "Walking"}, []string{"English"}, ""},
}

// DemoSeed gives the demo region its volunteers (a health champion, a
// befriender whose DBS check runs out within the month, one whose check
// has run out), matches with logged hours (the demo volunteer's with one
// of the link worker's people), an ended match, a concern raised and
// closed with an outcome, and a graduate who became an active peer
// mentor. It writes through the stores, so everything is audited as any
// change is. Run again, it leaves what is there.
func DemoSeed(ctx context.Context, d *db.DB, in DemoInput) error {
	var have int
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteers WHERE scheme_id = $1", in.SchemeID).Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return nil
	}
	var clock time.Time
	now := func() time.Time { return clock }
	at := func(days int) { clock = in.Today.AddDate(0, 0, days) }
	vol, safe := NewVolunteering(d), NewSafeguarding(d)
	vol.Now, safe.Now = now, now
	actor := func(id string) oikos.Actor { return oikos.Actor{UserID: id, Client: "demo"} }
	manager := &auth.Principal{UserID: in.ManagerID, Role: auth.Manager, SchemeID: in.SchemeID, OrganisationID: in.SchemeID}
	worker := &auth.Principal{UserID: in.LinkWorkerID, Role: auth.LinkWorker, SchemeID: in.SchemeID, OrganisationID: in.SchemeID}
	volunteer := &auth.Principal{UserID: in.VolunteerID, Role: auth.Volunteer, SchemeID: in.SchemeID, OrganisationID: in.SchemeID}

	at(-120)
	for _, v := range demoVolunteers {
		if _, err := d.Exec(ctx, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at)
			VALUES ($1, $2, $3, 'volunteer', $4, $5, $5) ON CONFLICT DO NOTHING`, v.id, v.id[9:]+".volunteer@oikos.example", v.name, in.SchemeID, db.Millis(clock)); err != nil {
			return err
		}
	}
	// The champion first, whom the others name as their coordinator.
	profiles := slices.Insert(slices.Clone(demoVolunteers), 1, demoVolunteers[0])
	profiles[1].id, profiles[1].kind, profiles[1].postcode = in.VolunteerID, KindBefriender, "EX4 4QJ"
	profiles[1].interests, profiles[1].languages, profiles[1].expires = []string{"Gardening", "Walking", "History"}, []string{"English"}, "900"
	for i, v := range profiles {
		if v.kind == KindPeerMentor {
			continue // made by the graduate pathway below
		}
		p := VolunteerInput{Kind: v.kind, Postcode: v.postcode, Skills: []string{"Listening"}, Interests: v.interests, Languages: v.languages,
			Availability: []Slot{{Day: []string{"monday", "tuesday", "wednesday", "thursday"}[i%4], From: "10:00", To: "16:00"}},
			Training:     []Training{{Course: "Safeguarding adults, level 1", CompletedOn: dayOf(clock.AddDate(0, 0, -30))}}}
		if v.expires != "" {
			var days int
			fmt.Sscan(v.expires, &days)
			p.DBSCheckedOn, p.DBSExpiresOn = ptrTo(dayOf(in.Today.AddDate(-3, 0, days))), ptrTo(dayOf(in.Today.AddDate(0, 0, days)))
			if days < 0 {
				// A check that has since run out was in date when kept.
				p.DBSCheckedOn = ptrTo(dayOf(clock.AddDate(-3, 0, 0)))
				p.DBSExpiresOn = ptrTo(dayOf(in.Today.AddDate(0, 0, days)))
			}
		}
		if v.id != demoVolunteers[0].id {
			p.CoordinatorID = demoVolunteers[0].id
		}
		if _, err := vol.SaveVolunteer(ctx, actor(in.ManagerID), manager, v.id, p); err != nil {
			return fmt.Errorf("demo volunteer %s: %w", v.id, err)
		}
	}

	// The link worker's people in work, oldest first, and one who closed
	// with their goals met.
	working, err := db.Strings(ctx, d.R(), `SELECT id FROM referrals WHERE scheme_id = $1 AND assigned_to = $2 AND status IN ('contacted', 'active')
		ORDER BY received_at, id LIMIT 2`, in.SchemeID, in.LinkWorkerID)
	if err != nil {
		return err
	}
	if len(working) < 2 {
		return fmt.Errorf("demo volunteers: the link worker needs two people in work, has %d", len(working))
	}
	at(-60)
	m, err := vol.CreateMatch(ctx, actor(in.LinkWorkerID), worker, working[0], MatchInput{VolunteerID: in.VolunteerID,
		Share: Share{ContactDetails: true, WhatMatters: true, Plan: true}})
	if err != nil {
		return fmt.Errorf("demo match: %w", err)
	}
	for _, c := range []struct {
		days, minutes int
		mode, note    string
	}{{-56, 60, "home_visit", "First visit: tea, and a look at the garden."}, {-42, 90, "in_person", "Walked to the park café."},
		{-28, 30, "phone", "Rang to check in; feeling brighter."}, {-14, 120, "in_person", "Went to the gardening club together."}} {
		at(c.days)
		if _, err := vol.LogContact(ctx, actor(in.VolunteerID), volunteer, m.ID, ContactInput{Date: dayOf(clock), Minutes: c.minutes, Mode: c.mode, Note: c.note}); err != nil {
			return fmt.Errorf("demo contact: %w", err)
		}
	}
	bea := &auth.Principal{UserID: "usr_demo_bea", Role: auth.Volunteer, SchemeID: in.SchemeID}
	at(-90)
	ended, err := vol.CreateMatch(ctx, actor(in.ManagerID), manager, working[1], MatchInput{VolunteerID: bea.UserID, Share: Share{WhatMatters: true}})
	if err != nil {
		return fmt.Errorf("demo match: %w", err)
	}
	at(-80)
	if _, err := vol.LogContact(ctx, actor(bea.UserID), bea, ended.ID, ContactInput{Date: dayOf(clock), Minutes: 45, Mode: "phone"}); err != nil {
		return err
	}
	at(-70)
	if _, err := vol.EndMatch(ctx, actor(in.LinkWorkerID), worker, ended.ID, EndInput{Reason: "They preferred a group to one-to-one visits."}); err != nil {
		return err
	}

	// A concern the demo volunteer raised, acted on the same day and
	// closed with an outcome.
	at(-28)
	clock = clock.Add(3 * time.Hour)
	c, err := safe.RaiseConcern(ctx, actor(in.VolunteerID), volunteer, working[0], ConcernInput{Category: "self_neglect", Level: "medium",
		Description: "The house was very cold on my call today and the fridge was almost empty. They said money is tight until the end of the month."})
	if err != nil {
		return fmt.Errorf("demo concern: %w", err)
	}
	clock = clock.Add(2 * time.Hour)
	if _, err := safe.AddConcernAction(ctx, actor(in.LinkWorkerID), worker, c.ID, ActionInput{Action: "Phoned them: agreed a food bank voucher and a benefits check."}); err != nil {
		return err
	}
	at(-21)
	if _, err := safe.AddConcernAction(ctx, actor(in.ManagerID), manager, c.ID, ActionInput{Action: "Reviewed with the link worker.", Status: ConcernClosed,
		Outcome: "Benefits check found unclaimed Pension Credit; heating back on. No further safeguarding action."}); err != nil {
		return err
	}

	// A graduate: a person whose referral closed with their goals met
	// becomes an active peer mentor.
	var graduate string
	err = d.R().QueryRowContext(ctx, `SELECT id FROM referrals WHERE scheme_id = $1 AND assigned_to = $2 AND status = 'closed' AND closed_reason = 'goals_met'
		ORDER BY closed_at, id LIMIT 1`, in.SchemeID, in.LinkWorkerID).Scan(&graduate)
	if err == sql.ErrNoRows {
		return nil // nobody to invite yet
	} else if err != nil {
		return err
	}
	at(-50)
	inv, err := vol.InviteMentor(ctx, actor(in.LinkWorkerID), worker, graduate)
	if err != nil {
		return fmt.Errorf("demo invitation: %w", err)
	}
	for i, stage := range []string{StageInterested, StageTraining, StageActive} {
		at(-40 + i*12)
		st := StageInput{Stage: stage}
		if stage == StageActive {
			st.UserID = "usr_demo_graduate"
		}
		if _, err := vol.MentorStage(ctx, actor(in.ManagerID), manager, inv.ID, st); err != nil {
			return fmt.Errorf("demo pathway %s: %w", stage, err)
		}
	}
	at(-15)
	g := demoVolunteers[len(demoVolunteers)-1]
	_, err = vol.SaveVolunteer(ctx, actor(in.ManagerID), manager, g.id, VolunteerInput{Kind: KindPeerMentor, Postcode: g.postcode,
		Interests: g.interests, Languages: g.languages, Availability: []Slot{{Day: "friday", From: "10:00", To: "13:00"}},
		DBSCheckedOn: ptrTo(dayOf(clock)), DBSExpiresOn: ptrTo(dayOf(clock.AddDate(3, 0, 0))),
		Training: []Training{{Course: "Peer mentoring", CompletedOn: dayOf(clock.AddDate(0, 0, -3))}}, CoordinatorID: demoVolunteers[0].id})
	return err
}

func ptrTo[T any](v T) *T { return &v }
