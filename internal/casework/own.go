package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// The person's own changes to their plan, from their own pages: the plan
// is theirs, so they may add a goal or a step in their own words and
// reword one, as well as mark it done. They may not delete anything or
// give a step to someone else: that is agreed with their link worker.

// OwnChange is one change the person makes to their own plan.
//
//   - Add, no GoalID: a new goal.
//   - Add with GoalID: a new step under that goal, which the person does.
//   - GoalID alone: the goal reworded.
//   - GoalID and StepID: the step reworded.
type OwnChange struct {
	Add            bool
	GoalID, StepID string
	Text           string
}

// IsStep reports whether the change is to a step rather than a goal.
func (c OwnChange) IsStep() bool { return c.StepID != "" || (c.Add && c.GoalID != "") }

// checkOwnText checks the words the person gives: the field is "text",
// and the messages speak to them.
func checkOwnText(c OwnChange) (string, error) {
	v := strings.TrimSpace(c.Text)
	what, empty := "Your goal", "Write your goal, in your own words."
	if c.IsStep() {
		what, empty = "The step", "Write the step, in your own words."
	}
	f := map[string]string{}
	if v == "" {
		f["text"] = empty
	} else {
		text(f, "text", what, v, maxPlanText, false)
	}
	return v, oikos.Invalid(f)
}

// ApplyOwnChange makes the person's change to goals, returning a changed
// copy and the id of the goal or step added or reworded. A goal or step
// not in goals is not found; the words are checked (field "text"); a plan
// or goal already at its limit refuses another. What the person adds or
// rewords is marked as theirs, at at; rewording to the same words changes
// nothing.
func ApplyOwnChange(goals []Goal, c OwnChange, at time.Time, newID func(prefix string) string) ([]Goal, string, error) {
	words, err := checkOwnText(c)
	if err != nil {
		return nil, "", err
	}
	out := clonePlan(goals)
	if c.Add && c.GoalID == "" {
		if len(out) >= MaxGoals {
			return nil, "", oikos.Invalid(map[string]string{"text": fmt.Sprintf(
				"Your plan already has %d goals, the most it can hold. Reword one of them instead, or talk to your link worker.", MaxGoals)})
		}
		g := Goal{ID: newID("g"), Text: words, Steps: []Step{}, Marks: Marks{AddedBy: OwnerPerson, AddedAt: &at}}
		return append(out, g), g.ID, nil
	}
	gi := slices.IndexFunc(out, func(g Goal) bool { return g.ID == c.GoalID })
	if gi < 0 {
		return nil, "", oikos.NotFound("Goal")
	}
	g := &out[gi]
	switch {
	case c.Add:
		if len(g.Steps) >= MaxSteps {
			return nil, "", oikos.Invalid(map[string]string{"text": fmt.Sprintf(
				"This goal already has %d steps, the most it can hold. Reword one of them instead, or talk to your link worker.", MaxSteps)})
		}
		st := Step{ID: newID("s"), Text: words, Owner: OwnerPerson, Marks: Marks{AddedBy: OwnerPerson, AddedAt: &at}}
		g.Steps = append(g.Steps, st)
		return out, st.ID, nil
	case c.StepID != "":
		si := slices.IndexFunc(g.Steps, func(st Step) bool { return st.ID == c.StepID })
		if si < 0 {
			return nil, "", oikos.NotFound("Step")
		}
		reword(&g.Steps[si].Text, &g.Steps[si].Marks, words, at)
		return out, c.StepID, nil
	}
	reword(&g.Text, &g.Marks, words, at)
	return out, g.ID, nil
}

// reword sets new words and marks them as the person's, unless they are
// the words already held.
func reword(text *string, m *Marks, words string, at time.Time) {
	if *text == words {
		return
	}
	*text, m.RewordedBy, m.RewordedAt = words, OwnerPerson, &at
}

// ChangeOwnPlan makes the person's change to the referral's plan, in one
// audited transaction (by is the person), and returns the plan and the id
// of the goal or step changed. A closed referral's plan is kept as it
// was: a conflict.
func (s *Store) ChangeOwnPlan(ctx context.Context, by referral.Actor, referralID string, c OwnChange) (Plan, string, error) {
	var id string
	p, err := s.changePlan(ctx, by, referralID, func(held Plan) ([]Goal, error) {
		goals, changed, err := ApplyOwnChange(held.Goals, c, s.now(), db.NewID)
		id = changed
		return goals, err
	})
	return p, id, err
}
