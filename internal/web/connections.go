package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/connection"
	"oikos/internal/directory"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// Connections: the link worker sends a referral to a service; the provider
// of that service's organisation answers, records attendance and closes
// it, signed in or through a single-use link from the email. Every lookup
// goes through auth.Can, so a provider never learns that another
// organisation's connection exists (404).

// visible loads the connection in the path that the caller may act on, or
// not-found, and records the read of the person's record.
func (s *Server) visibleConnection(r *http.Request, act auth.Action) (connection.Connection, error) {
	c, err := s.conns.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return c, err
	}
	if !auth.Can(httpx.Principal(r), act, casefile.ConnectionObject(c)) {
		return connection.Connection{}, oikos.NotFound("Connection")
	}
	return c, s.conns.RecordRead(r.Context(), httpx.Actor(r), c)
}

// mayRecord refuses a change the caller sees but does not answer for: the
// service answers for an active signpost or supported referral.
func mayRecord(p *auth.Principal, c connection.Connection, what connection.What) error {
	if connection.MayRecord(string(p.Role), c.Kind, what) {
		return nil
	}
	return &oikos.Error{Code: oikos.ECONFLICT, Message: "The service records this for an active signpost or supported referral; you can see it here when they do."}
}

// The JSON API.

// createdConnection is the contract's answer to a new connection.
type createdConnection struct {
	ID     string            `json:"id"`
	Status connection.Status `json:"status"`
}

func (s *Server) apiCreateConnection(w http.ResponseWriter, r *http.Request) {
	var in connection.CreateInput
	ref, err := s.caseBody(w, r, &in)
	var c connection.Connection
	if err == nil {
		c, err = s.conns.Create(r.Context(), httpx.Actor(r), ref.ID, in)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/connections/"+c.ID)
	httpx.WriteJSON(w, http.StatusCreated, createdConnection{ID: c.ID, Status: c.Status})
}

func (s *Server) apiReferralConnections(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	var items []connection.Connection
	if err == nil {
		items, err = s.conns.ForReferral(r.Context(), httpx.Actor(r), ref.ID)
	}
	s.reply(w, r, http.StatusOK, httpx.NewList(items, len(items), ""), err)
}

// parseStatuses reads ?status=a,b into statuses, naming the parameter
// when one is unknown.
func parseStatuses(values []string) ([]connection.Status, error) {
	var out []connection.Status
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			st := connection.Status(strings.TrimSpace(s))
			if st == "" {
				continue
			}
			known := false
			for _, k := range connection.Statuses {
				known = known || k == st
			}
			if !known {
				return nil, oikos.Invalid(map[string]string{"status": "must be sent, accepted, declined, waitlisted, completed or dropped"})
			}
			out = append(out, st)
		}
	}
	return out, nil
}

func (s *Server) apiListConnections(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	offset, limit, err := httpx.OffsetParams(r)
	f := connection.Filter{Offset: offset, Limit: limit}
	if err == nil {
		f.Statuses, err = parseStatuses(r.URL.Query()["status"])
	}
	var items []connection.Connection
	total := 0
	if err == nil && casefile.ScopeConnections(p, &f) {
		items, total, err = s.conns.List(r.Context(), f)
	}
	if err == nil {
		// The items carry what each person shared: a read of each record.
		err = s.conns.RecordListRead(r.Context(), httpx.Actor(r), items)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i := range items {
		items[i] = casefile.ConnectionForCaller(p, items[i])
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.OffsetList(items, total, f.Offset))
}

func (s *Server) apiGetConnection(w http.ResponseWriter, r *http.Request) {
	c, err := s.visibleConnection(r, auth.ReadAction)
	s.reply(w, r, http.StatusOK, casefile.ConnectionForCaller(httpx.Principal(r), c), err)
}

// decisionBody is the contract's answer.
type decisionBody struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason,omitempty"`
	// FirstSession, YYYY-MM-DD, may come with an acceptance.
	FirstSession string `json:"first_session,omitempty"`
}

// statusBody is the contract's closing.
type statusBody struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// updateBody is a short message for the link worker.
type updateBody struct {
	Message string `json:"message"`
}

