package casework_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"oikos/internal/audit"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/outcome"
	"oikos/internal/referral"
)

func TestNextAction(t *testing.T) {
	step := func(text, due string, done bool) casework.Step {
		return casework.Step{Text: text, Owner: "person", Due: due, Done: done}
	}
	goal := func(done bool, steps ...casework.Step) casework.Goal {
		return casework.Goal{Text: "g", Done: done, Steps: steps}
	}
	tests := []struct {
		name      string
		st        casework.Stage
		want, due string
	}{
		{"new case", casework.Stage{}, casework.ActionFirstContact, ""},
		{"contacted", casework.Stage{Contacted: true}, casework.ActionConversation, ""},
		{"talked", casework.Stage{Contacted: true, HadConversation: true}, casework.ActionPlan, ""},
		{"plan with no steps", casework.Stage{Contacted: true, HadConversation: true, Goals: []casework.Goal{goal(false)}}, casework.ActionReview, ""},
		{"step without a date", casework.Stage{Contacted: true, HadConversation: true, Goals: []casework.Goal{goal(false, step("Ring the choir", "", false))}},
			"Ring the choir", ""},
		{"earliest due step across goals", casework.Stage{Contacted: true, HadConversation: true, Goals: []casework.Goal{
			goal(false, step("a", "", false), step("b", "2026-09-01", false)),
			goal(false, step("c", "2026-08-01", false), step("d", "2026-07-01", true)),
		}}, "c", "2026-08-01"},
		{"a due step comes before the stage", casework.Stage{Goals: []casework.Goal{goal(false, step("Visit", "2026-08-01", false))}}, "Visit", "2026-08-01"},
		{"steps of a done goal are skipped", casework.Stage{Contacted: true, HadConversation: true, Goals: []casework.Goal{
			goal(true, step("old", "2026-01-01", false)), goal(false, step("new", "2026-03-01", false))}}, "new", "2026-03-01"},
		{"all done", casework.Stage{Contacted: true, HadConversation: true, Goals: []casework.Goal{goal(false, step("a", "2026-01-01", true))}},
			casework.ActionReview, ""},
	}
	for _, tt := range tests {
		got, due := casework.NextAction(tt.st)
		if got != tt.want || due != tt.due {
			t.Errorf("%s: got %q %q, want %q %q", tt.name, got, due, tt.want, tt.due)
		}
	}
}

func TestReviewDue(t *testing.T) {
	now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	weeks := func(n int) time.Time { return now.Add(-time.Duration(n) * 7 * 24 * time.Hour) }
	taken := func(tp string, at time.Time) outcome.Taken { return outcome.Taken{Timepoint: tp, At: at} }
	tests := []struct {
		name  string
		taken map[string][]outcome.Taken
		want  string
	}{
		{"no measures", nil, ""},
		{"baseline 11 weeks ago: not yet", map[string][]outcome.Taken{"swemwbs": {taken("baseline", weeks(11))}}, ""},
		{"baseline 12 weeks ago: due today", map[string][]outcome.Taken{"swemwbs": {taken("baseline", weeks(12))}}, "2026-06-10"},
		{"a review restarts the wait", map[string][]outcome.Taken{"swemwbs": {taken("baseline", weeks(20)), taken("review", weeks(5))}}, ""},
		{"an exit ends them", map[string][]outcome.Taken{"swemwbs": {taken("baseline", weeks(20)), taken("exit", weeks(1))}}, ""},
		{"the earliest of two", map[string][]outcome.Taken{
			"swemwbs": {taken("baseline", weeks(13))}, "ucla3": {taken("baseline", weeks(15))}}, "2026-05-20"},
		// 23:30 UTC on 26 May is 00:30 on the 27th in London (summer time).
		{"the UK's day", map[string][]outcome.Taken{"friends": {taken("baseline", time.Date(2026, 3, 3, 23, 30, 0, 0, time.UTC))}}, "2026-05-27"},
	}
	for _, tt := range tests {
		if got := casework.ReviewDue(tt.taken, now); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCaseload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := casework.NewStore(d)
		refs := referral.NewStore(d)
		var workers []string
		for _, name := range []string{"Asha", "Ben"} {
			id := "usr_" + name
			if _, err := d.Exec(ctx, `INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES ($1, $2, $3, 'link_worker', 0, 0)`,
				id, name+"@example.org", name+" Link"); err != nil {
				t.Fatal(err)
			}
			workers = append(workers, id)
		}
		// Three of Asha's, at different stages; one of Ben's; one closed;
		// one unassigned.
		var ids []string
		for i := 0; i < 6; i++ {
			id := oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID
			ids = append(ids, id)
			time.Sleep(2 * time.Millisecond) // distinct arrival times order the list
			who := workers[0]
			if i == 3 {
				who = workers[1]
			}
			if i == 5 {
				continue
			}
			if _, err := refs.Assign(ctx, worker, id, who); err != nil {
				t.Fatal(err)
			}
		}
		today := time.Now().UTC().Format(time.DateOnly)
		if _, err := s.RecordContact(ctx, worker, ids[1], casework.ContactInput{At: today, Mode: "phone"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordContact(ctx, worker, ids[2], casework.ContactInput{At: today, Mode: "phone"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordConversation(ctx, worker, ids[2], goodConversation()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SavePlan(ctx, worker, ids[2], []casework.Goal{{Text: "Garden again", Steps: []casework.Step{
			{Text: "Visit the allotment society", Owner: "person", Due: "2020-05-01"}}}}); err != nil {
			t.Fatal(err)
		}
		closeReferral(t, d, ids[4])

		mine, err := s.Caseload(ctx, actor(workers[0]), "", workers[0])
		if err != nil || len(mine) != 3 {
			t.Fatalf("Asha's caseload: %+v %v", mine, err)
		}
		// The overdue step comes first, then the longest waiting.
		if mine[0].ReferralID != ids[2] || mine[0].NextAction != "Visit the allotment society" || !mine[0].Overdue || mine[0].LastContact == nil {
			t.Errorf("first: %+v", mine[0])
		}
		if mine[1].ReferralID != ids[0] || mine[1].NextAction != casework.ActionFirstContact || mine[1].LastContact != nil ||
			mine[1].PersonName != "Margaret Hughes" || mine[1].AssignedName != "Asha Link" || mine[1].DaysSinceReferral != 0 {
			t.Errorf("second: %+v", mine[1])
		}
		if mine[2].ReferralID != ids[1] || mine[2].NextAction != casework.ActionConversation {
			t.Errorf("third: %+v", mine[2])
		}
		all, err := s.Caseload(ctx, actor("usr_manager"), "", "")
		if err != nil || len(all) != 4 {
			t.Fatalf("everyone's: %d %v", len(all), err)
		}
		none, err := s.Caseload(ctx, actor("usr_new"), "", "usr_new")
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("empty caseload: %v %v", none, err)
		}
		assertAudit(t, d, workers[0], "caseload", map[string]int{"read": 1})
		// Each person shown is a read of their referral, by whoever looked.
		for who, cases := range map[string][]casework.Case{workers[0]: mine, "usr_manager": all} {
			for _, c := range cases {
				entries, err := audit.ForObject(ctx, d.R(), "referral", c.ReferralID, 1000)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(entries, func(e audit.Entry) bool { return e.ActorID == who && e.Action == audit.Read }) {
					t.Errorf("no read of %s by %s in the audit log", c.ReferralID, who)
				}
			}
		}
	})
}
