package connection_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"oikos"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

var worker = referral.Actor{UserID: "usr_worker", Client: "test"}

func fields(err error) map[string]string {
	var e *oikos.Error
	if !errors.As(err, &e) {
		return nil
	}
	return e.Fields
}

func TestPreferencesValidate(t *testing.T) {
	km := func(v float64) *float64 { return &v }
	p, err := connection.PreferencesInput{Days: []string{"Friday", "tuesday", "friday"}, Times: []string{"evening", "morning"},
		MaxKm: km(2.26), MaxCostPence: cost(300), Accessibility: []string{"hearing_loop", "step_free", "hearing_loop"}}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Days, []string{"tuesday", "friday"}) || !slices.Equal(p.Times, []string{"morning", "evening"}) || p.MaxKm != 2.3 ||
		*p.MaxCostPence != 300 || !slices.Equal(p.Accessibility, []string{"hearing_loop", "step_free"}) || !p.Set {
		t.Errorf("tidied %+v", p)
	}
	p, err = connection.PreferencesInput{Days: []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"},
		Times: []string{"morning", "afternoon", "evening"}}.Validate()
	if err != nil || len(p.Days) != 0 || len(p.Times) != 0 || p.MaxKm != connection.DefaultMaxKm || p.MaxCostPence != nil {
		t.Errorf("every day and time is any: %+v %v", p, err)
	}
	for name, tc := range map[string]struct {
		in    connection.PreferencesInput
		field string
	}{
		"unknown day":    {connection.PreferencesInput{Days: []string{"monday", "someday"}}, "days[1]"},
		"unknown time":   {connection.PreferencesInput{Times: []string{"night"}}, "times[0]"},
		"zero km":        {connection.PreferencesInput{MaxKm: km(0)}, "max_km"},
		"too far":        {connection.PreferencesInput{MaxKm: km(51)}, "max_km"},
		"negative km":    {connection.PreferencesInput{MaxKm: km(-1)}, "max_km"},
		"negative cost":  {connection.PreferencesInput{MaxCostPence: cost(-1)}, "max_cost_pence"},
		"huge cost":      {connection.PreferencesInput{MaxCostPence: cost(1_000_01)}, "max_cost_pence"},
		"unknown access": {connection.PreferencesInput{Accessibility: []string{"step_free", "lift"}}, "accessibility[1]"},
		"too many days":  {connection.PreferencesInput{Days: []string{"monday", "monday", "monday", "monday", "monday", "monday", "monday", "monday"}}, "days"},
	} {
		if _, err := tc.in.Validate(); fields(err)[tc.field] == "" {
			t.Errorf("%s: %v, want a message for %s", name, err, tc.field)
		}
	}
}

func TestParsePounds(t *testing.T) {
	for in, want := range map[string]int64{"3": 300, "£3.50": 350, "3.5": 350, " £ 12.05 ": 1205, "0": 0, ".5": 50, "0.99": 99} {
		p, problem := connection.ParsePounds(in)
		if problem != "" || p == nil || *p != want {
			t.Errorf("%q: %v %q, want %d", in, p, problem, want)
		}
	}
	if p, problem := connection.ParsePounds("  "); p != nil || problem != "" {
		t.Errorf("empty: %v %q", p, problem)
	}
	for _, in := range []string{"three", "3.505", "-3", "3.", "1e3", "£", "3,50", "99999999"} {
		if _, problem := connection.ParsePounds(in); problem == "" {
			t.Errorf("%q accepted", in)
		}
	}
	for pence, want := range map[int64]string{0: "£0", 300: "£3", 350: "£3.50", 1205: "£12.05"} {
		if got := connection.FormatPounds(pence); got != want {
			t.Errorf("%d: %q", pence, got)
		}
	}
}

