package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/proto"

	"oikos/internal/auth"
)

// stepTimeout bounds each browser action, so a page that never loads or an
// element that never appears fails the test instead of hanging it.
const stepTimeout = 20 * time.Second

// browserBudget bounds all of one test's use of the browser. It is a
// backstop: a few of rod's internal waits ignore the per-step deadline.
const browserBudget = 3 * time.Minute

// findChromium returns the system Chromium. Rod can download a browser of
// its own; the tests must never do that, so a missing Chromium is reported
// (and fails under CI) instead.
func findChromium(t *testing.T) string {
	t.Helper()
	if bin, err := exec.LookPath("chromium"); err == nil {
		return bin
	}
	if _, err := exec.LookPath("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	requireTool(t, "Chromium", "install it with apt-get install chromium")
	return ""
}

// startBrowser launches headless Chromium with a throwaway profile and
// connects to it. The browser is closed and its process reaped when the
// test ends.
func startBrowser(t *testing.T) *rod.Browser {
	t.Helper()
	return startBrowserFor(t, browserBudget)
}

// startBrowserFor is startBrowser for a test that may use the browser for
// longer than browserBudget.
func startBrowserFor(t *testing.T, budget time.Duration) *rod.Browser {
	t.Helper()
	bin := findChromium(t)
	l := launcher.New().
		Bin(bin).
		Headless(true).
		NoSandbox(true). // containers and CI runners often lack user namespaces
		// Leakless would unpack a helper binary into the temp directory; the
		// clean-up below ends the browser instead.
		Leakless(false).
		UserDataDir(t.TempDir()).
		Set("disable-gpu").
		Set("no-first-run").
		// Keep the browser quiet and offline apart from the test server.
		Set("disable-background-networking").
		Set("disable-component-update").
		Set("disable-sync").
		Set("disable-quic")
	controlURL, err := l.Launch()
	if err != nil {
		t.Fatalf("launch %s: %v", bin, err)
	}
	t.Cleanup(func() {
		// Wait for the browser to exit after Close; end it only if it will not.
		exited := make(chan struct{})
		go func() { l.Cleanup(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			l.Kill()
			<-exited
		}
	})
	if deadline, ok := t.Deadline(); ok && time.Until(deadline)-10*time.Second < budget {
		// Fail with this test's own errors before go test's timeout panics.
		budget = time.Until(deadline) - 10*time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	b := rod.New().ControlURL(controlURL).Context(ctx)
	if err := b.Connect(); err != nil {
		cancel()
		t.Fatalf("connect to %s: %v", bin, err)
	}
	t.Cleanup(func() {
		defer cancel()
		if err := b.Close(); err != nil {
			t.Logf("close browser: %v", err)
		}
	})
	return b
}

// tab drives one browser tab against the test server. Its methods take CSS
// selectors, give each action its own deadline, and fail the test on error.
// Every method that lands on a new page checks that page's accessibility.
type tab struct {
	t          *testing.T
	page       *rod.Page
	base       string // the server's address, http://127.0.0.1:PORT
	scriptsOff bool   // the page's own scripts are disabled
	// checked, when set, reports whether a page like this one has been
	// checked already, so a test that meets the same page many times
	// checks it once; nil checks every page.
	checked func() bool
	// phone: the tab is 375 px wide, and every page it lands on must fit
	// without scrolling sideways.
	phone bool
	// plainDates: every page the tab lands on shows dates as people
	// write them (4 November 1941), never 1941-11-04.
	plainDates bool
}

// openTab opens a blank tab, so settings such as script emulation can be
// applied before the first page loads.
func openTab(t *testing.T, b *rod.Browser, base string) *tab {
	t.Helper()
	page, err := b.Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &tab{t: t, page: page, base: base}
}

// openPhoneTab opens a tab as a phone 375 px wide would: every page it
// lands on is checked with axe-core and fails the test if it scrolls
// sideways.
func openPhoneTab(t *testing.T, b *rod.Browser, base string) *tab {
	t.Helper()
	phone := openTab(t, b, base)
	if err := (proto.EmulationSetDeviceMetricsOverride{Width: 375, Height: 812, DeviceScaleFactor: 2, Mobile: true}).Call(phone.page); err != nil {
		t.Fatalf("make the tab phone-sized: %v", err)
	}
	phone.phone = true
	return phone
}

// fitsWidth fails the test, naming the widest elements, when the page
// scrolls sideways.
func (b *tab) fitsWidth() {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => document.documentElement.scrollWidth - document.documentElement.clientWidth`)
	if err != nil {
		b.fatalf("measure the page's width: %v", err)
	}
	if over := res.Value.Int(); over > 0 {
		wide, _ := p.Eval(`() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
			.slice(0, 3).map(e => e.tagName + '.' + e.className + '#' + e.id).join(', ')`)
		b.t.Errorf("%s scrolls sideways by %d px on a phone 375 px wide (%s)", b.where(), over, wide.Value.Str())
	}
}

// disableScripts turns off the pages' own JavaScript from the next page
// load on, as for a person whose browser has none.
func (b *tab) disableScripts() {
	b.t.Helper()
	if err := (proto.EmulationSetScriptExecutionDisabled{Value: true}).Call(b.page); err != nil {
		b.t.Fatalf("turn off JavaScript: %v", err)
	}
	b.scriptsOff = true
}

// check runs the accessibility check on the page as it is now.
func (b *tab) check() {
	b.t.Helper()
	if b.checked != nil && b.checked() {
		return
	}
	if b.scriptsOff {
		// axe-core needs timers, which do not fire while scripts are
		// disabled. Turning scripts back on for the check does not run the
		// page's own scripts, which were skipped when the page loaded, so
		// axe still sees the page as it is without JavaScript.
		if err := (proto.EmulationSetScriptExecutionDisabled{Value: false}).Call(b.page); err != nil {
			b.fatalf("turn on JavaScript for axe-core: %v", err)
		}
		defer func() {
			if err := (proto.EmulationSetScriptExecutionDisabled{Value: true}).Call(b.page); err != nil {
				b.fatalf("turn off JavaScript again: %v", err)
			}
		}()
	}
	checkA11y(b.t, b.page)
	if b.phone {
		b.fitsWidth()
	}
	if b.plainDates {
		b.datesInWords()
	}
}

// datesInWords fails the test when the page's visible text shows a date
// as a computer writes it (2026-12-08) rather than as people do.
func (b *tab) datesInWords() {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => ((document.querySelector('main') || document.body).innerText.match(/\b\d{4}-\d{2}-\d{2}\b/g) || []).slice(0, 3).join(', ')`)
	if err != nil {
		b.fatalf("read the page's dates: %v", err)
	}
	if iso := res.Value.Str(); iso != "" {
		b.t.Errorf("%s shows dates as %s: write them as people do, like 4 November 1941", b.where(), iso)
	}
}

// step returns the page with a fresh deadline for one action.
func (b *tab) step() (*rod.Page, func()) {
	p := b.page.Timeout(stepTimeout)
	return p, func() { p.CancelTimeout() }
}

func (b *tab) fatalf(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf("%s: "+format, append([]any{b.where()}, args...)...)
}

// where names the current page for error messages.
func (b *tab) where() string {
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => location.href`)
	if err != nil {
		return "(unknown page)"
	}
	return res.Value.Str()
}

// visit loads a path on the server (or an absolute URL) and checks the page.
func (b *tab) visit(pathOrURL string) {
	b.t.Helper()
	u := pathOrURL
	if strings.HasPrefix(u, "/") {
		u = b.base + u
	}
	p, done := b.step()
	defer done()
	loaded := p.WaitNavigation(proto.PageLifecycleEventNameLoad)
	if err := p.Navigate(u); err != nil {
		b.fatalf("navigate to %s: %v", u, err)
	}
	b.waitLoad(p, loaded, u)
}

// waitLoad waits for the load event the navigation started, then checks
// the new page. It waits on the browser's lifecycle events rather than in
// the page, which would need the page's scripts to be on.
func (b *tab) waitLoad(p *rod.Page, loaded func(), after string) {
	b.t.Helper()
	loaded()
	// rod's wait returns quietly at the deadline; tell that apart from a load.
	if err := p.GetContext().Err(); err != nil {
		b.fatalf("the page after %s did not load: %v", after, err)
	}
	b.check()
}

// element finds the first element matching selector whose text matches
// the regular expression text (any text when text is empty), waiting for it
// to appear.
func (b *tab) element(p *rod.Page, selector, text string) *rod.Element {
	b.t.Helper()
	var el *rod.Element
	var err error
	if text == "" {
		el, err = p.Element(selector)
	} else {
		el, err = p.ElementR(selector, text)
	}
	if err != nil {
		b.fatalf("find %s %q: %v", selector, text, err)
	}
	return el
}

// The interactions below drive the page through the DevTools protocol's DOM
// and input commands instead of rod's Element.Click, Input and Select. Those
// wait for animation frames, which never come while the page's scripts are
// disabled; and Click's check that nothing covers the element counts the
// element's own ::before, which NHS.UK buttons use to enlarge their click
// target, as a cover.

// fill replaces the value of a text field, typing as a person would.
func (b *tab) fill(selector, value string) {
	b.t.Helper()
	p, done := b.step()
	defer done()
	el := b.element(p, selector, "")
	if err := (proto.DOMFocus{ObjectID: el.Object.ObjectID}).Call(p); err != nil {
		b.fatalf("focus %s: %v", selector, err)
	}
	// Select what is there, so typing replaces it.
	if _, err := el.Eval(`() => this.select()`); err != nil {
		b.fatalf("select the text in %s: %v", selector, err)
	}
	if err := p.InsertText(value); err != nil {
		b.fatalf("type into %s: %v", selector, err)
	}
}

// press scrolls an element into view, moves the mouse onto it and clicks.
func (b *tab) press(p *rod.Page, el *rod.Element) error {
	if err := (proto.DOMScrollIntoViewIfNeeded{ObjectID: el.Object.ObjectID}).Call(p); err != nil {
		return err
	}
	shape, err := el.Shape()
	if err != nil {
		return err
	}
	pt := shape.OnePointInside()
	if pt == nil {
		return fmt.Errorf("it has no visible area")
	}
	if err := p.Mouse.MoveTo(*pt); err != nil {
		return err
	}
	return p.Mouse.Click(proto.InputMouseButtonLeft, 1)
}

// click clicks an element that does not leave the page, such as a radio
// button or a details summary.
func (b *tab) click(selector, text string) {
	b.t.Helper()
	p, done := b.step()
	defer done()
	if err := b.press(p, b.element(p, selector, text)); err != nil {
		b.fatalf("click %s %q: %v", selector, text, err)
	}
}

// choose selects the option of a <select> whose visible text is label.
func (b *tab) choose(selector, label string) {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := b.element(p, selector, "").Eval(`(label) => {
		const option = Array.from(this.options).find(o => o.text.trim() === label);
		if (!option) return false;
		option.selected = true;
		this.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	}`, label)
	if err != nil {
		b.fatalf("choose %q in %s: %v", label, selector, err)
	}
	if !res.Value.Bool() {
		b.fatalf("%s has no option %q", selector, label)
	}
}

// follow clicks a link or submit button, waits for the next page to load,
// and checks it.
func (b *tab) follow(selector, text string) {
	b.t.Helper()
	p, done := b.step()
	defer done()
	el := b.element(p, selector, text)
	loaded := p.WaitNavigation(proto.PageLifecycleEventNameLoad)
	if err := b.press(p, el); err != nil {
		b.fatalf("click %s %q: %v", selector, text, err)
	}
	b.waitLoad(p, loaded, fmt.Sprintf("clicking %s %q", selector, text))
}

// text returns the rendered text of the first element matching selector.
func (b *tab) text(selector string) string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	s, err := b.element(p, selector, "").Text()
	if err != nil {
		b.fatalf("read %s: %v", selector, err)
	}
	return strings.TrimSpace(s)
}

// texts returns the rendered text of every element matching selector,
// without waiting: call it once the page has loaded.
func (b *tab) texts(selector string) []string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	els, err := p.Elements(selector)
	if err != nil {
		b.fatalf("find %s: %v", selector, err)
	}
	var out []string
	for _, el := range els {
		s, err := el.Text()
		if err != nil {
			b.fatalf("read %s: %v", selector, err)
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// path is where the browser is (without any query).
func (b *tab) path() string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => location.pathname`)
	if err != nil {
		b.fatalf("read the location: %v", err)
	}
	return res.Value.Str()
}

// expectPath fails unless the browser is at path (ignoring any query).
func (b *tab) expectPath(path string) {
	b.t.Helper()
	if got := b.path(); got != path {
		b.fatalf("at %s, want %s", got, path)
	}
}

// expectText fails unless the element matching selector contains want.
func (b *tab) expectText(selector, want string) {
	b.t.Helper()
	if got := b.text(selector); !strings.Contains(got, want) {
		b.fatalf("%s reads %q, want it to contain %q", selector, got, want)
	}
}

// scriptsRan reports whether the page's own script (app.js) has run: it
// marks the body as the NHS.UK frontend expects.
func (b *tab) scriptsRan() bool {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => document.body.classList.contains('js-enabled')`)
	if err != nil {
		b.fatalf("inspect the page: %v", err)
	}
	return res.Value.Bool()
}

// signIn submits the sign-in form, which must already be open.
func (b *tab) signIn(email, password string) {
	b.t.Helper()
	b.fill("#email", email)
	b.fill("#password", password)
	b.follow("button", "^Continue$")
}

// enrolTOTP completes the two-factor set-up page as an authenticator app
// would: it reads the key offered for typing in, computes the current code
// and submits it, landing on the recovery codes, which it returns.
func (b *tab) enrolTOTP() []string {
	b.t.Helper()
	b.expectPath("/sign-in/two-factor")
	b.expectText("h1", "Set up two-factor sign-in")
	// The key sits in a closed <details>; open it as a person who cannot
	// scan the QR code would, and check the revealed content too.
	b.click("summary", "I cannot scan the QR code")
	b.check()
	secret := strings.ReplaceAll(b.text("#totp-secret"), " ", "")
	code, err := auth.TOTPCode(secret, auth.TOTPStep(time.Now()))
	if err != nil {
		b.fatalf("compute a code from the key %q: %v", secret, err)
	}
	b.fill("#code", code)
	b.follow("button", "^Continue$")
	b.expectText("h1", "Two-factor sign-in is set up")
	codes := b.texts("#recovery-codes li")
	if len(codes) != 10 {
		b.fatalf("got %d recovery codes %q, want 10", len(codes), codes)
	}
	return codes
}

// signInFirstTime signs in from the sign-in page as someone who has
// never signed in before: the password, then two-factor set-up, past the
// recovery codes to their home page.
func (b *tab) signInFirstTime(email, password string) {
	b.t.Helper()
	b.visit("/sign-in")
	b.signIn(email, password)
	b.enrolTOTP()
	b.follow("a", "saved my codes")
}

// signOut uses the button in the header.
func (b *tab) signOut() {
	b.t.Helper()
	b.follow(".nhsuk-header__account-button", "^Sign out$")
	b.expectPath("/sign-in")
	b.expectText(".nhsuk-notification-banner", "You have signed out.")
}

// fillDate types day into the NHS date input whose boxes are
// NAME-day, NAME-month and NAME-year.
func (b *tab) fillDate(name string, day time.Time) {
	b.fill("#"+name+"-day", strconv.Itoa(day.Day()))
	b.fill("#"+name+"-month", strconv.Itoa(int(day.Month())))
	b.fill("#"+name+"-year", strconv.Itoa(day.Year()))
}
