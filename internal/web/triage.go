package web

import (
	"net/http"
	"strconv"
	"time"

	"oikos/internal/casefile"
	"oikos/internal/casework"
	"oikos/internal/postcode"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
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
	data := triagePage{Total: total, Mine: mine}
	now := time.Now()
	for _, ref := range waiting {
		v := newWaitingView(ref, now)
		if v.Overdue {
			data.Overdue++
		}
		data.Waiting = append(data.Waiting, v)
	}
	s.render(w, r, http.StatusOK, "triage", &page{Title: "Referrals", Data: data})
}

// waitingView is a referral in the triage queue: enough to choose which
// to open first (urgent first, then oldest; the store orders them).
type waitingView struct {
	ID, Name, Source, Area, Waited string
	Reasons                        []string
	Urgent, Overdue                bool
}

func newWaitingView(ref referral.Referral, now time.Time) waitingView {
	v := waitingView{ID: ref.ID, Name: personName(ref), Source: referral.SourceLabel(ref.SourceType), Area: postcode.Outcode(ref.Person.Postcode),
		Waited: waitedFor(ref.ReceivedAt, now), Urgent: ref.Urgency == "urgent", Overdue: casework.TriageOverdue(ref.Urgency, ref.ReceivedAt, now)}
	for _, code := range ref.Reasons {
		if n, ok := taxonomy.NeedByCode(code); ok {
			v.Reasons = append(v.Reasons, n.Label)
		}
	}
	return v
}

// waitedFor says how long ago since was, in days.
func waitedFor(since, now time.Time) string {
	switch days := int(now.Sub(since).Hours() / 24); days {
	case 0:
		return "today"
	case 1:
		return "1 day ago"
	default:
		return strconv.Itoa(days) + " days ago"
	}
}