// changeConnection is a connection API write: find the connection for a
// change, read the JSON body into in, check the caller answers for it,
// then write.
func (s *Server) changeConnection(w http.ResponseWriter, r *http.Request, what connection.What, in any,
	write func(c connection.Connection) (connection.Connection, error)) {
	c, err := s.visibleConnection(r, auth.ChangeAction)
	if err == nil {
		err = httpx.DecodeJSON(w, r, in)
	}
	if err == nil {
		err = mayRecord(httpx.Principal(r), c, what)
	}
	if err == nil {
		c, err = write(c)
	}
	s.reply(w, r, http.StatusOK, casefile.ConnectionForCaller(httpx.Principal(r), c), err)
}

func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request) {
	var in decisionBody
	s.changeConnection(w, r, connection.RecordDecision, &in, func(c connection.Connection) (connection.Connection, error) {
		return s.conns.DecideWithFirstSession(r.Context(), httpx.Actor(r), c.ID, connection.Status(in.Decision), in.Reason, in.FirstSession)
	})
}

func (s *Server) apiAttend(w http.ResponseWriter, r *http.Request) {
	var in connection.AttendanceInput
	s.changeConnection(w, r, connection.RecordAttendance, &in, func(c connection.Connection) (connection.Connection, error) {
		return s.conns.RecordAttendance(r.Context(), httpx.Actor(r), c.ID, in)
	})
}

func (s *Server) apiClose(w http.ResponseWriter, r *http.Request) {
	var in statusBody
	s.changeConnection(w, r, connection.RecordClose, &in, func(c connection.Connection) (connection.Connection, error) {
		return s.conns.Close(r.Context(), httpx.Actor(r), c.ID, connection.Status(in.Status), in.Reason)
	})
}

func (s *Server) apiUpdate(w http.ResponseWriter, r *http.Request) {
	var in updateBody
	s.changeConnection(w, r, connection.RecordUpdate, &in, func(c connection.Connection) (connection.Connection, error) {
		return s.conns.SendUpdate(r.Context(), httpx.Actor(r), c.ID, in.Message)
	})
}

// Pages.

// connectKinds are the kinds as radios, each with what it means.
func connectKinds(selected string) []kindOption {
	out := make([]kindOption, len(connection.Kinds))
	for i, k := range connection.Kinds {
		out[i] = kindOption{Value: string(k), Label: k.Label(), Hint: k.Explanation(), Selected: selected == string(k)}
	}
	return out
}

type kindOption struct {
	Value, Label, Hint string
	Selected           bool
}

// connectForm is what the connectForm partial shows: the form that sends
// a connection of the referral to one service.
type connectForm struct {
	Referral referral.Referral
	Service  directory.Service
	Page     *page
	Kinds    []kindOption
	// IDPrefix keeps apart the boxes of several such forms on one page
	// (one a suggestion); "" where the form is alone.
	IDPrefix string
}

func newConnectForm(ref referral.Referral, svc directory.Service, pg *page, idPrefix string) *connectForm {
	return &connectForm{Referral: ref, Service: svc, Page: pg, Kinds: connectKinds(pg.Form.Get("kind")), IDPrefix: idPrefix}
}

// Note is the box for a note to the service.
func (f connectForm) Note() inputField {
	return inputField{ID: f.IDPrefix + "note", Name: "note", Label: "A note for the service (optional)", Value: f.Page.Form.Get("note"),
		Error: f.Page.Errors["note"], Hint: fmt.Sprintf("Up to %d characters. Say only what the service needs, "+
			"like when the person can come or help they need getting there.", connection.MaxNote)}
}

// newPage lets a link worker find a service and send the connection.
func (s *Server) connectionNewPage(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok {
		return
	}
	s.renderConnectionNew(w, r, ref, &page{Form: r.URL.Query()}, http.StatusOK)
}

func (s *Server) renderConnectionNew(w http.ResponseWriter, r *http.Request, ref referral.Referral, pg *page, status int) {
	pg.Title = "Connect " + personName(ref) + " to a service"
	data := connectPage{Referral: ref}
	if id := pg.Form.Get("service_id"); id != "" {
		svc, err := s.dir.Get(r.Context(), id)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		data.Connect = newConnectForm(ref, svc, pg, "")
	} else if q := strings.TrimSpace(pg.Form.Get("q")); q != "" {
		res, err := s.dir.Search(r.Context(), directory.Query{Text: q, Limit: 20})
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		data.Results, data.Searched = res.Items, true
	}
	pg.Data = data
	s.render(w, r, status, "connections_new", pg)
}

