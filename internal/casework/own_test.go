package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
)

func TestApplyOwnChange(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	held := []casework.Goal{{ID: "g_a", Text: "Get out more", Progress: 4, Steps: []casework.Step{
		{ID: "s_a", Text: "Try the walking group", Owner: "link_worker", Due: "2026-12-01", Done: true, Progress: 10}}}}
	full := make([]casework.Goal, casework.MaxGoals)
	for i := range full {
		full[i] = casework.Goal{ID: "g_" + strings.Repeat("x", i+1), Text: "goal"}
	}
	fullSteps := []casework.Goal{{ID: "g_a", Text: "a", Steps: make([]casework.Step, casework.MaxSteps)}}
	tests := []struct {
		name   string
		goals  []casework.Goal
		change casework.OwnChange
		code   string // error code expected; "" for none
		field  string // message expected for "text", in part
		check  func(t *testing.T, got []casework.Goal, id string)
	}{
		{name: "add a goal", goals: held, change: casework.OwnChange{Add: true, Text: "  Sing in a choir "},
			check: func(t *testing.T, got []casework.Goal, id string) {
				g := got[1]
				if len(got) != 2 || id != g.ID || g.Text != "Sing in a choir" || g.AddedBy != "person" || !g.AddedAt.Equal(at) || g.Steps == nil {
					t.Errorf("%+v %s", got, id)
				}
			}},
		{name: "add a step", goals: held, change: casework.OwnChange{Add: true, GoalID: "g_a", Text: "Ask my neighbour to come"},
			check: func(t *testing.T, got []casework.Goal, id string) {
				st := got[0].Steps[1]
				if id != st.ID || st.Owner != "person" || st.AddedBy != "person" || st.Text != "Ask my neighbour to come" || st.Done {
					t.Errorf("%+v", st)
				}
			}},
		{name: "reword a goal", goals: held, change: casework.OwnChange{GoalID: "g_a", Text: "Get out of the house twice a week"},
			check: func(t *testing.T, got []casework.Goal, id string) {
				g := got[0]
				if id != "g_a" || g.Text != "Get out of the house twice a week" || g.RewordedBy != "person" || !g.RewordedAt.Equal(at) ||
					g.Progress != 4 || g.AddedBy != "" || len(g.Steps) != 1 {
					t.Errorf("%+v", g)
				}
			}},
		{name: "reword a step", goals: held, change: casework.OwnChange{GoalID: "g_a", StepID: "s_a", Text: "Go on the Wednesday walk"},
			check: func(t *testing.T, got []casework.Goal, id string) {
				st := got[0].Steps[0]
				if id != "s_a" || st.Text != "Go on the Wednesday walk" || st.RewordedBy != "person" || st.Owner != "link_worker" || !st.Done {
					t.Errorf("%+v", st)
				}
			}},
		{name: "same words leave no mark", goals: held, change: casework.OwnChange{GoalID: "g_a", Text: "Get out more "},
			check: func(t *testing.T, got []casework.Goal, id string) {
				if got[0].RewordedBy != "" || got[0].RewordedAt != nil {
					t.Errorf("%+v", got[0])
				}
			}},
		{name: "empty goal", goals: held, change: casework.OwnChange{Add: true, Text: "  "}, code: oikos.EINVALID, field: "Write your goal"},
		{name: "empty step", goals: held, change: casework.OwnChange{GoalID: "g_a", StepID: "s_a", Text: ""}, code: oikos.EINVALID, field: "Write the step"},
		{name: "too long", goals: held, change: casework.OwnChange{GoalID: "g_a", Text: strings.Repeat("x", 501)}, code: oikos.EINVALID, field: "500 characters or fewer"},
		{name: "control characters", goals: held, change: casework.OwnChange{Add: true, GoalID: "g_a", Text: "a\x00b"}, code: oikos.EINVALID, field: "control characters"},
		{name: "someone else's goal", goals: held, change: casework.OwnChange{GoalID: "g_other", Text: "x"}, code: oikos.ENOTFOUND},
		{name: "someone else's goal, adding a step", goals: held, change: casework.OwnChange{Add: true, GoalID: "g_other", Text: "x"}, code: oikos.ENOTFOUND},
		{name: "someone else's step", goals: held, change: casework.OwnChange{GoalID: "g_a", StepID: "s_other", Text: "x"}, code: oikos.ENOTFOUND},
		{name: "plan full", goals: full, change: casework.OwnChange{Add: true, Text: "one more"}, code: oikos.EINVALID, field: "20 goals"},
		{name: "goal full", goals: fullSteps, change: casework.OwnChange{Add: true, GoalID: "g_a", Text: "one more"}, code: oikos.EINVALID, field: "20 steps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := casework.Edits(tc.goals)
			got, id, err := casework.ApplyOwnChange(tc.goals, tc.change, at, counter())
			if oikos.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
				t.Fatalf("got %v, want code %q", err, tc.code)
			}
			if tc.field != "" && !strings.Contains(fields(err)["text"], tc.field) {
				t.Errorf("text: %q, want %q", fields(err)["text"], tc.field)
			}
			if tc.check != nil {
				tc.check(t, got, id)
			}
			if after := casework.Edits(tc.goals); len(after) != len(before) || (len(after) > 0 && after[0].Text != before[0].Text) {
				t.Error("the goals given were changed")
			}
		})
	}
}

