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
)

// Reminders before a first session: the link worker records whether the
// person wants one, by email or text; the provider or link worker gives the
// date of the first session. The outbox worker's sweep sends them.

// reminders serves the reminder routes.
type reminders struct {
	s     *Server
	store *connection.Store
}

func (h *reminders) apiGet(w http.ResponseWriter, r *http.Request) {
	ref, err := h.s.visibleReferral(r, auth.ReadAction)
	var out connection.ReminderChoice
	if err == nil {
		out, err = h.store.Reminders(r.Context(), actorOf(r), ref.ID)
	}
	if err != nil {
		h.s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *reminders) apiPut(w http.ResponseWriter, r *http.Request) {
	ref, err := h.s.caseReferral(r)
	var in connection.ReminderInput
	if err == nil {
		err = decodeJSON(w, r, &in)
	}
	var out connection.ReminderChoice
	if err == nil {
		out, err = h.store.SetReminders(r.Context(), actorOf(r), ref.ID, in)
	}
	if err != nil {
		h.s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// firstSessionBody gives (or clears, with "") the first session's date.
type firstSessionBody struct {
	FirstSession string `json:"first_session"`
}

// apiFirstSession: anyone who answers for or follows the connection (the
// provider, the link worker, a manager) may give the date.
func (h *reminders) apiFirstSession(w http.ResponseWriter, r *http.Request) {
	conns := &connections{s: h.s, store: h.store}
	c, err := conns.visible(r, auth.ChangeAction)
	var in firstSessionBody
	if err == nil {
		err = decodeJSON(w, r, &in)
	}
	if err == nil {
		c, err = h.store.SetFirstSession(r.Context(), actorOf(r), c.ID, in.FirstSession)
	}
	if err != nil {
		h.s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, casefile.ConnectionForCaller(principal(r), c))
}

// firstSessionPage saves the date from the connection's page.
func (h *reminders) firstSessionPage(w http.ResponseWriter, r *http.Request) {
	conns := &connections{s: h.s, store: h.store}
	c, err := conns.visible(r, auth.ChangeAction)
	if err != nil {
		h.s.pageError(w, r, err)
		return
	}
	if !h.s.readForm(w, r) {
		return
	}
	_, err = h.store.SetFirstSession(r.Context(), actorOf(r), c.ID, r.PostForm.Get("first_session"))
	var e *oikos.Error
	if errors.As(err, &e) && e.Code != oikos.ENOTFOUND {
		fields := map[string]string{"first_session": e.Message}
		if msg := e.Fields["first_session"]; msg != "" {
			fields["first_session"] = msg
		}
		fresh, gerr := h.store.Get(r.Context(), c.ID)
		if gerr != nil {
			h.s.pageError(w, r, gerr)
			return
		}
		conns.renderDetail(w, r, fresh, &page{Form: r.PostForm, Errors: fields, ErrorOrder: []string{"first_session"}}, statusFor(e.Code))
		return
	}
	if err != nil {
		h.s.pageError(w, r, err)
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

func (h *reminders) page(w http.ResponseWriter, r *http.Request) {
	ref, ok := h.s.openCase(w, r)
	if !ok {
		return
	}
	h.render(w, r, ref, &page{}, http.StatusOK)
}

func (h *reminders) render(w http.ResponseWriter, r *http.Request, ref referral.Referral, pg *page, status int) {
	choice, err := h.store.Reminders(r.Context(), actorOf(r), ref.ID)
	if err != nil {
		h.s.pageError(w, r, err)
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
	h.s.render(w, r, status, "reminders", pg)
}

func (h *reminders) save(w http.ResponseWriter, r *http.Request) {
	ref, ok := h.s.openCase(w, r)
	if !ok || !h.s.readForm(w, r) {
		return
	}
	_, err := h.store.SetReminders(r.Context(), actorOf(r), ref.ID, connection.ReminderInput{Channel: r.PostForm.Get("channel")})
	var e *oikos.Error
	if errors.As(err, &e) && e.Fields["channel"] != "" {
		h.render(w, r, ref, &page{Form: r.PostForm, Errors: e.Fields, ErrorOrder: []string{"channel"}}, statusFor(e.Code))
		return
	}
	if err != nil {
		h.s.pageError(w, r, err)
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

func (h *reminders) myPage(w http.ResponseWriter, r *http.Request) {
	h.myRender(w, r, &page{Notice: map[string]string{"1": "Your choice is saved."}[r.URL.Query().Get("saved")]}, http.StatusOK)
}

// myReferral is the person's newest open referral, "" when none is open.
func (h *reminders) myReferral(r *http.Request) (string, error) {
	refs, err := h.s.openReferrals(r.Context(), personOf(r))
	if err != nil || len(refs) == 0 {
		return "", err
	}
	return refs[0].ID, nil
}

func (h *reminders) myRender(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	id, err := h.myReferral(r)
	v := myRemindersView{Open: id != ""}
	if err == nil && v.Open {
		v.Choice, err = h.store.Reminders(r.Context(), personActor(r), id)
	}
	if err != nil {
		h.s.pageError(w, r, err)
		return
	}
	v.Options = reminderOptions(v.Choice)
	if pg.Form == nil {
		pg.Form = url.Values{"channel": {v.Choice.Channel}}
	}
	pg.Title = "Reminders before a first session"
	pg.Data = v
	h.s.render(w, r, status, "my_reminders", pg)
}

func (h *reminders) mySave(w http.ResponseWriter, r *http.Request) {
	if !h.s.readForm(w, r) {
		return
	}
	id, err := h.myReferral(r)
	if err == nil && id == "" {
		err = &oikos.Error{Code: oikos.ECONFLICT, Message: "You have no referral open with us, so there is nothing to remind you of."}
	}
	if err == nil {
		_, err = h.store.SetReminders(r.Context(), personActor(r), id, connection.ReminderInput{Channel: r.PostForm.Get("channel")})
	}
	var e *oikos.Error
	if errors.As(err, &e) && e.Code != oikos.ENOTFOUND {
		fields := map[string]string{"channel": e.Message}
		if msg := e.Fields["channel"]; msg != "" {
			fields["channel"] = msg
		}
		h.myRender(w, r, &page{Form: r.PostForm, Errors: fields, ErrorOrder: []string{"channel"}}, statusFor(e.Code))
		return
	}
	if err != nil {
		h.s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/my/reminders?saved=1", http.StatusSeeOther)
}
