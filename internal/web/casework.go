package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/outcome"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
	"oikos/internal/web/httpx"
)

// Casework: contacts, the what-matters conversation, the plan and the
// caseload. Every route is for link workers and managers, and each looks
// the referral up for a change, so a referrer (who may read the referral's
// status) never reaches a note, and a link worker reaches only their own
// caseload and the unassigned queue.

func (s *Server) apiRecordContact(w http.ResponseWriter, r *http.Request) {
	var in casework.ContactInput
	ref, err := s.caseBody(w, r, &in)
	var c casework.Contact
	if err == nil {
		// A reached contact moves the referral on in the same transaction.
		c, err = s.cases.RecordContact(r.Context(), httpx.Actor(r), ref.ID, in)
	}
	s.reply(w, r, http.StatusCreated, c, err)
}

func (s *Server) apiContacts(w http.ResponseWriter, r *http.Request) {
	caseList(s, w, r, s.cases.Contacts)
}

func (s *Server) apiRecordConversation(w http.ResponseWriter, r *http.Request) {
	var in casework.ConversationInput
	ref, err := s.caseBody(w, r, &in)
	var c casework.Conversation
	if err == nil {
		c, err = s.cases.RecordConversation(r.Context(), httpx.Actor(r), ref.ID, in)
	}
	s.reply(w, r, http.StatusCreated, c, err)
}

func (s *Server) apiConversations(w http.ResponseWriter, r *http.Request) {
	caseList(s, w, r, s.cases.Conversations)
}

// caseList answers with one part of the casework of the referral in the
// path, looked up for a change, as a list.
func caseList[T any](s *Server, w http.ResponseWriter, r *http.Request, read func(context.Context, oikos.Actor, string) ([]T, error)) {
	ref, err := s.caseReferral(r)
	var items []T
	if err == nil {
		items, err = read(r.Context(), httpx.Actor(r), ref.ID)
	}
	s.reply(w, r, http.StatusOK, httpx.NewList(items, len(items), ""), err)
}

func (s *Server) apiGetPlan(w http.ResponseWriter, r *http.Request) {
	ref, err := s.caseReferral(r)
	var p casework.Plan
	if err == nil {
		p, err = s.cases.Plan(r.Context(), httpx.Actor(r), ref.ID)
	}
	s.reply(w, r, http.StatusOK, p, err)
}

// planBody is the contract's plan. Goals is a pointer so that a body
// without it is refused rather than taken as "no goals".
type planBody struct {
	Goals *[]casework.GoalEdit `json:"goals"`
}

func (s *Server) apiPutPlan(w http.ResponseWriter, r *http.Request) {
	var in planBody
	ref, err := s.caseBody(w, r, &in)
	if err == nil && in.Goals == nil {
		err = oikos.Invalid(map[string]string{"goals": "Send the goals, as a list (an empty list clears the plan)."})
	}
	var p casework.Plan
	if err == nil {
		p, err = s.cases.EditPlan(r.Context(), httpx.Actor(r), ref.ID, *in.Goals)
	}
	s.reply(w, r, http.StatusOK, p, err)
}

// progressBody marks one goal or step.
type progressBody struct {
	GoalID   string `json:"goal_id"`
	StepID   string `json:"step_id,omitempty"`
	Done     *bool  `json:"done,omitempty"`
	Progress *int   `json:"progress,omitempty"`
}

func (s *Server) apiPlanProgress(w http.ResponseWriter, r *http.Request) {
	var in progressBody
	ref, err := s.caseBody(w, r, &in)
	var p casework.Plan
	if err == nil {
		p, err = s.cases.SetProgress(r.Context(), httpx.Actor(r), ref.ID, casework.ProgressUpdate{GoalID: in.GoalID, StepID: in.StepID,
			Done: in.Done, Progress: in.Progress})
	}
	s.reply(w, r, http.StatusOK, p, err)
}

// The referral page's casework sections.

// domainLabels name the four domains of need.
var domainLabels = []struct {
	Domain taxonomy.Domain
	Label  string
}{{taxonomy.Social, "Social"}, {taxonomy.Mental, "Mental"}, {taxonomy.Physical, "Physical"}, {taxonomy.Economic, "Economic"}}

func modeOptions(modes []string) []option {
	out := make([]option, len(modes))
	for i, m := range modes {
		out[i] = option{Value: m, Label: casework.ModeLabel(m)}
	}
	return out
}

