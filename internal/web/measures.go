package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/outcome"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// Outcome measures: recorded through the API and the link worker's pages,
// for link workers and managers only, each request looking the referral up
// for a change so that a referrer (who may read a referral's status) and
// another link worker never reach them.

// measureBody is the contract's new measure.
type measureBody struct {
	Instrument string    `json:"instrument"`
	Timepoint  string    `json:"timepoint"`
	Answers    []float64 `json:"answers"`
}

func (s *Server) apiRecordMeasure(w http.ResponseWriter, r *http.Request) {
	var in measureBody
	ref, err := s.caseBody(w, r, &in)
	var rec outcome.Recorded
	if err == nil {
		rec, err = s.outcomes.Record(r.Context(), httpx.Actor(r), ref.ID, in.Instrument, in.Timepoint, in.Answers)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/referrals/"+ref.ID+"/measures")
	httpx.WriteJSON(w, http.StatusCreated, rec)
}

func (s *Server) apiListMeasures(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	var items []outcome.Measure
	if err == nil {
		items, err = s.outcomes.List(r.Context(), httpx.Actor(r), ref.ID)
	}
	s.reply(w, r, http.StatusOK, httpx.NewList(items, len(items), ""), err)
}

// The form: one instrument's questions with their published wording and
// answer labels. It is a partial ("measureForm" in _measure_form.html) so
// that the person's own pages can show the same questions: build it with
// newMeasureForm, posting wherever they need, and read the answers back
// with measureAnswers.

// measureForm is what the measureForm partial shows.
type measureForm struct {
	// Action is where the form posts.
	Action                         string
	Code, Name, Intro, Attribution string
	Questions                      []measureQuestion
	// Timepoints, when set, offers the timepoint as a choice; otherwise
	// Timepoint is sent as it is.
	Timepoints *choiceField
	Timepoint  string
	Submit     string
}

// measureQuestion is one question: radios with the scale's labels, or a
// box for a count.
type measureQuestion struct {
	Name, Text, Hint, Error, Value string
	Options                        []option
}

// Number reports whether the answer is typed as a count.
func (q measureQuestion) Number() bool { return len(q.Options) == 0 }

// Choice is the question for the radios partial.
func (q measureQuestion) Choice() choiceField {
	return choiceField{Name: q.Name, Legend: q.Text, Hint: q.Hint, Error: q.Error, Options: q.Options}
}

// Input is the question for the input partial.
func (q measureQuestion) Input() inputField {
	return inputField{ID: q.Name, Name: q.Name, Label: q.Text, Type: "text", Hint: q.Hint, Autocomplete: "off", Value: q.Value, Error: q.Error}
}

// answerName is the form field of question i.
func answerName(i int) string { return fmt.Sprintf("answer-%d", i) }

// newMeasureForm lays out an instrument's questions with the values and
// problems of the page's form.
func newMeasureForm(in outcome.Instrument, action string, pg *page) measureForm {
	f := measureForm{Action: action, Code: in.Code, Name: in.Name, Intro: in.Intro, Attribution: in.Attribution,
		Timepoint: pg.Form.Get("timepoint"), Submit: "Save answers"}
	for i, text := range in.Questions {
		name := answerName(i)
		q := measureQuestion{Name: name, Text: text, Error: pg.Errors[name], Value: pg.Form.Get(name)}
		switch {
		case len(in.Options) > 0:
			for _, o := range in.Options {
				q.Options = append(q.Options, option{Value: strconv.Itoa(o.Value), Label: o.Label})
			}
		case in.Max-in.Min <= 10:
			// A numbered scale: every point a radio, the ends in words.
			ends := outcome.ScaleEnds{}
			if i < len(in.Ends) {
				ends = in.Ends[i]
			}
			for v := in.Min; v <= in.Max; v++ {
				label := strconv.Itoa(v)
				switch {
				case v == in.Min && ends.Low != "":
					label += " – " + ends.Low
				case v == in.Max && ends.High != "":
					label += " – " + ends.High
				}
				q.Options = append(q.Options, option{Value: strconv.Itoa(v), Label: label})
			}
		default:
			q.Hint = fmt.Sprintf("Enter a number from %d to %d, for example 3.", in.Min, in.Max)
		}
		for j := range q.Options {
			q.Options[j].Selected = q.Options[j].Value == q.Value
		}
		f.Questions = append(f.Questions, q)
	}
	return f
}

// measureAnswers reads the answers of an instrument's form in question
// order. An answer left out or not a whole number comes back as NaN, which
// the rules refuse under that question's name.
func measureAnswers(in outcome.Instrument, form url.Values) []float64 {
	answers := make([]float64, len(in.Questions))
	for i := range answers {
		n, err := strconv.Atoi(strings.TrimSpace(form.Get(answerName(i))))
		answers[i] = float64(n)
		if err != nil {
			answers[i] = math.NaN()
		}
	}
	return answers
}

var answerField = regexp.MustCompile(`^answers\[(\d+)\]$`)

// measureFormErrors gives the rules' problems the names of the form's
// fields, each message naming its question.
func measureFormErrors(err error, in outcome.Instrument) error {
	err = renameFields(err, func(k string) string {
		if k == "answers" {
			return answerName(0)
		}
		if m := answerField.FindStringSubmatch(k); m != nil {
			return "answer-" + m[1]
		}
		return k
	})
	var e *oikos.Error
	if errors.As(err, &e) {
		for i, q := range in.Questions {
			name := answerName(i)
			if _, bad := e.Fields[name]; !bad {
				continue
			}
			if len(in.Options) > 0 || in.Max-in.Min <= 10 {
				e.Fields[name] = fmt.Sprintf("Choose an answer for %q.", q)
			} else {
				e.Fields[name] = fmt.Sprintf("Enter a whole number from %d to %d for %q.", in.Min, in.Max, q)
			}
		}
	}
	return err
}

// timepointChoices offers the timepoints in journey order.
func timepointChoices(pg *page) *choiceField {
	labels := map[string]string{outcome.Baseline: "At the start (baseline)", outcome.Review: "At a review", outcome.Exit: "At the end (exit)"}
	opts := make([]option, len(outcome.Timepoints))
	for i, tp := range outcome.Timepoints {
		opts[i] = option{Value: tp, Label: labels[tp], Selected: pg.Form.Get("timepoint") == tp}
	}
	return &choiceField{Name: "timepoint", Legend: "When are these answers from?", Error: pg.Errors["timepoint"], Options: opts}
}

// measureFormPage is the link worker's form page: a choice of instrument
// first, then its questions.
type measureFormPage struct {
	Referral referral.Referral
	// Choose lists the instruments when none is chosen yet.
	Choose *choiceField
	Form   measureForm
}

func (s *Server) fillMeasureForm(pg *page, ref referral.Referral, in outcome.Instrument) {
	pg.Title = in.Name
	form := newMeasureForm(in, "/referrals/"+ref.ID+"/measures/new", pg)
	form.Timepoints = timepointChoices(pg)
	pg.Data = measureFormPage{Referral: ref, Form: form}
}

// choosePage asks which instrument to record, naming the problem when the
// one asked for is not known.
func (s *Server) measureChoosePage(w http.ResponseWriter, r *http.Request, ref referral.Referral, unknown bool) {
	pg := &page{Title: "Record a measure"}
	status := http.StatusOK
	if unknown {
		pg.Errors = map[string]string{"instrument": "Choose one of the questionnaires listed."}
		pg.ErrorOrder = []string{"instrument"}
		status = http.StatusUnprocessableEntity
	}
	opts := make([]option, len(outcome.Instruments))
	for i, in := range outcome.Instruments {
		opts[i] = option{Value: in.Code, Label: in.Name}
	}
	pg.Data = measureFormPage{Referral: ref, Choose: &choiceField{Name: "instrument", Legend: "Which questionnaire?", Error: pg.Errors["instrument"], Options: opts}}
	s.render(w, r, status, "measure_form", pg)
}

func (s *Server) measureNew(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok {
		return
	}
	code := r.URL.Query().Get("instrument")
	in, known := outcome.InstrumentByCode(code)
	if !known {
		s.measureChoosePage(w, r, ref, code != "")
		return
	}
	// A baseline first; after it, a review is what usually comes next.
	taken, err := s.outcomes.List(r.Context(), httpx.Actor(r), ref.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	tp := outcome.Baseline
	for _, t := range taken {
		if t.Instrument == code && t.Timepoint == outcome.Baseline {
			tp = outcome.Review
		}
	}
	pg := &page{Form: url.Values{"timepoint": {tp}}}
	s.fillMeasureForm(pg, ref, in)
	s.render(w, r, http.StatusOK, "measure_form", pg)
}

func (s *Server) measureCreate(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	in, known := outcome.InstrumentByCode(f.Get("instrument"))
	if !known {
		s.measureChoosePage(w, r, ref, true)
		return
	}
	_, err := s.outcomes.Record(r.Context(), httpx.Actor(r), ref.ID, in.Code, f.Get("timepoint"), measureAnswers(in, f))
	var e *oikos.Error
	if err != nil && (!errors.As(measureFormErrors(err, in), &e) || len(e.Fields) == 0) {
		s.pageError(w, r, err) // closed a moment ago, or a fault
		return
	}
	if err != nil {
		order := []string{"timepoint"}
		for i := range in.Questions {
			order = append(order, answerName(i))
		}
		pg := &page{Form: f, Errors: e.Fields, ErrorOrder: fieldOrder(e.Fields, order...)}
		s.fillMeasureForm(pg, ref, in)
		s.render(w, r, httpx.StatusFor(e.Code), "measure_form", pg)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"/measures?done="+in.Code+"#"+in.Code, http.StatusSeeOther)
}

// The measures over time.

// scaleNotes say how to read each instrument's scores.
var scaleNotes = map[string]string{
	"ons4":              "Each from 0 to 10. Higher is better, except anxiety, where lower is better.",
	"swemwbs":           "The metric score, from 7 to 35, is the raw total converted by the published table. Higher is better.",
	"ucla3":             "The total of the three answers, from 3 (least lonely) to 9 (most lonely). Lower is better.",
	"loneliness_direct": "From 1 (often or always) to 5 (never). Higher is better.",
	"friends":           "More is better.",
	"gp_appointments":   "In the last 3 months. Fewer is better.",
}

type measureRow struct {
	On, When string
	Scores   []string
	// Change says how it compares with the baseline, in words.
	Change   string
	Improved bool
}

type measureSection struct {
	Code, Name, Scale, Attribution string
	Columns                        []string
	Rows                           []measureRow
	// Record links to the form, while the referral is open.
	Record string
	// Chart is the same picture the person sees (handlers_progress.go).
	Chart template.HTML
}

type reviewView struct{ Name, Code, On, Record string }

type measuresView struct {
	Referral referral.Referral
	Open     bool
	Sections []measureSection
	// DueNow are the reviews whose day has come; Upcoming the rest.
	DueNow, Upcoming []reviewView
	// Record links to the instruments not yet taken.
	Record []reviewView
}

// scoreColumns are the scores shown for an instrument, in order.
func scoreColumns(code string) []string {
	var cols []string
	for _, c := range outcome.Changes[code] {
		cols = append(cols, c.Score)
	}
	if code == "swemwbs" {
		cols = append(cols, "raw")
	}
	return cols
}

// scoreText shows one score, with the answer's words where the scale has
// them.
func scoreText(in outcome.Instrument, name string, score outcome.Score) string {
	v, ok := score[name]
	if !ok {
		return "Not scored"
	}
	if name == "metric" {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	text := strconv.FormatFloat(v, 'f', -1, 64)
	if len(in.Questions) == 1 {
		for _, o := range in.Options {
			if float64(o.Value) == v {
				text += " (" + o.Label + ")"
			}
		}
	}
	return text
}

// newMeasuresView groups the measures by instrument, oldest first, each
// later one compared with the baseline.
func newMeasuresView(ref referral.Referral, taken []outcome.Measure, now time.Time) measuresView {
	v := measuresView{Referral: ref, Open: ref.Status != referral.Closed}
	record := func(code string) string {
		if !v.Open {
			return ""
		}
		return "/referrals/" + ref.ID + "/measures/new?instrument=" + code
	}
	for _, in := range outcome.Instruments {
		sec := measureSection{Code: in.Code, Name: in.Name, Scale: scaleNotes[in.Code], Attribution: in.Attribution, Record: record(in.Code)}
		for _, c := range scoreColumns(in.Code) {
			sec.Columns = append(sec.Columns, casefile.ScoreLabels[c])
		}
		var baseline outcome.Score
		for _, t := range taken {
			if t.Instrument != in.Code {
				continue
			}
			row := measureRow{On: dayOf(t.RecordedAt), When: timepointLabel(t.Timepoint)}
			for _, c := range scoreColumns(in.Code) {
				row.Scores = append(row.Scores, scoreText(in, c, t.Score))
			}
			switch {
			case t.Timepoint == outcome.Baseline && baseline == nil:
				baseline, row.Change = t.Score, "This is the start"
			case t.Timepoint != outcome.Baseline && baseline != nil:
				row.Change = casefile.ChangeText(in.Code, baseline, t.Score)
				row.Improved = outcome.Improved(in.Code, baseline, t.Score)
			}
			sec.Rows = append(sec.Rows, row)
		}
		if len(sec.Rows) > 0 {
			sec.Chart = progressChart(in, taken, "measures-"+in.Code)
			v.Sections = append(v.Sections, sec)
		} else if v.Open {
			v.Record = append(v.Record, reviewView{Name: in.Name, Code: in.Code, Record: sec.Record})
		}
	}
	if v.Open {
		for _, d := range outcome.ReviewsDue(taken, now) {
			in, _ := outcome.InstrumentByCode(d.Instrument)
			rv := reviewView{Name: in.Name, Code: in.Code, On: dayOf(d.On), Record: record(in.Code)}
			if d.Now {
				v.DueNow = append(v.DueNow, rv)
			} else {
				v.Upcoming = append(v.Upcoming, rv)
			}
		}
	}
	return v
}

func (s *Server) measuresPage(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	var taken []outcome.Measure
	if err == nil {
		taken, err = s.outcomes.List(r.Context(), httpx.Actor(r), ref.ID)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &page{Title: "Measures for " + personName(ref), Data: newMeasuresView(ref, taken, time.Now())}
	if code := r.URL.Query().Get("done"); code != "" {
		if in, ok := outcome.InstrumentByCode(code); ok {
			pg.Notice = in.Name + " recorded."
		}
	}
	s.render(w, r, http.StatusOK, "measures", pg)
}
