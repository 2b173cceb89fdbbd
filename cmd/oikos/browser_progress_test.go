package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/proto"

	"oikos/internal/db"
)

// demoWithReview finds a demo person still being supported whose close
// friends were counted at the start and again at a review: their
// referral, given name and date of birth.
func demoWithReview(t *testing.T, refID, given, born *string) func(dbURL string) {
	return func(dbURL string) {
		t.Helper()
		ctx := context.Background()
		d, err := db.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		err = d.R().QueryRowContext(ctx, `SELECT r.id, p.given_name, p.date_of_birth FROM referrals r JOIN people p ON p.id = r.person_id
			WHERE r.status <> 'closed' AND r.channel = 'demo'
			AND EXISTS (SELECT 1 FROM measures m WHERE m.referral_id = r.id AND m.instrument = 'friends' AND m.timepoint = 'baseline')
			AND EXISTS (SELECT 1 FROM measures m WHERE m.referral_id = r.id AND m.instrument = 'friends' AND m.timepoint = 'review')
			ORDER BY r.received_at LIMIT 1`).Scan(refID, given, born)
		if err != nil {
			t.Fatalf("no demo person with a review of their close friends: %v", err)
		}
	}
}

// TestBrowserPersonSeesTheirProgress: with the demo data, a person whose
// answers were taken at the start and at a review signs in with a code
// from their link worker, with JavaScript off, opens "Your progress" and
// sees their answers as charts and tables and in words; they answer a
// questionnaire themselves and see it counted. The link worker sees the
// same chart. Every page is checked with axe-core.
func TestBrowserPersonSeesTheirProgress(t *testing.T) {
	requireAxe(t)
	var password, refID, given, born string
	base := startServer(t, loadDemo(t, &password), demoWithReview(t, &refID, &given, &born))
	browser := startBrowser(t)
	lw := openTab(t, browser, base)
	lw.visit("/sign-in")
	lw.signIn("linkworker@oikos.example", password)
	lw.enrolTOTP()
	lw.follow("a", "saved my codes")
	lw.visit("/referrals/" + refID)
	lw.follow("button", "^Print a sign-in code$")
	code := lw.text("#sign-in-code")

	own, err := browser.Incognito()
	if err != nil {
		t.Fatalf("open a separate browser context: %v", err)
	}
	p := openTab(t, own, base)
	p.disableScripts()
	p.visit("/my/sign-in")
	ymd := strings.Split(born, "-") // YYYY-MM-DD
	p.fill("#code", code)
	p.fill("#dob-day", strings.TrimPrefix(ymd[2], "0"))
	p.fill("#dob-month", strings.TrimPrefix(ymd[1], "0"))
	p.fill("#dob-year", ymd[0])
	p.follow("button", "^Continue$")
	p.expectText("h1", given+", your plan")

	p.follow("a", "^Your progress$")
	p.expectPath("/my/progress")
	p.expectText("h1", "Your progress")
	p.expectText("main", "You told us you had")
	p.expectText("main", "close friend")
	p.expectText("main", "; now you have ")
	if n := countCharts(p); n < 2 {
		p.fatalf("%d charts, want one for each questionnaire answered (at least close friends and wellbeing)", n)
	}
	p.expectText("main table caption", "your answers as a table")
	p.expectText("main", "Steps done:")
	shot(p, "progress")

	// A questionnaire of their own, the first time: the start.
	p.follow("a", "^How often you feel lonely$")
	p.expectText("h1", "How often you feel lonely")
	p.expectText("main", "How often do you feel lonely?")
	p.follow("button", "^Send my answers$") // nothing chosen
	p.expectText(".nhsuk-error-summary", "Choose an answer for")
	shot(p, "form")
	p.click("label", "^Some of the time$")
	p.follow("button", "^Send my answers$")
	p.expectPath("/my/progress")
	p.expectText(".nhsuk-notification-banner", "Your answers about how often you feel lonely are saved.")
	p.expectText("main", "You told us you felt lonely some of the time in ")
	if p.scriptsRan() {
		t.Fatal("the person's page ran its script, so this test did not try it without JavaScript")
	}

	// The link worker sees the same picture, and the person's answers.
	lw.visit("/referrals/" + refID + "/measures")
	if n := countCharts(lw); n < 3 {
		lw.fatalf("%d charts on the measures page", n)
	}
	if desc := chartDesc(lw, "measures-loneliness_direct"); !strings.HasPrefix(desc, "How often lonely: Some of the time on ") {
		lw.fatalf("the loneliness chart is described as %q", desc)
	}
	shot(lw, "measures")
}

// countCharts counts the accessible chart images on the page.
func countCharts(b *tab) int {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => document.querySelectorAll('main svg[role=img] > title').length`)
	if err != nil {
		b.fatalf("count charts: %v", err)
	}
	return res.Value.Int()
}

// chartDesc reads the description of the chart whose ids start with id.
func chartDesc(b *tab, id string) string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`(id) => { const d = document.getElementById(id + '-desc'); return d ? d.textContent : ''; }`, id)
	if err != nil {
		b.fatalf("read the chart's description: %v", err)
	}
	return res.Value.Str()
}

// shot saves a picture of the whole page to $OIKOS_SCREENSHOTS/name.png,
// when that is set, to look at by eye.
func shot(b *tab, name string) {
	dir := os.Getenv("OIKOS_SCREENSHOTS")
	if dir == "" {
		return
	}
	p, done := b.step()
	defer done()
	png, err := p.Screenshot(true, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		b.fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
