package web

import (
	"net/http"

	"oikos"
	"strconv"
	"time"

	"oikos/internal/casefile"
	"oikos/internal/casework"
	"oikos/internal/postcode"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
	"oikos/internal/web/httpx"
)

// The triage queue: new referrals waiting for a link worker, a page at a
// time (urgent first, then the longest waiting), and the caller's own
// open referrals.

// Pages of the queue: with 10,000 waiting, the whole queue on one page
// took 200 ms to read, audit and draw; a page of 50 is what a link
// worker looks at before opening one.
const (
	triagePageSize = 50
	// mineShown is how many of the caller's open referrals the page
	// lists; the caseload page has them all.
	mineShown = 50
	// maxTriagePage bounds the page asked for, far beyond any queue.
	maxTriagePage = 100_000
)

func (s *Server) triagePage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	pageNo, err := triagePageNumber(r.URL.Query().Get("page"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	now := time.Now()
	f := referral.Filter{Limit: triagePageSize, Offset: (pageNo - 1) * triagePageSize}
	casefile.ScopeReferrals(p, &f)
	waiting, total, overdue, err := s.refs.Queue(r.Context(), f, casework.TriageOverdueBefore("urgent", now), casework.TriageOverdueBefore("routine", now))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f = referral.Filter{AssignedTo: p.UserID, Open: true, Limit: mineShown}
	casefile.ScopeReferrals(p, &f)
	mine, mineTotal, err := s.refs.List(r.Context(), f)
	if err == nil {
		err = s.refs.RecordList(r.Context(), httpx.Actor(r), waiting, mine)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := triagePage{Total: total, Overdue: overdue, Mine: mine, MineTotal: mineTotal}
	offset := (pageNo - 1) * triagePageSize
	data.First, data.Last = offset+1, offset+len(waiting)
	if pageNo > 1 {
		data.PrevURL = triagePageURL(pageNo - 1)
	}
	if data.Last < total {
		data.NextURL = triagePageURL(pageNo + 1)
	}
	for _, ref := range waiting {
		data.Waiting = append(data.Waiting, newWaitingView(ref, now))
	}
	s.render(w, r, http.StatusOK, "triage", &page{Title: "Referrals", Data: data})
}

// triagePageNumber reads ?page=: 1 when absent.
func triagePageNumber(v string) (int, error) {
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxTriagePage {
		msg := "The page number must be a whole number, 1 or more."
		return 0, &oikos.Error{Code: oikos.EINVALID, Message: msg, Fields: map[string]string{"page": msg}}
	}
	return n, nil
}

func triagePageURL(n int) string {
	if n == 1 {
		return "/referrals"
	}
	return "/referrals?page=" + strconv.Itoa(n)
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
