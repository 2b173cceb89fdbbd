package community_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

// withPerson gives Margaret's referral a what-matters conversation and a
// plan with a step for a volunteer.
func (w *world) withPerson(t *testing.T) {
	t.Helper()
	execSQL(t, w.d, `INSERT INTO conversations (id, referral_id, held_at, mode, what_matters, strengths, interests, notes, needs, by_user, created_at)
		VALUES ('cv1', $1, '2026-02-20', 'in_person', 'Seeing her grandchildren', '["baking"]', 'gardening and walks', 'private note', '[]', 'usr_lw', $2)`,
		w.referralID, db.Millis(w.clock))
	_, err := casework.NewStore(w.d).SavePlan(context.Background(), as(w.worker), w.referralID, []casework.Goal{
		{Text: "Get out more", Steps: []casework.Step{{Text: "Walk to the park together", Owner: "volunteer"}, {Text: "Ring the GP", Owner: "person"}}},
		{Text: "Sort money", Steps: []casework.Step{{Text: "Benefits check", Owner: "link_worker"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.withPerson(t)
		w.keep(t, w.manager, w.champion.UserID, profile(community.KindHealthChampion, "EX2 4AB"))
		val := profile(community.KindBefriender, "EX4 4QJ")
		val.CoordinatorID = w.champion.UserID
		w.keep(t, w.manager, w.volunteer.UserID, val)
		expired := profile(community.KindVolunteer, "EX4 4QJ")
		expired.DBSCheckedOn, expired.DBSExpiresOn = ptr("2022-01-01"), ptr("2026-03-01")
		w.keep(t, w.manager, w.volunteer2.UserID, expired)
		w.keep(t, w.farManager, w.farVolunteer.UserID, profile(community.KindVolunteer, "PL1 1AA"))

		share := community.Share{ContactDetails: true, Plan: true}
		in := community.MatchInput{VolunteerID: w.volunteer.UserID, Share: share}
		for name, p := range map[string]*auth.Principal{"another link worker": w.otherWorker, "another scheme's manager": w.farManager,
			"the volunteer": w.volunteer, "a provider": w.provider, "the referrer": w.referrer} {
			_, err := w.vol.CreateMatch(ctx, as(p), p, w.referralID, in)
			wantCode(t, name+" matches", err, oikos.ENOTFOUND)
		}
		for name, id := range map[string]string{"an expired DBS": w.volunteer2.UserID, "no profile": w.champion.UserID + "x",
			"another scheme's volunteer": w.farVolunteer.UserID, "a link worker": w.worker.UserID, "nobody": ""} {
			_, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, w.referralID, community.MatchInput{VolunteerID: id})
			wantField(t, name, err, "volunteer_id")
		}
		_, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, "ref_nothing", in)
		wantCode(t, "no referral", err, oikos.ENOTFOUND)

		m, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, w.referralID, in)
		if err != nil {
			t.Fatal(err)
		}
		want := community.SharedPerson{GivenName: "Margaret", FamilyName: "Hughes", Phone: "01392 000000", Email: "margaret@example.org", Postcode: "EX4 4QJ"}
		if m.Status != "active" || m.StartedOn != "2026-03-02" || m.Person.GivenName != want.GivenName || m.Person.Phone != want.Phone ||
			m.Person.WhatMatters != "" || len(m.Person.Plan) != 1 || len(m.Person.Plan[0].Steps) != 1 || m.Person.Plan[0].Steps[0].Text != "Walk to the park together" {
			t.Errorf("match: %+v", m)
		}
		if to := outbox(t, d, community.KindVolunteerMatched); len(to) != 1 || to[0] != "usr_vol@example.org" {
			t.Errorf("volunteer told: %v", to)
		}
		body := ""
		d.R().QueryRowContext(ctx, "SELECT body FROM outbox WHERE kind = $1", community.KindVolunteerMatched).Scan(&body)
		if strings.Contains(body, "Margaret") || !strings.Contains(body, "/volunteer-matches/"+m.ID) {
			t.Errorf("email says too much or too little: %s", body)
		}
		_, err = w.vol.CreateMatch(ctx, as(w.manager), w.manager, w.referralID, in)
		wantCode(t, "matched twice", err, oikos.ECONFLICT)

		// The volunteer sees their match, and only theirs, and only what
		// was shared; nobody else outside the person's circle sees it.
		list, err := w.vol.Matches(ctx, as(w.volunteer), w.volunteer, community.MatchFilter{})
		if err != nil || len(list.Items) != 1 || list.Items[0].ID != m.ID || list.Items[0].Person.WhatMatters != "" {
			t.Fatalf("volunteer's list: %+v %v", list, err)
		}
		for name, p := range map[string]*auth.Principal{"another volunteer": w.volunteer2, "their champion": w.champion, "another scheme's volunteer": w.farVolunteer,
			"another link worker": w.otherWorker, "another scheme's manager": w.farManager, "a provider": w.provider, "a commissioner": w.commissioner} {
			_, err := w.vol.Match(ctx, as(p), p, m.ID)
			wantCode(t, name+" reads the match", err, oikos.ENOTFOUND)
		}
		for name, p := range map[string]*auth.Principal{"another volunteer": w.volunteer2, "another link worker": w.otherWorker, "another scheme's manager": w.farManager} {
			l, err := w.vol.Matches(ctx, as(p), p, community.MatchFilter{})
			if err != nil || len(l.Items) != 0 {
				t.Errorf("%s's list: %+v %v", name, l.Items, err)
			}
		}
		_, err = w.vol.Matches(ctx, as(w.provider), w.provider, community.MatchFilter{})
		wantCode(t, "a provider lists matches", err, oikos.ENOTFOUND)

		// Contacts: the matched volunteer only, with good values.
		contact := community.ContactInput{Date: "2026-03-02", Minutes: 75, Mode: "home_visit", Note: "Tea and a walk"}
		if _, err := w.vol.LogContact(ctx, as(w.worker), w.worker, m.ID, contact); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("link worker logs a volunteer contact: %v", err)
		}
		_, err = w.vol.LogContact(ctx, as(w.volunteer), w.volunteer, m.ID, community.ContactInput{Date: "2026-03-01", Minutes: 30, Mode: "phone"})
		wantField(t, "before the match", err, "date")
		_, err = w.vol.LogContact(ctx, as(w.volunteer), w.volunteer, m.ID, community.ContactInput{Date: "2026-03-02", Minutes: 9999, Mode: "phone"})
		wantField(t, "too long", err, "minutes")
		if _, err := w.vol.LogContact(ctx, as(w.volunteer), w.volunteer, m.ID, contact); err != nil {
			t.Fatal(err)
		}
		w.clock = w.clock.Add(24 * time.Hour)
		if _, err := w.vol.LogContact(ctx, as(w.volunteer), w.volunteer, m.ID, community.ContactInput{Date: "2026-03-03", Minutes: 45, Mode: "phone"}); err != nil {
			t.Fatal(err)
		}
		got, err := w.vol.Match(ctx, as(w.volunteer), w.volunteer, m.ID)
		if err != nil || len(got.Contacts) != 2 || got.Hours != 2 || got.Contacts[0].Date != "2026-03-03" {
			t.Errorf("contacts: %+v %v", got, err)
		}

		// Their champion sees the figures, never the person.
		overview, err := w.vol.Coordinated(ctx, as(w.champion), w.champion, "")
		if err != nil || len(overview) != 1 || overview[0].UserID != w.volunteer.UserID || overview[0].Hours != 2 || overview[0].ActiveMatches != 1 ||
			len(overview[0].Matches) != 1 || overview[0].Matches[0].Contacts != 2 || overview[0].DBSStatus != community.DBSInDate {
			t.Errorf("champion's overview: %+v %v", overview, err)
		}
		if o, err := w.vol.Coordinated(ctx, as(w.volunteer2), w.volunteer2, ""); err != nil || len(o) != 0 {
			t.Errorf("a volunteer coordinating nobody: %+v %v", o, err)
		}
		if _, err := w.vol.Coordinated(ctx, as(w.worker), w.worker, ""); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("a link worker's overview: %v", err)
		}

		// Ending keeps the history; the volunteer no longer sees it.
		_, err = w.vol.EndMatch(ctx, as(w.volunteer2), w.volunteer2, m.ID, community.EndInput{Reason: "x"})
		wantCode(t, "another volunteer ends it", err, oikos.ENOTFOUND)
		_, err = w.vol.EndMatch(ctx, as(w.worker), w.worker, m.ID, community.EndInput{Reason: " "})
		wantField(t, "no reason", err, "reason")
		ended, err := w.vol.EndMatch(ctx, as(w.worker), w.worker, m.ID, community.EndInput{Reason: "Margaret has moved into her daughter's"})
		if err != nil || ended.Status != "ended" || ended.EndedOn == nil || *ended.EndedOn != "2026-03-03" || len(ended.Contacts) != 2 {
			t.Fatalf("ended: %+v %v", ended, err)
		}
		_, err = w.vol.EndMatch(ctx, as(w.manager), w.manager, m.ID, community.EndInput{Reason: "again"})
		wantCode(t, "ended twice", err, oikos.ECONFLICT)
		_, err = w.vol.Match(ctx, as(w.volunteer), w.volunteer, m.ID)
		wantCode(t, "volunteer reads an ended match", err, oikos.ENOTFOUND)
		_, err = w.vol.LogContact(ctx, as(w.volunteer), w.volunteer, m.ID, contact)
		wantCode(t, "contact on an ended match", err, oikos.ENOTFOUND)
		_, err = w.vol.EndMatch(ctx, as(w.volunteer), w.volunteer, m.ID, community.EndInput{Reason: "again"})
		wantCode(t, "volunteer ends an ended match", err, oikos.ENOTFOUND)
		if l, _ := w.vol.Matches(ctx, as(w.volunteer), w.volunteer, community.MatchFilter{}); len(l.Items) != 0 {
			t.Errorf("an ended match in the volunteer's list: %+v", l.Items)
		}
		if l, err := w.vol.Matches(ctx, as(w.manager), w.manager, community.MatchFilter{Status: "ended", ReferralID: w.referralID}); err != nil ||
			len(l.Items) != 1 || l.Items[0].EndReason == "" || len(l.Items[0].Contacts) != 2 {
			t.Errorf("manager's history: %+v %v", l.Items, err)
		}
		_, err = w.vol.Matches(ctx, as(w.manager), w.manager, community.MatchFilter{Status: "paused"})
		wantField(t, "bad status", err, "status")

		// A new match after the first ended is allowed; sharing what
		// matters shows the person's words, never the notes.
		again, err := w.vol.CreateMatch(ctx, as(w.manager), w.manager, w.referralID, community.MatchInput{VolunteerID: w.volunteer.UserID,
			Share: community.Share{WhatMatters: true}})
		if err != nil || again.Person.WhatMatters != "Seeing her grandchildren" || again.Person.Phone != "" || again.Person.Plan != nil {
			t.Errorf("second match: %+v %v", again, err)
		}
		// The volunteer may end their own.
		if _, err := w.vol.EndMatch(ctx, as(w.volunteer), w.volunteer, again.ID, community.EndInput{Reason: "I am moving away"}); err != nil {
			t.Error(err)
		}

		// A match on a referral that closes is over for its volunteer; the
		// hook ends it with the closing.
		open, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, w.referralID, community.MatchInput{VolunteerID: w.volunteer.UserID})
		if err != nil {
			t.Fatal(err)
		}

		// Restricted people and closed referrals get no new match.
		execSQL(t, d, "UPDATE people SET restricted_at = 1 WHERE id = $1", w.personID)
		_, err = w.vol.CreateMatch(ctx, as(w.worker), w.worker, w.referralID, community.MatchInput{VolunteerID: w.volunteer2.UserID})
		wantCode(t, "restricted", err, oikos.ECONFLICT)
		execSQL(t, d, "UPDATE people SET restricted_at = NULL WHERE id = $1", w.personID)
		refs := referral.NewStore(d)
		if _, err := refs.Transition(ctx, as(w.worker), w.referralID, referral.Closed, "moved_away"); err != nil {
			t.Fatal(err)
		}
		_, err = w.vol.Match(ctx, as(w.volunteer), w.volunteer, open.ID)
		wantCode(t, "volunteer reads a match on a closed referral", err, oikos.ENOTFOUND)
		if l, _ := w.vol.Matches(ctx, as(w.volunteer), w.volunteer, community.MatchFilter{}); len(l.Items) != 0 {
			t.Errorf("a closed referral's match in the volunteer's list: %+v", l.Items)
		}
		_, err = w.vol.CreateMatch(ctx, as(w.worker), w.worker, w.referralID, in)
		wantCode(t, "closed", err, oikos.ECONFLICT)

		// With the hook, closing ends the referral's matches.
		refs.OnChange = w.vol.OnReferralChange
		other := newReferral(t, d, w.worker, "org_s1", "Doris", "EX1 1AA")
		om, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, other, community.MatchInput{VolunteerID: w.volunteer.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := refs.Transition(ctx, as(w.worker), other, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}
		if got, err := w.vol.Match(ctx, as(w.manager), w.manager, om.ID); err != nil || got.Status != "ended" || got.EndReason != community.EndedWithReferral {
			t.Errorf("closing did not end the match: %+v %v", got, err)
		}

		n := audited(t, d, "volunteer_match", m.ID)
		if n["create"] != 1 || n["update"] != 3 || n["read"] != 3 {
			t.Errorf("match audit: %v", n)
		}
	})
}

