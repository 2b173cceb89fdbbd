package web

import (
	"net/http"
	"slices"
	"time"

	"oikos/internal/casefile"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// sentReferralsPage lists the referrals the signed-in user made, newest
// first, with where each has got to: the referrer's way of closing the
// loop without seeing anything said in confidence.
func (s *Server) sentReferralsPage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	sent, total, err := s.refs.List(r.Context(), referral.Filter{ReferrerUserID: p.UserID, Limit: 500})
	if err == nil {
		err = s.refs.RecordList(r.Context(), httpx.Actor(r), sent)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	slices.Reverse(sent)
	for i := range sent {
		sent[i] = casefile.ForCaller(p, sent[i])
	}
	conns, err := s.conns.ForReferrer(r.Context(), httpx.Actor(r), p.UserID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "referrals_sent", &page{Title: "Your referrals", Data: sentPage{
		Sent: sent, Total: total, Now: time.Now(), Connections: conns}})
}
