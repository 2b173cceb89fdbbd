package directory_test

import (
	"context"
	"testing"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/org"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var editor = directory.Actor{UserID: "usr_test", Client: "test"}

func newOrg(t testing.TB, d *db.DB, name string) string {
	t.Helper()
	o, err := (&org.Store{DB: d}).Create(context.Background(), org.Actor{UserID: "system"}, org.Input{Name: name, Kind: "vcse"})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func ptr[T any](v T) *T { return &v }

func walkInput(orgID string) directory.Input {
	return directory.Input{
		OrganisationID: orgID, Name: "Exeter Health Walks", Description: "Gentle led walks around the city parks, about an hour, at an easy pace.",
		Categories: []string{"walking_groups", "physical_activity"}, Postcode: "ex4 4qj", Address: "Belmont Park, Exeter",
		Schedule:  []directory.Session{{Day: "Tuesday", Opens: "10:00", Closes: "11:30"}, {Day: "friday", Opens: "14:00", Closes: "15:00"}},
		CostPence: ptr(int64(0)), Capacity: ptr(12), CitizenLed: true, StartedOn: "2019-04-01",
		Accessibility: []string{"Step-free route", "Step-free route", " Benches every 500m "}, Email: "walks@example.org",
	}
}

func TestServiceStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := directory.NewStore(d)
		orgID := newOrg(t, d, "Exeter Walkers")
		v, err := s.Create(ctx, editor, walkInput(orgID))
		if err != nil {
			t.Fatal(err)
		}
		if v.Postcode != "EX4 4QJ" || v.Latitude == nil || v.Organisation != "Exeter Walkers" || !v.Free() || v.Status != "active" {
			t.Fatalf("created %+v", v)
		}
		if len(v.Schedule) != 2 || v.Schedule[0].Day != "tuesday" || len(v.Accessibility) != 2 || *v.Capacity != 12 {
			t.Fatalf("schedule %v, accessibility %v", v.Schedule, v.Accessibility)
		}
		in := v.Input()
		in.Name = "Exeter Health Walks (Belmont)"
		in.Schedule = in.Schedule[:1]
		in.CostPence = nil
		u, err := s.Update(ctx, editor, v.ID, in)
		if err != nil || u.Name != in.Name || len(u.Schedule) != 1 || u.CostPence != nil {
			t.Fatalf("update: %v %+v", err, u)
		}
		if _, err := s.Update(ctx, editor, "svc_missing", in); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Fatalf("update missing: %v", err)
		}
		in.OrganisationID = "org_missing"
		if _, err := s.Update(ctx, editor, v.ID, in); oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("unknown organisation: %v", err)
		}

		s.Now = func() time.Time { return time.Now().Add(200 * 24 * time.Hour) }
		stale, total, err := s.List(ctx, directory.ListFilter{StaleBefore: s.Now().Add(-directory.StaleAfter)})
		if err != nil || total != 1 || stale[0].ID != v.ID {
			t.Fatalf("stale: %d %v", total, err)
		}
		if err := s.MarkChecked(ctx, editor, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := s.List(ctx, directory.ListFilter{StaleBefore: s.Now().Add(-directory.StaleAfter)}); total != 0 {
			t.Fatalf("still stale after checking: %d", total)
		}
		if err := s.SetStatus(ctx, editor, v.ID, "closed"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, v.ID); got.Status != "closed" {
			t.Fatalf("status %s", got.Status)
		}
	})
}

func TestValidateNamesEveryField(t *testing.T) {
	in := directory.Input{
		Categories: []string{"knitting"}, Postcode: "XX", Schedule: []directory.Session{{Day: "funday", Opens: "10:00", Closes: "11:00"},
			{Day: "monday", Opens: "25:00", Closes: "11:00"}, {Day: "monday", Opens: "12:00", Closes: "11:00"}},
		CostPence: ptr(int64(-1)), Capacity: ptr(-2), MinAge: ptr(50), MaxAge: ptr(20), StartedOn: "yesterday",
		URL: "javascript:alert(1)", Email: "nope", Phone: "text", ForSex: "women",
	}
	err := in.Validate()
	e, ok := err.(*oikos.Error)
	if !ok {
		t.Fatalf("%v", err)
	}
	for _, f := range []string{"organisation_id", "name", "description", "categories", "postcode", "schedule[0].day",
		"schedule[1].opens", "schedule[2].closes", "cost_pence", "capacity", "max_age", "started_on", "url", "email", "phone", "for_sex"} {
		if e.Fields[f] == "" {
			t.Errorf("no error for %s (have %v)", f, e.Fields)
		}
	}
	good := walkInput("org_x")
	if err := good.Validate(); err != nil || good.ForSex != "any" {
		t.Fatalf("good input: %v, for %q", err, good.ForSex)
	}
}
