package main

import (
	"strings"
	"testing"
)

// TestBrowserSelfReferral: a person asks for support through the public
// form, and a link worker finds it in the triage queue and accepts it.
// Every page is checked with axe-core.
func TestBrowserSelfReferral(t *testing.T) {
	requireAxe(t)
	var password string
	base := startServer(t, loadDemo(t, &password))
	b := openTab(t, startBrowser(t), base)

	b.visit("/")
	b.follow("a", "^Ask for support$")
	b.expectText("h1", "Ask for support")
	b.click("#who", "")
	b.fill("#given_name", "Joan")
	b.fill("#family_name", "Pike")
	b.fill("#dob-day", "4")
	b.fill("#dob-month", "7")
	b.fill("#dob-year", "1941")
	b.fill("#postcode", "EX2 5AA")
	b.click("#reasons-loneliness", "")
	// Sent at once, as a quick person or a browser's autofill does: no wait.
	b.follow("button", "^Send$")
	b.expectText(".nhsuk-error-summary", "must agree")
	b.expectText(".nhsuk-error-summary", "Give a phone number or an email address")
	b.fill("#email", "joan.pike@example.net")
	b.click("#consent", "")
	b.follow("button", "^Send$")
	b.expectText("h1", "We have your request")
	b.expectText("main", "within 5 working days by email")
	ref := b.text("#reference")
	if !strings.HasPrefix(ref, "OIK-") {
		b.fatalf("reference %q", ref)
	}

	b.visit("/sign-in")
	b.signIn("linkworker@oikos.example", password)
	b.enrolTOTP()
	b.follow("a", "saved my codes")
	b.visit("/referrals")
	b.expectText("h1", "Referrals")
	b.follow("a", "^Joan Pike$")
	b.expectText(".nhsuk-caption-l", ref)
	b.follow("button", "^Accept and take on$")
	b.expectText(".nhsuk-notification-banner", "in your caseload")
}

// TestBrowserReconcileMatch: a GP refers someone the scheme knows already
// (a demo person, by name, date of birth and postcode). The GP is shown
// only what they sent; a link worker is told why the referral looks like
// the known person, confirms it is the same person with the form on the
// referral's page, and sees the known record; the GP still sees only what
// they sent. Every page is checked with axe-core.
func TestBrowserReconcileMatch(t *testing.T) {
	requireAxe(t)
	var password string
	base := startServer(t, loadDemo(t, &password))
	browser := startBrowser(t)
	known := demoPeople[2]       // Aisha Rahman, self-referred in the demo
	knownPhone := "07700 900002" // the demo's phone for her
	knownNHS := demoNHSNumber(40000000 + 2*7919)
	hidden := func(b *tab, what string) {
		t.Helper()
		main := b.text("main")
		for _, s := range []string{knownPhone, knownNHS, knownNHS[:3] + " " + knownNHS[3:6] + " " + knownNHS[6:]} {
			if strings.Contains(main, s) {
				b.fatalf("%s shows the known person's %q", what, s)
			}
		}
	}

	gp := openTab(t, browser, base)
	gp.visit("/sign-in")
	gp.signIn("gp@oikos.example", password)
	gp.enrolTOTP()
	gp.follow("a", "saved my codes")
	gp.follow("a", "^Make a referral$")
	gp.choose("#source_type", "GP")
	gp.fill("#given_name", known.given)
	gp.fill("#family_name", known.family)
	gp.fill("#dob-day", known.born[8:])
	gp.fill("#dob-month", known.born[5:7])
	gp.fill("#dob-year", known.born[:4])
	gp.fill("#postcode", known.postcode)
	gp.fill("#email", "aisha.r@example.net")
	gp.click("#reasons-money_worries", "")
	gp.click("#consent", "")
	gp.follow("button", "^Send referral$")
	gp.expectText("h1", "We have your request")
	gp.follow("a", "^your referrals$")
	hidden(gp, "the GP's list")
	gp.follow("a", "^"+known.given+" "+known.family+"$")
	referralPath := gp.path()
	hidden(gp, "the GP's referral page")

	staff, err := browser.Incognito()
	if err != nil {
		t.Fatalf("open a separate browser context: %v", err)
	}
	lw := openTab(t, staff, base)
	lw.visit("/sign-in")
	lw.signIn("linkworker@oikos.example", password)
	lw.enrolTOTP()
	lw.follow("a", "saved my codes")
	lw.visit(referralPath)
	lw.expectText(".nhsuk-warning-callout", "Possibly known already")
	lw.expectText("#match-strength", "same name, date of birth and postcode as someone we know already")
	lw.expectText("#match-strength", "The name, date of birth and postcode agree.")
	lw.expectText(".nhsuk-warning-callout", knownPhone)
	lw.follow("button", "^Yes, the same person$")
	lw.expectText(".nhsuk-notification-banner", "now on the record we already held")
	lw.expectText("main", knownPhone)
	lw.expectText("main", "The details as the referral gave them")

	gp.visit(referralPath)
	gp.expectText("main", "aisha.r@example.net")
	hidden(gp, "the GP's referral page after reconciling")
}
