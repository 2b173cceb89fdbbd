package web

import (
	"net/http"

	"oikos/internal/auth"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// People: finding a person by name, NHS number or date of birth, and
// their details as a link worker keeps them (CONTRACT.md, "The link
// worker's day"). Who may search and whom they find is the referral
// package's (MaySearchPeople, MayHandlePerson); what is not the caller's
// answers 404.

// peopleList is the answer to a search: the contract's list, and whether
// more people fit than are shown (narrow the search to see them).
type peopleList struct {
	httpx.List[referral.Found]
	More bool `json:"more"`
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) {
	found, more, err := s.refs.People(r.Context(), httpx.Actor(r), httpx.Principal(r), r.URL.Query().Get("q"))
	s.reply(w, r, http.StatusOK, peopleList{List: httpx.NewList(found, len(found), ""), More: more}, err)
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) {
	d, err := s.refs.PersonDetails(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, d, err)
}

func (s *Server) apiPutPerson(w http.ResponseWriter, r *http.Request) {
	var in referral.Details
	err := httpx.DecodeJSON(w, r, &in)
	var d referral.Details
	if err == nil {
		d, err = s.refs.UpdatePersonDetails(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
	}
	s.reply(w, r, http.StatusOK, d, err)
}

// apiReopen takes a closed referral back to accepted, within 90 days of
// its closing, with the reason why.
func (s *Server) apiReopen(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err == nil {
		ref, err = s.refs.Reopen(r.Context(), httpx.Actor(r), ref.ID, in.Reason)
	}
	s.reply(w, r, http.StatusOK, ref, err)
}
