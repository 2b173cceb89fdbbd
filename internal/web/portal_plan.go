package web

import (
	"net/http"
	"net/url"
	"slices"

	"oikos"
	"oikos/internal/casework"
	"oikos/internal/referral"
)

// The person adds goals and steps to their own plan, and rewords them, on
// a page of its own for each (a box of words and a button: no script
// needed). They reach only the goals of their own open referrals: any
// other id is not found, and a closed referral's plan is not theirs to
// change any more.

// ownKind is which of the four changes a page makes.
type ownKind int

const (
	ownNewGoal ownKind = iota
	ownGoalWords
	ownNewStep
	ownStepWords
)

// ownTarget is what a change is to: the referral whose plan it is, and the
// goal and step as held (empty for what is being added).
type ownTarget struct {
	Ref  referral.Referral
	Goal casework.Goal
	Step casework.Step
}

// findOwnTarget finds what the request's change is to, among the person's
// open referrals. A new goal goes into the plan whose reference the form
// names ("plan"), or the only open one.
func (s *Server) findOwnTarget(r *http.Request, kind ownKind) (ownTarget, error) {
	ctx := r.Context()
	refs, err := s.openReferrals(ctx, personOf(r))
	if err != nil {
		return ownTarget{}, err
	}
	if kind == ownNewGoal {
		plan := r.FormValue("plan")
		i := slices.IndexFunc(refs, func(ref referral.Referral) bool { return ref.Reference == plan })
		if plan == "" && len(refs) == 1 {
			i = 0
		}
		if i < 0 {
			return ownTarget{}, oikos.NotFound("Plan")
		}
		return ownTarget{Ref: refs[i]}, nil
	}
	goalID, stepID := r.PathValue("goal"), r.PathValue("step")
	for _, ref := range refs {
		p, err := s.cases.Plan(ctx, personActor(r), ref.ID)
		if err != nil {
			return ownTarget{}, err
		}
		gi := slices.IndexFunc(p.Goals, func(g casework.Goal) bool { return g.ID == goalID })
		if gi < 0 {
			continue
		}
		t := ownTarget{Ref: ref, Goal: p.Goals[gi]}
		if kind == ownStepWords {
			si := slices.IndexFunc(t.Goal.Steps, func(st casework.Step) bool { return st.ID == stepID })
			if si < 0 {
				return ownTarget{}, oikos.NotFound("Step")
			}
			t.Step = t.Goal.Steps[si]
		}
		return t, nil
	}
	return ownTarget{}, oikos.NotFound("Goal")
}

// ownFormPage is the page for one change, as held (for rewording) or
// empty (for adding).
func ownFormPage(kind ownKind, t ownTarget) *page {
	d := myPlanFormPage{Goal: t.Goal.Text, Back: "/my#goal-" + t.Goal.ID}
	form := url.Values{}
	switch kind {
	case ownNewGoal:
		d.Heading, d.Label, d.Button, d.Action, d.Back = "Add a goal", "Your goal", "Add goal", "/my/goals/new", "/my"
		d.Hint, d.Goal, d.Plan = "Something you would like, in your own words. For example: I would like to get out of the house more.", "", t.Ref.Reference
	case ownGoalWords:
		d.Heading, d.Label, d.Button, d.Action = "Change the words of your goal", "Your goal", "Save goal", "/my/goals/"+t.Goal.ID+"/edit"
		d.Hint, d.Goal = "Write it as you would say it.", ""
		form.Set("text", t.Goal.Text)
	case ownNewStep:
		d.Heading, d.Label, d.Button, d.Action = "Add a step", "What will you do?", "Add step", "/my/goals/"+t.Goal.ID+"/steps/new"
		d.Hint = "Something small you will do towards this goal. For example: ring my sister on Sunday."
	case ownStepWords:
		d.Heading, d.Label, d.Button, d.Action = "Change the words of a step", "The step", "Save step",
			"/my/goals/"+t.Goal.ID+"/steps/"+t.Step.ID+"/edit"
		d.Hint, d.Back = "Write it as you would say it.", "/my#step-"+t.Step.ID
		form.Set("text", t.Step.Text)
	}
	return &page{Title: d.Heading, Form: form, Data: d}
}

// ownForm shows the page for one change.
func (s *Server) ownForm(w http.ResponseWriter, r *http.Request, kind ownKind) {
	t, err := s.findOwnTarget(r, kind)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_plan_form", ownFormPage(kind, t))
}

// ownSave makes one change and goes back to the plan, at what changed; a
// mistake in the words shows the page again, the field named.
func (s *Server) ownSave(w http.ResponseWriter, r *http.Request, kind ownKind) {
	if !parseForm(w, r) {
		s.renderError(w, r, http.StatusBadRequest, "The form could not be read", "Go back and try again.")
		return
	}
	t, err := s.findOwnTarget(r, kind)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	c := casework.OwnChange{Add: kind == ownNewGoal || kind == ownNewStep, GoalID: t.Goal.ID, StepID: t.Step.ID, Text: r.PostForm.Get("text")}
	_, id, err := s.cases.ChangeOwnPlan(r.Context(), personActor(r), t.Ref.ID, c)
	if oikos.ErrorCode(err) == oikos.EINVALID {
		pg := ownFormPage(kind, t)
		pg.Form = r.PostForm
		s.formError(w, r, "my_plan_form", pg, err, "text", "text")
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	saved, anchor := map[ownKind]string{ownNewGoal: "new-goal", ownGoalWords: "goal-words", ownNewStep: "new-step", ownStepWords: "step-words"}[kind], "#goal-"
	if c.IsStep() {
		anchor = "#step-"
	}
	http.Redirect(w, r, "/my?saved="+saved+anchor+url.PathEscape(id), http.StatusSeeOther)
}

func (s *Server) myNewGoalForm(w http.ResponseWriter, r *http.Request) { s.ownForm(w, r, ownNewGoal) }
func (s *Server) myNewGoal(w http.ResponseWriter, r *http.Request)     { s.ownSave(w, r, ownNewGoal) }
func (s *Server) myGoalWordsForm(w http.ResponseWriter, r *http.Request) {
	s.ownForm(w, r, ownGoalWords)
}
func (s *Server) myGoalWords(w http.ResponseWriter, r *http.Request)   { s.ownSave(w, r, ownGoalWords) }
func (s *Server) myNewStepForm(w http.ResponseWriter, r *http.Request) { s.ownForm(w, r, ownNewStep) }
func (s *Server) myNewStep(w http.ResponseWriter, r *http.Request)     { s.ownSave(w, r, ownNewStep) }
func (s *Server) myStepWordsForm(w http.ResponseWriter, r *http.Request) {
	s.ownForm(w, r, ownStepWords)
}
func (s *Server) myStepWords(w http.ResponseWriter, r *http.Request) { s.ownSave(w, r, ownStepWords) }
