package web

import (
	"net/http"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/referral"
)

func refActor(r *http.Request) referral.Actor {
	a := actorOf(r)
	return referral.Actor{UserID: a.UserID, Client: a.Client}
}

func referralObject(ref referral.Referral) auth.Object {
	kind, id, assigned, created := ref.Object()
	return auth.Object{Kind: kind, ID: id, AssignedTo: assigned, CreatedBy: created}
}

// referralFor shapes a referral for the caller: a referrer sees how it is
// going, never the notes.
func referralFor(p *auth.Principal, ref referral.Referral) referral.Referral {
	if p != nil && p.Role == auth.Referrer {
		ref.Notes = ""
		ref.PossibleMatchID = ""
	}
	return ref
}

type createdReferral struct {
	ID       string          `json:"id"`
	Status   referral.Status `json:"status"`
	PersonID string          `json:"person_id"`
}

func (s *Server) apiCreateReferral(w http.ResponseWriter, r *http.Request) {
	var in referral.Input
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	p := principal(r)
	referrerID := ""
	if p.Role == auth.Referrer {
		referrerID = p.UserID
		if in.Source.OrganisationID == "" {
			in.Source.OrganisationID = p.OrganisationID
		}
	}
	ref, err := s.refs.Create(r.Context(), refActor(r), in, referrerID, "api")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/referrals/"+ref.ID)
	writeJSON(w, http.StatusCreated, createdReferral{ID: ref.ID, Status: ref.Status, PersonID: ref.PersonID})
}

// selfReferral is the contract's body without a source: the person refers
// themselves (or a friend or relative does, with their agreement).
type selfReferral struct {
	Person  referral.PersonInput  `json:"person"`
	Reasons []string              `json:"reasons"`
	Urgency string                `json:"urgency,omitempty"`
	Notes   string                `json:"notes,omitempty"`
	Consent referral.ConsentInput `json:"consent"`
	// OnBehalf is set when a family member or friend fills it in.
	OnBehalf bool `json:"on_behalf,omitempty"`
}

func (s *Server) apiSelfReferral(w http.ResponseWriter, r *http.Request) {
	if !s.selfRefs.allow(clientAddress(r), time.Now()) {
		s.apiError(w, r, &oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many referrals from your network in a short time. Wait a few minutes and try again."})
		return
	}
	var in selfReferral
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	ref, err := s.selfRefer(r, in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"reference": ref})
}

// selfRefer makes a self-referral, refusing the same one sent twice.
func (s *Server) selfRefer(r *http.Request, in selfReferral) (string, error) {
	if prev, dup, err := s.refs.RecentSelfReferral(r.Context(), in.Person, time.Now().Add(-10*time.Minute)); err != nil {
		return "", err
	} else if dup {
		return "", &oikos.Error{Code: oikos.ECONFLICT, Message: "We already have this referral, reference " + prev + ". There is no need to send it again."}
	}
	source := "self"
	if in.OnBehalf {
		source = "family_friend"
	}
	ref, err := s.refs.Create(r.Context(), refActor(r), referral.Input{Person: in.Person, Source: referral.SourceInput{Type: source},
		Reasons: in.Reasons, Urgency: in.Urgency, Notes: in.Notes, Consent: in.Consent}, "", "self")
	return ref.Reference, err
}

func (s *Server) apiListReferrals(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	_, limit, err := pageParams(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := referral.Filter{Status: referral.Status(q.Get("status")), AssignedTo: q.Get("assigned_to"), Limit: limit}
	if c := q.Get("cursor"); c != "" {
		off, ok := decodeOffset(c)
		if !ok {
			s.apiError(w, r, oikos.Invalid(map[string]string{"cursor": "is not valid"}))
			return
		}
		f.Offset = off
	}
	if f.Status != "" && !validStatus(f.Status) {
		s.apiError(w, r, oikos.Invalid(map[string]string{"status": "must be received, accepted, contacted, active or closed"}))
		return
	}
	switch p.Role {
	case auth.Referrer:
		f.ReferrerUserID = p.UserID
	case auth.LinkWorker:
		f.VisibleTo = p.UserID
	}
	items, total, err := s.refs.List(r.Context(), f)
	if err == nil {
		err = s.refs.RecordList(r.Context(), refActor(r), items)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i := range items {
		items[i] = referralFor(p, items[i])
	}
	next := ""
	if f.Offset+len(items) < total {
		next = encodeOffset(f.Offset + len(items))
	}
	body := list[referral.Referral]{Items: items, Total: total}
	if body.Items == nil {
		body.Items = []referral.Referral{}
	}
	if next != "" {
		body.Next = &next
	}
	writeJSON(w, http.StatusOK, body)
}

func validStatus(st referral.Status) bool {
	for _, v := range referral.Statuses {
		if v == st {
			return true
		}
	}
	return false
}

// visibleReferral loads a referral the caller may act on, or not-found,
// and records the read of the person's record.
func (s *Server) visibleReferral(r *http.Request, act auth.Action) (referral.Referral, error) {
	ref, err := s.refs.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return ref, err
	}
	if !auth.Can(principal(r), act, referralObject(ref)) {
		return referral.Referral{}, oikos.NotFound("Referral")
	}
	if err := s.refs.RecordRead(r.Context(), refActor(r), ref); err != nil {
		return referral.Referral{}, err
	}
	return ref, nil
}

func (s *Server) apiGetReferral(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ReadAction)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, referralFor(principal(r), ref))
}

func (s *Server) apiAssignReferral(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID string `json:"user_id"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err == nil && principal(r).Role == auth.LinkWorker && in.UserID != principal(r).UserID {
		err = oikos.Invalid(map[string]string{"user_id": "A link worker may take a referral for themselves; a manager assigns it to others."})
	}
	if err == nil {
		ref, err = s.refs.Assign(r.Context(), refActor(r), ref.ID, strings.TrimSpace(in.UserID))
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ref)
}

func (s *Server) apiReferralStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err == nil {
		ref, err = s.refs.Transition(r.Context(), refActor(r), ref.ID, referral.Status(in.Status), in.Reason)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ref)
}
