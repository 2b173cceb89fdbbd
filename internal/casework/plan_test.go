package casework_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"oikos"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
)

func ptr[T any](v T) *T { return &v }

// counter makes predictable ids for pure tests.
func counter() func(string) string {
	n := 0
	return func(prefix string) string { n++; return fmt.Sprintf("%s_%d", prefix, n) }
}

func fields(err error) map[string]string {
	if e, ok := err.(*oikos.Error); ok {
		return e.Fields
	}
	return nil
}

func TestMergePlan(t *testing.T) {
	held := []casework.Goal{{ID: "g_a", Text: "Get out more", Done: false, Progress: 4, Steps: []casework.Step{
		{ID: "s_a", Text: "Try the walking group", Owner: "person", Due: "2026-12-01", Done: true, Progress: 10},
	}}}
	long := strings.Repeat("x", 501)
	tests := []struct {
		name   string
		edits  []casework.GoalEdit
		fields []string // fields at fault; none means valid
		check  func(t *testing.T, got []casework.Goal)
	}{
		{name: "empty plan", edits: nil, check: func(t *testing.T, got []casework.Goal) {
			if got == nil || len(got) != 0 {
				t.Errorf("want empty, not nil: %#v", got)
			}
		}},
		{name: "new goal gets ids", edits: []casework.GoalEdit{{Text: " See my grandchildren ", Steps: []casework.StepEdit{{Text: "Call my son", Owner: "person"}}}},
			check: func(t *testing.T, got []casework.Goal) {
				if got[0].ID != "g_1" || got[0].Steps[0].ID != "s_2" || got[0].Text != "See my grandchildren" {
					t.Errorf("%+v", got)
				}
			}},
		{name: "known ids kept, progress left out is kept", edits: []casework.GoalEdit{{ID: "g_a", Text: "Get out more often",
			Steps: []casework.StepEdit{{ID: "s_a", Text: "Try the walking group", Owner: "person"}}}},
			check: func(t *testing.T, got []casework.Goal) {
				g := got[0]
				if g.ID != "g_a" || g.Progress != 4 || g.Steps[0].ID != "s_a" || !g.Steps[0].Done || g.Steps[0].Progress != 10 || g.Steps[0].Due != "" {
					t.Errorf("%+v", got)
				}
			}},
		{name: "progress given replaces", edits: []casework.GoalEdit{{ID: "g_a", Text: "x", Done: ptr(true), Progress: ptr(10), Steps: []casework.StepEdit{}}},
			check: func(t *testing.T, got []casework.Goal) {
				if !got[0].Done || got[0].Progress != 10 || len(got[0].Steps) != 0 {
					t.Errorf("%+v", got)
				}
			}},
		{name: "unknown and repeated ids are replaced", edits: []casework.GoalEdit{{ID: "g_made_up", Text: "a"}, {ID: "g_a", Text: "b"}, {ID: "g_a", Text: "c"}},
			check: func(t *testing.T, got []casework.Goal) {
				if got[0].ID == "g_made_up" || got[1].ID != "g_a" || got[2].ID == "g_a" || got[1].Progress != 4 || got[2].Progress != 0 {
					t.Errorf("%+v", got)
				}
			}},
		{name: "step moved to another goal keeps its id", edits: []casework.GoalEdit{{Text: "new", Steps: []casework.StepEdit{{ID: "s_a", Text: "t", Owner: "volunteer"}}}},
			check: func(t *testing.T, got []casework.Goal) {
				if got[0].Steps[0].ID != "s_a" {
					t.Errorf("%+v", got)
				}
			}},
		{name: "every field named", edits: []casework.GoalEdit{
			{Text: "  ", Progress: ptr(11)},
			{Text: long, Steps: []casework.StepEdit{{Text: "ok", Owner: "person"}, {Text: "", Owner: "doctor", Due: "2026-02-30", Progress: ptr(-1)}}},
			{Text: "bad\x00"}},
			fields: []string{"goals[0].text", "goals[0].progress", "goals[1].text", "goals[1].steps[1].text", "goals[1].steps[1].owner",
				"goals[1].steps[1].due", "goals[1].steps[1].progress", "goals[2].text"}},
		{name: "step text is one line", edits: []casework.GoalEdit{{Text: "a", Steps: []casework.StepEdit{{Text: "a\nb", Owner: "person"}}}},
			fields: []string{"goals[0].steps[0].text"}},
		{name: "due date this century", edits: []casework.GoalEdit{{Text: "a", Steps: []casework.StepEdit{{Text: "a", Owner: "person", Due: "1999-12-31"}}}},
			fields: []string{"goals[0].steps[0].due"}},
		{name: "too many goals", edits: make([]casework.GoalEdit, 21), fields: []string{"goals"}},
		{name: "too many steps", edits: []casework.GoalEdit{{Text: "a", Steps: make([]casework.StepEdit, 21)}}, fields: []string{"goals[0].steps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := casework.MergePlan(held, tt.edits, counter())
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, got)
				return
			}
			f := fields(err)
			for _, name := range tt.fields {
				if f[name] == "" {
					t.Errorf("no message for %s in %v", name, f)
				}
			}
			if len(f) != len(tt.fields) {
				t.Errorf("want %d fields, got %v", len(tt.fields), f)
			}
		})
	}
	if held[0].Text != "Get out more" || !held[0].Steps[0].Done {
		t.Errorf("MergePlan changed what was held: %+v", held)
	}
}

