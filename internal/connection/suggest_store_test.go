package connection_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos/internal/audit"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/oikostest"
	"oikos/internal/org"
)

// exeterServices adds a few services around Exeter and one in Plymouth,
// and returns their ids by name.
func exeterServices(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	o, err := (&org.Store{DB: d}).Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: "Exeter Community Trust", Kind: "vcse"})
	if err != nil {
		t.Fatal(err)
	}
	ds := directory.NewStore(d)
	ids := map[string]string{}
	for _, in := range []directory.Input{
		{Name: "Belmont befriending", Description: "A volunteer visits or calls every week.", Categories: []string{"befriending"}, Postcode: "EX4 4QJ",
			Schedule: []directory.Session{{Day: "tuesday", Opens: "10:00", Closes: "12:00"}}, CostPence: cost(0), Accessibility: []string{"Step-free access"}},
		{Name: "Exeter garden club", Description: "Gardening together on the community allotment, tea after.", Categories: []string{"hobbies_interests"},
			Postcode: "EX4 6PX", Schedule: []directory.Session{{Day: "thursday", Opens: "14:00", Closes: "16:00"}}, CostPence: cost(200)},
		{Name: "Money advice drop-in", Description: "Free advice on debt and benefits.", Categories: []string{"money_debt_advice"}, Postcode: "EX4 3SR",
			CostPence: cost(0), Capacity: places(0)},
		{Name: "Plymouth lunch club", Description: "A hot lunch and company.", Categories: []string{"social_groups"}, Postcode: "PL1 1AA", CostPence: cost(0)},
	} {
		in.OrganisationID = o.ID
		v, err := ds.Create(ctx, directory.Actor{UserID: "system"}, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[in.Name] = v.ID
	}
	return ids
}

func unmetRows(t *testing.T, d *db.DB, referralID string) []string {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), "SELECT need, priority, area, on_date, found FROM unmet_needs WHERE referral_id = $1 ORDER BY on_date, need", referralID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var need, area, on string
		var priority, found int
		if err := rows.Scan(&need, &priority, &area, &on, &found); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join([]string{need, string(rune('0' + priority)), area, on, string(rune('0' + found))}, " "))
	}
	return out
}

