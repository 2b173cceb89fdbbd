package web

import (
	"net/http"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/referral"
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

func (s *Server) triageFor(r *http.Request, ref referral.Referral) (*triageView, error) {
	p := principal(r)
	if p == nil || (p.Role != auth.LinkWorker && p.Role != auth.Manager) || !auth.Can(p, auth.ChangeAction, referralObject(ref)) {
		return nil, nil
	}
	ctx := r.Context()
	v := &triageView{}
	if ref.PossibleMatchID != "" {
		m, err := s.refs.GetPerson(ctx, ref.PossibleMatchID)
		if err != nil {
			return nil, err
		}
		v.Match = &m
		sent := ref.Person
		if ref.Sent != nil && *ref.Sent != (referral.Person{}) {
			sent = ref.Sent
		}
		v.Strength = ref.MatchStrength.Label()
		v.Likeness = referral.Alike(sent.Key(), m.Key()).String()
		if v.MatchRefs, err = s.refs.PersonReferrals(ctx, m.ID); err != nil {
			return nil, err
		}
		by := refActor(r)
		if err := audit.Record(ctx, s.db, audit.Event{ActorID: by.UserID, Action: audit.Read, ObjectKind: "person", ObjectID: m.ID, Client: by.Client}); err != nil {
			return nil, err
		}
	}
	if ref.AssignedTo != "" {
		if u, err := s.auth.GetUser(ctx, ref.AssignedTo); err == nil {
			v.AssignedName = u.Name
		}
	}
	if p.Role == auth.Manager && ref.Status != referral.Closed {
		users, _, err := s.auth.ListUsers(ctx, auth.UserFilter{Limit: 1000})
		if err != nil {
			return nil, err
		}
		v.Workers = []option{{Value: "", Label: "Choose a link worker"}}
		for _, u := range users {
			if u.Role == auth.LinkWorker && u.Active && u.SchemeID == ref.SchemeID {
				v.Workers = append(v.Workers, option{Value: u.ID, Label: u.Name, Selected: u.ID == ref.AssignedTo})
			}
		}
	}
	return v, nil
}

// referralAssign is a manager giving a referral to a link worker from its
// page.
func (s *Server) referralAssign(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.referralForm(w, r)
	if !ok {
		return
	}
	if _, err := s.refs.Assign(r.Context(), refActor(r), ref.ID, r.PostForm.Get("user_id")); err != nil {
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
	if _, err := s.refs.ResolveMatch(r.Context(), refActor(r), ref.ID, same == "yes"); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done=match-"+same, http.StatusSeeOther)
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
