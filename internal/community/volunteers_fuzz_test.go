package community_test

import (
	"encoding/json"
	"testing"

	"oikos"
	"oikos/internal/community"
)

// The bodies the web layer decodes into these inputs come from outside:
// whatever they hold, checking them answers nil or a 422 naming fields,
// never a panic, and what passes is tidy enough to store.

// validOrInvalid fails unless err is nil or a 422 naming at least one field.
func validOrInvalid(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	e, ok := err.(*oikos.Error)
	if !ok || e.Code != oikos.EINVALID || len(e.Fields) == 0 {
		t.Fatalf("got %v, want nil or 422 naming fields", err)
	}
}

func FuzzVolunteerInput(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"befriender","postcode":"EX4 4QJ","skills":["listening"],"interests":["gardening"],"languages":["Polish"],
		  "availability":[{"day":"monday","from":"09:00","to":"12:00"}],"dbs_checked_on":"2025-01-10","dbs_expires_on":"2028-01-10",
		  "training":[{"course":"Safeguarding adults","completed_on":"2025-02-01"}],"coordinator_id":"usr_hc"}`,
		`{"kind":"health_champion","postcode":"ex44qj","dbs_checked_on":null,"dbs_expires_on":null}`,
		`{"kind":"peer_mentor","postcode":"","availability":[{"day":"","from":"24:00","to":"25:61"}],"training":[{}]}`,
		`{"kind":"x\u0000","phone":"+44 (0)1392","email":"a@b.c"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in community.VolunteerInput
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		err := in.Validate("2026-03-02")
		validOrInvalid(t, err)
		if err == nil {
			if in.DBSCheckedOn != nil && *in.DBSCheckedOn > "2026-03-02" {
				t.Fatalf("a check in the future passed: %q", *in.DBSCheckedOn)
			}
			if (in.DBSCheckedOn == nil) != (in.DBSExpiresOn == nil) {
				t.Fatal("one DBS date without the other passed")
			}
			if community.SlotsMask(in.Availability) == 0 && len(in.Availability) > 0 {
				t.Fatalf("slots that mark no time passed: %+v", in.Availability)
			}
		}
	})
}

func FuzzOwnDetailsInput(f *testing.F) {
	f.Add(`{"phone":"01392 111222","email":"val@example.org","availability":[{"day":"friday","from":"14:00","to":"16:00"}]}`)
	f.Add(`{}`)
	f.Add(`{"availability":[{"day":"monday","from":"9","to":"5"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in community.OwnDetailsInput
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		validOrInvalid(t, in.Validate())
	})
}

func FuzzConcernInputs(f *testing.F) {
	f.Add("self_neglect", "immediate", "No heating, no food.", "Visited", "closed", "Heating fitted", "open")
	f.Add("", "", "", "", "", "", "closed")
	f.Add("other", "low", "x\x00", "y", "resolved", "", "open")
	f.Fuzz(func(t *testing.T, category, level, description, action, status, outcome, current string) {
		c := community.ConcernInput{Category: category, Level: level, Description: description}
		validOrInvalid(t, c.Validate())
		a := community.ActionInput{Action: action, Status: status, Outcome: outcome}
		if current != "open" && current != "closed" {
			current = "open"
		}
		err := a.Validate(current)
		validOrInvalid(t, err)
		if err == nil && a.Status == "closed" && current == "open" && a.Outcome == "" {
			t.Fatal("closed without an outcome")
		}
	})
}

func FuzzContactInput(f *testing.F) {
	f.Add("2026-03-02", 60, "home_visit", "Tea and a walk")
	f.Add("2026-02-30", 0, "", "")
	f.Add("9999-12-31", 721, "phone", "\x07")
	f.Fuzz(func(t *testing.T, date string, minutes int, mode, note string) {
		in := community.ContactInput{Date: date, Minutes: minutes, Mode: mode, Note: note}
		err := in.Validate("2026-02-01", "2026-03-02")
		validOrInvalid(t, err)
		if err == nil && (in.Minutes < 1 || in.Minutes > 720 || in.Date > "2026-03-02" || in.Date < "2026-02-01") {
			t.Fatalf("passed: %+v", in)
		}
	})
}

func FuzzMatchAndStageInputs(f *testing.F) {
	f.Add(`{"volunteer_id":"usr_vol","share":{"contact_details":true,"what_matters":false,"plan":true}}`, "active")
	f.Add(`{"volunteer_id":""}`, "")
	f.Fuzz(func(t *testing.T, body, stage string) {
		var in community.MatchInput
		if json.Unmarshal([]byte(body), &in) == nil {
			validOrInvalid(t, in.Validate())
		}
		for _, from := range community.MentorStages {
			err := community.CheckMentorStage(from, stage)
			if code := oikos.ErrorCode(err); err != nil && code != oikos.EINVALID && code != oikos.ECONFLICT {
				t.Fatalf("%s → %q: %v", from, stage, err)
			}
		}
	})
}
