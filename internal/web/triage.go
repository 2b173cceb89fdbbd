package web

import (
	"net/http"

	"oikos"
	"oikos/internal/casefile"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// triageView is what a referral's page offers at triage: the person a new
// referral may duplicate, for the link worker to confirm, and the link
// workers a manager may assign it to.
type triageView struct {
	Match        *referral.Person
	MatchRefs    []referral.Referral
	Workers      []option
	AssignedName string

	// Strength and Likeness say in words how alike the two records are.
	Strength, Likeness string
}

// newTriageView is the file's triage, for the page; nil when the caller is
// not a caseworker for the referral.
func newTriageView(f casefile.File) *triageView {
	t, ref := f.Triage, f.Referral
	if t == nil {
		return nil
	}
	v := &triageView{Match: t.Match, MatchRefs: t.MatchReferrals, AssignedName: t.AssignedName}
	if t.Match != nil {
		sent := ref.Person
		if ref.Sent != nil && *ref.Sent != (referral.Person{}) {
			sent = ref.Sent
		}
		v.Strength = ref.MatchStrength.Label()
		v.Likeness = referral.Alike(sent.Key(), t.Match.Key()).String()
	}
	if t.Workers != nil {
		v.Workers = []option{{Value: "", Label: "Choose a link worker"}}
		for _, u := range t.Workers {
			v.Workers = append(v.Workers, option{Value: u.ID, Label: u.Name, Selected: u.ID == ref.AssignedTo})
		}
	}
	return v
}

// referralAssign is a manager giving a referral to a link worker from its
// page.
func (s *Server) referralAssign(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.referralForm(w, r)
	if !ok {
		return
	}
	if _, err := s.refs.Assign(r.Context(), httpx.Actor(r), ref.ID, r.PostForm.Get("user_id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=assigned", http.StatusSeeOther)
}

// referralMatch records the link worker's answer to "is this the person
// we know already?".
func (s *Server) referralMatch(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.referralForm(w, r)
	if !ok {
		return
	}
	same := r.PostForm.Get("same")
	if same != "yes" && same != "no" {
		s.pageError(w, r, oikos.Invalid(map[string]string{"same": "Say whether this is the same person."}))
		return
	}
	if _, err := s.refs.ResolveMatch(r.Context(), httpx.Actor(r), ref.ID, same == "yes"); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=match-"+same, http.StatusSeeOther)
}
