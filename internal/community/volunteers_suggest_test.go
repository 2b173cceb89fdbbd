package community_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// addVolunteer makes a volunteer account in a scheme and keeps its
// profile.
func (w *world) addVolunteer(t testing.TB, manager *auth.Principal, id, postcode string, edit func(in *community.VolunteerInput)) {
	t.Helper()
	execSQL(t, w.d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES ($1, $2, $3, 'volunteer', $4, 1, 1)`,
		id, id+"@example.org", "Volunteer "+id, manager.SchemeID)
	in := profile(community.KindBefriender, postcode)
	in.Interests, in.Languages, in.Availability = nil, []string{"English"}, nil
	if edit != nil {
		edit(&in)
	}
	w.keep(t, manager, id, in)
}

func TestVolunteerSuggestions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.withPerson(t) // interests: gardening and walks; strengths: baking
		execSQL(t, d, `INSERT INTO referral_preferences (referral_id, days, times, max_km, accessibility, updated_at, updated_by)
			VALUES ($1, '["tuesday"]', '["afternoon"]', 5, '[]', 1, 'usr_lw')`, w.referralID)

		w.addVolunteer(t, w.manager, "v_gardener", "EX4 4QJ", func(in *community.VolunteerInput) {
			in.Interests = []string{"Gardening", "Baking"}
			in.Availability = []community.Slot{{Day: "tuesday", From: "13:00", To: "16:00"}}
		})
		w.addVolunteer(t, w.manager, "v_walker", "EX2 4AB", func(in *community.VolunteerInput) { in.Interests = []string{"Walking"} })
		w.addVolunteer(t, w.manager, "v_near", "EX4 4QJ", nil)
		w.addVolunteer(t, w.manager, "v_nodbs", "EX4 4QJ", func(in *community.VolunteerInput) {
			in.Interests, in.DBSCheckedOn, in.DBSExpiresOn = []string{"Gardening"}, nil, nil
		})
		w.addVolunteer(t, w.manager, "v_expired", "EX4 4QJ", func(in *community.VolunteerInput) {
			in.Interests, in.DBSCheckedOn, in.DBSExpiresOn = []string{"Gardening"}, ptr("2022-01-01"), ptr("2026-03-01")
		})
		w.addVolunteer(t, w.manager, "v_left", "EX4 4QJ", func(in *community.VolunteerInput) { in.Interests = []string{"Gardening"} })
		execSQL(t, d, "UPDATE users SET active = false WHERE id = 'v_left'")
		w.addVolunteer(t, w.manager, "v_matched", "EX4 4QJ", func(in *community.VolunteerInput) { in.Interests = []string{"Gardening"} })
		if _, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, w.referralID, community.MatchInput{VolunteerID: "v_matched"}); err != nil {
			t.Fatal(err)
		}
		w.addVolunteer(t, w.manager, "v_york", "YO1 7HH", func(in *community.VolunteerInput) { in.Interests = []string{"Gardening"} })
		w.addVolunteer(t, w.farManager, "v_other_scheme", "EX4 4QJ", func(in *community.VolunteerInput) { in.Interests = []string{"Gardening"} })

		got, err := w.vol.VolunteerSuggestions(ctx, as(w.worker), w.worker, w.referralID, community.SuggestOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range got.Items {
			ids = append(ids, s.VolunteerID)
		}
		if !slices.Equal(ids, []string{"v_gardener", "v_walker", "v_near"}) {
			t.Fatalf("suggested %v", ids)
		}
		best := got.Items[0]
		if best.Name != "Volunteer v_gardener" || best.DistanceKm == nil || *best.DistanceKm != 0 || !slices.Equal(best.FreeWhen, []string{"Tuesday afternoons"}) ||
			!slices.Contains(best.Reasons, "Shares interests in “Gardening” and “Baking”") {
			t.Errorf("best: %+v", best)
		}
		if got.Place != "EX4 4QJ" || !slices.Equal(got.Interests, []string{"gardening and walks", "baking"}) || !slices.Equal(got.FreeWhen, []string{"Tuesday afternoons"}) {
			t.Errorf("what they were chosen by: %+v", got)
		}
		if got.Considered != 5 { // gardener, walker, near, left, matched: in date, in the scheme, within 60 km
			t.Errorf("considered %d", got.Considered)
		}

		// A language the person needs comes first.
		w.addVolunteer(t, w.manager, "v_polish", "EX2 4AB", func(in *community.VolunteerInput) { in.Languages = []string{"Polish"} })
		got, err = w.vol.VolunteerSuggestions(ctx, as(w.manager), w.manager, w.referralID, community.SuggestOptions{Languages: []string{"Polish"}})
		if err != nil || got.Items[0].VolunteerID != "v_polish" || !strings.Contains(strings.Join(got.Items[1].Reasons, "|"), "Does not speak Polish") {
			t.Errorf("language: %+v %v", got.Items, err)
		}
		_, err = w.vol.VolunteerSuggestions(ctx, as(w.manager), w.manager, w.referralID, community.SuggestOptions{Languages: []string{"bad\x00"}})
		wantField(t, "bad language", err, "languages[0]")

		for name, p := range map[string]*auth.Principal{"another link worker": w.otherWorker, "a volunteer": w.volunteer, "another scheme's manager": w.farManager,
			"a provider": w.provider, "the referrer": w.referrer} {
			_, err := w.vol.VolunteerSuggestions(ctx, as(p), p, w.referralID, community.SuggestOptions{})
			wantCode(t, name+" asks", err, oikos.ENOTFOUND)
		}
		if n := audited(t, d, "referral.volunteer_suggestions", w.referralID); n["read"] != 2 {
			t.Errorf("audit: %v", n)
		}
	})
}

// TestSuggestionsReadTheIndex: on SQLite the candidates come from the
// volunteers_suggest index alone, a range of latitude, never the table.
func TestSuggestionsReadTheIndex(t *testing.T) {
	d := dbtest.SQLite(t)
	rows, err := d.R().QueryContext(context.Background(), `EXPLAIN QUERY PLAN SELECT user_id, latitude, longitude, dbs_expires_on, available, terms, languages
		FROM volunteers WHERE scheme_id = $1 AND latitude BETWEEN $2 AND $3 AND longitude BETWEEN $4 AND $5 AND dbs_expires_on >= $6`,
		"s", 50.0, 51.0, -4.0, -3.0, "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) != 1 || !strings.Contains(plan[0], "COVERING INDEX volunteers_suggest (scheme_id=? AND latitude>? AND latitude<?)") {
		t.Errorf("plan: %q", plan)
	}
}
