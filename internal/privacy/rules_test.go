package privacy_test

import (
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/privacy"
)

func TestMayExportAndChange(t *testing.T) {
	manager := &auth.Principal{UserID: "usr_m", Role: auth.Manager}
	worker := &auth.Principal{UserID: "usr_w", Role: auth.LinkWorker}
	other := &auth.Principal{UserID: "usr_o", Role: auth.LinkWorker}
	referrer := &auth.Principal{UserID: "usr_r", Role: auth.Referrer}
	admin := &auth.Principal{UserID: "usr_a", Role: auth.Admin}
	assigned := auth.Object{Kind: "referral", ID: "ref_1", AssignedTo: "usr_w", CreatedBy: "usr_r"}
	queued := auth.Object{Kind: "referral", ID: "ref_2", CreatedBy: "usr_r"}
	for _, c := range []struct {
		name           string
		p              *auth.Principal
		refs           []auth.Object
		export, change bool
	}{
		{"anonymous", nil, []auth.Object{assigned}, false, false},
		{"manager", manager, []auth.Object{assigned}, true, true},
		{"manager, unassigned referral", manager, []auth.Object{queued}, true, true},
		{"manager, no referrals", manager, nil, false, false},
		{"their link worker", worker, []auth.Object{queued, assigned}, true, false},
		{"a link worker who sees them only in the queue", other, []auth.Object{queued}, false, false},
		{"another link worker", other, []auth.Object{assigned}, false, false},
		{"the referrer", referrer, []auth.Object{assigned}, false, false},
		{"an administrator", admin, []auth.Object{assigned}, false, false},
	} {
		if got := privacy.MayExport(c.p, c.refs); got != c.export {
			t.Errorf("%s: export %v, want %v", c.name, got, c.export)
		}
		if got := privacy.MayChange(c.p, c.refs); got != c.change {
			t.Errorf("%s: change %v, want %v", c.name, got, c.change)
		}
	}
}

var zephyrine = privacy.Details{GivenName: "Zephyrine", FamilyName: "Quillfeather", DateOfBirth: "1951-03-14", NHSNumber: "9434765919",
	Postcode: "EX4 6PX", Phone: "07700 900461", Email: "zeph.q@example.org"}

func TestCheckReason(t *testing.T) {
	for _, c := range []struct {
		reason string
		ok     bool
	}{
		{"Asked by phone on 3 March; confirmed in writing.", true},
		{"Asked in writing, letter dated 2026-03-03, reference 12345.", true},
		{"", false},
		{"   \n ", false},
		{"Quillfeather asked by phone.", false},
		{"mrs quillfeather asked", false},
		{"Quillfeathers' request", true}, // another word, not the name
		{"Letter quoting 943 476 5919.", false},
		{"Rang from 07700900461", false},
		{"Rang from +44 7700 900461", false},
		{"Email from ZEPH.Q@example.org", false},
		{"Born 14/03/1951, asked at the surgery", false},
		{"Born 14 March 1951", false},
		{"Lives at EX46PX", false},
		{"Lives in EX4", true},
		{"bad \x00 byte", false},
		{strings.Repeat("a", privacy.MaxReason), true},
		{strings.Repeat("a", privacy.MaxReason+1), false},
	} {
		err := privacy.CheckReason(c.reason, zephyrine)
		if (err == nil) != c.ok {
			t.Errorf("%q: %v, want ok %v", c.reason, err, c.ok)
		}
		if err != nil {
			var e *oikos.Error
			if oikos.ErrorCode(err) != oikos.EINVALID || !asError(err, &e) || e.Fields["reason"] == "" {
				t.Errorf("%q: %v does not name the reason", c.reason, err)
			}
		}
	}
	// A name too short to tell from ordinary words is not looked for.
	if err := privacy.CheckReason("He asked to be left alone", privacy.Details{FamilyName: "H"}); err != nil {
		t.Error(err)
	}
}

func asError(err error, target **oikos.Error) bool {
	e, ok := err.(*oikos.Error)
	if ok {
		*target = e
	}
	return ok
}

