package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// Step is one thing to do towards a goal, and who does it.
type Step struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Owner    string `json:"owner"`
	Due      string `json:"due,omitempty"`
	Done     bool   `json:"done"`
	Progress int    `json:"progress"`
	Marks
}

// Marks say what the person did to a goal or step from their own pages,
// so that the link worker sees it on the plan: added it, or reworded it.
// A link worker's own edits leave no mark (the audit log has them), and
// a link worker rewording it clears the person's rewording.
type Marks struct {
	// AddedBy is OwnerPerson when the person added it, else empty.
	AddedBy string     `json:"added_by,omitempty"`
	AddedAt *time.Time `json:"added_at,omitempty"`
	// RewordedBy is OwnerPerson when the person last reworded it.
	RewordedBy string     `json:"reworded_by,omitempty"`
	RewordedAt *time.Time `json:"reworded_at,omitempty"`
}

// keptBy is the marks an edit by a link worker leaves on a goal or step
// that was held with old marks and text: all of them, unless the link
// worker reworded it, which clears the person's rewording.
func (m Marks) keptBy(oldText, newText string) Marks {
	if oldText != newText {
		m.RewordedBy, m.RewordedAt = "", nil
	}
	return m
}

// Goal is something the person wants, in their own words.
type Goal struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Done     bool   `json:"done"`
	Progress int    `json:"progress"`
	Steps    []Step `json:"steps"`
	Marks
}

// Plan is the person's plan: theirs, written with their link worker.
type Plan struct {
	ReferralID string    `json:"referral_id"`
	Goals      []Goal    `json:"goals"`
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by"`
}

// ProgressUpdate marks a goal or one of its steps. StepID empty: the goal
// itself. A nil field is left as it is.
type ProgressUpdate struct {
	GoalID, StepID string
	Done           *bool
	Progress       *int
}

// Step owners: who does a step.
const (
	OwnerPerson     = "person"
	OwnerLinkWorker = "link_worker"
	OwnerVolunteer  = "volunteer"
)

// Owners lists who may own a step, in the order forms show them.
var Owners = []string{OwnerPerson, OwnerLinkWorker, OwnerVolunteer}

// OwnerLabel is a step's owner in words.
func OwnerLabel(owner string) string {
	switch owner {
	case OwnerPerson:
		return "The person"
	case OwnerLinkWorker:
		return "Link worker"
	case OwnerVolunteer:
		return "Volunteer"
	}
	return owner
}

// Limits on a plan's size: enough for any real plan, small enough that a
// page and a JSON column stay small.
const (
	MaxGoals    = 20
	MaxSteps    = 20
	maxPlanText = 500
	MaxProgress = 10
)

// GoalEdit is a goal as an editor sends it. Done and Progress are pointers
// so that an edit which leaves them out keeps what the person set.
type GoalEdit struct {
	ID       string     `json:"id,omitempty"`
	Text     string     `json:"text"`
	Done     *bool      `json:"done,omitempty"`
	Progress *int       `json:"progress,omitempty"`
	Steps    []StepEdit `json:"steps"`
}

// StepEdit is a step as an editor sends it.
type StepEdit struct {
	ID       string `json:"id,omitempty"`
	Text     string `json:"text"`
	Owner    string `json:"owner"`
	Due      string `json:"due,omitempty"`
	Done     *bool  `json:"done,omitempty"`
	Progress *int   `json:"progress,omitempty"`
}

// Edits turns goals into edits that set everything they hold.
func Edits(goals []Goal) []GoalEdit {
	out := make([]GoalEdit, len(goals))
	for i, g := range goals {
		out[i] = GoalEdit{ID: g.ID, Text: g.Text, Done: &g.Done, Progress: &g.Progress, Steps: make([]StepEdit, len(g.Steps))}
		for j, st := range g.Steps {
			out[i].Steps[j] = StepEdit{ID: st.ID, Text: st.Text, Owner: st.Owner, Due: st.Due, Done: &st.Done, Progress: &st.Progress}
		}
	}
	return out
}

