package web

import (
	"net/http"
	"strings"

	"oikos"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// Closing a referral asks first, on a page of its own: why it closes and
// what follows (its open connections close with it), with a way back.
// Within 90 days of closing, the referral's page offers to reopen it.

// closePage is the page that confirms closing a referral.
type closePage struct {
	Referral referral.Referral
	Name     string
	Reasons  []option
}

func newClosePage(pg *page, ref referral.Referral) {
	reasons := []option{{Value: "", Label: "Choose a reason"}}
	for _, c := range referral.CloseReasons {
		reasons = append(reasons, option{Value: c, Label: referral.CloseReasonLabel(c)})
	}
	pg.Title = "Close " + personName(ref) + "'s referral"
	pg.Data = closePage{Referral: ref, Name: personName(ref), Reasons: reasons}
}

// referralClosePage asks why the referral closes, and whether to.
func (s *Server) referralClosePage(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok {
		return
	}
	pg := &page{}
	newClosePage(pg, ref)
	s.render(w, r, http.StatusOK, "referral_close", pg)
}

// referralClose closes the referral, once the reason is given.
func (s *Server) referralClose(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	var err error
	if reason == "" {
		err = oikos.Invalid(map[string]string{"reason": "Choose why the referral is closing."})
	} else {
		_, err = s.refs.Transition(r.Context(), httpx.Actor(r), ref.ID, referral.Closed, reason)
	}
	if oikos.ErrorCode(err) == oikos.EINVALID {
		pg := &page{Form: r.PostForm}
		newClosePage(pg, ref)
		s.formError(w, r, "referral_close", pg, err, "reason", "reason")
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=closed", http.StatusSeeOther)
}

// referralReopen takes a closed referral back into the caseload, with the
// reason, within 90 days of its closing.
func (s *Server) referralReopen(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.referralForm(w, r)
	if !ok {
		return
	}
	_, err := s.refs.Reopen(r.Context(), httpx.Actor(r), ref.ID, r.PostForm.Get("reopen_reason"))
	if oikos.ErrorCode(err) == oikos.EINVALID {
		err = renameFields(err, func(k string) string { return cmpOr(map[string]string{"reason": "reopen_reason"}[k], k) })
		e := err.(*oikos.Error)
		s.renderReferral(w, r, &page{Form: r.PostForm, Errors: e.Fields, ErrorOrder: []string{"reopen_reason"}}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=reopened", http.StatusSeeOther)
}
