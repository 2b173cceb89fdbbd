package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/report"
	"oikos/internal/web/httpx"
)

// Volunteers matched to people: suggestions ranked for a person, the
// match with what the link worker chose to share, the contacts the
// volunteer logs, and the graduate pathway to peer mentoring. A volunteer
// sees only the people matched to them, and only what was shared
// (community and auth decide; 404 otherwise).

func (s *Server) apiVolunteerSuggestions(w http.ResponseWriter, r *http.Request) {
	out, err := s.vol.VolunteerSuggestions(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"),
		community.SuggestOptions{Languages: textList(r.URL.Query().Get("languages"))})
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiCreateMatch(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in community.MatchInput) (community.Match, error) {
		m, err := s.vol.CreateMatch(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
		if err == nil {
			w.Header().Set("Location", "/api/v1/volunteer-matches/"+m.ID)
		}
		return m, err
	})
}

func (s *Server) apiMatches(w http.ResponseWriter, r *http.Request) {
	pq, err := pageQuery(r)
	var out community.Listing[community.Match]
	if err == nil {
		q := r.URL.Query()
		out, err = s.vol.Matches(r.Context(), httpx.Actor(r), httpx.Principal(r), community.MatchFilter{ReferralID: q.Get("referral_id"),
			VolunteerID: q.Get("volunteer_id"), Status: q.Get("status"), PageQuery: pq})
	}
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiMatch(w http.ResponseWriter, r *http.Request) {
	m, err := s.vol.Match(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, m, err)
}

func (s *Server) apiLogContact(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in community.ContactInput) (community.MatchContact, error) {
		return s.vol.LogContact(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiEndMatch(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in community.EndInput) (community.Match, error) {
		return s.vol.EndMatch(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiInviteMentor(w http.ResponseWriter, r *http.Request) {
	inv, err := s.vol.InviteMentor(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusCreated, inv, err)
}

func (s *Server) apiMentorStage(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in community.StageInput) (community.Invitation, error) {
		return s.vol.MentorStage(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiMentorInvitation(w http.ResponseWriter, r *http.Request) {
	inv, err := s.vol.MentorInvitation(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, inv, err)
}

func (s *Server) apiMentorInvitations(w http.ResponseWriter, r *http.Request) {
	pq, err := pageQuery(r)
	var out community.Listing[community.Invitation]
	if err == nil {
		out, err = s.vol.MentorInvitations(r.Context(), httpx.Actor(r), httpx.Principal(r), r.URL.Query().Get("stage"), pq)
	}
	s.reply(w, r, http.StatusOK, out, err)
}

// The volunteering report: JSON, CSV, and a page with the safeguarding
// figures beside it.

func (s *Server) countVolunteering(r *http.Request, p report.Period, _ report.Viewer) (csvReport, string, error) {
	v, err := s.vol.VolunteeringReport(r.Context(), httpx.Actor(r), httpx.Principal(r), p)
	return v, v.Period.From + "-to-" + v.Period.To, err
}

func (s *Server) apiVolunteeringReport(w http.ResponseWriter, r *http.Request) {
	s.apiReport(w, r, "volunteering", s.countVolunteering)
}

func (s *Server) volunteeringCSV(w http.ResponseWriter, r *http.Request) {
	s.reportCSV(w, r, "volunteering", s.countVolunteering)
}

// figureRow is one figure of a report page: its words and value, or a
// note when it is hidden.
type figureRow struct {
	Label, Value string
	Note         bool
}

func countRow(label string, n *int) figureRow {
	if n == nil {
		return figureRow{Label: label, Value: report.NoteSuppressed, Note: true}
	}
	return figureRow{Label: label, Value: thousands(strconv.Itoa(*n))}
}

type volunteeringView struct {
	Period, CSV, From, To string
	Volunteering          []figureRow
	Safeguarding          []figureRow
	Hidden                int
}

func (s *Server) volunteeringView(r *http.Request, p report.Period, _ report.Viewer) (any, error) {
	v, err := s.vol.VolunteeringReport(r.Context(), httpx.Actor(r), httpx.Principal(r), p)
	if err != nil {
		return nil, err
	}
	c, err := s.safe.ConcernReport(r.Context(), httpx.Actor(r), httpx.Principal(r), p)
	if err != nil {
		return nil, err
	}
	out := volunteeringView{Period: periodWords(p), From: v.Period.From, To: v.Period.To,
		CSV: downloadLink("/reports/volunteering.csv", v.Period.From, v.Period.To), Hidden: len(v.Suppressed) + len(c.Suppressed)}
	hours := figureRow{Label: "Hours of contact logged", Value: report.NoteSuppressed, Note: true}
	if v.Hours != nil {
		hours = figureRow{Label: hours.Label, Value: report.FormatNumber(*v.Hours)}
	}
	out.Volunteering = []figureRow{countRow("Volunteers active", v.VolunteersActive), countRow("Matches made", v.Matches), hours,
		countRow("People supported", v.PeopleSupported), countRow("Peer mentors", v.PeerMentors), countRow("Graduates active as peer mentors", v.GraduatesActive)}
	median := figureRow{Label: "Time from raising to first action (median)", Value: report.NoteSuppressed, Note: true}
	switch {
	case c.MedianMinutesToFirstAction != nil:
		median.Value, median.Note = minutes(int(*c.MedianMinutesToFirstAction+0.5)), false
		if median.Value == "" {
			median.Value = "less than a minute"
		}
	case c.ActedOn != nil:
		median.Value = "none acted on"
	}
	out.Safeguarding = []figureRow{countRow("Concerns raised", c.Raised), countRow("Acted on", c.ActedOn), countRow("Closed", c.Closed), median}
	for _, l := range community.ConcernLevels {
		out.Safeguarding = append(out.Safeguarding, countRow("Raised at level "+strings.ToLower(concernLevelLabel(l)), c.ByLevel[l]))
	}
	return out, nil
}

func (s *Server) volunteeringReportPage(w http.ResponseWriter, r *http.Request) {
	s.showReport(w, r, "volunteering_report", "Volunteering report", s.volunteeringView)
}

// Pages: the volunteer's own.

// matchRow is one match in a list.
type matchRow struct {
	ID, Name, Volunteer, Started, Ended, Hours string
	Active                                     bool
	Contacts                                   int
}

func newMatchRow(m community.Match) matchRow {
	row := matchRow{ID: m.ID, Name: m.Person.GivenName, Volunteer: m.VolunteerName, Started: longDate(m.StartedOn),
		Hours: report.FormatNumber(m.Hours), Active: m.Status == "active", Contacts: len(m.Contacts)}
	if m.Person.FamilyName != "" {
		row.Name += " " + m.Person.FamilyName
	}
	if m.EndedOn != nil {
		row.Ended = longDate(*m.EndedOn)
	}
	return row
}

// volunteeringPage is a volunteer's home: the people they support, and
// their own details.
type volunteeringPage struct {
	Matches []matchRow
	// Profile is nil until a manager keeps one for them.
	Profile   *community.Volunteer
	Kind, DBS string
	DBSColour string
	Free      []string
	Champion  bool
}

func (s *Server) volunteeringPage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	out, err := s.vol.Matches(r.Context(), httpx.Actor(r), p, community.MatchFilter{PageQuery: community.PageQuery{Limit: 500}})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := volunteeringPage{}
	for _, m := range out.Items {
		v.Matches = append(v.Matches, newMatchRow(m))
	}
	vo, err := s.vol.Volunteer(r.Context(), httpx.Actor(r), p, p.UserID)
	switch {
	case err == nil:
		v.Profile, v.Kind, v.Champion = &vo, community.VolunteerKindLabel(vo.Kind), vo.Kind == community.KindHealthChampion
		v.DBS, v.DBSColour = dbsTag(vo.DBSStatus)
		for _, sl := range vo.Availability {
			v.Free = append(v.Free, slotWords(sl))
		}
	case oikos.ErrorCode(err) != oikos.ENOTFOUND:
		s.pageError(w, r, err)
		return
	}
	notice := map[string]string{"details": "Your details are saved.", "ended": "The match has ended. Thank you for your support."}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "volunteering", &page{Title: "People you support", Notice: notice, Data: v})
}

// slotWords says a time a volunteer is free: "Monday, 10:00 to 16:00".
func slotWords(sl community.Slot) string {
	return dayWord(sl.Day) + ", " + sl.From + " to " + sl.To
}

func dayWord(day string) string {
	if day == "" {
		return ""
	}
	return strings.ToUpper(day[:1]) + day[1:]
}

// ownDetailsForm is the volunteer's own details form.
type ownDetailsForm struct{ page *page }

// Slots are their free times, with two blank lines.
func (d ownDetailsForm) Slots() slotFieldset {
	return slotFieldset{Legend: "When you are free", Rows: slotRows(d.page, 2)}
}

func (s *Server) ownDetailsPage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	vo, err := s.vol.Volunteer(r.Context(), httpx.Actor(r), p, p.UserID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f := url.Values{"phone": {vo.Phone}, "email": {vo.Email}}
	slotsToForm(f, vo.Availability)
	pg := &page{Title: "Your details", Form: f}
	pg.Data = ownDetailsForm{page: pg}
	s.render(w, r, http.StatusOK, "volunteer_details", pg)
}

func (s *Server) ownDetailsSave(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	p, f := httpx.Principal(r), r.PostForm
	slots, rows := slotsFromForm(f)
	if slots == nil {
		slots = []community.Slot{}
	}
	phone, email := f.Get("phone"), f.Get("email")
	_, err := s.vol.UpdateOwnDetails(r.Context(), httpx.Actor(r), p, p.UserID, community.OwnDetailsInput{Phone: &phone, Email: &email, Availability: &slots})
	if err != nil {
		if oikos.ErrorCode(err) == oikos.ENOTFOUND {
			s.pageError(w, r, err)
			return
		}
		pg := &page{Title: "Your details", Form: f}
		pg.Data = ownDetailsForm{page: pg}
		s.formError(w, r, "volunteer_details", pg, renameVolunteerFields(err, rows, nil), "phone", "phone", "email")
		return
	}
	http.Redirect(w, r, "/volunteering?done=details", http.StatusSeeOther)
}

// championRow is one volunteer a health champion coordinates.
type championRow struct {
	community.CoordinatedVolunteer
	Kind, DBS, DBSColour, DBSExpires, Hours string
	Training                                []string
	Matches                                 []matchFigureRow
}

type matchFigureRow struct {
	Started, Ended, Status, Hours string
	Contacts                      int
}

type championPage struct {
	Rows  []championRow
	Hours string
	Due   int
}

func (s *Server) championPage(w http.ResponseWriter, r *http.Request) {
	out, err := s.vol.Coordinated(r.Context(), httpx.Actor(r), httpx.Principal(r), "")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := championPage{}
	var hours float64
	for _, c := range out {
		row := championRow{CoordinatedVolunteer: c, Kind: community.VolunteerKindLabel(c.Kind), Hours: report.FormatNumber(c.Hours)}
		row.DBS, row.DBSColour = dbsTag(c.DBSStatus)
		if c.DBSStatus != community.DBSInDate {
			v.Due++
		}
		if c.DBSExpiresOn != nil {
			row.DBSExpires = longDate(*c.DBSExpiresOn)
		}
		for _, t := range c.Training {
			row.Training = append(row.Training, t.Course+" ("+longDate(t.CompletedOn)+")")
		}
		for _, m := range c.Matches {
			mf := matchFigureRow{Started: longDate(m.StartedOn), Status: map[string]string{"active": "Active", "ended": "Ended"}[m.Status],
				Hours: report.FormatNumber(m.Hours), Contacts: m.Contacts}
			if m.EndedOn != nil {
				mf.Ended = longDate(*m.EndedOn)
			}
			row.Matches = append(row.Matches, mf)
		}
		hours += c.Hours
		v.Rows = append(v.Rows, row)
	}
	v.Hours = report.FormatNumber(float64(int(hours*10+0.5)) / 10)
	s.render(w, r, http.StatusOK, "champion", &page{Title: "Volunteers you coordinate", Data: v})
}

// The match page: the person as shared, the contacts, and the forms.

type contactRowView struct {
	Date, Mode, Duration, Note string
}

// matchPage is a match as its volunteer or the person's link worker sees
// it.
type matchPage struct {
	page  *page
	Match community.Match
	Row   matchRow
	// Volunteer is set for the matched volunteer, who logs contacts.
	Volunteer bool
	Contacts  []contactRowView
	Plan      []goalStepsView
	// ConcernHref is where the caller raises a concern about the person.
	ConcernHref string
	WhatMatters []string
}

type goalStepsView struct {
	Goal  string
	Steps []stepView
}

// Modes are the ways a volunteer is in touch.
func (matchPage) Modes() []option {
	out := make([]option, len(community.VolunteerContactModes))
	for i, m := range community.VolunteerContactModes {
		out[i] = option{Value: m, Label: volunteerModeLabel(m)}
	}
	return out
}

// When is the contact's date.
func (d matchPage) When() dateField {
	return newDateField(d.page, "contact", "When was it?", "For example, 27 3 2026.")
}

func volunteerModeLabel(m string) string {
	return map[string]string{"in_person": "Met in person", "home_visit": "Home visit", "phone": "Phone call", "video": "Video call", "message": "Messages"}[m]
}

func (s *Server) matchPageGet(w http.ResponseWriter, r *http.Request) {
	form := url.Values{"mode": {"home_visit"}}
	todayParts(form, "contact")
	s.showMatch(w, r, &page{Form: form}, http.StatusOK)
}

// showMatch shows a match; pg carries a form sent back with its problems.
func (s *Server) showMatch(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	p := httpx.Principal(r)
	m, err := s.vol.Match(r.Context(), httpx.Actor(r), p, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := matchPage{page: pg, Match: m, Row: newMatchRow(m), Volunteer: p.Role == auth.Volunteer, WhatMatters: paragraphs(m.Person.WhatMatters)}
	if v.Volunteer {
		v.ConcernHref = "/volunteer-matches/" + m.ID + "/concern"
	} else {
		v.ConcernHref = "/referrals/" + m.ReferralID + "/concerns/new"
	}
	for _, c := range m.Contacts {
		v.Contacts = append(v.Contacts, contactRowView{Date: longDate(c.Date), Mode: volunteerModeLabel(c.Mode), Duration: minutes(c.Minutes), Note: c.Note})
	}
	today := ukToday()
	for _, g := range m.Person.Plan {
		gv := goalStepsView{Goal: g.Goal}
		for _, st := range g.Steps {
			gv.Steps = append(gv.Steps, stepView{Text: st.Text, Due: formatDate(st.Due), Done: st.Done, Overdue: !st.Done && st.Due != "" && st.Due < today})
		}
		v.Plan = append(v.Plan, gv)
	}
	if pg.Notice == "" {
		pg.Notice = map[string]string{"contact": "Contact logged. Thank you.", "matched": "The volunteer is matched. They have been emailed a link.",
			"ended": "The match has ended."}[r.URL.Query().Get("done")]
	}
	pg.Title = v.Row.Name
	pg.Data = v
	s.render(w, r, status, "volunteer_match", pg)
}

func (s *Server) matchContact(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	in := community.ContactInput{Date: dateParts(f, "contact"), Mode: f.Get("mode"), Note: f.Get("note")}
	problems := map[string]string{}
	if in.Date == "" {
		problems["contact-day"] = "Enter the date of the contact."
	}
	switch n, err := strconv.Atoi(strings.TrimSpace(f.Get("minutes"))); {
	case strings.TrimSpace(f.Get("minutes")) == "":
		problems["minutes"] = "Enter how long it lasted, in minutes."
	case err != nil:
		problems["minutes"] = "Enter how long it lasted as a whole number of minutes, like 45."
	default:
		in.Minutes = n
	}
	var err error
	if len(problems) > 0 {
		err = oikos.Invalid(problems)
	} else {
		_, err = s.vol.LogContact(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
	}
	if err != nil {
		s.matchFormError(w, r, err, "contact-day", "contact-day", "minutes", "mode", "note")
		return
	}
	http.Redirect(w, r, "/volunteer-matches/"+r.PathValue("id")+"?done=contact#contacts", http.StatusSeeOther)
}

// matchFormError shows the match page again with a form's problems.
func (s *Server) matchFormError(w http.ResponseWriter, r *http.Request, err error, field string, order ...string) {
	var e *oikos.Error
	if oikos.ErrorCode(err) == oikos.ENOTFOUND || !errors.As(err, &e) {
		s.pageError(w, r, err)
		return
	}
	err = renameFields(err, func(k string) string {
		if k == "date" {
			return "contact-day"
		}
		return k
	})
	errors.As(err, &e)
	pg := &page{Form: r.PostForm, Errors: map[string]string{}}
	for k, v := range e.Fields {
		pg.Errors[k] = isoDateWords.ReplaceAllString(v, "as day, month and year, for example 5 3 2026")
	}
	if len(pg.Errors) == 0 {
		pg.Errors[field] = e.Message
	}
	pg.ErrorOrder = fieldOrder(pg.Errors, order...)
	s.showMatch(w, r, pg, httpx.StatusFor(e.Code))
}

func (s *Server) matchEnd(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	p := httpx.Principal(r)
	m, err := s.vol.EndMatch(r.Context(), httpx.Actor(r), p, r.PathValue("id"), community.EndInput{Reason: r.PostForm.Get("reason")})
	if err != nil {
		s.matchFormError(w, r, err, "reason", "reason")
		return
	}
	if p.Role == auth.Volunteer {
		http.Redirect(w, r, "/volunteering?done=ended", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/referrals/"+m.ReferralID+"?done=match-ended#volunteers", http.StatusSeeOther)
}

// Suggestions of volunteers for a person, and matching one.

type volunteerSuggestionView struct {
	community.VolunteerSuggestion
	Kind, Distance, DBSExpires string
}

type volunteerSuggestionsPage struct {
	Referral    referralHead
	Suggestions community.VolunteerSuggestions
	Items       []volunteerSuggestionView
	Interests   string
	FreeWhen    string
}

// referralHead is what a page about a referral names it by.
type referralHead struct {
	ID, Name string
}

// Shares are what a link worker may share with the volunteer.
func (volunteerSuggestionsPage) Shares() []option {
	return []option{{Value: "contact_details", Label: "Their full name, phone, email and postcode", Selected: true},
		{Value: "what_matters", Label: "What matters to them, in their words"},
		{Value: "plan", Label: "The steps of their plan given to a volunteer"}}
}

func (s *Server) volunteerSuggestionsPage(w http.ResponseWriter, r *http.Request) {
	s.showVolunteerSuggestions(w, r, &page{Form: url.Values{"languages": {r.URL.Query().Get("languages")}}}, http.StatusOK, "")
}

// showVolunteerSuggestions shows the suggestions; a match refused for the
// volunteer chosen (pg.Errors["volunteer_id"]) is said beside their card,
// or beside the search when they are no longer suggested.
func (s *Server) showVolunteerSuggestions(w http.ResponseWriter, r *http.Request, pg *page, status int, chosen string) {
	ref, err := s.files.Find(r.Context(), httpx.Principal(r), r.PathValue("id"), auth.ChangeAction)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	out, err := s.vol.VolunteerSuggestions(r.Context(), httpx.Actor(r), httpx.Principal(r), ref.ID,
		community.SuggestOptions{Languages: textList(r.URL.Query().Get("languages"))})
	if err != nil {
		if oikos.ErrorCode(err) == oikos.EINVALID {
			s.formError(w, r, "volunteer_suggestions", pg, err, "languages", "languages")
			return
		}
		s.pageError(w, r, err)
		return
	}
	v := volunteerSuggestionsPage{Referral: referralHead{ID: ref.ID, Name: personName(ref)}, Suggestions: out,
		Interests: listText(out.Interests), FreeWhen: listText(out.FreeWhen)}
	for _, it := range out.Items {
		sv := volunteerSuggestionView{VolunteerSuggestion: it, Kind: community.VolunteerKindLabel(it.Kind), DBSExpires: longDate(it.DBSExpiresOn)}
		if it.DistanceKm != nil {
			sv.Distance = strconv.FormatFloat(*it.DistanceKm, 'f', 1, 64) + " km away"
		}
		v.Items = append(v.Items, sv)
	}
	if msg, refused := pg.Errors["volunteer_id"]; refused {
		field := "languages"
		for _, it := range out.Items {
			if it.VolunteerID == chosen {
				field = "share-" + chosen + "-contact_details"
			}
		}
		delete(pg.Errors, "volunteer_id")
		pg.Errors[field], pg.ErrorOrder = msg, []string{field}
	}
	pg.Title = "Find a volunteer for " + personName(ref)
	pg.Data = v
	s.render(w, r, status, "volunteer_suggestions", pg)
}

func (s *Server) matchCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	shared := map[string]bool{}
	for _, v := range f["share"] {
		shared[v] = true
	}
	m, err := s.vol.CreateMatch(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), community.MatchInput{VolunteerID: f.Get("volunteer_id"),
		Share: community.Share{ContactDetails: shared["contact_details"], WhatMatters: shared["what_matters"], Plan: shared["plan"]}})
	if err != nil {
		if c := oikos.ErrorCode(err); c == oikos.EINVALID || c == oikos.ECONFLICT {
			// Back to the suggestions, with why at the top.
			var e *oikos.Error
			errors.As(err, &e)
			msg := e.Message
			for _, v := range e.Fields {
				msg = v
			}
			pg := &page{Form: url.Values{}, Errors: map[string]string{"volunteer_id": msg}, ErrorOrder: []string{"volunteer_id"}}
			s.showVolunteerSuggestions(w, r, pg, httpx.StatusFor(c), f.Get("volunteer_id"))
			return
		}
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/volunteer-matches/"+m.ID+"?done=matched", http.StatusSeeOther)
}

// The graduate pathway, from the person's referral page.

func (s *Server) mentorInvite(w http.ResponseWriter, r *http.Request) {
	if _, err := s.vol.InviteMentor(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+r.PathValue("id")+"?done=invited#peer-mentoring", http.StatusSeeOther)
}

func (s *Server) mentorStagePage(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	_, err := s.vol.MentorStage(r.Context(), httpx.Actor(r), httpx.Principal(r), f.Get("invitation_id"),
		community.StageInput{Stage: f.Get("stage"), UserID: f.Get("account_id")})
	if err != nil {
		if c := oikos.ErrorCode(err); c == oikos.EINVALID || c == oikos.ECONFLICT {
			pg := &page{Form: f}
			var e *oikos.Error
			errors.As(err, &e)
			pg.Errors = map[string]string{}
			for k, v := range e.Fields {
				if k == "user_id" {
					k = "account_id" // the box's name on the referral page
				}
				pg.Errors[k] = v
			}
			if len(pg.Errors) == 0 {
				pg.Errors["stage"] = e.Message
			}
			pg.ErrorOrder = fieldOrder(pg.Errors, "stage", "account_id")
			s.renderReferral(w, r, pg, httpx.StatusFor(c))
			return
		}
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+r.PathValue("id")+"?done=pathway#peer-mentoring", http.StatusSeeOther)
}