// createPage sends a connection from the connectForm.
func (s *Server) connectionCreate(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	_, err := s.conns.Create(r.Context(), httpx.Actor(r), ref.ID, connection.CreateInput{ServiceID: f.Get("service_id"),
		Kind: connection.Kind(f.Get("kind")), Note: f.Get("note")})
	var e *oikos.Error
	if errors.As(err, &e) && (e.Fields["kind"] != "" || e.Fields["note"] != "") && e.Fields["service_id"] == "" {
		// A problem with what was chosen or written: show the form again.
		pg := &page{Form: f, Errors: e.Fields, ErrorOrder: fieldOrder(e.Fields, "kind", "note")}
		s.renderConnectionNew(w, r, ref, pg, httpx.StatusFor(e.Code))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=connection#connections", http.StatusSeeOther)
}

// queueSection is one part of a provider's queue.
type queueSection struct {
	Title, Empty string
	Items        []connection.Connection
}

// queuePage is a provider's connections: new, waiting, attending.
func (s *Server) connectionQueuePage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	var sections []queueSection
	var shown []connection.Connection
	for _, part := range []struct {
		title, empty string
		st           connection.Status
	}{{"New", "No new referrals.", connection.Sent}, {"On your waiting list", "Nobody is waiting.", connection.Waitlisted},
		{"Accepted", "Nobody is going at the moment.", connection.Accepted}} {
		f := connection.Filter{Statuses: []connection.Status{part.st}, Limit: 200}
		var items []connection.Connection
		if casefile.ScopeConnections(p, &f) {
			var err error
			if items, _, err = s.conns.List(r.Context(), f); err != nil {
				s.pageError(w, r, err)
				return
			}
		}
		sections = append(sections, queueSection{Title: part.title, Empty: part.empty, Items: items})
		shown = append(shown, items...)
	}
	// The queue shows what each person shared: a read of each record.
	if err := s.conns.RecordListRead(r.Context(), httpx.Actor(r), shown); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "connections", &page{Title: "Referrals to your services", Data: queuePage{Sections: sections}})
}

// detailView is the connection page.
type detailView struct {
	C        connection.Connection
	Sessions []connection.Session
	Events   []connection.Event
	// How says what the kind of connection means, in the words of whoever
	// reads it: the service's own, or the link worker's.
	How string
	// What the caller may do now.
	CanDecide, CanAttend, CanClose, CanUpdate bool
	Today                                     string
	// Action is where the forms post: a connection's page, or an answer
	// link.
	Action string
	// The forms' choices, and what happened in words.
	Decisions, AttendedChoices, Closes []option
	History                            []string
}

// historyLine says in words what one event was.
func historyLine(e connection.Event) string {
	if strings.HasPrefix(e.By, "link:") {
		e.By = "the service, by email link"
	}
	line := when(e.At) + ": "
	switch e.Kind {
	case "sent":
		line += "sent by " + e.By
	case "decision", "status":
		line += e.Status.Label() + ", by " + e.By
	case "attendance":
		// The event keeps "YYYY-MM-DD attended": the day in words.
		line += "session " + datesInWords(e.Text) + ", recorded by " + e.By
		return line
	case "update":
		line += "update from " + e.By
	case "first_session":
		line += "first session date given by " + e.By
		e.Text = datesInWords(e.Text)
	default:
		line += e.Kind
	}
	if e.Text != "" {
		line += ": " + e.Text
	}
	return line
}

func (s *Server) connectionDetail(r *http.Request, c connection.Connection) (detailView, error) {
	p := httpx.Principal(r)
	v := detailView{C: casefile.ConnectionForCaller(p, c), Today: ukToday(), Action: "/connections/" + c.ID}
	var err error
	if v.Sessions, err = s.conns.Sessions(r.Context(), c.ID); err != nil {
		return v, err
	}
	if v.Events, err = s.conns.Events(r.Context(), c.ID); err != nil {
		return v, err
	}
	role := string(p.Role)
	v.How = c.Kind.Explanation()
	if p.Role == auth.Provider {
		v.How = c.Kind.ForService()
	}
	v.CanDecide = connection.MayRecord(role, c.Kind, connection.RecordDecision) && (c.Status == connection.Sent || c.Status == connection.Waitlisted)
	v.CanAttend = connection.MayRecord(role, c.Kind, connection.RecordAttendance) && c.Status == connection.Accepted
	v.CanClose = connection.MayRecord(role, c.Kind, connection.RecordClose) && c.Status == connection.Accepted
	v.CanUpdate = connection.MayRecord(role, c.Kind, connection.RecordUpdate)
	v.Decisions = []option{{Value: string(connection.Accepted), Label: "Yes, we can take them"},
		{Value: string(connection.Waitlisted), Label: "Not yet: put them on our waiting list"},
		{Value: string(connection.Declined), Label: "No, we cannot take them"}}
	v.AttendedChoices = []option{{Value: "yes", Label: "Yes, they came"}, {Value: "no", Label: "No, they did not come"}}
	v.Closes = []option{{Value: string(connection.Completed), Label: "Completed: they finished or have settled in"},
		{Value: string(connection.Dropped), Label: "Stopped: they stopped coming"}}
	for _, e := range v.Events {
		v.History = append(v.History, historyLine(e))
	}
	return v, nil
}