func TestSuggest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := exeterServices(t, d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Ada)
		s := connection.NewSuggester(d)
		today := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return today }

		// Before the conversation: the referral's reasons, at medium priority.
		got, err := s.Suggest(ctx, worker, ref)
		if err != nil {
			t.Fatal(err)
		}
		if got.NeedsFrom != "referral" || len(got.Needs) != 1 || got.Needs[0].Priority != 2 || got.Place != "EX4 4QJ" || got.Preferences.MaxKm != 5 {
			t.Fatalf("from the referral: %+v", got)
		}
		if len(got.Items) == 0 || got.Items[0].ID != ids["Belmont befriending"] {
			t.Fatalf("items %+v", got.Items)
		}
		for _, it := range got.Items {
			if it.ID == ids["Plymouth lunch club"] {
				t.Errorf("Plymouth suggested to someone in Exeter")
			}
		}

		// After it: its needs and interests.
		if _, err := casework.NewStore(d).RecordConversation(ctx, worker, ref.ID, casework.ConversationInput{HeldAt: "2026-03-01", Mode: "phone",
			Needs:       []casework.NeedInput{{Code: "loneliness", Priority: 1}, {Code: "money_worries", Priority: 2}, {Code: "housing", Priority: 3}},
			WhatMatters: "Seeing people", Interests: "I love gardening"}); err != nil {
			t.Fatal(err)
		}
		got, err = s.Suggest(ctx, worker, ref)
		if err != nil {
			t.Fatal(err)
		}
		if got.NeedsFrom != "conversation" || len(got.Needs) != 3 || got.Interests != "I love gardening" {
			t.Fatalf("from the conversation: %+v", got)
		}
		byID := map[string]connection.Suggestion{}
		for _, it := range got.Items {
			byID[it.ID] = it
		}
		garden := byID[ids["Exeter garden club"]]
		if !slices.Contains(garden.Reasons, "Matches their interest in “gardening”") || !slices.Contains(garden.Reasons, "£2 a session") ||
			!slices.Contains(garden.Reasons, "For loneliness") || garden.Name != "Exeter garden club" || garden.Organisation != "Exeter Community Trust" {
			t.Errorf("garden club: %+v", garden)
		}
		money := byID[ids["Money advice drop-in"]]
		if !money.WaitingList || money.Suitable || !slices.Contains(money.Reasons, "Full at the moment: waiting list") || !slices.Contains(money.Reasons, "For debt or money worries") {
			t.Errorf("money advice: %+v", money)
		}

		// Loneliness has two suitable services and money worries none
		// (the one is full): both unmet; housing is low priority.
		var unmet []string
		for _, u := range got.Unmet {
			unmet = append(unmet, u.Need)
		}
		if !slices.Equal(unmet, []string{"loneliness", "money_worries"}) {
			t.Errorf("unmet %+v", got.Unmet)
		}
		want := []string{"loneliness 1 EX4 2026-03-10 2", "money_worries 2 EX4 2026-03-10 0"}
		if rows := unmetRows(t, d, ref.ID); !slices.Equal(rows, want) {
			t.Errorf("rows %q, want %q", rows, want)
		}
		// Read again the same day: no more rows. The next day: again.
		if _, err := s.Suggest(ctx, worker, ref); err != nil {
			t.Fatal(err)
		}
		if rows := unmetRows(t, d, ref.ID); len(rows) != 2 {
			t.Errorf("same day: %q", rows)
		}
		today = today.AddDate(0, 0, 1)
		if _, err := s.Suggest(ctx, worker, ref); err != nil {
			t.Fatal(err)
		}
		if rows := unmetRows(t, d, ref.ID); len(rows) != 4 {
			t.Errorf("next day: %q", rows)
		}
		counts, err := s.CountUnmet(ctx, "2026-03-01", "2026-03-31")
		if err != nil || len(counts) != 2 || counts[0].Referrals != 1 || counts[0].Area != "EX4" {
			t.Errorf("counts %+v %v", counts, err)
		}
		if n := oikostest.AuditActions(t, d, "referral.suggestions", ref.ID)["read"]; n != 4 {
			t.Errorf("%d suggestion reads audited, want 4", n)
		}

		// Preferences narrow: only Thursdays, so befriending is not suitable.
		if _, err := s.SavePreferences(ctx, worker, ref.ID, connection.PreferencesInput{Days: []string{"thursday"}}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Suggest(ctx, worker, ref)
		for _, it := range got.Items {
			if it.ID == ids["Belmont befriending"] && (it.Suitable || !slices.Contains(it.Reasons, "Meets on Tuesdays, when you are not free")) {
				t.Errorf("befriending on a day they are not free: %+v", it)
			}
		}
		if got.Items[0].ID != ids["Exeter garden club"] {
			t.Errorf("first %s", got.Items[0].Name)
		}
	})
}

