package web

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/directory"
	"oikos/internal/notify"
	"oikos/internal/outcome"
	"oikos/internal/portal"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
	"oikos/internal/web/httpx"
)

// The person's own pages, under /my: they sign in with a one-time link or
// a paper code (no password to forget), see and update their plan, and see
// what is held about them. Their session is separate from staff sessions:
// its own cookie, scoped to /my, checked by personGate.

const personCookie = "oikos_person"

type personKey struct{}

// personOf is the signed-in person's id on a route behind auth.Person.
func personOf(r *http.Request) string {
	id, _ := r.Context().Value(personKey{}).(string)
	return id
}

// personActor is the person as the stores and the audit log see them.
func personActor(r *http.Request) referral.Actor {
	return portal.Actor(personOf(r), httpx.ClientAddress(r))
}

// personSession reads the person's session cookie: their id, or "" when
// there is no live session (a dead cookie is cleared).
func (s *Server) personSession(w http.ResponseWriter, r *http.Request) (string, error) {
	c, err := r.Cookie(personCookie)
	if err != nil || c.Value == "" {
		return "", nil
	}
	id, err := s.portal.Session(r.Context(), c.Value)
	if oikos.ErrorCode(err) == oikos.EUNAUTHORIZED {
		s.setPersonCookie(w, "")
		return "", nil
	}
	return id, err
}

// personGate guards the person's routes: only their own live session opens
// them. Staff are refused as from any route not theirs (404), whatever
// cookies they hold; without a session a page asks the person to sign in.
func (s *Server) personGate(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notePattern(r)
		if httpx.Principal(r) != nil {
			s.notFound(w, r)
			return
		}
		id, err := s.personSession(w, r)
		switch {
		case err != nil:
			s.pageError(w, r, err)
		case id != "":
			h(w, r.WithContext(context.WithValue(r.Context(), personKey{}, id)))
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			http.Redirect(w, r, "/my/sign-in", http.StatusSeeOther)
		default:
			s.notFound(w, r)
		}
	})
}

