package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// withPlan prepares a referral in the demo link worker's caseload with a
// plan of one goal and two steps, and reports the referral's id.
func withPlan(t *testing.T, refID *string) func(dbURL string) {
	return func(dbURL string) {
		t.Helper()
		ctx := context.Background()
		d, err := db.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		lw, err := auth.NewStore(d).GetUserByEmail(ctx, "linkworker@oikos.example")
		if err != nil {
			t.Fatalf("the demo link worker: %v", err)
		}
		by := referral.Actor{UserID: lw.ID, Client: "test"}
		refs := referral.NewStore(d)
		ref, err := refs.Create(ctx, by, referral.Input{
			Person:  referral.PersonInput{GivenName: "Edith", FamilyName: "Marsh", DateOfBirth: "1943-11-09", Postcode: "EX4 4QJ"},
			Source:  referral.SourceInput{Type: "gp", ReferrerName: "Dr Okafor"},
			Reasons: []string{"loneliness", "physical_inactivity"},
			Consent: referral.ConsentInput{Given: true},
		}, "", "web")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := refs.Transition(ctx, by, ref.ID, referral.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := refs.Assign(ctx, by, ref.ID, lw.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := casework.NewStore(d).SavePlan(ctx, by, ref.ID, []casework.Goal{{Text: "Feel steadier on my feet", Steps: []casework.Step{
			{Text: "Try the Tuesday chair exercise class", Owner: casework.OwnerPerson, Due: "2030-05-01"},
			{Text: "Book a falls check with the practice nurse", Owner: casework.OwnerLinkWorker},
		}}}); err != nil {
			t.Fatal(err)
		}
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