// A link worker's edit keeps the person's marks, and clears "reworded by
// the person" only from what the link worker rewords.
func TestMergePlanKeepsThePersonsMarks(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	held := []casework.Goal{{ID: "g_a", Text: "Sing", Marks: casework.Marks{AddedBy: "person", AddedAt: &at, RewordedBy: "person", RewordedAt: &at},
		Steps: []casework.Step{{ID: "s_a", Text: "Find a choir", Owner: "person", Marks: casework.Marks{RewordedBy: "person", RewordedAt: &at}}}}}
	got, err := casework.MergePlan(held, []casework.GoalEdit{{ID: "g_a", Text: "Sing",
		Steps: []casework.StepEdit{{ID: "s_a", Text: "Find a choir near Exeter", Owner: "person"}}}}, counter())
	if err != nil {
		t.Fatal(err)
	}
	if g := got[0]; g.AddedBy != "person" || g.RewordedBy != "person" || g.Steps[0].RewordedBy != "" || g.Steps[0].RewordedAt != nil {
		t.Errorf("%+v", got)
	}
}

func TestChangeOwnPlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := casework.NewStore(d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID
		person := actor("person:per_1")

		// Before any plan is written, the person may start it.
		p, goal, err := s.ChangeOwnPlan(ctx, person, ref, casework.OwnChange{Add: true, Text: "See my grandchildren more"})
		if err != nil || len(p.Goals) != 1 || p.Goals[0].ID != goal || p.UpdatedBy != person.UserID {
			t.Fatalf("add goal: %+v %v", p, err)
		}
		_, step, err := s.ChangeOwnPlan(ctx, person, ref, casework.OwnChange{Add: true, GoalID: goal, Text: "Ring my son on Sunday"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ChangeOwnPlan(ctx, person, ref, casework.OwnChange{GoalID: goal, StepID: step, Text: "Ring my son every Sunday"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ChangeOwnPlan(ctx, person, ref, casework.OwnChange{GoalID: goal, Text: ""}); fields(err)["text"] == "" {
			t.Fatalf("empty: %v", err)
		}
		if _, _, err := s.ChangeOwnPlan(ctx, person, ref, casework.OwnChange{GoalID: "g_nope", Text: "x"}); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Fatalf("unknown goal: %v", err)
		}
		got, err := s.Plan(ctx, worker, ref)
		if err != nil {
			t.Fatal(err)
		}
		st := got.Goals[0].Steps[0]
		if st.Text != "Ring my son every Sunday" || st.Owner != "person" || st.AddedBy != "person" || st.RewordedBy != "person" ||
			st.RewordedAt == nil || got.Goals[0].AddedAt == nil {
			t.Fatalf("reread: %+v", got)
		}

		// The link worker's form, saved as it is, keeps the marks.
		if _, err := s.SavePlan(ctx, worker, ref, got.Goals); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Plan(ctx, worker, ref)
		if again.Goals[0].Steps[0].RewordedBy != "person" || again.Goals[0].AddedBy != "person" {
			t.Fatalf("marks lost: %+v", again)
		}

		// A closed referral's plan is the person's to read, not change.
		closeReferral(t, d, ref)
		if _, _, err := s.ChangeOwnPlan(ctx, person, ref, casework.OwnChange{Add: true, Text: "More"}); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("closed: %v", err)
		}
		// Three changes by the person and the link worker's save; refused
		// changes leave nothing.
		assertAudit(t, d, ref, "referral.plan", map[string]int{"update": 4})
		entries, err := audit.ForObject(ctx, d.R(), "referral.plan", ref, 100)
		if err != nil {
			t.Fatal(err)
		}
		byPerson := 0
		for _, e := range entries {
			if e.Action == audit.Update && e.ActorID == person.UserID {
				byPerson++
			}
		}
		if byPerson != 3 {
			t.Errorf("updates by the person: %d", byPerson)
		}
	})
}

// FuzzApplyOwnChange feeds what the person types, and the ids in the path,
// to their change: it may refuse anything, naming the box or not finding
// the goal, but what it accepts is plain, short and changes only that.
func FuzzApplyOwnChange(f *testing.F) {
	for _, seed := range []struct {
		add        bool
		goal, step string
		text       string
	}{{true, "", "", "Sing again"}, {true, "g_a", "", "Ring my son"}, {false, "g_a", "", " "}, {false, "g_a", "s_a", "a\u0000b"},
		{false, "g_b", "s_a", "x"}, {false, "g_a", "s_a", "\u202eevil\n"}} {
		f.Add(seed.add, seed.goal, seed.step, seed.text)
	}
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	held := []casework.Goal{{ID: "g_a", Text: "Get out more", Steps: []casework.Step{{ID: "s_a", Text: "Walk", Owner: "link_worker"}}}}
	f.Fuzz(func(t *testing.T, add bool, goal, step, text string) {
		c := casework.OwnChange{Add: add, GoalID: goal, StepID: step, Text: text}
		got, id, err := casework.ApplyOwnChange(held, c, at, counter())
		if err != nil {
			if code := oikos.ErrorCode(err); code == oikos.EINVALID && fields(err)["text"] == "" || code != oikos.EINVALID && code != oikos.ENOTFOUND {
				t.Fatalf("refusal: %v", err)
			}
			return
		}
		words := strings.TrimSpace(text)
		if words == "" || !oikos.PlainText(words, false) || len([]rune(words)) > 500 || id == "" {
			t.Fatalf("accepted %q", text)
		}
		steps := 0
		for _, g := range got {
			steps += len(g.Steps)
		}
		if len(got) > 2 || steps > 2 || held[0].Text != "Get out more" || held[0].Steps[0].Text != "Walk" {
			t.Fatalf("changed more than one thing: %+v", got)
		}
	})
}
