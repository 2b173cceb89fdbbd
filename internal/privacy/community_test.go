package privacy_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/privacy"
)

// What the community tables hold of Zephyrine, which erasure must take.
func init() { secrets = append(secrets, "SECRET-VISIT", "SECRET-ENDED") }

var (
	workerP    = &auth.Principal{UserID: "usr_worker", Role: auth.LinkWorker}
	managerP   = &auth.Principal{UserID: "usr_manager", Role: auth.Manager}
	volunteerP = &auth.Principal{UserID: "usr_volunteer", Role: auth.Volunteer}
)

// community gives Zephyrine's referral, while it is open, a volunteer who
// logged a visit and whose match ended, and a safeguarding concern a
// manager closed.
func (w *world) community(t *testing.T, referralID string) {
	t.Helper()
	ctx := context.Background()
	oikostest.Exec(t, w.d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at)
		VALUES ('usr_volunteer', 'val@example.org', 'Val Volunteer', 'volunteer', NULL, 1, 1)`)
	vol := community.NewVolunteering(w.d)
	must(vol.SaveVolunteer(ctx, manager, managerP, "usr_volunteer", community.VolunteerInput{Kind: "befriender", Postcode: "EX2 4AN",
		DBSCheckedOn: ptr("2025-01-01"), DBSExpiresOn: ptr("2099-01-01")}))(t)
	m := must(vol.CreateMatch(ctx, worker, workerP, referralID, community.MatchInput{VolunteerID: "usr_volunteer",
		Share: community.Share{ContactDetails: true, WhatMatters: true, Plan: true}}))(t)
	must(vol.LogContact(ctx, oikos.Actor{UserID: "usr_volunteer", Client: "test"}, volunteerP, m.ID,
		community.ContactInput{Date: ukDate(vol.Now()), Minutes: 60, Mode: "home_visit", Note: "SECRET-VISIT"}))(t)
	must(vol.EndMatch(ctx, worker, workerP, m.ID, community.EndInput{Reason: "SECRET-ENDED"}))(t)
	safe := community.NewSafeguarding(w.d)
	c := must(safe.RaiseConcern(ctx, worker, workerP, referralID, community.ConcernInput{Category: "self_neglect", Level: "high",
		Description: "KEPT-CONCERN: no heating at home"}))(t)
	must(safe.AddConcernAction(ctx, manager, managerP, c.ID, community.ActionInput{Action: "KEPT-ACTION: heater fitted", Status: "closed",
		Outcome: "KEPT-OUTCOME: warm and safe"}))(t)
}

// invite invites Zephyrine, whose referral closed with her goals met, to
// become a peer mentor.
func (w *world) invite(t *testing.T, referralID string) {
	t.Helper()
	vol := community.NewVolunteering(w.d)
	inv := must(vol.InviteMentor(context.Background(), worker, workerP, referralID))(t)
	must(vol.MentorStage(context.Background(), worker, workerP, inv.ID, community.StageInput{Stage: "interested"}))(t)
}

func ptr[T any](v T) *T { return &v }

func TestCommunityInTheExportAndErasure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		store := privacy.NewStore(d)
		x := must(store.Export(ctx, worker, w.personID))(t)
		r := x.Referrals[0]
		if len(r.Concerns) != 1 || r.Concerns[0].Status != "closed" || r.Concerns[0].Withheld != privacy.ConcernWithheld {
			t.Errorf("concerns: %+v", r.Concerns)
		}
		body, _ := json.Marshal(x)
		if strings.Contains(string(body), "KEPT-") {
			t.Error("the export gives the words of a safeguarding concern")
		}
		if len(r.VolunteerMatches) != 1 || r.VolunteerMatches[0].EndReason != "SECRET-ENDED" || len(r.VolunteerMatches[0].Shared) != 3 ||
			len(r.VolunteerMatches[0].Contacts) != 1 || r.VolunteerMatches[0].Contacts[0].Note != "SECRET-VISIT" ||
			!strings.Contains(r.VolunteerMatches[0].Volunteer, "Val Volunteer") {
			t.Errorf("volunteer matches: %+v", r.VolunteerMatches)
		}
		if r.MentorInvitation == nil || r.MentorInvitation.Stage != "interested" || len(r.MentorInvitation.Stages) != 2 {
			t.Errorf("mentor invitation: %+v", r.MentorInvitation)
		}
		for _, what := range []string{"volunteer_match", "mentor_invitation"} {
			if !slices.ContainsFunc(x.Audit, func(e privacy.AuditEntry) bool { return e.What == what }) {
				t.Errorf("the export's audit lacks %s", what)
			}
		}
		if slices.ContainsFunc(x.Audit, func(e privacy.AuditEntry) bool { return e.What == "concern" }) {
			t.Error("the export's audit says who raised and read a safeguarding concern")
		}

		// An open concern holds erasure back.
		c := must(community.NewSafeguarding(d).RaiseConcern(ctx, manager, managerP, w.referralID,
			community.ConcernInput{Category: "other", Level: "low", Description: "KEPT-SECOND"}))(t)
		if err := store.Erase(ctx, manager, w.personID, "Asked by letter"); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("erased with a concern open: %v", err)
		}
		must(community.NewSafeguarding(d).AddConcernAction(ctx, manager, managerP, c.ID, community.ActionInput{Action: "Checked", Status: "closed", Outcome: "No concern"}))(t)
		if err := store.Erase(ctx, manager, w.personID, "Asked by letter"); err != nil {
			t.Fatal(err)
		}
		if left := scan(t, d, []string{"SECRET-VISIT", "SECRET-ENDED"}); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
		// Safeguarding records are kept in full.
		if kept := scan(t, d, []string{"KEPT-CONCERN", "KEPT-ACTION", "KEPT-OUTCOME"}); len(kept) != 3 {
			t.Errorf("erasure took a safeguarding record: %v", kept)
		}
		x = must(store.Export(ctx, manager, w.personID))(t)
		if m := x.Referrals[0].VolunteerMatches; len(m) != 1 || m[0].Contacts[0].Minutes != 60 || m[0].Contacts[0].Note != "" {
			t.Errorf("after erasure: %+v", m)
		}
	})
}
