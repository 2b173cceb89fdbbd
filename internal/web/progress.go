package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"oikos"
	"oikos/internal/chart"
	"oikos/internal/outcome"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// The person's view of their own progress (/my/progress): their answers
// over time as charts and tables, in plain words, and how their goals are
// going; and the questionnaires they fill in themselves (/my/measures/new),
// the same questions in the same words as the link worker's form. The
// link worker's measures page shows the same charts, so that both look at
// the same picture.

// progressChart draws one instrument's answers over time: a line for each
// score compared (four for ONS4), each point labelled with its value, or
// with the answer's words where the question has them. id makes the
// chart's ids unique on its page.
func progressChart(in outcome.Instrument, taken []outcome.Measure, id string) template.HTML {
	var ms []outcome.Measure
	for _, m := range taken {
		if m.Instrument == in.Code && len(m.Score) > 0 {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return ""
	}
	c := chart.LineChart{ID: id, Title: outcome.PlainName(in.Code), XLabel: "Date answered"}
	for _, m := range ms {
		c.XTicks = append(c.XTicks, shortDay(m.RecordedAt))
	}
	var all []float64
	var desc []string
	scores := outcome.Changes[in.Code]
	for _, sc := range scores {
		s := chart.LineSeries{Name: outcome.ScoreName(sc.Score)}
		var said []string
		for _, m := range ms {
			v, ok := m.Score[sc.Score]
			if !ok {
				v = math.NaN()
			}
			label := answerWords(in, sc.Score, v)
			s.Values, s.Labels = append(s.Values, v), append(s.Labels, label)
			if ok {
				all = append(all, v)
				said = append(said, label+" on "+dayOf(m.RecordedAt))
			}
		}
		c.Series = append(c.Series, s)
		desc = append(desc, s.Name+": "+strings.Join(said, ", then ")+".")
	}
	c.YMin, c.YMax = outcome.ScoreRange(scores[0].Score, all)
	c.YLabel = outcome.ScoreName(scores[0].Score)
	if len(scores) > 1 {
		c.YLabel = "Answer, from 0 to 10"
	}
	if len(in.Questions) == 1 && len(in.Options) > 0 {
		for _, o := range in.Options {
			c.YTicks = append(c.YTicks, chart.LineTick{Value: float64(o.Value), Label: o.Label})
		}
		c.YLabel = "Answer"
	}
	if len(scores) > 0 {
		note := "Higher is better."
		if scores[0].Better == outcome.LowerIsBetter {
			note = "Lower is better."
		}
		if in.Code == "ons4" {
			note = "Higher is better, except for feeling anxious, where lower is better."
		}
		desc = append(desc, note)
	}
	c.Desc = strings.Join(desc, " ")
	return chart.LineSVG(c)
}

// answerWords shows one score as the person reads it: the answer's words
// when a single question has them, the number otherwise.
func answerWords(in outcome.Instrument, score string, v float64) string {
	if math.IsNaN(v) {
		return "Not answered"
	}
	if len(in.Questions) == 1 {
		for _, o := range in.Options {
			if float64(o.Value) == v {
				return o.Label
			}
		}
	}
	return outcome.ShowScore(score, v)
}

type progressRow struct {
	On, When string
	Values   []string
}

type progressSection struct {
	Code, Name, Attribution string
	Chart                   template.HTML
	Columns                 []string
	Rows                    []progressRow
}

type progressGoal struct {
	Text                 string
	Done                 bool
	Progress             int
	StepsDone, StepCount int
}

type progressReferral struct {
	Reference string
	Sentences []string
	Sections  []progressSection
	Goals     []progressGoal
}

type questionnaireLink struct{ Name, Href string }

type progressView struct {
	Referrals []progressReferral
	// Due are the questionnaires whose review has come; Answer all of
	// them, while the person has support open with us.
	Due, Answer []questionnaireLink
}

func questionnaireHref(code string) string {
	return "/my/measures/new?instrument=" + url.QueryEscape(code)
}

// newProgressReferral shapes one referral's measures and plan for the
// person's page. n numbers the referral on the page, for the charts' ids.
func newProgressReferral(ref referral.Referral, taken []outcome.Measure, goals []progressGoal, n int) progressReferral {
	pr := progressReferral{Reference: ref.Reference, Goals: goals}
	for _, s := range outcome.ProgressSentences(taken, londonTime) {
		pr.Sentences = append(pr.Sentences, s.Text)
	}
	for _, in := range outcome.Instruments {
		sec := progressSection{Code: in.Code, Name: outcome.PlainName(in.Code), Attribution: in.Attribution,
			Chart: progressChart(in, taken, fmt.Sprintf("progress-%d-%s", n, in.Code))}
		if sec.Chart == "" {
			continue
		}
		for _, c := range outcome.Changes[in.Code] {
			sec.Columns = append(sec.Columns, outcome.ScoreName(c.Score))
		}
		for _, m := range taken {
			if m.Instrument != in.Code || len(m.Score) == 0 {
				continue
			}
			row := progressRow{On: dayOf(m.RecordedAt), When: timepointLabel(m.Timepoint)}
			for _, c := range outcome.Changes[in.Code] {
				v, ok := m.Score[c.Score]
				if !ok {
					v = math.NaN()
				}
				row.Values = append(row.Values, answerWords(in, c.Score, v))
			}
			sec.Rows = append(sec.Rows, row)
		}
		pr.Sections = append(pr.Sections, sec)
	}
	return pr
}

// dueQuestionnaires links the questionnaires whose review has come.
func dueQuestionnaires(taken []outcome.Measure, now time.Time) []questionnaireLink {
	var out []questionnaireLink
	for _, d := range outcome.ReviewsDue(taken, now) {
		if d.Now {
			out = append(out, questionnaireLink{Name: outcome.PlainName(d.Instrument), Href: questionnaireHref(d.Instrument)})
		}
	}
	return out
}

func (s *Server) myProgressPage(w http.ResponseWriter, r *http.Request) {
	ctx, by := r.Context(), personActor(r)
	refs, err := s.refs.PersonReferrals(ctx, personOf(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	store := s.outcomes
	var v progressView
	openSeen := false
	for i, ref := range refs {
		taken, err := store.List(ctx, by, ref.ID)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		plan, err := s.cases.Plan(ctx, by, ref.ID)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		var goals []progressGoal
		for _, g := range plan.Goals {
			pg := progressGoal{Text: g.Text, Done: g.Done, Progress: g.Progress, StepCount: len(g.Steps)}
			for _, st := range g.Steps {
				if st.Done {
					pg.StepsDone++
				}
			}
			goals = append(goals, pg)
		}
		// The newest open referral is where new answers go (see
		// myMeasureReferral).
		if ref.Status != referral.Closed && !openSeen {
			openSeen = true
			v.Due = dueQuestionnaires(taken, time.Now())
			for _, in := range outcome.Instruments {
				v.Answer = append(v.Answer, questionnaireLink{Name: outcome.PlainName(in.Code), Href: questionnaireHref(in.Code)})
			}
		}
		if len(taken) > 0 || len(goals) > 0 {
			v.Referrals = append(v.Referrals, newProgressReferral(ref, taken, goals, i))
		}
	}
	pg := &page{Title: "Your progress", Data: v}
	if in, ok := outcome.InstrumentByCode(r.URL.Query().Get("saved")); ok {
		pg.Notice = "Thank you. Your answers about " + strings.ToLower(outcome.PlainName(in.Code)) + " are saved."
	}
	s.render(w, r, http.StatusOK, "my_progress", pg)
}

// myDueLink is where the person's home page sends them when a review of
// their answers has come: the first questionnaire due, or "".
func (s *Server) myDueLink(ctx context.Context, r *http.Request, open []referral.Referral) (string, error) {
	if len(open) == 0 {
		return "", nil
	}
	taken, err := s.outcomes.List(ctx, personActor(r), open[0].ID)
	if err != nil {
		return "", err
	}
	if due := dueQuestionnaires(taken, time.Now()); len(due) > 0 {
		return due[0].Href, nil
	}
	return "", nil
}

// The person's questionnaire. The answers go to their newest open
// referral, at the timepoint that comes next (the start, or a review),
// which the person is never asked about.

type myMeasurePage struct {
	// Choose lists the questionnaires when none is chosen yet.
	Choose []questionnaireLink
	Form   measureForm
	Name   string
}

// myMeasureReferral is the person's newest open referral, or a page
// saying there is none.
func (s *Server) myMeasureReferral(w http.ResponseWriter, r *http.Request) (referral.Referral, bool) {
	open, err := s.openReferrals(r.Context(), personOf(r))
	if err != nil {
		s.pageError(w, r, err)
		return referral.Referral{}, false
	}
	if len(open) == 0 {
		s.renderError(w, r, http.StatusNotFound, "There are no questions to answer",
			"You have no support open with us at the moment. If you think this is wrong, contact your link worker.")
		return referral.Referral{}, false
	}
	return open[0], true
}

// nextTimepoint is the start for a questionnaire not yet answered on this
// referral, and a review after that.
func nextTimepoint(taken []outcome.Measure, code string) string {
	for _, m := range taken {
		if m.Instrument == code && m.Timepoint == outcome.Baseline {
			return outcome.Review
		}
	}
	return outcome.Baseline
}

func (s *Server) myMeasureChoose(w http.ResponseWriter, r *http.Request, status int) {
	var links []questionnaireLink
	for _, in := range outcome.Instruments {
		links = append(links, questionnaireLink{Name: outcome.PlainName(in.Code), Href: questionnaireHref(in.Code)})
	}
	pg := &page{Title: "Answer some questions", Data: myMeasurePage{Choose: links}}
	if status != http.StatusOK {
		pg.Errors = map[string]string{"instrument": "Choose one of the sets of questions listed."}
		pg.ErrorOrder = []string{"instrument"}
	}
	s.render(w, r, status, "my_measure_form", pg)
}

func (s *Server) myMeasureFormPage(pg *page, in outcome.Instrument) {
	pg.Title = outcome.PlainName(in.Code)
	form := newMeasureForm(in, "/my/measures/new", pg)
	form.Timepoint, form.Submit = "", "Send my answers"
	pg.Data = myMeasurePage{Form: form, Name: outcome.PlainName(in.Code)}
}

func (s *Server) myMeasureForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.myMeasureReferral(w, r); !ok {
		return
	}
	code := r.URL.Query().Get("instrument")
	in, known := outcome.InstrumentByCode(code)
	if !known {
		status := http.StatusOK
		if code != "" {
			status = http.StatusNotFound
		}
		s.myMeasureChoose(w, r, status)
		return
	}
	pg := &page{}
	s.myMeasureFormPage(pg, in)
	s.render(w, r, http.StatusOK, "my_measure_form", pg)
}

func (s *Server) myMeasureCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	ref, ok := s.myMeasureReferral(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	in, known := outcome.InstrumentByCode(f.Get("instrument"))
	if !known {
		s.myMeasureChoose(w, r, http.StatusUnprocessableEntity)
		return
	}
	ctx, by, store := r.Context(), personActor(r), s.outcomes
	answers := measureAnswers(in, f)
	var err error
	// Twice at most: a baseline recorded by the link worker between the
	// read and the write turns this one into a review.
	for try := 0; try < 2; try++ {
		var taken []outcome.Measure
		if taken, err = store.List(ctx, by, ref.ID); err != nil {
			break
		}
		if _, err = store.Record(ctx, by, ref.ID, in.Code, nextTimepoint(taken, in.Code), answers); !timepointRefused(err) {
			break
		}
	}
	if err == nil {
		http.Redirect(w, r, "/my/progress?saved="+url.QueryEscape(in.Code), http.StatusSeeOther)
		return
	}
	var e *oikos.Error
	if !errors.As(measureFormErrors(err, in), &e) || len(e.Fields) == 0 || timepointRefused(err) {
		s.pageError(w, r, err) // closed a moment ago, or a fault
		return
	}
	order := make([]string, len(in.Questions))
	for i := range in.Questions {
		order[i] = answerName(i)
	}
	pg := &page{Form: f, Errors: e.Fields, ErrorOrder: fieldOrder(e.Fields, order...)}
	s.myMeasureFormPage(pg, in)
	s.render(w, r, httpx.StatusFor(e.Code), "my_measure_form", pg)
}

// timepointRefused reports a refusal of the timepoint alone, which the
// person did not choose and cannot put right.
func timepointRefused(err error) bool {
	var e *oikos.Error
	if !errors.As(err, &e) || e.Code != oikos.EINVALID {
		return false
	}
	_, ok := e.Fields["timepoint"]
	return ok && len(e.Fields) == 1
}
