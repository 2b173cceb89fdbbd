package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/privacy"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
	"oikos/internal/web/httpx"
)

// A referral's page: the referral, the work with the person, its
// connections, triage and the person's rights, read in one go by
// casefile.Reader.Read, and the actions taken from it.

// triageView is what a referral's page offers at triage: the person a new
// referral may duplicate, for the link worker to confirm, and the link
// workers a manager may assign it to.
type triageView struct {
	Match        *referral.Person
	MatchRefs    []referral.Referral
	Workers      []option
	AssignedName string
	// OtherOpen are the same person's other open referrals, each a link
	// where the reader may open it.
	OtherOpen []foundReferralView

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
	for _, o := range t.OtherOpen {
		v.OtherOpen = append(v.OtherOpen, foundReferralView{ID: o.Referral.ID, Reference: o.Referral.Reference, Status: o.Referral.Status.Label(), Open: o.MayOpen})
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

func (s *Server) referralPage(w http.ResponseWriter, r *http.Request) {
	s.renderReferral(w, r, &page{}, http.StatusOK)
}

// renderReferral shows a referral's page; pg carries a form sent back
// with its errors, if any.
func (s *Server) renderReferral(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	f, err := s.files.Read(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ref := f.Referral
	var reasons []string
	for _, code := range ref.Reasons {
		if n, ok := taxonomy.NeedByCode(code); ok {
			reasons = append(reasons, n.Label)
		}
	}
	closeReasons := []option{{Value: "", Label: "Choose a reason"}}
	for _, c := range referral.CloseReasons {
		closeReasons = append(closeReasons, option{Value: c, Label: referral.CloseReasonLabel(c)})
	}
	notice := map[string]string{"accepted": "You have accepted the referral and it is in your caseload.", "contacted": "Contact recorded.",
		"active": "You are now working together.", "closed": "The referral is closed.", "reopened": "The referral is open again, in the caseload.", "contact": "Contact recorded.", "contact-tried": "Recorded: they were not reached this time.",
		"conversation": "What matters conversation recorded.", "plan": "Plan saved.", "connection": "Connection sent.",
		"reminders": "The person's choice of reminders is saved.", "match-yes": "The referral is now on the record we already held.",
		"match-no": "Kept apart: the referral is about someone new.", "gp-share": "The person's choice of what goes to their GP record is saved.",
		"match-ended": "The volunteer match has ended. Its history is kept.", "invited": "They are invited to become a peer mentor.",
		"pathway": "Their peer mentoring stage is saved."}[r.URL.Query().Get("done")]
	if notice == "" {
		notice = restrictionNotice(r.URL.Query().Get("done"))
	}
	comm, err := s.newCommunityView(r, ref.ID, pg)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Title, pg.Notice = ref.Person.GivenName+" "+ref.Person.FamilyName, notice
	if _, asked := pg.Form["gp_share"]; !asked && ref.GPShare != referral.GPShareUnset {
		if pg.Form == nil {
			pg.Form = url.Values{}
		}
		pg.Form.Set("gp_share", string(ref.GPShare)) // the form shows the choice made
	}
	pg.Data = referralPage{
		Referral: ref, Reasons: reasons, ReasonLines: paragraphs(ref.ReasonText), GPShare: newGPShareView(ref), CloseReasons: closeReasons, NHS: referral.FormatNHSNumber(ref.Person.NHSNumber),
		Source: referral.SourceLabel(ref.SourceType), StatusLabel: ref.Status.Label(), Mine: ref.AssignedTo == httpx.Principal(r).UserID,
		CanChange: f.CanChange, Case: newCaseView(f), Connections: newReferralConnections(httpx.Principal(r), f), Triage: newTriageView(f),
		Rights: newRights(f), ReopenUntil: reopenUntil(f, time.Now()), Community: comm}
	s.render(w, r, status, "referral", pg)
}

// reopenUntil is the last day the file's referral may be reopened by its
// reader, "" when it may not (open, closed too long ago, or not theirs).
func reopenUntil(f casefile.File, now time.Time) string {
	ref := f.Referral
	if f.Triage == nil || referral.CheckReopen(ref.Status, ref.ClosedAt, now) != nil {
		return ""
	}
	return ukDay(ref.ClosedAt.Add(referral.ReopenWithin))
}

// referralAction moves a referral on from its page. "accept" also takes
// it into the link worker's caseload.
func (s *Server) referralAction(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.referralForm(w, r)
	if !ok {
		return
	}
	to := referral.Status(r.PostForm.Get("status"))
	if to == referral.Closed && strings.TrimSpace(r.PostForm.Get("reason")) == "" {
		// The page that asks before closing, with the question asked.
		pg := &page{Form: r.PostForm}
		newClosePage(pg, ref)
		s.formError(w, r, "referral_close", pg, oikos.Invalid(map[string]string{"reason": "Choose why the referral is closing."}), "reason", "reason")
		return
	}
	_, err := s.refs.Transition(r.Context(), httpx.Actor(r), ref.ID, to, r.PostForm.Get("reason"))
	if err == nil && to == referral.Accepted && auth.TakesOnAccepting(httpx.Principal(r)) {
		_, err = s.refs.Assign(r.Context(), httpx.Actor(r), ref.ID, httpx.Principal(r).UserID)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?done="+string(to), http.StatusSeeOther)
}

type contactView struct {
	When, Mode, Outcome, Duration, Note string
	// Reached: the person was reached (else the outcome is said).
	Reached bool
}

type needView struct {
	Label, Priority string
}

type domainView struct {
	Label string
	Needs []needView
}

type conversationView struct {
	HeldAt, Mode, Interests, Notes string
	// WhatMatters is in paragraphs, as the person's words were written.
	WhatMatters []string
	Domains     []domainView
	Strengths   []string
}

// paragraphs splits text at blank lines and line breaks.
func paragraphs(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

type stepView struct {
	Text, Owner, Due string
	Done, Overdue    bool
	// Mark says what the person did to it from their own pages (markText).
	Mark string
}

type goalView struct {
	Text     string
	Done     bool
	Progress int
	Steps    []stepView
	Mark     string
}

// markText says what the person did to a goal or step from their own
// pages, for the link worker: "Added by the person on 6 December 2026",
// "reworded by the person on ...", or both; "" for neither.
func markText(m casework.Marks) string {
	var parts []string
	if m.AddedBy == casework.OwnerPerson && m.AddedAt != nil {
		parts = append(parts, "added by the person on "+dayOf(*m.AddedAt))
	}
	if m.RewordedBy == casework.OwnerPerson && m.RewordedAt != nil {
		parts = append(parts, "reworded by the person on "+dayOf(*m.RewordedAt))
	}
	if len(parts) == 0 {
		return ""
	}
	text := strings.Join(parts, ", ")
	return strings.ToUpper(text[:1]) + text[1:]
}

// caseView is what the referral page shows of the work with the person.
type caseView struct {
	// Open is set while the referral is open: the forms are offered.
	Open         bool
	Contacts     []contactView
	Conversation *conversationView
	Goals        []goalView
	PlanUpdated  string
}

func newConversationView(c casework.Conversation) *conversationView {
	v := &conversationView{HeldAt: formatDate(c.HeldAt), Mode: casework.ModeLabel(c.Mode), WhatMatters: paragraphs(c.WhatMatters),
		Interests: c.Interests, Notes: c.Notes, Strengths: c.Strengths}
	for _, d := range domainLabels {
		dv := domainView{Label: d.Label}
		for _, n := range c.Needs {
			if n.Domain == d.Domain {
				dv.Needs = append(dv.Needs, needView{Label: n.Label, Priority: casework.PriorityLabel(n.Priority)})
			}
		}
		if len(dv.Needs) > 0 {
			v.Domains = append(v.Domains, dv)
		}
	}
	return v
}

func newGoalViews(goals []casework.Goal, today string) []goalView {
	var out []goalView
	for _, g := range goals {
		gv := goalView{Text: g.Text, Done: g.Done, Progress: g.Progress, Mark: markText(g.Marks)}
		for _, st := range g.Steps {
			gv.Steps = append(gv.Steps, stepView{Text: st.Text, Owner: casework.OwnerLabel(st.Owner), Due: formatDate(st.Due), Done: st.Done,
				Overdue: !st.Done && !g.Done && st.Due != "" && st.Due < today, Mark: markText(st.Marks)})
		}
		out = append(out, gv)
	}
	return out
}

// newCaseView is the casework sections of the referral page, or nil when
// the caller is not a caseworker for it (a referrer sees the status only)
// or the referral is still waiting for triage.
func newCaseView(f casefile.File) *caseView {
	c := f.Case
	if c == nil {
		return nil
	}
	v := &caseView{Open: f.Referral.Status != referral.Closed}
	for _, ct := range c.Contacts {
		v.Contacts = append(v.Contacts, contactView{When: ukDay(ct.At), Mode: casework.ModeLabel(ct.Mode),
			Outcome: casework.OutcomeLabel(ct.Outcome), Reached: ct.Outcome == casework.OutcomeReached, Duration: minutes(ct.DurationMinutes), Note: ct.Note})
	}
	if len(c.Conversations) > 0 {
		v.Conversation = newConversationView(c.Conversations[0])
	}
	v.Goals = newGoalViews(c.Plan.Goals, ukToday())
	if !c.Plan.UpdatedAt.IsZero() {
		v.PlanUpdated = ukDay(c.Plan.UpdatedAt)
	}
	return v
}

// referralConnectionRow is one connection on a referral's page.
type referralConnectionRow struct {
	C connection.Connection
	// Chase flags no answer after connection.ChaseAfter working days.
	Chase   bool
	Updates []connection.Event
}

// referralConnectionsView is the referral page's connections section.
type referralConnectionsView struct {
	// Summary is set for a referrer: where and how it is going, no more.
	Summary bool
	Open    bool
	Rows    []referralConnectionRow
}

// newReferralConnections is the connections section of a referral's page
// for p: a referrer gets the summary, caseworkers the full rows.
func newReferralConnections(p *auth.Principal, f casefile.File) *referralConnectionsView {
	ref := f.Referral
	v := &referralConnectionsView{Summary: auth.SeesAsSent(p), Open: ref.Status != referral.Closed && ref.Status != referral.Received}
	now := time.Now()
	for _, c := range f.Connections {
		if v.Summary {
			v.Rows = append(v.Rows, referralConnectionRow{C: c})
			continue
		}
		v.Rows = append(v.Rows, referralConnectionRow{C: c, Chase: connection.NeedsChasing(c.Status, c.CreatedAt, now), Updates: f.Updates[c.ID]})
	}
	return v
}

// rights is what a referral's page shows of the person's rights: the
// banner of a restricted or erased record, and the links to the export
// and to the requests for those who may use them.
type rights struct {
	PersonID              string
	State                 privacy.State
	CanExport, CanRequest bool
}

// newRights is the file's rights for the page: empty for a referrer, who
// sees how it is going, nothing more.
func newRights(f casefile.File) rights {
	if f.Rights == nil {
		return rights{}
	}
	return rights(*f.Rights)
}

// restrictionNotice words the banner's notice after a request.
func restrictionNotice(done string) string {
	return map[string]string{
		"erased":       "The person's details are erased. The counts in the reports and the audit trail are kept.",
		"restricted":   "Processing of the person's record is restricted.",
		"unrestricted": "The restriction is lifted.",
	}[strings.TrimSpace(done)]
}
