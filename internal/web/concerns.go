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
	"oikos/internal/web/httpx"
)

// Safeguarding concerns: raised by anyone who works with the person (from
// the person's referral page, a volunteer's match page, a provider's
// connection page), acted on by the person's link worker and the
// scheme's managers, closed by a manager with an outcome. Who may do what
// is community's (MayRaise, MayClose, auth.Can on the concern); each
// handler is one call.

// pageQuery reads a community list's cursor and limit.
func pageQuery(r *http.Request) (community.PageQuery, error) {
	q := r.URL.Query()
	pq := community.PageQuery{Cursor: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return pq, oikos.Invalid(map[string]string{"limit": "Limit must be a whole number from 1 to 500."})
		}
		pq.Limit = n
	}
	return pq, nil
}

func (s *Server) apiRaiseConcern(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in community.ConcernInput) (community.Concern, error) {
		c, err := s.safe.RaiseConcern(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
		if err == nil {
			w.Header().Set("Location", "/api/v1/concerns/"+c.ID)
		}
		return c, err
	})
}

func (s *Server) apiConcerns(w http.ResponseWriter, r *http.Request) {
	pq, err := pageQuery(r)
	var out community.Listing[community.Concern]
	if err == nil {
		q := r.URL.Query()
		out, err = s.safe.Concerns(r.Context(), httpx.Actor(r), httpx.Principal(r),
			community.ConcernFilter{Status: q.Get("status"), ReferralID: q.Get("referral_id"), PageQuery: pq})
	}
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiConcern(w http.ResponseWriter, r *http.Request) {
	c, err := s.safe.Concern(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) apiConcernAction(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in community.ActionInput) (community.Concern, error) {
		return s.safe.AddConcernAction(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiAcknowledgeConcern(w http.ResponseWriter, r *http.Request) {
	err := s.safe.Acknowledge(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, map[string]any{"id": r.PathValue("id"), "acknowledged": true}, err)
}

func (s *Server) apiSafeguardingReport(w http.ResponseWriter, r *http.Request) {
	p, _, err := reportPeriod(r)
	var out community.ConcernFigures
	if err == nil {
		out, err = s.safe.ConcernReport(r.Context(), httpx.Actor(r), httpx.Principal(r), p)
	}
	s.reply(w, r, http.StatusOK, out, err)
}

// Pages.

// concernLevelLabel is a level in words.
func concernLevelLabel(level string) string {
	return map[string]string{"low": "Low", "medium": "Medium", "high": "High", "immediate": "Immediate"}[level]
}

// concernForm is the form that raises a concern, wherever it is raised
// from: Action is where it is sent, Back and BackText the way back, About
// whom it is about as the one raising it knows them.
type concernForm struct {
	Action, Back, BackText, About string
}

// Categories are the kinds of concern.
func (concernForm) Categories() []option {
	out := make([]option, len(community.ConcernCategories))
	for i, c := range community.ConcernCategories {
		out[i] = option{Value: c, Label: community.ConcernCategoryLabel(c)}
	}
	return out
}

// Levels are how urgent it is, in words that say what each asks for.
func (concernForm) Levels() []option {
	return []option{
		{Value: "low", Label: "Low: worth knowing about, nothing needs doing today"},
		{Value: "medium", Label: "Medium: needs looking into this week"},
		{Value: "high", Label: "High: needs action today"},
		{Value: "immediate", Label: "Immediate: someone is at risk now"},
	}
}

// concernTarget is where a concern form is and what it is about: the
// referral it is raised on, and the form's words.
type concernTarget struct {
	referralID string
	form       concernForm
}

// showConcernForm shows the form to raise a concern, new or with problems.
func (s *Server) showConcernForm(w http.ResponseWriter, r *http.Request, t concernTarget, pg *page, status int) {
	pg.Title = "Raise a safeguarding concern"
	pg.Data = t.form
	s.render(w, r, status, "concern_form", pg)
}

// raiseConcern raises the concern the form sent, then shows it.
func (s *Server) raiseConcern(w http.ResponseWriter, r *http.Request, t concernTarget) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	c, err := s.safe.RaiseConcern(r.Context(), httpx.Actor(r), httpx.Principal(r), t.referralID,
		community.ConcernInput{Category: f.Get("category"), Level: f.Get("level"), Description: f.Get("description")})
	if err != nil {
		pg := &page{Form: f, Title: "Raise a safeguarding concern"}
		pg.Data = t.form
		s.formError(w, r, "concern_form", pg, err, "description", "category", "level", "description")
		return
	}
	http.Redirect(w, r, "/concerns/"+c.ID+"?done=raised", http.StatusSeeOther)
}

// referralConcern is the concern form on a referral: its link worker or a
// manager (who may see it).
func (s *Server) referralConcern(r *http.Request) (concernTarget, error) {
	ref, err := s.files.Find(r.Context(), httpx.Principal(r), r.PathValue("id"), auth.ReadAction)
	if err != nil {
		return concernTarget{}, err
	}
	return concernTarget{referralID: ref.ID, form: concernForm{Action: "/referrals/" + ref.ID + "/concerns/new", Back: "/referrals/" + ref.ID,
		BackText: "Back to " + personName(ref), About: personName(ref)}}, nil
}

func (s *Server) concernNew(w http.ResponseWriter, r *http.Request) {
	t, err := s.referralConcern(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.showConcernForm(w, r, t, &page{}, http.StatusOK)
}

func (s *Server) concernCreate(w http.ResponseWriter, r *http.Request) {
	t, err := s.referralConcern(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.raiseConcern(w, r, t)
}

// matchConcern is the concern form on a volunteer's match: the match read
// as they may read it (their own, while it lasts).
func (s *Server) matchConcern(r *http.Request) (concernTarget, error) {
	m, err := s.vol.Match(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	if err != nil {
		return concernTarget{}, err
	}
	return concernTarget{referralID: m.ReferralID, form: concernForm{Action: "/volunteer-matches/" + m.ID + "/concern",
		Back: "/volunteer-matches/" + m.ID, BackText: "Back to " + m.Person.GivenName, About: m.Person.GivenName}}, nil
}

func (s *Server) matchConcernNew(w http.ResponseWriter, r *http.Request) {
	t, err := s.matchConcern(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.showConcernForm(w, r, t, &page{}, http.StatusOK)
}

func (s *Server) matchConcernCreate(w http.ResponseWriter, r *http.Request) {
	t, err := s.matchConcern(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.raiseConcern(w, r, t)
}

// connectionConcern is the concern form on a connection: the provider it
// was sent to (or the person's link worker, or a manager).
func (s *Server) connectionConcern(r *http.Request) (concernTarget, error) {
	c, err := s.visibleConnection(r, auth.ReadAction)
	if err != nil {
		return concernTarget{}, err
	}
	about := c.SharedContact.Name
	if about == "" {
		about = "the person referred, reference " + c.Reference
	}
	return concernTarget{referralID: c.ReferralID, form: concernForm{Action: "/connections/" + c.ID + "/concern", Back: "/connections/" + c.ID,
		BackText: "Back to the referral to " + c.ServiceName, About: about}}, nil
}

func (s *Server) connectionConcernNew(w http.ResponseWriter, r *http.Request) {
	t, err := s.connectionConcern(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.showConcernForm(w, r, t, &page{}, http.StatusOK)
}

func (s *Server) connectionConcernCreate(w http.ResponseWriter, r *http.Request) {
	t, err := s.connectionConcern(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.raiseConcern(w, r, t)
}

// concernRow is one concern in the log.
type concernRow struct {
	ID, ReferralID, Reference, Category, Level, LevelCode, Status, RaisedAt, RaisedBy string
	Open                                                                              bool
}

func newConcernRow(c community.Concern) concernRow {
	return concernRow{ID: c.ID, ReferralID: c.ReferralID, Reference: c.Reference, Category: community.ConcernCategoryLabel(c.Category),
		Level: concernLevelLabel(c.Level), LevelCode: c.Level, Status: c.Status, RaisedAt: when(c.RaisedAt), RaisedBy: c.RaisedByName,
		Open: c.Status == community.ConcernOpen}
}

// concernsPage is the concerns log.
type concernsPage struct {
	Rows []concernRow
	// Status is the filter ("" for all); Filters the links between them.
	Status  string
	Filters []navItem
	Total   int
	Next    string
	// Keeper is set for a manager or link worker, who acts on concerns;
	// anyone else sees those they raised.
	Keeper bool
	// ReferralID narrows the log to one person's referral.
	ReferralID string
}

func (s *Server) concernsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status := q.Get("status")
	if status == "" && q.Get("all") == "" {
		status = community.ConcernOpen
	}
	pq, err := pageQuery(r)
	var out community.Listing[community.Concern]
	if err == nil {
		out, err = s.safe.Concerns(r.Context(), httpx.Actor(r), httpx.Principal(r),
			community.ConcernFilter{Status: status, ReferralID: q.Get("referral_id"), PageQuery: pq})
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := httpx.Principal(r)
	v := concernsPage{Status: status, Total: out.Total, Keeper: p.Role == auth.Manager || p.Role == auth.LinkWorker, ReferralID: q.Get("referral_id")}
	for _, c := range out.Items {
		v.Rows = append(v.Rows, newConcernRow(c))
	}
	base := "/concerns?"
	if v.ReferralID != "" {
		base += "referral_id=" + url.QueryEscape(v.ReferralID) + "&"
	}
	for _, f := range []struct{ text, query, status string }{{"Open", "status=open", "open"}, {"Closed", "status=closed", "closed"}, {"All", "all=1", ""}} {
		v.Filters = append(v.Filters, navItem{Text: f.text, Href: base + f.query, Current: f.status == status})
	}
	if out.Next != nil {
		next := base + "cursor=" + url.QueryEscape(*out.Next)
		if status != "" {
			next += "&status=" + url.QueryEscape(status)
		} else {
			next += "&all=1"
		}
		v.Next = next
	}
	s.render(w, r, http.StatusOK, "concerns", &page{Title: "Safeguarding concerns", Data: v})
}

// actionView is one action in a concern's log.
type actionView struct {
	Action, Outcome, By, At string
	Closed                  bool
}

// concernPage is one concern.
type concernPage struct {
	Concern  community.Concern
	Row      concernRow
	Actions  []actionView
	Minutes  string // time from raising to first action, in words
	ClosedAt string
	// CanAct: the person's link worker or a manager, who record actions;
	// CanClose: a manager, who closes (or reopens) it; Acknowledge: an
	// immediate concern they have not yet said they have read.
	CanAct, CanClose, Acknowledge bool
	// Paragraphs are the description as written.
	Paragraphs []string
}

// Statuses are the choices a manager has with an action.
func (c concernPage) Statuses() []option {
	if c.Concern.Status == community.ConcernClosed {
		return []option{{Value: "closed", Label: "Keep it closed"}, {Value: "open", Label: "Reopen it"}}
	}
	return []option{{Value: "open", Label: "Keep it open"}, {Value: "closed", Label: "Close it, with its outcome"}}
}

func (s *Server) concernPage(w http.ResponseWriter, r *http.Request) {
	s.showConcern(w, r, &page{}, http.StatusOK)
}

// showConcern shows a concern; pg carries an action form sent back with
// its problems, if any.
func (s *Server) showConcern(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	p := httpx.Principal(r)
	c, err := s.safe.Concern(r.Context(), httpx.Actor(r), p, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := concernPage{Concern: c, Row: newConcernRow(c), CanAct: c.Actions != nil, Paragraphs: paragraphs(c.Description)}
	v.CanClose = v.CanAct && community.MayClose(p)
	v.Acknowledge = v.CanAct && !c.Acknowledged && c.Level == community.LevelImmediate && c.Status == community.ConcernOpen
	for _, a := range c.Actions {
		v.Actions = append(v.Actions, actionView{Action: a.Action, Outcome: a.Outcome, By: a.ByName, At: when(a.At), Closed: a.Status == community.ConcernClosed})
	}
	if c.MinutesToFirstAction != nil {
		v.Minutes = minutes(int(*c.MinutesToFirstAction))
		if v.Minutes == "" {
			v.Minutes = "less than a minute"
		}
	}
	if c.ClosedAt != nil {
		v.ClosedAt = when(*c.ClosedAt)
	}
	if pg.Notice == "" {
		pg.Notice = map[string]string{"raised": "Your concern has been raised. The person's link worker and the scheme's managers have been told.",
			"action": "Action recorded.", "closed": "The concern is closed.", "acknowledged": "Thank you: you have read this concern."}[r.URL.Query().Get("done")]
	}
	if pg.Form == nil || len(pg.Form) == 0 {
		pg.Form = map[string][]string{"status": {c.Status}}
	}
	pg.Title = "Safeguarding concern about " + c.Reference
	pg.Data = v
	s.render(w, r, status, "concern", pg)
}

func (s *Server) concernAction(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	in := community.ActionInput{Action: f.Get("what"), Status: f.Get("status"), Outcome: f.Get("outcome")}
	c, err := s.safe.AddConcernAction(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
	if err != nil {
		var e *oikos.Error
		if oikos.ErrorCode(err) == oikos.ENOTFOUND || !errors.As(err, &e) {
			s.pageError(w, r, err)
			return
		}
		pg := &page{Form: f, Errors: map[string]string{}}
		for k, v := range e.Fields {
			if k == "action" {
				k = "what" // the box's name: "action" would shadow the form's own
			}
			pg.Errors[k] = v
		}
		if len(pg.Errors) == 0 {
			pg.Errors["what"] = e.Message
		}
		pg.ErrorOrder = fieldOrder(pg.Errors, "what", "status", "outcome")
		s.showConcern(w, r, pg, httpx.StatusFor(e.Code))
		return
	}
	done := "action"
	if c.Status == community.ConcernClosed && strings.TrimSpace(in.Status) == community.ConcernClosed {
		done = "closed"
	}
	http.Redirect(w, r, "/concerns/"+c.ID+"?done="+done, http.StatusSeeOther)
}

func (s *Server) concernAcknowledge(w http.ResponseWriter, r *http.Request) {
	if err := s.safe.Acknowledge(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/concerns/"+r.PathValue("id")+"?done=acknowledged", http.StatusSeeOther)
}
