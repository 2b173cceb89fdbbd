package web

import (
	"net/http"

	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// What goes back to the GP record when a referral closes, as the person
// chooses with their link worker (PRSB social prescribing standard): the
// outcome summary in full or codes only (referral.GPShare). The link
// worker records it on the referral's page or through the API; the
// summary letter and the FHIR Communication follow it, and the referrer
// sees which was chosen.

// gpShareView is the choice as the referral's page shows it: the form
// for whoever may change the referral, the choice in words for the rest.
type gpShareView struct {
	Label   string
	Chosen  bool
	Options []option
}

// gpShareOptions are the choices, as the form offers them.
var gpShareOptions = []option{
	{Value: string(referral.GPShareFull), Label: "The outcome summary in full: the needs worked on, the services and how they went, and changes in wellbeing scores"},
	{Value: string(referral.GPShareCodes), Label: "Codes only: that they were referred to social prescribing, and the outcome"},
}

func newGPShareView(ref referral.Referral) gpShareView {
	return gpShareView{Label: ref.GPShare.Label(), Chosen: ref.GPShare != referral.GPShareUnset, Options: append([]option(nil), gpShareOptions...)}
}

// apiGPShare records the person's choice: {gp_share: "full"|"codes_only"}.
func (s *Server) apiGPShare(w http.ResponseWriter, r *http.Request) {
	var in struct {
		GPShare string `json:"gp_share"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err == nil {
		ref, err = s.refs.SetGPShare(r.Context(), httpx.Actor(r), ref.ID, referral.GPShare(in.GPShare))
	}
	s.reply(w, r, http.StatusOK, casefile.ForCaller(httpx.Principal(r), ref), err)
}

// referralGPShare records the person's choice from the referral's page.
func (s *Server) referralGPShare(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.referralForm(w, r)
	if !ok {
		return
	}
	share, err := referral.ParseGPShare(r.PostForm.Get("gp_share"))
	if err != nil {
		// Back to the page, with the question asked again where it was.
		s.renderReferral(w, r, &page{Form: r.PostForm, Errors: map[string]string{"gp_share": "Choose what the person wants their GP record to be sent."},
			ErrorOrder: []string{"gp_share"}}, http.StatusUnprocessableEntity)
		return
	}
	if _, err := s.refs.SetGPShare(r.Context(), httpx.Actor(r), ref.ID, share); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=gp-share#gp-record", http.StatusSeeOther)
}
