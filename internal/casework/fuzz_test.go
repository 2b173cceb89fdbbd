package casework_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/casework"
	"oikos/internal/taxonomy"
)

// FuzzConversationInput feeds the conversation's JSON body to its rules:
// they may refuse anything, but what they accept must be fit to store.
func FuzzConversationInput(f *testing.F) {
	for _, seed := range []string{
		`{"held_at":"2026-06-30","mode":"phone","needs":[{"code":"loneliness","priority":1}],"strengths":["kind"],"what_matters":"my garden"}`,
		`{"held_at":"2026-06-30","mode":"video","needs":[],"strengths":[],"what_matters":"x","interests":"y","notes":"z",
		  "baseline":[{"instrument":"ons4","answers":[1,2,3,4]},{"instrument":"ucla3","answers":[1,2,3]}]}`,
		`{"held_at":"2026-13-01","mode":"letter","needs":[{"code":"boredom","priority":9},{"code":"loneliness","priority":0}]}`,
		`{"held_at":"2026-06-30","mode":"phone","needs":[{"code":"housing","priority":2},{"code":"housing","priority":2}],"what_matters":"\u0000"}`,
		`{"baseline":[{"instrument":"ons4","answers":[1e308,-0,0.5]}],"strengths":["  ","\n"]}`,
	} {
		f.Add(seed)
	}
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		var in casework.ConversationInput
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		needs, measures, err := in.Validate(now)
		if err != nil {
			if oikos.ErrorCode(err) != oikos.EINVALID || len(err.(*oikos.Error).Fields) == 0 {
				t.Fatalf("refusal without fields: %v", err)
			}
			return
		}
		if in.HeldAt > "2026-07-01" || in.WhatMatters == "" || !oikos.PlainText(in.WhatMatters, true) || !oikos.PlainText(in.Notes, true) {
			t.Fatalf("accepted %+v", in)
		}
		seen := map[string]bool{}
		for _, n := range needs {
			if _, ok := taxonomy.NeedByCode(n.Code); !ok || seen[n.Code] || n.Priority < 1 || n.Priority > 3 {
				t.Fatalf("accepted need %+v", n)
			}
			seen[n.Code] = true
		}
		for _, s := range in.Strengths {
			if s == "" || s != strings.TrimSpace(s) || utf8.RuneCountInString(s) > 200 || !oikos.PlainText(s, false) {
				t.Fatalf("accepted strength %q", s)
			}
		}
		if len(measures) != len(in.Baseline) {
			t.Fatalf("%d measures for %d", len(measures), len(in.Baseline))
		}
	})
}

// FuzzPlanEdits feeds the plan's JSON body to MergePlan against a held
// plan: whatever it accepts has unique ids, known owners and progress in
// range, within the limits.
func FuzzPlanEdits(f *testing.F) {
	for _, seed := range []string{
		`{"goals":[{"text":"See friends","steps":[{"text":"Ring Sue","owner":"person","due":"2026-08-01"}]}]}`,
		`{"goals":[{"id":"g_a","text":"Keep","done":true,"progress":10,"steps":[{"id":"s_a","text":"t","owner":"volunteer","done":false,"progress":0}]}]}`,
		`{"goals":[{"id":"g_a","text":"a"},{"id":"g_a","text":"b","steps":[{"id":"s_a","text":"x","owner":"link_worker"},{"id":"s_a","text":"y","owner":"person"}]}]}`,
		`{"goals":[{"text":"","progress":-1,"steps":[{"text":"","owner":"gp","due":"2026-02-30","progress":11}]}]}`,
		`{"goals":null}`,
	} {
		f.Add(seed)
	}
	held := []casework.Goal{{ID: "g_a", Text: "held", Progress: 5, Steps: []casework.Step{{ID: "s_a", Text: "held step", Owner: "person", Done: true}}}}
	f.Fuzz(func(t *testing.T, body string) {
		var in struct {
			Goals []casework.GoalEdit `json:"goals"`
		}
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		goals, err := casework.MergePlan(held, in.Goals, counter())
		if err != nil {
			if oikos.ErrorCode(err) != oikos.EINVALID || len(err.(*oikos.Error).Fields) == 0 {
				t.Fatalf("refusal without fields: %v", err)
			}
			return
		}
		if len(goals) != len(in.Goals) || len(goals) > casework.MaxGoals {
			t.Fatalf("%d goals from %d", len(goals), len(in.Goals))
		}
		ids := map[string]bool{}
		for _, g := range goals {
			if g.ID == "" || ids[g.ID] || g.Text == "" || g.Progress < 0 || g.Progress > 10 || g.Steps == nil || len(g.Steps) > casework.MaxSteps {
				t.Fatalf("accepted goal %+v", g)
			}
			ids[g.ID] = true
			for _, s := range g.Steps {
				if s.ID == "" || ids[s.ID] || s.Text == "" || !slices.Contains(casework.Owners, s.Owner) || s.Progress < 0 || s.Progress > 10 {
					t.Fatalf("accepted step %+v", s)
				}
				if _, msg := casework.ParseDueDate(s.Due); s.Due != "" && msg != "" {
					t.Fatalf("accepted due date %q", s.Due)
				}
				ids[s.ID] = true
			}
		}
	})
}

// FuzzHeldOn: whatever HeldOn accepts is a real day, not after today in
// the UK, and not before 2000; whatever it refuses, it says why.
func FuzzHeldOn(f *testing.F) {
	for _, seed := range []string{"2026-06-30", "2026-06-30T23:30:00Z", "2026-06-30T10:00", "2026-07-01T00:30:00+02:00",
		"2026-06-30T10:00:00.123456789-11:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59+23:59", "2026-02-30", " "} {
		f.Add(seed)
	}
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		day, msg := casework.HeldOn(s, now)
		if day == "" {
			if msg == "" {
				t.Fatalf("refused %q without saying why", s)
			}
			return
		}
		d, err := time.Parse(time.DateOnly, day)
		if err != nil || msg != "" || day > "2026-07-01" || d.Year() < 2000 {
			t.Fatalf("HeldOn(%q) = %q, %q", s, day, msg)
		}
	})
}
