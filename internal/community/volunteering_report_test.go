package community_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/report"
)

// TestVolunteeringReport counts a scheme's volunteering: six volunteers
// each matched to a person in March, one match ended in February, one of
// another scheme; contacts in and out of the period.
func TestVolunteeringReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.clock = time.Date(2026, 2, 10, 10, 0, 0, 0, time.UTC)
		var vols []*auth.Principal
		for i := range 6 {
			id := fmt.Sprintf("usr_v%d", i)
			execSQL(t, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES ($1, $2, $3, 'volunteer', 'org_s1', 1, 1)`,
				id, id+"@example.org", fmt.Sprintf("Volunteer %d", i))
			p := &auth.Principal{UserID: id, Role: auth.Volunteer, OrganisationID: "org_s1", SchemeID: "org_s1"}
			kind := community.KindBefriender
			if i < 5 {
				kind = community.KindPeerMentor
			}
			w.keep(t, w.manager, id, profile(kind, "EX4 4QJ"))
			vols = append(vols, p)
		}
		execSQL(t, d, "UPDATE volunteers SET graduate = true WHERE user_id IN ('usr_v0', 'usr_v1')")

		// An early match, ended in February with an hour logged.
		early, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, w.referralID, community.MatchInput{VolunteerID: vols[5].UserID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.vol.LogContact(ctx, as(vols[5]), vols[5], early.ID, community.ContactInput{Date: "2026-02-10", Minutes: 60, Mode: "phone"}); err != nil {
			t.Fatal(err)
		}
		w.clock = time.Date(2026, 2, 20, 10, 0, 0, 0, time.UTC)
		if _, err := w.vol.EndMatch(ctx, as(w.worker), w.worker, early.ID, community.EndInput{Reason: "Not a good fit"}); err != nil {
			t.Fatal(err)
		}

		// March: five volunteers, five people, 50 minutes each (one also
		// logs on 1 April, after the period).
		w.clock = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		for i := range 5 {
			ref := w.referralID
			if i > 0 {
				ref = newReferral(t, d, w.worker, "org_s1", fmt.Sprintf("Person%c", 'A'+i), "EX4 4QJ")
			}
			m, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, ref, community.MatchInput{VolunteerID: vols[i].UserID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.vol.LogContact(ctx, as(vols[i]), vols[i], m.ID, community.ContactInput{Date: "2026-03-02", Minutes: 50, Mode: "in_person"}); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				w.clock = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
				if _, err := w.vol.LogContact(ctx, as(vols[i]), vols[i], m.ID, community.ContactInput{Date: "2026-04-01", Minutes: 600, Mode: "in_person"}); err != nil {
					t.Fatal(err)
				}
				w.clock = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
			}
		}
		// Another scheme's volunteering counts only there.
		w.keep(t, w.farManager, w.farVolunteer.UserID, profile(community.KindPeerMentor, "PL1 1AA"))
		far := newReferral(t, d, w.farWorker, "org_s2", "Faraway", "PL1 1AA")
		if _, err := w.vol.CreateMatch(ctx, as(w.farWorker), w.farWorker, far, community.MatchInput{VolunteerID: w.farVolunteer.UserID}); err != nil {
			t.Fatal(err)
		}

		march, _ := report.ParsePeriod("2026-03-01", "2026-03-31", w.clock)
		got, err := w.vol.VolunteeringReport(ctx, as(w.commissioner), w.commissioner, march)
		if err != nil {
			t.Fatal(err)
		}
		check := func(name string, got *int, want int) {
			t.Helper()
			if got == nil || *got != want {
				t.Errorf("%s: got %v, want %d", name, got, want)
			}
		}
		check("volunteers_active", got.VolunteersActive, 5)
		check("matches", got.Matches, 5)
		check("people_supported", got.PeopleSupported, 5)
		check("peer_mentors", got.PeerMentors, 5)
		if got.Hours == nil || *got.Hours != 4.2 { // 250 minutes
			t.Errorf("hours: %v", got.Hours)
		}
		// Two graduates of five peer mentors: three non-graduates would be
		// given away, so both the graduates are hidden.
		if got.GraduatesActive != nil || len(got.Suppressed) != 1 || got.Suppressed[0] != "graduates_active" {
			t.Errorf("graduates: %v %v", got.GraduatesActive, got.Suppressed)
		}

		// February to March: the months added up, each protected as a
		// report of its own. February had one volunteer, one match and one
		// person: hidden there, so hidden in every period with February in
		// it, lest February to March minus March give them away.
		both, _ := report.ParsePeriod("2026-02-01", "2026-03-31", w.clock)
		got, err = w.vol.VolunteeringReport(ctx, as(w.manager), w.manager, both)
		if err != nil {
			t.Fatal(err)
		}
		if got.VolunteersActive != nil || got.Matches != nil || got.PeopleSupported != nil || got.Hours != nil ||
			!slices.Equal(got.Suppressed, []string{"volunteers_active", "matches", "people_supported", "hours", "graduates_active"}) {
			t.Errorf("February to March: %+v", got)
		}
		// February is closed (it is 2 March): counted once, and kept.
		var kept int
		if err := d.R().QueryRowContext(ctx, "SELECT volunteers_active FROM volunteering_months WHERE scheme_id = 'org_s1' AND month = '2026-02'").Scan(&kept); err != nil || kept != 1 {
			t.Errorf("February kept: %d, %v", kept, err)
		}

		// March to April: no day of April has come, so no match ran in it
		// yet; the peer mentors are those of 30 April.
		ahead, _ := report.ParsePeriod("2026-03-01", "2026-04-30", w.clock)
		got, err = w.vol.VolunteeringReport(ctx, as(w.manager), w.manager, ahead)
		if err != nil {
			t.Fatal(err)
		}
		check("volunteers_active March–April", got.VolunteersActive, 5)
		check("people_supported March–April", got.PeopleSupported, 5)
		if got.Hours == nil || *got.Hours != 14.2 { // the 600 minutes logged for 1 April too
			t.Errorf("hours March–April: %v", got.Hours)
		}

		// January: nothing yet, and nothing is shown as such (zero points
		// at nobody).
		january, _ := report.ParsePeriod("2026-01-01", "2026-01-31", w.clock)
		got, err = w.vol.VolunteeringReport(ctx, as(w.manager), w.manager, january)
		if err != nil || got.VolunteersActive == nil || *got.VolunteersActive != 0 || got.Hours == nil || *got.Hours != 0 || len(got.Suppressed) != 0 {
			t.Errorf("January: %+v %v", got, err)
		}
		for name, p := range map[string]*auth.Principal{"link worker": w.worker, "volunteer": w.volunteer, "provider": w.provider} {
			_, err := w.vol.VolunteeringReport(ctx, as(p), p, march)
			wantCode(t, name+" reads the report", err, oikos.ENOTFOUND)
		}
	})
}