// MergePlan checks the goals an editor sends against the plan held, and
// gives every goal and step an id: the one it had when it names one of the
// plan's, a new one otherwise. Done and progress left out keep what was
// held for that goal or step. It names every field at fault, as in
// goals[0].steps[1].owner.
func MergePlan(held []Goal, edits []GoalEdit, newID func(prefix string) string) ([]Goal, error) {
	f := map[string]string{}
	if len(edits) > MaxGoals {
		f["goals"] = fmt.Sprintf("A plan can hold up to %d goals.", MaxGoals)
		return nil, oikos.Invalid(f)
	}
	heldGoals := map[string]Goal{}
	heldSteps := map[string]Step{}
	for _, g := range held {
		heldGoals[g.ID] = g
		for _, st := range g.Steps {
			heldSteps[st.ID] = st
		}
	}
	used := map[string]bool{}
	// keepID keeps an id that names a held goal or step the first time it
	// appears; anything else is new, and starts with no progress.
	keepID := func(id, prefix string, known bool) (string, bool) {
		if id == "" || !known || used[id] {
			id, known = newID(prefix), false
		}
		used[id] = true
		return id, known
	}
	goals := make([]Goal, 0, len(edits))
	for i, e := range edits {
		name := fmt.Sprintf("goals[%d]", i)
		old, known := heldGoals[e.ID]
		id, known := keepID(e.ID, "g", known)
		if !known {
			old = Goal{}
		}
		g := Goal{ID: id, Text: strings.TrimSpace(e.Text), Done: old.Done, Progress: old.Progress, Steps: []Step{}}
		g.Marks = old.Marks.keptBy(old.Text, g.Text)
		if g.Text == "" {
			f[name+".text"] = "Write the goal, in the person's words."
		} else {
			text(f, name+".text", "The goal", g.Text, maxPlanText, true)
		}
		setProgress(f, name, &g.Done, &g.Progress, e.Done, e.Progress)
		if len(e.Steps) > MaxSteps {
			f[name+".steps"] = fmt.Sprintf("A goal can have up to %d steps.", MaxSteps)
			goals = append(goals, g)
			continue
		}
		for j, se := range e.Steps {
			sname := fmt.Sprintf("%s.steps[%d]", name, j)
			oldStep, known := heldSteps[se.ID]
			id, known := keepID(se.ID, "s", known)
			if !known {
				oldStep = Step{}
			}
			st := Step{ID: id, Text: strings.TrimSpace(se.Text), Owner: se.Owner, Due: strings.TrimSpace(se.Due),
				Done: oldStep.Done, Progress: oldStep.Progress}
			st.Marks = oldStep.Marks.keptBy(oldStep.Text, st.Text)
			if st.Text == "" {
				f[sname+".text"] = "Write the step."
			} else {
				text(f, sname+".text", "The step", st.Text, maxPlanText, false)
			}
			if !slices.Contains(Owners, st.Owner) {
				f[sname+".owner"] = "Choose who does this step: the person, the link worker or a volunteer."
			}
			if st.Due != "" {
				if _, msg := ParseDueDate(st.Due); msg != "" {
					f[sname+".due"] = msg
				}
			}
			setProgress(f, sname, &st.Done, &st.Progress, se.Done, se.Progress)
			g.Steps = append(g.Steps, st)
		}
		goals = append(goals, g)
	}
	if err := oikos.Invalid(f); err != nil {
		return nil, err
	}
	return goals, nil
}

func setProgress(f map[string]string, name string, done *bool, progress *int, newDone *bool, newProgress *int) {
	if newDone != nil {
		*done = *newDone
	}
	if newProgress != nil {
		if msg := checkProgress(*newProgress); msg != "" {
			f[name+".progress"] = msg
		}
		*progress = *newProgress
	}
}

func checkProgress(p int) string {
	if p < 0 || p > MaxProgress {
		return fmt.Sprintf("Progress must be a whole number from 0 to %d.", MaxProgress)
	}
	return ""
}

// ParseDueDate checks a due date: a real date, YYYY-MM-DD, this century.
// A date in the past is allowed: a step can be overdue.
func ParseDueDate(s string) (time.Time, string) {
	d, err := time.Parse(time.DateOnly, s)
	switch {
	case err != nil:
		return d, "Due date must be a real date, like 2027-03-27."
	case d.Year() < 2000 || d.Year() > 2099:
		return d, "Due date must be between 2000 and 2099."
	}
	return d, ""
}

// ApplyProgress marks a goal or step done or not and sets its progress,
// returning a changed copy of goals. An unknown goal or step is not found;
// progress outside 0 to 10 is invalid.
func ApplyProgress(goals []Goal, u ProgressUpdate) ([]Goal, error) {
	if u.Done == nil && u.Progress == nil {
		return nil, oikos.Invalid(map[string]string{"progress": "Say whether it is done, or how far along it is."})
	}
	if u.Progress != nil {
		if msg := checkProgress(*u.Progress); msg != "" {
			return nil, oikos.Invalid(map[string]string{"progress": msg})
		}
	}
	out := clonePlan(goals)
	gi := slices.IndexFunc(out, func(g Goal) bool { return g.ID == u.GoalID })
	if gi < 0 {
		return nil, oikos.NotFound("Goal")
	}
	done, progress := &out[gi].Done, &out[gi].Progress
	if u.StepID != "" {
		si := slices.IndexFunc(out[gi].Steps, func(st Step) bool { return st.ID == u.StepID })
		if si < 0 {
			return nil, oikos.NotFound("Step")
		}
		done, progress = &out[gi].Steps[si].Done, &out[gi].Steps[si].Progress
	}
	if u.Done != nil {
		*done = *u.Done
	}
	if u.Progress != nil {
		*progress = *u.Progress
	}
	return out, nil
}

