package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/outcome"
	"oikos/internal/privacy"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// The person's rights: a copy of everything held (for their link worker or
// a manager to give them, or for the person from their own pages), and
// erasure or restriction on request, by a manager. The rules are in
// package privacy; these handlers check who asks, call one function and
// show the answer.

func init() {
	// Labels the export page needs for values it holds as plain strings.
	templateFuncs["referralStatus"] = func(st string) string { return referral.Status(st).Label() }
	templateFuncs["closeReasonLabel"] = referral.CloseReasonLabel
	templateFuncs["modeLabel"] = casework.ModeLabel
	templateFuncs["ownerLabel"] = casework.OwnerLabel
	templateFuncs["timepointLabel"] = timepointLabel
	templateFuncs["longDate"] = longDate
	templateFuncs["instrumentName"] = func(code string) string {
		if in, ok := outcome.InstrumentByCode(code); ok {
			return in.Name
		}
		return code
	}
	templateFuncs["nhsNumber"] = referral.FormatNHSNumber
	templateFuncs["auditWhat"] = auditWhat
	templateFuncs["auditAction"] = auditAction
	templateFuncs["requestLabel"] = func(kind string) string {
		return map[string]string{privacy.RequestErasure: "Erasure", privacy.RequestRestriction: "Restriction",
			privacy.RequestLift: "Restriction lifted"}[kind]
	}
}

// auditWhat names the part of the record an audit entry is about.
func auditWhat(kind string) string {
	if label, ok := map[string]string{"person": "Details", "referral": "Referral", "referral.contacts": "Contacts",
		"referral.conversations": "What matters conversations", "referral.plan": "Plan", "referral.measures": "Measures",
		"referral.connections": "Connections to services", "referral.suggestions": "Suggested services",
		"referral.preferences": "What suits them", "referral.reminders": "Reminders"}[kind]; ok {
		return label
	}
	return kind
}

// auditAction says what was done, in words.
func auditAction(action string) string {
	if label, ok := map[string]string{"read": "Read", "create": "Added", "update": "Changed", "delete": "Removed",
		"sign_in": "Signed in", "sign_out": "Signed out", privacy.ActionExport: "Copied everything held",
		privacy.ActionErase: "Erased the details", privacy.ActionRestrict: "Restricted the record", privacy.ActionLift: "Lifted the restriction",
	}[action]; ok {
		return label
	}
	return strings.ReplaceAll(action, "_", " ")
}

// staffExport is the export of the person in the path, for a caller the
// privacy rules let have it; anyone else is told it is not found. It
// answers how the policy sees the person's referrals too.
func (s *Server) staffExport(r *http.Request) (privacy.Export, []auth.Object, error) {
	id := r.PathValue("id")
	_, objs, err := s.files.PersonReferrals(r.Context(), id)
	if err != nil {
		return privacy.Export{}, nil, err
	}
	if !privacy.MayExport(httpx.Principal(r), objs) {
		return privacy.Export{}, nil, oikos.NotFound("Person")
	}
	x, err := s.privacy.Export(r.Context(), httpx.Actor(r), id)
	return x, objs, err
}

func (s *Server) apiPersonExport(w http.ResponseWriter, r *http.Request) {
	x, _, err := s.staffExport(r)
	s.reply(w, r, http.StatusOK, x, err)
}

// exportPage is the data of the printable export.
type exportPage struct {
	privacy.Export
	Name string
	// Own is true on the person's own copy, which speaks to them.
	Own bool
	// Back is the referral page to go back to (staff only).
	Back string
	// CanChange offers erasure and restriction (managers).
	CanChange bool
}

func exportName(p privacy.Person) string {
	if p.ErasedAt != nil {
		return referral.ErasedName
	}
	return p.GivenName + " " + p.FamilyName
}

