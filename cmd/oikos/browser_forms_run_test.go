package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"

	"oikos/internal/auth"
	"oikos/internal/notify/notifytest"
	"oikos/internal/oikostest"
)

// The machinery of TestBrowserEveryForm: one server on the demo database,
// one browser, and a signed-in session for each person, each in a browser
// context of its own, shared by the test's steps. Every form a step sends
// is noted (formLog), and each answer is checked: a page that loads, is
// accessible, and says what it should.

// formsRun is one run of the steps on one database.
type formsRun struct {
	base     string
	password string // the demo accounts'
	browser  *rod.Browser
	mailbox  *notifytest.Server
	keys     *oikostest.Keyring
	log      *formLog
	fx       *formsFixtures

	mu       sync.Mutex
	sessions map[string]*formSession
	patterns []string        // the path patterns of the pages and forms
	checked  map[string]bool // the kinds of page axe-core has checked
	broken   map[string]bool // the missing values reported, by page
}

// formSession is one person's browser context and tab.
type formSession struct {
	page     *rod.Page
	signedIn bool
	// origin is the page the forms now shown came from: the page's own
	// path, kept when a form comes back with errors; "" when the page is
	// the answer to a form sent, with no page of its own.
	origin string
}

// demoEmail is the demo's account for a role (see demoUsers).
func demoEmail(role auth.Role) string {
	for _, u := range demoUsers {
		if u.role == role {
			return u.email
		}
	}
	panic("no demo user is a " + string(role))
}

// stepName is the step a subtest is: its name under the run's.
func stepName(t *testing.T) string {
	parts := strings.SplitN(t.Name(), "/", 3)
	return parts[len(parts)-1]
}

// tabFor returns the tab of a browser context kept under who (an email
// address, or a name for someone without an account), opening it the
// first time, bound to the step t.
func (r *formsRun) tabFor(t *testing.T, who string) *formTab {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sessions[who]
	if s == nil {
		ctx, err := r.browser.Incognito()
		if err != nil {
			t.Fatalf("open a browser context for %s: %v", who, err)
		}
		page, err := ctx.Page(proto.TargetCreateTarget{URL: "about:blank"})
		if err != nil {
			t.Fatalf("open a tab for %s: %v", who, err)
		}
		// Every form is sent on a phone 375 px wide, and each kind of page
		// met on the way must fit it without scrolling sideways.
		if err := (proto.EmulationSetDeviceMetricsOverride{Width: 375, Height: 812, DeviceScaleFactor: 2, Mobile: true}).Call(page); err != nil {
			t.Fatalf("make the tab for %s phone-sized: %v", who, err)
		}
		s = &formSession{page: page}
		r.sessions[who] = s
	}
	b := &formTab{tab: &tab{t: t, page: s.page, base: r.base, phone: true, plainDates: true}, s: s, run: r, name: stepName(t)}
	b.tab.checked = b.seenKind
	return b
}