// setPersonCookie sets the person's session cookie, or clears it when
// token is empty. It is sent only to /my, so staff pages never see it.
func (s *Server) setPersonCookie(w http.ResponseWriter, token string) {
	c := &http.Cookie{Name: personCookie, Value: token, Path: "/my", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// failureThrottle counts failed code sign-ins per client address, so that
// codes cannot be guessed, without slowing people who get it right.
type failureThrottle struct {
	lim   *rateLimiter
	mu    sync.Mutex
	swept time.Time
}

func newFailureThrottle(limit int, window time.Duration) *failureThrottle {
	return &failureThrottle{lim: newRateLimiter(limit, window)}
}

// blocked reports whether key has used up its failures in this window.
func (t *failureThrottle) blocked(key string, now time.Time) bool {
	t.lim.mu.Lock()
	defer t.lim.mu.Unlock()
	c := t.lim.seen[key]
	return c != nil && now.Sub(c.start) < t.lim.window && c.n >= t.lim.limit
}

// fail counts one failure for key, and now and then forgets old windows.
func (t *failureThrottle) fail(key string, now time.Time) {
	t.lim.allow(key, now)
	t.mu.Lock()
	sweep := now.Sub(t.swept) >= t.lim.window
	if sweep {
		t.swept = now
	}
	t.mu.Unlock()
	if sweep {
		t.lim.forgetIdle()
	}
}

var errTooManyCodes = &oikos.Error{Code: oikos.ERATELIMITED, RetryAfter: 10 * time.Minute,
	Message: "Too many codes that did not work were tried from your network. Wait 10 minutes and try again, or ask your link worker for help."}

// codeSignIn is the sign-in form: the code from the link worker and the
// person's date of birth, as YYYY-MM-DD.
type codeSignIn struct {
	Code, DateOfBirth string
}

// decodeCodeSignIn reads the sign-in form, naming the box at fault.
func decodeCodeSignIn(f url.Values) (codeSignIn, error) {
	problems := map[string]string{}
	var in codeSignIn
	code := f.Get("code")
	switch normal, ok := portal.NormaliseCode(code); {
	case strings.TrimSpace(code) == "":
		problems["code"] = "Enter the code from your link worker."
	case !ok:
		problems["code"] = "The code has 10 letters and numbers, like K7QM-4TZP-XW. Check it and try again."
	default:
		in.Code = normal
	}
	dob, msg := dateFromParts(f.Get("dob-day"), f.Get("dob-month"), f.Get("dob-year"), "your")
	if msg == "" {
		var ok bool
		if in.DateOfBirth, ok = portal.NormaliseDate(dob); !ok {
			msg = "Date of birth must be a real date, like 27 3 1950."
		}
	}
	if msg != "" {
		problems["dob-day"] = msg
	}
	if err := oikos.Invalid(problems); err != nil {
		return codeSignIn{}, err
	}
	return in, nil
}

func (s *Server) mySignInPage(w http.ResponseWriter, r *http.Request) {
	if id, err := s.personSession(w, r); err == nil && id != "" {
		http.Redirect(w, r, "/my", http.StatusSeeOther)
		return
	}
	pg := &page{Title: "Sign in to see your plan"}
	if r.URL.Query().Get("signed_out") != "" {
		pg.Notice = "You have signed out."
	}
	s.render(w, r, http.StatusOK, "my_sign_in", pg)
}

// mySignIn takes a paper code and date of birth. Failures are counted per
// client address; a person who gets it right is never slowed.
func (s *Server) mySignIn(w http.ResponseWriter, r *http.Request) {
	throttle := s.codeFailures
	if !parseForm(w, r) {
		s.renderError(w, r, http.StatusBadRequest, "The form could not be read", "Go back and try again.")
		return
	}
	// The code is not shown again: a wrong one is typed afresh.
	form := url.Values{}
	for _, k := range []string{"dob-day", "dob-month", "dob-year"} {
		form.Set(k, r.PostForm.Get(k))
	}
	pg := &page{Title: "Sign in to see your plan", Form: form}
	client, now := httpx.ClientAddress(r), time.Now()
	if throttle.blocked(httpx.ClientGroup(r), now) {
		s.formError(w, r, "my_sign_in", pg, errTooManyCodes, "code")
		return
	}
	in, err := decodeCodeSignIn(r.PostForm)
	if err != nil {
		s.formError(w, r, "my_sign_in", pg, err, "code", "code", "dob-day")
		return
	}
	sess, err := s.portal.RedeemCode(r.Context(), client, in.Code, in.DateOfBirth)
	if err != nil {
		if oikos.ErrorCode(err) == oikos.EUNAUTHORIZED {
			throttle.fail(httpx.ClientGroup(r), now)
		}
		s.formError(w, r, "my_sign_in", pg, err, "code")
		return
	}
	s.setPersonCookie(w, sess.Token)
	http.Redirect(w, r, "/my", http.StatusSeeOther)
}

// myLinkPage shows the emailed link's page. Opening it spends nothing:
// email scanners follow links, so only the person's "Continue" signs in.
func (s *Server) myLinkPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if err := s.portal.CheckLink(r.Context(), token); err != nil {
		s.deadLink(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_link", &page{Title: "Sign in to see your plan", Data: myLinkPage{Token: token}})
}

func (s *Server) myLink(w http.ResponseWriter, r *http.Request) {
	sess, err := s.portal.RedeemLink(r.Context(), httpx.ClientAddress(r), r.PathValue("token"))
	if err != nil {
		s.deadLink(w, r, err)
		return
	}
	s.setPersonCookie(w, sess.Token)
	http.Redirect(w, r, "/my", http.StatusSeeOther)
}

// deadLink explains a link that no longer works, and what to do instead.
func (s *Server) deadLink(w http.ResponseWriter, r *http.Request, err error) {
	if oikos.ErrorCode(err) != oikos.EUNAUTHORIZED {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusGone, "my_link", &page{Title: "This sign-in link does not work", Data: myLinkPage{}})
}

func (s *Server) mySignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(personCookie); err == nil {
		if err := s.portal.SignOut(r.Context(), httpx.ClientAddress(r), c.Value); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.setPersonCookie(w, "")
	http.Redirect(w, r, "/my/sign-in?signed_out=1", http.StatusSeeOther)
}

// The person's plan, shaped for their page: in their words, with who does
// each step said to them.

type myStep struct {
	ID, Text, Who, Due string
	Done               bool
	Progress           int
}

type myGoal struct {
	ID, Text string
	Done     bool
	Progress int
	Steps    []myStep
}

type myPlan struct {
	Reference, Status string
	Goals             []myGoal
	// reach is their link worker, "" before one takes them on, and how
	// to reach them.
	reach
	// Activities are the services they were put in touch with.
	Activities []myActivity
}

// myActivity is a service the person was put in touch with, as they read
// it: where it has got to and, when the service gave it, their first
// session.
type myActivity struct {
	Service, Status, Next string
	// When and Where are the first session's time and place, from the
	// directory, when it gives them.
	When, Where string
}

// newActivities are the referral's connections in the person's words:
// open ones first (the store lists oldest first), the first session said
// when it is still to come.
func newActivities(conns []connection.Connection, services map[string]directory.Service, today string) []myActivity {
	var open, done []myActivity
	for _, c := range conns {
		a := myActivity{Service: c.ServiceName, Status: connection.PersonState(c.Status, c.SessionsAttended)}
		if c.FirstSession != "" && c.FirstSession >= today && c.Status.Open() {
			a.Next = formatDate(c.FirstSession)
			if svc, ok := services[c.ServiceID]; ok {
				a.When, a.Where = sessionTimes(svc.Schedule, c.FirstSession), serviceAddress(svc)
			}
		}
		if c.Status.Open() {
			open = append(open, a)
		} else {
			done = append(done, a)
		}
	}
	return append(open, done...)
}

// whoDoesIt is a step's owner as the person reads it.
func whoDoesIt(owner string) string {
	switch owner {
	case casework.OwnerPerson:
		return "You"
	case casework.OwnerLinkWorker:
		return "Your link worker"
	case casework.OwnerVolunteer:
		return "A volunteer"
	}
	return owner
}

func planGoals(goals []casework.Goal) []myGoal {
	out := make([]myGoal, 0, len(goals))
	for _, g := range goals {
		mg := myGoal{ID: g.ID, Text: g.Text, Done: g.Done, Progress: g.Progress}
		for _, st := range g.Steps {
			mg.Steps = append(mg.Steps, myStep{ID: st.ID, Text: st.Text, Who: whoDoesIt(st.Owner), Due: longDate(st.Due),
				Done: st.Done, Progress: st.Progress})
		}
		out = append(out, mg)
	}
	return out
}

// openReferrals are the person's referrals that are not closed, newest
// first: the ones whose plans they work on.
func (s *Server) openReferrals(ctx context.Context, personID string) ([]referral.Referral, error) {
	all, err := s.refs.PersonReferrals(ctx, personID)
	return slices.DeleteFunc(all, func(ref referral.Referral) bool { return ref.Status == referral.Closed }), err
}

func (s *Server) myHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	refs, err := s.openReferrals(ctx, personOf(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	plans := make([]myPlan, 0, len(refs))
	for _, ref := range refs {
		p, err := s.cases.Plan(ctx, personActor(r), ref.ID)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		conns, err := s.conns.ForReferral(ctx, personActor(r), ref.ID)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		services, err := s.activityServices(ctx, conns, ukToday())
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		plan := myPlan{Reference: ref.Reference, Status: personStatus(ref.Status), Goals: planGoals(p.Goals), Activities: newActivities(conns, services, ukToday())}
		plan.reach = s.reachOf(ctx, ref)
		plans = append(plans, plan)
	}
	name := ""
	if len(refs) > 0 {
		name = refs[0].Person.GivenName
	}
	due, err := s.myDueLink(ctx, r, refs)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	budgets, err := s.myBudgets(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	notice := map[string]string{"step": "Your step is saved.", "goal": "Your progress is saved.",
		"new-goal": "Your goal is added. Your link worker will see it.", "new-step": "Your step is added. Your link worker will see it.",
		"goal-words": "Your goal is reworded. Your link worker will see the new words.",
		"step-words": "Your step is reworded. Your link worker will see the new words."}[r.URL.Query().Get("saved")]
	s.render(w, r, http.StatusOK, "my_plan", &page{Title: "Your plan", Notice: notice, Data: myPlanPage{
		Name: name, Plans: plans, Progress: progressOptions(), Due: due, Budgets: budgets}})
}

// reach is who a person's link worker is and how to reach them; "" for
// what is not known.
type reach struct {
	Worker, Email, Scheme string
	// Phone is the scheme's number to ring: many people supported have no
	// email to write from.
	Phone string
}

// reachOf is who the person's link worker is on a referral and how to
// reach them: the worker's name and email while they are active, else the
// scheme's email; the scheme's phone number.
func (s *Server) reachOf(ctx context.Context, ref referral.Referral) reach {
	var out reach
	if ref.AssignedTo != "" {
		if u, err := s.auth.GetUser(ctx, ref.AssignedTo); err == nil && u.Active {
			out.Worker, out.Email = u.Name, u.Email
		}
	}
	if ref.SchemeID != "" {
		if o, err := s.orgs.Get(ctx, ref.SchemeID); err == nil {
			out.Scheme, out.Phone = o.Name, o.Phone
			if out.Email == "" {
				out.Email = o.Email
			}
		}
	}
	return out
}

// progressOptions are the steps of the 0 to 10 scale, in words at the ends.
func progressOptions() []option {
	out := make([]option, 0, casework.MaxProgress+1)
	for i := 0; i <= casework.MaxProgress; i++ {
		label := strconv.Itoa(i)
		switch i {
		case 0:
			label += " – not started"
		case casework.MaxProgress:
			label += " – done"
		}
		out = append(out, option{Value: strconv.Itoa(i), Label: label})
	}
	return out
}

// decodeProgress reads the person's progress form: done ("yes" or "no")
// and progress (0 to 10), either or both.
func decodeProgress(f url.Values) (done *bool, progress *int, err error) {
	problems := map[string]string{}
	switch f.Get("done") {
	case "":
	case "yes", "no":
		v := f.Get("done") == "yes"
		done = &v
	default:
		problems["done"] = "Say whether it is done."
	}
	if raw := strings.TrimSpace(f.Get("progress")); raw != "" {
		v, convErr := strconv.Atoi(raw)
		if convErr != nil || v < 0 || v > casework.MaxProgress {
			problems["progress"] = "Choose how far along you are, from 0 to 10."
		} else {
			progress = &v
		}
	}
	if len(problems) == 0 && done == nil && progress == nil {
		problems["progress"] = "Say whether it is done, or how far along you are."
	}
	if err := oikos.Invalid(problems); err != nil {
		return nil, nil, err
	}
	return done, progress, nil
}

// myProgress marks a goal (or, with a step in the path, a step) from the
// person's page. The goal is looked for only in the person's own open
// plans: any other id is not found.
func (s *Server) myProgress(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		s.renderError(w, r, http.StatusBadRequest, "The form could not be read", "Go back and try again.")
		return
	}
	done, progress, err := decodeProgress(r.PostForm)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ctx := r.Context()
	goalID, stepID := r.PathValue("goal"), r.PathValue("step")
	refID, err := s.referralOfGoal(ctx, r, goalID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if _, err := s.cases.SetProgress(ctx, personActor(r), refID, casework.ProgressUpdate{GoalID: goalID, StepID: stepID,
		Done: done, Progress: progress}); err != nil {
		s.pageError(w, r, err)
		return
	}
	saved := "goal"
	if stepID != "" {
		saved = "step"
	}
	http.Redirect(w, r, "/my?saved="+saved+"#goal-"+url.PathEscape(goalID), http.StatusSeeOther)
}

// referralOfGoal finds which of the person's open referrals holds a goal.
func (s *Server) referralOfGoal(ctx context.Context, r *http.Request, goalID string) (string, error) {
	refs, err := s.openReferrals(ctx, personOf(r))
	if err != nil {
		return "", err
	}
	for _, ref := range refs {
		p, err := s.cases.Plan(ctx, personActor(r), ref.ID)
		if err != nil {
			return "", err
		}
		if slices.ContainsFunc(p.Goals, func(g casework.Goal) bool { return g.ID == goalID }) {
			return ref.ID, nil
		}
	}
	return "", oikos.NotFound("Goal")
}

// What is held about the person: their details, and for each referral who
// referred them and why, its status and dates, contacts (when and how),
// what-matters conversations and their plan. Staff notes are not shown:
// they are the staff's working record, and a copy of everything can be
// asked for through a subject access request.

type heldReferral struct {
	Reference, ReceivedOn, ReferredBy, Status, FirstContactOn, ClosedOn, ClosedReason string
	Reasons                                                                           []string
	Contacts                                                                          []heldContact
	Conversations                                                                     []heldConversation
	Measures                                                                          []heldMeasure
	Goals                                                                             []myGoal
}

type heldContact struct{ On, Mode string }

type heldConversation struct {
	On, Mode, WhatMatters, Interests string
	Needs, Strengths                 []string
}

type heldAnswer struct{ Question, Answer string }

type heldMeasure struct {
	Name, When, On, Attribution string
	Answers                     []heldAnswer
	Score                       []string
}

// timepointLabel says when a measure was taken, in words.
func timepointLabel(tp string) string {
	switch tp {
	case outcome.Baseline:
		return "At the start"
	case outcome.Review:
		return "At a review"
	case outcome.Exit:
		return "At the end"
	}
	return tp
}

// heldMeasureOf shows a stored measure question by question, with the
// answer in words where the scale has them.
func heldMeasureOf(m outcome.Measure) heldMeasure {
	h := heldMeasure{Name: m.Instrument, When: timepointLabel(m.Timepoint), On: dayOf(m.RecordedAt)}
	in, known := outcome.InstrumentByCode(m.Instrument)
	if known {
		h.Name, h.Attribution = in.Name, in.Attribution
	}
	for i, a := range m.Answers {
		ans := heldAnswer{Question: fmt.Sprintf("Answer %d", i+1), Answer: strconv.Itoa(a)}
		if known && i < len(in.Questions) {
			ans.Question = in.Questions[i]
			for _, o := range in.Options {
				if o.Value == a {
					ans.Answer += " (" + o.Label + ")"
				}
			}
		}
		h.Answers = append(h.Answers, ans)
	}
	for _, k := range slices.Sorted(maps.Keys(m.Score)) {
		h.Score = append(h.Score, scoreLabel(k)+": "+strconv.FormatFloat(m.Score[k], 'f', -1, 64))
	}
	return h
}

// scoreLabel names a measure's score in words, not its key.
func scoreLabel(key string) string {
	if label, ok := map[string]string{"raw": "Your answers added up", "metric": "On the scale used to compare people's wellbeing",
		"total": "Your answers added up", "close_friends": "Close friends", "friends": "Friends", "appointments": "GP appointments",
		"gp_appointments": "GP appointments", "loneliness": "Loneliness", "loneliness_direct": "How often you feel lonely",
		"life_satisfaction": "How satisfied you are with your life", "worthwhile": "How worthwhile the things you do feel",
		"happiness": "How happy you felt yesterday", "anxiety": "How anxious you felt yesterday"}[key]; ok {
		return label
	}
	key = strings.ReplaceAll(key, "_", " ")
	if key == "" {
		return "Score"
	}
	return strings.ToUpper(key[:1]) + key[1:]
}

// personStatus says where a referral has got to, as the person reads it.
func personStatus(st referral.Status) string {
	if words, ok := map[referral.Status]string{referral.Received: "We have it: a link worker will get in touch",
		referral.Accepted: "A link worker has taken it on", referral.Contacted: "Your link worker has been in touch",
		referral.Active: "You and your link worker are working together", referral.Closed: "Closed"}[st]; ok {
		return words
	}
	return st.Label()
}

func (s *Server) myRecord(w http.ResponseWriter, r *http.Request) {
	held, err := s.files.PersonRecord(r.Context(), personActor(r), personOf(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	refs := make([]heldReferral, 0, len(held.Referrals))
	for _, h := range held.Referrals {
		refs = append(refs, newHeldReferral(h))
	}
	person := held.Person
	s.render(w, r, http.StatusOK, "my_record", &page{Title: "What we hold about you", Data: myRecordPage{
		Person: person, BornOn: longDate(person.DateOfBirth), NHS: referral.FormatNHSNumber(person.NHSNumber), Referrals: refs}})
}

// newHeldReferral shapes one referral's part of the record for the person.
func newHeldReferral(hr casefile.HeldReferral) heldReferral {
	ref := hr.Referral
	h := heldReferral{Reference: ref.Reference, ReceivedOn: dayOf(ref.ReceivedAt), Status: personStatus(ref.Status),
		ReferredBy: referral.SourceLabel(ref.SourceType)}
	if ref.ReferrerName != "" && ref.SourceType != "self" {
		h.ReferredBy += ": " + ref.ReferrerName
	}
	if hr.SourceOrganisation != "" {
		h.ReferredBy += ", " + hr.SourceOrganisation
	}
	for _, code := range ref.Reasons {
		if n, ok := taxonomy.NeedByCode(code); ok {
			h.Reasons = append(h.Reasons, n.Label)
		}
	}
	if ref.FirstContactAt != nil {
		h.FirstContactOn = dayOf(*ref.FirstContactAt)
	}
	if ref.ClosedAt != nil {
		h.ClosedOn, h.ClosedReason = dayOf(*ref.ClosedAt), referral.CloseReasonLabel(ref.ClosedReason)
	}
	for _, c := range hr.Contacts {
		h.Contacts = append(h.Contacts, heldContact{On: dayOf(c.At), Mode: casework.ModeLabel(c.Mode)})
	}
	for _, c := range hr.Conversations {
		hc := heldConversation{On: longDate(c.HeldAt), Mode: casework.ModeLabel(c.Mode), WhatMatters: c.WhatMatters,
			Interests: c.Interests, Strengths: c.Strengths}
		for _, n := range c.Needs {
			hc.Needs = append(hc.Needs, fmt.Sprintf("%s (%s priority)", n.Label, strings.ToLower(casework.PriorityLabel(n.Priority))))
		}
		h.Conversations = append(h.Conversations, hc)
	}
	for _, m := range hr.Measures {
		h.Measures = append(h.Measures, heldMeasureOf(m))
	}
	h.Goals = planGoals(hr.Plan.Goals)
	return h
}

// The link worker's side: give the person a way in.

// portalReferral is the referral a link worker acts on, if they may change
// it and it is still open.
func (s *Server) portalReferral(r *http.Request) (referral.Referral, error) {
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err != nil {
		return ref, err
	}
	if ref.Status == referral.Closed {
		return ref, &oikos.Error{Code: oikos.ECONFLICT, Message: "The referral is closed, so the person cannot be given a new way to sign in from it."}
	}
	return ref, nil
}

// portalEmail is the sign-in email: a link and what it is for, and nothing
// about the person's health or support (email is not a safe channel).
func (s *Server) portalEmail(token string) (subject, body string) {
	link := strings.TrimRight(s.app.Config.BaseURL, "/") + "/my/link/" + token
	subject = "Your link to sign in to " + s.app.Config.ServiceName
	body = "Hello,\n\n" +
		"Your link worker has sent you a link to see your plan online.\n\n" +
		"Open this link to sign in:\n" + link + "\n\n" +
		"The link works once, for 24 hours. If it has stopped working, ask your link worker for a new one.\n\n" +
		"If you did not expect this email, you can ignore it.\n\n" +
		s.app.Config.ServiceName + "\n"
	return subject, body
}

// maskEmail shows enough of an address to recognise it: m•••@example.org.
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return email
	}
	first := []rune(local)[0]
	return string(first) + "•••@" + domain
}

func (s *Server) portalCode(w http.ResponseWriter, r *http.Request) {
	ref, err := s.portalReferral(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	code, err := s.portal.IssueCode(r.Context(), httpx.Actor(r), ref.PersonID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_code_print", &page{Title: "Sign-in code for " + ref.Person.GivenName + " " + ref.Person.FamilyName,
		Data: codePrintPage{Referral: ref, Code: code, SignInAddress: strings.TrimRight(s.app.Config.BaseURL, "/") + "/my/sign-in",
			Until: dayOf(time.Now().Add(portal.CodeLifetime))}})
}

func (s *Server) portalLink(w http.ResponseWriter, r *http.Request) {
	ref, err := s.portalReferral(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	err = s.portal.EmailLink(r.Context(), httpx.Actor(r), ref.PersonID, func(ctx context.Context, tx *sql.Tx, email, token string) error {
		subject, body := s.portalEmail(token)
		err := notify.Enqueue(ctx, tx, notify.Message{Kind: "portal_link", To: email, Subject: subject, Body: body})
		if oikos.ErrorCode(err) == oikos.EINVALID {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "The email address held for this person cannot be used. Correct it, or print a sign-in code instead."}
		}
		return err
	})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_link_sent", &page{Title: "Sign-in link sent", Data: linkSentPage{
		Referral: ref, To: maskEmail(ref.Person.Email)}})
}