// FuzzPreferencesJSON decodes anything as the preferences body the way the
// API does: a clear refusal or preferences within their limits, never a
// panic.
func FuzzPreferencesJSON(f *testing.F) {
	f.Add(`{"days":["tuesday","friday"],"times":["morning"],"max_km":3,"max_cost_pence":500,"accessibility":["step_free"]}`)
	f.Add(`{"days":["Tuesday","tuesday"],"max_km":0.04,"max_cost_pence":null}`)
	f.Add(`{"days":[""],"times":["night"],"max_km":-1,"max_cost_pence":-5,"accessibility":["lift"]}`)
	f.Add(`{"max_km":1e308}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in connection.PreferencesInput
		dec := json.NewDecoder(bytes.NewReader([]byte(body)))
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil {
			return
		}
		p, err := in.Validate()
		if err != nil {
			if len(fields(err)) == 0 {
				t.Fatalf("refused without naming a field: %v", err)
			}
			return
		}
		if p.MaxKm <= 0 || p.MaxKm > 50 || (p.MaxCostPence != nil && (*p.MaxCostPence < 0 || *p.MaxCostPence > 1000_00)) || len(p.Days) > 6 || len(p.Times) > 2 {
			t.Fatalf("accepted out of limits: %+v", p)
		}
	})
}

func TestPreferencesStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := connection.NewSuggester(d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Ada)

		p, err := s.Preferences(ctx, worker, ref.ID)
		if err != nil || p.Set || p.MaxKm != 5 || len(p.Days) != 0 || p.MaxCostPence != nil || p.Days == nil {
			t.Fatalf("defaults: %+v %v", p, err)
		}
		km := 3.0
		saved, err := s.SavePreferences(ctx, worker, ref.ID, connection.PreferencesInput{Days: []string{"tuesday"}, MaxKm: &km, MaxCostPence: cost(0),
			Accessibility: []string{"step_free"}})
		if err != nil || !saved.Set {
			t.Fatalf("save: %+v %v", saved, err)
		}
		p, err = s.Preferences(ctx, worker, ref.ID)
		if err != nil || !p.Set || p.MaxKm != 3 || !slices.Equal(p.Days, []string{"tuesday"}) || p.MaxCostPence == nil || *p.MaxCostPence != 0 ||
			!slices.Equal(p.Accessibility, []string{"step_free"}) || len(p.Times) != 0 || p.UpdatedAt == nil {
			t.Fatalf("read back: %+v %v", p, err)
		}
		// Replaced whole: what is left out goes back to its default.
		if _, err := s.SavePreferences(ctx, worker, ref.ID, connection.PreferencesInput{Times: []string{"evening"}}); err != nil {
			t.Fatal(err)
		}
		if p, _ = s.Preferences(ctx, worker, ref.ID); p.MaxKm != 5 || len(p.Days) != 0 || p.MaxCostPence != nil || !slices.Equal(p.Times, []string{"evening"}) {
			t.Errorf("replaced: %+v", p)
		}
		if oikostest.AuditActions(t, d, "referral.preferences", ref.ID)["update"] != 2 || oikostest.AuditActions(t, d, "referral.preferences", ref.ID)["read"] != 3 {
			t.Errorf("audit: %d updates, %d reads", oikostest.AuditActions(t, d, "referral.preferences", ref.ID)["update"], oikostest.AuditActions(t, d, "referral.preferences", ref.ID)["read"])
		}

		// Bad input writes nothing; an unknown referral is not found; a
		// closed one is kept as it was.
		if _, err := s.SavePreferences(ctx, worker, ref.ID, connection.PreferencesInput{Days: []string{"caturday"}}); fields(err)["days[0]"] == "" {
			t.Errorf("bad day: %v", err)
		}
		if p, _ = s.Preferences(ctx, worker, ref.ID); !slices.Equal(p.Times, []string{"evening"}) {
			t.Errorf("changed by a refused save: %+v", p)
		}
		for _, id := range []string{"ref_nope", "bad\x00id"} {
			if _, err := s.SavePreferences(ctx, worker, id, connection.PreferencesInput{}); oikos.ErrorCode(err) != oikos.ENOTFOUND {
				t.Errorf("%q: %v", id, err)
			}
			if _, err := s.Preferences(ctx, worker, id); oikos.ErrorCode(err) != oikos.ENOTFOUND {
				t.Errorf("%q: %v", id, err)
			}
		}
		if _, err := referral.NewStore(d).Transition(ctx, worker, ref.ID, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SavePreferences(ctx, worker, ref.ID, connection.PreferencesInput{}); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("closed: %v", err)
		}
	})
}
