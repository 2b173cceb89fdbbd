package community_test

import (
	"context"
	"slices"
	"testing"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
	"oikos/internal/report"
)

// closeWith walks a referral to closed with a reason.
func closeWith(t *testing.T, d *db.DB, p *auth.Principal, id, reason string) {
	t.Helper()
	refs := referral.NewStore(d)
	for _, st := range []referral.Status{referral.Contacted, referral.Active} {
		if _, err := refs.Transition(context.Background(), as(p), id, st, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := refs.Transition(context.Background(), as(p), id, referral.Closed, reason); err != nil {
		t.Fatal(err)
	}
}

func TestGraduatePathway(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		_, err := w.vol.InviteMentor(ctx, as(w.worker), w.worker, w.referralID)
		wantCode(t, "invited while open", err, oikos.ECONFLICT)
		other := newReferral(t, d, w.worker, "org_s1", "Doris", "EX1 1AA")
		closeWith(t, d, w.worker, other, "moved_away")
		_, err = w.vol.InviteMentor(ctx, as(w.worker), w.worker, other)
		wantCode(t, "closed without goals met", err, oikos.ECONFLICT)
		closeWith(t, d, w.worker, w.referralID, "goals_met")

		for name, p := range map[string]*auth.Principal{"another link worker": w.otherWorker, "another scheme's manager": w.farManager, "a volunteer": w.volunteer} {
			_, err := w.vol.InviteMentor(ctx, as(p), p, w.referralID)
			wantCode(t, name+" invites", err, oikos.ENOTFOUND)
		}
		inv, err := w.vol.InviteMentor(ctx, as(w.worker), w.worker, w.referralID)
		if err != nil || inv.Stage != community.StageInvited || inv.PersonName != "Margaret Hughes" || len(inv.History) != 1 {
			t.Fatalf("invited: %+v %v", inv, err)
		}
		_, err = w.vol.InviteMentor(ctx, as(w.manager), w.manager, w.referralID)
		wantCode(t, "invited twice", err, oikos.ECONFLICT)

		_, err = w.vol.MentorStage(ctx, as(w.farManager), w.farManager, inv.ID, community.StageInput{Stage: "interested"})
		wantCode(t, "another scheme moves it", err, oikos.ENOTFOUND)
		_, err = w.vol.MentorStage(ctx, as(w.worker), w.worker, inv.ID, community.StageInput{Stage: "active"})
		wantCode(t, "skipping to active", err, oikos.ECONFLICT)
		_, err = w.vol.MentorStage(ctx, as(w.worker), w.worker, inv.ID, community.StageInput{Stage: "graduated"})
		wantField(t, "unknown stage", err, "stage")
		for _, st := range []string{"interested", "training"} {
			if inv, err = w.vol.MentorStage(ctx, as(w.worker), w.worker, inv.ID, community.StageInput{Stage: st}); err != nil || inv.Stage != st {
				t.Fatalf("%s: %+v %v", st, inv, err)
			}
		}
		_, err = w.vol.MentorStage(ctx, as(w.manager), w.manager, inv.ID, community.StageInput{Stage: "active"})
		wantField(t, "active without an account", err, "user_id")
		_, err = w.vol.MentorStage(ctx, as(w.manager), w.manager, inv.ID, community.StageInput{Stage: "active", UserID: w.worker.UserID})
		wantField(t, "active as a link worker", err, "user_id")
		_, err = w.vol.MentorStage(ctx, as(w.manager), w.manager, inv.ID, community.StageInput{Stage: "active", UserID: w.farVolunteer.UserID})
		wantField(t, "active in another scheme", err, "user_id")

		execSQL(t, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES ('usr_grad', 'margaret@example.org', 'Margaret Hughes', 'volunteer', 'org_s1', 1, 1)`)
		inv, err = w.vol.MentorStage(ctx, as(w.manager), w.manager, inv.ID, community.StageInput{Stage: "active", UserID: "usr_grad"})
		if err != nil || inv.Stage != "active" || inv.VolunteerID == nil || *inv.VolunteerID != "usr_grad" || len(inv.History) != 4 {
			t.Fatalf("active: %+v %v", inv, err)
		}
		grad, err := w.vol.Volunteer(ctx, as(w.manager), w.manager, "usr_grad")
		if err != nil || grad.Kind != community.KindPeerMentor || !grad.Graduate || grad.Postcode != "EX4 4QJ" || grad.DBSStatus != community.DBSMissing {
			t.Errorf("graduate's profile: %+v %v", grad, err)
		}
		_, err = w.vol.MentorStage(ctx, as(w.manager), w.manager, inv.ID, community.StageInput{Stage: "declined"})
		wantCode(t, "active is an end", err, oikos.ECONFLICT)

		// A profile kept by a manager keeps the flag.
		in := profile(community.KindPeerMentor, "EX4 4QJ")
		if v := w.keep(t, w.manager, "usr_grad", in); !v.Graduate {
			t.Error("the manager's save lost the graduate flag")
		}
		list, err := w.vol.MentorInvitations(ctx, as(w.worker), w.worker, "active", community.PageQuery{})
		if err != nil || len(list.Items) != 1 {
			t.Errorf("link worker's list: %+v %v", list, err)
		}
		if l, err := w.vol.MentorInvitations(ctx, as(w.farManager), w.farManager, "", community.PageQuery{}); err != nil || len(l.Items) != 0 {
			t.Errorf("another scheme's list: %+v %v", l, err)
		}
		if _, err := w.vol.MentorInvitation(ctx, as(w.otherWorker), w.otherWorker, inv.ID); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("another link worker reads it: %v", err)
		}
		if n := audited(t, d, "mentor_invitation", inv.ID); n["create"] != 1 || n["update"] != 3 || n["read"] != 1 {
			t.Errorf("audit: %v", n)
		}
	})
}

// TestDemoSeed loads the demo's volunteering into a small region, twice.
func TestDemoSeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		second := newReferral(t, d, w.worker, "org_s1", "Doris", "EX1 1AA")
		graduate := newReferral(t, d, w.worker, "org_s1", "Lily", "EX2 7JE")
		refs := referral.NewStore(d)
		for _, id := range []string{w.referralID, second} {
			if _, err := refs.Transition(ctx, as(w.worker), id, referral.Contacted, ""); err != nil {
				t.Fatal(err)
			}
		}
		closeWith(t, d, w.worker, graduate, "goals_met")
		in := community.DemoInput{SchemeID: "org_s1", ManagerID: w.manager.UserID, LinkWorkerID: w.worker.UserID, VolunteerID: w.volunteer.UserID, Today: w.clock}
		for range 2 {
			if err := community.DemoSeed(ctx, d, in); err != nil {
				t.Fatal(err)
			}
		}
		list, err := w.vol.Matches(ctx, as(w.volunteer), w.volunteer, community.MatchFilter{})
		if err != nil || len(list.Items) != 1 || len(list.Items[0].Contacts) != 4 || list.Items[0].Person.GivenName != "Margaret" {
			t.Errorf("the demo volunteer's matches: %+v %v", list, err)
		}
		period, _ := report.ParsePeriod("", "", w.clock)
		rep, err := w.vol.VolunteeringReport(ctx, as(w.manager), w.manager, period)
		if err != nil || rep.Hours == nil && !slices.Contains(rep.Suppressed, "hours") {
			t.Errorf("report: %+v %v", rep, err)
		}
		closed, err := w.safe.Concerns(ctx, as(w.manager), w.manager, community.ConcernFilter{Status: "closed"})
		if err != nil || len(closed.Items) != 1 || closed.Items[0].Outcome == "" {
			t.Errorf("the demo concern: %+v %v", closed, err)
		}
		grad, err := w.vol.Volunteer(ctx, as(w.manager), w.manager, "usr_demo_graduate")
		if err != nil || !grad.Graduate || grad.Kind != community.KindPeerMentor || grad.DBSStatus != community.DBSInDate {
			t.Errorf("the graduate: %+v %v", grad, err)
		}
		due, err := w.vol.Volunteers(ctx, as(w.champion), &auth.Principal{UserID: "usr_demo_champion", Role: auth.Volunteer, SchemeID: "org_s1"},
			community.VolunteerFilter{DBSDue: true})
		if err != nil || len(due.Items) != 2 {
			t.Errorf("the champion's DBS checks to chase: %+v %v", due.Items, err)
		}
	})
}