// seenKind reports whether a page of this kind has been checked with
// axe-core already in this run, and notes it. A kind is the page's path
// pattern, whether it shows errors or a notice, and the forms on it: the
// steps meet the same pages again and again, and checking each kind once
// keeps the test within minutes.
func (b *formTab) seenKind() bool {
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => [location.pathname,
		document.querySelector('.nhsuk-error-summary') ? 'errors' : '',
		document.querySelector('.nhsuk-notification-banner') ? 'notice' : '',
		...Array.from(document.forms).map(f => (f.getAttribute('method') || 'get') + ' ' + new URL(f.getAttribute('action') || '', location.href).pathname)]`)
	if err != nil {
		return false // check it
	}
	var parts []string
	if err := res.Value.Unmarshal(&parts); err != nil || len(parts) < 3 {
		return false
	}
	r := b.run
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, part := range parts {
		if i == 0 || i > 2 {
			method, path, _ := strings.Cut(part, " ")
			if i == 0 {
				method, path = "", part
			}
			parts[i] = strings.TrimSpace(method + " " + matchPattern(path, r.patterns))
		}
	}
	kind := strings.Join(parts, "|")
	if r.checked[kind] {
		return true
	}
	r.checked[kind] = true
	return false
}

// as returns the tab of the demo user with role, signing them in (and
// setting up their two-factor sign-in) the first time.
func (r *formsRun) as(t *testing.T, role auth.Role) *formTab {
	t.Helper()
	b := r.tabFor(t, demoEmail(role))
	if !b.s.signedIn {
		b.signIn(demoEmail(role), r.password)
	}
	return b
}

// formTab is a tab that notes the forms it sends and checks the answers.
type formTab struct {
	*tab
	s    *formSession
	run  *formsRun
	name string // the step it works for
}

// pageState is what the browser knows of the page it is on.
type pageState struct {
	Path      string `json:"path"`
	Status    int    `json:"status"`
	Redirects int    `json:"redirects"`
	Errors    string `json:"errors"` // the error summary's text, if any
	Body      string `json:"body"`
}

func (b *formTab) state() pageState {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => {
		const nav = performance.getEntriesByType('navigation')[0] || {};
		const summary = document.querySelector('.nhsuk-error-summary');
		return {path: location.pathname, status: nav.responseStatus || 0, redirects: nav.redirectCount || 0,
			errors: summary ? summary.innerText.trim() : '', body: document.body ? document.body.innerText : ''};
	}`)
	if err != nil {
		b.fatalf("read the page: %v", err)
	}
	var st pageState
	if err := res.Value.Unmarshal(&st); err != nil {
		b.fatalf("read the page: %v", err)
	}
	return st
}

// brokenText finds what a template left unfilled: a missing value printed
// by fmt ("%!d(<nil>)") or by text/template ("<no value>").
var brokenText = regexp.MustCompile(`%!\w?\(|<no value>`)

// sane fails the step when the page shows a template's missing value.
// Each is reported once for each kind of page.
func (b *formTab) sane(st pageState) {
	b.t.Helper()
	m := brokenText.FindStringIndex(st.Body)
	if m == nil {
		return
	}
	from, to := max(0, m[0]-80), min(len(st.Body), m[1]+40)
	snippet := strings.ReplaceAll(st.Body[from:to], "\n", " ")
	r := b.run
	r.mu.Lock()
	key := matchPattern(st.Path, r.patterns) + " " + snippet
	seen := r.broken[key]
	r.broken[key] = true
	r.mu.Unlock()
	if !seen {
		b.t.Errorf("%s: the page shows a missing value: …%s…", b.where(), snippet)
	}
}

// visit opens a page by its address.
func (b *formTab) visit(path string) {
	b.t.Helper()
	b.tab.visit(path)
	st := b.state()
	b.s.origin = st.Path
	b.sane(st)
}

// formButton is what the page says of a button that sends a form.
type formButton struct {
	Page    string `json:"page"`
	Method  string `json:"method"`
	Action  string `json:"action"`
	Button  string `json:"button"`
	Confirm string `json:"confirm"`
}

// buttonOf reads the form an element sends, or nil for a link.
func (b *formTab) buttonOf(selector, text string) *formButton {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := b.element(p, selector, text).Eval(`function () {
		const f = this.form;
		if (!f || (this.type !== 'submit' && this.type !== 'image')) return null;
		const action = this.getAttribute('formaction') || f.getAttribute('action') || location.href;
		return {page: location.pathname, method: (this.getAttribute('formmethod') || f.getAttribute('method') || 'get').toLowerCase(),
			action: new URL(action, location.href).pathname, button: this.innerText.trim(), confirm: f.dataset.confirm || ''};
	}`)
	if err != nil {
		b.fatalf("inspect %s %q: %v", selector, text, err)
	}
	var fb *formButton // nil for a link
	if err := res.Value.Unmarshal(&fb); err != nil {
		b.fatalf("inspect %s %q: %v", selector, text, err)
	}
	return fb
}

