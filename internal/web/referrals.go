package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

type createdReferral struct {
	ID       string          `json:"id"`
	Status   referral.Status `json:"status"`
	PersonID string          `json:"person_id"`
}

func (s *Server) apiCreateReferral(w http.ResponseWriter, r *http.Request) {
	var in referral.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	p := httpx.Principal(r)
	referrerID := ""
	if auth.RefersAsThemselves(p) {
		referrerID = p.UserID
		if in.Source.OrganisationID == "" {
			in.Source.OrganisationID = p.OrganisationID
		}
	}
	ref, err := s.refs.Create(r.Context(), httpx.Actor(r), in, referrerID, "api")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/referrals/"+ref.ID)
	httpx.WriteJSON(w, http.StatusCreated, createdReferral{ID: ref.ID, Status: ref.Status, PersonID: ref.PersonID})
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
	// ReferrerName is who filled it in for the person, and how they know
	// them, when OnBehalf: the link worker then knows whom to thank or ask.
	ReferrerName string `json:"referrer_name,omitempty"`
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
	if !s.selfRefs.allow(httpx.ClientGroup(r), time.Now()) {
		s.apiError(w, r, &oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many referrals from your network in a short time. Wait a few minutes and try again."})
		return
	}
	var in selfReferral
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
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
	s.reply(w, r, http.StatusCreated, map[string]string{"reference": ref}, err)
}

// selfRefer makes a self-referral. Sent again with the same key, it makes
// no second one: the answer is referral.ErrAlreadyReceived with the first
// one's reference. Only a key tells a request sent twice, since the person
// named proves nothing about who sends it: answering "we have that one"
// to the same name and birth date would tell anyone that this person had
// asked for help, and their reference.
func (s *Server) selfRefer(r *http.Request, in selfReferral) (string, error) {
	ref, err := s.refs.Create(r.Context(), httpx.Actor(r), in.referral(httpx.ClientGroup(r)), "", "self")
	return ref.Reference, err
}

// referral is the self-referral as a referral sent from client.
func (in selfReferral) referral(client string) referral.Input {
	source := referral.SourceInput{Type: "self"}
	if in.OnBehalf {
		source = referral.SourceInput{Type: "family_friend", ReferrerName: in.ReferrerName}
	}
	return referral.Input{Person: in.Person, Source: source, Reasons: in.Reasons, Urgency: in.Urgency, Notes: in.Notes,
		Consent: in.Consent, ExternalID: sentAgainKey(client, in.Key, in)}
}

// sentAgainKey is what tells a referral sent again: the sender's key
// together with who sent it (the network of a self-referral, the user of
// a professional's form) and what it says. Keys are the sender's to
// choose ("1" will do), so the key alone would let one sender meet
// another's referral: told "we already have it, reference …", they would
// learn someone else's reference, and the second referral would be lost.
// The same key from the same sender with the same body is the same
// request; anything else is a new referral. body must not marshal the key.
func sentAgainKey(sender, key string, body any) string {
	if key == "" {
		return ""
	}
	data, _ := json.Marshal(body)
	h := sha256.New()
	for _, part := range [][]byte{[]byte(sender), []byte(key), data} {
		fmt.Fprintf(h, "%d:%s\n", len(part), part)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func (s *Server) apiListReferrals(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	offset, limit, err := httpx.OffsetParams(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := referral.Filter{Status: referral.Status(q.Get("status")), AssignedTo: q.Get("assigned_to"), Offset: offset, Limit: limit}
	if f.Status != "" && !validStatus(f.Status) {
		s.apiError(w, r, oikos.Invalid(map[string]string{"status": "must be received, accepted, contacted, active or closed"}))
		return
	}
	casefile.ScopeReferrals(p, &f)
	items, total, err := s.refs.List(r.Context(), f)
	if err == nil {
		err = s.refs.RecordList(r.Context(), httpx.Actor(r), items)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i := range items {
		items[i] = casefile.ForCaller(p, items[i])
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.OffsetList(items, total, f.Offset))
}

func validStatus(st referral.Status) bool {
	for _, v := range referral.Statuses {
		if v == st {
			return true
		}
	}
	return false
}

// referralWithConcerns is a referral with the count of open safeguarding
// concerns about its person, for those who may see the person.
type referralWithConcerns struct {
	referral.Referral
	OpenConcerns *int `json:"open_concerns,omitempty"`
}

func (s *Server) apiGetReferral(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	ref, err := s.visibleReferral(r, auth.ReadAction)
	if err == nil {
		// The same person's other open referrals, so that a second one is
		// seen at once; a referrer's copy (ForCaller) leaves them out.
		ref, err = s.refs.WithOtherOpenReferrals(r.Context(), ref)
	}
	out := referralWithConcerns{Referral: casefile.ForCaller(p, ref)}
	if err == nil && !auth.SeesAsSent(p) {
		var n int
		n, err = s.safe.OpenConcerns(r.Context(), ref.ID)
		out.OpenConcerns = &n
	}
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiAssignReferral(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID string `json:"user_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err == nil && !auth.MayAssignTo(httpx.Principal(r), in.UserID) {
		err = oikos.Invalid(map[string]string{"user_id": "A link worker may take a referral for themselves; a manager assigns it to others."})
	}
	if err == nil {
		ref, err = s.refs.Assign(r.Context(), httpx.Actor(r), ref.ID, strings.TrimSpace(in.UserID))
	}
	s.reply(w, r, http.StatusOK, ref, err)
}

func (s *Server) apiReferralStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err == nil {
		ref, err = s.refs.Transition(r.Context(), httpx.Actor(r), ref.ID, referral.Status(in.Status), in.Reason)
	}
	s.reply(w, r, http.StatusOK, ref, err)
}