func TestApplyProgress(t *testing.T) {
	held := []casework.Goal{{ID: "g1", Text: "a", Steps: []casework.Step{{ID: "s1", Text: "b", Owner: "person"}}}}
	tests := []struct {
		name string
		u    casework.ProgressUpdate
		code string
		want func(g casework.Goal) bool
	}{
		{"goal progress", casework.ProgressUpdate{GoalID: "g1", Progress: ptr(7)}, "", func(g casework.Goal) bool { return g.Progress == 7 && !g.Done }},
		{"goal done", casework.ProgressUpdate{GoalID: "g1", Done: ptr(true)}, "", func(g casework.Goal) bool { return g.Done && g.Progress == 0 }},
		{"step done and progress", casework.ProgressUpdate{GoalID: "g1", StepID: "s1", Done: ptr(true), Progress: ptr(10)}, "",
			func(g casework.Goal) bool { return g.Steps[0].Done && g.Steps[0].Progress == 10 && !g.Done }},
		{"progress 0 allowed", casework.ProgressUpdate{GoalID: "g1", Progress: ptr(0)}, "", func(g casework.Goal) bool { return true }},
		{"unknown goal", casework.ProgressUpdate{GoalID: "g9", Done: ptr(true)}, oikos.ENOTFOUND, nil},
		{"unknown step", casework.ProgressUpdate{GoalID: "g1", StepID: "s9", Done: ptr(true)}, oikos.ENOTFOUND, nil},
		{"step of no goal", casework.ProgressUpdate{StepID: "s1", Done: ptr(true)}, oikos.ENOTFOUND, nil},
		{"progress 11", casework.ProgressUpdate{GoalID: "g1", Progress: ptr(11)}, oikos.EINVALID, nil},
		{"progress -1", casework.ProgressUpdate{GoalID: "g1", StepID: "s1", Progress: ptr(-1)}, oikos.EINVALID, nil},
		{"nothing to change", casework.ProgressUpdate{GoalID: "g1"}, oikos.EINVALID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := casework.ApplyProgress(held, tt.u)
			if tt.code != "" {
				if oikos.ErrorCode(err) != tt.code {
					t.Fatalf("got %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil || !tt.want(got[0]) {
				t.Fatalf("%+v %v", got, err)
			}
		})
	}
	if held[0].Done || held[0].Progress != 0 || held[0].Steps[0].Done {
		t.Errorf("ApplyProgress changed its input: %+v", held)
	}
}

func TestPlanStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := casework.NewStore(d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID

		p, err := s.Plan(ctx, worker, ref)
		if err != nil || p.Goals == nil || len(p.Goals) != 0 || p.ReferralID != ref {
			t.Fatalf("empty plan: %+v %v", p, err)
		}
		p, err = s.SavePlan(ctx, worker, ref, []casework.Goal{{Text: "Feel less lonely", Steps: []casework.Step{
			{Text: "Go to the Tuesday lunch club", Owner: "person", Due: "2026-12-01"},
			{Text: "Find a befriender", Owner: "link_worker"},
		}}})
		if err != nil || len(p.Goals) != 1 || p.Goals[0].ID == "" || p.Goals[0].Steps[1].ID == "" || p.UpdatedBy != worker.UserID {
			t.Fatalf("save: %+v %v", p, err)
		}
		goal, step := p.Goals[0].ID, p.Goals[0].Steps[0].ID

		// The person marks a step done from their own page.
		person := actor("person:per_1")
		if p, err = s.SetProgress(ctx, person, ref, casework.ProgressUpdate{GoalID: goal, StepID: step, Done: ptr(true), Progress: ptr(10)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetProgress(ctx, person, ref, casework.ProgressUpdate{GoalID: goal, Progress: ptr(11)}); oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("progress 11: %v", err)
		}
		if _, err := s.SetProgress(ctx, person, ref, casework.ProgressUpdate{GoalID: "g_nope", Done: ptr(true)}); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Fatalf("unknown goal: %v", err)
		}

		// The link worker edits the text through the API, which leaves
		// out progress: the person's tick stays.
		p, err = s.EditPlan(ctx, worker, ref, []casework.GoalEdit{{ID: goal, Text: "Feel less lonely, and see friends weekly",
			Steps: []casework.StepEdit{{ID: step, Text: "Go to the Tuesday lunch club", Owner: "person", Due: "2026-12-01"}}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Plan(ctx, worker, ref)
		if err != nil || len(got.Goals) != 1 || got.Goals[0].ID != goal || len(got.Goals[0].Steps) != 1 ||
			!got.Goals[0].Steps[0].Done || got.Goals[0].Steps[0].Progress != 10 || got.UpdatedBy != worker.UserID ||
			!got.UpdatedAt.Equal(p.UpdatedAt) {
			t.Fatalf("reread: %+v %v", got, err)
		}

		// A form opened before the person's tick cannot undo it.
		stale := p.Version()
		if _, err := s.SetProgress(ctx, person, ref, casework.ProgressUpdate{GoalID: goal, Progress: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EditPlanAt(ctx, worker, ref, stale, nil); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("stale form: %v", err)
		}
		now, _ := s.Plan(ctx, worker, ref)
		if _, err := s.EditPlanAt(ctx, worker, ref, now.Version(), casework.Edits(now.Goals)); err != nil {
			t.Fatalf("current form: %v", err)
		}

		// Bad input writes nothing.
		if _, err := s.SavePlan(ctx, worker, ref, []casework.Goal{{Text: "x", Steps: []casework.Step{{Text: "y", Owner: "gp"}}}}); fields(err)["goals[0].steps[0].owner"] == "" {
			t.Fatalf("bad owner: %v", err)
		}
		if again, _ := s.Plan(ctx, worker, ref); len(again.Goals[0].Steps) != 1 {
			t.Fatalf("bad save changed the plan: %+v", again)
		}
		if _, err := s.Plan(ctx, worker, "ref_nobody"); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Fatalf("unknown referral: %v", err)
		}

		closeReferral(t, d, ref)
		if _, err := s.SavePlan(ctx, worker, ref, nil); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("closed: %v", err)
		}
		if _, err := s.SetProgress(ctx, person, ref, casework.ProgressUpdate{GoalID: goal, Done: ptr(true)}); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("closed progress: %v", err)
		}
		if _, err := s.Plan(ctx, worker, ref); err != nil {
			t.Fatalf("a closed plan can still be read: %v", err)
		}
		// Every read and every write is audited; refused writes are not.
		assertAudit(t, d, ref, "referral.plan", map[string]int{"read": 5, "update": 5})
	})
}
