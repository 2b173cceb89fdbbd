package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

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
	return auth.Object{Kind: kind, ID: id, AssignedTo: assigned, CreatedBy: created, SchemeID: ref.SchemeID,
		InTriage: assigned == "" && ref.Status != referral.Closed}
}

// scopeReferrals limits a referral list to what p may see, as auth.Can
// does one referral: a referrer what they referred; a link worker their
// caseload and their scheme's triage queue; a manager their scheme's.
func scopeReferrals(p *auth.Principal, f *referral.Filter) {
	switch p.Role {
	case auth.Referrer:
		f.ReferrerUserID = p.UserID
	case auth.LinkWorker:
		f.VisibleTo = p.UserID
	case auth.Manager:
		// Managers alone see people whose record is restricted.
		f.ShowRestricted = true
	}
	if p.Role.InScheme() {
		f.InScheme, f.SchemeID = true, p.SchemeID
	}
}

// referralFor shapes a referral for the caller: a referrer sees how it is
// going and the person as they sent them (never the person record, which
// may be someone's already known), never the notes.
func referralFor(p *auth.Principal, ref referral.Referral) referral.Referral {
	if p != nil && p.Role == auth.Referrer {
		ref = ref.AsSent()
		ref.Notes = ""
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
	// Key is the sender's own id for this request (the form's form_id, or
	// the API's Idempotency-Key header): the same request sent again with
	// it makes no second referral.
	Key string `json:"-"`
}

// maxKeyLength bounds an Idempotency-Key or form_id.
const maxKeyLength = 200

// checkKey refuses a request key that could not be a sender's own id.
func checkKey(field, key string) error {
	if utf8.RuneCountInString(key) > maxKeyLength || !oikos.PlainText(key, false) {
		return oikos.Invalid(map[string]string{field: fmt.Sprintf("must be plain text of %d characters or fewer", maxKeyLength)})
	}
	return nil
}

func (s *Server) apiSelfReferral(w http.ResponseWriter, r *http.Request) {
	if !s.selfRefs.allow(clientGroup(r), time.Now()) {
		s.apiError(w, r, &oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many referrals from your network in a short time. Wait a few minutes and try again."})
		return
	}
	var in selfReferral
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	in.Key = strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if err := checkKey("Idempotency-Key", in.Key); err != nil {
		s.apiError(w, r, err)
		return
	}
	ref, err := s.selfRefer(r, in)
	if errors.Is(err, referral.ErrAlreadyReceived) {
		err = &oikos.Error{Code: oikos.ECONFLICT, Message: "We already have this referral, reference " + ref + ". There is no need to send it again."}
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"reference": ref})
}

// selfRefer makes a self-referral. Sent again with the same key, it makes
// no second one: the answer is referral.ErrAlreadyReceived with the first
// one's reference. Only a key tells a request sent twice, since the person
// named proves nothing about who sends it: answering "we have that one"
// to the same name and birth date would tell anyone that this person had
// asked for help, and their reference.
func (s *Server) selfRefer(r *http.Request, in selfReferral) (string, error) {
	source := "self"
	if in.OnBehalf {
		source = "family_friend"
	}
	ref, err := s.refs.Create(r.Context(), refActor(r), referral.Input{Person: in.Person, Source: referral.SourceInput{Type: source},
		Reasons: in.Reasons, Urgency: in.Urgency, Notes: in.Notes, Consent: in.Consent, ExternalID: in.Key}, "", "self")
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
	scopeReferrals(p, &f)
	items, total, err := s.refs.List(r.Context(), f)
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
	if err == nil {
		ref, err = s.refs.WithOtherOpenReferrals(r.Context(), ref) // a referrer's copy (referralFor) leaves them out
	}
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