func (s *Server) renderConnectionDetail(w http.ResponseWriter, r *http.Request, c connection.Connection, pg *page, status int) {
	v, err := s.connectionDetail(r, c)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Title = c.ServiceName + ": " + c.Reference
	if pg.Form == nil {
		pg.Form = url.Values{}
	}
	pg.ErrorOrder = dateBoxErrors(pg.Errors, pg.ErrorOrder, "first_session", "date")
	if pg.Form.Get("date-day")+pg.Form.Get("date-month")+pg.Form.Get("date-year") == "" {
		todayParts(pg.Form, "date")
	}
	if !pg.Form.Has("first_session-day") {
		splitDate(pg.Form, "first_session", c.FirstSession)
	}
	pg.Data = v
	s.render(w, r, status, "connections_detail", pg)
}

func (s *Server) connectionPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.visibleConnection(r, auth.ReadAction)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	notice := map[string]string{"decision": "Your answer is saved. The link worker has been told.", "attendance": "Attendance saved.",
		"status": "Saved.", "update": "Your update has been sent to the link worker.", "first_session": "The date of the first session is saved."}[r.URL.Query().Get("done")]
	s.renderConnectionDetail(w, r, c, &page{Notice: notice}, http.StatusOK)
}

// changeConnectionPage is a connection form post: find the connection for
// a change, check the caller answers for it, write, and show the page
// again with the problem or a notice.
func (s *Server) changeConnectionPage(w http.ResponseWriter, r *http.Request, what connection.What, done string,
	write func(r *http.Request, c connection.Connection, f url.Values) error, order ...string) {
	c, err := s.visibleConnection(r, auth.ChangeAction)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !s.readForm(w, r) {
		return
	}
	joinDates(r.PostForm, "first_session", "date")
	err = mayRecord(httpx.Principal(r), c, what)
	if err == nil {
		err = write(r, c, r.PostForm)
	}
	var e *oikos.Error
	if err != nil && errors.As(err, &e) && e.Code != oikos.ENOTFOUND {
		fields := map[string]string{}
		for k, v := range e.Fields {
			fields[k] = v
		}
		if len(fields) == 0 {
			fields[order[0]] = e.Message
		}
		fresh, gerr := s.conns.Get(r.Context(), c.ID)
		if gerr != nil {
			s.pageError(w, r, gerr)
			return
		}
		s.renderConnectionDetail(w, r, fresh, &page{Form: r.PostForm, Errors: fields, ErrorOrder: fieldOrder(fields, order...)}, httpx.StatusFor(e.Code))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/connections/"+c.ID+"?done="+done, http.StatusSeeOther)
}

func (s *Server) connectionDecision(w http.ResponseWriter, r *http.Request) {
	s.changeConnectionPage(w, r, connection.RecordDecision, "decision", s.decideForm, "decision", "reason", "first_session")
}

func (s *Server) connectionAttendance(w http.ResponseWriter, r *http.Request) {
	s.changeConnectionPage(w, r, connection.RecordAttendance, "attendance", s.attendForm, "date", "attended")
}

func (s *Server) connectionStatus(w http.ResponseWriter, r *http.Request) {
	s.changeConnectionPage(w, r, connection.RecordClose, "status", s.closeForm, "status", "close_reason")
}

func (s *Server) connectionUpdate(w http.ResponseWriter, r *http.Request) {
	s.changeConnectionPage(w, r, connection.RecordUpdate, "update", s.updateForm, "message")
}

func (s *Server) decideForm(r *http.Request, c connection.Connection, f url.Values) error {
	_, err := s.conns.DecideWithFirstSession(r.Context(), httpx.Actor(r), c.ID, connection.Status(f.Get("decision")), f.Get("reason"), f.Get("first_session"))
	return err
}

// attendedValue reads the attended radios: nil when neither is chosen.
func attendedValue(v string) *bool {
	switch v {
	case "yes":
		b := true
		return &b
	case "no":
		b := false
		return &b
	}
	return nil
}

func (s *Server) attendForm(r *http.Request, c connection.Connection, f url.Values) error {
	_, err := s.conns.RecordAttendance(r.Context(), httpx.Actor(r), c.ID, connection.AttendanceInput{Date: f.Get("date"), Attended: attendedValue(f.Get("attended"))})
	return err
}

func (s *Server) closeForm(r *http.Request, c connection.Connection, f url.Values) error {
	_, err := s.conns.Close(r.Context(), httpx.Actor(r), c.ID, connection.Status(f.Get("status")), f.Get("close_reason"))
	return renameFields(err, func(k string) string {
		if k == "reason" {
			return "close_reason"
		}
		return k
	})
}

func (s *Server) updateForm(r *http.Request, c connection.Connection, f url.Values) error {
	_, err := s.conns.SendUpdate(r.Context(), httpx.Actor(r), c.ID, f.Get("message"))
	return err
}

// Answer links: a provider without an account answers from the email. GET
// only shows the page (mail scanners follow links); POST acts.

func (s *Server) answerPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.conns.OpenLink(r.Context(), httpx.ClientAddress(r), r.PathValue("token"))
	if err != nil {
		s.linkRefused(w, r, err)
		return
	}
	s.renderAnswer(w, r, c, &page{}, http.StatusOK)
}

