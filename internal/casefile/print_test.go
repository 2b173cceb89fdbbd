package casefile_test

import (
	"context"
	"testing"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/casefile"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/portal"
	"oikos/internal/referral"
)

// TestPrintPlan prints a plan as its link worker and as the person: each
// gets the plan, what matters and the connections; a referrer and a
// closed referral get nothing; each printing is audited in one write.
func TestPrintPlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, lw, gp, ref := newCase(t, d, "Staff only")
		by := oikos.Actor{UserID: lw.UserID, Client: "test"}
		if _, err := a.Casework.RecordConversation(ctx, by, ref.ID, casework.ConversationInput{HeldAt: "2026-06-30", Mode: "phone",
			WhatMatters: "Seeing my grandchildren", Notes: "Staff only"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Casework.SavePlan(ctx, by, ref.ID, []casework.Goal{{Text: "See family", Steps: []casework.Step{{Text: "Ring my son", Owner: "person"}}}}); err != nil {
			t.Fatal(err)
		}

		writes := d.WriteTxs()
		pp, err := a.CaseFiles.PrintPlan(ctx, lw, by, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.WriteTxs()-writes != 1 {
			t.Errorf("printing: %d write transactions, want 1", d.WriteTxs()-writes)
		}
		if pp.WhatMatters != "Seeing my grandchildren" || len(pp.Plan.Goals) != 1 || pp.Referral.Person.GivenName != "Margaret" || pp.Connections == nil {
			t.Errorf("printed: %+v", pp)
		}
		if _, err := a.CaseFiles.PrintPlan(ctx, gp, oikos.Actor{UserID: gp.UserID}, ref.ID); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("a referrer prints the plan: %v", err)
		}
		person := portal.Actor(ref.PersonID, "test")
		own, err := a.CaseFiles.PrintOwnPlans(ctx, person, ref.PersonID)
		if err != nil || len(own) != 1 || own[0].Plan.Goals[0].Text != "See family" {
			t.Fatalf("own: %+v %v", own, err)
		}
		entries, err := audit.ForObject(ctx, d.R(), casework.KindPlan, ref.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		printed := map[string]int{}
		for _, e := range entries {
			if e.Action == casefile.ActionPrint {
				printed[e.ActorID]++
			}
		}
		if printed[lw.UserID] != 1 || printed[person.UserID] != 1 || len(printed) != 2 {
			t.Errorf("printings audited: %v", printed)
		}

		if _, err := a.Referrals.Transition(ctx, by, ref.ID, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}
		if own, err := a.CaseFiles.PrintOwnPlans(ctx, person, ref.PersonID); err != nil || len(own) != 0 {
			t.Errorf("a closed plan printed for the person: %+v %v", own, err)
		}
	})
}