// TestSuggestSeesDirectoryChanges: the rows suggestions keep in memory
// follow every change to the directory, on either database: a new
// service, one filled up, one closed and one moved away are all seen by
// the next suggestions.
func TestSuggestSeesDirectoryChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := exeterServices(t, d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Ada)
		if _, err := casework.NewStore(d).RecordConversation(ctx, worker, ref.ID, casework.ConversationInput{HeldAt: "2026-03-01", Mode: "phone",
			Needs: []casework.NeedInput{{Code: "loneliness", Priority: 1}}, WhatMatters: "Seeing people", Interests: "gardening"}); err != nil {
			t.Fatal(err)
		}
		s := connection.NewSuggester(d)
		listed := func() map[string]connection.Suggestion {
			t.Helper()
			got, err := s.Suggest(ctx, worker, ref)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]connection.Suggestion{}
			for _, it := range got.Items {
				out[it.ID] = it
			}
			return out
		}
		before := listed()
		if _, ok := before[ids["Belmont befriending"]]; !ok {
			t.Fatalf("befriending not suggested: %+v", before)
		}
		ds := directory.NewStore(d)
		system := directory.Actor{UserID: "system"}
		befriending, err := ds.Get(ctx, ids["Belmont befriending"])
		if err != nil {
			t.Fatal(err)
		}
		in := directory.Input{OrganisationID: befriending.OrganisationID, Name: "Belmont befriending", Description: befriending.Description,
			Categories: befriending.Categories, Postcode: befriending.Postcode, Schedule: befriending.Schedule, CostPence: befriending.CostPence,
			Accessibility: befriending.Accessibility, Capacity: places(0)}
		if _, err := ds.Update(ctx, system, befriending.ID, in); err != nil {
			t.Fatal(err)
		}
		if it := listed()[befriending.ID]; !it.WaitingList {
			t.Errorf("befriending filled up, still not on a waiting list: %+v", it)
		}
		// Sessions and access, which ranking reads when the person needs a
		// time of day or a kind of access, follow too.
		if _, err := s.SavePreferences(ctx, worker, ref.ID, connection.PreferencesInput{Times: []string{"evening"}, Accessibility: []string{"step_free"}}); err != nil {
			t.Fatal(err)
		}
		if it := listed()[befriending.ID]; !slices.Contains(it.Reasons, "Meets on Tuesdays, when you are not free") || !slices.Contains(it.Reasons, "Has step-free or wheelchair access, as they need") {
			t.Errorf("befriending on Tuesday mornings, step-free: %q", it.Reasons)
		}
		in.Schedule = []directory.Session{{Day: "wednesday", Opens: "18:00", Closes: "20:00"}}
		in.Accessibility = nil
		if _, err := ds.Update(ctx, system, befriending.ID, in); err != nil {
			t.Fatal(err)
		}
		if it := listed()[befriending.ID]; !slices.Contains(it.Reasons, "Meets on Wednesdays, 18:00 to 20:00, when they are free") ||
			!slices.Contains(it.Reasons, "Does not say it has step-free or wheelchair access") {
			t.Errorf("befriending moved to Wednesday evenings, access not listed: %q", it.Reasons)
		}
		// Its words, which interests are matched against.
		if it := listed()[befriending.ID]; it.Score == 0 || slices.ContainsFunc(it.Reasons, func(r string) bool { return strings.Contains(r, "gardening") }) {
			t.Errorf("befriending matches gardening before it says so: %q", it.Reasons)
		}
		in.Description = "A volunteer visits or calls every week, and helps in the garden."
		if _, err := ds.Update(ctx, system, befriending.ID, in); err != nil {
			t.Fatal(err)
		}
		if it := listed()[befriending.ID]; !slices.Contains(it.Reasons, "Matches their interest in “gardening”") || it.Description != in.Description {
			t.Errorf("befriending now helps in the garden, not matched to gardening: %q %q", it.Reasons, it.Description)
		}
		// What is shown of a service and not ranked on: its organisation's
		// name, when it was last checked.
		if _, err := d.Exec(ctx, "UPDATE organisations SET name = 'Exeter Community Trust CIO' WHERE id = $1", befriending.OrganisationID); err != nil {
			t.Fatal(err)
		}
		checked := listed()[befriending.ID].LastCheckedAt
		time.Sleep(5 * time.Millisecond)
		if err := ds.MarkChecked(ctx, system, befriending.ID); err != nil {
			t.Fatal(err)
		}
		if it := listed()[befriending.ID]; it.Organisation != "Exeter Community Trust CIO" || !it.LastCheckedAt.After(checked) {
			t.Errorf("befriending's organisation renamed and service checked again, shown as %q checked %v (before %v)", it.Organisation, it.LastCheckedAt, checked)
		}
		in.Postcode = "PL1 1AA"
		if _, err := ds.Update(ctx, system, befriending.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, ok := listed()[befriending.ID]; ok {
			t.Errorf("befriending moved to Plymouth, still suggested in Exeter")
		}
		if err := ds.SetStatus(ctx, system, ids["Exeter garden club"], "closed"); err != nil {
			t.Fatal(err)
		}
		if _, ok := listed()[ids["Exeter garden club"]]; ok {
			t.Errorf("a closed service suggested")
		}
		o, err := (&org.Store{DB: d}).Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: "Heavitree Friends", Kind: "vcse"})
		if err != nil {
			t.Fatal(err)
		}
		added, err := ds.Create(ctx, system, directory.Input{OrganisationID: o.ID, Name: "Heavitree lunch club", Description: "Lunch and company.",
			Categories: []string{"social_groups"}, Postcode: "EX4 4QJ", CostPence: cost(0)})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := listed()[added.ID]; !ok {
			t.Errorf("a new lunch club next door not suggested")
		}
	})
}

