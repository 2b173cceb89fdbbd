package web

import (
	"net/http"
	"time"

	"oikos/internal/casefile"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// The triage queue: new referrals waiting for a link worker, and the
// caller's own.

func (s *Server) triagePage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	f := referral.Filter{Status: referral.Received, Limit: 200}
	casefile.ScopeReferrals(p, &f)
	waiting, total, err := s.refs.List(r.Context(), f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f = referral.Filter{AssignedTo: p.UserID, Limit: 200}
	casefile.ScopeReferrals(p, &f)
	mine, _, err := s.refs.List(r.Context(), f)
	if err == nil {
		err = s.refs.RecordList(r.Context(), httpx.Actor(r), waiting, mine)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "triage", &page{Title: "Referrals", Data: triagePage{Waiting: waiting, Total: total, Mine: mine, Now: time.Now()}})
}