// TestMatchOnceUnderRace: two link workers matching the same volunteer to
// the same person at once make one match; the other is told it exists.
// Concurrent contacts all count in the day's total.
func TestMatchOnceUnderRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.keep(t, w.manager, w.volunteer.UserID, profile(community.KindBefriender, "EX4 4QJ"))
		const n = 6
		errs := make(chan error, n)
		ids := make(chan string, n)
		for range n {
			go func() {
				m, err := w.vol.CreateMatch(ctx, as(w.manager), w.manager, w.referralID, community.MatchInput{VolunteerID: w.volunteer.UserID})
				errs <- err
				ids <- m.ID
			}()
		}
		made, refused := 0, 0
		var id string
		for range n {
			switch err := <-errs; {
			case err == nil:
				made++
			case oikos.ErrorCode(err) == oikos.ECONFLICT:
				refused++
			default:
				t.Errorf("unexpected: %v", err)
			}
			if got := <-ids; got != "" {
				id = got
			}
		}
		if made != 1 || refused != n-1 {
			t.Fatalf("%d made, %d refused", made, refused)
		}
		for range n {
			go func() {
				_, err := w.vol.LogContact(ctx, as(w.volunteer), w.volunteer, id, community.ContactInput{Date: "2026-03-02", Minutes: 10, Mode: "phone"})
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		var minutes, contacts int
		if err := d.R().QueryRowContext(ctx, "SELECT minutes, contacts FROM volunteer_days WHERE scheme_id = 'org_s1' AND on_date = '2026-03-02'").Scan(&minutes, &contacts); err != nil {
			t.Fatal(err)
		}
		if minutes != 10*n || contacts != n {
			t.Errorf("day's total: %d minutes, %d contacts", minutes, contacts)
		}
	})
}
