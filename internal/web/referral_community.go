package web

import (
	"net/http"
	"slices"

	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/web/httpx"
)

// The community sections of a person's referral page: open safeguarding
// concerns, the volunteers matched to them, and the graduate pathway.

// invitationView is the person's invitation to become a peer mentor.
type invitationView struct {
	ID, Stage string
	History   []string
	// Next are the stages it may move to; Accounts the volunteer accounts
	// a graduate may become active with, when active is one of them.
	Next     []option
	Accounts []option
}

// communityView is the referral page's community sections.
type communityView struct {
	OpenConcerns        int
	Works               bool // the person's link worker or a manager
	MayMatch, MayInvite bool
	Matches             []matchRow
	Invitation          *invitationView
}

// newCommunityView reads the referral's community sections for the
// caller; nil when they see none (a referrer).
func (s *Server) newCommunityView(r *http.Request, referralID string, pg *page) (*communityView, error) {
	p := httpx.Principal(r)
	rc, err := s.vol.ForReferral(r.Context(), httpx.Actor(r), p, referralID)
	if err != nil || !auth.Caseworker(p) {
		return nil, err
	}
	v := &communityView{OpenConcerns: rc.OpenConcerns, MayMatch: rc.MayMatch, MayInvite: rc.MayInvite,
		Works: rc.MayMatch || rc.MayInvite || rc.Invitation != nil || len(rc.Matches) > 0}
	for _, m := range rc.Matches {
		v.Matches = append(v.Matches, newMatchRow(m))
	}
	if inv := rc.Invitation; inv != nil {
		iv := &invitationView{ID: inv.ID, Stage: community.MentorStageLabel(inv.Stage)}
		for _, h := range inv.History {
			iv.History = append(iv.History, community.MentorStageLabel(h.Stage)+", "+dayOf(h.At))
		}
		next := community.NextStages(inv.Stage)
		for _, st := range next {
			iv.Next = append(iv.Next, option{Value: st, Label: community.MentorStageLabel(st), Selected: pg.Form.Get("stage") == st})
		}
		if slices.Contains(next, community.StageActive) {
			accounts, err := s.vol.Accounts(r.Context(), p)
			if err != nil {
				return nil, err
			}
			iv.Accounts = []option{{Value: "", Label: "Choose their volunteer account"}}
			for _, a := range accounts {
				if a.Graduate {
					continue
				}
				label := a.Name
				if a.Kind != "" {
					label += " (" + community.VolunteerKindLabel(a.Kind) + ")"
				}
				iv.Accounts = append(iv.Accounts, option{Value: a.UserID, Label: label, Selected: pg.Form.Get("account_id") == a.UserID})
			}
		}
		v.Invitation = iv
	}
	return v, nil
}