// follow clicks a link, or a button that sends a form, and waits for the
// next page. A form sent is noted with whether its answer was a success:
// a page (after any redirect) with a 2xx status and no error summary.
// Forms that ask for confirmation are confirmed, when scripts run.
func (b *formTab) follow(selector, text string) pageState {
	b.t.Helper()
	fb := b.buttonOf(selector, text)
	var confirmed chan string
	if fb != nil && fb.Confirm != "" && !b.scriptsOff {
		confirmed = make(chan string, 1)
		p := b.page.Timeout(stepTimeout)
		wait, handle := p.HandleDialog()
		go func() {
			defer p.CancelTimeout()
			e := wait()
			if err := handle(&proto.PageHandleJavaScriptDialog{Accept: true}); err != nil {
				confirmed <- "(could not accept: " + err.Error() + ")"
				return
			}
			confirmed <- e.Message
		}()
	}
	b.tab.follow(selector, text)
	st := b.state()
	b.sane(st)
	if confirmed != nil {
		select {
		case msg := <-confirmed:
			if msg != fb.Confirm {
				b.t.Errorf("%s: asked %q to confirm, want %q", b.where(), msg, fb.Confirm)
			}
		case <-time.After(time.Second):
			b.t.Errorf("%s: sent without asking %q", b.where(), fb.Confirm)
		}
	}
	if fb == nil {
		b.s.origin = st.Path
		return st
	}
	ok := st.Status >= 200 && st.Status < 300 && st.Errors == ""
	b.run.log.add(formSubmission{step: b.name, page: b.s.origin, method: fb.Method, action: fb.Action,
		button: fb.Button, ok: ok, status: st.Status, errors: st.Errors})
	switch {
	case fb.Method == "get" || st.Redirects > 0:
		b.s.origin = st.Path // a page of its own
	case st.Status >= 400 && b.s.origin != "":
		// The same form back with errors: fixed and sent again, it is
		// still the form of the page it came from.
	default:
		b.s.origin = ""
	}
	return st
}

// send sends a form that must succeed.
func (b *formTab) send(selector, text string) pageState {
	b.t.Helper()
	st := b.follow(selector, text)
	if st.Status < 200 || st.Status >= 300 || st.Errors != "" {
		b.fatalf("sending %s %q answered %d%s", selector, text, st.Status, prefixed(": ", st.Errors))
	}
	return st
}

func prefixed(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + strings.ReplaceAll(s, "\n", " / ")
}

// sendBad sends a form with a mistake a person could make, and checks the
// answer as a person would need it: a 4xx status, and an error summary
// whose link for field says want and leads to the field, which shows the
// error too.
func (b *formTab) sendBad(selector, text, field, want string) {
	b.t.Helper()
	st := b.follow(selector, text)
	if st.Status < 400 || st.Status >= 500 {
		b.t.Errorf("%s: sending %s %q with a mistake in %s answered %d, want 4xx", b.where(), selector, text, field, st.Status)
	}
	if st.Errors == "" {
		b.t.Errorf("%s: sending %s %q with a mistake in %s: no error summary; the page says %q", b.where(), selector, text, field, head(st.Body, 300))
		return
	}
	b.expectError(field, want)
}

