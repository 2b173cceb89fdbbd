package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/connection"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// Reminders before a first session: the link worker records whether the
// person wants one, by email or text; the provider or link worker gives the
// date of the first session. The outbox worker's sweep sends them.

func (s *Server) apiGetReminders(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ReadAction)
	var out connection.ReminderChoice
	if err == nil {
		out, err = s.conns.Reminders(r.Context(), httpx.Actor(r), ref.ID)
	}
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiPutReminders(w http.ResponseWriter, r *http.Request) {
	var in connection.ReminderInput
	ref, err := s.caseBody(w, r, &in)
	var out connection.ReminderChoice
	if err == nil {
		out, err = s.conns.SetReminders(r.Context(), httpx.Actor(r), ref.ID, in)
	}
	s.reply(w, r, http.StatusOK, out, err)
}

// firstSessionBody gives (or clears, with "") the first session's date.
type firstSessionBody struct {
	FirstSession string `json:"first_session"`
}

// apiFirstSession: anyone who answers for or follows the connection (the
// provider, the link worker, a manager) may give the date.
func (s *Server) apiFirstSession(w http.ResponseWriter, r *http.Request) {
	c, err := s.visibleConnection(r, auth.ChangeAction)
	var in firstSessionBody
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err == nil {
		c, err = s.conns.SetFirstSession(r.Context(), httpx.Actor(r), c.ID, in.FirstSession)
	}
	s.reply(w, r, http.StatusOK, casefile.ConnectionForCaller(httpx.Principal(r), c), err)
}

// firstSessionPage saves the date from the connection's page.
func (s *Server) firstSessionPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.visibleConnection(r, auth.ChangeAction)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !s.readForm(w, r) {
		return
	}
	joinDates(r.PostForm, "first_session")
	_, err = s.conns.SetFirstSession(r.Context(), httpx.Actor(r), c.ID, r.PostForm.Get("first_session"))
	var e *oikos.Error
	if errors.As(err, &e) && e.Code != oikos.ENOTFOUND {
		fields := map[string]string{"first_session": e.Message}
		if msg := e.Fields["first_session"]; msg != "" {
			fields["first_session"] = msg
		}
		fresh, gerr := s.conns.Get(r.Context(), c.ID)
		if gerr != nil {
			s.pageError(w, r, gerr)
			return
		}
		s.renderConnectionDetail(w, r, fresh, &page{Form: r.PostForm, Errors: fields, ErrorOrder: []string{"first_session"}}, httpx.StatusFor(e.Code))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/connections/"+c.ID+"?done=first_session", http.StatusSeeOther)
}

// reminderView is the reminders page.
type reminderView struct {
	Referral referral.Referral
	Choice   connection.ReminderChoice
	Options  []option
}

// reminderOptions are the channels as radios, each saying where it goes;
// a channel that cannot reach the person is not offered.
func reminderOptions(c connection.ReminderChoice) []option {
	var out []option
	for _, ch := range c.Available {
		switch ch {
		case connection.ReminderNone:
			out = append(out, option{Value: ch, Label: "No reminders"})
		case connection.ReminderEmail:
			out = append(out, option{Value: ch, Label: "Email to " + c.Email})
		case connection.ReminderSMS:
			out = append(out, option{Value: ch, Label: "Text message to " + ukMobileForReading(c.Mobile)})
		}
	}
	return out
}

// ukMobileForReading writes +447700900123 as 07700 900123.
func ukMobileForReading(m string) string {
	if rest, ok := strings.CutPrefix(m, "+44"); ok && len(rest) == 10 {
		return "0" + rest[:4] + " " + rest[4:]
	}
	return m
}

func (s *Server) remindersPage(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok {
		return
	}
	s.renderReminders(w, r, ref, &page{}, http.StatusOK)
}

func (s *Server) renderReminders(w http.ResponseWriter, r *http.Request, ref referral.Referral, pg *page, status int) {
	choice, err := s.conns.Reminders(r.Context(), httpx.Actor(r), ref.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if pg.Form == nil {
		channel := choice.Channel
		if choice.ChosenAt == nil {
			channel = choice.Suggested
		}
		pg.Form = url.Values{"channel": {channel}}
	}
	pg.Title = "Reminders before a first session"
	pg.Data = reminderView{Referral: ref, Choice: choice, Options: reminderOptions(choice)}
	s.render(w, r, status, "reminders", pg)
}

func (s *Server) remindersSave(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	_, err := s.conns.SetReminders(r.Context(), httpx.Actor(r), ref.ID, connection.ReminderInput{Channel: r.PostForm.Get("channel")})
	var e *oikos.Error
	if errors.As(err, &e) && e.Fields["channel"] != "" {
		s.renderReminders(w, r, ref, &page{Form: r.PostForm, Errors: e.Fields, ErrorOrder: []string{"channel"}}, httpx.StatusFor(e.Code))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=reminders#connections", http.StatusSeeOther)
}

// The person's own choice, from their pages: it holds for their newest
// open referral's connections (the choice is theirs, whatever the referral).

// myRemindersView is the person's reminders page.
type myRemindersView struct {
	Open    bool
	Choice  connection.ReminderChoice
	Options []option
}

func (s *Server) myRemindersPage(w http.ResponseWriter, r *http.Request) {
	s.renderMyReminders(w, r, &page{Notice: map[string]string{"1": "Your choice is saved."}[r.URL.Query().Get("saved")]}, http.StatusOK)
}

// myReferral is the person's newest open referral, "" when none is open.
func (s *Server) myNewestReferral(r *http.Request) (string, error) {
	refs, err := s.openReferrals(r.Context(), personOf(r))
	if err != nil || len(refs) == 0 {
		return "", err
	}
	return refs[0].ID, nil
}

func (s *Server) renderMyReminders(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	id, err := s.myNewestReferral(r)
	v := myRemindersView{Open: id != ""}
	if err == nil && v.Open {
		v.Choice, err = s.conns.Reminders(r.Context(), personActor(r), id)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Options = reminderOptions(v.Choice)
	if pg.Form == nil {
		pg.Form = url.Values{"channel": {v.Choice.Channel}}
	}
	pg.Title = "Reminders before a first session"
	pg.Data = v
	s.render(w, r, status, "my_reminders", pg)
}

func (s *Server) myRemindersSave(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	id, err := s.myNewestReferral(r)
	if err == nil && id == "" {
		err = &oikos.Error{Code: oikos.ECONFLICT, Message: "You have no referral open with us, so there is nothing to remind you of."}
	}
	if err == nil {
		_, err = s.conns.SetReminders(r.Context(), personActor(r), id, connection.ReminderInput{Channel: r.PostForm.Get("channel")})
	}
	var e *oikos.Error
	if errors.As(err, &e) && e.Code != oikos.ENOTFOUND {
		fields := map[string]string{"channel": e.Message}
		if msg := e.Fields["channel"]; msg != "" {
			fields["channel"] = msg
		}
		s.renderMyReminders(w, r, &page{Form: r.PostForm, Errors: fields, ErrorOrder: []string{"channel"}}, httpx.StatusFor(e.Code))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/my/reminders?saved=1", http.StatusSeeOther)
}