func (s *Server) renderAnswer(w http.ResponseWriter, r *http.Request, c connection.Connection, pg *page, status int) {
	sessions, err := s.conns.Sessions(r.Context(), c.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Title = "Referral to " + c.ServiceName
	pg.ErrorOrder = dateBoxErrors(pg.Errors, pg.ErrorOrder, "first_session")
	if pg.Form == nil {
		pg.Form = url.Values{}
	}
	pg.Data = detailView{C: c.ForProvider(), How: c.Kind.ForService(), Sessions: sessions, CanDecide: c.Status == connection.Sent || c.Status == connection.Waitlisted,
		CanAttend: c.Status == connection.Accepted, Action: "/answer/" + url.PathEscape(r.PathValue("token"))}
	s.render(w, r, status, "answer", pg)
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	token := r.PathValue("token")
	joinDates(r.PostForm, "first_session")
	c, err := s.conns.AnswerByLinkWithFirstSession(r.Context(), httpx.ClientAddress(r), token, r.PostForm.Get("action"), r.PostForm.Get("reason"), r.PostForm.Get("first_session"))
	var e *oikos.Error
	switch {
	case err == nil:
		s.render(w, r, http.StatusOK, "answer_done", &page{Title: "Thank you", Data: answerDonePage{c.ForProvider()}})
	case errors.Is(err, connection.ErrLinkUsed) || errors.Is(err, connection.ErrLinkExpired):
		s.linkRefused(w, r, err)
	case errors.As(err, &e) && e.Code != oikos.ENOTFOUND:
		open, oerr := s.conns.OpenLink(r.Context(), httpx.ClientAddress(r), token)
		if oerr != nil {
			s.linkRefused(w, r, oerr)
			return
		}
		fields := map[string]string{}
		for k, v := range e.Fields {
			fields[k] = v
		}
		if len(fields) == 0 {
			fields["action"] = e.Message
		}
		s.renderAnswer(w, r, open, &page{Form: r.PostForm, Errors: fields, ErrorOrder: fieldOrder(fields, "action", "reason", "first_session")}, httpx.StatusFor(e.Code))
	default:
		s.linkRefused(w, r, err)
	}
}

// linkRefused explains a link that cannot be used: 410 Gone for one used
// or expired (it worked once and never will again), 404 for one unknown.
func (s *Server) linkRefused(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, connection.ErrLinkUsed):
		s.render(w, r, http.StatusGone, "answer_gone", &page{Title: "This link has already been used", Data: answerGonePage{Why: "used"}})
	case errors.Is(err, connection.ErrLinkExpired):
		s.render(w, r, http.StatusGone, "answer_gone", &page{Title: "This link has expired", Data: answerGonePage{Why: "expired"}})
	case oikos.ErrorCode(err) == oikos.ENOTFOUND:
		s.render(w, r, http.StatusNotFound, "answer_gone", &page{Title: "This link does not work", Data: answerGonePage{Why: "unknown"}})
	default:
		s.pageError(w, r, err)
	}
}

// The referral page's section.