func (s *Server) personExportPage(w http.ResponseWriter, r *http.Request) {
	x, objs, err := s.staffExport(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := exportPage{Export: x, Name: exportName(x.Person), CanChange: privacy.MayChange(httpx.Principal(r), objs)}
	if n := len(x.Referrals); n > 0 {
		data.Back = "/referrals/" + x.Referrals[n-1].ID
	}
	s.render(w, r, http.StatusOK, "person_export", &page{Title: "Everything held about " + data.Name, Data: data})
}

// The person's own copy.

func (s *Server) myExportPage(w http.ResponseWriter, r *http.Request) {
	x, err := s.privacy.Export(r.Context(), personActor(r), personOf(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_export", &page{Title: "A copy of everything we hold about you",
		Data: exportPage{Export: x, Name: exportName(x.Person), Own: true}})
}

func (s *Server) myExportJSON(w http.ResponseWriter, r *http.Request) {
	x, err := s.privacy.Export(r.Context(), personActor(r), personOf(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="my-record-`+x.GeneratedAt.Format(time.DateOnly)+`.json"`)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(x)
}

// Erasure and restriction, by a manager.

// requestTarget is the person a manager acts on: their referrals (the
// newest last) and state, if the privacy rules let this caller change the
// record.
type requestTarget struct {
	ID     string
	Name   string
	Latest referral.Referral
	State  privacy.State
	Open   int
}

func (s *Server) requestTarget(r *http.Request) (requestTarget, error) {
	id := r.PathValue("id")
	refs, objs, err := s.files.PersonReferrals(r.Context(), id)
	if err != nil {
		return requestTarget{}, err
	}
	if !privacy.MayChange(httpx.Principal(r), objs) {
		return requestTarget{}, oikos.NotFound("Person")
	}
	st, err := s.privacy.State(r.Context(), id)
	if err != nil {
		return requestTarget{}, err
	}
	t := requestTarget{ID: id, Latest: refs[0], State: st}
	t.Name = t.Latest.Person.GivenName + " " + t.Latest.Person.FamilyName
	if st.Erased() {
		t.Name = referral.ErasedName
	}
	for _, ref := range refs {
		if ref.Status != referral.Closed {
			t.Open++
		}
	}
	return t, nil
}

// requestBody is the JSON body of both requests; Restricted only for a
// restriction, where it must be given.
type requestBody struct {
	Reason     string `json:"reason"`
	Restricted *bool  `json:"restricted"`
}

func (s *Server) apiErasure(w http.ResponseWriter, r *http.Request) {
	t, err := s.requestTarget(r)
	var in requestBody
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err == nil && in.Restricted != nil {
		err = oikos.Invalid(map[string]string{"restricted": "Erasure takes only a reason."})
	}
	if err == nil {
		err = s.privacy.Erase(r.Context(), httpx.Actor(r), t.ID, in.Reason)
	}
	if err == nil {
		t.State, err = s.privacy.State(r.Context(), t.ID)
	}
	s.reply(w, r, http.StatusOK, map[string]any{"person_id": t.ID, "erased_at": t.State.ErasedAt, "restricted_at": t.State.RestrictedAt}, err)
}

func (s *Server) apiRestriction(w http.ResponseWriter, r *http.Request) {
	t, err := s.requestTarget(r)
	var in requestBody
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err == nil && in.Restricted == nil {
		err = oikos.Invalid(map[string]string{"restricted": "Say whether to restrict (true) or lift the restriction (false)."})
	}
	if err == nil {
		t.State, err = s.privacy.Restrict(r.Context(), httpx.Actor(r), t.ID, *in.Restricted, in.Reason)
	}
	s.reply(w, r, http.StatusOK, map[string]any{"person_id": t.ID, "erased_at": t.State.ErasedAt, "restricted_at": t.State.RestrictedAt}, err)
}

// requestPage is the confirmation page of a request: what will happen,
// and the reason to give.
func (s *Server) showRequest(w http.ResponseWriter, r *http.Request, name, title string) {
	t, err := s.requestTarget(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, name, &page{Title: title, Data: t})
}

// requestPost acts on a confirmed request from its page, and goes back to
// the person's newest referral, where the banner shows what was done.
func (s *Server) postRequest(w http.ResponseWriter, r *http.Request, name, title string, act func(r *http.Request, t requestTarget, reason string) (done string, err error)) {
	if !parseForm(w, r) {
		s.renderError(w, r, http.StatusBadRequest, "The form could not be read", "Go back and try again.")
		return
	}
	t, err := s.requestTarget(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	done, err := act(r, t, r.PostForm.Get("reason"))
	if err != nil {
		s.formError(w, r, name, &page{Title: title, Data: t, Form: url.Values{"reason": {r.PostForm.Get("reason")}}}, err, "reason", "reason")
		return
	}
	http.Redirect(w, r, "/referrals/"+url.PathEscape(t.Latest.ID)+"?done="+done, http.StatusSeeOther)
}

func (s *Server) erasurePost(r *http.Request, t requestTarget, reason string) (string, error) {
	return "erased", s.privacy.Erase(r.Context(), httpx.Actor(r), t.ID, reason)
}

func (s *Server) restrictionPost(r *http.Request, t requestTarget, reason string) (string, error) {
	// The page says which way: restrict, or lift. Sent twice, the second
	// is refused as a conflict rather than undoing the first.
	var restrict bool
	switch r.PostForm.Get("restrict") {
	case "yes":
		restrict = true
	case "no":
	default:
		return "", oikos.Invalid(map[string]string{"restrict": "Say whether to restrict the record or lift the restriction."})
	}
	if _, err := s.privacy.Restrict(r.Context(), httpx.Actor(r), t.ID, restrict, reason); err != nil {
		return "", err
	}
	if restrict {
		return "restricted", nil
	}
	return "unrestricted", nil
}

func (s *Server) erasurePage(w http.ResponseWriter, r *http.Request) {
	s.showRequest(w, r, "person_erasure", "Erase the person's details")
}

func (s *Server) erasureConfirm(w http.ResponseWriter, r *http.Request) {
	s.postRequest(w, r, "person_erasure", "Erase the person's details", s.erasurePost)
}

func (s *Server) restrictionPage(w http.ResponseWriter, r *http.Request) {
	s.showRequest(w, r, "person_restriction", "Restrict the person's record")
}

func (s *Server) restrictionConfirm(w http.ResponseWriter, r *http.Request) {
	s.postRequest(w, r, "person_restriction", "Restrict the person's record", s.restrictionPost)
}
