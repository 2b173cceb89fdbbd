package main

import (
	"testing"
)

// TestBrowserPersonsRights: a manager gives a person a copy of everything
// held about them, restricts their record and lifts the restriction, then
// closes their referral and erases their details, meeting each form's
// error on the way; the person, signed in with a paper code, opens their
// own copy, and is signed out by the erasure. Every page is checked with
// axe-core.
func TestBrowserPersonsRights(t *testing.T) {
	requireAxe(t)
	var password, refID string
	base := startServer(t, loadDemo(t, &password), withPlan(t, &refID))
	browser := startBrowser(t)
	m := openTab(t, browser, base)

	m.visit("/sign-in")
	m.signIn("manager@oikos.example", password)
	m.enrolTOTP()
	m.follow("a", "saved my codes")
	m.visit("/referrals/" + refID)
	m.expectText("h1", "Edith Marsh")

	// The printable copy.
	m.follow("a", "^A copy of everything held about them$")
	m.expectText("h1", "Everything held about Edith Marsh")
	m.expectText("main", "Feel steadier on my feet")
	m.expectText("main", "Who has read or changed the record")

	// The person, in a browser of their own, opens their own copy.
	m.visit("/referrals/" + refID)
	m.follow("button", "^Print a sign-in code$")
	code := m.text("#sign-in-code")
	own, err := browser.Incognito()
	if err != nil {
		t.Fatalf("open a separate browser context: %v", err)
	}
	p := openTab(t, own, base)
	p.visit("/my/sign-in")
	p.fill("#code", code)
	p.fill("#dob-day", "9")
	p.fill("#dob-month", "11")
	p.fill("#dob-year", "1943")
	p.follow("button", "^Continue$")
	p.follow("a", "^What we hold about you$")
	p.follow("a", "^a copy of everything we hold about you$")
	p.expectText("h1", "A copy of everything we hold about you")
	p.expectText("main", "9 November 1943")
	p.expectText("main", "Try the Tuesday chair exercise class")

	// Restriction: the reason is needed, and may not name her.
	m.visit("/referrals/" + refID)
	m.follow("a", "^Restrict their record$")
	m.expectText("h1", "Restrict their record")
	m.follow("button", "^Restrict their record$")
	m.expectText(".nhsuk-error-summary", "Say why")
	m.fill("#reason", "Mrs Marsh rang to ask")
	m.follow("button", "^Restrict their record$")
	m.expectText(".nhsuk-error-summary", "Leave the person's name and details out")
	m.fill("#reason", "Rang on Monday to ask while she checks her record")
	m.follow("button", "^Restrict their record$")
	m.expectPath("/referrals/" + refID)
	m.expectText(".nhsuk-notification-banner", "Processing of the person's record is restricted.")
	m.expectText("#rights-banner", "Record restricted")
	m.follow("a", "^Lift the restriction of their record$")
	m.expectText("h1", "Lift the restriction of their record")
	m.fill("#reason", "She is content with the record")
	m.follow("button", "^Lift the restriction$")
	m.expectText(".nhsuk-notification-banner", "The restriction is lifted.")

	// Erasure: the referral is closed first, then her details go.
	m.follow("a", "^Erase their details$")
	m.expectText("h1", "Erase the person's details")
	m.expectText(".nhsuk-inset-text", "still open")
	m.fill("#reason", "Asked in writing")
	m.follow("button", "^Erase their details$")
	m.expectText(".nhsuk-error-summary", "Close the person's open referrals first")
	m.visit("/referrals/" + refID)
	m.follow("a", "^Close referral$")
	m.choose("#reason", "Goals met")
	m.follow("button", "^Yes, close the referral$")
	m.expectText(".nhsuk-notification-banner", "The referral is closed.")
	m.follow("a", "^Erase their details$")
	m.fill("#reason", "Asked in writing, letter of 3 March")
	m.follow("button", "^Erase their details$")
	m.expectPath("/referrals/" + refID)
	m.expectText(".nhsuk-notification-banner", "details are erased")
	m.expectText("#rights-banner", "Details erased")
	m.expectText("h1", "(details erased)")
	m.follow("a", "^A copy of everything held about them$")
	m.expectText("main", "Asked in writing, letter of 3 March")

	// The erasure ended the person's session.
	p.visit("/my/export")
	p.expectPath("/my/sign-in")
}