// expectError checks the error summary as a person needs it: each of its
// links leads to a field on the page that shows the error beside it too,
// and, when field is given, one link is for field and says want.
func (b *formTab) expectError(field, want string) {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => Array.from(document.querySelectorAll('.nhsuk-error-summary a')).map(a => {
		const id = decodeURIComponent((a.getAttribute('href') || '').replace(/^#/, ''));
		const target = id ? document.getElementById(id) : null;
		let inline = false;
		for (let el = target; el; el = el.parentElement) {
			if (el.classList && el.classList.contains('nhsuk-form-group') && el.querySelector('.nhsuk-error-message')) { inline = true; break; }
		}
		return {field: id, text: a.innerText.trim(), target: !!target, inline: inline};
	})`)
	if err != nil {
		b.fatalf("read the error summary: %v", err)
	}
	var links []struct {
		Field  string `json:"field"`
		Text   string `json:"text"`
		Target bool   `json:"target"`
		Inline bool   `json:"inline"`
	}
	if err := res.Value.Unmarshal(&links); err != nil {
		b.fatalf("read the error summary: %v", err)
	}
	var named []string
	found := field == ""
	for _, l := range links {
		named = append(named, fmt.Sprintf("#%s %q", l.Field, l.Text))
		switch {
		case !l.Target:
			b.t.Errorf("%s: the error summary's %q links to #%s, which is not on the page", b.where(), l.Text, l.Field)
		case !l.Inline:
			b.t.Errorf("%s: #%s has no error message beside it, only %q in the summary", b.where(), l.Field, l.Text)
		}
		if l.Field == field {
			found = true
			if !strings.Contains(l.Text, want) {
				b.t.Errorf("%s: the error summary says %q for %s, want it to say %q", b.where(), l.Text, field, want)
			}
		}
	}
	if len(links) == 0 {
		b.t.Errorf("%s: the error summary links to no field", b.where())
	} else if !found {
		b.t.Errorf("%s: the error summary does not name %s; it names %s", b.where(), field, strings.Join(named, ", "))
	}
}

// answerEach picks the first answer of every question with radios in the
// form sel, as a person answering quickly would.
func (b *formTab) answerEach(sel string) {
	b.t.Helper()
	p, done := b.step()
	defer done()
	groups, err := p.Elements(sel + " .nhsuk-radios")
	if err != nil || len(groups) == 0 {
		b.fatalf("no questions with answers to choose in %s: %v", sel, err)
	}
	for _, g := range groups {
		label, err := g.Element(".nhsuk-radios__item label")
		if err != nil {
			b.fatalf("a question without answers in %s: %v", sel, err)
		}
		if err := b.press(p, label); err != nil {
			b.fatalf("choose an answer in %s: %v", sel, err)
		}
	}
}

// signIn signs in through the sign-in pages: the password, then the
// two-factor set-up the first time (the key goes in the run's keyring) or
// a code from the keyring.
func (b *formTab) signIn(email, password string) {
	b.t.Helper()
	b.visit("/sign-in")
	b.fill("#email", email)
	b.fill("#password", password)
	b.send("button", "^Continue$")
	switch b.path() {
	case "/sign-in/two-factor":
		b.enrol(email, false)
	case "/sign-in/code":
		b.fill("#code", b.run.keys.Code(email))
		b.send("button", "^Sign in$")
	}
	b.expectPath("/")
	b.s.signedIn = true
}

// enrol completes the two-factor set-up page as an authenticator app
// would, first with a wrong code when wrongFirst, and continues from the
// recovery codes, which go in the keyring.
func (b *formTab) enrol(email string, wrongFirst bool) {
	b.t.Helper()
	b.expectText("h1", "Set up two-factor sign-in")
	b.click("summary", "I cannot scan the QR code")
	secret := strings.ReplaceAll(b.text("#totp-secret"), " ", "")
	if wrongFirst {
		b.fill("#code", "000000")
		b.sendBad("button", "^Continue$", "code", "")
	}
	step := auth.TOTPStep(time.Now())
	code, err := auth.TOTPCode(secret, step)
	if err != nil {
		b.fatalf("a code from the key %q: %v", secret, err)
	}
	b.fill("#code", code)
	b.send("button", "^Continue$")
	b.expectText("h1", "Two-factor sign-in is set up")
	b.run.keys.Enrolled(email, secret, step, b.texts("#recovery-codes li"))
	b.follow("a", "saved my codes")
}

// waitForMailAbout waits for an email to to whose subject contains every
// one of about, and returns it.
func waitForMailAbout(t *testing.T, mailbox *notifytest.Server, to string, about ...string) notifytest.Mail {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range mailbox.Mails() {
			if !slicesContainFold(m.To, to) {
				continue
			}
			all := true
			for _, a := range about {
				all = all && strings.Contains(m.Subject, a)
			}
			if all {
				return m
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no email to %s about %q arrived within 30s", to, about)
	return notifytest.Mail{}
}

func slicesContainFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// linkIn finds a link's path in an email.
func linkIn(t *testing.T, m notifytest.Mail, pattern string) string {
	t.Helper()
	path := regexp.MustCompile(pattern).FindString(m.Body)
	if path == "" {
		t.Fatalf("no link like %s in the email %q:\n%s", pattern, m.Subject, m.Body)
	}
	return path
}

// dbContext is for fixtures' database work.
var dbContext = context.Background()
