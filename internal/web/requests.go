package web

import (
	"net/http"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// What a request is about: the referral in its path, looked up for the
// caller through the case files' rules.

// visibleReferral loads a referral the caller may act on, or not-found,
// and records the read of the person's record.
func (s *Server) visibleReferral(r *http.Request, act auth.Action) (referral.Referral, error) {
	return s.files.Open(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), act)
}

// referralForm reads a form posted to a referral the caller may change,
// answering for them (404, or a bad form) when they may not or it is not.
func (s *Server) referralForm(w http.ResponseWriter, r *http.Request) (referral.Referral, bool) {
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err != nil {
		s.pageError(w, r, err)
		return ref, false
	}
	return ref, parseForm(w, r)
}

// caseReferral finds the referral a casework request is about.
func (s *Server) caseReferral(r *http.Request) (referral.Referral, error) {
	return s.visibleReferral(r, auth.ChangeAction)
}

// openCase is a casework form's referral: one the caller may change and
// that is still open.
func (s *Server) openCase(w http.ResponseWriter, r *http.Request) (referral.Referral, bool) {
	ref, err := s.caseReferral(r)
	if err == nil && ref.Status == referral.Closed {
		err = &oikos.Error{Code: oikos.ECONFLICT, Message: "This referral is closed, so its record can no longer be changed."}
	}
	if err != nil {
		s.pageError(w, r, err)
		return ref, false
	}
	return ref, true
}

func personName(ref referral.Referral) string {
	return ref.Person.GivenName + " " + ref.Person.FamilyName
}

// caseBody finds the referral a casework API write is about, for a
// change, then reads the JSON body into in.
func (s *Server) caseBody(w http.ResponseWriter, r *http.Request, in any) (referral.Referral, error) {
	ref, err := s.caseReferral(r)
	if err == nil {
		err = httpx.DecodeJSON(w, r, in)
	}
	return ref, err
}