func FuzzCheckReason(f *testing.F) {
	for _, s := range []string{"Asked by phone", "Quillfeather asked", "07700900461", "zeph.q@example.org", "\xff", "é Quillfeather é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reason string) {
		err := privacy.CheckReason(reason, zephyrine)
		if err != nil && oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("%q: %v", reason, err)
		}
		// Whatever passes holds none of the details it was checked against.
		if err == nil && strings.Contains(strings.ToLower(reason), "quillfeather ") {
			t.Fatalf("%q passed with the family name in it", reason)
		}
	})
}

func TestCheckRestrictionAndErasure(t *testing.T) {
	now := time.Now()
	plain, restricted, erased := privacy.State{}, privacy.State{RestrictedAt: &now}, privacy.State{ErasedAt: &now}
	for _, c := range []struct {
		name     string
		st       privacy.State
		restrict bool
		want     string
	}{
		{"restrict", plain, true, ""},
		{"lift what is not restricted", plain, false, oikos.ECONFLICT},
		{"restrict twice", restricted, true, oikos.ECONFLICT},
		{"lift", restricted, false, ""},
		{"restrict the erased", erased, true, oikos.ECONFLICT},
		{"lift on the erased", erased, false, oikos.ECONFLICT},
	} {
		if got := code(privacy.CheckRestriction(c.st, c.restrict)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		name string
		st   privacy.State
		open int
		want string
	}{
		{"all closed", plain, 0, ""},
		{"restricted, all closed", restricted, 0, ""},
		{"one open", plain, 1, oikos.ECONFLICT},
		{"erased already", erased, 0, oikos.ECONFLICT},
	} {
		if got := code(privacy.CheckErasure(c.st, c.open)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return oikos.ErrorCode(err)
}

func TestWhatErasureKeeps(t *testing.T) {
	for pc, want := range map[string]string{"EX4 6PX": "EX4", "ex46px": "EX4", "PL21 9AB": "PL21", "": "", "nonsense": "", "EX4": ""} {
		if got := privacy.District(pc); got != want {
			t.Errorf("District(%q) = %q, want %q", pc, got, want)
		}
	}
	for reason, want := range map[string]string{"goals_met": "goals_met", "died": "died", "assigned": "assigned", "": "",
		"She said her husband hit her": "", "other": "other"} {
		if got := privacy.KeptEventReason(reason); got != want {
			t.Errorf("KeptEventReason(%q) = %q, want %q", reason, got, want)
		}
	}
	held := []casework.Goal{{ID: "g1", Text: "See my sister in Leeds", Progress: 4, Steps: []casework.Step{
		{ID: "s1", Text: "Book the coach", Owner: casework.OwnerPerson, Due: "2030-01-02", Done: true, Progress: 10}}}}
	got := privacy.ErasePlan(held)
	if len(got) != 1 || got[0].Text != "" || got[0].ID != "g1" || got[0].Progress != 4 || len(got[0].Steps) != 1 ||
		got[0].Steps[0] != (casework.Step{ID: "s1", Owner: casework.OwnerPerson, Due: "2030-01-02", Done: true, Progress: 10}) {
		t.Errorf("ErasePlan: %+v", got)
	}
	if held[0].Text == "" || held[0].Steps[0].Text == "" {
		t.Error("ErasePlan changed the plan it was given")
	}
}

func TestRetentionRules(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if got := privacy.RetentionCutoff(now, 8); !got.Equal(time.Date(2018, 3, 10, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("cutoff %s", got)
	}
	for years, ok := range map[int]bool{0: false, 1: true, 8: true, 100: true, 101: false, -3: false} {
		if err := privacy.CheckRetentionYears(years); (err == nil) != ok {
			t.Errorf("%d years: %v", years, err)
		}
	}
	if err := privacy.CheckReason(privacy.RetentionReason(8), zephyrine); err != nil {
		t.Errorf("the retention reason is refused: %v", err)
	}
}