// Recording a contact.

// contactForm is the contact form's data; its fields read the page's
// values and errors when shown.
type contactForm struct {
	page     *page
	Referral referral.Referral
}

// Modes are the ways of being in touch.
func (contactForm) Modes() []option { return modeOptions(casework.ContactModes) }

// Outcomes are what came of it: only "Spoke with them" moves the referral
// on; a call nobody answered is kept so that the next try knows of it.
func (contactForm) Outcomes() []option {
	out := make([]option, 0, len(casework.ContactOutcomes))
	for _, o := range casework.ContactOutcomes {
		out = append(out, option{Value: o, Label: casework.OutcomeLabel(o)})
	}
	return out
}

// When is the contact's date.
func (d contactForm) When() dateField {
	return newDateField(d.page, "at", "When was it?", "For example, 27 3 2026.")
}

func newContactForm(pg *page, ref referral.Referral) {
	pg.Title = "Record a contact with " + personName(ref)
	pg.Data = contactForm{page: pg, Referral: ref}
}

func (s *Server) contactNew(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok {
		return
	}
	form := url.Values{"mode": {"phone"}, "outcome": {casework.OutcomeReached}}
	todayParts(form, "at")
	pg := &page{Form: form}
	newContactForm(pg, ref)
	s.render(w, r, http.StatusOK, "contact_form", pg)
}

