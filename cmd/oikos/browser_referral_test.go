package main

import (
	"strings"
	"testing"
	"time"
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
	// The form refuses what is sent within seconds of opening it, as bots do.
	time.Sleep(3 * time.Second)
	b.follow("button", "^Send$")
	b.expectText(".nhsuk-error-summary", "must agree")
	b.click("#consent", "")
	b.follow("button", "^Send$")
	b.expectText("h1", "We have your request")
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
