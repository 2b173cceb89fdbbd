package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/grant"
	"oikos/internal/taxonomy"
	"oikos/internal/web/httpx"
)

// The grants programme: a scheme's managers open rounds beside the gap
// map of unmet needs; community organisations apply for their own
// organisation; managers score, decide, award within the pot and pay in
// instalments within the award. Community groups register themselves, and
// a manager checks them before they are listed. Every rule is package
// grant's; these handlers read forms and render.

// API.

func (s *Server) apiCreateRound(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in grant.RoundInput) (grant.Round, error) {
		return s.app.Grants.CreateRound(r.Context(), httpx.Principal(r), httpx.Actor(r), in)
	})
}

func (s *Server) apiListRounds(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.Grants.Rounds(r.Context(), httpx.Principal(r))
	s.reply(w, r, http.StatusOK, httpx.NewList(items, len(items), ""), err)
}

func (s *Server) apiGetRound(w http.ResponseWriter, r *http.Request) {
	out, err := s.app.Grants.Round(r.Context(), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiApply(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in grant.ApplicationInput) (grant.Application, error) {
		return s.app.Grants.Apply(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiRoundApplications(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.Grants.Applications(r.Context(), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, httpx.NewList(items, len(items), ""), err)
}

func (s *Server) apiGetApplication(w http.ResponseWriter, r *http.Request) {
	out, err := s.app.Grants.Application(r.Context(), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiDecideApplication(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in grant.DecisionInput) (grant.Application, error) {
		return s.app.Grants.Decide(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiPayAward(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in grant.PaymentInput) (grant.Application, error) {
		return s.app.Grants.Pay(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiGrantsReport(w http.ResponseWriter, r *http.Request) {
	out, err := s.app.Grants.GrantsReport(r.Context(), httpx.Principal(r), httpx.Actor(r), r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiCitizenLedTrend(w http.ResponseWriter, r *http.Request) {
	out, err := s.app.Grants.CitizenLedTrend(r.Context(), httpx.Principal(r), httpx.Actor(r), r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	s.reply(w, r, http.StatusOK, out, err)
}

// apiRegisterGroup: a community group registers itself and its first
// service, to be checked by a manager before it is listed.
func (s *Server) apiRegisterGroup(w http.ResponseWriter, r *http.Request) {
	if !s.selfRefs.allow(httpx.ClientGroup(r), time.Now()) {
		s.apiError(w, r, &oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many requests from your network in a short time. Wait a few minutes and try again."})
		return
	}
	// The group is told only that it is registered and waits.
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in grant.RegistrationInput) (map[string]string, error) {
		out, err := s.app.Grants.Register(r.Context(), httpx.Actor(r), in)
		return map[string]string{"id": out.ID, "status": out.Status}, err
	})
}

func (s *Server) apiListRegistrations(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.Grants.Registrations(r.Context(), httpx.Principal(r), r.URL.Query().Get("status"))
	s.reply(w, r, http.StatusOK, httpx.NewList(items, len(items), ""), err)
}

func (s *Server) apiDecideRegistration(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in grant.RegistrationDecision) (grant.Registration, error) {
		return s.app.Grants.DecideRegistration(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

// Pages.

// grantsPage lists the rounds the caller may see.
type grantsPage struct {
	Rounds  []grant.Round
	Manager bool
}

func (s *Server) grantsPage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	rounds, err := s.app.Grants.Rounds(r.Context(), p)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "grants", &page{Title: "Grants for community groups", Data: grantsPage{Rounds: rounds, Manager: p.Role == auth.Manager}})
}

// roundForm opens a round beside the scheme's whole gap map.
type roundForm struct {
	GapMap          grant.GapMap
	Needs           []option
	OpensOn, Closes dateField
}

func (s *Server) roundNew(w http.ResponseWriter, r *http.Request) {
	form := url.Values{}
	todayParts(form, "opens_on")
	s.renderRoundForm(w, r, &page{Form: form}, http.StatusOK)
}

func (s *Server) renderRoundForm(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	gm, err := s.app.Grants.SchemeGapMap(r.Context(), httpx.Principal(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Title = "Open a grant round"
	pg.Data = roundForm{GapMap: gm, Needs: needOptions(),
		OpensOn: newDateField(pg, "opens_on", "Opens on", "For example, 1 4 2026"),
		Closes:  newDateField(pg, "closes_on", "Closes on", "The last day applications are taken")}
	s.render(w, r, status, "grant_round_form", pg)
}

// dateBoxes reads a date's boxes into YYYY-MM-DD, noting a problem
// against the day box when they are not a date.
func dateBoxes(f url.Values, name string, problems map[string]string, what string) string {
	d := dateParts(f, name)
	if d == "invalid" {
		problems[name+"-day"] = "Enter " + what + " as a real date, like 1 4 2026."
	}
	return d
}

// required notes a problem against an empty box.
func required(f url.Values, name string, problems map[string]string, msg string) {
	if strings.TrimSpace(f.Get(name)) == "" {
		problems[name] = msg
	}
}

// areaList reads postcode districts typed with commas or spaces.
func areaList(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(c rune) bool { return c == ',' || c == ' ' || c == ';' || c == '\n' || c == '\r' })
}

// grantFieldNames gives the grant store's fields the boxes that hold them.
func grantFieldNames(k string) string {
	switch k {
	case "pot_pence", "amount_pence":
		return strings.TrimSuffix(k, "_pence")
	case "opens_on", "closes_on", "starts_on", "paid_on":
		return k + "-day"
	case "needs":
		return "needs-" + taxonomy.Needs[0].Code
	}
	return k
}

func (s *Server) roundCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	problems := map[string]string{}
	in := grant.RoundInput{Name: f.Get("name"), PotPence: poundsField(f, "pot", problems), OpensOn: dateBoxes(f, "opens_on", problems, "the opening date"),
		ClosesOn: dateBoxes(f, "closes_on", problems, "the closing date"), Criteria: f.Get("criteria"), Needs: f["needs"], Areas: areaList(f.Get("areas"))}
	required(f, "pot", problems, "Enter the pot in pounds, like 85000.")
	var out grant.Round
	var err error
	if len(problems) > 0 {
		check := in
		err = withRules(problems, grant.CheckRound(&check), grantFieldNames)
	} else {
		out, err = s.app.Grants.CreateRound(r.Context(), httpx.Principal(r), httpx.Actor(r), in)
	}
	if err != nil {
		var e *oikos.Error
		if !errors.As(err, &e) || e.Code == oikos.ENOTFOUND {
			s.pageError(w, r, err)
			return
		}
		err = renameFields(err, grantFieldNames)
		errors.As(err, &e)
		pg := &page{Form: f, Errors: e.Fields}
		if len(pg.Errors) == 0 {
			pg.Errors = map[string]string{"name": e.Message}
		}
		pg.ErrorOrder = fieldOrder(pg.Errors, "name", "pot", "opens_on-day", "closes_on-day", "criteria", "needs-"+taxonomy.Needs[0].Code, "areas")
		s.renderRoundForm(w, r, pg, httpx.StatusFor(e.Code))
		return
	}
	http.Redirect(w, r, "/grants/rounds/"+out.ID+"?done=opened", http.StatusSeeOther)
}

// roundPage is a round beside its gap map, with the applications the
// caller may see.
type roundPage struct {
	Round        grant.Round
	Applications []grant.Application
	Manager      bool
	// CanApply is whether the caller may apply now: a provider, while
	// the round is open.
	CanApply bool
	Needs    []string
}

// needLabels are the needs' words for codes.
func needLabels(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		label := c
		for _, n := range taxonomy.Needs {
			if n.Code == c {
				label = n.Label
			}
		}
		out = append(out, label)
	}
	return out
}

func (s *Server) roundPage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	round, err := s.app.Grants.Round(r.Context(), p, r.PathValue("id"))
	var apps []grant.Application
	if err == nil && p.Role != auth.Commissioner {
		apps, err = s.app.Grants.Applications(r.Context(), p, round.ID)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	notice := map[string]string{"opened": "The round is open.", "applied": "Your application is sent."}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "grant_round", &page{Title: round.Name, Notice: notice, Data: roundPage{Round: round, Applications: apps,
		Manager: p.Role == auth.Manager, CanApply: p.Role == auth.Provider && round.State == grant.Open, Needs: needLabels(round.Needs)}})
}

// applyForm is a community organisation's application to a round.
type applyForm struct {
	Round        grant.Round
	Organisation string
	Needs        []option
	StartsOn     dateField
}

func (s *Server) applyNew(w http.ResponseWriter, r *http.Request) {
	s.renderApply(w, r, &page{Form: url.Values{}}, http.StatusOK)
}

func (s *Server) renderApply(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	p := httpx.Principal(r)
	round, err := s.app.Grants.Round(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	needs := make([]option, 0, len(round.Needs))
	for i, label := range needLabels(round.Needs) {
		needs = append(needs, option{Value: round.Needs[i], Label: label})
	}
	// A problem with the needs is shown at the round's first need, the
	// box the error summary leads to.
	if msg, ok := pg.Errors["needs"]; ok && len(needs) > 0 {
		key := "needs-" + needs[0].Value
		delete(pg.Errors, "needs")
		pg.Errors[key] = msg
		for i, k := range pg.ErrorOrder {
			if k == "needs" {
				pg.ErrorOrder[i] = key
			}
		}
	}
	pg.Title = "Apply to " + round.Name
	pg.Data = applyForm{Round: round, Organisation: s.orgName(r.Context(), p.OrganisationID), Needs: needs,
		StartsOn: newDateField(pg, "starts_on", "When will it start?", "For example, 1 6 2026")}
	s.render(w, r, status, "grant_apply", pg)
}

func (s *Server) applyCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	p := httpx.Principal(r)
	problems := map[string]string{}
	in := grant.ApplicationInput{OrganisationID: p.OrganisationID, Title: f.Get("title"), Summary: f.Get("summary"), Needs: f["needs"],
		Areas: areaList(f.Get("areas")), AmountPence: poundsField(f, "amount", problems), StartsOn: dateBoxes(f, "starts_on", problems, "the start date")}
	required(f, "amount", problems, "Enter how much you ask for, in pounds.")
	var out grant.Application
	var err error
	if len(problems) > 0 {
		check := in
		err = withRules(problems, grant.CheckApplication(&check, grant.MaxPotPence), grantFieldNames)
	} else {
		out, err = s.app.Grants.Apply(r.Context(), p, httpx.Actor(r), r.PathValue("id"), in)
	}
	if err != nil {
		var e *oikos.Error
		if !errors.As(err, &e) || e.Code == oikos.ENOTFOUND {
			s.pageError(w, r, err)
			return
		}
		rename := func(k string) string {
			if k == "needs" && len(f["needs"]) == 0 {
				return "needs"
			}
			return grantFieldNames(k)
		}
		err = renameFields(err, rename)
		errors.As(err, &e)
		pg := &page{Form: f, Errors: e.Fields}
		if len(pg.Errors) == 0 {
			pg.Errors = map[string]string{"title": e.Message}
		}
		// The needs' boxes are the round's: the first is the summary's link.
		if msg, ok := pg.Errors["needs-"+taxonomy.Needs[0].Code]; ok {
			delete(pg.Errors, "needs-"+taxonomy.Needs[0].Code)
			pg.Errors["needs"] = msg
		}
		pg.ErrorOrder = fieldOrder(pg.Errors, "title", "summary", "needs", "areas", "amount", "starts_on-day")
		s.renderApply(w, r, pg, httpx.StatusFor(e.Code))
		return
	}
	http.Redirect(w, r, "/grants/applications/"+out.ID+"?done=applied", http.StatusSeeOther)
}

// applicationPage is an application beside its gap map, with the
// manager's decision and payments.
type applicationPage struct {
	Application grant.Application
	Round       grant.Round
	Needs       []string
	Manager     bool
	PaidOn      dateField
	Decisions   []option
}

func (s *Server) applicationPage(w http.ResponseWriter, r *http.Request) {
	form := url.Values{}
	todayParts(form, "paid_on")
	notice := map[string]string{"applied": "Your application is sent. The scheme will tell you what it decides.", "awarded": "The grant is awarded.",
		"declined": "The application is declined.", "paid": "The payment is recorded."}[r.URL.Query().Get("done")]
	s.renderApplication(w, r, &page{Form: form, Notice: notice}, http.StatusOK)
}

func (s *Server) renderApplication(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	p := httpx.Principal(r)
	a, err := s.app.Grants.Application(r.Context(), p, r.PathValue("id"))
	var round grant.Round
	if err == nil {
		round, err = s.app.Grants.Round(r.Context(), p, a.RoundID)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Title = a.Title
	pg.Data = applicationPage{Application: a, Round: round, Needs: needLabels(a.Needs), Manager: p.Role == auth.Manager,
		PaidOn:    newDateField(pg, "paid_on", "Paid on", "For example, 1 6 2026"),
		Decisions: []option{{Value: grant.Awarded, Label: "Award a grant"}, {Value: grant.Declined, Label: "Decline"}}}
	s.render(w, r, status, "grant_application", pg)
}

// applicationFormError shows the application's page again with a form's
// problems.
func (s *Server) applicationFormError(w http.ResponseWriter, r *http.Request, err error, order ...string) {
	var e *oikos.Error
	if !errors.As(err, &e) || e.Code == oikos.ENOTFOUND {
		s.pageError(w, r, err)
		return
	}
	err = renameFields(err, grantFieldNames)
	errors.As(err, &e)
	pg := &page{Form: r.PostForm, Errors: e.Fields}
	if len(pg.Errors) == 0 {
		pg.Errors = map[string]string{order[0]: e.Message}
	}
	pg.ErrorOrder = fieldOrder(pg.Errors, order...)
	s.renderApplication(w, r, pg, httpx.StatusFor(e.Code))
}

func (s *Server) applicationDecision(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	problems := map[string]string{}
	in := grant.DecisionInput{Decision: f.Get("decision"), AmountPence: poundsField(f, "amount", problems), Reason: f.Get("reason")}
	if v := strings.TrimSpace(f.Get("score")); v != "" {
		if n, err := strconv.Atoi(v); err != nil {
			problems["score"] = "Enter the score as a whole number from 0 to 10."
		} else {
			in.Score = &n
		}
	}
	var err error
	if len(problems) > 0 {
		err = oikos.Invalid(problems)
	} else {
		_, err = s.app.Grants.Decide(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	}
	if err != nil {
		s.applicationFormError(w, r, err, "decision", "amount", "score", "reason")
		return
	}
	http.Redirect(w, r, "/grants/applications/"+r.PathValue("id")+"?done="+in.Decision, http.StatusSeeOther)
}

func (s *Server) applicationPayment(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	problems := map[string]string{}
	in := grant.PaymentInput{AmountPence: poundsField(f, "payment", problems), PaidOn: dateBoxes(f, "paid_on", problems, "the date it was paid")}
	required(f, "payment", problems, "Enter the amount paid, in pounds.")
	var err error
	if len(problems) > 0 {
		err = oikos.Invalid(problems)
	} else {
		_, err = s.app.Grants.Pay(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	}
	if err != nil {
		// The payment's amount box is its own, beside the decision's.
		err = renameFields(err, func(k string) string {
			if k == "amount_pence" {
				return "payment"
			}
			return k
		})
		s.applicationFormError(w, r, err, "payment", "paid_on-day")
		return
	}
	http.Redirect(w, r, "/grants/applications/"+r.PathValue("id")+"?done=paid#payments", http.StatusSeeOther)
}

// grantsReportPage is the grants report and the citizen-led trend.
type grantsReportPage struct {
	Report grant.Report
	Trend  grant.Trend
	Query  string
}

func (s *Server) grantsReportPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	joinDates(q, "from", "to")
	p := httpx.Principal(r)
	rep, err := s.app.Grants.GrantsReport(r.Context(), p, httpx.Actor(r), q.Get("from"), q.Get("to"))
	var trend grant.Trend
	if err == nil {
		trend, err = s.app.Grants.CitizenLedTrend(r.Context(), p, httpx.Actor(r), q.Get("from"), q.Get("to"))
	}
	pg := &page{Title: "Grants and citizen-led groups", Form: q}
	var e *oikos.Error
	if errors.As(err, &e) && e.Code == oikos.EINVALID {
		pg.Errors = e.Fields
		pg.ErrorOrder = dateBoxErrors(pg.Errors, fieldOrder(e.Fields, "from", "to"), "from", "to")
		pg.Data = grantsReportPage{}
		s.render(w, r, http.StatusUnprocessableEntity, "grants_report", pg)
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	query := url.Values{"from": {rep.From}, "to": {rep.To}}.Encode()
	splitDate(pg.Form, "from", rep.From)
	splitDate(pg.Form, "to", rep.To)
	pg.Data = grantsReportPage{Report: rep, Trend: trend, Query: query}
	s.render(w, r, http.StatusOK, "grants_report", pg)
}

// writeCSVOf writes a report's CSV, built whole (a report is small).
func (s *Server) writeCSVOf(w http.ResponseWriter, r *http.Request, name string, write func(*bytes.Buffer) error, err error) {
	if err != nil {
		if oikos.ErrorCode(err) == oikos.EINVALID {
			s.renderError(w, r, http.StatusUnprocessableEntity, "Check the dates", "The dates of the report are not right: go back to the report and check them.")
			return
		}
		s.pageError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		s.internalError(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(w)
}

func (s *Server) grantsReportCSV(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rep, err := s.app.Grants.GrantsReport(r.Context(), httpx.Principal(r), httpx.Actor(r), q.Get("from"), q.Get("to"))
	s.writeCSVOf(w, r, "oikos-grants-"+rep.From+"-to-"+rep.To+".csv", func(b *bytes.Buffer) error { return rep.WriteCSV(b) }, err)
}

func (s *Server) citizenLedCSV(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	trend, err := s.app.Grants.CitizenLedTrend(r.Context(), httpx.Principal(r), httpx.Actor(r), q.Get("from"), q.Get("to"))
	s.writeCSVOf(w, r, "oikos-citizen-led-"+trend.From+"-to-"+trend.To+".csv", func(b *bytes.Buffer) error { return trend.WriteCSV(b) }, err)
}

// Groups registering themselves.

// registerForm is the public form a community group registers with.
type registerForm struct {
	Categories []option
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "group_register", &page{Title: "Register your community group", Data: registerForm{Categories: categoryOptions()}})
}

// categoryOptions are the directory's categories as checkboxes.
func categoryOptions() []option {
	out := make([]option, 0, len(taxonomy.Categories))
	for _, c := range taxonomy.Categories {
		out = append(out, option{Value: c.Code, Label: c.Label})
	}
	return out
}

// registrationFieldNames gives the registration's fields their boxes.
func registrationFieldNames(k string) string {
	if rest, ok := strings.CutPrefix(k, "service."); ok {
		if rest == "categories" || strings.HasPrefix(rest, "categories") {
			return "categories-" + taxonomy.Categories[0].Code
		}
		return "service_" + strings.ReplaceAll(rest, ".", "_")
	}
	return k
}

func (s *Server) registerPost(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	pg := &page{Title: "Register your community group", Form: f, Data: registerForm{Categories: categoryOptions()}}
	if f.Get("website_url") != "" {
		// Only a bot fills the hidden field: thank it and keep nothing.
		s.render(w, r, http.StatusOK, "group_register_done", &page{Title: "Thank you", Data: registeredPage{}})
		return
	}
	if !s.selfRefs.allow(httpx.ClientGroup(r), time.Now()) {
		s.formError(w, r, "group_register", pg, &oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many requests from your network in a short time. Wait a few minutes and try again."}, "group_name")
		return
	}
	in := grant.RegistrationInput{GroupName: f.Get("group_name"), GroupDescription: f.Get("group_description"), Website: f.Get("website"),
		ContactName: f.Get("contact_name"), ContactEmail: f.Get("contact_email"), ContactPhone: f.Get("contact_phone")}
	in.Service.Name = f.Get("service_name")
	in.Service.Description = f.Get("service_description")
	in.Service.Categories = f["categories"]
	in.Service.Postcode = f.Get("service_postcode")
	in.Service.Address = f.Get("service_address")
	in.Service.LocationName = f.Get("service_location_name")
	out, err := s.app.Grants.Register(r.Context(), httpx.Actor(r), in)
	if err != nil {
		err = renameFields(err, registrationFieldNames)
		s.formError(w, r, "group_register", pg, err, "group_name", "group_name", "group_description", "website", "contact_name", "contact_email",
			"contact_phone", "service_name", "service_description", "categories-"+taxonomy.Categories[0].Code, "service_location_name", "service_address",
			"service_postcode")
		return
	}
	s.render(w, r, http.StatusOK, "group_register_done", &page{Title: "Thank you", Data: registeredPage{Name: out.GroupName}})
}

// registeredPage thanks a group for registering.
type registeredPage struct{ Name string }

// registrationsPage is the manager's list of groups to check.
type registrationsPage struct {
	Pending   []grant.Registration
	Decisions []option
}

func (s *Server) registrationsPage(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"approved": "The group is listed in the directory.", "declined": "The registration is declined."}[r.URL.Query().Get("done")]
	s.renderRegistrations(w, r, &page{Notice: notice, Form: url.Values{}}, http.StatusOK)
}

func (s *Server) renderRegistrations(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	items, err := s.app.Grants.Registrations(r.Context(), httpx.Principal(r), grant.Pending)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Title = "Groups waiting to be checked"
	pg.Data = registrationsPage{Pending: items}
	s.render(w, r, status, "group_registrations", pg)
}

func (s *Server) registrationDecision(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	id := r.PathValue("id")
	in := grant.RegistrationDecision{Decision: r.PostForm.Get("decision"), Reason: r.PostForm.Get("reason")}
	_, err := s.app.Grants.DecideRegistration(r.Context(), httpx.Principal(r), httpx.Actor(r), id, in)
	var e *oikos.Error
	if errors.As(err, &e) && e.Code != oikos.ENOTFOUND {
		err = renameFields(err, func(k string) string {
			if k == "decision" || k == "reason" {
				return k + "-" + id
			}
			return "decision-" + id
		})
		errors.As(err, &e)
		pg := &page{Errors: e.Fields, Form: url.Values{"decision-" + id: {in.Decision}, "reason-" + id: {in.Reason}}}
		if len(pg.Errors) == 0 {
			pg.Errors = map[string]string{"decision-" + id: e.Message}
		}
		pg.ErrorOrder = fieldOrder(pg.Errors, "decision-"+id, "reason-"+id)
		s.renderRegistrations(w, r, pg, httpx.StatusFor(e.Code))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/groups/registrations?done="+in.Decision, http.StatusSeeOther)
}