func (s *Server) contactCreate(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	in := casework.ContactInput{At: dateParts(f, "at"), Mode: f.Get("mode"), Outcome: f.Get("outcome"), Note: f.Get("note")}
	problems := map[string]string{}
	if !slices.Contains(casework.ContactOutcomes, in.Outcome) {
		// Left unchosen, the rules would take it as reached: ask instead.
		problems["outcome"] = "Choose what happened: whether you spoke with them."
	}
	if t := strings.TrimSpace(f.Get("at-time")); t != "" {
		if clock, err := time.Parse("15:04", t); err != nil {
			problems["at-time"] = "Enter the time on the 24-hour clock, like 14:30, or leave it blank."
		} else if in.At != "" {
			in.At += "T" + clock.Format("15:04")
		}
	}
	if d := strings.TrimSpace(f.Get("duration_minutes")); d != "" {
		var err error
		if in.DurationMinutes, err = strconv.Atoi(d); err != nil {
			problems["duration_minutes"] = "Enter the duration as a whole number of minutes, like 20."
		}
	}
	var err error
	if len(problems) > 0 {
		// Show the rules' problems with the form's, all at once.
		if _, verr := in.Validate(time.Now()); verr != nil {
			for k, v := range verr.(*oikos.Error).Fields {
				if problems[k] == "" {
					problems[cmpOr(map[string]string{"at": "at-day"}[k], k)] = v
				}
			}
		}
		err = oikos.Invalid(problems)
	} else {
		_, err = s.cases.RecordContact(r.Context(), httpx.Actor(r), ref.ID, in)
	}
	if err != nil {
		err = renameFields(err, func(k string) string {
			if k == "at" {
				return "at-day"
			}
			return k
		})
		pg := &page{Form: f}
		newContactForm(pg, ref)
		s.formError(w, r, "contact_form", pg, err, "at-day", "at-day", "at-time", "mode", "outcome", "duration_minutes", "note")
		return
	}
	done := "contact"
	if in.Outcome != casework.OutcomeReached {
		done = "contact-tried"
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done="+done+"#contacts", http.StatusSeeOther)
}

// The what-matters conversation.

type needChoice struct {
	Code, Label          string
	Priorities           []option
	Checked              bool
	Error, PriorityError string
}

type domainChoice struct {
	Label string
	Needs []needChoice
}

type answerChoice struct {
	Name, Question, Error string
	Options               []option
}

func priorityOptions(selected string) []option {
	out := []option{{Value: "1", Label: "High"}, {Value: "2", Label: "Medium"}, {Value: "3", Label: "Low"}}
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}

// conversationForm is the conversation form's data. Its choices are
// methods so that they read the page's values and errors when shown,
// whether the page is new or shown again with problems.
type conversationForm struct {
	page     *page
	Referral referral.Referral
}

func newConversationForm(pg *page, ref referral.Referral) {
	pg.Title = "What matters to " + personName(ref)
	pg.Data = conversationForm{page: pg, Referral: ref}
}

// Modes are the ways a conversation is held.
func (conversationForm) Modes() []option { return modeOptions(casework.ConversationModes) }

// HeldAt is the conversation's date.
func (d conversationForm) HeldAt() dateField {
	return newDateField(d.page, "held", "When did you talk?", "For example, 27 3 2026.")
}

// Domains lays the needs out by domain, each with its priority.
func (d conversationForm) Domains() []domainChoice {
	pg := d.page
	var domains []domainChoice
	for _, dl := range domainLabels {
		dc := domainChoice{Label: dl.Label}
		for _, n := range taxonomy.Needs {
			if n.Domain != dl.Domain {
				continue
			}
			dc.Needs = append(dc.Needs, needChoice{Code: n.Code, Label: n.Label, Priorities: priorityOptions(cmpOr(pg.Form.Get("priority-"+n.Code), "2")),
				Checked: slices.Contains(pg.Form["need"], n.Code), Error: pg.Errors["need-"+n.Code], PriorityError: pg.Errors["priority-"+n.Code]})
		}
		domains = append(domains, dc)
	}
	return domains
}

// ONS4 is the optional baseline: the four ONS personal wellbeing questions.
func (d conversationForm) ONS4() []answerChoice {
	ons4, _ := outcome.InstrumentByCode("ons4")
	var answers []answerChoice
	for i, q := range ons4.Questions {
		name := fmt.Sprintf("ons4-%d", i)
		opts := []option{{Value: "", Label: "Not asked"}}
		for v := ons4.Min; v <= ons4.Max; v++ {
			label := strconv.Itoa(v)
			switch v {
			case ons4.Min:
				label += " (not at all)"
			case ons4.Max:
				label += " (completely)"
			}
			opts = append(opts, option{Value: strconv.Itoa(v), Label: label, Selected: d.page.Form.Get(name) == strconv.Itoa(v)})
		}
		answers = append(answers, answerChoice{Name: name, Question: q, Error: d.page.Errors[name], Options: opts})
	}
	return answers
}

func (s *Server) conversationNew(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok {
		return
	}
	form := url.Values{"mode": {"in_person"}}
	todayParts(form, "held")
	// The reasons for the referral are a starting point for the needs.
	for _, code := range ref.Reasons {
		form.Add("need", code)
	}
	pg := &page{Form: form}
	newConversationForm(pg, ref)
	s.render(w, r, http.StatusOK, "conversation_form", pg)
}

// conversationFromForm reads the conversation form. ONS4 is recorded as a
// baseline when any of its answers is given.
func conversationFromForm(f url.Values) casework.ConversationInput {
	in := casework.ConversationInput{HeldAt: dateParts(f, "held"), Mode: f.Get("mode"), WhatMatters: f.Get("what_matters"),
		Interests: f.Get("interests"), Notes: f.Get("notes"), Strengths: strings.Split(f.Get("strengths"), "\n")}
	for _, n := range taxonomy.Needs {
		if !slices.Contains(f["need"], n.Code) {
			continue
		}
		p, err := strconv.Atoi(f.Get("priority-" + n.Code))
		if err != nil {
			p = 0
		}
		in.Needs = append(in.Needs, casework.NeedInput{Code: n.Code, Priority: p})
	}
	ons4, _ := outcome.InstrumentByCode("ons4")
	answers := make([]float64, len(ons4.Questions))
	given := false
	for i := range answers {
		v := strings.TrimSpace(f.Get(fmt.Sprintf("ons4-%d", i)))
		n, err := strconv.ParseFloat(v, 64)
		if v == "" || err != nil {
			n = math.NaN() // refused by the rules, named by its box
		}
		answers[i] = n
		given = given || v != ""
	}
	if given {
		in.Baseline = []casework.BaselineInput{{Instrument: "ons4", Answers: answers}}
	}
	return in
}

var indexed = regexp.MustCompile(`^(\w+)\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?)?$`)

func (s *Server) conversationCreate(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	in := conversationFromForm(r.PostForm)
	_, err := s.cases.RecordConversation(r.Context(), httpx.Actor(r), ref.ID, in)
	if err != nil {
		err = renameFields(err, func(k string) string {
			m := indexed.FindStringSubmatch(k)
			switch {
			case k == "held_at":
				return "held-day"
			case m == nil:
				return k
			case m[1] == "needs":
				i, _ := strconv.Atoi(m[2])
				if i < len(in.Needs) {
					if m[3] == "priority" {
						return "priority-" + in.Needs[i].Code
					}
					return "need-" + in.Needs[i].Code
				}
			case m[1] == "strengths":
				return "strengths"
			case m[1] == "baseline":
				return "ons4-" + cmpOr(m[4], "0")
			}
			return k
		})
		pg := &page{Form: r.PostForm}
		newConversationForm(pg, ref)
		s.formError(w, r, "conversation_form", pg, err, "held-day", "held-day", "mode", "what_matters")
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=conversation#what-matters", http.StatusSeeOther)
}

// The plan, edited without JavaScript: the goals and steps held, and blank
// rows for one more goal and one more step for each goal. Fields are named
// goal.N.text, goal.N.step.M.owner, ...; ids swap the dots for hyphens.

var planField = regexp.MustCompile(`^goal\.(\d{1,4})\.(?:step\.(\d{1,4})\.)?(id|text|progress|done|owner|due|due-day|due-month|due-year|remove)$`)

// joinPlanDates joins each step's due-date boxes (goal.N.step.M.due-day
// and so on) into its due value, as the rules read it.
func joinPlanDates(f url.Values) {
	for k := range f {
		if name, ok := strings.CutSuffix(k, "due-day"); ok && planField.MatchString(k) {
			joinDates(f, name+"due")
		}
	}
}

// planRows lists the goal indexes in a plan form, and the step indexes
// of each, in order.
func planRows(f url.Values) ([]int, map[int][]int) {
	var goals []int
	steps := map[int][]int{}
	for k := range f {
		m := planField.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if !slices.Contains(goals, n) {
			goals = append(goals, n)
		}
		if m[2] != "" {
			if s, _ := strconv.Atoi(m[2]); !slices.Contains(steps[n], s) {
				steps[n] = append(steps[n], s)
			}
		}
	}
	slices.Sort(goals)
	for _, list := range steps {
		slices.Sort(list)
	}
	return goals, steps
}

// planPlace is where a goal or step of the edits came from in the form.
type planPlace struct {
	Goal  int
	Steps []int
}

// planFromForm reads the plan form into edits, leaving out blank rows and
// rows marked for removal, and says where each came from so errors can be
// shown against the right box.
func planFromForm(f url.Values) ([]casework.GoalEdit, []planPlace) {
	goals, steps := planRows(f)
	var edits []casework.GoalEdit
	var places []planPlace
	for _, n := range goals {
		g := fmt.Sprintf("goal.%d.", n)
		if f.Get(g+"remove") == "yes" {
			continue
		}
		done := f.Get(g+"done") == "yes"
		e := casework.GoalEdit{ID: strings.TrimSpace(f.Get(g + "id")), Text: f.Get(g + "text"), Done: &done, Steps: []casework.StepEdit{}}
		if v, ok := f[g+"progress"]; ok && len(v) > 0 {
			p, err := strconv.Atoi(strings.TrimSpace(v[0]))
			if err != nil {
				p = -1 // refused by the rules, named by its box
			}
			e.Progress = &p
		}
		place := planPlace{Goal: n}
		for _, m := range steps[n] {
			st := fmt.Sprintf("%sstep.%d.", g, m)
			se := casework.StepEdit{ID: strings.TrimSpace(f.Get(st + "id")), Text: f.Get(st + "text"), Owner: f.Get(st + "owner"), Due: f.Get(st + "due")}
			if f.Get(st+"remove") == "yes" || (se.ID == "" && strings.TrimSpace(se.Text) == "" && strings.TrimSpace(se.Due) == "") {
				continue
			}
			stepDone := f.Get(st+"done") == "yes"
			se.Done = &stepDone
			e.Steps = append(e.Steps, se)
			place.Steps = append(place.Steps, m)
		}
		if e.ID == "" && strings.TrimSpace(e.Text) == "" && len(e.Steps) == 0 {
			continue
		}
		edits = append(edits, e)
		places = append(places, place)
	}
	return edits, places
}

// planFieldID turns the rules' field name (goals[1].steps[0].owner) into
// the id of the box in the form (goal-3-step-2-owner).
var planRule = regexp.MustCompile(`^goals\[(\d+)\](?:\.steps\[(\d+)\])?(?:\.(\w+))?$`)

func planFieldID(k string, places []planPlace) string {
	m := planRule.FindStringSubmatch(k)
	if m == nil {
		if len(places) > 0 {
			return fmt.Sprintf("goal-%d-text", places[0].Goal)
		}
		return "plan"
	}
	i, _ := strconv.Atoi(m[1])
	if i >= len(places) {
		return "plan"
	}
	id := fmt.Sprintf("goal-%d", places[i].Goal)
	if m[2] != "" {
		j, _ := strconv.Atoi(m[2])
		if j >= len(places[i].Steps) {
			return id + "-text"
		}
		id += fmt.Sprintf("-step-%d", places[i].Steps[j])
	}
	switch m[3] {
	case "", "steps":
		return id + "-text"
	}
	return id + "-" + m[3]
}

// planToForm is the plan as the form's fields.
func planToForm(p casework.Plan) url.Values {
	f := url.Values{"version": {strconv.FormatInt(p.Version(), 10)}}
	for n, g := range p.Goals {
		k := fmt.Sprintf("goal.%d.", n)
		f.Set(k+"id", g.ID)
		f.Set(k+"text", g.Text)
		f.Set(k+"progress", strconv.Itoa(g.Progress))
		if g.Done {
			f.Set(k+"done", "yes")
		}
		for m, st := range g.Steps {
			sk := fmt.Sprintf("%sstep.%d.", k, m)
			f.Set(sk+"id", st.ID)
			f.Set(sk+"text", st.Text)
			f.Set(sk+"owner", st.Owner)
			f.Set(sk+"due", st.Due)
			splitDate(f, sk+"due", st.Due)
			if st.Done {
				f.Set(sk+"done", "yes")
			}
		}
	}
	return f
}

type stepRow struct {
	Name, ID, StepID, Text, Due string
	// DueDay, DueMonth and DueYear are the due date's boxes.
	DueDay, DueMonth, DueYear string
	Done, New                 bool
	Owners                    []option
	TextError, OwnerError     string
	DueError                  string
}

type goalRow struct {
	Name, ID, GoalID, Text string
	Number                 int
	Done, New              bool
	Progress               []option
	TextError              string
	ProgressError          string
	Steps                  []stepRow
}

// planRowsView lays the form out from its values: every row sent or held,
// plus a blank step for each goal and a blank goal.
func planRowsView(pg *page) []goalRow {
	f := pg.Form
	goals, steps := planRows(f)
	next := 0
	if len(goals) > 0 {
		next = goals[len(goals)-1] + 1
	}
	goals = append(goals, next)
	var out []goalRow
	for i, n := range goals {
		k := fmt.Sprintf("goal.%d.", n)
		id := fmt.Sprintf("goal-%d", n)
		progress := cmpOr(strings.TrimSpace(f.Get(k+"progress")), "0")
		row := goalRow{Name: k, ID: id, GoalID: f.Get(k + "id"), Text: f.Get(k + "text"), Number: i + 1, Done: f.Get(k+"done") == "yes",
			New: n == next, TextError: pg.Errors[id+"-text"], ProgressError: pg.Errors[id+"-progress"]}
		for v := 0; v <= casework.MaxProgress; v++ {
			row.Progress = append(row.Progress, option{Value: strconv.Itoa(v), Label: strconv.Itoa(v), Selected: progress == strconv.Itoa(v)})
		}
		stepIdx := steps[n]
		nextStep := 0
		if len(stepIdx) > 0 {
			nextStep = stepIdx[len(stepIdx)-1] + 1
		}
		for _, m := range append(slices.Clone(stepIdx), nextStep) {
			sk := fmt.Sprintf("%sstep.%d.", k, m)
			sid := fmt.Sprintf("%s-step-%d", id, m)
			owner := cmpOr(f.Get(sk+"owner"), casework.OwnerPerson)
			sr := stepRow{Name: sk, ID: sid, StepID: f.Get(sk + "id"), Text: f.Get(sk + "text"), Due: f.Get(sk + "due"), Done: f.Get(sk+"done") == "yes",
				DueDay: f.Get(sk + "due-day"), DueMonth: f.Get(sk + "due-month"), DueYear: f.Get(sk + "due-year"),
				New: m == nextStep, TextError: pg.Errors[sid+"-text"], OwnerError: pg.Errors[sid+"-owner"], DueError: pg.Errors[sid+"-due"]}
			for _, o := range casework.Owners {
				sr.Owners = append(sr.Owners, option{Value: o, Label: casework.OwnerLabel(o), Selected: o == owner})
			}
			row.Steps = append(row.Steps, sr)
		}
		out = append(out, row)
	}
	return out
}

// planForm is the plan form's data; Goals reads the page's values and
// errors when shown.
type planForm struct {
	page     *page
	Referral referral.Referral
}

// Goals are the form's rows.
func (d planForm) Goals() []goalRow { return planRowsView(d.page) }

func newPlanForm(pg *page, ref referral.Referral) {
	pg.Title = personName(ref) + "'s plan"
	pg.Data = planForm{page: pg, Referral: ref}
}

func (s *Server) planEdit(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok {
		return
	}
	p, err := s.cases.Plan(r.Context(), httpx.Actor(r), ref.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &page{Form: planToForm(p)}
	newPlanForm(pg, ref)
	s.render(w, r, http.StatusOK, "plan_form", pg)
}

func (s *Server) planSave(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	joinPlanDates(f)
	edits, places := planFromForm(f)
	version, verr := strconv.ParseInt(f.Get("version"), 10, 64)
	var err error
	if verr != nil {
		err = &oikos.Error{Code: oikos.EMALFORMED, Message: "The form was not one this page gave out. Open the plan again."}
	} else {
		_, err = s.cases.EditPlanAt(r.Context(), httpx.Actor(r), ref.ID, version, edits)
	}
	if oikos.ErrorCode(err) == oikos.ECONFLICT {
		// Someone saved in between (or the referral closed): show the
		// plan as it is now, with why.
		p, perr := s.cases.Plan(r.Context(), httpx.Actor(r), ref.ID)
		if perr != nil {
			s.pageError(w, r, perr)
			return
		}
		pg := &page{Form: planToForm(p)}
		newPlanForm(pg, ref)
		s.formError(w, r, "plan_form", pg, err, "plan")
		return
	}
	if err != nil {
		err = renameFields(err, func(k string) string { return planFieldID(k, places) })
		if e, ok := err.(*oikos.Error); ok {
			for k, msg := range e.Fields {
				if strings.HasSuffix(k, "-due") {
					// Said as the day, month and year boxes ask for it.
					e.Fields[k] = strings.Replace(msg, "like 2027-03-27", "like 27 3 2027", 1)
				}
			}
		}
		pg := &page{Form: f}
		newPlanForm(pg, ref)
		s.formError(w, r, "plan_form", pg, err, "plan")
		return
	}
	if f.Get("then") == "more" {
		http.Redirect(w, r, "/referrals/"+ref.ID+"/plan", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=plan#plan", http.StatusSeeOther)
}

// The caseload.

type caseRow struct {
	casework.Case
	LastContact, Due, StatusLabel, ReviewDate string
	// PlanChanged is the day the person last changed their own plan.
	PlanChanged string
}

type caseGroup struct {
	Worker string
	Cases  []caseRow
}

func (s *Server) caseloadPage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	cases, err := s.cases.Caseload(r.Context(), httpx.Actor(r), p.SchemeID, auth.OwnCaseload(p))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	worker := r.URL.Query().Get("worker")
	workers := []option{{Value: "", Label: "All link workers"}}
	var groups []caseGroup
	for _, c := range cases {
		row := caseRow{Case: c, StatusLabel: c.Status.Label(), Due: formatDate(c.NextDue), ReviewDate: formatDate(c.ReviewDue),
			PlanChanged: formatDate(c.PlanChangedByPerson)}
		if c.LastContact != nil {
			row.LastContact = ukDay(*c.LastContact)
		}
		i := slices.IndexFunc(groups, func(g caseGroup) bool { return g.Worker == c.AssignedName })
		if !slices.ContainsFunc(workers, func(o option) bool { return o.Value == c.AssignedTo }) {
			workers = append(workers, option{Value: c.AssignedTo, Label: c.AssignedName, Selected: c.AssignedTo == worker})
		}
		if worker != "" && c.AssignedTo != worker {
			continue
		}
		if i < 0 {
			groups = append(groups, caseGroup{Worker: c.AssignedName})
			i = len(groups) - 1
		}
		groups[i].Cases = append(groups[i].Cases, row)
	}
	slices.SortStableFunc(groups, func(a, b caseGroup) int { return strings.Compare(a.Worker, b.Worker) })
	s.render(w, r, http.StatusOK, "caseload", &page{Title: "Caseload", Form: url.Values{"worker": {worker}}, Data: caseloadPage{
		Groups: groups, Manager: auth.SeesTeam(p), Workers: workers, Count: len(cases)}})
}
