package web

import (
	"errors"
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
	"oikos/internal/casefile"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/directory"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// Suggestions: services ranked for the person with reasons, and what they
// said suits them, through the API and the link worker's page. Only link
// workers and managers reach them, and each handler then looks the
// referral up for a change, so a referrer, a provider or another link
// worker gets 404.

func (s *Server) apiSuggestions(w http.ResponseWriter, r *http.Request) {
	ref, err := s.suggestionsReferral(r)
	var out connection.Suggestions
	if err == nil {
		out, err = s.suggest.SuggestReading(r.Context(), httpx.Actor(r), ref)
	}
	s.reply(w, r, http.StatusOK, out, err)
}

// referral looks the referral up for a change, as visibleReferral does,
// but leaves the read to be audited by SuggestReading, in the same
// transaction as the suggestions' read: one durable commit a request.
func (s *Server) suggestionsReferral(r *http.Request) (referral.Referral, error) {
	ref, err := s.refs.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return ref, err
	}
	if !auth.Can(httpx.Principal(r), auth.ChangeAction, casefile.Object(ref)) {
		return referral.Referral{}, oikos.NotFound("Referral")
	}
	return ref, nil
}

func (s *Server) apiGetPreferences(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	var p connection.Preferences
	if err == nil {
		p, err = s.suggest.Preferences(r.Context(), httpx.Actor(r), ref.ID)
	}
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) apiPutPreferences(w http.ResponseWriter, r *http.Request) {
	var in connection.PreferencesInput
	ref, err := s.caseBody(w, r, &in)
	var p connection.Preferences
	if err == nil {
		p, err = s.suggest.SavePreferences(r.Context(), httpx.Actor(r), ref.ID, in)
	}
	s.reply(w, r, http.StatusOK, p, err)
}

// The page.

// suggestionsView is what suggestions.html shows.
type suggestionsView struct {
	Referral referral.Referral
	connection.Suggestions
	// Summary says what the suggestions were chosen for, row by row.
	Summary []preferenceRow
	// Open: the preferences form is offered while the referral is open.
	Open                bool
	Days, Times, Access choiceField
}

// NextSessions are a course's next two dated sessions, in words; none for
// a service that is not a course.
func (v suggestionsView) NextSessions(svc directory.Service) []string {
	var out []string
	for _, sess := range svc.NextSessions(time.Now(), 2) {
		out = append(out, sessionText(sess.Starts, sess.Ends))
	}
	return out
}

type preferenceRow struct{ Key, Value string }

// preferenceFields are the form's fields in the order problems are listed.
var preferenceFields = []string{"max_km", "days", "times", "max_cost", "accessibility"}

// preferencesForm is the form as the saved preferences fill it.
func preferencesForm(p connection.Preferences) url.Values {
	f := url.Values{"days": p.Days, "times": p.Times, "accessibility": p.Accessibility,
		"max_km": {strconv.FormatFloat(p.MaxKm, 'f', -1, 64)}}
	if p.MaxCostPence != nil {
		f.Set("max_cost", strings.TrimPrefix(connection.FormatPounds(*p.MaxCostPence), "£"))
	}
	return f
}

// preferencesFromForm reads the preferences form. Problems the rules can
// name come back from Validate; the boxes that are not numbers are named
// here.
func preferencesFromForm(f url.Values) (connection.PreferencesInput, map[string]string) {
	in := connection.PreferencesInput{Days: f["days"], Times: f["times"], Accessibility: f["accessibility"]}
	problems := map[string]string{}
	if s := strings.TrimSpace(f.Get("max_km")); s != "" {
		km, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(s, "km")), " "), 64)
		if err != nil || math.IsNaN(km) || math.IsInf(km, 0) {
			problems["max_km"] = "Enter how far they can travel as a number of kilometres, like 5 or 2.5."
		} else {
			in.MaxKm = &km
		}
	}
	pence, problem := connection.ParsePounds(f.Get("max_cost"))
	if problem != "" {
		problems["max_cost"] = problem
	}
	in.MaxCostPence = pence
	return in, problems
}

var listField = regexp.MustCompile(`^(days|times|accessibility)\[\d+\]$`)

// formFieldOf names the form field that holds a rule's field.
func formFieldOf(field string) string {
	if m := listField.FindStringSubmatch(field); m != nil {
		return m[1]
	}
	if field == "max_cost_pence" {
		return "max_cost"
	}
	return field
}