// TestSuggestConcurrentReads: reads finishing together are written in
// shared transactions, yet each is audited once, in an unbroken chain,
// with the referral's read where the API asked for it, and every answer
// comes back.
func TestSuggestConcurrentReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		exeterServices(t, d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Ada)
		s := connection.NewSuggester(d)
		before := oikostest.AuditActions(t, d, "referral", ref.ID)["read"]
		const callers = 24
		errs := make(chan error, callers)
		for i := range callers {
			go func() {
				var got connection.Suggestions
				var err error
				if i%2 == 0 {
					got, err = s.SuggestReading(ctx, worker, ref)
				} else {
					got, err = s.Suggest(ctx, worker, ref)
				}
				if err == nil && len(got.Items) == 0 {
					err = errors.New("no suggestions")
				}
				errs <- err
			}()
		}
		for range callers {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if n := oikostest.AuditActions(t, d, "referral.suggestions", ref.ID)["read"]; n != callers {
			t.Errorf("%d suggestion reads audited, want %d", n, callers)
		}
		if n := oikostest.AuditActions(t, d, "referral", ref.ID)["read"]; n != before+callers/2 {
			t.Errorf("%d referral reads audited, want %d", n, before+callers/2)
		}
		if _, err := audit.Verify(ctx, d.R()); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		if rows := unmetRows(t, d, ref.ID); len(rows) != 1 {
			t.Errorf("unmet rows %q, want one (loneliness, once a day)", rows)
		}

		// A caller that has gone is answered with why, and leaves nothing.
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Suggest(gone, worker, ref); err == nil {
			t.Error("a read for a caller that has gone succeeded")
		}
		if n := oikostest.AuditActions(t, d, "referral.suggestions", ref.ID)["read"]; n != callers {
			t.Errorf("%d suggestion reads audited after a cancelled one, want %d", n, callers)
		}
	})
}

// Suggestions know the person's age and sex: a group for women, or for
// young adults, is never suitable for a man of 74, and a change to whom a
// service is for is seen at once.
func TestSuggestWhoFor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := exeterServices(t, d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Ada) // born 1951-09-14
		if _, err := d.Exec(ctx, "UPDATE people SET sex = 'male' WHERE id = $1", ref.PersonID); err != nil {
			t.Fatal(err)
		}
		ds := directory.NewStore(d)
		base, err := ds.Get(ctx, ids["Belmont befriending"])
		if err != nil {
			t.Fatal(err)
		}
		add := func(name string, change func(*directory.Input)) string {
			in := base.Input()
			in.Name = name
			change(&in)
			v, err := ds.Create(ctx, directory.Actor{UserID: "system"}, in)
			if err != nil {
				t.Fatal(err)
			}
			if v.ForSex != in.ForSex && !(in.ForSex == "" && v.ForSex == "any") {
				t.Fatalf("stored for %q, sent %q", v.ForSex, in.ForSex)
			}
			return v.ID
		}
		sisters := add("Sisters' coffee circle", func(in *directory.Input) { in.ForSex = "female" })
		young := add("Young adult carers", func(in *directory.Input) { in.MinAge, in.MaxAge = years(16), years(25) })
		s := connection.NewSuggester(d)
		s.Now = func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }
		byID := func() map[string]connection.Suggestion {
			t.Helper()
			got, err := s.Suggest(ctx, worker, ref)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]connection.Suggestion{}
			lastSuitable, firstUnsuitable := -1, len(got.Items)
			for i, it := range got.Items {
				out[it.ID] = it
				if it.Suitable {
					lastSuitable = i
				} else if i < firstUnsuitable {
					firstUnsuitable = i
				}
			}
			if lastSuitable > firstUnsuitable {
				t.Errorf("an unsuitable service ranks above a suitable one: %+v", got.Items)
			}
			return out
		}
		got := byID()
		if it := got[sisters]; it.Suitable || !slices.Contains(it.Reasons, "For women only") || it.ForSex != "female" {
			t.Errorf("sisters: %+v", it)
		}
		if it := got[young]; it.Suitable || !slices.Contains(it.Reasons, "For ages 16 to 25") {
			t.Errorf("young carers: %+v", it)
		}
		if it := got[ids["Belmont befriending"]]; !it.Suitable {
			t.Errorf("befriending: %+v", it)
		}
		// The circle opens to everyone: suitable now.
		in := base.Input()
		in.Name, in.ForSex = "Sisters' coffee circle", "any"
		if _, err := ds.Update(ctx, directory.Actor{UserID: "system"}, sisters, in); err != nil {
			t.Fatal(err)
		}
		if it := byID()[sisters]; !it.Suitable || it.ForSex != "any" {
			t.Errorf("open to all: %+v", it)
		}
		in.ForSex = "everyone"
		if _, err := ds.Update(ctx, directory.Actor{UserID: "system"}, sisters, in); fields(err)["for_sex"] == "" {
			t.Errorf("bad for_sex: %v", err)
		}
	})
}
