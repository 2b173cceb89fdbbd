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
)

func TestVolunteerProfiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		champ := profile(community.KindHealthChampion, "EX2 4AB")
		w.keep(t, w.manager, w.champion.UserID, champ)

		in := profile(community.KindBefriender, "ex4 4qj")
		in.CoordinatorID = w.champion.UserID
		in.Phone = ptr("07700 900123")
		got := w.keep(t, w.manager, w.volunteer.UserID, in)
		if got.Kind != "befriender" || got.Postcode != "EX4 4QJ" || got.DBSStatus != community.DBSInDate || got.CoordinatorID == nil ||
			*got.CoordinatorID != "usr_hc" || got.SchemeID != "org_s1" || got.Name != "Val Volunteer" || got.Phone != "07700 900123" || got.Graduate {
			t.Errorf("saved: %+v", got)
		}
		if n := audited(t, d, "volunteer", w.volunteer.UserID); n["create"] != 1 {
			t.Errorf("audit: %v", n)
		}

		// Who may keep it: a manager of the volunteer's scheme only, and
		// only a volunteer's.
		for name, p := range map[string]*auth.Principal{"another scheme's manager": w.farManager, "a link worker": w.worker,
			"the volunteer": w.volunteer, "their champion": w.champion} {
			_, err := w.vol.SaveVolunteer(ctx, as(p), p, w.volunteer.UserID, in)
			wantCode(t, name+" saves", err, oikos.ENOTFOUND)
		}
		_, err := w.vol.SaveVolunteer(ctx, as(w.manager), w.manager, w.worker.UserID, in)
		wantCode(t, "a link worker's account as a volunteer", err, oikos.ENOTFOUND)
		_, err = w.vol.SaveVolunteer(ctx, as(w.manager), w.manager, "usr_nobody", in)
		wantCode(t, "nobody", err, oikos.ENOTFOUND)

		// The coordinator must be a health champion of the same scheme.
		for name, c := range map[string]string{"a plain volunteer": w.volunteer2.UserID, "themselves": w.volunteer.UserID,
			"another scheme's volunteer": w.farVolunteer.UserID, "a link worker": w.worker.UserID, "nobody": "usr_x"} {
			bad := in
			bad.CoordinatorID = c
			_, err := w.vol.SaveVolunteer(ctx, as(w.manager), w.manager, w.volunteer.UserID, bad)
			wantField(t, "coordinator "+name, err, "coordinator_id")
		}
		// A health champion who coordinates someone stays one.
		notChamp := champ
		notChamp.Kind = community.KindVolunteer
		_, err = w.vol.SaveVolunteer(ctx, as(w.manager), w.manager, w.champion.UserID, notChamp)
		wantField(t, "champion with volunteers made plain", err, "kind")
		// A postcode no centroid knows.
		nowhere := in
		nowhere.Postcode = "ZZ9 9ZZ"
		_, err = w.vol.SaveVolunteer(ctx, as(w.manager), w.manager, w.volunteer.UserID, nowhere)
		wantField(t, "unplaceable postcode", err, "postcode")

		// Who may read it.
		for name, p := range map[string]*auth.Principal{"the volunteer": w.volunteer, "their champion": w.champion, "the manager": w.manager} {
			if v, err := w.vol.Volunteer(ctx, as(p), p, w.volunteer.UserID); err != nil || v.UserID != w.volunteer.UserID {
				t.Errorf("%s reads: %v", name, err)
			}
		}
		for name, p := range map[string]*auth.Principal{"another volunteer": w.volunteer2, "another scheme's manager": w.farManager,
			"a link worker": w.worker, "a commissioner": w.commissioner} {
			_, err := w.vol.Volunteer(ctx, as(p), p, w.volunteer.UserID)
			wantCode(t, name+" reads", err, oikos.ENOTFOUND)
		}
		if n := audited(t, d, "volunteer", w.volunteer.UserID); n["read"] != 3 {
			t.Errorf("reads audited: %v", n)
		}

		// The volunteer corrects their own contact details and times; the
		// manager's next save without phone keeps what they wrote.
		slots := []community.Slot{{Day: "thursday", From: "13:00", To: "17:00"}}
		own, err := w.vol.UpdateOwnDetails(ctx, as(w.volunteer), w.volunteer, w.volunteer.UserID,
			community.OwnDetailsInput{Phone: ptr("01392 111222"), Email: ptr("val@home.example"), Availability: &slots})
		if err != nil || own.Phone != "01392 111222" || own.Email != "val@home.example" || !slices.Equal(own.Availability, slots) || own.Kind != "befriender" {
			t.Fatalf("own details: %+v %v", own, err)
		}
		_, err = w.vol.UpdateOwnDetails(ctx, as(w.volunteer), w.volunteer, w.volunteer.UserID, community.OwnDetailsInput{Availability: &[]community.Slot{{Day: "x"}}})
		wantField(t, "own bad day", err, "availability[0].day")
		_, err = w.vol.UpdateOwnDetails(ctx, as(w.manager), w.manager, w.volunteer.UserID, community.OwnDetailsInput{Phone: ptr("1")})
		wantCode(t, "someone else's own details", err, oikos.ENOTFOUND)
		_, err = w.vol.UpdateOwnDetails(ctx, as(w.volunteer2), w.volunteer2, w.volunteer2.UserID, community.OwnDetailsInput{Phone: ptr("1")})
		wantCode(t, "own details without a profile", err, oikos.ENOTFOUND)
		in.Phone = nil
		again := w.keep(t, w.manager, w.volunteer.UserID, in)
		if again.Phone != "01392 111222" || again.Email != "val@home.example" {
			t.Errorf("manager's save kept contact details: %+v", again)
		}

		// Lists, and the DBS checks to chase.
		soon := profile(community.KindVolunteer, "EX1 1AA")
		soon.DBSCheckedOn, soon.DBSExpiresOn = ptr("2023-03-20"), ptr("2026-03-20")
		w.keep(t, w.manager, w.volunteer2.UserID, soon)
		w.keep(t, w.farManager, w.farVolunteer.UserID, profile(community.KindVolunteer, "PL1 1AA"))
		names := func(l community.Listing[community.Volunteer]) []string {
			var out []string
			for _, v := range l.Items {
				out = append(out, v.UserID)
			}
			return out
		}
		all, err := w.vol.Volunteers(ctx, as(w.manager), w.manager, community.VolunteerFilter{})
		if err != nil || !slices.Equal(names(all), []string{"usr_hc", "usr_vol", "usr_vol2"}) || all.Total != 3 || all.Next != nil {
			t.Errorf("manager's list: %v %v", names(all), err)
		}
		due, err := w.vol.Volunteers(ctx, as(w.manager), w.manager, community.VolunteerFilter{DBSDue: true})
		if err != nil || !slices.Equal(names(due), []string{"usr_vol2"}) || due.Items[0].DBSStatus != community.DBSExpiring {
			t.Errorf("DBS due: %v %v", names(due), err)
		}
		mine, err := w.vol.Volunteers(ctx, as(w.champion), w.champion, community.VolunteerFilter{})
		if err != nil || !slices.Equal(names(mine), []string{"usr_vol"}) {
			t.Errorf("champion's list: %v %v", names(mine), err)
		}
		none, err := w.vol.Volunteers(ctx, as(w.volunteer2), w.volunteer2, community.VolunteerFilter{})
		if err != nil || len(none.Items) != 0 {
			t.Errorf("a volunteer who coordinates nobody: %v %v", names(none), err)
		}
		_, err = w.vol.Volunteers(ctx, as(w.worker), w.worker, community.VolunteerFilter{})
		wantCode(t, "link worker lists volunteers", err, oikos.ENOTFOUND)
		page, err := w.vol.Volunteers(ctx, as(w.manager), w.manager, community.VolunteerFilter{PageQuery: community.PageQuery{Limit: 2}})
		if err != nil || len(page.Items) != 2 || page.Next == nil {
			t.Fatalf("page: %v %v", names(page), err)
		}
		rest, err := w.vol.Volunteers(ctx, as(w.manager), w.manager, community.VolunteerFilter{PageQuery: community.PageQuery{Limit: 2, Cursor: *page.Next}})
		if err != nil || !slices.Equal(names(rest), []string{"usr_vol2"}) || rest.Next != nil {
			t.Errorf("next page: %v %v", names(rest), err)
		}
		_, err = w.vol.Volunteers(ctx, as(w.manager), w.manager, community.VolunteerFilter{PageQuery: community.PageQuery{Cursor: "bogus"}})
		wantField(t, "bad cursor", err, "cursor")
		_, err = w.vol.Volunteers(ctx, as(w.manager), w.manager, community.VolunteerFilter{Kind: "hero"})
		wantField(t, "bad kind", err, "kind")
	})
}