func clonePlan(goals []Goal) []Goal {
	out := slices.Clone(goals)
	for i := range out {
		out[i].Steps = slices.Clone(out[i].Steps)
	}
	return out
}

// Plan is the referral's plan; Goals is empty, not nil, when none is
// written yet. The read is audited.
func (s *Store) Plan(ctx context.Context, by referral.Actor, referralID string) (Plan, error) {
	var p Plan
	err := s.read(ctx, by, referralID, kindPlan, func(tx *sql.Tx) (err error) {
		p, err = ReadPlan(ctx, tx, referralID)
		return err
	})
	return p, err
}

// ReadPlan is Plan through q, unaudited: the caller audits the read
// (KindPlan).
func ReadPlan(ctx context.Context, q db.Querier, referralID string) (Plan, error) {
	p := Plan{ReferralID: referralID, Goals: []Goal{}}
	var goals string
	var updated int64
	err := q.QueryRowContext(ctx, "SELECT goals, updated_at, updated_by FROM plans WHERE referral_id = $1", referralID).Scan(&goals, &updated, &p.UpdatedBy)
	if err == sql.ErrNoRows {
		return p, nil
	} else if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(goals), &p.Goals); err != nil {
		return p, fmt.Errorf("plan of referral %s: %w", referralID, err)
	}
	for i := range p.Goals {
		if p.Goals[i].Steps == nil {
			p.Goals[i].Steps = []Step{}
		}
	}
	if p.Goals == nil {
		p.Goals = []Goal{}
	}
	p.UpdatedAt = db.Time(updated)
	return p, nil
}

// SavePlan replaces the plan's goals with these. Goals and steps that
// carry the id of one already held keep it; others get new ids. Done and
// progress are taken as given.
func (s *Store) SavePlan(ctx context.Context, by referral.Actor, referralID string, goals []Goal) (Plan, error) {
	return s.EditPlan(ctx, by, referralID, Edits(goals))
}

// EditPlan is SavePlan for editors that may leave out done and progress
// (the JSON API): what they leave out keeps what was held.
func (s *Store) EditPlan(ctx context.Context, by referral.Actor, referralID string, edits []GoalEdit) (Plan, error) {
	return s.changePlan(ctx, by, referralID, func(held Plan) ([]Goal, error) {
		return MergePlan(held.Goals, edits, db.NewID)
	})
}

// Version identifies one saved state of a plan: 0 before it is first
// saved. A form carries it so that saving can tell whether someone else
// saved in between.
func (p Plan) Version() int64 {
	if p.UpdatedAt.IsZero() {
		return 0
	}
	return db.Millis(p.UpdatedAt)
}

// EditPlanAt is EditPlan for a form opened at a version of the plan. When
// someone else (the person, ticking a step from their own page) has saved
// since, it refuses with a conflict rather than undo their change.
func (s *Store) EditPlanAt(ctx context.Context, by referral.Actor, referralID string, version int64, edits []GoalEdit) (Plan, error) {
	return s.changePlan(ctx, by, referralID, func(held Plan) ([]Goal, error) {
		if held.Version() != version {
			who := "Someone"
			if held.UpdatedBy == by.UserID {
				who = "You"
			} else if strings.HasPrefix(held.UpdatedBy, "person:") {
				who = "The person"
			}
			return nil, &oikos.Error{Code: oikos.ECONFLICT, Message: who + " changed the plan while it was open here. It is shown again as it is now: make your changes again."}
		}
		return MergePlan(held.Goals, edits, db.NewID)
	})
}

// SetProgress marks a goal or step done, or sets its progress: what the
// person does from their own page as much as the link worker.
func (s *Store) SetProgress(ctx context.Context, by referral.Actor, referralID string, u ProgressUpdate) (Plan, error) {
	return s.changePlan(ctx, by, referralID, func(held Plan) ([]Goal, error) {
		return ApplyProgress(held.Goals, u)
	})
}

// changePlan reads the plan, changes it with fn and writes it back in one
// transaction, audited.
func (s *Store) changePlan(ctx context.Context, by referral.Actor, referralID string, fn func(held Plan) ([]Goal, error)) (Plan, error) {
	var p Plan
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.openReferral(ctx, tx, referralID, "plan"); err != nil {
			return err
		}
		held, err := ReadPlan(ctx, tx, referralID)
		if err != nil {
			return err
		}
		goals, err := fn(held)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(goals)
		if err != nil {
			return err
		}
		now := s.now()
		if !now.After(held.UpdatedAt) {
			// Two saves in one millisecond would share a version.
			now = held.UpdatedAt.Add(time.Millisecond)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plans (referral_id, goals, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (referral_id) DO UPDATE SET goals = excluded.goals, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			referralID, string(raw), db.Millis(now), by.UserID); err != nil {
			return err
		}
		p = Plan{ReferralID: referralID, Goals: goals, UpdatedAt: now, UpdatedBy: by.UserID}
		return s.audit(ctx, tx, by, audit.Update, kindPlan, referralID)
	})
	return p, err
}
