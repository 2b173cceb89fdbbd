package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"oikos/internal/db"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

// withPlan prepares a referral of Edith Marsh in the demo link worker's
// caseload with oikostest's plan (one goal, two steps), and reports the
// referral's id.
func withPlan(t *testing.T, refID *string) func(dbURL string) {
	return func(dbURL string) {
		t.Helper()
		d, err := db.Open(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		lw := oikostest.User(t, d, "linkworker@oikos.example")
		ref := oikostest.NewReferral(t, d, oikostest.Referral{Worker: &lw, Reasons: []string{"loneliness", "physical_inactivity"},
			Person: referral.PersonInput{GivenName: "Edith", FamilyName: "Marsh", DateOfBirth: "1943-11-09", Postcode: "EX4 4QJ"}})
		oikostest.SavePlan(t, d, lw, ref.ID)
		*refID = ref.ID
	}
}

// TestBrowserPersonalPortal: a link worker prints a sign-in code for
// someone in their caseload; the person, in a browser of their own with
// JavaScript off, signs in with the code and their date of birth, marks a
// step of their plan done and reads what is held about them; the link
// worker then sees the step done. Every page is checked with axe-core.
func TestBrowserPersonalPortal(t *testing.T) {
	requireAxe(t)
	var password, refID string
	base := startServer(t, loadDemo(t, &password), withPlan(t, &refID))
	browser := startBrowser(t)
	lw := openTab(t, browser, base)

	lw.visit("/sign-in")
	lw.signIn("linkworker@oikos.example", password)
	lw.enrolTOTP()
	lw.follow("a", "saved my codes")
	lw.visit("/referrals/" + refID)
	lw.expectText("h1", "Edith Marsh")
	lw.follow("button", "^Print a sign-in code$")
	lw.expectText("h1", "Your code to see your plan online")
	lw.expectText("main", "/my/sign-in") // on the server's public address (--base-url)
	code := lw.text("#sign-in-code")
	if !regexp.MustCompile(`^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$`).MatchString(code) {
		lw.fatalf("code %q is not shaped like K7QM-4TZP-XW", code)
	}

	// The person's own browser: no staff session, and no JavaScript.
	own, err := browser.Incognito()
	if err != nil {
		t.Fatalf("open a separate browser context: %v", err)
	}
	p := openTab(t, own, base)
	p.disableScripts()
	p.visit("/my")
	p.expectPath("/my/sign-in")
	p.expectText("h1", "Sign in to see your plan")
	// A wrong date of birth first, as a nervous person might type.
	p.fill("#code", code)
	p.fill("#dob-day", "9")
	p.fill("#dob-month", "12")
	p.fill("#dob-year", "1943")
	p.follow("button", "^Continue$")
	p.expectText(".nhsuk-error-summary", "not right")
	p.fill("#code", code)
	p.fill("#dob-month", "11")
	p.follow("button", "^Continue$")
	p.expectPath("/my")
	p.expectText("h1", "Edith, your plan")
	p.expectText("main", "Try the Tuesday chair exercise class")
	p.follow("button", "^Mark as done")
	p.expectText(".nhsuk-notification-banner", "Your step is saved.")
	p.expectText("main", "Mark as not done")
	p.choose("select[name=progress]", "4")
	p.follow("button", "^Save how far along you are")
	p.expectText(".nhsuk-notification-banner", "Your progress is saved.")
	p.expectText("main", "How far along: 4 out of 10")
	p.follow("a", "^What we hold about you$")
	p.expectText("h1", "What we hold about you")
	p.expectText("main", "9 November 1943")
	p.expectText("main", "Try the Tuesday chair exercise class (You, by 1 May 2030): done")
	p.follow("button", "^Sign out$")
	p.expectPath("/my/sign-in")
	p.expectText(".nhsuk-notification-banner", "You have signed out.")
	if p.scriptsRan() {
		t.Fatal("the person's page ran its script, so this test did not try it without JavaScript")
	}

	// The link worker sees what the person did: the step done, the goal 4
	// of 10, and the other step still to do.
	lw.visit("/referrals/" + refID)
	lw.expectText("main", "How far along: 4 out of 10")
	var done, todo bool
	for _, item := range lw.texts("main li") {
		done = done || strings.Contains(item, "Try the Tuesday chair exercise class") && strings.Contains(item, "Done")
		todo = todo || strings.Contains(item, "Book a falls check") && !strings.Contains(item, "Done")
	}
	if !done || !todo {
		lw.fatalf("the link worker's plan does not show the person's step done (and only that one)")
	}
}