func (s *Server) suggestionsPage(w http.ResponseWriter, r *http.Request) {
	ref, err := s.suggestionsReferral(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &page{}
	if r.URL.Query().Get("saved") != "" {
		pg.Notice = "What suits them is saved, and the suggestions below follow it."
	}
	s.renderSuggestions(w, r, http.StatusOK, ref, pg, false)
}

// render shows the suggestions page; pg.Form, when set, holds a form sent
// back with its problems. readAudited says whether the read of the
// referral is audited already; if not, it is with the suggestions'.
func (s *Server) renderSuggestions(w http.ResponseWriter, r *http.Request, status int, ref referral.Referral, pg *page, readAudited bool) {
	suggest := s.suggest.SuggestReading
	if readAudited {
		suggest = s.suggest.Suggest
	}
	out, err := suggest(r.Context(), httpx.Actor(r), ref)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if pg.Form == nil {
		pg.Form = preferencesForm(out.Preferences)
	}
	pg.Title = "Find activities and services for " + personName(ref)
	v := suggestionsView{Referral: ref, Suggestions: out, Open: ref.Status != referral.Closed}
	v.Summary = preferencesSummary(out)
	var days, times, access []option
	for _, d := range directory.Days {
		days = append(days, option{Value: d, Label: directory.DayLabel(directory.DayNumber(d)), Selected: slices.Contains(pg.Form["days"], d)})
	}
	for _, t := range connection.TimesOfDay {
		times = append(times, option{Value: t.Code, Label: t.Label, Selected: slices.Contains(pg.Form["times"], t.Code)})
	}
	for _, a := range connection.AccessNeeds {
		access = append(access, option{Value: a.Code, Label: a.Label, Selected: slices.Contains(pg.Form["accessibility"], a.Code)})
	}
	v.Days = choiceField{Name: "days", Legend: "Which days can they do?", Hint: "Leave them all empty for any day.", Error: pg.Errors["days"], Options: days}
	v.Times = choiceField{Name: "times", Legend: "Which times of day?", Hint: "Leave them all empty for any time.", Error: pg.Errors["times"], Options: times}
	v.Access = choiceField{Name: "accessibility", Legend: "What do they need of a place to be able to go?", Error: pg.Errors["accessibility"], Options: access}
	pg.Data = v
	s.render(w, r, status, "suggestions", pg)
}

// preferencesSummary says in words what the suggestions were chosen for.
func preferencesSummary(out connection.Suggestions) []preferenceRow {
	var needs []string
	for _, n := range out.Needs {
		needs = append(needs, fmt.Sprintf("%s (%s priority)", n.Label, strings.ToLower(casework.PriorityLabel(n.Priority))))
	}
	from := "From the latest what-matters conversation"
	if out.NeedsFrom == "referral" {
		from = "From the reasons for referral, until a what-matters conversation is recorded"
	}
	p := out.Preferences
	rows := []preferenceRow{{"Needs", strings.Join(needs, ", ") + ". " + from + "."}}
	if out.Interests != "" {
		rows = append(rows, preferenceRow{"Interests, in their words", out.Interests})
	}
	place := out.Place
	if place == "" {
		place = "Their postcode could not be placed, so distances are not known"
	}
	rows = append(rows, preferenceRow{"Home", place}, preferenceRow{"Can travel", "Up to " + directory.FormatKm(p.MaxKm)})
	days := "Any day"
	if len(p.Days) > 0 {
		var names []string
		for _, d := range p.Days {
			names = append(names, directory.DayLabel(directory.DayNumber(d))+"s")
		}
		days = strings.Join(names, ", ")
	}
	if len(p.Times) > 0 {
		var names []string
		for _, t := range p.Times {
			tod, _ := connection.TimeOfDayByCode(t)
			names = append(names, strings.ToLower(tod.Label))
		}
		days += ", " + strings.Join(names, " and ")
	} else {
		days += ", any time"
	}
	rows = append(rows, preferenceRow{"Free on", days})
	cost := "Any cost"
	if p.MaxCostPence != nil {
		cost = "Up to " + connection.FormatPounds(*p.MaxCostPence) + " a session"
		if *p.MaxCostPence == 0 {
			cost = "Free things only"
		}
	}
	rows = append(rows, preferenceRow{"Can pay", cost})
	access := "None given"
	if len(p.Accessibility) > 0 {
		var names []string
		for _, code := range p.Accessibility {
			a, _ := connection.AccessNeedByCode(code)
			names = append(names, a.Label)
		}
		access = strings.Join(names, ", ")
	}
	rows = append(rows, preferenceRow{"Access needs", access})
	if !p.Set {
		rows = append(rows, preferenceRow{"Note", "These are the defaults: ask the person what suits them and save it below."})
	}
	return rows
}

// savePreferences takes the preferences form.
func (s *Server) savePreferences(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	in, problems := preferencesFromForm(r.PostForm)
	var e *oikos.Error
	if _, err := in.Validate(); errors.As(err, &e) {
		for k, v := range e.Fields {
			if _, taken := problems[formFieldOf(k)]; !taken {
				problems[formFieldOf(k)] = v
			}
		}
	}
	if len(problems) == 0 {
		if _, err := s.suggest.SavePreferences(r.Context(), httpx.Actor(r), ref.ID, in); err != nil {
			s.pageError(w, r, err) // closed a moment ago, or a fault
			return
		}
	}
	if len(problems) > 0 {
		pg := &page{Form: r.PostForm, Errors: problems, ErrorOrder: fieldOrder(problems, preferenceFields...)}
		s.renderSuggestions(w, r, http.StatusUnprocessableEntity, ref, pg, true)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"/suggestions?saved=1", http.StatusSeeOther)
}
