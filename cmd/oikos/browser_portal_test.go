package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/proto"

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
// JavaScript off, on a phone, signs in with the code and their date of
// birth, marks a step of their plan done, adds and rewords a goal and a
// step of their own, prints their plan and reads what is held about them;
// the link worker then sees the step done and the person's changes marked
// as theirs, and prints the plan. Every page is checked with axe-core, and
// the phone's pages for sideways scrolling.
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
	p := openPhoneTab(t, own, base)
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

	// She adds a goal and a step of her own and rewords them, on her
	// phone, without JavaScript: a box sent empty is named in the error
	// summary.
	p.follow("a", "^Add a goal")
	p.follow("button", "^Add goal$")
	p.expectText(".nhsuk-error-summary", "Write your goal")
	p.expectText("#text-error", "Write your goal")
	p.fill("#text", "Sing in a choir again")
	p.follow("button", "^Add goal$")
	p.expectText(".nhsuk-notification-banner", "Your goal is added.")
	p.expectText("main", "Sing in a choir again")
	p.follow("a", "^Change the words\\s*of your goal")
	p.fill("#text", "Get out of the house three times a week")
	p.follow("button", "^Save goal$")
	p.expectText(".nhsuk-notification-banner", "Your goal is reworded.")
	p.follow("a", "^Add a step")
	p.fill("#text", "Ask Jean next door to come along")
	p.follow("button", "^Add step$")
	p.expectText(".nhsuk-notification-banner", "Your step is added.")
	p.follow("a", "^Change the words\\s*of the step")
	p.fill("#text", "Try the Tuesday chair exercise class with Jean")
	p.follow("button", "^Save step$")
	p.expectText(".nhsuk-notification-banner", "Your step is reworded.")
	p.follow("a", "^Print your plan$")
	p.expectText("h1", "Your plan")
	p.expectText("main", "Edith Marsh")
	p.expectText("main", "Ask Jean next door to come along")
	printsPlanOnly(t, p)
	p.visit("/my")
	p.follow("a", "^What we hold about you$")
	p.expectText("h1", "What we hold about you")
	p.expectText("main", "9 November 1943")
	p.expectText("main", "Try the Tuesday chair exercise class with Jean (You, by 1 May 2030): done")
	p.follow("button", "^Sign out$")
	p.expectPath("/my/sign-in")
	p.expectText(".nhsuk-notification-banner", "You have signed out.")
	if p.scriptsRan() {
		t.Fatal("the person's page ran its script, so this test did not try it without JavaScript")
	}

	// The link worker sees what the person did: the step done, the goal 4
	// of 10, and the other step still to do; what she added and reworded,
	// marked as hers; and her plan changed, on the caseload.
	lw.visit("/referrals/" + refID)
	lw.expectText("main", "How far along: 4 out of 10")
	var done, todo, added, reworded bool
	for _, item := range lw.texts("main li") {
		done = done || strings.Contains(item, "Try the Tuesday chair exercise class with Jean") && strings.Contains(item, "Done")
		todo = todo || strings.Contains(item, "Book a falls check") && !strings.Contains(item, "Done")
		added = added || strings.Contains(item, "Ask Jean next door to come along") && strings.Contains(item, "Added by the person on")
		reworded = reworded || strings.Contains(item, "with Jean") && strings.Contains(item, "Reworded by the person on")
	}
	if !done || !todo || !added || !reworded {
		lw.fatalf("the link worker's plan does not show the person's changes (done %v, to do %v, added %v, reworded %v)", done, todo, added, reworded)
	}
	lw.expectText("#plan ~ .nhsuk-card", "Reworded by the person on")
	lw.visit("/caseload")
	lw.expectText("main", "They changed their plan")

	// The link worker prints the plan to give her.
	lw.visit("/referrals/" + refID)
	lw.follow("a", "^Print the plan$")
	lw.expectText("main", "Edith Marsh")
	lw.expectText("main", "Sing in a choir again")
	lw.expectText("main", "Who does it: You")
	printsPlanOnly(t, lw)
	// It fits a phone too (the tab checks each page it lands on).
	openPhoneTab(t, browser, base).visit(lw.path())
}

// printsPlanOnly checks the page as printed: the plan, without the
// site's header, footer, back link or buttons, in large type.
func printsPlanOnly(t *testing.T, b *tab) {
	t.Helper()
	if err := (proto.EmulationSetEmulatedMedia{Media: "print"}).Call(b.page); err != nil {
		t.Fatalf("print media: %v", err)
	}
	defer (proto.EmulationSetEmulatedMedia{Media: ""}).Call(b.page)
	res, err := b.page.Eval(`() => {
		const shown = (sel) => [...document.querySelectorAll(sel)].filter(e => getComputedStyle(e).display !== 'none' && e.offsetParent !== null).length;
		const p = document.querySelector('.oikos-printed-plan p');
		return {hidden: shown('.nhsuk-header') + shown('.nhsuk-footer') + shown('.nhsuk-back-link') + shown('.nhsuk-button') + shown('.oikos-no-print'),
			plan: shown('.oikos-printed-plan'), size: p ? parseFloat(getComputedStyle(p).fontSize) : 0};
	}`)
	if err != nil {
		b.fatalf("printed page: %v", err)
	}
	if hidden := res.Value.Get("hidden").Int(); hidden != 0 {
		t.Errorf("%s: %d of the header, footer, back link and buttons are printed", b.where(), hidden)
	}
	if res.Value.Get("plan").Int() == 0 {
		t.Errorf("%s: the plan is not printed", b.where())
	}
	// 14 pt is 18.67 CSS px: large print for people who read it at home.
	if size := res.Value.Get("size").Num(); size < 18 {
		t.Errorf("%s: printed text is %.1f px, want large type", b.where(), size)
	}
}
